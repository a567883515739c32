//! Seshat's web side: the HTTP routes behind the chat widget, as an axum
//! [`Router`] a web application nests in one line.
//!
//! ```text
//! Visitor's browser <-> these routes <-> seshat-client (shared SQLite) <-> seshatd <-> staff
//! ```
//!
//! # Layout
//!
//! - `routes`: the handlers of the HTTP contract (`/`, `/start`,
//!   `/recvmessage/{token}`, `/sendmessage/{token}`, `/end/{token}`,
//!   `/available`) and the router that holds them.
//! - [`responses`]: the JSON body of each answer.
//! - [`error`]: [`WebError`], every failure and the status it is answered with.
//! - `origin`: refuses state-changing requests sent from other sites.
//! - `rate_limit`: the token buckets behind the 429 answers.
//! - `client_address`: the visitor's address, the key of the start limit.
//! - [`visitor`]: the visitor's name and the start message staff see.
//! - `page`: the stand-alone chat page of `GET /chat`.
//! - [`options`]: [`Options`], what an application may tune.
//! - `state`: what the handlers share.
//! - [`ws`]: the push transport, Chip's WebSocket protocol on the same
//!   chats (see its docs for the protocol).
//!
//! # The HTTP contract
//!
//! Paths are relative to where the router is nested (`/chat` below). Every
//! answer is JSON except the page, and carries `Cache-Control: no-store`.
//! A `{token}` is the 24-character web token from `POST /chat/start`.
//!
//! | request | answer |
//! |---|---|
//! | `GET /chat` | an HTML page with the widget attached to a newly started chat (name from [`VisitorName`] or `Anonymous`; start message `Coming from page <Referer>`) |
//! | `POST /chat/start`, form fields `name`, `message` (both optional) | `{"token": "...", "chatid": 42}` |
//! | `GET /chat/recvmessage/{token}?wait=S&after=ID` | `{"messages": [{"id", "text", "time" (RFC 3339), "from" ("staff" or "seshat")}], "status": "waiting" \| "notified" \| "open" \| "closed" \| "failed" \| "canceled"}` |
//! | `POST /chat/sendmessage/{token}`, form field `text` | `{"sent": true}`, or `false` when the chat is over |
//! | `POST /chat/end/{token}` | `{"ended": true}`, or `false` when it was already over |
//! | `GET /chat/available` | `{"available": true}` when a staff member is online and free |
//!
//! `recvmessage` returns every pending message at once. With `wait`
//! (seconds, capped at [`MAX_WAIT`]) it waits until a message arrives.
//! Without `after`, returned messages are consumed; with `after=ID` (the
//! last id the caller has shown, 0 at first) messages up to ID are
//! acknowledged and later ones are returned until acknowledged, so an
//! answer lost on the network is sent again.
//!
//! Failures are `{"error": "..."}` with: 400 (blank text, a control
//! character, a malformed `wait`), 403 (a POST from another site, judged
//! by `Sec-Fetch-Site`, else `Origin` against `Host`), 404 (a token that
//! is malformed or names no chat), 413 (text over 4096 bytes, a name over
//! 100 characters, a body over [`Options::max_body_bytes`]), 415 (a POST
//! body that is not a form), 429 with `Retry-After` (more than
//! [`Options::rate_limit_per_minute`] starts per client address or sends
//! per chat), 500 (the database failed; details only in the log).
//!
//! # Example
//!
//! ```no_run
//! use std::net::SocketAddr;
//! use axum::Router;
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = seshat_client::Client::open("/var/lib/seshat/seshat.db")?;
//! let app = Router::new().nest("/chat", seshat_web::router(client));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! // Connection info gives the rate limit each visitor's address.
//! axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

mod client_address;
pub mod error;
pub mod listener;
pub mod options;
mod origin;
mod page;
mod rate_limit;
pub mod responses;
mod routes;
mod state;
pub mod visitor;
pub mod ws;

use axum::Router;
use seshat_client::Client;

pub use error::WebError;
pub use options::{Options, DEFAULT_MAX_BODY_BYTES, DEFAULT_RATE_LIMIT_PER_MINUTE};
pub use routes::MAX_WAIT;
pub use visitor::VisitorName;

/// The chat routes over `client`, with default [`Options`]. Nest them
/// where the chat should live: `app.nest("/chat", seshat_web::router(client))`
/// serves `/chat`, `/chat/start`, `/chat/recvmessage/{token}` and so on.
pub fn router(client: Client) -> Router {
    router_with(client, Options::default())
}

/// The chat routes over `client`, with the application's [`Options`].
pub fn router_with(client: Client, options: Options) -> Router {
    routes::build(client, options)
}
