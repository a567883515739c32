//! The listening socket to serve the chat from. Every connection it
//! accepts gets two things a chat needs from its TCP connections:
//!
//! - **`TCP_NODELAY`.** A chat's responses are small and often come two in
//!   a row (a long-poll answer and the next one, WebSocket frames). With
//!   Nagle's algorithm on, the second small write waits until the browser
//!   acknowledges the first, and browsers delay their ACKs by up to 40 ms.
//! - **A lingering close.** When the server ends a connection while the
//!   visitor is still sending (a WebSocket frame over the size limit, a
//!   body that was refused), closing it outright with unread data makes
//!   the kernel answer with a reset, and the visitor loses what the server
//!   sent last: the close frame with code 1009, the 413 answer. So the
//!   server's side is shut down for writing first, and what still arrives
//!   is read and thrown away for a bounded time ([`LINGER_IDLE`],
//!   [`LINGER_LIMIT`]), as web servers do (nginx's `lingering_close`).
//!
//! Serve with [`for_chat`]:
//!
//! ```no_run
//! use std::net::SocketAddr;
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let app = axum::Router::new();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! let listener = seshat_web::listener::for_chat(listener);
//! axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
//! # Ok(()) }
//! ```

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::serve::{Listener, ListenerExt, TapIo};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{timeout, Instant};

/// A closing connection is dropped once the visitor has sent nothing for
/// this long.
pub const LINGER_IDLE: Duration = Duration::from_secs(2);

/// A closing connection is dropped after this long, however much the
/// visitor still sends.
pub const LINGER_LIMIT: Duration = Duration::from_secs(5);

/// A [`TcpListener`] whose accepted connections have Nagle's algorithm off
/// and close without a reset. Serve it like the listener itself;
/// connection info (the visitor's address) works the same.
pub type ChatListener = TapIo<LingeringListener, fn(&mut LingeringStream)>;

/// Wraps `listener` for serving the chat (see the module documentation).
pub fn for_chat(listener: TcpListener) -> ChatListener {
    LingeringListener { inner: listener }.tap_io(set_nodelay as fn(&mut LingeringStream))
}

/// A [`TcpListener`] whose connections close without a reset; part of
/// [`ChatListener`].
#[derive(Debug)]
pub struct LingeringListener {
    inner: TcpListener,
}

impl Listener for LingeringListener {
    type Io = LingeringStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // The plain listener's accept already rides out errors such as
        // running out of file descriptors.
        let (connection, address) = Listener::accept(&mut self.inner).await;
        (
            LingeringStream {
                connection: Some(connection),
            },
            address,
        )
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

fn set_nodelay(connection: &mut LingeringStream) {
    if let Err(error) = connection.set_nodelay() {
        // The connection still works, only slower: serve it anyway.
        tracing::debug!(%error, "cannot set TCP_NODELAY on an accepted connection");
    }
}

/// One accepted connection. Reads and writes go straight to the socket;
/// dropping it closes the connection as described in the module
/// documentation.
#[derive(Debug)]
pub struct LingeringStream {
    /// Always `Some` until dropped.
    connection: Option<TcpStream>,
}

impl LingeringStream {
    fn connection(&mut self) -> Pin<&mut TcpStream> {
        Pin::new(
            self.connection
                .as_mut()
                .expect("the connection is only taken on drop"),
        )
    }

    /// Turns Nagle's algorithm off on this connection.
    fn set_nodelay(&mut self) -> io::Result<()> {
        self.connection().set_nodelay(true)
    }

    /// Whether Nagle's algorithm is off on this connection.
    pub fn nodelay(&self) -> io::Result<bool> {
        match &self.connection {
            Some(connection) => connection.nodelay(),
            None => Err(io::ErrorKind::NotConnected.into()),
        }
    }
}

impl AsyncRead for LingeringStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.connection().poll_read(cx, buf)
    }
}

impl AsyncWrite for LingeringStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.connection().poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.connection().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.connection().poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.connection().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }
}

impl Drop for LingeringStream {
    fn drop(&mut self) {
        let Some(connection) = self.connection.take() else {
            return;
        };
        // Without a runtime (it is shutting down) the connection just closes.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(linger(connection));
        }
    }
}

/// Sends FIN after what was written, then discards what the visitor still
/// sends until they close too, fall silent, or the time is up.
async fn linger(mut connection: TcpStream) {
    if connection.shutdown().await.is_err() {
        return;
    }
    let give_up = Instant::now() + LINGER_LIMIT;
    let mut discarded = [0u8; 16 * 1024];
    loop {
        let wait = LINGER_IDLE.min(give_up.saturating_duration_since(Instant::now()));
        match timeout(wait, connection.read(&mut discarded)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(_)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_connections_have_nagle_off() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut listener = for_chat(listener);
        let browser = TcpStream::connect(address).await.unwrap();
        let (accepted, peer) = listener.accept().await;
        assert_eq!(peer, browser.local_addr().unwrap());
        assert!(accepted.nodelay().unwrap());
    }

    /// The server answers and drops the connection while part of what the
    /// visitor sent is still unread: the visitor still gets the answer and
    /// an orderly end, not a reset.
    #[tokio::test]
    async fn a_connection_closed_with_unread_data_is_not_reset() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut listener = for_chat(listener);
        let mut browser = TcpStream::connect(address).await.unwrap();
        let (mut accepted, _) = listener.accept().await;

        // One write, one segment: once the first bytes are read, the rest
        // waits unread in the server's receive buffer.
        browser.write_all(b"too big: the rest").await.unwrap();
        let mut header = [0u8; 8];
        accepted.read_exact(&mut header).await.unwrap();
        accepted.write_all(b"1009").await.unwrap();
        drop(accepted);

        let mut answer = Vec::new();
        browser
            .read_to_end(&mut answer)
            .await
            .expect("an orderly end, not a reset");
        assert_eq!(answer, b"1009");
        // The server still reads: more from the visitor is not refused.
        browser.write_all(b"close frame").await.unwrap();
    }
}
