//! The one lookup service every channel calls (docs/architecture.md, the read side). It answers from the in-process
//! cache of ready-to-serve views, reads PostgreSQL only on a miss (one prepared statement, one
//! round trip), remembers unknown codes briefly, keeps answering from cache while the database is
//! down, and decides whether a proof unlocks the detailed view. It knows nothing of HTTP, SMS or
//! voice: channels render its [`Lookup`] for their medium.

pub mod batch;
pub mod cache;
pub mod code_map;
pub mod guard;
pub mod qr_proof;
pub mod view;

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;

use crate::db;
use crate::db::health::{DbHealth, ReplicaHealth};
use crate::db::shared::SharedClients;
use crate::domain::{DossierCode, LookupNumber, PhoneLast4};
use crate::telemetry::Metrics;
use cache::DossierCache;
use guard::{ClientKey, Guard};
use view::{CachedDossier, ProofOutcome, ServedFrom};

/// A successful lookup.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub dossier: Arc<CachedDossier>,
    pub proof: ProofOutcome,
    /// When the proof is locked: how long until phone digits are checked again.
    pub proof_retry_after: Option<Duration>,
    pub served_from: ServedFrom,
    pub database_up: bool,
}

impl Lookup {
    /// The JSON view this lookup grants.
    pub fn to_json(&self) -> Vec<u8> {
        self.dossier.render(
            self.proof,
            self.proof_retry_after,
            self.served_from,
            self.database_up,
        )
    }

    /// This answer typed, for the media that render it themselves.
    pub fn facts(&self) -> anyhow::Result<view::DossierFacts> {
        self.dossier.facts(
            self.proof,
            self.proof_retry_after,
            self.served_from,
            self.database_up,
        )
    }

    /// When the phone-digit proof is locked: the Vietnam time it is checked again, as pages
    /// say it ("14:05 ngày 06/12/2026").
    pub fn proof_locked_until_text(&self) -> Option<String> {
        let wait = self.proof_retry_after?;
        let until = chrono::Utc::now() + chrono::Duration::from_std(wait).ok()?;
        let local = until.with_timezone(&crate::domain::vn_offset());
        Some(local.format("%H:%M ngày %d/%m/%Y").to_string())
    }

    /// True when the answer is the detailed view.
    pub fn detailed(&self) -> bool {
        self.proof.unlocks_detail()
    }

    /// The per-request end of the JSON view, after the dossier's stored head (and detail when
    /// [`Self::detailed`]): `head + detail? + tail` is [`Self::to_json`].
    pub fn json_tail(&self) -> Vec<u8> {
        self.dossier.tail(
            self.proof,
            self.proof_retry_after,
            self.served_from,
            self.database_up,
        )
    }
}

/// Why a lookup has no answer.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("no dossier with this code or number")]
    NotFound,
    #[error("too many lookups; retry in {0:?}")]
    RateLimited(Duration),
    #[error("the database is unreachable and the dossier is not cached")]
    Unavailable(#[source] Option<anyhow::Error>),
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl From<LookupError> for crate::error::AppError {
    fn from(error: LookupError) -> Self {
        use crate::error::{AppError, Code};
        match error {
            LookupError::NotFound => AppError::new(Code::DossierNotFound),
            LookupError::RateLimited(wait) => AppError::rate_limited(wait),
            LookupError::Unavailable(cause) => AppError::dossier_unavailable(cause),
            LookupError::Internal(cause) => AppError::internal(cause),
        }
    }
}

/// What the caller offers towards the detailed view.
enum Offered<'a> {
    Nothing,
    Phone(&'a PhoneLast4),
    Granted,
}

impl<'a> From<Option<&'a PhoneLast4>> for Offered<'a> {
    fn from(proof: Option<&'a PhoneLast4>) -> Self {
        proof.map_or(Offered::Nothing, Offered::Phone)
    }
}

/// Shared by every channel and worker of one instance.
pub struct LookupService {
    pool: Pool,
    /// Reads of single dossiers (cache misses), pipelined over a few shared connections.
    reads: Arc<SharedClients>,
    /// Cache misses arriving together, read in one query.
    batcher: batch::ReadBatcher,
    cache: DossierCache,
    health: Arc<DbHealth>,
    guard: Guard,
    metrics: Arc<Metrics>,
    /// Checks the tokens of QR links (proof of holding the receipt).
    qr_keyring: Option<crate::domain::QrKeyring>,
    /// The replica cache misses read, when `database.read_url` names one.
    replica: Option<Arc<ReplicaHealth>>,
}

impl LookupService {
    /// Wires the service over the primary's pool; cache misses read through `reads` (connections
    /// of the same pool, or of a replica's).
    pub fn new(
        pool: Pool,
        reads: SharedClients,
        cache: DossierCache,
        health: Arc<DbHealth>,
        guard: Guard,
        metrics: Arc<Metrics>,
    ) -> Self {
        let reads = Arc::new(reads);
        Self {
            batcher: batch::ReadBatcher::new(reads.pool().clone()),
            reads,
            pool,
            cache,
            health,
            guard,
            metrics,
            qr_keyring: None,
            replica: None,
        }
    }

    /// Cache misses read a replica (`database.read_url`), whose health is kept in `replica`
    /// ([`LookupService::watch_replica`] keeps it fresh).
    pub fn with_replica(mut self, replica: Arc<ReplicaHealth>) -> Self {
        self.replica = Some(replica);
        self
    }

    /// The replica's health as last probed, when there is a replica.
    pub fn replica_health(&self) -> Option<&ReplicaHealth> {
        self.replica.as_deref()
    }

    /// Probes the replica at `every` for ever (returns at once without a replica).
    pub async fn watch_replica(self: Arc<Self>, every: Duration, timeout: Duration) {
        if let Some(replica) = &self.replica {
            let pool = self.reads.pool().clone();
            Arc::clone(replica).watch(pool, every, timeout).await;
        }
    }

    /// The key ring QR tokens are checked against (without one, no token is valid).
    pub fn with_qr_keyring(mut self, keyring: crate::domain::QrKeyring) -> Self {
        self.qr_keyring = Some(keyring);
        self
    }

    /// What the QR token `raw` of a link to `code` proves.
    pub fn qr_token(&self, code: &DossierCode, raw: Option<&str>) -> qr_proof::TokenState {
        qr_proof::TokenState::check(self.qr_keyring.as_ref(), code, raw)
    }

    /// The database pool this service reads through.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The cache, for readiness and metrics.
    pub fn cache(&self) -> &DossierCache {
        &self.cache
    }

    /// Loads the working calendar (with the administrators' edits) that the words of overdue
    /// dossiers count working days on ("Quá hạn 3 ngày làm việc"); called at start and every few
    /// minutes (docs/decisions/0057).
    pub async fn refresh_calendar(&self) -> anyhow::Result<()> {
        let client = self.pool.get().await?;
        view::set_calendar(db::calendar::load(&client).await?);
        Ok(())
    }

    /// The rate limits, for channels that count their own failures and for periodic tidying.
    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    /// Database health as last seen.
    pub fn health(&self) -> &DbHealth {
        &self.health
    }

    /// Looks a dossier up by its canonical code.
    pub async fn by_code(
        &self,
        client: &ClientKey,
        code: &DossierCode,
        proof: Option<&PhoneLast4>,
    ) -> Result<Lookup, LookupError> {
        self.guard.admit(client).map_err(LookupError::RateLimited)?;
        let found = self.find(code.as_str()).await;
        self.finish(client, found, Offered::from(proof))
    }

    /// Looks a dossier up by its canonical code for a caller the channel has already entitled to
    /// the detailed view (a valid QR token, print credentials): no proof is checked. The lookup
    /// limits apply as to any lookup.
    pub async fn by_code_granted(
        &self,
        client: &ClientKey,
        code: &DossierCode,
    ) -> Result<Lookup, LookupError> {
        self.guard.admit(client).map_err(LookupError::RateLimited)?;
        let found = self.find(code.as_str()).await;
        self.finish(client, found, Offered::Granted)
    }

    /// Looks a dossier up by its numeric lookup number (phone keypads).
    pub async fn by_number(
        &self,
        client: &ClientKey,
        number: LookupNumber,
        proof: Option<&PhoneLast4>,
    ) -> Result<Lookup, LookupError> {
        self.guard.admit(client).map_err(LookupError::RateLimited)?;
        let found = match self.cache.code_for_number(number.value()) {
            Some(code) => self.find(&code).await,
            None => self.find_by_number(number).await,
        };
        self.finish(client, found, Offered::from(proof))
    }

    fn finish(
        &self,
        client: &ClientKey,
        found: Result<(Arc<CachedDossier>, ServedFrom), LookupError>,
        proof: Offered<'_>,
    ) -> Result<Lookup, LookupError> {
        let (dossier, served_from) = match found {
            Ok(found) => found,
            Err(LookupError::NotFound) => {
                self.metrics.lookup_not_found.inc();
                // Counted and answered as one step: past the budget, "not found" becomes "wait".
                self.guard
                    .record_not_found(client)
                    .map_err(LookupError::RateLimited)?;
                return Err(LookupError::NotFound);
            }
            Err(other) => return Err(other),
        };
        let mut proof_retry_after = None;
        let proof = match proof {
            Offered::Nothing => ProofOutcome::None,
            Offered::Granted => ProofOutcome::Granted,
            Offered::Phone(digits) => match self.guard.proof_locked(client, &dossier.code) {
                Some(wait) => {
                    proof_retry_after = Some(wait);
                    ProofOutcome::Locked
                }
                None if dossier.phone_matches(digits) => ProofOutcome::Accepted,
                None => match self.guard.record_proof_failure(client, &dossier.code) {
                    Ok(()) => ProofOutcome::Rejected,
                    Err(wait) => {
                        proof_retry_after = Some(wait);
                        ProofOutcome::Locked
                    }
                },
            },
        };
        self.metrics.proof_counter(proof.key()).inc();
        Ok(Lookup {
            dossier,
            proof,
            proof_retry_after,
            served_from,
            database_up: self.health.is_up(),
        })
    }

    /// Cache first, then the database; remembers unknown codes.
    async fn find(&self, code: &str) -> Result<(Arc<CachedDossier>, ServedFrom), LookupError> {
        if let Some(hit) = self.cache.get(code) {
            self.metrics.cache_hits.inc();
            return Ok((hit, ServedFrom::Cache));
        }
        if self.cache.is_known_unknown(code) {
            self.metrics.cache_negative_hits.inc();
            return Err(LookupError::NotFound);
        }
        self.metrics.cache_misses.inc();
        if !self.health.is_up() {
            return Err(LookupError::Unavailable(None));
        }
        let stored = self.batcher.find(code).await.map_err(|failure| {
            let error = anyhow::anyhow!(failure.message);
            if failure.lost {
                self.health.mark_down(&format!("{error:#}"));
                LookupError::Unavailable(Some(error))
            } else {
                LookupError::Internal(error)
            }
        })?;
        self.health.mark_up();
        let Some(stored) = stored else {
            self.cache.remember_unknown(code);
            return Err(LookupError::NotFound);
        };
        let entry = match CachedDossier::from_stored(stored).map_err(LookupError::Internal)? {
            Some(entry) => entry,
            // No view stored for this version yet: render it now and keep it for next time.
            None => match render_and_store(&*self.shared_client().await?, &[code])
                .await
                .map_err(|e| self.classify(e))?
                .pop()
            {
                Some(entry) => entry,
                None => return Err(LookupError::NotFound),
            },
        };
        let entry = Arc::new(entry);
        self.cache.insert(Arc::clone(&entry));
        Ok((entry, ServedFrom::Database))
    }

    async fn find_by_number(
        &self,
        number: LookupNumber,
    ) -> Result<(Arc<CachedDossier>, ServedFrom), LookupError> {
        if !self.health.is_up() {
            return Err(LookupError::Unavailable(None));
        }
        let value = i64::try_from(number.value()).map_err(|e| LookupError::Internal(e.into()))?;
        let client = self.shared_client().await?;
        let code = db::dossiers::find_code_by_lookup_number(&*client, value)
            .await
            .map_err(|e| self.classify(e))?;
        drop(client);
        match code {
            Some(code) => self.find(&code).await,
            None => Err(LookupError::NotFound),
        }
    }

    async fn shared_client(&self) -> Result<Arc<deadpool_postgres::Object>, LookupError> {
        self.reads.get().await.map_err(|error| {
            self.health.mark_down(&error);
            LookupError::Unavailable(Some(error.into()))
        })
    }

    /// A lost connection means "unavailable" (and marks the database down); anything else is ours.
    fn classify(&self, error: anyhow::Error) -> LookupError {
        if connection_lost(&error) {
            self.health.mark_down(&format!("{error:#}"));
            LookupError::Unavailable(Some(error))
        } else {
            LookupError::Internal(error)
        }
    }

    /// Re-renders `codes` from the database, stores their views and puts them in the cache (after
    /// a sync batch or a change notification); codes the database no longer has are dropped from
    /// the cache. Returns how many were rendered.
    pub async fn refresh(&self, codes: &[&str]) -> anyhow::Result<usize> {
        if codes.is_empty() {
            return Ok(0);
        }
        let client = self.pool.get().await?;
        let rendered = render_and_store(&client, codes).await?;
        drop(client);
        let count = rendered.len();
        if self.cache.enabled() {
            let mut seen = std::collections::HashSet::with_capacity(count);
            for entry in rendered {
                seen.insert(Arc::clone(&entry.code));
                self.cache.insert(Arc::new(entry));
            }
            for code in codes.iter().filter(|c| !seen.contains(**c)) {
                self.cache.remove(code);
            }
        }
        Ok(count)
    }

    /// Fills the cache with up to `limit` dossiers, newest first, from their stored views,
    /// streaming in batches so memory never holds more than one batch of rows. Dossiers without a
    /// stored view are rendered (and stored) afterwards. Returns how many were cached.
    pub async fn warm(&self, limit: u64) -> anyhow::Result<u64> {
        if !self.cache.enabled() {
            self.cache.set_warmed();
            return Ok(0);
        }
        let mut client = self.pool.get().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut unrendered: Vec<String> = Vec::new();
        let mut failed = 0u64;
        let seen = db::dossiers::for_each_stored_newest(&mut client, limit, 5_000, |rows| {
            for row in rows {
                let code = row.code.clone();
                match CachedDossier::from_stored(row) {
                    Ok(Some(entry)) => self.cache.insert(Arc::new(entry)),
                    Ok(None) => unrendered.push(code),
                    Err(_) => failed += 1,
                }
            }
        })
        .await?;
        drop(client);
        for chunk in unrendered.chunks(1_000) {
            let chunk: Vec<&str> = chunk.iter().map(String::as_str).collect();
            self.refresh(&chunk).await?;
        }
        if failed > 0 {
            tracing::warn!(
                cache.failed = failed,
                "{failed} stored views could not be read"
            );
        }
        self.cache.set_warmed();
        Ok(seen - failed)
    }
}

/// True when `error` means the connection to PostgreSQL is gone: a closed connection, an I/O
/// failure, or SQLSTATE class 08 (connection exception) or 57 (operator intervention: shutdown,
/// cannot connect now).
fn connection_lost(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<tokio_postgres::Error>()
        .is_some_and(|e| {
            e.is_closed()
                || std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
                || e.code()
                    .is_some_and(|c| c.code().starts_with("08") || c.code().starts_with("57"))
        })
}

/// Renders the views of `codes` from the read model and stores them, in one read and one write.
/// Returns the rendered dossiers (codes the read model lacks are absent).
pub async fn render_and_store(
    client: &impl deadpool_postgres::GenericClient,
    codes: &[&str],
) -> anyhow::Result<Vec<CachedDossier>> {
    let records = db::dossiers::list_by_codes(client, codes).await?;
    let mut rendered = Vec::with_capacity(records.len());
    let mut versions = Vec::with_capacity(records.len());
    for record in &records {
        rendered.push(CachedDossier::build(record)?);
        versions.push(record.dossier.version);
    }
    let views: Vec<(&str, i64, &[u8], &[u8])> = rendered
        .iter()
        .zip(&versions)
        .map(|(entry, version)| (&*entry.code, *version, entry.head(), entry.detail()))
        .collect();
    db::dossiers::upsert_views(client, &views).await?;
    Ok(rendered)
}

/// Renders and stores every view that is missing or older than its dossier, in chunks (after a
/// bulk load). Returns how many were rendered.
pub async fn render_missing_views(
    client: &impl deadpool_postgres::GenericClient,
) -> anyhow::Result<u64> {
    let mut total = 0u64;
    let mut after = String::new();
    loop {
        let codes = db::dossiers::list_unrendered(client, &after, 2_000).await?;
        let Some(last) = codes.last() else {
            return Ok(total);
        };
        after = last.clone();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        total += render_and_store(client, &codes).await?.len() as u64;
    }
}
