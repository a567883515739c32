//! What a request can fail with, and the HTTP status and JSON body each
//! failure is answered with.

use std::time::Duration;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::responses::ErrorBody;

/// A failed request, in the terms the HTTP contract uses.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The token is malformed or names no chat: 404.
    #[error("no such chat")]
    NoSuchChat,
    /// Blank text, a forbidden character, a malformed form or query: 400.
    #[error("{0}")]
    BadRequest(String),
    /// The text, name or whole body is larger than allowed: 413.
    #[error("{0}")]
    TooLarge(String),
    /// The body is not a form: 415.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A state-changing request sent by a page of another site: 403.
    #[error("requests from other sites are refused")]
    CrossOrigin,
    /// Too many starts or sends in a short time: 429 with `Retry-After`.
    #[error("too many requests; try again in {} s", retry_after_seconds(*.retry_after))]
    RateLimited {
        /// How long until the next request will be accepted.
        retry_after: Duration,
    },
    /// The store is out of reach for a moment (the database server is
    /// restarting, the SQLite file stayed locked): 503 with `Retry-After`,
    /// so that the widget tries again. The detail is logged.
    #[error("the chat is unavailable for a moment; try again")]
    Unavailable(#[source] seshat_client::Error),
    /// The store failed (disk, corruption...): 500. The detail is logged,
    /// not shown to the visitor.
    #[error("internal error")]
    Store(#[source] seshat_client::Error),
}

impl WebError {
    /// The HTTP status this failure is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NoSuchChat => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::CrossOrigin => StatusCode::FORBIDDEN,
            WebError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// `Retry-After` counts whole seconds; rounding up never invites a retry
/// that would be refused again.
fn retry_after_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

impl From<seshat_client::Error> for WebError {
    fn from(error: seshat_client::Error) -> Self {
        use seshat_client::Error as E;
        match error {
            E::NoSuchChat | E::NoSuchChatId(_) => WebError::NoSuchChat,
            E::EmptyMessage
            | E::EmptyName
            | E::ForbiddenCharacter(_)
            | E::InvalidUtf8
            | E::InvalidEmail => WebError::BadRequest(error.to_string()),
            E::MessageTooLong { .. } | E::NameTooLong { .. } => {
                WebError::TooLarge(error.to_string())
            }
            other if other.is_busy() => WebError::Unavailable(other),
            other => WebError::Store(other),
        }
    }
}

impl WebError {
    /// The refusal of a body axum's form extractors could not read, from
    /// the status and text they would answer with.
    pub(crate) fn from_rejection(status: StatusCode, text: String) -> Self {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => {
                WebError::TooLarge("the request body is too large".to_owned())
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => WebError::UnsupportedMediaType(
                "send the fields as application/x-www-form-urlencoded".to_owned(),
            ),
            _ => WebError::BadRequest(text),
        }
    }
}

impl From<FormRejection> for WebError {
    fn from(rejection: FormRejection) -> Self {
        WebError::from_rejection(rejection.status(), rejection.body_text())
    }
}

impl From<QueryRejection> for WebError {
    fn from(rejection: QueryRejection) -> Self {
        WebError::BadRequest(rejection.body_text())
    }
}

/// Logs store failures; answers the status, `Retry-After` and the JSON body.
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match &self {
            WebError::Store(error) => tracing::error!(%error, "chat request failed"),
            WebError::Unavailable(error) => {
                tracing::warn!(%error, "chat request failed for now; the visitor may retry")
            }
            _ => {}
        }
        let mut response = Json(ErrorBody {
            error: self.to_string(),
        })
        .into_response();
        *response.status_mut() = self.status();
        let retry_after = match self {
            WebError::RateLimited { retry_after } => Some(retry_after_seconds(retry_after).max(1)),
            WebError::Unavailable(_) => Some(1),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_seconds(Duration::from_millis(2001)), 3);
    }

    #[test]
    fn store_errors_map_to_the_contract() {
        use seshat_client::Error as E;
        assert_eq!(WebError::from(E::NoSuchChat).status(), 404);
        assert_eq!(WebError::from(E::EmptyMessage).status(), 400);
        assert_eq!(
            WebError::from(E::MessageTooLong { len: 5, max: 4 }).status(),
            413
        );
        assert_eq!(WebError::from(E::TaskCancelled).status(), 500);
    }

    #[test]
    fn internal_details_are_not_shown() {
        let error = WebError::from(seshat_client::Error::NotASeshatDatabase(
            "/secret/path".to_owned(),
        ));
        assert_eq!(error.to_string(), "internal error");
    }
}
