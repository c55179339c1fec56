//! QR codes as small black-and-white PNG images, drawn on the server. One bit per pixel and a
//! few pixels per module keep one under a kilobyte.
//!
//! The merchant API answers a direct Wave or Orange Money payment with the *URL* of its QR code
//! (`/qr/{attempt}.png`, served by `image`), not the image itself: drawing a QR code costs about
//! a millisecond of CPU, which was half the cost of creating such a payment, for an image many
//! merchants never show (on a phone, the deep link is the way to pay). The URL names the attempt,
//! whose payment link never changes, so browsers and CDNs may keep the image for good. The
//! checkout page puts the image in its HTML as a `data:` URI instead: one request fewer on a slow
//! link, and the page draws it only when it shows it.

use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use qrcode::{Color, EcLevel, QrCode};

/// Pixels per QR module: crisp enough for a phone's camera when shown at its natural size
/// (about 150–200 px), and browsers scale it up sharply with `image-rendering: pixelated`.
const SCALE: usize = 5;
/// The white margin around the code, in modules (the specification's quiet zone).
const QUIET_ZONE: usize = 4;

/// A 1-bit grayscale PNG of the QR code of `text`.
pub fn png(text: &str) -> anyhow::Result<Vec<u8>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * SCALE;
    let row_bytes = side.div_ceil(8);
    let mut pixels = vec![0xffu8; row_bytes * side]; // 1 is white
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (x / SCALE, y / SCALE);
            let inside = (QUIET_ZONE..QUIET_ZONE + modules).contains(&mx)
                && (QUIET_ZONE..QUIET_ZONE + modules).contains(&my);
            let dark =
                inside && colors[(my - QUIET_ZONE) * modules + (mx - QUIET_ZONE)] == Color::Dark;
            if dark {
                pixels[y * row_bytes + x / 8] &= !(0x80 >> (x % 8));
            }
        }
    }
    let mut out = Vec::new();
    let side = u32::try_from(side)?;
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

/// The same as a `data:` URI.
pub fn png_data_uri(text: &str) -> anyhow::Result<String> {
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png(text)?)
    ))
}

/// `GET /qr/{attempt}.png`: the QR code of a QR-code attempt's payment link.
pub async fn image(State(state): State<AppState>, Path(image): Path<String>) -> Response {
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Ce QR code n'existe pas. / This QR code does not exist.",
        )
            .into_response()
    };
    let Some(attempt_id) = image.strip_suffix(".png") else {
        return not_found();
    };
    let link = match state.payments.qr_link(attempt_id).await {
        Ok(Some(link)) => link,
        Ok(None) => return not_found(),
        Err(err) => {
            tracing::error!(error = ?err, "failed to read an attempt for its QR code");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    match png(&link) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "public, max-age=86400, immutable"),
            ],
            bytes,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "failed to draw a QR code");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payment_link_makes_a_small_valid_png() {
        let link = "http://127.0.0.1:3000/sandbox/phone/cos-abcdefghijklmnopqrst";
        let bytes = png(link).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let uri = png_data_uri(link).unwrap();
        assert!(uri.len() < 1_500, "{} bytes", uri.len());
        // Decode it back: the right size, black modules on white, the quiet zone white.
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let code = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M).unwrap();
        assert_eq!(info.width as usize, (code.width() + 8) * SCALE);
        let pixel = |x: usize, y: usize| buf[y * info.line_size + x / 8] & (0x80 >> (x % 8)) != 0;
        assert!(pixel(0, 0), "the quiet zone is white");
        // The top-left finder pattern's corner module is dark.
        let corner = QUIET_ZONE * SCALE;
        assert!(!pixel(corner, corner));
        assert!(
            !pixel(corner + SCALE * 6, corner),
            "the finder is 7 modules wide"
        );
        assert!(pixel(corner + SCALE * 7, corner), "then a white separator");
    }
}
