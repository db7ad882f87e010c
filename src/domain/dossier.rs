//! A dossier (hồ sơ) as tracuu holds it: the one type the feed validates snapshots into, the read
//! model stores and reads back, `sync verify` compares, and the demo province generates. Only
//! parsed, cleaned values; the wire format a snapshot is validated from belongs to the feed.

use chrono::{DateTime, Utc};

use super::{AgencyCode, Channel, DossierCode, PhoneNumber, ProcedureCode, Status};

/// One dossier with its timeline. Contains personal data (the applicant's name and phone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dossier {
    /// The canonical code, e.g. `000.00.53.H48-220921-0099`.
    pub code: DossierCode,
    /// Monotonic per dossier in the main store: a version not newer than the stored one is stale.
    pub version: i64,
    /// The procedure as the main store named it (national or local form; the read model keeps
    /// its national part).
    pub procedure_code: ProcedureCode,
    /// The agency whose desk received the dossier.
    pub receiving_agency_code: AgencyCode,
    /// The agency that settles it.
    pub handling_agency_code: AgencyCode,
    /// How it was submitted.
    pub channel: Channel,
    /// The current national status.
    pub status: Status,
    /// The applicant, a person or an organisation.
    pub applicant_name: String,
    /// The applicant's phone, when known.
    pub applicant_phone: Option<PhoneNumber>,
    /// First contact: submission or arrival at the desk.
    pub received_at: DateTime<Utc>,
    /// Appointment for the result, once accepted.
    pub due_at: Option<DateTime<Utc>>,
    /// Result ready, or the time processing stopped.
    pub finished_at: Option<DateTime<Utc>>,
    /// Result handed over.
    pub returned_at: Option<DateTime<Utc>>,
    /// Supplement requests so far.
    pub supplement_count: i32,
    /// The latest supplement request.
    pub supplement_requested_at: Option<DateTime<Utc>>,
    /// Seconds spent waiting for supplements that were delivered (not counted against the
    /// deadline).
    pub supplement_seconds: i64,
    /// What must be supplemented, while the dossier waits for it.
    pub supplement_request: Option<String>,
    /// The fees or taxes due, in đồng, while the dossier waits for payment (status 6), when the
    /// main store sends them.
    pub fee_amount_vnd: Option<i64>,
    /// Where and how to pay them ("Chi cục Thuế khu vực ..., hoặc nộp trực tuyến ...").
    pub fee_payment_place: Option<String>,
    /// By when the citizen must supplement or pay (statuses 5 and 6), when the main store sends it.
    pub citizen_due_at: Option<DateTime<Utc>>,
    /// When the main store last changed this dossier (drives the sync-lag figures).
    pub source_updated_at: DateTime<Utc>,
    /// The timeline, oldest first.
    pub events: Vec<DossierEvent>,
}

/// One step of a dossier's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierEvent {
    /// When the step happened.
    pub at: DateTime<Utc>,
    /// The national status after the step.
    pub status: Status,
    /// What happened, e.g. "Tiếp nhận hồ sơ".
    pub step: String,
    /// Where it happened (`None` for steps of the portal or the post).
    pub agency_code: Option<AgencyCode>,
    /// A public note; never names an officer.
    pub note: Option<String>,
}
