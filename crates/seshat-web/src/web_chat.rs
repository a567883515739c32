//! [`WebChat`]: both transports over one shared state.

use std::sync::Arc;

use axum::Router;
use seshat_client::Client;

use crate::options::Options;
use crate::routes;
use crate::state::AppState;
use crate::ws::{SocketOptions, Sockets};

/// The visitor's side of Seshat: the HTTP routes and the WebSocket
/// transport over one client, one set of [`Options`] and one rate-limit
/// state. A visitor's starts and messages count against the same budget
/// on both transports, so make one `WebChat` and take both from it.
/// Cloning is cheap.
///
/// ```no_run
/// use std::net::SocketAddr;
/// use axum::Router;
/// use seshat_web::{Options, WebChat};
/// use seshat_web::ws::SocketOptions;
///
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client = seshat_client::Client::open("/var/lib/seshat/seshat.db")?;
/// let chat = WebChat::new(client, Options::default());
/// let sockets = chat.sockets(SocketOptions::default());
/// let app = Router::new()
///     .nest("/chat", chat.router())
///     .route("/wc/connect", sockets.route());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// let listener = seshat_web::listener::for_chat(listener);
/// axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct WebChat {
    state: Arc<AppState>,
}

impl WebChat {
    /// Both transports over `client`, with the application's `options`.
    pub fn new(client: Client, options: Options) -> Self {
        WebChat {
            state: Arc::new(AppState::new(client, options)),
        }
    }

    /// The HTTP routes; nest them where the chat should live.
    pub fn router(&self) -> Router {
        routes::build(Arc::clone(&self.state))
    }

    /// What `/metrics` shows, for [`seshat_client::metrics::serve`] on the
    /// program's `metrics_listen`.
    pub fn metrics(&self) -> seshat_client::metrics::Render {
        let metrics = self.state.metrics.clone();
        Arc::new(move || {
            let text = metrics.encode();
            Box::pin(async move { Ok(text) })
        })
    }

    /// `GET /healthz` for the application's router: 200 `ok` while the
    /// store answers (as a newly opened connection sees it), 503 with the
    /// reason when it does not.
    pub fn health(&self) -> axum::routing::MethodRouter {
        let client = self.state.client.clone();
        axum::routing::get(move || {
            let client = client.clone();
            async move {
                match client.run(|store| store.check()).await {
                    Ok(()) => (axum::http::StatusCode::OK, "ok\n".to_owned()),
                    Err(error) => (
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        format!("the store does not answer: {error}\n"),
                    ),
                }
            }
        })
    }

    /// The WebSocket transport, with its own `socket_options`; mount its
    /// [`Sockets::route`] and close it at shutdown.
    pub fn sockets(&self, socket_options: SocketOptions) -> Sockets {
        Sockets::over(Arc::clone(&self.state), socket_options)
    }
}
