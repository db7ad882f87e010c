//! Kiosks that prove themselves: a request with `X-Kiosk-Id` and that kiosk's configured
//! `X-Kiosk-Key` is counted as the kiosk ([`ClientKey::Kiosk`]), with a service centre's budgets,
//! instead of by its address, which all kiosks of a centre share behind one NAT
//! (docs/decisions/0044). A key that does not match is refused, never counted as the public.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::HttpRequest;
use secrecy::{ExposeSecret, SecretString};

use crate::config::KioskSettings;
use crate::domain::KioskId;
use crate::error::{AppError, Code};
use crate::lookup::guard::ClientKey;

/// Header a kiosk names itself in.
pub const KIOSK_ID_HEADER: &str = "x-kiosk-id";
/// Header a kiosk sends its key in.
pub const KIOSK_KEY_HEADER: &str = "x-kiosk-key";

/// The configured kiosk keys, by kiosk id.
pub struct KioskKeys {
    keys: HashMap<KioskId, SecretString>,
}

impl KioskKeys {
    /// The keys of `kiosk.keys` (validated at start-up).
    pub fn new(settings: &KioskSettings) -> anyhow::Result<Self> {
        Ok(Self {
            keys: settings.key_table()?.into_iter().collect(),
        })
    }

    /// The kiosk a request proves itself to be: `Ok(None)` without `X-Kiosk-Key` (the request is
    /// counted as the public), the kiosk's id with a key that matches its id's, and
    /// `kiosk_key_invalid` for any other key, or a key without a well-formed id.
    pub fn verify(&self, req: &HttpRequest) -> Result<Option<KioskId>, AppError> {
        let Some(key) = req.headers().get(KIOSK_KEY_HEADER) else {
            return Ok(None);
        };
        let id = req
            .headers()
            .get(KIOSK_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| KioskId::parse(v).ok());
        let expected = id.as_ref().and_then(|id| self.keys.get(id));
        let matches = expected.is_some_and(|expected| {
            constant_time_eq(expected.expose_secret().as_bytes(), key.as_bytes())
        });
        match id {
            Some(id) if matches => Ok(Some(id)),
            Some(id) => {
                tracing::warn!(kiosk.id = %id, "kiosk key refused for kiosk {id}");
                Err(AppError::new(Code::KioskKeyInvalid))
            }
            None => {
                tracing::warn!("kiosk key refused: no well-formed X-Kiosk-Id");
                Err(AppError::new(Code::KioskKeyInvalid))
            }
        }
    }

    /// Whether `id` has a configured key: what is said in its name (a satisfaction rating)
    /// must then carry that key.
    pub fn has_key(&self, id: &KioskId) -> bool {
        self.keys.contains_key(id)
    }

    /// The rate-limit key of a kiosk that proved itself.
    pub fn client_key(id: &KioskId) -> ClientKey {
        ClientKey::Kiosk(Arc::from(id.as_ref()))
    }
}

/// Equal bytes, compared in time that depends on the length only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn keys() -> KioskKeys {
        KioskKeys::new(&KioskSettings {
            keys: vec![
                SecretString::from("K1:kiosk-one-secret-000"),
                SecretString::from("K2:kiosk-two-secret-000"),
            ],
            ..KioskSettings::default()
        })
        .expect("keys")
    }

    fn request(headers: &[(&str, &str)]) -> HttpRequest {
        let mut req = TestRequest::default();
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        req.to_http_request()
    }

    #[test]
    fn a_kiosk_with_its_own_key_is_that_kiosk() {
        let id = keys()
            .verify(&request(&[
                ("x-kiosk-id", "K2"),
                ("x-kiosk-key", "kiosk-two-secret-000"),
            ]))
            .expect("valid")
            .expect("a kiosk");
        assert_eq!(id.as_ref(), "K2");
    }

    #[test]
    fn without_a_key_the_request_is_the_public() {
        let found = keys()
            .verify(&request(&[("x-kiosk-id", "K1")]))
            .expect("no key is no error");
        assert!(found.is_none());
    }

    #[test]
    fn another_kiosks_key_a_wrong_key_or_a_key_without_an_id_is_refused() {
        for headers in [
            vec![
                ("x-kiosk-id", "K1"),
                ("x-kiosk-key", "kiosk-two-secret-000"),
            ],
            vec![
                ("x-kiosk-id", "K1"),
                ("x-kiosk-key", "kiosk-one-secret-001"),
            ],
            vec![
                ("x-kiosk-id", "K9"),
                ("x-kiosk-key", "kiosk-one-secret-000"),
            ],
            vec![("x-kiosk-key", "kiosk-one-secret-000")],
            vec![
                ("x-kiosk-id", "bad id"),
                ("x-kiosk-key", "kiosk-one-secret-000"),
            ],
        ] {
            let error = keys().verify(&request(&headers)).expect_err("refused");
            assert_eq!(error.code, Code::KioskKeyInvalid, "{headers:?}");
        }
    }
}
