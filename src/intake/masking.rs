//! Personal data in text that is about to be published (Law 91/2025/QH15): e-mail addresses (also
//! written `name(at)domain`, `name [at] domain dot vn`, …), phone numbers in every way people write
//! them (`0…`, `84…`, `+84`, `(+84)`, `0084`, with spaces, dots, dashes or brackets, old 11-digit
//! numbers), ID numbers (CMND 9 digits, CCCD 12 digits, passports), the submitter's address and the
//! submitter's name (with or without diacritics, in any case, and the given name after a title:
//! `chị Bình`) are found and replaced by a bracketed placeholder. The phone numbers the catalog
//! publishes (the agencies' desks, the hotline) are public and stay. The officer is shown what was
//! replaced, and may edit the result, before the text goes public.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::domain::text::fold_width_char;

/// One piece of personal data replaced in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Masked {
    /// `email`, `phone`, `id_number`, `address` or `name`.
    pub kind: &'static str,
    /// What was there (shown to staff only).
    pub original: String,
    /// What replaced it.
    pub replacement: &'static str,
}

impl Masked {
    /// What was masked, in Vietnamese, as the officer's preview names it.
    pub fn label(&self) -> &'static str {
        match self.kind {
            "email" => "Thư điện tử",
            "phone" => "Số điện thoại",
            "id_number" => "Số giấy tờ",
            "address" => "Địa chỉ",
            "name" => "Họ tên",
            _ => "Thông tin cá nhân",
        }
    }
}

const EMAIL: &str = "[email]";
const PHONE: &str = "[số điện thoại]";
const ID_NUMBER: &str = "[số giấy tờ]";
const ADDRESS: &str = "[địa chỉ]";
const NAME: &str = "[họ tên]";

/// The submitter whose personal data is masked: what they gave about themselves.
#[derive(Debug, Clone, Copy, Default)]
pub struct Submitter<'a> {
    /// Full name, as given.
    pub name: Option<&'a str>,
    /// Address, as given.
    pub address: Option<&'a str>,
    /// Phone, as stored (E.164): a bare 9- or 10-digit national number equal to it is a phone.
    pub phone: Option<&'a str>,
}

/// The phone numbers the catalog publishes (agency desks, the hotline), in national form
/// (`02553822111`): they are public information a citizen needs, so they are never masked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicNumbers(HashSet<String>);

impl PublicNumbers {
    /// The numbers written in `listings` (a desk's phone field may hold several numbers, in any
    /// of the forms the masker recognises).
    pub fn from_listings<'a>(listings: impl IntoIterator<Item = &'a str>) -> Self {
        let mut numbers = HashSet::new();
        for listing in listings {
            for found in scan_numbers(listing, None) {
                if let Number::Phone(national) = found.number {
                    numbers.insert(national);
                }
            }
        }
        Self(numbers)
    }

    /// Whether `national` (`0…`, or `+…` for a foreign number) is a public number.
    pub fn contains(&self, national: &str) -> bool {
        self.0.contains(national)
    }

    /// How many numbers there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Masks the personal data of one submitter, leaving the public numbers alone.
pub struct Masker<'a> {
    /// The full name, folded (no diacritics, lower case).
    name: Option<Regex>,
    /// A title, then the given name (or the last words of the name), folded.
    titled_name: Option<Regex>,
    /// The address's leading parts, longest first, folded.
    address: Vec<Regex>,
    /// The submitter's phone, national significant digits (`905123457`).
    phone_digits: Option<String>,
    public: &'a PublicNumbers,
}

impl<'a> Masker<'a> {
    /// A masker for `submitter` that leaves `public` numbers unmasked.
    pub fn new(submitter: Submitter<'_>, public: &'a PublicNumbers) -> Self {
        let words: Vec<String> = submitter
            .name
            .map(|n| fold(n).folded)
            .unwrap_or_default()
            .split(|c: char| c.is_whitespace() || c == ',' || c == '.')
            .filter(|w| !w.is_empty())
            .map(regex::escape)
            .collect();
        let usable = words.iter().map(|w| w.chars().count()).sum::<usize>() >= 2;
        let name = (usable && !words.is_empty())
            .then(|| Regex::new(&format!(r"\b{}\b", words.join(r"\s+"))).ok())
            .flatten();
        // The last one, two, … words of the name after a title: "chị Bình", "ông Văn Phan".
        let suffixes: Vec<String> = (1..words.len().max(1))
            .rev()
            .map(|k| words[words.len() - k..].join(r"\s+"))
            .chain((words.len() == 1).then(|| words[0].clone()))
            .collect();
        let titled_name = (usable && !suffixes.is_empty())
            .then(|| {
                Regex::new(&format!(
                    r"\b(anh|chi|ong|ba|em|co|chu)\s+({})\b",
                    suffixes.join("|")
                ))
                .ok()
            })
            .flatten();
        Self {
            name,
            titled_name,
            address: submitter.address.map(address_patterns).unwrap_or_default(),
            phone_digits: submitter.phone.map(|p| {
                let digits: String = p.chars().filter(char::is_ascii_digit).collect();
                digits
                    .strip_prefix("84")
                    .map(str::to_owned)
                    .unwrap_or(digits)
            }),
            public,
        }
    }

    /// Replaces the personal data in `text`; returns the masked text and what was replaced.
    pub fn mask(&self, text: &str) -> (String, Vec<Masked>) {
        let mut found = Vec::new();
        let mut out = apply(text, emails(text), &mut found);
        let numbers = self.numbers(&out);
        out = apply(&out, numbers, &mut found);
        let passports = passports(&out);
        out = apply(&out, passports, &mut found);
        for pattern in &self.address {
            let spans = folded_matches(&out, pattern, 0, "address", ADDRESS);
            out = apply(&out, spans, &mut found);
        }
        if let Some(name) = &self.name {
            let spans = folded_matches(&out, name, 0, "name", NAME);
            out = apply(&out, spans, &mut found);
        }
        if let Some(titled) = &self.titled_name {
            let spans = titled_names(&out, titled);
            out = apply(&out, spans, &mut found);
        }
        (out, found)
    }

    /// Phone and ID numbers, except the public numbers.
    fn numbers(&self, text: &str) -> Vec<Span> {
        scan_numbers(text, self.phone_digits.as_deref())
            .into_iter()
            .filter_map(|n| match n.number {
                Number::Phone(national) if self.public.contains(&national) => None,
                Number::Phone(_) => Some(Span::new(n.range, "phone", PHONE)),
                Number::Id => Some(Span::new(n.range, "id_number", ID_NUMBER)),
            })
            .collect()
    }
}

/// Masks `text` for `submitter` with no public numbers: every phone number is masked.
pub fn mask(text: &str, submitter: Submitter<'_>) -> (String, Vec<Masked>) {
    Masker::new(submitter, &PublicNumbers::default()).mask(text)
}

/// A piece of text to replace.
struct Span {
    range: Range<usize>,
    kind: &'static str,
    replacement: &'static str,
}

impl Span {
    fn new(range: Range<usize>, kind: &'static str, replacement: &'static str) -> Self {
        Self {
            range,
            kind,
            replacement,
        }
    }
}

/// Replaces the (ordered, disjoint) spans in `text`, recording each.
fn apply(text: &str, spans: Vec<Span>, found: &mut Vec<Masked>) -> String {
    if spans.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        if span.range.start < at {
            continue;
        }
        out.push_str(&text[at..span.range.start]);
        out.push_str(span.replacement);
        found.push(Masked {
            kind: span.kind,
            original: text[span.range.clone()].to_owned(),
            replacement: span.replacement,
        });
        at = span.range.end;
    }
    out.push_str(&text[at..]);
    out
}

struct Patterns {
    email: Regex,
    email_bare_domain: Regex,
    passport: Regex,
    number_run: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let local = r"[A-Za-z0-9][A-Za-z0-9._%+\-]*";
        let open = r"[\(\[\{<]";
        let close = r"[\)\]\}>]";
        let at_word = r"(?:at|a\s?còng|a\s?cong|a\s?móc|a\s?moc)";
        let at = format!(r"(?:\s?@\s?|\s*{open}\s*(?:{at_word}|@)\s*{close}\s*|\s+{at_word}\s+)");
        let dot_word = r"(?:dot|chấm|cham)";
        let dot = format!(r"(?:\.|\s*{open}\s*(?:{dot_word}|\.)\s*{close}\s*|\s+{dot_word}\s+)");
        let label = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?";
        Patterns {
            email: Regex::new(&format!(
                r"(?i)\b{local}{at}(?:{label}{dot})+[A-Za-z]{{2,}}\b"
            ))
            .expect("email"),
            // `name(at)gmail`: a bracketed "at" is telling enough without a top-level domain.
            email_bare_domain: Regex::new(&format!(
                r"(?i)\b{local}\s*{open}\s*(?:{at_word}|@)\s*{close}\s*{label}\b"
            ))
            .expect("email without a top-level domain"),
            // A passport: a letter and 7 digits, a whole word.
            passport: Regex::new(r"\b[A-Z]\d{7}\b").expect("passport"),
            // Digits with what people put between them: spaces, dots, dashes, brackets, and a
            // leading `+` or `(+`.
            number_run: Regex::new(r"(?:\(\s*)?(?:\+\s?)?[0-9](?:[ \t.\-()]{0,3}[0-9])*\)?")
                .expect("number run"),
        }
    })
}

fn emails(text: &str) -> Vec<Span> {
    let p = patterns();
    let mut spans: Vec<Span> = p
        .email
        .find_iter(text)
        .map(|m| Span::new(m.range(), "email", EMAIL))
        .collect();
    for m in p.email_bare_domain.find_iter(text) {
        if !spans.iter().any(|s| overlaps(&s.range, &m.range())) {
            spans.push(Span::new(m.range(), "email", EMAIL));
        }
    }
    spans.sort_by_key(|s| s.range.start);
    spans
}

fn passports(text: &str) -> Vec<Span> {
    patterns()
        .passport
        .find_iter(text)
        .map(|m| Span::new(m.range(), "id_number", ID_NUMBER))
        .collect()
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// What a run of digits is.
#[derive(Debug, PartialEq, Eq)]
enum Number {
    /// A phone number, in national form (`0912345678`), or `+…` when foreign.
    Phone(String),
    /// A CMND, CCCD or similar ID number.
    Id,
}

struct FoundNumber {
    range: Range<usize>,
    number: Number,
}

/// The most groups a number may be written in (`0 9 1 2 3 4 5 6 7 8`, plus a prefix).
const MAX_GROUPS: usize = 14;

/// Phone and ID numbers in `text`. A run of digit groups (with separators between them) is split
/// greedily: from each group, the longest span of groups that reads as a number is taken, so two
/// numbers written one after the other are both found.
fn scan_numbers(text: &str, own_phone: Option<&str>) -> Vec<FoundNumber> {
    let mut found = Vec::new();
    for run in patterns().number_run.find_iter(text) {
        let groups: Vec<Range<usize>> =
            run.as_str()
                .char_indices()
                .fold(Vec::<Range<usize>>::new(), |mut groups, (i, c)| {
                    let at = run.start() + i;
                    if c.is_ascii_digit() {
                        match groups.last_mut() {
                            Some(last) if last.end == at => last.end = at + 1,
                            _ => groups.push(at..at + 1),
                        }
                    }
                    groups
                });
        let prefix = &text[run.start()..groups[0].start];
        let plus = prefix.contains('+');
        let mut i = 0;
        while i < groups.len() {
            let mut taken = None;
            for j in (i + 1..=groups.len().min(i + MAX_GROUPS)).rev() {
                let span = &groups[i..j];
                if let Some(number) = classify(text, span, plus && i == 0, own_phone) {
                    taken = Some((j, number));
                    break;
                }
            }
            match taken {
                Some((j, number)) => {
                    // `+84 905…` and `(+84)905…` include their prefix; a bracket around the whole
                    // number (`(0905123457)`) stays.
                    let mut start = groups[i].start;
                    let end = groups[j - 1].end;
                    if i == 0 && (!prefix.contains('(') || text[start..end].contains(')')) {
                        start = run.start();
                    } else if i == 0 {
                        start = run.start() + prefix.find('(').map_or(0, |at| at + 1);
                    }
                    found.push(FoundNumber {
                        range: start..end,
                        number,
                    });
                    i = j;
                }
                None => i += 1,
            }
        }
    }
    found
}

/// What the digit groups `span` of `text` are, if a phone or an ID number.
fn classify(
    text: &str,
    span: &[Range<usize>],
    plus: bool,
    own_phone: Option<&str>,
) -> Option<Number> {
    let digits: String = span.iter().map(|g| &text[g.clone()]).collect();
    if let Some(phone) = phone(text, span, &digits, plus) {
        return Some(Number::Phone(phone));
    }
    if own_phone == Some(digits.as_str()) {
        return Some(Number::Phone(format!("0{digits}")));
    }
    let first = span.first()?;
    let last = span.last()?;
    let alone = !text[..first.start]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
        && !text[last.end..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric);
    let contiguous = span.len() == 1;
    let id = (contiguous && (digits.len() == 9 || digits.len() == 12))
        || (digits.len() == 12 && digits.starts_with('0'));
    (id && alone).then_some(Number::Id)
}

/// The national form of a phone number written as `digits` (grouped as `span`), if it is one.
fn phone(text: &str, span: &[Range<usize>], digits: &str, plus: bool) -> Option<String> {
    // A Vietnamese number after the country code: 9 digits (mobile) or 10 (landline, old
    // mobile), with the trunk 0 sometimes kept: +84 (0) 905…
    let after_country = |rest: &str| {
        let rest = rest.strip_prefix('0').unwrap_or(rest);
        ((9..=10).contains(&rest.len()) && !rest.starts_with('0')).then(|| format!("0{rest}"))
    };
    if plus {
        return match digits.strip_prefix("84") {
            Some(rest) => after_country(rest),
            None => (8..=15)
                .contains(&digits.len())
                .then(|| format!("+{digits}")),
        };
    }
    if let Some(rest) = digits.strip_prefix("0084") {
        return after_country(rest);
    }
    if let Some(rest) = digits.strip_prefix("84") {
        return if looks_like_an_amount(text, span) {
            None
        } else {
            after_country(rest)
        };
    }
    (digits.starts_with('0') && !digits.starts_with("00") && (10..=11).contains(&digits.len()))
        .then(|| digits.to_owned())
}

/// `84.500.000.000`: groups of three after a short first group, split by dots or commas.
fn looks_like_an_amount(text: &str, span: &[Range<usize>]) -> bool {
    span.len() > 1
        && span[0].len() <= 3
        && span[1..].iter().all(|g| g.len() == 3)
        && span.windows(2).all(|w| {
            let between = &text[w[0].end..w[1].start];
            between == "." || between == ","
        })
}

/// Text folded for matching names and addresses: no diacritics, `đ` as `d`, lower case, with the
/// original byte offset of every folded byte.
struct Folded {
    folded: String,
    /// `origin[b]` is where folded byte `b` came from; one more entry for the end.
    origin: Vec<usize>,
}

fn fold(text: &str) -> Folded {
    let mut folded = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    for (at, c) in text.char_indices() {
        if ('\u{0300}'..='\u{036F}').contains(&c) {
            // A combining mark belongs to the letter before it.
            continue;
        }
        let base = std::iter::once(fold_width_char(c))
            .nfd()
            .next()
            .unwrap_or(c);
        let base = match base {
            'đ' | 'Đ' => 'd',
            other => other.to_lowercase().next().unwrap_or(other),
        };
        folded.push(base);
        origin.resize(folded.len(), at);
    }
    origin.push(text.len());
    Folded { folded, origin }
}

/// Every match of `pattern` (over folded text) in `text`, as spans of the original, the `group`th
/// capture group of each (0: the whole match).
fn folded_matches(
    text: &str,
    pattern: &Regex,
    group: usize,
    kind: &'static str,
    replacement: &'static str,
) -> Vec<Span> {
    let folded = fold(text);
    pattern
        .captures_iter(&folded.folded)
        .filter_map(|c| c.get(group))
        .map(|m| {
            Span::new(
                folded.origin[m.start()]..folded.origin[m.end()],
                kind,
                replacement,
            )
        })
        .collect()
}

/// The given name after a title. The title is matched without diacritics only where it is
/// written without them: `chi Binh` is a title, `chỉ Bình` ("only") is not.
fn titled_names(text: &str, pattern: &Regex) -> Vec<Span> {
    const TITLES: [&str; 7] = ["anh", "chị", "ông", "bà", "em", "cô", "chú"];
    let folded = fold(text);
    pattern
        .captures_iter(&folded.folded)
        .filter_map(|c| {
            let title = c.get(1)?;
            let name = c.get(2)?;
            let written = text[folded.origin[title.start()]..folded.origin[title.end()]]
                .nfc()
                .collect::<String>()
                .to_lowercase();
            (written.is_ascii() || TITLES.contains(&written.as_str())).then(|| {
                Span::new(
                    folded.origin[name.start()]..folded.origin[name.end()],
                    "name",
                    NAME,
                )
            })
        })
        .collect()
}

/// The patterns of an address, longest first: its leading comma-separated parts (the house and
/// street, the hamlet…), each as folded words. The first part alone counts only when it is
/// specific (a number, or two words or more), so a bare commune name is not masked everywhere.
fn address_patterns(address: &str) -> Vec<Regex> {
    let folded = fold(address).folded;
    let parts: Vec<Vec<String>> = folded
        .split([',', ';', '\n'])
        .map(|part| {
            part.split(|c: char| c.is_whitespace() || c == '-')
                .filter(|w| !w.is_empty())
                .map(regex::escape)
                .collect::<Vec<_>>()
        })
        .filter(|words| !words.is_empty())
        .collect();
    let Some(first) = parts.first() else {
        return Vec::new();
    };
    // "Số 2 Quang Trung" is also written "2 Quang Trung" or "số nhà 2 Quang Trung".
    let mut first = first.clone();
    let marker = matches!(first[0].as_str(), "so" | "sn");
    if marker {
        first.remove(0);
        if first.first().map(String::as_str) == Some("nha") {
            first.remove(0);
        }
    }
    if first.is_empty() {
        return Vec::new();
    }
    let specific = first.len() >= 2 || first.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()));
    let lead = if marker || first[0].starts_with(|c: char| c.is_ascii_digit()) {
        r"(?:(?:so\s+nha|so|sn|nha\s+so)\s+)?"
    } else {
        ""
    };
    let first = first.join(r"\s+");
    (1..=parts.len())
        .rev()
        .filter(|&k| k > 1 || specific)
        .filter_map(|k| {
            let rest: Vec<String> = parts[1..k].iter().map(|w| w.join(r"\s+")).collect();
            let mut body = first.clone();
            for part in rest {
                body.push_str(r"\s*[,;\-]?\s*");
                body.push_str(&part);
            }
            Regex::new(&format!(r"\b{lead}{body}\b")).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binh() -> Submitter<'static> {
        Submitter {
            name: Some("Trần Thị Bình"),
            address: Some("Số 12 Quang Trung, phường Nghĩa Chánh, TP Quảng Ngãi"),
            phone: Some("+84905123457"),
        }
    }

    fn masked(text: &str) -> String {
        mask(text, binh()).0
    }

    #[test]
    fn phones_ids_emails_and_the_name_are_masked() {
        let (text, found) = mask(
            "Tôi là Nguyễn Văn An, SĐT 0912 345 678 hoặc +84 912.345.679, CCCD 051234567890, \
             email an.nguyen@example.vn. Anh nguyễn văn an cần gì?",
            Submitter {
                name: Some("Nguyễn Văn An"),
                ..Submitter::default()
            },
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
        let raw = "Thủ tục 1.001193 mất 15 ngày, lệ phí 1.500.000 đồng, hồ sơ \
                   000.00.53.H48-220921-0099, mã HD.20261123.0001, ngày 01/02/2026 lúc 08:30, \
                   phí 84.500.000 đồng, tổng 84.500.000.000 đồng, gọi 1022, năm 2026.";
        let (text, found) = mask(raw, Submitter::default());
        assert_eq!(text, raw);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn the_name_is_found_without_diacritics_in_any_case_and_after_a_title() {
        for (raw, kept) in [
            ("Toi la Tran Thi Binh, xin hoi", "Toi la [họ tên], xin hoi"),
            ("TÔI LÀ TRẦN THỊ BÌNH", "TÔI LÀ [họ tên]"),
            ("TRAN THI BINH hỏi", "[họ tên] hỏi"),
            ("tran  thi\nbinh", "[họ tên]"),
            ("Chào chị Bình,", "Chào chị [họ tên],"),
            ("chao chi Binh", "chao chi [họ tên]"),
            ("Kính gửi bà Thị Bình", "Kính gửi bà [họ tên]"),
            (
                "ANH BÌNH ơi, em Bình, cô Bình, chú Bình, ông Bình",
                "ANH [họ tên] ơi, em [họ tên], cô [họ tên], chú [họ tên], ông [họ tên]",
            ),
        ] {
            assert_eq!(masked(raw), kept, "{raw}");
        }
        // Decomposed input (combining marks typed separately) is folded the same way.
        let decomposed: String = "Chị Trần Thị Bình".nfd().collect();
        let text: String = masked(&decomposed).nfc().collect();
        assert_eq!(text, "Chị [họ tên]");
    }

    #[test]
    fn a_given_name_without_a_title_and_look_alike_words_are_left_alone() {
        for raw in [
            "Tỉnh Quảng Bình và Bình Định",
            "Hồ sơ chỉ Bình thường",
            "Hồ sơ có Bình Sơn",
        ] {
            assert_eq!(masked(raw), raw);
        }
    }

    #[test]
    fn capitals_without_diacritics_are_masked_for_another_name() {
        let (text, found) = mask(
            "Ông LE VAN PHAN và ông Phan gửi",
            Submitter {
                name: Some("Lê Văn Phan"),
                ..Submitter::default()
            },
        );
        assert_eq!(text, "Ông [họ tên] và ông [họ tên] gửi");
        assert_eq!(found[0].original, "LE VAN PHAN");
    }

    #[test]
    fn phones_are_masked_in_every_form() {
        for raw in [
            "0905123457",
            "0905 123 457",
            "0905.123.457",
            "0905-123-457",
            "090 512 3457",
            "84905123457",
            "84 905 123 457",
            "+84905123457",
            "+84 905 123 457",
            "+84-905-123-457",
            "(+84)905123457",
            "(+84) 905 123 457",
            "(84) 905.123.457",
            "+84 (0) 905 123 457",
            "0084 905 123 457",
            "01689123456",
            "0168 912 3456",
            "0255 3822 123",
            "(0255) 3822 123",
            "+1 202 555 0101",
        ] {
            let (text, found) = mask(&format!("Gọi {raw} nhé"), Submitter::default());
            assert_eq!(text, "Gọi [số điện thoại] nhé", "{raw}");
            assert_eq!(found.len(), 1, "{raw}: {found:?}");
            assert_eq!(found[0].kind, "phone", "{raw}");
            assert_eq!(found[0].original, raw);
        }
    }

    #[test]
    fn numbers_written_one_after_another_are_each_masked() {
        let (text, found) = mask(
            "sđt 0905 123 457 - 0912 345 678, sdt0987654321, CCCD 051234567890 0912345679",
            Submitter::default(),
        );
        assert_eq!(
            text,
            "sđt [số điện thoại] - [số điện thoại], sdt[số điện thoại], CCCD [số giấy tờ] [số điện thoại]"
        );
        assert_eq!(found.len(), 5);
    }

    #[test]
    fn id_numbers_are_masked() {
        for (raw, kind) in [
            ("CMND 212345678", "id_number"),
            ("CCCD 051234567890", "id_number"),
            ("CCCD 051 234 567 890", "id_number"),
            ("CCCD 051.234.567.890", "id_number"),
            ("hộ chiếu C1234567", "id_number"),
        ] {
            let (text, found) = mask(raw, Submitter::default());
            assert!(text.ends_with("[số giấy tờ]"), "{raw}: {text}");
            assert_eq!(found[0].kind, kind);
        }
        // The submitter's own number without its prefix is a phone, not an ID.
        let (_, found) = mask("gọi 905123457", binh());
        assert_eq!(found[0].kind, "phone");
    }

    #[test]
    fn obfuscated_emails_are_masked() {
        for raw in [
            "tt.binh@example.vn",
            "tt.binh @ example.vn",
            "tt.binh(at)example.vn",
            "tt.binh (at) example.vn",
            "tt.binh[at]example.vn",
            "tt.binh [at] example dot vn",
            "tt.binh [at] example [dot] com [dot] vn",
            "tt.binh at example dot vn",
            "tt.binh a còng gmail chấm com",
            "TT.BINH(AT)GMAIL.COM",
            "tt.binh{at}gmail(dot)com",
            "tt.binh(at)gmail",
            "x(at)y.vn",
        ] {
            let (text, found) = mask(&format!("Thư: {raw}."), Submitter::default());
            assert_eq!(text, "Thư: [email].", "{raw}");
            assert_eq!(found[0].original, raw);
        }
        let plain = "Tôi ở nhà. Anh tới lúc 8 giờ.";
        assert_eq!(masked(plain), plain);
    }

    #[test]
    fn the_address_is_masked_whole_or_by_its_street() {
        for (raw, kept) in [
            (
                "Nhà tôi ở Số 12 Quang Trung, phường Nghĩa Chánh, TP Quảng Ngãi.",
                "Nhà tôi ở [địa chỉ].",
            ),
            (
                "nha so 12 quang trung, phuong nghia chanh bi ngap",
                "[địa chỉ] bi ngap",
            ),
            ("trước số nhà 12 Quang Trung", "trước [địa chỉ]"),
            ("ở 12 QUANG TRUNG", "ở [địa chỉ]"),
        ] {
            let (text, found) = mask(raw, binh());
            assert_eq!(text, kept, "{raw}");
            assert_eq!(found[0].kind, "address");
        }
        // The street or the city alone is not the submitter's address.
        let raw = "Đường Quang Trung, TP Quảng Ngãi";
        assert_eq!(masked(raw), raw);
    }

    #[test]
    fn public_numbers_stay_and_everything_else_goes() {
        let public =
            PublicNumbers::from_listings(["0255 3822 111 - 0255.3822.112", "(0255) 3711 222"]);
        assert_eq!(public.len(), 3);
        let masker = Masker::new(binh(), &public);
        let (text, found) = masker.mask(
            "Gọi 0255 3822 111, (+84) 255 3711 222 hoặc 02553822112; không gọi 0255 3822 113.",
        );
        assert_eq!(
            text,
            "Gọi 0255 3822 111, (+84) 255 3711 222 hoặc 02553822112; không gọi [số điện thoại]."
        );
        assert_eq!(found.len(), 1);
    }
}
