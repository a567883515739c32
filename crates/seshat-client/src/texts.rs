//! The notices Seshat queues for visitors and staff, word for word as the
//! original 0.3.1 wrote them, so that existing front ends see the same text.

/// Queued to the visitor when a chat starts.
pub const CHAT_REQUESTED: &str =
    "Your chat request has been sent. Please wait while it is answered.";
/// Queued to the visitor for each message sent before staff accepted.
pub const DELIVERED_WHEN_STARTED: &str = "Your message will be delivered when the chat begins.";
/// Queued to the visitor who writes to a chat that is over.
pub const ALREADY_CLOSED: &str = "This chat is already closed.";
/// Queued to both sides when a chat is finished.
pub const CHAT_CLOSED: &str = "The chat is now closed.";
/// Queued to the visitor when staff accept the chat.
pub const CHAT_STARTED: &str = "Your chat has started.";
/// Queued to the visitor when staff cancel the request.
pub const CHAT_CANCELED: &str = "Your chat was canceled.";
/// Queued to the visitor when no staff member is available.
pub const NOBODY_AVAILABLE: &str = "No one is available to answer your chat request right now.";
/// Queued to the visitor when staff were offered the chat but nobody accepted in time.
pub const NOBODY_ANSWERED: &str =
    "No one was able to answer your chat request in time. Please try again later.";

/// Queued to a visitor whose chat waits in line because every staff member
/// online is busy, and again each time their place changes (our addition).
pub fn place_in_line(place: usize) -> String {
    format!("You are number {place} in line.")
}

/// Queued to the visitor when the staff member handling their chat lost
/// their connection and the chat is passed to someone else (our addition).
pub const HANDLER_LOST: &str = "The staff member helping you has lost their connection. \
                                Your chat is being passed to someone else; please wait.";
