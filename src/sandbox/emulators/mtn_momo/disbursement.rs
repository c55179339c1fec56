//! MTN MoMo's Disbursement product, refunds only, as the sandbox plays it (PROVIDERS.md, "MTN
//! MoMo — Disbursement"), never from Dalal's connector:
//!
//! - its own subscription key, API user and key (`DISBURSEMENT_*`): "Collection, Disbursement and
//!   Remittance have different subscription keys"; `POST /disbursement/token/` (Basic) → a token
//!   Collection does not take, and the other way round;
//! - `POST /disbursement/v1_0/refund` with `X-Reference-Id` (a UUID v4, once: `409
//!   RESOURCE_ALREADY_EXIST`) and `{amount, currency, externalId, payerMessage, payeeNote,
//!   referenceIdToRefund}` → `202`, empty. The refunded request to pay must be this
//!   environment's and `SUCCESSFUL`, and the refunds of it no more than it brought in (else `500
//!   NOT_ALLOWED`; a request MTN does not have: `404 RESOURCE_NOT_FOUND`). What MTN answers in
//!   those cases is not in PROVIDERS.md: the emulator refuses them as strictly as it can.
//! - `GET /disbursement/v1_0/refund/{referenceId}` → `{amount, currency, financialTransactionId,
//!   externalId, payee, payerMessage, payeeNote, status}`: `PENDING`, then `SUCCESSFUL` after the
//!   sandbox's answer delay.

use super::super::super::Stage;
use super::super::super::store::{self, Flow, SandboxSession, Scenario};
use super::wire::{Party, RefundRequest, RefundShown};
use super::{
    MAX_TEXT, Product, authorise_for, error, header_of, internal, issue_token, render, sandbox,
    whole_amount,
};
use crate::domain::ProviderCode;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

pub const DISBURSEMENT_SUBSCRIPTION_KEY: &str = "mtn_sandbox_dalal_disbursement_key";
/// The Disbursement product's API user: a UUID v4 of its own.
pub const DISBURSEMENT_API_USER: &str = "5b2e8f1a-7c4d-4a9e-b1f3-2d6c8e0a4f71";
pub const DISBURSEMENT_API_KEY: &str = "mtn_sandbox_dalal_disbursement_api_key";
/// Signs the Disbursement product's tokens (not Collection's key: neither takes the other's).
const TOKEN_KEY: &[u8] = b"dalal-sandbox-mtn-momo-disbursement-tokens";

/// What the emulator keeps of a refund: its environment and body.
#[derive(Serialize, Deserialize)]
struct KeptRefund {
    environment: String,
    body: RefundRequest,
    payee: Party,
}

pub(super) const DISBURSEMENT: Product = Product {
    subscription_key: DISBURSEMENT_SUBSCRIPTION_KEY,
    api_user: DISBURSEMENT_API_USER,
    api_key: DISBURSEMENT_API_KEY,
    token_key: TOKEN_KEY,
};

/// `POST /disbursement/token/`.
pub(super) async fn token(State(state): State<AppState>, headers: HeaderMap) -> Response {
    issue_token(&state, &headers, &DISBURSEMENT)
}

/// The Disbursement product's checks: its subscription key, its token, an environment.
fn authorise(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(&'static str, &'static str), Response> {
    authorise_for(state, headers, &DISBURSEMENT)
}

fn not_allowed() -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "NOT_ALLOWED",
        "Authorization failed. User does not have permission.",
    )
}

/// `POST /disbursement/v1_0/refund`.
pub(super) async fn refund(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (environment, currency) = match authorise(&state, &headers) {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let bad = |message: &str| error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message);
    let Some(reference) =
        header_of(&headers, "x-reference-id").filter(|r| super::super::is_uuid_v4(r))
    else {
        return bad("X-Reference-Id must be a UUID version 4.");
    };
    let Ok(request) = serde_json::from_slice::<RefundRequest>(&body) else {
        return bad(
            "The body is not a refund (amount is a string, referenceIdToRefund is required).",
        );
    };
    let Some(amount) = whole_amount(&request.amount) else {
        return bad("amount: a positive amount, as a string.");
    };
    for text in [&request.payer_message, &request.payee_note] {
        if text
            .as_deref()
            .is_some_and(|t| t.chars().count() > MAX_TEXT)
        {
            return bad("payerMessage and payeeNote: at most 160 characters.");
        }
    }
    if request.currency != currency {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INVALID_CURRENCY",
            "Currency not supported.",
        );
    }
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
    // The request to pay it refunds: this environment's, paid.
    let original = match store::find(&state.pool, &request.reference_id_to_refund).await {
        Ok(found) => found.filter(|s| s.provider == ProviderCode::MtnMomo),
        Err(err) => return internal(&err),
    };
    let Some((original, shown)) = original.and_then(|o| render(&state, &o).map(|r| (o, r))) else {
        return error(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            "Requested resource was not found.",
        );
    };
    if super::environment_of(&original).as_deref() != Some(environment)
        || shown.status != "SUCCESSFUL"
    {
        return not_allowed();
    }
    let earlier =
        match store::with_reference(&state.pool, ProviderCode::MtnMomo, &original.id).await {
            Ok(sessions) => sessions,
            Err(err) => return internal(&err),
        };
    let refunded: i64 = earlier.iter().map(|s| s.amount).sum();
    if refunded + amount > original.amount {
        return not_allowed();
    }
    let kept = KeptRefund {
        environment: environment.to_owned(),
        payee: shown.payer,
        body: request.clone(),
    };
    let session = SandboxSession {
        id: reference.to_owned(),
        provider: ProviderCode::MtnMomo,
        flow: Flow::Push,
        amount,
        currency: request.currency,
        phone: None,
        scenario: Scenario::Success,
        created_at: state.clock.now_ms(),
        decision: None,
        decided_at: None,
        request: serde_json::to_string(&kept).ok(),
        reference: Some(original.id.clone()),
    };
    if let Err(err) = store::insert(&state.pool, &session).await {
        return internal(&err);
    }
    StatusCode::ACCEPTED.into_response()
}

/// `GET /disbursement/v1_0/refund/{referenceId}`: only in the environment it was made in.
pub(super) async fn refund_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    let (environment, _) = match authorise(&state, &headers) {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let found = match store::find(&state.pool, &reference).await {
        Ok(found) => found,
        Err(err) => return internal(&err),
    };
    let shown = found.as_ref().and_then(|session| {
        let kept: KeptRefund = serde_json::from_str(session.request.as_deref()?).ok()?;
        (kept.environment == environment).then_some(())?;
        let status = match sandbox(&state).stage(session, state.clock.now_ms()) {
            Stage::Open | Stage::Asked => "PENDING",
            _ => "SUCCESSFUL",
        };
        Some(RefundShown {
            amount: kept.body.amount,
            currency: kept.body.currency,
            financial_transaction_id: (status == "SUCCESSFUL")
                .then(|| format!("{}", 200_000_000 + session.created_at % 700_000_000)),
            external_id: kept.body.external_id,
            payee: kept.payee,
            payer_message: kept.body.payer_message,
            payee_note: kept.body.payee_note,
            status,
        })
    });
    match shown {
        Some(shown) => Json(shown).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            "Requested resource was not found.",
        ),
    }
}
