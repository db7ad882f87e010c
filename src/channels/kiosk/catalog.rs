//! The procedure catalogue as the kiosk browses it: tier (cấp tỉnh, cấp xã) or level → agency →
//! field → procedure, with no district step; search that ignores diacritics, and one procedure with its documents, time, fee and place, plus a QR
//! code that opens the same procedure on a phone.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use super::json_cached;
use crate::catalog::{self, tier_label, AgencyDesk, CatalogService, ProcedureItem};
use crate::domain::text::{char_len, clean_line};
use crate::domain::{AgencyCode, ProcedureCode};
use crate::error::{AppError, Code};
use crate::http::AppState;

/// Seconds clients may keep catalogue answers.
const CATALOG_MAX_AGE: u32 = 60;
/// The answer to a procedure list asked for without a search or a field.
const PROCEDURES_QUERY_NEEDED: &str =
    "Cần tham số q (tìm kiếm) hoặc cả agency và field (duyệt theo cơ quan, lĩnh vực).";

/// `?tier=` or `?level=` (and `&parent=`) of the agency step.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgenciesQuery {
    /// A tier of `agency_levels`: `province` (departments) or `local` (communes, wards, special
    /// zones).
    pub tier: Option<String>,
    /// A level of today of `agency_levels` (`department`, `commune`, `ward`, ...).
    pub level: Option<String>,
    /// Only the children of this agency.
    pub parent: Option<String>,
}

/// An agency to pick.
#[derive(Debug, Serialize)]
pub struct AgencyView {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// The name of its level ("Xã", "Phường", "Đặc khu", ...).
    pub kind_label: String,
    pub parent_code: Option<String>,
    pub procedures: i64,
}

/// `GET /api/v1/catalog/agencies?tier=…` or `?level=…` `[&parent=…]`: the living agencies of a
/// tier or level of today, in the order of their places.
pub async fn list_agencies(
    query: web::Query<AgenciesQuery>,
    catalog: web::Data<CatalogService>,
) -> Result<HttpResponse, AppError> {
    let parent = query.parent.as_deref().map(AgencyCode::parse).transpose()?;
    let catalog = catalog.reader().await?;
    let choice = catalog
        .choose_level(query.tier.as_deref(), query.level.as_deref())
        .await?;
    let agencies = catalog.list_agencies(&choice, parent.as_ref()).await?;
    let views: Vec<AgencyView> = agencies
        .into_iter()
        .map(|a| AgencyView {
            code: a.code,
            name: a.name,
            kind: a.kind,
            kind_label: a.kind_label,
            parent_code: a.parent_code,
            procedures: a.procedures,
        })
        .collect();
    Ok(json_cached(
        &serde_json::json!({
            "tier": choice.tier(),
            "level": choice.level(),
            "agencies": views,
        }),
        CATALOG_MAX_AGE,
    ))
}

/// `GET /api/v1/catalog/levels`: the tiers a citizen browses by (`province`, `local`), each with
/// its name and the levels of today in it, from `agency_levels`. Historical levels (the district)
/// are not offered.
pub async fn list_levels(catalog: web::Data<CatalogService>) -> Result<HttpResponse, AppError> {
    let levels = catalog.reader().await?.levels().await?;
    let mut tiers: Vec<serde_json::Value> = Vec::new();
    for level in levels.iter().filter(|l| !l.historical) {
        let entry = serde_json::json!({ "code": level.code, "label": level.label_vi, "label_en": level.label_en });
        match tiers.iter_mut().find(|t| t["tier"] == level.tier.as_str()) {
            Some(tier) => {
                if let Some(list) = tier["levels"].as_array_mut() {
                    list.push(entry);
                }
            }
            None => tiers.push(serde_json::json!({
                "tier": level.tier,
                "label": tier_label(&level.tier),
                "levels": [entry],
            })),
        }
    }
    Ok(json_cached(
        &serde_json::json!({ "tiers": tiers }),
        CATALOG_MAX_AGE,
    ))
}

/// `GET /api/v1/catalog/agencies/{code}/fields`.
pub async fn list_fields(
    code: web::Path<String>,
    catalog: web::Data<CatalogService>,
) -> Result<HttpResponse, AppError> {
    let code = AgencyCode::parse(&code)?;
    let catalog = catalog.reader().await?;
    let agency = catalog.get_agency(&code).await?;
    let fields = catalog.list_fields(&agency).await?;
    let fields: Vec<_> = fields
        .into_iter()
        .map(|f| serde_json::json!({ "field": f.field, "procedures": f.procedures }))
        .collect();
    Ok(json_cached(
        &serde_json::json!({
            "agency": { "code": agency.code, "name": agency.name, "kind": agency.kind },
            "fields": fields,
        }),
        CATALOG_MAX_AGE,
    ))
}

/// `?q=` (search) or `?agency=&field=` (one field of one agency).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProceduresQuery {
    pub q: Option<String>,
    pub agency: Option<String>,
    pub field: Option<String>,
}

/// A procedure in a list.
#[derive(Debug, Serialize)]
pub struct ProcedureItemView {
    pub code: String,
    pub name: String,
    pub field: String,
    pub level: Option<String>,
    pub processing_days: i32,
    pub fee_vnd: Option<i64>,
}

impl From<ProcedureItem> for ProcedureItemView {
    fn from(p: ProcedureItem) -> Self {
        Self {
            code: p.code,
            name: p.name,
            field: p.field,
            level: p.level,
            processing_days: p.processing_days,
            fee_vnd: p.fee_vnd,
        }
    }
}

/// `GET /api/v1/catalog/procedures?q=…` or `?agency=…&field=…`.
pub async fn list_procedures(
    query: web::Query<ProceduresQuery>,
    catalog: web::Data<CatalogService>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let catalog = catalog.reader().await?;
    let (procedures, extra) = match (query.q, query.agency, query.field) {
        (Some(q), None, None) => {
            let found = catalog.search(&q).await?;
            (found, serde_json::json!({ "q": clean_line(&q) }))
        }
        (None, Some(agency), Some(field)) => {
            let code = AgencyCode::parse(&agency)?;
            let field = clean_line(&field);
            if field.is_empty() || char_len(&field) > 200 {
                return Err(AppError::with_message(
                    Code::InvalidInput,
                    "Lĩnh vực không hợp lệ.",
                ));
            }
            let agency = catalog.get_agency(&code).await?;
            let found = catalog.list_procedures_in_field(&agency, &field).await?;
            (
                found,
                serde_json::json!({ "agency": agency.code, "field": field }),
            )
        }
        _ => {
            return Err(AppError::with_message(
                Code::InvalidInput,
                PROCEDURES_QUERY_NEEDED,
            ))
        }
    };
    let mut body = extra;
    body["procedures"] = serde_json::to_value(
        procedures
            .into_iter()
            .map(ProcedureItemView::from)
            .collect::<Vec<_>>(),
    )
    .map_err(|e| AppError::internal(e.into()))?;
    Ok(json_cached(&body, CATALOG_MAX_AGE))
}

/// `?agency=`: the agency the citizen browsed through, whose desk is the place to file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcedureQuery {
    pub agency: Option<String>,
}

/// A one-stop desk.
#[derive(Debug, Serialize)]
pub struct DeskView {
    pub agency_code: String,
    pub agency_name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub hours: Option<String>,
}

impl From<AgencyDesk> for DeskView {
    fn from(a: AgencyDesk) -> Self {
        Self {
            agency_code: a.code,
            agency_name: a.name,
            address: a.desk_address,
            phone: a.desk_phone,
            hours: a.desk_hours,
        }
    }
}

/// `GET /api/v1/catalog/procedures/{code}[?agency=…]`.
pub async fn get_procedure(
    code: web::Path<String>,
    query: web::Query<ProcedureQuery>,
    state: web::Data<AppState>,
    catalog: web::Data<CatalogService>,
) -> Result<HttpResponse, AppError> {
    let code = ProcedureCode::parse(&code)?;
    let browsed = query.agency.as_deref().map(AgencyCode::parse).transpose()?;
    let catalog = catalog.reader().await?;
    let found = catalog
        .get_procedure_to_file(&code, browsed.as_ref())
        .await?;
    let (procedure, desk) = (found.procedure, found.desk);
    let place_note = catalog::place_note(procedure.level_tier.as_deref());
    let phone_url = catalog::phone_url(
        &state.settings.province.public_base_url,
        code.as_ref(),
        browsed.as_ref(),
    );
    let body = serde_json::json!({
        "code": procedure.item.code,
        "name": procedure.item.name,
        "field": procedure.item.field,
        "level": procedure.item.level,
        "processing_days": procedure.item.processing_days,
        "fee_vnd": procedure.item.fee_vnd,
        "fee_note": procedure.fee_note,
        "online_level": procedure.online_level,
        "documents": procedure.documents.iter()
            .map(|(name, copies)| serde_json::json!({ "name": name, "copies": copies }))
            .collect::<Vec<_>>(),
        "place": desk.map(DeskView::from),
        "place_note": place_note,
        "phone_url": phone_url,
        "qr_svg": match &browsed {
            Some(agency) => format!("/api/v1/catalog/procedures/{}/qr.svg?agency={agency}", procedure.item.code),
            None => format!("/api/v1/catalog/procedures/{}/qr.svg", procedure.item.code),
        },
    });
    Ok(json_cached(&body, CATALOG_MAX_AGE))
}

/// `GET /api/v1/catalog/procedures/{code}/qr.svg[?agency=…]`: a QR code of the procedure's phone
/// URL (the public procedure page, with the agency browsed through).
pub async fn get_procedure_qr(
    code: web::Path<String>,
    query: web::Query<ProcedureQuery>,
    state: web::Data<AppState>,
    catalog: web::Data<CatalogService>,
) -> Result<HttpResponse, AppError> {
    let code = ProcedureCode::parse(&code)?;
    let browsed = query.agency.as_deref().map(AgencyCode::parse).transpose()?;
    catalog.reader().await?.get_procedure(&code).await?;
    let url = catalog::phone_url(
        &state.settings.province.public_base_url,
        code.as_ref(),
        browsed.as_ref(),
    );
    let qr = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::internal(anyhow::anyhow!("QR encoding failed: {e}")))?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(svg))
}
