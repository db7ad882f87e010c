//! The procedure catalogue as citizens browse it (the kiosk, today): tier or level → agency →
//! field → procedure, search that ignores diacritics, one procedure with the desk to file it at, and the
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

pub use crate::db::catalog::LevelRow;
pub use crate::db::kiosk::{
    AgencyDesk, BrowseAgency, ContactDesk, FieldCount, ProcedureDetail, ProcedureItem,
};

/// Longest search text accepted, in characters.
pub const SEARCH_MAX_CHARS: usize = 100;
/// Most words of a search that count.
pub const SEARCH_MAX_WORDS: usize = 8;
/// Most search results returned.
pub const SEARCH_LIMIT: i64 = 50;

/// Where to file a procedure when no one desk is named: any commune-level centre for a local
/// procedure (a district procedure of before 1 July 2025 included: districts no longer exist),
/// the provincial centre for a provincial one.
pub fn place_note(tier: Option<&str>) -> Option<&'static str> {
    match tier {
        Some("local") => Some(
            "Trung tâm Phục vụ hành chính công xã, phường, đặc khu nơi thuận tiện \
             (tiếp nhận không phụ thuộc nơi cư trú)",
        ),
        Some("province") => Some("Trung tâm Phục vụ hành chính công tỉnh"),
        _ => None,
    }
}

/// Where a phone continues with procedure `code`, under the public base URL `base`: the public
/// site's procedure page (`/thu-tuc/{code}`), with the agency the citizen browsed through, whose
/// desk it names.
pub fn phone_url(base: &str, code: &str, agency: Option<&AgencyCode>) -> String {
    let mut url = format!("{}/thu-tuc/{code}", base.trim_end_matches('/'));
    if let Some(agency) = agency {
        url.push_str("?co-quan=");
        url.push_str(agency.as_str());
    }
    url
}

/// How a procedure is filed, in Vietnamese, for its stored online level.
pub fn online_label(level: &str) -> &'static str {
    match level {
        "full" => "Nộp trực tuyến toàn trình",
        "partial" => "Nộp trực tuyến một phần",
        _ => "Nộp trực tiếp hoặc qua bưu điện",
    }
}

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

/// Alphabetical order for Vietnamese readers: letters compare by their base letter first, so
/// "Đất đai" sorts among the d's instead of after z (the database's C collation puts it there);
/// the text itself breaks ties.
fn sort_key(text: &str) -> (String, String) {
    (
        crate::domain::text::strip_diacritics(text).to_lowercase(),
        text.to_owned(),
    )
}

/// Words that name what an agency is rather than where: left out when agencies are put in the
/// order of their places, so "UBND xã Bình Sơn", "Phường Cẩm Thành" and "Đặc khu Lý Sơn" sort
/// as "bình sơn", "cẩm thành" and "lý sơn".
const AGENCY_WORDS: [&str; 8] = [
    "uy ban nhan dan ",
    "ubnd ",
    "trung tam phuc vu hanh chinh cong ",
    "bo phan mot cua ",
    "xa ",
    "phuong ",
    "dac khu ",
    "thi tran ",
];

/// The order of agencies by the name of their place (see [`AGENCY_WORDS`]), then by the whole
/// name.
pub fn place_key(name: &str) -> (String, String) {
    let mut folded = crate::domain::text::strip_diacritics(name).to_lowercase();
    while let Some(rest) = AGENCY_WORDS
        .iter()
        .find_map(|word| folded.strip_prefix(word))
    {
        folded = rest.trim_start().to_owned();
    }
    (folded, sort_key(name).0)
}

/// Which agencies a citizen asks for: a tier (`province`: the provincial people's committee and
/// departments; `local`: communes, wards, special zones) or one level of today. Both come from
/// `agency_levels`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LevelChoice {
    /// Every level of today of this tier.
    Tier(String),
    /// One level of today.
    Level(String),
}

impl LevelChoice {
    /// The tier asked for, if any.
    pub fn tier(&self) -> Option<&str> {
        match self {
            Self::Tier(tier) => Some(tier),
            Self::Level(_) => None,
        }
    }

    /// The level asked for, if any.
    pub fn level(&self) -> Option<&str> {
        match self {
            Self::Tier(_) => None,
            Self::Level(level) => Some(level),
        }
    }
}

/// The Vietnamese name of a tier, e.g. "Cấp xã" for `local`. Tiers are the schema's closed pair
/// (`agency_levels.tier`); the levels in each are data.
pub fn tier_label(tier: &str) -> &'static str {
    match tier {
        "province" => "Cấp tỉnh",
        _ => "Cấp xã",
    }
}

/// Reads `?tier=` / `?level=` against the levels of today in `levels` (historical levels such as
/// the district are not offered): at most one of them, `default` when neither is given.
/// `InvalidInput` naming the tiers and levels there are for anything else.
pub fn choose_level(
    levels: &[LevelRow],
    tier: Option<&str>,
    level: Option<&str>,
    default: Option<LevelChoice>,
) -> Result<LevelChoice, AppError> {
    let today: Vec<&LevelRow> = levels.iter().filter(|l| !l.historical).collect();
    let mut tiers: Vec<&str> = today.iter().map(|l| l.tier.as_str()).collect();
    tiers.sort_unstable();
    tiers.dedup();
    let chosen = match (
        tier.map(str::trim).filter(|t| !t.is_empty()),
        level.map(str::trim).filter(|l| !l.is_empty()),
    ) {
        (Some(tier), None) => tiers
            .iter()
            .find(|t| t.eq_ignore_ascii_case(tier))
            .map(|t| LevelChoice::Tier((*t).to_owned())),
        (None, Some(level)) => today
            .iter()
            .find(|l| l.code.eq_ignore_ascii_case(level))
            .map(|l| LevelChoice::Level(l.code.clone())),
        (None, None) => default,
        (Some(_), Some(_)) => None,
    };
    chosen.ok_or_else(|| {
        let tiers: Vec<String> = tiers
            .iter()
            .map(|t| format!("{t} ({})", tier_label(t)))
            .collect();
        let levels: Vec<String> = today
            .iter()
            .map(|l| format!("{} ({})", l.code, l.label_vi))
            .collect();
        AppError::with_message(
            Code::InvalidInput,
            format!(
                "Cấp không hợp lệ. Chọn một trong hai: tier là {}; hoặc level là {}.",
                tiers.join(", "),
                levels.join(", ")
            ),
        )
    })
}

/// The levels of every agency (historical ones included), in display order.
pub async fn level_rows(
    client: &impl deadpool_postgres::GenericClient,
) -> Result<Vec<LevelRow>, AppError> {
    db::catalog::level_rows(client).await.map_err(query_failed)
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
    /// Every level (historical ones included), in display order.
    pub async fn levels(&self) -> Result<Vec<LevelRow>, AppError> {
        level_rows(&self.client).await
    }

    /// Reads `?tier=` / `?level=` against the levels there are (see [`choose_level`]).
    pub async fn choose_level(
        &self,
        tier: Option<&str>,
        level: Option<&str>,
    ) -> Result<LevelChoice, AppError> {
        choose_level(&self.levels().await?, tier, level, None)
    }

    /// The living agencies of `choice` a citizen can browse (see
    /// [`db::kiosk::list_browse_agencies`]), optionally only the children of `parent`, in the
    /// order of their places ([`place_key`]).
    pub async fn list_agencies(
        &self,
        choice: &LevelChoice,
        parent: Option<&AgencyCode>,
    ) -> Result<Vec<BrowseAgency>, AppError> {
        let mut agencies = db::kiosk::list_browse_agencies(
            &self.client,
            choice.tier(),
            choice.level(),
            parent.map(AsRef::as_ref),
        )
        .await
        .map_err(query_failed)?;
        agencies.sort_by_cached_key(|a| place_key(&a.name));
        Ok(agencies)
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
        let mut fields = db::kiosk::list_fields(&self.client, &agency.code)
            .await
            .map_err(query_failed)?;
        fields.sort_by_cached_key(|f| sort_key(&f.field));
        Ok(fields)
    }

    /// The procedures of one `field` that `agency` settles, in Vietnamese alphabetical order.
    pub async fn list_procedures_in_field(
        &self,
        agency: &AgencyDesk,
        field: &str,
    ) -> Result<Vec<ProcedureItem>, AppError> {
        let mut found = db::kiosk::list_procedures_in_field(&self.client, &agency.code, field)
            .await
            .map_err(query_failed)?;
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

    /// One procedure and the place to file it: the receiving desk its catalogue entry names
    /// (a department-level procedure), else the desk of the agency the citizen `browsed` through
    /// (a commune, ward or special zone) when that agency settles it.
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
        let settled_here = match (&procedure.desk_agency_code, browsed) {
            (None, Some(agency)) => {
                db::kiosk::agency_settles(&self.client, agency.as_ref(), &procedure.item.code)
                    .await
                    .map_err(query_failed)?
            }
            _ => true,
        };
        let desk = match desk_code.filter(|_| settled_here) {
            Some(code) => db::kiosk::find_agency_desk(&self.client, &code)
                .await
                .map_err(query_failed)?,
            None => None,
        };
        Ok(ProcedureToFile { procedure, desk })
    }

    /// The desks citizens go to today (see [`db::kiosk::list_contact_desks`]): first the
    /// province-tier desks, the one receiving the most procedures (the provincial public
    /// administrative service centre) first; then every commune, ward and special-zone centre
    /// in the order of their places ([`place_key`]).
    pub async fn list_contact_desks(&self) -> Result<Vec<ContactDesk>, AppError> {
        let mut desks = db::kiosk::list_contact_desks(&self.client)
            .await
            .map_err(query_failed)?;
        desks.sort_by_cached_key(|d| {
            let province = d.tier == "province";
            (
                !province,
                if province { -d.receives } else { 0 },
                place_key(&d.desk.name),
            )
        });
        Ok(desks)
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
    fn places_sort_by_their_name_without_the_kind_of_agency() {
        let mut names = [
            "UBND xã Trà Bồng",
            "Phường Cẩm Thành",
            "Đặc khu Lý Sơn",
            "UBND xã Bình Sơn",
            "Trung tâm Phục vụ hành chính công xã An Phú",
        ];
        names.sort_by_cached_key(|n| place_key(n));
        assert_eq!(
            names,
            [
                "Trung tâm Phục vụ hành chính công xã An Phú",
                "UBND xã Bình Sơn",
                "Phường Cẩm Thành",
                "Đặc khu Lý Sơn",
                "UBND xã Trà Bồng",
            ]
        );
    }

    fn row(code: &str, tier: &str, historical: bool) -> LevelRow {
        LevelRow {
            code: code.into(),
            label_vi: format!("nhãn {code}"),
            label_en: code.into(),
            historical,
            tier: tier.into(),
        }
    }

    #[test]
    fn a_level_choice_is_a_tier_or_a_level_of_today_and_a_bad_one_names_those_there_are() {
        let levels = [
            row("department", "province", false),
            row("district", "local", true),
            row("commune", "local", false),
            row("hamlet", "local", false),
        ];
        assert_eq!(
            choose_level(&levels, Some("LOCAL"), None, None).unwrap(),
            LevelChoice::Tier("local".into())
        );
        assert_eq!(
            choose_level(&levels, None, Some(" hamlet "), None).unwrap(),
            LevelChoice::Level("hamlet".into())
        );
        assert_eq!(
            choose_level(
                &levels,
                None,
                None,
                Some(LevelChoice::Tier("province".into()))
            )
            .unwrap(),
            LevelChoice::Tier("province".into())
        );
        for (tier, level) in [
            (None, Some("district")),
            (Some("national"), None),
            (Some("local"), Some("commune")),
            (None, None),
        ] {
            let error = choose_level(&levels, tier, level, None).unwrap_err();
            let message = error.to_string();
            assert!(
                message.contains("commune (nhãn commune)")
                    && message.contains("hamlet (nhãn hamlet)")
                    && message.contains("local (Cấp xã)")
                    && !message.contains("district"),
                "{message}"
            );
        }
    }

    #[test]
    fn vietnamese_order_puts_d_with_stroke_among_the_ds() {
        let mut fields = ["Xây dựng", "Đất đai", "Dân số", "Y tế"];
        fields.sort_by_cached_key(|f| sort_key(f));
        assert_eq!(fields, ["Dân số", "Đất đai", "Xây dựng", "Y tế"]);
    }
}
