//! One socket's side of a chat: which chat it speaks for, what it has
//! pushed so far, and what each command does to the store. Nothing here
//! touches the socket; the session passes frames in and events out.

use seshat_client::clock::{from_rfc3339, to_rfc3339};
use seshat_client::{Author, ChatStatus, ChatToken, HistoryEntry, VisitorMessage};

use super::protocol::{Command, Event, HistoryItem, MessageIn, MessageOut, Origin, User};
use super::Shared;
use crate::client_address::ClientAddress;
use crate::error::WebError;
use crate::visitor::{choose_name, choose_start_message, VisitorName};

/// Most entries in one `history` event (Chip's page size).
pub const HISTORY_PAGE: usize = 25;

/// What the upgrade request told about the visitor, used when a new chat
/// is started on the socket.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// The key of the rate limits, shared with the HTTP routes.
    pub address: ClientAddress,
    /// The name the application gave (a logged-in user), if any.
    pub name: Option<VisitorName>,
    /// The page of this site that opened the socket, quoted to staff when
    /// the visitor gives no first line (another site's page is not).
    pub referer: Option<String>,
}

/// Why a command was refused. The socket stays open; the visitor gets an
/// `error` event and nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Every command but `start_chat` needs a chat.
    #[error("start a chat first (start_chat)")]
    NotStarted,
    /// A second `start_chat` on one socket.
    #[error("this socket already has a chat")]
    AlreadyStarted,
    /// `before` is not an RFC 3339 time.
    #[error("before must be an RFC 3339 time such as 2024-05-01T17:15:30Z")]
    BadTime,
    /// `set_email` with something that is not an email address.
    #[error("that is not a valid email address")]
    InvalidEmail,
    /// Refused as the HTTP routes would refuse it (blank or overlong
    /// text, rate limit, unknown chat, database failure).
    #[error(transparent)]
    Web(#[from] WebError),
}

impl Refusal {
    /// The `error` event telling the visitor about it.
    pub fn to_event(&self) -> Event {
        if let Refusal::Web(WebError::Store(error) | WebError::Unavailable(error)) = self {
            tracing::error!(%error, "a WebSocket command failed");
        }
        Event::Error {
            code: match self {
                Refusal::NotStarted => "not_started",
                Refusal::AlreadyStarted => "already_started",
                Refusal::BadTime => "invalid_field",
                Refusal::InvalidEmail => "invalid_email",
                Refusal::Web(WebError::NoSuchChat) => "no_such_chat",
                Refusal::Web(WebError::BadRequest(_)) => "invalid_text",
                Refusal::Web(WebError::TooLarge(_)) => "too_large",
                Refusal::Web(WebError::RateLimited { .. }) => "rate_limited",
                Refusal::Web(_) => "internal",
            },
            error: self.to_string(),
        }
    }
}

impl From<seshat_client::Error> for Refusal {
    fn from(error: seshat_client::Error) -> Self {
        Refusal::Web(WebError::from(error))
    }
}

/// The chat a socket speaks for, once started.
#[derive(Debug)]
struct Joined {
    token: ChatToken,
    /// The chat's numeric id, learnt from its first look at the store.
    chat_id: Option<i64>,
    /// The highest message id pushed on this socket. Later pushes send
    /// only newer messages; a new socket starts again from nothing, so
    /// that whatever is unacknowledged is sent again.
    pushed_up_to: i64,
    /// The status last reported, so that only changes are reported.
    reported_status: Option<ChatStatus>,
}

/// One socket's conversation. See the module docs.
pub struct Conversation {
    shared: Shared,
    visitor: Visitor,
    chat: Option<Joined>,
}

impl Conversation {
    /// A socket that has no chat yet.
    pub fn new(shared: Shared, visitor: Visitor) -> Self {
        Conversation {
            shared,
            visitor,
            chat: None,
        }
    }

    /// The numeric id of the socket's chat, once its first look at the
    /// store has told it: what the socket's wake-ups are keyed on.
    pub fn chat_id(&self) -> Option<i64> {
        self.chat.as_ref().and_then(|chat| chat.chat_id)
    }

    /// Carries out one command; returns the events to send, in order.
    pub async fn apply(&mut self, command: Command) -> Result<Vec<Event>, Refusal> {
        match command {
            Command::StartChat { chat_id, message } => self.start(chat_id, message).await,
            Command::SendMessage { text } => {
                let token = self.token()?;
                self.shared.app.allow_write(self.visitor.address)?;
                // The store queues any notice ("will be delivered when the
                // chat begins", "already closed") for the visitor; it
                // arrives as a push like any other message.
                self.shared.app.client.send(&token, &text).await?;
                Ok(Vec::new())
            }
            Command::AcknowledgeChat { msg_id } => {
                self.acknowledge(msg_id).await?;
                Ok(Vec::new())
            }
            Command::GetHistory { before, before_id } => {
                Ok(vec![self.history(&before, before_id).await?])
            }
            Command::SetEmail { email } => {
                let token = self.token()?;
                self.shared.app.allow_write(self.visitor.address)?;
                let stored = self
                    .shared
                    .app
                    .client
                    .run(move |store| store.set_email(&token, &email))
                    .await;
                match stored {
                    Err(seshat_client::Error::InvalidEmail) => Err(Refusal::InvalidEmail),
                    other => Ok(other.map(|()| Vec::new())?),
                }
            }
        }
    }

    /// The web side's metrics, which count this socket while it is open.
    pub fn metrics(&self) -> &crate::metrics::WebMetrics {
        &self.shared.app.metrics
    }

    /// Messages not yet pushed on this socket, then the status if it
    /// changed. Called after a start and after every change to the store.
    pub async fn pending_events(&mut self) -> Result<Vec<Event>, Refusal> {
        let Some(chat) = self.chat.as_mut() else {
            return Ok(Vec::new());
        };
        let token = chat.token.clone();
        let after = chat.pushed_up_to;
        // Status and messages from one snapshot: every status change
        // queues its notice in the same transaction, so the status never
        // runs ahead of the messages sent with it.
        let inbox = self
            .shared
            .app
            .client
            .run(move |store| store.inbox(&token, Some(after)))
            .await?;
        chat.chat_id = Some(inbox.chat_id);
        let status = inbox.status;
        let mut events = Vec::new();
        for message in inbox.messages {
            if message.id > chat.pushed_up_to {
                self.shared.app.metrics.delivered([&message]);
                chat.pushed_up_to = message.id;
                events.push(Event::ChatOut {
                    msg_out: message_out(message, &self.shared),
                });
            }
        }
        if chat.reported_status != Some(status) {
            chat.reported_status = Some(status);
            events.push(Event::ChatStatus {
                status: status.as_str(),
            });
        }
        Ok(events)
    }

    /// `start_chat`: resumes the chat a known token names; starts a new
    /// one when there is no token or it names no chat (as Chip does).
    async fn start(
        &mut self,
        chat_id: Option<String>,
        message: Option<String>,
    ) -> Result<Vec<Event>, Refusal> {
        if self.chat.is_some() {
            return Err(Refusal::AlreadyStarted);
        }
        let client = &self.shared.app.client;
        let resumed = match chat_id {
            None => None,
            Some(text) => {
                let token: ChatToken = text.parse()?;
                let lookup = token.clone();
                match client.run(move |store| store.chat_by_token(&lookup)).await {
                    Ok(chat) => Some((token, chat.email.unwrap_or_default())),
                    Err(seshat_client::Error::NoSuchChat) => None,
                    Err(error) => return Err(error.into()),
                }
            }
        };
        let first_event = match resumed {
            Some((token, email)) => {
                self.join(token.clone());
                Event::ChatResumed {
                    chat_id: token.to_string(),
                    email,
                }
            }
            None => {
                self.shared.app.allow_start(self.visitor.address)?;
                let name = choose_name(self.visitor.name.as_ref(), None);
                let start_message =
                    choose_start_message(message.as_deref(), self.visitor.referer.as_deref());
                let chat = client.start_chat(&name, start_message.as_deref()).await?;
                self.join(chat.token.clone());
                Event::ChatStarted {
                    chat_id: chat.token.to_string(),
                }
            }
        };
        let mut events = vec![first_event];
        events.extend(self.pending_events().await?);
        Ok(events)
    }

    fn join(&mut self, token: ChatToken) {
        self.chat = Some(Joined {
            token,
            chat_id: None,
            pushed_up_to: 0,
            reported_status: None,
        });
    }

    fn token(&self) -> Result<ChatToken, Refusal> {
        self.chat
            .as_ref()
            .map(|chat| chat.token.clone())
            .ok_or(Refusal::NotStarted)
    }

    /// `ack_chat`: marks messages up to `msg_id` delivered. Only messages
    /// this socket has pushed can be acknowledged on it, so that a wrong
    /// or guessed id cannot mark unseen messages as seen.
    async fn acknowledge(&mut self, msg_id: i64) -> Result<(), Refusal> {
        let token = self.token()?;
        let pushed_up_to = self.chat.as_ref().map_or(0, |chat| chat.pushed_up_to);
        let up_to = msg_id.min(pushed_up_to);
        if up_to > 0 {
            self.shared
                .app
                .client
                .run(move |store| store.acknowledge(&token, up_to))
                .await?;
        }
        Ok(())
    }

    /// `get_history`: up to [`HISTORY_PAGE`] entries before the cursor,
    /// newest first, and whether there are more.
    async fn history(&mut self, before: &str, before_id: Option<i64>) -> Result<Event, Refusal> {
        let token = self.token()?;
        let time = from_rfc3339(before).ok_or(Refusal::BadTime)?;
        // Without an id, everything at `before` itself is excluded, as in
        // Chip; with one, entries at that time but with smaller ids stay.
        let cursor = (time, before_id.unwrap_or(i64::MIN));
        let mut entries = self
            .shared
            .app
            .client
            .run(move |store| store.history(&token, Some(cursor), HISTORY_PAGE + 1))
            .await?;
        let has_more = entries.len() > HISTORY_PAGE;
        entries.truncate(HISTORY_PAGE);
        let history = entries
            .into_iter()
            .map(|entry| match entry {
                HistoryEntry::FromVisitor {
                    id,
                    text,
                    posted_at,
                } => HistoryItem::MsgIn(MessageIn {
                    id,
                    text,
                    time: to_rfc3339(posted_at),
                }),
                HistoryEntry::ToVisitor(message) => {
                    HistoryItem::MsgOut(message_out(message, &self.shared))
                }
            })
            .collect();
        Ok(Event::History { history, has_more })
    }
}

/// A stored message as `msg_out`: staff text with its writer, or a notice.
fn message_out(message: VisitorMessage, shared: &Shared) -> MessageOut {
    let (origin, user) = match message.author {
        Author::Staff(jid) => (
            Origin::Chat,
            Some(User {
                name: shared.app.options.staff_names.display_name(&jid),
                email: jid,
            }),
        ),
        Author::Seshat => (Origin::System, None),
    };
    MessageOut {
        id: message.id,
        text: message.text,
        origin,
        user,
        time: to_rfc3339(message.posted_at),
    }
}
