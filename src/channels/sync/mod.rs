//! The feed's HTTP channel: the push API the main dossier store calls, `POST /sync/v1/dossiers`,
//! `/sync/v1/agencies` and `/sync/v1/procedures`, each signed (see [`crate::sync::auth`]) with a
//! JSON array or NDJSON body. The handlers read the body with a hard limit, authenticate it, split
//! it into items and hand them to the [`SyncService`]; what a batch does is the sync service's.

mod catalog;
mod push;

use std::sync::Arc;

use actix_web::web;

use crate::config::SyncSettings;
use crate::sync::auth::Verifier;
use crate::sync::service::SyncService;

/// The document's part for the signed pushes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(push::push_dossiers, catalog::push_agencies, catalog::push_procedures),
    components(schemas(
        crate::sync::snapshot::DossierPayload,
        crate::sync::snapshot::EventPayload,
        crate::sync::catalog::AgencyPayload,
        crate::sync::catalog::ProcedurePayload,
        crate::sync::catalog::DocumentPayload,
        crate::sync::service::BatchReport,
        crate::sync::service::ItemReport,
        crate::sync::service::StaleItem,
        push::PushAnswer,
        push::AlreadyApplied,
        push::Repeat,
    ))
)]
pub struct Api;

/// What the push handlers share.
pub struct PushState {
    /// Applies the batches.
    pub sync: Arc<SyncService>,
    /// Checks the signatures.
    pub verifier: Verifier,
    /// The body and batch limits.
    pub settings: SyncSettings,
    /// Bodies being read before their signature could be checked: bounded, so that unsigned
    /// requests cannot fill the memory.
    pub unverified_bodies: Arc<tokio::sync::Semaphore>,
}

/// Registers `/sync/v1/...`: dossiers in `push.rs`, agencies and procedures in `catalog.rs`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/sync/v1/dossiers")
            .route(web::post().to(push::push_dossiers))
            .default_service(web::to(crate::http::method_not_allowed)),
    );
    cfg.service(
        web::resource("/sync/v1/agencies")
            .route(web::post().to(catalog::push_agencies))
            .default_service(web::to(crate::http::method_not_allowed)),
    );
    cfg.service(
        web::resource("/sync/v1/procedures")
            .route(web::post().to(catalog::push_procedures))
            .default_service(web::to(crate::http::method_not_allowed)),
    );
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi as _;

    /// The `security(...)` of the handlers names the schemes by their strings: they must be the
    /// ones the document declares, together in one requirement.
    #[test]
    fn every_push_requires_the_signature_and_its_time_together() {
        use crate::http::openapi::{SECURITY_SYNC, SECURITY_SYNC_TIME};
        let doc = serde_json::to_value(super::Api::openapi()).expect("the part serializes");
        let paths = doc["paths"].as_object().expect("paths");
        assert_eq!(paths.len(), 3, "{:?}", paths.keys());
        for (path, item) in paths {
            let operation = &item["post"];
            assert_eq!(
                operation["security"],
                serde_json::json!([{ SECURITY_SYNC: [], SECURITY_SYNC_TIME: [] }]),
                "{path}"
            );
            for status in ["200", "400", "401", "403", "404", "413", "503"] {
                assert!(
                    operation["responses"][status].is_object(),
                    "{path}: no {status}"
                );
            }
        }
    }
}
