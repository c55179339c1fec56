//! pawaPay's Merchant API v2, deposits, as the sandbox plays it, written from PROVIDERS.md
//! ("pawaPay — Merchant API v2": docs.pawapay.io/v2, pawaPay's workshop, a real sandbox
//! answer), never from Dalal's connector.
//!
//! - Every call needs `Authorization: Bearer <API_TOKEN>` (401 `NO_AUTHENTICATION` without it,
//!   403 `AUTHENTICATION_ERROR` with another).
//! - `POST /v2/deposits`: an unknown field is `400 UNSUPPORTED_PARAMETER`, a missing one
//!   `MISSING_PARAMETER`; `depositId` a UUID v4, `amount` a string (`INVALID_PARAMETER`
//!   otherwise); `customerMessage` 4–22 letters, digits and spaces; `metadata` an array of at
//!   most ten single-key objects (`isPII` besides), a key twice `DUPLICATE_METADATA_FIELD`.
//!   Then, as `200 {status: "REJECTED", failureReason}`: an unknown provider `INVALID_PROVIDER`,
//!   a currency not the provider's `INVALID_CURRENCY`, decimals (every XOF/XAF provider takes
//!   whole amounts) `INVALID_AMOUNT`, an amount outside the account's limits
//!   `AMOUNT_OUT_OF_BOUNDS`, a number that is not digits with the provider's country code
//!   `INVALID_PHONE_NUMBER`. The same `depositId` again is `DUPLICATE_IGNORED`; else `ACCEPTED`.
//! - `GET /v2/deposits/{depositId}` → `{status: "FOUND", data}` or `{status: "NOT_FOUND"}`; the
//!   amount comes back with two decimals (`"1000.00"`), as pawaPay's answers may write it.
//! - `GET /v2/active-conf`: the account's providers, with the object-shaped `operationTypes` a
//!   real sandbox answers; the account signs its callbacks.
//! - `GET /v2/public-key/http`: the key its callbacks are signed with (`signing.rs`).
//! - `POST /v2/refunds`, `GET /v2/refunds/{refundId}` (`refunds.rs`): refunds of completed
//!   deposits, finished after the sandbox's answer delay, then called back.
//! - `POST /v2/payouts`, `GET /v2/payouts/{payoutId}`, `GET /v2/wallet-balances` (`payouts.rs`):
//!   payouts booked in the sandbox's payout book, final after the answer delay, then called back.
//! - When a deposit reaches a final status, its callback (the status check's `data` without
//!   `clientReferenceId`) goes to Dalal's `/hooks/pawapay`, signed, and is sent again while Dalal
//!   does not answer `200` (pawaPay retries for 15 minutes; the emulator three times). A deposit
//!   that stays pending has none.
//!
//! Outcomes: pawaPay's own test numbers first (the last three digits: `019` payer limit, `029`
//! payer not found, `039` not approved, `049` insufficient balance, `069` unspecified failure,
//! `129` pending for good, `789` completed; Burkina Faso's end in `8`), else the sandbox's
//! two-digit endings as for every provider (README, "Sandbox (test keys)").

use super::super::store::{self, Flow, SandboxSession, Scenario};
use super::super::{SandboxProvider, Stage, scenario_for_phone};
use crate::domain::ProviderCode;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value};

/// The sandbox account's API token (test money only).
pub const API_TOKEN: &str = "pawapay_sandbox_dalal_api_token";

/// One provider of the sandbox account (PROVIDERS.md, coverage and the Jan 2026 sandbox
/// `active-conf`).
struct Covered {
    code: &'static str,
    provider: ProviderCode,
    /// ISO 3166 alpha-3, as pawaPay spells countries.
    country: &'static str,
    prefix: &'static str,
    /// How many digits follow the country code.
    national_lengths: &'static [usize],
    currency: &'static str,
    min: i64,
    max: i64,
    /// The USSD code to dial where the prompt is `MANUAL`.
    manual_prompt: Option<&'static str>,
}

const COVERED: [Covered; 10] = [
    Covered { code: "FREE_SEN", provider: ProviderCode::FreeMoney, country: "SEN", prefix: "221", national_lengths: &[9], currency: "XOF", min: 5, max: 100_000_000, manual_prompt: Some("#150#") },
    Covered { code: "ORANGE_SEN", provider: ProviderCode::OrangeMoney, country: "SEN", prefix: "221", national_lengths: &[9], currency: "XOF", min: 2, max: 100_000_000, manual_prompt: Some("#144#") },
    Covered { code: "ORANGE_CIV", provider: ProviderCode::OrangeMoney, country: "CIV", prefix: "225", national_lengths: &[10], currency: "XOF", min: 1, max: 2_000_000, manual_prompt: Some("#120#") },
    Covered { code: "MTN_MOMO_CIV", provider: ProviderCode::MtnMomo, country: "CIV", prefix: "225", national_lengths: &[10], currency: "XOF", min: 1, max: 2_000_000, manual_prompt: Some("*133#") },
    Covered { code: "MTN_MOMO_BEN", provider: ProviderCode::MtnMomo, country: "BEN", prefix: "229", national_lengths: &[8, 10], currency: "XOF", min: 1, max: 2_000_000, manual_prompt: None },
    Covered { code: "MOOV_BEN", provider: ProviderCode::MoovMoney, country: "BEN", prefix: "229", national_lengths: &[8, 10], currency: "XOF", min: 100, max: 2_000_000, manual_prompt: None },
    Covered { code: "MOOV_BFA", provider: ProviderCode::MoovMoney, country: "BFA", prefix: "226", national_lengths: &[8], currency: "XOF", min: 100, max: 2_000_000, manual_prompt: Some("*555*6#") },
    Covered { code: "ORANGE_BFA", provider: ProviderCode::OrangeMoney, country: "BFA", prefix: "226", national_lengths: &[8], currency: "XOF", min: 1, max: 2_000_000, manual_prompt: None },
    Covered { code: "MTN_MOMO_CMR", provider: ProviderCode::MtnMomo, country: "CMR", prefix: "237", national_lengths: &[9], currency: "XAF", min: 1, max: 1_000_000, manual_prompt: None },
    Covered { code: "ORANGE_CMR", provider: ProviderCode::OrangeMoney, country: "CMR", prefix: "237", national_lengths: &[9], currency: "XAF", min: 1, max: 500_000, manual_prompt: None },
];

/// The fields `POST /v2/deposits` knows; any other is refused.
const DEPOSIT_FIELDS: [&str; 10] = [
    "depositId",
    "amount",
    "currency",
    "payer",
    "customerMessage",
    "clientReferenceId",
    "preAuthorisationCode",
    "successfulUrl",
    "failedUrl",
    "metadata",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/deposits", post(deposit))
        .route("/v2/deposits/{deposit_id}", get(status))
        .route("/v2/active-conf", get(toolkit::active_conf))
        .route("/v2/public-key/http", get(toolkit::public_keys))
        .route("/v2/refunds", post(refunds::refund))
        .route("/v2/refunds/{refund_id}", get(refunds::status))
        .route("/v2/payouts", post(payouts::initiate))
        .route("/v2/payouts/{payout_id}", get(payouts::status))
        .route("/v2/wallet-balances", get(payouts::wallet_balances))
}

/// An error answered with an HTTP error status: `{failureReason: {failureCode, failureMessage}}`.
fn error(status: StatusCode, code: &'static str, message: &str) -> Response {
    let body = serde_json::json!({
        "failureReason": { "failureCode": code, "failureMessage": message },
    });
    (status, Json(body)).into_response()
}

fn internal(err: &anyhow::Error) -> Response {
    tracing::error!(error = ?err, "the pawaPay emulator failed");
    error(StatusCode::INTERNAL_SERVER_ERROR, "UNKNOWN_ERROR", "Unknown error.")
}

/// The bearer token check every call passes.
fn authorise(headers: &HeaderMap) -> Result<(), Response> {
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v));
    match given {
        None => Err(error(StatusCode::UNAUTHORIZED, "NO_AUTHENTICATION", "Authentication is missing.")),
        Some(API_TOKEN) => Ok(()),
        Some(_) => Err(error(StatusCode::FORBIDDEN, "AUTHENTICATION_ERROR", "The API token is not valid.")),
    }
}

/// A deposit refused with `200 {status: "REJECTED"}`, as pawaPay refuses what it reads but cannot
/// take.
fn rejected(deposit_id: &str, code: &'static str) -> Response {
    Json(InitiationAnswer {
        deposit_id: deposit_id.to_owned(),
        status: "REJECTED",
        created: None,
        next_step: None,
        failure_reason: Some(FailureReason::new(code)),
    })
    .into_response()
}

/// `^([0]|([1-9][0-9]{0,17}))([.][0-9]{0,3}[1-9])?$` (the workshop's pattern): the whole units
/// and whether decimals were written.
fn read_amount(text: &str) -> Option<(i64, bool)> {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let whole_ok = whole == "0" || (digits(whole) && !whole.starts_with('0') && whole.len() <= 18);
    let fraction_ok = fraction.is_none_or(|f| digits(f) && f.len() <= 4 && !f.ends_with('0'));
    (whole_ok && fraction_ok).then(|| (whole.parse().unwrap_or(0), fraction.is_some()))
}

/// `customerMessage`: 4–22 of `[a-zA-Z0-9 ]`.
fn valid_message(text: &str) -> bool {
    (4..=22).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ')
}

/// `metadata`: at most ten single-key objects (besides `isPII`), flattened; `Err` with the code.
fn read_metadata(value: &Value) -> Result<Map<String, Value>, &'static str> {
    let items = value.as_array().filter(|a| a.len() <= 10).ok_or("INVALID_PARAMETER")?;
    let mut flat = Map::new();
    for item in items {
        let fields = item.as_object().ok_or("INVALID_PARAMETER")?;
        let keys: Vec<&String> = fields.keys().filter(|k| *k != "isPII").collect();
        let [key] = keys.as_slice() else {
            return Err("INVALID_PARAMETER");
        };
        if flat.insert((*key).clone(), fields[*key].clone()).is_some() {
            return Err("DUPLICATE_METADATA_FIELD");
        }
    }
    Ok(flat)
}

/// The outcome one of pawaPay's test numbers chooses (PROVIDERS.md, "test numbers").
fn test_outcome(covered: &Covered, phone: &str) -> Option<TestOutcome> {
    let ending = phone.get(phone.len().saturating_sub(3)..)?;
    let burkina = covered.country == "BFA";
    Some(match (ending, burkina) {
        ("019", false) => TestOutcome::Failed(FailureWord::PayerLimitReached),
        ("029", false) => TestOutcome::Failed(FailureWord::PayerNotFound),
        ("039", false) => TestOutcome::Failed(FailureWord::PaymentNotApproved),
        ("049", false) | ("048", true) => TestOutcome::Failed(FailureWord::InsufficientBalance),
        ("069", false) | ("068", true) => TestOutcome::Failed(FailureWord::UnspecifiedFailure),
        ("129", false) | ("138", true) => TestOutcome::StaysPending,
        ("789", false) | ("678", true) => TestOutcome::Completed,
        _ => return None,
    })
}

fn sandbox(state: &AppState, provider: ProviderCode) -> SandboxProvider {
    super::rules(state, provider)
}

/// `POST /v2/deposits`.
async fn deposit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = authorise(&headers) {
        return refused;
    }
    let bad = |code, message: &str| error(StatusCode::BAD_REQUEST, code, message);
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&body) else {
        return bad("INVALID_INPUT", "The body is not a JSON object.");
    };
    if let Some(unknown) = request.keys().find(|k| !DEPOSIT_FIELDS.contains(&k.as_str())) {
        return bad("UNSUPPORTED_PARAMETER", &format!("{unknown} is not a parameter of a deposit."));
    }
    if let Some(missing) = ["depositId", "amount", "currency", "payer"]
        .into_iter()
        .find(|k| request.get(*k).is_none_or(Value::is_null))
    {
        return bad("MISSING_PARAMETER", &format!("{missing} is required."));
    }
    let text = |k: &str| request.get(k).and_then(Value::as_str);
    let Some(deposit_id) = text("depositId").filter(|id| super::is_uuid_v4(id)) else {
        return bad("INVALID_PARAMETER", "depositId must be a UUID version 4.");
    };
    let Some(amount_text) = text("amount") else {
        return bad("INVALID_PARAMETER", "amount must be a string.");
    };
    let Some(currency) = text("currency") else {
        return bad("INVALID_PARAMETER", "currency must be a string.");
    };
    let payer = &request["payer"];
    let details = &payer["accountDetails"];
    let (Some("MMO"), Some(phone), Some(provider_code)) = (
        payer["type"].as_str(),
        details["phoneNumber"].as_str(),
        details["provider"].as_str(),
    ) else {
        return bad("INVALID_PARAMETER", "payer: {type: MMO, accountDetails: {phoneNumber, provider}}.");
    };
    let customer_message = match request.get("customerMessage") {
        None | Some(Value::Null) => None,
        Some(Value::String(m)) if valid_message(m) => Some(m.clone()),
        Some(_) => return bad("INVALID_PARAMETER", "customerMessage: 4 to 22 letters, digits or spaces."),
    };
    let metadata = match request.get("metadata") {
        None | Some(Value::Null) => Map::new(),
        Some(value) => match read_metadata(value) {
            Ok(flat) => flat,
            Err(code) => return bad(code, "metadata: at most ten objects of one field each."),
        },
    };
    let client_reference_id = text("clientReferenceId").map(str::to_owned);
    if provider_code == "ORANGE_BFA" && text("preAuthorisationCode").is_none_or(str::is_empty) {
        // PREAUTH: the customer's one-time code comes with the deposit. What pawaPay answers
        // without it is not in PROVIDERS.md; the emulator refuses it as a missing parameter.
        return bad("MISSING_PARAMETER", "preAuthorisationCode is required for ORANGE_BFA.");
    }

    // Read, but refused as pawaPay refuses: 200 REJECTED.
    let Some(covered) = COVERED.iter().find(|c| c.code == provider_code) else {
        return rejected(deposit_id, "INVALID_PROVIDER");
    };
    if currency != covered.currency {
        return rejected(deposit_id, "INVALID_CURRENCY");
    }
    let Some((amount, decimals)) = read_amount(amount_text) else {
        return rejected(deposit_id, "INVALID_AMOUNT");
    };
    if decimals {
        // Every XOF/XAF provider's `decimalsInAmount` is NONE.
        return rejected(deposit_id, "INVALID_AMOUNT");
    }
    if !(covered.min..=covered.max).contains(&amount) {
        return rejected(deposit_id, "AMOUNT_OUT_OF_BOUNDS");
    }
    let national = phone.strip_prefix(covered.prefix).unwrap_or("");
    if !phone.bytes().all(|b| b.is_ascii_digit())
        || !covered.national_lengths.contains(&national.len())
    {
        return rejected(deposit_id, "INVALID_PHONE_NUMBER");
    }

    match store::find(&state.pool, deposit_id).await {
        Ok(None) => {}
        Ok(Some(_)) => {
            return Json(InitiationAnswer {
                deposit_id: deposit_id.to_owned(),
                status: "DUPLICATE_IGNORED",
                created: None,
                next_step: None,
                failure_reason: None,
            })
            .into_response();
        }
        Err(err) => return internal(&err),
    }
    let chosen = test_outcome(covered, phone);
    let e164 = format!("+{phone}");
    let scenario = match chosen {
        Some(_) => Scenario::Success,
        None => scenario_for_phone(Some(&e164)),
    };
    if scenario == Scenario::ProviderDown {
        return rejected(deposit_id, "PROVIDER_TEMPORARILY_UNAVAILABLE");
    }
    let kept = Kept {
        deposit_id: deposit_id.to_owned(),
        amount: amount_text.to_owned(),
        currency: currency.to_owned(),
        provider: covered.code.to_owned(),
        phone_number: phone.to_owned(),
        client_reference_id,
        customer_message,
        metadata,
        test_outcome: chosen,
    };
    let now = state.clock.now_ms();
    let session = SandboxSession {
        id: deposit_id.to_owned(),
        provider: covered.provider,
        flow: Flow::Push,
        amount,
        currency: currency.to_owned(),
        phone: Some(e164),
        scenario,
        created_at: now,
        decision: None,
        decided_at: None,
        request: serde_json::to_string(&kept).ok(),
        reference: None,
    };
    if let Err(err) = store::insert(&state.pool, &session).await {
        return internal(&err);
    }
    tokio::spawn(callbacks::call_back(state.clone(), deposit_id.to_owned()));
    if scenario == Scenario::AnswerLost {
        // pawaPay took the deposit, and its answer is lost on the way back.
        super::lose_the_answer(&state).await;
    }
    Json(InitiationAnswer {
        deposit_id: deposit_id.to_owned(),
        status: "ACCEPTED",
        created: Some(crate::clock::iso8601(now)),
        next_step: Some("FINAL_STATUS"),
        failure_reason: None,
    })
    .into_response()
}

/// A kept deposit as the status check shows it now.
fn render(state: &AppState, session: &SandboxSession) -> Option<DepositData> {
    let kept: Kept = serde_json::from_str(session.request.as_deref()?).ok()?;
    let covered = COVERED.iter().find(|c| c.code == kept.provider)?;
    let stage = sandbox(state, session.provider).stage(session, state.clock.now_ms());
    let answered = !matches!(stage, Stage::Open | Stage::Asked);
    let (status, failure) = match (kept.test_outcome, stage) {
        (Some(TestOutcome::StaysPending), _) => ("ACCEPTED", None),
        (_, Stage::Open | Stage::Asked) => ("ACCEPTED", None),
        (Some(TestOutcome::Completed), _) => ("COMPLETED", None),
        (Some(TestOutcome::Failed(word)), _) => ("FAILED", Some(word.code())),
        (None, Stage::Paid) => ("COMPLETED", None),
        (None, Stage::InsufficientFunds) => ("FAILED", Some("INSUFFICIENT_BALANCE")),
        // Declined, or no PIN in time.
        (None, Stage::Declined | Stage::Expired) => ("FAILED", Some("PAYMENT_NOT_APPROVED")),
    };
    Some(DepositData {
        deposit_id: kept.deposit_id,
        status,
        amount: format!("{}.00", session.amount),
        currency: kept.currency,
        country: covered.country,
        payer: Payer {
            kind: "MMO",
            account_details: AccountDetails {
                phone_number: kept.phone_number,
                provider: kept.provider,
            },
        },
        customer_message: kept.customer_message,
        client_reference_id: kept.client_reference_id,
        created: crate::clock::iso8601(session.created_at),
        provider_transaction_id: (answered && status == "COMPLETED")
            .then(|| format!("PP{}", session.created_at)),
        failure_reason: failure.map(FailureReason::new),
        metadata: kept.metadata,
    })
}

/// `GET /v2/deposits/{depositId}`.
async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(deposit_id): Path<String>,
) -> Response {
    if let Err(refused) = authorise(&headers) {
        return refused;
    }
    let found = match store::find(&state.pool, &deposit_id).await {
        Ok(found) => found,
        Err(err) => return internal(&err),
    };
    match found.as_ref().and_then(|s| render(&state, s)) {
        Some(data) => Json(serde_json::json!({ "status": "FOUND", "data": data })).into_response(),
        None => Json(serde_json::json!({ "status": "NOT_FOUND" })).into_response(),
    }
}

mod callbacks;
mod payouts;
mod refunds;
pub mod signing;
mod toolkit;
mod wire;

use wire::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_follow_pawapays_pattern() {
        assert_eq!(read_amount("1000"), Some((1000, false)));
        assert_eq!(read_amount("5.5"), Some((5, true)));
        assert_eq!(read_amount("0"), Some((0, false)));
        for bad in ["5.", ".5", "-5", "00.5", "00001", "5.50", "abc", ""] {
            assert_eq!(read_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn metadata_is_single_key_objects() {
        let ok = serde_json::json!([{"orderId": "1"}, {"email": "a@b", "isPII": true}]);
        assert_eq!(read_metadata(&ok).unwrap().len(), 2);
        assert_eq!(read_metadata(&serde_json::json!({"orderId": "1"})), Err("INVALID_PARAMETER"));
        assert_eq!(read_metadata(&serde_json::json!([{"a": 1, "b": 2}])), Err("INVALID_PARAMETER"));
        assert_eq!(read_metadata(&serde_json::json!([{"a": 1}, {"a": 2}])), Err("DUPLICATE_METADATA_FIELD"));
    }

    #[test]
    fn customer_messages_are_short_and_plain() {
        assert!(valid_message("Boutique Ndiaye"));
        assert!(!valid_message("abc"));
        assert!(!valid_message("Paiement n°12"));
        assert!(!valid_message("a much longer message than allowed"));
    }
}
