//! pawaPay's refunds as the emulator plays them (PROVIDERS.md, "refunds", "refund status"):
//! `POST /v2/refunds {refundId, depositId, amount?, currency?}` refunds a `COMPLETED` deposit to
//! its payer — what is left when `amount` is absent, one refund at a time — and finishes it after
//! the sandbox's answer delay, then calls back. Refused as pawaPay refuses: an unknown field
//! `400 UNSUPPORTED_PARAMETER`, a non-UUID `refundId` `INVALID_PARAMETER`, `amount` without
//! `currency` `MISSING_PARAMETER`; then `200 REJECTED` with `NOT_FOUND` (no such deposit),
//! `INVALID_STATE` (not completed), `INVALID_CURRENCY`, `INVALID_AMOUNT`, `REFUND_IN_PROGRESS`,
//! `DEPOSIT_ALREADY_REFUNDED`, `AMOUNT_TOO_LARGE`. The same `refundId` again is
//! `DUPLICATE_IGNORED`.
//!
//! A refund is a sandbox session of the deposit's provider whose `reference` is the deposit id.

use super::super::super::Stage;
use super::super::super::store::{self, Flow, SandboxSession, Scenario};
use super::callbacks::send_callback;
use super::wire::{
    AccountDetails, FailureReason, Kept, KeptRefund, Payer, RefundAnswer, RefundView,
};
use super::{COVERED, authorise, error, internal, read_amount, render, sandbox};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The fields `POST /v2/refunds` knows; any other is refused.
const REFUND_FIELDS: [&str; 6] = [
    "refundId",
    "depositId",
    "amount",
    "currency",
    "clientReferenceId",
    "metadata",
];

fn answer(
    refund_id: &str,
    status: &'static str,
    code: Option<&'static str>,
    created: Option<String>,
) -> Response {
    Json(RefundAnswer {
        refund_id: refund_id.to_owned(),
        status,
        created,
        failure_reason: code.map(FailureReason::new),
    })
    .into_response()
}

/// A refund session as the status check and the callback show it.
fn view(state: &AppState, session: &SandboxSession) -> Option<RefundView> {
    let kept: KeptRefund = serde_json::from_str(session.request.as_deref()?).ok()?;
    let covered = COVERED.iter().find(|c| c.code == kept.provider)?;
    let stage = sandbox(state, session.provider).stage(session, state.clock.now_ms());
    let status = match stage {
        Stage::Open | Stage::Asked => "PROCESSING",
        _ => "COMPLETED",
    };
    Some(RefundView {
        refund_id: kept.refund_id,
        status,
        amount: format!("{}.00", session.amount),
        currency: session.currency.clone(),
        country: covered.country,
        recipient: Payer {
            kind: "MMO",
            account_details: AccountDetails {
                phone_number: kept.phone_number,
                provider: kept.provider,
            },
        },
        created: crate::clock::iso8601(session.created_at),
        deposit_id: kept.deposit_id,
    })
}

/// `POST /v2/refunds`.
pub(super) async fn refund(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = authorise(&headers) {
        return refused;
    }
    let bad = |code, message: &str| error(StatusCode::BAD_REQUEST, code, message);
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&body) else {
        return bad("INVALID_INPUT", "The body is not a JSON object.");
    };
    if let Some(unknown) = request
        .keys()
        .find(|k| !REFUND_FIELDS.contains(&k.as_str()))
    {
        return bad(
            "UNSUPPORTED_PARAMETER",
            &format!("{unknown} is not a parameter of a refund."),
        );
    }
    let text = |k: &str| request.get(k).and_then(Value::as_str);
    let (Some(refund_id), Some(deposit_id)) = (text("refundId"), text("depositId")) else {
        return bad("MISSING_PARAMETER", "refundId and depositId are required.");
    };
    if !super::super::is_uuid_v4(refund_id) {
        return bad("INVALID_PARAMETER", "refundId must be a UUID version 4.");
    }
    let asked_amount = request.get("amount").filter(|v| !v.is_null());
    let currency = text("currency");
    if asked_amount.is_some() && currency.is_none() {
        return bad("MISSING_PARAMETER", "currency is required with amount.");
    }

    match store::find(&state.pool, refund_id).await {
        Ok(None) => {}
        Ok(Some(_)) => return answer(refund_id, "DUPLICATE_IGNORED", None, None),
        Err(err) => return internal(&err),
    }
    let deposit = match store::find(&state.pool, deposit_id).await {
        Ok(found) => found,
        Err(err) => return internal(&err),
    };
    let Some((deposit, data)) = deposit
        .and_then(|d| Some((render(&state, &d)?, d)))
        .map(|(r, d)| (d, r))
    else {
        return answer(refund_id, "REJECTED", Some("NOT_FOUND"), None);
    };
    if data.status != "COMPLETED" {
        return answer(refund_id, "REJECTED", Some("INVALID_STATE"), None);
    }
    if currency.is_some_and(|c| c != data.currency) {
        return answer(refund_id, "REJECTED", Some("INVALID_CURRENCY"), None);
    }
    let asked = match asked_amount {
        None => None,
        Some(Value::String(text)) => match read_amount(text) {
            Some((whole, false)) if whole > 0 => Some(whole),
            _ => return answer(refund_id, "REJECTED", Some("INVALID_AMOUNT"), None),
        },
        Some(_) => return bad("INVALID_PARAMETER", "amount must be a string."),
    };

    // What this deposit's refunds already hold.
    let earlier = match store::with_reference(&state.pool, deposit.provider, deposit_id).await {
        Ok(sessions) => sessions,
        Err(err) => return internal(&err),
    };
    let mut refunded = 0;
    for session in &earlier {
        match view(&state, session) {
            Some(v) if v.status == "COMPLETED" => refunded += session.amount,
            Some(_) => return answer(refund_id, "REJECTED", Some("REFUND_IN_PROGRESS"), None),
            None => {}
        }
    }
    let left = deposit.amount - refunded;
    if left <= 0 {
        return answer(
            refund_id,
            "REJECTED",
            Some("DEPOSIT_ALREADY_REFUNDED"),
            None,
        );
    }
    let amount = asked.unwrap_or(left);
    if amount > left {
        return answer(refund_id, "REJECTED", Some("AMOUNT_TOO_LARGE"), None);
    }

    let Ok(kept_deposit) = serde_json::from_str::<Kept>(deposit.request.as_deref().unwrap_or(""))
    else {
        return answer(refund_id, "REJECTED", Some("NOT_FOUND"), None);
    };
    let kept = KeptRefund {
        refund_id: refund_id.to_owned(),
        deposit_id: deposit_id.to_owned(),
        provider: kept_deposit.provider,
        phone_number: kept_deposit.phone_number,
    };
    let now = state.clock.now_ms();
    let session = SandboxSession {
        id: refund_id.to_owned(),
        provider: deposit.provider,
        flow: Flow::Push,
        amount,
        currency: data.currency.clone(),
        phone: None,
        scenario: Scenario::Success,
        created_at: now,
        decision: None,
        decided_at: None,
        request: serde_json::to_string(&kept).ok(),
        reference: Some(deposit_id.to_owned()),
    };
    if let Err(err) = store::insert(&state.pool, &session).await {
        return internal(&err);
    }
    tokio::spawn(call_back(state.clone(), refund_id.to_owned()));
    answer(
        refund_id,
        "ACCEPTED",
        None,
        Some(crate::clock::iso8601(now)),
    )
}

/// `GET /v2/refunds/{refundId}` → `{status: "FOUND", data}` or `{status: "NOT_FOUND"}`.
pub(super) async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(refund_id): Path<String>,
) -> Response {
    if let Err(refused) = authorise(&headers) {
        return refused;
    }
    let found = match store::find(&state.pool, &refund_id).await {
        Ok(found) => found,
        Err(err) => return internal(&err),
    };
    match found.as_ref().and_then(|s| view(&state, s)) {
        Some(data) => Json(serde_json::json!({ "status": "FOUND", "data": data })).into_response(),
        None => Json(serde_json::json!({ "status": "NOT_FOUND" })).into_response(),
    }
}

/// Sends the refund's callback once it is final.
async fn call_back(state: AppState, refund_id: String) {
    super::super::at_push_moments(&state, || async {
        let Ok(Some(session)) = store::find(&state.pool, &refund_id).await else {
            return true;
        };
        let Some(data) = view(&state, &session) else {
            return true;
        };
        if data.status != "COMPLETED" {
            return false;
        }
        if let Ok(body) = serde_json::to_vec(&data) {
            send_callback(&state, body).await;
        }
        true
    })
    .await
}
