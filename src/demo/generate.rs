//! Pure, deterministic generation of the demo province: its agencies, its procedure catalogue and a
//! lazy stream of dossiers with their timelines. No I/O happens here. Randomness comes from the
//! SplitMix64 generator below, never from a crate, so a seed gives byte-identical data forever;
//! only the caller's due-date function (the working calendar) can change the output.
//!
//! How a dossier is made: a *plan* (procedure, agencies, channel, outcome, supplements, lateness,
//! durations) is drawn, laid out as a timeline on a Monday–Friday 07:00–11:30 / 13:30–17:00 clock
//! (Vietnam time), and cut at `until`: whatever has not happened by then has not happened, so old
//! dossiers are finished and recent ones are still open, and no time ever lies after `until`.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};

use super::names::{self, FieldSpec, Level, ProcSpec};
use crate::domain::{
    AgencyCode, Channel, DomainError, Dossier, DossierCode, DossierEvent, PhoneNumber,
    ProcedureCode, Status,
};

/// A value the generator built itself, parsed into its domain type. The generator's formats are
/// fixed (codes, phones, status and channel numbers from its own tables) and its tests parse every
/// one of them, so a failure is a bug in this file, never bad input.
fn generated<T>(parsed: Result<T, DomainError>) -> T {
    match parsed {
        Ok(value) => value,
        Err(error) => panic!("the demo generator built an invalid value: {error}"),
    }
}

/// QCVN 102:2016 code of the demo province (Quảng Ngãi).
pub const H_CODE: &str = "H48";

/// Number of fixed showcase dossiers at the head of every [`dossiers`] stream.
pub const SHOWCASE_COUNT: usize = 15;

/// First dossier-code sequence number used by the showcase; the stream never uses
/// `SHOWCASE_SEQ_BASE + 1 ..= SHOWCASE_SEQ_BASE + SHOWCASE_COUNT`, so the showcase can be found
/// again by its code suffix.
pub const SHOWCASE_SEQ_BASE: u32 = 9000;

/// Length of the period the stream covers, in days before `until` (about 18 months).
const WINDOW_DAYS: i64 = 548;

/// Showcase dossiers are received within this many days before `until`.
const SHOWCASE_DAYS: i64 = 60;

/// Pre-reform showcase dossiers are received within this many days before the reform.
const SHOWCASE_DAYS_BEFORE_REFORM: i64 = 120;

/// Share (per mille) of the dossiers a merged-in province's agency received before the reform,
/// among those of the procedures it could receive.
const KON_TUM_PERMILLE: u32 = 200;

// ---------------------------------------------------------------------------------------------
// Public data types
// ---------------------------------------------------------------------------------------------

/// An agency (cơ quan) with its one-stop desk, coded per QĐ 20/2020/QĐ-TTg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAgency {
    /// Agency code, e.g. `000.00.21.H48`.
    pub code: String,
    /// Parent agency code; `None` only for the provincial UBND.
    pub parent_code: Option<String>,
    /// Its level: `province`, `department`, `commune`, `ward`, `special_zone`, or the historical
    /// `district`.
    pub kind: &'static str,
    /// Full name, e.g. "Ủy ban nhân dân huyện Bình Sơn".
    pub name: String,
    /// Street address of the one-stop desk (Bộ phận Một cửa).
    pub desk_address: String,
    /// Landline of the desk, e.g. `0255 3822 123`.
    pub desk_phone: String,
    /// Opening hours of the desk in Vietnamese.
    pub desk_hours: String,
    /// First day it received dossiers; `None` when it predates the data set.
    pub valid_from: Option<NaiveDate>,
    /// First day it no longer received dossiers (1 July 2025 for the abolished and merged-in
    /// agencies); `None` while open.
    pub valid_until: Option<NaiveDate>,
    /// Codes of the agencies that took over from it (empty while open).
    pub successors: Vec<String>,
}

/// An administrative procedure of the demo catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoProcedure {
    /// National-style code `N.NNNNNN`, unique within the catalogue.
    pub code: String,
    /// Procedure name.
    pub name: String,
    /// Field (lĩnh vực), e.g. "Hộ tịch".
    pub field: String,
    /// Legal processing time in working days (0 = same day).
    pub processing_days: i32,
    /// Fee in VND: `Some(0)` free, `None` when it varies (see `fee_note`).
    pub fee_vnd: Option<i64>,
    /// How the fee is charged, in Vietnamese.
    pub fee_note: Option<String>,
    /// Online service level: `full`, `partial` or `none`.
    pub online_level: &'static str,
    /// Level that settles it today: `department` or `commune` (a commune-level procedure is
    /// settled by every living commune, ward and special zone for its own place).
    pub level: &'static str,
    /// Level that settled it before 1 July 2025: `department`, `district` or `commune`.
    pub level_before_reform: &'static str,
    /// For department-level procedures, the department that settles them.
    pub agency_code: Option<String>,
    /// For department-level procedures, the desk that receives them (the department itself or the
    /// provincial public administrative service centre).
    pub desk_agency_code: Option<String>,
    /// Relative dossier volume (higher = more dossiers).
    pub popularity: u32,
    /// The documents its dossier consists of (thành phần hồ sơ), with the number of copies.
    pub documents: Vec<(String, i32)>,
}

/// The demo province: agencies (parents before children) and procedures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoProvince {
    /// QCVN 102:2016 province code, `H48`.
    pub h_code: String,
    /// Display name, marked as sample data.
    pub name: String,
    /// Parents first: the provincial UBND and its 20 departments; the 10 districts and 100
    /// communes closed on 1 July 2025; the 96 commune-level units since then; the merged-in Kon Tum
    /// agencies under their closed codes.
    pub agencies: Vec<DemoAgency>,
    /// The procedure catalogue.
    pub procedures: Vec<DemoProcedure>,
}

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

/// SplitMix64 (Steele, Lea, Flood 2014). Written out here so that no crate upgrade can change the
/// generated data.
#[derive(Debug, Clone)]
struct Rng(u64);

/// Stream selectors, so that the province, the showcase and the stream draw independently.
const STREAM_PROVINCE: u64 = 1;
const STREAM_DOSSIERS: u64 = 2;
const STREAM_TIMES: u64 = 3;
const STREAM_SHOWCASE: u64 = 4;
const STREAM_REFORM: u64 = 5;

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        rng
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (multiply-shift; `n` = 0 gives 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..hi` (`lo` when the range is empty).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64) as i64
    }

    /// True with probability `p`/1000.
    fn permille(&mut self, p: u32) -> bool {
        self.below(1000) < u64::from(p)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Index into a cumulative weight table for a uniform draw.
fn pick_cumulative(rng: &mut Rng, cumulative: &[u64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0);
    let x = rng.below(total);
    cumulative.partition_point(|&c| c <= x)
}

// ---------------------------------------------------------------------------------------------
// Working clock: Monday–Friday, 07:00–11:30 and 13:30–17:00 in UTC+7, no holidays
// ---------------------------------------------------------------------------------------------

const TZ: i64 = 7 * 3600;
const DAY: i64 = 86_400;
const AM_START: i64 = 7 * 3600;
const AM_LEN: i64 = 4 * 3600 + 1800;
const PM_START: i64 = 13 * 3600 + 1800;
const PM_END: i64 = 17 * 3600;
const WORK_DAY: i64 = 8 * 3600;
const HOUR: i64 = 3600;

/// Local (UTC+7) day number since 1970-01-01.
fn local_day(secs: i64) -> i64 {
    (secs + TZ).div_euclid(DAY)
}

/// Monday = 0 … Sunday = 6 for a local day number (day 0 was a Thursday).
fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// Working seconds elapsed before 00:00 of a local day.
fn day_start_ws(day: i64) -> i64 {
    let d = day + 3;
    (d.div_euclid(7) * 5 + d.rem_euclid(7).min(5)) * WORK_DAY
}

/// Working seconds since the clock's origin at a Unix time (non-decreasing; constant outside
/// working hours).
fn to_ws(secs: i64) -> i64 {
    let day = local_day(secs);
    let base = day_start_ws(day);
    if weekday(day) >= 5 {
        return base;
    }
    let sod = (secs + TZ).rem_euclid(DAY);
    let offset = if sod <= AM_START {
        0
    } else if sod < AM_START + AM_LEN {
        sod - AM_START
    } else if sod <= PM_START {
        AM_LEN
    } else if sod < PM_END {
        AM_LEN + sod - PM_START
    } else {
        WORK_DAY
    };
    base + offset
}

/// The Unix time of a working-second value; always inside working hours, and
/// `to_ws(from_ws(w)) == w`.
fn from_ws(ws: i64) -> i64 {
    let wd = ws.div_euclid(WORK_DAY);
    let off = ws.rem_euclid(WORK_DAY);
    let day = wd.div_euclid(5) * 7 + wd.rem_euclid(5) - 3;
    let sod = if off < AM_LEN {
        AM_START + off
    } else {
        PM_START + off - AM_LEN
    };
    day * DAY + sod - TZ
}

fn utc(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `yyMMdd` of a local day number.
fn yymmdd(day: i64) -> [u8; 6] {
    use chrono::Datelike as _;
    let date = i32::try_from(day + 719_163)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or_default();
    let parts = [date.year().rem_euclid(100) as u32, date.month(), date.day()];
    let mut out = [b'0'; 6];
    for (i, part) in parts.into_iter().enumerate() {
        out[2 * i] = b'0' + (part / 10) as u8;
        out[2 * i + 1] = b'0' + (part % 10) as u8;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Province
// ---------------------------------------------------------------------------------------------

/// Builds the demo province: Quảng Ngãi (`H48`) as it is since 1 July 2025, with its history.
///
/// - the provincial UBND and 20 departments (`000.00.00.H48` … `000.00.20.H48`, among them the
///   provincial public administrative service centre `000.00.16.H48`);
/// - the 96 commune-level units since 1 July 2025 (`000.NN.40.H48`, see [`new_unit_code`]), each
///   with its Trung tâm Phục vụ hành chính công as desk;
/// - the 10 districts (`000.00.21.H48` … `000.00.30.H48`) and their 100 communes
///   (`000.ZZ.YY.H48`) abolished that day, closed with their successors among the new units;
/// - a few agencies of the merged-in Kon Tum province under their closed `H35` codes.
///
/// And a catalogue of about 160 procedures at their post-reform levels. The seed only moves street
/// numbers, desk phones and procedure codes; names and structure are fixed. The agencies that
/// existed before the reform draw exactly what they drew before it was modelled, so their desks
/// and every procedure code stay what they were for a seed.
pub fn province(seed: u64) -> DemoProvince {
    let mut rng = Rng::new(seed, STREAM_PROVINCE);
    let mut phones: Vec<u32> = Vec::new();
    let mut phone = |rng: &mut Rng, area: &str| loop {
        let n = 3_700_000 + rng.below(200_000) as u32;
        if !phones.contains(&n) {
            phones.push(n);
            return format!("{area} {} {:03}", n / 1000, n % 1000);
        }
    };
    let reform = reform_date();
    let province_code = agency_code(0, 0);
    // Where an old ward of the provincial capital lies today.
    let city_ward_now = |i: usize| names::OLD_COMMUNE_SUCCESSORS[0][i];
    let mut agencies = Vec::with_capacity(240);
    let living = |code: String,
                  parent: Option<String>,
                  kind: &'static str,
                  name: String,
                  address: String,
                  phone: String| {
        DemoAgency {
            code,
            parent_code: parent,
            kind,
            name,
            desk_address: address,
            desk_phone: phone,
            desk_hours: names::DESK_HOURS.to_owned(),
            valid_from: None,
            valid_until: None,
            successors: Vec::new(),
        }
    };
    agencies.push(living(
        province_code.clone(),
        None,
        "province",
        "Ủy ban nhân dân tỉnh Quảng Ngãi".to_owned(),
        format!(
            "Số 52 Hùng Vương, phường {}, tỉnh Quảng Ngãi",
            city_ward_now(0)
        ),
        phone(&mut rng, names::AREA_CODE),
    ));
    for (i, dept) in names::DEPARTMENTS.iter().enumerate() {
        let ward = city_ward_now(rng.below(9) as usize);
        let address = format!(
            "Số {} {}, phường {ward}, tỉnh Quảng Ngãi",
            rng.range(1, 300),
            rng.pick(&names::STREETS)
        );
        agencies.push(living(
            agency_code(0, i as u32 + 1),
            Some(province_code.clone()),
            "department",
            dept.name.to_owned(),
            address,
            phone(&mut rng, names::AREA_CODE),
        ));
    }
    let closed = |mut agency: DemoAgency, successors: Vec<String>| {
        agency.valid_until = Some(reform);
        agency.successors = successors;
        agency
    };
    let unit_code = |name: &str| {
        names::NEW_UNITS
            .iter()
            .position(|(_, n, _)| *n == name)
            .map(new_unit_code)
            .unwrap_or_else(|| panic!("the demo names no new unit {name}"))
    };
    for (i, district) in names::DISTRICTS.iter().enumerate() {
        let (seat_kind, seat) = district.communes[0];
        let address = format!(
            "Số {} {}, {seat_kind} {seat}, {} {}, tỉnh Quảng Ngãi",
            rng.range(1, 200),
            rng.pick(&names::STREETS),
            district.kind,
            district.name
        );
        let mut successors: Vec<String> = Vec::new();
        for name in names::OLD_COMMUNE_SUCCESSORS[i] {
            let code = unit_code(name);
            if !successors.contains(&code) {
                successors.push(code);
            }
        }
        agencies.push(closed(
            living(
                agency_code(0, 21 + i as u32),
                Some(province_code.clone()),
                "district",
                format!("Ủy ban nhân dân {} {}", district.kind, district.name),
                address,
                phone(&mut rng, names::AREA_CODE),
            ),
            successors,
        ));
    }
    for (i, district) in names::DISTRICTS.iter().enumerate() {
        for (j, (kind, name)) in district.communes.iter().enumerate() {
            let place = if *kind == "xã" {
                format!("Thôn {}", rng.pick(&names::VILLAGES))
            } else {
                format!("Số {} {}", rng.range(1, 150), rng.pick(&names::STREETS))
            };
            agencies.push(closed(
                living(
                    agency_code(j as u32 + 1, 21 + i as u32),
                    Some(agency_code(0, 21 + i as u32)),
                    "commune",
                    format!("Ủy ban nhân dân {kind} {name}"),
                    format!(
                        "{place}, {kind} {name}, {} {}, tỉnh Quảng Ngãi",
                        district.kind, district.name
                    ),
                    phone(&mut rng, names::AREA_CODE),
                ),
                vec![unit_code(names::OLD_COMMUNE_SUCCESSORS[i][j])],
            ));
        }
    }

    let mut used: Vec<u64> = Vec::with_capacity(names::PROCEDURES.len());
    let procedures = names::PROCEDURES
        .iter()
        .map(|spec| {
            let code = loop {
                let lead = match rng.below(20) {
                    0 => 3,
                    1..=5 => 2,
                    _ => 1,
                };
                let key = lead * 1_000_000 + 1 + rng.below(12_999);
                if !used.contains(&key) {
                    used.push(key);
                    break format!("{lead}.{:06}", key % 1_000_000);
                }
            };
            demo_procedure(spec, code)
        })
        .collect();

    // What the reform added draws from a stream of its own, so the rest above stays as it was.
    let mut rng = Rng::new(seed, STREAM_REFORM);
    for (i, (kind, name, _)) in names::NEW_UNITS.iter().enumerate() {
        let place = if *kind == "phường" {
            format!("Số {} {}", rng.range(1, 300), rng.pick(&names::STREETS))
        } else {
            format!("Thôn {}", rng.pick(&names::VILLAGES))
        };
        let mut unit = living(
            new_unit_code(i),
            Some(province_code.clone()),
            match *kind {
                "phường" => "ward",
                "đặc khu" => "special_zone",
                _ => "commune",
            },
            format!("Ủy ban nhân dân {kind} {name}"),
            format!(
                "Trung tâm Phục vụ hành chính công {kind} {name}, {place}, {kind} {name}, \
                 tỉnh Quảng Ngãi"
            ),
            phone(&mut rng, names::AREA_CODE),
        );
        unit.valid_from = Some(reform);
        agencies.push(unit);
    }
    let kon_tum = |y: u32| format!("000.00.{y:02}.{}", names::KON_TUM_H_CODE);
    for agency in &names::KON_TUM {
        let successors = agency
            .successor_departments
            .iter()
            .map(|&n| agency_code(0, n))
            .chain(agency.successor_units.iter().map(|name| unit_code(name)))
            .collect();
        agencies.push(closed(
            living(
                kon_tum(agency.y),
                (agency.y != 0).then(|| kon_tum(0)),
                agency.kind,
                agency.name.to_owned(),
                agency.seat.to_owned(),
                phone(&mut rng, names::KON_TUM_AREA_CODE),
            ),
            successors,
        ));
    }

    DemoProvince {
        h_code: H_CODE.to_owned(),
        name: "Tỉnh Quảng Ngãi (dữ liệu mẫu)".to_owned(),
        agencies,
        procedures,
    }
}

/// 1 July 2025, the day the reform took effect.
pub(crate) fn reform_date() -> NaiveDate {
    let (y, m, d) = names::REFORM_DATE;
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Local day number (since 1970-01-01) of [`reform_date`].
fn reform_day() -> i64 {
    use chrono::Datelike as _;
    i64::from(reform_date().num_days_from_ce()) - 719_163
}

/// Code of the new commune-level unit at `index` of [`names::NEW_UNITS`]: `000.NN.40.H48` with
/// NN = index + 1. Level 3 under a level-2 group (`40`) that no department and no district ever
/// used (those are `00`…`30`), so no new code can be mistaken for an old one.
pub(crate) fn new_unit_code(index: usize) -> String {
    agency_code(index as u32 + 1, 40)
}

/// `000.ZZ.YY.H48`.
fn agency_code(z: u32, y: u32) -> String {
    format!("000.{z:02}.{y:02}.{H_CODE}")
}

fn demo_procedure(spec: &ProcSpec, code: String) -> DemoProcedure {
    let level_before_reform = match spec.level {
        Level::Dept(_) => "department",
        Level::District => "district",
        Level::Commune => "commune",
    };
    let (level, agency_code_, desk) = match names::level_after_reform(spec) {
        Level::Dept(n) => {
            let desk = if names::DEPARTMENTS[usize::from(n) - 1].own_desk {
                u32::from(n)
            } else {
                names::SERVICE_CENTRE as u32 + 1
            };
            (
                "department",
                Some(agency_code(0, u32::from(n))),
                Some(agency_code(0, desk)),
            )
        }
        Level::District => ("district", None, None),
        Level::Commune => ("commune", None, None),
    };
    DemoProcedure {
        code,
        name: spec.name.to_owned(),
        field: spec.field.to_owned(),
        processing_days: spec.days,
        fee_vnd: (spec.fee >= 0).then_some(spec.fee),
        fee_note: spec.fee_note.map(str::to_owned),
        online_level: spec.online,
        level,
        level_before_reform,
        agency_code: agency_code_,
        desk_agency_code: desk,
        popularity: spec.weight,
        documents: demo_documents(spec),
    }
}

/// The documents of a demo procedure: the application form, an identity document, and what the
/// procedure's field asks to be supplemented (the same papers an officer would ask for later).
fn demo_documents(spec: &ProcSpec) -> Vec<(String, i32)> {
    let field = names::FIELDS.iter().find(|f| f.name == spec.field);
    let supplements = match field {
        Some(f) if !f.supplements.is_empty() => f.supplements,
        _ => &names::GENERIC_SUPPLEMENTS[..],
    };
    let mut documents = vec![
        (
            format!("Tờ khai (đơn đề nghị) {} theo mẫu", lower_first(spec.name)),
            1,
        ),
        (
            "Căn cước hoặc giấy tờ tùy thân có ảnh (xuất trình để đối chiếu)".to_owned(),
            1,
        ),
    ];
    for supplement in supplements {
        let paper = supplement.strip_prefix("Bổ sung ").unwrap_or(supplement);
        let paper = upper_first(paper);
        if !documents.iter().any(|(d, _)| d == &paper) && !paper.contains("Căn cước") {
            documents.push((paper, 1));
        }
    }
    documents
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Dossier plans and timelines
// ---------------------------------------------------------------------------------------------

/// A procedure as the stream needs it: agencies as indices, field behaviour resolved.
struct ProcInfo {
    /// `Some((handling, desk))` agency indices for department-level procedures (since the reform).
    dept: Option<(usize, usize)>,
    /// The same before the reform.
    dept_before: Option<(usize, usize)>,
    /// Settled by the old communes (not the districts) before the reform.
    commune_before: bool,
    days: u32,
    /// 0 full, 1 partial, 2 none.
    online: u8,
    field: &'static FieldSpec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Complete,
    Reject,
    Withdraw,
    Stop,
}

/// Everything random about one dossier except its receipt time, so a plan can be laid out at any
/// time (the showcase searches for a time that gives the status it wants).
#[derive(Debug, Clone)]
struct Plan {
    proc_idx: usize,
    recv: usize,
    handl: usize,
    channel: i16,
    outcome: Outcome,
    supplements: u8,
    fin: bool,
    late: bool,
    uncollected: bool,
    /// Working seconds from first contact to acceptance or refusal.
    intake_lag: i64,
    transfer_delay: i64,
    /// Share of the allowed time used when on time, per mille.
    frac: i64,
    /// Working seconds beyond the due time when late.
    late_extra: i64,
    supp_wait: [i64; 2],
    return_delay: i64,
    /// Point of processing (per mille) at which a withdrawal or stop happens.
    cut_frac: i64,
    supp_text: [&'static str; 2],
    reject_reason: &'static str,
    stop_reason: &'static str,
    /// Optional steps this dossier's timeline leaves out, one bit per [`Step::optional_rank`].
    skips: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    SubmitOnline,
    Ack,
    SubmitPostal,
    PostArrive,
    SubmitDirect,
    Check,
    Accept,
    Reject,
    Transfer,
    Review,
    SuppRequest(u8),
    SuppDone,
    FinRequest,
    FinDone,
    Sign,
    Result,
    Return,
    Withdraw,
    Stop,
}

/// Where a step happens.
enum At {
    Receiving,
    Handling,
    Nowhere,
}

impl Step {
    fn text(self) -> &'static str {
        match self {
            Step::SubmitOnline => "Nộp hồ sơ trực tuyến",
            Step::Ack => "Hệ thống xác nhận đã nhận hồ sơ",
            Step::SubmitPostal => "Gửi hồ sơ qua dịch vụ bưu chính công ích",
            Step::PostArrive => "Nhận hồ sơ từ nhân viên bưu chính",
            Step::SubmitDirect => "Nộp hồ sơ tại Bộ phận Một cửa",
            Step::Check => "Kiểm tra thành phần hồ sơ",
            Step::Accept => "Tiếp nhận hồ sơ",
            Step::Reject => "Từ chối tiếp nhận hồ sơ",
            Step::Transfer => "Chuyển xử lý",
            Step::Review => "Thẩm định hồ sơ",
            Step::SuppRequest(_) => "Yêu cầu bổ sung hồ sơ",
            Step::SuppDone => "Công dân bổ sung hồ sơ",
            Step::FinRequest => "Thông báo thực hiện nghĩa vụ tài chính",
            Step::FinDone => "Hoàn thành nghĩa vụ tài chính",
            Step::Sign => "Trình ký",
            Step::Result => "Đã có kết quả",
            Step::Return => "Trả kết quả",
            Step::Withdraw => "Công dân yêu cầu rút hồ sơ",
            Step::Stop => "Dừng xử lý hồ sơ",
        }
    }

    fn status(self) -> i16 {
        match self {
            Step::SubmitOnline
            | Step::Ack
            | Step::SubmitPostal
            | Step::PostArrive
            | Step::SubmitDirect
            | Step::Check => 1,
            Step::Accept => 2,
            Step::Reject => 3,
            Step::Transfer | Step::Review | Step::SuppDone | Step::FinDone | Step::Sign => 4,
            Step::SuppRequest(_) => 5,
            Step::FinRequest => 6,
            Step::Withdraw => 7,
            Step::Stop => 8,
            Step::Result => 9,
            Step::Return => 10,
        }
    }

    fn at(self) -> At {
        match self {
            Step::Ack | Step::SubmitPostal => At::Nowhere,
            Step::Review
            | Step::SuppRequest(_)
            | Step::FinRequest
            | Step::FinDone
            | Step::Sign
            | Step::Result
            | Step::Stop => At::Handling,
            _ => At::Receiving,
        }
    }

    /// Dropped first when a timeline would exceed [`MAX_EVENTS`] (lower = dropped earlier).
    fn optional_rank(self) -> Option<u8> {
        match self {
            Step::Sign => Some(0),
            Step::Transfer => Some(1),
            Step::Ack => Some(2),
            Step::PostArrive => Some(3),
            Step::Review => Some(4),
            Step::Check => Some(5),
            _ => None,
        }
    }

    fn is_intake(self) -> bool {
        self.status() == 1
    }
}

const MAX_EVENTS: usize = 8;
const MAX_PLANNED: usize = 16;

/// A plan laid out on the working clock.
struct Timeline {
    steps: [(Step, i64); MAX_PLANNED],
    len: usize,
    due_secs: Option<i64>,
}

impl Timeline {
    fn push(&mut self, step: Step, ws: i64) {
        if self.len < MAX_PLANNED {
            self.steps[self.len] = (step, ws);
            self.len += 1;
        }
    }
}

/// The part of a timeline that has happened by `until`.
struct Cut {
    /// Indices into `Timeline::steps`, in order.
    idx: [u8; MAX_PLANNED],
    len: usize,
    /// Steps at or after this index are clamped to `until` (intake still in progress).
    clamp_from: usize,
    status: i16,
}

// ---------------------------------------------------------------------------------------------
// The stream
// ---------------------------------------------------------------------------------------------

/// One working day of the stream window.
struct DaySlot {
    day: i64,
    start_ws: i64,
    capacity: i64,
}

struct Stream<'a, F: ?Sized> {
    province: &'a DemoProvince,
    due: &'a F,
    until_secs: i64,
    until_ws: i64,
    rng: Rng,
    time_rng: Rng,
    procs: Vec<ProcInfo>,
    proc_cum: Vec<u64>,
    province_idx: usize,
    /// District agency indices, with cumulative weights.
    districts: Vec<usize>,
    district_cum: Vec<u64>,
    /// Commune agency indices per district (same order as `districts`).
    communes: Vec<Vec<usize>>,
    /// The commune-level units since the reform, with cumulative weights.
    units: Vec<usize>,
    unit_cum: Vec<u64>,
    /// Districts of the merged-in province (closed codes).
    kon_tum_districts: Vec<usize>,
    /// Departments of the merged-in province as (index of the H48 department that succeeded it,
    /// its own index).
    kon_tum_departments: Vec<(usize, usize)>,
    /// Working second at which the reform took effect (00:00 on 1 July 2025).
    reform_ws: i64,
    days: Vec<DaySlot>,
    /// Cumulative day weights; `day_cum[i]` is the weight before day `i`.
    day_cum: Vec<u64>,
    stream_total: u64,
    next_day: usize,
    times: Vec<i64>,
    time_pos: usize,
    date: [u8; 6],
    counters: Vec<u32>,
    showcase: std::vec::IntoIter<Dossier>,
    /// The province's agency codes, parsed once (same order as `province.agencies`).
    agency_codes: Vec<AgencyCode>,
    /// The province's procedure codes, parsed once (same order as `province.procedures`).
    procedure_codes: Vec<ProcedureCode>,
    remaining: usize,
}

/// Streams `count` dossiers of `province`, lazily and deterministically for `(seed, until)` and the
/// due-date function `due(accepted_at, processing_days)` (the caller's working calendar).
///
/// The first [`SHOWCASE_COUNT`] items are the showcase (see [`showcase_note`]); the rest are in
/// order of `received_at`, spread over the 18 months before `until`, denser in recent months.
/// Memory stays bounded by one day's worth of receipt times, whatever `count` is.
pub fn dossiers<'a>(
    province: &'a DemoProvince,
    seed: u64,
    count: usize,
    until: DateTime<Utc>,
    due: &'a dyn Fn(DateTime<Utc>, u32) -> DateTime<Utc>,
) -> impl Iterator<Item = Dossier> + 'a {
    dossier_stream(province, seed, count, until, due)
}

/// [`dossiers`] over any due-date function type, so that `load` can keep a `Sync` function and
/// therefore a `Send` future.
pub(crate) fn dossier_stream<'a, F>(
    province: &'a DemoProvince,
    seed: u64,
    count: usize,
    until: DateTime<Utc>,
    due: &'a F,
) -> impl Iterator<Item = Dossier> + 'a
where
    F: Fn(DateTime<Utc>, u32) -> DateTime<Utc> + ?Sized,
{
    Stream::new(province, seed, count, until, due)
}

impl<'a, F> Stream<'a, F>
where
    F: Fn(DateTime<Utc>, u32) -> DateTime<Utc> + ?Sized,
{
    fn new(
        province: &'a DemoProvince,
        seed: u64,
        count: usize,
        until: DateTime<Utc>,
        due: &'a F,
    ) -> Self {
        let until_secs = until.timestamp();
        let until_ws = to_ws(until_secs);
        let index_of = |code: &str| province.agencies.iter().position(|a| a.code == code);
        let province_idx = province
            .agencies
            .iter()
            .position(|a| a.kind == "province")
            .unwrap_or(0);

        let own = |i: &usize| province.agencies[*i].code.ends_with(H_CODE);
        let districts: Vec<usize> = (0..province.agencies.len())
            .filter(|&i| province.agencies[i].kind == "district")
            .filter(own)
            .collect();
        let mut district_cum = Vec::with_capacity(districts.len());
        let mut acc = 0u64;
        for k in 0..districts.len() {
            acc += u64::from(names::DISTRICTS.get(k).map_or(10, |d| d.weight));
            district_cum.push(acc);
        }
        let communes: Vec<Vec<usize>> = districts
            .iter()
            .map(|&d| {
                let code = &province.agencies[d].code;
                (0..province.agencies.len())
                    .filter(|&i| {
                        province.agencies[i].kind == "commune"
                            && province.agencies[i].parent_code.as_deref() == Some(code)
                    })
                    .collect()
            })
            .collect();

        let units: Vec<usize> = (0..province.agencies.len())
            .filter(|&i| {
                let a = &province.agencies[i];
                a.valid_until.is_none()
                    && a.parent_code.is_some()
                    && !matches!(a.kind, "province" | "department")
            })
            .collect();
        let mut unit_cum = Vec::with_capacity(units.len());
        let mut acc = 0u64;
        for k in 0..units.len() {
            acc += u64::from(names::NEW_UNITS.get(k).map_or(5, |u| u.2));
            unit_cum.push(acc);
        }
        let kon_tum_districts: Vec<usize> = (0..province.agencies.len())
            .filter(|&i| province.agencies[i].kind == "district")
            .filter(|i| !own(i))
            .collect();
        let kon_tum_departments: Vec<(usize, usize)> = (0..province.agencies.len())
            .filter(|&i| province.agencies[i].kind == "department")
            .filter(|i| !own(i))
            .filter_map(|i| {
                let successor = province.agencies[i].successors.first()?;
                Some((index_of(successor)?, i))
            })
            .collect();

        let mut procs = Vec::with_capacity(province.procedures.len());
        let mut proc_cum = Vec::with_capacity(province.procedures.len());
        let mut acc = 0u64;
        for (p, spec) in province.procedures.iter().zip(names::PROCEDURES) {
            let dept = match (&p.agency_code, &p.desk_agency_code) {
                (Some(h), desk) if p.level == "department" => {
                    let handl = index_of(h).unwrap_or(province_idx);
                    let desk = desk.as_deref().and_then(index_of).unwrap_or(handl);
                    Some((handl, desk))
                }
                _ => None,
            };
            let dept_before = match spec.level {
                Level::Dept(_) => dept,
                _ => None,
            };
            let field = names::FIELDS
                .iter()
                .find(|f| f.name == p.field)
                .unwrap_or(&names::FIELDS[0]);
            procs.push(ProcInfo {
                dept,
                dept_before,
                commune_before: p.level_before_reform == "commune",
                days: u32::try_from(p.processing_days).unwrap_or(0),
                online: match p.online_level {
                    "full" => 0,
                    "partial" => 1,
                    _ => 2,
                },
                field,
            });
            acc += u64::from(p.popularity.max(1));
            proc_cum.push(acc);
        }

        // Working days of the window, weighted: a linear ramp (recent months up to 1.6× denser),
        // a weekday profile, and the part of the last day that lies before `until`.
        let until_day = local_day(until_secs);
        let mut days = Vec::new();
        let mut day_cum = vec![0u64];
        for day in (until_day - WINDOW_DAYS + 1)..=until_day {
            let wd = weekday(day);
            if wd >= 5 {
                continue;
            }
            let start_ws = day_start_ws(day);
            let capacity = (until_ws - start_ws).min(WORK_DAY);
            if capacity <= 0 {
                continue;
            }
            let ramp = 1000 + 600 * (day - (until_day - WINDOW_DAYS)) / WINDOW_DAYS;
            let profile = [112, 104, 100, 100, 92][wd as usize];
            let w = (ramp * profile * capacity / WORK_DAY) as u64;
            day_cum.push(day_cum[days.len()] + w.max(1));
            days.push(DaySlot {
                day,
                start_ws,
                capacity,
            });
        }

        let showcase_len = count.min(SHOWCASE_COUNT);
        let mut stream = Stream {
            province,
            due,
            until_secs,
            until_ws,
            rng: Rng::new(seed, STREAM_DOSSIERS),
            time_rng: Rng::new(seed, STREAM_TIMES),
            procs,
            proc_cum,
            province_idx,
            districts,
            district_cum,
            communes,
            units,
            unit_cum,
            kon_tum_districts,
            kon_tum_departments,
            reform_ws: day_start_ws(reform_day()),
            days,
            day_cum,
            stream_total: (count - showcase_len) as u64,
            next_day: 0,
            times: Vec::new(),
            time_pos: 0,
            date: [b'0'; 6],
            counters: vec![0; province.agencies.len()],
            showcase: Vec::new().into_iter(),
            agency_codes: province
                .agencies
                .iter()
                .map(|a| generated(AgencyCode::parse(&a.code)))
                .collect(),
            procedure_codes: province
                .procedures
                .iter()
                .map(|p| generated(ProcedureCode::parse(&p.code)))
                .collect(),
            remaining: count,
        };
        if stream.days.is_empty() || stream.procs.is_empty() || province.agencies.is_empty() {
            stream.stream_total = 0;
            stream.remaining = showcase_len;
        }
        let showcase = if stream.procs.is_empty() || province.agencies.is_empty() {
            stream.remaining = 0;
            Vec::new()
        } else {
            stream.build_showcase(seed, showcase_len)
        };
        stream.showcase = showcase.into_iter();
        stream
    }

    // ----- drawing a plan ------------------------------------------------------------------

    /// Draws a plan; `before_reform` picks the agencies that received dossiers before 1 July 2025
    /// (districts, old communes, the merged-in province's agencies) instead of today's.
    fn draw_plan(&self, rng: &mut Rng, proc_idx: Option<usize>, before_reform: bool) -> Plan {
        let proc_idx = proc_idx.unwrap_or_else(|| pick_cumulative(rng, &self.proc_cum));
        let info = &self.procs[proc_idx];
        let (recv, handl) = if before_reform {
            self.draw_agencies_before_reform(rng, info)
        } else {
            match info.dept {
                Some((handl, desk)) => (desk, handl),
                None if self.units.is_empty() => (self.province_idx, self.province_idx),
                None => {
                    let agency = self.units[pick_cumulative(rng, &self.unit_cum)];
                    (agency, agency)
                }
            }
        };
        let r = rng.below(1000);
        let channel = match info.online {
            0 if r < 600 => 2,
            1 if r < 300 => 2,
            _ if r >= 950 => 3,
            _ => 1,
        };
        let outcome = if channel != 1 && rng.permille(70) {
            Outcome::Reject
        } else {
            match rng.below(1000) {
                0..=11 => Outcome::Withdraw,
                12..=19 => Outcome::Stop,
                _ => Outcome::Complete,
            }
        };
        let supplements = match rng.below(1000) {
            0..=14 => 2,
            15..=114 => 1,
            _ => 0,
        };
        // Two supplement rounds and a financial step would not fit in eight timeline steps.
        let fin = supplements < 2 && rng.permille(info.field.fin_permille);
        let late = rng.permille(if supplements == 2 { 450 } else { 125 });
        let uncollected = rng.permille(if channel == 2 { 10 } else { 35 });
        let intake_lag = match channel {
            2 if rng.permille(400) => rng.range(600, HOUR),
            2 => rng.range(HOUR, WORK_DAY * 3 / 2),
            3 => rng.range(HOUR, WORK_DAY),
            _ => rng.range(300, 1200),
        };
        let return_delay = match channel {
            2 => rng.range(60, 2 * HOUR),
            3 => rng.range(WORK_DAY, 3 * WORK_DAY),
            _ if rng.permille(700) => rng.range(600, WORK_DAY),
            _ => rng.range(WORK_DAY, 6 * WORK_DAY),
        };
        let supps = if info.field.supplements.is_empty() {
            &names::GENERIC_SUPPLEMENTS[..]
        } else {
            info.field.supplements
        };
        let mut skips = 0u8;
        for (rank, p) in [(0, 500), (1, 400), (2, 500), (3, 300), (4, 200), (5, 400)] {
            if rng.permille(p) {
                skips |= 1 << rank;
            }
        }
        if recv != handl {
            // Moving a dossier to another agency is always shown.
            skips &= !(1 << 1);
        }
        let first = rng.below(supps.len() as u64) as usize;
        let second = (first + 1 + rng.below(supps.len() as u64) as usize) % supps.len();
        Plan {
            proc_idx,
            recv,
            handl,
            channel,
            outcome,
            supplements,
            fin,
            late,
            uncollected,
            intake_lag,
            transfer_delay: rng.range(1800, WORK_DAY),
            frac: rng.range(250, 1001),
            late_extra: rng.range(WORK_DAY, 4 * WORK_DAY),
            supp_wait: [
                rng.range(2 * HOUR, 8 * WORK_DAY),
                rng.range(2 * HOUR, 8 * WORK_DAY),
            ],
            return_delay,
            cut_frac: match outcome {
                Outcome::Stop => rng.range(350, 950),
                _ => rng.range(50, 900),
            },
            supp_text: [supps[first], supps[second]],
            reject_reason: rng.pick(&names::REJECT_REASONS),
            stop_reason: rng.pick(&names::STOP_REASONS),
            skips,
        }
    }

    /// (receiving, handling) agency indices before the reform.
    fn draw_agencies_before_reform(&self, rng: &mut Rng, info: &ProcInfo) -> (usize, usize) {
        match info.dept_before {
            Some((handl, desk)) => {
                let kon_tum = self
                    .kon_tum_departments
                    .iter()
                    .find(|(successor, _)| *successor == handl);
                match kon_tum {
                    Some(&(_, agency)) if rng.permille(KON_TUM_PERMILLE) => (agency, agency),
                    _ => (desk, handl),
                }
            }
            None if self.districts.is_empty() => (self.province_idx, self.province_idx),
            None if !info.commune_before
                && !self.kon_tum_districts.is_empty()
                && rng.permille(KON_TUM_PERMILLE) =>
            {
                let n = self.kon_tum_districts.len() as u64;
                let agency = self.kon_tum_districts[rng.below(n) as usize];
                (agency, agency)
            }
            None => {
                let k = pick_cumulative(rng, &self.district_cum);
                let communes = &self.communes[k];
                let agency = if info.commune_before && !communes.is_empty() {
                    communes[rng.below(communes.len() as u64) as usize]
                } else {
                    self.districts[k]
                };
                (agency, agency)
            }
        }
    }

    // ----- laying a plan out -----------------------------------------------------------------

    /// Lays `plan` out from first contact at working second `t`.
    fn timeline(&self, plan: &Plan, t: i64) -> Timeline {
        let mut tl = Timeline {
            steps: [(Step::Check, 0); MAX_PLANNED],
            len: 0,
            due_secs: None,
        };
        let lag = plan.intake_lag;
        match plan.channel {
            2 => {
                tl.push(Step::SubmitOnline, t);
                tl.push(Step::Ack, t + 60);
                tl.push(Step::Check, t + lag / 2);
            }
            3 => {
                tl.push(Step::SubmitPostal, t);
                tl.push(Step::PostArrive, t + lag / 3);
                tl.push(Step::Check, t + 2 * lag / 3);
            }
            _ => {
                tl.push(Step::SubmitDirect, t);
                tl.push(Step::Check, t + lag / 2);
            }
        }
        let a = t + lag;
        if plan.outcome == Outcome::Reject {
            tl.push(Step::Reject, a);
            return tl;
        }
        tl.push(Step::Accept, a);
        let due_secs = (self.due)(utc(from_ws(a)), self.procs[plan.proc_idx].days).timestamp();
        tl.due_secs = Some(due_secs);
        let allowed = to_ws(due_secs) - a;
        // Processing time in working seconds, not counting supplement waits.
        let p = if plan.late {
            allowed.max(0) + plan.late_extra
        } else if allowed > 0 {
            allowed * plan.frac / 1000
        } else {
            // Same-day procedure: finish before the desk closes.
            (WORK_DAY - a.rem_euclid(WORK_DAY)) * plan.frac / 1000
        }
        .max(60);

        // Processing steps as (step, point in processing, wait before the step).
        let mut work: [(Step, i64, i64); 10] = [(Step::Sign, 0, 0); 10];
        let mut n = 0;
        let mut add = |step, point, wait| {
            work[n] = (step, point, wait);
            n += 1;
        };
        add(Step::Transfer, plan.transfer_delay.min(p / 4), 0);
        add(Step::Review, p * 3 / 10, 0);
        if plan.supplements >= 1 {
            add(Step::SuppRequest(0), p * 45 / 100, 0);
            add(Step::SuppDone, p * 45 / 100, plan.supp_wait[0]);
        }
        if plan.supplements >= 2 {
            add(Step::SuppRequest(1), p * 6 / 10, 0);
            add(Step::SuppDone, p * 6 / 10, plan.supp_wait[1]);
        }
        if plan.fin {
            add(Step::FinRequest, p * 55 / 100, 0);
            add(Step::FinDone, p * 85 / 100, 0);
        }
        add(Step::Sign, p * 9 / 10, 0);
        add(Step::Result, p, 0);

        let stop = match plan.outcome {
            Outcome::Withdraw => Some((Step::Withdraw, p * plan.cut_frac / 1000)),
            Outcome::Stop => Some((Step::Stop, p * plan.cut_frac / 1000)),
            _ => None,
        };
        let mut waited = 0;
        for &(step, point, wait) in &work[..n] {
            if let Some((terminal, at)) = stop {
                if point >= at {
                    tl.push(terminal, a + at + waited);
                    return tl;
                }
            }
            waited += wait;
            tl.push(step, a + point + waited);
        }
        if !plan.uncollected {
            tl.push(Step::Return, a + p + waited + plan.return_delay);
        }
        tl
    }

    /// What of `tl` has happened by `until`.
    fn cut(&self, plan: &Plan, tl: &Timeline) -> Cut {
        let mut present = tl.steps[..tl.len]
            .iter()
            .take_while(|(_, ws)| *ws < self.until_ws)
            .count();
        let mut clamp_from = MAX_PLANNED;
        if present > 0 && present < tl.len && tl.steps[present - 1].0.is_intake() {
            // Intake still running at `until`: online and postal dossiers show their intake so far
            // as status 1; a desk receipt finishes within minutes, so it counts as accepted.
            clamp_from = present;
            present = tl.steps[..tl.len]
                .iter()
                .position(|(s, _)| !s.is_intake())
                .map_or(tl.len, |i| {
                    if tl.steps[0].0 == Step::SubmitDirect {
                        i + 1
                    } else {
                        i
                    }
                });
        }
        let mut cut = Cut {
            idx: [0; MAX_PLANNED],
            len: 0,
            clamp_from,
            status: 1,
        };
        let mut drop = [false; MAX_PLANNED];
        let mut excess = present.saturating_sub(MAX_EVENTS);
        for rank in 0..6 {
            for (i, (step, _)) in tl.steps[..present].iter().enumerate() {
                if excess > 0 && step.optional_rank() == Some(rank) {
                    drop[i] = true;
                    excess -= 1;
                }
            }
        }
        // Then the steps this dossier skips, keeping at least three.
        let mut kept = present - drop[..present].iter().filter(|&&d| d).count();
        for (i, (step, _)) in tl.steps[..present].iter().enumerate() {
            if kept <= 3 {
                break;
            }
            if let Some(rank) = step.optional_rank() {
                if !drop[i] && plan.skips & (1 << rank) != 0 {
                    drop[i] = true;
                    kept -= 1;
                }
            }
        }
        for (i, _) in drop[..present].iter().enumerate().filter(|(_, &d)| !d) {
            cut.idx[cut.len] = i as u8;
            cut.len += 1;
        }
        if let Some(&last) = cut.idx[..cut.len].last() {
            cut.status = tl.steps[usize::from(last)].0.status();
        }
        cut
    }

    /// Turns a plan laid out at `t` into a dossier.
    fn materialize(&self, plan: &Plan, tl: &Timeline, cut: &Cut, applicant: Applicant) -> Dossier0 {
        let recv_code = &self.agency_codes[plan.recv];
        let handl_code = &self.agency_codes[plan.handl];
        let mut events = Vec::with_capacity(cut.len);
        let mut received_secs = 0;
        let mut finished = None;
        let mut returned = None;
        let mut accepted = false;
        let mut supp_count = 0;
        let mut supp_at = None;
        let mut supp_secs = 0;
        let mut last_request = 0;
        let mut fin_requested = None;
        for (k, &i) in cut.idx[..cut.len].iter().enumerate() {
            let i = usize::from(i);
            let (step, ws) = tl.steps[i];
            let mut secs = from_ws(ws);
            if i >= cut.clamp_from {
                secs = secs.min(self.until_secs);
            }
            if k == 0 {
                received_secs = secs;
            }
            match step {
                Step::Accept => accepted = true,
                Step::SuppRequest(_) => {
                    supp_count += 1;
                    supp_at = Some(secs);
                    last_request = secs;
                }
                Step::SuppDone => supp_secs += secs - last_request,
                Step::FinRequest => fin_requested = Some(secs),
                Step::Result | Step::Reject | Step::Withdraw | Step::Stop => finished = Some(secs),
                Step::Return => returned = Some(secs),
                _ => {}
            }
            let agency_code = match step.at() {
                At::Receiving => Some(recv_code.clone()),
                At::Handling => Some(handl_code.clone()),
                At::Nowhere => None,
            };
            let note: Option<&str> = match step {
                Step::SubmitOnline => Some("Nộp qua Cổng Dịch vụ công quốc gia"),
                Step::Ack => Some("Đã gửi xác nhận nộp hồ sơ qua thư điện tử và SMS"),
                Step::Accept => Some(
                    "Hồ sơ đầy đủ, hợp lệ; đã cấp Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                ),
                Step::Reject => Some(plan.reject_reason),
                Step::Stop => Some(plan.stop_reason),
                Step::Transfer if plan.recv != plan.handl => {
                    Some("Chuyển hồ sơ đến cơ quan có thẩm quyền giải quyết")
                }
                Step::Transfer => Some("Chuyển bộ phận chuyên môn giải quyết"),
                Step::SuppRequest(n) => Some(plan.supp_text[usize::from(n)]),
                Step::SuppDone => Some("Đã nhận đủ giấy tờ bổ sung"),
                Step::FinRequest => Some(
                    "Đã chuyển thông tin đến cơ quan thuế; chờ người nộp thực hiện nghĩa vụ tài chính",
                ),
                Step::FinDone => Some("Người nộp đã nộp chứng từ hoàn thành nghĩa vụ tài chính"),
                Step::Return => Some(match plan.channel {
                    2 => "Trả kết quả bản điện tử qua Cổng Dịch vụ công",
                    3 => "Trả kết quả qua dịch vụ bưu chính công ích",
                    _ => "Trả kết quả trực tiếp tại Bộ phận Một cửa",
                }),
                Step::Withdraw => Some("Theo đơn đề nghị rút hồ sơ của người nộp"),
                _ => None,
            };
            events.push(DossierEvent {
                at: utc(secs),
                status: generated(Status::from_code(step.status())),
                step: step.text().to_owned(),
                agency_code,
                note: note.map(str::to_owned),
            });
        }
        let status = cut.status;
        let supplement_request = (status == 5)
            .then(|| {
                cut.idx[..cut.len]
                    .iter()
                    .rev()
                    .find_map(|&i| match tl.steps[usize::from(i)].0 {
                        Step::SuppRequest(n) => Some(plan.supp_text[usize::from(n)].to_owned()),
                        _ => None,
                    })
            })
            .flatten();
        let version = events.len() as i64;
        Dossier0 {
            procedure_code: self.procedure_codes[plan.proc_idx].clone(),
            receiving_agency_code: recv_code.clone(),
            handling_agency_code: handl_code.clone(),
            channel: generated(Channel::from_code(plan.channel)),
            status: generated(Status::from_code(status)),
            applicant_name: applicant.name,
            applicant_phone: applicant
                .phone
                .map(|phone| generated(PhoneNumber::parse(&phone))),
            received_secs,
            due_at: tl.due_secs.filter(|_| accepted).map(utc),
            finished_at: finished.filter(|_| matches!(status, 3 | 7..=10)).map(utc),
            returned_at: returned.filter(|_| status == 10).map(utc),
            supplement_count: supp_count,
            supplement_requested_at: supp_at.map(utc),
            supplement_seconds: supp_secs,
            supplement_request,
            // A dossier waiting for payment says how much, where to pay and by when (30 days
            // from the tax notice), as the main store may send it; the amount follows from the
            // receipt time, so the demo stays deterministic without drawing from the generator.
            fee_amount_vnd: (status == 6).then(|| (1 + (received_secs / 3_600) % 40) * 250_000),
            fee_payment_place: (status == 6).then(|| DEMO_PAYMENT_PLACE.to_owned()),
            citizen_due_at: fin_requested
                .filter(|_| status == 6)
                .map(|at| utc(at) + chrono::Duration::days(30)),
            version,
            events,
        }
    }

    fn applicant(&self, rng: &mut Rng, plan: &Plan, phone_always: bool) -> Applicant {
        let org = rng.permille(self.procs[plan.proc_idx].field.org_permille);
        let name = if org { org_name(rng) } else { person_name(rng) };
        let phone = (phone_always || !rng.permille(30)).then(|| mobile(rng));
        Applicant { name, phone }
    }

    // ----- the showcase ------------------------------------------------------------------------

    fn build_showcase(&self, seed: u64, n: usize) -> Vec<Dossier> {
        let mut rng = Rng::new(seed, STREAM_SHOWCASE);
        let mut out = Vec::with_capacity(n);
        for (index, spec) in SHOWCASE.iter().enumerate().take(n) {
            let proc_idx = self
                .province
                .procedures
                .iter()
                .position(|p| p.name.starts_with(spec.procedure))
                .unwrap_or(index % self.procs.len().max(1));
            let before_reform = spec.agency.is_some() || self.until_ws <= self.reform_ws;
            let mut plan = self.draw_plan(&mut rng, Some(proc_idx), before_reform);
            if let Some(code) = spec.agency {
                if let Some(agency) = self.province.agencies.iter().position(|a| a.code == code) {
                    plan.recv = agency;
                    plan.handl = agency;
                }
            }
            plan.channel = spec.channel;
            plan.outcome = spec.outcome;
            plan.supplements = spec.supplements;
            plan.fin = spec.fin;
            plan.late = spec.late;
            plan.uncollected = spec.status == 9;
            plan.intake_lag = if spec.channel == 1 { 900 } else { 4 * HOUR };
            plan.transfer_delay = 2 * HOUR;
            plan.frac = if spec.status == 4 { 900 } else { 550 };
            plan.late_extra = 2 * WORK_DAY;
            plan.supp_wait = [5 * WORK_DAY, 3 * WORK_DAY];
            plan.return_delay = 2 * HOUR;
            plan.cut_frac = 600;
            plan.skips = 0;

            // A pre-reform dossier is received in the months before the reform, whatever `until`.
            let (latest, earliest) = if spec.agency.is_some() {
                let latest = self.until_ws.min(self.reform_ws);
                (
                    latest,
                    latest - SHOWCASE_DAYS_BEFORE_REFORM * 5 / 7 * WORK_DAY,
                )
            } else {
                (self.until_ws, to_ws(self.until_secs - SHOWCASE_DAYS * DAY))
            };
            let wants = |tl: &Timeline, cut: &Cut| -> bool {
                if cut.status != spec.status {
                    return false;
                }
                let finished = tl.steps[..tl.len]
                    .iter()
                    .find(|(s, _)| *s == Step::Result)
                    .map(|&(_, ws)| from_ws(ws));
                match (spec.status, spec.late, tl.due_secs) {
                    (4, _, Some(due)) => due > self.until_secs,
                    (10, false, Some(due)) => finished.is_some_and(|f| f <= due),
                    (10, true, Some(due)) => finished.is_some_and(|f| f > due + WORK_DAY),
                    _ => true,
                }
            };
            // Latest first-contact time that gives the wanted status, then (for closed dossiers)
            // a few days earlier so that the showcase does not bunch up just before `until`.
            let step = 1800;
            let mut t = latest - rng.range(step / 2, step);
            let mut found = None;
            while t >= earliest {
                let tl = self.timeline(&plan, t);
                let cut = self.cut(&plan, &tl);
                if wants(&tl, &cut) {
                    found = Some(t);
                    break;
                }
                t -= step;
            }
            let mut t = found.unwrap_or(latest - WORK_DAY);
            if matches!(spec.status, 3 | 7..=10) {
                let earlier = t - (1 + index as i64 % 4) * WORK_DAY;
                let tl = self.timeline(&plan, earlier);
                if earlier >= earliest && wants(&tl, &self.cut(&plan, &tl)) {
                    t = earlier;
                }
            }
            let tl = self.timeline(&plan, t);
            let cut = self.cut(&plan, &tl);
            let mut applicant = self.applicant(&mut rng, &plan, true);
            if applicant.name.starts_with("Công ty")
                || applicant.name.starts_with("Hợp tác xã")
                || applicant.name.starts_with("Doanh nghiệp")
            {
                applicant.name = person_name(&mut rng);
            }
            let d0 = self.materialize(&plan, &tl, &cut, applicant);
            let code = dossier_code(
                &self.province.agencies[plan.recv].code,
                &yymmdd(local_day(d0.received_secs)),
                SHOWCASE_SEQ_BASE + 1 + index as u32,
            );
            out.push(d0.into_dossier(code));
        }
        out
    }

    // ----- the stream --------------------------------------------------------------------------

    /// Moves to the next day that has dossiers; false when the window is exhausted.
    fn next_day(&mut self) -> bool {
        let total = u128::from(*self.day_cum.last().unwrap_or(&1)).max(1);
        let n = u128::from(self.stream_total);
        while self.next_day < self.days.len() {
            let i = self.next_day;
            self.next_day += 1;
            let before = n * u128::from(self.day_cum[i]) / total;
            let after = n * u128::from(self.day_cum[i + 1]) / total;
            let k = (after - before) as usize;
            if k == 0 {
                continue;
            }
            let slot = &self.days[i];
            self.times.clear();
            for _ in 0..k {
                let off = self.time_rng.below(slot.capacity as u64) as i64;
                self.times.push(slot.start_ws + off);
            }
            self.times.sort_unstable();
            self.time_pos = 0;
            self.date = yymmdd(slot.day);
            self.counters.iter_mut().for_each(|c| *c = 0);
            return true;
        }
        false
    }

    fn next_stream(&mut self) -> Option<Dossier> {
        if self.time_pos >= self.times.len() && !self.next_day() {
            return None;
        }
        let t = self.times[self.time_pos];
        self.time_pos += 1;
        let mut rng = self.rng.clone();
        let plan = self.draw_plan(&mut rng, None, t < self.reform_ws);
        let tl = self.timeline(&plan, t);
        let cut = self.cut(&plan, &tl);
        let applicant = self.applicant(&mut rng, &plan, false);
        self.rng = rng;
        let counter = &mut self.counters[plan.recv];
        *counter += 1;
        if *counter == SHOWCASE_SEQ_BASE + 1 {
            *counter = SHOWCASE_SEQ_BASE + SHOWCASE_COUNT as u32 + 1;
        }
        let seq = *counter;
        let d0 = self.materialize(&plan, &tl, &cut, applicant);
        let code = dossier_code(&self.province.agencies[plan.recv].code, &self.date, seq);
        Some(d0.into_dossier(code))
    }
}

impl<F> Iterator for Stream<'_, F>
where
    F: Fn(DateTime<Utc>, u32) -> DateTime<Utc> + ?Sized,
{
    type Item = Dossier;

    fn next(&mut self) -> Option<Dossier> {
        if self.remaining == 0 {
            return None;
        }
        let item = match self.showcase.next() {
            Some(d) => Some(d),
            None => self.next_stream(),
        };
        self.remaining = if item.is_some() {
            self.remaining - 1
        } else {
            0
        };
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

/// A dossier before its code is known.
struct Dossier0 {
    procedure_code: ProcedureCode,
    receiving_agency_code: AgencyCode,
    handling_agency_code: AgencyCode,
    channel: Channel,
    status: Status,
    applicant_name: String,
    applicant_phone: Option<PhoneNumber>,
    received_secs: i64,
    due_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    returned_at: Option<DateTime<Utc>>,
    supplement_count: i32,
    supplement_requested_at: Option<DateTime<Utc>>,
    supplement_seconds: i64,
    supplement_request: Option<String>,
    fee_amount_vnd: Option<i64>,
    fee_payment_place: Option<String>,
    citizen_due_at: Option<DateTime<Utc>>,
    version: i64,
    events: Vec<DossierEvent>,
}

/// Where a demo dossier's fees are paid.
const DEMO_PAYMENT_PLACE: &str = "Theo Thông báo nộp tiền của cơ quan thuế: nộp tại Kho bạc Nhà nước hoặc ngân hàng được ủy nhiệm thu, hoặc nộp trực tuyến qua Cổng Dịch vụ công quốc gia";

impl Dossier0 {
    /// The dossier with its code. The main store would have last changed it at its latest step,
    /// so that is its `source_updated_at`.
    fn into_dossier(self, code: String) -> Dossier {
        let received_at = utc(self.received_secs);
        Dossier {
            code: generated(DossierCode::parse(&code)),
            procedure_code: self.procedure_code,
            receiving_agency_code: self.receiving_agency_code,
            handling_agency_code: self.handling_agency_code,
            channel: self.channel,
            status: self.status,
            applicant_name: self.applicant_name,
            applicant_phone: self.applicant_phone,
            received_at,
            due_at: self.due_at,
            finished_at: self.finished_at,
            returned_at: self.returned_at,
            supplement_count: self.supplement_count,
            supplement_requested_at: self.supplement_requested_at,
            supplement_seconds: self.supplement_seconds,
            supplement_request: self.supplement_request,
            fee_amount_vnd: self.fee_amount_vnd,
            fee_payment_place: self.fee_payment_place,
            citizen_due_at: self.citizen_due_at,
            version: self.version,
            source_updated_at: self.events.last().map_or(received_at, |e| e.at),
            events: self.events,
        }
    }
}

fn dossier_code(agency: &str, date: &[u8; 6], seq: u32) -> String {
    let mut code = String::with_capacity(agency.len() + 13);
    code.push_str(agency);
    code.push('-');
    code.extend(date.iter().map(|&b| char::from(b)));
    // Writing to a String cannot fail.
    let _ = write!(code, "-{seq:04}");
    code
}

// ---------------------------------------------------------------------------------------------
// People and organisations
// ---------------------------------------------------------------------------------------------

struct Applicant {
    name: String,
    phone: Option<String>,
}

fn person_name(rng: &mut Rng) -> String {
    let total: u32 = names::FAMILY_NAMES.iter().map(|(_, w)| w).sum();
    let mut x = rng.below(u64::from(total)) as u32;
    let mut family = names::FAMILY_NAMES[0].0;
    for &(name, w) in &names::FAMILY_NAMES {
        if x < w {
            family = name;
            break;
        }
        x -= w;
    }
    let (middle, given) = if rng.permille(500) {
        (rng.pick(&names::MIDDLE_MALE), rng.pick(&names::GIVEN_MALE))
    } else {
        (
            rng.pick(&names::MIDDLE_FEMALE),
            rng.pick(&names::GIVEN_FEMALE),
        )
    };
    let mut name = String::with_capacity(family.len() + middle.len() + given.len() + 2);
    name.push_str(family);
    name.push(' ');
    name.push_str(middle);
    name.push(' ');
    name.push_str(given);
    name
}

fn org_name(rng: &mut Rng) -> String {
    let (form, with_line) = rng.pick(&names::ORG_FORMS);
    let brand = rng.pick(&names::ORG_BRANDS);
    let mut name = String::with_capacity(64);
    name.push_str(form);
    name.push(' ');
    if with_line {
        name.push_str(rng.pick(&names::ORG_LINES));
        name.push(' ');
    }
    name.push_str(brand);
    name
}

/// `+84` and nine digits starting with a mobile prefix.
fn mobile(rng: &mut Rng) -> String {
    let prefix = rng.pick(&names::MOBILE_PREFIXES);
    let rest = rng.below(10_000_000);
    let mut phone = String::with_capacity(12);
    let _ = write!(phone, "+84{prefix}{rest:07}");
    phone
}

// ---------------------------------------------------------------------------------------------
// Showcase
// ---------------------------------------------------------------------------------------------

/// What a showcase dossier must demonstrate.
struct ShowcaseSpec {
    /// Start of the procedure name.
    procedure: &'static str,
    channel: i16,
    outcome: Outcome,
    supplements: u8,
    fin: bool,
    late: bool,
    status: i16,
    note: &'static str,
    /// For a dossier received before the reform, the code of the agency that received and
    /// settled it (an abolished district or commune, or a merged-in province's agency).
    agency: Option<&'static str>,
}

const SHOWCASE: [ShowcaseSpec; SHOWCASE_COUNT] = [
    ShowcaseSpec {
        procedure: "Cấp Phiếu lý lịch tư pháp cho công dân",
        channel: 2,
        outcome: Outcome::Complete,
        supplements: 0,
        fin: false,
        late: false,
        status: 1,
        note: "Mới nộp trực tuyến, chờ Bộ phận Một cửa tiếp nhận",
        agency: None,
    },
    ShowcaseSpec {
        procedure: "Cấp Giấy xác nhận tình trạng hôn nhân",
        channel: 1,
        outcome: Outcome::Complete,
        supplements: 0,
        fin: false,
        late: false,
        status: 2,
        note: "Đã tiếp nhận, chờ chuyển xử lý",
        agency: None,
    },
    ShowcaseSpec {
        procedure: "Đăng ký thành lập hộ kinh doanh",
        channel: 2,
        outcome: Outcome::Reject,
        supplements: 0,
        fin: false,
        late: false,
        status: 3,
        note: "Không được tiếp nhận (hồ sơ trực tuyến bị từ chối)",
        agency: None,
    },
    ShowcaseSpec {
        procedure: "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        channel: 1,
        outcome: Outcome::Complete,
        supplements: 0,
        fin: false,
        late: false,
        status: 4,
        note: "Đang xử lý, trong hạn",
        agency: None,
    },
    ShowcaseSpec {
        procedure: "Đăng ký biến động quyền sử dụng đất",
        channel: 2,
        outcome: Outcome::Complete,
        supplements: 1,
        fin: false,
        late: false,
        status: 5,
        note: "Đang chờ công dân bổ sung hồ sơ",
        agency: None,
    },
    ShowcaseSpec {
        procedure: "Chuyển mục đích sử dụng đất",
        channel: 1,
        outcome: Outcome::Complete,
        supplements: 0,
        fin: true,
        late: false,
        status: 6,
        note: "Chờ công dân thực hiện nghĩa vụ tài chính",
        agency: None,
    },
    ShowcaseSpec {
        procedure: "Tách thửa hoặc hợp thửa đất",
        channel: 1,
        outcome: Outcome::Withdraw,
        supplements: 0,
        fin: false,
        late: false,
        status: 7,
        note: "Công dân đã rút hồ sơ",
        agency: None,
    },
    ShowcaseSpec {
        procedure: "Cấp Giấy phép bán lẻ sản phẩm rượu",
        channel: 2,
        outcome: Outcome::Stop,
        supplements: 0,
        fin: false,
        late: false,
        status: 8,
        note: "Dừng xử lý (hồ sơ không đủ điều kiện)",
        agency: None,
    },
    ShowcaseSpec {
        procedure: "Cấp đổi giấy phép lái xe",
        channel: 1,
        outcome: Outcome::Complete,
        supplements: 0,
        fin: false,
        late: false,
        status: 9,
        note: "Đã có kết quả, chờ công dân đến nhận",
        agency: None,
    },
    ShowcaseSpec {
        procedure: "Chứng thực hợp đồng, giao dịch",
        channel: 1,
        outcome: Outcome::Complete,
        supplements: 0,
        fin: false,
        late: false,
        status: 10,
        note: "Đã trả kết quả, trước hạn",
        agency: None,
    },
    ShowcaseSpec {
        procedure: "Cấp đổi Giấy chứng nhận quyền sử dụng đất",
        channel: 1,
        outcome: Outcome::Complete,
        supplements: 0,
        fin: false,
        late: true,
        status: 10,
        note: "Đã trả kết quả, trễ hạn",
        agency: None,
    },
    ShowcaseSpec {
        procedure: "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận",
        channel: 2,
        outcome: Outcome::Complete,
        supplements: 2,
        fin: false,
        late: false,
        status: 10,
        note: "Đã trả kết quả sau hai lần yêu cầu bổ sung hồ sơ",
        agency: None,
    },
    ShowcaseSpec {
        procedure: "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        channel: 1,
        outcome: Outcome::Complete,
        supplements: 0,
        fin: false,
        late: false,
        status: 9,
        note: "Nộp tại UBND huyện Bình Sơn trước ngày 1/7/2025 (huyện đã giải thể, nay thuộc nhiều xã); đã có kết quả, chờ nhận",
        agency: Some("000.00.23.H48"),
    },
    ShowcaseSpec {
        procedure: "Cấp Giấy xác nhận tình trạng hôn nhân",
        channel: 1,
        outcome: Outcome::Complete,
        supplements: 0,
        fin: false,
        late: false,
        status: 10,
        note: "Nộp tại UBND phường Trần Phú trước ngày 1/7/2025 (nay là phường Nghĩa Lộ); đã trả kết quả",
        agency: Some("000.01.21.H48"),
    },
    ShowcaseSpec {
        procedure: "Cấp Phiếu lý lịch tư pháp cho công dân",
        channel: 1,
        outcome: Outcome::Complete,
        supplements: 0,
        fin: false,
        late: false,
        status: 9,
        note: "Nộp tại Sở Tư pháp tỉnh Kon Tum (mã H35 đã đóng, nay là Sở Tư pháp tỉnh Quảng Ngãi); đã có kết quả, chờ nhận",
        agency: Some("000.00.02.H35"),
    },
];

/// Vietnamese description of showcase dossier `index` (0-based, in stream order), e.g.
/// "Đang xử lý, trong hạn"; empty for an index past the showcase.
pub fn showcase_note(index: usize) -> &'static str {
    SHOWCASE.get(index).map_or("", |s| s.note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Monday–Friday, 8 working hours a day, no holidays.
    fn weekday_due(received: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        utc(from_ws(
            to_ws(received.timestamp()) + i64::from(days) * WORK_DAY,
        ))
    }

    fn until() -> DateTime<Utc> {
        // Wednesday 2026-06-17 10:15 Vietnam time.
        utc(1_781_666_100)
    }

    fn generate(seed: u64, count: usize) -> Vec<Dossier> {
        let province = province(seed);
        dossiers(&province, seed, count, until(), &weekday_due).collect()
    }

    #[test]
    fn working_clock_round_trips_and_is_monotone() {
        let start = 1_700_000_000;
        let mut last = to_ws(start);
        for s in (start..start + 30 * DAY).step_by(611) {
            let w = to_ws(s);
            assert!(w >= last);
            last = w;
            assert_eq!(to_ws(from_ws(w)), w);
            assert!(from_ws(w) >= s || to_ws(s) == w);
        }
        for w in (0..5 * WORK_DAY).step_by(97) {
            let secs = from_ws(to_ws(1_700_000_000) + w);
            let local = (secs + TZ).rem_euclid(DAY);
            assert!(weekday(local_day(secs)) < 5);
            assert!(
                (AM_START..AM_START + AM_LEN).contains(&local)
                    || (PM_START..PM_END).contains(&local)
            );
        }
    }

    #[test]
    fn province_has_the_documented_shape() {
        let p = province(7);
        assert_eq!(p.h_code, "H48");
        assert_eq!(p.agencies.len(), 1 + 20 + 10 + 100 + 96 + 6);
        assert_eq!(p.agencies[0].code, "000.00.00.H48");
        assert!(p.agencies.iter().any(|a| a.code == "000.00.20.H48"));
        assert!(p.agencies.iter().any(|a| a.code == "000.10.30.H48"));
        let codes: HashSet<_> = p.agencies.iter().map(|a| &a.code).collect();
        assert_eq!(codes.len(), p.agencies.len());
        for (i, a) in p.agencies.iter().enumerate() {
            if let Some(parent) = &a.parent_code {
                assert!(p.agencies[..i].iter().any(|b| &b.code == parent));
            }
            assert!(
                (a.desk_phone.starts_with("0255 3") || a.desk_phone.starts_with("0260 3"))
                    && a.desk_phone.len() == 13
            );
            assert!(AgencyCode::parse(&a.code).is_ok(), "{}", a.code);
        }
        let phones: HashSet<_> = p.agencies.iter().map(|a| &a.desk_phone).collect();
        assert_eq!(phones.len(), p.agencies.len());
        assert!((140..=170).contains(&p.procedures.len()));
        let codes: HashSet<_> = p.procedures.iter().map(|p| &p.code).collect();
        assert_eq!(codes.len(), p.procedures.len());
        for proc in &p.procedures {
            let b = proc.code.as_bytes();
            assert!(b.len() == 8 && b[1] == b'.' && proc.code.replace('.', "").len() == 7);
            assert!((0..=30).contains(&proc.processing_days));
            assert!(names::FIELDS.iter().any(|f| f.name == proc.field));
        }
        for s in &SHOWCASE {
            assert!(p.procedures.iter().any(|x| x.name.starts_with(s.procedure)));
        }
    }

    #[test]
    fn the_province_is_the_one_after_the_reform_with_its_history() {
        let p = province(7);
        let reform = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let by_code = |code: &str| p.agencies.iter().find(|a| a.code == code);
        // Today: the UBND, 20 departments and 96 units (86 xã, 9 phường, 1 đặc khu), all open,
        // the units directly under the provincial UBND with their centre as desk.
        let living: Vec<_> = p
            .agencies
            .iter()
            .filter(|a| a.valid_until.is_none())
            .collect();
        assert_eq!(living.len(), 1 + 20 + 96);
        let count = |kind| living.iter().filter(|a| a.kind == kind).count();
        assert_eq!(
            (count("commune"), count("ward"), count("special_zone")),
            (86, 9, 1)
        );
        assert_eq!(count("district"), 0);
        for unit in living
            .iter()
            .filter(|a| !matches!(a.kind, "province" | "department"))
        {
            assert_eq!(unit.parent_code.as_deref(), Some("000.00.00.H48"));
            assert_eq!(unit.valid_from, Some(reform));
            assert!(unit.code.ends_with(".40.H48"), "{}", unit.code);
            assert!(
                unit.desk_address
                    .starts_with("Trung tâm Phục vụ hành chính công "),
                "{}",
                unit.desk_address
            );
        }
        assert!(living
            .iter()
            .any(|a| a.name == "Ủy ban nhân dân đặc khu Lý Sơn" && a.kind == "special_zone"));
        assert_eq!(
            by_code("000.00.16.H48").map(|a| a.name.as_str()),
            Some("Trung tâm Phục vụ hành chính công tỉnh")
        );
        // History: every closed agency closed on the reform day, with living successors.
        let closed: Vec<_> = p
            .agencies
            .iter()
            .filter(|a| a.valid_until.is_some())
            .collect();
        assert_eq!(closed.len(), 10 + 100 + 6);
        for a in &closed {
            assert_eq!(a.valid_until, Some(reform), "{}", a.code);
            assert!(!a.successors.is_empty(), "{}", a.code);
            for s in &a.successors {
                let successor = by_code(s).expect("a successor in the province");
                assert!(successor.valid_until.is_none(), "{} -> {s}", a.code);
            }
        }
        // A district split over several units; several old communes merged into one unit.
        let binh_son = by_code("000.00.23.H48").expect("huyện Bình Sơn");
        assert_eq!(binh_son.kind, "district");
        assert!(binh_son.successors.len() >= 3, "{:?}", binh_son.successors);
        let merged_into_nghia_lo = closed
            .iter()
            .filter(|a| a.kind == "commune")
            .filter(|a| {
                a.successors.len() == 1
                    && by_code(&a.successors[0]).map(|u| u.name.as_str())
                        == Some("Ủy ban nhân dân phường Nghĩa Lộ")
            })
            .count();
        assert_eq!(merged_into_nghia_lo, 4);
        // The merged-in province under its closed codes.
        let kon_tum: Vec<_> = closed.iter().filter(|a| a.code.ends_with(".H35")).collect();
        assert_eq!(kon_tum.len(), 6);
        assert_eq!(
            by_code("000.00.02.H35").map(|a| a.successors.clone()),
            Some(vec!["000.00.02.H48".to_owned()])
        );
        // Procedures are settled by departments and communes only; none by districts any more.
        assert!(p
            .procedures
            .iter()
            .all(|x| matches!(x.level, "department" | "commune")));
        assert!(p
            .procedures
            .iter()
            .any(|x| x.level_before_reform == "district" && x.level == "commune"));
        assert!(p
            .procedures
            .iter()
            .any(|x| x.level_before_reform == "district" && x.level == "department"));
    }

    #[test]
    fn dossiers_before_the_reform_went_to_the_closed_agencies_and_after_it_to_the_living() {
        let p = province(4);
        let reform = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let agency = |code: &str| p.agencies.iter().find(|a| a.code == code).unwrap();
        let (mut before, mut after, mut kon_tum, mut districts) = (0, 0, 0, 0);
        for d in dossiers(&p, 4, 60_000, until(), &weekday_due).skip(SHOWCASE_COUNT) {
            let received = agency(d.receiving_agency_code.as_str());
            let day = (d.received_at + chrono::Duration::hours(7)).date_naive();
            assert!(d.code.as_str().starts_with(&received.code));
            if day < reform {
                before += 1;
                assert!(
                    received.valid_from.is_none() && received.kind != "ward",
                    "{}: {}",
                    d.code.as_str(),
                    received.code
                );
                assert!(
                    !matches!(received.kind, "commune") || received.valid_until.is_some(),
                    "{}",
                    d.code.as_str()
                );
                kon_tum += usize::from(received.code.ends_with(".H35"));
                districts += usize::from(received.kind == "district");
            } else {
                after += 1;
                assert!(received.valid_until.is_none(), "{}", d.code.as_str());
            }
        }
        assert!(before > 10_000 && after > 10_000, "{before} {after}");
        assert!(kon_tum > 100 && districts > 1_000, "{kon_tum} {districts}");
    }

    #[test]
    fn a_data_set_ending_before_the_reform_has_only_the_old_agencies() {
        // Monday 2025-03-03 10:00 Vietnam time: the reform has not happened yet.
        let until = utc(1_740_970_800);
        let p = province(2);
        let d: Vec<Dossier> = dossiers(&p, 2, 5_000, until, &weekday_due).collect();
        assert_eq!(d.len(), 5_000);
        let codes: HashSet<_> = d.iter().map(|x| x.code.as_str()).collect();
        assert_eq!(codes.len(), d.len());
        for x in &d {
            assert!(x.received_at <= until);
            let received = p
                .agencies
                .iter()
                .find(|a| a.code == x.receiving_agency_code.as_str())
                .expect("a known agency");
            assert!(received.valid_from.is_none(), "{}", x.code.as_str());
        }
    }

    #[test]
    fn same_seed_gives_same_data_and_other_seeds_differ() {
        assert_eq!(province(1), province(1));
        let a = generate(42, 3_000);
        assert_eq!(a, generate(42, 3_000));
        assert_ne!(a, generate(43, 3_000));
        assert_eq!(a.len(), 3_000);
    }

    #[test]
    fn showcase_comes_first_in_order() {
        let d = generate(5, 100);
        let statuses: Vec<i16> = d[..15].iter().map(|d| d.status.code()).collect();
        assert_eq!(statuses, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 9, 10, 9]);
        let limit = until() - chrono::Duration::days(60);
        for (i, s) in d[..15].iter().enumerate() {
            if i < 12 {
                assert!(s.received_at >= limit && s.received_at <= until());
            }
            assert!(s.applicant_phone.is_some());
            assert!(s.code.as_str().ends_with(&format!("-{}", 9001 + i)));
            assert!(!showcase_note(i).is_empty());
        }
        // The pre-reform showcase: an old district, an old commune and a closed Kon Tum code,
        // received in the months before 1 July 2025 (Vietnam time).
        let reform = utc(1_751_302_800);
        for (s, agency) in d[12..15]
            .iter()
            .zip(["000.00.23.H48", "000.01.21.H48", "000.00.02.H35"])
        {
            assert!(s.code.as_str().starts_with(agency), "{}", s.code.as_str());
            assert_eq!(s.receiving_agency_code.as_str(), agency);
            assert!(s.received_at < reform);
            assert!(s.received_at > reform - chrono::Duration::days(150));
        }
        assert!(d[12].returned_at.is_none() && d[12].finished_at.is_some());
        assert!(d[3].due_at.unwrap() > until());
        assert!(d[4].supplement_request.is_some());
        assert!(d[10].finished_at.unwrap() > d[10].due_at.unwrap());
        assert!(d[9].finished_at.unwrap() <= d[9].due_at.unwrap());
        assert_eq!(d[11].supplement_count, 2);
        assert!(d[11].supplement_seconds > 0);
        assert_eq!(d[0].channel, Channel::Online);
        assert!(d[0].due_at.is_none());
        assert_eq!(showcase_note(15), "");
    }

    #[test]
    fn dossiers_are_consistent_and_never_after_until() {
        let until = until();
        let d = generate(11, 60_000);
        for x in &d {
            assert!((3..=8).contains(&x.events.len()), "{x:?}");
            assert_eq!(x.version, x.events.len() as i64);
            assert_eq!(x.events.last().unwrap().status, x.status);
            assert_eq!(x.events[0].at, x.received_at);
            assert_eq!(x.source_updated_at, x.events[x.events.len() - 1].at);
            for (i, e) in x.events.iter().enumerate() {
                assert!(e.at <= until);
                if i > 0 {
                    assert!(e.at >= x.events[i - 1].at, "{x:?}");
                }
            }
            assert!(x.received_at <= until);
            let local = (x.received_at.timestamp() + TZ).rem_euclid(DAY);
            assert!(weekday(local_day(x.received_at.timestamp())) < 5);
            assert!(
                (AM_START..AM_START + AM_LEN).contains(&local)
                    || (PM_START..PM_END).contains(&local)
            );
            let status = x.status.code();
            match status {
                1 | 2 | 4 | 5 | 6 => assert!(x.finished_at.is_none() && x.returned_at.is_none()),
                9 => assert!(x.finished_at.is_some() && x.returned_at.is_none()),
                10 => assert!(x.finished_at.is_some() && x.returned_at.is_some()),
                _ => assert!(x.finished_at.is_some() && x.returned_at.is_none()),
            }
            assert_eq!(x.due_at.is_none(), matches!(status, 1 | 3));
            assert_eq!(x.supplement_request.is_some(), status == 5);
            if x.supplement_count > 0 && status != 5 && status != 7 && status != 8 {
                assert!(x.supplement_seconds > 0, "{x:?}");
            }
            if let Some(phone) = x.applicant_phone.as_ref().map(PhoneNumber::e164) {
                assert!(phone.starts_with("+84") && phone.len() == 12);
                assert!(b"35789".contains(&phone.as_bytes()[3]));
            }
            assert!(x.applicant_name.split(' ').count() >= 3);
        }
        for w in d[SHOWCASE_COUNT..].windows(2) {
            assert!(w[0].received_at <= w[1].received_at);
        }
    }

    #[test]
    fn codes_are_unique_over_200k() {
        let province = province(3);
        let mut seen = HashSet::with_capacity(200_000);
        for d in dossiers(&province, 3, 200_000, until(), &weekday_due) {
            assert!(seen.insert(d.code));
        }
        assert_eq!(seen.len(), 200_000);
    }

    #[test]
    fn status_mix_is_realistic() {
        let d = generate(9, 100_000);
        let mut by_status = [0usize; 11];
        let (mut supp1, mut supp2, mut orgs, mut no_phone) = (0, 0, 0, 0);
        let (mut finished, mut on_time) = (0, 0);
        for x in &d {
            by_status[x.status.code() as usize] += 1;
            match x.supplement_count {
                1 => supp1 += 1,
                2 => supp2 += 1,
                _ => {}
            }
            if x.applicant_name.starts_with("Công ty")
                || x.applicant_name.starts_with("Hợp tác xã")
                || x.applicant_name.starts_with("Doanh nghiệp")
            {
                orgs += 1;
            }
            no_phone += usize::from(x.applicant_phone.is_none());
            if let (9 | 10, Some(f), Some(due)) = (x.status.code(), x.finished_at, x.due_at) {
                finished += 1;
                // 766 rule: compare dates (Vietnam time) after subtracting supplement time.
                let f = f.timestamp() - x.supplement_seconds;
                on_time += usize::from(local_day(f) <= local_day(due.timestamp()));
            }
        }
        let pct = |n: usize| n as f64 * 100.0 / d.len() as f64;
        let share = |s: usize| pct(by_status[s]);
        assert!(share(10) > 75.0, "{by_status:?}");
        assert!((2.0..10.0).contains(&share(9)), "{by_status:?}");
        assert!((1.0..5.0).contains(&share(3)), "{by_status:?}");
        assert!((0.5..3.0).contains(&share(7)), "{by_status:?}");
        assert!((0.3..2.0).contains(&share(8)), "{by_status:?}");
        let open = share(2) + share(4) + share(5) + share(6);
        assert!((1.0..10.0).contains(&open), "{by_status:?}");
        assert!(by_status[1] > 0 && share(1) < 1.0, "{by_status:?}");
        for s in [2, 4, 5, 6] {
            assert!(by_status[s] > 0, "{by_status:?}");
        }
        assert!((8.0..12.0).contains(&pct(supp1)), "{supp1}");
        assert!((1.0..2.0).contains(&pct(supp2)), "{supp2}");
        assert!((3.0..8.0).contains(&pct(orgs)), "{orgs}");
        assert!((2.0..4.0).contains(&pct(no_phone)), "{no_phone}");
        let on_time = on_time as f64 * 100.0 / finished as f64;
        assert!((80.0..90.0).contains(&on_time), "{on_time}");
    }

    #[test]
    fn every_procedure_lists_its_form_an_identity_paper_and_no_duplicates() {
        for procedure in province(1).procedures {
            let names: Vec<&str> = procedure
                .documents
                .iter()
                .map(|(d, _)| d.as_str())
                .collect();
            assert!(names.len() >= 2, "{}: {names:?}", procedure.code);
            assert!(names[0].starts_with("Tờ khai"), "{names:?}");
            let unique: std::collections::HashSet<&&str> = names.iter().collect();
            assert_eq!(unique.len(), names.len(), "{names:?}");
            assert!(names.iter().all(|n| !n.starts_with("Bổ sung")), "{names:?}");
        }
    }
}
