//! A self-signed certificate for `localhost`, made with `openssl`, so that
//! the STARTTLS path can be tested end to end.

use std::path::{Path, PathBuf};

use super::command::{self, OPENSSL};
use crate::Error;

/// Where the certificate and its private key were written.
#[derive(Clone, Debug)]
pub(crate) struct TlsFiles {
    /// PEM certificate; also what a client must trust (`SSL_CERT_FILE`).
    pub(crate) certificate: PathBuf,
    /// PEM private key, unencrypted.
    pub(crate) key: PathBuf,
}

/// Writes `DOMAIN.crt` and `DOMAIN.key` into `dir`: a self-signed
/// certificate valid for two days whose subject and subjectAltName are
/// `domain`.
///
/// The certificate is marked as *not* a CA: rustls refuses a CA certificate
/// presented as a server's own, while it happily uses a non-CA one as the
/// trust anchor that verifies itself. An EC key keeps generation fast.
pub(crate) fn generate_self_signed(dir: &Path, domain: &str) -> Result<TlsFiles, Error> {
    let files = TlsFiles {
        certificate: dir.join(format!("{domain}.crt")),
        key: dir.join(format!("{domain}.key")),
    };
    let subject = format!("/CN={domain}");
    let alt_name = format!("subjectAltName=DNS:{domain}");
    let mut command = OPENSSL.command(&[
        "req".as_ref(),
        "-x509".as_ref(),
        "-newkey".as_ref(),
        "ec".as_ref(),
        "-pkeyopt".as_ref(),
        "ec_paramgen_curve:prime256v1".as_ref(),
        "-nodes".as_ref(),
        "-days".as_ref(),
        "2".as_ref(),
        "-subj".as_ref(),
        subject.as_ref(),
        "-addext".as_ref(),
        alt_name.as_ref(),
        "-addext".as_ref(),
        "basicConstraints=critical,CA:FALSE".as_ref(),
        "-keyout".as_ref(),
        files.key.as_os_str(),
        "-out".as_ref(),
        files.certificate.as_os_str(),
    ] as &[&std::ffi::OsStr]);
    command::run(OPENSSL, &mut command)?;
    Ok(files)
}
