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
