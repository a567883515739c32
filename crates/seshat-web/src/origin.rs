//! Refuses state-changing requests that a page on another site made the
//! visitor's browser send (cross-site request forgery).

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

/// Middleware: lets safe methods through, and other methods only when the
/// browser says the request comes from this site's own pages.
pub async fn refuse_cross_origin(request: Request, next: Next) -> Response {
    if is_safe(request.method()) || comes_from_same_origin(request.headers()) {
        next.run(request).await
    } else {
        WebError::CrossOrigin.into_response()
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Decides from what the browser sent.
///
/// `Sec-Fetch-Site` is set by the browser itself and cannot be forged by a
/// page, so when it is present it decides; it also works behind a proxy
/// that rewrites `Host`. Otherwise `Origin` must name this host. A request
/// with neither did not come from a modern browser's cross-site form or
/// script, so it cannot be a forgery of the visitor's browser.
pub fn comes_from_same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        // "none": the visitor typed the address or used a bookmark.
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    // "null" (sandboxed frames, file: pages) has no "://" and is refused.
    origin
        .to_str()
        .is_ok_and(|origin| names_this_host(origin, headers))
}

/// The `Referer` when it is a page of this site, by the rule the `Origin`
/// check uses; `None` for another site's page, which must not choose what
/// staff are shown.
pub fn own_referer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::REFERER)
        .and_then(|value| value.to_str().ok())
        .filter(|referer| names_this_host(referer, headers))
}

/// Whether the URL's authority (`host:port` between `://` and the path)
/// is the request's `Host`. A URL without `://`, or a request without
/// `Host`, names no host here.
fn names_this_host(url: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    url.split_once("://").is_some_and(|(_, rest)| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        authority.eq_ignore_ascii_case(host)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    header::HeaderName::from_static(name),
                    value.parse().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(comes_from_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(comes_from_same_origin(&headers(&[(
            "sec-fetch-site",
            "none"
        )])));
        for other in ["cross-site", "same-site", "bogus"] {
            let sent = headers(&[
                ("sec-fetch-site", other),
                ("origin", "http://shop.example"),
                ("host", "shop.example"),
            ]);
            assert!(!comes_from_same_origin(&sent), "{other}");
        }
    }

    #[test]
    fn origin_must_match_host() {
        let same = headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(comes_from_same_origin(&same));
        let other_port = headers(&[
            ("origin", "http://127.0.0.1:9999"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(!comes_from_same_origin(&other_port));
        let null = headers(&[("origin", "null"), ("host", "shop.example")]);
        assert!(!comes_from_same_origin(&null));
        let no_host = headers(&[("origin", "https://shop.example")]);
        assert!(!comes_from_same_origin(&no_host));
    }

    #[test]
    fn only_this_sites_pages_are_quoted() {
        let own = headers(&[
            ("referer", "http://shop.example:8080/pricing?x=1"),
            ("host", "shop.example:8080"),
        ]);
        assert_eq!(
            own_referer(&own),
            Some("http://shop.example:8080/pricing?x=1")
        );
        let bare = headers(&[
            ("referer", "https://shop.example"),
            ("host", "shop.example"),
        ]);
        assert_eq!(own_referer(&bare), Some("https://shop.example"));
        for foreign in [
            "http://evil.example/shop.example",
            "http://shop.example.evil.example/",
            "http://shop.example@evil.example/",
            "http://evil.example/?shop.example:8080",
            "shop.example:8080/pricing",
        ] {
            let sent = headers(&[("referer", foreign), ("host", "shop.example:8080")]);
            assert_eq!(own_referer(&sent), None, "{foreign}");
        }
        let no_host = headers(&[("referer", "http://shop.example/")]);
        assert_eq!(own_referer(&no_host), None);
    }

    #[test]
    fn requests_without_browser_headers_pass() {
        assert!(comes_from_same_origin(&headers(&[(
            "host",
            "shop.example"
        )])));
    }

    #[test]
    fn only_unsafe_methods_are_checked() {
        assert!(is_safe(&Method::GET));
        assert!(!is_safe(&Method::POST));
    }
}
