//! Who serves a closed agency's dossiers now, and how to say it (docs/decisions/0053). A dossier
//! keeps the agency printed on its receipt; when that agency has closed (a district abolished on
//! 1 July 2025, a code of a merged-in province), where to collect the result, where to ask and
//! which phone to call follow its living successors, found by walking successors to their living
//! end (the walk itself is SQL, `db::now_agencies_json!`). This module words it: "UBND huyện Bình
//! Sơn (nay là Trung tâm Phục vụ hành chính công xã Bình Sơn)", or, with several successors, how to
//! find the right one. Pure: no I/O.

use serde::{Deserialize, Serialize};

/// A living agency that now serves a closed agency's dossiers, with its desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NowAgency {
    /// Mã cơ quan. / The agency's code.
    pub code: String,
    /// Tên cơ quan trong danh mục ("UBND xã Bình Sơn"). / The agency's catalogue name.
    pub name: String,
    /// Nơi công dân đến: với cơ quan cấp xã là Trung tâm Phục vụ hành chính công của xã. /
    /// Where citizens go: for a commune-tier agency, its public administrative service centre.
    // Otherwise the agency itself.
    pub desk_name: String,
    /// Địa chỉ bộ phận một cửa. / The desk's address.
    #[schema(required = true)]
    pub desk_address: Option<String>,
    /// Điện thoại bộ phận một cửa. / The desk's phone.
    #[schema(required = true)]
    pub desk_phone: Option<String>,
    /// Giờ làm việc. / Opening hours.
    #[schema(required = true)]
    pub desk_hours: Option<String>,
}

/// What the database walk returns for one successor (before the desk is named).
#[derive(Debug, Clone, Deserialize)]
pub struct LivingSuccessor {
    pub code: String,
    pub name: String,
    /// The tier of its level: `province` or `local` (agency_levels.tier).
    pub tier: String,
    pub desk_address: Option<String>,
    pub desk_phone: Option<String>,
    pub desk_hours: Option<String>,
}

impl From<LivingSuccessor> for NowAgency {
    fn from(found: LivingSuccessor) -> Self {
        NowAgency {
            desk_name: desk_name(&found.name, &found.tier),
            code: found.code,
            name: found.name,
            desk_address: found.desk_address,
            desk_phone: found.desk_phone,
            desk_hours: found.desk_hours,
        }
    }
}

/// The Vietnamese name of a commune-tier agency's service centre.
pub const CENTRE: &str = "Trung tâm Phục vụ hành chính công";

/// Prefixes that name the People's Committee rather than the place.
const COMMITTEE: [&str; 3] = ["UBND ", "Ủy ban nhân dân ", "Uỷ ban nhân dân "];

/// The place an agency's name stands for: "UBND xã Bình Sơn" → "xã Bình Sơn"; a centre's name →
/// its place; any other name as it is.
pub fn place_name(name: &str) -> &str {
    let name = name.trim();
    COMMITTEE
        .iter()
        .chain(std::iter::once(&"Trung tâm Phục vụ hành chính công "))
        .find_map(|prefix| name.strip_prefix(prefix))
        .map(str::trim)
        .filter(|rest| !rest.is_empty())
        .unwrap_or(name)
}

/// Where citizens go for a `tier` agency named `name`: a local-tier People's Committee receives at
/// its service centre ("UBND xã Bình Sơn" → "Trung tâm Phục vụ hành chính công xã Bình Sơn");
/// provincial agencies and names that are not a committee's are kept.
pub fn desk_name(name: &str, tier: &str) -> String {
    let name = name.trim();
    if tier != "local" || name.starts_with(CENTRE) {
        return name.to_owned();
    }
    match COMMITTEE.iter().find_map(|p| name.strip_prefix(p)) {
        Some(place) if !place.trim().is_empty() => format!("{CENTRE} {}", place.trim()),
        _ => name.to_owned(),
    }
}

/// "A, B và C".
fn joined(parts: &[&str]) -> String {
    match parts {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} và {last}", init.join(", ")),
    }
}

/// The sentence that names a closed agency `original` with today's facts, or `None` while it is
/// open (`now` is `None`):
/// - one successor: "UBND huyện Bình Sơn (nay là Trung tâm Phục vụ hành chính công xã Bình Sơn)";
/// - several: "UBND huyện Sơn Tịnh (nay thuộc xã Tịnh Hà và xã Tịnh Phong; liên hệ Trung tâm Phục
///   vụ hành chính công của xã, phường nơi ông bà cư trú hoặc gọi đường dây nóng để biết nơi
///   nhận)";
/// - none known: "… (đã ngừng hoạt động; gọi đường dây nóng để được hướng dẫn)".
pub fn now_sentence(original: &str, now: Option<&[NowAgency]>) -> Option<String> {
    let now = now?;
    let original = original.trim();
    Some(match now {
        [] => format!("{original} (đã ngừng hoạt động; gọi đường dây nóng để được hướng dẫn)"),
        [one] => format!("{original} (nay là {})", one.desk_name),
        several => {
            let places: Vec<&str> = several.iter().map(|a| place_name(&a.name)).collect();
            format!(
                "{original} (nay thuộc {}; liên hệ {CENTRE} của xã, phường nơi ông bà cư trú \
                 hoặc gọi đường dây nóng để biết nơi nhận)",
                joined(&places)
            )
        }
    })
}

/// The sentence the IVR and the hotline operator say after the status, naming where to go now
/// (and the phone, with one successor); `None` while the agency is open.
pub fn spoken_now(original: &str, now: Option<&[NowAgency]>) -> Option<String> {
    let now = now?;
    let original = original.trim().trim_end_matches('.');
    Some(match now {
        [] => format!(
            "{original} đã ngừng hoạt động. Ông bà vui lòng gọi đường dây nóng để được hướng dẫn nơi liên hệ."
        ),
        [one] => {
            let mut text = format!(
                "{original} nay là {}. Ông bà liên hệ và nhận kết quả tại đây",
                one.desk_name.trim_end_matches('.')
            );
            if let Some(address) = one.desk_address.as_deref() {
                text.push_str(", địa chỉ ");
                text.push_str(address.trim().trim_end_matches('.'));
            }
            if let Some(phone) = one.desk_phone.as_deref() {
                text.push_str(", điện thoại ");
                text.push_str(&super::speech::digits_words(phone));
            }
            text.push('.');
            text
        }
        several => {
            let places: Vec<&str> = several.iter().map(|a| place_name(&a.name)).collect();
            format!(
                "{original} nay thuộc {}. Ông bà vui lòng liên hệ {CENTRE} của xã, phường nơi ông bà cư trú, hoặc hỏi điện thoại viên.",
                joined(&places)
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency(name: &str, tier: &str) -> NowAgency {
        NowAgency::from(LivingSuccessor {
            code: "000.00.90.H48".into(),
            name: name.into(),
            tier: tier.into(),
            desk_address: Some("Thôn Phước Thiện".into()),
            desk_phone: Some("0255.3812345".into()),
            desk_hours: None,
        })
    }

    #[test]
    fn a_commune_committee_receives_at_its_service_centre() {
        assert_eq!(
            desk_name("UBND xã Bình Sơn", "local"),
            "Trung tâm Phục vụ hành chính công xã Bình Sơn"
        );
        assert_eq!(
            desk_name("Ủy ban nhân dân đặc khu Lý Sơn", "local"),
            "Trung tâm Phục vụ hành chính công đặc khu Lý Sơn"
        );
        assert_eq!(desk_name("Sở Tư pháp", "province"), "Sở Tư pháp");
        assert_eq!(
            desk_name(
                "Trung tâm Phục vụ hành chính công phường Cẩm Thành",
                "local"
            ),
            "Trung tâm Phục vụ hành chính công phường Cẩm Thành"
        );
        assert_eq!(desk_name("UBND ", "local"), "UBND");
        assert_eq!(
            place_name("UBND phường Trương Quang Trọng"),
            "phường Trương Quang Trọng"
        );
    }

    #[test]
    fn one_several_or_no_successor_each_have_their_wording() {
        let one = [agency("UBND xã Bình Sơn", "local")];
        assert_eq!(
            now_sentence("UBND huyện Bình Sơn", Some(&one)).as_deref(),
            Some("UBND huyện Bình Sơn (nay là Trung tâm Phục vụ hành chính công xã Bình Sơn)")
        );
        let several = [
            agency("UBND xã Tịnh Hà", "local"),
            agency("UBND xã Tịnh Phong", "local"),
            agency("UBND phường Trương Quang Trọng", "local"),
        ];
        let text = now_sentence("UBND huyện Sơn Tịnh", Some(&several)).expect("sentence");
        assert!(
            text.starts_with("UBND huyện Sơn Tịnh (nay thuộc xã Tịnh Hà, xã Tịnh Phong và phường Trương Quang Trọng; liên hệ Trung tâm"),
            "{text}"
        );
        let gone = now_sentence("Sở Tư pháp tỉnh Kon Tum", Some(&[])).expect("sentence");
        assert!(gone.contains("đã ngừng hoạt động"), "{gone}");
        assert_eq!(now_sentence("UBND xã Bình Sơn", None), None);
    }

    #[test]
    fn the_spoken_wording_names_the_desk_and_its_phone() {
        let one = [agency("UBND xã Bình Sơn", "local")];
        let text = spoken_now("UBND huyện Bình Sơn", Some(&one)).expect("sentence");
        assert!(
            text.contains("nay là Trung tâm Phục vụ hành chính công xã Bình Sơn"),
            "{text}"
        );
        assert!(
            text.contains("điện thoại không hai năm năm ba tám một hai ba bốn năm"),
            "{text}"
        );
        assert_eq!(spoken_now("UBND xã Bình Sơn", None), None);
    }
}
