//! `GET /receipts/{code}[?paper=a4|a5|80mm]`: a printable receipt in the style of Form 01 (Giấy
//! tiếp nhận hồ sơ và hẹn trả kết quả, docs/domain.md, receipts and forms) with the QR code, the lookup number, the SMS
//! syntax, the hotline and the lookup web address. It carries only what the read model has; the
//! applicant appears masked as in every view (no phone, address or ID number). Same access rule
//! as minting a QR (an agency officer prints only their agency's dossiers); failures are HTML
//! pages.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::auth::PrintAccess;
use super::image::matrix_for;
use super::QrState;
use crate::domain::DossierCode;
use crate::error::{AppError, Code};
use crate::http::pages::{error_page, render, with_retry_after};
use crate::http::{client_key, AppState};
use crate::lookup::view::{format_time, DossierFacts};

/// `?paper=`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptQuery {
    /// `a4` (default), `a5` or `80mm` (thermal roll).
    pub paper: Option<String>,
}

/// The paper a receipt is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    A5,
    Thermal80,
}

impl Paper {
    fn parse(raw: Option<&str>) -> Result<Self, AppError> {
        match raw.map(|r| r.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("a4") => Ok(Paper::A4),
            Some("a5") => Ok(Paper::A5),
            Some("80mm") | Some("80") => Ok(Paper::Thermal80),
            Some(_) => Err(AppError::with_message(
                Code::InvalidInput,
                "Khổ giấy: cần là A4, A5 hoặc 80mm.",
            )
            .field("paper")),
        }
    }

    fn key(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::A5 => "a5",
            Paper::Thermal80 => "80mm",
        }
    }

    /// How the paper is named on screen.
    fn label(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::A5 => "A5",
            Paper::Thermal80 => "giấy in nhiệt 80 mm",
        }
    }

    /// The `@page` rule: size and margins of the sheet.
    fn page_rule(self) -> &'static str {
        match self {
            Paper::A4 => "@page{size:A4 portrait;margin:15mm 15mm 15mm 20mm}",
            Paper::A5 => "@page{size:A5 portrait;margin:10mm}",
            Paper::Thermal80 => "@page{size:80mm auto;margin:3mm 4mm}",
        }
    }

    /// Side of the printed QR code in millimetres.
    fn qr_mm(self) -> u32 {
        match self {
            Paper::A4 => 32,
            Paper::A5 => 28,
            Paper::Thermal80 => 36,
        }
    }
}

#[derive(Serialize)]
struct ReceiptPage<'a> {
    province: &'a str,
    hotline: &'a str,
    paper: &'static str,
    paper_label: &'static str,
    page_rule: &'static str,
    qr_mm: u32,
    qr_svg: String,
    dossier: DossierFacts,
    lookup_address: String,
    sms_text: String,
    sms_short_code: &'a str,
    printed_at: String,
}

/// `GET /receipts/{code}[?paper=]`.
pub async fn show_receipt(
    req: HttpRequest,
    access: Result<PrintAccess, AppError>,
    code: web::Path<String>,
    app: web::Data<AppState>,
    qr: web::Data<QrState>,
) -> HttpResponse {
    match build(&req, access, &code, &app, &qr).await {
        Ok(response) => response,
        Err(error) => with_retry_after(error_page(&app, &error), error.retry_after),
    }
}

async fn build(
    req: &HttpRequest,
    access: Result<PrintAccess, AppError>,
    raw_code: &str,
    app: &AppState,
    qr: &QrState,
) -> Result<HttpResponse, AppError> {
    let client = client_key(req, &app.settings.http.trusted_proxies);
    let access = match access {
        Ok(access) => access,
        Err(refused) => {
            // Refused requests count against the caller's limits too (accepted ones are counted
            // by the lookup below).
            app.lookup
                .guard()
                .admit(&client)
                .map_err(AppError::rate_limited)?;
            return Err(refused);
        }
    };
    let query =
        web::Query::<ReceiptQuery>::from_query(req.query_string()).map_err(AppError::bad_query)?;
    let paper = Paper::parse(query.paper.as_deref())?;
    let code =
        DossierCode::parse(raw_code).map_err(|e| AppError::invalid(Code::InvalidDossierCode, e))?;
    let lookup = app.lookup.by_code_granted(&client, &code).await?;
    let dossier = lookup
        .facts()
        .map_err(|e| AppError::internal(e.context("reading a dossier view")))?;
    access.allows(
        &code,
        &dossier.public.receiving_agency.code,
        &dossier.public.handling_agency.code,
    )?;
    let label = format!("Mã QR tra cứu hồ sơ {code}");
    // The SVG scales to the printed size; 256 is only its nominal pixel size.
    let qr_svg = matrix_for(qr, &code)?.to_svg(256, 4, &label);
    let settings = &app.settings;
    let page = ReceiptPage {
        province: &settings.province.name,
        hotline: &settings.province.hotline,
        paper: paper.key(),
        paper_label: paper.label(),
        page_rule: paper.page_rule(),
        qr_mm: paper.qr_mm(),
        qr_svg,
        dossier,
        lookup_address: format!(
            "{}/tra-cuu",
            settings.province.public_base_url.trim_end_matches('/')
        ),
        sms_text: format!("{} {}", settings.sms.lookup_keyword(), code),
        sms_short_code: &settings.sms.short_code,
        printed_at: format_time(chrono::Utc::now()),
    };
    Ok(render(app, "receipt/form01", &page, StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_sizes_parse_and_unknown_ones_are_refused() {
        assert_eq!(Paper::parse(None).unwrap(), Paper::A4);
        assert_eq!(Paper::parse(Some("A5")).unwrap(), Paper::A5);
        assert_eq!(Paper::parse(Some("80mm")).unwrap(), Paper::Thermal80);
        assert!(Paper::parse(Some("letter")).is_err());
        assert!(Paper::Thermal80.page_rule().contains("80mm"));
    }
}
