//! The catalog a dossier names: agencies (with their one-stop desk) and administrative
//! procedures, in their validated form, with the level of an agency (a code of the levels table)
//! and the closed vocabulary of how much of a procedure can be done online.

use chrono::NaiveDate;

use super::{AgencyCode, ProcedureCode};

/// The level of an agency (`province`, `department`, `commune`, `ward`, `special_zone`, the
/// historical `district`, ...): a code of the `agency_levels` table, so that levels are data and
/// a new one is a row. Here only its shape is checked; whether the level exists is the catalog's
/// check against that table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyKind(String);

impl AgencyKind {
    /// Parses a level code: trimmed, lower-cased, 1–30 of `a-z` and `_`.
    pub fn parse(raw: &str) -> Option<Self> {
        let code = raw.trim().to_ascii_lowercase();
        let valid = (1..=30).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        valid.then_some(Self(code))
    }

    /// The stored spelling.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How much of a procedure can be done online.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnlineLevel {
    /// Entirely online (toàn trình).
    Full,
    /// Partly online (một phần).
    Partial,
    /// Not online.
    None,
}

impl OnlineLevel {
    /// Parses the stored spelling (trimmed, any ASCII case).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "full" => Some(Self::Full),
            "partial" => Some(Self::Partial),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Partial => "partial",
            Self::None => "none",
        }
    }
}

/// An agency (cơ quan) of the catalog with its one-stop desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// Its code (QĐ 20/2020/QĐ-TTg).
    pub code: AgencyCode,
    /// The parent agency; `None` at the top of the hierarchy.
    pub parent_code: Option<AgencyCode>,
    /// Its level in the hierarchy.
    pub kind: AgencyKind,
    /// Full name.
    pub name: String,
    /// Street address of the one-stop desk.
    pub desk_address: Option<String>,
    /// Phone of the desk (free text: may list several numbers).
    pub desk_phone: Option<String>,
    /// Opening hours of the desk.
    pub desk_hours: Option<String>,
    /// Monotonic per agency in the main store: not newer than the stored version means stale.
    pub version: i64,
    /// First day it received dossiers, when known.
    pub valid_from: Option<NaiveDate>,
    /// First day it no longer received dossiers (closed from that day); `None` while open.
    pub valid_until: Option<NaiveDate>,
    /// Who took over from it. `None`: keep the stored successors; `Some`: replace them.
    pub successors: Option<Vec<AgencyCode>>,
}

/// An administrative procedure (thủ tục hành chính) of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    /// Its national code `N.NNNNNN`.
    pub code: ProcedureCode,
    /// Official name.
    pub name: String,
    /// Lĩnh vực, e.g. "Hộ tịch".
    pub field: String,
    /// Legal processing time in working days (0: same day).
    pub processing_days: i32,
    /// Fee in VND: `Some(0)` free, `None` when it varies (see `fee_note`).
    pub fee_vnd: Option<i64>,
    /// How the fee is charged.
    pub fee_note: Option<String>,
    /// How much of it can be done online.
    pub online_level: OnlineLevel,
    /// Monotonic per procedure in the main store: not newer than the stored version means stale.
    pub version: i64,
    /// The level that settles it (a code of `agency_levels`: `department`, `commune`, the
    /// historical `district`, ...), when the feed says.
    pub level: Option<AgencyKind>,
    /// For a department-level procedure: the department that settles it.
    pub agency_code: Option<AgencyCode>,
    /// For a department-level procedure: the desk that receives it.
    pub desk_agency_code: Option<AgencyCode>,
    /// `None`: keep the stored documents; `Some`: replace them (name, copies).
    pub documents: Option<Vec<(String, i32)>>,
}
