//! `tracuu qr link [CODE...]`: prints the signed landing link of each code (read from standard
//! input, one per line, when none is given), exactly as a receipt's QR code carries it. For
//! administrators checking a key rotation, for scripts that print receipts elsewhere, and for the
//! benchmark. Needs no database.

use std::io::BufRead;

use clap::Subcommand;

use super::QrState;
use crate::config::Settings;
use crate::domain::DossierCode;

/// `tracuu qr ...`.
#[derive(Debug, Subcommand)]
pub enum QrCommand {
    /// Print the signed QR link of each dossier code (arguments, or standard input).
    Link {
        /// Dossier codes; none: read them from standard input, one per line.
        codes: Vec<String>,
    },
}

/// How much of a refused code is echoed back (a code is 24 characters).
const SHOWN_CHARS: usize = 40;

/// Runs a `qr` subcommand.
pub fn run(settings: Settings, command: QrCommand) -> anyhow::Result<()> {
    let QrCommand::Link { codes } = command;
    let state = QrState::new(&settings)?;
    let mut refused = 0usize;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // `place` names where the code came from: "argument 3" or "line 3" of standard input.
    let mut emit = |place: &str, raw: &str| -> anyhow::Result<()> {
        use std::io::Write;
        if raw.trim().is_empty() {
            return Ok(());
        }
        match DossierCode::parse(raw) {
            Ok(code) => writeln!(out, "{}", state.link(&code))?,
            Err(error) => {
                refused += 1;
                let shown: String = raw.trim().chars().take(SHOWN_CHARS).collect();
                eprintln!("{place} (\"{shown}\"): {}", error.message());
            }
        }
        Ok(())
    };
    if codes.is_empty() {
        for (index, line) in std::io::stdin().lock().lines().enumerate() {
            emit(&format!("line {}", index + 1), &line?)?;
        }
    } else {
        for (index, code) in codes.iter().enumerate() {
            emit(&format!("argument {}", index + 1), code)?;
        }
    }
    anyhow::ensure!(
        refused == 0,
        "{refused} {} refused (see above)",
        if refused == 1 { "code" } else { "codes" }
    );
    Ok(())
}
