//! The administrator's routing rules: which agency handles a procedure at a level, listed and
//! set from one page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::error::AppError;
use crate::http::forms::{base, level_options, merge, respond, see_other, session_form};
use crate::http::pages::render;
use crate::http::AppState;
use crate::staff::{self, authorise, Role, StaffSession};

async fn routes_page(
    state: &AppState,
    session: &StaffSession,
    error: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let routes = staff::routes::list(&state.pool).await?;
    let agencies = state.intake.agencies().await?;
    let levels = level_options(state, None).await?;
    let page = merge(
        base(state, "Quy tắc chuyển xử lý", Some(session)),
        json!({
            "error": error,
            "routes": routes.iter().map(|r| json!({
                "procedure_code": r.procedure_code, "procedure_name": r.procedure_name,
                "level": r.level, "level_label": r.level_label, "historical": r.historical,
                "agency_code": r.agency_code, "agency_name": r.agency_name,
            })).collect::<Vec<_>>(),
            "levels": levels,
            "agencies": agencies.iter().map(|a| json!({"code": a.code, "name": a.name})).collect::<Vec<_>>(),
        }),
    );
    Ok(render(state, "staff/routes", &page, status))
}

/// `GET /can-bo/dinh-tuyen` (administrator): the routing rules.
pub async fn show_routes(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        routes_page(&state, &session, None, StatusCode::OK).await
    }
    .await;
    respond(&state, result)
}

/// The routing rule form.
#[derive(Debug, Deserialize)]
pub struct RouteForm {
    pub procedure_code: Option<String>,
    pub level: Option<String>,
    pub agency_code: Option<String>,
}

/// `POST /can-bo/dinh-tuyen` (administrator): sets who handles a procedure at a level.
pub async fn upsert_route(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let result = async {
        let session = authorise(&req, &state.pool, &[Role::Administrator]).await?;
        let input: RouteForm = session_form(&session, payload, 4096).await?;
        let set = staff::routes::set(
            &state.pool,
            input.procedure_code.as_deref().unwrap_or(""),
            input.level.as_deref().unwrap_or(""),
            input.agency_code.as_deref().unwrap_or(""),
        )
        .await?;
        match set {
            Ok(()) => Ok(see_other("/can-bo/dinh-tuyen")),
            Err(message) => {
                routes_page(&state, &session, Some(&message), StatusCode::BAD_REQUEST).await
            }
        }
    }
    .await;
    respond(&state, result)
}
