//! Inbound SMS commands (issues 5 and 21). Citizens write free text around the code: greetings,
//! polite words, punctuation, line breaks, a command word before or after it. A message is
//! folded to unaccented uppercase ASCII (diacritics, full-width forms and case do not matter),
//! then read in three steps:
//!
//! 1. **Codes.** Every code-shaped token is found wherever it stands: a dossier code
//!    (`<agency>-<yyMMdd>-<seq>`, dashes or spaces between the parts), a ten-digit lookup number
//!    (grouped or not) or an intake tracking code (`HD.yyyymmdd.NNNN`, `PAKN.…`); the letter O
//!    counts as 0 in their digits. The first valid one is the subject; the others are counted,
//!    so the reply can say it answered about the first. Ten digits after a phone word (`SDT`,
//!    `DT`, `dien thoai`, `Zalo`, …) are a phone number, not a lookup number, and ten digits
//!    whose check digit is wrong are a typo only when the message names nothing else.
//! 2. **Command words.** The configured keywords (longest first, whole words, with or without
//!    spaces inside: `TU CHOI`, `TUCHOI`) are found between the codes. The command is the one
//!    written right before the code (polite words and lookup words between do not matter), else
//!    the message's first word, else right after the code; lookup is the default. Without a
//!    code, an opt-out (`HUY`, `TU CHOI`) counts only when it opens the message and nothing asks
//!    for a dossier, so "ho so bi tu choi" is never an opt-out.
//! 3. **The rating** of `DG`: the first lone digit after the code (else between the keyword and
//!    the code), or the words of the scale (`rat hai long`, `hai long`, `khong hai long`).
//!
//! Decision 0056 records the choices made where a text is ambiguous.

use crate::domain::{DomainError, DossierCode, LookupNumber};

/// Longest inbound text looked at, in characters (a concatenated SMS is at most a few hundred).
pub const SMS_TEXT_MAX_CHARS: usize = 480;

/// What a keyword asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    Lookup,
    Subscribe,
    Unsubscribe,
    Rate,
    Help,
    OptOut,
}

impl Verb {
    /// Stable name stored with the message.
    pub fn key(self) -> &'static str {
        match self {
            Verb::Lookup => "lookup",
            Verb::Subscribe => "subscribe",
            Verb::Unsubscribe => "unsubscribe",
            Verb::Rate => "rate",
            Verb::Help => "help",
            Verb::OptOut => "opt_out",
        }
    }

    /// Whether the verb acts on one dossier (and so binds to a code in the text).
    fn takes_code(self) -> bool {
        matches!(
            self,
            Verb::Lookup | Verb::Subscribe | Verb::Unsubscribe | Verb::Rate
        )
    }
}

/// The configured keywords, normalised (unaccented, uppercase, single spaces), longest first.
#[derive(Debug, Clone)]
pub struct Keywords {
    /// `(words, verb)`: each keyword split into its words, longest (in words, then letters) first.
    entries: Vec<(Vec<String>, Verb)>,
    /// The first keyword of each verb, as shown in replies.
    primary: Vec<(Verb, String)>,
}

/// Unaccented, uppercase, whitespace collapsed to single spaces.
pub fn normalise(text: &str) -> String {
    let plain = crate::domain::text::strip_diacritics(&crate::domain::text::clean_line(text));
    plain
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

impl Keywords {
    /// Builds the table from `(verb, keywords)`; empty keywords are ignored.
    pub fn new(table: &[(Verb, &[String])]) -> Self {
        let mut entries = Vec::new();
        let mut primary = Vec::new();
        for (verb, words) in table {
            for (i, word) in words.iter().enumerate() {
                let word = normalise(word);
                if word.is_empty() {
                    continue;
                }
                if i == 0 || !primary.iter().any(|(v, _)| v == verb) {
                    primary.push((*verb, word.clone()));
                }
                let parts: Vec<String> = word.split(' ').map(str::to_owned).collect();
                entries.push((parts, *verb));
            }
        }
        entries.sort_by_key(|(parts, _)| {
            std::cmp::Reverse((parts.len(), parts.iter().map(String::len).sum::<usize>()))
        });
        Self { entries, primary }
    }

    /// The defaults (issues 5 and 21).
    pub fn defaults() -> Self {
        let s = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        Self::new(&[
            (Verb::Lookup, &s(&["HS", "TC", "HO SO", "TRA CUU"])),
            (Verb::Subscribe, &s(&["DK"])),
            (Verb::Unsubscribe, &s(&["HUY", "HUY DK", "HUY DANG KY"])),
            (Verb::Rate, &s(&["DG", "DANH GIA"])),
            (
                Verb::Help,
                &s(&["TG", "HELP", "?", "TRO GIUP", "HUONG DAN"]),
            ),
            (Verb::OptOut, &s(&["TU CHOI", "STOP"])),
        ])
    }

    /// The keyword replies tell citizens to use for `verb`.
    pub fn primary(&self, verb: Verb) -> &str {
        self.primary
            .iter()
            .find(|(v, _)| *v == verb)
            .map_or("", |(_, w)| w.as_str())
    }

    /// The keyword (verb and number of words) starting at `words[0]`: the keyword's words one
    /// by one, or all of them written as one word (`TUCHOI`).
    fn at(&self, words: &[&str]) -> Option<(Verb, usize)> {
        let first = *words.first()?;
        for (parts, verb) in &self.entries {
            if words.len() >= parts.len() && parts.iter().zip(words).all(|(p, w)| p == w) {
                return Some((*verb, parts.len()));
            }
            if parts.len() > 1 && first.len() == parts.iter().map(String::len).sum::<usize>() {
                let mut rest = first;
                if parts.iter().all(|p| match rest.strip_prefix(p.as_str()) {
                    Some(r) => {
                        rest = r;
                        true
                    }
                    None => false,
                }) {
                    return Some((*verb, 1));
                }
            }
        }
        None
    }

    /// Whether `word` is a one-word keyword made of letters (`HS`, `DK`, not `?`).
    fn is_alphabetic_keyword(&self, word: &str) -> bool {
        !word.is_empty()
            && word.bytes().all(|c| c.is_ascii_alphabetic())
            && self
                .entries
                .iter()
                .any(|(parts, _)| parts.len() == 1 && parts[0] == word)
    }

    /// Whether a normalised text begins with a keyword (as a whole word, or glued to a code).
    pub fn starts_with_keyword(&self, text: &str) -> bool {
        let words: Vec<&str> = words_of(text).into_iter().map(|(_, w)| w).collect();
        let unglued = unglue(text, self);
        self.at(&words).is_some()
            || words_of(&unglued).first().map(|(_, w)| *w) != words.first().copied()
    }
}

/// What a message names: a dossier code or a lookup number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Code(DossierCode),
    Number(LookupNumber),
}

/// A satisfaction rating (docs/domain.md: the scale in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    VerySatisfied = 1,
    Satisfied = 2,
    Dissatisfied = 3,
}

impl Rating {
    /// The stored value 1–3.
    pub fn value(self) -> i16 {
        self as i16
    }

    /// Whether a dossier in `status` may be rated: once handling has ended, with a result
    /// (ready or returned) or without one (not accepted, withdrawn, stopped).
    pub fn allowed_for(status: crate::domain::Status) -> bool {
        use crate::domain::Status;
        matches!(
            status,
            Status::NotAccepted
                | Status::Withdrawn
                | Status::Stopped
                | Status::Completed
                | Status::Returned
        )
    }

    /// Unaccented label for replies.
    pub fn label_ascii(self) -> &'static str {
        match self {
            Rating::VerySatisfied => "Rat hai long",
            Rating::Satisfied => "Hai long",
            Rating::Dissatisfied => "Khong hai long",
        }
    }
}

/// Why a message could not be understood; each becomes a specific reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    /// A keyword that needs a code came without one.
    MissingCode(Verb),
    /// The code is malformed (the domain error says how).
    InvalidCode(Verb, DomainError),
    /// Ten digits whose check digit does not match.
    NumberTypo(Verb),
    /// `DG <code>` without a rating 1, 2 or 3.
    InvalidRating,
}

impl CommandError {
    /// The verb the citizen meant.
    pub fn verb(&self) -> Verb {
        match self {
            CommandError::MissingCode(v)
            | CommandError::InvalidCode(v, _)
            | CommandError::NumberTypo(v) => *v,
            CommandError::InvalidRating => Verb::Rate,
        }
    }
}

/// A parsed inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Lookup(Target),
    Subscribe(Target),
    Unsubscribe(Option<Target>),
    Rate(Target, Rating),
    /// An intake tracking code (`HD.20261120.0001`), canonical: where to follow the item.
    Track(String),
    Help,
    OptOut,
    /// Understood what was meant, but not the code or rating.
    Invalid(CommandError),
}

impl Command {
    /// The verb, for records and metrics.
    pub fn verb(&self) -> Verb {
        match self {
            Command::Lookup(_) | Command::Track(_) => Verb::Lookup,
            Command::Subscribe(_) => Verb::Subscribe,
            Command::Unsubscribe(_) => Verb::Unsubscribe,
            Command::Rate(..) => Verb::Rate,
            Command::Help => Verb::Help,
            Command::OptOut => Verb::OptOut,
            Command::Invalid(e) => e.verb(),
        }
    }

    /// The dossier the command names, if any.
    pub fn target(&self) -> Option<&Target> {
        match self {
            Command::Lookup(t)
            | Command::Subscribe(t)
            | Command::Unsubscribe(Some(t))
            | Command::Rate(t, _) => Some(t),
            _ => None,
        }
    }
}

/// A parsed message: the command, and how many different codes the text named (the command is
/// about the first; a reply says so when there were more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub command: Command,
    /// Different valid codes in the text (dossier codes, lookup numbers, tracking codes).
    pub codes: usize,
}

/// Words that carry no command: greetings, polite words, pronouns, fillers ("mã số"), and the
/// small words of a question. They are looked past when a command word is bound to its code.
const QUIET_WORDS: &[&str] = &[
    "A", "AH", "AK", "AA", "DA", "VANG", "NHE", "NHA", "NHEN", "NHAK", "OI", "EM", "ANH", "CHI",
    "CO", "CHU", "BAC", "BAN", "AD", "ADMIN", "CAM", "ON", "CAMON", "THANKS", "THANK", "TKS",
    "THANKYOU", "YOU", "XIN", "CHAO", "ALO", "HELLO", "HI", "VOI", "GIUP", "GIUM", "DUM", "CHO",
    "HOI", "MINH", "TOI", "VUI", "LONG", "LAM", "MA", "SO", "HS", "CUA", "VE", "XEM", "KIEM",
    "TRA", "MUON", "DIEM", "MUC", "LA", "OK", "OKE", "VA", "THI", "NAY", "NHU", "THE", "NAO",
    "SAO", "ROI", "CHUA", "GI", "DUOC", "KHONG", "KO", "K", "DEN", "DAU", "NUA", "QUA",
];

/// Words after which ten digits are a phone number, not a lookup number.
const PHONE_WORDS: &[&str] = &["SDT", "DT", "DTDD", "ZALO", "PHONE", "TEL", "MOBILE", "LH"];
/// The same, as two words (`dien thoai`, `lien he`).
const PHONE_PAIRS: &[(&str, &str)] = &[("DIEN", "THOAI"), ("LIEN", "HE"), ("SO", "MAY")];

fn is_quiet(word: &str) -> bool {
    QUIET_WORDS.contains(&word)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Digits, or the letter O written for 0.
fn is_digitish(part: &[u8]) -> bool {
    !part.is_empty() && part.iter().all(|b| b.is_ascii_digit() || *b == b'O')
}

fn o_to_zero(part: &str) -> String {
    part.replace('O', "0")
}

/// The end of the run of letters and digits starting at `i`.
fn run_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|c| !is_word_byte(*c))
        .map_or(b.len(), |n| i + n)
}

/// The words (runs of letters and digits, and each `?`) of `text`, with where they start.
fn words_of(text: &str) -> Vec<(usize, &str)> {
    let b = text.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if is_word_byte(b[i]) {
            let end = run_end(b, i);
            words.push((i, &text[i..end]));
            i = end;
        } else {
            if b[i] == b'?' {
                words.push((i, &text[i..=i]));
            }
            i += 1;
        }
    }
    words
}

/// What a code-shaped token turned out to be.
#[derive(Debug, Clone)]
enum Found {
    Code(DossierCode),
    Number(LookupNumber),
    Tracking(String),
    /// Shaped like a dossier code, but not one (the error says which part).
    BadCode(DomainError),
    /// Ten digits whose check digit is wrong.
    Typo,
}

impl Found {
    fn canonical(&self) -> Option<String> {
        match self {
            Found::Code(code) => Some(code.as_str().to_owned()),
            Found::Number(number) => Some(number.to_string()),
            Found::Tracking(code) => Some(code.clone()),
            Found::BadCode(_) | Found::Typo => None,
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    start: usize,
    end: usize,
    found: Found,
}

/// The separator between two parts of a dossier code at `i`: a dash (spaces around it allowed)
/// or spaces. Returns where the next part starts and whether it was a dash.
fn part_separator(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let mut k = i;
    while b.get(k) == Some(&b' ') {
        k += 1;
    }
    let dashed = matches!(b.get(k), Some(b'-' | b'_'));
    if dashed {
        k += 1;
        while b.get(k) == Some(&b' ') {
            k += 1;
        }
    } else if k == i {
        return None;
    }
    b.get(k)
        .is_some_and(|c| is_word_byte(*c))
        .then_some((k, dashed))
}

/// A dossier code's shape at `i`: `<agency>-<yyMMdd>-<seq>`, each dash possibly a space. Returns
/// its end and its parts joined the canonical way (for [`DossierCode::parse`] to check).
fn dossier_at(text: &str, i: usize) -> Option<(usize, String)> {
    let b = text.as_bytes();
    let mut j = i;
    let mut groups = 0;
    loop {
        let end = run_end(b, j);
        if end == j {
            return None;
        }
        groups += 1;
        j = end;
        if groups < 6 && b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(|c| is_word_byte(*c)) {
            j += 1;
            continue;
        }
        break;
    }
    let agency = &text[i..j];
    if agency.len() > 35 {
        return None;
    }
    let (date_start, first_dash) = part_separator(b, j)?;
    let date_end = run_end(b, date_start);
    if date_end - date_start != 6 || !is_digitish(&b[date_start..date_end]) {
        return None;
    }
    let (seq_start, second_dash) = part_separator(b, date_end)?;
    let seq_end = run_end(b, seq_start);
    if !(1..=6).contains(&(seq_end - seq_start)) || !is_digitish(&b[seq_start..seq_end]) {
        return None;
    }
    // Parts set apart by spaces alone: only an agency code that looks like one (a dot, or
    // letters with digits such as H48), so "nhe 220921 0099" is not a code.
    let looks_like_agency = agency.contains('.')
        || (agency.bytes().any(|c| c.is_ascii_alphabetic())
            && agency.bytes().any(|c| c.is_ascii_digit()));
    if !(looks_like_agency || (first_dash && second_dash)) {
        return None;
    }
    let joined = format!(
        "{agency}-{}-{}",
        &text[date_start..date_end],
        &text[seq_start..seq_end]
    );
    Some((seq_end, joined))
}

/// An intake tracking code at `i`: `HD` or `PAKN`, then `yyyymmdd` and a sequence, separated by
/// a dot, a dash or a space (`HD.20261120.0001`, `hd 20261120 1`). Returns its end and the code
/// as intake issues it.
fn tracking_at(text: &str, i: usize) -> Option<(usize, String)> {
    let b = text.as_bytes();
    let prefix = ["PAKN", "HD"]
        .into_iter()
        .find(|p| text[i..].starts_with(p))?;
    let mut k = i + prefix.len();
    if matches!(b.get(k), Some(b'.' | b'-' | b' ')) {
        k += 1;
    }
    let date_end = run_end(b, k);
    if date_end - k != 8 || !is_digitish(&b[k..date_end]) {
        return None;
    }
    if !matches!(b.get(date_end), Some(b'.' | b'-' | b' ')) {
        return None;
    }
    let seq_start = date_end + 1;
    let seq_end = run_end(b, seq_start);
    if !(1..=6).contains(&(seq_end.saturating_sub(seq_start)))
        || !is_digitish(&b[seq_start..seq_end])
    {
        return None;
    }
    let date = o_to_zero(&text[k..date_end]);
    chrono::NaiveDate::parse_from_str(&date, "%Y%m%d").ok()?;
    let seq: u32 = o_to_zero(&text[seq_start..seq_end]).parse().ok()?;
    Some((seq_end, format!("{prefix}.{date}.{seq:04}")))
}

/// Ten digits at `i` (the letter O for 0), in groups set apart by spaces, dots or dashes; the
/// tenth digit must end a group, so a rating after the number (`... 82 3`) stays apart. The first
/// group has a real digit and at least half of the ten are real digits, so the word "o" (ở) is
/// not taken for a 0.
fn number_at(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut j = i;
    let mut count = 0;
    loop {
        let end = run_end(b, j);
        let group = &b[j..end];
        if !is_digitish(group) || (j == i && !group.iter().any(u8::is_ascii_digit)) {
            return None;
        }
        count += group.len();
        if count == 10 {
            let real = b[i..end].iter().filter(|c| c.is_ascii_digit()).count();
            return (real >= 5).then_some(end);
        }
        if count > 10 {
            return None;
        }
        let mut k = end;
        while k < b.len() && k - end < 3 && matches!(b[k], b' ' | b'.' | b'-') {
            k += 1;
        }
        if k == end || !b.get(k).is_some_and(|c| is_word_byte(*c)) {
            return None;
        }
        j = k;
    }
}

/// Whether the digits at `i` follow a phone word (`SDT: 0912…`, `dien thoai 0912…`) or a `+`.
fn is_phone_at(text: &str, i: usize) -> bool {
    if text[..i].trim_end_matches(' ').ends_with('+') {
        return true;
    }
    let before = words_of(&text[..i]);
    let last = before.last().map(|(_, w)| *w);
    let second = before.len().checked_sub(2).map(|n| before[n].1);
    last.is_some_and(|w| PHONE_WORDS.contains(&w))
        || PHONE_PAIRS
            .iter()
            .any(|(a, b)| second == Some(*a) && last == Some(*b))
}

/// Every code-shaped token of a normalised text, in order, without overlaps; and the spans of
/// phone numbers (after a phone word or a `+`, or the sender's own number, `own`, in its national
/// form).
fn scan(text: &str, own: Option<&str>) -> (Vec<Token>, Vec<(usize, usize)>) {
    let b = text.as_bytes();
    let mut tokens: Vec<Token> = Vec::new();
    let mut phones = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let at_word = is_word_byte(b[i]) && (i == 0 || !is_word_byte(b[i - 1]));
        if !at_word {
            i += 1;
            continue;
        }
        if let Some((end, code)) = tracking_at(text, i) {
            tokens.push(Token {
                start: i,
                end,
                found: Found::Tracking(code),
            });
            i = end;
            continue;
        }
        if let Some((end, joined)) = dossier_at(text, i) {
            let found = match DossierCode::parse(&joined) {
                Ok(code) => Found::Code(code),
                Err(error) => Found::BadCode(error),
            };
            tokens.push(Token {
                start: i,
                end,
                found,
            });
            i = end;
            continue;
        }
        if let Some(end) = number_at(text, i) {
            let digits: String = text[i..end]
                .bytes()
                .filter_map(|c| match c {
                    b'O' => Some('0'),
                    c if c.is_ascii_digit() => Some(char::from(c)),
                    _ => None,
                })
                .collect();
            if is_phone_at(text, i) || own == Some(digits.as_str()) {
                phones.push((i, end));
                i = end;
                continue;
            }
            match LookupNumber::parse(&o_to_zero(&text[i..end])) {
                Ok(number) => {
                    tokens.push(Token {
                        start: i,
                        end,
                        found: Found::Number(number),
                    });
                    i = end;
                    continue;
                }
                // A typo may also be a stray number before the real one: look on from the next
                // word, and keep the typo only if nothing else turns up.
                Err(DomainError::LookupNumberCheckDigit) => tokens.push(Token {
                    start: i,
                    end,
                    found: Found::Typo,
                }),
                Err(_) => {}
            }
        }
        i = run_end(b, i);
    }
    let any_valid = tokens.iter().any(|t| t.found.canonical().is_some());
    let mut kept: Vec<Token> = Vec::with_capacity(tokens.len());
    for token in tokens {
        let typo = matches!(token.found, Found::Typo);
        if typo && (any_valid || kept.iter().any(|t| matches!(t.found, Found::Typo))) {
            continue;
        }
        if kept.last().is_some_and(|last| token.start < last.end) {
            continue;
        }
        kept.push(token);
    }
    (kept, phones)
}

/// Separates a command word glued to a code (`HS000.00…`, `DK.000.00…`, `HS5108…`): a space
/// after any alphabetic keyword that a digit, or a dot and a digit, follows directly.
fn unglue(text: &str, keywords: &Keywords) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 4);
    let mut i = 0;
    while i < b.len() {
        let starts_word = b[i].is_ascii_alphabetic() && (i == 0 || !is_word_byte(b[i - 1]));
        if starts_word {
            let letters_end = b[i..]
                .iter()
                .position(|c| !c.is_ascii_alphabetic())
                .map_or(b.len(), |n| i + n);
            let letters = &text[i..letters_end];
            let glued = match &b[letters_end..] {
                [d, ..] if d.is_ascii_digit() => Some(letters_end),
                [b'.', d, ..] if d.is_ascii_digit() => Some(letters_end + 1),
                _ => None,
            };
            if let Some(next) = glued.filter(|_| keywords.is_alphabetic_keyword(letters)) {
                out.push_str(letters);
                out.push(' ');
                i = next;
                continue;
            }
            out.push_str(letters);
            i = letters_end;
            continue;
        }
        out.push(char::from(b[i]));
        i += 1;
    }
    out
}

/// One piece of a message: a code-shaped token (by index), a keyword, or another word.
#[derive(Debug, Clone, Copy)]
enum Item<'a> {
    Token(usize),
    Key(Verb),
    Word(usize, &'a str),
}

/// The message as tokens, keywords and words, in order.
fn items<'a>(text: &'a str, tokens: &[Token], keywords: &Keywords) -> Vec<Item<'a>> {
    let mut out = Vec::new();
    let mut from = 0;
    let push_words = |segment_start: usize, segment: &'a str, out: &mut Vec<Item<'a>>| {
        let words = words_of(segment);
        let plain: Vec<&str> = words.iter().map(|(_, w)| *w).collect();
        let mut k = 0;
        while k < words.len() {
            if let Some((verb, len)) = keywords.at(&plain[k..]) {
                out.push(Item::Key(verb));
                k += len;
            } else {
                out.push(Item::Word(segment_start + words[k].0, words[k].1));
                k += 1;
            }
        }
    };
    for (index, token) in tokens.iter().enumerate() {
        push_words(from, &text[from..token.start], &mut out);
        out.push(Item::Token(index));
        from = token.end;
    }
    push_words(from, &text[from..], &mut out);
    out
}

/// The command word bound to the subject at `at`: right before it, else the message's first
/// word, else right after it. Lookup words and quiet words are looked past; only the verbs that
/// act on a dossier count (lookup is the default).
fn bound_verb(items: &[Item<'_>], at: usize) -> Verb {
    let binds = |item: &Item<'_>| -> Result<Option<Verb>, ()> {
        match item {
            Item::Key(Verb::Lookup) => Ok(None),
            Item::Key(verb) if verb.takes_code() => Ok(Some(*verb)),
            Item::Word(_, w) if is_quiet(w) || w.bytes().all(|c| c.is_ascii_digit()) => Ok(None),
            _ => Err(()),
        }
    };
    let scan = |iter: &mut dyn Iterator<Item = &Item<'_>>| -> Option<Verb> {
        for item in iter {
            match binds(item) {
                Ok(Some(verb)) => return Some(verb),
                Ok(None) => continue,
                Err(()) => return None,
            }
        }
        None
    };
    let before = scan(&mut items[..at].iter().rev());
    let first = items[..at].iter().find_map(|item| match item {
        Item::Word(_, w) if is_quiet(w) => None,
        Item::Key(verb) if verb.takes_code() && *verb != Verb::Lookup => Some(Some(*verb)),
        _ => Some(None),
    });
    let after = scan(&mut items[at + 1..].iter());
    before.or(first.flatten()).or(after).unwrap_or(Verb::Lookup)
}

/// The rating of `DG`: the first lone digit or scale words after the code (up to the next
/// code), else a lone digit between the keyword and the code.
fn rating_near(items: &[Item<'_>], at: usize) -> Result<Rating, CommandError> {
    let digit = |w: &str| match w {
        "1" => Ok(Rating::VerySatisfied),
        "2" => Ok(Rating::Satisfied),
        "3" => Ok(Rating::Dissatisfied),
        _ => Err(CommandError::InvalidRating),
    };
    let after: Vec<&str> = items[at + 1..]
        .iter()
        .take_while(|item| !matches!(item, Item::Token(_)))
        .filter_map(|item| match item {
            Item::Word(_, w) => Some(*w),
            _ => None,
        })
        .collect();
    for (k, word) in after.iter().enumerate() {
        if word.bytes().all(|c| c.is_ascii_digit()) {
            return digit(word);
        }
        let next = |n: usize| after.get(k + n).copied();
        match (*word, next(1), next(2)) {
            ("RAT", Some("HAI"), Some("LONG")) => return Ok(Rating::VerySatisfied),
            ("KHONG", Some("HAI"), Some("LONG")) => return Ok(Rating::Dissatisfied),
            ("HAI", Some("LONG"), _) => return Ok(Rating::Satisfied),
            _ => {}
        }
    }
    for item in items[..at].iter().rev() {
        match item {
            Item::Word(_, w) if w.bytes().all(|c| c.is_ascii_digit()) => return digit(w),
            Item::Key(Verb::Rate) | Item::Token(_) => break,
            _ => {}
        }
    }
    Err(CommandError::InvalidRating)
}

/// The command `verb` makes of `target`.
fn command_for(verb: Verb, target: Target, items: &[Item<'_>], at: usize) -> Command {
    match verb {
        Verb::Subscribe => Command::Subscribe(target),
        Verb::Unsubscribe => Command::Unsubscribe(Some(target)),
        Verb::Rate => match rating_near(items, at) {
            Ok(rating) => Command::Rate(target, rating),
            Err(error) => Command::Invalid(error),
        },
        _ => Command::Lookup(target),
    }
}

/// Parses one inbound text (any case, with or without diacritics, full-width digits welcome).
pub fn parse_command(text: &str, keywords: &Keywords) -> Command {
    parse_message(text, keywords).command
}

/// Parses one inbound text into its command and the number of codes it named.
pub fn parse_message(text: &str, keywords: &Keywords) -> Message {
    let clipped: String = text.chars().take(SMS_TEXT_MAX_CHARS).collect();
    parse_normalised_message(&normalise(&clipped), keywords)
}

/// [`parse_command`] for a text already passed through [`normalise`].
pub fn parse_normalised(text: &str, keywords: &Keywords) -> Command {
    parse_normalised_message(text, keywords).command
}

/// [`parse_message`] for a text already passed through [`normalise`].
pub fn parse_normalised_message(text: &str, keywords: &Keywords) -> Message {
    parse_normalised_message_from(text, keywords, None)
}

/// [`parse_normalised_message`] for a message from the phone `own` (national form,
/// `0912345678`): that number in the text is the sender's phone, never a lookup number.
pub fn parse_normalised_message_from(
    text: &str,
    keywords: &Keywords,
    own: Option<&str>,
) -> Message {
    let ascii: String = text
        .chars()
        .map(|c| if c.is_ascii() { c } else { '?' })
        .collect();
    let text = unglue(&ascii, keywords);
    let (tokens, phones) = scan(&text, own);
    let items = items(&text, &tokens, keywords);
    let mut seen: Vec<String> = tokens.iter().filter_map(|t| t.found.canonical()).collect();
    seen.sort();
    seen.dedup();
    let codes = seen.len();
    let position = |index: usize| {
        items
            .iter()
            .position(|item| matches!(item, Item::Token(i) if *i == index))
            .unwrap_or(0)
    };
    let subject = tokens
        .iter()
        .position(|t| t.found.canonical().is_some())
        .or((!tokens.is_empty()).then_some(0));
    let command = match subject {
        Some(index) => {
            let at = position(index);
            let verb = bound_verb(&items, at);
            match &tokens[index].found {
                Found::Tracking(code) => Command::Track(code.clone()),
                Found::Code(code) => command_for(verb, Target::Code(code.clone()), &items, at),
                Found::Number(number) => command_for(verb, Target::Number(*number), &items, at),
                Found::BadCode(error) => {
                    Command::Invalid(CommandError::InvalidCode(verb, error.clone()))
                }
                Found::Typo => Command::Invalid(CommandError::NumberTypo(verb)),
            }
        }
        None => without_code(&text, &items, &phones),
    };
    Message { command, codes }
}

/// A message with no code-shaped token: a malformed code after a command word (or a long run of
/// digits), an opt-out, help, or a command word missing its code.
fn without_code(text: &str, items: &[Item<'_>], phones: &[(usize, usize)]) -> Command {
    let wants_code = items.iter().find_map(|item| match item {
        Item::Key(verb) if verb.takes_code() => Some(*verb),
        _ => None,
    });
    let in_phone = |at: usize| phones.iter().any(|(s, e)| (*s..*e).contains(&at));
    let digit_words: Vec<(usize, &str)> = items
        .iter()
        .filter_map(|item| match item {
            Item::Word(at, w) if w.bytes().any(|c| c.is_ascii_digit()) && !in_phone(*at) => {
                Some((*at, *w))
            }
            _ => None,
        })
        .collect();
    if let (Some((first, _)), Some((last, last_word))) = (digit_words.first(), digit_words.last()) {
        let region = &text[*first..*last + last_word.len()];
        let digits = region.bytes().filter(u8::is_ascii_digit).count();
        if wants_code.is_some() || digits >= 6 {
            let verb = wants_code.unwrap_or(Verb::Lookup);
            return match parse_region(region) {
                Ok(target) => {
                    let at = items
                        .iter()
                        .position(|item| matches!(item, Item::Word(a, _) if a == first))
                        .unwrap_or(0);
                    command_for(verb, target, items, at)
                }
                Err(DomainError::LookupNumberCheckDigit) => {
                    Command::Invalid(CommandError::NumberTypo(verb))
                }
                Err(error) => Command::Invalid(CommandError::InvalidCode(verb, error)),
            };
        }
    }
    let first = items
        .iter()
        .find(|item| !matches!(item, Item::Word(_, w) if is_quiet(w)));
    let other_dossier_words = |except: Verb| {
        items
            .iter()
            .any(|item| matches!(item, Item::Key(v) if v.takes_code() && *v != except))
    };
    match first {
        Some(Item::Key(Verb::OptOut)) if wants_code.is_none() => Command::OptOut,
        Some(Item::Key(Verb::Unsubscribe)) if !other_dossier_words(Verb::Unsubscribe) => {
            Command::Unsubscribe(None)
        }
        Some(Item::Key(Verb::Help)) => Command::Help,
        Some(Item::Key(verb)) if verb.takes_code() => {
            Command::Invalid(CommandError::MissingCode(*verb))
        }
        _ => match wants_code {
            Some(verb) if verb != Verb::Unsubscribe => {
                Command::Invalid(CommandError::MissingCode(verb))
            }
            _ => Command::Help,
        },
    }
}

/// What a run of words with digits that is no code-shaped token is, or why it is no code.
fn parse_region(region: &str) -> Result<Target, DomainError> {
    let digits_only = region
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b' ' | b'.' | b'-'));
    if digits_only && region.bytes().filter(u8::is_ascii_digit).count() == 10 {
        return LookupNumber::parse(region).map(Target::Number);
    }
    DossierCode::parse(region).map(Target::Code)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "000.00.53.H48-220921-0099";

    fn parse(text: &str) -> Command {
        parse_command(text, &Keywords::defaults())
    }

    fn code() -> Target {
        Target::Code(DossierCode::parse(CODE).expect("code"))
    }

    #[test]
    fn a_status_request_is_understood_in_every_usual_spelling() {
        for text in [
            "HS 000.00.53.H48-220921-0099",
            "hs 000.00.53.h48-220921-0099",
            "Hs:000.00.53.H48-220921-0099",
            "HS,  000.00.53.H48 – 220921 – 0099",
            "  tc   000.00.53.H48-220921-0099  ",
            "HS000.00.53.H48-220921-0099",
            "ＨＳ ０００.００.５３.Ｈ４８-２２０９２１-００９９",
            "HS 000.00.53.H48 220921 0099",
            "000.00.53.H48-220921-0099",
            "HS#000.00.53.H48-220921-0099",
            "HS\t000.00.53.H48-220921-0099\n",
            "Hồ sơ 000.00.53.H48-220921-0099",
            "HS mã hồ sơ: 000.00.53.H48-220921-0099",
            "Tra cứu mã 000.00.53.H48-220921-0099",
        ] {
            assert_eq!(parse(text), Command::Lookup(code()), "{text:?}");
        }
    }

    #[test]
    fn keywords_with_diacritics_are_the_same_keywords() {
        assert_eq!(
            parse("ĐK 000.00.53.H48-220921-0099"),
            Command::Subscribe(code())
        );
        assert_eq!(
            parse("Hủy 000.00.53.H48-220921-0099"),
            Command::Unsubscribe(Some(code()))
        );
        assert_eq!(parse("HỦY"), Command::Unsubscribe(None));
        assert_eq!(parse("Từ chối"), Command::OptOut);
        assert_eq!(parse("tuchoi"), Command::OptOut);
        assert_eq!(parse("stop"), Command::OptOut);
        assert_eq!(
            parse("đg 000.00.53.H48-220921-0099 1"),
            Command::Rate(code(), Rating::VerySatisfied)
        );
    }

    #[test]
    fn a_lookup_number_works_with_or_without_keyword_and_with_full_width_digits() {
        let number = LookupNumber::parse("5108772782").expect("number");
        assert_eq!(
            parse("5108 7727 82"),
            Command::Lookup(Target::Number(number))
        );
        assert_eq!(
            parse("HS 5108772782"),
            Command::Lookup(Target::Number(number))
        );
        assert_eq!(
            parse("hs ５１０８７７２７８２"),
            Command::Lookup(Target::Number(number))
        );
        assert_eq!(
            parse("HS 5108772783"),
            Command::Invalid(CommandError::NumberTypo(Verb::Lookup))
        );
    }

    #[test]
    fn ratings_take_one_two_or_three() {
        assert_eq!(
            parse("DG 000.00.53.H48-220921-0099 3"),
            Command::Rate(code(), Rating::Dissatisfied)
        );
        assert_eq!(
            parse("DG 000.00.53.H48-220921-0099,2"),
            Command::Rate(code(), Rating::Satisfied)
        );
        assert_eq!(
            parse("DG 000.00.53.H48-220921-0099 5"),
            Command::Invalid(CommandError::InvalidRating)
        );
        assert_eq!(
            parse("DG 000.00.53.H48-220921-0099"),
            Command::Invalid(CommandError::InvalidRating)
        );
        assert_eq!(
            parse("DG"),
            Command::Invalid(CommandError::MissingCode(Verb::Rate))
        );
    }

    #[test]
    fn help_and_unknown_text_ask_for_help() {
        for text in ["TG", "help", "?", "xin chao", "", "   ", "HSX 123", "😀"] {
            assert_eq!(parse(text), Command::Help, "{text:?}");
        }
    }

    #[test]
    fn a_malformed_code_says_which_command_it_was_for() {
        match parse("HS 000.00.53.H48-221399-0099") {
            Command::Invalid(CommandError::InvalidCode(Verb::Lookup, _)) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse("HS"),
            Command::Invalid(CommandError::MissingCode(Verb::Lookup))
        );
        assert_eq!(
            parse("DK"),
            Command::Invalid(CommandError::MissingCode(Verb::Subscribe))
        );
        match parse("000.00.53.H48-2209-0099") {
            Command::Invalid(CommandError::InvalidCode(Verb::Lookup, _)) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn injection_strings_and_huge_texts_are_just_unknown_input() {
        assert_eq!(parse("'; DROP TABLE dossiers; --"), Command::Help);
        assert!(matches!(
            parse("HS <script>alert(1)</script>"),
            Command::Invalid(CommandError::InvalidCode(Verb::Lookup, _))
        ));
        let huge = "HS ".to_owned() + &"9".repeat(100_000);
        assert!(matches!(parse(&huge), Command::Invalid(_)));
    }

    #[test]
    fn an_agency_named_like_a_filler_word_is_part_of_the_code() {
        // Found by the property tests: `MA` was taken for the filler "mã" and dropped, so
        // `MA-000101-0000` became the lookup number 0001010000.
        for (text, code) in [
            ("HS MA-000101-0000", "MA-000101-0000"),
            ("MA-000101-0000", "MA-000101-0000"),
            ("HS MA.H48-220921-0099", "MA.H48-220921-0099"),
            ("HS mã HS-000101-0000", "HS-000101-0000"),
            ("DG MA-220921-0099 2", "MA-220921-0099"),
        ] {
            let expected = Target::Code(DossierCode::parse(code).expect("code"));
            let parsed = parse(text);
            let target = match &parsed {
                Command::Lookup(t) | Command::Rate(t, _) => Some(t),
                _ => None,
            };
            assert_eq!(target, Some(&expected), "{text}: {parsed:?}");
        }
    }

    fn message(text: &str) -> Message {
        parse_message(text, &Keywords::defaults())
    }

    #[test]
    fn free_text_around_the_code_is_read_past() {
        for text in [
            "HS 000.00.53.H48-220921-0099 ạ",
            "HS 000.00.53.H48-220921-0099 cam on",
            "Cho hỏi hồ sơ 000.00.53.H48-220921-0099",
            "Chào anh, em muốn tra cứu hồ sơ 000.00.53.H48-220921-0099 ạ. Cảm ơn!",
            "000.00.53.H48-220921-0099 nhé",
            "Ad ơi\nmã hồ sơ: 000.00.53.H48-220921-0099\ncảm ơn ad",
            "hs.000.00.53.H48-220921-0099",
            "(000.00.53.H48-220921-0099)",
            "ho so so 000.00.53.h48 - 220921 - 99 da xong chua?",
            "Ho so 000.00.53.H48-220921-0099 bi tu choi vi sao",
            "cho hoi HS000.00.53.H48-220921-0099",
            "000.OO.53.HO8-22O921-OO99".replace("HO8", "H48").as_str(),
        ] {
            assert_eq!(parse(text), Command::Lookup(code()), "{text:?}");
        }
    }

    #[test]
    fn command_words_count_before_or_after_the_code() {
        assert_eq!(
            parse("DK 000.00.53.H48-220921-0099 nhe"),
            Command::Subscribe(code())
        );
        assert_eq!(
            parse("Đăng ký giúp em: ĐK hồ sơ 000.00.53.H48-220921-0099"),
            Command::Subscribe(code())
        );
        assert_eq!(
            parse("000.00.53.H48-220921-0099 dk"),
            Command::Subscribe(code())
        );
        assert_eq!(
            parse("000.00.53.H48-220921-0099 Hủy nhé"),
            Command::Unsubscribe(Some(code()))
        );
        assert_eq!(
            parse("Huy dang ky ho so 000.00.53.H48-220921-0099"),
            Command::Unsubscribe(Some(code()))
        );
        assert_eq!(
            parse("Đánh giá 000.00.53.H48-220921-0099 3"),
            Command::Rate(code(), Rating::Dissatisfied)
        );
        assert_eq!(
            parse("000.00.53.H48-220921-0099 danh gia 1 a"),
            Command::Rate(code(), Rating::VerySatisfied)
        );
        assert_eq!(
            parse("DG 2 000.00.53.H48-220921-0099"),
            Command::Rate(code(), Rating::Satisfied)
        );
        assert_eq!(
            parse("Đánh giá hồ sơ 000.00.53.H48-220921-0099: hài lòng"),
            Command::Rate(code(), Rating::Satisfied)
        );
        assert_eq!(
            parse("dg 000.00.53.H48-220921-0099 khong hai long"),
            Command::Rate(code(), Rating::Dissatisfied)
        );
    }

    #[test]
    fn a_rating_is_never_part_of_a_lookup_number() {
        let number = LookupNumber::parse("5108772782").expect("number");
        for text in ["DG 5108 7727 82 3", "DG 5108772782 3", "dg 5108-7727-82, 3"] {
            assert_eq!(
                parse(text),
                Command::Rate(Target::Number(number), Rating::Dissatisfied),
                "{text}"
            );
        }
        assert_eq!(
            parse("HS 51O8 7727 82"),
            Command::Lookup(Target::Number(number))
        );
    }

    #[test]
    fn two_codes_answer_about_the_first_and_count_both() {
        let other = "000.00.16.H48-261120-9001";
        let both = message(&format!("HS {CODE} va {other}"));
        assert_eq!((both.command, both.codes), (Command::Lookup(code()), 2));
        let same = message(&format!("HS {CODE} {CODE}"));
        assert_eq!(same.codes, 1);
        let number_first = message(&format!("5108 7727 82, {CODE}"));
        assert_eq!(
            number_first.command,
            Command::Lookup(Target::Number(
                LookupNumber::parse("5108772782").expect("n")
            ))
        );
        assert_eq!(number_first.codes, 2);
    }

    #[test]
    fn a_phone_number_is_not_a_lookup_number() {
        // 0905 123 455 passes the check digit, so only the word before it tells it apart.
        assert!(LookupNumber::parse("0905123455").is_ok());
        let with_code = message(&format!("SDT 0905123455, ho so {CODE}"));
        assert_eq!(
            (with_code.command, with_code.codes),
            (Command::Lookup(code()), 1)
        );
        assert_eq!(parse("dien thoai: 0905123455"), Command::Help);
        // The sender's own number, written without a phone word, is the sender's phone.
        let own = parse_normalised_message_from(
            &normalise(&format!("0905 123 455 HS {CODE}")),
            &Keywords::defaults(),
            Some("0905123455"),
        );
        assert_eq!((own.command, own.codes), (Command::Lookup(code()), 1));
        // A wrong check digit is a typo only when nothing else is named.
        let typo_then_code = message(&format!("0912345678 HS {CODE}"));
        assert_eq!(
            (typo_then_code.command, typo_then_code.codes),
            (Command::Lookup(code()), 1)
        );
    }

    #[test]
    fn tracking_codes_are_recognised_and_canonical() {
        assert_eq!(
            parse("HD.20261120.0001"),
            Command::Track("HD.20261120.0001".into())
        );
        assert_eq!(
            parse("cho hoi cau hoi hd 20261120 1 a"),
            Command::Track("HD.20261120.0001".into())
        );
        assert_eq!(
            parse("PAKN-2026112O-0012"),
            Command::Track("PAKN.20261120.0012".into())
        );
    }

    #[test]
    fn opt_out_words_inside_a_sentence_are_no_opt_out() {
        assert_eq!(parse("Tu choi nhan tin"), Command::OptOut);
        assert_eq!(parse("Huy tat ca nhe"), Command::Unsubscribe(None));
        assert_eq!(
            parse("ho so bi tu choi vi sao"),
            Command::Invalid(CommandError::MissingCode(Verb::Lookup))
        );
        assert_eq!(parse("vi sao bi tu choi"), Command::Help);
        assert_eq!(
            parse("Cho em hoi cach tra cuu"),
            Command::Invalid(CommandError::MissingCode(Verb::Lookup))
        );
    }

    #[test]
    fn configured_keywords_replace_the_defaults() {
        let words = vec!["TRA CUU".to_owned()];
        let keywords = Keywords::new(&[(Verb::Lookup, &words)]);
        assert_eq!(
            parse_command("tra cứu 000.00.53.H48-220921-0099", &keywords),
            Command::Lookup(code())
        );
        assert_eq!(parse_command("HS", &keywords), Command::Help);
        assert_eq!(parse_command("DK 1", &keywords), Command::Help);
        assert_eq!(keywords.primary(Verb::Lookup), "TRA CUU");
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    /// A canonical dossier code; some agencies start with a filler word (`MA`) or a keyword
    /// (set apart from what follows by a dot and a letter, or alone).
    fn code() -> impl Strategy<Value = DossierCode> {
        let group = "[0-9A-NP-Z]{1,5}";
        let first = prop_oneof![
            4 => group.prop_map(String::from),
            1 => prop::sample::select(vec!["MA", "MAHS", "HS", "DK", "TG", "000"]).prop_map(String::from),
        ];
        (
            first,
            prop::collection::vec(group, 0..=4),
            (0i32..100, 1u32..=12, 1u32..=28),
            0u32..=999_999,
        )
            .prop_filter_map("a valid code", |(first, rest, (y, m, d), seq)| {
                let agency = std::iter::once(first)
                    .chain(rest)
                    .collect::<Vec<_>>()
                    .join(".");
                // A command word glued to digits (`HS0`, `DK.000`) is read as the command and a
                // code (decision 0056): no agency code begins that way.
                if unglue(&agency, &Keywords::defaults()) != agency {
                    return None;
                }
                DossierCode::parse(&format!("{agency}-{:02}{m:02}{d:02}-{seq}", y)).ok()
            })
    }

    /// Words and phrases citizens put around a code (none has a digit).
    const FREE_WORDS: &[&str] = &[
        "ạ",
        "nhé",
        "cảm ơn",
        "cam on",
        "em",
        "ơi",
        "Chào anh",
        "xin chào",
        "Cho hỏi",
        "hồ sơ",
        "HS",
        "mã hồ sơ:",
        "tra cứu",
        "Tra cuu",
        "ĐK",
        "dk",
        "Hủy",
        "Đánh giá",
        "DG",
        "TG",
        "Tu choi",
        "của em",
        "đến đâu rồi",
        "xong chưa",
        "?",
        "!!",
        "...",
        "ad",
        "Kính gửi",
        "UBND",
        "mã",
        "thanks",
        "😀",
        "-",
        "giúp em với",
        "HD",
        "PAKN",
    ];

    fn target() -> impl Strategy<Value = Target> {
        prop_oneof![
            code().prop_map(Target::Code),
            any::<u64>().prop_map(|s| Target::Number(LookupNumber::from_sequence(s))),
        ]
    }

    fn rating() -> impl Strategy<Value = Rating> {
        prop_oneof![
            Just(Rating::VerySatisfied),
            Just(Rating::Satisfied),
            Just(Rating::Dissatisfied)
        ]
    }

    fn command() -> impl Strategy<Value = Command> {
        prop_oneof![
            target().prop_map(Command::Lookup),
            target().prop_map(Command::Subscribe),
            target().prop_map(|t| Command::Unsubscribe(Some(t))),
            Just(Command::Unsubscribe(None)),
            (target(), rating()).prop_map(|(t, r)| Command::Rate(t, r)),
            Just(Command::Help),
            Just(Command::OptOut),
        ]
    }

    fn target_text(target: &Target, grouped: bool) -> String {
        match target {
            Target::Code(code) => code.as_str().to_owned(),
            Target::Number(number) if grouped => number.grouped(),
            Target::Number(number) => number.to_string(),
        }
    }

    /// The text a citizen is told to send for `command` (the replies' keywords and syntax).
    fn render(command: &Command, keywords: &Keywords, separator: &str, grouped: bool) -> String {
        let word = |verb| keywords.primary(verb).to_owned();
        match command {
            Command::Lookup(t) => format!(
                "{}{separator}{}",
                word(Verb::Lookup),
                target_text(t, grouped)
            ),
            Command::Subscribe(t) => format!(
                "{}{separator}{}",
                word(Verb::Subscribe),
                target_text(t, grouped)
            ),
            Command::Unsubscribe(Some(t)) => {
                format!(
                    "{}{separator}{}",
                    word(Verb::Unsubscribe),
                    target_text(t, grouped)
                )
            }
            Command::Unsubscribe(None) => word(Verb::Unsubscribe),
            Command::Rate(t, r) => format!(
                "{}{separator}{} {}",
                word(Verb::Rate),
                target_text(t, grouped),
                r.value()
            ),
            Command::Help => word(Verb::Help),
            Command::OptOut => word(Verb::OptOut),
            Command::Track(code) => code.clone(),
            Command::Invalid(_) => String::new(),
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = parse_command(&text, &Keywords::defaults());
        }

        #[test]
        fn a_keyword_followed_by_anything_never_panics(
            keyword in prop::sample::select(vec!["HS", "DK", "HUY", "DG", "TG", "TU CHOI", "ma ho so"]),
            rest in "[ -~À-ỹ]{0,60}",
        ) {
            let _ = parse_command(&format!("{keyword} {rest}"), &Keywords::defaults());
            let _ = parse_command(&format!("DG {rest} 2"), &Keywords::defaults());
        }

        /// What the replies tell citizens to send is understood as that command, however it is
        /// typed: any case, the separators people use, grouped lookup numbers.
        #[test]
        fn rendered_commands_parse_back(
            command in command(),
            separator in prop::sample::select(vec![" ", "  ", ":", ": ", ",", "#", " - "]),
            grouped in any::<bool>(),
            lower in any::<bool>(),
        ) {
            let keywords = Keywords::defaults();
            let text = render(&command, &keywords, separator, grouped);
            let text = if lower { text.to_lowercase() } else { text };
            prop_assert_eq!(parse_command(&text, &keywords), command, "{:?}", text);
        }

        /// Words before the code ("mã hồ sơ") are skipped.
        #[test]
        fn filler_words_before_the_code_are_skipped(
            target in target(),
            filler in prop::sample::select(vec!["mã hồ sơ: ", "mã ", "ma hs ", "Mã số: "]),
        ) {
            let text = format!("HS {filler}{}", target_text(&target, false));
            prop_assert_eq!(parse_command(&text, &Keywords::defaults()), Command::Lookup(target), "{:?}", text);
        }

        /// Any text with a code somewhere yields that code, whatever words, punctuation and
        /// line breaks surround it (words without digits, as citizens write them).
        #[test]
        fn a_code_anywhere_in_free_text_is_the_subject(
            target in target(),
            before in prop::collection::vec(prop::sample::select(FREE_WORDS.to_vec()), 0..6),
            after in prop::collection::vec(prop::sample::select(FREE_WORDS.to_vec()), 0..6),
            left in prop::sample::select(vec![" ", "\n", ": ", ", ", " (", "\r\n", "  "]),
            right in prop::sample::select(vec![" ", "\n", ". ", ", ", ") ", "! ", " ?"]),
            grouped in any::<bool>(),
            lower in any::<bool>(),
            letter_o in any::<bool>(),
        ) {
            let written = target_text(&target, grouped);
            if let (Target::Number(number), true) = (&target, letter_o) {
                // Free text reads O as 0 in ten digits whose first group has a real digit and
                // half of which are real digits (decision 0056).
                let digits = number.to_string();
                let first = if grouped { &digits[..4] } else { digits.as_str() };
                prop_assume!(
                    digits.bytes().filter(|c| *c != b'0').count() >= 5
                        && first.bytes().any(|c| c != b'0')
                );
            }
            // The letter O for 0: anywhere in a lookup number, in a code's date and sequence.
            let written = match (&target, letter_o) {
                (Target::Number(_), true) => written.replace('0', "O"),
                (Target::Code(_), true) => match written.split_once('-') {
                    Some((agency, rest)) => format!("{agency}-{}", rest.replace('0', "O")),
                    None => written,
                },
                _ => written,
            };
            let text = format!("{}{left}{written}{right}{}", before.join(" "), after.join(" "));
            let text = if lower { text.to_lowercase() } else { text };
            let parsed = parse_message(&text, &Keywords::defaults());
            let subject = match &parsed.command {
                Command::Invalid(CommandError::InvalidRating) => None,
                other => other.target(),
            };
            let rating_asked = matches!(parsed.command, Command::Invalid(CommandError::InvalidRating));
            prop_assert!(rating_asked || subject == Some(&target), "{:?}: {:?}", text, parsed);
            prop_assert_eq!(parsed.codes, 1, "{:?}", text);
        }

        /// A lookup number, or a code that does not begin with a keyword, sent on its own is a
        /// status request.
        #[test]
        fn a_bare_target_is_a_lookup(target in target()) {
            let text = target_text(&target, false);
            let starts_with_keyword = Keywords::defaults().starts_with_keyword(&normalise(&text));
            if !starts_with_keyword {
                prop_assert_eq!(parse_command(&text, &Keywords::defaults()), Command::Lookup(target));
            }
        }
    }
}
