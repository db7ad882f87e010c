//! The subcommands of the `tracuu` binary and the set-up they share: finding (or starting) the
//! database, migrating it, seeding the working calendar, and loading the demo province.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db;
use crate::db::open::{open_database, Database};
use crate::startup::Application;
use crate::sync::import::{import_csv, CatalogKind};

/// Command line of the `tracuu` binary.
#[derive(Debug, Parser)]
#[command(
    name = "tracuu",
    version,
    about = "Tra cứu hồ sơ thủ tục hành chính: the citizen-facing lookup service"
)]
pub struct Cli {
    /// A TOML settings file (see deploy/tracuu.example.toml); environment variables override it.
    #[arg(long, global = true, env = "TRACUU_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// The pull side of the feed from the main dossier store: `pull`, `verify`, `repair`.
    Sync {
        #[command(subcommand)]
        command: crate::sync::commands::SyncCommand,
    },
    /// Staff accounts of the console: `add`.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// QR links of receipts: `link` prints the signed link of dossier codes.
    Qr {
        #[command(subcommand)]
        command: crate::channels::qr::commands::QrCommand,
    },
    /// Load the deterministic demo province into an empty read model.
    DemoData {
        /// How many dossiers to generate.
        #[arg(long, default_value_t = 50_000)]
        dossiers: usize,
        /// Generator seed: the same seed always gives the same province.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Delete the dossiers already in the read model first.
        #[arg(long)]
        replace: bool,
    },
    /// Import agencies or procedures from a CSV file (UTF-8, comma-separated, header row; see
    /// README, Catalog). Refused rows are listed as `line N: field: reason`; the valid rows are
    /// applied, and the exit status is non-zero if any row was refused.
    Import {
        /// Which catalog the file holds.
        #[arg(value_enum)]
        kind: CatalogKind,
        /// The CSV file.
        file: PathBuf,
    },
    /// The working calendar: `import` a CSV file of holidays and make-up days.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Delete or anonymise personal data past the periods of `[retention]` (Personal Data
    /// Protection Law 91/2025/QH15): inbound SMS, finished outbox messages, hotline callers'
    /// numbers, contact details of closed questions and feedback, then the audit log. Prints the
    /// rows per kind, never the data. Run daily by tracuu-retention.timer.
    Retention {
        /// Count what would change and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `tracuu retention [--dry-run]`.
pub async fn retention(settings: Settings, dry_run: bool) -> anyhow::Result<()> {
    let database = open_database(&settings).await?;
    let result = async {
        let mut client = db::connect(&database.connection).await?;
        crate::retention::run(&mut client, &settings.retention, dry_run).await
    }
    .await;
    database.shutdown();
    println!("{}", result?);
    Ok(())
}

/// `tracuu calendar ...`.
#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Replace the exceptions of the years a CSV file covers (UTF-8, comma-separated, header
    /// `day,kind,name[,estimate][,source]`; see docs/operations.md, Working calendar). Every
    /// refused row is listed as `dòng N: column: reason` and then nothing is changed; the exit
    /// status is non-zero.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

/// `tracuu calendar import FILE`.
pub async fn calendar(settings: Settings, command: CalendarCommand) -> anyhow::Result<()> {
    let CalendarCommand::Import { file } = command;
    let size = std::fs::metadata(&file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    anyhow::ensure!(
        size <= crate::calendar::csv::MAX_FILE_BYTES as u64,
        "{} is {size} bytes; a calendar file may have at most {}",
        file.display(),
        crate::calendar::csv::MAX_FILE_BYTES
    );
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let database = open_database(&settings).await?;
    let result = async {
        let mut client = db::connect(&database.connection).await?;
        crate::calendar::import(&mut client, crate::calendar::Importer::CommandLine, &bytes)
            .await
            .map_err(|e| {
                let message = e.message;
                e.source.unwrap_or_else(|| anyhow::anyhow!(message))
            })
    }
    .await;
    database.shutdown();
    match result? {
        Ok(summary) => {
            eprintln!("{}", summary.message());
            Ok(())
        }
        Err(errors) => {
            for error in &errors {
                eprintln!("{error}");
            }
            anyhow::bail!(
                "{}: {} line(s) refused; the calendar was not changed",
                file.display(),
                errors.len()
            )
        }
    }
}

/// `tracuu staff ...`.
#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Create a staff account (the first administrator, typically). The password is read from
    /// the first line of standard input, or from `NEW_STAFF_PASSWORD`; never from the command
    /// line, where other users could see it.
    Add {
        /// Login name: 3–64 lowercase letters, digits, '.', '_' or '-'.
        #[arg(long)]
        username: String,
        /// Name shown in the console and in item histories.
        #[arg(long)]
        name: String,
        /// administrator, desk_head, agency_officer or operator.
        #[arg(long, default_value = "administrator")]
        role: String,
        /// The agency of an agency officer (its QĐ 20/2020 code).
        #[arg(long)]
        agency: Option<String>,
    },
}

/// `tracuu staff add`.
pub async fn staff(settings: Settings, command: StaffCommand) -> anyhow::Result<()> {
    let StaffCommand::Add {
        username,
        name,
        role,
        agency,
    } = command;
    let password = match std::env::var("NEW_STAFF_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            eprintln!("Password (one line on standard input):");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let input =
        crate::staff::AccountInput::parse(&username, &name, &role, agency.as_deref(), &password)
            .map_err(|message| anyhow::anyhow!(message))?;
    let database = open_database(&settings).await?;
    let result = async {
        let client = db::connect(&database.connection).await?;
        crate::staff::create_account(&client, &input)
            .await
            .map_err(|message| anyhow::anyhow!(message))
    }
    .await;
    database.shutdown();
    let id = result?;
    eprintln!(
        "staff account {} ({}) created with id {id}",
        input.username,
        input.role.as_str()
    );
    Ok(())
}

/// The end of the demo province's 18 months: fixed, so every install has the same dossiers.
pub fn demo_until() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

/// Loads the demo province and prints the showcase dossiers.
pub async fn load_demo(connection: &str, dossiers: usize, seed: u64) -> anyhow::Result<()> {
    let mut client = db::connect(connection).await?;
    let calendar = db::calendar::load(&client).await?;
    let due = move |received: DateTime<Utc>, days: u32| calendar.add_working_days(received, days);
    let options = crate::demo::DemoOptions {
        dossiers,
        seed,
        until: demo_until(),
    };
    let started = Instant::now();
    tracing::info!("loading the demo province: {dossiers} dossiers, seed {seed}");
    let summary = crate::demo::load(&mut client, &options, &due).await?;
    tracing::info!(
        "demo province loaded: {} agencies, {} procedures, {} dossiers, {} events in {:.1} s",
        summary.agencies,
        summary.procedures,
        summary.dossiers,
        summary.events,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let rendered = crate::lookup::render_missing_views(&client).await?;
    tracing::info!(
        "rendered {rendered} dossier views in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    db::installation::upsert_fact(&client, "demo_seed", &seed.to_string()).await?;
    print_showcase(&client).await
}

async fn print_showcase(client: &deadpool_postgres::Object) -> anyhow::Result<()> {
    let rows = crate::demo::showcase(client).await?;
    eprintln!("Demo dossiers to try (code | lookup number | status | phone digits for details):");
    for row in rows {
        eprintln!(
            "  {} | {:010} | {} | {} | {}",
            row.code,
            row.lookup_number,
            row.status,
            row.phone_last4.as_deref().unwrap_or("-"),
            row.note
        );
    }
    Ok(())
}

/// `tracuu serve`.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let database = open_database(&settings).await?;
    let result = serve_on(&settings, &database).await;
    database.shutdown();
    result
}

async fn serve_on(settings: &Settings, database: &Database) -> anyhow::Result<()> {
    let load_demo_now = settings
        .demo
        .load_on_first_run
        .unwrap_or(database.local.is_some());
    if load_demo_now {
        let client = db::connect(&database.connection).await?;
        let loaded = db::installation::find_fact(&client, "demo_seed")
            .await?
            .is_some();
        if !loaded && db::dossiers::count_dossiers(&client).await? == 0 {
            load_demo(
                &database.connection,
                settings.demo.dossiers,
                settings.demo.seed,
            )
            .await?;
        }
    }
    let app = Application::build(settings.clone(), &database.connection).await?;
    tracing::info!(
        "tracuu listening on http://{}:{}/tra-cuu",
        settings.http.host,
        app.port()
    );
    app.run_until_stopped()
        .await
        .context("the HTTP server failed")
}

/// `tracuu demo-data`.
pub async fn demo_data(
    settings: Settings,
    dossiers: usize,
    seed: u64,
    replace: bool,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        !settings.deployment.is_production(),
        "production mode (TRACUU_DEPLOYMENT__MODE=production) never loads the demo province"
    );
    let database = open_database(&settings).await?;
    let result = async {
        let client = db::connect(&database.connection).await?;
        let existing = db::dossiers::count_dossiers(&client).await?;
        if existing > 0 {
            anyhow::ensure!(
                replace,
                "the read model already holds {existing} dossiers; add --replace to delete them first"
            );
            db::demo::delete_all_dossiers(&**client).await?;
        }
        drop(client);
        load_demo(&database.connection, dossiers, seed).await
    }
    .await;
    database.shutdown();
    result
}

/// `tracuu migrate`.
pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let database = open_database(&settings).await?;
    tracing::info!("database is up to date");
    database.shutdown();
    Ok(())
}

/// `tracuu import agencies|procedures FILE`: prints every refused or unchanged row to stderr and
/// fails if any row was refused (the valid rows are applied all the same).
pub async fn import(settings: Settings, kind: CatalogKind, file: PathBuf) -> anyhow::Result<()> {
    let database = open_database(&settings).await?;
    let result = import_csv(&database.connection, kind, &file).await;
    database.shutdown();
    let report = result?;
    for error in &report.errors {
        eprintln!("{error}");
    }
    for row in &report.unchanged {
        eprintln!(
            "line {}: {} unchanged: the stored version is as new as {} or newer",
            row.line, row.code, row.version
        );
    }
    eprintln!(
        "{}: {} rows, {} applied, {} unchanged, {} refused; {} dossiers show a changed entry (views renewed)",
        file.display(),
        report.rows,
        report.applied,
        report.unchanged.len(),
        report.errors.len(),
        report.dossiers_notified
    );
    anyhow::ensure!(
        report.is_clean(),
        "{} of {} rows refused (see above); the other rows were applied",
        report.errors.len(),
        report.rows
    );
    Ok(())
}
