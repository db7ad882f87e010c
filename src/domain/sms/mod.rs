//! The SMS medium: inbound command parsing ([`parse`]), GSM-7 text rules ([`gsm7`]) and the
//! templates that render every reply and notification ([`render`]). Pure: no I/O.

pub mod gsm7;
pub mod parse;
pub mod render;

pub use parse::{
    parse_command, parse_message, Command, CommandError, Keywords, Message, Rating, Target, Verb,
};
pub use render::{SmsRenderer, StatusFacts};
