//! `X-API-Key: pk_…:sk_…` (CaurisFlux dialect).

use super::ApiError;
use crate::merchants::{self, Merchant};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;

/// The merchant behind a request's `X-API-Key`.
pub async fn api_key(state: &AppState, headers: &HeaderMap) -> Result<Merchant, ApiError> {
    let header = headers.get("x-api-key").ok_or_else(|| {
        ApiError::unauthorized(
            "Non authentifié : en-tête X-API-Key manquant (format pk_test_xxx:sk_test_xxx)",
        )
    })?;
    let wrong = || {
        ApiError::unauthorized(
            "Non authentifié : clé API invalide. Vérifiez vos clés API (format pk_test_xxx:sk_test_xxx)",
        )
    };
    let value = header.to_str().map_err(|_| wrong())?.trim();
    let (public_key, secret_key) = value.split_once(':').ok_or_else(wrong)?;
    if !public_key.starts_with("pk_") || !secret_key.starts_with("sk_") || value.len() > 512 {
        return Err(wrong());
    }
    merchants::authenticate(&state.pool, &state.api_keys, &state.clock, public_key, secret_key)
        .await?
        .ok_or_else(wrong)
}

/// The merchant a request authenticated as.
pub struct ApiMerchant(pub Merchant);

impl FromRequestParts<AppState> for ApiMerchant {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ApiMerchant(api_key(state, &parts.headers).await?))
    }
}
