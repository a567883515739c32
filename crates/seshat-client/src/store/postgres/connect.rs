//! Connecting: the TLS connector every connection uses, and the pool.
//!
//! TLS follows the URL's `sslmode`: `disable` never encrypts, `prefer`
//! (libpq's default) encrypts when the server offers it, `require`
//! refuses a server that does not. Encrypted connections verify the
//! server's certificate against the system's trusted roots (Debian's
//! `ca-certificates`), by rustls.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{Error, Result};

/// The connector for every connection of a store.
pub(super) type Tls = MakeRustlsConnect;

/// A TLS connector that trusts the system's roots.
pub(super) fn tls() -> Tls {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for error in &found.errors {
        tracing::debug!(%error, "could not read a system CA certificate");
    }
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    tracing::debug!(added, ignored, "system CA certificates for PostgreSQL");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    MakeRustlsConnect::new(config)
}

/// A pool of up to `size` connections; a connection that broke (the
/// server restarted, say) is replaced when next taken.
pub(super) fn pool(
    config: tokio_postgres::Config,
    tls: Tls,
    size: usize,
    connect_timeout: Duration,
) -> Result<Pool> {
    let manager = Manager::from_config(
        config,
        tls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .create_timeout(Some(connect_timeout))
        .wait_timeout(Some(connect_timeout))
        .build()
        .map_err(|error| Error::Database(Box::new(error)))
}
