//! The `tracuu` binary: parse the command line, load settings, start telemetry, run the command.

use clap::Parser;
use tracuu::cli::{self, Cli, Command};
use tracuu::config::Settings;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracuu::telemetry::init_tracing();
    let result = async {
        let settings = Settings::load(cli.config.clone())?;
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => cli::serve(settings).await,
            Command::Migrate => cli::migrate(settings).await,
            Command::Staff { command } => cli::staff(settings, command).await,
            Command::Sync { command } => tracuu::sync::commands::run(settings, command).await,
            Command::DemoData {
                dossiers,
                seed,
                replace,
            } => cli::demo_data(settings, dossiers, seed, replace).await,
            Command::Import { kind, file } => cli::import(settings, kind, file).await,
            Command::Qr { command } => tracuu::channels::qr::commands::run(settings, command),
        }
    }
    .await;
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("tracuu: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
