//! Finding a free TCP port on loopback.

use std::io;
use std::net::{Ipv4Addr, TcpListener};

/// Returns a TCP port on 127.0.0.1 that was free a moment ago.
///
/// The kernel picks the port (we bind port 0 and read back what it chose),
/// then the listener is closed so that a child process can bind it. Another
/// process could in principle take it in between; the kernel hands out
/// ephemeral ports in rotation, so in practice this does not happen between
/// tests of one run.
pub fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_port_can_be_bound() {
        let port = free_port().unwrap();
        assert_ne!(port, 0);
        TcpListener::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
    }
}
