//! One login: a transport from a tokio-xmpp connector, SASL authentication,
//! and the restarted stream with its features, ready for the stanza stream
//! to bind a resource and negotiate stream management.

use sasl::common::Credentials;
use tokio_xmpp::connect::ServerConnector;
use tokio_xmpp::parsers::jid::Jid;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::stream_features::StreamFeatures;
use tokio_xmpp::stanzastream::Connection;
use tokio_xmpp::xmlstream::{FallibleStreamElement, Timeouts, XmppStream};

use super::connector::header;

/// Connects with `connector` (TCP, then STARTTLS if it is that kind),
/// authenticates as `identity` (a full JID asks for that resource) and
/// restarts the stream, as RFC 6120 asks after SASL succeeds.
pub(super) async fn log_in<C: ServerConnector>(
    connector: C,
    identity: &Jid,
    password: &str,
    timeouts: Timeouts,
) -> Result<Connection, tokio_xmpp::Error> {
    let (features, stream) = authenticate(connector, identity, password, timeouts).await?;
    Ok(Connection {
        stream: stream.box_stream(),
        features,
        identity: identity.clone(),
    })
}

/// [`log_in`] up to the restarted stream, whose transport keeps its type.
pub(super) async fn authenticate<C: ServerConnector>(
    connector: C,
    identity: &Jid,
    password: &str,
    timeouts: Timeouts,
) -> Result<(StreamFeatures, XmppStream<C::Stream>), tokio_xmpp::Error> {
    let (pending, channel_binding) = connector
        .connect(identity, ns::JABBER_CLIENT, timeouts)
        .await?;
    let (features, stream) = pending.recv_features::<FallibleStreamElement>().await?;

    let username = identity
        .node()
        .map(|node| node.as_str())
        .unwrap_or_default();
    let credentials = Credentials::default()
        .with_username(username)
        .with_password(password)
        .with_channel_binding(channel_binding);
    let authenticated =
        tokio_xmpp::client_login(stream, features.sasl_mechanisms, credentials).await?;

    let restarted = authenticated.send_header(header(identity)).await?;
    Ok(restarted.recv_features().await?)
}

/// Whether a failed login is the server refusing our credentials (which
/// retrying will not fix until someone changes the password or account)
/// rather than a network or server hiccup.
pub(super) fn is_refused_login(error: &tokio_xmpp::Error) -> bool {
    matches!(error, tokio_xmpp::Error::Auth(_))
}
