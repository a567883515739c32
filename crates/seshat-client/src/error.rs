//! The one error type of this crate, in the terms a web application or the
//! daemon can act on.

/// The underlying storage engine's own error, boxed so that another backend
/// (PostgreSQL, say) can report its failures through the same type.
pub type BackendError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong when talking to the Seshat store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The token does not belong to any chat (a web app maps this to 404).
    #[error("no such chat")]
    NoSuchChat,
    /// A numeric chat id that no chat has.
    #[error("chat #{0} does not exist")]
    NoSuchChatId(i64),
    /// The text to send is empty or only whitespace.
    #[error("the message is empty")]
    EmptyMessage,
    /// The text to send is longer than the configured limit.
    #[error("the message is {len} bytes long; at most {max} are allowed")]
    MessageTooLong {
        /// Length of the refused text, in bytes of UTF-8.
        len: usize,
        /// The configured limit, in bytes of UTF-8.
        max: usize,
    },
    /// The visitor name is empty or only whitespace.
    #[error("the visitor name is empty")]
    EmptyName,
    /// The visitor name is longer than the configured limit.
    #[error("the visitor name is {len} characters long; at most {max} are allowed")]
    NameTooLong {
        /// Length of the refused name, in characters.
        len: usize,
        /// The configured limit, in characters.
        max: usize,
    },
    /// The text holds a character that XMPP (XML 1.0) cannot carry, such as NUL.
    #[error("the text contains a control character that cannot be sent (U+{0:04X})")]
    ForbiddenCharacter(u32),
    /// The email address is not one.
    #[error("that is not a valid email address")]
    InvalidEmail,
    /// The input is not valid UTF-8.
    #[error("the text is not valid UTF-8")]
    InvalidUtf8,
    /// The database was written by a newer version of Seshat.
    #[error("database version {found} is newer than this program understands ({supported})")]
    NewerSchema {
        /// Version recorded in the file.
        found: i64,
        /// Newest version this program knows.
        supported: i64,
    },
    /// The file is an SQLite database, but not one of Seshat's.
    #[error("the database has tables but no Seshat version record: {0}")]
    NotASeshatDatabase(String),
    /// The storage engine failed (I/O, corruption, lock held for too long...).
    #[error("database error: {0}")]
    Database(#[source] BackendError),
    /// A blocking task running a store operation was lost (the runtime is shutting down).
    #[error("the store task was cancelled")]
    TaskCancelled,
}

impl Error {
    /// True when the database was busy or locked by another process for
    /// longer than the busy timeout: a temporary condition worth retrying
    /// (a web app may answer 503).
    pub fn is_busy(&self) -> bool {
        let Error::Database(source) = self else {
            return false;
        };
        matches!(
            source.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(failure, _))
                if matches!(
                    failure.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                )
        )
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        Error::Database(Box::new(error))
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
