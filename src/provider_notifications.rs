//! Providers' notifications to Dalal (`POST /hooks/{provider}`; the URLs to register are in
//! README, "Going live") — not to be confused with `webhooks`, Dalal's own to merchants.
//!
//! Routing only: each connector verifies its own provider's notifications
//! (`PaymentProvider::verify_notification`). Live mode's connectors hold the live secrets and
//! test mode's the sandbox's public ones, so a notification signed with a sandbox secret can
//! only reach test-mode attempts. A notification is only a hint: once verified, Dalal answers
//! at once — `2xx` even to a body it cannot read, since some providers never resend after a
//! `4xx` — and then asks the provider where the attempt stands.

use crate::domain::ProviderCode;
use crate::payments::Mode;
use crate::providers::pawapay::transformers;
use crate::providers::{Named, Notification, Via};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

/// `POST /hooks/wave`.
pub async fn wave(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    receive(state, ProviderCode::Wave, Via::Direct, &headers, &body).await
}

/// `PUT` or `POST /hooks/mtn-momo`.
pub async fn mtn_momo(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    receive(state, ProviderCode::MtnMomo, Via::Direct, &headers, &body).await
}

/// `POST /hooks/orange-money`.
pub async fn orange_money(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    receive(
        state,
        ProviderCode::OrangeMoney,
        Via::Direct,
        &headers,
        &body,
    )
    .await
}

/// `POST /hooks/pawapay`: one URL for every provider pawaPay serves, for deposits and refunds
/// (register it for both in pawaPay's dashboard); the provider is read from the callback's
/// `payer` (a deposit's) or `recipient` (a refund's) `accountDetails.provider` (`FREE_SEN`, …).
pub async fn pawapay(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let provider = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            let party = v.get("payer").or_else(|| v.get("recipient"))?;
            let code = party.pointer("/accountDetails/provider")?.as_str()?.to_owned();
            transformers::provider_of(&code)
        });
    match provider {
        Some(provider) => receive(state, provider, Via::PawaPay, &headers, &body).await,
        None => {
            // A callback about a provider Dalal does not take through pawaPay, or no deposit
            // at all (a refund's, a payout's): nothing to ask about. Answered 200 so that pawaPay
            // stops resending it.
            tracing::warn!(
                "a pawaPay callback about no provider Dalal takes through pawaPay: ignored"
            );
            StatusCode::OK
        }
    }
}

/// Finds the connector whose credentials authenticate the notification — live mode's first —
/// and makes Dalal ask about what it names, in that mode only.
async fn receive(
    state: AppState,
    provider: ProviderCode,
    via: Via,
    headers: &HeaderMap,
    body: &[u8],
) -> StatusCode {
    let now = state.clock.now_ms();
    for mode in [Mode::Live, Mode::Test] {
        let connectors = state.payments.connectors_of(mode, provider);
        for connector in connectors.into_iter().filter(|c| c.via() == via) {
            match connector.verify_notification(headers, body, now).await {
                Notification::NotOurs => continue,
                Notification::Unreadable => {
                    tracing::warn!(%provider, ?mode, "an authenticated notification Dalal cannot read; the status checker will ask");
                    return StatusCode::OK;
                }
                Notification::About(named) => {
                    confirm_later(state, provider, Some(mode), named);
                    return StatusCode::OK;
                }
                Notification::Unsigned(named) => {
                    confirm_later(state, provider, None, named);
                    return StatusCode::OK;
                }
            }
        }
    }
    tracing::warn!(%provider, "refused a notification no configured credential authenticates");
    StatusCode::UNAUTHORIZED
}

/// Asks the provider about what the notification names — in `mode` only, when the notification
/// was authenticated by that mode's credentials — after the answer has gone (providers time out
/// slow receivers). Applying an answer twice changes nothing; an unknown name is logged.
fn confirm_later(state: AppState, provider: ProviderCode, mode: Option<Mode>, named: Named) {
    tokio::spawn(async move {
        let (known, name) = match &named {
            Named::Reference(reference) => (
                state
                    .payments
                    .provider_notified(mode, provider, reference)
                    .await,
                reference,
            ),
            Named::Attempt(attempt) => (
                state
                    .payments
                    .attempt_notified(mode, provider, attempt)
                    .await,
                attempt,
            ),
            Named::Refund(reference) => (
                state.payments.refund_notified(mode, reference).await,
                reference,
            ),
            Named::Payout(handle) => (
                state
                    .payouts
                    .notified(mode, handle)
                    .await
                    .map_err(|e| crate::payments::PaymentError::Internal(anyhow::anyhow!("{e}"))),
                handle,
            ),
        };
        match known {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(%provider, ?mode, name, "a notification about something Dalal does not know in this mode")
            }
            Err(err) => {
                tracing::warn!(%provider, name, error = ?err, "failed to apply a notification; the status checker will")
            }
        }
    });
}
