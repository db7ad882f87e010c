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
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
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
    pub tier: String,
    /// Tên tầng ("Cấp tỉnh", "Cấp xã"). / The tier's name.
    pub tier_label: &'static str,
    /// Địa chỉ bộ phận một cửa. / The desk's address.
    pub address: Option<String>,
    /// Điện thoại bộ phận một cửa. / The desk's phone.
    pub phone: Option<String>,
    /// Giờ làm việc. / Opening hours.
    pub hours: Option<String>,
}

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
#[derive(Debug, Serialize)]
pub struct OnTimeStats<'a> {
    /// Tầng được so sánh (khi hỏi theo tầng). / The tier compared (when asked by tier).
    pub tier: Option<&'a str>,
    /// Cấp được so sánh (khi hỏi theo cấp). / The level compared (when asked by level).
    pub level: Option<&'a str>,
    /// Tính các hồ sơ có kết quả từ ngày này. / Dossiers settled since this date count.
    pub since: String,
    /// Số hồ sơ đã giải quyết. / Dossiers settled.
    pub settled: i64,
    /// Số hồ sơ giải quyết đúng hạn. / Of them, on time.
    pub on_time: i64,
    /// Tỉ lệ đúng hạn (%), một chữ số thập phân; null khi chưa có hồ sơ. / The share on time in
    /// percent, one decimal; null when nothing was settled.
    pub percent: Option<f64>,
    /// Từng cơ quan, tốt nhất trước. / Per agency, best first.
    pub agencies: Vec<OnTimeAgency>,
}

/// One agency's on-time figures.
#[derive(Debug, Serialize)]
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
    pub percent: Option<f64>,
    /// Các cơ quan đã đóng được tính gộp vào đây. / Closed agencies counted here.
    pub includes: Vec<AgencyName>,
}

/// An agency by code and name.
#[derive(Debug, Serialize)]
pub struct AgencyName {
    /// Mã cơ quan. / The agency's code.
    pub code: String,
    /// Tên cơ quan. / The agency's name.
    pub name: String,
}

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
