//! The TLS side of STARTTLS, done here rather than by tokio-xmpp so that
//! the certificates trusted are the system's roots plus, when configured,
//! the CA of `tls_ca_file` (a site's internal CA). Otherwise the same:
//! rustls, the certificate checked against the JID's domain, and
//! `tls-exporter` channel binding under TLS 1.3.

use std::io;
use std::path::Path;
use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use sasl::common::ChannelBinding;
use tokio::io::BufStream;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;
use tokio_xmpp::connect::tls_common::TlsAsyncStream;
use tokio_xmpp::error::Error;
use tokio_xmpp::parsers::starttls::{Nonza, Request};
use tokio_xmpp::xmlstream::{ReadError, XmppStream, XmppStreamElement};

/// The TLS stream over `S`.
pub type TlsStream<S> = tokio_rustls::client::TlsStream<S>;

/// Why the certificates to trust could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The CA file could not be read.
    #[error("cannot read {path}: {source}")]
    Unreadable {
        /// The file.
        path: String,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
    /// The CA file holds no PEM certificate.
    #[error("{0} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")]
    NoCertificate(String),
}

/// The certificates of the PEM file at `path`; at least one.
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, TrustError> {
    let shown = path.display().to_string();
    let text = std::fs::read(path).map_err(|source| TrustError::Unreadable {
        path: shown.clone(),
        source,
    })?;
    let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&text)
        .filter_map(Result::ok)
        .collect();
    if certificates.is_empty() {
        return Err(TrustError::NoCertificate(shown));
    }
    Ok(certificates)
}

/// The client configuration: the system's roots, and `extra` besides.
pub fn client_config(extra: &[CertificateDer<'static>]) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    roots.add_parsable_certificates(extra.iter().cloned());
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// Asks for STARTTLS on `stream`, waits for `<proceed/>`, then runs the
/// handshake for `domain` with `config`.
pub async fn starttls<S: TlsAsyncStream>(
    mut stream: XmppStream<BufStream<S>>,
    domain: &str,
    config: Arc<ClientConfig>,
) -> Result<(TlsStream<S>, ChannelBinding), Error> {
    stream
        .send(&XmppStreamElement::Starttls(Nonza::Request(Request)))
        .await?;
    loop {
        match stream
            .next()
            .await
            .map(|item| item.and_then(|element| element.into_read_error()))
        {
            Some(Ok(XmppStreamElement::Starttls(Nonza::Proceed(_)))) => break,
            Some(Ok(_)) | Some(Err(ReadError::SoftTimeout)) => {}
            Some(Err(ReadError::HardError(error))) => return Err(error.into()),
            Some(Err(ReadError::ParseError(error))) => {
                return Err(io::Error::new(io::ErrorKind::InvalidData, error).into())
            }
            None | Some(Err(ReadError::StreamFooterReceived)) => return Err(Error::Disconnected),
        }
    }
    let inner = stream.into_inner().into_inner();
    let name = ServerName::try_from(domain.to_owned())
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
    let tls = TlsConnector::from(config)
        .connect(name, inner)
        .await
        .map_err(Error::Io)?;
    let (_, connection) = tls.get_ref();
    let binding = match connection.protocol_version() {
        Some(tokio_rustls::rustls::ProtocolVersion::TLSv1_3) => {
            let exported = connection
                .export_keying_material(vec![0u8; 32], b"EXPORTER-Channel-Binding", None)
                .map_err(io::Error::other)?;
            ChannelBinding::TlsExporter(exported)
        }
        _ => ChannelBinding::None,
    };
    Ok((tls, binding))
}
