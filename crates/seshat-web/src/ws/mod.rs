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
//! - [`options`]: [`SocketOptions`]. [`StaffNames`], the names visitors
//!   see for staff, are the routes' [`crate::Options::staff_names`].
//!
//! # The protocol
//!
//! Mount [`Sockets::route`] at a path (the example app uses `/wc/connect`,
//! Chip's path without the channel). The commands, events, error codes,
//! limits, delivery and history rules, and how the socket and the long
//! poll share a chat, are described once, in the README's section
//! "WebSocket transport (Chip's protocol)" at the top of the repository;
//! keep them there. [`protocol`] holds the frames as types.
//!
//! What the README leaves out, because only this code needs it:
//!
//! - The reader stops at a frame's header, so an oversized frame is
//!   never buffered before the socket is closed with 1009; serve with
//!   [`crate::listener::for_chat`] so that the visitor, still sending the
//!   rest of it, receives that close frame instead of a reset.
//! - The history cursor is `(time, id)`. Visitor and staff-side ids are
//!   separate sequences, so two entries, one each way, with the very same
//!   time and id would still collide; that needs two commits in the same
//!   quarter microsecond.

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

use crate::state::AppState;

pub use options::SocketOptions;
pub use seshat_client::staff_names::{StaffNames, StaffNamesError};

/// What every socket shares; cloning is cheap.
#[derive(Clone)]
pub(crate) struct Shared {
    /// The client, the routes' options and the rate limits, the very
    /// state the HTTP routes of the same [`crate::WebChat`] use.
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
/// its sockets when the application stops. Made by
/// [`crate::WebChat::sockets`], beside the HTTP routes it shares its
/// state with. Cloning is cheap.
///
/// ```no_run
/// use std::net::SocketAddr;
/// use std::time::Duration;
/// use axum::Router;
/// use seshat_web::ws::SocketOptions;
///
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client = seshat_client::Client::open("/var/lib/seshat/seshat.db")?;
/// let chat = seshat_web::WebChat::new(client, seshat_web::Options::default());
/// let sockets = chat.sockets(SocketOptions::default());
/// let app = Router::new()
///     .nest("/chat", chat.router())
///     .route("/wc/connect", sockets.route());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// let listener = seshat_web::listener::for_chat(listener);
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
    /// Sockets over the routes' `app` state (client, options, rate
    /// limits); `socket_options` are the socket's own.
    pub(crate) fn over(app: Arc<AppState>, socket_options: SocketOptions) -> Sockets {
        Sockets {
            shared: Shared {
                app,
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
