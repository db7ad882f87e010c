//! The SMS channel through Kannel (issue 5). Kannel's smsbox calls [`inbound`] for every message
//! a citizen texts to the short code and sends our answer back as the reply; it calls [`dlr`]
//! with delivery reports of what [`sender`] pushed through its sendsms interface. Both endpoints
//! sit under `/sms/v1/kannel/{secret}/`: Kannel cannot sign requests, so the caller must come
//! from an allowed address and know the secret in the URL.

pub mod dlr;
pub mod inbound;
pub mod limits;
pub mod recorder;
pub mod sender;

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Arc;

use actix_web::{web, HttpRequest};
use secrecy::ExposeSecret;

use crate::config::{Settings, SmsSettings};
use crate::domain::sms::{Keywords, SmsRenderer};
use crate::error::{AppError, Code};
use crate::http::operator::{canonical, client_address};
use crate::lookup::guard::ClientKey;
use crate::lookup::LookupService;
use crate::notify::NotifyService;
use crate::telemetry::Metrics;
use limits::{RecentKeys, SenderLimits};
use recorder::Recorder;

/// Everything the SMS handlers share.
pub struct SmsState {
    pub settings: SmsSettings,
    pub keywords: Keywords,
    pub renderer: SmsRenderer,
    pub lookup: Arc<LookupService>,
    /// Subscriptions, the record of inbound messages, the outbox.
    pub notify: Arc<NotifyService>,
    pub limits: SenderLimits,
    /// Texts seen in the last minute, by sender.
    pub recent: RecentKeys,
    /// Kannel message ids seen in the last hour.
    pub ids: RecentKeys,
    pub recorder: Recorder,
    pub metrics: Arc<Metrics>,
    /// The public address of this service, for the links replies carry.
    pub public_base_url: String,
    /// Keys senders into rate-limit buckets without keeping their numbers as keys.
    pseudonyms: RandomState,
    /// `http.trusted_proxies`: the allowed-address check reads the client these proxies
    /// forwarded for, never the proxy's own address.
    trusted_proxies: Vec<IpAddr>,
}

impl SmsState {
    /// Builds the state; `connection` is the database the inbound recorder writes to.
    pub fn new(
        settings: &Settings,
        lookup: Arc<LookupService>,
        notify: Arc<NotifyService>,
        connection: &str,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<Self> {
        let keywords = settings.sms.keywords.table();
        Ok(Self {
            renderer: SmsRenderer::new(
                &keywords,
                &settings.province.hotline,
                &settings.sms.short_code,
            )?,
            keywords,
            settings: settings.sms.clone(),
            limits: SenderLimits::new(&settings.sms, settings.rate_limit.enabled),
            recent: RecentKeys::new(std::time::Duration::from_secs(60)),
            ids: RecentKeys::new(std::time::Duration::from_secs(3_600)),
            recorder: Recorder::start(connection, &settings.database)?,
            metrics,
            public_base_url: settings
                .province
                .public_base_url
                .trim_end_matches('/')
                .to_owned(),
            lookup,
            notify,
            pseudonyms: RandomState::new(),
            trusted_proxies: settings.http.trusted_proxies.clone(),
        })
    }

    /// The rate-limit key of a sender: a keyed hash, not the number.
    pub fn client_key(&self, sender: &str) -> ClientKey {
        ClientKey::Named(Arc::from(format!(
            "sms:{:016x}",
            self.pseudonyms.hash_one(sender)
        )))
    }

    /// Lets the request through only from an allowed address with the right secret. The address
    /// is the client's as `http.trusted_proxies` establish it ([`client_address`]): behind nginx
    /// on the same host, a citizen forwarded from the internet is not "127.0.0.1".
    pub fn authorise(&self, req: &HttpRequest, secret: &str) -> Result<(), AppError> {
        let Some(expected) = &self.settings.inbound_secret else {
            return Err(AppError::new(Code::SmsDisabled));
        };
        let client = client_address(req.head(), &self.trusted_proxies);
        let allowed = client.is_some_and(|ip| {
            self.settings
                .allowed_addresses
                .iter()
                .any(|a| canonical(*a) == ip)
        });
        if !allowed || !constant_time_eq(expected.expose_secret().as_bytes(), secret.as_bytes()) {
            return Err(AppError::new(Code::SmsForbidden));
        }
        Ok(())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Registers the SMS routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/sms/v1/kannel/{secret}/inbound")
            .route(web::get().to(inbound::receive_sms))
            .route(web::post().to(inbound::receive_sms))
            .route(web::to(crate::http::method_not_allowed)),
    )
    .service(
        web::resource("/sms/v1/kannel/{secret}/dlr")
            .route(web::get().to(dlr::record_delivery_report))
            .route(web::post().to(dlr::record_delivery_report))
            .route(web::to(crate::http::method_not_allowed)),
    );
}

/// Query parameters as raw bytes (percent-decoded, `+` as space): Kannel passes the text in the
/// message's charset, which need not be UTF-8.
pub fn query_pairs(query: &str) -> Vec<(String, Vec<u8>)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (
                String::from_utf8_lossy(&percent_decode(key)).into_owned(),
                percent_decode(value),
            )
        })
        .collect()
}

/// Percent-decoding with `+` as a space; malformed escapes are kept as they are.
pub fn percent_decode(raw: &str) -> Vec<u8> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_decode_to_bytes() {
        let pairs = query_pairs("from=%2B84912345678&text=HS+000%2E00&x=%E1%BB%93&bad=%zz%4");
        assert_eq!(pairs[0], ("from".into(), b"+84912345678".to_vec()));
        assert_eq!(pairs[1].1, b"HS 000.00".to_vec());
        assert_eq!(String::from_utf8(pairs[2].1.clone()).unwrap(), "ồ");
        assert_eq!(pairs[3].1, b"%zz%4".to_vec());
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
