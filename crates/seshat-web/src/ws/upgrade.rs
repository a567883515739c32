//! `GET` on the socket's path: checks the request, then hands the
//! upgraded connection to a session.

use std::sync::Arc;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::conversation::{Conversation, Visitor};
use super::{session, Shared};
use crate::client_address::ClientAddress;
use crate::error::WebError;
use crate::origin::{comes_from_same_origin, own_referer};
use crate::visitor::VisitorName;

/// Upgrades to a WebSocket speaking the chat protocol.
pub async fn connect(
    State(shared): State<Shared>,
    address: ClientAddress,
    visitor_name: Option<Extension<VisitorName>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    // Browsers let any page open a socket to any site; only the site's
    // own pages may talk to its chats, as with the HTTP routes.
    if !comes_from_same_origin(&headers) {
        return WebError::CrossOrigin.into_response();
    }
    let Some(open) = shared.lifecycle.admit() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is shutting down",
        )
            .into_response();
    };
    let visitor = Visitor {
        address,
        name: visitor_name.map(|Extension(name)| name),
        referer: own_referer(&headers).map(str::to_owned),
    };
    let options = Arc::clone(&shared.options);
    let wakeups = shared.app.client.store().wakeups().clone();
    let conversation = Conversation::new(shared, visitor);
    upgrade
        .max_frame_size(options.max_frame_bytes)
        .max_message_size(options.max_frame_bytes)
        .on_upgrade(move |socket| session::run(socket, conversation, open, options, wakeups))
}
