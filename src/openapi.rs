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
        channels::sync::Api::openapi(),
        channels::hotline::ivr::IvrApi::openapi(),
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
    /// openapi` writes the generated document over it, once the change is known to be compatible
    /// (or is a new version).
    #[test]
    fn the_document_removes_or_retypes_nothing_of_the_committed_copy() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
        let new = generated();
        if std::env::var_os("TRACUU_WRITE_DOCS").is_some() {
            std::fs::write(&path, document_json() + "\n").unwrap();
        }
        let old: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let problems = compatibility(&old, &new);
        assert!(
            problems.is_empty(),
            "the API document breaks /api/v1 compatibility with {COMMITTED}:\n{}",
            problems.join("\n")
        );
        assert_eq!(
            old, new,
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
}
