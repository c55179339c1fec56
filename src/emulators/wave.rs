//! The Wave Checkout API as the sandbox plays it (`https://docs.wave.com/checkout`): the same
//! paths, JSON, Bearer authentication and error shape, and webhooks signed like Wave's
//! (`https://docs.wave.com/webhook`). The sandbox "phone" page stands in for the Wave app: the
//! session's `wave_launch_url` opens it, and the tester's answer there is the customer's.
//!
//! Credentials are public (test money only, README "Sandbox"): the API key `API_KEY`, and
//! webhooks signed with `WEBHOOK_SECRET` and sent to Dalal's own `/hooks/wave`.

use crate::clock::iso8601;
use crate::config::Secret;
use crate::db::sandbox::{Decision, Flow, SandboxSession};
use crate::domain::ProviderCode;
use crate::providers::sandbox::{
    QR_VALIDITY_MS, SandboxProvider, Stage, refund_lacks_balance, scenario_for_phone,
};
use crate::providers::wave::signature;
use crate::providers::wave::wire::{
    CreateSession, ErrorBody, Event, PaymentError, Refund, Session,
};
use crate::state::AppState;
use crate::{db, random, routes};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// The emulator's API key: what test mode's Wave connector sends.
pub const API_KEY: &str = "wave_sandbox_dalal_test_api_key";
/// The secret the emulator signs its webhooks with.
pub const WEBHOOK_SECRET: &str = "wave_sandbox_WHS_dalal_test_secret";

pub fn api_key() -> Secret {
    Secret::new(API_KEY)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/checkout/sessions", post(create))
        .route("/v1/checkout/sessions/{id}", get(show))
        .route("/v1/checkout/sessions/{id}/expire", post(expire))
        .route("/v1/checkout/sessions/{id}/refund", post(refund))
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ErrorBody {
        code: code.to_owned(),
        message: message.to_owned(),
    };
    (status, Json(body)).into_response()
}

/// Wave's authentication, `Authorization: Bearer <api key>` on every call: the refusal, if any.
fn unauthorised(headers: &HeaderMap) -> Option<Response> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match given {
        None => Some(error(
            StatusCode::UNAUTHORIZED,
            "missing-auth-header",
            "Missing Authorization header",
        )),
        Some(value) if value.strip_prefix("Bearer ") == Some(API_KEY) => None,
        Some(_) => Some(error(
            StatusCode::UNAUTHORIZED,
            "invalid-auth",
            "The API key is not valid",
        )),
    }
}

fn sandbox(state: &AppState) -> SandboxProvider {
    SandboxProvider::new(
        ProviderCode::Wave,
        state.pool.clone(),
        state.clock.clone(),
        state.settings.sandbox.clone(),
    )
}

/// The session object, as `GET /v1/checkout/sessions/{id}` shows it now.
fn render(state: &AppState, session: &SandboxSession) -> Session {
    let stage = sandbox(state).stage(session, state.clock.now_ms());
    let request: Option<CreateSession> = session
        .request
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    let failure = |code: &str, message: &str| {
        Some(PaymentError {
            code: code.to_owned(),
            message: message.to_owned(),
        })
    };
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
        Stage::Expired => ("expired", "processing", None),
    };
    let paid = stage == Stage::Paid;
    Session {
        id: session.id.clone(),
        amount: session.amount.to_string(),
        checkout_status: checkout_status.to_owned(),
        client_reference: request.as_ref().and_then(|r| r.client_reference.clone()),
        currency: session.currency.clone(),
        error_url: request
            .as_ref()
            .map(|r| r.error_url.clone())
            .unwrap_or_default(),
        last_payment_error,
        payment_status: payment_status.to_owned(),
        success_url: request
            .as_ref()
            .map(|r| r.success_url.clone())
            .unwrap_or_default(),
        wave_launch_url: routes::absolute(&state.public_url, &routes::sandbox_phone(&session.id)),
        when_created: iso8601(session.created_at),
        when_expires: iso8601(session.created_at + QR_VALIDITY_MS),
        when_completed: session.decided_at.filter(|_| paid).map(iso8601),
        transaction_id: paid.then(|| format!("T_{}", session.id.trim_start_matches("cos-"))),
    }
}

/// `POST /v1/checkout/sessions`. The payer's number (`restrict_payer_mobile`) chooses the
/// sandbox scenario as everywhere (README, "Sandbox"); `…04` finds Wave down.
async fn create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refused) = unauthorised(&headers) {
        return refused;
    }
    let invalid =
        |message: &str| error(StatusCode::BAD_REQUEST, "request-validation-error", message);
    let Ok(request) = serde_json::from_slice::<CreateSession>(&body) else {
        return invalid("The request body is not a valid checkout session");
    };
    // "The amount … No decimals for XOF" (docs, "Currencies"); Wave takes XOF only.
    if request.currency != "XOF" {
        return invalid("currency: only XOF is supported");
    }
    let Some(amount) = request.amount.parse::<i64>().ok().filter(|a| *a > 0) else {
        return invalid("amount: a positive whole number of XOF is expected");
    };
    for url in [&request.success_url, &request.error_url] {
        if !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
            return invalid("success_url and error_url must be absolute URLs");
        }
    }
    let scenario = scenario_for_phone(request.restrict_payer_mobile.as_deref());
    if scenario == crate::db::sandbox::Scenario::ProviderDown {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "service-unavailable",
            "The service is temporarily unavailable",
        );
    }
    let session = SandboxSession {
        id: format!("cos-{}", random::lower_alphanumeric(20)),
        provider: ProviderCode::Wave,
        flow: Flow::Qr,
        amount,
        currency: request.currency.clone(),
        phone: request.restrict_payer_mobile.clone(),
        scenario,
        created_at: state.clock.now_ms(),
        decision: None,
        decided_at: None,
        request: Some(String::from_utf8_lossy(&body).into_owned()),
    };
    if let Err(err) = db::sandbox::insert(&state.pool, &session).await {
        tracing::error!(error = ?err, "the Wave emulator failed to store a session");
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-server-error",
            "Internal error",
        );
    }
    Json(render(&state, &session)).into_response()
}

async fn find(state: &AppState, headers: &HeaderMap, id: &str) -> Result<SandboxSession, Response> {
    if let Some(refused) = unauthorised(headers) {
        return Err(refused);
    }
    match db::sandbox::find(&state.pool, id).await {
        Ok(Some(session)) if session.provider == ProviderCode::Wave => Ok(session),
        Ok(_) => Err(error(
            StatusCode::NOT_FOUND,
            "checkout-session-not-found",
            "No checkout session with this id",
        )),
        Err(err) => {
            tracing::error!(error = ?err, "the Wave emulator failed to read a session");
            Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal-server-error",
                "Internal error",
            ))
        }
    }
}

/// `GET /v1/checkout/sessions/{id}`.
async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match find(&state, &headers, &id).await {
        Ok(session) => Json(render(&state, &session)).into_response(),
        Err(refused) => refused,
    }
}

/// `POST /v1/checkout/sessions/{id}/expire`: an open session can no longer be paid. A paid or
/// expired one is refused with 409.
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
                Some(_) => db::sandbox::expire_failed(&state.pool, &id).await,
                None => db::sandbox::decide(&state.pool, &id, Decision::Expired, now)
                    .await
                    .map(|_| ()),
            };
            if let Err(err) = closed {
                tracing::error!(error = ?err, "the Wave emulator failed to expire a session");
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal-server-error",
                    "Internal error",
                );
            }
            match find(&state, &headers, &id).await {
                Ok(session) => Json(render(&state, &session)).into_response(),
                Err(refused) => refused,
            }
        }
    }
}

/// `POST /v1/checkout/sessions/{id}/refund`: the whole amount of a paid session. As everywhere in
/// the sandbox, an amount ending in 13 fails for want of balance (README, "Sandbox").
async fn refund(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let session = match find(&state, &headers, &id).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    if sandbox(&state).stage(&session, state.clock.now_ms()) != Stage::Paid {
        return error(
            StatusCode::CONFLICT,
            "checkout-session-not-paid",
            "Only a completed checkout session can be refunded",
        );
    }
    // Wave refunds the whole session: the amount refunded is the session's.
    if refund_lacks_balance(session.amount) {
        return error(
            StatusCode::BAD_REQUEST,
            "insufficient-funds",
            "The merchant's balance is too low for this refund",
        );
    }
    Json(Refund {
        id: format!("rfd-{}", random::lower_alphanumeric(20)),
    })
    .into_response()
}

/// Sends the webhook Wave sends when a customer's try ends (`checkout.session.completed` or
/// `checkout.session.payment_failed`) to Dalal's `/hooks/wave`, signed like Wave's. Wave
/// retries an undelivered webhook; so does the emulator, three times, a second apart.
pub async fn notify(state: &AppState, reference: &str) -> anyhow::Result<()> {
    let Some(session) = db::sandbox::find(&state.pool, reference).await? else {
        return Ok(());
    };
    let rendered = render(state, &session);
    let kind = match sandbox(state).stage(&session, state.clock.now_ms()) {
        Stage::Paid => "checkout.session.completed",
        Stage::InsufficientFunds | Stage::Declined => "checkout.session.payment_failed",
        Stage::Open | Stage::Asked | Stage::Expired => return Ok(()),
    };
    let event = Event {
        id: format!("AE_{}", random::lower_alphanumeric(12)),
        kind: kind.to_owned(),
        data: rendered,
    };
    let body = serde_json::to_vec(&event)?;
    super::notify_dalal(state, routes::HOOK_WAVE, |client, url| {
        let signed = signature::header(WEBHOOK_SECRET, state.clock.now_ms() / 1000, &body);
        client
            .post(url)
            .header("Wave-Signature", signed)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.clone())
    })
    .await
}
