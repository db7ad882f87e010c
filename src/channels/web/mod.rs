//! The web channel: the JSON API, the server-rendered lookup page, the procedure page a phone opens
//! from the kiosk's QR code, and the health and metrics endpoints.

pub mod api;
pub mod docs;
pub mod health;
pub mod pages;
pub mod procedure;

use actix_web::web;

/// Registers the lookup page and the health checks (the JSON API, `api::configure`, is registered
/// first, on its own; `/metrics`, `health::configure_metrics`, among the operator endpoints).
pub fn configure(cfg: &mut web::ServiceConfig) {
    pages::configure(cfg);
    docs::configure(cfg);
    procedure::configure(cfg);
    health::configure(cfg);
}
