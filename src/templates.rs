//! The handlebars registry: strict mode, HTML escaping, templates embedded in the binary so it
//! runs from any directory, and the date helpers Vietnamese pages need.

use chrono::DateTime;
use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};

const TEMPLATES: &[(&str, &str)] = &[
    ("style", include_str!("../templates/partials/style.hbs")),
    ("head", include_str!("../templates/partials/head.hbs")),
    ("foot", include_str!("../templates/partials/foot.hbs")),
    (
        "lookup_form",
        include_str!("../templates/partials/lookup_form.hbs"),
    ),
    ("dossier", include_str!("../templates/partials/dossier.hbs")),
    (
        "agency_now",
        include_str!("../templates/partials/agency_now.hbs"),
    ),
    ("qr/landing", include_str!("../templates/qr/landing.hbs")),
    (
        "receipt/form01",
        include_str!("../templates/receipt/form01.hbs"),
    ),
    (
        "pages/lookup",
        include_str!("../templates/pages/lookup.hbs"),
    ),
    ("errors/page", include_str!("../templates/errors/page.hbs")),
    (
        "pages/procedure",
        include_str!("../templates/pages/procedure.hbs"),
    ),
    ("staff_nav", include_str!("../templates/staff/nav.hbs")),
    (
        "staff_head",
        include_str!("../templates/staff/layout_head.hbs"),
    ),
    (
        "staff_foot",
        include_str!("../templates/staff/layout_foot.hbs"),
    ),
    ("staff/error", include_str!("../templates/staff/error.hbs")),
    (
        "feedback/form",
        include_str!("../templates/feedback/form.hbs"),
    ),
    (
        "feedback/submitted",
        include_str!("../templates/feedback/submitted.hbs"),
    ),
    (
        "feedback/track",
        include_str!("../templates/feedback/track.hbs"),
    ),
    (
        "feedback/list",
        include_str!("../templates/feedback/list.hbs"),
    ),
    (
        "feedback/item",
        include_str!("../templates/feedback/item.hbs"),
    ),
    ("staff/login", include_str!("../templates/staff/login.hbs")),
    ("staff/inbox", include_str!("../templates/staff/inbox.hbs")),
    ("staff/item", include_str!("../templates/staff/item.hbs")),
    (
        "staff/accounts",
        include_str!("../templates/staff/accounts.hbs"),
    ),
    (
        "staff/routes",
        include_str!("../templates/staff/routes.hbs"),
    ),
    (
        "staff/calendar",
        include_str!("../templates/staff/calendar.hbs"),
    ),
    (
        "staff/agencies",
        include_str!("../templates/staff/agencies.hbs"),
    ),
    (
        "staff/agency",
        include_str!("../templates/staff/agency.hbs"),
    ),
    ("ivr_say", include_str!("../templates/ivr/say.hbs")),
    ("ivr/menu", include_str!("../templates/ivr/menu.hbs")),
    ("ivr/ask", include_str!("../templates/ivr/ask.hbs")),
    ("ivr/result", include_str!("../templates/ivr/result.hbs")),
    ("ivr/info", include_str!("../templates/ivr/info.hbs")),
    (
        "ivr/transfer",
        include_str!("../templates/ivr/transfer.hbs"),
    ),
    ("ivr/goodbye", include_str!("../templates/ivr/goodbye.hbs")),
    (
        "hotline_call",
        include_str!("../templates/hotline/call.hbs"),
    ),
    (
        "hotline_items",
        include_str!("../templates/hotline/items.hbs"),
    ),
    (
        "hotline_keys",
        include_str!("../templates/hotline/keys.hbs"),
    ),
    (
        "hotline/console",
        include_str!("../templates/hotline/console.hbs"),
    ),
    (
        "hotline/dossier",
        include_str!("../templates/hotline/dossier.hbs"),
    ),
    (
        "hotline/file",
        include_str!("../templates/hotline/file.hbs"),
    ),
    ("staff/audit", include_str!("../templates/staff/audit.hbs")),
];

/// Builds the registry; a template that does not compile fails start-up.
pub fn registry() -> anyhow::Result<Handlebars<'static>> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.set_dev_mode(false);
    for (name, source) in TEMPLATES {
        hb.register_template_string(name, source)?;
    }
    hb.register_helper("vn_datetime", Box::new(vn_datetime));
    Ok(hb)
}

/// `{{vn_datetime "2026-11-20T14:30:00+07:00"}}` → `14:30 ngày 20/11/2026` (Vietnam time).
fn vn_datetime(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let raw = h
        .param(0)
        .and_then(|p| p.value().as_str())
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("vn_datetime", 0))?;
    match DateTime::parse_from_rfc3339(raw) {
        Ok(at) => {
            let local = at.with_timezone(&crate::domain::vn_offset());
            out.write(&local.format("%H:%M ngày %d/%m/%Y").to_string())?;
        }
        Err(_) => out.write(&handlebars::html_escape(raw))?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        registry().expect("templates compile");
    }

    #[test]
    fn dates_are_shown_in_vietnam_time() {
        let hb = registry().expect("registry");
        let out = hb
            .render_template(
                "{{vn_datetime at}}",
                &serde_json::json!({"at": "2026-11-20T07:30:00Z"}),
            )
            .expect("render");
        assert_eq!(out, "14:30 ngày 20/11/2026");
    }
}

#[cfg(test)]
mod page_tests {
    use super::*;
    use serde_json::{json, Value};

    /// A lookup page context with a public view; tests add or change fields.
    fn page_with_public_view() -> Value {
        json!({
            "province": "Tỉnh A", "hotline": "1022", "query": "x", "phone4": "",
            "error": null, "stale": false, "proof_rejected": false, "proof_locked": false,
            "dossier": {
                "code": "H48-260101-0001", "lookup_number_display": "1234 5678 90",
                "status": {"code": 4, "label": "Đang xử lý"},
                "timeliness": {"key": "on_time", "label": "Đúng hạn"},
                "procedure": {"code": "1.000001", "name": "Thủ tục", "field": "Hộ tịch"},
                "applicant": "Nguyễn V. A.",
                "receiving_agency": {"name": "UBND"}, "handling_agency": {"name": "UBND"},
                "channel": {"label": "Trực tiếp"},
                "received_at": "2026-01-01T08:00:00+07:00", "due_at": null,
                "finished_at": null, "returned_at": null,
                "freshness": {"synced_at": "2026-01-01T08:00:00+07:00"}
            }
        })
    }

    #[test]
    fn the_lookup_page_renders_a_detailed_dossier_without_a_supplement() {
        let mut page = page_with_public_view();
        let dossier = &mut page["dossier"];
        dossier["timeline"] = json!([{"at": "2026-01-01T08:00:00+07:00", "step": "Tiếp nhận",
            "status": {"label": "Được tiếp nhận"}, "agency": null, "note": null}]);
        dossier["supplement"] = Value::Null;
        dossier["collect_result"] = json!({"agency": "UBND", "address": null, "hours": null,
            "phone": null, "from": null});
        let html = registry()
            .expect("registry")
            .render("pages/lookup", &page)
            .expect("renders");
        assert!(html.contains("Quá trình xử lý"));
        assert!(!html.contains("Giấy tờ cần bổ sung"));
        assert!(html.contains("Chưa có"), "no due date yet");
    }

    #[test]
    fn the_lookup_page_renders_a_public_view_that_has_no_detail_fields() {
        let mut page = page_with_public_view();
        page["stale"] = json!(true);
        page["proof_rejected"] = json!(true);
        let html = registry()
            .expect("registry")
            .render("pages/lookup", &page)
            .expect("renders");
        assert!(!html.contains("Quá trình xử lý"));
        assert!(html.contains("không khớp"));
        assert!(html.contains("mất kết nối"));
    }
}
