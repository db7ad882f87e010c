//! The routing rules administrators keep: which agency handles a procedure at a level, so a
//! submission that names the procedure (and level) goes straight to that agency. The levels are
//! rows of `agency_levels`; a rule is set only at a level of today, and rules at the historical
//! district level stay for the record but route nothing.

use deadpool_postgres::Pool;

use super::connect;
use crate::db;
use crate::db::intake::RouteRow;
use crate::domain::{AgencyCode, ProcedureCode};
use crate::error::AppError;

/// Every rule, by procedure and level.
pub async fn list(pool: &Pool) -> Result<Vec<RouteRow>, AppError> {
    let client = connect(pool).await?;
    db::intake::list_routes(&client, None)
        .await
        .map_err(AppError::internal)
}

/// Sets who handles `procedure_code` at `level` (raw form values). `Ok(Err(message))` is a
/// refusal in Vietnamese for the form: a malformed code, a level that is not one of today, a
/// procedure or agency not in the catalog, or an agency that no longer receives dossiers.
pub async fn set(
    pool: &Pool,
    procedure_code: &str,
    level: &str,
    agency_code: &str,
) -> Result<Result<(), String>, AppError> {
    let client = connect(pool).await?;
    let checked: Result<(String, String, String), String> = async {
        let procedure = ProcedureCode::parse(procedure_code).map_err(|e| e.message())?;
        let procedure = procedure.national().to_owned();
        let levels = db::catalog::level_rows(&client)
            .await
            .map_err(|e| e.to_string())?;
        match levels.iter().find(|l| l.code == level) {
            Some(l) if !l.historical => {}
            Some(l) => {
                return Err(format!(
                    "Cấp “{}” không còn; quy tắc cũ được giữ để tra cứu nhưng không thêm mới.",
                    l.label_vi
                ))
            }
            None => return Err("Cấp giải quyết không có trong danh mục.".to_owned()),
        }
        let agency = AgencyCode::parse(agency_code).map_err(|e| e.message())?;
        let agency = agency.as_str().to_owned();
        if !db::intake::procedure_exists(&client, &procedure)
            .await
            .map_err(|e| e.to_string())?
        {
            return Err(format!("Thủ tục {procedure} không có trong danh mục."));
        }
        match db::intake::agency_living(&client, &agency)
            .await
            .map_err(|e| e.to_string())?
        {
            Some(true) => {}
            Some(false) => {
                return Err(format!(
                    "Cơ quan {agency} đã ngừng tiếp nhận (đã sáp nhập hoặc giải thể)."
                ))
            }
            None => return Err(format!("Cơ quan {agency} không có trong danh mục.")),
        }
        Ok((procedure, level.to_owned(), agency))
    }
    .await;
    let (procedure, level, agency) = match checked {
        Ok(rule) => rule,
        Err(message) => return Ok(Err(message)),
    };
    db::intake::upsert_route(&client, &procedure, &level, &agency)
        .await
        .map_err(AppError::internal)?;
    Ok(Ok(()))
}
