//! Reading a merchant's request, the same way for both dialects: the JSON object, each field by
//! its type, URLs, metadata, currency against country, the idempotency header. Each dialect keeps
//! only its wire names and its error codes (it wraps these `InvalidInput`s in its own error).

use crate::domain::money::whole_number;
use crate::domain::msisdn::Msisdn;
use crate::domain::text::IdempotencyKey;
use crate::domain::url::HttpUrl;
use crate::domain::{Country, InvalidInput};
use axum::http::HeaderMap;
pub use crate::domain::fields::{MAX_METADATA_BYTES, currency, json_object, non_blank, string};
use serde_json::Value;
use serde_json::value::RawValue;

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

/// A refund request's body (both dialects). An empty body refunds everything left.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct RefundBody {
    /// What to refund, in the currency's smallest unit; absent: all that is left.
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991.0, example = 2500)]
    amount: Option<Value>,
    /// Why (up to 500 characters once trimmed, no control character), kept with the refund.
    #[schema(schema_with = crate::api::schemas::refund_reason)]
    reason: Option<Value>,
}

/// The body of a refund request, the same in both dialects: `{"amount": 1500, "reason": "…"}`,
/// both optional (no amount refunds what is left).
pub fn refund_body(bytes: &[u8]) -> Result<(Option<i64>, Option<String>), InvalidInput> {
    let body: RefundBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        RefundBody {
            amount: None,
            reason: None,
        }
    } else {
        json_object(bytes)?
    };
    let amount = match body.amount {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(whole_number(&n).filter(|a| *a > 0).ok_or_else(|| {
            InvalidInput::new(
                "Le champ « amount » doit être un entier positif (unités de la devise)",
            )
        })?),
        Some(_) => {
            return Err(InvalidInput::new(
                "Le champ « amount » doit être un nombre entier",
            ));
        }
    };
    let reason = crate::domain::text::optional_text(
        "reason",
        non_blank("reason", body.reason)?.as_deref(),
        500,
    )?;
    Ok((amount, reason))
}

/// A listing's page size: 20 by default, 1 to 100.
pub fn limit(raw: Option<&str>) -> Result<u32, InvalidInput> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(20),
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                InvalidInput::new("Le paramètre « limit » doit être un entier de 1 à 100")
            }),
    }
}

/// A date or time bound of a listing: RFC 3339 (`2026-11-25T10:00:00Z`) or a day (`2026-11-25`,
/// read as its first millisecond, or with `end_of_day` its last, in UTC). Unix milliseconds.
pub fn time_bound(name: &str, raw: &str, end_of_day: bool) -> Result<i64, InvalidInput> {
    let invalid = || {
        InvalidInput::new(format!(
            "Le paramètre « {name} » doit être une date (2026-11-25) ou une date-heure RFC 3339 (2026-11-25T10:00:00Z)"
        ))
    };
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(time.timestamp_millis());
    }
    let day = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| invalid())?;
    let start = day.and_hms_opt(0, 0, 0).ok_or_else(invalid)?.and_utc();
    Ok(if end_of_day {
        start.timestamp_millis() + 86_400_000 - 1
    } else {
        start.timestamp_millis()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;

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
    fn refund_bodies_and_listing_parameters() {
        assert_eq!(refund_body(b"").unwrap(), (None, None));
        assert_eq!(
            refund_body(br#"{"amount": 1500, "reason": "retour"}"#).unwrap(),
            (Some(1500), Some("retour".to_owned()))
        );
        assert!(refund_body(br#"{"amount": -5}"#).is_err());
        assert!(refund_body(br#"{"amount": 10.5}"#).is_err());
        assert_eq!(refund_body(br#"{"amount": 1500.0}"#).unwrap(), (Some(1500), None));
        assert!(refund_body(br#"{"amount": "100"}"#).is_err());
        assert_eq!(limit(None).unwrap(), 20);
        assert!(limit(Some("0")).is_err() && limit(Some("101")).is_err());
        let day = time_bound("createdFrom", "2026-11-25", false).unwrap();
        assert_eq!(
            time_bound("createdTo", "2026-11-25", true).unwrap(),
            day + 86_399_999
        );
        assert_eq!(
            time_bound("createdFrom", "2026-11-25T00:00:00Z", false).unwrap(),
            day
        );
        assert!(time_bound("createdFrom", "25/11/2026", false).is_err());
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
