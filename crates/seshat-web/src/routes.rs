//! The routes of the HTTP contract and their handlers. Each handler parses
//! its input, asks the store through the client, and answers with a type
//! of [`crate::responses`]; failures are [`WebError`]s.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::{NestedPathRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, NestedPath, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{middleware, Extension, Json, Router};
use serde::Deserialize;

use seshat_client::limits::check_email;
use seshat_client::{ChatToken, Inbox, Store, Topic};

use crate::client_address::ClientAddress;
use crate::error::WebError;
use crate::form::StrictForm;
use crate::origin::{own_referer, refuse_cross_origin};
use crate::page::chat_page;
use crate::responses::{Available, Ended, Received, Sent, Started};
use crate::state::AppState;
use crate::visitor::{choose_name, choose_start_message, VisitorName};

/// Longest a `recvmessage` request waits for a message, whatever `wait`
/// asks: below the idle timeouts of common proxies (60 s and up).
pub const MAX_WAIT: Duration = Duration::from_secs(30);

type Shared = State<Arc<AppState>>;

/// Assembles the routes over `state`.
pub fn build(state: Arc<AppState>) -> Router {
    let max_body_bytes = state.options.max_body_bytes;
    Router::new()
        .route("/", get(page))
        .route("/start", post(start))
        .route("/recvmessage/{token}", get(receive))
        .route("/sendmessage/{token}", post(send))
        .route("/end/{token}", post(end))
        .route("/available", get(available))
        .layer(middleware::from_fn(refuse_cross_origin))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(middleware::map_response(never_cache))
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            crate::metrics::count_requests,
        ))
        .with_state(state)
}

/// Every answer is about one moment of one chat: no cache may keep it,
/// and no browser may guess a type other than the one declared.
async fn never_cache(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `GET /`: the page with a chat box. It changes nothing: crawlers, link
/// previews, prefetches and other sites' `<img>` tags load it too, so the
/// chat starts only with the visitor's first line (`POST /start`).
async fn page(State(state): Shared, nested: Result<NestedPath, NestedPathRejection>) -> Response {
    let base = nested.as_ref().map(NestedPath::as_str).unwrap_or("");
    chat_page(&state.options, base)
}

/// The optional fields of `POST /start`.
#[derive(Debug, Deserialize)]
struct StartForm {
    name: Option<String>,
    message: Option<String>,
    /// The visitor's email address, shown to staff in the offer; checked
    /// as the socket's `set_email` checks it.
    email: Option<String>,
}

/// What the visitor typed before their first line.
struct Typed<'a> {
    name: Option<&'a str>,
    message: Option<&'a str>,
    email: Option<&'a str>,
}

/// `POST /start`: starts a chat; answers its token and number.
async fn start(
    State(state): Shared,
    address: ClientAddress,
    visitor: Option<Extension<VisitorName>>,
    headers: HeaderMap,
    form: Result<StrictForm<StartForm>, WebError>,
) -> Result<Json<Started>, WebError> {
    let StrictForm(form) = form?;
    let typed = Typed {
        name: form.name.as_deref(),
        message: form.message.as_deref(),
        email: form.email.as_deref(),
    };
    let chat = start_chat(&state, address, visitor.as_deref(), typed, &headers).await?;
    Ok(Json(Started {
        token: chat.token.to_string(),
        chatid: chat.id,
    }))
}

/// Starts a chat: the rate limit, the name, the start message and the
/// email address. An address that is not one is refused before anything
/// is counted or written; a blank one counts as none.
async fn start_chat(
    state: &AppState,
    address: ClientAddress,
    from_app: Option<&VisitorName>,
    typed: Typed<'_>,
    headers: &HeaderMap,
) -> Result<seshat_client::NewChat, WebError> {
    let email = match typed.email.map(str::trim).filter(|email| !email.is_empty()) {
        Some(email) => Some(check_email(email)?.to_owned()),
        None => None,
    };
    state.allow_start(address)?;
    let name = choose_name(from_app, typed.name);
    let message = choose_start_message(typed.message, own_referer(headers));
    // One transaction: the offer staff get already carries the address.
    let chat = state
        .client
        .run(move |store| store.start_chat_with_email(&name, message.as_deref(), email.as_deref()))
        .await?;
    Ok(chat)
}

/// The query of `GET /recvmessage/{token}`.
#[derive(Debug, Deserialize)]
struct ReceiveQuery {
    /// Seconds to wait for a message when none is pending.
    wait: Option<u64>,
    /// The last message id the caller has shown. When given, messages are
    /// kept until acknowledged this way, so an answer lost on the network
    /// is sent again; without it, messages are handed out once.
    after: Option<i64>,
}

/// `GET /recvmessage/{token}`: every pending message and the status,
/// waiting up to `wait` seconds for a message when none is pending.
async fn receive(
    State(state): Shared,
    token: Result<Path<String>, PathRejection>,
    query: Result<Query<ReceiveQuery>, QueryRejection>,
) -> Result<Json<Received>, WebError> {
    let token = parse_token(token)?;
    let Query(query) = query?;
    let wait = Duration::from_secs(query.wait.unwrap_or(0)).min(MAX_WAIT);
    let client = &state.client;
    let fetch = {
        let token = token.clone();
        move |store: &dyn Store| fetch_inbox(store, &token, query.after)
    };
    let inbox = client.run(fetch.clone()).await?;
    let inbox = if inbox.messages.is_empty() && !wait.is_zero() {
        let _waiting = state.metrics.long_poll();
        // Woken only by changes to this chat; when the wait runs out, the
        // last look is the answer (a status that changed just now comes
        // with its notice).
        let waited = client
            .wait_for(Topic::Chat(inbox.chat_id), wait, {
                let fetch = fetch.clone();
                move |store| {
                    let inbox = fetch(store)?;
                    Ok((!inbox.messages.is_empty()).then_some(inbox))
                }
            })
            .await?;
        match waited {
            Some(inbox) => inbox,
            None => client.run(fetch).await?,
        }
    } else {
        inbox
    };
    state.metrics.delivered(&inbox.messages);
    Ok(Json(Received::new(
        inbox.messages,
        inbox.status,
        &state.options.staff_names,
    )))
}

/// The pending messages and the status, from one snapshot: taken for good
/// without `after`, or kept until acknowledged with it. Writing only when
/// there is something to acknowledge keeps idle polls from taking the
/// write lock.
fn fetch_inbox(
    store: &dyn Store,
    token: &ChatToken,
    after: Option<i64>,
) -> seshat_client::Result<Inbox> {
    match after {
        None => store.take_inbox(token),
        Some(after) => {
            let inbox = store.inbox(token, Some(after))?;
            if inbox.unacknowledged > 0 {
                store.acknowledge(token, after)?;
            }
            Ok(inbox)
        }
    }
}

/// The form of `POST /sendmessage/{token}`.
#[derive(Debug, Deserialize)]
struct SendForm {
    #[serde(default)]
    text: String,
}

/// `POST /sendmessage/{token}`: passes the visitor's text to staff.
async fn send(
    State(state): Shared,
    address: ClientAddress,
    token: Result<Path<String>, PathRejection>,
    form: Result<StrictForm<SendForm>, WebError>,
) -> Result<Json<Sent>, WebError> {
    let token = parse_token(token)?;
    let StrictForm(form) = form?;
    state.allow_write(address)?;
    state.status_of(&token).await?;
    let outcome = state.client.send(&token, &form.text).await?;
    Ok(Json(Sent {
        sent: outcome.was_queued(),
    }))
}

/// `POST /end/{token}`: the visitor ends the chat.
async fn end(
    State(state): Shared,
    address: ClientAddress,
    token: Result<Path<String>, PathRejection>,
) -> Result<Json<Ended>, WebError> {
    let token = parse_token(token)?;
    state.allow_write(address)?;
    // A chat that is over stays over: ending it again needs no write.
    if state.status_of(&token).await?.is_over() {
        return Ok(Json(Ended { ended: false }));
    }
    let ended = state.client.end_chat(&token).await?;
    Ok(Json(Ended { ended }))
}

/// `GET /available`: whether a staff member is online and free, and
/// whether, with everyone online busy, a new chat would wait in line.
async fn available(State(state): Shared) -> Result<Json<Available>, WebError> {
    let on_duty = state.client.run(|store| store.staff_on_duty()).await?;
    let available = on_duty.iter().any(|(_, chat)| chat.is_none());
    let busy = !available && !on_duty.is_empty() && state.options.queue_when_busy;
    Ok(Json(Available { available, busy }))
}

/// A token from the path; anything malformed names no chat.
fn parse_token(path: Result<Path<String>, PathRejection>) -> Result<ChatToken, WebError> {
    let Path(text) = path.map_err(|_| WebError::NoSuchChat)?;
    Ok(text.parse()?)
}
