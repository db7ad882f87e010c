//! The token printed in a receipt's QR code (docs/channels/qr-and-receipts.md): `/q/<code>?k=<token>` proves that
//! the holder has the receipt, so the landing page may show the detailed view without asking for
//! phone digits.
//!
//! A token is one key-id character followed by [`MAC_CHARS`] base32 characters: the first 50 bits
//! of HMAC-SHA256 over `"tracuu-qr-v1:" + canonical code` under the key with that id. The id makes
//! keys rotatable: a new key signs new receipts while receipts signed by a retired key stay valid
//! for a grace period. Fifty bits cannot be guessed behind the lookup rate limits (at 120 tries a
//! minute, 2^49 tries take millions of years) and keep the QR small: the whole token is 11
//! characters of the QR alphanumeric set. Pure computation, no I/O.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::{DomainError, DossierCode};

/// Base32 characters of the MAC part (50 bits).
pub const MAC_CHARS: usize = 10;
/// Characters of a whole token: key id plus MAC.
pub const TOKEN_LEN: usize = 1 + MAC_CHARS;
/// Domain separation: a QR MAC can never be mistaken for another HMAC made with the same secret.
const CONTEXT: &[u8] = b"tracuu-qr-v1:";
/// The context of tracking-link tokens of questions and feedback: the same keys sign them, and a
/// receipt's token never opens a question (or the reverse).
const TRACKING_CONTEXT: &[u8] = b"tracuu-tracking-v1:";
/// RFC 4648 base32 alphabet: upper-case letters and digits 2–7, all in the QR alphanumeric set.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

type HmacSha256 = Hmac<Sha256>;

fn invalid(reason: &'static str) -> DomainError {
    DomainError::InvalidQrToken { reason }
}

/// A well-formed token (not yet verified against any key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrToken(String);

impl QrToken {
    /// Checks the shape: exactly [`TOKEN_LEN`] characters, a key id from `0-9A-Z` and base32
    /// after it. Lower case is folded (a person may type it from a photo).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DomainError::Empty);
        }
        let count = trimmed.chars().count();
        if count > 64 {
            return Err(DomainError::TooLong { max: 64 });
        }
        if count != TOKEN_LEN {
            return Err(invalid(
                "mã xác thực phải có đúng 11 ký tự (có thể đã bị cắt ngắn)",
            ));
        }
        let upper = trimmed.to_ascii_uppercase();
        let mut chars = upper.chars();
        let id = chars.next().unwrap_or(' ');
        if !is_key_id(id) {
            return Err(invalid("ký tự đầu của mã xác thực không hợp lệ"));
        }
        if !chars.all(|c| c.is_ascii() && BASE32.contains(&(c as u8))) {
            return Err(invalid("mã xác thực có ký tự không hợp lệ"));
        }
        Ok(Self(upper))
    }

    /// The id of the key that signed it.
    pub fn key_id(&self) -> char {
        self.0.chars().next().unwrap_or('0')
    }

    fn mac(&self) -> &str {
        &self.0[1..]
    }
}

impl AsRef<str> for QrToken {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for QrToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Key ids are one character of `0-9A-Z`, so the token stays in the QR alphanumeric set.
pub fn is_key_id(c: char) -> bool {
    c.is_ascii_digit() || c.is_ascii_uppercase()
}

/// One signing key.
#[derive(Debug, Clone)]
pub struct QrKey {
    /// One character of `0-9A-Z`.
    pub id: char,
    /// The HMAC secret.
    pub secret: SecretString,
    /// When the key stopped signing new receipts; `None` while it is in service.
    pub retired_at: Option<DateTime<Utc>>,
}

/// What a token says about a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    /// Signed for this code by a key in service, or by a retired key within the grace period.
    Valid {
        /// The key's id.
        key_id: char,
        /// True when the key is retired (but still within its grace period).
        retired_key: bool,
    },
    /// The MAC does not match: altered, made up, or the token of another code.
    Forged,
    /// Signed by a retired key whose grace period is over.
    Outdated,
    /// No key has this id (a token from another installation, or a key removed from configuration).
    UnknownKey,
}

/// The configured keys: one signs, every key in service or within its grace period verifies.
#[derive(Debug, Clone)]
pub struct QrKeyring {
    keys: Vec<QrKey>,
    current: usize,
    grace: chrono::Duration,
}

impl QrKeyring {
    /// A keyring signing with the key whose id is `current`. Fails when ids repeat, a secret is
    /// empty, or the current key is missing or retired.
    pub fn new(keys: Vec<QrKey>, current: char, grace: chrono::Duration) -> Result<Self, String> {
        for (i, key) in keys.iter().enumerate() {
            if !is_key_id(key.id) {
                return Err(format!(
                    "key id {:?} must be one character of 0-9 or A-Z",
                    key.id
                ));
            }
            if key.secret.expose_secret().trim().is_empty() {
                return Err(format!("key {} has an empty secret", key.id));
            }
            if keys[..i].iter().any(|k| k.id == key.id) {
                return Err(format!("key id {} appears twice", key.id));
            }
        }
        let index = keys
            .iter()
            .position(|k| k.id == current)
            .ok_or_else(|| format!("the current key {current} is not among the keys"))?;
        if keys[index].retired_at.is_some() {
            return Err(format!("the current key {current} is marked retired"));
        }
        Ok(Self {
            keys,
            current: index,
            grace,
        })
    }

    /// The token for `code` under the current key.
    pub fn sign(&self, code: &DossierCode) -> QrToken {
        self.sign_in(CONTEXT, code.as_str())
    }

    /// Checks `token` against `code` at `now`.
    pub fn verify(&self, code: &DossierCode, token: &QrToken, now: DateTime<Utc>) -> TokenCheck {
        self.verify_in(CONTEXT, code.as_str(), token, now)
    }

    /// The token of the tracking link of a question or feedback item (its canonical tracking
    /// code), under the current key: what the submitter is given to follow a private item.
    pub fn sign_tracking(&self, tracking_code: &str) -> QrToken {
        self.sign_in(TRACKING_CONTEXT, tracking_code)
    }

    /// Checks a tracking link's `token` against the canonical `tracking_code` at `now`.
    pub fn verify_tracking(
        &self,
        tracking_code: &str,
        token: &QrToken,
        now: DateTime<Utc>,
    ) -> TokenCheck {
        self.verify_in(TRACKING_CONTEXT, tracking_code, token, now)
    }

    fn sign_in(&self, context: &[u8], subject: &str) -> QrToken {
        let key = &self.keys[self.current];
        let mut token = String::with_capacity(TOKEN_LEN);
        token.push(key.id);
        token.push_str(&mac_text(key, context, subject));
        QrToken(token)
    }

    fn verify_in(
        &self,
        context: &[u8],
        subject: &str,
        token: &QrToken,
        now: DateTime<Utc>,
    ) -> TokenCheck {
        let Some(key) = self.keys.iter().find(|k| k.id == token.key_id()) else {
            return TokenCheck::UnknownKey;
        };
        let expected = mac_text(key, context, subject);
        // Constant-time comparison of equal-length ASCII strings.
        let difference = expected
            .bytes()
            .zip(token.mac().bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if difference != 0 || expected.len() != token.mac().len() {
            return TokenCheck::Forged;
        }
        match key.retired_at {
            None => TokenCheck::Valid {
                key_id: key.id,
                retired_key: false,
            },
            Some(retired) if now <= retired + self.grace => TokenCheck::Valid {
                key_id: key.id,
                retired_key: true,
            },
            Some(_) => TokenCheck::Outdated,
        }
    }

    /// The id of the signing key.
    pub fn current_id(&self) -> char {
        self.keys[self.current].id
    }
}

/// The first 50 bits of the HMAC as 10 base32 characters.
fn mac_text(key: &QrKey, context: &[u8], subject: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(key.secret.expose_secret().as_bytes())
        .expect("HMAC takes any key length");
    mac.update(context);
    mac.update(subject.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut bits = u64::from_be_bytes([
        digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
    ]);
    let mut out = String::with_capacity(MAC_CHARS);
    for _ in 0..MAC_CHARS {
        out.push(char::from(BASE32[(bits >> 59) as usize]));
        bits <<= 5;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn key(id: char, secret: &str, retired_at: Option<DateTime<Utc>>) -> QrKey {
        QrKey {
            id,
            secret: SecretString::from(secret.to_owned()),
            retired_at,
        }
    }

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 0, 0, 0).unwrap()
    }

    fn code(raw: &str) -> DossierCode {
        DossierCode::parse(raw).unwrap()
    }

    fn ring(current: char) -> QrKeyring {
        QrKeyring::new(
            vec![
                key('A', "old-secret-0123456789", Some(at(1))),
                key('B', "new-secret-0123456789", None),
            ],
            current,
            chrono::Duration::days(10),
        )
        .unwrap()
    }

    #[test]
    fn a_signed_token_is_short_alphanumeric_and_verifies_for_its_code() {
        let ring = ring('B');
        let c = code("000.00.53.H48-220921-0099");
        let token = ring.sign(&c);
        assert_eq!(token.as_ref().len(), TOKEN_LEN);
        assert!(token.as_ref().starts_with('B'));
        assert!(token
            .as_ref()
            .chars()
            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit()));
        assert_eq!(
            ring.verify(&c, &token, at(2)),
            TokenCheck::Valid {
                key_id: 'B',
                retired_key: false
            }
        );
        assert_eq!(QrToken::parse(token.as_ref()).unwrap(), token);
    }

    #[test]
    fn a_token_of_another_code_or_with_a_flipped_character_is_forged() {
        let ring = ring('B');
        let one = code("000.00.53.H48-220921-0099");
        let other = code("000.00.53.H48-220921-0100");
        let token = ring.sign(&one);
        assert_eq!(ring.verify(&other, &token, at(2)), TokenCheck::Forged);
        let text = token.as_ref();
        for i in 1..TOKEN_LEN {
            let mut bytes = text.as_bytes().to_vec();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let flipped = QrToken::parse(std::str::from_utf8(&bytes).unwrap()).unwrap();
            assert_eq!(
                ring.verify(&one, &flipped, at(2)),
                TokenCheck::Forged,
                "{i}"
            );
        }
    }

    #[test]
    fn tracking_tokens_verify_for_their_item_only_and_never_as_receipt_tokens() {
        let ring = ring('B');
        let token = ring.sign_tracking("HD.20261123.0001");
        assert_eq!(token.as_ref().len(), TOKEN_LEN);
        assert!(matches!(
            ring.verify_tracking("HD.20261123.0001", &token, at(2)),
            TokenCheck::Valid { .. }
        ));
        assert_eq!(
            ring.verify_tracking("HD.20261123.0002", &token, at(2)),
            TokenCheck::Forged
        );
        // The same text as a dossier code would not parse, so compare with a receipt's token of
        // a real code: the contexts keep the two kinds apart.
        let c = code("000.00.53.H48-220921-0099");
        let receipt = ring.sign(&c);
        assert_eq!(
            ring.verify_tracking(c.as_str(), &receipt, at(2)),
            TokenCheck::Forged
        );
        assert_eq!(
            ring.verify(&c, &ring.sign_tracking(c.as_str()), at(2)),
            TokenCheck::Forged
        );
    }

    #[test]
    fn truncated_or_malformed_tokens_do_not_parse() {
        assert!(matches!(
            QrToken::parse("BABCDEFGHI"),
            Err(DomainError::InvalidQrToken { .. })
        ));
        assert!(matches!(
            QrToken::parse("BABCDEFGHIJK"),
            Err(DomainError::InvalidQrToken { .. })
        ));
        assert!(QrToken::parse("B1BCDEFGHIJ").is_err(), "1 is not base32");
        assert!(QrToken::parse("-ABCDEFGHIJ").is_err());
        assert!(QrToken::parse("bàbcdefghij").is_err());
        assert_eq!(QrToken::parse(""), Err(DomainError::Empty));
        assert_eq!(
            QrToken::parse("babcdefghij").unwrap().as_ref(),
            "BABCDEFGHIJ"
        );
    }

    #[test]
    fn a_retired_key_verifies_within_the_grace_period_only() {
        let old = QrKeyring::new(
            vec![key('A', "old-secret-0123456789", None)],
            'A',
            chrono::Duration::days(10),
        )
        .unwrap();
        let c = code("H57.132-260804-0583");
        let printed = old.sign(&c);
        let rotated = ring('B');
        assert_eq!(
            rotated.verify(&c, &printed, at(11)),
            TokenCheck::Valid {
                key_id: 'A',
                retired_key: true
            }
        );
        assert_eq!(rotated.verify(&c, &printed, at(12)), TokenCheck::Outdated);
        assert_ne!(rotated.sign(&c), printed, "new receipts use the new key");
    }

    #[test]
    fn a_token_of_an_unknown_key_is_reported_as_such() {
        let c = code("H57.132-260804-0583");
        let token = QrToken::parse("ZAAAAAAAAAA").unwrap();
        assert_eq!(ring('B').verify(&c, &token, at(2)), TokenCheck::UnknownKey);
    }

    #[test]
    fn bad_keyrings_are_refused() {
        let grace = chrono::Duration::days(1);
        assert!(QrKeyring::new(vec![key('a', "s", None)], 'a', grace).is_err());
        assert!(QrKeyring::new(vec![key('A', " ", None)], 'A', grace).is_err());
        assert!(
            QrKeyring::new(vec![key('A', "s", None), key('A', "t", None)], 'A', grace).is_err()
        );
        assert!(QrKeyring::new(vec![key('A', "s", None)], 'B', grace).is_err());
        assert!(QrKeyring::new(vec![key('A', "s", Some(at(1)))], 'A', grace).is_err());
    }
}
