//! The HTTP kit every web-facing channel shares: the application state (the services), the key a
//! client is counted under, body reading, forms with CSRF, page rendering and error pages, and the
//! answers to unknown routes and methods. It knows services, never a channel.

pub mod body;
pub mod error;
pub mod forms;
pub mod kiosk_keys;
pub mod openapi;
pub mod operator;
pub mod pages;
pub mod staff;

use std::net::IpAddr;
use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use deadpool_postgres::Pool;
use handlebars::Handlebars;

use crate::config::Settings;
use crate::error::{AppError, Code};
use crate::lookup::guard::ClientKey;
use crate::lookup::LookupService;
use crate::sync::service::SyncService;
use crate::telemetry::Metrics;

/// Everything handlers need, shared by all workers.
pub struct AppState {
    pub settings: Arc<Settings>,
    pub lookup: Arc<LookupService>,
    pub templates: Arc<Handlebars<'static>>,
    pub metrics: Arc<Metrics>,
    pub pool: Pool,
    pub sync: Arc<SyncService>,
    pub intake: Arc<crate::intake::IntakeService>,
    pub intake_limits: Arc<crate::intake::limits::IntakeLimits>,
    /// The limits of staff logins.
    pub staff_logins: Arc<crate::staff::throttle::LoginThrottle>,
    pub hotline: Arc<crate::hotline::HotlineState>,
    /// The kiosks' keys.
    pub kiosk_keys: Arc<kiosk_keys::KioskKeys>,
}

/// The app's shared `T` (registered as `web::Data<T>`), borrowed from the request: for code that
/// has the request but no extractor, and for hot handlers (no reference count is touched).
pub fn app_data<T: 'static>(req: &HttpRequest) -> Result<&T, AppError> {
    req.app_data::<web::Data<T>>()
        .map(|data| &***data)
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "app data {} is not registered",
                std::any::type_name::<T>()
            ))
        })
}

/// The key rate limits count a web client under: its address, or the address a trusted reverse
/// proxy says it forwarded for ([`operator::client_address`]), an IPv6 address folded to its /64.
pub fn client_key(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> ClientKey {
    match operator::client_address(req.head(), trusted_proxies) {
        Some(client) => ClientKey::Ip(client_network(client)),
        None => ClientKey::Ip(IpAddr::from([0, 0, 0, 0])),
    }
}

/// The network one client stands for: an IPv4 address as it is (an IPv4-mapped IPv6 address
/// folded to it), and an IPv6 address's /64, since one subscriber is given a whole /64 and can
/// change the rest at will.
pub fn client_network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::from(segments)
            }
        },
    }
}

/// Unknown routes: JSON under `/api/`, a page elsewhere.
pub async fn not_found(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let error = AppError::new(Code::RouteNotFound);
    if req.path().starts_with("/api/") || req.path().starts_with("/sync/") {
        return actix_web::ResponseError::error_response(&error);
    }
    pages::error_page(&state, &error)
}

/// A known route with a method it does not take.
pub async fn method_not_allowed() -> Result<HttpResponse, AppError> {
    Err(AppError::new(Code::MethodNotAllowed))
}

/// The client key of a lookup or submission: the kiosk, when the request carries a kiosk's valid
/// id and key; otherwise its address, or the one a trusted proxy forwarded. A kiosk key that does
/// not match is refused (`kiosk_key_invalid`), never counted as the public.
pub fn client(req: &HttpRequest, state: &AppState) -> Result<ClientKey, AppError> {
    match state.kiosk_keys.verify(req)? {
        Some(kiosk) => Ok(kiosk_keys::KioskKeys::client_key(&kiosk)),
        None => Ok(client_key(req, &state.settings.http.trusted_proxies)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        assert_eq!(
            client_network(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            client_network(ip("2001:db8:1:2::1")),
            client_network(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            client_network(ip("2001:db8:1:2::1")),
            client_network(ip("2001:db8:1:3::1"))
        );
    }

    #[test]
    fn ipv4_clients_stay_whole_and_mapped_ones_fold_to_ipv4() {
        assert_eq!(client_network(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(client_network(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
        assert_ne!(
            client_network(ip("203.0.113.7")),
            client_network(ip("203.0.113.8"))
        );
    }
}
