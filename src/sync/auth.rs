//! Authentication of the main store's push requests: HMAC-SHA256 over `timestamp + "." + body`
//! with a shared secret, sent as `X-Tracuu-Timestamp: <unix seconds>` and
//! `X-Tracuu-Signature: sha256=<hex>`. Requests outside the time window are refused; replays are
//! refused by the caller recording each accepted signature. Several secrets may be valid at once,
//! so a secret rotates without downtime: add the new one, move the sender, remove the old one.
//!
//! Requests without a body (the main store fetching QR images and receipts to print) are signed
//! the same way over `timestamp + "." + METHOD + "." + path?query` (see [`sign_request`]). Such
//! reads are not recorded against replay: repeating one within the window only reads again.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// Header carrying the request time (unix seconds).
pub const TIMESTAMP_HEADER: &str = "x-tracuu-timestamp";
/// Header carrying `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "x-tracuu-signature";

type HmacSha256 = Hmac<Sha256>;

/// Why a request was not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the timestamp or signature header is missing or malformed")]
    Missing,
    #[error("the timestamp is outside the allowed window")]
    Expired,
    #[error("the signature does not match any configured secret")]
    Invalid,
    #[error("push is disabled: no shared secret is configured")]
    Disabled,
}

impl AuthError {
    /// The error code a client sees.
    pub fn code(self) -> crate::error::Code {
        use crate::error::Code;
        match self {
            AuthError::Missing => Code::SignatureMissing,
            AuthError::Expired => Code::SignatureExpired,
            AuthError::Invalid => Code::SignatureInvalid,
            AuthError::Disabled => Code::SyncDisabled,
        }
    }
}

/// Checks signatures against the configured secrets.
pub struct Verifier {
    secrets: Vec<SecretString>,
    window_secs: i64,
}

/// `sha256=<hex>` for `body` sent at `timestamp` under `secret` (what a sender computes).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// `sha256=<hex>` for a bodiless request: HMAC over `"<timestamp>.<METHOD>.<path?query>"`, the
/// path and query exactly as sent (what a sender of a signed GET computes).
pub fn sign_request(secret: &str, timestamp: i64, method: &str, path_and_query: &str) -> String {
    let message = request_message(method, path_and_query);
    sign(secret, timestamp, message.as_bytes())
}

/// What a bodiless request signs after `"<timestamp>."`. A push body is JSON, so it never starts
/// with a method name: the two kinds of signed messages cannot be confused.
fn request_message(method: &str, path_and_query: &str) -> String {
    format!("{}.{path_and_query}", method.to_ascii_uppercase())
}

impl Verifier {
    /// Verifies a signed bodiless request (`GET` of a QR image or receipt).
    pub fn verify_request(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        method: &str,
        path_and_query: &str,
        now_unix: i64,
    ) -> Result<(), AuthError> {
        let message = request_message(method, path_and_query);
        self.verify(timestamp, signature, message.as_bytes(), now_unix)
            .map(|_| ())
    }

    /// True when at least one secret is configured.
    pub fn enabled(&self) -> bool {
        !self.secrets.is_empty()
    }

    /// A verifier over `secrets` (empty: push disabled) with a window of ± `window_secs`.
    pub fn new(secrets: Vec<SecretString>, window_secs: u64) -> Self {
        Self {
            secrets: secrets
                .into_iter()
                .filter(|s| !s.expose_secret().trim().is_empty())
                .collect(),
            window_secs: i64::try_from(window_secs).unwrap_or(300),
        }
    }

    /// What can be checked before the body is read: push is enabled, both headers are well
    /// formed, and the timestamp is within the window. A request that fails here costs no body.
    pub fn precheck(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        now_unix: i64,
    ) -> Result<(), AuthError> {
        if self.secrets.is_empty() {
            return Err(AuthError::Disabled);
        }
        let timestamp: i64 = timestamp
            .and_then(|t| t.trim().parse().ok())
            .ok_or(AuthError::Missing)?;
        signature
            .and_then(|s| s.trim().strip_prefix("sha256="))
            .filter(|digits| digits.len() == 64 && digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or(AuthError::Missing)?;
        if (now_unix - timestamp).abs() > self.window_secs {
            return Err(AuthError::Expired);
        }
        Ok(())
    }

    /// Verifies one request; on success returns the signature bytes (the replay key).
    pub fn verify(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now_unix: i64,
    ) -> Result<Vec<u8>, AuthError> {
        if self.secrets.is_empty() {
            return Err(AuthError::Disabled);
        }
        let timestamp: i64 = timestamp
            .and_then(|t| t.trim().parse().ok())
            .ok_or(AuthError::Missing)?;
        let signature = signature
            .and_then(|s| s.trim().strip_prefix("sha256="))
            .and_then(|hex_digits| hex::decode(hex_digits).ok())
            .filter(|bytes| bytes.len() == 32)
            .ok_or(AuthError::Missing)?;
        if (now_unix - timestamp).abs() > self.window_secs {
            return Err(AuthError::Expired);
        }
        let matches = self.secrets.iter().any(|secret| {
            let mut mac = HmacSha256::new_from_slice(secret.expose_secret().as_bytes())
                .expect("HMAC takes any key length");
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            // Constant-time comparison.
            mac.verify_slice(&signature).is_ok()
        });
        if matches {
            Ok(signature)
        } else {
            Err(AuthError::Invalid)
        }
    }

    /// Seconds either side of now a timestamp may be.
    pub fn window_secs(&self) -> i64 {
        self.window_secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier() -> Verifier {
        Verifier::new(
            vec![
                SecretString::from("old-secret"),
                SecretString::from("new-secret"),
            ],
            300,
        )
    }

    #[test]
    fn a_request_signed_with_either_rotated_secret_is_accepted() {
        let body = br#"[{"code":"x"}]"#;
        for secret in ["old-secret", "new-secret"] {
            let signature = sign(secret, 1_000, body);
            assert!(verifier()
                .verify(Some("1000"), Some(&signature), body, 1_100)
                .is_ok());
        }
    }

    #[test]
    fn wrong_missing_and_expired_signatures_are_refused() {
        let body = b"[]";
        let good = sign("new-secret", 1_000, body);
        let v = verifier();
        assert_eq!(
            v.verify(None, Some(&good), body, 1_000),
            Err(AuthError::Missing)
        );
        assert_eq!(
            v.verify(Some("1000"), None, body, 1_000),
            Err(AuthError::Missing)
        );
        assert_eq!(
            v.verify(Some("1000"), Some("sha256=zz"), body, 1_000),
            Err(AuthError::Missing)
        );
        assert_eq!(
            v.verify(Some("1000"), Some(&sign("other", 1_000, body)), body, 1_000),
            Err(AuthError::Invalid)
        );
        assert_eq!(
            v.verify(Some("1000"), Some(&good), b"[1]", 1_000),
            Err(AuthError::Invalid)
        );
        assert_eq!(
            v.verify(Some("1000"), Some(&good), body, 1_301),
            Err(AuthError::Expired)
        );
        assert_eq!(
            v.verify(Some("1000"), Some(&good), body, 699),
            Err(AuthError::Expired)
        );
    }

    #[test]
    fn a_signed_get_covers_method_path_and_query() {
        let v = verifier();
        let path = "/api/v1/dossiers/H57.132-260804-0583/qr.png?size=300";
        let signature = sign_request("new-secret", 1_000, "GET", path);
        assert_eq!(
            v.verify_request(Some("1000"), Some(&signature), "GET", path, 1_010),
            Ok(())
        );
        for (method, other) in [
            (
                "GET",
                "/api/v1/dossiers/H57.132-260804-0583/qr.png?size=301",
            ),
            (
                "GET",
                "/api/v1/dossiers/H57.132-260804-0584/qr.png?size=300",
            ),
            ("HEAD", path),
        ] {
            assert_eq!(
                v.verify_request(Some("1000"), Some(&signature), method, other, 1_010),
                Err(AuthError::Invalid)
            );
        }
        assert_eq!(
            v.verify_request(Some("1000"), Some(&signature), "GET", path, 2_000),
            Err(AuthError::Expired)
        );
    }

    #[test]
    fn without_secrets_push_is_disabled() {
        let v = Verifier::new(vec![SecretString::from("  ")], 300);
        assert_eq!(
            v.verify(Some("1"), Some("sha256=00"), b"", 1),
            Err(AuthError::Disabled)
        );
    }
}
