//! The kiosk app's static files (`kiosk-ui/`), embedded in the binary at compile time so a
//! deployment is one file, served under `/kiosk/` with their content types, an `ETag`, and
//! caching that lets a kiosk revalidate cheaply: the page itself is revalidated on every load
//! (`no-cache`), scripts and styles are kept for five minutes, then revalidated.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::http::{not_found, AppState};

/// One embedded file: name under `/kiosk/`, content type, bytes.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

/// Every file of `kiosk-ui/` (a test checks that none is missing from this list).
pub const ASSETS: &[Asset] = &[
    Asset {
        name: "index.html",
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../../../kiosk-ui/index.html"),
    },
    Asset {
        name: "kiosk.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../../kiosk-ui/kiosk.css"),
    },
    Asset {
        name: "kiosk.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../kiosk-ui/kiosk.js"),
    },
    Asset {
        name: "icons.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../kiosk-ui/icons.js"),
    },
    Asset {
        name: "telex.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../kiosk-ui/telex.js"),
    },
    Asset {
        name: "keyboard.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../kiosk-ui/keyboard.js"),
    },
    Asset {
        name: "i18n.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../kiosk-ui/i18n.js"),
    },
];

/// Registers `/kiosk`, `/kiosk/` and `/kiosk/{file}`. The files are compressed for clients that
/// accept it (gzip, brotli or zstd: a kiosk's first load is about a third of the bytes).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/kiosk", web::get().to(redirect_to_slash))
        .service(
            web::scope("/kiosk")
                .wrap(actix_web::middleware::Compress::default())
                .route("/", web::get().to(serve_index))
                .route("/{file}", web::get().to(serve_asset)),
        );
}

async fn redirect_to_slash(req: HttpRequest) -> HttpResponse {
    let query = req.query_string();
    let target = if query.is_empty() {
        "/kiosk/".to_owned()
    } else {
        format!("/kiosk/?{query}")
    };
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, target))
        .finish()
}

async fn serve_index(req: HttpRequest) -> HttpResponse {
    respond(&req, 0)
}

async fn serve_asset(
    req: HttpRequest,
    file: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    match ASSETS.iter().position(|a| a.name == file.as_str()) {
        Some(index) => respond(&req, index),
        None => not_found(req, state).await,
    }
}

fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| format!("\"{}\"", hex::encode(&Sha256::digest(a.bytes)[..12])))
            .collect()
    })
}

fn respond(req: &HttpRequest, index: usize) -> HttpResponse {
    let asset = &ASSETS[index];
    let etag = &etags()[index];
    let cache = if asset.name.ends_with(".html") {
        "no-cache"
    } else {
        "public, max-age=300"
    };
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag.as_str()))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header(("x-content-type-options", "nosniff"));
    if matches {
        return response.finish();
    }
    response
        .insert_header((header::CONTENT_TYPE, asset.content_type))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        ))
        .body(asset.bytes)
}
