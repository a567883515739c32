//! How the daemon reaches the server: a [`LowLatencyTcp`] connection, then
//! either STARTTLS (the default) or plain XMPP (loopback tests only).
//!
//! tokio-xmpp's own connectors open the TCP connection themselves and give
//! no way to set socket options on it, hence these two; otherwise they
//! follow the same sequence (stream header, features, STARTTLS, stream
//! header again).

use std::borrow::Cow;

use sasl::common::ChannelBinding;
use tokio::io::BufStream;
use tokio_xmpp::connect::{DnsConfig, ServerConnector};
use tokio_xmpp::error::{Error, ProtocolError};
use tokio_xmpp::parsers::jid::Jid;
use tokio_xmpp::xmlstream::{initiate_stream, PendingFeaturesRecv, StreamHeader, Timeouts};

use std::sync::Arc;

use tokio_rustls::rustls::ClientConfig;

use super::socket::{LinkReport, LowLatencyTcp};
use super::tls::{starttls, TlsStream};

/// XMPP over TCP without encryption; its sockets tell the report how they
/// end.
#[derive(Clone, Debug)]
pub(super) struct PlainConnector(pub(super) DnsConfig, pub(super) LinkReport);

/// XMPP with mandatory STARTTLS; the certificate is checked against the
/// JID's domain with the roots of the configuration (the system's, and
/// `tls_ca_file`'s: see [`super::tls`]).
#[derive(Clone, Debug)]
pub(super) struct StartTlsConnector(
    pub(super) DnsConfig,
    pub(super) LinkReport,
    pub(super) Arc<ClientConfig>,
);

impl ServerConnector for PlainConnector {
    type Stream = BufStream<LowLatencyTcp>;

    async fn connect(
        &self,
        jid: &Jid,
        ns: &'static str,
        timeouts: Timeouts,
    ) -> Result<(PendingFeaturesRecv<Self::Stream>, ChannelBinding), Error> {
        let stream = open(&self.0, &self.1, jid, ns, timeouts).await?;
        Ok((stream, ChannelBinding::None))
    }
}

impl ServerConnector for StartTlsConnector {
    type Stream = BufStream<TlsStream<LowLatencyTcp>>;

    async fn connect(
        &self,
        jid: &Jid,
        ns: &'static str,
        timeouts: Timeouts,
    ) -> Result<(PendingFeaturesRecv<Self::Stream>, ChannelBinding), Error> {
        let plain = open(&self.0, &self.1, jid, ns, timeouts).await?;
        let (features, plain) = plain.recv_features().await?;
        if !features.can_starttls() {
            // Never carry on in plain text: STARTTLS stripping relies on it.
            return Err(Error::Protocol(ProtocolError::NoTls));
        }
        let (tls, channel_binding) =
            starttls(plain, jid.domain().as_str(), Arc::clone(&self.2)).await?;
        let stream = initiate_stream(BufStream::new(tls), ns, header(jid), timeouts).await?;
        Ok((stream, channel_binding))
    }
}

/// A [`LowLatencyTcp`] connection to `server` with the stream header sent.
async fn open(
    server: &DnsConfig,
    report: &LinkReport,
    jid: &Jid,
    ns: &'static str,
    timeouts: Timeouts,
) -> Result<PendingFeaturesRecv<BufStream<LowLatencyTcp>>, Error> {
    let tcp = LowLatencyTcp::connect(server, report).await?;
    Ok(initiate_stream(BufStream::new(tcp), ns, header(jid), timeouts).await?)
}

/// The stream header a client sends: addressed to its own domain.
pub(super) fn header(jid: &Jid) -> StreamHeader<'_> {
    StreamHeader {
        to: Some(Cow::Borrowed(jid.domain().as_str())),
        from: None,
        id: None,
    }
}

#[cfg(test)]
mod tests {
    //! Against a real Prosody, the options are read off the very socket a
    //! login went over, after the login's reads and writes: the kernel
    //! leaves quick-ACK mode by itself during such an exchange, so only
    //! re-arming keeps it on.

    use seshat_testkit::Prosody;
    use tokio_xmpp::parsers::jid::Jid;

    use super::*;
    use crate::xmpp::login::authenticate;

    const PASSWORD: &str = "socket test";

    /// Registers `bot` on `prosody` and returns its JID.
    fn bot(prosody: &Prosody) -> Jid {
        prosody.register("bot", PASSWORD).expect("register the bot");
        Jid::new("bot@localhost/socket-test").expect("a valid JID")
    }

    fn assert_low_latency(socket: &LowLatencyTcp) {
        assert!(socket.tcp().nodelay().unwrap(), "TCP_NODELAY is off");
        assert!(
            socket.acknowledges_at_once().unwrap(),
            "TCP_QUICKACK is off after the last read"
        );
    }

    #[tokio::test]
    async fn a_plain_login_runs_on_a_low_latency_socket() {
        let prosody = Prosody::start().expect("start prosody");
        let jid = bot(&prosody);
        let connector = PlainConnector(DnsConfig::addr(&prosody.addr()), LinkReport::default());
        let (_, stream) = authenticate(connector, &jid, PASSWORD, Timeouts::tight())
            .await
            .expect("log in");
        assert_low_latency(stream.get_stream().get_ref());
    }

    #[tokio::test]
    async fn a_starttls_login_runs_on_a_low_latency_socket() {
        let prosody = Prosody::start_with_tls().expect("start prosody with TLS");
        let trusted = super::super::tls::read_ca_file(prosody.certificate_path().unwrap())
            .expect("the test certificate");
        let jid = bot(&prosody);
        let connector = StartTlsConnector(
            DnsConfig::addr(&prosody.addr()),
            LinkReport::default(),
            super::super::tls::client_config(&trusted),
        );
        let (_, stream) = authenticate(connector, &jid, PASSWORD, Timeouts::tight())
            .await
            .expect("log in over STARTTLS");
        let (tcp, _) = stream.get_stream().get_ref().get_ref();
        assert_low_latency(tcp);
    }
}
