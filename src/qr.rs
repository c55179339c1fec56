//! QR codes as small black-and-white PNG images, drawn on the server: a `data:` URI a merchant
//! puts straight into `<img src>`, and what the checkout page shows. One bit per pixel and a
//! few pixels per module keep it well under a kilobyte (the SVG it replaced was ~14 KB as a
//! data URI, and rode in every idempotency record of a direct Wave or Orange Money payment).

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
