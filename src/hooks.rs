//! Providers' notifications (`POST /hooks/{provider}`; the URLs to register are in README,
//! "Going live"). A notification is only a hint: once its signature is verified, Dalal answers
//! at once and then asks the provider where the session stands, so a forged, replayed or
//! duplicated notification changes nothing the provider does not confirm.

use crate::domain::ProviderCode;
use crate::emulators;
use crate::providers::orange_money::wire as orange_wire;
use crate::providers::wave::{signature, wire};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use subtle::ConstantTimeEq;

/// `POST /hooks/wave`: signed with `Wave-Signature` (`https://docs.wave.com/webhook`) by the
/// live webhook secret, or by the sandbox emulator's.
pub async fn wave(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(signed) = headers.get("wave-signature").and_then(|v| v.to_str().ok()) else {
        return StatusCode::UNAUTHORIZED;
    };
    let now = state.clock.now_ms() / 1000;
    let live = state.settings.providers.wave.webhook_secret.as_ref();
    let verified = std::iter::once(emulators::wave::WEBHOOK_SECRET)
        .chain(live.map(|s| s.expose()))
        .any(|secret| signature::verify(secret, signed, &body, now));
    if !verified {
        tracing::warn!("refused a Wave notification with a bad or stale signature");
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(event) = serde_json::from_slice::<wire::Event>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    tracing::info!(event = %event.id, kind = %event.kind, session = %event.data.id, "Wave notification");
    confirm_later(state, ProviderCode::Wave, Named::Reference(event.data.id));
    StatusCode::OK
}

/// The part of MTN MoMo's callback Dalal reads: which attempt it is about.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct MtnCallback {
    external_id: String,
}

/// `PUT` or `POST /hooks/mtn-momo`: MTN's callback (the body of a request-to-pay status). It is
/// sent once and unsigned (`https://momodeveloper.mtn.com`, "Callback"), so all it does is make
/// Dalal ask MTN about the attempt it names (`externalId`) at once instead of at its next check.
pub async fn mtn_momo(State(state): State<AppState>, body: Bytes) -> StatusCode {
    let Ok(callback) = serde_json::from_slice::<MtnCallback>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    tracing::info!(attempt = %callback.external_id, "MTN MoMo callback");
    confirm_later(
        state,
        ProviderCode::MtnMomo,
        Named::Attempt(callback.external_id),
    );
    StatusCode::OK
}

/// `POST /hooks/orange-money`: Orange's callback, a transaction, sent with the API key
/// registered beside the callback URL (`https://developer.orange-sonatel.com`, "Callback
/// marchand") — the live one, or the sandbox emulator's. The attempt it is about is named by the
/// metadata Dalal gave the QR code or payment; Dalal then asks Orange.
pub async fn orange_money(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let given = headers
        .get(orange_wire::CALLBACK_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let live = state
        .settings
        .providers
        .orange_money
        .callback_api_key
        .as_ref();
    let known = std::iter::once(emulators::orange_money::CALLBACK_API_KEY)
        .chain(live.map(|k| k.expose()))
        .any(|key| bool::from(key.as_bytes().ct_eq(given.as_bytes())));
    if !known {
        tracing::warn!("refused an Orange Money callback without the registered API key");
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(transaction) = serde_json::from_slice::<orange_wire::Transaction>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let attempt = transaction
        .metadata
        .get(orange_wire::ATTEMPT_KEY)
        .or(transaction.reference.as_ref());
    let Some(attempt) = attempt else {
        tracing::warn!(transaction = %transaction.transaction_id, "an Orange Money callback names no Dalal attempt");
        return StatusCode::OK;
    };
    tracing::info!(transaction = %transaction.transaction_id, %attempt, "Orange Money callback");
    confirm_later(
        state,
        ProviderCode::OrangeMoney,
        Named::Attempt(attempt.clone()),
    );
    StatusCode::OK
}

/// What a notification names: the provider's reference, or Dalal's own attempt id.
enum Named {
    Reference(String),
    Attempt(String),
}

/// Asks the provider about what the notification names, after the answer has gone (providers
/// time out slow receivers). Applying an answer twice changes nothing; an unknown name is logged.
fn confirm_later(state: AppState, provider: ProviderCode, named: Named) {
    tokio::spawn(async move {
        let (known, name) = match &named {
            Named::Reference(reference) => (
                state.payments.provider_notified(provider, reference).await,
                reference,
            ),
            Named::Attempt(attempt) => (
                state.payments.attempt_notified(provider, attempt).await,
                attempt,
            ),
        };
        match known {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(%provider, name, "a notification about something Dalal does not know")
            }
            Err(err) => {
                tracing::warn!(%provider, name, error = ?err, "failed to apply a notification; the status checker will")
            }
        }
    });
}
