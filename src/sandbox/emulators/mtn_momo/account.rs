//! The API user's account: its balance in an environment, and whether a number holds an account.

use super::*;

/// `GET /collection/v1_0/account/balance`: what this environment's successful requests brought
/// in, in its currency.
pub(super) async fn balance(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (environment, currency) = match authorise(&state, &headers) {
        Ok(environment) => environment,
        Err(refused) => return refused,
    };
    let sessions = match store::of_provider(&state.pool, ProviderCode::MtnMomo).await {
        Ok(sessions) => sessions,
        Err(err) => return internal(&err),
    };
    let now = state.clock.now_ms();
    let sandbox = sandbox(&state);
    let total: i64 = sessions
        .iter()
        .filter(|s| environment_of(s).as_deref() == Some(environment))
        .filter(|s| sandbox.stage(s, now) == Stage::Paid)
        .map(|s| s.amount)
        .sum();
    Json(serde_json::json!({ "availableBalance": total.to_string(), "currency": currency }))
        .into_response()
}

/// `GET /collection/v1_0/accountholder/{msisdn|email}/{id}/active` → `{"result": true}`. The
/// type is lower case in MTN's reference and upper case in some clients: both are taken.
pub(super) async fn account_holder(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
) -> Response {
    if let Err(refused) = authorise(&state, &headers) {
        return refused;
    }
    let valid = match kind.to_ascii_lowercase().as_str() {
        "msisdn" => !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()),
        "email" => id.contains('@'),
        _ => false,
    };
    if !valid {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "accountHolderIdType: msisdn or email.",
        );
    }
    Json(serde_json::json!({ "result": true })).into_response()
}
