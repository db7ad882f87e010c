//! The catalog entries as the main store sends them (push) or as the CSV import maps its rows:
//! serde types that refuse unknown fields, so a misspelt field is an error, not lost data.

use serde::Deserialize;

/// One agency as sent. Unknown fields are refused so a misspelt field is an error, not lost data.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    as = AgencyEntry,
    description = "Một cơ quan như kho hồ sơ chính gửi; trường lạ bị từ chối. Mục không hợp lệ được \
báo trong `errors` của câu trả lời. / One agency as the main store sends it; unknown fields are \
refused. An invalid item is reported in the answer's `errors`.",
    example = json!({
        "code": "000.00.18.H48", "parent_code": "000.00.00.H48", "kind": "department",
        "name": "Sở Tư pháp tỉnh Quảng Ngãi", "desk_address": "Trung tâm Phục vụ hành chính công tỉnh",
        "version": 7, "valid_from": "2025-07-01"
    })
)]
pub struct AgencyPayload {
    /// Mã cơ quan (QĐ 20/2020): 1–6 nhóm chữ số và chữ in hoa cách nhau bởi dấu chấm, tối đa 35 ký
    /// tự. / The agency code (QĐ 20/2020): 1–6 dot-separated groups of digits and capital letters,
    /// at most 35 characters.
    #[schema(min_length = 1, max_length = 35, example = "000.00.18.H48")]
    pub code: String,
    /// Cơ quan cấp trên: đã lưu, hoặc trong cùng lô. / The parent agency: stored already, or in
    /// the same batch.
    #[serde(default)]
    #[schema(max_length = 35)]
    pub parent_code: Option<String>,
    /// Cấp của cơ quan: một mã của bảng cấp (`province`, `department`, `commune`, `ward`,
    /// `special_zone`, `district` trước 1/7/2025). / Its level: a code of the levels table
    /// (`province`, `department`, `commune`, `ward`, `special_zone`, the historical `district`).
    #[schema(pattern = "^\\s*[A-Za-z_]{1,30}\\s*$", example = "department")]
    pub kind: String,
    /// Tên, 1–300 ký tự. / The name, 1–300 characters.
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    /// Địa chỉ nơi nhận kết quả, tối đa 500 ký tự. / Where results are collected, at most 500
    /// characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub desk_address: Option<String>,
    /// Điện thoại của bộ phận một cửa, tối đa 100 ký tự. / The desk's phone, at most 100 characters.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub desk_phone: Option<String>,
    /// Giờ làm việc, tối đa 300 ký tự. / The desk's hours, at most 300 characters.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub desk_hours: Option<String>,
    /// Phiên bản, tăng dần; không mới hơn bản đã lưu thì là cũ. / Monotonic per agency; not newer
    /// than the stored version means stale.
    #[schema(minimum = 0)]
    pub version: i64,
    /// Ngày đầu tiên nhận hồ sơ, `YYYY-MM-DD`. / First day it received dossiers, `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(format = Date, example = "2025-07-01")]
    pub valid_from: Option<String>,
    /// Ngày đầu tiên không còn nhận hồ sơ, `YYYY-MM-DD`, sau `valid_from`. / First day it no
    /// longer received dossiers, `YYYY-MM-DD`, after `valid_from`.
    #[serde(default)]
    #[schema(format = Date)]
    pub valid_until: Option<String>,
    /// Các cơ quan kế nhiệm (đã lưu hoặc trong cùng lô; chỉ khi có `valid_until`). Không gửi: giữ
    /// danh sách đã lưu; `[]`: xoá. / The agencies that took over from it (stored, or in the same
    /// batch; only with a `valid_until`). Absent: the stored list is kept; `[]` clears it.
    #[serde(default)]
    pub successors: Option<Vec<String>>,
}

/// One procedure as sent.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    as = ProcedureEntry,
    description = "Một thủ tục như kho hồ sơ chính gửi; trường lạ bị từ chối. Mục không hợp lệ được \
báo trong `errors` của câu trả lời. / One procedure as the main store sends it; unknown fields are \
refused. An invalid item is reported in the answer's `errors`.",
    example = json!({
        "code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch",
        "processing_days": 0, "fee_vnd": 0, "fee_note": "Miễn lệ phí khi đăng ký đúng hạn",
        "online_level": "full", "version": 42, "level": "commune",
        "documents": [{"name": "Tờ khai đăng ký khai sinh", "copies": 1}]
    })
)]
pub struct ProcedurePayload {
    /// Mã thủ tục quốc gia `N.NNNNNN`, không có phần mã địa phương. / The national code
    /// `N.NNNNNN`, without a local suffix (dossiers sent with a local code are matched on its
    /// national part).
    #[schema(pattern = "^\\s*[0-9]\\.[0-9]{6}\\s*$", example = "1.001193")]
    pub code: String,
    /// Tên thủ tục, 1–500 ký tự. / The name, 1–500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub name: String,
    /// Lĩnh vực, 1–200 ký tự, ví dụ "Hộ tịch". / The field (lĩnh vực), 1–200 characters, e.g.
    /// "Hộ tịch".
    #[schema(min_length = 1, max_length = 200, example = "Hộ tịch")]
    pub field: String,
    /// Thời hạn giải quyết theo luật, 0–365 ngày (0: trong ngày). / Legal processing time, 0–365
    /// days (0: the same day).
    #[schema(minimum = 0, maximum = 365)]
    pub processing_days: i64,
    /// Lệ phí (đồng). / The fee, in đồng.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub fee_vnd: Option<i64>,
    /// Giải thích về lệ phí, tối đa 1000 ký tự. / About the fee, at most 1000 characters.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub fee_note: Option<String>,
    /// Mức trực tuyến: `full` toàn trình, `partial` một phần, `none` không. / How much is online:
    /// `full`, `partial` or `none`.
    #[schema(
        pattern = "^\\s*([Ff][Uu][Ll][Ll]|[Pp][Aa][Rr][Tt][Ii][Aa][Ll]|[Nn][Oo][Nn][Ee])\\s*$",
        example = "full"
    )]
    pub online_level: String,
    /// Phiên bản, tăng dần; không mới hơn bản đã lưu thì là cũ. / Monotonic per procedure; not
    /// newer than the stored version means stale.
    #[schema(minimum = 0)]
    pub version: i64,
    /// Cấp giải quyết: một mã của bảng cấp (`department`, `commune`; `district` trước 1/7/2025).
    /// / The level that settles it: a code of the levels table (`department`, `commune`;
    /// `district` for procedures of before the 2025 reform).
    #[serde(default)]
    #[schema(pattern = "^\\s*([A-Za-z_]{1,30})?\\s*$", example = "commune")]
    pub level: Option<String>,
    /// Với thủ tục cấp tỉnh: cơ quan giải quyết. / For a province-tier procedure: the agency that
    /// settles it.
    #[serde(default)]
    #[schema(max_length = 35)]
    pub agency_code: Option<String>,
    /// Với thủ tục cấp tỉnh: bộ phận tiếp nhận. / For a province-tier procedure: the desk that
    /// receives it.
    #[serde(default)]
    #[schema(max_length = 35)]
    pub desk_agency_code: Option<String>,
    /// Thành phần hồ sơ theo thứ tự, tối đa 50. Không gửi: giữ danh sách đã lưu; `[]`: xoá. / The
    /// documents of its dossier, in order, at most 50. Absent: the stored list is kept; `[]`
    /// clears it.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub documents: Option<Vec<DocumentPayload>>,
}

/// One document of a procedure's dossier (thành phần hồ sơ).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    as = ProcedureDocument,
    description = "Một thành phần hồ sơ của thủ tục. / One document of a procedure's dossier."
)]
pub struct DocumentPayload {
    /// Tên giấy tờ, 1–500 ký tự. / The document's name, 1–500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub name: String,
    /// Số bản, 1–20 (mặc định 1). / Copies to file, 1–20 (default 1).
    #[serde(default = "one_copy")]
    #[schema(minimum = 1, maximum = 20, default = 1)]
    pub copies: i64,
}

fn one_copy() -> i64 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::catalog::CatalogPayload;

    fn example<T: utoipa::PartialSchema>() -> serde_json::Value {
        serde_json::to_value(T::schema()).expect("the component serializes")["example"].clone()
    }

    /// The API document's examples of the catalog entries are entries the push accepts.
    #[test]
    fn the_api_documents_examples_are_valid_entries() {
        let agency: AgencyPayload =
            serde_json::from_value(example::<AgencyPayload>()).expect("the agency parses");
        agency.validate().expect("the agency validates");
        let procedure: ProcedurePayload =
            serde_json::from_value(example::<ProcedurePayload>()).expect("the procedure parses");
        procedure.validate().expect("the procedure validates");
    }
}
