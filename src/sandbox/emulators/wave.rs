//! The Wave Checkout API as the sandbox plays it, written from PROVIDERS.md ("Wave — Checkout
//! API": docs.wave.com/checkout, docs.wave.com/webhook), never from Dalal's connector: its own
//! types, and at least Wave's strictness. The sandbox "phone" page stands in for the Wave app:
//! a session's `wave_launch_url` opens it, and the tester's answer there is the customer's.
//!
//! - A key belongs to one business wallet, hence one country: the emulator has one public key
//!   per Wave country (`WALLETS`), and sessions belong to the wallet whose key opened them.
//! - `POST /v1/checkout/sessions` takes `amount` as a string with no decimals (XOF), `XOF`
//!   only, `success_url`/`error_url` in https (loopback hosts may use http: this machine's
//!   tests), a `client_reference` of at most 255 characters.
//! - Expire and refund answer `200` with an empty body; `409` for a session that is no longer
//!   open (expire); a refund of an unpaid session is refused `checkout-refund-failed`; a second
//!   refund is harmless.
//! - Webhooks are signed like Wave's (`Wave-Signature: t=…,v1=…`) with the wallet's secret and
//!   sent to Dalal's own `/hooks/wave`.
//!
//! Credentials are public: test money only (README, "Sandbox").

use super::super::store::{Decision, Flow, SandboxSession, Scenario};
use super::super::{
    QR_VALIDITY_MS, SandboxProvider, Stage, refund_lacks_balance, scenario_for_phone, store,
};
use crate::clock::iso8601;
use crate::domain::{Country, ProviderCode};
use crate::state::AppState;
use crate::{random, routes};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The emulator's wallets, one per country Wave serves: the country, its API key (`wave_sn_…` as
/// Wave's) and the secret its webhooks are signed with.
pub const WALLETS: [(Country, &str, &str); 4] = [
    (
        Country::Sn,
        "wave_sn_sandbox_dalal_test_api_key",
        "wave_sn_sandbox_WHS_dalal_test_secret",
    ),
    (
        Country::Ci,
        "wave_ci_sandbox_dalal_test_api_key",
        "wave_ci_sandbox_WHS_dalal_test_secret",
    ),
    (
        Country::Ml,
        "wave_ml_sandbox_dalal_test_api_key",
        "wave_ml_sandbox_WHS_dalal_test_secret",
    ),
    (
        Country::Bf,
        "wave_bf_sandbox_dalal_test_api_key",
        "wave_bf_sandbox_WHS_dalal_test_secret",
    ),
];
/// Senegal's wallet's webhook secret.
pub const WEBHOOK_SECRET: &str = WALLETS[0].2;
/// The name the customer sees in the app.
const BUSINESS_NAME: &str = "Dalal (sandbox)";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/checkout/sessions", post(create))
        .route("/v1/checkout/sessions/{id}", get(show))
        .route("/v1/checkout/sessions/{id}/expire", post(expire))
        .route("/v1/checkout/sessions/{id}/refund", post(refund))
        .route("/v1/payout", post(payouts::create))
        .route("/v1/payout/{id}", get(payouts::show))
        .route("/v1/payouts/search", get(payouts::search))
        .route("/v1/balance", get(payouts::balance))
}

/// Every error: `{"code": "…", "message": "…"}`.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "code": code, "message": message })),
    )
        .into_response()
}

fn internal(err: &anyhow::Error) -> Response {
    tracing::error!(error = ?err, "the Wave emulator failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal-server-error",
        "Internal error",
    )
}

/// Wave's authentication, `Authorization: Bearer <api key>`: the wallet's country code, or the
/// refusal.
fn wallet_of(headers: &HeaderMap) -> Result<&'static str, Response> {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "missing-auth-header",
            "Missing Authorization header",
        ));
    };
    let Some(key) = given.strip_prefix("Bearer ") else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "invalid-auth",
            "The Authorization header must be a Bearer token",
        ));
    };
    WALLETS
        .iter()
        .find(|(_, k, _)| *k == key)
        .map(|(country, _, _)| country.code())
        .ok_or_else(|| {
            error(
                StatusCode::UNAUTHORIZED,
                "no-matching-api-key",
                "No API key matches the one given",
            )
        })
}

/// The sandbox's rules for this provider's sessions.
fn sandbox(state: &AppState) -> SandboxProvider {
    super::rules(state, ProviderCode::Wave)
}

/// Whether a return URL is one Wave takes: https, or http to this machine (loopback).
fn acceptable_return_url(text: &str) -> bool {
    let Ok(url) = url::Url::parse(text) else {
        return false;
    };
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => match url.host() {
            Some(url::Host::Domain(host)) => host == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// A whole positive number of XOF, written as Wave wants it: digits, no sign, no leading zero,
/// no decimals.
fn whole_xof(text: &str) -> Option<i64> {
    let plain =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0');
    plain.then(|| text.parse().ok()).flatten()
}

/// The session object as `GET /v1/checkout/sessions/{id}` shows it now.
fn render(state: &AppState, session: &SandboxSession) -> Option<SessionObject> {
    let kept: Kept = serde_json::from_str(session.request.as_deref()?).ok()?;
    let stage = sandbox(state).stage(session, state.clock.now_ms());
    let failure = |code, message| Some(PaymentError { code, message });
    let (checkout_status, payment_status, last_payment_error) = match stage {
        Stage::Open | Stage::Asked => ("open", "processing", None),
        Stage::Paid => ("complete", "succeeded", None),
        Stage::InsufficientFunds => (
            "open",
            "cancelled",
            failure("insufficient-funds", "The payer does not have enough funds"),
        ),
        // The customer turned it down in the app: no error code.
        Stage::Declined => ("open", "cancelled", None),
        Stage::Expired => ("expired", "cancelled", None),
    };
    let paid = stage == Stage::Paid;
    Some(SessionObject {
        id: session.id.clone(),
        amount: session.amount.to_string(),
        currency: session.currency.clone(),
        checkout_status,
        payment_status,
        client_reference: kept.request.client_reference,
        business_name: BUSINESS_NAME,
        success_url: kept.request.success_url,
        error_url: kept.request.error_url,
        wave_launch_url: routes::absolute(&state.public_url, &routes::sandbox_phone(&session.id)),
        transaction_id: paid.then(|| format!("T_{}", session.id.trim_start_matches("cos-"))),
        last_payment_error,
        when_created: iso8601(session.created_at),
        when_expires: iso8601(session.created_at + QR_VALIDITY_MS),
        when_completed: session.decided_at.filter(|_| paid).map(iso8601),
    })
}

/// `POST /v1/checkout/sessions`. The payer's number (`restrict_payer_mobile`, when the
/// merchant sends it) chooses the sandbox scenario as everywhere; `…04` finds Wave down.
async fn create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let wallet = match wallet_of(&headers) {
        Ok(wallet) => wallet,
        Err(refused) => return refused,
    };
    let invalid =
        |message: &str| error(StatusCode::BAD_REQUEST, "request-validation-error", message);
    let request = match serde_json::from_slice::<CreateRequest>(&body) {
        Ok(request) => request,
        Err(err) => return invalid(&format!("The request body is not valid: {err}")),
    };
    if request.currency != "XOF" {
        return invalid("currency: only XOF is supported");
    }
    let Some(amount) = whole_xof(&request.amount) else {
        return invalid("amount: a positive whole number of XOF, as a string, with no decimals");
    };
    for url in [&request.success_url, &request.error_url] {
        if !acceptable_return_url(url) {
            return invalid("success_url and error_url must be https URLs");
        }
    }
    if request
        .client_reference
        .as_ref()
        .is_some_and(|r| r.chars().count() > 255)
    {
        return invalid("client_reference: at most 255 characters");
    }
    if let Some(mobile) = &request.restrict_payer_mobile {
        let digits = mobile.strip_prefix('+').unwrap_or("");
        if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return invalid("restrict_payer_mobile: an E.164 number");
        }
    }
    let scenario = scenario_for_phone(request.restrict_payer_mobile.as_deref());
    if scenario == Scenario::ProviderDown {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "service-unavailable",
            "The service is temporarily unavailable",
        );
    }
    let kept = Kept {
        request: request.clone(),
        wallet: wallet.to_owned(),
    };
    let session = SandboxSession {
        id: format!("cos-{}", random::lower_alphanumeric(20)),
        provider: ProviderCode::Wave,
        flow: Flow::Qr,
        amount,
        currency: request.currency,
        phone: request.restrict_payer_mobile,
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
    match render(&state, &session) {
        Some(object) => Json(object).into_response(),
        None => internal(&anyhow::anyhow!("a session without its request")),
    }
}

/// The wallet's session, or Wave's refusal.
async fn find(state: &AppState, headers: &HeaderMap, id: &str) -> Result<SandboxSession, Response> {
    let wallet = wallet_of(headers)?;
    let not_found = || {
        error(
            StatusCode::NOT_FOUND,
            "checkout-session-not-found",
            "No checkout session with this id",
        )
    };
    let session = match store::find(&state.pool, id).await {
        Ok(Some(session)) if session.provider == ProviderCode::Wave => session,
        Ok(_) => return Err(not_found()),
        Err(err) => return Err(internal(&err)),
    };
    // Another wallet's session is not this key's to see.
    let kept: Option<Kept> = session
        .request
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    if kept.is_none_or(|k| k.wallet != wallet) {
        return Err(not_found());
    }
    Ok(session)
}

/// `GET /v1/checkout/sessions/{id}`.
async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match find(&state, &headers, &id).await {
        Ok(session) => match render(&state, &session) {
            Some(object) => Json(object).into_response(),
            None => internal(&anyhow::anyhow!("a session without its request")),
        },
        Err(refused) => refused,
    }
}

/// `POST /v1/checkout/sessions/{id}/expire`: an open session can no longer be paid; `200` with
/// an empty body. A paid or expired one is refused with `409`.
async fn expire(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let session = match find(&state, &headers, &id).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let now = state.clock.now_ms();
    match sandbox(&state).stage(&session, now) {
        Stage::Paid | Stage::Expired => error(
            StatusCode::CONFLICT,
            "checkout-session-not-open",
            "The checkout session is no longer open",
        ),
        Stage::Open | Stage::Asked | Stage::InsufficientFunds | Stage::Declined => {
            // A failed try leaves a Wave session open: expiring closes it all the same.
            let closed = match session.decision {
                Some(_) => store::expire_failed(&state.pool, &id).await,
                None => store::decide(&state.pool, &id, Decision::Expired, now)
                    .await
                    .map(drop),
            };
            match closed {
                Ok(()) => StatusCode::OK.into_response(),
                Err(err) => internal(&err),
            }
        }
    }
}

/// `POST /v1/checkout/sessions/{id}/refund`, no body: the whole amount of a paid session, `200`
/// with an empty body (again: harmless). As everywhere in the sandbox, an amount ending in 13
/// fails for want of balance (README, "Sandbox").
async fn refund(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let session = match find(&state, &headers, &id).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    if !body.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "request-validation-error",
            "This endpoint takes no body",
        );
    }
    if sandbox(&state).stage(&session, state.clock.now_ms()) != Stage::Paid {
        return error(
            StatusCode::BAD_REQUEST,
            "checkout-refund-failed",
            "Only a completed checkout session can be refunded",
        );
    }
    if refund_lacks_balance(session.amount) {
        return error(
            StatusCode::BAD_REQUEST,
            "checkout-refund-failed",
            "The wallet's balance is too low for this refund",
        );
    }
    StatusCode::OK.into_response()
}

/// `Wave-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + raw body)>`.
fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Sends the webhook Wave sends when a customer's try ends (`checkout.session.completed` or
/// `checkout.session.payment_failed`) to Dalal's `/hooks/wave`, signed like Wave's. Wave
/// retries an undelivered webhook; so does the emulator, three times, a second apart.
pub async fn notify(state: &AppState, reference: &str) -> anyhow::Result<()> {
    let Some(session) = store::find(&state.pool, reference).await? else {
        return Ok(());
    };
    let kind = match sandbox(state).stage(&session, state.clock.now_ms()) {
        Stage::Paid => "checkout.session.completed",
        Stage::InsufficientFunds | Stage::Declined => "checkout.session.payment_failed",
        Stage::Open | Stage::Asked | Stage::Expired => return Ok(()),
    };
    let Some(data) = render(state, &session) else {
        return Ok(());
    };
    let event = Event {
        id: format!("AE_{}", random::lower_alphanumeric(12)),
        kind,
        data,
    };
    let body = serde_json::to_vec(&event)?;
    // Signed with the secret of the wallet the session belongs to.
    let kept: Option<Kept> = session
        .request
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    let secret = WALLETS
        .iter()
        .find(|(country, _, _)| kept.as_ref().is_some_and(|k| k.wallet == country.code()))
        .map_or(WEBHOOK_SECRET, |(_, _, secret)| *secret);
    super::notify_dalal(
        state,
        routes::HOOK_WAVE,
        super::AfterRefusal::TryAgain,
        |client, url| {
            let signed = signature(secret, state.clock.now_ms() / 1000, &body);
            client
                .post(url)
                .header("Wave-Signature", signed)
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.clone())
        },
    )
    .await
}

/// A webhook body signed with `secret` at `timestamp`, as Wave signs it: for tests that play
/// Wave's notifications.
pub fn signed(secret: &str, timestamp: i64, body: &[u8]) -> String {
    signature(secret, timestamp, body)
}

mod payouts;
mod wire;

use wire::*;

#[cfg(test)]
mod tests;
