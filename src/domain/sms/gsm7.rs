//! GSM 03.38 text: what fits one SMS. Replies are unaccented ASCII made safe for the GSM-7
//! default alphabet; the extension characters (`[]{}\^~|`) take two septets; one segment holds
//! 160 septets, a concatenated message 153 per part (docs/domain.md, SMS).

/// Septets in one single-part message.
pub const SINGLE_SEGMENT: usize = 160;
/// Septets per part of a concatenated message.
pub const MULTI_SEGMENT: usize = 153;
/// Replies never exceed this many parts.
pub const MAX_SEGMENTS: usize = 2;

fn is_basic(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            ' ' | '\n'
                | '\r'
                | '!'
                | '"'
                | '#'
                | '$'
                | '%'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ','
                | '-'
                | '.'
                | '/'
                | ':'
                | ';'
                | '<'
                | '='
                | '>'
                | '?'
                | '@'
                | '_'
        )
}

fn is_extension(c: char) -> bool {
    matches!(c, '[' | ']' | '{' | '}' | '\\' | '^' | '~' | '|')
}

/// Vietnamese (or any) text as unaccented GSM-7: diacritics removed (`đ` → `d`), a backtick
/// becomes an apostrophe, other characters outside the alphabet (and control characters other
/// than line breaks) become `?` or disappear.
pub fn to_gsm7(text: &str) -> String {
    crate::domain::text::strip_diacritics(text)
        .chars()
        .filter_map(|c| match c {
            '`' => Some('\''),
            c if is_basic(c) || is_extension(c) => Some(c),
            c if c.is_control() => None,
            _ => Some('?'),
        })
        .collect()
}

/// Whether every character is in the GSM-7 default alphabet or its extension.
pub fn is_gsm7(text: &str) -> bool {
    text.chars().all(|c| is_basic(c) || is_extension(c))
}

/// Septets `text` takes (extension characters count two).
pub fn septets(text: &str) -> usize {
    text.chars()
        .map(|c| if is_extension(c) { 2 } else { 1 })
        .sum()
}

/// Parts `text` needs as a GSM-7 message.
pub fn segments(text: &str) -> usize {
    let n = septets(text);
    if n <= SINGLE_SEGMENT {
        1
    } else {
        n.div_ceil(MULTI_SEGMENT)
    }
}

/// Cuts `text` so that it fits `max` septets, at a word boundary when there is one, ending with
/// `...` when anything was cut.
pub fn truncate_to(text: &str, max: usize) -> String {
    if septets(text) <= max {
        return text.to_owned();
    }
    if max < 4 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let width = if is_extension(c) { 2 } else { 1 };
        if used + width > max - 3 {
            break;
        }
        out.push(c);
        used += width;
    }
    if let Some(space) = out.rfind(' ') {
        if space >= out.len() / 2 {
            out.truncate(space);
        }
    }
    let trimmed = out.trim_end_matches([' ', ',', '.', ';', ':', '-']).len();
    out.truncate(trimmed);
    out.push_str("...");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_becomes_plain_gsm7() {
        let text = to_gsm7("Hồ sơ đã được tiếp nhận – “ngày hẹn trả” `x` 😀");
        assert_eq!(text, "Ho so da duoc tiep nhan - \"ngay hen tra\" 'x' ?");
        assert!(is_gsm7(&text));
    }

    #[test]
    fn extension_characters_count_twice() {
        assert_eq!(septets("a[b]"), 6);
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"a".repeat(306)), 2);
        assert_eq!(segments(&"a".repeat(307)), 3);
        assert_eq!(segments(&"[".repeat(80)), 1);
    }

    #[test]
    fn truncation_cuts_at_a_word_and_marks_the_cut() {
        assert_eq!(truncate_to("Dang ky khai sinh", 40), "Dang ky khai sinh");
        let cut = truncate_to("Dang ky khai sinh co yeu to nuoc ngoai", 20);
        assert!(septets(&cut) <= 20, "{cut}");
        assert!(cut.ends_with("..."), "{cut}");
        assert_eq!(truncate_to("abc", 2), "");
    }
}
