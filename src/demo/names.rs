//! Word lists for the demo province: places, agencies, procedures, personal and company names, and
//! the texts that appear in dossier timelines. Everything here is fixed data; `generate` picks from
//! it with its own PRNG, so changing a list changes every generated data set (treat the lists as
//! part of the output format: append rather than reorder).
//!
//! Places come in two generations. [`NEW_UNITS`] are the 96 commune-level units of Quảng Ngãi since
//! 1 July 2025 (Nghị quyết 1677/NQ-UBTVQH15 of 16 June 2025: 9 phường, 86 xã and the Lý Sơn đặc
//! khu, after Kon Tum was merged in). [`DISTRICTS`] and their communes are the structure abolished
//! that day, kept for the dossiers received before it, with [`OLD_COMMUNE_SUCCESSORS`] saying which
//! new unit each old commune went into. [`KON_TUM`] lists a few agencies of the merged-in province
//! under its closed codes. The data set is labelled "dữ liệu mẫu" everywhere; docs/domain.md says
//! which of these facts are confirmed by a public source and which are assumptions.

/// Opening hours printed for every one-stop desk.
pub(crate) const DESK_HOURS: &str = "Sáng 7:00–11:30, chiều 13:30–17:00, thứ Hai đến thứ Sáu";

/// Telephone area code of Quảng Ngãi (landlines are `0255 3xxx xxx`).
pub(crate) const AREA_CODE: &str = "0255";

/// Telephone area code of the former Kon Tum province.
pub(crate) const KON_TUM_AREA_CODE: &str = "0260";

/// A provincial department (sở, ban, ngành) in code order `000.00.01.H48` onwards.
pub(crate) struct DepartmentSpec {
    pub name: &'static str,
    /// Receives its own dossiers at its own desk instead of the provincial service centre.
    pub own_desk: bool,
}

/// Index (0-based) of the provincial public administrative service centre in [`DEPARTMENTS`]; it
/// receives the dossiers of every department without `own_desk`.
pub(crate) const SERVICE_CENTRE: usize = 15;

pub(crate) const DEPARTMENTS: [DepartmentSpec; 20] = [
    dept("Sở Nội vụ", false),
    dept("Sở Tư pháp", false),
    dept("Sở Tài chính", false),
    dept("Sở Công Thương", false),
    dept("Sở Xây dựng", false),
    dept("Sở Nông nghiệp và Môi trường", false),
    dept("Sở Khoa học và Công nghệ", false),
    dept("Sở Giáo dục và Đào tạo", false),
    dept("Sở Y tế", false),
    dept("Sở Văn hóa, Thể thao và Du lịch", false),
    dept("Sở Dân tộc và Tôn giáo", false),
    dept("Sở Ngoại vụ", false),
    dept("Thanh tra tỉnh", false),
    dept("Văn phòng Ủy ban nhân dân tỉnh", false),
    dept("Công an tỉnh", true),
    dept("Trung tâm Phục vụ hành chính công tỉnh", true),
    dept(
        "Ban Quản lý Khu kinh tế Dung Quất và các Khu công nghiệp Quảng Ngãi",
        true,
    ),
    dept("Văn phòng Đăng ký đất đai tỉnh", true),
    dept("Bảo hiểm xã hội tỉnh", true),
    dept("Thuế tỉnh Quảng Ngãi", true),
];

const fn dept(name: &'static str, own_desk: bool) -> DepartmentSpec {
    DepartmentSpec { name, own_desk }
}

/// A district-level unit with its ten communes; the first commune is the district seat. Both were
/// abolished on 1 July 2025; they stay for the dossiers received before.
pub(crate) struct DistrictSpec {
    /// "thành phố", "thị xã" or "huyện".
    pub kind: &'static str,
    pub name: &'static str,
    /// Relative share of commune- and district-level dossiers (population-like).
    pub weight: u32,
    /// (kind, name) with kind "phường", "xã" or "thị trấn".
    pub communes: [(&'static str, &'static str); 10],
}

const P: &str = "phường";
const X: &str = "xã";
const TT: &str = "thị trấn";

pub(crate) const DISTRICTS: [DistrictSpec; 10] = [
    DistrictSpec {
        kind: "thành phố",
        name: "Quảng Ngãi",
        weight: 20,
        communes: [
            (P, "Trần Phú"),
            (P, "Lê Hồng Phong"),
            (P, "Nguyễn Nghiêm"),
            (P, "Chánh Lộ"),
            (P, "Nghĩa Chánh"),
            (P, "Nghĩa Lộ"),
            (P, "Trần Hưng Đạo"),
            (P, "Quảng Phú"),
            (P, "Trương Quang Trọng"),
            (X, "Tịnh Khê"),
        ],
    },
    DistrictSpec {
        kind: "thị xã",
        name: "Đức Phổ",
        weight: 12,
        communes: [
            (P, "Nguyễn Nghiêm"),
            (P, "Phổ Văn"),
            (P, "Phổ Quang"),
            (P, "Phổ Ninh"),
            (P, "Phổ Hòa"),
            (P, "Phổ Minh"),
            (P, "Phổ Thạnh"),
            (X, "Phổ An"),
            (X, "Phổ Phong"),
            (X, "Phổ Khánh"),
        ],
    },
    DistrictSpec {
        kind: "huyện",
        name: "Bình Sơn",
        weight: 14,
        communes: [
            (TT, "Châu Ổ"),
            (X, "Bình Thạnh"),
            (X, "Bình Chánh"),
            (X, "Bình Dương"),
            (X, "Bình Đông"),
            (X, "Bình Trị"),
            (X, "Bình Hải"),
            (X, "Bình Minh"),
            (X, "Bình Long"),
            (X, "Bình Hiệp"),
        ],
    },
    DistrictSpec {
        kind: "huyện",
        name: "Sơn Tịnh",
        weight: 9,
        communes: [
            (X, "Tịnh Hà"),
            (X, "Tịnh Sơn"),
            (X, "Tịnh Phong"),
            (X, "Tịnh Thọ"),
            (X, "Tịnh Trà"),
            (X, "Tịnh Bình"),
            (X, "Tịnh Đông"),
            (X, "Tịnh Hiệp"),
            (X, "Tịnh Giang"),
            (X, "Tịnh Minh"),
        ],
    },
    DistrictSpec {
        kind: "huyện",
        name: "Tư Nghĩa",
        weight: 12,
        communes: [
            (TT, "La Hà"),
            (TT, "Sông Vệ"),
            (X, "Nghĩa Kỳ"),
            (X, "Nghĩa Thuận"),
            (X, "Nghĩa Điền"),
            (X, "Nghĩa Trung"),
            (X, "Nghĩa Thắng"),
            (X, "Nghĩa Hiệp"),
            (X, "Nghĩa Mỹ"),
            (X, "Nghĩa Sơn"),
        ],
    },
    DistrictSpec {
        kind: "huyện",
        name: "Mộ Đức",
        weight: 11,
        communes: [
            (TT, "Mộ Đức"),
            (X, "Đức Nhuận"),
            (X, "Đức Lợi"),
            (X, "Đức Thắng"),
            (X, "Đức Chánh"),
            (X, "Đức Hiệp"),
            (X, "Đức Minh"),
            (X, "Đức Thạnh"),
            (X, "Đức Lân"),
            (X, "Đức Phú"),
        ],
    },
    DistrictSpec {
        kind: "huyện",
        name: "Nghĩa Hành",
        weight: 8,
        communes: [
            (TT, "Chợ Chùa"),
            (X, "Hành Thuận"),
            (X, "Hành Dũng"),
            (X, "Hành Trung"),
            (X, "Hành Nhân"),
            (X, "Hành Đức"),
            (X, "Hành Minh"),
            (X, "Hành Phước"),
            (X, "Hành Thịnh"),
            (X, "Hành Tín Đông"),
        ],
    },
    DistrictSpec {
        kind: "huyện",
        name: "Ba Tơ",
        weight: 5,
        communes: [
            (TT, "Ba Tơ"),
            (X, "Ba Động"),
            (X, "Ba Cung"),
            (X, "Ba Thành"),
            (X, "Ba Vì"),
            (X, "Ba Tiêu"),
            (X, "Ba Dinh"),
            (X, "Ba Điền"),
            (X, "Ba Liên"),
            (X, "Ba Trang"),
        ],
    },
    DistrictSpec {
        kind: "huyện",
        name: "Trà Bồng",
        weight: 4,
        communes: [
            (TT, "Trà Xuân"),
            (X, "Trà Bình"),
            (X, "Trà Phú"),
            (X, "Trà Giang"),
            (X, "Trà Thủy"),
            (X, "Trà Hiệp"),
            (X, "Trà Sơn"),
            (X, "Trà Tân"),
            (X, "Trà Bùi"),
            (X, "Trà Lâm"),
        ],
    },
    DistrictSpec {
        kind: "huyện",
        name: "Sơn Hà",
        weight: 5,
        communes: [
            (TT, "Di Lăng"),
            (X, "Sơn Hạ"),
            (X, "Sơn Thành"),
            (X, "Sơn Nham"),
            (X, "Sơn Hải"),
            (X, "Sơn Linh"),
            (X, "Sơn Giang"),
            (X, "Sơn Trung"),
            (X, "Sơn Thượng"),
            (X, "Sơn Cao"),
        ],
    },
];

/// Kind of a commune-level unit since 1 July 2025.
const DK: &str = "đặc khu";

/// The 96 commune-level units of Quảng Ngãi since 1 July 2025, as (kind, name, relative share of
/// local dossiers): the 9 phường, then the 86 xã (the former Quảng Ngãi's first, then the former
/// Kon Tum's), then the Lý Sơn đặc khu. Their codes are `000.NN.40.H48`, NN = position + 1 (see
/// `generate::new_unit_code`). Names as listed for Nghị quyết 1677/NQ-UBTVQH15.
pub(crate) const NEW_UNITS: [(&str, &str, u32); 96] = [
    (P, "Trương Quang Trọng", 12),
    (P, "Cẩm Thành", 12),
    (P, "Nghĩa Lộ", 12),
    (P, "Trà Câu", 12),
    (P, "Đức Phổ", 12),
    (P, "Sa Huỳnh", 12),
    (P, "Kon Tum", 12),
    (P, "Đăk Cấm", 12),
    (P, "Đăk Bla", 12),
    (X, "Tịnh Khê", 8),
    (X, "An Phú", 8),
    (X, "Nguyễn Nghiêm", 8),
    (X, "Khánh Cường", 8),
    (X, "Bình Minh", 8),
    (X, "Bình Chương", 8),
    (X, "Bình Sơn", 8),
    (X, "Vạn Tường", 8),
    (X, "Đông Sơn", 8),
    (X, "Trường Giang", 8),
    (X, "Ba Gia", 8),
    (X, "Sơn Tịnh", 8),
    (X, "Thọ Phong", 8),
    (X, "Tư Nghĩa", 8),
    (X, "Vệ Giang", 8),
    (X, "Nghĩa Giang", 8),
    (X, "Trà Giang", 8),
    (X, "Nghĩa Hành", 8),
    (X, "Đình Cương", 8),
    (X, "Thiện Tín", 8),
    (X, "Phước Giang", 8),
    (X, "Long Phụng", 8),
    (X, "Mỏ Cày", 8),
    (X, "Mộ Đức", 8),
    (X, "Lân Phong", 8),
    (X, "Trà Bồng", 3),
    (X, "Đông Trà Bồng", 3),
    (X, "Tây Trà", 3),
    (X, "Thanh Bồng", 3),
    (X, "Cà Đam", 3),
    (X, "Tây Trà Bồng", 3),
    (X, "Sơn Hạ", 3),
    (X, "Sơn Linh", 3),
    (X, "Sơn Hà", 3),
    (X, "Sơn Thủy", 3),
    (X, "Sơn Kỳ", 3),
    (X, "Sơn Tây", 3),
    (X, "Sơn Tây Thượng", 3),
    (X, "Sơn Tây Hạ", 3),
    (X, "Minh Long", 3),
    (X, "Sơn Mai", 3),
    (X, "Ba Vì", 3),
    (X, "Ba Tô", 3),
    (X, "Ba Dinh", 3),
    (X, "Ba Tơ", 3),
    (X, "Ba Vinh", 3),
    (X, "Ba Động", 3),
    (X, "Đặng Thùy Trâm", 3),
    (X, "Ngọk Bay", 3),
    (X, "Ia Chim", 3),
    (X, "Đăk Rơ Wa", 3),
    (X, "Đăk Pxi", 3),
    (X, "Đăk Mar", 3),
    (X, "Đăk Ui", 3),
    (X, "Ngọk Réo", 3),
    (X, "Đăk Hà", 3),
    (X, "Ngọk Tụ", 3),
    (X, "Đăk Tô", 3),
    (X, "Kon Đào", 3),
    (X, "Đăk Sao", 3),
    (X, "Đăk Tờ Kan", 3),
    (X, "Tu Mơ Rông", 3),
    (X, "Măng Ri", 3),
    (X, "Bờ Y", 3),
    (X, "Sa Loong", 3),
    (X, "Dục Nông", 3),
    (X, "Xốp", 3),
    (X, "Ngọc Linh", 3),
    (X, "Đăk Plô", 3),
    (X, "Đăk Pék", 3),
    (X, "Đăk Môn", 3),
    (X, "Sa Thầy", 3),
    (X, "Sa Bình", 3),
    (X, "Ya Ly", 3),
    (X, "Ia Tơi", 3),
    (X, "Đăk Kôi", 3),
    (X, "Kon Braih", 3),
    (X, "Đăk Rve", 3),
    (X, "Măng Đen", 3),
    (X, "Măng Bút", 3),
    (X, "Kon Plông", 3),
    (X, "Đăk Long", 3),
    (X, "Ba Xa", 3),
    (X, "Rờ Kơi", 3),
    (X, "Mô Rai", 3),
    (X, "Ia Đal", 3),
    (DK, "Lý Sơn", 3),
];

/// Date the reform took effect: districts were abolished, the new units opened, and Kon Tum's
/// codes closed (local dates; `valid_until` of a closed agency, `valid_from` of a new one).
pub(crate) const REFORM_DATE: (i32, u32, u32) = (2025, 7, 1);

/// For each old commune of [`DISTRICTS`] (same order), the new unit of [`NEW_UNITS`] it went into.
/// Quảng Ngãi city, Đức Phổ and Bình Sơn (except Bình Minh) follow the published arrangement; the
/// rest are assignments within the new units that cover the same district, marked as assumptions in
/// docs/domain.md.
pub(crate) const OLD_COMMUNE_SUCCESSORS: [[&str; 10]; 10] = [
    // Thành phố Quảng Ngãi
    [
        "Nghĩa Lộ",
        "Nghĩa Lộ",
        "Cẩm Thành",
        "Cẩm Thành",
        "Cẩm Thành",
        "Nghĩa Lộ",
        "Cẩm Thành",
        "Nghĩa Lộ",
        "Trương Quang Trọng",
        "Tịnh Khê",
    ],
    // Thị xã Đức Phổ (the ward Nguyễn Nghiêm went into phường Đức Phổ; xã Nguyễn Nghiêm is new)
    [
        "Đức Phổ",
        "Trà Câu",
        "Trà Câu",
        "Đức Phổ",
        "Đức Phổ",
        "Đức Phổ",
        "Sa Huỳnh",
        "Trà Câu",
        "Nguyễn Nghiêm",
        "Khánh Cường",
    ],
    // Huyện Bình Sơn
    [
        "Bình Sơn",
        "Bình Sơn",
        "Bình Sơn",
        "Bình Sơn",
        "Vạn Tường",
        "Vạn Tường",
        "Vạn Tường",
        "Bình Minh",
        "Bình Sơn",
        "Đông Sơn",
    ],
    // Huyện Sơn Tịnh
    [
        "Sơn Tịnh",
        "Sơn Tịnh",
        "Thọ Phong",
        "Thọ Phong",
        "Trường Giang",
        "Ba Gia",
        "Ba Gia",
        "Trường Giang",
        "Trường Giang",
        "Ba Gia",
    ],
    // Huyện Tư Nghĩa
    [
        "Tư Nghĩa",
        "Vệ Giang",
        "Trà Giang",
        "Tư Nghĩa",
        "Trà Giang",
        "Tư Nghĩa",
        "Trà Giang",
        "Vệ Giang",
        "Nghĩa Giang",
        "Trà Giang",
    ],
    // Huyện Mộ Đức
    [
        "Mộ Đức",
        "Long Phụng",
        "Long Phụng",
        "Long Phụng",
        "Mỏ Cày",
        "Mộ Đức",
        "Mỏ Cày",
        "Mỏ Cày",
        "Lân Phong",
        "Lân Phong",
    ],
    // Huyện Nghĩa Hành
    [
        "Nghĩa Hành",
        "Nghĩa Hành",
        "Đình Cương",
        "Nghĩa Hành",
        "Đình Cương",
        "Thiện Tín",
        "Đình Cương",
        "Thiện Tín",
        "Thiện Tín",
        "Phước Giang",
    ],
    // Huyện Ba Tơ
    [
        "Ba Tơ",
        "Ba Động",
        "Ba Tơ",
        "Ba Dinh",
        "Ba Vì",
        "Ba Vì",
        "Ba Dinh",
        "Ba Vinh",
        "Ba Động",
        "Ba Tô",
    ],
    // Huyện Trà Bồng
    [
        "Trà Bồng",
        "Đông Trà Bồng",
        "Trà Bồng",
        "Đông Trà Bồng",
        "Thanh Bồng",
        "Thanh Bồng",
        "Trà Bồng",
        "Cà Đam",
        "Cà Đam",
        "Thanh Bồng",
    ],
    // Huyện Sơn Hà
    [
        "Sơn Hà",
        "Sơn Hạ",
        "Sơn Hạ",
        "Sơn Linh",
        "Sơn Kỳ",
        "Sơn Linh",
        "Sơn Linh",
        "Sơn Hà",
        "Sơn Hà",
        "Sơn Thủy",
    ],
];

/// QCVN 102:2016 code of the former Kon Tum province. Assumed (its alphabetical place between
/// Kiên Giang and Lai Châu); closed on 1 July 2025 under Decision 09/2025/QĐ-TTg.
pub(crate) const KON_TUM_H_CODE: &str = "H35";

/// An agency of the former Kon Tum province, kept under its closed code.
pub(crate) struct KonTumAgency {
    /// `Y1Y2` group of its code `000.00.Y1Y2.H35`: 0 for the UBND, the H48 department number for a
    /// department, 21 onwards for a district.
    pub y: u32,
    /// `department` or `district` (`province` for the UBND).
    pub kind: &'static str,
    pub name: &'static str,
    /// Seat of the desk (the place in today's names is given by the successors).
    pub seat: &'static str,
    /// Successors of the UBND and the departments: the `Y1Y2` group of an H48 agency (0 for the
    /// provincial UBND, else the 1-based number of a [`DEPARTMENTS`] entry).
    pub successor_departments: &'static [u32],
    /// Successors of a district: names of [`NEW_UNITS`].
    pub successor_units: &'static [&'static str],
}

/// A few agencies of Kon Tum before the merger: its UBND, three departments and two districts.
pub(crate) const KON_TUM: [KonTumAgency; 6] = [
    KonTumAgency {
        y: 0,
        kind: "province",
        name: "Ủy ban nhân dân tỉnh Kon Tum",
        seat: "Số 70 Lê Hồng Phong, phường Quyết Thắng, thành phố Kon Tum, tỉnh Kon Tum",
        successor_departments: &[0],
        successor_units: &[],
    },
    KonTumAgency {
        y: 2,
        kind: "department",
        name: "Sở Tư pháp tỉnh Kon Tum",
        seat: "Số 190 Bà Triệu, phường Quyết Thắng, thành phố Kon Tum, tỉnh Kon Tum",
        successor_departments: &[2],
        successor_units: &[],
    },
    KonTumAgency {
        y: 5,
        kind: "department",
        name: "Sở Xây dựng tỉnh Kon Tum",
        seat: "Số 64 Lê Hồng Phong, phường Quyết Thắng, thành phố Kon Tum, tỉnh Kon Tum",
        successor_departments: &[5],
        successor_units: &[],
    },
    KonTumAgency {
        y: 9,
        kind: "department",
        name: "Sở Y tế tỉnh Kon Tum",
        seat: "Số 2 Trần Hưng Đạo, phường Thắng Lợi, thành phố Kon Tum, tỉnh Kon Tum",
        successor_departments: &[9],
        successor_units: &[],
    },
    KonTumAgency {
        y: 21,
        kind: "district",
        name: "Ủy ban nhân dân thành phố Kon Tum",
        seat: "Số 6 Phan Đình Phùng, phường Quyết Thắng, thành phố Kon Tum, tỉnh Kon Tum",
        successor_departments: &[],
        successor_units: &[
            "Kon Tum",
            "Đăk Cấm",
            "Đăk Bla",
            "Ngọk Bay",
            "Ia Chim",
            "Đăk Rơ Wa",
        ],
    },
    KonTumAgency {
        y: 28,
        kind: "district",
        name: "Ủy ban nhân dân huyện Kon Plông",
        seat: "Thôn Kon Tu Rằng, thị trấn Măng Đen, huyện Kon Plông, tỉnh Kon Tum",
        successor_departments: &[],
        successor_units: &["Măng Đen", "Măng Bút", "Kon Plông"],
    },
];

/// Street names for desk addresses.
pub(crate) const STREETS: [&str; 20] = [
    "Hùng Vương",
    "Lê Lợi",
    "Quang Trung",
    "Phạm Văn Đồng",
    "Trần Hưng Đạo",
    "Nguyễn Nghiêm",
    "Lê Trung Đình",
    "Phan Đình Phùng",
    "Nguyễn Công Phương",
    "Lê Thánh Tôn",
    "Bà Triệu",
    "Hai Bà Trưng",
    "Trương Định",
    "Nguyễn Du",
    "Chu Văn An",
    "Võ Thị Sáu",
    "Phan Bội Châu",
    "Trần Phú",
    "Nguyễn Tự Tân",
    "Cao Bá Quát",
];

/// Village (thôn) names for rural commune offices.
pub(crate) const VILLAGES: [&str; 12] = [
    "An Hội",
    "Phú Lộc",
    "Tân Lập",
    "Thạnh Đức",
    "Vĩnh Sơn",
    "Đông Hòa",
    "Tây Phước",
    "Long Bàn",
    "Xuân Phổ",
    "Hòa Bình",
    "Trung An",
    "Mỹ Thạnh",
];

// ---------------------------------------------------------------------------------------------
// Personal names
// ---------------------------------------------------------------------------------------------

/// Family names with relative weights (sum 985); Nguyễn is about 38.6%.
pub(crate) const FAMILY_NAMES: [(&str, u32); 28] = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 65),
    ("Huỳnh", 35),
    ("Hoàng", 25),
    ("Phan", 45),
    ("Võ", 35),
    ("Vũ", 15),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 15),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Trương", 12),
    ("Đinh", 10),
    ("Lâm", 6),
    ("Mai", 6),
    ("Đoàn", 8),
    ("Lương", 6),
    ("Cao", 7),
    ("Tạ", 3),
    ("Hà", 8),
    ("Châu", 6),
    ("Thái", 5),
    ("Đàm", 5),
];

pub(crate) const MIDDLE_MALE: [&str; 14] = [
    "Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thanh", "Xuân", "Ngọc", "Quốc",
    "Tấn", "Đình",
];

pub(crate) const MIDDLE_FEMALE: [&str; 12] = [
    "Thị", "Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Kim", "Minh", "Hồng", "Mỹ", "Phương",
];

pub(crate) const GIVEN_MALE: [&str; 40] = [
    "An", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh",
    "Khoa", "Long", "Lâm", "Lộc", "Minh", "Nam", "Nhân", "Phong", "Phúc", "Quân", "Quang", "Sơn",
    "Tài", "Tâm", "Thắng", "Thành", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Hưng",
    "Hiển", "Kiên", "Lợi", "Tín",
];

pub(crate) const GIVEN_FEMALE: [&str; 40] = [
    "Anh", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huyền",
    "Hương", "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương",
    "Quyên", "Tâm", "Thảo", "Thu", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy", "Yến",
    "Diệu", "Nhi", "Quỳnh", "Hậu",
];

// ---------------------------------------------------------------------------------------------
// Organisations
// ---------------------------------------------------------------------------------------------

/// Company forms; the flag says whether a business-line word follows ("Công ty TNHH Xây dựng …").
pub(crate) const ORG_FORMS: [(&str, bool); 7] = [
    ("Công ty TNHH", true),
    ("Công ty TNHH", true),
    ("Công ty TNHH MTV", true),
    ("Công ty Cổ phần", true),
    ("Công ty Cổ phần", true),
    ("Hợp tác xã Dịch vụ Nông nghiệp", false),
    ("Doanh nghiệp tư nhân", false),
];

pub(crate) const ORG_LINES: [&str; 12] = [
    "Thương mại và Dịch vụ",
    "Xây dựng",
    "Vận tải",
    "Thủy sản",
    "Nông sản",
    "Cơ khí",
    "Du lịch",
    "Đầu tư và Phát triển",
    "Xuất nhập khẩu",
    "Vật liệu xây dựng",
    "Môi trường",
    "Dược phẩm",
];

pub(crate) const ORG_BRANDS: [&str; 20] = [
    "Sa Huỳnh",
    "Trà Khúc",
    "Thiên Ấn",
    "Phước An",
    "Minh Phát",
    "Hoàng Long",
    "An Thịnh",
    "Tân Phú",
    "Vạn Tường",
    "Thành Đạt",
    "Hưng Thịnh",
    "Đại Việt",
    "Phú Gia",
    "Nam Trung",
    "Mỹ Khê",
    "Ấn Sơn",
    "Bình Minh",
    "Kim Long",
    "Sông Vệ",
    "Thiên Bút",
];

/// Two-digit mobile prefixes after +84 (Viettel 3x/86/96–98, MobiFone 7x/89/90/93, VinaPhone
/// 81–85/88/91/94, Vietnamobile 52/56/58/92, Gmobile 59/99). Repeats weight the big carriers.
pub(crate) const MOBILE_PREFIXES: [u8; 36] = [
    32, 33, 34, 35, 36, 37, 38, 39, 86, 96, 97, 98, 32, 35, 38, 97, 98, 70, 76, 77, 78, 79, 89, 90,
    93, 81, 82, 83, 84, 85, 88, 91, 94, 56, 58, 59,
];

// ---------------------------------------------------------------------------------------------
// Fields (lĩnh vực) and what differs between them
// ---------------------------------------------------------------------------------------------

/// Behaviour that depends on a procedure's field.
pub(crate) struct FieldSpec {
    pub name: &'static str,
    /// Share of applicants that are organisations, per mille.
    pub org_permille: u32,
    /// Share of dossiers that go through a financial-obligation step (status 6), per mille.
    pub fin_permille: u32,
    /// What an officer asks to be supplemented (Form 02 content); empty means [`GENERIC_SUPPLEMENTS`].
    pub supplements: &'static [&'static str],
}

pub(crate) const GENERIC_SUPPLEMENTS: [&str; 3] = [
    "Bổ sung bản sao Căn cước có chứng thực",
    "Bổ sung tờ khai theo mẫu (ký, ghi rõ họ tên)",
    "Bổ sung giấy ủy quyền nộp hồ sơ có chứng thực chữ ký",
];

const HT: &str = "Hộ tịch";
const CT: &str = "Chứng thực";
const LLTP: &str = "Lý lịch tư pháp";
const BTTP: &str = "Bổ trợ tư pháp";
const DD: &str = "Đất đai";
const MT: &str = "Môi trường";
const KS: &str = "Tài nguyên nước và khoáng sản";
const XD: &str = "Xây dựng";
const GT: &str = "Giao thông vận tải";
const KD: &str = "Đăng ký kinh doanh";
const DT: &str = "Đầu tư";
const TM: &str = "Công Thương";
const YT: &str = "Y tế";
const GD: &str = "Giáo dục";
const LD: &str = "Lao động";
const BT: &str = "Bảo trợ xã hội";
const NCC: &str = "Người có công";
const NN: &str = "Nông nghiệp";
const VH: &str = "Văn hóa, Thể thao và Du lịch";
const KH: &str = "Khoa học và Công nghệ";
const CC: &str = "Căn cước và xuất nhập cảnh";
const AN: &str = "An ninh, trật tự và phòng cháy, chữa cháy";
const TG: &str = "Tôn giáo";
const NV: &str = "Nội vụ";
const NGV: &str = "Ngoại vụ";
const THUE: &str = "Thuế";
const BH: &str = "Bảo hiểm xã hội";
const KN: &str = "Giải quyết khiếu nại";

pub(crate) const FIELDS: [FieldSpec; 28] = [
    field(
        HT,
        0,
        0,
        &[
            "Bổ sung Giấy chứng sinh bản chính",
            "Bổ sung văn bản ủy quyền có chứng thực",
            "Bổ sung Giấy xác nhận tình trạng hôn nhân còn thời hạn sử dụng",
            "Bổ sung giấy tờ chứng minh nơi cư trú của người yêu cầu",
        ],
    ),
    field(
        CT,
        10,
        0,
        &[
            "Bổ sung bản chính giấy tờ để đối chiếu",
            "Bổ sung Căn cước của các bên tham gia hợp đồng, giao dịch",
        ],
    ),
    field(
        LLTP,
        0,
        0,
        &[
            "Bổ sung bản chụp Căn cước còn giá trị sử dụng",
            "Bổ sung văn bản ủy quyền có chứng thực chữ ký",
        ],
    ),
    field(BTTP, 500, 0, &[]),
    field(
        DD,
        30,
        250,
        &[
            "Bổ sung bản sao Giấy chứng nhận quyền sử dụng đất có chứng thực",
            "Bổ sung hợp đồng chuyển nhượng quyền sử dụng đất đã được công chứng",
            "Bổ sung văn bản thỏa thuận phân chia di sản thừa kế",
            "Bổ sung mảnh trích đo địa chính thửa đất",
        ],
    ),
    field(
        MT,
        700,
        0,
        &[
            "Bổ sung báo cáo đề xuất cấp giấy phép môi trường theo mẫu",
            "Bổ sung bản vẽ mặt bằng hệ thống thu gom, xử lý nước thải",
        ],
    ),
    field(KS, 900, 0, &[]),
    field(
        XD,
        60,
        0,
        &[
            "Bổ sung bản vẽ thiết kế mặt bằng, mặt cắt, mặt đứng công trình",
            "Bổ sung bản sao Giấy chứng nhận quyền sử dụng đất có chứng thực",
            "Bổ sung cam kết bảo đảm an toàn đối với công trình liền kề",
        ],
    ),
    field(
        GT,
        30,
        0,
        &[
            "Bổ sung giấy khám sức khỏe của người lái xe theo quy định",
            "Bổ sung bản sao giấy phép lái xe đã được cấp",
        ],
    ),
    field(
        KD,
        250,
        0,
        &[
            "Bổ sung bản sao giấy tờ pháp lý của người đại diện theo pháp luật",
            "Bổ sung Điều lệ công ty có chữ ký của các thành viên",
            "Bổ sung văn bản ủy quyền cho người nộp hồ sơ",
        ],
    ),
    field(DT, 950, 0, &[]),
    field(
        TM,
        350,
        0,
        &[
            "Bổ sung bản sao Giấy chứng nhận đăng ký doanh nghiệp",
            "Bổ sung tài liệu chứng minh quyền sử dụng địa điểm kinh doanh",
        ],
    ),
    field(
        YT,
        150,
        0,
        &[
            "Bổ sung giấy xác nhận quá trình thực hành",
            "Bổ sung giấy chứng nhận đủ sức khỏe để hành nghề",
            "Bổ sung danh sách nhân sự kèm bản sao văn bằng chuyên môn",
        ],
    ),
    field(
        GD,
        0,
        0,
        &[
            "Bổ sung học bạ bản chính",
            "Bổ sung giấy giới thiệu chuyển trường của nhà trường nơi đi",
        ],
    ),
    field(
        LD,
        150,
        0,
        &[
            "Bổ sung văn bản chấp thuận nhu cầu sử dụng người lao động nước ngoài",
            "Bổ sung giấy chứng nhận sức khỏe của người lao động",
        ],
    ),
    field(
        BT,
        0,
        0,
        &[
            "Bổ sung tờ khai thông tin của người đề nghị trợ giúp xã hội theo mẫu",
            "Bổ sung bản sao Giấy xác nhận khuyết tật",
            "Bổ sung bản sao giấy chứng tử",
        ],
    ),
    field(
        NCC,
        0,
        0,
        &[
            "Bổ sung bản sao giấy chứng nhận gia đình liệt sĩ",
            "Bổ sung giấy xác nhận của cơ quan quản lý hồ sơ người có công",
        ],
    ),
    field(
        NN,
        200,
        0,
        &[
            "Bổ sung bản sao Giấy chứng nhận đăng ký tàu cá",
            "Bổ sung bản thuyết minh điều kiện cơ sở vật chất, trang thiết bị",
        ],
    ),
    field(
        VH,
        400,
        0,
        &[
            "Bổ sung bản vẽ mặt bằng phòng hát",
            "Bổ sung bản sao văn bằng chuyên môn",
        ],
    ),
    field(KH, 700, 0, &[]),
    field(
        CC,
        0,
        0,
        &["Bổ sung ảnh chân dung theo quy định (nền trắng, cỡ 4x6)"],
    ),
    field(AN, 700, 0, &[]),
    field(TG, 300, 0, &[]),
    field(NV, 300, 0, &[]),
    field(NGV, 700, 0, &[]),
    field(THUE, 200, 0, &[]),
    field(BH, 50, 0, &[]),
    field(KN, 50, 0, &[]),
];

const fn field(
    name: &'static str,
    org_permille: u32,
    fin_permille: u32,
    supplements: &'static [&'static str],
) -> FieldSpec {
    FieldSpec {
        name,
        org_permille,
        fin_permille,
        supplements,
    }
}

/// Reasons an online or postal dossier is refused at the desk (Form 03).
pub(crate) const REJECT_REASONS: [&str; 4] = [
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan tiếp nhận",
    "Thành phần hồ sơ không đúng quy định; đề nghị nộp lại hồ sơ mới",
    "Tệp đính kèm không đọc được hoặc không được chụp từ bản chính",
    "Thông tin người nộp không khớp với Cơ sở dữ liệu quốc gia về dân cư",
];

/// Reasons processing is stopped (Form 05).
pub(crate) const STOP_REASONS: [&str; 3] = [
    "Hồ sơ không đủ điều kiện giải quyết theo quy định",
    "Có đơn tranh chấp liên quan đến nội dung đề nghị giải quyết",
    "Quá thời hạn bổ sung hồ sơ nhưng người nộp không bổ sung",
];

// ---------------------------------------------------------------------------------------------
// Procedures
// ---------------------------------------------------------------------------------------------

/// Which agencies handle a procedure. [`PROCEDURES`] give the level before the reform;
/// [`level_after_reform`] gives today's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Level {
    /// A provincial department, by its 1-based number in [`DEPARTMENTS`] (the `Y1Y2` group).
    Dept(u8),
    /// The UBND of a district, town or city (until 30 June 2025).
    District,
    /// The UBND of a commune, ward, township or special zone.
    Commune,
}

/// District-level procedures that went to a provincial department on 1 July 2025 (by the start of
/// their name); every other district-level procedure went to the communes.
const DISTRICT_TO_DEPARTMENT: [(&str, u8); 4] = [
    (
        "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận",
        VPDK,
    ),
    ("Cấp giấy phép di dời công trình", XAY_DUNG),
    ("Đăng ký phương tiện thủy nội địa lần đầu", XAY_DUNG),
    ("Đăng ký thành lập hợp tác xã", TAI_CHINH),
];

/// The level that settles `spec` since 1 July 2025: a district-level procedure went to the
/// communes, or to a department where [`DISTRICT_TO_DEPARTMENT`] says so.
pub(crate) fn level_after_reform(spec: &ProcSpec) -> Level {
    match spec.level {
        Level::District => DISTRICT_TO_DEPARTMENT
            .iter()
            .find(|(start, _)| spec.name.starts_with(start))
            .map_or(Level::Commune, |&(_, dept)| Level::Dept(dept)),
        level => level,
    }
}

/// One administrative procedure of the catalogue.
pub(crate) struct ProcSpec {
    pub field: &'static str,
    pub level: Level,
    pub name: &'static str,
    /// Legal processing time in working days.
    pub days: i32,
    /// Fee in VND: `-1` means "varies, see note", `0` free.
    pub fee: i64,
    pub fee_note: Option<&'static str>,
    pub online: &'static str,
    /// Relative dossier volume, in tenths.
    pub weight: u32,
}

#[allow(clippy::too_many_arguments)]
const fn pr(
    field: &'static str,
    level: Level,
    name: &'static str,
    days: i32,
    fee: i64,
    fee_note: Option<&'static str>,
    online: &'static str,
    weight: u32,
) -> ProcSpec {
    ProcSpec {
        field,
        level,
        name,
        days,
        fee,
        fee_note,
        online,
        weight,
    }
}

use Level::{Commune as C, Dept as S, District as D};

const FULL: &str = "full";
const PART: &str = "partial";
const NONE: &str = "none";
const FREE: Option<&str> = Some("Không thu phí, lệ phí");
const NQ: Option<&str> = Some("Mức thu theo Nghị quyết của Hội đồng nhân dân tỉnh");
const TAX: Option<&str> = Some("Theo thông báo nghĩa vụ tài chính của cơ quan thuế");
const PTD: Option<&str> = Some("Phí thẩm định theo quy định của Bộ Tài chính");

// Department numbers, see DEPARTMENTS.
const NOI_VU: u8 = 1;
const TU_PHAP: u8 = 2;
const TAI_CHINH: u8 = 3;
const CONG_THUONG: u8 = 4;
const XAY_DUNG: u8 = 5;
const NONG_NGHIEP: u8 = 6;
const KHCN: u8 = 7;
const GDDT: u8 = 8;
const Y_TE: u8 = 9;
const VHTTDL: u8 = 10;
const DTTG: u8 = 11;
const NGOAI_VU: u8 = 12;
const THANH_TRA: u8 = 13;
const CONG_AN: u8 = 15;
const KKT: u8 = 17;
const VPDK: u8 = 18;
const BHXH: u8 = 19;
const CUC_THUE: u8 = 20;

#[rustfmt::skip]
pub(crate) const PROCEDURES: &[ProcSpec] = &[
    // Hộ tịch
    pr(HT, C, "Đăng ký khai sinh", 0, 0, Some("Miễn lệ phí đăng ký khai sinh đúng hạn"), FULL, 600),
    pr(HT, C, "Đăng ký kết hôn", 0, 0, Some("Miễn lệ phí đăng ký kết hôn trong nước"), FULL, 250),
    pr(HT, C, "Đăng ký khai tử", 0, 0, Some("Miễn lệ phí đăng ký khai tử đúng hạn"), FULL, 200),
    pr(HT, C, "Đăng ký nhận cha, mẹ, con", 3, 15_000, NQ, FULL, 30),
    pr(HT, C, "Thay đổi, cải chính, bổ sung thông tin hộ tịch", 3, 15_000, NQ, FULL, 80),
    pr(HT, C, "Đăng ký lại khai sinh", 5, 5_000, NQ, PART, 30),
    pr(HT, C, "Cấp Giấy xác nhận tình trạng hôn nhân", 3, 15_000, NQ, FULL, 250),
    pr(HT, C, "Cấp bản sao Trích lục hộ tịch", 0, 8_000, Some("8.000 đồng/bản sao"), FULL, 250),
    pr(HT, C, "Đăng ký giám hộ", 3, 0, FREE, PART, 10),
    pr(HT, C, "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", 5, 0, FREE, FULL, 150),
    pr(HT, C, "Liên thông thủ tục hành chính về đăng ký khai tử, xóa đăng ký thường trú, hưởng chế độ tử tuất", 5, 0, FREE, FULL, 50),
    pr(HT, C, "Đăng ký việc nuôi con nuôi trong nước", 30, 400_000, Some("400.000 đồng/trường hợp"), PART, 5),
    pr(HT, D, "Đăng ký khai sinh có yếu tố nước ngoài", 3, 75_000, NQ, PART, 10),
    pr(HT, D, "Đăng ký kết hôn có yếu tố nước ngoài", 10, 1_000_000, NQ, PART, 10),
    pr(HT, D, "Ghi vào Sổ hộ tịch việc hộ tịch của công dân Việt Nam đã được giải quyết tại cơ quan có thẩm quyền của nước ngoài", 5, 50_000, NQ, PART, 8),
    pr(HT, D, "Đăng ký khai tử có yếu tố nước ngoài", 3, 50_000, NQ, PART, 3),
    pr(HT, D, "Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc", 3, 28_000, NQ, FULL, 15),
    // Chứng thực
    pr(CT, C, "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp hoặc chứng nhận", 0, 2_000, Some("2.000 đồng/trang; từ trang thứ ba thu 1.000 đồng/trang, tối đa 200.000 đồng/bản"), PART, 1200),
    pr(CT, C, "Chứng thực chữ ký trong các giấy tờ, văn bản", 0, 10_000, Some("10.000 đồng/trường hợp"), PART, 300),
    pr(CT, C, "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất và nhà ở", 2, 50_000, Some("50.000 đồng/hợp đồng, giao dịch"), NONE, 200),
    pr(CT, C, "Chứng thực di chúc", 2, 50_000, Some("50.000 đồng/di chúc"), NONE, 20),
    pr(CT, C, "Chứng thực văn bản thỏa thuận phân chia di sản mà di sản là động sản, quyền sử dụng đất, nhà ở", 2, 50_000, Some("50.000 đồng/văn bản"), NONE, 30),
    pr(CT, C, "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch", 2, 30_000, Some("30.000 đồng/hợp đồng, giao dịch"), NONE, 10),
    pr(CT, C, "Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực", 2, 2_000, Some("2.000 đồng/trang"), PART, 15),
    pr(CT, D, "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan tổ chức có thẩm quyền của nước ngoài cấp hoặc chứng nhận", 0, 2_000, Some("2.000 đồng/trang"), PART, 40),
    pr(CT, D, "Chứng thực chữ ký người dịch mà người dịch là cộng tác viên dịch thuật", 0, 10_000, Some("10.000 đồng/trường hợp"), NONE, 20),
    // Lý lịch tư pháp, bổ trợ tư pháp
    pr(LLTP, S(TU_PHAP), "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam", 10, 200_000, Some("200.000 đồng/lần; sinh viên, người có công với cách mạng 100.000 đồng/lần"), FULL, 300),
    pr(LLTP, S(TU_PHAP), "Cấp Phiếu lý lịch tư pháp cho cơ quan tiến hành tố tụng", 10, 0, FREE, PART, 10),
    pr(LLTP, S(TU_PHAP), "Cấp Phiếu lý lịch tư pháp cho cơ quan nhà nước, tổ chức chính trị, tổ chức chính trị - xã hội", 10, 0, FREE, PART, 10),
    pr(BTTP, S(TU_PHAP), "Đăng ký hoạt động Văn phòng công chứng", 10, 1_000_000, Some("1.000.000 đồng/hồ sơ"), PART, 3),
    pr(BTTP, S(TU_PHAP), "Đăng ký hành nghề và cấp Thẻ công chứng viên", 10, 100_000, Some("100.000 đồng/hồ sơ"), PART, 3),
    pr(BTTP, S(TU_PHAP), "Đăng ký hoạt động của tổ chức hành nghề luật sư", 10, 100_000, Some("100.000 đồng/hồ sơ"), PART, 3),
    pr(BTTP, S(TU_PHAP), "Thủ tục yêu cầu trợ giúp pháp lý", 2, 0, FREE, PART, 10),
    // Đất đai
    pr(DD, D, "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu", 20, 100_000, NQ, PART, 250),
    pr(DD, D, "Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền đối với hộ gia đình, cá nhân", 15, -1, TAX, PART, 80),
    pr(DD, D, "Giao đất, cho thuê đất cho hộ gia đình, cá nhân không thông qua đấu giá quyền sử dụng đất", 20, -1, TAX, PART, 15),
    pr(DD, D, "Gia hạn sử dụng đất nông nghiệp của hộ gia đình, cá nhân", 7, 0, FREE, PART, 10),
    pr(DD, D, "Giải quyết tranh chấp đất đai thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân cấp xã", 30, 0, FREE, NONE, 10),
    pr(DD, C, "Hòa giải tranh chấp đất đai", 30, 0, FREE, NONE, 20),
    pr(DD, S(VPDK), "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất do chuyển nhượng, tặng cho, thừa kế", 10, 50_000, NQ, PART, 400),
    pr(DD, S(VPDK), "Đăng ký biến động do thay đổi thông tin về người được cấp Giấy chứng nhận, thay đổi hình dạng, kích thước thửa đất", 10, 30_000, NQ, PART, 60),
    pr(DD, S(VPDK), "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", 7, 50_000, NQ, PART, 80),
    pr(DD, S(VPDK), "Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất", 10, 50_000, NQ, PART, 30),
    pr(DD, S(VPDK), "Tách thửa hoặc hợp thửa đất", 15, 50_000, NQ, PART, 100),
    pr(DD, S(VPDK), "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất", 3, 80_000, Some("80.000 đồng/hồ sơ"), FULL, 250),
    pr(DD, S(VPDK), "Xóa đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất", 1, 20_000, Some("20.000 đồng/hồ sơ"), FULL, 150),
    pr(DD, S(VPDK), "Cung cấp thông tin, dữ liệu đất đai", 3, 15_000, NQ, FULL, 80),
    pr(DD, S(VPDK), "Đính chính Giấy chứng nhận đã cấp", 10, 0, FREE, PART, 10),
    // Môi trường, tài nguyên nước và khoáng sản
    pr(MT, S(NONG_NGHIEP), "Cấp giấy phép môi trường thuộc thẩm quyền của Ủy ban nhân dân cấp tỉnh", 30, -1, NQ, PART, 8),
    pr(MT, S(NONG_NGHIEP), "Thẩm định báo cáo đánh giá tác động môi trường", 30, -1, PTD, PART, 5),
    pr(MT, D, "Cấp giấy phép môi trường thuộc thẩm quyền của Ủy ban nhân dân cấp xã", 30, -1, NQ, PART, 8),
    pr(MT, C, "Đăng ký môi trường", 15, 0, FREE, FULL, 15),
    pr(KS, S(NONG_NGHIEP), "Cấp giấy phép khai thác, sử dụng nước dưới đất", 30, -1, NQ, PART, 3),
    pr(KS, S(NONG_NGHIEP), "Cấp giấy phép khai thác khoáng sản làm vật liệu xây dựng thông thường", 30, -1, PTD, NONE, 2),
    // Xây dựng
    pr(XD, D, "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", 15, 75_000, Some("75.000 đồng/giấy phép"), PART, 300),
    pr(XD, D, "Cấp giấy phép xây dựng sửa chữa, cải tạo đối với nhà ở riêng lẻ", 15, 75_000, Some("75.000 đồng/giấy phép"), PART, 50),
    pr(XD, D, "Điều chỉnh, gia hạn, cấp lại giấy phép xây dựng đối với nhà ở riêng lẻ", 5, 15_000, Some("15.000 đồng/giấy phép"), PART, 30),
    pr(XD, D, "Cấp giấy phép di dời công trình", 15, 75_000, Some("75.000 đồng/giấy phép"), PART, 3),
    pr(XD, S(XAY_DUNG), "Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV", 20, 150_000, Some("150.000 đồng/giấy phép"), PART, 30),
    pr(XD, S(XAY_DUNG), "Thẩm định Báo cáo nghiên cứu khả thi đầu tư xây dựng", 30, -1, PTD, PART, 10),
    pr(XD, S(XAY_DUNG), "Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở", 30, -1, PTD, PART, 10),
    pr(XD, S(XAY_DUNG), "Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III", 20, 300_000, Some("300.000 đồng/chứng chỉ"), FULL, 30),
    pr(XD, S(XAY_DUNG), "Cấp chứng chỉ năng lực hoạt động xây dựng hạng II, hạng III", 20, 1_000_000, Some("1.000.000 đồng/chứng chỉ"), FULL, 10),
    // Giao thông vận tải
    pr(GT, S(CONG_AN), "Cấp đổi giấy phép lái xe", 5, 135_000, Some("135.000 đồng/lần cấp"), FULL, 300),
    pr(GT, S(CONG_AN), "Cấp lại giấy phép lái xe", 5, 135_000, Some("135.000 đồng/lần cấp"), PART, 40),
    pr(GT, S(XAY_DUNG), "Cấp Giấy phép kinh doanh vận tải bằng xe ô tô", 5, 200_000, Some("200.000 đồng/giấy phép"), FULL, 20),
    pr(GT, S(XAY_DUNG), "Cấp phù hiệu xe ô tô kinh doanh vận tải", 2, 0, FREE, FULL, 60),
    pr(GT, S(XAY_DUNG), "Cấp giấy phép lưu hành xe quá tải trọng, xe quá khổ giới hạn trên đường bộ", 2, 0, FREE, FULL, 20),
    pr(GT, S(XAY_DUNG), "Cấp giấy phép thi công công trình trên đường bộ đang khai thác", 7, 0, FREE, FULL, 10),
    pr(GT, D, "Đăng ký phương tiện thủy nội địa lần đầu", 3, 70_000, Some("70.000 đồng/giấy chứng nhận"), PART, 5),
    // Đăng ký kinh doanh, đầu tư
    pr(KD, S(TAI_CHINH), "Đăng ký thành lập doanh nghiệp tư nhân", 3, 50_000, Some("50.000 đồng/lần; miễn lệ phí khi đăng ký qua mạng điện tử"), FULL, 40),
    pr(KD, S(TAI_CHINH), "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên", 3, 50_000, Some("50.000 đồng/lần; miễn lệ phí khi đăng ký qua mạng điện tử"), FULL, 80),
    pr(KD, S(TAI_CHINH), "Đăng ký thành lập công ty trách nhiệm hữu hạn hai thành viên trở lên", 3, 50_000, Some("50.000 đồng/lần; miễn lệ phí khi đăng ký qua mạng điện tử"), FULL, 40),
    pr(KD, S(TAI_CHINH), "Đăng ký thành lập công ty cổ phần", 3, 50_000, Some("50.000 đồng/lần; miễn lệ phí khi đăng ký qua mạng điện tử"), FULL, 30),
    pr(KD, S(TAI_CHINH), "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", 3, 50_000, Some("50.000 đồng/lần; miễn lệ phí khi đăng ký qua mạng điện tử"), FULL, 100),
    pr(KD, S(TAI_CHINH), "Thông báo tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo", 3, 0, FREE, FULL, 40),
    pr(KD, S(TAI_CHINH), "Giải thể doanh nghiệp", 5, 0, FREE, FULL, 20),
    pr(KD, D, "Đăng ký thành lập hộ kinh doanh", 3, 100_000, NQ, FULL, 200),
    pr(KD, D, "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", 3, 50_000, NQ, FULL, 60),
    pr(KD, D, "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh", 3, 0, FREE, FULL, 30),
    pr(KD, D, "Chấm dứt hoạt động hộ kinh doanh", 3, 0, FREE, FULL, 30),
    pr(KD, D, "Đăng ký thành lập hợp tác xã", 5, 100_000, NQ, PART, 5),
    pr(DT, S(KKT), "Cấp Giấy chứng nhận đăng ký đầu tư đối với dự án không thuộc diện chấp thuận chủ trương đầu tư", 15, 0, FREE, PART, 5),
    pr(DT, S(KKT), "Điều chỉnh Giấy chứng nhận đăng ký đầu tư", 10, 0, FREE, PART, 5),
    pr(DT, S(TAI_CHINH), "Chấp thuận chủ trương đầu tư của Ủy ban nhân dân cấp tỉnh", 30, 0, FREE, PART, 3),
    // Công Thương
    pr(TM, D, "Cấp Giấy phép bán lẻ sản phẩm rượu", 10, 1_100_000, Some("Phí thẩm định 1.100.000 đồng/điểm kinh doanh"), FULL, 20),
    pr(TM, D, "Cấp Giấy phép bán lẻ sản phẩm thuốc lá", 15, 1_100_000, Some("Phí thẩm định 1.100.000 đồng/điểm kinh doanh"), PART, 10),
    pr(TM, D, "Cấp Giấy phép sản xuất rượu thủ công nhằm mục đích kinh doanh", 10, 500_000, NQ, PART, 5),
    pr(TM, S(CONG_THUONG), "Cấp Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu", 15, 1_200_000, Some("Phí thẩm định 1.200.000 đồng/cửa hàng"), FULL, 8),
    pr(TM, S(CONG_THUONG), "Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai", 15, 1_200_000, Some("Phí thẩm định 1.200.000 đồng/cửa hàng"), FULL, 8),
    pr(TM, S(CONG_THUONG), "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm do Sở Công Thương thực hiện", 20, 1_000_000, PTD, FULL, 10),
    pr(TM, S(CONG_THUONG), "Đăng ký thực hiện khuyến mại theo hình thức mang tính may rủi", 7, 0, FREE, FULL, 10),
    pr(TM, S(CONG_THUONG), "Xác nhận đăng ký tổ chức hội chợ, triển lãm thương mại", 7, 0, FREE, FULL, 5),
    // Y tế
    pr(YT, S(Y_TE), "Cấp giấy phép hành nghề khám bệnh, chữa bệnh", 20, 360_000, Some("360.000 đồng/hồ sơ"), FULL, 30),
    pr(YT, S(Y_TE), "Cấp giấy phép hoạt động đối với phòng khám chuyên khoa", 30, 4_300_000, Some("Phí thẩm định 4.300.000 đồng/hồ sơ"), PART, 5),
    pr(YT, S(Y_TE), "Cấp Chứng chỉ hành nghề dược", 20, 500_000, Some("500.000 đồng/hồ sơ"), FULL, 20),
    pr(YT, S(Y_TE), "Cấp lại Chứng chỉ hành nghề dược", 5, 500_000, Some("500.000 đồng/hồ sơ"), FULL, 7),
    pr(YT, S(Y_TE), "Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược đối với nhà thuốc", 30, 1_000_000, Some("Phí thẩm định 1.000.000 đồng/cơ sở"), FULL, 20),
    pr(YT, S(Y_TE), "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm thuộc thẩm quyền của Sở Y tế", 20, 1_000_000, PTD, FULL, 10),
    pr(YT, S(Y_TE), "Công bố cơ sở đủ điều kiện thực hiện hoạt động tiêm chủng", 10, 0, FREE, PART, 3),
    pr(YT, S(Y_TE), "Khám giám định lần đầu do tai nạn lao động", 30, -1, Some("Theo biểu giá dịch vụ giám định y khoa"), NONE, 5),
    // Giáo dục
    pr(GD, D, "Chuyển trường đối với học sinh trung học cơ sở", 3, 0, FREE, FULL, 40),
    pr(GD, S(GDDT), "Chuyển trường đối với học sinh trung học phổ thông", 3, 0, FREE, FULL, 20),
    pr(GD, S(GDDT), "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", 1, 0, FREE, FULL, 60),
    pr(GD, S(GDDT), "Chỉnh sửa nội dung văn bằng, chứng chỉ", 5, 0, FREE, PART, 10),
    pr(GD, S(GDDT), "Phúc khảo bài thi tốt nghiệp trung học phổ thông", 15, 0, FREE, FULL, 20),
    pr(GD, S(GDDT), "Cấp phép hoạt động giáo dục kỹ năng sống", 20, 0, FREE, PART, 2),
    pr(GD, D, "Cấp phép tổ chức hoạt động dạy thêm, học thêm", 10, 0, FREE, PART, 5),
    pr(GD, C, "Xét, duyệt chính sách hỗ trợ chi phí học tập đối với trẻ em mẫu giáo và học sinh", 10, 0, FREE, PART, 20),
    // Lao động
    pr(LD, S(NOI_VU), "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam", 5, 600_000, NQ, FULL, 20),
    pr(LD, S(NOI_VU), "Xác nhận người lao động nước ngoài không thuộc diện cấp giấy phép lao động", 3, 0, FREE, FULL, 5),
    pr(LD, S(NOI_VU), "Gia hạn giấy phép lao động cho người lao động nước ngoài", 5, 450_000, NQ, FULL, 7),
    pr(LD, S(NOI_VU), "Đăng ký nội quy lao động của doanh nghiệp", 7, 0, FREE, PART, 5),
    pr(LD, S(NOI_VU), "Giải quyết hưởng trợ cấp thất nghiệp", 20, 0, FREE, FULL, 80),
    pr(LD, S(KKT), "Cấp giấy phép lao động cho người lao động nước ngoài làm việc trong khu kinh tế", 5, 600_000, NQ, FULL, 5),
    // Bảo trợ xã hội, người có công
    pr(BT, C, "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng", 20, 0, FREE, PART, 80),
    pr(BT, C, "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội", 5, 0, FREE, PART, 30),
    pr(BT, C, "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật", 25, 0, FREE, PART, 40),
    pr(BT, C, "Trợ giúp xã hội khẩn cấp về hỗ trợ làm nhà ở, sửa chữa nhà ở", 20, 0, FREE, NONE, 5),
    pr(BT, C, "Công nhận hộ nghèo, hộ cận nghèo phát sinh trong năm", 12, 0, FREE, PART, 20),
    pr(BT, S(NOI_VU), "Tiếp nhận đối tượng bảo trợ xã hội có hoàn cảnh đặc biệt khó khăn vào cơ sở trợ giúp xã hội cấp tỉnh", 10, 0, FREE, PART, 2),
    pr(NCC, S(NOI_VU), "Giải quyết chế độ trợ cấp một lần đối với thân nhân người hoạt động kháng chiến được tặng huân chương, huy chương", 20, 0, FREE, PART, 5),
    pr(NCC, S(NOI_VU), "Cấp giấy giới thiệu đi thăm viếng mộ liệt sĩ và hỗ trợ thăm viếng mộ liệt sĩ", 3, 0, FREE, PART, 5),
    pr(NCC, S(NOI_VU), "Di chuyển hồ sơ khi người hưởng trợ cấp ưu đãi thay đổi nơi thường trú", 5, 0, FREE, PART, 3),
    pr(NCC, C, "Hỗ trợ người có công đi làm phương tiện, dụng cụ trợ giúp chỉnh hình", 10, 0, FREE, PART, 3),
    // Nông nghiệp
    pr(NN, S(NONG_NGHIEP), "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông, lâm, thủy sản", 15, 700_000, PTD, FULL, 10),
    pr(NN, S(NONG_NGHIEP), "Cấp giấy phép khai thác thủy sản", 6, 40_000, Some("40.000 đồng/giấy phép"), PART, 20),
    pr(NN, S(NONG_NGHIEP), "Cấp văn bản chấp thuận đóng mới, cải hoán tàu cá", 3, 0, FREE, PART, 10),
    pr(NN, S(NONG_NGHIEP), "Đăng ký tàu cá", 3, 70_000, Some("70.000 đồng/giấy chứng nhận"), PART, 15),
    pr(NN, S(NONG_NGHIEP), "Cấp Giấy chứng nhận đủ điều kiện buôn bán thuốc bảo vệ thực vật", 20, 500_000, PTD, FULL, 7),
    pr(NN, S(NONG_NGHIEP), "Cấp chứng chỉ hành nghề thú y", 5, 50_000, Some("50.000 đồng/chứng chỉ"), FULL, 3),
    pr(NN, D, "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai", 15, 0, FREE, NONE, 5),
    pr(NN, C, "Xác nhận bảng kê lâm sản", 2, 0, FREE, PART, 10),
    // Văn hóa, thể thao và du lịch
    pr(VH, D, "Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke", 5, 4_000_000, NQ, FULL, 7),
    pr(VH, S(VHTTDL), "Cấp Giấy phép kinh doanh dịch vụ lữ hành nội địa", 10, 3_000_000, Some("3.000.000 đồng/giấy phép"), FULL, 2),
    pr(VH, S(VHTTDL), "Công nhận hạng cơ sở lưu trú du lịch 1 sao, 2 sao", 30, 1_500_000, Some("1.500.000 đồng/hồ sơ"), PART, 2),
    pr(VH, S(VHTTDL), "Cấp thẻ hướng dẫn viên du lịch nội địa", 10, 650_000, Some("650.000 đồng/thẻ"), FULL, 3),
    pr(VH, S(VHTTDL), "Cấp Giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao", 7, 500_000, NQ, FULL, 3),
    pr(VH, C, "Thông báo tổ chức lễ hội cấp xã", 5, 0, FREE, NONE, 3),
    // Khoa học và công nghệ
    pr(KH, S(KHCN), "Cấp giấy phép tiến hành công việc bức xạ (sử dụng thiết bị X-quang chẩn đoán trong y tế)", 20, 2_000_000, PTD, FULL, 3),
    pr(KH, S(KHCN), "Cấp chứng chỉ nhân viên bức xạ", 15, 200_000, Some("200.000 đồng/chứng chỉ"), FULL, 2),
    pr(KH, S(KHCN), "Đăng ký hợp đồng chuyển giao công nghệ", 10, -1, Some("0,1% tổng giá trị hợp đồng, tối đa 10.000.000 đồng"), FULL, 1),
    pr(KH, S(KHCN), "Đăng ký công bố hợp chuẩn dựa trên kết quả tự đánh giá", 5, 150_000, Some("150.000 đồng/giấy tiếp nhận"), FULL, 2),
    // Công an
    pr(CC, S(CONG_AN), "Cấp hộ chiếu phổ thông ở trong nước", 8, 200_000, Some("200.000 đồng/hộ chiếu"), FULL, 120),
    pr(CC, S(CONG_AN), "Cấp đổi thẻ Căn cước", 7, 50_000, Some("50.000 đồng/thẻ; cấp lần đầu miễn lệ phí"), FULL, 100),
    pr(AN, S(CONG_AN), "Cấp Giấy chứng nhận đủ điều kiện về an ninh, trật tự để làm ngành, nghề đầu tư kinh doanh có điều kiện", 5, 300_000, Some("300.000 đồng/giấy chứng nhận"), FULL, 10),
    pr(AN, S(CONG_AN), "Thẩm định thiết kế về phòng cháy và chữa cháy", 15, -1, Some("Phí thẩm định tính theo tổng mức đầu tư dự án"), FULL, 8),
    // Tôn giáo, nội vụ, ngoại vụ, khiếu nại
    pr(TG, C, "Đăng ký sinh hoạt tôn giáo tập trung", 20, 0, FREE, PART, 2),
    pr(TG, D, "Thông báo danh mục hoạt động tôn giáo đối với tổ chức có địa bàn hoạt động ở một xã", 15, 0, FREE, NONE, 2),
    pr(TG, S(DTTG), "Đề nghị tổ chức đại hội của tổ chức tôn giáo có địa bàn hoạt động ở một tỉnh", 30, 0, FREE, NONE, 1),
    pr(NV, S(NOI_VU), "Công nhận ban vận động thành lập hội có phạm vi hoạt động trong tỉnh", 30, 0, FREE, PART, 1),
    pr(NV, D, "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã về thành tích thực hiện nhiệm vụ chính trị", 20, 0, FREE, NONE, 3),
    pr(NGV, S(NGOAI_VU), "Cho phép tổ chức hội nghị, hội thảo quốc tế thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân tỉnh", 15, 0, FREE, PART, 1),
    pr(NGV, S(NGOAI_VU), "Cho phép sử dụng thẻ đi lại của doanh nhân APEC", 10, 0, FREE, FULL, 2),
    pr(KN, S(THANH_TRA), "Giải quyết khiếu nại lần đầu tại cấp tỉnh", 30, 0, FREE, NONE, 1),
    pr(KN, D, "Giải quyết khiếu nại lần đầu tại cấp xã", 30, 0, FREE, NONE, 3),
    // Thuế, bảo hiểm xã hội
    pr(THUE, S(CUC_THUE), "Đăng ký thuế lần đầu đối với hộ kinh doanh, cá nhân kinh doanh", 3, 0, FREE, FULL, 20),
    pr(THUE, S(CUC_THUE), "Miễn, giảm tiền sử dụng đất", 15, 0, FREE, PART, 5),
    pr(THUE, S(CUC_THUE), "Hoàn thuế thu nhập cá nhân", 6, 0, FREE, FULL, 5),
    pr(BH, S(BHXH), "Giải quyết hưởng chế độ thai sản", 6, 0, FREE, FULL, 30),
    pr(BH, S(BHXH), "Cấp lại, đổi, điều chỉnh thông tin trên sổ bảo hiểm xã hội, thẻ bảo hiểm y tế", 5, 0, FREE, FULL, 30),
    pr(BH, S(BHXH), "Giải quyết hưởng bảo hiểm xã hội một lần", 10, 0, FREE, FULL, 20),
    pr(BH, S(BHXH), "Đăng ký tham gia bảo hiểm xã hội tự nguyện", 5, 0, FREE, FULL, 10),
];
