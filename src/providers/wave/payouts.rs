//! Wave's Payout and Balance APIs (PROVIDERS.md, "Wave — Payout and Balance APIs":
//! docs.wave.com/payout, docs.wave.com/balance-api). The same keys as Checkout, one per business
//! wallet; the Payout API must be ticked on the key.
//!
//! - Every `POST /v1/payout` carries the payout's handle as `Idempotency-Key`, the same on every
//!   retry: "the same body sent under a different key will inevitably result in a duplicate
//!   transaction" [WP].
//! - 408, 429, 5xx, a timeout: the payout is pending, never failed ("if you mark the transactions
//!   as failed instead of pending … your money would be debited twice") [WP "Retrying"]. Any
//!   other error is final.
//! - `idempotency-mismatch` means Dalal sent another body under a handle: a bug. It is logged as
//!   an error and the payout stays pending, read back by its client reference.
//! - Wave sends no payout webhooks: every payout is read until it ends, by its id (`pt-…`), or
//!   by `client_reference` while Dalal has no id (`GET /v1/payouts/search`).

use super::{NAME, WaveConnector};
use crate::domain::{Country, Currency, PayoutFailed, PayoutFailure};
use crate::providers::http::{self, SendError};
use crate::providers::{Balance, PayoutOrder, PayoutState, ProviderError};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};

/// `POST /v1/payout`.
#[derive(Debug, Serialize)]
struct CreatePayout<'a> {
    currency: &'a str,
    /// What the recipient gets, a whole number as a string; Wave's fee comes on top.
    receive_amount: String,
    /// E.164 with its `+`.
    mobile: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    /// ≤ 40 characters, printed on the recipient's receipt.
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_reason: Option<String>,
    /// Dalal's payout id: the search key while Dalal has no `pt-…` id.
    client_reference: &'a str,
}

/// The payout object, what Dalal reads of it (unknown fields ignored: Wave may add some).
#[derive(Debug, Deserialize)]
struct Payout {
    /// `pt-…`
    id: String,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    receive_amount: Option<String>,
    #[serde(default)]
    fee: Option<String>,
    #[serde(default)]
    mobile: Option<String>,
    #[serde(default)]
    client_reference: Option<String>,
    status: String,
    #[serde(default)]
    payout_error: Option<PayoutError>,
}

#[derive(Debug, Deserialize)]
struct PayoutError {
    error_code: String,
}

#[derive(Debug, Deserialize)]
struct Search {
    result: Vec<Payout>,
}

#[derive(Debug, Deserialize)]
struct WalletBalance {
    amount: String,
    currency: String,
}

/// Wave's payout error codes, in Dalal's words [WP "payout error codes"]; `None`: not a payout's
/// final failure but Dalal's bug (`idempotency-mismatch`).
fn failure(code: &str) -> Option<PayoutFailed> {
    let known = |reason| Some(PayoutFailed::with_code(reason, code));
    match code {
        "insufficient-funds" => known(PayoutFailure::InsufficientFunds),
        "recipient-account-blocked" | "recipient-account-inactive" | "recipient-minor" => {
            known(PayoutFailure::RecipientBlocked)
        }
        "recipient-limit-exceeded" => known(PayoutFailure::RecipientLimit),
        "idempotency-mismatch" => None,
        "" => Some(PayoutFailed::new(PayoutFailure::Refused)),
        other => Some(PayoutFailed::with_code(PayoutFailure::Refused, other)),
    }
}

/// What a payout object says, once it is checked to be this order's: the same client reference,
/// amount and number, or Dalal believes nothing of it.
fn state_of(payout: &Payout, order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> {
    let differs = payout
        .client_reference
        .as_deref()
        .is_some_and(|r| r != order.payout_id)
        || payout
            .receive_amount
            .as_deref()
            .is_some_and(|a| http::whole_amount(a) != Some(order.amount.minor()))
        || payout
            .currency
            .as_deref()
            .is_some_and(|c| c != order.amount.currency().code())
        || payout
            .mobile
            .as_deref()
            .is_some_and(|m| m != order.recipient.as_str());
    if differs {
        return Err(anyhow::anyhow!(
            "Wave's payout {} is not payout {}'s (reference, amount or number differ): not believed",
            payout.id,
            order.payout_id
        )
        .into());
    }
    let reference = Some(payout.id.clone());
    Ok(match payout.status.as_str() {
        "succeeded" => PayoutState::Succeeded {
            reference,
            fee: payout.fee.as_deref().and_then(http::whole_amount),
        },
        "failed" => {
            let code = payout
                .payout_error
                .as_ref()
                .map(|e| e.error_code.as_str())
                .unwrap_or("");
            PayoutState::Failed {
                reference,
                failure: failure(code).unwrap_or_else(|| PayoutFailed::unknown(code)),
            }
        }
        "reversed" => PayoutState::Reversed { reference },
        "processing" => PayoutState::Processing { reference },
        other => {
            tracing::error!(payout = %payout.id, status = other, "Wave sent a payout status Dalal does not know; the payout stays processing");
            PayoutState::Processing { reference }
        }
    })
}

impl WaveConnector {
    /// One payout call with the wallet's key, and the handle as `Idempotency-Key` on a POST.
    async fn payout_call(
        &self,
        country: Country,
        method: Method,
        path: &str,
        body: Option<(&CreatePayout<'_>, &str)>,
    ) -> Result<reqwest::Response, SendError> {
        let Some(wallet) = self.wallet_for(country) else {
            return Err(SendError::Credentials(format!(
                "no Wave wallet for {}: check providers.wave",
                country.code()
            )));
        };
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base_url))
            .bearer_auth(wallet.api_key.expose());
        if let Some((body, key)) = body {
            request = request.header("Idempotency-Key", key).json(body);
        }
        http::send(NAME, &method, path, request).await
    }

    /// `POST /v1/payout`, synchronous: the answer is usually final.
    pub(super) async fn send_payout(
        &self,
        order: &PayoutOrder<'_>,
    ) -> Result<PayoutState, ProviderError> {
        let body = CreatePayout {
            currency: order.amount.currency().code(),
            receive_amount: order.amount.minor().to_string(),
            mobile: order.recipient.as_str(),
            name: order.recipient_name,
            payment_reason: order.reason.map(|r| r.chars().take(40).collect()),
            client_reference: order.payout_id,
        };
        let answer = self
            .payout_call(order.country, Method::POST, "/v1/payout", Some((&body, order.handle)))
            .await;
        match answer {
            Ok(response) => {
                let payout: Payout = http::read(NAME, response).await?;
                state_of(&payout, order)
            }
            // Wave's own rule: these leave the payout in an unknown state.
            Err(SendError::NoAnswer | SendError::ServerError(_)) => {
                Err(ProviderError::OutcomeUnknown {
                    reference: order.handle.to_owned(),
                })
            }
            Err(err) if err.is(StatusCode::REQUEST_TIMEOUT) => Err(ProviderError::OutcomeUnknown {
                reference: order.handle.to_owned(),
            }),
            // No connection, or 429: nothing happened; the payout is read, then sent again.
            Err(SendError::NotSent) => Err(ProviderError::Unavailable),
            // A conflict other than a mismatched body (the same key still running, say): Wave
            // may be paying it under this key, so it is read again, never failed.
            Err(SendError::Refused(refused))
                if refused.status == StatusCode::CONFLICT && refused.code != "idempotency-mismatch" =>
            {
                Err(ProviderError::OutcomeUnknown {
                    reference: order.handle.to_owned(),
                })
            }
            Err(SendError::Refused(refused) | SendError::NotFound(refused)) => {
                match failure(&refused.code) {
                    Some(failure) => Ok(PayoutState::Failed {
                        reference: None,
                        failure,
                    }),
                    None => {
                        tracing::error!(payout = order.payout_id, "Wave answered idempotency-mismatch: Dalal sent another body under this payout's key; it stays processing and is read back");
                        Err(anyhow::anyhow!("Wave refused payout {}: idempotency-mismatch", order.payout_id).into())
                    }
                }
            }
            Err(SendError::Credentials(why)) => Ok(PayoutState::Failed {
                reference: None,
                failure: PayoutFailed::new(PayoutFailure::Refused),
            })
            .inspect(|_| tracing::error!(payout = order.payout_id, why, "no Wave wallet for a payout")),
        }
    }

    /// `GET /v1/payout/{id}`, or `GET /v1/payouts/search?client_reference=…` while Dalal has no
    /// id: nothing found means Wave never took it.
    pub(super) async fn read_payout(
        &self,
        order: &PayoutOrder<'_>,
    ) -> Result<PayoutState, ProviderError> {
        let Some(id) = order.reference else {
            let path = format!("/v1/payouts/search?client_reference={}", order.payout_id);
            let response = self
                .payout_call(order.country, Method::GET, &path, None)
                .await?;
            let found: Search = http::read(NAME, response).await?;
            // The newest that is this order's (the docs do not say Wave enforces uniqueness).
            return match found.result.iter().rev().find_map(|p| state_of(p, order).ok()) {
                Some(state) => Ok(state),
                None if found.result.is_empty() => Ok(PayoutState::NotFound),
                None => Err(anyhow::anyhow!(
                    "Wave's payouts under client reference {} are not this payout's",
                    order.payout_id
                )
                .into()),
            };
        };
        let path = format!("/v1/payout/{id}");
        match self.payout_call(order.country, Method::GET, &path, None).await {
            Ok(response) => {
                let payout: Payout = http::read(NAME, response).await?;
                state_of(&payout, order)
            }
            Err(SendError::NotFound(_)) => Ok(PayoutState::NotFound),
            Err(err) => Err(err.into()),
        }
    }

    /// `GET /v1/balance` of the country's wallet: `{amount, currency}`.
    pub(super) async fn wallet_balance(
        &self,
        country: Country,
    ) -> Result<Option<Balance>, ProviderError> {
        if self.wallet_for(country).is_none() {
            return Ok(None);
        }
        let response = self
            .payout_call(country, Method::GET, "/v1/balance", None)
            .await?;
        let balance: WalletBalance = http::read(NAME, response).await?;
        let currency = Currency::parse(&balance.currency)
            .map_err(|e| anyhow::anyhow!("Wave's balance: {e}"))?;
        let amount = http::whole_amount(&balance.amount)
            .ok_or_else(|| anyhow::anyhow!("Wave's balance is not a whole amount"))?;
        Ok(Some(Balance { amount, currency }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wave_failure_codes_read_as_dalal_words() {
        assert_eq!(
            failure("insufficient-funds").unwrap().code,
            PayoutFailure::InsufficientFunds
        );
        assert_eq!(
            failure("recipient-minor").unwrap().code,
            PayoutFailure::RecipientBlocked
        );
        assert_eq!(
            failure("country-mismatch").unwrap().provider_code.as_deref(),
            Some("country-mismatch")
        );
        assert!(failure("idempotency-mismatch").is_none());
    }
}
