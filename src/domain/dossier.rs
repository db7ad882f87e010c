//! A dossier as the read model holds it: the validated form of a snapshot from the main dossier
//! store, with its timeline. Only parsed, cleaned values; the wire format it is validated from
//! lives with the feed.

use chrono::{DateTime, Utc};

use super::{AgencyCode, Channel, DossierCode, PhoneNumber, ProcedureCode, Status};

/// A snapshot that passed every check: only parsed, cleaned values.
#[derive(Debug, Clone)]
pub struct ValidDossier {
    pub code: DossierCode,
    pub version: i64,
    pub procedure_code: ProcedureCode,
    pub receiving_agency_code: AgencyCode,
    pub handling_agency_code: AgencyCode,
    pub channel: Channel,
    pub status: Status,
    pub applicant_name: String,
    pub applicant_phone: Option<PhoneNumber>,
    pub received_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub supplement_count: i32,
    pub supplement_requested_at: Option<DateTime<Utc>>,
    pub supplement_seconds: i64,
    pub supplement_request: Option<String>,
    pub source_updated_at: DateTime<Utc>,
    pub events: Vec<ValidEvent>,
}

/// A validated timeline step.
#[derive(Debug, Clone)]
pub struct ValidEvent {
    pub at: DateTime<Utc>,
    pub status: Status,
    pub step: String,
    pub agency_code: Option<AgencyCode>,
    pub note: Option<String>,
}
