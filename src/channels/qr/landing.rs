//! `GET /q/{code}?k=<token>`: the page a phone opens after scanning a receipt's QR code. A valid
//! token shows the detailed view (docs/domain.md, personal data) with no further proof; a missing, truncated,
//! forged or outdated token falls back to the public view with a plain explanation; an unknown
//! code gets a page that helps (check the code, call the hotline). Server-rendered, no
//! JavaScript, inline CSS, well under 20 KB.

use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::page_cache::{self, StoredPage};
use super::QrState;
use crate::domain::DossierCode;
use crate::error::{AppError, Code};
use crate::http::pages::{render, with_retry_after, PageError};
use crate::http::{client_key, AppState};
use crate::lookup::qr_proof::{Notice, TokenState};
use crate::lookup::view::ServedFrom;
use crate::lookup::Lookup;

/// The query string. Other parameters (tracking tags that chat apps add) are ignored.
#[derive(Debug, Deserialize)]
pub struct LandingQuery {
    /// The token printed in the QR link.
    pub k: Option<String>,
}

#[derive(Serialize)]
struct LandingPage<'a> {
    province: &'a str,
    hotline: &'a str,
    dossier: Option<serde_json::Value>,
    plain: Option<&'static str>,
    notice: Option<Notice>,
    error: Option<PageError>,
    stale: bool,
    proof_rejected: bool,
    proof_locked: bool,
}

/// Where the dossier stands, in plain words, by national status code (docs/domain.md, statuses). The
/// detailed variant may point at the sections only the detailed view has.
pub fn plain_words(status: i64, detailed: bool) -> Option<&'static str> {
    Some(match (status, detailed) {
        (1, _) => "Hồ sơ đã được nộp và đang chờ Bộ phận Một cửa kiểm tra, tiếp nhận. Bạn chưa cần làm gì thêm.",
        (2, _) => "Hồ sơ đã được tiếp nhận và đang được chuyển đến cơ quan giải quyết. Bạn chưa cần làm gì thêm.",
        (3, _) => "Hồ sơ không được tiếp nhận giải quyết. Vui lòng liên hệ nơi nộp hồ sơ hoặc gọi đường dây nóng để biết lý do và cách nộp lại.",
        (4, _) => "Hồ sơ đang được cơ quan có thẩm quyền xem xét, giải quyết. Bạn chưa cần làm gì thêm; hãy theo dõi ngày hẹn trả kết quả.",
        (5, true) => "Cơ quan giải quyết cần bạn bổ sung giấy tờ. Hãy bổ sung theo danh sách dưới đây để hồ sơ được tiếp tục giải quyết.",
        (5, false) => "Cơ quan giải quyết cần bạn bổ sung giấy tờ để hồ sơ được tiếp tục giải quyết. Vui lòng liên hệ nơi nộp hồ sơ để biết giấy tờ cần bổ sung.",
        (6, _) => "Bạn cần nộp phí, lệ phí hoặc thực hiện nghĩa vụ tài chính để hồ sơ được tiếp tục giải quyết.",
        (7, _) => "Hồ sơ đã được rút theo yêu cầu của người nộp.",
        (8, _) => "Hồ sơ đã dừng xử lý. Vui lòng liên hệ nơi nộp hồ sơ để biết lý do.",
        (9, true) => "Hồ sơ đã có kết quả. Bạn có thể đến nhận kết quả tại nơi ghi dưới đây; nhớ mang theo giấy tiếp nhận.",
        (9, false) => "Hồ sơ đã có kết quả. Bạn có thể đến nhận kết quả tại nơi nộp hồ sơ; nhớ mang theo giấy tiếp nhận.",
        (10, _) => "Kết quả đã được trả. Hồ sơ đã hoàn tất.",
        _ => return None,
    })
}

/// The detailed view of a cached dossier with the database up: the one variant worth storing.
fn cacheable(lookup: &Lookup, token: TokenState) -> bool {
    token == TokenState::Valid
        && lookup.proof.unlocks_detail()
        && lookup.served_from == ServedFrom::Cache
        && lookup.database_up
}

fn html_page(body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// `GET /q/{code}?k=<token>`.
pub async fn show_landing_page(
    req: HttpRequest,
    code: web::Path<String>,
    app: web::Data<AppState>,
    qr: web::Data<QrState>,
) -> HttpResponse {
    let query = web::Query::<LandingQuery>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or(LandingQuery { k: None });
    let mut page = LandingPage {
        province: &app.settings.province.name,
        hotline: &app.settings.province.hotline,
        dossier: None,
        plain: None,
        notice: None,
        error: None,
        stale: false,
        proof_rejected: false,
        proof_locked: false,
    };
    let result = match DossierCode::parse(&code) {
        Err(e) => Err(AppError::invalid(Code::InvalidDossierCode, e)),
        Ok(code) => {
            let token = app.lookup.qr_token(&code, query.k.as_deref());
            if token != TokenState::Valid {
                tracing::info!(
                    lookup.code = %code,
                    qr.token = token.key(),
                    "QR landing for {code} without a valid token: {}",
                    token.key()
                );
            }
            let client = client_key(&req, &app.settings.http.trusted_proxies);
            let lookup = if token == TokenState::Valid {
                app.lookup.by_code_granted(&client, &code).await
            } else {
                app.lookup.by_code(&client, &code, None).await
            };
            lookup.map(|l| (l, token)).map_err(AppError::from)
        }
    };
    let (status, retry_after) = match result {
        Ok((lookup, token)) if cacheable(&lookup, token) => {
            if let Some(page) = qr.pages.get(&lookup.dossier) {
                return html_page(page.assemble());
            }
            let facts = lookup.facts().ok();
            page.plain = facts
                .as_ref()
                .and_then(|f| plain_words(f.public.status.code().into(), true));
            // The stored page leaves the timeliness to fill in when it is served.
            let mut dossier = facts.and_then(|f| serde_json::to_value(f).ok());
            if let Some(timeliness) = dossier.as_mut().map(|d| &mut d["timeliness"]) {
                timeliness["key"] = page_cache::KEY_MARK.to_string().into();
                timeliness["label"] = page_cache::LABEL_MARK.to_string().into();
            }
            page.dossier = dossier;
            match app.templates.render("qr/landing", &page) {
                Ok(html) => {
                    let stored = Arc::new(StoredPage::new(Arc::clone(&lookup.dossier), &html));
                    qr.pages.insert(Arc::clone(&stored));
                    return html_page(stored.assemble());
                }
                // Rendered again below, where a failure becomes the 500 page.
                Err(_) => (StatusCode::OK, None),
            }
        }
        Ok((lookup, token)) => {
            let detailed = lookup.proof.unlocks_detail();
            let facts = lookup.facts().ok();
            page.plain = facts
                .as_ref()
                .and_then(|f| plain_words(f.public.status.code().into(), detailed));
            page.dossier = facts.and_then(|f| serde_json::to_value(f).ok());
            page.stale = !lookup.database_up;
            page.notice = token.notice();
            (StatusCode::OK, None)
        }
        Err(error) => {
            error.log();
            page.error = Some(PageError::of(&error));
            (error.code.status(), error.retry_after)
        }
    };
    with_retry_after(render(&app, "qr/landing", &page, status), retry_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_national_status_has_plain_words_in_both_views() {
        for status in 1..=10 {
            for detailed in [false, true] {
                assert!(plain_words(status, detailed).is_some(), "{status}");
            }
        }
        assert!(plain_words(11, true).is_none());
        assert!(plain_words(5, false).is_some_and(|w| !w.contains("dưới đây")));
    }
}
