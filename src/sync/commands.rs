//! The `tracuu sync …` subcommands: `pull` (follow mode, or `--once` for cron), `verify` and
//! `repair`. They run against the read model `open_database` finds (migrating it first), like
//! every command.
//!
//! `verify` and `repair` exit 0 when the two sides agree (at the end, for a repair), 1 when they
//! differ, and 2 when they could not compare them: see [`exit_code`].

use std::io::Write;

use anyhow::Context;
use clap::Subcommand;

use crate::config::Settings;
use crate::db::open::open_database;

/// `tracuu sync …`: the pull side of the feed (docs/channels/sync.md).
#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Read changed dossiers from the source PostgreSQL (TRACUU_SYNC__PULL__*) and apply them;
    /// runs forever unless `--once`.
    Pull {
        /// Stop at the first empty batch instead of polling (for cron).
        #[arg(long)]
        once: bool,
    },
    /// Compare the source with the read model and print each dossier that differs. Exit status:
    /// 0 no drift, 1 drift, 2 could not run.
    Verify,
    /// Compare like `verify`, then apply the source's rows again for every dossier that differs
    /// or is missing (whatever the versions) and delete dossiers the source does not have. Exit
    /// status: 0 nothing left to repair, 1 drift left (invalid rows), 2 could not run.
    Repair {
        /// Print what would be done and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `verify` or `repair` found differences they leave behind: exit status 1.
#[derive(Debug, thiserror::Error)]
#[error("the read model differs from the source in {0} dossiers")]
pub struct DriftFound(pub u64);

/// `verify` or `repair` could not compare the two sides (a source or read model that cannot be
/// reached, a query that breaks its contract or fails, missing settings): exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("could not compare the source with the read model")]
pub struct CouldNotRun;

impl SyncCommand {
    /// True for `verify` and `repair`, whose exit status tells drift (1) from a run that could
    /// not compare (2).
    pub fn compares(&self) -> bool {
        matches!(self, Self::Verify | Self::Repair { .. })
    }
}

/// The exit status for a failed command. For `verify` and `repair` (`compares`): 1 for drift, 2
/// for anything that kept them from comparing, settings that do not load included. Every other
/// failure: 1.
pub fn exit_code(error: &anyhow::Error, compares: bool) -> u8 {
    if error.downcast_ref::<DriftFound>().is_some() {
        1
    } else if compares || error.downcast_ref::<CouldNotRun>().is_some() {
        2
    } else {
        1
    }
}

/// Runs a `tracuu sync` subcommand.
pub async fn run(settings: Settings, command: SyncCommand) -> anyhow::Result<()> {
    let mode = match command {
        SyncCommand::Pull { once } => return pull(settings, once).await,
        SyncCommand::Verify => super::verify::Mode::Verify,
        SyncCommand::Repair { dry_run } => super::verify::Mode::Repair { dry_run },
    };
    let summary = compare(&settings, mode).await.context(CouldNotRun)?;
    match summary.remaining() {
        0 => Ok(()),
        left => Err(DriftFound(left).into()),
    }
}

async fn pull(settings: Settings, once: bool) -> anyhow::Result<()> {
    // Missing pull settings fail before a private cluster is started for nothing.
    super::pull::PullSource::from_settings(&settings)?;
    let database = open_database(&settings).await?;
    let result = super::pull::pull(&settings, &database.connection, once)
        .await
        .map(|_| ());
    database.shutdown();
    result
}

/// Runs `verify` or `repair`, printing on stdout.
async fn compare(
    settings: &Settings,
    mode: super::verify::Mode,
) -> anyhow::Result<super::verify::VerifySummary> {
    super::pull::PullSource::from_settings(settings)?;
    let database = open_database(settings).await?;
    let mut stdout = std::io::stdout();
    let summary = match mode {
        super::verify::Mode::Verify => {
            super::verify::verify(settings, &database.connection, &mut stdout).await
        }
        super::verify::Mode::Repair { dry_run } => {
            super::verify::repair(settings, &database.connection, dry_run, &mut stdout).await
        }
    };
    stdout.flush()?;
    database.shutdown();
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_exits_1_and_a_run_that_could_not_compare_exits_2_with_its_cause() {
        assert_eq!(exit_code(&DriftFound(3).into(), true), 1);
        let failed = anyhow::anyhow!("connection refused").context(CouldNotRun);
        assert_eq!(exit_code(&failed, true), 2);
        // Settings that do not load fail before the command runs: still "could not compare".
        assert_eq!(
            exit_code(&anyhow::anyhow!("invalid configuration"), true),
            2
        );
        assert!(
            format!("{failed:#}")
                .ends_with("could not compare the source with the read model: connection refused"),
            "{failed:#}"
        );
        assert_eq!(
            exit_code(&anyhow::anyhow!("any other command failing"), false),
            1
        );
    }
}
