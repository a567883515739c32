//! Placeholder; filled in shortly.
