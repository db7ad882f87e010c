//! The procedure catalogue as citizens browse it (the kiosk, today): level → agency → field →
//! procedure, search that ignores diacritics, one procedure with the desk to file it at, and the
//! desks' contacts. Reads only: `sync` writes the catalogue. Named for what it serves, not for
//! the kiosk, so any channel can browse the same catalogue.
//!
//! Errors are service errors: "unavailable" when the database cannot be reached or the
//! connection was lost, our own failure otherwise ([`query_failed`]), and the not-found codes;
//! a channel maps them to its medium.

use deadpool_postgres::{Object, Pool};

use crate::db;
use crate::domain::text::{char_len, clean_line};
use crate::domain::{AgencyCode, ProcedureCode};
use crate::error::{AppError, Code};

pub use crate::db::kiosk::{
    AgencyDesk, BrowseAgency, FieldCount, ProcedureDetail, ProcedureItem, LEVELS,
};

/// Longest search text accepted, in characters.
pub const SEARCH_MAX_CHARS: usize = 100;
/// Most words of a search that count.
pub const SEARCH_MAX_WORDS: usize = 8;
/// Most search results returned.
pub const SEARCH_LIMIT: i64 = 50;

/// The catalogue service, over the primary's pool.
pub struct CatalogService {
    pool: Pool,
}

impl CatalogService {
    /// Wires the service over `pool`.
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// A reader over one pooled connection, which every read of one request shares;
    /// "unavailable" when the database cannot be reached.
    pub async fn reader(&self) -> Result<CatalogReader, AppError> {
        Ok(CatalogReader {
            client: connect(&self.pool).await?,
        })
    }
}

/// A pooled connection, or "unavailable" when the database cannot be reached. With
/// [`query_failed`], the one rule for how a read of the catalogue or of `quality`'s statistics
/// fails, so the two services answer alike.
pub async fn connect(pool: &Pool) -> Result<Object, AppError> {
    pool.get()
        .await
        .map_err(|e| AppError::unavailable(Some(e.into())))
}

/// A failed query: "unavailable" when the connection was lost, otherwise our own failure.
pub fn query_failed(error: anyhow::Error) -> AppError {
    let connection_lost = error.chain().any(|cause| {
        cause
            .downcast_ref::<tokio_postgres::Error>()
            .is_some_and(|pg| pg.is_closed() || pg.code().is_none())
    });
    if connection_lost {
        AppError::unavailable(Some(error))
    } else {
        AppError::internal(error)
    }
}

/// The words of a search, cleaned and escaped for `LIKE` (`\` is PostgreSQL's default escape).
fn search_words(raw: &str) -> Result<Vec<String>, AppError> {
    let cleaned = clean_line(raw);
    if char_len(&cleaned) > SEARCH_MAX_CHARS {
        return Err(AppError::with_message(
            Code::InvalidInput,
            format!("Từ khóa tìm kiếm dài quá {SEARCH_MAX_CHARS} ký tự."),
        ));
    }
    let words: Vec<String> = cleaned
        .split_whitespace()
        .take(SEARCH_MAX_WORDS)
        .map(|w| {
            w.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        })
        .collect();
    if words.is_empty() {
        return Err(AppError::with_message(
            Code::InvalidInput,
            "Vui lòng nhập từ khóa tìm kiếm (tên thủ tục, lĩnh vực hoặc mã thủ tục).",
        ));
    }
    Ok(words)
}

/// The level whose procedures an agency settles, from the levels table: an agency of the
/// province tier (the provincial UBND, a department) settles the procedures of its own level
/// that name it; an agency of a current local-tier level (xã, phường, đặc khu) settles, for its
/// own place, the procedures of its tier's first current level (`commune`); a historical one (a
/// district) those of its own level. `None` for a kind that is not a level.
fn level_of(agency: &AgencyDesk, levels: &[db::catalog::LevelRow]) -> Option<String> {
    let own = levels.iter().find(|l| l.code == agency.kind)?;
    if own.tier != "local" || own.historical {
        return Some(own.code.clone());
    }
    levels
        .iter()
        .find(|l| l.tier == "local" && !l.historical)
        .map(|l| l.code.clone())
}

/// Alphabetical order for Vietnamese readers: letters compare by their base letter first, so
/// "Đất đai" sorts among the d's instead of after z (the database's C collation puts it there);
/// the text itself breaks ties.
fn sort_key(text: &str) -> (String, String) {
    (
        crate::domain::text::strip_diacritics(text).to_lowercase(),
        text.to_owned(),
    )
}

/// One procedure with the desk where it is filed.
#[derive(Debug, Clone)]
pub struct ProcedureToFile {
    /// The procedure with its documents.
    pub procedure: ProcedureDetail,
    /// Where to file it, when the catalogue says (or the citizen browsed through a desk of the
    /// level that settles it).
    pub desk: Option<AgencyDesk>,
}

/// The catalogue read over one connection (see [`CatalogService::reader`]).
pub struct CatalogReader {
    client: Object,
}

impl CatalogReader {
    /// Every level of `agency_levels`, in order.
    async fn levels(&self) -> Result<Vec<db::catalog::LevelRow>, AppError> {
        db::catalog::level_rows(&self.client)
            .await
            .map_err(query_failed)
    }

    /// The agencies that settle procedures of `level` (one of [`LEVELS`]), optionally only the
    /// children of `parent` (the communes of one district), in code order.
    pub async fn list_agencies(
        &self,
        level: &str,
        parent: Option<&AgencyCode>,
    ) -> Result<Vec<BrowseAgency>, AppError> {
        db::kiosk::list_browse_agencies(&self.client, level, parent.map(AsRef::as_ref))
            .await
            .map_err(query_failed)
    }

    /// One agency with its desk; `AgencyNotFound` when there is none.
    pub async fn get_agency(&self, code: &AgencyCode) -> Result<AgencyDesk, AppError> {
        db::kiosk::find_agency_desk(&self.client, code.as_ref())
            .await
            .map_err(query_failed)?
            .ok_or_else(|| AppError::new(Code::AgencyNotFound))
    }

    /// The fields of the procedures `agency` settles, in Vietnamese alphabetical order.
    pub async fn list_fields(&self, agency: &AgencyDesk) -> Result<Vec<FieldCount>, AppError> {
        let mut fields = match level_of(agency, &self.levels().await?) {
            Some(level) => db::kiosk::list_fields(&self.client, &level, &agency.code)
                .await
                .map_err(query_failed)?,
            None => Vec::new(),
        };
        fields.sort_by_cached_key(|f| sort_key(&f.field));
        Ok(fields)
    }

    /// The procedures of one `field` that `agency` settles, in Vietnamese alphabetical order.
    pub async fn list_procedures_in_field(
        &self,
        agency: &AgencyDesk,
        field: &str,
    ) -> Result<Vec<ProcedureItem>, AppError> {
        let mut found = match level_of(agency, &self.levels().await?) {
            Some(level) => {
                db::kiosk::list_procedures_in_field(&self.client, &level, &agency.code, field)
                    .await
                    .map_err(query_failed)?
            }
            None => Vec::new(),
        };
        found.sort_by_cached_key(|p| sort_key(&p.name));
        Ok(found)
    }

    /// The procedures whose code, name or field contain every word of `text` (at most
    /// [`SEARCH_MAX_WORDS`] count), ignoring case and diacritics, best first, at most
    /// [`SEARCH_LIMIT`]. `InvalidInput` for a text without words or longer than
    /// [`SEARCH_MAX_CHARS`].
    pub async fn search(&self, text: &str) -> Result<Vec<ProcedureItem>, AppError> {
        let words = search_words(text)?;
        db::kiosk::search_procedures(&self.client, &words, SEARCH_LIMIT)
            .await
            .map_err(query_failed)
    }

    /// One procedure with its documents; `ProcedureNotFound` when there is none.
    pub async fn get_procedure(&self, code: &ProcedureCode) -> Result<ProcedureDetail, AppError> {
        db::kiosk::find_procedure(&self.client, code.as_ref())
            .await
            .map_err(query_failed)?
            .ok_or_else(|| AppError::new(Code::ProcedureNotFound))
    }

    /// One procedure and the place to file it: the receiving desk of a department-level
    /// procedure, else the desk of the district or commune the citizen `browsed` through when
    /// it settles this level.
    pub async fn get_procedure_to_file(
        &self,
        code: &ProcedureCode,
        browsed: Option<&AgencyCode>,
    ) -> Result<ProcedureToFile, AppError> {
        let procedure = self.get_procedure(code).await?;
        let desk_code = match (&procedure.desk_agency_code, browsed) {
            (Some(desk), _) => Some(desk.clone()),
            (None, Some(agency)) => Some(agency.as_ref().to_owned()),
            (None, None) => None,
        };
        let mut desk = match desk_code {
            Some(code) => db::kiosk::find_agency_desk(&self.client, &code)
                .await
                .map_err(query_failed)?,
            None => None,
        };
        if procedure.desk_agency_code.is_none() {
            let levels = self.levels().await?;
            desk =
                desk.filter(|d| level_of(d, &levels).as_deref() == procedure.item.level.as_deref());
        }
        Ok(ProcedureToFile { procedure, desk })
    }

    /// The desks with a phone number of the province, its departments and districts (commune
    /// desks are reached through their district), in code order.
    pub async fn list_contact_desks(&self) -> Result<Vec<AgencyDesk>, AppError> {
        db::kiosk::list_contact_desks(&self.client, &["province", "department", "district"])
            .await
            .map_err(query_failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_escape_like_wildcards_and_count_at_most_eight() {
        assert_eq!(
            search_words(" 50%  a_b c\\d ").unwrap(),
            ["50\\%", "a\\_b", "c\\\\d"]
        );
        assert_eq!(
            search_words(&"x ".repeat(20)).unwrap().len(),
            SEARCH_MAX_WORDS
        );
        assert!(search_words("   ").is_err());
        assert!(search_words(&"a".repeat(SEARCH_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn vietnamese_order_puts_d_with_stroke_among_the_ds() {
        let mut fields = ["Xây dựng", "Đất đai", "Dân số", "Y tế"];
        fields.sort_by_cached_key(|f| sort_key(f));
        assert_eq!(fields, ["Dân số", "Đất đai", "Xây dựng", "Y tế"]);
    }
}
