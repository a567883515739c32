//! What tests need of an XMPP server, whichever one the kit started.

use xmpp_parsers::jid::BareJid;

use crate::Error;

/// A private XMPP server started by this kit: [`crate::Prosody`] or
/// [`crate::Ejabberd`]. Staff clients and test rigs work with either.
pub trait XmppServer: Send + Sync {
    /// The address clients connect to: `127.0.0.1:PORT`.
    fn addr(&self) -> String;

    /// The XMPP domain of every account.
    fn domain(&self) -> &str;

    /// Whether clients must use STARTTLS.
    fn uses_tls(&self) -> bool;

    /// Creates the accounts, as `(user, password)` pairs.
    fn register_many(&self, accounts: &[(&str, &str)]) -> Result<(), Error>;

    /// The bare JID `user@DOMAIN`.
    ///
    /// # Panics
    ///
    /// Panics if `user` is not a valid JID local part (a bug in the test).
    fn jid(&self, user: &str) -> BareJid {
        let text = format!("{user}@{}", self.domain());
        BareJid::new(&text).unwrap_or_else(|e| panic!("{text:?} is not a valid JID: {e}"))
    }
}
