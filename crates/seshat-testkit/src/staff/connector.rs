//! How a staff client reaches the server: TCP with Nagle's algorithm off,
//! then either plain XMPP or STARTTLS.
//!
//! tokio-xmpp 6's own connectors leave Nagle's algorithm on. When stanzas
//! flow both ways at once, every small write (a message, an XEP-0198 ack
//! request, an ack) then waits for the peer's delayed TCP ACK: measured on
//! loopback, about 20 ms per acknowledged message instead of about 2 ms.
//! A test client must not add such delays to what a benchmark measures, so
//! these connectors set `TCP_NODELAY` and otherwise follow the standard
//! sequence (stream header, features, optional STARTTLS, stream header
//! again).

use std::borrow::Cow;

use sasl::common::ChannelBinding;
use tokio::io::BufStream;
use tokio::net::TcpStream;
use tokio_xmpp::connect::starttls::starttls;
use tokio_xmpp::connect::tls_common::TlsStream;
use tokio_xmpp::connect::{DnsConfig, ServerConnector};
use tokio_xmpp::error::{Error, ProtocolError};
use tokio_xmpp::parsers::jid::Jid;
use tokio_xmpp::xmlstream::{initiate_stream, PendingFeaturesRecv, StreamHeader, Timeouts};

/// Plain XMPP over TCP, for loopback tests only.
#[derive(Clone, Debug)]
pub(super) struct PlainConnector {
    pub(super) server: DnsConfig,
}

/// XMPP with mandatory STARTTLS; the certificate is checked against the
/// JID's domain by tokio-xmpp (rustls with the native roots, which honour
/// `SSL_CERT_FILE`).
#[derive(Clone, Debug)]
pub(super) struct StartTlsConnector {
    pub(super) server: DnsConfig,
}

impl ServerConnector for PlainConnector {
    type Stream = BufStream<TcpStream>;

    async fn connect(
        &self,
        jid: &Jid,
        ns: &'static str,
        timeouts: Timeouts,
    ) -> Result<(PendingFeaturesRecv<Self::Stream>, ChannelBinding), Error> {
        let tcp = connect_without_delay(&self.server).await?;
        let stream = initiate_stream(BufStream::new(tcp), ns, header_to(jid), timeouts).await?;
        Ok((stream, ChannelBinding::None))
    }
}

impl ServerConnector for StartTlsConnector {
    type Stream = BufStream<TlsStream<TcpStream>>;

    async fn connect(
        &self,
        jid: &Jid,
        ns: &'static str,
        timeouts: Timeouts,
    ) -> Result<(PendingFeaturesRecv<Self::Stream>, ChannelBinding), Error> {
        let tcp = connect_without_delay(&self.server).await?;
        let plain = initiate_stream(BufStream::new(tcp), ns, header_to(jid), timeouts).await?;
        let (features, plain) = plain.recv_features().await?;
        if !features.can_starttls() {
            // Never fall back to plain text: that is what STARTTLS
            // stripping attacks rely on.
            return Err(Error::Protocol(ProtocolError::NoTls));
        }
        let (tls, channel_binding) = starttls(plain, jid.domain().as_str()).await?;
        let stream = initiate_stream(BufStream::new(tls), ns, header_to(jid), timeouts).await?;
        Ok((stream, channel_binding))
    }
}

async fn connect_without_delay(server: &DnsConfig) -> Result<TcpStream, Error> {
    let tcp = server.resolve().await?;
    tcp.set_nodelay(true)?;
    Ok(tcp)
}

/// The stream header a client sends: addressed to its own domain.
fn header_to(jid: &Jid) -> StreamHeader<'_> {
    StreamHeader {
        to: Some(Cow::Borrowed(jid.domain().as_str())),
        from: None,
        id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connections_are_made_with_nagle_off() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = DnsConfig::addr(&listener.local_addr().unwrap().to_string());
        let tcp = connect_without_delay(&server).await.unwrap();
        assert!(tcp.nodelay().unwrap());
    }
}
