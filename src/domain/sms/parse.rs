//! Inbound SMS commands (issue 5). A text message is folded to unaccented uppercase ASCII
//! (diacritics, full-width forms and case do not matter), its leading keyword is matched against
//! the configured keywords (longest first, with or without spaces inside, e.g. `TU CHOI` and
//! `TUCHOI`), sloppy separators after it are skipped (`HS:`, `HS,`, `HS#`, `HS-`), and the rest is
//! parsed into a dossier code or a lookup number. A message without a keyword that looks like a
//! code or a lookup number is a status request; anything else asks for help.

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
}

/// The configured keywords, normalised (unaccented, uppercase, single spaces), longest first.
#[derive(Debug, Clone)]
pub struct Keywords {
    entries: Vec<(String, Verb)>,
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
                entries.push((word, *verb));
            }
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.0.len()));
        Self { entries, primary }
    }

    /// The defaults of issue 5.
    pub fn defaults() -> Self {
        let s = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        Self::new(&[
            (Verb::Lookup, &s(&["HS", "TC", "HO SO", "TRA CUU"])),
            (Verb::Subscribe, &s(&["DK"])),
            (Verb::Unsubscribe, &s(&["HUY"])),
            (Verb::Rate, &s(&["DG"])),
            (Verb::Help, &s(&["TG", "HELP", "?"])),
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

    /// Splits a normalised text into its keyword's verb and the rest.
    fn split<'a>(&self, text: &'a str) -> Option<(Verb, &'a str)> {
        for (word, verb) in &self.entries {
            if let Some(rest) = strip_keyword(text, word) {
                return Some((*verb, rest));
            }
        }
        None
    }
}

/// `text` without the leading `word` (spaces inside `word` optional), when what follows is the
/// end, a separator or a digit (`HS0001...`); never in the middle of a word (`HSX` is no `HS`).
fn strip_keyword<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let mut rest = text;
    for c in word.chars() {
        if c == ' ' {
            rest = rest.trim_start_matches(' ');
            continue;
        }
        rest = rest.strip_prefix(c)?;
    }
    let word_is_alphabetic = word.chars().any(|c| c.is_ascii_alphabetic());
    match rest.chars().next() {
        None => Some(rest),
        Some(c) if c.is_ascii_alphabetic() && word_is_alphabetic => None,
        Some(_) => Some(rest.trim_start_matches(is_separator)),
    }
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | ':' | ',' | ';' | '#' | '*' | '=' | '.' | '-' | '_' | '/' | '+' | '"' | '\''
    )
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
    Help,
    OptOut,
    /// Understood what was meant, but not the code or rating.
    Invalid(CommandError),
}

impl Command {
    /// The verb, for records and metrics.
    pub fn verb(&self) -> Verb {
        match self {
            Command::Lookup(_) => Verb::Lookup,
            Command::Subscribe(_) => Verb::Subscribe,
            Command::Unsubscribe(_) => Verb::Unsubscribe,
            Command::Rate(..) => Verb::Rate,
            Command::Help => Verb::Help,
            Command::OptOut => Verb::OptOut,
            Command::Invalid(e) => e.verb(),
        }
    }
}

/// Words people put before the code ("HS ma ho so 000.00..."), skipped when a separator follows
/// that cannot be part of a code: `MA.H48-...` and `MA-220921-0001` are codes whose agency is `MA`.
const FILLERS: [&str; 4] = ["MA HO SO", "MA HS", "MA SO", "MA"];

fn strip_fillers(raw: &str) -> &str {
    let ends_filler = |c: char| is_separator(c) && !matches!(c, '.' | '-' | '_');
    for filler in FILLERS {
        if let Some(rest) = raw.strip_prefix(filler) {
            if rest.starts_with(ends_filler) {
                return rest.trim_start_matches(is_separator);
            }
        }
    }
    raw
}

/// Parses a code or a lookup number: digits only (with spaces, dots, dashes) means a lookup number.
fn parse_target(verb: Verb, raw: &str) -> Result<Target, CommandError> {
    let raw = strip_fillers(raw.trim_matches(is_separator));
    if raw.is_empty() {
        return Err(CommandError::MissingCode(verb));
    }
    let digits_only = raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-'));
    if digits_only && raw.chars().filter(char::is_ascii_digit).count() == 10 {
        return match LookupNumber::parse(raw) {
            Ok(number) => Ok(Target::Number(number)),
            Err(DomainError::LookupNumberCheckDigit) => Err(CommandError::NumberTypo(verb)),
            Err(e) => Err(CommandError::InvalidCode(verb, e)),
        };
    }
    DossierCode::parse(raw)
        .map(Target::Code)
        .map_err(|e| CommandError::InvalidCode(verb, e))
}

/// Whether a message without a keyword looks like someone sending just a code or number.
fn looks_like_target(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    digits >= 6
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || is_separator(c))
}

/// Parses one inbound text (any case, with or without diacritics, full-width digits welcome).
pub fn parse_command(text: &str, keywords: &Keywords) -> Command {
    let clipped: String = text.chars().take(SMS_TEXT_MAX_CHARS).collect();
    parse_normalised(&normalise(&clipped), keywords)
}

/// [`parse_command`] for a text already passed through [`normalise`].
pub fn parse_normalised(text: &str, keywords: &Keywords) -> Command {
    let Some((verb, rest)) = keywords.split(text) else {
        if looks_like_target(text) {
            return match parse_target(Verb::Lookup, text) {
                Ok(target) => Command::Lookup(target),
                Err(e) => Command::Invalid(e),
            };
        }
        return Command::Help;
    };
    let result = match verb {
        Verb::Help => Ok(Command::Help),
        Verb::OptOut => Ok(Command::OptOut),
        Verb::Lookup => parse_target(verb, rest).map(Command::Lookup),
        Verb::Subscribe => parse_target(verb, rest).map(Command::Subscribe),
        Verb::Unsubscribe => {
            if rest.trim_matches(is_separator).is_empty() {
                Ok(Command::Unsubscribe(None))
            } else {
                parse_target(verb, rest).map(|t| Command::Unsubscribe(Some(t)))
            }
        }
        Verb::Rate => parse_rating(rest),
    };
    result.unwrap_or_else(Command::Invalid)
}

/// `<code> <1|2|3>`: the rating is the last word (or a lone last digit after a separator).
fn parse_rating(rest: &str) -> Result<Command, CommandError> {
    let rest = rest.trim_matches(is_separator);
    if rest.is_empty() {
        return Err(CommandError::MissingCode(Verb::Rate));
    }
    let (code, rating) = match rest.rsplit_once([' ', ',', '#']) {
        Some((code, rating)) => (code, rating.trim_matches(is_separator)),
        None => {
            // No separator: the code alone, or a lookup number plus a digit.
            return match parse_target(Verb::Rate, rest) {
                Ok(_) => Err(CommandError::InvalidRating),
                Err(e) => Err(e),
            };
        }
    };
    let target = parse_target(Verb::Rate, code)?;
    let rating = match rating {
        "1" => Rating::VerySatisfied,
        "2" => Rating::Satisfied,
        "3" => Rating::Dissatisfied,
        _ => return Err(CommandError::InvalidRating),
    };
    Ok(Command::Rate(target, rating))
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

    /// A canonical dossier code; some agencies start with a filler word (`MA`) or a keyword.
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
                DossierCode::parse(&format!("{agency}-{:02}{m:02}{d:02}-{seq}", y)).ok()
            })
    }

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

        /// A lookup number, or a code that does not begin with a keyword, sent on its own is a
        /// status request.
        #[test]
        fn a_bare_target_is_a_lookup(target in target()) {
            let text = target_text(&target, false);
            let starts_with_keyword = Keywords::defaults().split(&normalise(&text)).is_some();
            if !starts_with_keyword {
                prop_assert_eq!(parse_command(&text, &Keywords::defaults()), Command::Lookup(target));
            }
        }
    }
}
