//! `GET /api/v1/payments/providers`: the catalogue, with each provider's countries and limits.

use super::wire::{self, ProviderInfo};
use crate::api::{ApiError, json_response, success_body};
use crate::domain::{Country, Money, ProviderCode};
use crate::routes;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;

/// The largest `amount` asked about: 2^53 - 1, the largest integer every JSON reader holds.
const MAX_AMOUNT: i64 = 9_007_199_254_740_991;

/// `GET /api/v1/payments/providers?country=SN&amount=10000`: the providers a merchant can use.
#[utoipa::path(get, path = "/api/v1/payments/providers", tag = "CaurisFlux",
    summary = "Providers, their countries and limits",
    params(
        ("country" = Option<String>, Query, description = "SN, CI, ML, BF, BJ, TG, NE, GN or CM"),
        ("currency" = Option<String>, Query, description = "XOF, XAF or GNF"),
        ("amount" = Option<i64>, Query, description = "Whether each provider takes this amount", minimum = 1, maximum = 9007199254740991.0)),
    responses(
        (status = 200, description = "The providers", body = wire::ProviderList),
        (status = 400, description = "Bad input (French message)", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ))]
pub async fn providers(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) =
        query.map_err(|_| ApiError::bad_request("Paramètres de requête invalides"))?;
    let country = query
        .get("country")
        .filter(|s| !s.is_empty())
        .map(|c| Country::parse(c))
        .transpose()?;
    let currency = match query.get("currency").filter(|s| !s.is_empty()) {
        Some(c) => crate::domain::Currency::parse(c)?,
        None => country
            .map(Country::currency)
            .unwrap_or(crate::domain::Currency::Xof),
    };
    let amount = query
        .get("amount")
        .filter(|s| !s.is_empty())
        .map(|a| {
            a.parse::<i64>()
                .ok()
                .filter(|n| *n <= MAX_AMOUNT)
                .and_then(|n| Money::new(n, currency).ok())
                .ok_or_else(|| {
                    ApiError::bad_request("Le paramètre « amount » doit être un entier de 1 à 9007199254740991")
                })
        })
        .transpose()?;
    let data: Vec<ProviderInfo> = ProviderCode::ALL
        .into_iter()
        .filter(|p| country.is_none_or(|c| p.serves(c)))
        .map(|p| {
            let (min_amount, max_amount) = p.limits(currency);
            let serves_currency = p.countries().iter().any(|c| c.currency() == currency);
            let unavailable_reason = if !serves_currency {
                Some(format!("{} n'accepte pas la devise {currency}", p.name()))
            } else {
                amount
                    .and_then(|a| crate::domain::provider::check_limits(p, a).err())
                    .map(|why| crate::domain::InvalidInput::from(why).fr().to_owned())
            };
            ProviderInfo {
                code: p.code(),
                name: p.name(),
                logo_url: routes::absolute(&state.public_url, &routes::logo(p)),
                countries: p.countries().iter().map(|c| c.code()).collect(),
                currency: currency.code(),
                min_amount,
                max_amount,
                confirmation: p.flow(),
                available: unavailable_reason.is_none(),
                unavailable_reason,
            }
        })
        .collect();
    let body = success_body(&data).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
}
