//! Masking of applicant names for public lookup pages, SMS and IVR, where a
//! name is shown without a second factor (docs/domain.md, personal data). Vietnamese names are
//! written family name first, so the family name (shared by millions) is
//! kept and every other word becomes an initial.

use super::text::{clean_line, strip_diacritics};

/// Shown instead of a missing name.
pub const ANONYMOUS: &str = "(ẩn danh)";

/// Organisation-type prefixes, unaccented and lowercase, compared against
/// the unaccented lowercase name so `CÔNG TY`, `Cong ty` and `công ty` all
/// match.
const ORGANISATION_PREFIXES: [&str; 3] = ["cong ty", "hop tac xa", "doanh nghiep"];

/// Masks a person's or organisation's name.
///
/// * The input is NFC-normalised, control characters are dropped and runs of
///   whitespace collapse to one space.
/// * Empty or whitespace-only input gives `(ẩn danh)`.
/// * Organisations (the name starts with the word(s) "Công ty", "Hợp tác xã"
///   or "Doanh nghiệp", any case, with or without diacritics) keep that
///   type prefix exactly as written followed by ` …`, e.g.
///   `Công ty TNHH An Phát` → `Công ty …`. The brief said "first two words",
///   but "Hợp tác xã" has three and cutting it to "Hợp tác" reads badly, so
///   the whole type prefix is kept instead.
/// * People keep the first word (family name) as written and every further
///   word becomes its uppercase first letter plus `.`:
///   `Nguyễn Văn An` → `Nguyễn V. A.`. A single-word name is treated as a
///   given name and becomes an initial only (`Lê` → `L.`), so the result
///   never contains a full given name.
pub fn mask_name(full: &str) -> String {
    let cleaned = clean_line(full);
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let Some((first, rest)) = words.split_first() else {
        return ANONYMOUS.to_owned();
    };
    if let Some(prefix_words) = organisation_prefix_len(&words) {
        return format!("{} …", words[..prefix_words].join(" "));
    }
    if rest.is_empty() {
        return initial(first);
    }
    let mut out = (*first).to_owned();
    for word in rest {
        out.push(' ');
        out.push_str(&initial(word));
    }
    out
}

/// Number of words forming an organisation-type prefix at the start of
/// `words`, if the name is an organisation.
fn organisation_prefix_len(words: &[&str]) -> Option<usize> {
    ORGANISATION_PREFIXES.iter().find_map(|prefix| {
        let n = prefix.split(' ').count();
        let head = words.get(..n)?;
        let folded = strip_diacritics(&head.join(" ")).to_lowercase();
        (folded == *prefix).then_some(n)
    })
}

/// The uppercase first letter of `word` followed by a dot. Any combining
/// marks that follow the first character (text that NFC could not compose)
/// stay with it.
fn initial(word: &str) -> String {
    let mut chars = word.chars();
    let mut out = String::new();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.extend(chars.take_while(|c| ('\u{0300}'..='\u{036F}').contains(c)));
    }
    out.push('.');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_name_is_kept_and_the_rest_become_initials() {
        assert_eq!(mask_name("Nguyễn Văn An"), "Nguyễn V. A.");
        assert_eq!(mask_name("Trần Thị Thu Hà"), "Trần T. T. H.");
    }

    #[test]
    fn a_single_word_name_becomes_an_initial() {
        assert_eq!(mask_name("Lê"), "L.");
        assert_eq!(mask_name("đạt"), "Đ.");
    }

    #[test]
    fn extra_whitespace_is_collapsed() {
        assert_eq!(mask_name("  Nguyễn \t Văn\n\nAn  "), "Nguyễn V. A.");
    }

    #[test]
    fn decomposed_input_is_normalised_to_nfc() {
        // "Lê Đức Ánh" with decomposed marks.
        let masked = mask_name("Le\u{0302} \u{0110}u\u{031B}\u{0301}c A\u{0301}nh");
        assert_eq!(masked, "Lê Đ. Á.");
    }

    #[test]
    fn lowercase_given_names_get_uppercase_initials() {
        assert_eq!(mask_name("phạm ánh dương"), "phạm Á. D.");
    }

    #[test]
    fn empty_names_are_anonymous() {
        assert_eq!(mask_name(""), "(ẩn danh)");
        assert_eq!(mask_name(" \u{3000}\t\u{200B}"), "(ẩn danh)");
    }

    #[test]
    fn the_given_name_never_appears_in_full() {
        for name in ["Nguyễn Văn An", "Hoàng Minh", "Lê"] {
            let given = name.rsplit(' ').next().unwrap_or(name);
            let masked = mask_name(name);
            assert!(!masked.split(' ').any(|w| w == given), "{masked}");
        }
    }

    #[test]
    fn organisations_keep_only_their_type_prefix() {
        assert_eq!(mask_name("Công ty TNHH An Phát"), "Công ty …");
        assert_eq!(mask_name("CÔNG TY CỔ PHẦN XYZ"), "CÔNG TY …");
        assert_eq!(mask_name("Hợp tác xã Nông nghiệp Tân Lập"), "Hợp tác xã …");
        assert_eq!(
            mask_name("doanh nghiệp tư nhân Bình Minh"),
            "doanh nghiệp …"
        );
        assert_eq!(mask_name("Cong ty ABC"), "Cong ty …");
    }

    #[test]
    fn a_person_whose_name_only_resembles_an_organisation_is_masked_as_a_person() {
        assert_eq!(mask_name("Công Tyên"), "Công T.");
    }
}
