//! Who the visitor is and what staff are told when a chat starts.

/// The name staff see for visitors nobody named.
pub const ANONYMOUS: &str = "Anonymous";

/// Longest part of a `Referer` quoted to staff, in characters: a page
/// address is rarely longer, and a longer one would push the start
/// message over the size limit and fail the start.
const MAX_QUOTED_REFERER_CHARS: usize = 1000;

/// The visitor's name as the host application knows it (a logged-in
/// user, say). Insert it as a request extension from your own middleware;
/// it takes precedence over the `name` a visitor types.
///
/// ```
/// use axum::{extract::Request, middleware::{self, Next}, Router};
/// use seshat_web::VisitorName;
///
/// async fn name_from_session(mut request: Request, next: Next) -> axum::response::Response {
///     // Look the user up in your session store here.
///     request.extensions_mut().insert(VisitorName("Ada Lovelace".to_owned()));
///     next.run(request).await
/// }
///
/// # fn app(chat: Router) -> Router {
/// Router::new().nest("/chat", chat).layer(middleware::from_fn(name_from_session))
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorName(pub String);

/// The name for a new chat: the application's, else the one the visitor
/// typed, else [`ANONYMOUS`].
pub fn choose_name(from_app: Option<&VisitorName>, typed: Option<&str>) -> String {
    from_app
        .map(|VisitorName(name)| name.trim())
        .or(typed.map(str::trim))
        .filter(|name| !name.is_empty())
        .unwrap_or(ANONYMOUS)
        .to_owned()
}

/// The start message shown to staff with the offer: what the visitor
/// wrote, else where they came from, as the original Seshat did.
pub fn choose_start_message(typed: Option<&str>, referer: Option<&str>) -> Option<String> {
    match typed.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => Some(text.to_owned()),
        None => referer.filter(|page| !page.trim().is_empty()).map(|page| {
            let quoted: String = page.chars().take(MAX_QUOTED_REFERER_CHARS).collect();
            format!("Coming from page {quoted}")
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_application_name_wins_then_the_typed_one() {
        let app = VisitorName("Ada".to_owned());
        assert_eq!(choose_name(Some(&app), Some("Bob")), "Ada");
        assert_eq!(choose_name(None, Some(" Bob ")), "Bob");
        assert_eq!(choose_name(None, Some("  ")), "Anonymous");
        assert_eq!(choose_name(None, None), "Anonymous");
    }

    #[test]
    fn the_referer_is_quoted_when_nothing_was_typed() {
        assert_eq!(
            choose_start_message(None, Some("https://shop.example/pricing")).as_deref(),
            Some("Coming from page https://shop.example/pricing")
        );
        assert_eq!(
            choose_start_message(Some("Do you ship to Mars?"), Some("https://shop.example/"))
                .as_deref(),
            Some("Do you ship to Mars?")
        );
        assert_eq!(choose_start_message(Some(" "), None), None);
    }

    #[test]
    fn a_huge_referer_is_cut() {
        let page = format!("https://shop.example/{}", "a".repeat(10_000));
        let message = choose_start_message(None, Some(&page)).unwrap();
        assert_eq!(
            message.chars().count(),
            "Coming from page ".len() + MAX_QUOTED_REFERER_CHARS
        );
    }
}
