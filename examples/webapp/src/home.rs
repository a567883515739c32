//! The demo home page: a stand-in for a real site, with the widget pasted
//! in exactly as the README tells site owners to do it.

use std::sync::LazyLock;

use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};

/// The widget snippet users paste, taken from `static/` so that the demo
/// shows the very text the README describes.
const WIDGET_SNIPPET: &str = include_str!("../../../static/chatwindow.html");

/// The page around it; `{{WIDGET}}` marks where the snippet goes.
const TEMPLATE: &str = include_str!("home.html");

/// The demo shop's own looks (the widget brings its own).
const STYLESHEET: &str = include_str!("demo.css");

static PAGE: LazyLock<String> = LazyLock::new(|| TEMPLATE.replace("{{WIDGET}}", WIDGET_SNIPPET));

/// Scripts and styles only from this site, and no inline script: even a
/// rendering bug in a page could not run a chat message as code.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// `GET /`.
pub async fn page() -> Response {
    let mut response = Html(PAGE.as_str()).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    response
}

/// `GET /demo.css`.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_embeds_the_snippet() {
        assert!(!PAGE.contains("{{WIDGET}}"));
        assert!(PAGE.contains(r#"<div class="seshat-chat" data-seshat-base="/chat" hidden></div>"#));
    }
}
