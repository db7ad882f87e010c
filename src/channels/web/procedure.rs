//! The procedure page a phone opens from the kiosk's "continue on your phone" QR code,
//! `/thu-tuc/{code}[?co-quan=AGENCY]`: the public site's page of one procedure (documents, fee,
//! processing time, how to file, and the desk of the agency the citizen browsed through, or where
//! to file when none is named). Server-rendered like the QR landing page: no JavaScript, light,
//! and no idle reset, which belongs to the kiosk alone.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::catalog::{self, CatalogService};
use crate::domain::{AgencyCode, ProcedureCode};
use crate::error::{AppError, Code};
use crate::http::pages::{error_page, render};
use crate::http::AppState;

/// Registers the page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/thu-tuc/{code}", web::get().to(show_procedure_page));
}

/// The page's query string. Unknown parameters (tracking tags added by chat apps) are ignored.
#[derive(Debug, Deserialize)]
pub struct ProcedurePageQuery {
    /// The agency the citizen browsed through on the kiosk.
    #[serde(rename = "co-quan")]
    pub co_quan: Option<String>,
}

#[derive(Serialize)]
struct Document {
    name: String,
    copies: i32,
}

#[derive(Serialize)]
struct Desk {
    name: String,
    address: Option<String>,
    phone: Option<String>,
    hours: Option<String>,
}

#[derive(Serialize)]
struct ProcedurePage<'a> {
    province: &'a str,
    hotline: &'a str,
    code: String,
    name: String,
    field: String,
    processing: String,
    fee: String,
    how_to_file: &'static str,
    documents: Vec<Document>,
    desk: Option<Desk>,
    place_note: Option<&'static str>,
}

/// A fee in Vietnamese: "Miễn phí", "1.500.000 đồng", with the note when there is one.
fn fee_text(fee_vnd: Option<i64>, note: Option<&str>) -> String {
    let amount = match fee_vnd {
        Some(0) => Some("Miễn phí".to_owned()),
        Some(vnd) => Some(format!("{} đồng", group_thousands(vnd))),
        None => None,
    };
    match (amount, note) {
        (Some(amount), Some(note)) => format!("{amount} ({note})"),
        (Some(amount), None) => amount,
        (None, Some(note)) => note.to_owned(),
        (None, None) => "—".to_owned(),
    }
}

/// 1500000 → "1.500.000", as Vietnamese writes amounts.
fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// `GET /thu-tuc/{code}[?co-quan=…]`.
pub async fn show_procedure_page(
    code: web::Path<String>,
    query: web::Query<ProcedurePageQuery>,
    state: web::Data<AppState>,
    catalog: web::Data<CatalogService>,
) -> HttpResponse {
    match procedure_page(&code, &query, &state, &catalog).await {
        Ok(response) => response,
        Err(error) => {
            error.log();
            error_page(&state, &error)
        }
    }
}

async fn procedure_page(
    code: &str,
    query: &ProcedurePageQuery,
    state: &AppState,
    catalog: &CatalogService,
) -> Result<HttpResponse, AppError> {
    let code = ProcedureCode::parse(code)?;
    let browsed = query
        .co_quan
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(AgencyCode::parse)
        .transpose()
        .map_err(|_| {
            AppError::with_message(
                Code::InvalidInput,
                "Mã cơ quan trong đường dẫn không hợp lệ. Hãy quét lại mã QR trên ki-ốt.",
            )
        })?;
    let found = catalog
        .reader()
        .await?
        .get_procedure_to_file(&code, browsed.as_ref())
        .await?;
    let (procedure, desk) = (found.procedure, found.desk);
    let page = ProcedurePage {
        province: &state.settings.province.name,
        hotline: &state.settings.province.hotline,
        code: procedure.item.code.clone(),
        name: procedure.item.name.clone(),
        field: procedure.item.field.clone(),
        processing: match procedure.item.processing_days {
            0 => "Trong ngày".to_owned(),
            days => format!("{days} ngày làm việc"),
        },
        fee: fee_text(procedure.item.fee_vnd, procedure.fee_note.as_deref()),
        how_to_file: catalog::online_label(&procedure.online_level),
        documents: procedure
            .documents
            .iter()
            .map(|(name, copies)| Document {
                name: name.clone(),
                copies: *copies,
            })
            .collect(),
        place_note: desk
            .is_none()
            .then(|| catalog::place_note(procedure.level_tier.as_deref()))
            .flatten(),
        desk: desk.map(|d| Desk {
            name: d.name,
            address: d.desk_address,
            phone: d.desk_phone,
            hours: d.desk_hours,
        }),
    };
    Ok(render(state, "pages/procedure", &page, StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_read_as_vietnamese_amounts() {
        assert_eq!(fee_text(Some(0), None), "Miễn phí");
        assert_eq!(fee_text(Some(1_500_000), None), "1.500.000 đồng");
        assert_eq!(
            fee_text(Some(50_000), Some("nộp khi nhận")),
            "50.000 đồng (nộp khi nhận)"
        );
        assert_eq!(fee_text(None, Some("theo biểu phí")), "theo biểu phí");
        assert_eq!(fee_text(None, None), "—");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1.000");
    }
}
