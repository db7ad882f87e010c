//! The API's contract: the OpenAPI document at `/api/openapi.json` (assembled at start by
//! `crate::openapi` and handed here as [`ApiDocument`]) and the docs page at `/api/docs`, which
//! renders it with the vendored Swagger UI (`api-docs-ui/`, embedded in the binary): no file
//! comes from elsewhere, so the page works on an intranet with no internet.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::http::openapi::{ApiDocument, TAG_DOCS};
use crate::http::{method_not_allowed, not_found, AppState};

/// One embedded file of the docs page.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// The docs page's files under `/api/docs/` (the page itself is `/api/docs`).
const ASSETS: &[Asset] = &[
    Asset {
        name: "swagger-ui-bundle.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../api-docs-ui/vendor/swagger-ui-bundle.js"),
    },
    Asset {
        name: "swagger-ui.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../../api-docs-ui/vendor/swagger-ui.css"),
    },
    Asset {
        name: "docs.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../api-docs-ui/docs.js"),
    },
    Asset {
        name: "docs.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../../api-docs-ui/docs.css"),
    },
];

const PAGE: &[u8] = include_bytes!("../../../api-docs-ui/index.html");

/// Swagger UI sets inline styles on the elements it draws; scripts, styles and the document all
/// come from this origin.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                   script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/// The document's part for these two endpoints.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get_api_document, show_api_docs))]
pub struct Api;

/// Registers `/api/openapi.json`, `/api/docs` and the page's files.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/openapi.json")
            .route(web::get().to(get_api_document))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/api/docs")
            .route(web::get().to(show_api_docs))
            .default_service(web::to(method_not_allowed)),
    )
    .route("/api/docs/{file}", web::get().to(serve_asset));
}

/// The API document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "get_api_document",
    tag = TAG_DOCS,
    summary = "Tài liệu OpenAPI 3.1 của API / The API's OpenAPI 3.1 document",
    responses(
        (status = 200, description = "Tài liệu này. / This document.", content_type = "application/json", body = Object),
    )
)]
pub async fn get_api_document(document: web::Data<ApiDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .content_type("application/json")
        .body(document.json.clone())
}

/// The docs page.
#[utoipa::path(
    get,
    path = "/api/docs",
    operation_id = "show_api_docs",
    tag = TAG_DOCS,
    summary = "Trang tài liệu API cho người đọc / The API docs page for people",
    responses(
        (status = 200, description = "Trang HTML hiển thị tài liệu, không cần Internet. / An HTML page rendering the document, with no internet.", content_type = "text/html", body = String),
    )
)]
pub async fn show_api_docs() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header(("x-content-type-options", "nosniff"))
        .content_type("text/html; charset=utf-8")
        .body(PAGE)
}

async fn serve_asset(
    req: HttpRequest,
    file: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Some(asset) = ASSETS.iter().find(|a| a.name == file.as_str()) else {
        return not_found(req, state).await;
    };
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header(("x-content-type-options", "nosniff"))
        .content_type(asset.content_type)
        .body(asset.bytes)
}
