//! The query of `GET /v1/payments`: `status=SUCCEEDED&payment_method=WAVE&created_from=…
//! &created_to=…&client_reference=…&limit=20&starting_after=txn_…`.

use super::error::{SahelError, invalid};
use super::wire::method_name;
use crate::api::fields;
use crate::domain::{CardBrand, PaymentStatus, ProviderCode, TransactionId};
use crate::payments::ListFilter;
use std::collections::HashMap;

/// The method names a listing filters on (`/openapi.json` lists them).
pub const METHODS: [&str; 9] = [
    "ORANGE_MONEY",
    "WAVE",
    "MOOV",
    "FREE_MONEY",
    "MTN_MOMO",
    "CARD",
    "VISA",
    "MASTERCARD",
    "GIM_UEMOA",
];

/// SahelPay's method names, back to Dalal's provider (cards: any brand).
fn parse_method(s: &str) -> Option<ProviderCode> {
    ProviderCode::ALL.into_iter().find(|p| {
        method_name(*p, None) == s
            || (*p == ProviderCode::Card
                && [CardBrand::Visa, CardBrand::Mastercard, CardBrand::GimUemoa]
                    .iter()
                    .any(|b| method_name(*p, Some(*b)) == s))
    })
}

/// The filter and page size of a listing, or the first thing wrong with its query.
pub fn parse_list(query: &HashMap<String, String>) -> Result<(ListFilter, u32), SahelError> {
    let get = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    };
    let bad = |name: &str, got: &str| {
        SahelError::bad(
            "INVALID_QUERY",
            format!("Valeur invalide pour « {name} » : « {got} »"),
        )
    };
    let filter = ListFilter {
        status: get("status")
            .map(|s| PaymentStatus::parse(&s.to_ascii_lowercase()).ok_or_else(|| bad("status", s)))
            .transpose()?,
        method: get("payment_method")
            .map(|s| parse_method(s).ok_or_else(|| bad("payment_method", s)))
            .transpose()?,
        created_from: get("created_from")
            .map(|s| fields::time_bound("created_from", s, false))
            .transpose()
            .map_err(invalid("INVALID_QUERY"))?,
        created_to: get("created_to")
            .map(|s| fields::time_bound("created_to", s, true))
            .transpose()
            .map_err(invalid("INVALID_QUERY"))?,
        external_reference: get("client_reference").map(str::to_owned),
        before_id: get("starting_after")
            .map(|s| {
                TransactionId::parse(s)
                    .map(|id| id.sequence())
                    .map_err(|_| bad("starting_after", s))
            })
            .transpose()?,
    };
    let limit = fields::limit(get("limit")).map_err(invalid("INVALID_QUERY"))?;
    Ok((filter, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_method_filters_and_no_other() {
        let found: Vec<_> = METHODS.iter().filter_map(|m| parse_method(m)).collect();
        assert_eq!(found.len(), METHODS.len());
        for provider in ProviderCode::ALL {
            assert!(found.contains(&provider), "{provider:?}");
        }
        assert_eq!(parse_method("CASH"), None);
    }
}
