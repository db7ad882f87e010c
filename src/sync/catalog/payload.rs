//! The catalog entries as the main store sends them (push) or as the CSV import maps its rows:
//! serde types that refuse unknown fields, so a misspelt field is an error, not lost data.

use serde::Deserialize;

/// One agency as sent. Unknown fields are refused so a misspelt field is an error, not lost data.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyPayload {
    pub code: String,
    /// The parent agency: stored already, or in the same batch.
    #[serde(default)]
    pub parent_code: Option<String>,
    /// Its level: a code of `agency_levels` (`province`, `department`, `commune`, `ward`,
    /// `special_zone`, the historical `district`, ...).
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub desk_address: Option<String>,
    #[serde(default)]
    pub desk_phone: Option<String>,
    #[serde(default)]
    pub desk_hours: Option<String>,
    /// Monotonic per agency; not newer than the stored version means stale.
    pub version: i64,
    /// First day it received dossiers, `YYYY-MM-DD`.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// First day it no longer received dossiers, `YYYY-MM-DD` (after `valid_from`).
    #[serde(default)]
    pub valid_until: Option<String>,
    /// The agencies that took over from it (stored, or in the same batch). Absent: the stored
    /// list is kept; `[]` clears it.
    #[serde(default)]
    pub successors: Option<Vec<String>>,
}

/// One procedure as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcedurePayload {
    /// National code `N.NNNNNN` (the catalog holds national procedures; dossiers sent with a local
    /// code are matched on its national part).
    pub code: String,
    pub name: String,
    /// Lĩnh vực, e.g. "Hộ tịch".
    pub field: String,
    /// Legal processing time, 0–365 days (0: same day).
    pub processing_days: i64,
    #[serde(default)]
    pub fee_vnd: Option<i64>,
    #[serde(default)]
    pub fee_note: Option<String>,
    /// `full`, `partial` or `none` (dịch vụ công trực tuyến toàn trình, một phần, không).
    pub online_level: String,
    /// Monotonic per procedure; not newer than the stored version means stale.
    pub version: i64,
    /// Level that settles it: a code of `agency_levels` (`department`, `commune`; `district`
    /// for procedures of before the 2025 reform).
    #[serde(default)]
    pub level: Option<String>,
    /// For a department-level procedure: the department that settles it.
    #[serde(default)]
    pub agency_code: Option<String>,
    /// For a department-level procedure: the desk that receives it (the department's own or the
    /// provincial service centre).
    #[serde(default)]
    pub desk_agency_code: Option<String>,
    /// The documents of its dossier, in order. Absent: the stored list is kept; `[]` clears it.
    #[serde(default)]
    pub documents: Option<Vec<DocumentPayload>>,
}

/// One document of a procedure's dossier (thành phần hồ sơ).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentPayload {
    pub name: String,
    /// Copies to file, 1–20 (default 1).
    #[serde(default = "one_copy")]
    pub copies: i64,
}

fn one_copy() -> i64 {
    1
}
