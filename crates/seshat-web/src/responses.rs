//! The JSON bodies of the HTTP contract, one type per answer.

use serde::Serialize;

use seshat_client::clock::to_rfc3339;
use seshat_client::{Author, ChatStatus, StaffNames, VisitorMessage};

/// `POST /start`: the chat just started.
#[derive(Debug, Serialize)]
pub struct Started {
    /// The web token; every later request names the chat by it.
    pub token: String,
    /// The number staff see (`!ACCEPT 42`), for display only.
    pub chatid: i64,
}

/// `GET /recvmessage/{token}`: what arrived, and where the chat stands.
#[derive(Debug, Serialize)]
pub struct Received {
    /// Messages for the visitor, oldest first.
    pub messages: Vec<Message>,
    /// The chat's status, as [`ChatStatus::as_str`] names it.
    pub status: &'static str,
}

/// One message for the visitor.
#[derive(Debug, Serialize)]
pub struct Message {
    /// Increases in the order messages were written.
    pub id: i64,
    /// The text as written. It is not HTML: render it as text.
    pub text: String,
    /// When it was written, RFC 3339 in UTC.
    pub time: String,
    /// `"staff"` for a staff member's words, `"seshat"` for notices.
    pub from: &'static str,
    /// The name of the staff member who wrote it, as the WebSocket's
    /// `msg_out.user.name` gives it (see [`StaffNames::display_name`]).
    /// Absent from notices, which nobody in particular wrote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Message {
    /// `message` as the visitor is shown it, its writer named by `names`.
    pub fn new(message: VisitorMessage, names: &StaffNames) -> Self {
        let (from, name) = match &message.author {
            Author::Staff(jid) => ("staff", Some(names.display_name(jid))),
            Author::Seshat => ("seshat", None),
        };
        Message {
            id: message.id,
            time: to_rfc3339(message.posted_at),
            from,
            name,
            text: message.text,
        }
    }
}

impl Received {
    /// The answer for `messages` in a chat whose status is `status`, staff
    /// named by `names`.
    pub fn new(messages: Vec<VisitorMessage>, status: ChatStatus, names: &StaffNames) -> Self {
        Received {
            messages: messages
                .into_iter()
                .map(|message| Message::new(message, names))
                .collect(),
            status: status.as_str(),
        }
    }
}

/// `POST /sendmessage/{token}`.
#[derive(Debug, Serialize)]
pub struct Sent {
    /// False when the chat is over and the message went nowhere.
    pub sent: bool,
}

/// `POST /end/{token}`.
#[derive(Debug, Serialize)]
pub struct Ended {
    /// False when the chat was already over.
    pub ended: bool,
}

/// `GET /available`.
#[derive(Debug, Serialize)]
pub struct Available {
    /// True when at least one staff member is online and free.
    pub available: bool,
    /// True when staff are online but every one is in a chat, and new
    /// chats wait in line (`queue_when_busy`).
    pub busy: bool,
}

/// Any failure.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    /// What went wrong, in a sentence.
    pub error: String,
}
