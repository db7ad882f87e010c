//! Who may reach the operator endpoints (`/metrics`, the sync push `/sync/v1/*`, Kannel's
//! `/sms/v1/*`, the details of `/readyz`): clients whose real address, exactly, is one of
//! `http.operator_addresses` (docs/decisions/0044). The endpoints keep their own authentication
//! (signatures, Kannel's secret and addresses); this is a layer before it.

use std::net::IpAddr;
use std::sync::Arc;

use actix_web::dev::RequestHead;
use actix_web::guard::{Guard, GuardContext};

use crate::config::HttpSettings;

/// The address a request really came from: the peer, or, when the peer is one of our trusted
/// proxies, the rightmost address of `X-Forwarded-For` that is not one of them. Exact (an IPv6
/// address is not folded to its /64); an IPv4-mapped IPv6 address is given as IPv4.
pub fn client_address(head: &RequestHead, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = canonical(head.peer_addr?.ip());
    if !trusted_proxies.iter().any(|p| canonical(*p) == peer) {
        return Some(peer);
    }
    let client = head
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .map(canonical)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .find(|ip| !trusted_proxies.iter().any(|p| canonical(*p) == *ip))
        .unwrap_or(peer);
    Some(client)
}

/// IPv4-mapped IPv6 addresses as IPv4; everything else as it is.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Whether the request comes from one of `http.operator_addresses`.
pub fn is_operator(head: &RequestHead, http: &HttpSettings) -> bool {
    client_address(head, &http.trusted_proxies).is_some_and(|client| {
        http.operator_addresses
            .iter()
            .any(|allowed| canonical(*allowed) == client)
    })
}

/// A route guard that lets only operator addresses match: anyone else falls through to the
/// unknown-route answer, so the public cannot tell the endpoint exists.
#[derive(Clone)]
pub struct OperatorOnly(pub Arc<HttpSettings>);

impl Guard for OperatorOnly {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        is_operator(ctx.head(), &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn settings(operators: &[&str], proxies: &[&str]) -> HttpSettings {
        HttpSettings {
            operator_addresses: operators.iter().map(|a| a.parse().unwrap()).collect(),
            trusted_proxies: proxies.iter().map(|a| a.parse().unwrap()).collect(),
            ..HttpSettings::default()
        }
    }

    fn from(peer: &str, forwarded: Option<&str>) -> actix_web::HttpRequest {
        let mut req = TestRequest::default().peer_addr(format!("{peer}:4000").parse().unwrap());
        if let Some(xff) = forwarded {
            req = req.insert_header(("x-forwarded-for", xff));
        }
        req.to_http_request()
    }

    #[test]
    fn the_default_allows_loopback_only() {
        let http = HttpSettings::default();
        assert!(is_operator(from("127.0.0.1", None).head(), &http));
        assert!(is_operator(from("[::1]", None).head(), &http));
        assert!(!is_operator(from("127.0.0.9", None).head(), &http));
        assert!(!is_operator(from("203.0.113.7", None).head(), &http));
    }

    #[test]
    fn behind_a_trusted_proxy_the_forwarded_client_counts_not_the_proxy() {
        let http = settings(&["127.0.0.1", "10.0.0.5"], &["127.0.0.1"]);
        let public = from("127.0.0.1", Some("203.0.113.7"));
        assert!(!is_operator(public.head(), &http), "nginx on loopback");
        let operator = from("127.0.0.1", Some("10.0.0.5"));
        assert!(is_operator(operator.head(), &http));
        // Forwarded-for from an untrusted peer is not believed.
        let spoofed = from("203.0.113.7", Some("10.0.0.5"));
        assert!(!is_operator(spoofed.head(), &http));
    }

    #[test]
    fn ipv6_operators_are_exact_addresses_not_their_slash_64() {
        let http = settings(&["2001:db8::10"], &[]);
        assert!(is_operator(from("[2001:db8::10]", None).head(), &http));
        assert!(!is_operator(from("[2001:db8::11]", None).head(), &http));
        let mapped = settings(&["10.0.0.5"], &[]);
        assert!(is_operator(from("[::ffff:10.0.0.5]", None).head(), &mapped));
    }
}
