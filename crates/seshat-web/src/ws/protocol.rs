//! The JSON frames of the WebSocket protocol: commands the visitor sends
//! and events the server answers with, field for field as Chip names them,
//! plus the few additions the README's WebSocket section lists (the
//! one description of the protocol).
//!
//! Commands are parsed here, at the edge, into [`Command`]; everything
//! after works with types. Unknown fields are ignored, so that a newer
//! widget can talk to an older server.

use serde::Serialize;
use serde_json::{Map, Value};

/// A command from the visitor, one per text frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `start_chat`: resume the chat `chat_id` names, or start a new one.
    StartChat {
        /// The token of a chat to resume (Chip's `chat_id`).
        chat_id: Option<String>,
        /// Seshat's addition: the first line, shown to staff in the offer
        /// as the start message, as `POST /start` does.
        message: Option<String>,
    },
    /// `send_msg`: the visitor's text for staff.
    SendMessage {
        /// The text.
        text: String,
    },
    /// `ack_chat`: the visitor has every message up to `msg_id`.
    AcknowledgeChat {
        /// The id of a `chat_out` message.
        msg_id: i64,
    },
    /// `get_history`: a page of the chat's messages before a point in time.
    GetHistory {
        /// Messages posted strictly before this (RFC 3339, as text).
        before: String,
        /// Seshat's addition: with `before`, the id of the oldest message
        /// already shown, so that messages posted at that very time but
        /// before it are still included.
        before_id: Option<i64>,
    },
    /// `set_email`: the visitor's email address.
    SetEmail {
        /// The address as typed.
        email: String,
    },
}

/// Why a frame is not a command. The socket stays open either way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The text is not JSON.
    #[error("the frame is not JSON")]
    NotJson,
    /// The JSON is not an object with a string `type`.
    #[error("the frame is not an object with a \"type\"")]
    NoType,
    /// The `type` names no command.
    #[error("unknown command type \"{0}\"")]
    UnknownType(String),
    /// A required field is absent (or null).
    #[error("{command} needs the field \"{field}\"")]
    MissingField {
        /// The command's `type`.
        command: &'static str,
        /// The missing field.
        field: &'static str,
    },
    /// A field has the wrong kind of value.
    #[error("the field \"{field}\" of {command} must be {expected}")]
    InvalidField {
        /// The command's `type`.
        command: &'static str,
        /// The offending field.
        field: &'static str,
        /// What it should hold.
        expected: &'static str,
    },
    /// A binary frame; every command is text.
    #[error("binary frames are not accepted; send JSON as text")]
    Binary,
}

impl FrameError {
    /// The machine-readable code of the `error` event.
    pub fn code(&self) -> &'static str {
        match self {
            FrameError::NotJson => "not_json",
            FrameError::NoType => "no_type",
            FrameError::UnknownType(_) => "unknown_type",
            FrameError::MissingField { .. } => "missing_field",
            FrameError::InvalidField { .. } => "invalid_field",
            FrameError::Binary => "binary_frame",
        }
    }
}

impl Command {
    /// Parses one text frame.
    pub fn parse(frame: &str) -> Result<Command, FrameError> {
        let value: Value = serde_json::from_str(frame).map_err(|_| FrameError::NotJson)?;
        let Value::Object(fields) = value else {
            return Err(FrameError::NoType);
        };
        let Some(Value::String(kind)) = fields.get("type") else {
            return Err(FrameError::NoType);
        };
        let fields = Fields {
            command: "",
            map: &fields,
        };
        match kind.as_str() {
            "start_chat" => {
                let fields = fields.of("start_chat");
                Ok(Command::StartChat {
                    chat_id: fields.optional_text("chat_id")?,
                    message: fields.optional_text("message")?,
                })
            }
            "send_msg" => Ok(Command::SendMessage {
                text: fields.of("send_msg").text("text")?,
            }),
            "ack_chat" => Ok(Command::AcknowledgeChat {
                msg_id: fields.of("ack_chat").integer("msg_id")?,
            }),
            "get_history" => {
                let fields = fields.of("get_history");
                Ok(Command::GetHistory {
                    before: fields.text("before")?,
                    before_id: fields.optional_integer("before_id")?,
                })
            }
            "set_email" => Ok(Command::SetEmail {
                email: fields.of("set_email").text("email")?,
            }),
            other => Err(FrameError::UnknownType(other.chars().take(64).collect())),
        }
    }

    /// The command's `type`, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Command::StartChat { .. } => "start_chat",
            Command::SendMessage { .. } => "send_msg",
            Command::AcknowledgeChat { .. } => "ack_chat",
            Command::GetHistory { .. } => "get_history",
            Command::SetEmail { .. } => "set_email",
        }
    }
}

/// The fields of one command, with the checks every command shares.
struct Fields<'a> {
    command: &'static str,
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    fn of(self, command: &'static str) -> Fields<'a> {
        Fields { command, ..self }
    }

    /// A field, where JSON `null` counts as absent.
    fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|value| !value.is_null())
    }

    fn missing(&self, field: &'static str) -> FrameError {
        FrameError::MissingField {
            command: self.command,
            field,
        }
    }

    fn invalid(&self, field: &'static str, expected: &'static str) -> FrameError {
        FrameError::InvalidField {
            command: self.command,
            field,
            expected,
        }
    }

    fn optional_text(&self, field: &'static str) -> Result<Option<String>, FrameError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(self.invalid(field, "a string")),
        }
    }

    fn text(&self, field: &'static str) -> Result<String, FrameError> {
        self.optional_text(field)?
            .ok_or_else(|| self.missing(field))
    }

    fn optional_integer(&self, field: &'static str) -> Result<Option<i64>, FrameError> {
        match self.get(field) {
            None => Ok(None),
            Some(value) => value
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.invalid(field, "a whole number")),
        }
    }

    fn integer(&self, field: &'static str) -> Result<i64, FrameError> {
        self.optional_integer(field)?
            .ok_or_else(|| self.missing(field))
    }
}

/// An event for the visitor, one per text frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A new chat was started; `chat_id` is its token, to resume it later.
    ChatStarted {
        /// The chat's web token.
        chat_id: String,
    },
    /// The chat `chat_id` names was resumed.
    ChatResumed {
        /// The chat's web token.
        chat_id: String,
        /// The visitor's email address, `""` when none was given.
        email: String,
    },
    /// A message for the visitor; it is sent again (on this socket's
    /// successor) until acknowledged with `ack_chat`.
    ChatOut {
        /// The message.
        msg_out: MessageOut,
    },
    /// A page of the chat's history, newest first.
    History {
        /// At most 25 entries.
        history: Vec<HistoryItem>,
        /// Seshat's addition: whether older entries remain.
        has_more: bool,
    },
    /// Seshat's addition: where the chat stands (`waiting`, `notified`,
    /// `open`, `closed`, `failed`, `canceled`), after a start or resume
    /// and whenever it changes.
    ChatStatus {
        /// As the long poll's `status`.
        status: &'static str,
    },
    /// Seshat's addition: a command was refused; nothing was done.
    Error {
        /// Machine-readable; the README's WebSocket section lists the codes.
        code: &'static str,
        /// For people.
        error: String,
    },
}

impl Event {
    /// The event as the text of a frame.
    pub fn to_json(&self) -> String {
        // Serialising these plain structures cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Who produced a [`MessageOut`] (Chip's `origin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Typed by a staff member (`user` says who).
    Chat,
    /// Written by Seshat itself ("Your chat has started.", ...).
    System,
}

/// The staff member who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Their display name (see [`super::StaffNames`]).
    pub name: String,
    /// Their JID, which is an address of the same form.
    pub email: String,
}

/// A message to the visitor (`msg_out`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageOut {
    /// Increasing in the order messages were queued; what `ack_chat` takes.
    pub id: i64,
    /// The text exactly as written: render it as text, never as HTML.
    pub text: String,
    /// Who produced it.
    pub origin: Origin,
    /// The staff member, for [`Origin::Chat`] only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// When it was queued, RFC 3339 in UTC with up to nine fraction digits.
    pub time: String,
}

/// A message from the visitor, as history shows it (`msg_in`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageIn {
    /// Id in the staff-bound queue (a sequence of its own).
    pub id: i64,
    /// The text.
    pub text: String,
    /// When it was sent, as [`MessageOut::time`].
    pub time: String,
}

/// One history entry: `{"msg_in": {...}}` or `{"msg_out": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryItem {
    /// Written by the visitor.
    MsgIn(MessageIn),
    /// Written by staff or Seshat.
    MsgOut(MessageOut),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn commands_are_parsed_field_for_field() {
        assert_eq!(
            Command::parse(r#"{"type":"start_chat"}"#),
            Ok(Command::StartChat {
                chat_id: None,
                message: None
            })
        );
        assert_eq!(
            Command::parse(r#"{"type":"start_chat","chat_id":"abc","extra":1}"#),
            Ok(Command::StartChat {
                chat_id: Some("abc".to_owned()),
                message: None
            })
        );
        assert_eq!(
            Command::parse(r#"{"type":"send_msg","text":"hi"}"#),
            Ok(Command::SendMessage {
                text: "hi".to_owned()
            })
        );
        assert_eq!(
            Command::parse(r#"{"type":"ack_chat","msg_id":34634}"#),
            Ok(Command::AcknowledgeChat { msg_id: 34634 })
        );
        assert_eq!(
            Command::parse(r#"{"type":"get_history","before":"2024-05-01T17:15:30Z"}"#),
            Ok(Command::GetHistory {
                before: "2024-05-01T17:15:30Z".to_owned(),
                before_id: None
            })
        );
        assert_eq!(
            Command::parse(r#"{"type":"set_email","email":"a@b.c"}"#),
            Ok(Command::SetEmail {
                email: "a@b.c".to_owned()
            })
        );
    }

    #[test]
    fn bad_frames_say_what_is_wrong() {
        assert_eq!(Command::parse("hello"), Err(FrameError::NotJson));
        assert_eq!(Command::parse("[1,2]"), Err(FrameError::NoType));
        assert_eq!(Command::parse(r#"{"type":7}"#), Err(FrameError::NoType));
        assert_eq!(
            Command::parse(r#"{"type":"dance"}"#),
            Err(FrameError::UnknownType("dance".to_owned()))
        );
        assert_eq!(
            Command::parse(r#"{"type":"send_msg","text":null}"#),
            Err(FrameError::MissingField {
                command: "send_msg",
                field: "text"
            })
        );
        assert_eq!(
            Command::parse(r#"{"type":"ack_chat","msg_id":"7"}"#),
            Err(FrameError::InvalidField {
                command: "ack_chat",
                field: "msg_id",
                expected: "a whole number"
            })
        );
        assert_eq!(
            Command::parse(r#"{"type":"ack_chat","msg_id":1.5}"#)
                .unwrap_err()
                .code(),
            "invalid_field"
        );
    }

    #[test]
    fn events_have_chips_shape() {
        let message = MessageOut {
            id: 34634,
            text: "Hi".to_owned(),
            origin: Origin::Chat,
            user: Some(User {
                name: "Joe".to_owned(),
                email: "joe@example.com".to_owned(),
            }),
            time: "2024-05-01T17:15:30.123456Z".to_owned(),
        };
        let chat_out: Value = serde_json::from_str(
            &Event::ChatOut {
                msg_out: message.clone(),
            }
            .to_json(),
        )
        .unwrap();
        assert_eq!(
            chat_out,
            json!({"type": "chat_out", "msg_out": {"id": 34634, "text": "Hi", "origin": "chat",
                   "user": {"name": "Joe", "email": "joe@example.com"},
                   "time": "2024-05-01T17:15:30.123456Z"}})
        );
        let notice = MessageOut {
            origin: Origin::System,
            user: None,
            ..message.clone()
        };
        let history: Value = serde_json::from_str(
            &Event::History {
                history: vec![
                    HistoryItem::MsgOut(notice),
                    HistoryItem::MsgIn(MessageIn {
                        id: 3,
                        text: "Hello".to_owned(),
                        time: "2024-05-01T17:15:29Z".to_owned(),
                    }),
                ],
                has_more: false,
            }
            .to_json(),
        )
        .unwrap();
        assert_eq!(
            history,
            json!({"type": "history", "has_more": false, "history": [
                {"msg_out": {"id": 34634, "text": "Hi", "origin": "system",
                             "time": "2024-05-01T17:15:30.123456Z"}},
                {"msg_in": {"id": 3, "text": "Hello", "time": "2024-05-01T17:15:29Z"}}]})
        );
        assert_eq!(
            Event::ChatResumed {
                chat_id: "x".to_owned(),
                email: String::new()
            }
            .to_json(),
            r#"{"type":"chat_resumed","chat_id":"x","email":""}"#
        );
    }

    proptest::proptest! {
        #[test]
        fn any_frame_is_a_command_or_a_refusal_without_a_panic(frame in "(?s).{0,200}") {
            if let Err(error) = Command::parse(&frame) {
                proptest::prop_assert!(!error.code().is_empty());
            }
        }

        #[test]
        fn texts_and_whole_numbers_are_read_back_exactly(text in "(?s).{0,100}", id in proptest::num::i64::ANY) {
            let send = json!({"type": "send_msg", "text": text, "unknown": id}).to_string();
            proptest::prop_assert_eq!(Command::parse(&send), Ok(Command::SendMessage { text: text.clone() }));
            let ack = json!({"type": "ack_chat", "msg_id": id}).to_string();
            proptest::prop_assert_eq!(Command::parse(&ack), Ok(Command::AcknowledgeChat { msg_id: id }));
            let email = json!({"type": "set_email", "email": text}).to_string();
            proptest::prop_assert_eq!(Command::parse(&email), Ok(Command::SetEmail { email: text }));
        }

        #[test]
        fn numbers_beyond_i64_are_invalid_fields(beyond in (i64::MAX as u64 + 1)..=u64::MAX) {
            let ack = format!(r#"{{"type":"ack_chat","msg_id":{beyond}}}"#);
            proptest::prop_assert_eq!(Command::parse(&ack).map_err(|error| error.code()), Err("invalid_field"));
        }
    }
}
