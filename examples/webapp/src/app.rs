//! The example application: a home page with the widget, the chat routes
//! at `/chat`, the WebSocket at `/wc/connect`, the widget's files at
//! `/static` and jQuery at `/static/jquery`.

use std::path::PathBuf;

use axum::routing::get;
use axum::Router;
use seshat_client::metrics::Render;
use seshat_client::Client;
use seshat_web::ws::{SocketOptions, Sockets};
use seshat_web::{Options, WebChat};
use tower_http::services::ServeDir;

use crate::home;
use crate::settings::Settings;

/// A file the page cannot work without is not where the settings say.
#[derive(Debug, thiserror::Error)]
pub enum MissingAsset {
    /// The widget's own files.
    #[error("the chat widget is not in {} (set static_dir)", .0.display())]
    Widget(PathBuf),
    /// jQuery, which npm installs.
    #[error("jQuery is not in {}: run `npm ci` at the top of the Seshat repository (or set jquery_dir)", .0.display())]
    Jquery(PathBuf),
}

/// Checks that the widget and jQuery are where the settings say, so that
/// a missing `npm ci` is reported at start-up rather than as a silent
/// 404 in the visitor's browser.
pub fn check_assets(settings: &Settings) -> Result<(), MissingAsset> {
    if !settings.static_dir.join("seshat.js").is_file() {
        return Err(MissingAsset::Widget(settings.static_dir.clone()));
    }
    if !settings.jquery_dir.join("jquery.min.js").is_file() {
        return Err(MissingAsset::Jquery(settings.jquery_dir.clone()));
    }
    Ok(())
}

/// The whole application over `client`, its WebSocket sockets, which the
/// caller closes at shutdown, and what its `/metrics` shows.
pub fn build(client: Client, settings: &Settings) -> (Router, Sockets, Render) {
    let options = Options {
        rate_limit_per_minute: settings.rate_limit_per_minute,
        client_address_header: settings.client_address_header.clone(),
        staff_names: settings.staff_names.clone(),
        queue_when_busy: settings.queue_when_busy,
        ..Options::default()
    };
    // One WebChat for both transports: one rate-limit budget per visitor.
    let chat = WebChat::new(client, options);
    let sockets = chat.sockets(SocketOptions::default());
    let app = Router::new()
        .route("/", get(home::page))
        .route("/demo.css", get(home::stylesheet))
        .route("/healthz", chat.health())
        .nest("/chat", chat.router())
        .route("/wc/connect", sockets.route())
        .nest_service("/static/jquery", ServeDir::new(&settings.jquery_dir))
        .nest_service("/static", ServeDir::new(&settings.static_dir));
    (app, sockets, chat.metrics())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_jquery_says_to_run_npm() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("seshat.js"), "").unwrap();
        let settings = Settings {
            database: seshat_client::Database::Sqlite(dir.path().join("seshat.db")),
            rate_limit_per_minute: 30,
            static_dir: dir.path().to_path_buf(),
            jquery_dir: dir.path().join("node_modules/jquery/dist"),
            staff_names: Default::default(),
            client_address_header: None,
            metrics_listen: None,
            queue_when_busy: true,
        };
        let error = check_assets(&settings).unwrap_err();
        assert!(error.to_string().contains("run `npm ci`"), "{error}");
        let no_widget = Settings {
            static_dir: dir.path().join("elsewhere"),
            ..settings
        };
        assert!(matches!(
            check_assets(&no_widget),
            Err(MissingAsset::Widget(_))
        ));
    }
}
