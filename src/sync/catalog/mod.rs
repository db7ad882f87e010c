//! The catalog part of the feed: agencies and procedures as the main store pushes them (the sync
//! channel's `POST /sync/v1/agencies` and `POST /sync/v1/procedures`, same signature, replay
//! protection, body formats and limits as dossiers) or as `tracuu import` reads them from CSV. Both
//! paths share the payload types, their validation and [`apply_agency_batch`] /
//! [`apply_procedure_batch`], so they accept and refuse exactly the same things. The version rule
//! is the dossiers' one: an item whose version is not newer than the stored one is stale and
//! changes nothing. A change drops the stored views of the dossiers that show the changed entry
//! (in the same transaction), refreshes the ones this instance has cached, and tells other
//! instances through the same `NOTIFY` as dossier changes.
//!
//! One file per job: `payload` (the wire types), `validate` (limits and checks), `plan` (what of
//! a batch applies; no I/O) and `apply` (the transactions and the cache refresh).

mod apply;
mod payload;
mod plan;
mod validate;

pub use apply::{
    apply_agencies_in, apply_agency_batch, apply_procedure_batch, forget_agency_views,
    CatalogOutcome,
};
pub use payload::{AgencyPayload, DocumentPayload, ProcedurePayload};
pub use plan::CatalogEntry;
pub use validate::{
    check, lifecycle, parse_items, CatalogPayload, CheckedItem, Lifecycle, LifecycleError,
    MAX_ADDRESS_CHARS, MAX_AGENCY_NAME_CHARS, MAX_DOCUMENTS, MAX_DOCUMENT_NAME_CHARS,
    MAX_FEE_NOTE_CHARS, MAX_FIELD_CHARS, MAX_HOURS_CHARS, MAX_PHONE_CHARS,
    MAX_PROCEDURE_NAME_CHARS, MAX_PROCESSING_DAYS,
};

/// Payloads shared by the tests of the catalog's parts.
#[cfg(test)]
mod testing {
    use super::{AgencyPayload, CatalogPayload};
    use crate::domain::Agency;

    pub(super) fn agency(code: &str, parent: Option<&str>, version: i64) -> AgencyPayload {
        AgencyPayload {
            code: code.into(),
            parent_code: parent.map(Into::into),
            kind: "commune".into(),
            name: format!("Ủy ban nhân dân xã {code}"),
            version,
            ..AgencyPayload::default()
        }
    }

    pub(super) fn valid(payload: AgencyPayload) -> Agency {
        payload.validate().expect("valid agency")
    }
}
