//! The operators' console.

use actix_web::web;

/// Registers the console routes.
pub fn configure(_cfg: &mut web::ServiceConfig) {}
