//! pawaPay's payouts and wallet balances as the sandbox plays them, written from PROVIDERS.md
//! ("pawaPay — Merchant API v2", the payouts row and general rules; "pawaPay — payout corrections
//! and completions", "corrections" below), never from Dalal's connector. Payouts are booked in
//! the sandbox's payout book (`sandbox::payouts`), so that a test sees what pawaPay holds.
//!
//! - `POST /v2/payouts`, read as strictly as a deposit (`400 UNSUPPORTED_PARAMETER` for an unknown
//!   field, in `recipient` and `accountDetails` too; `MISSING_PARAMETER`; `INVALID_PARAMETER`),
//!   then `200 REJECTED` for what pawaPay reads but refuses, `PAWAPAY_WALLET_OUT_OF_FUNDS` beyond
//!   the wallet's balance included; nothing rejected is booked. A `payoutId` already booked is
//!   `DUPLICATE_IGNORED` and nothing moves again; else `ACCEPTED` (never `ENQUEUED`: corrections,
//!   "initiation answer").
//! - `ACCEPTED` for the sandbox's answer delay, then `COMPLETED` or `FAILED`, and a signed callback
//!   to Dalal's `/hooks/pawapay` (corrections, "callback"); a stuck payout turns `PROCESSING`.
//! - `GET /v2/payouts/{payoutId}`; `GET /v2/wallet-balances?country=` (corrections, "wallet
//!   balances").
//!
//! Outcomes: pawaPay's payout test numbers first (corrections, "payout test numbers"), then the
//! sandbox's two-digit endings (`PayoutScenario`). Where PROVIDERS.md is silent: Senegal, which has
//! no payout numbers, takes the other countries' suffixes; payout limits are known for Senegal only
//! (1–200 000), elsewhere the deposit limits stand in; wallets of one currency share one balance
//! (the book counts by currency); no fee is charged (none is published).

use super::callbacks::send_callback;
use super::wire::{AccountDetails, FailureReason, Payer};
use super::{
    API_TOKEN, COVERED, Covered, authorise, error, internal, read_amount, read_metadata,
    valid_message,
};
use crate::sandbox::payouts::{self as book, EmulatedPayout, OPENING_BALANCE, PayoutScenario};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The book's provider, and its account: the API token, which serves every country the pawaPay
/// account has (PROVIDERS.md, "account scope").
const PROVIDER: &str = "pawapay";
const ACCOUNT: &str = API_TOKEN;

/// `customerMessage` "defaults to the company name" (PROVIDERS.md, `customerMessage`): the
/// `companyName` of the emulator's `active-conf`.
const COMPANY_NAME: &str = "Dalal Sandbox";

/// The fields `POST /v2/payouts` knows, at each level; any other is refused.
const PAYOUT_FIELDS: [&str; 7] = [
    "payoutId", "amount", "currency", "recipient", "customerMessage", "clientReferenceId", "metadata",
];
const RECIPIENT_FIELDS: [&str; 2] = ["type", "accountDetails"];
const ACCOUNT_DETAILS_FIELDS: [&str; 2] = ["phoneNumber", "provider"];

/// A payout's status as the status check and the callback show it (corrections, "lifecycle
/// names"); `Failed` carries its `failureCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Accepted,
    Processing,
    Completed,
    Failed(&'static str),
}

impl Shown {
    fn word(self) -> &'static str {
        match self {
            Shown::Accepted => "ACCEPTED",
            Shown::Processing => "PROCESSING",
            Shown::Completed => "COMPLETED",
            Shown::Failed(_) => "FAILED",
        }
    }
}

impl Serialize for Shown {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.word())
    }
}

/// What a payout booked `elapsed_ms` ago shows: `ACCEPTED` for the answer delay, then its end.
fn shown(scenario: PayoutScenario, elapsed_ms: i64, delay_ms: i64) -> Shown {
    if elapsed_ms < delay_ms {
        return Shown::Accepted;
    }
    match scenario {
        PayoutScenario::Success | PayoutScenario::AnswerLost => Shown::Completed,
        PayoutScenario::Stuck => Shown::Processing,
        PayoutScenario::RecipientNotFound => Shown::Failed("RECIPIENT_NOT_FOUND"),
        PayoutScenario::RecipientLimit => Shown::Failed("WALLET_LIMIT_REACHED"),
        PayoutScenario::RecipientBlocked => Shown::Failed("UNSPECIFIED_FAILURE"),
        // Refused at initiation and never booked; were one in the book, it failed so.
        PayoutScenario::InsufficientFunds => Shown::Failed("PAWAPAY_WALLET_OUT_OF_FUNDS"),
        PayoutScenario::ProviderDown => Shown::Failed("UNSPECIFIED_FAILURE"),
    }
}

/// The scenario one of pawaPay's payout test numbers chooses (corrections, "payout test
/// numbers"): `…119` is a failure, booked as the scenario that fails `UNSPECIFIED_FAILURE`.
fn test_scenario(covered: &Covered, phone: &str) -> Option<PayoutScenario> {
    let ending = phone.get(phone.len().saturating_sub(3)..)?;
    let burkina = covered.country == "BFA";
    Some(match (ending, burkina) {
        ("089", false) => PayoutScenario::RecipientNotFound,
        ("119", false) | ("118", true) => PayoutScenario::RecipientBlocked,
        ("129", false) | ("138", true) => PayoutScenario::Stuck,
        ("789", false) | ("678", true) => PayoutScenario::Success,
        _ => return None,
    })
}

/// Payout limits: Senegal's 1–200 000 from the Jan 2026 sandbox answer (PROVIDERS.md, "limits");
/// PROVIDERS.md has none for the other countries, where the provider's deposit limits stand in.
fn bounds(covered: &Covered) -> (i64, i64) {
    if covered.country == "SEN" {
        (1, 200_000)
    } else {
        (covered.min, covered.max)
    }
}

/// Digits only, the provider's country code, then a national number of its length
/// (PROVIDERS.md, `phoneNumber`).
fn valid_phone(covered: &Covered, phone: &str) -> bool {
    phone.bytes().all(|b| b.is_ascii_digit())
        && phone
            .strip_prefix(covered.prefix)
            .is_some_and(|national| covered.national_lengths.contains(&national.len()))
}

/// A payout request that passed the `400` checks.
#[derive(Debug)]
struct Asked<'a> {
    payout_id: &'a str,
    amount: &'a str,
    currency: &'a str,
    phone: &'a str,
    provider: &'a str,
}

/// A field of the request, if it is a string.
fn field<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields.get(key).and_then(Value::as_str)
}

/// The first field of `fields` not `known`, refused as pawaPay refuses an unknown field.
fn unknown_field(
    fields: &Map<String, Value>,
    known: &[&str],
    of: &str,
) -> Option<(&'static str, String)> {
    let unknown = fields.keys().find(|k| !known.contains(&k.as_str()))?;
    Some(("UNSUPPORTED_PARAMETER", format!("{unknown} is not a parameter of {of}.")))
}

/// The checks pawaPay answers with a `400`: `Err((failureCode, failureMessage))`.
fn read(request: &Map<String, Value>) -> Result<Asked<'_>, (&'static str, String)> {
    let invalid = |message: &str| ("INVALID_PARAMETER", message.to_owned());
    if let Some(refused) = unknown_field(request, &PAYOUT_FIELDS, "a payout") {
        return Err(refused);
    }
    if let Some(missing) = ["payoutId", "amount", "currency", "recipient"]
        .into_iter()
        .find(|k| request.get(*k).is_none_or(Value::is_null))
    {
        return Err(("MISSING_PARAMETER", format!("{missing} is required.")));
    }
    let payout_id = field(request, "payoutId")
        .filter(|id| super::super::is_uuid_v4(id))
        .ok_or_else(|| invalid("payoutId must be a UUID version 4."))?;
    let amount = field(request, "amount").ok_or_else(|| invalid("amount must be a string."))?;
    let currency =
        field(request, "currency").ok_or_else(|| invalid("currency must be a string."))?;
    let shape = "recipient: {type: MMO, accountDetails: {phoneNumber, provider}}.";
    let recipient = request
        .get("recipient")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid(shape))?;
    if let Some(refused) = unknown_field(recipient, &RECIPIENT_FIELDS, "recipient") {
        return Err(refused);
    }
    let details = recipient
        .get("accountDetails")
        .and_then(Value::as_object)
        .ok_or_else(|| ("MISSING_PARAMETER", shape.to_owned()))?;
    if let Some(refused) = unknown_field(details, &ACCOUNT_DETAILS_FIELDS, "accountDetails") {
        return Err(refused);
    }
    let (Some(kind), Some(phone), Some(provider)) = (
        field(recipient, "type"),
        field(details, "phoneNumber"),
        field(details, "provider"),
    ) else {
        return Err(("MISSING_PARAMETER", shape.to_owned()));
    };
    if kind != "MMO" {
        return Err(invalid(shape));
    }
    match request.get("customerMessage") {
        None | Some(Value::Null) => {}
        Some(Value::String(m)) if valid_message(m) => {}
        Some(_) => return Err(invalid("customerMessage: 4 to 22 letters, digits or spaces.")),
    }
    if !matches!(request.get("clientReferenceId"), None | Some(Value::Null | Value::String(_))) {
        return Err(invalid("clientReferenceId must be a string."));
    }
    if let Some(metadata) = request.get("metadata").filter(|v| !v.is_null()) {
        read_metadata(metadata)
            .map_err(|code| (code, "metadata: at most ten objects of one field each.".to_owned()))?;
    }
    Ok(Asked { payout_id, amount, currency, phone, provider })
}

/// The answer to `POST /v2/payouts` (PROVIDERS.md, "initiation answer").
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PayoutAnswer<'a> {
    payout_id: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_reason: Option<FailureReason>,
}

fn answer(payout_id: &str, status: &'static str, created_ms: Option<i64>) -> Response {
    let created = created_ms.map(crate::clock::iso8601);
    Json(PayoutAnswer { payout_id, status, created, failure_reason: None }).into_response()
}

/// A payout refused with `200 {status: "REJECTED"}`; nothing is booked.
fn rejected(payout_id: &str, code: &'static str) -> Response {
    let failure_reason = Some(FailureReason::new(code));
    Json(PayoutAnswer { payout_id, status: "REJECTED", created: None, failure_reason }).into_response()
}

/// A payout as the status check (`data`) and the callback show it (corrections, "callback").
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PayoutData {
    payout_id: String,
    status: Shown,
    amount: String,
    currency: String,
    /// ISO 3166 alpha-3: `SEN`.
    country: &'static str,
    recipient: Payer,
    customer_message: String,
    /// In the status check only, never in callbacks.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_reference_id: Option<String>,
    created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_reason: Option<FailureReason>,
    /// Flattened, as answers show it.
    metadata: Map<String, Value>,
}

/// A booked payout as pawaPay shows it now, from the request as it came.
fn render(state: &AppState, payout: &EmulatedPayout) -> Option<PayoutData> {
    let request: Map<String, Value> = serde_json::from_str(&payout.request).ok()?;
    let details = request.get("recipient")?.get("accountDetails")?;
    let provider = details.get("provider").and_then(Value::as_str)?;
    let covered = COVERED.iter().find(|c| c.code == provider)?;
    let elapsed = state.clock.now_ms() - payout.created_at;
    let status = shown(payout.scenario, elapsed, state.settings.sandbox.answer_delay_ms);
    let metadata = match request.get("metadata").filter(|v| !v.is_null()) {
        Some(value) => read_metadata(value).ok()?,
        None => Map::new(),
    };
    Some(PayoutData {
        payout_id: payout.handle.clone(),
        status,
        // Answers may write decimals even for XOF (PROVIDERS.md, `amount`).
        amount: format!("{}.00", payout.amount),
        currency: payout.currency.clone(),
        country: covered.country,
        recipient: Payer {
            kind: "MMO",
            account_details: AccountDetails {
                phone_number: details.get("phoneNumber").and_then(Value::as_str)?.to_owned(),
                provider: covered.code.to_owned(),
            },
        },
        customer_message: field(&request, "customerMessage").unwrap_or(COMPANY_NAME).to_owned(),
        client_reference_id: field(&request, "clientReferenceId").map(str::to_owned),
        created: crate::clock::iso8601(payout.created_at),
        provider_transaction_id: (status == Shown::Completed)
            .then(|| format!("PO{}", payout.created_at)),
        failure_reason: match status {
            Shown::Failed(code) => Some(FailureReason::new(code)),
            Shown::Accepted | Shown::Processing | Shown::Completed => None,
        },
        metadata,
    })
}

/// `POST /v2/payouts`.
pub(super) async fn initiate(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = authorise(&headers) {
        return refused;
    }
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "INVALID_INPUT", "The body is not a JSON object.");
    };
    let asked = match read(&request) {
        Ok(asked) => asked,
        Err((code, message)) => return error(StatusCode::BAD_REQUEST, code, &message),
    };
    let id = asked.payout_id;

    // Read, but refused as pawaPay refuses: 200 REJECTED.
    let Some(covered) = COVERED.iter().find(|c| c.code == asked.provider) else {
        return rejected(id, "INVALID_PROVIDER");
    };
    if asked.currency != covered.currency {
        return rejected(id, "INVALID_CURRENCY");
    }
    // Every XOF/XAF provider's `decimalsInAmount` is NONE: whole amounts only.
    let Some((amount, false)) = read_amount(asked.amount) else {
        return rejected(id, "INVALID_AMOUNT");
    };
    let (min, max) = bounds(covered);
    if !(min..=max).contains(&amount) {
        return rejected(id, "AMOUNT_OUT_OF_BOUNDS");
    }
    if !valid_phone(covered, asked.phone) {
        return rejected(id, "INVALID_PHONE_NUMBER");
    }

    // The id is the idempotency key: a payout already held is answered, whatever came now.
    match book::by_handle(&state.pool, PROVIDER, ACCOUNT, id).await {
        Ok(Some(held)) => return answer(id, "DUPLICATE_IGNORED", Some(held.created_at)),
        Ok(None) => {}
        Err(err) => return internal(&err),
    }
    let scenario = test_scenario(covered, asked.phone)
        .unwrap_or_else(|| PayoutScenario::for_phone(asked.phone));
    match scenario {
        PayoutScenario::InsufficientFunds => return rejected(id, "PAWAPAY_WALLET_OUT_OF_FUNDS"),
        // A `CLOSED` provider (corrections, "initiation rejections").
        PayoutScenario::ProviderDown => return rejected(id, "PROVIDER_TEMPORARILY_UNAVAILABLE"),
        PayoutScenario::Success | PayoutScenario::RecipientNotFound | PayoutScenario::Stuck
        | PayoutScenario::AnswerLost | PayoutScenario::RecipientLimit
        | PayoutScenario::RecipientBlocked => {}
    }
    // The principal is reserved from the wallet at ACCEPTED (corrections, "funds").
    let spent = match book::spent(&state.pool, PROVIDER, ACCOUNT, covered.currency).await {
        Ok(spent) => spent,
        Err(err) => return internal(&err),
    };
    if amount > OPENING_BALANCE - spent {
        return rejected(id, "PAWAPAY_WALLET_OUT_OF_FUNDS");
    }
    let now = state.clock.now_ms();
    let payout = EmulatedPayout {
        id: id.to_owned(),
        provider: PROVIDER.to_owned(),
        account: ACCOUNT.to_owned(),
        handle: id.to_owned(),
        request: String::from_utf8_lossy(&body).into_owned(),
        amount,
        currency: covered.currency.to_owned(),
        phone: format!("+{}", asked.phone),
        fee: 0,
        scenario,
        created_at: now,
    };
    match book::book(&state.pool, &payout).await {
        Ok((_, true)) => {}
        // Another call with this id was booked in between.
        Ok((held, false)) => return answer(id, "DUPLICATE_IGNORED", Some(held.created_at)),
        Err(err) => return internal(&err),
    }
    tokio::spawn(call_back(state.clone(), id.to_owned()));
    if scenario == PayoutScenario::AnswerLost {
        // pawaPay took the payout, and its answer is lost on the way back.
        super::super::lose_the_answer(&state).await;
    }
    answer(id, "ACCEPTED", Some(now))
}

/// `GET /v2/payouts/{payoutId}`.
pub(super) async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(payout_id): Path<String>,
) -> Response {
    if let Err(refused) = authorise(&headers) {
        return refused;
    }
    let found = match book::by_handle(&state.pool, PROVIDER, ACCOUNT, &payout_id).await {
        Ok(found) => found,
        Err(err) => return internal(&err),
    };
    match found.as_ref().and_then(|p| render(&state, p)) {
        Some(data) => Json(json!({ "status": "FOUND", "data": data })).into_response(),
        None => Json(json!({ "status": "NOT_FOUND" })).into_response(),
    }
}

/// Sends the payout's callback once it is final, after the sandbox's answer delay; a stuck
/// payout has none.
async fn call_back(state: AppState, payout_id: String) {
    super::super::at_push_moments(&state, || async {
        let Ok(Some(payout)) = book::by_handle(&state.pool, PROVIDER, ACCOUNT, &payout_id).await
        else {
            return true;
        };
        let Some(mut data) = render(&state, &payout) else {
            return true;
        };
        if !matches!(data.status, Shown::Completed | Shown::Failed(_)) {
            return false; // Not final: no callback yet (a stuck payout never has one).
        }
        data.client_reference_id = None;
        if let Ok(body) = serde_json::to_vec(&data) {
            send_callback(&state, body).await;
        }
        true
    })
    .await
}

/// `GET /v2/wallet-balances?country=SEN`: one wallet per country the account serves, in its
/// currency, holding the opening balance less what was paid out.
pub(super) async fn wallet_balances(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = authorise(&headers) {
        return refused;
    }
    if let Some(unknown) = query.keys().find(|k| k.as_str() != "country") {
        let message = format!("{unknown} is not a parameter of wallet balances.");
        return error(StatusCode::BAD_REQUEST, "UNSUPPORTED_PARAMETER", &message);
    }
    let asked = query.get("country").map(String::as_str);
    let mut wallets: Vec<(&'static str, &'static str)> = Vec::new();
    for covered in &COVERED {
        let wallet = (covered.country, covered.currency);
        if !wallets.contains(&wallet) && asked.is_none_or(|a| a == covered.country) {
            wallets.push(wallet);
        }
    }
    let mut balances = Vec::new();
    for (country, currency) in wallets {
        let spent = match book::spent(&state.pool, PROVIDER, ACCOUNT, currency).await {
            Ok(spent) => spent,
            Err(err) => return internal(&err),
        };
        balances.push(json!({
            "country": country,
            // Written with decimals, as pawaPay's sample (`"21798.03"`).
            "balance": format!("{}.00", OPENING_BALANCE - spent),
            "currency": currency,
            // Set only for a single-provider wallet.
            "provider": "",
        }));
    }
    Json(json!({ "balances": balances })).into_response()
}

#[cfg(test)]
mod tests;
