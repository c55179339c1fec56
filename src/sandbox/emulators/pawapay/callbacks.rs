//! The emulator's callbacks to Dalal's `/hooks/pawapay`: sent when a deposit (or a refund) is
//! final, signed as pawaPay signs them (`signing.rs`), sent again while Dalal does not answer
//! `200` (pawaPay retries for 15 minutes; the emulator three times). A deposit that stays pending
//! has none.

use super::super::super::store;
use super::{render, signing};
use crate::routes;
use crate::state::AppState;

/// Sends the deposit's callback once it is final, at the moments a push may end (the sandbox's
/// answer delay, the prompt's timeout).
pub(super) async fn call_back(state: AppState, deposit_id: String) {
    super::super::at_push_moments(&state, || async {
        let Ok(Some(session)) = store::find(&state.pool, &deposit_id).await else {
            return true;
        };
        let Some(mut data) = render(&state, &session) else {
            return true;
        };
        if !matches!(data.status, "COMPLETED" | "FAILED") {
            return false;
        }
        data.client_reference_id = None;
        if let Ok(body) = serde_json::to_vec(&data) {
            send_callback(&state, body).await;
        }
        true
    })
    .await
}

/// Posts a callback body to Dalal's `/hooks/pawapay`, signed, sent again while Dalal does not
/// answer `200` (three tries).
pub(super) async fn send_callback(state: &AppState, body: Vec<u8>) {
    let sent = super::super::notify_dalal(
        state,
        routes::HOOK_PAWAPAY,
        super::super::AfterRefusal::TryAgain,
        |client, url| {
            let now = state.clock.now_ms().div_euclid(1000);
            let mut request = client.post(&url).body(body.clone());
            match signing::signed_headers(&url, &body, now, signing::Encoding::Der) {
                Ok(headers) => {
                    for (name, value) in headers {
                        request = request.header(name, value);
                    }
                }
                Err(err) => {
                    tracing::error!(error = ?err, "the pawaPay emulator could not sign a callback")
                }
            }
            request
        },
    )
    .await;
    if let Err(err) = sent {
        tracing::info!(error = %err, "the pawaPay emulator's callback was not taken");
    }
}
