//! MTN MoMo's Open API, Collection product, as the sandbox plays it, written from PROVIDERS.md
//! ("MTN MoMo — Open API, Collection": momodeveloper.mtn.com, MTN's JavaScript SDK,
//! `sparkplug/momoapi-node`), never from Dalal's connector. Public clients of this API (the npm
//! package `mtn-momo`) run against it unchanged (`tests/clients/`).
//!
//! - `POST /collection/token/` (Basic API user and key) → `{access_token, token_type:
//!   "access_token", expires_in: 3600}`.
//! - Every other call needs the subscription key, a live token and `X-Target-Environment`: a
//!   country's environment (`mtnivorycoast`, `mtnbenin` XOF; `mtncameroon` XAF) or `sandbox`,
//!   which takes **EUR only** as MTN's own sandbox (`INVALID_CURRENCY` otherwise).
//! - `POST /collection/v1_0/requesttopay`: `X-Reference-Id` a UUID v4, amount a string, payer
//!   an MSISDN, `payerMessage` and `payeeNote` not empty, the `X-Callback-Url` host the API
//!   user's `providerCallbackHost` → `202`, empty body; the same id again → `409
//!   RESOURCE_ALREADY_EXIST`. Refusals are MTN's ErrorReason words, as `500 {code, message}`.
//! - `GET …/requesttopay/{referenceId}` → the status object; a failure's `reason` is a plain
//!   string in a country's environment (as production integrations read it) and an object
//!   `{code, message}` in `sandbox` (as MTN's swagger has it).
//! - `GET …/account/balance` → `{availableBalance, currency}`: what the environment's payments
//!   brought in. `GET …/accountholder/{msisdn|email}/{id}/active` → `{result}`.
//! - The callback is sent once, unsigned, with `PUT`, when a request ends.
//! - Disbursement refunds of paid requests, with the product's own credentials
//!   (`disbursement.rs`); Disbursement transfers (payouts) and the disbursement balance, kept in
//!   the sandbox's payout book (`transfers.rs`).
//!
//! The payer's number chooses the outcome as everywhere in the sandbox (README, "Sandbox").
//! Credentials are public (test money only): `SUBSCRIPTION_KEY`, `API_USER`, `API_KEY`.

use super::super::store::{self, Flow, SandboxSession, Scenario};
use super::super::{SandboxProvider, Stage, scenario_for_phone};
use crate::domain::ProviderCode;
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use std::time::Duration;

pub const SUBSCRIPTION_KEY: &str = "mtn_sandbox_dalal_subscription_key";
/// The API user: a UUID v4, as MTN's are (clients check it).
pub const API_USER: &str = "0d7a2c4e-5b1f-4e8a-9c3d-7f6b2a1e4d90";
pub const API_KEY: &str = "mtn_sandbox_dalal_api_key";
/// The target environments the API user may use, and the currency each takes.
pub const ENVIRONMENTS: [(&str, &str); 4] = [
    ("sandbox", "EUR"),
    ("mtnivorycoast", "XOF"),
    ("mtnbenin", "XOF"),
    ("mtncameroon", "XAF"),
];
/// How long a token is good for (MTN's are an hour).
pub const TOKEN_SECS: i64 = 3600;
/// Signs the emulator's tokens, so that it needs to remember none.
const TOKEN_KEY: &[u8] = b"dalal-sandbox-mtn-momo-tokens";
/// The longest `payerMessage` / `payeeNote` (MTN: 160 characters).
const MAX_TEXT: usize = 160;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/collection/token/", post(token))
        .route("/collection/v1_0/requesttopay", post(request_to_pay))
        .route("/collection/v1_0/requesttopay/{reference}", get(status))
        .route("/collection/v1_0/account/balance", get(balance))
        .route(
            "/collection/v1_0/accountholder/{kind}/{id}/active",
            get(account_holder),
        )
        .route("/disbursement/token/", post(disbursement::token))
        .route("/disbursement/v1_0/refund", post(disbursement::refund))
        .route(
            "/disbursement/v1_0/refund/{reference}",
            get(disbursement::refund_status),
        )
        .route("/disbursement/v1_0/transfer", post(transfers::transfer))
        .route("/disbursement/v1_0/transfer/{reference}", get(transfers::transfer_status))
        .route("/disbursement/v1_0/account/balance", get(transfers::balance))
        .route("/disbursement/v1_0/account/balance/{currency}", get(transfers::balance))
}

/// An error: `{"code": "<ErrorReason>", "message": "…"}`.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "code": code, "message": message })),
    )
        .into_response()
}

fn internal(err: &anyhow::Error) -> Response {
    tracing::error!(error = ?err, "the MTN MoMo emulator failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_PROCESSING_ERROR",
        "An internal error occurred while processing.",
    )
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

/// One of MTN's products (Collection, Disbursement): its own subscription key, API user and key,
/// and the key its tokens are signed with, so that neither takes the other's.
struct Product {
    subscription_key: &'static str,
    api_user: &'static str,
    api_key: &'static str,
    token_key: &'static [u8],
}

const COLLECTION: Product = Product {
    subscription_key: SUBSCRIPTION_KEY,
    api_user: API_USER,
    api_key: API_KEY,
    token_key: TOKEN_KEY,
};

/// `POST /collection/token/`.
async fn token(State(state): State<AppState>, headers: HeaderMap) -> Response {
    issue_token(&state, &headers, &COLLECTION)
}

/// A product's `POST /…/token/` (Basic API user and key, and the product's subscription key).
fn issue_token(state: &AppState, headers: &HeaderMap, product: &Product) -> Response {
    if header_of(headers, "ocp-apim-subscription-key") != Some(product.subscription_key) {
        return access_denied("invalid subscription key");
    }
    let basic = header_of(headers, "authorization")
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    if basic.as_deref() != Some(&format!("{}:{}", product.api_user, product.api_key)) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({ "error": "login_failed" })),
        )
            .into_response();
    }
    Json(serde_json::json!({
        "access_token": super::tokens::issue(product.token_key, state.clock.now_ms()),
        "token_type": "access_token",
        "expires_in": TOKEN_SECS,
    }))
    .into_response()
}

/// The checks every Collection call passes: subscription key, a live token, an environment the
/// API user may use. The environment's name and currency, or the refusal.
fn authorise(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(&'static str, &'static str), Response> {
    authorise_for(state, headers, &COLLECTION)
}

/// A product's checks (`authorise`'s, with that product's keys).
fn authorise_for(
    state: &AppState,
    headers: &HeaderMap,
    product: &Product,
) -> Result<(&'static str, &'static str), Response> {
    if header_of(headers, "ocp-apim-subscription-key") != Some(product.subscription_key) {
        return Err(access_denied("invalid subscription key"));
    }
    let live = header_of(headers, "authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| {
            super::tokens::alive(product.token_key, t, state.clock.now_ms(), TOKEN_SECS)
        });
    if !live {
        return Err(access_denied("invalid or expired access token"));
    }
    let given = header_of(headers, "x-target-environment");
    ENVIRONMENTS
        .iter()
        .find(|(name, _)| Some(*name) == given)
        .copied()
        .ok_or_else(|| {
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "NOT_ALLOWED_TARGET_ENVIRONMENT",
                "Access to target environment is forbidden.",
            )
        })
}

/// The sandbox's rules for this provider's sessions.
fn sandbox(state: &AppState) -> SandboxProvider {
    super::rules(state, ProviderCode::MtnMomo)
}

/// An amount string: digits, perhaps with decimals (the sandbox's sample sent "5.0"); its whole
/// units when it has no fraction.
fn whole_amount(text: &str) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || !fraction.bytes().all(|b| b == b'0')
    {
        return None;
    }
    whole.parse().ok().filter(|a| *a > 0)
}

/// The API user's `providerCallbackHost`: this Dalal's own host (where its hooks are).
fn callback_host(state: &AppState) -> Option<String> {
    url::Url::parse(&state.public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
}

/// `X-Callback-Url`, if any, whose host must be the API user's `providerCallbackHost`
/// (PROVIDERS.md, Collection and Disbursement "callback").
fn callback_url_of(state: &AppState, headers: &HeaderMap) -> Result<Option<String>, Response> {
    let Some(url) = header_of(headers, "x-callback-url") else {
        return Ok(None);
    };
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    if host.is_none() || host != callback_host(state) {
        return Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INVALID_CALLBACK_URL_HOST",
            "Callback URL with different host than registered for the API user.",
        ));
    }
    Ok(Some(url.to_owned()))
}

/// A failure's `reason`: a string in a country's environment (as production sends it), the
/// swagger's object `{code, message}` in `sandbox` (PROVIDERS.md, "`reason`").
fn reason_in(environment: &str, code: &str) -> serde_json::Value {
    match environment {
        "sandbox" => {
            serde_json::json!({ "code": code, "message": code.replace('_', " ").to_lowercase() })
        }
        _ => serde_json::json!(code),
    }
}

/// `POST /collection/v1_0/requesttopay`: 202 and nothing else; the payer's phone rings.
async fn request_to_pay(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (environment, currency) = match authorise(&state, &headers) {
        Ok(environment) => environment,
        Err(refused) => return refused,
    };
    let bad = |message: &str| error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message);
    let Some(reference) = header_of(&headers, "x-reference-id").filter(|r| super::is_uuid_v4(r)) else {
        return bad("X-Reference-Id must be a UUID version 4.");
    };
    let request = match serde_json::from_slice::<RequestBody>(&body) {
        Ok(request) => request,
        Err(_) => return bad("The body is not a request to pay (amount is a string)."),
    };
    let Some(amount) = whole_amount(&request.amount) else {
        return bad("amount: a positive amount, as a string.");
    };
    let payer = &request.payer;
    let digits = !payer.party_id.is_empty() && payer.party_id.bytes().all(|b| b.is_ascii_digit());
    if payer.party_id_type != "MSISDN" || !digits {
        return bad("payer: an MSISDN, digits only.");
    }
    // Empty texts have produced 500s in production (PROVIDERS.md); long ones are refused.
    for text in [&request.payer_message, &request.payee_note] {
        match text.as_deref() {
            None | Some("") => {
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_PROCESSING_ERROR",
                    "An internal error occurred while processing.",
                );
            }
            Some(t) if t.chars().count() > MAX_TEXT => {
                return bad("payerMessage and payeeNote: at most 160 characters.");
            }
            Some(_) => {}
        }
    }
    if request.currency != currency {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INVALID_CURRENCY",
            "Currency not supported.",
        );
    }
    let callback_url = match callback_url_of(&state, &headers) {
        Ok(url) => url,
        Err(refused) => return refused,
    };
    match store::find(&state.pool, reference).await {
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
    let phone = format!("+{}", payer.party_id);
    let scenario = scenario_for_phone(Some(&phone));
    if scenario == Scenario::ProviderDown {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_PROCESSING_ERROR",
            "An internal error occurred while processing.",
        );
    }
    let kept = Kept {
        callback_url,
        environment: environment.to_owned(),
        body: request.clone(),
    };
    let session = SandboxSession {
        id: reference.to_owned(),
        provider: ProviderCode::MtnMomo,
        flow: Flow::Push,
        amount,
        currency: request.currency,
        phone: Some(phone),
        scenario,
        created_at: state.clock.now_ms(),
        decision: None,
        decided_at: None,
        request: serde_json::to_string(&kept).ok(),
        reference: None,
    };
    if let Err(err) = store::insert(&state.pool, &session).await {
        return internal(&err);
    }
    if kept.callback_url.is_some() {
        tokio::spawn(call_back(state.clone(), reference.to_owned()));
    }
    if scenario == Scenario::AnswerLost {
        // MTN took the request, and its answer is lost on the way back.
        super::lose_the_answer(&state).await;
    }
    StatusCode::ACCEPTED.into_response()
}

/// The request as `GET …/requesttopay/{referenceId}` shows it now.
fn render(state: &AppState, session: &SandboxSession) -> Option<StatusObject> {
    let kept: Kept = serde_json::from_str(session.request.as_deref()?).ok()?;
    let (status, reason) = match sandbox(state).stage(session, state.clock.now_ms()) {
        Stage::Open | Stage::Asked => ("PENDING", None),
        Stage::Paid => ("SUCCESSFUL", None),
        // Production's usual "not enough money".
        Stage::InsufficientFunds => (
            "FAILED",
            Some("LOW_BALANCE_OR_PAYEE_LIMIT_REACHED_OR_NOT_ALLOWED"),
        ),
        Stage::Declined => ("FAILED", Some("APPROVAL_REJECTED")),
        Stage::Expired => ("FAILED", Some("EXPIRED")),
    };
    let reason = reason.map(|code| reason_in(&kept.environment, code));
    Some(StatusObject {
        amount: kept.body.amount,
        currency: kept.body.currency,
        financial_transaction_id: (status == "SUCCESSFUL")
            .then(|| format!("{}", 100_000_000 + session.created_at % 900_000_000)),
        external_id: kept.body.external_id,
        payer: kept.body.payer,
        payer_message: kept.body.payer_message,
        payee_note: kept.body.payee_note,
        status,
        reason,
    })
}

fn environment_of(session: &SandboxSession) -> Option<String> {
    let kept: Kept = serde_json::from_str(session.request.as_deref()?).ok()?;
    Some(kept.environment)
}

/// `GET /collection/v1_0/requesttopay/{referenceId}`: only in the environment it was made in.
async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    let (environment, _) = match authorise(&state, &headers) {
        Ok(environment) => environment,
        Err(refused) => return refused,
    };
    let found = match store::find(&state.pool, &reference).await {
        Ok(found) => found.filter(|s| {
            s.provider == ProviderCode::MtnMomo && environment_of(s).as_deref() == Some(environment)
        }),
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
/// result, unsigned, with `PUT` to the request's `X-Callback-Url` if it has ended by then.
async fn call_back(state: AppState, reference: String) {
    super::at_push_moments(&state, || async {
        let Ok(Some(session)) = store::find(&state.pool, &reference).await else {
            return true;
        };
        let Some(result) = render(&state, &session).filter(|r| r.status != "PENDING") else {
            return false;
        };
        let Some(url) = session
            .request
            .as_deref()
            .and_then(|r| serde_json::from_str::<Kept>(r).ok())
            .and_then(|k| k.callback_url)
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

mod account;
pub mod disbursement;
mod transfers;
mod wire;

use account::{account_holder, balance};

use wire::*;

#[cfg(test)]
mod tests;
