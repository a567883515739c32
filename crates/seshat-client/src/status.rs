//! The life cycle of a chat, with the numeric codes of the original schema.

use std::fmt;

/// Where a chat stands. The numbers are the ones stored in `chat.status`
/// since Seshat 0.3, so databases stay compatible with the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChatStatus {
    /// Started by a visitor, not yet offered to staff (code 0).
    Waiting,
    /// Offered to the available staff, not yet accepted (code 1).
    Notified,
    /// Accepted by a staff member; messages flow (code 2).
    Open,
    /// Finished by staff or the visitor (code 3).
    Closed,
    /// Nobody was available or nobody accepted it in time (code 4).
    Failed,
    /// Canceled by a staff member with `!CANCEL` (code 5).
    CanceledLocally,
}

impl ChatStatus {
    /// The code stored in the database.
    pub fn code(self) -> i64 {
        match self {
            ChatStatus::Waiting => 0,
            ChatStatus::Notified => 1,
            ChatStatus::Open => 2,
            ChatStatus::Closed => 3,
            ChatStatus::Failed => 4,
            ChatStatus::CanceledLocally => 5,
        }
    }

    /// The status for a stored code, or `None` for a code no version wrote.
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => ChatStatus::Waiting,
            1 => ChatStatus::Notified,
            2 => ChatStatus::Open,
            3 => ChatStatus::Closed,
            4 => ChatStatus::Failed,
            5 => ChatStatus::CanceledLocally,
            _ => return None,
        })
    }

    /// The status for a code read from a database, which another program
    /// may have written: a code no version writes is treated as over
    /// ([`ChatStatus::Closed`]), so that nothing acts on it.
    pub fn from_stored_code(code: i64) -> Self {
        Self::from_code(code).unwrap_or(ChatStatus::Closed)
    }

    /// The lower-case name used by the HTTP API: `waiting`, `notified`,
    /// `open`, `closed`, `failed` or `canceled`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChatStatus::Waiting => "waiting",
            ChatStatus::Notified => "notified",
            ChatStatus::Open => "open",
            ChatStatus::Closed => "closed",
            ChatStatus::Failed => "failed",
            ChatStatus::CanceledLocally => "canceled",
        }
    }

    /// True while staff have not yet accepted the chat.
    pub fn is_pending(self) -> bool {
        matches!(self, ChatStatus::Waiting | ChatStatus::Notified)
    }

    /// True once the chat can carry no more messages.
    pub fn is_over(self) -> bool {
        matches!(
            self,
            ChatStatus::Closed | ChatStatus::Failed | ChatStatus::CanceledLocally
        )
    }
}

impl fmt::Display for ChatStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_the_original_schema() {
        for code in 0..=5 {
            assert_eq!(ChatStatus::from_code(code).unwrap().code(), code);
        }
        assert_eq!(ChatStatus::Open.code(), 2);
        assert_eq!(ChatStatus::CanceledLocally.code(), 5);
        assert_eq!(ChatStatus::from_code(6), None);
        assert_eq!(ChatStatus::from_code(-1), None);
    }
}
