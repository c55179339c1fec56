//! MTN MoMo's Open API, Collection product, as the sandbox plays it
//! (`https://momodeveloper.mtn.com/api-documentation`): `POST /collection/token/` (Basic API user
//! and key), `POST /collection/v1_0/requesttopay` (202, identified by `X-Reference-Id`) and
//! `GET /collection/v1_0/requesttopay/{referenceId}`, each behind `Ocp-Apim-Subscription-Key`
//! and `X-Target-Environment`, with MTN's status words and reasons, and the unsigned callback
//! MTN sends once to `X-Callback-Url` when a request ends.
//!
//! The payer's number chooses the outcome as everywhere in the sandbox (README, "Sandbox").
//! Credentials are public (test money only): `SUBSCRIPTION_KEY`, `API_USER`, `API_KEY`, target
//! environment `sandbox`. Tokens live `TOKEN_SECS` by the application's clock.

use crate::config::{MtnMomoCredentials, Secret};
use crate::db;
use crate::db::sandbox::{Flow, SandboxSession, Scenario};
use crate::domain::ProviderCode;
use crate::providers::mtn_momo::wire::{ErrorBody, RequestToPay, RequestToPayResult, Token};
use crate::providers::sandbox::{SandboxProvider, Stage, scenario_for_phone};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const SUBSCRIPTION_KEY: &str = "mtn_sandbox_dalal_subscription_key";
pub const API_USER: &str = "0d7a2c4e-5b1f-4e8a-9c3d-7f6b2a1e4d90";
pub const API_KEY: &str = "mtn_sandbox_dalal_api_key";
pub const TARGET_ENVIRONMENT: &str = "sandbox";
/// How long a token is good for (MTN's are an hour).
pub const TOKEN_SECS: i64 = 3600;
/// Signs the emulator's tokens, so that it needs to remember none.
const TOKEN_KEY: &[u8] = b"dalal-sandbox-mtn-momo-tokens";

/// The credentials test mode's MTN MoMo connector uses.
pub fn credentials() -> MtnMomoCredentials {
    MtnMomoCredentials {
        subscription_key: Secret::new(SUBSCRIPTION_KEY),
        api_user: Secret::new(API_USER),
        api_key: Secret::new(API_KEY),
        target_environment: TARGET_ENVIRONMENT.to_owned(),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/collection/token/", post(token))
        .route("/collection/v1_0/requesttopay", post(request_to_pay))
        .route("/collection/v1_0/requesttopay/{reference}", get(status))
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ErrorBody {
        code: code.to_owned(),
        message: message.to_owned(),
    };
    (status, Json(body)).into_response()
}

/// What MTN's API gateway answers a call without a good subscription key or token.
fn access_denied(why: &str) -> Response {
    let body =
        serde_json::json!({ "statusCode": 401, "message": format!("Access denied due to {why}.") });
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

fn header_of<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `POST /collection/token/`.
async fn token(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if header_of(&headers, "ocp-apim-subscription-key") != Some(SUBSCRIPTION_KEY) {
        return access_denied("invalid subscription key");
    }
    let basic = header_of(&headers, "authorization")
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    if basic.as_deref() != Some(&format!("{API_USER}:{API_KEY}")) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({ "error": "login_failed" })),
        )
            .into_response();
    }
    let issued = state.clock.now_ms();
    Json(Token {
        access_token: super::tokens::issue(TOKEN_KEY, issued),
        token_type: "access_token".to_owned(),
        expires_in: TOKEN_SECS,
    })
    .into_response()
}

/// The checks every Collection call passes: subscription key, a live token, the environment.
fn authorise(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    if header_of(headers, "ocp-apim-subscription-key") != Some(SUBSCRIPTION_KEY) {
        return Some(access_denied("invalid subscription key"));
    }
    let live = header_of(headers, "authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| super::tokens::alive(TOKEN_KEY, t, state.clock.now_ms(), TOKEN_SECS));
    if !live {
        return Some(access_denied("invalid or expired access token"));
    }
    if header_of(headers, "x-target-environment") != Some(TARGET_ENVIRONMENT) {
        return Some(error(
            StatusCode::BAD_REQUEST,
            "NOT_ALLOWED_TARGET_ENVIRONMENT",
            "Access to target environment is forbidden.",
        ));
    }
    None
}

fn sandbox(state: &AppState) -> SandboxProvider {
    SandboxProvider::new(
        ProviderCode::MtnMomo,
        state.pool.clone(),
        state.clock.clone(),
        state.settings.sandbox.clone(),
    )
}

/// What the emulator keeps of a request to pay.
#[derive(Serialize, Deserialize)]
struct Stored {
    body: RequestToPay,
    callback_url: Option<String>,
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `POST /collection/v1_0/requesttopay`: 202 and nothing else; the payer's phone rings.
async fn request_to_pay(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = authorise(&state, &headers) {
        return refused;
    }
    let Some(reference) = header_of(&headers, "x-reference-id").filter(|r| is_uuid(r)) else {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REFERENCE_ID",
            "X-Reference-Id must be a UUID.",
        );
    };
    let Ok(request) = serde_json::from_slice::<RequestToPay>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "The body is not a request to pay.",
        );
    };
    let amount = request.amount.parse::<i64>().ok().filter(|a| *a > 0);
    let digits = !request.payer.party_id.is_empty()
        && request.payer.party_id.bytes().all(|b| b.is_ascii_digit());
    let (Some(amount), true, "MSISDN") = (amount, digits, request.payer.party_id_type.as_str())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "amount and payer (MSISDN) are required.",
        );
    };
    match db::sandbox::find(&state.pool, reference).await {
        Ok(None) => {}
        Ok(Some(_)) => {
            return error(
                StatusCode::CONFLICT,
                "RESOURCE_ALREADY_EXIST",
                "Duplicated reference id. Creation of resource failed.",
            );
        }
        Err(err) => return internal(&err),
    }
    let phone = format!("+{}", request.payer.party_id);
    let scenario = scenario_for_phone(Some(&phone));
    if scenario == Scenario::ProviderDown {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_PROCESSING_ERROR",
            "An internal error occurred while processing.",
        );
    }
    let stored = Stored {
        callback_url: header_of(&headers, "x-callback-url").map(str::to_owned),
        body: request.clone(),
    };
    let session = SandboxSession {
        id: reference.to_owned(),
        provider: ProviderCode::MtnMomo,
        flow: Flow::Push,
        amount,
        currency: request.currency.clone(),
        phone: Some(phone),
        scenario,
        created_at: state.clock.now_ms(),
        decision: None,
        decided_at: None,
        request: serde_json::to_string(&stored).ok(),
    };
    if let Err(err) = db::sandbox::insert(&state.pool, &session).await {
        return internal(&err);
    }
    if stored.callback_url.is_some() {
        tokio::spawn(call_back(state.clone(), reference.to_owned()));
    }
    StatusCode::ACCEPTED.into_response()
}

fn internal(err: &anyhow::Error) -> Response {
    tracing::error!(error = ?err, "the MTN MoMo emulator failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_PROCESSING_ERROR",
        "An internal error occurred while processing.",
    )
}

/// The request as `GET …/requesttopay/{referenceId}` shows it now.
fn render(state: &AppState, session: &SandboxSession) -> Option<RequestToPayResult> {
    let stored: Stored = serde_json::from_str(session.request.as_deref()?).ok()?;
    let (status, reason) = match sandbox(state).stage(session, state.clock.now_ms()) {
        Stage::Open | Stage::Asked => ("PENDING", None),
        Stage::Paid => ("SUCCESSFUL", None),
        Stage::InsufficientFunds => ("FAILED", Some("NOT_ENOUGH_FUNDS")),
        Stage::Declined => ("FAILED", Some("APPROVAL_REJECTED")),
        Stage::Expired => ("FAILED", Some("EXPIRED")),
    };
    Some(RequestToPayResult {
        amount: stored.body.amount,
        currency: stored.body.currency,
        financial_transaction_id: (status == "SUCCESSFUL")
            .then(|| format!("{}", 100_000_000 + session.created_at % 900_000_000)),
        external_id: stored.body.external_id,
        payer: stored.body.payer,
        payer_message: Some(stored.body.payer_message),
        payee_note: Some(stored.body.payee_note),
        status: status.to_owned(),
        reason: reason.map(str::to_owned),
    })
}

/// `GET /collection/v1_0/requesttopay/{referenceId}`.
async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    if let Some(refused) = authorise(&state, &headers) {
        return refused;
    }
    let found = match db::sandbox::find(&state.pool, &reference).await {
        Ok(found) => found.filter(|s| s.provider == ProviderCode::MtnMomo),
        Err(err) => return internal(&err),
    };
    match found.as_ref().and_then(|s| render(&state, s)) {
        Some(result) => Json(result).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            "Requested resource was not found.",
        ),
    }
}

/// MTN calls back once, when the request has ended: after the payer's answer, or after the
/// prompt timed out. The emulator looks at those two moments (by the wall clock) and sends the
/// result, unsigned, to the request's `X-Callback-Url` if it has ended by then.
async fn call_back(state: AppState, reference: String) {
    super::at_push_moments(&state, || async {
        let Ok(Some(session)) = db::sandbox::find(&state.pool, &reference).await else {
            return true;
        };
        let Some(result) = render(&state, &session).filter(|r| r.status != "PENDING") else {
            return false;
        };
        let Some(url) = session
            .request
            .as_deref()
            .and_then(|r| serde_json::from_str::<Stored>(r).ok())
            .and_then(|s| s.callback_url)
        else {
            return true;
        };
        let sent = reqwest::Client::new()
            .put(&url)
            .timeout(Duration::from_secs(10))
            .json(&result)
            .send()
            .await;
        if let Err(err) = sent {
            tracing::info!(error = %err.without_url(), "the MTN MoMo emulator's callback was not taken (MTN does not retry)");
        }
        true
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_ids_must_be_uuids() {
        assert!(is_uuid(&crate::random::uuid_v4()));
        assert!(is_uuid(API_USER));
        assert!(!is_uuid("att_123"));
        assert!(!is_uuid("0d7a2c4e-5b1f-4e8a-9c3d-7f6b2a1e4d9"));
    }
}
