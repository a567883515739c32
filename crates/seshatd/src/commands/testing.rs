//! A real store on a temporary file and the standard commands, shared by
//! the tests of every command.

use seshat_client::{Chat, ChatStatus, NewChat, SqliteStore, Store};
use tempfile::TempDir;

use super::Commands;

/// A staff member.
pub const JOE: &str = "joe@example.com";
/// Another staff member.
pub const BOB: &str = "bob@example.com";

/// A fresh database with the standard commands.
pub struct Fixture {
    /// Keeps the database file alive for the test's duration.
    _dir: TempDir,
    pub store: SqliteStore,
    pub commands: Commands,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = SqliteStore::open(dir.path().join("seshat.db")).expect("a new database");
        Fixture {
            _dir: dir,
            store,
            commands: Commands::standard(),
        }
    }

    /// The reply `staff` gets for `body`, which must be a command.
    pub fn send(&self, staff: &str, body: &str) -> String {
        self.commands
            .dispatch(&self.store, staff, body)
            .unwrap_or_else(|| panic!("{body:?} should be a command"))
            .unwrap_or_else(|error| panic!("{body:?} failed: {error}"))
    }

    /// A new chat, as the web side would start it.
    pub fn start_chat(&self, visitor: &str, start_message: Option<&str>) -> NewChat {
        self.store
            .start_chat(visitor, start_message)
            .expect("a new chat")
    }

    /// A chat `staff` has accepted.
    pub fn open_chat(&self, visitor: &str, staff: &str) -> NewChat {
        let chat = self.start_chat(visitor, None);
        self.send(staff, &format!("!ACCEPT {}", chat.id));
        assert_eq!(self.chat(chat.id).status, ChatStatus::Open);
        chat
    }

    /// The chat as stored now.
    pub fn chat(&self, id: i64) -> Chat {
        self.store
            .chat(id)
            .expect("a readable chat")
            .expect("an existing chat")
    }

    /// Texts queued to the chat's visitor since the last call, without the
    /// "request sent" notice every new chat starts with.
    pub fn visitor_texts(&self, chat: &NewChat) -> Vec<String> {
        self.store
            .take_for_visitor(&chat.token)
            .expect("readable messages")
            .into_iter()
            .map(|message| message.text)
            .filter(|text| text != seshat_client::texts::CHAT_REQUESTED)
            .collect()
    }
}
