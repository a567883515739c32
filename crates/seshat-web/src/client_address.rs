//! Who is asking: the visitor's address, as the key of the rate limits.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName};

use crate::state::AppState;

/// The visitor's address as far as it can be known, reduced to what one
/// visitor controls: an IPv4 address, or the /64 network of an IPv6 one
/// (a single home or phone is usually given a whole /64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddress(pub Option<IpAddr>);

/// Warn once, not on every request, when the application serves the
/// routes without connection info.
static WARNED_NO_PEER: AtomicBool = AtomicBool::new(false);

/// Any state that holds the routes' state (the WebSocket route's does).
impl<S> FromRequestParts<S> for ClientAddress
where
    S: Send + Sync,
    Arc<AppState>: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = Arc::<AppState>::from_ref(state);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip());
        let header = state.options.client_address_header.as_ref();
        let address = find_address(&parts.headers, peer, header);
        if address.is_none() && !WARNED_NO_PEER.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "the visitor's address is unknown, so all visitors share one rate limit: \
                 serve the app with into_make_service_with_connect_info::<SocketAddr>()"
            );
        }
        Ok(ClientAddress(address.map(rate_limit_key)))
    }
}

/// The address the proxy header names, if one is configured and holds an
/// address, else the TCP peer.
pub fn find_address(
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    header: Option<&HeaderName>,
) -> Option<IpAddr> {
    header
        .and_then(|name| headers.get_all(name).iter().next_back())
        .and_then(|value| value.to_str().ok())
        // A proxy appends the address it saw; anything before it was
        // written by the client and proves nothing.
        .and_then(|list| list.rsplit(',').next())
        .and_then(|last| last.trim().parse::<IpAddr>().ok())
        .or(peer)
}

/// Collapses an address to the unit one visitor controls.
fn rate_limit_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(network))
            }
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    #[test]
    fn the_peer_is_used_without_a_configured_header() {
        let peer: IpAddr = "192.0.2.1".parse().unwrap();
        let sent = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(find_address(&sent, Some(peer), None), Some(peer));
    }

    #[test]
    fn the_last_forwarded_address_wins() {
        let name = HeaderName::from_static("x-forwarded-for");
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        let sent = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-for", "10.9.9.9, 198.51.100.7"),
        ]);
        assert_eq!(
            find_address(&sent, Some(peer), Some(&name)),
            Some("198.51.100.7".parse().unwrap())
        );
        let garbage = headers(&[("x-forwarded-for", "not an address")]);
        assert_eq!(find_address(&garbage, Some(peer), Some(&name)), Some(peer));
    }

    #[test]
    fn ipv6_addresses_share_a_key_per_64() {
        let a = rate_limit_key("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = rate_limit_key("2001:db8:1:2:bbbb::2".parse().unwrap());
        let other = rate_limit_key("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, other);
        assert_eq!(
            rate_limit_key("::ffff:192.0.2.1".parse().unwrap()),
            "192.0.2.1".parse::<IpAddr>().unwrap()
        );
    }
}
