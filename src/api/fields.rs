//! Reading a merchant's request, the same way for both dialects: the JSON object, each field by
//! its type, URLs, metadata, currency against country, the idempotency header. Each dialect keeps
//! only its wire names and its error codes (it wraps these `InvalidInput`s in its own error).

use crate::domain::msisdn::Msisdn;
use crate::domain::text::IdempotencyKey;
use crate::domain::url::HttpUrl;
use crate::domain::{Country, Currency, InvalidInput};
use axum::http::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

/// Largest `metadata` object a merchant may attach.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;

/// The body as a JSON object of `T`'s loosely typed fields (each checked one by one after).
pub fn json_object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, InvalidInput> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => InvalidInput::new(
            "Le corps de la requête doit être un objet JSON (champs en double interdits)",
        ),
        serde_json::error::Category::Io
        | serde_json::error::Category::Syntax
        | serde_json::error::Category::Eof => InvalidInput::new(format!(
            "Le corps de la requête n'est pas un JSON valide (ligne {}, colonne {})",
            e.line(),
            e.column()
        )),
    })
}

/// A string field: absent and `null` are `None`; another type is refused.
pub fn string(name: &str, value: Option<Value>) -> Result<Option<String>, InvalidInput> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(InvalidInput::new(format!(
            "Le champ « {name} » doit être une chaîne de caractères"
        ))),
    }
}

/// A string field where blank means absent.
pub fn non_blank(name: &str, value: Option<Value>) -> Result<Option<String>, InvalidInput> {
    Ok(string(name, value)?.filter(|s| !s.trim().is_empty()))
}

/// An http(s) URL field; blank means absent.
pub fn url(name: &str, value: Option<Value>) -> Result<Option<HttpUrl>, InvalidInput> {
    non_blank(name, value)?
        .map(|s| HttpUrl::parse(name, &s))
        .transpose()
}

/// The merchant's `metadata`: a JSON object of 16 KB at most, kept as the exact text it sent.
pub fn metadata(name: &str, raw: Option<Box<RawValue>>) -> Result<Option<String>, InvalidInput> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let text = raw.get();
    if !text.trim_start().starts_with('{') {
        return Err(InvalidInput::new(format!(
            "Le champ « {name} » doit être un objet JSON"
        )));
    }
    if text.len() > MAX_METADATA_BYTES {
        return Err(InvalidInput::new(format!(
            "Le champ « {name} » ne doit pas dépasser 16 Ko"
        )));
    }
    Ok(Some(text.to_owned()))
}

/// The currency of a payment: the one given, else the country's, else XOF; it must be the
/// country's when both are given.
pub fn currency(given: Option<&str>, country: Option<Country>) -> Result<Currency, InvalidInput> {
    let currency = match given.filter(|s| !s.is_empty()) {
        Some(code) => Currency::parse(code)?,
        None => country.map(Country::currency).unwrap_or(Currency::Xof),
    };
    if let Some(c) = country.filter(|c| c.currency() != currency) {
        return Err(InvalidInput::new(format!(
            "La devise {currency} n'est pas acceptée {} : utilisez {}",
            c.in_fr(),
            c.currency()
        )));
    }
    Ok(currency)
}

/// Finds the country of an international number among those Dalal serves.
pub fn phone_in_any_country(raw: &str) -> Result<(Country, Msisdn), InvalidInput> {
    Country::ALL
        .iter()
        .find_map(|c| Msisdn::parse(raw, *c).ok().map(|m| (*c, m)))
        .ok_or_else(|| {
            InvalidInput::new(format!(
                "Le numéro « {} » n'est pas un numéro mobile valide dans un pays servi par Dalal (format E.164, ex. +221771234567)",
                raw.trim()
            ))
        })
}

/// The `X-Idempotency-Key` header, if sent.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<IdempotencyKey>, InvalidInput> {
    headers
        .get("x-idempotency-key")
        .map(|v| {
            v.to_str()
                .map_err(|_| InvalidInput::new("L'en-tête X-Idempotency-Key doit être en ASCII"))
                .and_then(IdempotencyKey::parse)
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_by_type() {
        assert_eq!(string("a", None).unwrap(), None);
        assert_eq!(string("a", Some(Value::Null)).unwrap(), None);
        assert!(
            string("a", Some(Value::from(5)))
                .unwrap_err()
                .fr()
                .contains("« a »")
        );
        assert_eq!(non_blank("a", Some(Value::from("  "))).unwrap(), None);
        let too_big =
            RawValue::from_string(format!("{{\"x\": \"{}\"}}", "a".repeat(17_000))).unwrap();
        assert!(metadata("metadata", Some(too_big)).is_err());
        let list = RawValue::from_string("[1]".into()).unwrap();
        assert!(metadata("metadata", Some(list)).is_err());
    }

    #[test]
    fn currency_follows_the_country() {
        assert_eq!(currency(None, Some(Country::Cm)).unwrap(), Currency::Xaf);
        assert_eq!(currency(None, None).unwrap(), Currency::Xof);
        assert!(currency(Some("XAF"), Some(Country::Sn)).is_err());
        assert_eq!(
            currency(Some("GNF"), Some(Country::Gn)).unwrap(),
            Currency::Gnf
        );
    }
}
