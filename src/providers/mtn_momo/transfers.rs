//! MTN MoMo payouts: Disbursement transfers (PROVIDERS.md, "MTN MoMo — Disbursement", and "What
//! follows for Dalal", "For payouts"). The Disbursement product has its own subscription key,
//! API user and key, and token, as for refunds [ERR]; it is IP-restricted (`403 FORBIDDEN IP`)
//! [ERR].
//!
//! - `POST /disbursement/v1_0/transfer` carries the payout's handle (a UUID v4) as
//!   `X-Reference-Id`, the same on every call: the same id again is refused `409
//!   RESOURCE_ALREADY_EXIST`, which proves MTN has the transfer; Dalal then reads it [ERR;
//!   "For payouts"]. MTN answers `202` with an empty body [RW; JS; SP].
//! - A timeout, a 408 or a 5xx without an ErrorReason word leaves the transfer's outcome unknown,
//!   never failed; no connection and 429 mean nothing was sent ("For payouts": "An unknown
//!   outcome is pending, never failed"). MTN's ErrorReason words refuse it, even with a `500`
//!   [VAH; ERR].
//! - `GET /disbursement/v1_0/transfer/{referenceId}` says how it ended; FAILED is in the body,
//!   not the HTTP code [RW; JS]. `404` means the POST never took: the core sends it again with
//!   the same handle [ERR; "For payouts"].
//! - MTN's callback is sent once and unsigned ("For payouts"): every transfer is read until it
//!   ends.
//! - `GET /disbursement/v1_0/account/balance` is the disbursement account's, apart from the
//!   collection account's ("balances").

use super::transformers::{Reason, RequestStatus};
use super::wire::{Balance as AccountBalance, Party};
use super::{MtnMomoConnector, NAME, Sent};
use crate::domain::{Country, Currency, PayoutFailed, PayoutFailure};
use crate::providers::http::{self, SendError};
use crate::providers::{Balance, PayoutOrder, PayoutState, ProviderError};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};

/// What `payerMessage` and `payeeNote` say when the merchant gave no reason.
const DEFAULT_TEXT: &str = "Paiement";
/// "Texts ≤ 160 characters" (PROVIDERS.md, "transfer").
const TEXT_MAX_CHARS: usize = 160;

/// `POST /disbursement/v1_0/transfer` [RW Transfer; JS `docs/disbursements/transfer.Readme.md`;
/// SP `src/disbursements.ts`]; its id is the `X-Reference-Id` header.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Transfer<'a> {
    /// A string, in whole units (`"1000"`).
    amount: String,
    /// The target environment's ("The currency must be the target environment's").
    currency: &'a str,
    /// Dalal's payout id: "not required to be unique", shown in MTN's transaction history [RW].
    external_id: &'a str,
    /// `MSISDN`, the number's digits without `+`.
    payee: Party,
    /// In the merchant's (payer's) history.
    payer_message: String,
    /// In the recipient's (payee's) history.
    payee_note: String,
}

/// `GET /disbursement/v1_0/transfer/{referenceId}` → `{amount, currency, financialTransactionId,
/// externalId, payee, payerMessage, payeeNote, status, reason?}` [RW; JS
/// `getTransferStatus.Readme.md`]: what Dalal reads, leniently (unknown fields ignored).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransferResult {
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    financial_transaction_id: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    payee: Option<Payee>,
    status: RequestStatus,
    /// A plain string in production, `{code, message}` in the swagger: both read ("`reason`").
    #[serde(default)]
    reason: Option<Reason>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payee {
    #[serde(default)]
    party_id: Option<String>,
}

/// A transfer's failure reason, in Dalal's words ("disbursement failure words" [UPD; FR; ERR]).
/// MTN's own word is kept beside Dalal's.
fn failure(reason: Option<&str>) -> PayoutFailed {
    let Some(code) = reason.filter(|c| !c.is_empty()) else {
        return PayoutFailed::new(PayoutFailure::Unknown);
    };
    let known = |reason| PayoutFailed::with_code(reason, code);
    match code {
        // Ambiguous: MTN maps both "insufficient funds" and "receiver's transaction limit
        // exceeded" to NOT_ENOUGH_FUNDS [UPD]; it may be the recipient's limit, not the
        // merchant's balance ("For payouts": "MTN's NOT_ENOUGH_FUNDS is ambiguous"). Dalal
        // cannot tell them apart, and says insufficient funds.
        "NOT_ENOUGH_FUNDS" => known(PayoutFailure::InsufficientFunds),
        // "invalid payee number" [UPD].
        "PAYEE_NOT_FOUND" => known(PayoutFailure::RecipientNotFound),
        // "blocked payee" [UPD].
        "PAYEE_NOT_ALLOWED_TO_RECEIVE" => known(PayoutFailure::RecipientBlocked),
        // "blocked partner account" [UPD]: the merchant's account, like the sender's account
        // not active [FR], its limit (PHP integration, "errors at initiation"), or Dalal's
        // request (environment, currency, callback host) [VAH; ERR].
        "NOT_ALLOWED"
        | "SENDER_ACCOUNT_NOT_ACTIVE"
        | "PAYER_LIMIT_REACHED"
        | "NOT_ALLOWED_TARGET_ENVIRONMENT"
        | "INVALID_CURRENCY"
        | "INVALID_CALLBACK_URL_HOST" => known(PayoutFailure::Refused),
        // The generic one: "predominantly" insufficient funds, or the wallet platform
        // unreachable [ERR]; TRANSACTION_NOT_FOUND [FR] says no more. Dalal does not guess.
        "INTERNAL_PROCESSING_ERROR" | "TRANSACTION_NOT_FOUND" => known(PayoutFailure::Unknown),
        other => PayoutFailed::unknown(other),
    }
}

/// Whether a `5xx`'s code is one of the ErrorReason words by which MTN refuses a transfer at
/// initiation: "500 {code, message} with the ErrorReason enum" [VAH; ERR], and what a PHP
/// integration reads from `body.code` on a non-202 ("errors at initiation"). Any other `5xx`
/// leaves the outcome unknown.
fn refuses_at_start(code: &str) -> bool {
    matches!(
        code,
        "NOT_ALLOWED"
            | "INVALID_CURRENCY"
            | "NOT_ALLOWED_TARGET_ENVIRONMENT"
            | "INVALID_CALLBACK_URL_HOST"
            | "PAYEE_NOT_FOUND"
            | "NOT_ENOUGH_FUNDS"
            | "PAYEE_NOT_ALLOWED_TO_RECEIVE"
            | "PAYER_LIMIT_REACHED"
    )
}

/// MTN's refusal of a transfer's POST (a 4xx, or a 5xx with an ErrorReason word): the recipient's
/// or the merchant's reason where MTN names one, else a refusal keeping MTN's code (or the HTTP
/// status when the body has none: a `403 FORBIDDEN IP` may come without a `code`).
fn refusal(refused: &http::Refused) -> PayoutFailed {
    let code = if refused.code.is_empty() {
        refused.status.as_u16().to_string()
    } else {
        // "FORBIDDEN IP" [ERR] would lose its space when kept.
        refused.code.replace(' ', "_")
    };
    let failed = failure(Some(code.as_str()));
    match failed.code {
        PayoutFailure::Unknown => PayoutFailed::with_code(PayoutFailure::Refused, &code),
        _ => failed,
    }
}

/// `payerMessage` and `payeeNote`: "≤ 160 characters, with no special characters such as `'`"
/// (PROVIDERS.md, "transfer"). French letters lose their accents; anything but ASCII letters,
/// digits, spaces, `-`, `.` and `,` becomes a space; never empty (empty texts have produced
/// `500`s in production, `wire.rs`).
fn text(reason: Option<&str>) -> String {
    let plain: String = reason
        .unwrap_or("")
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'À' | 'Â' | 'Ä' | 'Á' => 'A',
            'ç' => 'c',
            'Ç' => 'C',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'î' | 'ï' | 'í' => 'i',
            'Î' | 'Ï' | 'Í' => 'I',
            'ô' | 'ö' | 'ó' => 'o',
            'Ô' | 'Ö' | 'Ó' => 'O',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'Ù' | 'Û' | 'Ü' | 'Ú' => 'U',
            'ÿ' => 'y',
            c if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ',') => c,
            _ => ' ',
        })
        .collect();
    let words: Vec<&str> = plain.split_whitespace().collect();
    let joined = words.join(" ");
    let kept: String = joined.chars().take(TEXT_MAX_CHARS).collect();
    match kept.trim_end() {
        "" => DEFAULT_TEXT.to_owned(),
        kept => kept.to_owned(),
    }
}

/// A number's digits, without `+` (the payee's `partyId`).
fn digits(msisdn: &str) -> String {
    msisdn.chars().filter(char::is_ascii_digit).collect()
}

/// The disbursement balance's `availableBalance` in whole units, decimals truncated (`"200"`,
/// `"200.75"` → 200) ("balances": `{"availableBalance": "200", "currency": "EUR"}`).
fn whole_units(text: &str) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let unsigned = whole.strip_prefix('-').unwrap_or(whole);
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if unsigned.is_empty() || !all_digits(unsigned) || !all_digits(fraction) {
        return None;
    }
    whole.parse().ok()
}

/// What a transfer's status says, once it is checked to be this order's: the same externalId,
/// amount (compared as a number: the sandbox answered `"5"` to `"5.0"`, "amounts"), currency and
/// payee, or Dalal believes nothing of it.
fn state_of(result: &TransferResult, order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> {
    let ours = digits(order.recipient.as_str());
    let payee_differs = |theirs: &str| {
        let theirs = digits(theirs);
        // MTN is not documented to rewrite the number; a national form (without the country
        // code) is still taken as this number's.
        !theirs.is_empty() && theirs != ours && !(theirs.len() >= 8 && ours.ends_with(&theirs))
    };
    let differs = result
        .external_id
        .as_deref()
        .is_some_and(|id| id != order.payout_id)
        || result
            .amount
            .as_deref()
            .is_some_and(|a| http::whole_amount(a) != Some(order.amount.minor()))
        || result
            .currency
            .as_deref()
            .is_some_and(|c| c != order.amount.currency().code())
        || result
            .payee
            .as_ref()
            .and_then(|p| p.party_id.as_deref())
            .is_some_and(payee_differs);
    if differs {
        return Err(anyhow::anyhow!(
            "MTN MoMo's transfer {} is not payout {}'s (externalId, amount, currency or payee differ): not believed",
            order.handle,
            order.payout_id
        )
        .into());
    }
    // MTN's id for the money's move, where it gives one; else Dalal's X-Reference-Id, which is
    // MTN's id for the transfer.
    let reference = Some(
        result
            .financial_transaction_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .unwrap_or(order.handle)
            .to_owned(),
    );
    Ok(match &result.status {
        RequestStatus::Successful => PayoutState::Succeeded {
            reference,
            fee: None,
        },
        RequestStatus::Failed => PayoutState::Failed {
            reference,
            failure: failure(result.reason.as_ref().and_then(Reason::code)),
        },
        // PENDING, and CREATED seen in the sandbox before SUCCESSFUL ("statuses").
        RequestStatus::Created | RequestStatus::Pending => PayoutState::Processing { reference },
        // ONGOING, REJECTED, EXPIRED reported by third parties [MT]: "Treat any unknown word as
        // pending".
        RequestStatus::Other(word) => {
            tracing::error!(payout = order.payout_id, status = %word, "MTN MoMo sent a transfer status Dalal does not know; the payout stays processing");
            PayoutState::Processing { reference }
        }
    })
}

impl MtnMomoConnector {
    /// Whether this connector pays out in `country`: it serves the country (a target
    /// environment) and has the Disbursement product's credentials.
    pub(super) fn can_pay_out(&self, country: Country) -> bool {
        self.disbursement.is_some() && self.environment_for(country).is_some()
    }

    /// One Disbursement call in `country`'s environment; a transfer carries the payout's handle
    /// as `X-Reference-Id`, and `X-Callback-Url` as a request to pay does ("transfer": optional;
    /// "callback": as for Collection).
    async fn transfer_call(
        &self,
        country: Country,
        method: Method,
        path: &str,
        transfer: Option<(&str, &Transfer<'_>)>,
    ) -> Result<reqwest::Response, SendError> {
        let (Some(product), Some(environment)) =
            (self.disbursement.as_ref(), self.environment_for(country))
        else {
            return Err(SendError::Credentials(format!(
                "no MTN MoMo Disbursement credentials or environment for {}: check providers.mtn_momo",
                country.code()
            )));
        };
        let sent = transfer.map(|(reference, body)| Sent {
            reference,
            callback_url: Some(self.callback_url.as_str()),
            body,
        });
        self.call_in(product, environment, method, path, sent).await
    }

    /// `POST /disbursement/v1_0/transfer`: `Processing` once MTN took it (`202`).
    pub(super) async fn send_transfer(
        &self,
        order: &PayoutOrder<'_>,
    ) -> Result<PayoutState, ProviderError> {
        let text = text(order.reason);
        let body = Transfer {
            amount: order.amount.minor().to_string(),
            currency: order.amount.currency().code(),
            external_id: order.payout_id,
            payee: Party {
                party_id_type: "MSISDN",
                party_id: digits(order.recipient.as_str()),
            },
            payer_message: text.clone(),
            payee_note: text,
        };
        let path = "/disbursement/v1_0/transfer";
        let unknown = || ProviderError::OutcomeUnknown {
            reference: order.handle.to_owned(),
        };
        let answer = self
            .transfer_call(order.country, Method::POST, path, Some((order.handle, &body)))
            .await;
        match answer {
            // "202, empty body" [RW; JS; SP].
            Ok(_) => Ok(PayoutState::Processing {
                reference: Some(order.handle.to_owned()),
            }),
            // "the same X-Reference-Id again → 409 RESOURCE_ALREADY_EXIST" [ERR]: MTN has it
            // ("For payouts": "proves MTN has it, then GET it"). Until the read says more, it
            // is processing.
            Err(err) if err.is(StatusCode::CONFLICT) => match self.read_transfer(order).await {
                Ok(PayoutState::NotFound) | Err(ProviderError::Unavailable) => {
                    Ok(PayoutState::Processing {
                        reference: Some(order.handle.to_owned()),
                    })
                }
                other => other,
            },
            // ErrorReason words, even with a 500 [VAH; ERR]: MTN refused the transfer.
            Err(SendError::ServerError(refused)) if refuses_at_start(&refused.code) => {
                Ok(PayoutState::Failed {
                    reference: None,
                    failure: refusal(&refused),
                })
            }
            // A timeout, a 5xx without a word, a 408: the money may have moved ("For payouts":
            // "Covers timeouts, network errors, 408, 429 and 5xx").
            Err(SendError::NoAnswer | SendError::ServerError(_)) => Err(unknown()),
            Err(err) if err.is(StatusCode::REQUEST_TIMEOUT) => Err(unknown()),
            // No connection, or 429: nothing happened; the payout is read, then sent again.
            Err(SendError::NotSent) => Err(ProviderError::Unavailable),
            // Any other 4xx, with its ErrorReason word if any; a 403 is "FORBIDDEN IP",
            // "IP not authorized to utilize Disbursement API" [ERR]: this server's address is
            // not on MTN's allowlist ("Deployment"). Nothing moved.
            Err(SendError::Refused(refused) | SendError::NotFound(refused)) => {
                if refused.status == StatusCode::FORBIDDEN {
                    tracing::error!(payout = order.payout_id, code = %refused.code, "MTN MoMo refused a transfer with 403: is this server's IP address allowed for Disbursement?");
                }
                Ok(PayoutState::Failed {
                    reference: None,
                    failure: refusal(&refused),
                })
            }
            // No Disbursement credentials or environment, or MTN refused them: nothing sent.
            Err(SendError::Credentials(why)) => {
                tracing::error!(payout = order.payout_id, why = %why, "MTN MoMo cannot send a transfer");
                Ok(PayoutState::Failed {
                    reference: None,
                    failure: PayoutFailed::new(PayoutFailure::Refused),
                })
            }
        }
    }

    /// `GET /disbursement/v1_0/transfer/{referenceId}` by the payout's handle: `404
    /// RESOURCE_NOT_FOUND` "means the reference does not exist, so the POST never took" [ERR].
    pub(super) async fn read_transfer(
        &self,
        order: &PayoutOrder<'_>,
    ) -> Result<PayoutState, ProviderError> {
        let path = format!("/disbursement/v1_0/transfer/{}", order.handle);
        match self
            .transfer_call(order.country, Method::GET, &path, None)
            .await
        {
            Ok(response) => {
                let result: TransferResult = http::read(NAME, response).await?;
                state_of(&result, order)
            }
            Err(SendError::NotFound(_)) => Ok(PayoutState::NotFound),
            Err(err) => Err(err.into()),
        }
    }

    /// `GET /disbursement/v1_0/account/balance` in `country`'s environment: the disbursement
    /// account's, not the collection account's ("balances"; "For payouts": "MTN: the
    /// disbursement account's availableBalance"). `None` where this connector does not pay out.
    pub(super) async fn disbursement_balance(
        &self,
        country: Country,
    ) -> Result<Option<Balance>, ProviderError> {
        if !self.can_pay_out(country) {
            return Ok(None);
        }
        let path = "/disbursement/v1_0/account/balance";
        let response = self
            .transfer_call(country, Method::GET, path, None)
            .await?;
        let balance: AccountBalance = http::read(NAME, response).await?;
        let currency = Currency::parse(&balance.currency)
            .map_err(|e| anyhow::anyhow!("MTN MoMo's disbursement balance: {e}"))?;
        let amount = whole_units(&balance.available_balance).ok_or_else(|| {
            anyhow::anyhow!("MTN MoMo's disbursement balance is not an amount")
        })?;
        Ok(Some(Balance { amount, currency }))
    }
}

#[cfg(test)]
mod tests;
