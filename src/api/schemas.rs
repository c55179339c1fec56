//! Schemas of request fields the API reads by hand, from the same tables as the checks (what
//! each field accepts): used by the wire types' `#[schema(schema_with = …)]`. A leaf of `api`:
//! it knows only the domain, so the wire types need not reach into `openapi.rs`, which names
//! their handlers.

/// A string that is one of `words` (for request fields read by hand: the schema says what the
/// checks accept, from the same tables).
fn words(
    words: impl IntoIterator<Item = String>,
    example: &str,
) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(words))
        .examples([serde_json::Value::from(example)])
        .build()
}

pub fn payment_types() -> utoipa::openapi::schema::Object {
    words(["direct".to_owned(), "checkout".to_owned()], "checkout")
}

pub fn currencies() -> utoipa::openapi::schema::Object {
    words(
        crate::domain::Currency::ALL.map(|c| c.code().to_owned()),
        "XOF",
    )
}

pub fn countries() -> utoipa::openapi::schema::Object {
    words(
        crate::domain::Country::ALL.map(|c| c.code().to_owned()),
        "SN",
    )
}

pub fn providers() -> utoipa::openapi::schema::Object {
    words(
        crate::domain::ProviderCode::ALL.map(|p| p.code().to_owned()),
        "wave",
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
    )
}
