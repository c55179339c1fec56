//! Orange Money Senegal's merchant API (Sonatel) as the sandbox plays it, written from
//! PROVIDERS.md ("Orange Money Senegal — Sonatel's merchant API": developer.orange-sonatel.com,
//! Sonatel's Java SDK, and the production notes), never from Dalal's connector:
//!
//! - `POST /oauth/v1/token` only (form, client credentials) → a token of about five minutes.
//! - Every API call needs `Content-Type: application/json`, GETs included (`415` otherwise),
//!   and a live Bearer token. Errors are `{type, title, instance, status: "400", code: "<digits>",
//!   detail, violations}`.
//! - `POST /api/eWallet/v4/qrcode` → `{deepLink, deepLinks {OM, MAXIT}, qrCode (bare base64
//!   PNG), validity (≤ 86 400 s), metadata (≤ 10 string values), shortLink, qrId, validFor}`. An
//!   unpaid QR code appears in no transaction.
//! - `POST /api/eWallet/v1/payments/onestep`, the customer's **national** number and one-time
//!   code → `{transactionId, status, description, reference}`, not a transaction. No idempotency
//!   key: the same request twice is two payments.
//! - `GET /api/eWallet/v1/transactions?…` → a **bare array**, the production transaction shape
//!   (`amount.value` with a decimal point, no `paymentMethod`, no `qrId`); filters it does not
//!   know are ignored, and without a known one it answers the merchant's latest transactions.
//! - `GET /api/eWallet/v1/transactions/{id}/status` → `{"status": "…"}` only.
//! - Callbacks go to Dalal's `/hooks/orange-money` with `Authorization: Basic <the registered
//!   key>`: a QR payment's as the documentation's sample, a one-step payment's in the short form.
//!
//! The QR code's links open the sandbox "phone" page, where the tester's answer is the
//! customer's. A one-step payment's outcome comes from the payer's number as everywhere in the
//! sandbox (README, "Sandbox"): `…01` balance insufficient (`2020`), `…02` not allowed
//! (`2041`), `…03` never confirmed, `…04` Orange down (`503`, nothing taken), `…05` taken but
//! the answer lost (it comes after the connector has stopped waiting). A code other than six
//! digits, or `000000`, is refused with the documentation's example code `60` (Sonatel's code
//! for a wrong one-time code is not published). The API is Senegal's: XOF only, nine-digit
//! national numbers. Credentials are public (test money only).

use super::super::store::{self, Flow, SandboxSession, Scenario};
use super::super::{SandboxProvider, Stage, scenario_for_phone};
use crate::clock::iso8601;
use crate::domain::ProviderCode;
use crate::state::AppState;
use crate::{qr, random, routes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

pub const CLIENT_ID: &str = "om_sandbox_dalal_client_id";
pub const CLIENT_SECRET: &str = "om_sandbox_dalal_client_secret";
pub const MERCHANT_CODE: &str = "100200";
/// The key registered with Dalal's callback URL: sent back with each callback.
pub const CALLBACK_API_KEY: &str = "om_sandbox_dalal_callback_key";
/// How long a token is good for (Orange's: about 299 seconds).
pub const TOKEN_SECS: i64 = 299;
/// Signs the emulator's tokens, so that it needs to remember none.
const TOKEN_KEY: &[u8] = b"dalal-sandbox-orange-money-tokens";
/// The longest validity a QR code may ask for: a day.
const MAX_VALIDITY_SECS: i64 = 24 * 3600;
/// At most ten metadata keys.
const MAX_METADATA: usize = 10;
/// How many transactions a search without a known filter answers.
const LATEST: i64 = 20;
/// Sonatel's API is Orange Money Senegal's: XOF only.
const CURRENCY: &str = "XOF";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth/v1/token", post(token))
        .route("/api/eWallet/v4/qrcode", post(create_qr))
        .route("/api/eWallet/v1/payments/onestep", post(one_step))
        .route("/api/eWallet/v1/transactions", get(search))
        .route("/api/eWallet/v1/transactions/{id}/status", get(status))
        .route(
            "/api/notification/v1/merchantcallback",
            get(callbacks).post(register_callback),
        )
}

/// `GET /api/notification/v1/merchantcallback`: the callbacks registered. The sandbox's one:
/// this Dalal's `/hooks/orange-money`, with `CALLBACK_API_KEY`.
async fn callbacks(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    Json(json!([{
        "code": MERCHANT_CODE,
        "name": "Dalal (sandbox)",
        "callbackUrl": routes::absolute(&state.public_url, routes::HOOK_ORANGE_MONEY),
    }]))
    .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Registration {
    api_key: String,
    code: String,
    name: String,
    callback_url: String,
}

/// `POST /api/notification/v1/merchantcallback {apiKey, code, name, callbackUrl}` → 2xx with
/// an empty body. The sandbox keeps its own registration (`callbacks`): this checks the shape.
async fn register_callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    match serde_json::from_str::<Registration>(&body) {
        Ok(r) if r.code == MERCHANT_CODE && !r.api_key.is_empty() && !r.name.is_empty() => {
            match url::Url::parse(&r.callback_url) {
                Ok(_) => StatusCode::OK.into_response(),
                Err(_) => invalid("callbackUrl", "an absolute URL"),
            }
        }
        Ok(_) => invalid("code", "unknown merchant code"),
        Err(err) => invalid("body", &err.to_string()),
    }
}

/// An amount as Orange reads it: a JSON number (a decimal point is taken, a fraction is not).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Amount {
    unit: String,
    value: serde_json::Number,
}

impl Amount {
    fn whole(&self) -> Option<i64> {
        if let Some(whole) = self.value.as_i64() {
            return Some(whole);
        }
        let text = self.value.to_string();
        let (whole, fraction) = text.split_once('.')?;
        fraction
            .bytes()
            .all(|b| b == b'0')
            .then(|| whole.parse().ok())
            .flatten()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QrRequest {
    code: String,
    name: String,
    amount: Amount,
    validity: i64,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    #[serde(default)]
    callback_success_url: Option<String>,
    #[serde(default)]
    callback_cancel_url: Option<String>,
    #[serde(default)]
    restrictions: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Party {
    id_type: String,
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    otp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wallet_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OneStepRequest {
    customer: Party,
    partner: Party,
    amount: Amount,
    reference: String,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

/// Sonatel's error body.
fn error(status: StatusCode, code: &str, title: &str, detail: &str) -> Response {
    let body = json!({
        "type": "about:blank",
        "title": title,
        "instance": "/api/eWallet",
        "status": status.as_u16().to_string(),
        "code": code,
        "detail": detail,
        "violations": [],
    });
    (status, Json(body)).into_response()
}

/// A request Orange's validation refuses, naming the field.
fn invalid(field: &str, message: &str) -> Response {
    let body = json!({
        "type": "about:blank",
        "title": "Bad Request",
        "instance": "/api/eWallet",
        "status": "400",
        "code": "400",
        "detail": "Invalid request",
        "violations": [{ "field": field, "message": message }],
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn internal(err: &anyhow::Error) -> Response {
    tracing::error!(error = ?err, "the Orange Money emulator failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "500",
        "Internal Server Error",
        "",
    )
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    client_id: String,
    client_secret: String,
}

/// `POST /oauth/v1/token`.
async fn token(State(state): State<AppState>, Form(form): Form<TokenForm>) -> Response {
    if form.grant_type != "client_credentials" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "unsupported_grant_type" })),
        )
            .into_response();
    }
    if form.client_id != CLIENT_ID || form.client_secret != CLIENT_SECRET {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    let issued = state.clock.now_ms();
    Json(json!({
        "access_token": super::tokens::issue(TOKEN_KEY, issued),
        "token_type": "Bearer",
        "expires_in": TOKEN_SECS,
        "scope": "eWallet",
        "refresh_token": super::tokens::issue(TOKEN_KEY, issued + 1),
        "refresh_expires_in": 1800,
    }))
    .into_response()
}

/// What every API call passes: `Content-Type: application/json` (the gateway answers `415`
/// to a GET without it), `Accept: application/json`, and a live Bearer token.
fn admitted(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let says_json = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
            .is_some_and(|v| v.trim().starts_with("application/json"))
    };
    if !says_json(header::CONTENT_TYPE) {
        return Some(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "415",
            "Unsupported Media Type",
            "Content-Type must be application/json",
        ));
    }
    if !says_json(header::ACCEPT) {
        return Some(error(
            StatusCode::NOT_ACCEPTABLE,
            "406",
            "Not Acceptable",
            "Accept must be application/json",
        ));
    }
    let live = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| super::tokens::alive(TOKEN_KEY, t, state.clock.now_ms(), TOKEN_SECS));
    (!live).then(|| {
        error(
            StatusCode::UNAUTHORIZED,
            "401",
            "Unauthorized",
            "The access token is invalid or has expired",
        )
    })
}

/// The sandbox's rules for this provider's sessions.
fn sandbox(state: &AppState) -> SandboxProvider {
    super::rules(state, ProviderCode::OrangeMoney)
}

/// The amount's whole units in a currency the emulator takes, or the refusal.
fn amount_of(amount: &Amount) -> Result<i64, Response> {
    if amount.unit != CURRENCY {
        return Err(invalid("amount.unit", "unsupported currency"));
    }
    amount
        .whole()
        .filter(|v| *v > 0)
        .ok_or_else(|| invalid("amount.value", "a positive whole amount"))
}

/// `POST /api/eWallet/v4/qrcode`: a QR code whose links open the sandbox phone page.
async fn create_qr(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    let request = match serde_json::from_str::<QrRequest>(&body) {
        Ok(request) => request,
        Err(err) => return invalid("body", &err.to_string()),
    };
    if request.code != MERCHANT_CODE {
        return invalid("code", "unknown merchant code");
    }
    let amount = match amount_of(&request.amount) {
        Ok(amount) => amount,
        Err(refused) => return refused,
    };
    if !(1..=MAX_VALIDITY_SECS).contains(&request.validity) {
        return invalid("validity", "between 1 and 86400 seconds");
    }
    if request.metadata.len() > MAX_METADATA {
        return invalid("metadata", "at most 10 keys");
    }
    let now = state.clock.now_ms();
    let session = SandboxSession {
        id: format!("om-{}", random::lower_alphanumeric(20)),
        provider: ProviderCode::OrangeMoney,
        flow: Flow::Qr,
        amount,
        currency: request.amount.unit.clone(),
        phone: None,
        scenario: Scenario::Success,
        created_at: now,
        decision: None,
        decided_at: None,
        request: Some(body),
        reference: request.reference.clone(),
    };
    if let Err(err) = store::insert(&state.pool, &session).await {
        return internal(&err);
    }
    let link = routes::absolute(&state.public_url, &routes::sandbox_phone(&session.id));
    let image = match qr::png(&link) {
        Ok(png) => base64::engine::general_purpose::STANDARD.encode(png),
        Err(err) => return internal(&err),
    };
    Json(json!({
        "deepLink": link,
        "deepLinks": { "OM": link, "MAXIT": link },
        "qrCode": image,
        "validity": request.validity,
        "metadata": request.metadata,
        "shortLink": "",
        "qrId": session.id,
        "validFor": {
            "startDateTime": iso8601(now),
            "endDateTime": iso8601(now + request.validity * 1000),
        },
    }))
    .into_response()
}

/// A transaction id in Orange's style (`MP260909.1002.A34169`): a one-step payment's.
fn new_transaction_id(now_ms: i64) -> String {
    let stamp = iso8601(now_ms);
    // 2026-09-09T10:02:41.512Z → 260909.1002
    let date = format!("{}{}{}", &stamp[2..4], &stamp[5..7], &stamp[8..10]);
    let time = format!("{}{}", &stamp[11..13], &stamp[14..16]);
    let serial: String = random::alphanumeric(6).to_uppercase();
    format!("MP{date}.{time}.{serial}")
}

/// `POST /api/eWallet/v1/payments/onestep`.
async fn one_step(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    let request = match serde_json::from_str::<OneStepRequest>(&body) {
        Ok(request) => request,
        Err(err) => return invalid("body", &err.to_string()),
    };
    if request.partner.id_type != "CODE" || request.partner.id != MERCHANT_CODE {
        return invalid("partner", "unknown merchant code");
    }
    let amount = match amount_of(&request.amount) {
        Ok(amount) => amount,
        Err(refused) => return refused,
    };
    let customer = &request.customer;
    // The national number: 8 to 10 digits (Senegal's are 9), never with the country code.
    let national =
        (8..=10).contains(&customer.id.len()) && customer.id.bytes().all(|b| b.is_ascii_digit());
    if customer.id_type != "MSISDN" || !national {
        return invalid("customer.id", "the customer's national number");
    }
    if request.reference.is_empty() {
        return invalid("reference", "required");
    }
    let otp = customer.otp.as_deref().unwrap_or("");
    if otp.len() != 6 || !otp.bytes().all(|b| b.is_ascii_digit()) || otp == "000000" {
        return error(
            StatusCode::BAD_REQUEST,
            "60",
            "Bad Request",
            "invalid or expired one-time code",
        );
    }
    let scenario = scenario_for_phone(Some(&customer.id));
    let refused = |code, detail| error(StatusCode::BAD_REQUEST, code, "Bad Request", detail);
    match scenario {
        Scenario::InsufficientFunds => return refused("2020", "balance insufficient"),
        Scenario::Declined => return refused("2041", "transaction not allowed"),
        Scenario::ProviderDown => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "503",
                "Service Unavailable",
                "",
            );
        }
        Scenario::Success | Scenario::NoAnswer | Scenario::AnswerLost => {}
    }
    let now = state.clock.now_ms();
    let session = SandboxSession {
        id: new_transaction_id(now),
        provider: ProviderCode::OrangeMoney,
        flow: Flow::Otp,
        amount,
        currency: request.amount.unit.clone(),
        phone: Some(customer.id.clone()),
        scenario,
        created_at: now,
        decision: None,
        decided_at: None,
        request: Some(body),
        reference: Some(request.reference.clone()),
    };
    if let Err(err) = store::insert(&state.pool, &session).await {
        return internal(&err);
    }
    tokio::spawn(call_back_when_decided(state.clone(), session.id.clone()));
    if scenario == Scenario::AnswerLost {
        // The money moved; the answer is lost on the way back.
        super::lose_the_answer(&state).await;
    }
    let status = status_word(&state, &session).unwrap_or("PENDING");
    Json(json!({
        "transactionId": session.id,
        "status": status,
        "description": "Paiement marchand",
        "reference": request.reference,
    }))
    .into_response()
}

/// A session's status word, if it has a transaction: a one-step payment always; a QR code once
/// the customer has answered in the app.
fn status_word(state: &AppState, session: &SandboxSession) -> Option<&'static str> {
    let stage = sandbox(state).stage(session, state.clock.now_ms());
    let qr = session.flow == Flow::Qr;
    Some(match stage {
        Stage::Open | Stage::Expired if qr => return None,
        Stage::Open => "INITIATED",
        Stage::Asked => "PENDING",
        Stage::Paid => "SUCCESS",
        Stage::InsufficientFunds => "FAILED",
        Stage::Declined => "CANCELLED",
        Stage::Expired => "FAILED",
    })
}

/// A QR code's transaction id is named after the code (`om-abc` → `MPQABC`), so that the status
/// endpoint finds it.
fn transaction_id(session: &SandboxSession) -> String {
    match session.flow {
        Flow::Qr => format!("MPQ{}", session.id.trim_start_matches("om-").to_uppercase()),
        _ => session.id.clone(),
    }
}

/// The transaction as production returned it, if there is one.
fn render(state: &AppState, session: &SandboxSession) -> Option<serde_json::Value> {
    let status = status_word(state, session)?;
    let request = session.request.as_deref()?;
    let (metadata, customer) = match session.flow {
        Flow::Qr => {
            let qr: QrRequest = serde_json::from_str(request).ok()?;
            (qr.metadata, "771234567".to_owned())
        }
        _ => {
            let payment: OneStepRequest = serde_json::from_str(request).ok()?;
            (payment.metadata, payment.customer.id)
        }
    };
    let updated = session.decided_at.unwrap_or(session.created_at);
    Some(json!({
        // A JSON number with a decimal point, as production sends it.
        "amount": { "value": session.amount as f64, "unit": session.currency },
        "requestDate": iso8601(session.created_at),
        "reference": session.reference,
        "metadata": metadata,
        "receiveNotification": true,
        "partner": { "id": MERCHANT_CODE, "idType": "CODE", "walletType": "PRINCIPAL" },
        "customer": { "id": customer, "idType": "MSISDN", "walletType": "PRINCIPAL" },
        "type": "MERCHANT_PAYMENT",
        "transactionId": transaction_id(session),
        "createdAt": iso8601(session.created_at),
        "updatedAt": iso8601(updated),
        "channel": "API",
        "status": status,
    }))
}

/// `GET /api/eWallet/v1/transactions?…`: a bare array. The documented filters `reference`,
/// `transactionId` and `status` are applied; any other is ignored, and with none the merchant's
/// latest transactions come back.
async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filters): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    let pool = &state.pool;
    let provider = ProviderCode::OrangeMoney;
    let found = if let Some(reference) = filters.get("reference") {
        store::with_reference(pool, provider, reference).await
    } else if let Some(id) = filters.get("transactionId") {
        find(&state, id).await.map(|s| s.into_iter().collect())
    } else {
        store::latest(pool, provider, LATEST).await
    };
    let sessions = match found {
        Ok(sessions) => sessions,
        Err(err) => return internal(&err),
    };
    let transactions: Vec<serde_json::Value> = sessions
        .iter()
        .filter_map(|s| render(&state, s))
        .filter(|t| {
            filters
                .get("status")
                .is_none_or(|s| t["status"] == s.as_str())
        })
        .collect();
    Json(transactions).into_response()
}

/// The session behind a transaction id.
async fn find(state: &AppState, transaction_id: &str) -> anyhow::Result<Option<SandboxSession>> {
    let session_id = match transaction_id.strip_prefix("MPQ") {
        Some(qr) => format!("om-{}", qr.to_lowercase()),
        None => transaction_id.to_owned(),
    };
    Ok(store::find(&state.pool, &session_id)
        .await?
        .filter(|s| s.provider == ProviderCode::OrangeMoney))
}

/// `GET /api/eWallet/v1/transactions/{id}/status` → `{"status": "…"}`.
async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    match find(&state, &id).await {
        Ok(found) => match found.as_ref().and_then(|s| status_word(&state, s)) {
            Some(status) => Json(json!({ "status": status })).into_response(),
            None => error(
                StatusCode::NOT_FOUND,
                "404",
                "Not Found",
                "No such transaction",
            ),
        },
        Err(err) => internal(&err),
    }
}

/// Sends Orange's callback for a session that has a final transaction, with
/// `Authorization: Basic <the registered key>`, to Dalal's `/hooks/orange-money`; three tries,
/// a second apart. A QR payment's body is the documentation's sample (`paymentMethod`, the
/// customer's number as a number); a one-step payment's, the short form.
pub async fn notify(state: &AppState, id: &str) -> anyhow::Result<()> {
    let Some(session) = store::find(&state.pool, id).await? else {
        return Ok(());
    };
    let Some(mut transaction) = render(state, &session)
        .filter(|t| !matches!(t["status"].as_str(), Some("INITIATED" | "PENDING")))
    else {
        return Ok(());
    };
    let body = match session.flow {
        Flow::Qr => {
            transaction["paymentMethod"] = json!("QRCODE");
            transaction["customer"]["id"] = json!(771234567);
            transaction
        }
        _ => json!({
            "transactionId": transaction["transactionId"],
            "status": transaction["status"],
            "amount": transaction["amount"],
            "reference": transaction["reference"],
            "type": transaction["type"],
        }),
    };
    super::notify_dalal(
        state,
        routes::HOOK_ORANGE_MONEY,
        super::AfterRefusal::GiveUp,
        |client, url| {
            client
                .post(url)
                .header(header::AUTHORIZATION, format!("Basic {CALLBACK_API_KEY}"))
                .header("X-Sonatel-Idempotency-Key", transaction_id(&session))
                .json(&body)
        },
    )
    .await
}

/// A one-step payment ends after the sandbox's answer delay, or when the push times out: the
/// emulator looks at those two moments (by the wall clock) and calls back once it has ended.
async fn call_back_when_decided(state: AppState, id: String) {
    super::at_push_moments(&state, || async {
        let Ok(Some(session)) = store::find(&state.pool, &id).await else {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_ids_look_like_oranges() {
        // 2026-09-09T10:02:41Z
        let id = new_transaction_id(1_788_948_161_000);
        assert!(id.starts_with("MP260909.1002."), "{id}");
        assert_eq!(id.len(), "MP260909.1002.A34169".len());
    }

    #[test]
    fn amounts_may_carry_a_decimal_point_but_no_fraction() {
        let amount = |value: serde_json::Value| Amount {
            unit: "XOF".into(),
            value: serde_json::from_value(value).unwrap(),
        };
        assert_eq!(amount(json!(10)).whole(), Some(10));
        assert_eq!(amount(json!(10.0)).whole(), Some(10));
        assert_eq!(amount(json!(10.5)).whole(), None);
    }
}
