//! The QR channel (docs/channels/qr-and-receipts.md): the signed link a receipt's QR code carries, the QR images
//! the main store and staff print, the printable receipt (Form 01), and the landing page a phone
//! opens after scanning. One file per action; the print credentials are one extractor
//! ([`auth::PrintAccess`]).

pub mod auth;
pub mod commands;
pub mod image;
pub mod landing;
pub mod page_cache;
pub mod receipt;

use actix_web::web;

use crate::config::Settings;
use crate::domain::{DossierCode, QrKeyring};
use crate::sync::auth::Verifier;

/// The document's part for the QR images the main store and staff print (the landing page and
/// the receipt are pages).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(image::show_qr_png, image::show_qr_svg),
    components(schemas(image::PngImage, image::SvgImage))
)]
pub struct Api;

/// What the QR handlers share.
pub struct QrState {
    /// Signs new tokens and checks scanned ones.
    pub keyring: QrKeyring,
    /// Checks the sync feed's signature on print requests.
    pub verifier: Verifier,
    /// `scheme://host[/prefix]` of the QR link, upper-cased where that is harmless.
    link_base: String,
    /// Rendered landing pages by dossier version.
    pub pages: page_cache::PageCache,
}

impl QrState {
    /// Builds the state from validated settings.
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        let keyring = settings.qr.keyring()?;
        if settings.qr.uses_demo_key() {
            tracing::warn!(
                "QR links are signed with the built-in demo key: set TRACUU_QR__KEYS in production"
            );
        }
        let base = settings.qr.base_url(&settings.province);
        let link_base = if settings.qr.uppercase_host {
            uppercase_origin(base)
        } else {
            base.to_owned()
        };
        Ok(Self {
            keyring,
            verifier: Verifier::new(settings.sync.secrets.clone(), settings.sync.window_secs),
            link_base,
            pages: page_cache::PageCache::new(
                usize::try_from(settings.qr.page_cache_mb)
                    .unwrap_or(usize::MAX / (1 << 20))
                    .saturating_mul(1 << 20),
            ),
        })
    }

    /// The link a receipt's QR encodes: `<base>/q/<code>?k=<token>`.
    pub fn link(&self, code: &DossierCode) -> String {
        format!(
            "{}/q/{}?k={}",
            self.link_base,
            code.as_str(),
            self.keyring.sign(code)
        )
    }
}

/// Upper-cases the scheme and host of `base` (both case-insensitive, RFC 3986 §3.1 and §3.2.2)
/// and leaves any path prefix alone.
pub fn uppercase_origin(base: &str) -> String {
    let Some((scheme, rest)) = base.split_once("://") else {
        return base.to_owned();
    };
    let (authority, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    format!(
        "{}://{}{path}",
        scheme.to_ascii_uppercase(),
        authority.to_ascii_uppercase()
    )
}

/// Registers the QR routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let not_allowed = || web::to(crate::http::method_not_allowed);
    cfg.service(
        web::resource("/api/v1/dossiers/{code}/qr.png")
            .route(web::get().to(image::show_qr_png))
            .default_service(not_allowed()),
    )
    .service(
        web::resource("/api/v1/dossiers/{code}/qr.svg")
            .route(web::get().to(image::show_qr_svg))
            .default_service(not_allowed()),
    )
    .service(
        web::resource("/receipts/{code}")
            .route(web::get().to(receipt::show_receipt))
            .default_service(not_allowed()),
    )
    .service(
        web::resource("/q/{code}")
            .route(web::get().to(landing::show_landing_page))
            .default_service(not_allowed()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_scheme_and_host_are_upper_cased() {
        assert_eq!(
            uppercase_origin("https://tracuu.quangngai.gov.vn"),
            "HTTPS://TRACUU.QUANGNGAI.GOV.VN"
        );
        assert_eq!(
            uppercase_origin("http://127.0.0.1:8080/dvc/tra-cuu"),
            "HTTP://127.0.0.1:8080/dvc/tra-cuu"
        );
        assert_eq!(uppercase_origin("no-scheme"), "no-scheme");
    }
}
