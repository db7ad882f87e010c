//! Random tokens (session ids, CSRF tokens, device ids), their stored hashes, constant-time
//! comparison, and the cookies that carry them.

use actix_web::cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};

/// The staff session cookie.
pub const SESSION_COOKIE: &str = "tracuu_staff";
/// The double-submit CSRF cookie of forms used before login (public forms, the login form).
pub const CSRF_COOKIE: &str = "tracuu_csrf";
/// A browser's anonymous id, so that one device votes once per answer.
pub const DEVICE_COOKIE: &str = "tracuu_device";

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The operating system's generator failing is not something to serve requests through.
    getrandom::fill(&mut bytes).expect("the OS random number generator works");
    hex::encode(bytes)
}

/// SHA-256 of a token: what is stored instead of it.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Compares two tokens without leaking where they differ.
pub fn tokens_equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A `HttpOnly`, `SameSite=Strict` cookie for the whole site, `Secure` unless configured off.
pub fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    max_age_secs: i64,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::seconds(max_age_secs))
        .finish()
}

/// A cookie that removes `name` from the browser.
pub fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut c = cookie(name, String::new(), secure, 0);
    c.make_removal();
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_compare_exactly() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(tokens_equal(&a, &a.clone()));
        assert!(!tokens_equal(&a, &b));
        assert!(!tokens_equal(&a, &a[..63]));
        assert_eq!(token_hash(&a).len(), 32);
    }
}
