//! `GET /api/v1/dossiers/{code}/qr.png` and `.svg`: the receipt's QR code for printing. The code
//! only has to be well formed (a receipt is printed at reception, possibly before the dossier
//! reaches tracuu); minting needs print credentials and counts against the caller's lookup limits.
//! An agency officer mints only the codes of dossiers in the read model that their agency received
//! or handles.
//!
//! Rendering is ours, from the module matrix of the `qrcode` crate: a 1-bit greyscale PNG (a few
//! hundred bytes) and an SVG with one path of horizontal runs.

use std::fmt::Write as _;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use qrcode::{Color, EcLevel};
use serde::Deserialize;

use super::auth::PrintAccess;
use super::QrState;
use crate::domain::DossierCode;
use crate::error::{AppError, Code};
use crate::http::{client_key, AppState};

/// Smallest and largest image side, in pixels.
pub const SIZE_RANGE: std::ops::RangeInclusive<u32> = 64..=2048;
/// Quiet zone bounds, in modules (the standard asks for 4).
pub const QUIET_RANGE: std::ops::RangeInclusive<u32> = 0..=16;
const DEFAULT_SIZE: u32 = 300;
const DEFAULT_QUIET: u32 = 4;

/// `?size=<pixels>&quiet=<modules>`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrImageQuery {
    /// Side of the image in pixels (64–2048, default 300).
    pub size: Option<u32>,
    /// Light margin around the code in modules (0–16, default 4).
    pub quiet: Option<u32>,
}

impl QrImageQuery {
    fn parse(&self) -> Result<(u32, u32), AppError> {
        let size = self.size.unwrap_or(DEFAULT_SIZE);
        let quiet = self.quiet.unwrap_or(DEFAULT_QUIET);
        if !SIZE_RANGE.contains(&size) {
            return Err(AppError::with_message(
                Code::InvalidInput,
                format!(
                    "Tham số size phải từ {} đến {} (điểm ảnh).",
                    SIZE_RANGE.start(),
                    SIZE_RANGE.end()
                ),
            ));
        }
        if !QUIET_RANGE.contains(&quiet) {
            return Err(AppError::with_message(
                Code::InvalidInput,
                format!(
                    "Tham số quiet (lề trắng) phải từ {} đến {} ô.",
                    QUIET_RANGE.start(),
                    QUIET_RANGE.end()
                ),
            ));
        }
        Ok((size, quiet))
    }
}

/// Ảnh PNG. / A PNG image.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary, content_media_type = "image/png")]
pub struct PngImage(pub Vec<u8>);

/// Ảnh SVG. / An SVG image.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, content_media_type = "image/svg+xml")]
pub struct SvgImage(pub String);

/// A QR code's dark/light modules, row by row.
pub struct Matrix {
    width: usize,
    dark: Vec<bool>,
    version: i16,
}

impl Matrix {
    /// Encodes `text` at error-correction level M (15% of the code may be damaged) in the
    /// smallest version, with an optimal mix of numeric, alphanumeric and byte segments (see
    /// [`optimal_segments`]).
    pub fn encode(text: &str) -> anyhow::Result<Self> {
        let (version, width, dark) = encode_smallest(text.as_bytes())?;
        Ok(Self {
            width,
            dark,
            version,
        })
    }

    /// The QR version (1–40); the side is `17 + 4 × version` modules.
    pub fn version(&self) -> i16 {
        self.version
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// A `size`×`size` 1-bit greyscale PNG with at least `quiet` light modules around the code.
    /// Modules are whole pixels (crisp edges); the pixels left over widen the margin evenly.
    pub fn to_png(&self, size: u32, quiet: u32) -> Result<Vec<u8>, AppError> {
        let side = size as usize;
        let modules = self.width + 2 * quiet as usize;
        let scale = side / modules;
        if scale == 0 {
            return Err(AppError::with_message(
                Code::InvalidInput,
                format!("Ảnh {size} điểm ảnh quá nhỏ cho mã này ({modules} ô): hãy tăng size."),
            ));
        }
        let offset = (side - scale * self.width) / 2;
        let row_bytes = side.div_ceil(8);
        let mut pixels = vec![0xFFu8; row_bytes * side];
        for y in 0..self.width {
            let mut row = vec![0xFFu8; row_bytes];
            for x in (0..self.width).filter(|&x| self.is_dark(x, y)) {
                for px in offset + x * scale..offset + (x + 1) * scale {
                    row[px / 8] &= !(0x80 >> (px % 8));
                }
            }
            for py in offset + y * scale..offset + (y + 1) * scale {
                pixels[py * row_bytes..(py + 1) * row_bytes].copy_from_slice(&row);
            }
        }
        let mut out = Vec::with_capacity(1024);
        let mut encoder = png::Encoder::new(&mut out, size, size);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        // A module's rows repeat, so the Up filter turns all but the first into zeros, and the
        // fast deflate then packs them as well as the slow one (adaptive filtering cost more
        // time than encoding the QR code itself).
        encoder.set_filter(png::Filter::Up);
        encoder.set_compression(png::Compression::Fast);
        let result = encoder
            .write_header()
            .and_then(|mut writer| writer.write_image_data(&pixels));
        result
            .map_err(|e| AppError::internal(anyhow::Error::new(e).context("encoding a QR PNG")))?;
        Ok(out)
    }

    /// An SVG of `size`×`size` pixels (any size scales cleanly) with `quiet` light modules
    /// around the code; dark modules are one path of horizontal runs. `label` is its accessible
    /// name (escaped here).
    pub fn to_svg(&self, size: u32, quiet: u32, label: &str) -> String {
        let q = quiet as usize;
        let side = self.width + 2 * q;
        let mut path = String::with_capacity(self.width * self.width * 3);
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                let run = x - start;
                // Writing to a String cannot fail.
                let _ = write!(path, "M{},{}h{run}v1h-{run}z", start + q, y + q);
            }
        }
        let label = handlebars::html_escape(label);
        format!(
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" "#,
                r#"viewBox="0 0 {side} {side}" shape-rendering="crispEdges" role="img" aria-label="{label}">"#,
                r##"<title>{label}</title><rect width="{side}" height="{side}" fill="#fff"/>"##,
                r##"<path fill="#000" d="{path}"/></svg>"##
            ),
            size = size,
            side = side,
            label = label,
            path = path
        )
    }
}

/// A segment mode of the QR standard (ISO/IEC 18004 §7.4), Kanji left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Numeric,
    Alphanumeric,
    Byte,
}

const MODES: [Mode; 3] = [Mode::Numeric, Mode::Alphanumeric, Mode::Byte];

impl Mode {
    fn accepts(self, byte: u8) -> bool {
        match self {
            Mode::Numeric => byte.is_ascii_digit(),
            Mode::Alphanumeric => {
                byte.is_ascii_digit() || byte.is_ascii_uppercase() || b" $%*+-./:".contains(&byte)
            }
            Mode::Byte => true,
        }
    }

    /// Bits of a segment of `len` characters: mode indicator, character count, data.
    fn cost(self, len: usize, class: usize) -> usize {
        let count_bits = match self {
            Mode::Numeric => [10, 12, 14][class],
            Mode::Alphanumeric => [9, 11, 13][class],
            Mode::Byte => [8, 16, 16][class],
        };
        let data = match self {
            Mode::Numeric => 10 * (len / 3) + [0, 4, 7][len % 3],
            Mode::Alphanumeric => 11 * (len / 2) + 6 * (len % 2),
            Mode::Byte => 8 * len,
        };
        4 + count_bits + data
    }
}

/// The cheapest split of `data` into segments for versions of character-count class `class`
/// (0: versions 1–9, 1: 10–26, 2: 27–40), by dynamic programming over segment ends. The `qrcode`
/// crate's own optimiser is greedy: for a link with an upper-case host it spends 38 bits more,
/// which pushed typical receipt links from version 4 to 5. Returns the segments and their bits.
fn optimal_segments(data: &[u8], class: usize) -> (Vec<(Mode, std::ops::Range<usize>)>, usize) {
    let n = data.len();
    // best[j]: bits to encode data[..j], and the last segment (mode, start) reaching j.
    let mut best: Vec<(usize, Mode, usize)> = vec![(usize::MAX, Mode::Byte, 0); n + 1];
    best[0] = (0, Mode::Byte, 0);
    for end in 1..=n {
        for mode in MODES {
            let mut start = end;
            while start > 0 && mode.accepts(data[start - 1]) {
                start -= 1;
                let before = best[start].0;
                if before != usize::MAX {
                    let total = before + mode.cost(end - start, class);
                    if total < best[end].0 {
                        best[end] = (total, mode, start);
                    }
                }
            }
        }
    }
    let mut segments = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, mode, start) = best[end];
        segments.push((mode, start..end));
        end = start;
    }
    segments.reverse();
    (segments, best[n].0)
}

/// The smallest normal QR code holding `data` at level M: (version, modules per side, dark
/// modules row by row).
fn encode_smallest(data: &[u8]) -> anyhow::Result<(i16, usize, Vec<bool>)> {
    use qrcode::bits::Bits;
    use qrcode::canvas::{Canvas, MaskPattern};
    use qrcode::Version;
    for version in 1..=40i16 {
        let class = match version {
            1..=9 => 0,
            10..=26 => 1,
            _ => 2,
        };
        let (segments, needed) = optimal_segments(data, class);
        let mut bits = Bits::new(Version::Normal(version));
        if needed > bits.max_len(EcLevel::M)? {
            continue;
        }
        for (mode, range) in segments {
            let part = &data[range];
            match mode {
                Mode::Numeric => bits.push_numeric_data(part)?,
                Mode::Alphanumeric => bits.push_alphanumeric_data(part)?,
                Mode::Byte => bits.push_byte_data(part)?,
            }
        }
        bits.push_terminator(EcLevel::M)?;
        let (codewords, ec) = qrcode::ec::construct_codewords(
            &bits.into_bytes(),
            Version::Normal(version),
            EcLevel::M,
        )?;
        let mut canvas = Canvas::new(Version::Normal(version), EcLevel::M);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&codewords, &ec);
        // The mask with the lowest penalty (ISO/IEC 18004 §7.8.3), scored here: the crate's own
        // scoring allocates per module and cost ten times the rest of the encoding.
        let width = 17 + 4 * version as usize;
        let best = [
            MaskPattern::Checkerboard,
            MaskPattern::HorizontalLines,
            MaskPattern::VerticalLines,
            MaskPattern::DiagonalLines,
            MaskPattern::LargeCheckerboard,
            MaskPattern::Fields,
            MaskPattern::Diamonds,
            MaskPattern::Meadow,
        ]
        .into_iter()
        .map(|pattern| {
            let mut masked = canvas.clone();
            masked.apply_mask(pattern);
            let dark: Vec<bool> = masked
                .into_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect();
            (penalty(&dark, width), dark)
        })
        .min_by_key(|(score, _)| *score)
        .map(|(_, dark)| dark)
        .ok_or_else(|| anyhow::anyhow!("no mask pattern"))?;
        return Ok((version, width, best));
    }
    anyhow::bail!("{} bytes do not fit any QR version at level M", data.len())
}

/// Penalty of one row or column: 3 + N for each run of 5 + N modules of one colour, and 40 for
/// each finder look-alike (dark:light:dark:light:dark = 1:1:3:1:1) with four light modules (or
/// the edge) on either side.
fn line_penalty(line: &[bool]) -> u32 {
    let mut score = 0;
    let mut run = 1;
    for j in 1..=line.len() {
        if j < line.len() && line[j] == line[j - 1] {
            run += 1;
        } else {
            if run >= 5 {
                score += run - 2;
            }
            run = 1;
        }
    }
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    let light = |from: isize, to: isize| {
        (from..to).all(|k| k < 0 || k >= line.len() as isize || !line[k as usize])
    };
    for j in 0..line.len().saturating_sub(6) {
        if line[j..j + 7] == FINDER {
            let j = j as isize;
            if light(j - 4, j) || light(j + 7, j + 11) {
                score += 40;
            }
        }
    }
    score
}

/// The mask penalty of ISO/IEC 18004 §7.8.3: runs of 5+ same-coloured modules, 2×2 blocks, finder
/// look-alikes (1:1:3:1:1 with four light modules on one side), and dark/light imbalance.
fn penalty(dark: &[bool], width: usize) -> u32 {
    let at = |x: usize, y: usize| dark[y * width + x];
    let mut score = 0u32;
    let mut line = vec![false; width];
    for horizontal in [true, false] {
        for i in 0..width {
            for (j, slot) in line.iter_mut().enumerate() {
                *slot = if horizontal { at(j, i) } else { at(i, j) };
            }
            score += line_penalty(&line);
        }
    }
    for y in 0..width - 1 {
        for x in 0..width - 1 {
            let c = at(x, y);
            if at(x + 1, y) == c && at(x, y + 1) == c && at(x + 1, y + 1) == c {
                score += 3;
            }
        }
    }
    let dark_count = dark.iter().filter(|d| **d).count();
    let percent = dark_count * 100 / dark.len();
    score + 10 * (percent.abs_diff(50) / 5) as u32
}

/// The QR of `code`'s signed link.
pub fn matrix_for(state: &QrState, code: &DossierCode) -> Result<Matrix, AppError> {
    Matrix::encode(&state.link(code))
        .map_err(|e| AppError::internal(e.context("encoding a QR code")))
}

/// The common steps: count the request against the caller's limits, check credentials, parse,
/// and, for a credential confined to one agency, check that the dossier is that agency's (which
/// needs the dossier in the read model: the lookup then counts the request).
async fn prepare(
    req: &HttpRequest,
    access: Result<PrintAccess, AppError>,
    code: &str,
    query: &QrImageQuery,
    app: &AppState,
) -> Result<(DossierCode, u32, u32), AppError> {
    let client = client_key(req, &app.settings.http.trusted_proxies);
    let admit = || {
        app.lookup
            .guard()
            .admit(&client)
            .map_err(AppError::rate_limited)
    };
    let access = match access {
        Ok(access) => access,
        Err(refused) => {
            admit()?;
            return Err(refused);
        }
    };
    let parsed = DossierCode::parse(code)
        .map_err(|e| AppError::invalid(Code::InvalidDossierCode, e))
        .and_then(|code| query.parse().map(|(size, quiet)| (code, size, quiet)));
    match parsed {
        Ok((code, size, quiet)) if !access.covers_all() => {
            let lookup = app.lookup.by_code_granted(&client, &code).await?;
            let public = lookup
                .dossier
                .public_view()
                .map_err(|e| AppError::internal(e.context("reading a dossier view")))?;
            access.allows(
                &code,
                &public.receiving_agency.code,
                &public.handling_agency.code,
            )?;
            Ok((code, size, quiet))
        }
        parsed => {
            admit()?;
            parsed
        }
    }
}

fn image_response(content_type: &str, file_name: String, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{file_name}\""),
        ))
        .body(body)
}

// Descriptions the two images' operations (PNG and SVG) share: written once.
const PRINT_ACCESS_DESCRIPTION: &str = "Chỉ yêu cầu có ký bằng khóa đồng bộ (như lệnh đẩy; yêu cầu không thân ký `thời điểm.GET.đường dẫn?truy vấn`) hoặc phiên của cán bộ một cửa, cán bộ đầu mối, điện thoại viên. Tính vào hạn mức tra cứu của người gọi.\n\nOnly a request signed with a sync secret (as a push; a bodiless request signs `timestamp.GET.path?query`) or the session of a desk head, agency officer or hotline operator. Counts against the caller's lookup limits.";
const CODE_PARAM_DESCRIPTION: &str =
    "Mã hồ sơ (chỉ cần đúng định dạng) / The dossier code (it only has to be well formed)";
const SIZE_PARAM_DESCRIPTION: &str =
    "Cạnh ảnh, điểm ảnh (mặc định 300) / The image's side in pixels (default 300)";
const QUIET_PARAM_DESCRIPTION: &str =
    "Lề trắng, số ô (mặc định 4) / The light margin in modules (default 4)";
const QR_IMAGE_DESCRIPTION: &str = "Mã QR của đường dẫn có ký in trên giấy tiếp nhận. / The QR code of the signed link a receipt carries.";
const BAD_PRINT_DESCRIPTION: &str = "invalid_dossier_code: mã hồ sơ sai định dạng; invalid_input: size hoặc quiet ngoài khoảng, ảnh quá nhỏ cho mã, tham số lạ. / invalid_dossier_code: a malformed code; invalid_input: size or quiet out of range, an image too small for the code, an unknown parameter.";
const UNAUTHORIZED_PRINT_DESCRIPTION: &str = "credentials_required: không có chữ ký hay phiên cán bộ; signature_missing, signature_invalid, signature_expired: chữ ký thiếu, sai, quá hạn; login_required: phiên cán bộ không còn. / credentials_required: no signature and no staff session; signature_missing, signature_invalid, signature_expired: a signature missing, wrong or out of its window; login_required: the staff session has ended.";
const FORBIDDEN_PRINT_DESCRIPTION: &str = "forbidden: vai trò không được in, hoặc cán bộ đầu mối in hồ sơ không thuộc cơ quan mình. / forbidden: a role that does not print, or an agency officer printing another agency's dossier.";
const UNKNOWN_PRINT_DESCRIPTION: &str = "dossier_not_found: (cán bộ đầu mối) hồ sơ chưa có trong tracuu. / dossier_not_found: (an agency officer) the dossier is not in tracuu.";
const RATE_LIMITED_PRINT_DESCRIPTION: &str = "rate_limited: quá nhiều yêu cầu; chờ Retry-After giây. / rate_limited: too many requests; wait Retry-After seconds.";
const UNAVAILABLE_PRINT_DESCRIPTION: &str = "upstream_unavailable, service_unavailable: cơ sở dữ liệu không kết nối được. / upstream_unavailable, service_unavailable: the database cannot be reached.";

#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/qr.png",
    operation_id = "get_dossier_qr_png",
    summary = "Ảnh PNG mã QR của giấy tiếp nhận / The receipt's QR code as PNG",
    description = PRINT_ACCESS_DESCRIPTION,
    tag = crate::http::openapi::TAG_LOOKUP,
    params(
        ("code" = String, Path, min_length = 1, max_length = 64,
            description = CODE_PARAM_DESCRIPTION,
            example = "000.00.18.H48-261118-9005"),
        ("size" = Option<u32>, Query, minimum = 64, maximum = 2048,
            description = SIZE_PARAM_DESCRIPTION,
            example = 300),
        ("quiet" = Option<u32>, Query, minimum = 0, maximum = 16,
            description = QUIET_PARAM_DESCRIPTION,
            example = 4),
    ),
    responses(
        (status = 200, description = QR_IMAGE_DESCRIPTION, content_type = "image/png", body = PngImage),
        (status = 400, description = BAD_PRINT_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 401, description = UNAUTHORIZED_PRINT_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 403, description = FORBIDDEN_PRINT_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 404, description = UNKNOWN_PRINT_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 429, description = RATE_LIMITED_PRINT_DESCRIPTION, body = crate::error::ErrorBody,
            headers(("Retry-After" = u64, description = "Số giây cần chờ / Seconds to wait"))),
        (status = 503, description = UNAVAILABLE_PRINT_DESCRIPTION, body = crate::error::ErrorBody),
    ),
    security(("chu_ky_hmac" = [], "thoi_diem_ky" = []), ("phien_can_bo" = []))
)]
/// `GET /api/v1/dossiers/{code}/qr.png[?size=&quiet=]`.
pub async fn show_qr_png(
    req: HttpRequest,
    access: Result<PrintAccess, AppError>,
    code: web::Path<String>,
    query: web::Query<QrImageQuery>,
    app: web::Data<AppState>,
    qr: web::Data<QrState>,
) -> Result<HttpResponse, AppError> {
    let (code, size, quiet) = prepare(&req, access, &code, &query, &app).await?;
    let png = matrix_for(&qr, &code)?.to_png(size, quiet)?;
    Ok(image_response("image/png", format!("qr-{code}.png"), png))
}

/// `GET /api/v1/dossiers/{code}/qr.svg[?size=&quiet=]`.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/qr.svg",
    operation_id = "get_dossier_qr_svg",
    summary = "Ảnh SVG mã QR của giấy tiếp nhận / The receipt's QR code as SVG",
    description = PRINT_ACCESS_DESCRIPTION,
    tag = crate::http::openapi::TAG_LOOKUP,
    params(
        ("code" = String, Path, min_length = 1, max_length = 64,
            description = CODE_PARAM_DESCRIPTION,
            example = "000.00.18.H48-261118-9005"),
        ("size" = Option<u32>, Query, minimum = 64, maximum = 2048,
            description = SIZE_PARAM_DESCRIPTION,
            example = 300),
        ("quiet" = Option<u32>, Query, minimum = 0, maximum = 16,
            description = QUIET_PARAM_DESCRIPTION,
            example = 4),
    ),
    responses(
        (status = 200, description = QR_IMAGE_DESCRIPTION, content_type = "image/svg+xml", body = SvgImage),
        (status = 400, description = BAD_PRINT_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 401, description = UNAUTHORIZED_PRINT_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 403, description = FORBIDDEN_PRINT_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 404, description = UNKNOWN_PRINT_DESCRIPTION, body = crate::error::ErrorBody),
        (status = 429, description = RATE_LIMITED_PRINT_DESCRIPTION, body = crate::error::ErrorBody,
            headers(("Retry-After" = u64, description = "Số giây cần chờ / Seconds to wait"))),
        (status = 503, description = UNAVAILABLE_PRINT_DESCRIPTION, body = crate::error::ErrorBody),
    ),
    security(("chu_ky_hmac" = [], "thoi_diem_ky" = []), ("phien_can_bo" = []))
)]

pub async fn show_qr_svg(
    req: HttpRequest,
    access: Result<PrintAccess, AppError>,
    code: web::Path<String>,
    query: web::Query<QrImageQuery>,
    app: web::Data<AppState>,
    qr: web::Data<QrState>,
) -> Result<HttpResponse, AppError> {
    let (code, size, quiet) = prepare(&req, access, &code, &query, &app).await?;
    let label = format!("Mã QR tra cứu hồ sơ {code}");
    let svg = matrix_for(&qr, &code)?.to_svg(size, quiet, &label);
    Ok(image_response(
        "image/svg+xml; charset=utf-8",
        format!("qr-{code}.svg"),
        svg.into_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn state(base: &str) -> QrState {
        let mut settings = Settings::default();
        settings.qr.public_base_url = Some(base.to_owned());
        QrState::new(&settings).expect("state")
    }

    fn decode_png(png: &[u8]) -> String {
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().expect("png header");
        let mut buffer = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buffer).expect("frame");
        assert_eq!(info.bit_depth, png::BitDepth::One);
        let (w, h) = (info.width as usize, info.height as usize);
        let line = info.line_size;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
            if buffer[y * line + x / 8] & (0x80 >> (x % 8)) != 0 {
                255
            } else {
                0
            }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the image");
        grids[0].decode().expect("decodes").1
    }

    #[test]
    fn typical_links_fit_version_4_at_level_m() {
        for base in [
            "http://127.0.0.1:8080",
            "https://tracuu.quangngai.gov.vn",
            "https://dichvucong.quangngai.gov.vn",
        ] {
            let qr = state(base);
            for raw in ["000.00.53.H48-220921-0099", "H57.132-260804-0583"] {
                let code = DossierCode::parse(raw).expect("code");
                let matrix = matrix_for(&qr, &code).expect("matrix");
                assert!(
                    matrix.version() <= 4,
                    "{base} {raw}: version {}",
                    matrix.version()
                );
            }
        }
    }

    #[test]
    fn the_png_decodes_to_the_signed_link_with_an_independent_decoder() {
        let qr = state("https://tracuu.quangngai.gov.vn");
        let code = DossierCode::parse("000.00.53.H48-220921-0099").expect("code");
        for (size, quiet) in [(300, 4), (64, 1), (2048, 16), (101, 0)] {
            let png = matrix_for(&qr, &code)
                .expect("matrix")
                .to_png(size, quiet)
                .expect("png");
            let text = decode_png(&png);
            assert_eq!(text, qr.link(&code), "size {size} quiet {quiet}");
            assert!(
                text.starts_with("HTTPS://TRACUU.QUANGNGAI.GOV.VN/q/000.00.53.H48-220921-0099?k=D")
            );
        }
    }

    #[test]
    fn the_segmenter_beats_the_greedy_one_and_stays_decodable() {
        let link = b"HTTPS://TRACUU.QUANGNGAI.GOV.VN/q/000.00.53.H48-220921-0099?k=DABCDEFGHIJ";
        let (segments, bits) = optimal_segments(link, 0);
        assert_eq!(bits, 475, "{segments:?}");
        assert_eq!(segments.len(), 5);
        assert_eq!(optimal_segments(b"", 0).1, 0);
        assert_eq!(optimal_segments(b"0123", 0).0.len(), 1);
        for text in [
            "a",
            "HELLO",
            "12345678901234567890",
            "Tra cứu hồ sơ 0099 ÀÁ",
            "x/Y-1?z=2",
        ] {
            let png = Matrix::encode(text)
                .expect("encodes")
                .to_png(400, 4)
                .expect("png");
            assert_eq!(decode_png(&png), text);
        }
    }

    #[test]
    fn the_mask_penalty_follows_the_standard_rules() {
        let width = 21;
        let all_dark = vec![true; width * width];
        // Runs: 42 lines of 21 → 19 each; blocks: 20×20 × 3; balance: 100% dark → 10 × 10.
        assert_eq!(penalty(&all_dark, width), 42 * 19 + 400 * 3 + 100);
        let checker: Vec<bool> = (0..width * width)
            .map(|i| (i / width + i % width) % 2 == 0)
            .collect();
        assert_eq!(penalty(&checker, width), 0);
        let finder = [true, false, true, true, true, false, true];
        let padded: Vec<bool> = [[false; 4].as_slice(), &finder, &[false; 4]].concat();
        assert_eq!(line_penalty(&padded), 40);
        assert_eq!(line_penalty(&finder), 40, "the edge counts as light");
        let hemmed: Vec<bool> = [
            [true, false, true, false].as_slice(),
            &finder,
            &[true, false, true, false],
        ]
        .concat();
        assert_eq!(line_penalty(&hemmed), 0);
        assert_eq!(line_penalty(&[true; 7]), 5);
    }

    #[test]
    fn an_image_too_small_for_the_code_is_refused() {
        let qr = state("https://tracuu.quangngai.gov.vn");
        let code = DossierCode::parse("000.00.53.H48-220921-0099").expect("code");
        let error = matrix_for(&qr, &code)
            .expect("matrix")
            .to_png(64, 16)
            .expect_err("33 + 32 modules do not fit 64 px");
        assert_eq!(error.code, Code::InvalidInput);
    }

    #[test]
    fn the_svg_is_one_path_with_an_accessible_name() {
        let qr = state("https://tracuu.quangngai.gov.vn");
        let code = DossierCode::parse("000.00.53.H48-220921-0099").expect("code");
        let svg = matrix_for(&qr, &code)
            .expect("matrix")
            .to_svg(300, 4, "Mã QR <hồ sơ>");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"300\""));
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(svg.contains("aria-label=\"Mã QR &lt;hồ sơ&gt;\""));
    }
}
