//! The TCP connection under the XMPP stream, tuned for a chat: many small
//! writes in both directions, each one waited for by a person.
//!
//! Two kernel defaults add up to 40 ms to a message here, and the daemon
//! fixes both on its own socket rather than asking admins to reconfigure
//! their XMPP server:
//!
//! - **Nagle's algorithm** holds back a small write while an earlier one
//!   is unacknowledged. The daemon writes each message followed by a
//!   XEP-0198 `<r/>`: the `<r/>` would wait for the server's delayed ACK.
//!   `TCP_NODELAY` turns it off.
//! - **Delayed ACKs** on our side stall the *server's* Nagle. Prosody keeps
//!   Nagle on by default, so after sending us `<a/>` it holds the staff
//!   member's reply until we acknowledge the `<a/>`; our kernel delays that
//!   ACK (up to 40 ms) hoping to piggyback it on data we have none of.
//!   `TCP_QUICKACK` makes the kernel acknowledge at once.
//!
//! `TCP_QUICKACK` is not a lasting setting: Linux leaves quick-ACK mode by
//! itself as soon as the connection looks interactive (we read, then
//! write), which on an XMPP stream is always. So [`LowLatencyTcp`] sets it
//! again after every read that returned data. That costs one `setsockopt`
//! per read and, when an ACK is pending, sends it right then. The
//! alternatives are worse: a socket-wide `TCP_NODELAY` alone leaves the
//! server-side stall; a per-route `quickack` needs root and a route change
//! by the admin; switching the server's Nagle off is the admin
//! reconfiguration we must not require.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use socket2::SockRef;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_xmpp::connect::DnsConfig;

/// A TCP connection with Nagle's algorithm off that acknowledges what it
/// receives at once, and tells its [`LinkReport`] how it ended. See the
/// [module docs](self).
#[derive(Debug)]
pub struct LowLatencyTcp {
    tcp: TcpStream,
    report: LinkReport,
}

impl LowLatencyTcp {
    /// Connects to `server` and sets the options.
    pub(super) async fn connect(
        server: &DnsConfig,
        report: &LinkReport,
    ) -> Result<Self, tokio_xmpp::Error> {
        let tcp = server.resolve().await?;
        tcp.set_nodelay(true)?;
        let socket = LowLatencyTcp {
            tcp,
            report: report.clone(),
        };
        socket.acknowledge_at_once()?;
        Ok(socket)
    }

    /// The underlying socket, for reading its options.
    #[cfg(test)]
    pub fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    /// Whether the kernel is in quick-ACK mode on this socket right now.
    #[cfg(test)]
    pub fn acknowledges_at_once(&self) -> io::Result<bool> {
        SockRef::from(&self.tcp).tcp_quickack()
    }

    /// (Re-)enters quick-ACK mode, sending a pending ACK now.
    fn acknowledge_at_once(&self) -> io::Result<()> {
        SockRef::from(&self.tcp).set_tcp_quickack(true)
    }
}

impl AsyncRead for LowLatencyTcp {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let (before, room) = (buf.filled().len(), buf.remaining());
        let polled = Pin::new(&mut self.tcp).poll_read(cx, buf);
        match &polled {
            Poll::Ready(Ok(())) if buf.filled().len() > before => {
                if let Err(error) = self.acknowledge_at_once() {
                    // Only latency is at stake, never data: keep reading.
                    tracing::debug!(%error, "cannot re-arm TCP_QUICKACK");
                }
            }
            Poll::Ready(Ok(())) if room > 0 => self.report.record(LinkEnd::ClosedByServer),
            Poll::Ready(Err(error)) => self.report.record(LinkEnd::Broken(error.to_string())),
            _ => {}
        }
        polled
    }
}

impl AsyncWrite for LowLatencyTcp {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.tcp).poll_write(cx, buf);
        if let Poll::Ready(Err(error)) = &polled {
            self.report.record(LinkEnd::Broken(error.to_string()));
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }
}

/// How a connection ended, as far as its socket saw: shared by the sockets
/// of one XMPP connection and the code that tells the admin why the link
/// was lost. Only the first end is kept until it is taken.
#[derive(Clone, Debug, Default)]
pub(super) struct LinkReport(Arc<Mutex<Option<LinkEnd>>>);

/// What the socket saw when the connection ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum LinkEnd {
    /// The server closed its side (end of file).
    ClosedByServer,
    /// Reading or writing failed; the operating system's words.
    Broken(String),
}

impl LinkReport {
    fn record(&self, end: LinkEnd) {
        self.slot().get_or_insert(end);
    }

    /// Takes what was recorded, leaving nothing.
    pub(super) fn take(&self) -> Option<LinkEnd> {
        self.slot().take()
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<LinkEnd>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl fmt::Display for LinkEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkEnd::ClosedByServer => f.write_str("the server closed the connection"),
            LinkEnd::Broken(error) => write!(f, "the connection broke: {error}"),
        }
    }
}
