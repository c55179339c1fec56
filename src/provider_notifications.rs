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
use crate::providers::{Named, Notification};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

/// `POST /hooks/wave`.
pub async fn wave(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    receive(state, ProviderCode::Wave, &headers, &body)
}

/// `PUT` or `POST /hooks/mtn-momo`.
pub async fn mtn_momo(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    receive(state, ProviderCode::MtnMomo, &headers, &body)
}

/// `POST /hooks/orange-money`.
pub async fn orange_money(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    receive(state, ProviderCode::OrangeMoney, &headers, &body)
}

/// Finds the connector whose credentials authenticate the notification — live mode's first —
/// and makes Dalal ask about what it names, in that mode only.
fn receive(
    state: AppState,
    provider: ProviderCode,
    headers: &HeaderMap,
    body: &[u8],
) -> StatusCode {
    let now = state.clock.now_ms();
    for mode in [Mode::Live, Mode::Test] {
        for connector in state.payments.connectors_of(mode, provider) {
            match connector.verify_notification(headers, body, now) {
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
