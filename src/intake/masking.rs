//! Personal data in text that is about to be published (Decree 13/2023): e-mail
//! addresses, phone numbers, ID numbers (CMND 9 digits, CCCD 12 digits, passports) and the
//! submitter's own name are found and replaced by a bracketed placeholder; the officer is shown
//! what was replaced before the text goes public.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

/// One piece of personal data replaced in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Masked {
    /// `email`, `phone`, `id_number` or `name`.
    pub kind: &'static str,
    /// What was there (shown to staff only).
    pub original: String,
    /// What replaced it.
    pub replacement: &'static str,
}

struct Patterns {
    email: Regex,
    id_number: Regex,
    phone: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| Patterns {
        email: Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}").expect("email"),
        // CCCD (12 digits), CMND (9 digits), passport (a letter and 7 digits), whole words only.
        id_number: Regex::new(r"\b(?:\d{12}|\d{9}|[A-Z]\d{7})\b").expect("id"),
        // Vietnamese numbers, national or international, with optional separators between digits.
        phone: Regex::new(r"(?:\+84|\b0084|\b0)[ .\-]?\d(?:[ .\-]?\d){7,9}\b").expect("phone"),
    })
}

/// Replaces the personal data in `text`; `name` is the submitter's full name, if known.
pub fn mask(text: &str, name: Option<&str>) -> (String, Vec<Masked>) {
    let p = patterns();
    let mut found = Vec::new();
    let mut out = replace(&p.email, text, "email", "[email]", &mut found);
    out = replace(&p.id_number, &out, "id_number", "[số giấy tờ]", &mut found);
    out = replace(&p.phone, &out, "phone", "[số điện thoại]", &mut found);
    if let Some(name) = name.map(str::trim).filter(|n| n.chars().count() >= 2) {
        let words: Vec<String> = name.split_whitespace().map(regex::escape).collect();
        if let Ok(re) = Regex::new(&format!(r"(?i)\b{}\b", words.join(r"\s+"))) {
            out = replace(&re, &out, "name", "[họ tên]", &mut found);
        }
    }
    (out, found)
}

fn replace(
    re: &Regex,
    text: &str,
    kind: &'static str,
    replacement: &'static str,
    found: &mut Vec<Masked>,
) -> String {
    for m in re.find_iter(text) {
        found.push(Masked {
            kind,
            original: m.as_str().to_owned(),
            replacement,
        });
    }
    re.replace_all(text, replacement).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_ids_emails_and_the_name_are_masked() {
        let (text, found) = mask(
            "Tôi là Nguyễn Văn An, SĐT 0912 345 678 hoặc +84 912.345.679, CCCD 051234567890, \
             email an.nguyen@example.vn. Anh nguyễn văn an cần gì?",
            Some("Nguyễn Văn An"),
        );
        assert!(!text.contains("0912"), "{text}");
        assert!(!text.contains("912.345.679"), "{text}");
        assert!(!text.contains("051234567890"), "{text}");
        assert!(!text.contains("example.vn"), "{text}");
        assert!(!text.to_lowercase().contains("nguyễn văn an"), "{text}");
        assert_eq!(found.iter().filter(|m| m.kind == "name").count(), 2);
        assert_eq!(found.iter().filter(|m| m.kind == "phone").count(), 2);
        assert!(text.contains("[số điện thoại]") && text.contains("[họ tên]"));
    }

    #[test]
    fn ordinary_numbers_and_codes_are_left_alone() {
        let raw = "Thủ tục 1.001193 mất 15 ngày, lệ phí 1.500.000 đồng, hồ sơ 000.00.53.H48-220921-0099, năm 2026.";
        let (text, found) = mask(raw, None);
        assert_eq!(text, raw);
        assert!(found.is_empty(), "{found:?}");
    }
}
