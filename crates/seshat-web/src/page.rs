//! The stand-alone chat page of `GET /chat`: the widget, always shown,
//! whose first line starts a chat.

use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};

use crate::options::Options;

/// Renders the page. `base` is the path the routes are mounted at (such
/// as `/chat`), which the widget calls. The box is not `hidden`, so the
/// widget keeps it shown even while no staff member is free.
pub fn chat_page(options: &Options, base: &str) -> Response {
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat with us</title>
<link rel="stylesheet" href="{static_url}/chatstyle.css">
</head>
<body class="seshat-page">
<main>
<div class="seshat-chat" data-seshat-base="{base}"></div>
</main>
<script src="{jquery_url}"></script>
<script src="{static_url}/seshat.js"></script>
</body>
</html>
"#,
        static_url = escape_attribute(options.static_url.trim_end_matches('/')),
        jquery_url = escape_attribute(&options.jquery_url),
        base = escape_attribute(base),
    );
    let mut response = Html(html).into_response();
    if let Ok(policy) = HeaderValue::from_str(&content_security_policy(options)) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// Only this site's (or the configured asset hosts') scripts may run, and
/// no inline script at all: even a rendering bug could not run a message.
fn content_security_policy(options: &Options) -> String {
    let mut sources = vec!["'self'".to_owned()];
    for url in [&options.static_url, &options.jquery_url] {
        if let Some(origin) = origin_of(url) {
            if !sources.contains(&origin) {
                sources.push(origin);
            }
        }
    }
    let sources = sources.join(" ");
    format!(
        "default-src 'none'; script-src {sources}; style-src {sources}; \
         connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'self'"
    )
}

/// `https://cdn.example` for `https://cdn.example/x/y.js`; `None` for a
/// path on this site.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next().filter(|host| !host.is_empty())?;
    Some(format!("{scheme}://{host}"))
}

/// Makes text safe inside a double-quoted HTML attribute.
fn escape_attribute(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_escaped() {
        assert_eq!(
            escape_attribute(r#""><script>x</script>&'"#),
            "&quot;&gt;&lt;script&gt;x&lt;/script&gt;&amp;&#39;"
        );
    }

    #[test]
    fn the_policy_names_external_asset_hosts_only() {
        let local = content_security_policy(&Options::default());
        assert!(local.contains("script-src 'self';"), "{local}");
        let cdn = Options {
            jquery_url: "https://cdn.example/jquery.min.js".to_owned(),
            ..Options::default()
        };
        assert!(content_security_policy(&cdn).contains("script-src 'self' https://cdn.example;"));
    }
}
