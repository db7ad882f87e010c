//! The `tracuu` binary: parse the command line, load settings, start telemetry, run the command.

use clap::Parser;
use tracuu::cli::{self, Cli, Command};
use tracuu::config::Settings;

/// mimalloc, with its memory on transparent huge pages (see [`tracuu::memory`]).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tracuu::memory::allow_huge_pages();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("tracuu: cannot start the async runtime: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracuu::telemetry::init_tracing();
    // `sync verify` and `sync repair` exit 2 whenever they could not compare, even for settings.
    let compares = matches!(&cli.command, Some(Command::Sync { command }) if command.compares());
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
            Command::Calendar { command } => cli::calendar(settings, command).await,
            Command::Retention { dry_run } => cli::retention(settings, dry_run).await,
            Command::Qr { command } => tracuu::channels::qr::commands::run(settings, command),
        }
    }
    .await;
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("tracuu: {error:#}");
            std::process::ExitCode::from(tracuu::sync::commands::exit_code(&error, compares))
        }
    }
}
