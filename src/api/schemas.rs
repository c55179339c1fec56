//! Schemas of request fields the API reads by hand, from the same tables as the checks (what
//! each field accepts): used by the wire types' `#[schema(schema_with = …)]`. A leaf of `api`:
//! it knows only the domain, so the wire types need not reach into `openapi.rs`, which names
//! their handlers.

/// A string that is one of `words` (for request fields read by hand: the schema says what the
/// checks accept, from the same tables); an optional field may be `null` too (read as absent).
fn words(
    words: impl IntoIterator<Item = String>,
    example: &str,
    optional: bool,
) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let mut values: Vec<serde_json::Value> = words.into_iter().map(Into::into).collect();
    let kind = if optional {
        values.push(serde_json::Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .enum_values(Some(values))
        .examples([serde_json::Value::from(example)])
        .build()
}

pub fn payment_types() -> utoipa::openapi::schema::Object {
    words(["direct".to_owned(), "checkout".to_owned()], "checkout", false)
}

pub fn currencies() -> utoipa::openapi::schema::Object {
    words(
        crate::domain::Currency::ALL.map(|c| c.code().to_owned()),
        "XOF",
        true,
    )
}

pub fn countries() -> utoipa::openapi::schema::Object {
    words(
        crate::domain::Country::ALL.map(|c| c.code().to_owned()),
        "SN",
        true,
    )
}

pub fn providers() -> utoipa::openapi::schema::Object {
    words(
        crate::domain::ProviderCode::ALL.map(|p| p.code().to_owned()),
        "wave",
        true,
    )
}

pub fn sahelpay_methods() -> utoipa::openapi::schema::Object {
    words(
        [
            "ORANGE_MONEY",
            "WAVE",
            "MOOV",
            "CARD",
            "VISA",
            "MASTERCARD",
            "GIM_UEMOA",
        ]
        .map(str::to_owned),
        "ORANGE_MONEY",
        true,
    )
}

/// The characters `str::trim` removes (Unicode `White_Space`, all in the first plane), as the
/// body of a regex class: what a free-text field may have around its text.
fn trimmed_class() -> String {
    (0..=0xFFFF_u32)
        .filter_map(char::from_u32)
        .filter(|c| c.is_whitespace())
        .map(|c| format!(r"\u{:04X}", c as u32))
        .collect()
}

/// An optional free-text field as `domain::text::optional_text` reads it: trimmed, then at most
/// `max_chars` characters and no control character; blank counts as absent.
pub fn free_text(max_chars: usize, example: &str) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let space = trimmed_class();
    let pattern = format!(r"^[{space}]*[^\u0000-\u001F\u007F-\u009F]{{0,{max_chars}}}[{space}]*$");
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .pattern(Some(pattern))
        .examples([serde_json::Value::from(example)])
        .build()
}

/// A refund's `reason` (`api::fields::refund_body`).
pub fn refund_reason() -> utoipa::openapi::schema::Object {
    free_text(500, "article retourné")
}
