//! QR codes as SVG, drawn on the server: no image requests, crisp at any size.

use base64::Engine;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG QR code of `text`.
pub fn svg(text: &str) -> anyhow::Result<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .dark_color(svg::Color("#111111"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// The same as a `data:` URI a merchant can put straight into `<img src>`.
pub fn svg_data_uri(text: &str) -> anyhow::Result<String> {
    let svg = svg(text)?;
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg.as_bytes())
    ))
}
