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
//! - `form`: form bodies read strictly (fields that are not UTF-8 are
//!   refused, not replaced).
//! - [`error`]: [`WebError`], every failure and the status it is answered with.
//! - `origin`: refuses state-changing requests sent from other sites, and
//!   quotes only this site's pages as the Referer.
//! - `rate_limit`: the token buckets behind the 429 answers.
//! - `client_address`: the visitor's address, the key of every limit.
//! - [`visitor`]: the visitor's name and the start message staff see.
//! - `page`: the stand-alone chat page of `GET /chat`, which starts nothing.
//! - [`options`]: [`Options`], what an application may tune.
//! - `state`: what the handlers of both transports share, the rate limits
//!   among it.
//! - [`WebChat`]: both transports over one shared state.
//! - [`ws`]: the push transport, Chip's WebSocket protocol on the same
//!   chats (see its docs for the protocol).
//!
//! # The HTTP contract
//!
//! Six routes, nested where the application chooses (`/chat` in the
//! examples): the chat page `GET /`, `POST /start`, `GET
//! /recvmessage/{token}`, `POST /sendmessage/{token}`, `POST
//! /end/{token}` and `GET /available`. What each takes and answers, and
//! every error status, is described once, in the README's section "The
//! HTTP contract" at the top of the repository; keep it there. In code,
//! the answers are the types of [`responses`], the failures [`WebError`],
//! the limits [`Options`] and [`MAX_WAIT`].
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
//! let listener = seshat_web::listener::for_chat(listener);
//! // Connection info gives the rate limit each visitor's address.
//! axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

mod client_address;
pub mod error;
mod form;
pub mod listener;
pub mod metrics;
pub mod options;
mod origin;
mod page;
mod rate_limit;
pub mod responses;
mod routes;
mod state;
pub mod visitor;
mod web_chat;
pub mod ws;

use axum::Router;
use seshat_client::Client;

pub use error::WebError;
pub use options::{Options, DEFAULT_MAX_BODY_BYTES, DEFAULT_RATE_LIMIT_PER_MINUTE};
pub use routes::MAX_WAIT;
pub use seshat_client::staff_names::{StaffNames, StaffNamesError};
pub use visitor::VisitorName;
pub use web_chat::WebChat;

/// The chat routes over `client`, with default [`Options`]. Nest them
/// where the chat should live: `app.nest("/chat", seshat_web::router(client))`
/// serves `/chat`, `/chat/start`, `/chat/recvmessage/{token}` and so on.
pub fn router(client: Client) -> Router {
    router_with(client, Options::default())
}

/// The chat routes over `client`, with the application's [`Options`], for
/// an application without the WebSocket (with it, use [`WebChat`]).
pub fn router_with(client: Client, options: Options) -> Router {
    WebChat::new(client, options).router()
}
