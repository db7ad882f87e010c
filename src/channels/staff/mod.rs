//! The staff console (server-rendered): login behind per-address and per-username limits, logout,
//! the inbox with filters, the item page with its history and actions, publication with a preview
//! of what is masked, and the administrator's pages (staff accounts, routing rules, the working
//! calendar, the audit log). Every form carries the session's CSRF token; an agency officer only ever reaches their
//! own agency's items (the scope goes into every query, so another agency's item is "not found",
//! by list, by direct URL and by action). One file per screen; this module registers their routes.

pub mod accounts;
pub mod audit;
pub mod calendar;
pub mod inbox;
pub mod item;
pub mod login;
pub mod routes;

use actix_web::web;

use crate::http::method_not_allowed;

/// Registers the console routes under `/can-bo`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/can-bo/dang-nhap")
            .route(web::get().to(login::show_login_form))
            .route(web::post().to(login::log_in))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/can-bo/dang-xuat")
            .route(web::post().to(login::log_out))
            .default_service(web::to(method_not_allowed)),
    )
    .route("/can-bo", web::get().to(inbox::show_inbox))
    .route("/can-bo/muc/{code}", web::get().to(item::show_item))
    .service(
        web::resource("/can-bo/muc/{code}/{action}")
            .route(web::post().to(item::act_on_item))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/can-bo/tai-khoan")
            .route(web::get().to(accounts::show_accounts))
            .route(web::post().to(accounts::create_account))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/can-bo/tai-khoan/{id}")
            .route(web::post().to(accounts::update_account))
            .default_service(web::to(method_not_allowed)),
    )
    .configure(audit::configure)
    .configure(calendar::configure)
    .service(
        web::resource("/can-bo/dinh-tuyen")
            .route(web::get().to(routes::show_routes))
            .route(web::post().to(routes::upsert_route))
            .default_service(web::to(method_not_allowed)),
    );
}
