//! Staff passwords: argon2id (the crate's default parameters, OWASP's minimum: 19 MiB, 2 passes),
//! PHC strings with a random salt. Hashing runs off the async threads.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Hashes `password` (argon2id, random salt) into a PHC string.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Checks the password policy; the error is a Vietnamese message.
pub fn check_policy(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("Mật khẩu cần ít nhất {MIN_PASSWORD_CHARS} ký tự."));
    }
    if password.chars().count() > 200 {
        return Err("Mật khẩu dài quá 200 ký tự.".to_owned());
    }
    Ok(())
}

/// [`hash_password`] on a blocking thread.
pub async fn hash_password_blocking(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await?
}

/// [`verify_password`] on a blocking thread.
pub async fn verify_password_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("mật khẩu đủ dài 123").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("mật khẩu đủ dài 123", &hash));
        assert!(!verify_password("mật khẩu đủ dài 124", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_policy("ngan").is_err());
        assert!(check_policy("du-muoi-ky-tu").is_ok());
    }
}
