//! What a kiosk shows besides lookups and the catalogue: its own configuration, desk contacts with
//! the hotline (the provincial service centre, then every commune, ward and special-zone centre),
//! and on-time statistics per living agency.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{json_cached, kiosk_id};
use crate::catalog::{tier_label, CatalogService};
use crate::error::AppError;
use crate::http::AppState;
use crate::quality::QualityService;

/// The hotline of the national public-service portal, which every kiosk shows beside the
/// province's.
const PUBLIC_SERVICE_HOTLINE: &str = "1022";

/// A kiosk's configuration.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KioskConfig<'a> {
    /// Mã kiosk (X-Kiosk-Id, hoặc mã mặc định). / The kiosk's id (X-Kiosk-Id, or the default).
    pub kiosk_id: &'a str,
    /// Số giây không thao tác trước khi kiosk về màn hình đầu. / Idle seconds before the kiosk
    /// returns to its start screen.
    pub idle_timeout_secs: u64,
    /// Tên tỉnh. / The province's name.
    pub province: &'a str,
    /// Đường dây nóng của tỉnh. / The province's hotline.
    pub hotline: &'a str,
    /// Tổng đài dịch vụ công (1022). / The public-service hotline (1022).
    pub public_service_hotline: &'static str,
    /// Địa chỉ trang công khai mà phiếu in ghi (không có dấu `/` cuối). / The public site's
    /// address that slips print (no trailing `/`).
    pub public_base_url: &'a str,
}

#[utoipa::path(
    get,
    path = "/api/v1/kiosk/config",
    operation_id = "get_kiosk_config",
    tag = crate::http::openapi::TAG_KIOSK,
    summary = "Cấu hình của kiosk / The kiosk's configuration",
    description = "Thời gian chờ, mã kiosk, tỉnh, đường dây nóng và địa chỉ trang công khai; trả lời cả khi cơ sở dữ liệu không kết nối được.\n\nThe idle timeout, kiosk id, province, hotline and public site address; answered even while the database is down.",
    params(("X-Kiosk-Id" = Option<String>, Header, pattern = r"^\s*[A-Za-z0-9._-]{1,40}\s*$", description = "Mã kiosk; không có thì dùng mã mặc định đã cấu hình. / The kiosk's id; without it, the configured default.", example = "KIOSK-TTHCC-01")),
    responses(
        (status = 200, description = "Cấu hình / The configuration", body = KioskConfig),
        (status = 400, description = "invalid_kiosk_id: X-Kiosk-Id sai định dạng (1–40 ký tự: chữ cái không dấu, chữ số, . _ -). / invalid_kiosk_id: a malformed X-Kiosk-Id.", body = crate::error::ErrorBody),
    )
)]
/// `GET /api/v1/kiosk/config`: idle timeout, kiosk id, province, hotline and the public base URL. Answered without
/// the database, so a kiosk can start while PostgreSQL is down.
pub async fn get_config(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let kiosk = kiosk_id(&req, &state)?;
    let settings = &state.settings;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(KioskConfig {
            kiosk_id: kiosk.as_ref(),
            idle_timeout_secs: settings.kiosk.idle_timeout_secs,
            province: &settings.province.name,
            hotline: &settings.province.hotline,
            public_service_hotline: PUBLIC_SERVICE_HOTLINE,
            // What slips print: the public site citizens reach from home, not the kiosk's own
            // (often intranet) address.
            public_base_url: settings.province.public_base_url.trim_end_matches('/'),
        }))
}

/// The hotlines and the desks of today.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Contacts<'a> {
    /// Đường dây nóng của tỉnh. / The province's hotline.
    pub hotline: &'a str,
    /// Tổng đài dịch vụ công (1022). / The public-service hotline (1022).
    pub public_service_hotline: &'static str,
    /// Các bộ phận một cửa: cấp tỉnh trước, rồi từng xã, phường, đặc khu. / The desks: the
    /// province tier first, then every commune, ward and special zone.
    pub desks: Vec<ContactView>,
}

/// One desk citizens go to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    /// Mã cơ quan. / The agency's code.
    pub code: String,
    /// Tên cơ quan. / The agency's name.
    pub name: String,
    /// Mã cấp của cơ quan (`commune`, `ward`, ...). / The code of its level.
    pub kind: String,
    /// Tên cấp ("Xã", "Phường", ...). / The name of its level.
    pub kind_label: String,
    /// Tầng: `province` (cấp tỉnh) hoặc `local` (cấp xã). / The tier.
    #[schema(schema_with = tier_schema)]
    pub tier: String,
    /// Tên tầng ("Cấp tỉnh", "Cấp xã"). / The tier's name.
    pub tier_label: &'static str,
    /// Địa chỉ bộ phận một cửa. / The desk's address.
    #[schema(required = true)]
    pub address: Option<String>,
    /// Điện thoại bộ phận một cửa. / The desk's phone.
    #[schema(required = true)]
    pub phone: Option<String>,
    /// Giờ làm việc. / Opening hours.
    #[schema(required = true)]
    pub hours: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/kiosk/contacts",
    operation_id = "list_kiosk_contacts",
    tag = crate::http::openapi::TAG_KIOSK,
    summary = "Đường dây nóng và bộ phận một cửa / Hotlines and one-stop desks",
    description = "Các bộ phận một cửa hôm nay: cấp tỉnh trước (Trung tâm Phục vụ hành chính công tỉnh đầu tiên), rồi từng xã, phường, đặc khu theo tên địa danh.\n\nThe desks of today: the province tier first (the provincial service centre first), then every commune, ward and special zone by the name of its place.",
    responses(
        (status = 200, description = "Danh bạ / The contacts", body = Contacts),
        (status = 503, description = "service_unavailable: cơ sở dữ liệu không kết nối được. / service_unavailable: the database cannot be reached.", body = crate::error::ErrorBody),
    )
)]
/// `GET /api/v1/kiosk/contacts`: the hotlines and the desks citizens go to today: the
/// province-tier desks (the provincial public administrative service centre first), then every
/// commune, ward and special-zone centre in the order of their places. No desk of a closed
/// agency or of the abolished districts.
pub async fn list_contacts(
    state: web::Data<AppState>,
    catalog: web::Data<CatalogService>,
) -> Result<HttpResponse, AppError> {
    let desks = catalog.reader().await?.list_contact_desks().await?;
    let desks: Vec<_> = desks
        .into_iter()
        .map(|d| ContactView {
            tier_label: tier_label(&d.tier),
            code: d.desk.code,
            name: d.desk.name,
            kind: d.desk.kind,
            kind_label: d.kind_label,
            tier: d.tier,
            address: d.desk.desk_address,
            phone: d.desk.desk_phone,
            hours: d.desk.desk_hours,
        })
        .collect();
    Ok(json_cached(
        &Contacts {
            hotline: &state.settings.province.hotline,
            public_service_hotline: PUBLIC_SERVICE_HOTLINE,
            desks,
        },
        300,
    ))
}

/// `?tier=` or `?level=`: which agencies to compare.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnTimeQuery {
    /// A tier of `agency_levels`: `province` (the default) or `local`.
    pub tier: Option<String>,
    /// A level of today of `agency_levels` (`department`, `commune`, `ward`, ...).
    pub level: Option<String>,
}

/// On-time statistics of one tier or level.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OnTimeStats<'a> {
    /// Tầng được so sánh (`province`, `local`), null khi hỏi theo cấp. / The tier compared,
    /// null when asked by level.
    #[schema(required = true)]
    pub tier: Option<&'a str>,
    /// Cấp được so sánh, null khi hỏi theo tầng. / The level compared, null when asked by tier.
    #[schema(required = true)]
    pub level: Option<&'a str>,
    /// Tính các hồ sơ có kết quả từ ngày này. / Dossiers settled since this date count.
    #[schema(format = Date)]
    pub since: String,
    /// Số hồ sơ đã giải quyết. / Dossiers settled.
    pub settled: i64,
    /// Số hồ sơ giải quyết đúng hạn. / Of them, on time.
    pub on_time: i64,
    /// Tỉ lệ đúng hạn (%), một chữ số thập phân; null khi chưa có hồ sơ. / The share on time in
    /// percent, one decimal; null when nothing was settled.
    #[schema(required = true, minimum = 0, maximum = 100)]
    pub percent: Option<f64>,
    /// Từng cơ quan, tốt nhất trước. / Per agency, best first.
    pub agencies: Vec<OnTimeAgency>,
}

/// One agency's on-time figures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OnTimeAgency {
    /// Mã cơ quan. / The agency's code.
    pub code: String,
    /// Tên cơ quan. / The agency's name.
    pub name: String,
    /// Mã cấp của cơ quan. / The code of its level.
    pub kind: String,
    /// Cơ quan đã ngừng hoạt động (không có một cơ quan kế thừa duy nhất). / The agency has
    /// closed (with no one living successor).
    pub closed: bool,
    /// Số hồ sơ đã giải quyết. / Dossiers settled.
    pub settled: i64,
    /// Số hồ sơ đúng hạn. / Of them, on time.
    pub on_time: i64,
    /// Tỉ lệ đúng hạn (%); null khi chưa có hồ sơ. / The share on time in percent; null when
    /// nothing was settled.
    #[schema(required = true, minimum = 0, maximum = 100)]
    pub percent: Option<f64>,
    /// Các cơ quan đã đóng được tính gộp vào đây. / Closed agencies counted here.
    pub includes: Vec<AgencyName>,
}

/// An agency by code and name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AgencyName {
    /// Mã cơ quan. / The agency's code.
    pub code: String,
    /// Tên cơ quan. / The agency's name.
    pub name: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/stats/on-time",
    operation_id = "get_on_time_stats",
    tag = crate::http::openapi::TAG_INDICATORS,
    summary = "Tỉ lệ giải quyết đúng hạn theo cơ quan / On-time share per agency",
    description = "Hồ sơ đã giải quyết trong một năm qua và tỉ lệ đúng hạn, theo từng cơ quan của một tầng (tier) hoặc một cấp (level); không có tham số nào thì tầng tỉnh. Hồ sơ của cơ quan đã đóng tính cho cơ quan kế thừa duy nhất, hoặc dưới tên của chính nó (closed).\n\nDossiers settled in the last year and the share on time, per agency of one tier or one level; with neither, the province tier. A closed agency's dossiers count for its one living successor, or under its own name (closed).",
    params(
        ("tier" = Option<String>, Query, description = "Tầng: province hoặc local (không phân biệt hoa thường). Không dùng cùng level. / The tier: province or local (any case). Not with level.", example = "province"),
        ("level" = Option<String>, Query, description = "Một cấp hiện nay (department, commune, ward, ...; xem /api/v1/catalog/levels). Không dùng cùng tier. / A level of today (see /api/v1/catalog/levels). Not with tier.", example = "commune"),
    ),
    responses(
        (status = 200, description = "Thống kê / The statistics", body = OnTimeStats),
        (status = 400, description = "invalid_input: tier hoặc level không có, có cả hai, hoặc tham số lạ. / invalid_input: an unknown tier or level, both, or an unknown parameter.", body = crate::error::ErrorBody),
        (status = 503, description = "service_unavailable: cơ sở dữ liệu không kết nối được. / service_unavailable: the database cannot be reached.", body = crate::error::ErrorBody),
    )
)]
/// `GET /api/v1/stats/on-time[?tier=…|?level=…]`: settled dossiers of the last year and the
/// share on time, per agency of one tier or level (a closed agency's dossiers under its one
/// living successor, or under its own name marked `closed`), best first.
pub async fn get_on_time(
    query: web::Query<OnTimeQuery>,
    quality: web::Data<QualityService>,
) -> Result<HttpResponse, AppError> {
    let stats = quality
        .on_time(query.tier.as_deref(), query.level.as_deref())
        .await?;
    let agencies: Vec<_> = stats
        .agencies
        .into_iter()
        .map(|r| OnTimeAgency {
            percent: percent(r.on_time, r.settled),
            code: r.code,
            name: r.name,
            kind: r.kind,
            closed: r.closed,
            settled: r.settled,
            on_time: r.on_time,
            includes: r
                .rolled_up
                .into_iter()
                .map(|(code, name)| AgencyName { code, name })
                .collect(),
        })
        .collect();
    Ok(json_cached(
        &OnTimeStats {
            tier: stats.choice.tier(),
            level: stats.choice.level(),
            since: stats.since.date_naive().to_string(),
            settled: stats.settled,
            on_time: stats.on_time,
            percent: percent(stats.on_time, stats.settled),
            agencies,
        },
        300,
    ))
}

/// The schema of a tier: the schema's closed pair.
pub fn tier_schema() -> utoipa::openapi::Object {
    crate::lookup::view::string_enum(&["province", "local"])
}

/// `part` of `whole` in percent with one decimal; `None` when nothing was settled.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percent_has_one_decimal_and_none_for_nothing_settled() {
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(5, 5), Some(100.0));
    }
}
