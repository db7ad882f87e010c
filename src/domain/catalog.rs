//! The catalog a dossier names: agencies (with their one-stop desk) and administrative
//! procedures, in their validated form, with the two closed vocabularies they use (the level of an
//! agency, how much of a procedure can be done online).

use super::{AgencyCode, ProcedureCode};

/// The level of an agency in the province's hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgencyKind {
    Province,
    Department,
    District,
    Commune,
}

impl AgencyKind {
    /// Parses the stored spelling (trimmed, any ASCII case).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "province" => Some(Self::Province),
            "department" => Some(Self::Department),
            "district" => Some(Self::District),
            "commune" => Some(Self::Commune),
            _ => None,
        }
    }

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Department => "department",
            Self::District => "district",
            Self::Commune => "commune",
        }
    }
}

/// How much of a procedure can be done online.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnlineLevel {
    Full,
    Partial,
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

/// An agency that passed every check that needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAgency {
    pub code: AgencyCode,
    pub parent_code: Option<AgencyCode>,
    pub kind: AgencyKind,
    pub name: String,
    pub desk_address: Option<String>,
    pub desk_phone: Option<String>,
    pub desk_hours: Option<String>,
    pub version: i64,
}

/// A procedure that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProcedure {
    pub code: ProcedureCode,
    pub name: String,
    pub field: String,
    pub processing_days: i32,
    pub fee_vnd: Option<i64>,
    pub fee_note: Option<String>,
    pub online_level: OnlineLevel,
    pub version: i64,
    /// `department`, `district` or `commune`, when the feed says.
    pub level: Option<&'static str>,
    pub agency_code: Option<AgencyCode>,
    pub desk_agency_code: Option<AgencyCode>,
    /// `None`: keep the stored documents; `Some`: replace them (name, copies).
    pub documents: Option<Vec<(String, i32)>>,
}
