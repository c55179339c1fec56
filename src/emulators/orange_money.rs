//! Orange Money's merchant API (Sonatel, `https://developer.orange-sonatel.com`) as the sandbox
//! plays it: `POST /oauth/token` (client credentials), `POST /api/eWallet/v4/qrcode`, `POST
//! /api/eWallet/v1/payments/onestep`, `GET /api/eWallet/v1/transactions?qrId=…` and `GET
//! /api/eWallet/v1/transactions/{id}/status`, with Orange's status words, and the callback Orange
//! sends with the API key registered beside the callback URL.
//!
//! A QR code's deep links open the sandbox "phone" page, where the tester's answer is the
//! customer's; a one-step payment's outcome comes from the payer's number, as everywhere in the
//! sandbox (README, "Sandbox"), and a code of `000000` is an expired one. Like the real Orange
//! Money, the emulator refuses the same amount from the same number again within minutes.
//! Credentials are public (test money only): `CLIENT_ID`, `CLIENT_SECRET`, merchant code
//! `MERCHANT_CODE`, callbacks sent with `CALLBACK_API_KEY` to Dalal's own `/hooks/orange-money`.

use crate::clock::iso8601;
use crate::config::{OrangeMoneyCredentials, Secret};
use crate::db::sandbox::{Flow, SandboxSession, Scenario};
use crate::domain::ProviderCode;
use crate::providers::orange_money::wire::{
    Amount, CALLBACK_KEY_HEADER, ErrorBody, OneStepPayment, QrCode, QrCodeRequest, Token,
    Transaction, Transactions,
};
use crate::providers::sandbox::{
    ORANGE_DUPLICATE_WINDOW_MS, SandboxProvider, Stage, scenario_for_phone,
};
use crate::state::AppState;
use crate::{db, qr, random, routes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const CLIENT_ID: &str = "om_sandbox_dalal_client_id";
pub const CLIENT_SECRET: &str = "om_sandbox_dalal_client_secret";
pub const MERCHANT_CODE: &str = "100200";
/// The key the emulator sends with its callbacks.
pub const CALLBACK_API_KEY: &str = "om_sandbox_dalal_callback_key";
/// How long a token is good for (Orange's live a few minutes).
pub const TOKEN_SECS: i64 = 300;
/// Signs the emulator's tokens, so that it needs to remember none.
const TOKEN_KEY: &[u8] = b"dalal-sandbox-orange-money-tokens";
/// The longest validity a QR code may ask for: a day.
const MAX_VALIDITY_SECS: i64 = 24 * 3600;

/// The credentials test mode's Orange Money connector uses.
pub fn credentials() -> OrangeMoneyCredentials {
    OrangeMoneyCredentials {
        client_id: Secret::new(CLIENT_ID),
        client_secret: Secret::new(CLIENT_SECRET),
        merchant_code: MERCHANT_CODE.to_owned(),
        merchant_name: "Dalal (sandbox)".to_owned(),
        countries: None,
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/api/eWallet/v4/qrcode", post(create_qr))
        .route("/api/eWallet/v1/payments/onestep", post(one_step))
        .route("/api/eWallet/v1/transactions", get(search))
        .route("/api/eWallet/v1/transactions/{id}/status", get(status))
}

fn error(status: StatusCode, code: &str, title: &str) -> Response {
    let body = ErrorBody {
        status: status.as_u16(),
        code: code.to_owned(),
        title: title.to_owned(),
        detail: String::new(),
    };
    (status, Json(body)).into_response()
}

fn internal(err: &anyhow::Error) -> Response {
    tracing::error!(error = ?err, "the Orange Money emulator failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_ERROR",
        "Internal error",
    )
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    client_id: String,
    client_secret: String,
}

/// `POST /oauth/token`.
async fn token(State(state): State<AppState>, Form(form): Form<TokenForm>) -> Response {
    if form.grant_type != "client_credentials" {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": "unsupported_grant_type" })),
        )
            .into_response();
    }
    if form.client_id != CLIENT_ID || form.client_secret != CLIENT_SECRET {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    let issued = state.clock.now_ms();
    Json(Token {
        access_token: super::tokens::issue(TOKEN_KEY, issued),
        token_type: "bearer".to_owned(),
        expires_in: TOKEN_SECS,
    })
    .into_response()
}

/// A Bearer token the emulator issued and that has not expired: the refusal, if any.
fn unauthorised(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let live = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| super::tokens::alive(TOKEN_KEY, t, state.clock.now_ms(), TOKEN_SECS));
    (!live).then(|| {
        error(
            StatusCode::UNAUTHORIZED,
            "INVALID_TOKEN",
            "The access token is invalid or has expired",
        )
    })
}

fn sandbox(state: &AppState) -> SandboxProvider {
    SandboxProvider::new(
        ProviderCode::OrangeMoney,
        state.pool.clone(),
        state.clock.clone(),
        state.settings.sandbox.clone(),
    )
}

fn invalid(title: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", title)
}

/// Checks what both creations share: the merchant code and a positive amount.
fn check(partner: &str, amount: &Amount) -> Option<Response> {
    if partner != MERCHANT_CODE {
        return Some(error(
            StatusCode::BAD_REQUEST,
            "PARTNER_NOT_FOUND",
            "Unknown merchant code",
        ));
    }
    if amount.value <= 0 || amount.unit.len() != 3 {
        return Some(invalid(
            "amount: a positive value and a currency are required",
        ));
    }
    None
}

/// `POST /api/eWallet/v4/qrcode`: a QR code whose links open the sandbox phone page.
async fn create_qr(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    if let Some(refused) = unauthorised(&state, &headers) {
        return refused;
    }
    let Ok(request) = serde_json::from_str::<QrCodeRequest>(&body) else {
        return invalid("The body is not a QR code request");
    };
    if let Some(refused) = check(&request.code, &request.amount) {
        return refused;
    }
    if !(1..=MAX_VALIDITY_SECS).contains(&request.validity) {
        return invalid("validity: between 1 second and a day");
    }
    let session = SandboxSession {
        id: format!("om-{}", random::lower_alphanumeric(20)),
        provider: ProviderCode::OrangeMoney,
        flow: Flow::Qr,
        amount: request.amount.value,
        currency: request.amount.unit.clone(),
        phone: None,
        scenario: Scenario::Success,
        created_at: state.clock.now_ms(),
        decision: None,
        decided_at: None,
        request: Some(body),
    };
    if let Err(err) = db::sandbox::insert(&state.pool, &session).await {
        return internal(&err);
    }
    let link = routes::absolute(&state.public_url, &routes::sandbox_phone(&session.id));
    let image = match qr::png(&link) {
        Ok(png) => base64::engine::general_purpose::STANDARD.encode(png),
        Err(err) => return internal(&err),
    };
    Json(QrCode {
        qr_id: session.id,
        deep_link: link.clone(),
        deep_links: BTreeMap::from([
            ("OM".to_owned(), link.clone()),
            ("MAXIT".to_owned(), link.clone()),
        ]),
        qr_code: image,
        short_link: link,
        validity: request.validity,
        metadata: request.metadata,
    })
    .into_response()
}

/// `POST /api/eWallet/v1/payments/onestep`: the customer's code is checked, then the payment
/// goes through like a push (the sandbox's delay, the outcome of the payer's number).
async fn one_step(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    if let Some(refused) = unauthorised(&state, &headers) {
        return refused;
    }
    let Ok(request) = serde_json::from_str::<OneStepPayment>(&body) else {
        return invalid("The body is not a one-step payment");
    };
    if let Some(refused) = check(&request.partner.id, &request.amount) {
        return refused;
    }
    let customer = &request.customer;
    let digits = !customer.id.is_empty() && customer.id.bytes().all(|b| b.is_ascii_digit());
    if customer.id_type != "MSISDN" || !digits {
        return invalid("customer: an MSISDN is required");
    }
    let otp = customer.otp.as_deref().unwrap_or("");
    if otp.len() != 6 || !otp.bytes().all(|b| b.is_ascii_digit()) {
        return error(
            StatusCode::BAD_REQUEST,
            "OTP_INVALID",
            "The code is not valid",
        );
    }
    if otp == "000000" {
        return error(
            StatusCode::BAD_REQUEST,
            "OTP_EXPIRED",
            "The code has expired",
        );
    }
    let phone = format!("+{}", customer.id);
    let scenario = scenario_for_phone(Some(&phone));
    if scenario == Scenario::ProviderDown {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "The service is temporarily unavailable",
        );
    }
    let now = state.clock.now_ms();
    let since = now - ORANGE_DUPLICATE_WINDOW_MS;
    let recent = match db::sandbox::recent_same_payment(
        &state.pool,
        ProviderCode::OrangeMoney,
        &phone,
        request.amount.value,
        since,
    )
    .await
    {
        Ok(recent) => recent,
        Err(err) => return internal(&err),
    };
    let sandbox = sandbox(&state);
    if recent.iter().any(|s| sandbox.stage(s, now) == Stage::Paid) {
        return error(
            StatusCode::CONFLICT,
            "DUPLICATE_TRANSACTION",
            "The same amount was paid from this number a moment ago",
        );
    }
    let session = SandboxSession {
        // Never `MPQ…`: that is how a QR code's transaction is named (`status`).
        id: format!("MP1{}", random::alphanumeric(17).to_uppercase()),
        provider: ProviderCode::OrangeMoney,
        flow: Flow::Otp,
        amount: request.amount.value,
        currency: request.amount.unit.clone(),
        phone: Some(phone),
        scenario,
        created_at: now,
        decision: None,
        decided_at: None,
        request: Some(body),
    };
    if let Err(err) = db::sandbox::insert(&state.pool, &session).await {
        return internal(&err);
    }
    tokio::spawn(call_back_when_decided(state.clone(), session.id.clone()));
    match render(&state, &session) {
        Some(transaction) => Json(transaction).into_response(),
        None => internal(&anyhow::anyhow!("a one-step payment without its request")),
    }
}

/// The transaction a session stands for, if there is one: a one-step payment always; a QR code
/// once the customer has answered in the app.
fn render(state: &AppState, session: &SandboxSession) -> Option<Transaction> {
    let stage = sandbox(state).stage(session, state.clock.now_ms());
    let (status, error_code) = match stage {
        Stage::Open if session.flow == Flow::Qr => return None,
        Stage::Expired if session.flow == Flow::Qr => return None,
        Stage::Open => ("INITIATED", None),
        Stage::Asked => ("PENDING", None),
        Stage::Paid => ("SUCCESS", None),
        Stage::InsufficientFunds => ("FAILED", Some("INSUFFICIENT_BALANCE")),
        Stage::Declined => ("FAILED", Some("CANCELLED_BY_USER")),
        Stage::Expired => ("FAILED", Some("TIMEOUT")),
    };
    let request = session.request.as_deref()?;
    let (transaction_id, reference, qr_id, metadata, method) = match session.flow {
        Flow::Qr => {
            let qr: QrCodeRequest = serde_json::from_str(request).ok()?;
            let id = format!("MPQ{}", session.id.trim_start_matches("om-").to_uppercase());
            (id, None, Some(session.id.clone()), qr.metadata, "QRCODE")
        }
        _ => {
            let payment: OneStepPayment = serde_json::from_str(request).ok()?;
            let reference = Some(payment.reference);
            (session.id.clone(), reference, None, payment.metadata, "OTP")
        }
    };
    Some(Transaction {
        transaction_id,
        status: status.to_owned(),
        error_code: error_code.map(str::to_owned),
        amount: Amount {
            unit: session.currency.clone(),
            value: session.amount,
        },
        reference,
        qr_id,
        metadata,
        payment_method: method.to_owned(),
        created_at: iso8601(session.decided_at.unwrap_or(session.created_at)),
    })
}

async fn find(state: &AppState, id: &str) -> Result<Option<SandboxSession>, Response> {
    match db::sandbox::find(&state.pool, id).await {
        Ok(found) => Ok(found.filter(|s| s.provider == ProviderCode::OrangeMoney)),
        Err(err) => Err(internal(&err)),
    }
}

fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "TRANSACTION_NOT_FOUND",
        "No such transaction",
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Search {
    qr_id: String,
}

/// `GET /api/eWallet/v1/transactions?qrId=…`: the transactions paid through a QR code.
async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(search): Query<Search>,
) -> Response {
    if let Some(refused) = unauthorised(&state, &headers) {
        return refused;
    }
    match find(&state, &search.qr_id).await {
        Ok(Some(session)) if session.flow == Flow::Qr => Json(Transactions {
            content: render(&state, &session).into_iter().collect(),
        })
        .into_response(),
        Ok(_) => error(StatusCode::NOT_FOUND, "QRCODE_NOT_FOUND", "No such QR code"),
        Err(refused) => refused,
    }
}

/// `GET /api/eWallet/v1/transactions/{id}/status`.
async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refused) = unauthorised(&state, &headers) {
        return refused;
    }
    // A QR code's transaction is named after the code.
    let session_id = match id.strip_prefix("MPQ") {
        Some(qr) => format!("om-{}", qr.to_lowercase()),
        None => id,
    };
    match find(&state, &session_id).await {
        Ok(found) => match found.as_ref().and_then(|s| render(&state, s)) {
            Some(transaction) => Json(transaction).into_response(),
            None => not_found(),
        },
        Err(refused) => refused,
    }
}

/// Sends Orange's callback for a session that has a final transaction, with the callback API
/// key, to Dalal's `/hooks/orange-money`; three tries, a second apart.
pub async fn notify(state: &AppState, id: &str) -> anyhow::Result<()> {
    let Some(session) = db::sandbox::find(&state.pool, id).await? else {
        return Ok(());
    };
    let Some(transaction) =
        render(state, &session).filter(|t| !matches!(t.status.as_str(), "INITIATED" | "PENDING"))
    else {
        return Ok(());
    };
    super::notify_dalal(state, routes::HOOK_ORANGE_MONEY, |client, url| {
        client
            .post(url)
            .header(CALLBACK_KEY_HEADER, CALLBACK_API_KEY)
            .json(&transaction)
    })
    .await
}

/// A one-step payment ends after the sandbox's answer delay, or when the push times out: the
/// emulator looks at those two moments (by the wall clock) and calls back once it has ended.
async fn call_back_when_decided(state: AppState, id: String) {
    super::at_push_moments(&state, || async {
        let Ok(Some(session)) = db::sandbox::find(&state.pool, &id).await else {
            return true;
        };
        let stage = sandbox(&state).stage(&session, state.clock.now_ms());
        if stage == Stage::Asked || stage == Stage::Open {
            return false;
        }
        if let Err(err) = notify(&state, &id).await {
            tracing::info!(error = ?err, "the Orange Money emulator's callback was not taken; Dalal's checker will ask");
        }
        true
    })
    .await
}
