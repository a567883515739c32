//! Certificates for `localhost`, made with `openssl`, so that the STARTTLS
//! path can be tested end to end: a self-signed one, or one issued by a
//! private CA made for the test (as a site's internal CA would).

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
    /// What a client must trust: the certificate itself when self-signed,
    /// else the CA that issued it.
    pub(crate) trust: PathBuf,
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
        trust: dir.join(format!("{domain}.crt")),
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

/// Writes a private CA (`ca.crt`, `ca.key`) into `dir`, and `DOMAIN.crt`
/// and `DOMAIN.key`: a certificate for `domain` that the CA issued, valid
/// for two days. Clients must trust the CA, not the certificate.
pub(crate) fn generate_from_private_ca(dir: &Path, domain: &str) -> Result<TlsFiles, Error> {
    let (ca_certificate, ca_key) = (dir.join("ca.crt"), dir.join("ca.key"));
    let mut ca = OPENSSL.command(&[
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
        "/CN=Seshat test CA".as_ref(),
        "-addext".as_ref(),
        "basicConstraints=critical,CA:TRUE".as_ref(),
        "-addext".as_ref(),
        "keyUsage=critical,keyCertSign,cRLSign".as_ref(),
        "-keyout".as_ref(),
        ca_key.as_os_str(),
        "-out".as_ref(),
        ca_certificate.as_os_str(),
    ] as &[&std::ffi::OsStr]);
    command::run(OPENSSL, &mut ca)?;

    let files = TlsFiles {
        certificate: dir.join(format!("{domain}.crt")),
        key: dir.join(format!("{domain}.key")),
        trust: ca_certificate.clone(),
    };
    let request = dir.join(format!("{domain}.csr"));
    let subject = format!("/CN={domain}");
    let mut csr = OPENSSL.command(&[
        "req".as_ref(),
        "-new".as_ref(),
        "-newkey".as_ref(),
        "ec".as_ref(),
        "-pkeyopt".as_ref(),
        "ec_paramgen_curve:prime256v1".as_ref(),
        "-nodes".as_ref(),
        "-subj".as_ref(),
        subject.as_ref(),
        "-keyout".as_ref(),
        files.key.as_os_str(),
        "-out".as_ref(),
        request.as_os_str(),
    ] as &[&std::ffi::OsStr]);
    command::run(OPENSSL, &mut csr)?;

    let extensions = dir.join(format!("{domain}.ext"));
    std::fs::write(
        &extensions,
        format!(
            "subjectAltName=DNS:{domain}\nbasicConstraints=critical,CA:FALSE\n\
             extendedKeyUsage=serverAuth\n"
        ),
    )
    .map_err(|e| Error::io(format!("write {}", extensions.display()), e))?;
    let mut sign = OPENSSL.command(&[
        "x509".as_ref(),
        "-req".as_ref(),
        "-in".as_ref(),
        request.as_os_str(),
        "-CA".as_ref(),
        ca_certificate.as_os_str(),
        "-CAkey".as_ref(),
        ca_key.as_os_str(),
        "-CAcreateserial".as_ref(),
        "-days".as_ref(),
        "2".as_ref(),
        "-extfile".as_ref(),
        extensions.as_os_str(),
        "-out".as_ref(),
        files.certificate.as_os_str(),
    ] as &[&std::ffi::OsStr]);
    command::run(OPENSSL, &mut sign)?;
    Ok(files)
}
