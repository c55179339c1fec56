//! pawaPay's payouts (PROVIDERS.md, "pawaPay — Merchant API v2", "payouts"; "pawaPay — payout
//! corrections and completions"; "What follows for Dalal", "For payouts"). The token that takes
//! deposits pays out too, where the account's `active-conf` has a `PAYOUT` operation.
//!
//! - `POST /v2/payouts` carries the payout's handle as `payoutId`, the same on every call: pawaPay
//!   ignores a second arrival (`DUPLICATE_IGNORED`), so an answer lost once is asked for again
//!   with the same id (`post_answer`) [docs.pawapay.io/v2/api-reference/payouts/initiate-payout].
//! - `ACCEPTED` (v1 also `ENQUEUED`) reserves the amount and a callback follows; `REJECTED` is a
//!   final failure with nothing taken. `UNKNOWN_ERROR`, a 5xx or a timeout is an unknown outcome,
//!   never a failure: the payout is read by its `payoutId`.
//! - `GET /v2/payouts/{payoutId}`: `NOT_FOUND` means pawaPay never received it, and the core sends
//!   it again with the same id; `FOUND` is believed only when its id, amount, currency and number
//!   are the order's.
//! - Callbacks name the `payoutId`: a hint to read the payout, nothing more.
//! - `GET /v2/wallet-balances?country=SEN`: the country's wallet, in whole units.

use super::transformers;
use super::wire::{AccountDetails, Party, PayerRead};
use super::{NAME, PawaPayConnector, refusal};
use crate::domain::{Country, PayoutFailed, PayoutFailure};
use crate::providers::http::{self, SendError};
use crate::providers::{Balance, PayoutOrder, PayoutState, ProviderError};
use serde::{Deserialize, Serialize};

/// `customerMessage`: 4–22 characters of `[a-zA-Z0-9 ]` (PROVIDERS.md, "customerMessage").
const MESSAGE_MIN: usize = 4;
const MESSAGE_MAX: usize = 22;
/// French (Latin-1) accented letters, and the same without their accents.
const ACCENTED: &str = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝ";
const UNACCENTED: &str = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUY";

/// `POST /v2/payouts` (PROVIDERS.md, "payouts"); no `metadata`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PayoutRequest<'a> {
    /// The payout's handle, a UUID v4 stored before the first call: the idempotency and lookup key.
    payout_id: &'a str,
    /// An integer string (every XOF/XAF provider Dalal uses is `decimalsInAmount: NONE`).
    amount: String,
    currency: &'a str,
    recipient: Party<'a>,
    /// May show on the recipient's SMS receipt; pawaPay defaults to the company name.
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_message: Option<String>,
    /// Dalal's payout id, returned by the status check (not by callbacks).
    client_reference_id: &'a str,
}

/// The answer to `POST /v2/payouts`: `{payoutId, status, created?, failureReason?}`; v1 said
/// `rejectionReason {rejectionCode, …}` [docs.pawapay.io/v1/api-reference/payouts/request-payout]
/// (PROVIDERS.md, "initiation answer (v2 vs v1)").
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayoutAnswer {
    #[serde(default)]
    payout_id: Option<String>,
    status: Status,
    #[serde(default, alias = "rejectionReason")]
    failure_reason: Option<Reason>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reason {
    #[serde(default, alias = "rejectionCode")]
    failure_code: Option<String>,
}

/// The answer to `GET /v2/payouts/{payoutId}`: `{status: FOUND | NOT_FOUND, data?}`.
#[derive(Debug, Deserialize)]
struct StatusAnswer {
    status: String,
    #[serde(default)]
    data: Option<PayoutData>,
}

/// A payout as the status check and the callback show it (the callback has no
/// `clientReferenceId`) [pawaPay workshop `payouts.md`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayoutData {
    payout_id: String,
    status: Status,
    /// `"1000"`, or `"1000.00"` even for XOF: compared as a number.
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    currency: Option<String>,
    /// `{type: "MMO", accountDetails: {phoneNumber, provider}}`, the number's key read in any case.
    #[serde(default)]
    recipient: Option<PayerRead>,
    #[serde(default)]
    client_reference_id: Option<String>,
    /// The operator's id, shown on the recipient's receipt.
    #[serde(default)]
    provider_transaction_id: Option<String>,
    #[serde(default, alias = "rejectionReason")]
    failure_reason: Option<Reason>,
}

/// `GET /v2/wallet-balances` → `{balances: [{country, balance: "21798.03", currency,
/// provider}]}`; `provider` is set only for a single-provider wallet, and v1 called it `mno`
/// [docs.pawapay.io/v2/api-reference/finances/wallet-balances; /v1/api-reference/wallet-balances].
#[derive(Debug, Deserialize)]
struct WalletBalances {
    #[serde(default)]
    balances: Vec<Wallet>,
}

#[derive(Debug, Deserialize)]
struct Wallet {
    #[serde(default)]
    country: Option<String>,
    /// A string; a number is read too.
    balance: serde_json::Value,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default, alias = "mno")]
    provider: Option<String>,
}

/// Every word pawaPay says of a payout: at initiation v2's `ACCEPTED`, `REJECTED`,
/// `DUPLICATE_IGNORED` and v1's `ENQUEUED`; in its lifecycle v2's `ACCEPTED, ENQUEUED,
/// PROCESSING, IN_RECONCILIATION, COMPLETED, FAILED` and v1's `SUBMITTED` (PROVIDERS.md,
/// "initiation answer (v2 vs v1)", "lifecycle names"). Any other word is kept, logged, and
/// leaves the payout processing.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
enum Status {
    Accepted,
    Enqueued,
    Submitted,
    Processing,
    InReconciliation,
    Completed,
    Failed,
    Rejected,
    DuplicateIgnored,
    Other(String),
}

impl From<String> for Status {
    fn from(word: String) -> Self {
        match word.as_str() {
            "ACCEPTED" => Self::Accepted,
            "ENQUEUED" => Self::Enqueued,
            "SUBMITTED" => Self::Submitted,
            "PROCESSING" => Self::Processing,
            "IN_RECONCILIATION" => Self::InReconciliation,
            "COMPLETED" => Self::Completed,
            "FAILED" => Self::Failed,
            "REJECTED" => Self::Rejected,
            "DUPLICATE_IGNORED" => Self::DuplicateIgnored,
            _ => Self::Other(word),
        }
    }
}

/// pawaPay's payout failure and rejection codes in Dalal's words (PROVIDERS.md, payouts'
/// "failure codes (final)" and "initiation rejections"); `None` for `UNKNOWN_ERROR`, which is not
/// a failure: the payout is read again.
fn failure(code: &str) -> Option<PayoutFailed> {
    let known = |reason| Some(PayoutFailed::with_code(reason, code));
    match code {
        // Checked against the amount at initiation; the fee is taken on completion.
        "PAWAPAY_WALLET_OUT_OF_FUNDS" => known(PayoutFailure::InsufficientFunds),
        // A number the provider does not take, as for a deposit's payer.
        "RECIPIENT_NOT_FOUND" | "INVALID_PHONE_NUMBER" => known(PayoutFailure::RecipientNotFound),
        "WALLET_LIMIT_REACHED" => known(PayoutFailure::RecipientLimit),
        // An `ENQUEUED` payout failed through `fail-enqueued` or the dashboard.
        "MANUALLY_CANCELLED" => known(PayoutFailure::CancelledByProvider),
        // v2's word and v1's for "it failed, no reason given".
        "UNSPECIFIED_FAILURE" | "OTHER_ERROR" => known(PayoutFailure::Unknown),
        "UNKNOWN_ERROR" => None,
        // `PAYOUTS_NOT_ALLOWED`, `AMOUNT_OUT_OF_BOUNDS`, `INVALID_*`, a refused token, …
        _ => known(PayoutFailure::Refused),
    }
}

/// A payout that ended `REJECTED` or `FAILED`: its code's failure, `otherwise` without a code, or
/// `None` (`UNKNOWN_ERROR`: not a failure).
fn ended(code: Option<&str>, otherwise: PayoutFailure) -> Option<PayoutFailed> {
    match code.filter(|c| !c.is_empty()) {
        Some(code) => failure(code),
        None => Some(PayoutFailed::new(otherwise)),
    }
}

/// A `REJECTED` payout: final, nothing taken — but for `UNKNOWN_ERROR`, an unknown outcome.
fn rejected(code: Option<&str>, order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> {
    match ended(code, PayoutFailure::Refused) {
        Some(failure) => Ok(PayoutState::Failed {
            reference: None,
            failure,
        }),
        None => Err(ProviderError::OutcomeUnknown {
            reference: order.handle.to_owned(),
        }),
    }
}

/// What a payout's data says, once it is checked to be this order's: the same id, client
/// reference, amount (as a number), currency and number, or Dalal believes nothing of it
/// (PROVIDERS.md, "What follows for Dalal": check reference, amount, currency, payee).
fn state_of(data: &PayoutData, order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> {
    let digits = |n: &str| n.chars().filter(char::is_ascii_digit).collect::<String>();
    let agrees = |theirs: Option<&str>, ours: &str| theirs.is_none_or(|t| t == ours);
    let phone = data.recipient.as_ref().and_then(PayerRead::phone_number);
    let ours = digits(order.recipient.as_str());
    let believed = data.payout_id == order.handle
        && agrees(data.client_reference_id.as_deref(), order.payout_id)
        && agrees(data.currency.as_deref(), order.amount.currency().code())
        && agrees(phone.map(digits).as_deref(), ours.as_str())
        && data
            .amount
            .as_deref()
            .is_none_or(|a| http::whole_amount(a) == Some(order.amount.minor()));
    if !believed {
        return Err(anyhow::anyhow!(
            "pawaPay's payout {} is not payout {}'s (id, reference, amount, currency or number differ): not believed",
            data.payout_id,
            order.payout_id
        )
        .into());
    }
    let reference = data.provider_transaction_id.clone();
    let code = data.failure_reason.as_ref().and_then(|r| r.failure_code.as_deref());
    Ok(match &data.status {
        Status::Completed => PayoutState::Succeeded {
            reference,
            fee: None,
        },
        Status::Failed | Status::Rejected => {
            // Without a code, `FAILED` gave no reason and `REJECTED` refused the request.
            let otherwise = if data.status == Status::Rejected {
                PayoutFailure::Refused
            } else {
                PayoutFailure::Unknown
            };
            match ended(code, otherwise) {
                Some(failure) => PayoutState::Failed { reference, failure },
                // `UNKNOWN_ERROR`: pawaPay does not know yet.
                None => PayoutState::Processing { reference },
            }
        }
        // `ENQUEUED`: the provider is `DELAYED`; `IN_RECONCILIATION` resolves itself.
        Status::Accepted
        | Status::Enqueued
        | Status::Submitted
        | Status::Processing
        | Status::InReconciliation => PayoutState::Processing { reference },
        Status::DuplicateIgnored | Status::Other(_) => {
            tracing::error!(payout = order.payout_id, status = ?data.status, "pawaPay sent a payout status Dalal does not know; the payout stays processing");
            PayoutState::Processing { reference }
        }
    })
}

/// `customerMessage` from the payout's reason: accents dropped, anything else outside
/// `[a-zA-Z0-9 ]` made a space, spaces collapsed, whole words up to 22 characters (the start of
/// a longer first word); `None` when fewer than 4 remain (pawaPay prints the company name).
fn customer_message(reason: &str) -> Option<String> {
    let mut plain = String::with_capacity(reason.len());
    for c in reason.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => plain.push(c),
            'œ' => plain.push_str("oe"),
            'Œ' => plain.push_str("OE"),
            'æ' => plain.push_str("ae"),
            'Æ' => plain.push_str("AE"),
            c => plain.push(
                ACCENTED
                    .chars()
                    .position(|a| a == c)
                    .and_then(|i| UNACCENTED.chars().nth(i))
                    .unwrap_or(' '),
            ),
        }
    }
    let mut message = String::new();
    for word in plain.split_whitespace() {
        let space = usize::from(!message.is_empty());
        if message.len() + space + word.len() > MESSAGE_MAX {
            if message.is_empty() {
                message.push_str(&word[..MESSAGE_MAX]); // ASCII: any byte is a boundary
            }
            break;
        }
        if space == 1 {
            message.push(' ');
        }
        message.push_str(word);
    }
    (message.len() >= MESSAGE_MIN).then_some(message)
}

/// A wallet balance (`"21798.03"`) in whole units, its decimals dropped toward zero (XOF and XAF
/// have none).
fn whole_units(text: &str) -> Option<i64> {
    let text = text.trim();
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    let units: i64 = whole.parse().ok()?;
    Some(if text.starts_with('-') { -units } else { units })
}

/// The `payoutId` a callback names, when it is a payout's: it has no `depositId` or `refundId`
/// (PROVIDERS.md, payouts' "callback").
pub(super) fn callback_payout_id(body: &[u8]) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(body).ok()?;
    if body.get("depositId").is_some() || body.get("refundId").is_some() {
        return None;
    }
    body.get("payoutId")?.as_str().map(str::to_owned)
}

impl PawaPayConnector {
    /// The account's configuration, as last read, has a `PAYOUT` operation that is not `CLOSED`
    /// for the provider code this connector's deposits use in `country`. Before the first read,
    /// no: payouts may not be enabled on the account.
    pub(super) fn can_pay_out(&self, country: Country) -> bool {
        let Some(code) = transformers::provider_code(self.provider, country) else {
            return false;
        };
        self.operation_conf(code, "PAYOUT")
            .is_some_and(|payout| payout.get("status").and_then(|s| s.as_str()) != Some("CLOSED"))
    }

    /// `POST /v2/payouts`; `Processing` once pawaPay took it.
    pub(super) async fn send_payout(
        &self,
        order: &PayoutOrder<'_>,
    ) -> Result<PayoutState, ProviderError> {
        let Some(provider) = transformers::provider_code(self.provider, order.country) else {
            tracing::error!(payout = order.payout_id, provider = %self.provider, country = order.country.code(), "pawaPay does not cover this provider there: the payout was not sent");
            return Ok(PayoutState::Failed {
                reference: None,
                failure: PayoutFailed::new(PayoutFailure::Refused),
            });
        };
        let body = PayoutRequest {
            payout_id: order.handle,
            amount: order.amount.minor().to_string(),
            currency: order.amount.currency().code(),
            recipient: Party {
                kind: "MMO",
                account_details: AccountDetails {
                    phone_number: order.recipient.as_str().trim_start_matches('+').to_owned(),
                    provider,
                },
            },
            customer_message: order.reason.and_then(customer_message),
            client_reference_id: order.payout_id,
        };
        let sent = self.post_answer::<_, PayoutAnswer>("/v2/payouts", &body, order.handle);
        let answer = match sent.await? {
            Ok(answer) => answer,
            // Technical rejections (`INVALID_PARAMETER`, `PAYOUTS_NOT_ALLOWED`, a refused token)
            // come as a 4xx with their `failureCode`: refused, nothing taken (PROVIDERS.md,
            // "rejection codes"; docs.pawapay.io/v2/docs/failure_codes).
            Err(SendError::Refused(refused) | SendError::NotFound(refused))
                if !refused.code.is_empty() =>
            {
                tracing::error!(payout = order.payout_id, %refused, "pawaPay refused a payout request");
                return rejected(Some(refused.code.as_str()), order);
            }
            Err(err) => return Err(refusal(err)),
        };
        if answer.payout_id.as_deref().is_some_and(|id| id != order.handle) {
            return Err(anyhow::anyhow!("pawaPay answered about another payout").into());
        }
        match &answer.status {
            Status::Accepted | Status::Enqueued => Ok(PayoutState::Processing { reference: None }),
            // pawaPay has this `payoutId` already: the answer says nothing of its outcome.
            Status::DuplicateIgnored => Ok(match self.read_payout(order).await {
                Ok(PayoutState::NotFound) => PayoutState::Processing { reference: None },
                Ok(state) => state,
                Err(err) => {
                    tracing::warn!(payout = order.payout_id, error = %err, "pawaPay has this payout already; it could not be read yet");
                    PayoutState::Processing { reference: None }
                }
            }),
            Status::Rejected => {
                let reason = answer.failure_reason.as_ref();
                let code = reason.and_then(|r| r.failure_code.as_deref());
                tracing::warn!(payout = order.payout_id, code = ?code, "pawaPay rejected a payout");
                rejected(code, order)
            }
            // Not an initiation word: the payout may have been taken; it is read later.
            Status::Submitted
            | Status::Processing
            | Status::InReconciliation
            | Status::Completed
            | Status::Failed
            | Status::Other(_) => {
                tracing::error!(payout = order.payout_id, status = ?answer.status, "pawaPay answered a payout with a status Dalal does not know");
                Err(ProviderError::OutcomeUnknown {
                    reference: order.handle.to_owned(),
                })
            }
        }
    }

    /// `GET /v2/payouts/{payoutId}`: `NotFound` when pawaPay never received it.
    pub(super) async fn read_payout(
        &self,
        order: &PayoutOrder<'_>,
    ) -> Result<PayoutState, ProviderError> {
        let response = self.get(&format!("/v2/payouts/{}", order.handle)).await?;
        let answer: StatusAnswer = http::read(NAME, response).await?;
        match (answer.status.as_str(), answer.data) {
            ("FOUND", Some(data)) => state_of(&data, order),
            ("NOT_FOUND", _) => Ok(PayoutState::NotFound),
            (other, _) => {
                Err(anyhow::anyhow!("pawaPay's payout status check answered {other:?}").into())
            }
        }
    }

    /// `GET /v2/wallet-balances?country=SEN`: the country's wallet in its currency, this
    /// provider's own if the account has one, else the country's (`provider` empty). Wallets are
    /// normally per country [docs.pawapay.io/dashboard/finances/wallets].
    pub(super) async fn wallet_balance(
        &self,
        country: Country,
    ) -> Result<Option<Balance>, ProviderError> {
        let Some(code) = transformers::provider_code(self.provider, country) else {
            return Ok(None);
        };
        // pawaPay's provider codes end with the country's ISO 3166-1 alpha-3 (`FREE_SEN`).
        let iso = code.rsplit('_').next().unwrap_or_default();
        let response = self.get(&format!("/v2/wallet-balances?country={iso}")).await?;
        let answer: WalletBalances = http::read(NAME, response).await?;
        let currency = country.currency();
        let wallets: Vec<&Wallet> = answer
            .balances
            .iter()
            .filter(|w| w.country.as_deref().is_none_or(|c| c == iso))
            .filter(|w| w.currency.as_deref() == Some(currency.code()))
            .collect();
        let own = wallets.iter().find(|w| w.provider.as_deref() == Some(code));
        let shared = || wallets.iter().find(|w| w.provider.as_deref().is_none_or(str::is_empty));
        let Some(wallet) = own.or_else(shared) else {
            return Ok(None);
        };
        let amount = match &wallet.balance {
            serde_json::Value::String(text) => whole_units(text),
            serde_json::Value::Number(number) => whole_units(&number.to_string()),
            _ => None,
        };
        let amount =
            amount.ok_or_else(|| anyhow::anyhow!("pawaPay's wallet balance is not an amount"))?;
        Ok(Some(Balance { amount, currency }))
    }
}

#[cfg(test)]
mod tests;
