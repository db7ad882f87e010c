//! Typed settings: defaults in code, then an optional TOML file, then `TRACUU_SECTION__KEY`
//! environment variables (and the conventional `DATABASE_URL`). Bad configuration fails at start-up
//! with the name of the setting; secrets are `SecretString` so they never reach a log line.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Context;
use secrecy::SecretString;
use serde::Deserialize;

/// Everything tracuu can be told. Every field has a default, so an empty environment works.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub deployment: DeploymentSettings,
    pub http: HttpSettings,
    pub database: DatabaseSettings,
    pub cache: CacheSettings,
    pub rate_limit: RateLimitSettings,
    pub demo: DemoSettings,
    pub province: ProvinceSettings,
    pub sync: SyncSettings,
    pub intake: IntakeSettings,
    pub staff: StaffSettings,
    pub hotline: HotlineSettings,
    pub qr: QrSettings,
    pub kiosk: KioskSettings,
    pub sms: SmsSettings,
    pub retention: RetentionSettings,
}

/// Development or production (docs/operations.md, production mode).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeploymentSettings {
    /// `development` (the default: every demo convenience) or `production` (start-up refuses
    /// settings that only suit a laptop; see [`Settings::production_problems`]).
    pub mode: DeploymentMode,
}

/// What kind of installation this is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeploymentMode {
    /// A developer's machine or a demonstration: the private cluster, the demo province and the
    /// demo QR key are allowed.
    #[default]
    Development,
    /// A real installation: no demo convenience, every secret of its own.
    Production,
}

impl DeploymentSettings {
    /// True in production mode.
    pub fn is_production(&self) -> bool {
        self.mode == DeploymentMode::Production
    }
}

/// The HTTP listener.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// Address to bind; `127.0.0.1` unless a reverse proxy on another host needs more.
    pub host: String,
    /// Port to bind; 0 picks a free port (tests).
    pub port: u16,
    /// Worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Seconds a request body may pause between two pieces before the request is dropped.
    pub body_idle_timeout_secs: u64,
    /// Seconds a whole request body may take to arrive.
    pub body_total_timeout_secs: u64,
    /// Reverse proxies whose `X-Forwarded-For` is believed when keying rate limits and when
    /// checking [`Self::operator_addresses`].
    pub trusted_proxies: Vec<IpAddr>,
    /// Client addresses (exact, not networks) allowed to reach the operator endpoints:
    /// `/metrics`, the sync push `/sync/v1/*`, Kannel's `/sms/v1/*`, and the details of
    /// `/readyz`. Anyone else gets 404 `route_not_found`, as for a path that does not exist.
    pub operator_addresses: Vec<IpAddr>,
    /// Port of a second, internal listener on [`Self::internal_host`] that serves the operator
    /// endpoints and the health checks and nothing else; when set, the public listener does not
    /// serve the operator endpoints at all. Unset: they are on the public listener, still limited
    /// to `operator_addresses`. 0 picks a free port (tests).
    pub internal_port: Option<u16>,
    /// Address the internal listener binds.
    pub internal_host: String,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            workers: 0,
            max_body_bytes: 64 * 1024,
            body_idle_timeout_secs: 10,
            body_total_timeout_secs: 60,
            trusted_proxies: Vec::new(),
            operator_addresses: vec![
                IpAddr::from([127, 0, 0, 1]),
                IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
            ],
            internal_port: None,
            internal_host: "127.0.0.1".into(),
        }
    }
}

/// Where the read model lives.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// A libpq-style connection string or URL. When absent, tracuu starts its own private
    /// PostgreSQL cluster under `data_dir`. `DATABASE_URL` sets it too.
    pub url: Option<SecretString>,
    /// A streaming replica (or a load balancer over several) for lookups that miss the cache.
    /// Absent: they read the primary at `url`. Writes, sync and change notifications always use
    /// the primary. See `deploy/scaling.md`.
    pub read_url: Option<SecretString>,
    /// Directory of the private cluster used when `url` is absent.
    pub data_dir: PathBuf,
    /// Connections in the pool.
    pub pool_size: usize,
    /// Pool connections kept and shared by the lookup's rarer reads (lookup numbers not cached,
    /// views rendered on a miss); concurrent lookups are pipelined on them. Must be smaller than
    /// `pool_size`. (Cache misses by code read over one connection per worker thread, outside
    /// the pool.)
    pub read_lanes: usize,
    /// Seconds to wait for a connection before answering "unavailable".
    pub connect_timeout_secs: u64,
    /// Seconds between background checks of the database's health.
    pub health_interval_secs: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            read_url: None,
            data_dir: PathBuf::from("var/postgres"),
            pool_size: 16,
            read_lanes: 2,
            connect_timeout_secs: 2,
            health_interval_secs: 2,
        }
    }
}

/// The in-process cache of ready-to-serve dossier views (docs/architecture.md, the read side).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheSettings {
    /// When false every lookup reads PostgreSQL (used to benchmark the uncached path).
    pub enabled: bool,
    /// Most dossiers kept in memory.
    pub max_dossiers: u64,
    /// Fill the cache from the database at start-up, newest dossiers first.
    pub warm_on_start: bool,
    /// Seconds an unknown code is remembered as unknown.
    pub negative_ttl_secs: u64,
    /// Most unknown codes remembered.
    pub negative_max: u64,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            max_dossiers: 2_000_000,
            warm_on_start: true,
            negative_ttl_secs: 60,
            negative_max: 100_000,
        }
    }
}

/// Abuse resistance (docs/architecture.md). Rates are per minute unless named otherwise.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Turn every limit off (benchmarks on loopback only).
    pub enabled: bool,
    /// Lookups per client address per minute.
    pub lookups_per_minute: u32,
    /// Lookups a client may make in a burst.
    pub lookups_burst: u32,
    /// Not-found answers per client address per minute; past it the client is blocked for a while.
    pub not_found_per_minute: u32,
    /// Not-found answers a client may get in a burst.
    pub not_found_burst: u32,
    /// Wrong proofs (phone digits) per secret-guarded item (a dossier, a private question or
    /// feedback item) per day, from all clients together, evenly refilled.
    pub proof_failures_per_item_per_day: u32,
    /// Wrong proofs per item in a burst before its phone-digit proof is locked (the QR code and
    /// the tracking link still open it).
    pub proof_failures_per_item_burst: u32,
    /// Wrong proofs per client address per hour, over all dossiers.
    pub proof_failures_per_client_per_hour: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            lookups_per_minute: 120,
            lookups_burst: 30,
            not_found_per_minute: 20,
            not_found_burst: 10,
            proof_failures_per_item_per_day: 12,
            proof_failures_per_item_burst: 5,
            proof_failures_per_client_per_hour: 20,
        }
    }
}

/// The feed from the main dossier store (docs/channels/sync.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncSettings {
    /// Shared secrets for push signatures; more than one during a rotation. Empty: push disabled.
    pub secrets: Vec<SecretString>,
    /// Seconds either side of now a signed request's timestamp may be.
    pub window_secs: u64,
    /// Largest push body, in bytes.
    pub max_body_bytes: usize,
    /// Most items in one push batch.
    pub max_batch_items: usize,
    /// Push bodies read at once before their signature is checked (each up to
    /// `max_body_bytes`); more wait briefly, then get 503.
    pub max_unverified_bodies: usize,
    /// When set, `/readyz` reports degraded if the read model had no change for this many
    /// seconds (measured on the change sequence every instance shares, so a restart hides nothing).
    pub expect_updates_within_secs: Option<u64>,
    /// Milliseconds between two reads of the change sequence when no notification wakes the
    /// follower earlier (the safety net under the listener).
    pub follow_interval_ms: u64,
    /// `/readyz` reports degraded while the oldest change this instance has not applied is older
    /// than this many seconds.
    pub max_behind_secs: u64,
    /// Hours the change sequence keeps a change; an instance away longer drops its whole cache
    /// when it comes back.
    pub change_log_keep_hours: u64,
    /// The pull worker's source.
    pub pull: PullSettings,
}

impl SyncSettings {
    /// Whether the main store's push is this installation's feed: unless it pulls from the main
    /// store's database (`pull.source_url`).
    pub fn push_is_on(&self) -> bool {
        self.pull.source_url.is_none()
    }
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            secrets: Vec::new(),
            window_secs: 300,
            max_body_bytes: 32 * 1024 * 1024,
            max_batch_items: 5_000,
            max_unverified_bodies: 4,
            expect_updates_within_secs: None,
            follow_interval_ms: 1_000,
            max_behind_secs: 10,
            change_log_keep_hours: 168,
            pull: PullSettings::default(),
        }
    }
}

/// The SMS channel through Kannel (issue 5): inbound endpoint, keywords, limits, and the outbox
/// sender.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsSettings {
    /// Secret that must appear in the inbound and delivery-report URLs Kannel calls
    /// (`/sms/v1/kannel/{secret}/...`). Unset: the SMS endpoints answer 403.
    pub inbound_secret: Option<SecretString>,
    /// Addresses Kannel's smsbox calls from; anything else gets 403.
    pub allowed_addresses: Vec<IpAddr>,
    /// The short code citizens text (shown in replies and used as the sender of notifications).
    pub short_code: String,
    /// Command keywords (unaccented, any case; the first of each is shown in replies).
    pub keywords: SmsKeywords,
    /// Messages per sender per minute before the "too many requests" reply (then silence).
    pub per_sender_per_minute: u32,
    /// Messages per sender per day.
    pub per_sender_per_day: u32,
    /// Most dossiers one phone may follow (`DK`).
    pub max_subscriptions: u32,
    /// Kannel's sendsms URL, e.g. `http://127.0.0.1:13013/cgi-bin/sendsms`. Unset: nothing is
    /// sent (notifications wait in the outbox).
    pub sendsms_url: Option<String>,
    /// The sendsms user (`sendsms-user` group of kannel.conf).
    pub sendsms_user: String,
    /// Its password.
    pub sendsms_password: Option<SecretString>,
    /// Base URL Kannel calls with delivery reports (tracuu's own address as Kannel reaches it,
    /// e.g. `http://127.0.0.1:8080`). Unset: no delivery reports are asked for.
    pub dlr_base_url: Option<String>,
    /// Start of the quiet hours (Vietnam time, `HH:MM`): notifications wait until the end.
    pub quiet_hours_start: String,
    /// End of the quiet hours (`HH:MM`). Equal to the start: no quiet hours.
    pub quiet_hours_end: String,
    /// Queue a notification when sync changes a dossier's status. Unset: only when
    /// `sendsms_url` is set (an installation without SMS does not fill the outbox).
    pub notify_status_changes: Option<bool>,
    /// Milliseconds between outbox polls when there is nothing to send.
    pub poll_interval_ms: u64,
    /// Messages claimed per round.
    pub batch_size: i64,
    /// Most messages sent per second (all instances share the load through the claims).
    pub send_per_second: u32,
    /// First retry delay in seconds; doubles per attempt up to `retry_max_secs`.
    pub retry_base_secs: u64,
    /// Longest retry delay in seconds.
    pub retry_max_secs: u64,
    /// Attempts before a message is marked failed.
    pub max_attempts: i32,
    /// Seconds to wait for Kannel's answer to one sendsms request.
    pub request_timeout_secs: u64,
    /// A message whose send was interrupted (crash, timeout) stays unsent rather than risk a
    /// duplicate; after this many seconds without a delivery report it is marked failed.
    pub sending_timeout_secs: u64,
}

/// Inbound command keywords (the defaults of issues 5 and 21, as `Keywords::defaults`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsKeywords {
    pub lookup: Vec<String>,
    pub subscribe: Vec<String>,
    pub unsubscribe: Vec<String>,
    pub rate: Vec<String>,
    pub help: Vec<String>,
    pub opt_out: Vec<String>,
}

impl Default for SmsKeywords {
    fn default() -> Self {
        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect();
        Self {
            lookup: words(&["HS", "TC", "HO SO", "TRA CUU"]),
            subscribe: words(&["DK"]),
            unsubscribe: words(&["HUY", "HUY DK", "HUY DANG KY"]),
            rate: words(&["DG", "DANH GIA"]),
            help: words(&["TG", "HELP", "?", "TRO GIUP", "HUONG DAN"]),
            opt_out: words(&["TU CHOI", "STOP"]),
        }
    }
}

impl SmsKeywords {
    /// The parser's keyword table.
    pub fn table(&self) -> crate::domain::sms::Keywords {
        use crate::domain::sms::{Keywords, Verb};
        Keywords::new(&[
            (Verb::Lookup, &self.lookup),
            (Verb::Subscribe, &self.subscribe),
            (Verb::Unsubscribe, &self.unsubscribe),
            (Verb::Rate, &self.rate),
            (Verb::Help, &self.help),
            (Verb::OptOut, &self.opt_out),
        ])
    }
}

impl Default for SmsSettings {
    fn default() -> Self {
        Self {
            inbound_secret: None,
            allowed_addresses: vec![
                IpAddr::from([127, 0, 0, 1]),
                IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
            ],
            short_code: "8088".into(),
            keywords: SmsKeywords::default(),
            per_sender_per_minute: 10,
            per_sender_per_day: 100,
            max_subscriptions: 20,
            sendsms_url: None,
            sendsms_user: "tracuu".into(),
            sendsms_password: None,
            dlr_base_url: None,
            quiet_hours_start: "22:00".into(),
            quiet_hours_end: "07:00".into(),
            notify_status_changes: None,
            poll_interval_ms: 1_000,
            batch_size: 20,
            send_per_second: 50,
            retry_base_secs: 10,
            retry_max_secs: 3_600,
            max_attempts: 12,
            request_timeout_secs: 10,
            sending_timeout_secs: 600,
        }
    }
}

impl SmsSettings {
    /// The lookup keyword printed on receipts and shown in replies (`<keyword> <code>`).
    pub fn lookup_keyword(&self) -> String {
        let table = self.keywords.table();
        table.primary(crate::domain::sms::Verb::Lookup).to_owned()
    }

    /// Whether the SMS channel is on: tracuu sends through Kannel or asks it for delivery
    /// reports. (With only `inbound_secret` set it answers texts; without it the SMS endpoints
    /// are off.)
    pub fn is_on(&self) -> bool {
        self.sendsms_url.is_some() || self.dlr_base_url.is_some()
    }

    /// Whether sync queues status-change notifications.
    pub fn notifies_status_changes(&self) -> bool {
        self.notify_status_changes
            .unwrap_or(self.sendsms_url.is_some())
    }

    /// The quiet hours as times of day (start, end), Vietnam time.
    pub fn quiet_hours(&self) -> anyhow::Result<(chrono::NaiveTime, chrono::NaiveTime)> {
        let parse = |value: &str, name: &str| {
            chrono::NaiveTime::parse_from_str(value.trim(), "%H:%M")
                .with_context(|| format!("{name} must be HH:MM, e.g. 22:00"))
        };
        Ok((
            parse(&self.quiet_hours_start, "TRACUU_SMS__QUIET_HOURS_START")?,
            parse(&self.quiet_hours_end, "TRACUU_SMS__QUIET_HOURS_END")?,
        ))
    }
}

/// `tracuu sync pull`: where to read changed dossiers from.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PullSettings {
    /// Connection string of the source PostgreSQL.
    pub source_url: Option<SecretString>,
    /// Name the watermark is stored under (one per source).
    pub source_name: String,
    /// File with the SQL query; it takes the watermark (text) as `$1` and the batch size as `$2`
    /// and returns the snapshot columns plus `watermark` (see deploy/pull/).
    pub query_file: Option<PathBuf>,
    /// Rows per batch.
    pub batch_size: i64,
    /// Seconds to sleep when the source has nothing new (follow mode).
    pub poll_interval_secs: u64,
    /// Watermark to start from when none is stored.
    pub initial_watermark: String,
    /// Where follow mode serves its own `/metrics` (lag and item counters of the pulled
    /// batches), e.g. `127.0.0.1:9465`. Unset: no exporter. `serve` does not see pulled batches
    /// in its own metrics: scrape both.
    pub metrics_address: Option<std::net::SocketAddr>,
    /// How far back, in seconds, the pull reads the source again, from where its watermark stood
    /// that long ago, to find rows committed behind it (0: never).
    pub late_rows_lookback_secs: u64,
    /// Reads back every this many times the pull finds nothing new (follow mode; `--once` reads
    /// back once, at the end).
    pub late_rows_check_every: u64,
    /// The settle delay written in the query (changes younger than this are left out; the
    /// example's is 10 s): `sync verify` waits this long at the end for the changes it left out,
    /// and reports dossiers changed that recently as pending, not as drift.
    pub settle_secs: u64,
}

impl Default for PullSettings {
    fn default() -> Self {
        Self {
            source_url: None,
            source_name: "main".into(),
            query_file: None,
            batch_size: 1_000,
            poll_interval_secs: 5,
            initial_watermark: "1970-01-01T00:00:00Z".into(),
            metrics_address: None,
            late_rows_lookback_secs: 600,
            late_rows_check_every: 12,
            settle_secs: 10,
        }
    }
}

/// Questions and feedback (docs/domain.md, questions and feedback): deadlines in working days and input limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntakeSettings {
    /// Working days the desk head has to classify and forward a new item.
    pub classify_days: u32,
    /// Working days, from forwarding, to refuse an item.
    pub refuse_days: u32,
    /// Working days, from forwarding, to ask the submitter for more information.
    pub info_request_days: u32,
    /// Working days, from receipt or transfer, to answer.
    pub handle_days: u32,
    /// Working days, from the answer, to publish it.
    pub publish_days: u32,
    /// Longest subject, in characters.
    pub max_subject_chars: usize,
    /// Longest question, feedback, answer or reason text, in characters.
    pub max_body_chars: usize,
    /// Largest submission request body, in bytes (forms percent-encode Vietnamese text threefold).
    pub max_request_bytes: usize,
    /// Submissions per client address per hour.
    pub submissions_per_hour: u32,
    /// Helpfulness votes per client address per hour.
    pub votes_per_hour: u32,
    /// Wrong phone proofs on tracking pages per client address per hour.
    pub proof_failures_per_hour: u32,
    /// Items per page of the public list and the staff inbox.
    pub page_size: i64,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        Self {
            classify_days: 3,
            refuse_days: 2,
            info_request_days: 5,
            handle_days: 15,
            publish_days: 2,
            max_subject_chars: 200,
            max_body_chars: 20_000,
            max_request_bytes: 256 * 1024,
            submissions_per_hour: 20,
            votes_per_hour: 60,
            proof_failures_per_hour: 20,
            page_size: 20,
        }
    }
}

/// How long personal data is kept before `tracuu retention` deletes or anonymises it (Personal
/// Data Protection Law 91/2025/QH15; docs/operations.md, Retention; decision 0068). Days.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSettings {
    /// Inbound SMS records (sender, text, reply): deleted this many days after they arrived.
    pub sms_inbound_days: u32,
    /// Outbox messages that are finished (sent, delivered, failed, cancelled), with their
    /// delivery reports: deleted this many days after they were queued.
    pub sms_outbox_days: u32,
    /// Callers' numbers in the hotline call log (the IVR's caller ids and the numbers operators
    /// typed): erased this many days after the call started; the call itself stays counted.
    pub hotline_caller_days: u32,
    /// Submitters' name, phone, e-mail and address of a closed question or feedback item: erased
    /// this many days after it was closed (refused, withdrawn, published, or answered privately).
    pub intake_contact_days: u32,
    /// The audit log of staff views of personal data: deleted this many days after the entry.
    /// Kept longer than every other period, so it still shows who saw data that is gone.
    pub audit_days: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            sms_inbound_days: 180,
            sms_outbox_days: 180,
            hotline_caller_days: 180,
            intake_contact_days: 365,
            audit_days: 1825,
        }
    }
}

/// The staff console: sessions and the throttling of logins (docs/channels/questions-and-feedback.md,
/// staff console; decision 0041). No account is ever locked.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaffSettings {
    /// Minutes a session lasts after login.
    pub session_minutes: i64,
    /// Login attempts per client address per minute, over every username and successful ones
    /// included (also the burst); past it the address gets 429 before any password is checked.
    pub login_attempts_per_minute: u32,
    /// Failed logins for one username from one address before each further failure makes that
    /// pair wait (1 s, doubling) before its next attempt is checked. Formerly `max_failed_logins`.
    #[serde(alias = "max_failed_logins")]
    pub free_failed_logins: u32,
    /// The longest such wait, in minutes. Formerly `lockout_minutes`.
    #[serde(alias = "lockout_minutes")]
    pub max_login_delay_minutes: u32,
    /// Failed logins per username per minute from every address together; past it each attempt
    /// for that username waits [`Self::username_delay_secs`] before its password is checked
    /// (never refused).
    pub username_failures_per_minute: u32,
    /// Seconds an attempt for a username over its failure rate waits.
    pub username_delay_secs: u32,
    /// Mark cookies `Secure` (HTTPS only). Turn off only for plain-HTTP loopback development.
    pub cookie_secure: bool,
}

impl Default for StaffSettings {
    fn default() -> Self {
        Self {
            session_minutes: 480,
            login_attempts_per_minute: 10,
            free_failed_logins: 5,
            max_login_delay_minutes: 15,
            username_failures_per_minute: 30,
            username_delay_secs: 1,
            cookie_secure: true,
        }
    }
}

/// The 1022 hotline: the operator console and the IVR (issue 8).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HotlineSettings {
    /// Where the IVR hands a caller to an operator (VoiceXML `<transfer dest>`): a `tel:` or
    /// `sip:` URI of the operators' queue on the call center's platform.
    pub transfer_target: String,
    /// Wrong lookup numbers a caller may key before the IVR transfers them to an operator.
    pub max_digit_attempts: u32,
    /// IVR requests per caller id per minute (and the burst allowed). The caller id counts only
    /// on requests from [`Self::platform_addresses`]; any other client is counted by address.
    pub ivr_requests_per_minute: u32,
    pub ivr_burst: u32,
    /// Addresses of the call center's IVR platform, whose `caller=` ids are trusted for the
    /// per-caller limits and the call log. Empty: every request is limited by its address.
    pub platform_addresses: Vec<IpAddr>,
    /// Status SMS an operator may send to one phone number per hour.
    pub sms_per_phone_per_hour: u32,
    /// Status SMS one operator may send per hour.
    pub sms_per_operator_per_hour: u32,
    /// Working hours within which a caller's question or feedback must be entered after the call
    /// started (docs/domain.md: off-system feedback is entered within 8 working hours).
    pub entry_working_hours: u32,
    /// Most dossiers a phone search lists.
    pub phone_search_limit: i64,
    /// The one-stop desks' addresses, read out by IVR menu 3 after the working hours.
    pub office_addresses: String,
    /// Serve synthesized audio (espeak-ng, 8 kHz mono WAV) for platforms without Vietnamese TTS.
    pub audio_enabled: bool,
    /// Where generated audio files are cached.
    pub audio_cache_dir: PathBuf,
    /// The espeak-ng voice (`vi`, `vi-vn-x-central`, `vi-vn-x-south`).
    pub espeak_voice: String,
}

impl Default for HotlineSettings {
    fn default() -> Self {
        Self {
            transfer_target: "tel:+842551022".into(),
            max_digit_attempts: 3,
            ivr_requests_per_minute: 30,
            ivr_burst: 15,
            platform_addresses: Vec::new(),
            sms_per_phone_per_hour: 3,
            sms_per_operator_per_hour: 60,
            entry_working_hours: 8,
            phone_search_limit: 50,
            office_addresses: "Trung tâm Phục vụ hành chính công tỉnh, số 52 Hùng Vương, tỉnh Quảng Ngãi; và Trung tâm Phục vụ hành chính công của các xã, phường và đặc khu Lý Sơn. Ông bà có thể nộp hồ sơ tại bất kỳ Trung tâm nào, không phụ thuộc nơi cư trú.".into(),
            audio_enabled: false,
            audio_cache_dir: PathBuf::from("var/ivr-audio"),
            espeak_voice: "vi".into(),
        }
    }
}

/// The kiosk app served at `/kiosk/` (issue 7).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KioskSettings {
    /// Seconds without a touch or key before a kiosk returns to its home screen and clears what
    /// was typed and shown. A kiosk URL may ask for a different value (`?idle=`).
    pub idle_timeout_secs: u64,
    /// Kiosk id used when the kiosk URL names none (`?kiosk=`); sent with every request.
    pub default_id: String,
    /// Per-kiosk keys, each `ID:SECRET` (secret of at least 16 characters). A request with
    /// `X-Kiosk-Id: ID` and `X-Kiosk-Key: SECRET` is counted as that kiosk, not by its address,
    /// with budgets [`Self::budget_multiplier`] times a citizen's; a wrong key is refused.
    pub keys: Vec<SecretString>,
    /// How many times a citizen's lookup, not-found and wrong-proof budgets a kiosk with a valid
    /// key gets: a service centre's worth of people use one kiosk.
    pub budget_multiplier: u32,
}

impl Default for KioskSettings {
    fn default() -> Self {
        Self {
            idle_timeout_secs: 60,
            default_id: "kiosk".into(),
            keys: Vec::new(),
            budget_multiplier: 20,
        }
    }
}

impl KioskSettings {
    /// The configured keys as (kiosk id, secret). Error texts never contain a secret.
    pub fn key_table(&self) -> anyhow::Result<Vec<(crate::domain::KioskId, SecretString)>> {
        use secrecy::ExposeSecret;
        let mut table: Vec<(crate::domain::KioskId, SecretString)> = Vec::new();
        for (index, spec) in self.keys.iter().enumerate() {
            let item = index + 1;
            let (id, secret) = spec.expose_secret().split_once(':').ok_or_else(|| {
                anyhow::anyhow!(
                    "invalid configuration: TRACUU_KIOSK__KEYS item {item}: expected KIOSK-ID:SECRET"
                )
            })?;
            let id = crate::domain::KioskId::parse(id.trim()).map_err(|_| {
                anyhow::anyhow!(
                    "invalid configuration: TRACUU_KIOSK__KEYS item {item}: the kiosk id must be 1-40 characters of A-Z a-z 0-9 . _ -"
                )
            })?;
            anyhow::ensure!(
                secret.chars().count() >= 16 && secret.len() <= 200,
                "invalid configuration: TRACUU_KIOSK__KEYS item {item} (kiosk {}): the secret must have 16 to 200 characters",
                id
            );
            anyhow::ensure!(
                !table.iter().any(|(known, _)| *known == id),
                "invalid configuration: TRACUU_KIOSK__KEYS: kiosk {} has two keys",
                id
            );
            table.push((id, SecretString::from(secret.to_owned())));
        }
        Ok(table)
    }
}

/// The demo province loaded on first run.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemoSettings {
    /// Load the demo province when the read model is empty. `None` means: only on the private
    /// local cluster, never on a server named by `database.url`.
    pub load_on_first_run: Option<bool>,
    /// Dossiers generated.
    pub dossiers: usize,
    /// Generator seed; the same seed always gives the same province.
    pub seed: u64,
}

impl Default for DemoSettings {
    fn default() -> Self {
        Self {
            load_on_first_run: None,
            dossiers: 50_000,
            seed: 1,
        }
    }
}

/// Facts about the province this installation serves (docs/domain.md: configuration, not code).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProvinceSettings {
    /// Province name shown on pages.
    pub name: String,
    /// The hotline number shown to citizens.
    pub hotline: String,
    /// Public base URL of this service (for links printed on receipts).
    pub public_base_url: String,
}

impl Default for ProvinceSettings {
    fn default() -> Self {
        Self {
            name: "Tỉnh Quảng Ngãi (dữ liệu mẫu)".into(),
            hotline: "0255.1022".into(),
            public_base_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// The demo QR signing key used when `qr.keys` is empty: fine on a developer's machine, never in
/// production (anyone who reads this file can forge receipt tokens).
pub const DEMO_QR_KEY: &str = "D:tracuu-demo-qr-key-do-not-use-in-production";

/// QR codes on receipts and their landing page `/q/<code>?k=<token>` (docs/channels/qr-and-receipts.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QrSettings {
    /// Base of the URL the QR encodes (scheme, host, optional path prefix). Default: the
    /// province's `public_base_url`.
    pub public_base_url: Option<String>,
    /// Signing keys, each `ID:SECRET` (in service) or `ID@YYYY-MM-DD:SECRET` (retired on that day,
    /// Vietnam time). `ID` is one character of 0-9 or A-Z. Empty: the demo key.
    pub keys: Vec<SecretString>,
    /// Id of the key that signs new QR codes; default: the first key not retired.
    pub current_key: Option<String>,
    /// Days a retired key's tokens stay valid after its retirement day.
    pub retired_key_grace_days: u32,
    /// Write the scheme and host of the QR URL in capitals (they are case-insensitive): the QR
    /// alphanumeric mode then encodes them at 5.5 bits a character instead of 8, so the code stays
    /// at version 4 or below.
    pub uppercase_host: bool,
    /// Megabytes of rendered landing pages kept per instance (0: render every time).
    pub page_cache_mb: u64,
}

impl Default for QrSettings {
    fn default() -> Self {
        Self {
            public_base_url: None,
            keys: Vec::new(),
            current_key: None,
            retired_key_grace_days: 365,
            uppercase_host: true,
            page_cache_mb: 64,
        }
    }
}

impl QrSettings {
    /// True when no key is configured and the demo key signs.
    pub fn uses_demo_key(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keyring the settings describe (the demo key when none is configured).
    pub fn keyring(&self) -> anyhow::Result<crate::domain::QrKeyring> {
        use secrecy::ExposeSecret;
        let demo = [SecretString::from(DEMO_QR_KEY)];
        let specs: &[SecretString] = if self.keys.is_empty() {
            &demo
        } else {
            &self.keys
        };
        let mut keys = Vec::with_capacity(specs.len());
        for (index, spec) in specs.iter().enumerate() {
            keys.push(parse_qr_key(spec.expose_secret()).map_err(|reason| {
                anyhow::anyhow!(
                    "invalid configuration: TRACUU_QR__KEYS item {}: {reason}",
                    index + 1
                )
            })?);
        }
        let current = match self.current_key.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => {
                let mut chars = id.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => c,
                    _ => anyhow::bail!(
                        "invalid configuration: TRACUU_QR__CURRENT_KEY must be one key id character"
                    ),
                }
            }
            _ => keys
                .iter()
                .find(|k| k.retired_at.is_none())
                .map(|k| k.id)
                .ok_or_else(|| {
                    anyhow::anyhow!("invalid configuration: TRACUU_QR__KEYS has no key in service")
                })?,
        };
        let grace = chrono::Duration::days(i64::from(self.retired_key_grace_days));
        crate::domain::QrKeyring::new(keys, current, grace)
            .map_err(|reason| anyhow::anyhow!("invalid configuration: TRACUU_QR__KEYS: {reason}"))
    }

    /// The URL base the QR encodes, without a trailing slash.
    pub fn base_url<'a>(&'a self, province: &'a ProvinceSettings) -> &'a str {
        self.public_base_url
            .as_deref()
            .unwrap_or(&province.public_base_url)
            .trim_end_matches('/')
    }
}

/// `ID:SECRET` or `ID@YYYY-MM-DD:SECRET`. Error texts never contain the secret.
fn parse_qr_key(spec: &str) -> Result<crate::domain::QrKey, String> {
    let (head, secret) = spec
        .split_once(':')
        .ok_or("expected ID:SECRET or ID@YYYY-MM-DD:SECRET")?;
    let (id, retired) = match head.split_once('@') {
        Some((id, day)) => (id, Some(day)),
        None => (head, None),
    };
    let mut chars = id.trim().chars();
    let id = match (chars.next(), chars.next()) {
        (Some(c), None) if crate::domain::qr_token::is_key_id(c) => c,
        _ => return Err("the key id must be one character of 0-9 or A-Z".into()),
    };
    let retired_at = retired
        .map(|day| {
            chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .and_then(|t| t.and_local_timezone(crate::domain::vn_offset()).single())
                .map(|t| t.with_timezone(&chrono::Utc))
                .ok_or_else(|| format!("key {id}: the retirement day must be YYYY-MM-DD"))
        })
        .transpose()?;
    if secret.trim().len() < 16 {
        return Err(format!(
            "key {id}: the secret must have at least 16 characters"
        ));
    }
    Ok(crate::domain::QrKey {
        id,
        secret: SecretString::from(secret.to_owned()),
        retired_at,
    })
}

/// The process environment as settings read it: variable names and their values.
pub type Environment = std::collections::HashMap<String, String>;

/// How a secret read from a file is stored in the settings.
enum SecretShape {
    /// One value: the file's content without its trailing newline.
    One(fn(&mut Settings, SecretString)),
    /// A list: one item per line of the file, blank lines skipped.
    List(fn(&mut Settings, Vec<SecretString>)),
}

/// Every secret setting, by its environment variable: each can also be read from the file that
/// `<NAME>_FILE` names (systemd credentials, container secrets).
const SECRET_SETTINGS: &[(&str, SecretShape)] = &[
    (
        "TRACUU_DATABASE__URL",
        SecretShape::One(|s, v| s.database.url = Some(v)),
    ),
    (
        "DATABASE_URL",
        SecretShape::One(|s, v| s.database.url = Some(v)),
    ),
    (
        "TRACUU_DATABASE__READ_URL",
        SecretShape::One(|s, v| s.database.read_url = Some(v)),
    ),
    (
        "TRACUU_SYNC__SECRETS",
        SecretShape::List(|s, v| s.sync.secrets = v),
    ),
    (
        "TRACUU_SYNC__PULL__SOURCE_URL",
        SecretShape::One(|s, v| s.sync.pull.source_url = Some(v)),
    ),
    ("TRACUU_QR__KEYS", SecretShape::List(|s, v| s.qr.keys = v)),
    (
        "TRACUU_KIOSK__KEYS",
        SecretShape::List(|s, v| s.kiosk.keys = v),
    ),
    (
        "TRACUU_SMS__INBOUND_SECRET",
        SecretShape::One(|s, v| s.sms.inbound_secret = Some(v)),
    ),
    (
        "TRACUU_SMS__SENDSMS_PASSWORD",
        SecretShape::One(|s, v| s.sms.sendsms_password = Some(v)),
    ),
];

/// The secrets `<NAME>_FILE` variables point to, taken out of `env` (the settings have no
/// `..._file` keys) and read; refused when both `NAME` and `NAME_FILE` are set, when the file
/// cannot be read, or when it holds nothing. Error texts name the variable and the path, never
/// the content.
fn read_secret_files(
    env: &mut Environment,
) -> anyhow::Result<Vec<(&'static SecretShape, &'static str, String)>> {
    let mut found = Vec::new();
    for (name, shape) in SECRET_SETTINGS {
        let variable = format!("{name}_FILE");
        let Some(path) = env.remove(&variable) else {
            continue;
        };
        anyhow::ensure!(
            !env.contains_key(*name),
            "invalid configuration: set {name} or {variable}, not both"
        );
        anyhow::ensure!(
            !path.trim().is_empty(),
            "invalid configuration: {variable} is empty; it must name the file that holds the secret"
        );
        let content = std::fs::read_to_string(&path).map_err(|error| {
            anyhow::anyhow!("invalid configuration: {variable}: cannot read {path}: {error}")
        })?;
        let content = content
            .strip_suffix('\n')
            .map(|c| c.strip_suffix('\r').unwrap_or(c))
            .unwrap_or(&content)
            .to_owned();
        anyhow::ensure!(
            !content.trim().is_empty(),
            "invalid configuration: {variable}: the file {path} is empty"
        );
        found.push((shape, *name, content));
    }
    Ok(found)
}

impl Settings {
    /// Loads defaults, then `file` (or `TRACUU_CONFIG`) when given, then the environment.
    pub fn load(file: Option<PathBuf>) -> anyhow::Result<Self> {
        let mut env = Environment::new();
        for (name, value) in std::env::vars_os() {
            let Ok(name) = name.into_string() else {
                continue;
            };
            match value.into_string() {
                Ok(value) => {
                    env.insert(name, value);
                }
                Err(_) if name.starts_with("TRACUU_") || name.starts_with("DATABASE_URL") => {
                    anyhow::bail!("invalid configuration: {name} is not valid UTF-8")
                }
                Err(_) => {}
            }
        }
        Self::load_from(file, env)
    }

    /// [`Self::load`] over the environment `env` instead of the process's.
    pub fn load_from(file: Option<PathBuf>, mut env: Environment) -> anyhow::Result<Self> {
        // Variables of the TRACUU_ prefix that are not settings: the settings file, read here,
        // and the log format, read by the telemetry.
        let named_file = env.remove("TRACUU_CONFIG");
        env.remove("TRACUU_LOG_FORMAT");
        let file = file.or_else(|| named_file.map(PathBuf::from));
        let secret_files = read_secret_files(&mut env)?;
        let database_url = env.get("DATABASE_URL").cloned();
        let mut builder = config::Config::builder();
        if let Some(path) = &file {
            builder = builder.add_source(config::File::from(path.as_path()).required(true));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("TRACUU")
                .prefix_separator("_")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("http.trusted_proxies")
                .with_list_parse_key("http.operator_addresses")
                .with_list_parse_key("sync.secrets")
                .with_list_parse_key("qr.keys")
                .with_list_parse_key("kiosk.keys")
                .with_list_parse_key("sms.allowed_addresses")
                .with_list_parse_key("hotline.platform_addresses")
                .with_list_parse_key("sms.keywords.lookup")
                .with_list_parse_key("sms.keywords.subscribe")
                .with_list_parse_key("sms.keywords.unsubscribe")
                .with_list_parse_key("sms.keywords.rate")
                .with_list_parse_key("sms.keywords.help")
                .with_list_parse_key("sms.keywords.opt_out")
                .try_parsing(true)
                .source(Some(env.into_iter().collect())),
        );
        let mut settings: Settings = builder.build().and_then(|c| c.try_deserialize()).context(
            "invalid configuration (settings are TRACUU_<SECTION>__<KEY>, e.g. TRACUU_HTTP__PORT)",
        )?;
        if settings.database.url.is_none() {
            if let Some(url) = database_url {
                if !url.trim().is_empty() {
                    settings.database.url = Some(SecretString::from(url));
                }
            }
        }
        for (shape, name, content) in secret_files {
            match shape {
                SecretShape::One(set) => {
                    // DATABASE_URL_FILE, like DATABASE_URL, gives way to the explicit setting.
                    if name == "DATABASE_URL" && settings.database.url.is_some() {
                        continue;
                    }
                    set(&mut settings, SecretString::from(content));
                }
                SecretShape::List(set) => set(
                    &mut settings,
                    content
                        .lines()
                        .map(|line| line.strip_suffix('\r').unwrap_or(line))
                        .filter(|line| !line.trim().is_empty())
                        .map(|line| SecretString::from(line.to_owned()))
                        .collect(),
                ),
            }
        }
        settings.validate()?;
        settings.check_deployment()?;
        Ok(settings)
    }

    /// Rejects values that parse but make no sense, naming the variable. Sections are checked in
    /// a fixed order and the first wrong value is the one reported.
    pub fn validate(&self) -> anyhow::Result<()> {
        check_intake(&self.intake)?;
        check_staff(&self.staff)?;
        check_kiosk(&self.kiosk)?;
        check_sync(&self.sync)?;
        check_database(&self.database)?;
        check_cache(&self.cache)?;
        check_rate_limit(&self.rate_limit)?;
        check_hotline(&self.hotline)?;
        check_http(&self.http)?;
        check_qr(&self.qr, &self.province)?;
        check_sms(&self.sms)?;
        check_retention(&self.retention)
    }
}

impl Settings {
    /// What production mode refuses in these settings, one line per item, each naming the
    /// setting and its environment variable. Empty in development mode, and in production mode
    /// when nothing is missing (docs/operations.md, production mode; decision 0064).
    pub fn production_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.deployment.is_production() {
            return problems;
        }
        let mut refuse = |problem: &str| problems.push(problem.to_owned());
        if self.database.url.is_none() {
            refuse(
                "database.url (TRACUU_DATABASE__URL, DATABASE_URL or TRACUU_DATABASE__URL_FILE) is not set: \
                 production uses its own PostgreSQL server and never starts a private cluster",
            );
        }
        if self.demo.load_on_first_run == Some(true) {
            refuse(
                "demo.load_on_first_run (TRACUU_DEMO__LOAD_ON_FIRST_RUN) is true: production never loads the demo province",
            );
        }
        if self.qr.uses_demo_key() {
            refuse(
                "qr.keys (TRACUU_QR__KEYS or TRACUU_QR__KEYS_FILE) is not set: receipts would be signed with the \
                 public demo key, which anyone can read and forge",
            );
        } else if self.qr.keys.iter().any(is_demo_qr_key) {
            refuse(
                "qr.keys (TRACUU_QR__KEYS or TRACUU_QR__KEYS_FILE) contains the public demo key: give every key a secret of its own",
            );
        }
        if !is_public_https(&self.province.public_base_url) {
            refuse(
                "province.public_base_url (TRACUU_PROVINCE__PUBLIC_BASE_URL) is not a public https:// address: \
                 receipts, QR codes and SMS replies carry it",
            );
        }
        if self
            .qr
            .public_base_url
            .as_deref()
            .is_some_and(|url| !is_public_https(url))
        {
            refuse(
                "qr.public_base_url (TRACUU_QR__PUBLIC_BASE_URL) is not a public https:// address: QR codes carry it",
            );
        }
        if self.province.name == ProvinceSettings::default().name {
            refuse(
                "province.name (TRACUU_PROVINCE__NAME) is the demo province's name: set the province's own",
            );
        }
        if self.sms.is_on() && self.sms.inbound_secret.is_none() {
            refuse(
                "sms.inbound_secret (TRACUU_SMS__INBOUND_SECRET or TRACUU_SMS__INBOUND_SECRET_FILE) is not set, \
                 while SMS is on (sms.sendsms_url or sms.dlr_base_url is set)",
            );
        }
        if self.sms.sendsms_url.is_some() && self.sms.sendsms_password.is_none() {
            refuse(
                "sms.sendsms_password (TRACUU_SMS__SENDSMS_PASSWORD or TRACUU_SMS__SENDSMS_PASSWORD_FILE) is not set, \
                 while sms.sendsms_url is",
            );
        }
        if self.sync.push_is_on() && self.sync.secrets.is_empty() {
            refuse(
                "sync.secrets (TRACUU_SYNC__SECRETS or TRACUU_SYNC__SECRETS_FILE) is not set: the main store's push \
                 is the feed unless sync.pull.source_url (TRACUU_SYNC__PULL__SOURCE_URL) names a database to pull from",
            );
        }
        if !self.staff.cookie_secure {
            refuse(
                "staff.cookie_secure (TRACUU_STAFF__COOKIE_SECURE) is false: staff sessions must travel over HTTPS only",
            );
        }
        if self.http.trusted_proxies.is_empty() {
            refuse(
                "http.trusted_proxies (TRACUU_HTTP__TRUSTED_PROXIES) is empty: list the reverse proxy's addresses \
                 (127.0.0.1 for nginx on the same host), so that limits and address checks see the client, not the proxy",
            );
        }
        if !self.rate_limit.enabled {
            refuse(
                "rate_limit.enabled (TRACUU_RATE_LIMIT__ENABLED) is false: the limits are off only for benchmarks",
            );
        }
        problems
    }

    /// Fails, listing every item of [`Self::production_problems`], in production mode when
    /// something is missing.
    pub fn check_deployment(&self) -> anyhow::Result<()> {
        let problems = self.production_problems();
        if problems.is_empty() {
            return Ok(());
        }
        let mut message = format!(
            "production mode (deployment.mode, TRACUU_DEPLOYMENT__MODE) refuses to start: {} setting(s) missing or unsafe:",
            problems.len()
        );
        for problem in &problems {
            message.push_str("\n  - ");
            message.push_str(problem);
        }
        anyhow::bail!(message)
    }
}

/// Whether `spec` (`ID:SECRET` or `ID@DAY:SECRET`) has the demo key's secret.
fn is_demo_qr_key(spec: &SecretString) -> bool {
    use secrecy::ExposeSecret;
    let demo_secret = DEMO_QR_KEY.split_once(':').map_or(DEMO_QR_KEY, |(_, s)| s);
    spec.expose_secret()
        .split_once(':')
        .is_some_and(|(_, secret)| secret.trim() == demo_secret)
}

/// An `https://` URL whose host is not a loopback or unspecified address nor `localhost`.
fn is_public_https(url: &str) -> bool {
    let Some(rest) = url.trim().strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.is_empty() || host.eq_ignore_ascii_case("localhost") {
        return false;
    }
    host.parse::<IpAddr>()
        .map_or(true, |ip| !ip.is_loopback() && !ip.is_unspecified())
}

/// Fails with the message of the first check that does not hold.
fn ensure_all(checks: &[(bool, &str)]) -> anyhow::Result<()> {
    for &(ok, message) in checks {
        anyhow::ensure!(ok, "invalid configuration: {message}");
    }
    Ok(())
}

/// Checks the settings of questions and feedback: text lengths, rate limits, page size.
fn check_intake(intake: &IntakeSettings) -> anyhow::Result<()> {
    ensure_all(&[
        (
            intake.max_body_chars >= 1 && intake.max_body_chars <= 100_000,
            "TRACUU_INTAKE__MAX_BODY_CHARS must be between 1 and 100000",
        ),
        (
            intake.max_subject_chars >= 1 && intake.max_subject_chars <= 500,
            "TRACUU_INTAKE__MAX_SUBJECT_CHARS must be between 1 and 500",
        ),
        (
            intake.submissions_per_hour > 0
                && intake.votes_per_hour > 0
                && intake.proof_failures_per_hour > 0,
            "TRACUU_INTAKE__SUBMISSIONS_PER_HOUR, VOTES_PER_HOUR and PROOF_FAILURES_PER_HOUR must be at least 1",
        ),
        (
            intake.page_size > 0 && intake.page_size <= 200,
            "TRACUU_INTAKE__PAGE_SIZE must be between 1 and 200",
        ),
    ])
}

/// Checks the retention periods: each between a week and a century, and the audit log kept at
/// least as long as any personal data it may name.
fn check_retention(retention: &RetentionSettings) -> anyhow::Result<()> {
    let in_range = |days: u32| (7..=36_500).contains(&days);
    let longest_other = retention
        .sms_inbound_days
        .max(retention.sms_outbox_days)
        .max(retention.hotline_caller_days)
        .max(retention.intake_contact_days);
    ensure_all(&[
        (
            in_range(retention.sms_inbound_days),
            "TRACUU_RETENTION__SMS_INBOUND_DAYS must be between 7 and 36500",
        ),
        (
            in_range(retention.sms_outbox_days),
            "TRACUU_RETENTION__SMS_OUTBOX_DAYS must be between 7 and 36500",
        ),
        (
            in_range(retention.hotline_caller_days),
            "TRACUU_RETENTION__HOTLINE_CALLER_DAYS must be between 7 and 36500",
        ),
        (
            in_range(retention.intake_contact_days),
            "TRACUU_RETENTION__INTAKE_CONTACT_DAYS must be between 7 and 36500",
        ),
        (
            in_range(retention.audit_days),
            "TRACUU_RETENTION__AUDIT_DAYS must be between 7 and 36500",
        ),
        (
            retention.audit_days >= longest_other,
            "TRACUU_RETENTION__AUDIT_DAYS must be at least every other retention period (the audit log is kept longest)",
        ),
    ])
}

/// Checks the settings of staff sessions and login throttling.
fn check_staff(staff: &StaffSettings) -> anyhow::Result<()> {
    ensure_all(&[
        (
            staff.session_minutes > 0,
            "TRACUU_STAFF__SESSION_MINUTES must be at least 1",
        ),
        (
            staff.login_attempts_per_minute > 0
                && staff.free_failed_logins > 0
                && staff.username_failures_per_minute > 0,
            "TRACUU_STAFF__LOGIN_ATTEMPTS_PER_MINUTE, FREE_FAILED_LOGINS and \
             USERNAME_FAILURES_PER_MINUTE must be at least 1",
        ),
        (
            (1..=1440).contains(&staff.max_login_delay_minutes),
            "TRACUU_STAFF__MAX_LOGIN_DELAY_MINUTES must be between 1 and 1440",
        ),
        (
            staff.username_delay_secs <= 30,
            "TRACUU_STAFF__USERNAME_DELAY_SECS must be at most 30",
        ),
    ])
}

/// Checks the settings of the kiosk: idle timeout, default id, keys and their budgets.
fn check_kiosk(kiosk: &KioskSettings) -> anyhow::Result<()> {
    kiosk.key_table()?;
    ensure_all(&[
        (
            (1..=1000).contains(&kiosk.budget_multiplier),
            "TRACUU_KIOSK__BUDGET_MULTIPLIER must be between 1 and 1000",
        ),
        (
            (10..=3600).contains(&kiosk.idle_timeout_secs),
            "TRACUU_KIOSK__IDLE_TIMEOUT_SECS must be between 10 and 3600",
        ),
        (
            crate::domain::KioskId::parse(&kiosk.default_id).is_ok(),
            "TRACUU_KIOSK__DEFAULT_ID must be 1-40 characters of A-Z a-z 0-9 . _ -",
        ),
    ])
}

/// The longest settle delay accepted: `sync verify` waits it out on every run.
const MAX_SETTLE_SECS: u64 = 3_600;

/// Checks the settings of the feed: batch sizes of push and pull, how the change sequence is
/// followed and kept, and the pull's settle delay.
fn check_sync(sync: &SyncSettings) -> anyhow::Result<()> {
    ensure_all(&[
        (
            sync.max_batch_items > 0,
            "TRACUU_SYNC__MAX_BATCH_ITEMS must be at least 1",
        ),
        (
            sync.pull.batch_size > 0,
            "TRACUU_SYNC__PULL__BATCH_SIZE must be at least 1",
        ),
        (
            (10..=60_000).contains(&sync.follow_interval_ms),
            "TRACUU_SYNC__FOLLOW_INTERVAL_MS must be between 10 and 60000",
        ),
        (
            sync.max_behind_secs > 0,
            "TRACUU_SYNC__MAX_BEHIND_SECS must be at least 1",
        ),
        (
            sync.change_log_keep_hours > 0,
            "TRACUU_SYNC__CHANGE_LOG_KEEP_HOURS must be at least 1",
        ),
        (
            sync.pull.late_rows_check_every > 0,
            "TRACUU_SYNC__PULL__LATE_ROWS_CHECK_EVERY must be at least 1",
        ),
        (
            sync.pull.settle_secs <= MAX_SETTLE_SECS,
            "TRACUU_SYNC__PULL__SETTLE_SECS must be at most 3600 (sync verify waits that long)",
        ),
    ])
}

/// Checks the settings of the database: pool, read lanes, replica, timeout.
fn check_database(database: &DatabaseSettings) -> anyhow::Result<()> {
    ensure_all(&[
        (
            database.pool_size > 0,
            "TRACUU_DATABASE__POOL_SIZE must be at least 1",
        ),
        (
            database.read_lanes > 0 && database.read_lanes < database.pool_size,
            "TRACUU_DATABASE__READ_LANES must be at least 1 and below TRACUU_DATABASE__POOL_SIZE",
        ),
        (
            database.read_url.is_none() || database.url.is_some(),
            "TRACUU_DATABASE__READ_URL needs TRACUU_DATABASE__URL (or DATABASE_URL): a replica of the private cluster makes no sense",
        ),
        (
            database.connect_timeout_secs > 0,
            "TRACUU_DATABASE__CONNECT_TIMEOUT_SECS must be at least 1",
        ),
    ])
}

/// Checks the settings of the lookup cache: its bound.
fn check_cache(cache: &CacheSettings) -> anyhow::Result<()> {
    ensure_all(&[(
        cache.max_dossiers > 0,
        "TRACUU_CACHE__MAX_DOSSIERS must be at least 1",
    )])
}

/// Checks the settings of the lookup rate limits.
fn check_rate_limit(rate_limit: &RateLimitSettings) -> anyhow::Result<()> {
    ensure_all(&[
        (
            rate_limit.lookups_per_minute > 0 && rate_limit.lookups_burst > 0,
            "TRACUU_RATE_LIMIT__LOOKUPS_PER_MINUTE and _BURST must be at least 1",
        ),
        (
            rate_limit.not_found_per_minute > 0 && rate_limit.not_found_burst > 0,
            "TRACUU_RATE_LIMIT__NOT_FOUND_PER_MINUTE and _BURST must be at least 1",
        ),
        (
            rate_limit.proof_failures_per_item_per_day > 0
                && rate_limit.proof_failures_per_item_burst > 0
                && rate_limit.proof_failures_per_client_per_hour > 0,
            "TRACUU_RATE_LIMIT__PROOF_FAILURES_* must be at least 1",
        ),
    ])
}

/// Checks the settings of the hotline: transfer target, IVR limits, search limit, voice.
fn check_hotline(hotline: &HotlineSettings) -> anyhow::Result<()> {
    ensure_all(&[
        (
            (hotline.transfer_target.starts_with("tel:")
                || hotline.transfer_target.starts_with("sip:"))
                && hotline.transfer_target.len() > 4
                && hotline.transfer_target.len() <= 200
                && hotline.transfer_target.chars().all(|c| {
                    c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '<' | '>' | '&')
                }),
            "TRACUU_HOTLINE__TRANSFER_TARGET must be a tel: or sip: URI without spaces, quotes, <, > or &",
        ),
        (
            (1..=10).contains(&hotline.max_digit_attempts),
            "TRACUU_HOTLINE__MAX_DIGIT_ATTEMPTS must be between 1 and 10",
        ),
        (
            hotline.ivr_requests_per_minute > 0
                && hotline.ivr_burst > 0
                && hotline.sms_per_phone_per_hour > 0
                && hotline.sms_per_operator_per_hour > 0,
            "TRACUU_HOTLINE__IVR_REQUESTS_PER_MINUTE, IVR_BURST, SMS_PER_PHONE_PER_HOUR and SMS_PER_OPERATOR_PER_HOUR must be at least 1",
        ),
        (
            (1..=80).contains(&hotline.entry_working_hours),
            "TRACUU_HOTLINE__ENTRY_WORKING_HOURS must be between 1 and 80",
        ),
        (
            (1..=500).contains(&hotline.phone_search_limit),
            "TRACUU_HOTLINE__PHONE_SEARCH_LIMIT must be between 1 and 500",
        ),
        (
            !hotline.espeak_voice.is_empty()
                && hotline.espeak_voice.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '+'),
            "TRACUU_HOTLINE__ESPEAK_VOICE must be a voice name such as vi or vi-vn-x-south",
        ),
    ])
}

/// Checks the settings of the HTTP listeners: the body limits and the internal port.
fn check_http(http: &HttpSettings) -> anyhow::Result<()> {
    ensure_all(&[
        (
            http.max_body_bytes >= 1024,
            "TRACUU_HTTP__MAX_BODY_BYTES must be at least 1024",
        ),
        (
            http.body_idle_timeout_secs > 0
                && http.body_total_timeout_secs >= http.body_idle_timeout_secs,
            "TRACUU_HTTP__BODY_IDLE_TIMEOUT_SECS must be at least 1 and TRACUU_HTTP__BODY_TOTAL_TIMEOUT_SECS at least as long",
        ),
        (
            http.internal_port.is_none_or(|p| p == 0 || p != http.port),
            "TRACUU_HTTP__INTERNAL_PORT must differ from TRACUU_HTTP__PORT",
        ),
    ])
}

/// Checks the QR links: the keyring, and the public base URL they point to.
fn check_qr(qr: &QrSettings, province: &ProvinceSettings) -> anyhow::Result<()> {
    qr.keyring()?;
    let base = qr.base_url(province);
    anyhow::ensure!(
        base.starts_with("https://") || base.starts_with("http://"),
        "invalid configuration: TRACUU_QR__PUBLIC_BASE_URL (or TRACUU_PROVINCE__PUBLIC_BASE_URL) must start with http:// or https://"
    );
    Ok(())
}

/// Checks the SMS channel: limits, the outbox sender, the short code and keywords, quiet hours,
/// Kannel's URL.
fn check_sms(sms: &SmsSettings) -> anyhow::Result<()> {
    ensure_all(&[
        (
            sms.per_sender_per_minute > 0 && sms.per_sender_per_day > 0,
            "TRACUU_SMS__PER_SENDER_PER_MINUTE and _PER_DAY must be at least 1",
        ),
        (
            sms.batch_size > 0 && sms.send_per_second > 0,
            "TRACUU_SMS__BATCH_SIZE and TRACUU_SMS__SEND_PER_SECOND must be at least 1",
        ),
        (
            sms.max_attempts > 0 && sms.retry_base_secs > 0,
            "TRACUU_SMS__MAX_ATTEMPTS and TRACUU_SMS__RETRY_BASE_SECS must be at least 1",
        ),
        (
            sms.request_timeout_secs > 0,
            "TRACUU_SMS__REQUEST_TIMEOUT_SECS must be at least 1",
        ),
        (
            !sms.short_code.trim().is_empty()
                && sms.short_code.len() <= 20
                && !sms.keywords.lookup.is_empty(),
            "TRACUU_SMS__SHORT_CODE (1-20 characters) and TRACUU_SMS__KEYWORDS__LOOKUP must be set",
        ),
    ])?;
    sms.quiet_hours()
        .context("invalid configuration: quiet hours")?;
    if let Some(url) = &sms.sendsms_url {
        anyhow::ensure!(
            url.starts_with("http://") || url.starts_with("https://"),
            "invalid configuration: TRACUU_SMS__SENDSMS_URL must be an http(s) URL"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settle_delay_above_an_hour_is_refused_by_name() {
        let mut sync = SyncSettings::default();
        sync.pull.settle_secs = MAX_SETTLE_SECS;
        assert!(check_sync(&sync).is_ok());
        sync.pull.settle_secs = MAX_SETTLE_SECS + 1;
        let error = check_sync(&sync).expect_err("refused").to_string();
        assert!(error.contains("TRACUU_SYNC__PULL__SETTLE_SECS"), "{error}");
    }

    fn qr(keys: &[&str], current: Option<&str>) -> QrSettings {
        QrSettings {
            keys: keys
                .iter()
                .map(|k| SecretString::from(k.to_string()))
                .collect(),
            current_key: current.map(str::to_owned),
            ..QrSettings::default()
        }
    }

    #[test]
    fn without_keys_the_demo_key_signs() {
        let settings = QrSettings::default();
        assert!(settings.uses_demo_key());
        assert_eq!(settings.keyring().expect("demo keyring").current_id(), 'D');
    }

    #[test]
    fn qr_keys_parse_with_an_optional_retirement_day() {
        let ring = qr(
            &[
                "A@2026-11-01:old-secret-0123456789",
                "B:new-secret-0123456789:with:colons",
            ],
            None,
        )
        .keyring()
        .expect("keyring");
        assert_eq!(ring.current_id(), 'B', "first key in service");
        let ring = qr(
            &["A:first-secret-01234567", "B:second-secret-0123456"],
            Some("B"),
        )
        .keyring()
        .expect("keyring");
        assert_eq!(ring.current_id(), 'B');
    }

    #[test]
    fn bad_qr_keys_are_refused_without_echoing_the_secret() {
        for (keys, current) in [
            (vec!["no-colon-secret-0123456789"], None),
            (vec!["AB:secret-0123456789abcdef"], None),
            (vec!["A:short"], None),
            (vec!["A@2026-13-01:secret-0123456789abcdef"], None),
            (vec!["A@2026-11-01:secret-0123456789abcdef"], None),
            (vec!["A:secret-0123456789abcdef"], Some("C")),
        ] {
            let error = qr(&keys, current).keyring().expect_err("refused");
            let text = format!("{error:#}");
            assert!(text.contains("TRACUU_QR__"), "{text}");
            assert!(!text.contains("0123456789"), "secret echoed: {text}");
        }
    }
}

#[cfg(test)]
mod kiosk_key_tests {
    use super::*;

    fn kiosk(keys: &[&str]) -> KioskSettings {
        KioskSettings {
            keys: keys
                .iter()
                .map(|k| SecretString::from(k.to_string()))
                .collect(),
            ..KioskSettings::default()
        }
    }

    #[test]
    fn kiosk_keys_parse_as_id_and_secret() {
        let table = kiosk(&[
            "TTHC-01:first-secret-0123456789",
            "TTHC-02:a:b:c-0123456789abc",
        ])
        .key_table()
        .expect("keys");
        assert_eq!(table.len(), 2);
        assert_eq!(table[0].0.as_ref(), "TTHC-01");
        assert_eq!(table[1].0.as_ref(), "TTHC-02");
    }

    #[test]
    fn bad_kiosk_keys_are_refused_without_echoing_the_secret() {
        for keys in [
            vec!["no-colon-secret-0123456789"],
            vec!["bad id:secret-0123456789abcdef"],
            vec!["K1:short-012345"],
            vec!["K1:secret-0123456789abcdef", "K1:secret-0123456789abcdeg"],
        ] {
            let error = kiosk(&keys).key_table().expect_err("refused");
            let text = format!("{error:#}");
            assert!(text.contains("TRACUU_KIOSK__KEYS"), "{text}");
            assert!(!text.contains("0123456789"), "secret echoed: {text}");
        }
        let mut settings = Settings::default();
        settings.kiosk.budget_multiplier = 0;
        let error = format!("{:#}", settings.validate().expect_err("invalid"));
        assert!(error.contains("TRACUU_KIOSK__BUDGET_MULTIPLIER"), "{error}");
    }
}

#[cfg(test)]
mod example_file_tests {
    use super::*;

    #[test]
    fn the_example_settings_file_loads() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/tracuu.example.toml");
        let settings = Settings::load(Some(path)).expect("the example file is valid");
        assert_eq!(settings.qr.retired_key_grace_days, 365);
        assert!(settings.qr.uppercase_host);
        assert_eq!(settings.intake.handle_days, 15);
        assert!(settings.staff.cookie_secure);
        assert_eq!(settings.staff.free_failed_logins, 5);
        assert_eq!(settings.staff.username_delay_secs, 1);
    }

    #[test]
    fn the_former_lockout_settings_still_load_under_their_new_names() {
        let dir = std::env::temp_dir().join(format!("tracuu-staff-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("old.toml");
        std::fs::write(
            &path,
            "[staff]\nmax_failed_logins = 3\nlockout_minutes = 30\n",
        )
        .expect("write");
        let settings = Settings::load(Some(path)).expect("old names load");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(settings.staff.free_failed_logins, 3);
        assert_eq!(settings.staff.max_login_delay_minutes, 30);
    }

    #[test]
    fn the_example_file_loads_with_its_sms_section() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/tracuu.example.toml");
        let settings = Settings::load(Some(path)).expect("example settings");
        assert_eq!(settings.sms.short_code, "8088");
        assert!(settings.sms.keywords.lookup.iter().any(|k| k == "HS"));
        assert_eq!(settings.sms.allowed_addresses.len(), 2);
        settings.sms.quiet_hours().expect("quiet hours");
    }

    #[test]
    fn the_example_file_names_the_retention_periods_and_bad_ones_are_refused() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/tracuu.example.toml");
        let settings = Settings::load(Some(path)).expect("example settings");
        assert_eq!(settings.retention.sms_inbound_days, 180);
        assert_eq!(settings.retention.audit_days, 1825);
        let mut settings = Settings::default();
        settings.retention.sms_inbound_days = 3;
        let error = format!("{:#}", settings.validate().expect_err("too short"));
        assert!(
            error.contains("TRACUU_RETENTION__SMS_INBOUND_DAYS"),
            "{error}"
        );
        let mut settings = Settings::default();
        settings.retention.intake_contact_days = 2000;
        let error = format!("{:#}", settings.validate().expect_err("audit shorter"));
        assert!(error.contains("TRACUU_RETENTION__AUDIT_DAYS"), "{error}");
    }

    #[test]
    fn bad_sms_settings_are_refused_with_their_name() {
        let mut settings = Settings::default();
        settings.sms.quiet_hours_start = "25:00".into();
        let error = format!("{:#}", settings.validate().expect_err("invalid"));
        assert!(error.contains("TRACUU_SMS__QUIET_HOURS_START"), "{error}");
        let mut settings = Settings::default();
        settings.sms.sendsms_url = Some("ftp://x".into());
        let error = format!("{:#}", settings.validate().expect_err("invalid"));
        assert!(error.contains("TRACUU_SMS__SENDSMS_URL"), "{error}");
    }

    #[test]
    fn the_first_wrong_section_in_check_order_is_the_one_reported() {
        assert!(
            Settings::default().validate().is_ok(),
            "the defaults are valid"
        );
        let mut settings = Settings::default();
        settings.hotline.max_digit_attempts = 0;
        settings.database.pool_size = 0;
        let error = format!("{:#}", settings.validate().expect_err("invalid"));
        assert!(
            error.contains("TRACUU_DATABASE__POOL_SIZE"),
            "the database is checked before the hotline: {error}"
        );
        settings.database = DatabaseSettings::default();
        let error = format!("{:#}", settings.validate().expect_err("invalid"));
        assert!(
            error.contains("TRACUU_HOTLINE__MAX_DIGIT_ATTEMPTS"),
            "{error}"
        );
    }
}

#[cfg(test)]
mod secret_file_tests {
    use super::*;
    use secrecy::ExposeSecret;

    /// A directory of its own for one test's files, removed afterwards.
    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir()
                .join(format!("tracuu-secret-files-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            Self(dir)
        }

        fn file(&self, name: &str, content: &str) -> String {
            let path = self.0.join(name);
            std::fs::write(&path, content).expect("write");
            path.display().to_string()
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn env(pairs: &[(&str, &str)]) -> Environment {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn secrets_come_from_the_files_their_file_variables_name() {
        let dir = Dir::new("read");
        let env = env(&[
            (
                "TRACUU_DATABASE__URL_FILE",
                &dir.file("db", "postgres://tracuu:pw@db.example/tracuu\n"),
            ),
            (
                "TRACUU_SYNC__SECRETS_FILE",
                &dir.file("sync", "first-sync-secret\r\n\nsecond,with-comma\n"),
            ),
            (
                "TRACUU_SMS__INBOUND_SECRET_FILE",
                &dir.file("sms", "kannel-secret-0123456789"),
            ),
            (
                "TRACUU_QR__KEYS_FILE",
                &dir.file("qr", "A:qr-secret-from-a-file-01\n"),
            ),
            (
                "TRACUU_KIOSK__KEYS_FILE",
                &dir.file("kiosk", "K1:kiosk-secret-0123456789\n"),
            ),
            (
                "TRACUU_SMS__SENDSMS_PASSWORD_FILE",
                &dir.file("sendsms", "pw\n\n"),
            ),
        ]);
        let settings = Settings::load_from(None, env).expect("loads");
        let url = settings.database.url.expect("url");
        assert_eq!(
            url.expose_secret(),
            "postgres://tracuu:pw@db.example/tracuu"
        );
        let secrets: Vec<&str> = settings
            .sync
            .secrets
            .iter()
            .map(|s| s.expose_secret())
            .collect();
        assert_eq!(secrets, ["first-sync-secret", "second,with-comma"]);
        assert_eq!(
            settings.sms.inbound_secret.expect("sms").expose_secret(),
            "kannel-secret-0123456789"
        );
        assert_eq!(settings.qr.keyring().expect("keys").current_id(), 'A');
        assert_eq!(settings.kiosk.key_table().expect("kiosk").len(), 1);
        assert_eq!(
            settings.sms.sendsms_password.expect("pw").expose_secret(),
            "pw\n",
            "only the last newline is trimmed"
        );
    }

    #[test]
    fn the_settings_file_and_log_format_variables_are_not_settings() {
        let dir = Dir::new("config");
        let path = dir.file("tracuu.toml", "[intake]\nhandle_days = 9\n");
        let env = env(&[
            ("TRACUU_CONFIG", &path),
            ("TRACUU_LOG_FORMAT", "json"),
            ("TRACUU_HTTP__PORT", "9123"),
        ]);
        let settings = Settings::load_from(None, env).expect("loads");
        assert_eq!(settings.http.port, 9123);
        assert_eq!(settings.intake.handle_days, 9, "the file was read");
    }

    #[test]
    fn database_url_file_works_like_database_url() {
        let dir = Dir::new("dburl");
        let file = dir.file("db", "host=/run/postgresql dbname=tracuu\n");
        let settings =
            Settings::load_from(None, env(&[("DATABASE_URL_FILE", &file)])).expect("loads");
        assert_eq!(
            settings.database.url.expect("url").expose_secret(),
            "host=/run/postgresql dbname=tracuu"
        );
    }

    #[test]
    fn bad_secret_files_are_refused_naming_the_variable_never_the_secret() {
        let dir = Dir::new("bad");
        let secret = dir.file("secret", "a-secret-0123456789\n");
        let empty = dir.file("empty", "\n");
        let missing = dir.0.join("missing").display().to_string();
        for (pairs, expected) in [
            (
                vec![("TRACUU_SMS__INBOUND_SECRET_FILE", missing.as_str())],
                "TRACUU_SMS__INBOUND_SECRET_FILE: cannot read",
            ),
            (
                vec![("TRACUU_SYNC__SECRETS_FILE", empty.as_str())],
                "TRACUU_SYNC__SECRETS_FILE: the file",
            ),
            (
                vec![("TRACUU_QR__KEYS_FILE", "")],
                "TRACUU_QR__KEYS_FILE is empty",
            ),
            (
                vec![
                    ("TRACUU_SMS__INBOUND_SECRET", "inline-secret-0123456789"),
                    ("TRACUU_SMS__INBOUND_SECRET_FILE", secret.as_str()),
                ],
                "set TRACUU_SMS__INBOUND_SECRET or TRACUU_SMS__INBOUND_SECRET_FILE, not both",
            ),
        ] {
            let error = format!(
                "{:#}",
                Settings::load_from(None, env(&pairs)).expect_err("refused")
            );
            assert!(error.contains(expected), "{expected}: {error}");
            assert!(!error.contains("0123456789"), "secret shown: {error}");
        }
    }
}

#[cfg(test)]
mod production_tests {
    use super::*;

    /// Settings a production installation gives: every item production mode asks for.
    fn complete() -> Settings {
        let mut settings = Settings::default();
        settings.deployment.mode = DeploymentMode::Production;
        settings.database.url = Some(SecretString::from("host=db.internal dbname=tracuu"));
        settings.qr.keys = vec![SecretString::from("A:own-qr-secret-0123456789")];
        settings.province.public_base_url = "https://tracuu.quangngai.gov.vn".into();
        settings.province.name = "Tỉnh Quảng Ngãi".into();
        settings.sync.secrets = vec![SecretString::from("own-sync-secret-0123456789")];
        settings.http.trusted_proxies = vec![IpAddr::from([127, 0, 0, 1])];
        settings
    }

    #[test]
    fn development_refuses_nothing() {
        assert!(Settings::default().production_problems().is_empty());
        assert!(Settings::default().check_deployment().is_ok());
    }

    #[test]
    fn production_starts_when_every_item_is_given() {
        let settings = complete();
        assert_eq!(settings.production_problems(), Vec::<String>::new());
        settings.validate().expect("valid");
        settings.check_deployment().expect("complete");
    }

    #[test]
    fn production_refuses_each_missing_item_naming_its_setting() {
        type Change = fn(&mut Settings);
        let cases: [(Change, &str, &str); 13] = [
            (
                |s| s.database.url = None,
                "database.url",
                "TRACUU_DATABASE__URL",
            ),
            (
                |s| s.demo.load_on_first_run = Some(true),
                "demo.load_on_first_run",
                "TRACUU_DEMO__LOAD_ON_FIRST_RUN",
            ),
            (|s| s.qr.keys.clear(), "qr.keys", "TRACUU_QR__KEYS"),
            (
                |s| s.qr.keys = vec![SecretString::from(DEMO_QR_KEY.replacen('D', "B", 1))],
                "qr.keys",
                "demo key",
            ),
            (
                |s| s.province.public_base_url = "http://tracuu.quangngai.gov.vn".into(),
                "province.public_base_url",
                "TRACUU_PROVINCE__PUBLIC_BASE_URL",
            ),
            (
                |s| s.qr.public_base_url = Some("https://127.0.0.1:8080".into()),
                "qr.public_base_url",
                "TRACUU_QR__PUBLIC_BASE_URL",
            ),
            (
                |s| s.province.name = ProvinceSettings::default().name,
                "province.name",
                "TRACUU_PROVINCE__NAME",
            ),
            (
                |s| s.sms.dlr_base_url = Some("http://127.0.0.1:8080".into()),
                "sms.inbound_secret",
                "TRACUU_SMS__INBOUND_SECRET",
            ),
            (
                |s| {
                    s.sms.sendsms_url = Some("http://127.0.0.1:13013/cgi-bin/sendsms".into());
                    s.sms.inbound_secret = Some(SecretString::from("kannel-secret-0123456789"));
                },
                "sms.sendsms_password",
                "TRACUU_SMS__SENDSMS_PASSWORD",
            ),
            (
                |s| s.sync.secrets.clear(),
                "sync.secrets",
                "TRACUU_SYNC__SECRETS",
            ),
            (
                |s| s.staff.cookie_secure = false,
                "staff.cookie_secure",
                "TRACUU_STAFF__COOKIE_SECURE",
            ),
            (
                |s| s.http.trusted_proxies.clear(),
                "http.trusted_proxies",
                "TRACUU_HTTP__TRUSTED_PROXIES",
            ),
            (
                |s| s.rate_limit.enabled = false,
                "rate_limit.enabled",
                "TRACUU_RATE_LIMIT__ENABLED",
            ),
        ];
        for (change, setting, words) in cases {
            let mut settings = complete();
            change(&mut settings);
            let problems = settings.production_problems();
            assert_eq!(problems.len(), 1, "{setting}: {problems:?}");
            assert!(problems[0].starts_with(setting), "{problems:?}");
            assert!(problems[0].contains(words), "{problems:?}");
            let error = format!("{:#}", settings.check_deployment().expect_err("refused"));
            assert_eq!(error.lines().count(), 2, "{error}");
            assert!(error.contains("TRACUU_DEPLOYMENT__MODE"), "{error}");
        }
    }

    #[test]
    fn a_pulling_installation_needs_no_push_secret_and_sms_off_needs_no_sms_secret() {
        let mut settings = complete();
        settings.sync.secrets.clear();
        settings.sync.pull.source_url = Some(SecretString::from("host=main.internal"));
        assert!(settings.production_problems().is_empty());
        assert!(settings.sms.inbound_secret.is_none() && !settings.sms.is_on());
    }

    #[test]
    fn an_empty_production_environment_lists_every_item_one_line_each() {
        let env: Environment = [("TRACUU_DEPLOYMENT__MODE", "production")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let error = format!("{:#}", Settings::load_from(None, env).expect_err("refused"));
        let items: Vec<&str> = error.lines().skip(1).collect();
        for setting in [
            "database.url",
            "qr.keys",
            "province.public_base_url",
            "province.name",
            "sync.secrets",
            "http.trusted_proxies",
        ] {
            assert_eq!(
                items
                    .iter()
                    .filter(|line| line
                        .trim_start()
                        .trim_start_matches("- ")
                        .starts_with(setting))
                    .count(),
                1,
                "{setting}: {error}"
            );
        }
        assert_eq!(items.len(), 6, "{error}");
        assert!(error.contains("6 setting(s)"), "{error}");
    }

    #[test]
    fn public_https_addresses_are_told_from_local_ones() {
        assert!(is_public_https("https://tracuu.quangngai.gov.vn/"));
        assert!(is_public_https("https://203.0.113.7:8443/tra-cuu"));
        for url in [
            "http://tracuu.quangngai.gov.vn",
            "https://127.0.0.1:8080",
            "https://localhost",
            "https://[::1]:443/",
            "https://",
        ] {
            assert!(!is_public_https(url), "{url}");
        }
    }
}
