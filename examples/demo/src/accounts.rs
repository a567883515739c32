//! The demo's XMPP accounts. The passwords are fixed so that a Jabber
//! client set up once keeps working across runs; they protect nothing,
//! since the server listens on loopback only and is deleted on exit.

/// One account on the private server, `user@localhost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    /// The local part of the JID.
    pub user: &'static str,
    /// Its password.
    pub password: &'static str,
    /// The name visitors see for a staff member (the `staff_names` key).
    pub display_name: &'static str,
}

/// The account `seshatd` logs in as: the contact that offers chats to staff.
pub const BOT: Account = Account {
    user: "webchat",
    password: "webchat-demo",
    display_name: "Seshat",
};

/// The two staff members a person logs in as from a Jabber client.
pub const STAFF: [Account; 2] = [
    Account {
        user: "alice",
        password: "alice-demo",
        display_name: "Alice",
    },
    Account {
        user: "bob",
        password: "bob-demo",
        display_name: "Bob",
    },
];

/// The automatic staff member of `--staff-bot`.
pub const ECHO_BOT: Account = Account {
    user: "echo",
    password: "echo-demo",
    display_name: "Echo bot (automatic)",
};

/// The XMPP resource the echo bot binds.
pub const ECHO_BOT_RESOURCE: &str = "demo";
