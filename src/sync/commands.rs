//! The `tracuu sync …` subcommands: `pull` (follow mode, or `--once` for cron) and `verify`. They
//! run against the read model `open_database` finds (migrating it first), like every command.

use std::io::Write;

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
    /// Compare the source with the read model; print each dossier that differs and exit non-zero
    /// when any does.
    Verify,
}

/// Runs a `tracuu sync` subcommand.
pub async fn run(settings: Settings, command: SyncCommand) -> anyhow::Result<()> {
    // Missing pull settings fail before a private cluster is started for nothing.
    super::pull::PullSource::from_settings(&settings)?;
    let database = open_database(&settings).await?;
    let result = match command {
        SyncCommand::Pull { once } => super::pull::pull(&settings, &database.connection, once)
            .await
            .map(|_| ()),
        SyncCommand::Verify => {
            let mut stdout = std::io::stdout();
            let summary = super::verify::verify(&settings, &database.connection, &mut stdout).await;
            stdout.flush()?;
            match summary {
                Ok(summary) if summary.differences() > 0 => Err(anyhow::anyhow!(
                    "the read model differs from the source in {} dossiers",
                    summary.differences()
                )),
                Ok(_) => Ok(()),
                Err(error) => Err(error),
            }
        }
    };
    database.shutdown();
    result
}
