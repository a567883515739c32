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
    /// A copy's target database already holds rows (see
    /// [`crate::store::copy`]); nothing was copied.
    #[error("the target database is not empty: {0}")]
    TargetNotEmpty(String),
    /// The storage engine failed (I/O, corruption, lock held for too long...).
    #[error("database error: {}", with_causes(.0.as_ref()))]
    Database(#[source] BackendError),
    /// A blocking task running a store operation was lost (the runtime is shutting down).
    #[error("the store task was cancelled")]
    TaskCancelled,
}

impl Error {
    /// True for a temporary condition worth retrying (a web app may answer
    /// 503): the SQLite file was busy or locked by another process for
    /// longer than the busy timeout, or the PostgreSQL server could not be
    /// reached, refused more connections, or is restarting.
    pub fn is_busy(&self) -> bool {
        let Error::Database(source) = self else {
            return false;
        };
        if let Some(rusqlite::Error::SqliteFailure(failure, _)) =
            source.downcast_ref::<rusqlite::Error>()
        {
            return matches!(
                failure.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            );
        }
        self.is_connection_lost()
            || source
                .downcast_ref::<tokio_postgres::Error>()
                .and_then(tokio_postgres::Error::code)
                .is_some_and(|code| {
                    *code == tokio_postgres::error::SqlState::TOO_MANY_CONNECTIONS
                        || *code == tokio_postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
                        || *code == tokio_postgres::error::SqlState::CANNOT_CONNECT_NOW
                })
    }

    /// True when a PostgreSQL connection was lost or could not be made:
    /// closed by the server (a restart), cut by the network, or timed out.
    pub fn is_connection_lost(&self) -> bool {
        let Error::Database(source) = self else {
            return false;
        };
        let postgres = match source.downcast_ref::<deadpool_postgres::PoolError>() {
            Some(deadpool_postgres::PoolError::Backend(error)) => Some(error),
            Some(deadpool_postgres::PoolError::Timeout(_)) => return true,
            Some(_) => return false,
            None => source.downcast_ref::<tokio_postgres::Error>(),
        };
        postgres.is_some_and(|error| {
            error.is_closed()
                || error.code().is_some_and(|code| {
                    code.code().starts_with("08")
                        || *code == tokio_postgres::error::SqlState::ADMIN_SHUTDOWN
                        || *code == tokio_postgres::error::SqlState::CRASH_SHUTDOWN
                        || *code == tokio_postgres::error::SqlState::CANNOT_CONNECT_NOW
                })
                || (error.code().is_none()
                    && std::error::Error::source(error)
                        .is_some_and(|cause| cause.is::<std::io::Error>()))
        })
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(error: tokio_postgres::Error) -> Self {
        Error::Database(Box::new(error))
    }
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        Error::Database(Box::new(error))
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        Error::Database(Box::new(error))
    }
}

/// `error` followed by each of its causes that adds something, so that a
/// wrapper's vague words ("db error") come with the server's own reason
/// ("password authentication failed for user ..."). Only the first line of
/// each is kept: a PostgreSQL error's DETAIL may quote row values, which
/// have no place in a log.
fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = first_line(error);
    let mut cause = error.source();
    while let Some(next) = cause {
        let line = first_line(next);
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        cause = next.source();
    }
    text
}

fn first_line(error: &dyn std::error::Error) -> String {
    error
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
