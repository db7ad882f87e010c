//! How well the province serves, in the two measures citizens see at the kiosk: the share of
//! settled dossiers finished on time, per handling agency, and the satisfaction ratings citizens
//! leave on a kiosk. Named for what it measures rather than for the kiosk that shows it today.
//! Errors are service errors by `catalog`'s rule ("unavailable" when the database cannot be
//! reached or the connection was lost, our own failure otherwise), and the not-found codes.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;

use crate::catalog::{choose_level, connect, level_rows, query_failed, LevelChoice};
use crate::db;
use crate::db::kiosk::RatingInsert;
use crate::domain::{DossierCode, KioskId};
use crate::error::{AppError, Code};

pub use crate::db::kiosk::OnTimeRow;

/// Days of settled dossiers the statistics cover.
pub const STATS_DAYS: i64 = 365;

/// The on-time statistics of one tier or level.
#[derive(Debug, Clone)]
pub struct OnTime {
    /// The tier or level compared.
    pub choice: LevelChoice,
    /// Results ready since this time count.
    pub since: DateTime<Utc>,
    /// Per agency, living ones first, best share first (then by code).
    pub agencies: Vec<OnTimeRow>,
    /// Settled dossiers of all those agencies.
    pub settled: i64,
    /// How many of them were on time.
    pub on_time: i64,
}

/// The service-quality service, over the primary's pool.
pub struct QualityService {
    pool: Pool,
}

impl QualityService {
    /// Wires the service over `pool`.
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// Settled dossiers of the last [`STATS_DAYS`] days and how many were on time, per agency
    /// of `tier` or `level` (levels of today of `agency_levels`; the province tier when neither
    /// is given; `InvalidInput` naming those there are otherwise). A closed agency's dossiers
    /// count for its one living successor, or under its own name, marked closed, when it has none
    /// or several (see [`db::kiosk::list_on_time`]).
    pub async fn on_time(
        &self,
        tier: Option<&str>,
        level: Option<&str>,
    ) -> Result<OnTime, AppError> {
        let client = connect(&self.pool).await?;
        let levels = level_rows(&client).await?;
        let choice = choose_level(
            &levels,
            tier,
            level,
            Some(LevelChoice::Tier("province".to_owned())),
        )?;
        let since = Utc::now() - chrono::Duration::days(STATS_DAYS);
        let mut agencies = db::kiosk::list_on_time(&client, since, choice.tier(), choice.level())
            .await
            .map_err(query_failed)?;
        // Best share first; closed agencies after the living ones.
        agencies.sort_by(|a, b| {
            let pa = a.on_time as f64 / a.settled.max(1) as f64;
            let pb = b.on_time as f64 / b.settled.max(1) as f64;
            a.closed
                .cmp(&b.closed)
                .then_with(|| pb.total_cmp(&pa))
                .then_with(|| a.code.cmp(&b.code))
        });
        Ok(OnTime {
            choice,
            since,
            settled: agencies.iter().map(|r| r.settled).sum(),
            on_time: agencies.iter().map(|r| r.on_time).sum(),
            agencies,
        })
    }

    /// Stores a satisfaction rating (score 1 to 3, checked by the caller) from `kiosk`,
    /// optionally about a dossier; returns its id. `DossierNotFound` when the dossier is not in
    /// the read model.
    pub async fn rate(
        &self,
        kiosk: &KioskId,
        score: i16,
        dossier: Option<&DossierCode>,
    ) -> Result<i64, AppError> {
        let client = connect(&self.pool).await?;
        let stored =
            db::kiosk::insert_rating(&client, kiosk.as_ref(), score, dossier.map(AsRef::as_ref))
                .await
                .map_err(query_failed)?;
        match stored {
            RatingInsert::Stored(id) => Ok(id),
            RatingInsert::UnknownDossier => Err(AppError::new(Code::DossierNotFound)),
        }
    }
}
