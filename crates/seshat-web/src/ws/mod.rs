//! The push transport: Chip's WebSocket protocol over Seshat's chats,
//! beside the long-poll routes, on the same chats, daemon and staff.
//!
//! # Layout
//!
//! - [`Sockets`] (here): the route an application mounts and the handle
//!   that closes every socket at shutdown.
//! - `upgrade`: the `GET` handler that checks the request and upgrades.
//! - `session`: one socket's loop: frames in, events out, pushes on every
//!   store change, pings, frame size limit, clean close.
//! - `conversation`: one socket's side of a chat and what each command
//!   does to the store; knows nothing of sockets.
//! - [`protocol`]: the JSON commands and events.
//! - `lifecycle`: which sockets are open; the shutdown signal.
//! - [`options`]: [`SocketOptions`]; [`StaffNames`] names staff for visitors.
//!
//! # The protocol
//!
//! Mount [`Sockets::route`] at a path (the example app uses `/wc/connect`,
//! Chip's path without the channel). A `GET` there upgrades to a
//! WebSocket; a request from another site's page is refused with 403, as
//! the HTTP routes refuse their POSTs. Each frame is one JSON object,
//! text only. Commands:
//!
//! | `type` | fields | effect |
//! |---|---|---|
//! | `start_chat` | `chat_id` (optional), `message` (optional, Seshat's) | with the token of a chat: resume it, answer `chat_resumed`; with none, or a well-formed token that names no chat: start one (visitor name from [`crate::VisitorName`] or `Anonymous`; start message `message`, else `Coming from page <Referer>`), answer `chat_started` |
//! | `send_msg` | `text` | the visitor's line for staff (same checks and rate limit as `POST /sendmessage`) |
//! | `ack_chat` | `msg_id` | every message up to `msg_id` that this socket pushed is delivered |
//! | `get_history` | `before` (RFC 3339), `before_id` (optional, Seshat's) | answer `history` |
//! | `set_email` | `email` | store the visitor's address with the chat (staff see it in the offer and in `!STATUS`) |
//!
//! Events: `chat_started {chat_id}`, `chat_resumed {chat_id, email}`
//! (`email` is `""` when none was given), `chat_out {msg_out: {id, text,
//! origin, user, time}}`, `history {history: [{msg_in: {id, text, time}} |
//! {msg_out: ...}], has_more}`, and Seshat's additions `chat_status
//! {status}` and `error {code, error}`. The `chat_id` is the chat's web
//! token, the same one the long-poll routes take. `origin` is `chat` for
//! text typed by staff, with `user: {name, email}` (the name from
//! [`StaffNames`], else the JID's local part; the JID as `email`), and
//! `system` for Seshat's own notices ("Your chat has started."), without
//! `user`. Times are RFC 3339 in UTC with up to nine fraction digits.
//!
//! Every command but `start_chat` needs a started chat; a second
//! `start_chat` on one socket changes nothing.
//!
//! ## Refused commands answer an `error` event
//!
//! Chip ignores bad frames silently, which leaves a visitor unable to tell
//! a refused command from a slow one. Here every refused frame is answered
//! with `{"type": "error", "code": ..., "error": ...}` and changes nothing;
//! the socket stays open. Codes: `not_json`, `no_type`, `unknown_type`,
//! `missing_field`, `invalid_field`, `binary_frame` (malformed frames);
//! `not_started`, `already_started`, `no_such_chat` (a malformed
//! `chat_id`); `invalid_email` (`set_email` with something that is not an
//! address: one `@` with text on both sides, a dot in the domain, no
//! spaces, at most 254 bytes); `invalid_text`, `too_large`, `rate_limited`
//! (as the HTTP routes' 400, 413, 429); `internal`. A client written for
//! Chip ignores the event type it does not know.
//!
//! Frames over [`SocketOptions::max_frame_bytes`] close that socket with
//! code 1009. The default is 16 KiB, not Chip's 4096 bytes, so that the
//! longest line the store takes (4096 bytes of UTF-8) still fits once
//! JSON-escaped; the reader stops at the frame's header, so a huge frame
//! is never buffered. The server pings every 30 s and drops a
//! socket it has heard nothing from for 60 s, and a write that takes
//! over 15 s. [`Sockets::close_all`] closes every socket with 1000.
//!
//! ## Delivery
//!
//! A staff reply is pushed as soon as it is committed: each session waits
//! on the store's change signal, which fires within about a millisecond of
//! a commit by any process, and then reads its chat's undelivered
//! messages (no timer). Unlike Chip, which keeps one message in flight, a
//! session sends every undelivered message at once, in id order, and each
//! stays undelivered until `ack_chat` names it or a later id. After a
//! reconnect, `start_chat` with the same `chat_id` sends everything still
//! unacknowledged again, in order; a client drops ids it has shown.
//!
//! ## History order and paging
//!
//! `history` lists at most 25 entries posted strictly before the cursor,
//! **newest first** (Chip's order), both directions mixed. Chip's cursor
//! is the time alone, which can skip a message that shares its time with
//! the page's last one; here, pass the oldest entry's `time` as `before`
//! and its `id` as `before_id`, and keep paging while `has_more` is true.
//! Times carry enough digits to name the stored time exactly. (Visitor
//! and staff-side ids are separate sequences: two entries, one each way,
//! with the very same time and id would still collide, which needs two
//! commits in the same quarter microsecond.)
//!
//! ## Both transports on one chat
//!
//! There is one delivery mark per message, `sendtime` in the store. The
//! socket sets it on `ack_chat`. The long poll sets it when it answers
//! (`recvmessage` without `after`: handed out once) or when the next poll
//! acknowledges it (`after=ID`, what the widget does). Whichever transport
//! marks a message first, the other no longer sends it; until then both
//! may, and a client drops ids it has shown. So a message is never lost
//! between the two: it stays undelivered until a transport has had it
//! acknowledged (or, for `recvmessage` without `after`, answered), and
//! every message, delivered or not, stays in `get_history`.

mod conversation;
mod lifecycle;
pub mod options;
pub mod protocol;
mod session;
mod upgrade;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use axum::routing::{get, MethodRouter};
use seshat_client::Client;

use crate::options::Options;
use crate::state::AppState;

pub use options::SocketOptions;
pub use seshat_client::staff_names::{StaffNames, StaffNamesError};

/// What every socket shares; cloning is cheap.
#[derive(Clone)]
pub(crate) struct Shared {
    /// The client, the routes' options and their rate limits. The socket
    /// has limits of its own, the same size as the HTTP routes'.
    app: Arc<AppState>,
    /// The socket's own settings.
    options: Arc<SocketOptions>,
    /// Open sockets and the shutdown signal.
    lifecycle: Arc<lifecycle::Lifecycle>,
}

impl FromRef<Shared> for Arc<AppState> {
    fn from_ref(shared: &Shared) -> Self {
        Arc::clone(&shared.app)
    }
}

/// The WebSocket transport: a route to mount, and the handle that closes
/// its sockets when the application stops. Cloning is cheap.
///
/// ```no_run
/// use std::net::SocketAddr;
/// use std::time::Duration;
/// use axum::Router;
/// use seshat_web::ws::{SocketOptions, Sockets};
///
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client = seshat_client::Client::open("/var/lib/seshat/seshat.db")?;
/// let sockets = Sockets::new(client.clone(), seshat_web::Options::default(), SocketOptions::default());
/// let app = Router::new()
///     .nest("/chat", seshat_web::router(client))
///     .route("/wc/connect", sockets.route());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
///     .with_graceful_shutdown(async move {
///         let _ = tokio::signal::ctrl_c().await;
///         // The HTTP server does not close upgraded sockets itself.
///         sockets.close_all(Duration::from_secs(5)).await;
///     })
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Sockets {
    shared: Shared,
}

impl Sockets {
    /// Sockets over `client`. `options` are the routes' (rate limits and
    /// the proxy header apply to sockets too); `socket_options` are the
    /// socket's own.
    pub fn new(client: Client, options: Options, socket_options: SocketOptions) -> Sockets {
        Sockets {
            shared: Shared {
                app: Arc::new(AppState::new(client, options)),
                options: Arc::new(socket_options),
                lifecycle: lifecycle::Lifecycle::new(),
            },
        }
    }

    /// The `GET` route that upgrades; mount it with
    /// `Router::route("/wc/connect", sockets.route())`.
    pub fn route<S: Clone + Send + Sync + 'static>(&self) -> MethodRouter<S> {
        get(upgrade::connect).with_state(self.shared.clone())
    }

    /// How many sockets are open.
    pub fn open_count(&self) -> usize {
        self.shared.lifecycle.open_count()
    }

    /// Closes every socket with code 1000 and refuses new ones, then waits
    /// up to `grace` for the sessions to end. Returns how many were still
    /// open when the wait ended (0 when all closed cleanly). Call it when
    /// the application shuts down, before the HTTP server stops.
    pub async fn close_all(&self, grace: Duration) -> usize {
        self.shared.lifecycle.close_all(grace).await
    }
}
