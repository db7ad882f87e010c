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
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgencyView {
    /// Mã cơ quan. / The agency's code.
    pub code: String,
    /// Tên cơ quan. / The agency's name.
    pub name: String,
    /// Mã cấp của cơ quan. / The code of its level.
    pub kind: String,
    /// Tên cấp ("Xã", "Phường", "Đặc khu", ...). / The name of its level.
    pub kind_label: String,
    /// Mã cơ quan cấp trên; null khi không có. / The parent agency's code; null when none.
    #[schema(required = true)]
    pub parent_code: Option<String>,
    /// Số thủ tục cơ quan giải quyết. / Procedures it settles.
    pub procedures: i64,
}

/// The agencies of one tier or level.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgencyList<'a> {
    /// Tầng được hỏi (`province`, `local`), null khi hỏi theo cấp. / The tier asked for, null
    /// when asked by level.
    #[schema(required = true)]
    pub tier: Option<&'a str>,
    /// Cấp được hỏi, null khi hỏi theo tầng. / The level asked for, null when asked by tier.
    #[schema(required = true)]
    pub level: Option<&'a str>,
    /// Các cơ quan, theo thứ tự tên địa danh. / The agencies, in the order of their places.
    pub agencies: Vec<AgencyView>,
}

#[utoipa::path(
    get,
    path = "/api/v1/catalog/agencies",
    operation_id = "list_catalog_agencies",
    tag = crate::http::openapi::TAG_KIOSK,
    summary = "Cơ quan của một tầng hoặc một cấp / The agencies of a tier or level",
    description = "Các cơ quan đang hoạt động của một tầng (tier) hoặc một cấp (level) hiện nay, theo tên địa danh; cần đúng một trong hai.\n\nThe living agencies of one tier or one level of today, in the order of their places; exactly one of the two is needed.",
    params(
        ("tier" = Option<String>, Query, description = "Tầng: province hoặc local (không phân biệt hoa thường). / The tier: province or local (any case).", example = "local"),
        ("level" = Option<String>, Query, description = "Một cấp hiện nay (xem /api/v1/catalog/levels). / A level of today (see /api/v1/catalog/levels).", example = "commune"),
        ("parent" = Option<String>, Query, max_length = 64, description = "Chỉ các cơ quan trực thuộc cơ quan này. / Only the children of this agency."),
    ),
    responses(
        (status = 200, description = "Các cơ quan / The agencies", body = AgencyList),
        (status = 400, description = "invalid_input: thiếu tier và level, có cả hai, giá trị không có, parent rỗng, hoặc tham số lạ; invalid_agency_code: parent sai định dạng. / invalid_input: neither tier nor level, both, an unknown value, an empty parent, or an unknown parameter; invalid_agency_code: a malformed parent.", body = crate::error::ErrorBody),
        (status = 503, description = "service_unavailable: cơ sở dữ liệu không kết nối được. / service_unavailable: the database cannot be reached.", body = crate::error::ErrorBody),
    )
)]
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
        &AgencyList {
            tier: choice.tier(),
            level: choice.level(),
            agencies: views,
        },
        CATALOG_MAX_AGE,
    ))
}

/// The tiers a citizen browses by.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Levels {
    /// Các tầng, theo thứ tự hiển thị. / The tiers, in display order.
    pub tiers: Vec<TierView>,
}

/// One tier with its levels of today.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TierView {
    /// Mã tầng: `province` hoặc `local`. / The tier's code.
    #[schema(schema_with = super::info::tier_schema)]
    pub tier: String,
    /// Tên tầng ("Cấp tỉnh", "Cấp xã"). / The tier's name.
    pub label: &'static str,
    /// Các cấp hiện nay của tầng. / Its levels of today.
    pub levels: Vec<LevelView>,
}

/// One level of today.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LevelView {
    /// Mã cấp (`department`, `commune`, `ward`, ...). / The level's code.
    pub code: String,
    /// Tên cấp, tiếng Việt. / The level's name in Vietnamese.
    pub label: String,
    /// Tên cấp, tiếng Anh. / The level's name in English.
    pub label_en: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/catalog/levels",
    operation_id = "list_catalog_levels",
    tag = crate::http::openapi::TAG_KIOSK,
    summary = "Các tầng và cấp để duyệt danh mục / The tiers and levels to browse by",
    description = "Tầng tỉnh và tầng xã, mỗi tầng với các cấp hiện nay (không có cấp huyện đã bỏ).\n\nThe province and local tiers, each with its levels of today (not the abolished district).",
    responses(
        (status = 200, description = "Các tầng / The tiers", body = Levels),
        (status = 503, description = "service_unavailable: cơ sở dữ liệu không kết nối được. / service_unavailable: the database cannot be reached.", body = crate::error::ErrorBody),
    )
)]
/// `GET /api/v1/catalog/levels`: the tiers a citizen browses by (`province`, `local`), each with
/// its name and the levels of today in it, from `agency_levels`. Historical levels (the district)
/// are not offered.
pub async fn list_levels(catalog: web::Data<CatalogService>) -> Result<HttpResponse, AppError> {
    let levels = catalog.reader().await?.levels().await?;
    let mut tiers: Vec<TierView> = Vec::new();
    for level in levels.into_iter().filter(|l| !l.historical) {
        let entry = LevelView {
            code: level.code,
            label: level.label_vi,
            label_en: level.label_en,
        };
        match tiers.iter_mut().find(|t| t.tier == level.tier) {
            Some(tier) => tier.levels.push(entry),
            None => tiers.push(TierView {
                label: tier_label(&level.tier),
                tier: level.tier,
                levels: vec![entry],
            }),
        }
    }
    Ok(json_cached(&Levels { tiers }, CATALOG_MAX_AGE))
}

/// The fields of one agency.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldList {
    /// Cơ quan được hỏi. / The agency asked for.
    pub agency: AgencyBrief,
    /// Các lĩnh vực, theo thứ tự chữ cái tiếng Việt. / Its fields, in Vietnamese alphabetical
    /// order.
    pub fields: Vec<FieldView>,
}

/// An agency by code, name and level.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgencyBrief {
    /// Mã cơ quan. / The agency's code.
    pub code: String,
    /// Tên cơ quan. / The agency's name.
    pub name: String,
    /// Mã cấp của cơ quan. / The code of its level.
    pub kind: String,
}

/// One field with its number of procedures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldView {
    /// Tên lĩnh vực. / The field's name.
    pub field: String,
    /// Số thủ tục của lĩnh vực mà cơ quan giải quyết. / Procedures of the field the agency
    /// settles.
    pub procedures: i64,
}

#[utoipa::path(
    get,
    path = "/api/v1/catalog/agencies/{code}/fields",
    operation_id = "list_catalog_agency_fields",
    tag = crate::http::openapi::TAG_KIOSK,
    summary = "Lĩnh vực của một cơ quan / The fields of one agency",
    description = "Các lĩnh vực có thủ tục cơ quan giải quyết, theo thứ tự chữ cái tiếng Việt.\n\nThe fields of the procedures the agency settles, in Vietnamese alphabetical order.",
    params(("code" = String, Path, min_length = 1, max_length = 64, description = "Mã cơ quan / The agency's code", example = "000.00.18.H48")),
    responses(
        (status = 200, description = "Các lĩnh vực / The fields", body = FieldList),
        (status = 400, description = "invalid_agency_code: mã cơ quan sai định dạng; invalid_input: mã rỗng. / invalid_agency_code: a malformed code; invalid_input: an empty one.", body = crate::error::ErrorBody),
        (status = 404, description = "agency_not_found: không có cơ quan với mã này. / agency_not_found: no agency has this code.", body = crate::error::ErrorBody),
        (status = 503, description = "service_unavailable: cơ sở dữ liệu không kết nối được. / service_unavailable: the database cannot be reached.", body = crate::error::ErrorBody),
    )
)]
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
        .map(|f| FieldView {
            field: f.field,
            procedures: f.procedures,
        })
        .collect();
    Ok(json_cached(
        &FieldList {
            agency: AgencyBrief {
                code: agency.code,
                name: agency.name,
                kind: agency.kind,
            },
            fields,
        },
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProcedureItemView {
    /// Mã thủ tục. / The procedure's code.
    pub code: String,
    /// Tên thủ tục. / Its name.
    pub name: String,
    /// Lĩnh vực. / Its field.
    pub field: String,
    /// Cấp thực hiện; null khi danh mục không ghi. / The level that settles it; null when the
    /// catalogue does not say.
    #[schema(required = true)]
    pub level: Option<String>,
    /// Thời hạn giải quyết (ngày làm việc). / Processing time in working days.
    pub processing_days: i32,
    /// Lệ phí (đồng); null khi không ghi. / The fee in VND; null when none is given.
    #[schema(required = true)]
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

/// A list of procedures: a search's results (with `q`) or one field of one agency (with
/// `agency` and `field`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProcedureList {
    /// Từ khóa đã tìm, đã làm sạch (chỉ khi tìm kiếm). / The search text as cleaned (a search
    /// only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub q: Option<String>,
    /// Mã cơ quan (chỉ khi duyệt theo cơ quan, lĩnh vực). / The agency's code (browsing only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub agency: Option<String>,
    /// Lĩnh vực, đã làm sạch (chỉ khi duyệt). / The field as cleaned (browsing only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub field: Option<String>,
    /// Các thủ tục. / The procedures.
    pub procedures: Vec<ProcedureItemView>,
}

#[utoipa::path(
    get,
    path = "/api/v1/catalog/procedures",
    operation_id = "list_catalog_procedures",
    tag = crate::http::openapi::TAG_KIOSK,
    summary = "Tìm hoặc duyệt thủ tục / Search or browse procedures",
    description = "Hai cách hỏi: q (tìm theo tên, lĩnh vực hoặc mã, không phân biệt dấu, tối đa 50 kết quả), hoặc agency cùng field (các thủ tục của một lĩnh vực mà cơ quan giải quyết). Không kết hợp hai cách.\n\nTwo forms: q (search by name, field or code, ignoring diacritics, at most 50 results), or agency with field (the procedures of one field the agency settles). The two are not combined.",
    params(
        ("q" = Option<String>, Query, description = "Từ khóa (tối đa 100 ký tự, 8 từ đầu được tính). Chỉ dùng một mình. / The search text (at most 100 characters; the first 8 words count). Alone only.", example = "khai sinh"),
        ("agency" = Option<String>, Query, max_length = 64, description = "Mã cơ quan, cùng field. / The agency's code, with field.", example = "000.00.18.H48"),
        ("field" = Option<String>, Query, description = "Lĩnh vực (1–200 ký tự), cùng agency. / The field (1–200 characters), with agency.", example = "Đất đai"),
    ),
    responses(
        (status = 200, description = "Các thủ tục / The procedures", body = ProcedureList),
        (status = 400, description = "invalid_input: không đúng một trong hai cách hỏi, q không có từ nào hoặc dài quá, field rỗng hoặc dài quá, agency rỗng, tham số lạ; invalid_agency_code: agency sai định dạng. / invalid_input: neither form or both, a q without words or too long, an empty or too long field, an empty agency, an unknown parameter; invalid_agency_code: a malformed agency.", body = crate::error::ErrorBody),
        (status = 404, description = "agency_not_found: không có cơ quan với mã này. / agency_not_found: no agency has this code.", body = crate::error::ErrorBody),
        (status = 503, description = "service_unavailable: cơ sở dữ liệu không kết nối được. / service_unavailable: the database cannot be reached.", body = crate::error::ErrorBody),
    )
)]
/// `GET /api/v1/catalog/procedures?q=…` or `?agency=…&field=…`.
pub async fn list_procedures(
    query: web::Query<ProceduresQuery>,
    catalog: web::Data<CatalogService>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let catalog = catalog.reader().await?;
    let (procedures, mut body) = match (query.q, query.agency, query.field) {
        (Some(q), None, None) => {
            let found = catalog.search(&q).await?;
            let body = ProcedureList {
                q: Some(clean_line(&q)),
                agency: None,
                field: None,
                procedures: Vec::new(),
            };
            (found, body)
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
            let body = ProcedureList {
                q: None,
                agency: Some(agency.code),
                field: Some(field),
                procedures: Vec::new(),
            };
            (found, body)
        }
        _ => {
            return Err(AppError::with_message(
                Code::InvalidInput,
                PROCEDURES_QUERY_NEEDED,
            ))
        }
    };
    body.procedures = procedures
        .into_iter()
        .map(ProcedureItemView::from)
        .collect();
    Ok(json_cached(&body, CATALOG_MAX_AGE))
}

fn online_level_schema() -> utoipa::openapi::Object {
    crate::lookup::view::string_enum(&["full", "partial", "none"])
}

/// `?agency=`: the agency the citizen browsed through, whose desk is the place to file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcedureQuery {
    pub agency: Option<String>,
}

/// A one-stop desk.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeskView {
    /// Mã cơ quan. / The agency's code.
    pub agency_code: String,
    /// Tên cơ quan. / The agency's name.
    pub agency_name: String,
    /// Địa chỉ bộ phận một cửa. / The desk's address.
    #[schema(required = true)]
    pub address: Option<String>,
    /// Điện thoại. / The desk's phone.
    #[schema(required = true)]
    pub phone: Option<String>,
    /// Giờ làm việc. / Opening hours.
    #[schema(required = true)]
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

/// One procedure as the kiosk shows it: what it is, what to bring, how long, how much, and
/// where to file it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProcedureView {
    /// Mã thủ tục. / The procedure's code.
    pub code: String,
    /// Tên thủ tục. / Its name.
    pub name: String,
    /// Lĩnh vực. / Its field.
    pub field: String,
    /// Cấp thực hiện; null khi danh mục không ghi. / The level that settles it; null when the
    /// catalogue does not say.
    #[schema(required = true)]
    pub level: Option<String>,
    /// Thời hạn giải quyết (ngày làm việc). / Processing time in working days.
    pub processing_days: i32,
    /// Lệ phí (đồng); null khi không có hoặc không ghi. / The fee in VND; null when none is
    /// given.
    #[schema(required = true)]
    pub fee_vnd: Option<i64>,
    /// Ghi chú về lệ phí. / A note on the fee.
    #[schema(required = true)]
    pub fee_note: Option<String>,
    /// Mức nộp trực tuyến: `full`, `partial` hoặc `none`. / How it can be filed online.
    #[schema(schema_with = online_level_schema)]
    pub online_level: String,
    /// Thành phần hồ sơ, theo thứ tự. / The documents to bring, in order.
    pub documents: Vec<DocumentView>,
    /// Nơi nộp: bộ phận một cửa; null khi không có một nơi duy nhất. / Where to file it; null
    /// when no one desk is named.
    #[schema(required = true)]
    pub place: Option<DeskView>,
    /// Nộp ở đâu khi không có một nơi duy nhất; null khi danh mục không cho biết cấp. / Where to
    /// file when no one desk is named; null when the catalogue gives no tier.
    #[schema(required = true)]
    pub place_note: Option<&'static str>,
    /// Địa chỉ trang thủ tục trên điện thoại. / The procedure's page for a phone.
    pub phone_url: String,
    /// Đường dẫn ảnh QR của `phone_url`. / The path of the QR image of `phone_url`.
    pub qr_svg: String,
}

/// One document to bring.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    /// Tên giấy tờ. / The document's name.
    pub name: String,
    /// Số bản. / Number of copies.
    pub copies: i32,
}

#[utoipa::path(
    get,
    path = "/api/v1/catalog/procedures/{code}",
    operation_id = "get_catalog_procedure",
    tag = crate::http::openapi::TAG_KIOSK,
    summary = "Một thủ tục: giấy tờ, thời hạn, lệ phí, nơi nộp / One procedure: documents, time, fee, where to file",
    description = "Thủ tục với thành phần hồ sơ, thời hạn, lệ phí và nơi nộp: bộ phận một cửa mà danh mục ghi, hoặc của cơ quan người dân đã chọn (agency) nếu cơ quan đó giải quyết thủ tục.\n\nThe procedure with its documents, time, fee and where to file it: the desk the catalogue names, or that of the agency the citizen browsed through (agency) when it settles the procedure.",
    params(("code" = String, Path, min_length = 1, max_length = 64, description = "Mã thủ tục (N.NNNNNN, có thể kèm phần địa phương) / The procedure code (N.NNNNNN, with an optional local part)", example = "2.010824"), ("agency" = Option<String>, Query, max_length = 64, description = "Mã cơ quan người dân đã chọn khi duyệt, nơi nộp hồ sơ (không bắt buộc). / The agency the citizen browsed through, whose desk is the place to file (optional).", example = "000.00.18.H48")),
    responses(
        (status = 200, description = "Thủ tục / The procedure", body = ProcedureView),
        (status = 400, description = "invalid_procedure_code: mã thủ tục sai định dạng; invalid_agency_code: agency sai định dạng; invalid_input: mã rỗng, tham số lạ. / invalid_procedure_code: a malformed code; invalid_agency_code: a malformed agency; invalid_input: an empty code or agency, an unknown parameter.", body = crate::error::ErrorBody),
        (status = 404, description = "procedure_not_found: không có thủ tục với mã này. / procedure_not_found: no procedure has this code.", body = crate::error::ErrorBody),
        (status = 503, description = "service_unavailable: cơ sở dữ liệu không kết nối được. / service_unavailable: the database cannot be reached.", body = crate::error::ErrorBody),
    )
)]
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
    let qr_svg = match &browsed {
        Some(agency) => format!(
            "/api/v1/catalog/procedures/{}/qr.svg?agency={agency}",
            procedure.item.code
        ),
        None => format!("/api/v1/catalog/procedures/{}/qr.svg", procedure.item.code),
    };
    let body = ProcedureView {
        code: procedure.item.code,
        name: procedure.item.name,
        field: procedure.item.field,
        level: procedure.item.level,
        processing_days: procedure.item.processing_days,
        fee_vnd: procedure.item.fee_vnd,
        fee_note: procedure.fee_note,
        online_level: procedure.online_level,
        documents: procedure
            .documents
            .into_iter()
            .map(|(name, copies)| DocumentView { name, copies })
            .collect(),
        place: desk.map(DeskView::from),
        place_note,
        phone_url,
        qr_svg,
    };
    Ok(json_cached(&body, CATALOG_MAX_AGE))
}

#[utoipa::path(
    get,
    path = "/api/v1/catalog/procedures/{code}/qr.svg",
    operation_id = "get_catalog_procedure_qr",
    tag = crate::http::openapi::TAG_KIOSK,
    summary = "Mã QR mở thủ tục trên điện thoại / A QR code that opens the procedure on a phone",
    description = "Ảnh SVG mã QR của trang thủ tục trên trang công khai (kèm cơ quan đã chọn).\n\nAn SVG QR code of the procedure's page on the public site (with the agency browsed through).",
    params(("code" = String, Path, min_length = 1, max_length = 64, description = "Mã thủ tục (N.NNNNNN, có thể kèm phần địa phương) / The procedure code (N.NNNNNN, with an optional local part)", example = "2.010824"), ("agency" = Option<String>, Query, max_length = 64, description = "Mã cơ quan người dân đã chọn khi duyệt, nơi nộp hồ sơ (không bắt buộc). / The agency the citizen browsed through, whose desk is the place to file (optional).", example = "000.00.18.H48")),
    responses(
        (status = 200, description = "Mã QR / The QR code", content_type = "image/svg+xml", body = String),
        (status = 400, description = "invalid_procedure_code: mã thủ tục sai định dạng; invalid_agency_code: agency sai định dạng; invalid_input: mã rỗng, tham số lạ. / invalid_procedure_code: a malformed code; invalid_agency_code: a malformed agency; invalid_input: an empty code or agency, an unknown parameter.", body = crate::error::ErrorBody),
        (status = 404, description = "procedure_not_found: không có thủ tục với mã này. / procedure_not_found: no procedure has this code.", body = crate::error::ErrorBody),
        (status = 503, description = "service_unavailable: cơ sở dữ liệu không kết nối được. / service_unavailable: the database cannot be reached.", body = crate::error::ErrorBody),
    )
)]
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
