//! The listening socket to serve the chat from: every accepted connection
//! gets `TCP_NODELAY`.
//!
//! A chat's responses are small and often come two in a row (a long-poll
//! answer and the next one, WebSocket frames). With Nagle's algorithm on,
//! the second small write waits until the browser acknowledges the first,
//! and browsers delay their ACKs by up to 40 ms. Serve with
//! [`without_delay`] to send each write at once:
//!
//! ```no_run
//! use std::net::SocketAddr;
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let app = axum::Router::new();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! let listener = seshat_web::listener::without_delay(listener);
//! axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
//! # Ok(()) }
//! ```

use axum::serve::{ListenerExt, TapIo};
use tokio::net::{TcpListener, TcpStream};

/// A [`TcpListener`] whose accepted connections have Nagle's algorithm off.
/// Serve it like the listener itself; connection info (the visitor's
/// address) works the same.
pub type NoDelayListener = TapIo<TcpListener, fn(&mut TcpStream)>;

/// Wraps `listener` so that each connection it accepts gets `TCP_NODELAY`.
pub fn without_delay(listener: TcpListener) -> NoDelayListener {
    listener.tap_io(set_nodelay as fn(&mut TcpStream))
}

fn set_nodelay(connection: &mut TcpStream) {
    if let Err(error) = connection.set_nodelay(true) {
        // The connection still works, only slower: serve it anyway.
        tracing::debug!(%error, "cannot set TCP_NODELAY on an accepted connection");
    }
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    use super::*;

    #[tokio::test]
    async fn accepted_connections_have_nagle_off() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut listener = without_delay(listener);
        let browser = TcpStream::connect(address).await.unwrap();
        let (accepted, peer) = listener.accept().await;
        assert_eq!(peer, browser.local_addr().unwrap());
        assert!(accepted.nodelay().unwrap());
    }
}
