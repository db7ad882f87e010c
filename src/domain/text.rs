//! Text hygiene shared by every parser: Unicode NFC normalisation, removal
//! of control and invisible formatting characters, full-width folding for
//! input typed with East-Asian keyboards or copied from PDFs, character
//! counting, and the unaccented rendering used for GSM-7 SMS replies.

use unicode_normalization::UnicodeNormalization;

/// Invisible formatting characters that only cause confusion in
/// user-entered text: zero-width spaces and joiners, the byte-order mark,
/// soft hyphen, word joiner and the bidirectional overrides/isolates (which
/// can make a displayed string differ from its stored bytes).
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Line and tab breaks that [`clean_line`] turns into a plain space.
fn is_break(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// NFC-normalises `raw` and removes every control character (including
/// `\n`, `\r` and `\t`) and invisible formatting character. It does not trim.
/// Use [`clean_line`] for single-line fields and [`clean_multiline`] for
/// free text.
pub fn clean_text(raw: &str) -> String {
    raw.nfc()
        .filter(|c| !c.is_control() && !is_invisible_format(*c))
        .collect()
}

/// Cleans a single-line field: NFC, every line break or tab becomes one
/// space (so `"a\nb"` stays two words), other control and invisible
/// characters are removed, and the result is trimmed. Inner runs of spaces
/// are kept; callers that need collapsing use `split_whitespace`.
pub fn clean_line(raw: &str) -> String {
    if raw.is_ascii() {
        // NFC leaves ASCII as it is: only breaks and control characters need handling.
        let cleaned: String = raw
            .chars()
            .filter_map(|c| match c {
                c if is_break(c) => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        return cleaned.trim().to_owned();
    }
    let cleaned: String = raw
        .nfc()
        .filter_map(|c| {
            if is_break(c) {
                Some(' ')
            } else if c.is_control() || is_invisible_format(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect();
    cleaned.trim().to_owned()
}

/// Cleans free text: NFC, `\r\n`, `\r`, U+2028 and U+2029 become `\n`, `\n`
/// and `\t` are kept, every other control or invisible character is removed,
/// and the whole text is trimmed.
pub fn clean_multiline(raw: &str) -> String {
    let unified = raw.replace("\r\n", "\n");
    let cleaned: String = unified
        .nfc()
        .filter_map(|c| match c {
            '\n' | '\t' => Some(c),
            '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => Some('\n'),
            c if c.is_control() || is_invisible_format(c) => None,
            c => Some(c),
        })
        .collect();
    cleaned.trim().to_owned()
}

/// Number of Unicode scalar values (what users perceive as characters once
/// text is NFC-normalised); use it for length limits instead of `len()`.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Folds one full-width ASCII form (U+FF01..U+FF5E) to ASCII and the
/// ideographic space U+3000 to a space; other characters are unchanged.
pub fn fold_width_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Maps full-width ASCII forms (U+FF01..U+FF5E, e.g. `０`, `Ｈ`, `－`) to
/// ASCII and U+3000 to a space.
///
/// This is an explicit table, not NFKC: NFKC would also rewrite characters
/// whose meaning changes (`²` → `2`, `ﬁ` → `fi`, `Ⅻ` → `XII`, `①` → `1`) and
/// could turn garbage into a plausible code. The only compatibility forms we
/// want to accept are the full-width ones, so only those are folded.
pub fn fold_width(s: &str) -> String {
    s.chars().map(fold_width_char).collect()
}

/// Renders Vietnamese text as unaccented ASCII for GSM-7 SMS: tone and
/// vowel marks are removed (`ệ` → `e`, `ư` → `u`), `đ`/`Đ` become `d`/`D`,
/// full-width forms are folded, typographic quotes and dashes become their
/// ASCII look-alikes, `…` becomes `...`, non-breaking and other Unicode
/// spaces become a space, and any remaining non-ASCII character (emoji,
/// CJK, …) becomes `?` so the result is guaranteed ASCII. Control
/// characters such as `\n` are kept.
pub fn strip_diacritics(s: &str) -> String {
    if s.is_ascii() {
        // Nothing to decompose, fold or replace.
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        let c = fold_width_char(c);
        match c {
            // Combining diacritical marks left by NFD: Vietnamese tones,
            // breve, circumflex and horn all live in this block.
            '\u{0300}'..='\u{036F}' => {}
            'đ' => out.push('d'),
            'Đ' => out.push('D'),
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' | '«' | '»' => out.push('"'),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            '\u{2026}' => out.push_str("..."),
            c if c.is_ascii() => out.push(c),
            c if c.is_whitespace() => out.push(' '),
            c if is_invisible_format(c) => {}
            _ => out.push('?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_composes_decomposed_vietnamese_to_nfc() {
        // Arrange: "ệ" written as e + circumflex + dot below.
        let decomposed = "Nguye\u{0302}\u{0303}n Vie\u{0323}\u{0302}t";
        // Act
        let cleaned = clean_text(decomposed);
        // Assert
        assert_eq!(cleaned, "Nguyễn Việt");
    }

    #[test]
    fn clean_text_removes_controls_and_invisible_characters() {
        assert_eq!(clean_text("a\u{0}b\u{200B}c\u{202E}d\ne"), "abcde");
    }

    #[test]
    fn clean_line_turns_breaks_into_spaces_and_trims() {
        assert_eq!(clean_line("  Nguyễn\nVăn\tAn \r\n"), "Nguyễn Văn An");
    }

    #[test]
    fn clean_multiline_keeps_newlines_and_tabs_but_drops_other_controls() {
        assert_eq!(
            clean_multiline(" dòng 1\r\ndòng\t2\rdòng 3\u{7}\u{FEFF} "),
            "dòng 1\ndòng\t2\ndòng 3"
        );
    }

    #[test]
    fn char_len_counts_characters_not_bytes() {
        assert_eq!(char_len("Đà Nẵng"), 7);
        assert!("Đà Nẵng".len() > 7);
    }

    #[test]
    fn fold_width_maps_full_width_forms_and_ideographic_space() {
        assert_eq!(fold_width("０９１２\u{3000}ＡＢｃ－！"), "0912 ABc-!");
    }

    #[test]
    fn fold_width_leaves_superscripts_and_ligatures_alone() {
        assert_eq!(fold_width("²ﬁ①"), "²ﬁ①");
    }

    #[test]
    fn strip_diacritics_removes_every_vietnamese_mark() {
        // Arrange
        let all_vowels = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ";
        // Act
        let stripped = strip_diacritics(all_vowels);
        let upper = strip_diacritics(&all_vowels.to_uppercase());
        // Assert
        assert_eq!(
            stripped,
            "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
        );
        assert_eq!(upper, stripped.to_uppercase());
    }

    #[test]
    fn strip_diacritics_makes_a_status_sentence_gsm_safe() {
        assert_eq!(
            strip_diacritics("Hồ sơ “đã được tiếp nhận” – hẹn trả…"),
            "Ho so \"da duoc tiep nhan\" - hen tra..."
        );
    }

    #[test]
    fn strip_diacritics_replaces_unknown_symbols_with_question_marks() {
        assert_eq!(strip_diacritics("OK 👍 中"), "OK ? ?");
        assert!(strip_diacritics("Đường\u{00A0}Lê Lợi").is_ascii());
    }
}
