//! HTTPS for the portal's HTTP client (ureq): rustls with the ring provider and the system's
//! root certificates, the same TLS stack the mail transport uses.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use ureq::{ReadWrite, TlsConnector};

/// Connects ureq's sockets through rustls.
pub struct Rustls(Arc<ClientConfig>);

impl Rustls {
    /// With the system's roots (`SSL_CERT_FILE`/`SSL_CERT_DIR` override them).
    pub fn with_native_roots() -> Rustls {
        let mut roots = RootCertStore::empty();
        let found = rustls_native_certs::load_native_certs();
        let (added, _) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            tracing::warn!(errors = ?found.errors, "no root certificates found: HTTPS calls to the portal will fail");
        }
        let config = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("the ring provider supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Rustls(Arc::new(config))
    }
}

struct Stream(StreamOwned<ClientConnection, Box<dyn ReadWrite>>);

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tls::Stream")
    }
}

impl ReadWrite for Stream {
    fn socket(&self) -> Option<&TcpStream> {
        self.0.get_ref().socket()
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.read(buf) {
            // A server that closes without close_notify ends the body all the same.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
            other => other,
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl TlsConnector for Rustls {
    fn connect(&self, dns_name: &str, io: Box<dyn ReadWrite>) -> Result<Box<dyn ReadWrite>, ureq::Error> {
        let host = dns_name.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(host.to_string())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("TLS name '{host}': {e}")))?;
        let conn = ClientConnection::new(self.0.clone(), name).map_err(io::Error::other)?;
        Ok(Box::new(Stream(StreamOwned::new(conn, io))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_goes_through_rustls() {
        let agent = ureq::AgentBuilder::new()
            .tls_connector(Arc::new(Rustls::with_native_roots()))
            .timeout(std::time::Duration::from_millis(300))
            .build();
        // A socket that never answers the handshake: it times out in TLS, where ureq alone
        // would refuse at once with "no TLS backend is configured".
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let err = agent.get(&format!("https://127.0.0.1:{port}/")).call().unwrap_err();
        assert!(!err.to_string().contains("no TLS backend"), "{err}");
        let plain = ureq::AgentBuilder::new().build();
        let err = plain.get(&format!("https://127.0.0.1:{port}/")).call().unwrap_err();
        assert!(err.to_string().contains("no TLS backend"), "{err}");
    }
}
