//! The API document (OpenAPI 3.1), assembled from the channels' parts: each channel declares its
//! operations on its handlers with `#[utoipa::path]` and lists them in a `#[derive(OpenApi)]` of
//! its own; this module merges them, adds the security schemes and the responses every operation
//! can give, and serves nothing itself (`channels::web::docs` serves it). Next to `startup`, the
//! only other module that knows every channel.
//!
//! `docs/api/openapi.json` is the committed copy: [`compatibility`] tells what a new document
//! removes or retypes from it, and a test fails on any such change (`/api/v1` stays compatible;
//! see docs/api.md, "Versions").

use serde_json::Value;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::OpenApi as _;

use crate::channels;
use crate::error::Code;
use crate::http::openapi as kit;

/// The document's root: what it is about, the tags, the shared components.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "tracuu: tra cứu hồ sơ thủ tục hành chính / dossier lookup",
        description = "API công khai của tracuu: tra cứu hồ sơ, câu hỏi và phản ánh, kiosk, danh mục \
thủ tục, chỉ số, và các lệnh đẩy dữ liệu có ký của kho hồ sơ chính. Mọi lỗi có cùng một dạng \
(`Error`) với mã ổn định. `/api/v1` giữ tương thích: trường mới có thể xuất hiện, không trường nào \
mất đi hay đổi nghĩa; thay đổi phá vỡ tương thích sẽ ở `/api/v2`.\n\n\
The public API of tracuu: dossier lookup, questions and feedback, kiosk, procedure catalogue, \
indicators, and the main store's signed pushes. Every error has one shape (`Error`) with a stable \
code. `/api/v1` stays compatible: new fields may appear, none disappears or changes meaning; a \
breaking change goes to `/api/v2`.",
        license(name = "MIT"),
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    tags(
        (name = kit::TAG_LOOKUP, description = "Tra cứu hồ sơ / Dossier lookup"),
        (name = kit::TAG_INTAKE, description = "Câu hỏi, phản ánh, giải đáp đã công bố / Questions, feedback, published answers"),
        (name = kit::TAG_INDICATORS, description = "Chỉ số và thống kê / Indicators and statistics"),
        (name = kit::TAG_KIOSK, description = "Kiosk và danh mục thủ tục / Kiosk and procedure catalogue"),
        (name = kit::TAG_STAFF, description = "Phiên cán bộ / Staff session"),
        (name = kit::TAG_SYNC, description = "Đẩy dữ liệu có ký từ kho hồ sơ chính / Signed pushes from the main store"),
        (name = kit::TAG_IVR, description = "Tổng đài 1022: IVR dạng JSON / Hotline 1022: the IVR as JSON"),
        (name = kit::TAG_OPERATIONS, description = "Kiểm tra sức khoẻ / Health checks"),
        (name = kit::TAG_DOCS, description = "Tài liệu API / API documentation"),
    )
)]
struct Root;

/// The whole document.
pub fn document() -> OpenApi {
    let mut doc = Root::openapi();
    doc.info.version = "1".to_owned();
    for part in [
        channels::web::api::Api::openapi(),
        channels::web::docs::Api::openapi(),
        channels::web::health::Api::openapi(),
        channels::feedback::api::Api::openapi(),
        channels::hotline::console::ConsoleApi::openapi(),
        channels::hotline::ivr::IvrApi::openapi(),
        channels::qr::Api::openapi(),
        channels::kiosk::Api::openapi(),
        channels::sync::Api::openapi(),
    ] {
        doc.merge(part);
    }
    kit::add_security_schemes(&mut doc);
    for item in doc.paths.paths.values_mut() {
        for operation in operations(item) {
            add_common_responses(operation);
        }
    }
    doc
}

/// The document as served: pretty JSON.
pub fn document_json() -> String {
    document()
        .to_pretty_json()
        .expect("the API document serializes")
}

fn operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.options.as_mut(),
        item.head.as_mut(),
        item.patch.as_mut(),
        item.trace.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// The answers any operation can give, whatever it does: an internal error, the service
/// unavailable or overloaded; and for one with a body, a body too large or too slow to arrive.
/// Added only where the operation does not describe that status itself.
fn add_common_responses(operation: &mut Operation) {
    let mut common = vec![
        (Code::Internal, "Lỗi nội bộ. / Internal error."),
        (
            Code::ServiceUnavailable,
            "Dịch vụ tạm thời không trả lời được (cơ sở dữ liệu, quá tải). / The service cannot \
             answer for now (database, overload).",
        ),
    ];
    if operation.request_body.is_some() {
        common.push((
            Code::PayloadTooLarge,
            "Thân yêu cầu quá lớn. / The body is too large.",
        ));
        common.push((
            Code::BodyTimeout,
            "Thân yêu cầu đến quá chậm. / The body arrived too slowly.",
        ));
    }
    for (code, description) in common {
        let status = code.status().as_u16().to_string();
        if operation.responses.responses.contains_key(&status) {
            continue;
        }
        let response = ResponseBuilder::new()
            .description(description)
            .content("application/json", error_content())
            .build();
        operation
            .responses
            .responses
            .insert(status, RefOr::T(response));
    }
}

fn error_content() -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Error")))
        .build()
}

/// An endpoint outside the JSON API: a page, a form, a file, a peer's protocol. They are not
/// in the OpenAPI document (which describes the JSON API and is fuzzed on every operation); they
/// are listed here, with their media types, and `docs/api/other-endpoints.md` is written from
/// this list (`TRACUU_WRITE_DOCS=1 cargo test --lib openapi`). A test fails when a registered
/// route is in neither.
pub struct OtherEndpoint {
    /// `GET`, `POST` or `GET, POST`.
    pub methods: &'static str,
    pub path: &'static str,
    /// What it answers (and, for a form, what it takes).
    pub media_type: &'static str,
    /// Who calls it.
    pub caller: &'static str,
    /// Vietnamese / English.
    pub summary: &'static str,
}

const HTML: &str = "text/html";
const FORM: &str = "text/html; form application/x-www-form-urlencoded";
const CITIZEN: &str = "công dân / citizens";
const STAFF: &str = "cán bộ (phiên) / staff (session)";
const ADMIN: &str = "quản trị (phiên) / administrator (session)";
const OPERATOR: &str = "tổng đài viên (phiên) / hotline operator (session)";

/// Every endpoint outside the JSON API.
pub const OTHER_ENDPOINTS: &[OtherEndpoint] = &[
    OtherEndpoint { methods: "GET", path: "/", media_type: "redirect (302) to /tra-cuu", caller: CITIZEN, summary: "Trang chủ chuyển đến trang tra cứu / The home page redirects to the lookup page" },
    OtherEndpoint { methods: "GET", path: "/tra-cuu", media_type: HTML, caller: CITIZEN, summary: "Trang tra cứu hồ sơ (`ma`, `phone4`), không cần JavaScript / The lookup page, no JavaScript needed" },
    OtherEndpoint { methods: "GET", path: "/q/{code}", media_type: HTML, caller: CITIZEN, summary: "Trang mở từ mã QR trên giấy tiếp nhận (`k`) / The page a receipt's QR code opens" },
    OtherEndpoint { methods: "GET", path: "/thu-tuc/{code}", media_type: HTML, caller: CITIZEN, summary: "Trang công khai của một thủ tục (`co-quan`) / A procedure's public page" },
    OtherEndpoint { methods: "GET", path: "/receipts/{code}", media_type: HTML, caller: "kho hồ sơ chính, yêu cầu có ký / the main store, signed", summary: "Giấy tiếp nhận để in, có mã QR (`paper`) / A printable receipt with its QR code" },
    OtherEndpoint { methods: "GET, POST", path: "/gui-cau-hoi", media_type: FORM, caller: CITIZEN, summary: "Biểu mẫu gửi câu hỏi (CSRF) / The question form" },
    OtherEndpoint { methods: "GET, POST", path: "/gui-phan-anh", media_type: FORM, caller: CITIZEN, summary: "Biểu mẫu gửi phản ánh (CSRF) / The feedback form" },
    OtherEndpoint { methods: "GET", path: "/theo-doi", media_type: HTML, caller: CITIZEN, summary: "Theo dõi câu hỏi, phản ánh (`ma`, `k` hoặc `phone4`) / Tracking a question or feedback" },
    OtherEndpoint { methods: "GET", path: "/hoi-dap", media_type: HTML, caller: CITIZEN, summary: "Các giải đáp đã công bố, tìm kiếm / Published answers, search" },
    OtherEndpoint { methods: "GET", path: "/hoi-dap/{code}", media_type: HTML, caller: CITIZEN, summary: "Một giải đáp đã công bố / One published answer" },
    OtherEndpoint { methods: "POST", path: "/hoi-dap/{code}/danh-gia", media_type: FORM, caller: CITIZEN, summary: "Đánh giá giải đáp có hữu ích không / Vote whether an answer helped" },
    OtherEndpoint { methods: "GET", path: "/kiosk", media_type: "redirect (308) to /kiosk/", caller: "kiosk", summary: "Chuyển đến ứng dụng kiosk / Redirects to the kiosk app" },
    OtherEndpoint { methods: "GET", path: "/kiosk/", media_type: HTML, caller: "kiosk", summary: "Ứng dụng kiosk màn hình cảm ứng (`kiosk`, `idle`) / The kiosk touchscreen app" },
    OtherEndpoint { methods: "GET", path: "/kiosk/{file}", media_type: "text/javascript, text/css", caller: "kiosk", summary: "Tệp của ứng dụng kiosk / The kiosk app's files" },
    OtherEndpoint { methods: "GET", path: "/api/docs/{file}", media_type: "text/javascript, text/css", caller: "trình duyệt / browsers", summary: "Tệp của trang tài liệu API (Swagger UI đi kèm) / The API docs page's files (vendored Swagger UI)" },
    OtherEndpoint { methods: "GET", path: "/metrics", media_type: "text/plain; version=0.0.4 (Prometheus)", caller: "Prometheus, chỉ địa chỉ vận hành / operator addresses only", summary: "Số đo vận hành / Operating metrics" },
    OtherEndpoint { methods: "GET, POST", path: "/sms/v1/kannel/{secret}/inbound", media_type: "text/plain (the reply SMS)", caller: "Kannel smsbox, chỉ địa chỉ vận hành / operator addresses only", summary: "Tin nhắn công dân gửi đến tổng đài SMS / A message a citizen texted" },
    OtherEndpoint { methods: "GET, POST", path: "/sms/v1/kannel/{secret}/dlr", media_type: "text/plain", caller: "Kannel smsbox, chỉ địa chỉ vận hành / operator addresses only", summary: "Báo cáo chuyển phát của tin đã gửi / A delivery report" },
    OtherEndpoint { methods: "GET, POST", path: "/ivr/vxml/{step}", media_type: "application/voicexml+xml", caller: "máy chủ VoiceXML của tổng đài 1022 / the 1022 VoiceXML browser", summary: "IVR dạng VoiceXML 2.1 (`caller`, `attempt`, `digits`) / The IVR as VoiceXML 2.1" },
    OtherEndpoint { methods: "GET", path: "/ivr/audio/{file}", media_type: "audio/wav (8 kHz mono)", caller: "máy chủ VoiceXML / the VoiceXML browser", summary: "Lời nhắc đã tổng hợp / A synthesized prompt" },
    OtherEndpoint { methods: "GET, POST", path: "/can-bo/dang-nhap", media_type: FORM, caller: "cán bộ / staff", summary: "Đăng nhập / Log in" },
    OtherEndpoint { methods: "POST", path: "/can-bo/dang-xuat", media_type: FORM, caller: STAFF, summary: "Đăng xuất / Log out" },
    OtherEndpoint { methods: "GET", path: "/can-bo", media_type: HTML, caller: STAFF, summary: "Hộp công việc / The inbox" },
    OtherEndpoint { methods: "GET", path: "/can-bo/muc/{code}", media_type: HTML, caller: STAFF, summary: "Một câu hỏi hoặc phản ánh / One question or feedback" },
    OtherEndpoint { methods: "POST", path: "/can-bo/muc/{code}/{action}", media_type: FORM, caller: STAFF, summary: "Xử lý một mục / Act on an item" },
    OtherEndpoint { methods: "GET, POST", path: "/can-bo/tai-khoan", media_type: FORM, caller: ADMIN, summary: "Tài khoản cán bộ / Staff accounts" },
    OtherEndpoint { methods: "POST", path: "/can-bo/tai-khoan/{id}", media_type: FORM, caller: ADMIN, summary: "Sửa một tài khoản / Change an account" },
    OtherEndpoint { methods: "GET, POST", path: "/can-bo/dinh-tuyen", media_type: FORM, caller: ADMIN, summary: "Quy tắc chuyển xử lý / Routing rules" },
    OtherEndpoint { methods: "GET, POST", path: "/can-bo/lich-lam-viec", media_type: FORM, caller: ADMIN, summary: "Lịch làm việc của một năm / The working calendar of a year" },
    OtherEndpoint { methods: "GET", path: "/can-bo/lich-lam-viec.csv", media_type: "text/csv", caller: ADMIN, summary: "Lịch làm việc dạng CSV / The working calendar as CSV" },
    OtherEndpoint { methods: "POST", path: "/can-bo/lich-lam-viec/nhap", media_type: FORM, caller: ADMIN, summary: "Nhập lịch làm việc từ CSV / Import the calendar from CSV" },
    OtherEndpoint { methods: "POST", path: "/can-bo/lich-lam-viec/{day}", media_type: FORM, caller: ADMIN, summary: "Sửa một ngày / Change a day" },
    OtherEndpoint { methods: "POST", path: "/can-bo/lich-lam-viec/{day}/xoa", media_type: FORM, caller: ADMIN, summary: "Xoá một ngày / Delete a day" },
    OtherEndpoint { methods: "GET", path: "/can-bo/co-quan", media_type: HTML, caller: ADMIN, summary: "Cơ quan và vòng đời của chúng / Agencies and their lifecycle" },
    OtherEndpoint { methods: "POST", path: "/can-bo/co-quan/nhap", media_type: FORM, caller: ADMIN, summary: "Nhập danh sách cơ quan từ CSV / Import agencies from CSV" },
    OtherEndpoint { methods: "GET, POST", path: "/can-bo/co-quan/{code}", media_type: FORM, caller: ADMIN, summary: "Một cơ quan: ngày mở, ngày đóng, đơn vị kế thừa / One agency's lifecycle" },
    OtherEndpoint { methods: "GET", path: "/can-bo/nhat-ky", media_type: HTML, caller: ADMIN, summary: "Nhật ký truy cập dữ liệu cá nhân và thay đổi / The audit log" },
    OtherEndpoint { methods: "GET", path: "/can-bo/nhat-ky.csv", media_type: "text/csv", caller: ADMIN, summary: "Nhật ký dạng CSV / The audit log as CSV" },
    OtherEndpoint { methods: "GET", path: "/can-bo/tong-dai", media_type: HTML, caller: OPERATOR, summary: "Bàn làm việc của tổng đài 1022 / The 1022 operators' console" },
    OtherEndpoint { methods: "GET", path: "/can-bo/tong-dai/ho-so/{code}", media_type: HTML, caller: OPERATOR, summary: "Hồ sơ để đọc cho người gọi / A dossier to read to a caller" },
    OtherEndpoint { methods: "POST", path: "/can-bo/tong-dai/ho-so/{code}/nhan-tin", media_type: FORM, caller: OPERATOR, summary: "Nhắn tình trạng hồ sơ cho người gọi / Text the status to the caller" },
    OtherEndpoint { methods: "POST", path: "/can-bo/tong-dai/cuoc-goi", media_type: FORM, caller: OPERATOR, summary: "Bắt đầu cuộc gọi / Start a call" },
    OtherEndpoint { methods: "POST", path: "/can-bo/tong-dai/cuoc-goi/{id}/ket-thuc", media_type: FORM, caller: OPERATOR, summary: "Kết thúc cuộc gọi / End a call" },
    OtherEndpoint { methods: "GET, POST", path: "/can-bo/tong-dai/ghi-nhan", media_type: FORM, caller: OPERATOR, summary: "Ghi nhận câu hỏi, phản ánh thay người gọi / File for a caller" },
];

/// `docs/api/other-endpoints.md`, written from [`OTHER_ENDPOINTS`].
pub fn other_endpoints_markdown() -> String {
    let mut page = String::from(
        "# Other endpoints\n\n\
         <!-- Written by `TRACUU_WRITE_DOCS=1 cargo test --lib openapi` from OTHER_ENDPOINTS in \
         src/openapi.rs; do not edit by hand. -->\n\n\
         Everything tracuu serves that is not the JSON API: pages, forms, files, and the \
         endpoints of Kannel and the VoiceXML browser. The JSON API is described by the OpenAPI \
         document (`/api/openapi.json`, [committed copy](openapi.json)) and its docs page \
         `/api/docs`. A test fails when a route is registered that is in neither.\n\n\
         | method | path | answers | caller | what |\n|---|---|---|---|---|\n",
    );
    for endpoint in OTHER_ENDPOINTS {
        page.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            endpoint.methods, endpoint.path, endpoint.media_type, endpoint.caller, endpoint.summary
        ));
    }
    page
}

/// Keys whose values describe rather than define: a change in them breaks no client.
const DESCRIPTIVE: &[&str] = &[
    "description",
    "summary",
    "example",
    "examples",
    "title",
    "externalDocs",
    "info",
    "servers",
    "deprecated",
    "tags",
];

/// What `new` removes or retypes from `old`, one line each naming where: a path, an operation,
/// a parameter, a response, a property, an enum value or a security scheme that disappeared, or
/// a `type`, `format`, `$ref` or `in` that changed. Additions are not listed: they keep clients
/// working.
pub fn compatibility(old: &Value, new: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    compare(old, new, "", &mut problems);
    problems
}

fn compare(old: &Value, new: &Value, at: &str, problems: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => {
            // A parameter or a request body that becomes required breaks the clients that omit it.
            if new.get("required") == Some(&Value::Bool(true))
                && old.get("required") != Some(&Value::Bool(true))
            {
                problems.push(format!("{at}: now required"));
            }
            for (key, old_value) in old {
                if DESCRIPTIVE.contains(&key.as_str()) || key.starts_with("x-") {
                    continue;
                }
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                let Some(new_value) = new.get(key) else {
                    problems.push(format!("{here}: removed"));
                    continue;
                };
                match key.as_str() {
                    "type" | "format" | "$ref" | "in" | "openapi" if old_value != new_value => {
                        problems.push(format!("{here}: {old_value} became {new_value}"));
                    }
                    "enum" | "required" if old_value.is_array() => {
                        for value in old_value.as_array().into_iter().flatten() {
                            if !new_value.as_array().is_some_and(|n| n.contains(value)) {
                                problems.push(format!("{here}: {value} removed"));
                            }
                        }
                    }
                    "parameters" => compare_parameters(old_value, new_value, &here, problems),
                    _ => compare(old_value, new_value, &here, problems),
                }
            }
        }
        (Value::Array(old), Value::Array(new)) => {
            for (index, old_value) in old.iter().enumerate() {
                match new.get(index) {
                    Some(new_value) => {
                        compare(old_value, new_value, &format!("{at}/{index}"), problems)
                    }
                    None => problems.push(format!("{at}/{index}: removed")),
                }
            }
        }
        _ => {}
    }
}

/// Parameters are matched by name and place, not by position.
fn compare_parameters(old: &Value, new: &Value, at: &str, problems: &mut Vec<String>) {
    let key = |p: &Value| (p["name"].clone(), p["in"].clone());
    let new_list = new.as_array().cloned().unwrap_or_default();
    for old_param in old.as_array().into_iter().flatten() {
        let here = format!(
            "{at}/{}({})",
            old_param["name"].as_str().unwrap_or("?"),
            old_param["in"].as_str().unwrap_or("?")
        );
        match new_list.iter().find(|p| key(p) == key(old_param)) {
            Some(new_param) => compare(old_param, new_param, &here, problems),
            None => problems.push(format!("{here}: removed")),
        }
    }
    for new_param in &new_list {
        let known = old
            .as_array()
            .is_some_and(|o| o.iter().any(|p| key(p) == key(new_param)));
        if !known && new_param["required"] == Value::Bool(true) {
            problems.push(format!(
                "{at}/{}({}): a new required parameter",
                new_param["name"].as_str().unwrap_or("?"),
                new_param["in"].as_str().unwrap_or("?")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const COMMITTED: &str = "docs/api/openapi.json";

    fn generated() -> Value {
        serde_json::from_str(&document_json()).unwrap()
    }

    /// The committed copy is what clients were promised. `TRACUU_WRITE_DOCS=1 cargo test --lib
    /// openapi` writes the generated document over it once the change is known to add only; a
    /// change that removes or retypes fails even then. Removing what was deprecated, after its
    /// period (docs/api.md, "Versions"), is done by deleting the committed copy first.
    #[test]
    fn the_document_removes_or_retypes_nothing_of_the_committed_copy() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
        let new = generated();
        let old: Option<Value> = std::fs::read_to_string(&path)
            .ok()
            .map(|text| serde_json::from_str(&text).unwrap());
        let problems = old
            .as_ref()
            .map_or_else(Vec::new, |old| compatibility(old, &new));
        assert!(
            problems.is_empty(),
            "the API document breaks /api/v1 compatibility with {COMMITTED}:\n{}",
            problems.join("\n")
        );
        if std::env::var_os("TRACUU_WRITE_DOCS").is_some() {
            std::fs::write(&path, document_json() + "\n").unwrap();
            return;
        }
        assert_eq!(
            old.as_ref(),
            Some(&new),
            "the API document has additions not yet in {COMMITTED}: regenerate it with \
             TRACUU_WRITE_DOCS=1 cargo test --lib openapi"
        );
    }

    #[test]
    fn the_document_is_openapi_3_1_with_every_error_code() {
        let doc = generated();
        assert_eq!(doc["openapi"], "3.1.0");
        let codes = &doc["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["enum"];
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(codes, &json!(names));
    }

    #[test]
    fn every_operation_has_an_id_summaries_and_answers() {
        let doc = generated();
        let mut ids = std::collections::BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let id = operation["operationId"].as_str().unwrap_or_default();
                assert!(
                    id.contains('_') && id == id.to_lowercase(),
                    "{method} {path}: operation id {id:?} is not verb_resource"
                );
                assert!(ids.insert(id.to_owned()), "operation id {id} used twice");
                let summary = operation["summary"].as_str().unwrap_or_default();
                assert!(
                    summary.contains(" / "),
                    "{method} {path}: the summary {summary:?} is not Vietnamese / English"
                );
                assert!(
                    operation["responses"]["500"].is_object(),
                    "{method} {path}: no 500 answer"
                );
                // utoipa takes scheme names as literals: each must be one the document declares.
                for requirement in operation["security"].as_array().into_iter().flatten() {
                    for scheme in requirement.as_object().unwrap().keys() {
                        assert!(
                            doc["components"]["securitySchemes"][scheme].is_object(),
                            "{method} {path}: unknown security scheme {scheme}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_removed_or_retyped_item_is_named_and_an_addition_passes() {
        let old = json!({
            "paths": {
                "/a": {"get": {
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "x"}}
                }},
                "/b": {"get": {}}
            },
            "components": {"schemas": {"S": {
                "type": "object",
                "properties": {"k": {"type": "string", "enum": ["x", "y"]}, "n": {"type": "integer"}}
            }}}
        });
        let mut new = old.clone();
        assert!(compatibility(&old, &new).is_empty());

        new["paths"]["/c"] = json!({"get": {}});
        new["components"]["schemas"]["S"]["properties"]["m"] = json!({"type": "string"});
        new["paths"]["/a"]["get"]["description"] = json!("changed words break nothing");
        assert!(compatibility(&old, &new).is_empty(), "additions pass");

        new["paths"].as_object_mut().unwrap().remove("/b");
        new["components"]["schemas"]["S"]["properties"]["k"]["enum"] = json!(["x"]);
        new["components"]["schemas"]["S"]["properties"]["n"]["type"] = json!("string");
        new["paths"]["/a"]["get"]["parameters"] =
            json!([{"name": "q", "in": "query", "required": true, "schema": {"type": "string"}}]);
        let problems = compatibility(&old, &new);
        assert_eq!(problems.len(), 4, "{problems:#?}");
        let text = problems.join("\n");
        assert!(text.contains("/paths/~1b: removed"), "{text}");
        assert!(
            text.contains("/components/schemas/S/properties/k/enum: \"y\" removed"),
            "{text}"
        );
        assert!(
            text.contains("/components/schemas/S/properties/n/type: \"integer\" became \"string\""),
            "{text}"
        );
        assert!(
            text.contains("/paths/~1a/get/parameters/q(query): now required"),
            "{text}"
        );
    }

    /// Every route a channel registers is either an operation of the document or one of the
    /// other endpoints: nothing a client can call is undocumented.
    #[test]
    fn every_registered_route_is_documented() {
        let doc = generated();
        let documented: Vec<String> = doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .chain(OTHER_ENDPOINTS.iter().map(|e| e.path.to_owned()))
            .collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/channels");
        let registered = registered_routes(&root);
        assert!(
            registered.len() > 60,
            "too few routes found: {registered:?}"
        );
        let missing: Vec<&String> = registered
            .iter()
            .filter(|route| !documented.iter().any(|d| route_matches(route, d)))
            .collect();
        assert!(
            missing.is_empty(),
            "registered but documented nowhere (add an operation to the API document or an \
             entry to OTHER_ENDPOINTS): {missing:?}"
        );
        for endpoint in OTHER_ENDPOINTS {
            assert!(
                registered
                    .iter()
                    .any(|route| route_matches(route, endpoint.path)),
                "OTHER_ENDPOINTS lists {} which no channel registers",
                endpoint.path
            );
        }
    }

    /// A registered route's `{name}` segments match any segment of a documented path.
    fn route_matches(route: &str, documented: &str) -> bool {
        let (a, b): (Vec<&str>, Vec<&str>) =
            (route.split('/').collect(), documented.split('/').collect());
        a.len() == b.len()
            && a.iter()
                .zip(&b)
                .all(|(r, d)| r == d || (r.starts_with('{') && r.ends_with('}')))
    }

    /// The path literals of `cfg.route(..)`, `web::resource(..)` and `(path, web::…)` tuples in
    /// the channels' sources, with a `web::scope("/x")` prefix where a file has one.
    fn registered_routes(dir: &std::path::Path) -> Vec<String> {
        let literal =
            regex::Regex::new(r#"(?:route|resource)\(\s*"(/[^"]*)"|\(\s*"(/[^"]*)"\s*,\s*web::"#)
                .unwrap();
        let scope = regex::Regex::new(r#"web::scope\("(/[^"]+)"\)"#).unwrap();
        let mut found = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                let prefix = scope.captures(code).map(|c| c[1].to_owned());
                for captures in literal.captures_iter(code) {
                    let route = captures.get(1).or(captures.get(2)).unwrap().as_str();
                    match &prefix {
                        Some(prefix) if !route.starts_with(prefix.as_str()) => {
                            found.push(format!("{prefix}{route}"))
                        }
                        _ => found.push(route.to_owned()),
                    }
                }
            }
        }
        found.sort();
        found.dedup();
        found
    }

    #[test]
    fn the_other_endpoints_page_is_written_from_the_list() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/api/other-endpoints.md");
        if std::env::var_os("TRACUU_WRITE_DOCS").is_some() {
            std::fs::write(&path, other_endpoints_markdown()).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap_or_default(),
            other_endpoints_markdown(),
            "docs/api/other-endpoints.md is stale: TRACUU_WRITE_DOCS=1 cargo test --lib openapi"
        );
    }
}
