//! Choosing where the demo listens: the usual port when it is free, any
//! free port when it is not (saying so), and exactly what the user asked
//! for when they asked.

use std::io;
use std::net::{SocketAddr, TcpListener};

/// The address to use, and why it is not the preferred one if it is not.
#[derive(Debug)]
pub struct Pick {
    /// Where to listen; port 0 means "any free port", left to the program
    /// that binds it.
    pub address: SocketAddr,
    /// Set when the preferred address was taken: why it could not be
    /// bound.
    pub preferred_taken: Option<io::Error>,
}

/// The address the user asked for, as it is; without one, `preferred` if
/// it can be bound right now, else the same host with port 0.
///
/// The probe closes its socket before returning, so another program could
/// take the port in between; the program that binds it then fails with a
/// clear message, which is all a demo needs.
pub fn explicit_or_preferred(explicit: Option<SocketAddr>, preferred: SocketAddr) -> Pick {
    if let Some(address) = explicit {
        return Pick {
            address,
            preferred_taken: None,
        };
    }
    match TcpListener::bind(preferred) {
        Ok(_probe) => Pick {
            address: preferred,
            preferred_taken: None,
        },
        Err(error) => Pick {
            address: SocketAddr::new(preferred.ip(), 0),
            preferred_taken: Some(error),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    #[test]
    fn a_free_preferred_address_is_used() {
        let free = seshat_testkit::free_port().unwrap();
        let preferred = SocketAddr::from((Ipv4Addr::LOCALHOST, free));
        let pick = explicit_or_preferred(None, preferred);
        assert_eq!(pick.address, preferred);
        assert!(pick.preferred_taken.is_none());
    }

    #[test]
    fn a_taken_preferred_address_gives_way_to_any_free_port() {
        let holder = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let preferred = holder.local_addr().unwrap();
        let pick = explicit_or_preferred(None, preferred);
        assert_eq!(pick.address, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        assert_eq!(
            pick.preferred_taken.unwrap().kind(),
            io::ErrorKind::AddrInUse
        );
    }

    #[test]
    fn an_explicit_address_is_kept_even_when_taken() {
        let holder = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let taken = holder.local_addr().unwrap();
        let other = SocketAddr::from((Ipv4Addr::LOCALHOST, 1));
        let pick = explicit_or_preferred(Some(taken), other);
        assert_eq!(pick.address, taken);
        assert!(pick.preferred_taken.is_none());
    }
}
