//! MTN MoMo's Disbursement transfers (payouts) and balance, as the sandbox plays them, written
//! from PROVIDERS.md ("MTN MoMo — Disbursement", and the Collection section's shared rules),
//! never from Dalal's connector. Kept in the sandbox's payout book (`sandbox::payouts`: provider
//! `mtn_momo`, account the Disbursement API user, id and handle the `X-Reference-Id`).
//!
//! - `POST /disbursement/v1_0/transfer` → `202`, empty; `PENDING` until `sandbox.answer_delay_ms`
//!   after booking, then final, with a callback (once, unsigned, `PUT`) if one was asked for.
//! - `GET …/transfer/{referenceId}` → the transfer, FAILED ones too; unknown → `404`.
//! - `GET …/account/balance[/{currency}]`: the book's opening balance less what was spent.
//!
//! Outcomes by the payee's number: MTN's sandbox payees first, then the sandbox's endings
//! (`PayoutScenario`, README "Sandbox"); an amount above the balance fails NOT_ENOUGH_FUNDS.
//!
//! Sources as PROVIDERS.md names them: [ERR] MTN "MoMo API common errors", [UPD] MTN's update on
//! failure reasons, [RW] momoapi.mtn.co.rw Transfer, [JS] MTN's JavaScript SDK, [SP]
//! `sparkplug/momoapi-node`, [MT] a public MTN API digest.

use super::disbursement::{DISBURSEMENT, DISBURSEMENT_API_USER};
use super::wire::Party;
use super::{
    MAX_TEXT, authorise_for, callback_url_of, error, header_of, internal, reason_in,
    whole_amount,
};
use crate::sandbox::payouts::{self as book, EmulatedPayout, OPENING_BALANCE, PayoutScenario};
use crate::state::AppState;
use anyhow::Context;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Deserializer, Serialize};
use std::time::Duration;

/// The payout book's name for MTN MoMo.
const PROVIDER: &str = "mtn_momo";


/// Characters a text may hold besides letters, digits and spaces. MTN refuses "special
/// characters such as `'`" [ERR] without listing them: the emulator takes only these.
const PLAIN_PUNCTUATION: &str = ".,-_:/#()+@!?";

/// MTN's own sandbox payees [MT §12]: the number, the reason its transfer fails with, and how the
/// book files it (as nothing spent). "PayeeFailed" names no reason: MTN's generic one,
/// INTERNAL_PROCESSING_ERROR, "predominantly" insufficient funds [ERR], is filed as such.
const SANDBOX_PAYEES: [(&str, &str, PayoutScenario); 4] = [
    ("46733123450", "INTERNAL_PROCESSING_ERROR", PayoutScenario::InsufficientFunds),
    ("46733123455", "NOT_ENOUGH_FUNDS", PayoutScenario::InsufficientFunds),
    ("46733123457", "PAYEE_NOT_FOUND", PayoutScenario::RecipientNotFound),
    ("46733123462", "INTERNAL_PROCESSING_ERROR", PayoutScenario::InsufficientFunds),
];

/// A transfer's body as MTN reads it [RW Transfer; SP `src/disbursements.ts`], and as the GET
/// echoes it (the amount in whole units: the sandbox "sent `"5.0"` and answered `"5"`" [JS]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransferBody {
    /// A string in MTN's reference; a JSON number is taken too, as its text.
    #[serde(deserialize_with = "text_or_number")]
    amount: String,
    currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
    payee: Party,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payer_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payee_note: Option<String>,
}

fn text_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => Ok(text),
        serde_json::Value::Number(number) => Ok(number.to_string()),
        _ => Err(serde::de::Error::custom("amount: a string or a number")),
    }
}

/// What the emulator keeps of a transfer, in the book's `request` column: the body as read, and
/// what the book has no column for.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeptTransfer {
    environment: String,
    callback_url: Option<String>,
    body: TransferBody,
}

/// A transfer's status words [SP `src/common.ts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum TransferStatus {
    Pending,
    Successful,
    Failed,
}

/// A transfer as `GET /disbursement/v1_0/transfer/{referenceId}` shows it, and as the callback
/// carries it [RW; JS `getTransferStatus.Readme.md`].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TransferShown {
    #[serde(flatten)]
    body: TransferBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    financial_transaction_id: Option<String>,
    status: TransferStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<serde_json::Value>,
}

/// A text MTN takes: at most 160 characters, none of them special [ERR].
fn plain_text(text: &str) -> bool {
    text.chars().count() <= MAX_TEXT
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || PLAIN_PUNCTUATION.contains(c))
}

fn sandbox_payee(party_id: &str) -> Option<(&'static str, PayoutScenario)> {
    SANDBOX_PAYEES
        .iter()
        .find(|(number, _, _)| *number == party_id)
        .map(|(_, reason, filed)| (*reason, *filed))
}

/// Whether the book counts a transfer so filed as spent (`book::spent`).
fn spends(scenario: PayoutScenario) -> bool {
    matches!(
        scenario,
        PayoutScenario::Success | PayoutScenario::AnswerLost | PayoutScenario::Stuck
    )
}

/// The status and reason a booked transfer ends with; `None` when it never ends (`…03`).
fn final_state(p: &EmulatedPayout) -> Option<(TransferStatus, Option<&'static str>)> {
    if let Some((reason, _)) = sandbox_payee(&p.phone) {
        return Some((TransferStatus::Failed, Some(reason)));
    }
    let failed = |reason: &'static str| Some((TransferStatus::Failed, Some(reason)));
    match p.scenario {
        PayoutScenario::Success | PayoutScenario::AnswerLost => {
            Some((TransferStatus::Successful, None))
        }
        PayoutScenario::Stuck => None,
        PayoutScenario::InsufficientFunds | PayoutScenario::RecipientLimit => {
            failed("NOT_ENOUGH_FUNDS")
        }
        PayoutScenario::RecipientNotFound => failed("PAYEE_NOT_FOUND"),
        PayoutScenario::RecipientBlocked => failed("PAYEE_NOT_ALLOWED_TO_RECEIVE"),
        // Never booked (`…04` is refused with a 503); MTN's generic word, were one found.
        PayoutScenario::ProviderDown => failed("INTERNAL_PROCESSING_ERROR"),
    }
}

/// MTN's id for a successful transfer: digits, steady for a reference.
fn financial_transaction_id(reference: &str) -> String {
    let seed = reference
        .get(..8)
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .unwrap_or(0);
    (300_000_000 + seed % 600_000_000).to_string()
}

fn kept_of(p: &EmulatedPayout) -> Option<KeptTransfer> {
    serde_json::from_str(&p.request).ok()
}

/// The transfer as it stands now: `PENDING` until the sandbox's answer delay has passed since it
/// was booked, then how it ends.
fn render(state: &AppState, p: &EmulatedPayout, kept: KeptTransfer) -> TransferShown {
    let settled = state.clock.now_ms() - p.created_at >= state.settings.sandbox.answer_delay_ms;
    let (status, reason) = match final_state(p) {
        Some(ended) if settled => ended,
        Some(_) | None => (TransferStatus::Pending, None),
    };
    TransferShown {
        body: kept.body,
        financial_transaction_id: (status == TransferStatus::Successful)
            .then(|| financial_transaction_id(&p.id)),
        status,
        reason: reason.map(|code| reason_in(&kept.environment, code)),
    }
}

/// What the API user may still pay out in a currency.
async fn available(state: &AppState, currency: &str) -> anyhow::Result<i64> {
    let spent = book::spent(&state.pool, PROVIDER, DISBURSEMENT_API_USER, currency).await?;
    Ok(OPENING_BALANCE - spent)
}

fn invalid_currency() -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR, "INVALID_CURRENCY", "Currency not supported.")
}

/// `POST /disbursement/v1_0/transfer` [RW; JS; SP]: the Disbursement key and token only ("different
/// subscription keys" [ERR]); `X-Reference-Id` a UUID v4, else `400`, once, else `409` [ERR]; body
/// `{amount, currency (the environment's), externalId, payee: {partyIdType: "MSISDN", partyId},
/// payerMessage, payeeNote}` → `202`, empty; the money leaves later.
pub(super) async fn transfer(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (environment, currency) = match authorise_for(&state, &headers, &DISBURSEMENT) {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let bad = |message: &str| error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message);
    let Some(reference) =
        header_of(&headers, "x-reference-id").filter(|r| super::super::is_uuid_v4(r))
    else {
        return bad("X-Reference-Id must be a UUID version 4.");
    };
    let Ok(request) = serde_json::from_slice::<TransferBody>(&body) else {
        return bad("The body is not a transfer (amount, currency and payee are required).");
    };
    let Some(amount) = whole_amount(&request.amount) else {
        return bad("amount: a positive amount, as a string.");
    };
    let payee = &request.payee;
    let digits = !payee.party_id.is_empty() && payee.party_id.bytes().all(|b| b.is_ascii_digit());
    if payee.party_id_type != "MSISDN" || !digits {
        return bad("payee: an MSISDN, digits only.");
    }
    // Empty texts have produced 500s in production on Collection (PROVIDERS.md, "request to
    // pay"); the emulator holds Disbursement to the same rule.
    let texts = [&request.payer_message, &request.payee_note];
    if texts.into_iter().any(|t| t.as_deref().is_none_or(str::is_empty)) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_PROCESSING_ERROR",
            "An internal error occurred while processing.",
        );
    }
    let texts = [&request.external_id, &request.payer_message, &request.payee_note];
    if !texts.into_iter().all(|t| t.as_deref().is_none_or(plain_text)) {
        return bad(
            "externalId, payerMessage and payeeNote: at most 160 characters, without special characters such as '.",
        );
    }
    if request.currency != currency {
        return invalid_currency();
    }
    let callback_url = match callback_url_of(&state, &headers) {
        Ok(url) => url,
        Err(refused) => return refused,
    };
    let phone = payee.party_id.clone();
    let scenario = match sandbox_payee(&phone) {
        Some((_, filed)) => filed,
        None => PayoutScenario::for_phone(&phone),
    };
    if scenario == PayoutScenario::ProviderDown {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "The service is temporarily unavailable.",
        );
    }
    let balance = match available(&state, currency).await {
        Ok(balance) => balance,
        Err(err) => return internal(&err),
    };
    // Taken, then FAILED NOT_ENOUGH_FUNDS: "insufficient funds" [UPD].
    let filed = if spends(scenario) && amount > balance {
        PayoutScenario::InsufficientFunds
    } else {
        scenario
    };
    let calls_back = callback_url.is_some();
    let kept = KeptTransfer {
        environment: environment.to_owned(),
        callback_url,
        body: TransferBody { amount: amount.to_string(), ..request },
    };
    let request = match serde_json::to_string(&kept).context("failed to keep a transfer") {
        Ok(request) => request,
        Err(err) => return internal(&err),
    };
    let payout = EmulatedPayout {
        id: reference.to_owned(),
        provider: PROVIDER.to_owned(),
        account: DISBURSEMENT_API_USER.to_owned(),
        handle: reference.to_owned(),
        request,
        amount,
        currency: currency.to_owned(),
        phone,
        fee: 0,
        scenario: filed,
        created_at: state.clock.now_ms(),
    };
    // The book takes a reference once; the same one again is MTN's 409, nothing booked [ERR].
    match book::book(&state.pool, &payout).await {
        Ok((_, true)) => {}
        Ok((_, false)) => {
            return error(
                StatusCode::CONFLICT,
                "RESOURCE_ALREADY_EXIST",
                "Duplicated reference id. Creation of resource failed.",
            );
        }
        Err(err) => return internal(&err),
    }
    if calls_back {
        tokio::spawn(call_back(state.clone(), reference.to_owned()));
    }
    if scenario == PayoutScenario::AnswerLost {
        // MTN took the transfer, and its answer is lost on the way back.
        super::super::lose_the_answer(&state).await;
    }
    StatusCode::ACCEPTED.into_response()
}

/// `GET /disbursement/v1_0/transfer/{referenceId}`: only in the environment it was made in. A
/// failed transfer is a `200` too, FAILED in the body [RW]; `404 RESOURCE_NOT_FOUND`: never taken.
pub(super) async fn transfer_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    let (environment, _) = match authorise_for(&state, &headers, &DISBURSEMENT) {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let found =
        match book::by_handle(&state.pool, PROVIDER, DISBURSEMENT_API_USER, &reference).await {
            Ok(found) => found,
            Err(err) => return internal(&err),
        };
    let found = found.and_then(|p| {
        let kept = kept_of(&p).filter(|k| k.environment == environment)?;
        Some((p, kept))
    });
    match found {
        Some((payout, kept)) => Json(render(&state, &payout, kept)).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            "Requested resource was not found.",
        ),
    }
}

/// MTN calls back once, when the transfer has ended (Disbursement "callback", as for
/// Collection): the emulator looks after the answer delay, and again when a push would have timed
/// out, and sends the transfer, unsigned, with `PUT`. One pending for good is never sent.
async fn call_back(state: AppState, reference: String) {
    super::super::at_push_moments(&state, || async {
        let Ok(Some(payout)) =
            book::by_handle(&state.pool, PROVIDER, DISBURSEMENT_API_USER, &reference).await
        else {
            return true;
        };
        let Some(kept) = kept_of(&payout) else {
            return true;
        };
        let Some(url) = kept.callback_url.clone() else {
            return true;
        };
        let result = render(&state, &payout, kept);
        if result.status == TransferStatus::Pending {
            return false;
        }
        let sent = reqwest::Client::new()
            .put(&url)
            .timeout(Duration::from_secs(10))
            .json(&result)
            .send()
            .await;
        if let Err(err) = sent {
            tracing::info!(error = %err.without_url(), "the MTN MoMo emulator's transfer callback was not taken (MTN does not retry)");
        }
        true
    })
    .await
}

/// `GET /disbursement/v1_0/account/balance` and `…/balance/{currency}` → `{"availableBalance":
/// "…", "currency": "…"}` [JS; SP `getBalance`]: the environment's currency only.
pub(super) async fn balance(
    State(state): State<AppState>,
    headers: HeaderMap,
    asked: Option<Path<String>>,
) -> Response {
    let (_, currency) = match authorise_for(&state, &headers, &DISBURSEMENT) {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    if asked.is_some_and(|Path(asked)| asked != currency) {
        return invalid_currency();
    }
    match available(&state, currency).await {
        Ok(balance) => {
            let balance = balance.to_string();
            Json(serde_json::json!({ "availableBalance": balance, "currency": currency }))
                .into_response()
        }
        Err(err) => internal(&err),
    }
}

#[cfg(test)]
mod tests;
