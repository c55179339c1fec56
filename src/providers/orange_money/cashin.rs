//! Orange Money payouts: Cash In from the merchant's distributor (retailer) account to a
//! customer's wallet (PROVIDERS.md, "Orange Money Senegal — Cash In (Sonatel)", and "What follows
//! for Dalal", "For payouts"). Cash In is offered to retailers, whose number and PIN it needs: "A
//! merchant code alone cannot pay out" [SDK `SonatelSdkProperties.java`].
//!
//! - `POST /api/eWallet/v1/cashins` moves money and Orange has **no idempotency key** ("Orange:
//!   has no key. Send a cash-in once, with a unique `reference`"): the reference is the payout's
//!   handle (a UUID v4), and a cash-in is never sent again. A lost answer is an unknown outcome,
//!   settled by the search by `reference`; found nothing after `UNKNOWN_OUTCOME_GIVES_UP_MS`,
//!   it stays processing with an alert in the log (never failed on a guess). A cash-in that
//!   never left (no connection) is `Unavailable`: the core sends it again later. `read_cashin`
//!   never answers `NotFound`: the core would send it again.
//! - The PIN (`pin.rs`) travels encrypted under Orange's public key; `4004`/`4003` fetch the key
//!   again, once; `2010`–`2014` stop every payout and balance call of the account, with an
//!   alert, and nothing is tried again ("Orange PIN handling"). Reads of sent cash-ins carry no
//!   PIN and go on.
//! - The retailer balance is a `POST` that carries the PIN: the same rules apply ("balance").

mod pin;

use super::search::settle;
use super::transformers::OrangeStatus;
use super::wire::{Amount, AnsweredAmount, AnsweredParty, Party, StatusAnswer, Transaction};
use super::{NAME, OrangeMoneyConnector, UNKNOWN_OUTCOME_GIVES_UP_MS};
use crate::domain::{Country, Currency, PayoutFailed, PayoutFailure};
use crate::providers::http::{self, SendError};
use crate::providers::{Balance, PayoutOrder, PayoutState, ProviderError};
use anyhow::Context;
pub(super) use pin::Retailer;
use pin::national;
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const CASHIN_PATH: &str = "/api/eWallet/v1/cashins";
const BALANCE_PATH: &str = "/api/eWallet/v1/account/retailer/balance";

/// `POST /api/eWallet/v1/cashins` ["cash-in body": SDK `Transaction.java`, `RelatedParty.java`,
/// `Money.java`, `RequestMapper.java`]. No `Debug`: it carries the encrypted PIN.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Cashin<'a> {
    partner: Retail<'a>,
    /// The recipient's 9 national digits ("numbers").
    customer: Party<'a>,
    /// An integer ("`value` is a float in the SDK and an integer in other integrations").
    amount: Amount<'a>,
    reference: &'a str,
    /// An ISO instant.
    request_date: &'a str,
    receive_notification: bool,
    /// `{string: string}`: `payoutId`.
    metadata: BTreeMap<&'static str, &'a str>,
}

/// The retailer, as a cash-in's payer or a balance's owner.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Retail<'a> {
    id_type: &'static str,
    id: &'a str,
    encrypted_pin_code: String,
}

/// `{id, idType: "MSISDN", encryptedPinCode}`, with `"wallet": "PRINCIPAL"` as four integrations
/// send it ("balance").
#[derive(Serialize)]
struct BalanceRequest<'a> {
    #[serde(flatten)]
    retailer: Retail<'a>,
    wallet: &'static str,
}

/// `{transactionId, status, requestId?, description?, reference?}` [SDK `TransactionResponse`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CashinAnswer {
    #[serde(default)]
    transaction_id: Option<String>,
    status: OrangeStatus,
}

/// An item of the search by reference, with its customer (the recipient) besides.
#[derive(Debug, Deserialize)]
struct Found {
    #[serde(flatten)]
    transaction: Transaction,
    #[serde(default)]
    customer: Option<AnsweredParty>,
}

/// What an error body's business code means ["business codes": `habsatou97/SpringBlobus`
/// `ErrorCode.java`; files 66547392996, 52378207558 for 2021–2025 and 2042–2043; 61904773606
/// for 4003], all unconfirmed against Sonatel's own page.
#[derive(Debug, PartialEq, Eq)]
enum Meaning {
    /// `2010` the PIN must be changed, `2011`/`2012` invalid PIN (2, 1 tries left), `2013`
    /// invalid PIN and the account blocked, `2014` invalid PIN.
    Pin,
    /// `4004` "failed to decrypt the message: fetch a new public key"; `4003` "public key
    /// revoked".
    Key,
    Payout(PayoutFailed),
}

fn meaning(code: &str) -> Meaning {
    use PayoutFailure as F;
    let failed = |reason| Meaning::Payout(PayoutFailed::with_code(reason, code));
    match code {
        "2010" | "2011" | "2012" | "2013" | "2014" => Meaning::Pin,
        "4003" | "4004" => Meaning::Key,
        // The customer's account does not exist; its MSISDN is invalid.
        "2000" | "2001" => failed(F::RecipientNotFound),
        // Balance insufficient (2021: for the payer, the retailer).
        "2020" | "2021" => failed(F::InsufficientFunds),
        // 2022 insufficient for the payee, 2023 balance maximal, 2024/2025 account ceilings.
        "2022" | "2023" | "2024" | "2025" => failed(F::RecipientLimit),
        // Not allowed for the payee.
        "2043" => failed(F::RecipientBlocked),
        // 2002 the retailer account does not exist, 2041 not allowed, 2042 not allowed for the
        // payer; any other code (or none): Orange refused the request, nothing moved.
        _ => failed(F::Refused),
    }
}

/// A cash-in's status word ["statuses": SDK `TransactionStatus.java`; `PRE_INITIATED` from the
/// docs; `TERMINATED` from an emulator], under Orange's transaction id.
fn state_of(status: &OrangeStatus, reference: Option<String>, payout_id: &str) -> PayoutState {
    let reference = reference.filter(|r| !r.is_empty());
    match status {
        OrangeStatus::Success => PayoutState::Succeeded {
            reference,
            fee: None,
        },
        // "Orange: `FAILED` / `REJECTED` / `CANCELLED`" are final ("For payouts"); no reason
        // comes with them.
        OrangeStatus::Failed | OrangeStatus::Rejected => PayoutState::Failed {
            reference,
            failure: PayoutFailed::unknown(&status.to_string()),
        },
        OrangeStatus::Cancelled => PayoutState::Failed {
            reference,
            failure: PayoutFailed::with_code(PayoutFailure::CancelledByProvider, "CANCELLED"),
        },
        OrangeStatus::PreInitiated
        | OrangeStatus::Initiated
        | OrangeStatus::Pending
        | OrangeStatus::Accepted => PayoutState::Processing { reference },
        // "An unknown outcome is pending, never failed" (it covers unknown status words).
        OrangeStatus::Other(word) => {
            tracing::error!(payout = payout_id, status = %word, "Orange Money sent a cash-in status Dalal does not know; the payout stays processing");
            PayoutState::Processing { reference }
        }
    }
}

fn refused(failure: PayoutFailed) -> PayoutState {
    PayoutState::Failed {
        reference: None,
        failure,
    }
}

impl OrangeMoneyConnector {
    /// `POST /api/eWallet/v1/cashins`, sent once: Orange keeps no idempotency key.
    pub(super) async fn send_cashin(
        &self,
        order: &PayoutOrder<'_>,
    ) -> Result<PayoutState, ProviderError> {
        let retailer = self.retailer.as_ref().filter(|r| !r.blocked());
        let customer = national(order.recipient.as_str());
        let (Some(retailer), Some(customer), Country::Sn, Currency::Xof) =
            (retailer, customer, order.country, order.amount.currency())
        else {
            tracing::error!(
                payout = order.payout_id,
                "Orange Money cannot send this cash-in (no retailer account, its PIN refused, or not an XOF payout to a Senegalese number): nothing was sent"
            );
            return Ok(refused(PayoutFailed::new(PayoutFailure::Refused)));
        };
        let request_date = crate::clock::iso8601(self.clock.now_ms());
        let answer = self
            .pin_call(retailer, CASHIN_PATH, |pin| Cashin {
                partner: Retail {
                    id_type: "MSISDN",
                    id: &retailer.msisdn,
                    encrypted_pin_code: pin,
                },
                customer: Party {
                    id_type: "MSISDN",
                    id: &customer,
                    otp: None,
                },
                amount: Amount {
                    unit: Currency::Xof.code(),
                    value: order.amount.minor(),
                },
                reference: order.handle,
                request_date: &request_date,
                receive_notification: true,
                metadata: BTreeMap::from([("payoutId", order.payout_id)]),
            })
            .await;
        let unknown = || ProviderError::OutcomeUnknown {
            reference: order.handle.to_owned(),
        };
        let err = match answer {
            Ok(response) => {
                let id = order.payout_id;
                return match http::read::<CashinAnswer>(NAME, response).await {
                    Ok(answer) => Ok(state_of(&answer.status, answer.transaction_id, id)),
                    // Orange took the cash-in and Dalal cannot read its answer: as good as lost.
                    Err(err) => {
                        tracing::error!(error = ?err, payout = id, "Orange Money's cash-in answer is unreadable; the payout is settled by its reference");
                        Err(unknown())
                    }
                };
            }
            Err(err) => err,
        };
        let code = err.refused().map(|r| r.code.clone()).unwrap_or_default();
        let refusal = || {
            Ok(refused(PayoutFailed::with_code(
                PayoutFailure::Refused,
                &code,
            )))
        };
        match (err, meaning(&code)) {
            // A refused PIN moves nothing; the account is stopped (`pin_call`).
            (_, Meaning::Pin) => refusal(),
            // Sent, and no answer: the money may have moved, and it is never sent again ("An
            // unknown outcome is pending, never failed"; "Orange: has no key").
            (SendError::NoAnswer | SendError::ServerError(_), _) => Err(unknown()),
            (err, _) if err.is(StatusCode::REQUEST_TIMEOUT) => Err(unknown()),
            // No connection, or 429: nothing reached Orange.
            (SendError::NotSent, _) => Err(ProviderError::Unavailable),
            // "Orange: … or a 4xx business code" is a final failure: nothing moved.
            (SendError::Refused(_) | SendError::NotFound(_), Meaning::Payout(failure)) => {
                if code == "2002" {
                    tracing::error!(
                        payout = order.payout_id,
                        "Orange Money says the retailer account does not exist (2002): check providers.orange_money.retailer_msisdn"
                    );
                }
                Ok(refused(failure))
            }
            // `4004` again under a key fetched anew.
            (SendError::Refused(_) | SendError::NotFound(_), Meaning::Key) => refusal(),
            (SendError::Credentials(why), _) => {
                tracing::error!(payout = order.payout_id, why = %why, "Orange Money cannot send a cash-in");
                Ok(refused(PayoutFailed::new(PayoutFailure::Refused)))
            }
        }
    }

    /// `GET …/transactions/{transactionId}/status` once Orange gave its id, else the search by
    /// `reference` = the handle ("Orange: `GET …/transactions?reference=`, then `…/{id}/status`").
    /// Found nothing: processing while the cash-in may still show up, then failed; never
    /// `NotFound`, which would send it again.
    pub(super) async fn read_cashin(
        &self,
        order: &PayoutOrder<'_>,
    ) -> Result<PayoutState, ProviderError> {
        let payout = order.payout_id;
        if let Some(id) = order.reference.filter(|id| !id.is_empty()) {
            let path = format!("/api/eWallet/v1/transactions/{id}/status");
            match self.get::<StatusAnswer>(&path, id).await {
                Ok(answer) => return Ok(state_of(&answer.status, Some(id.to_owned()), payout)),
                // Orange does not know its own id: the search by reference says.
                Err(ProviderError::UnknownReference(_)) => {}
                Err(err) => return Err(err),
            }
        }
        let path = format!("/api/eWallet/v1/transactions?reference={}", order.handle);
        let found: Vec<Found> = self.get(&path, order.handle).await?;
        // The search answers the latest transactions when it ignores a filter ("search"): only
        // the handle's, with this payout's amount, retailer and recipient, are believed.
        let recipient = national(order.recipient.as_str());
        let retailer = self.retailer.as_ref().map(|r| r.msisdn.clone());
        let differs = |party: Option<&AnsweredParty>, ours: &Option<String>| matches!((party.and_then(|p| national(&p.id())), ours), (Some(a), Some(b)) if a != *b);
        let (believed, doubted): (Vec<Found>, Vec<Found>) = found
            .into_iter()
            .filter(|f| f.transaction.reference.as_deref() == Some(order.handle))
            .partition(|f| {
                let amount = f.transaction.amount.as_ref();
                amount.and_then(AnsweredAmount::whole) == Some(order.amount.minor())
                    && amount
                        .and_then(|a| a.unit.as_deref())
                        .is_none_or(|u| u == "XOF")
                    && !differs(f.transaction.partner.as_ref(), &retailer)
                    && !differs(f.customer.as_ref(), &recipient)
            });
        let found: Vec<Transaction> = believed.into_iter().map(|f| f.transaction).collect();
        if let Some(status) = settle(&found) {
            let id = found
                .iter()
                .find(|t| t.status == *status)
                .map(|t| t.transaction_id.clone());
            return Ok(state_of(status, id, payout));
        }
        if !doubted.is_empty() {
            return Err(anyhow::anyhow!("Orange Money's cash-in under payout {payout}'s reference has another amount, retailer or recipient: not believed").into());
        }
        if order.reference.is_some() {
            tracing::error!(
                payout,
                "Orange Money gave this cash-in an id, then knows neither it nor its reference: the payout stays processing"
            );
            return Ok(PayoutState::Processing {
                reference: order.reference.map(str::to_owned),
            });
        }
        // Not found (yet): a payout is never failed on a guess ("an unknown outcome is pending,
        // never failed", PROVIDERS.md "For payouts"): Orange's search may have missed it. Past
        // `UNKNOWN_OUTCOME_GIVES_UP_MS`, a person settles it with Orange; the worker keeps asking.
        if self.clock.now_ms() - order.sent_at_ms >= UNKNOWN_OUTCOME_GIVES_UP_MS {
            tracing::error!(
                payout,
                "ALERT: an Orange Money cash-in whose answer was lost is still not found after {} minutes; it stays processing until someone settles it with Orange",
                UNKNOWN_OUTCOME_GIVES_UP_MS / 60_000
            );
        }
        Ok(PayoutState::Processing { reference: None })
    }

    /// `POST /api/eWallet/v1/account/retailer/balance` → `{value, unit}` ["balance": SDK
    /// `TransactionServiceImpl.getBalance`], under the PIN rules: `None`, and no call, without
    /// a retailer account or once its PIN was refused.
    pub(super) async fn retailer_balance(
        &self,
        country: Country,
    ) -> Result<Option<Balance>, ProviderError> {
        let Some(retailer) = self.retailer.as_ref().filter(|_| self.can_pay_out(country)) else {
            return Ok(None);
        };
        let answer = self
            .pin_call(retailer, BALANCE_PATH, |pin| BalanceRequest {
                retailer: Retail {
                    id_type: "MSISDN",
                    id: &retailer.msisdn,
                    encrypted_pin_code: pin,
                },
                wallet: "PRINCIPAL",
            })
            .await;
        let money: AnsweredAmount = match answer {
            Ok(response) => http::read(NAME, response).await?,
            Err(err) => return Err(err.into()),
        };
        let currency = Currency::parse(money.unit.as_deref().unwrap_or("XOF"))
            .map_err(|e| anyhow::anyhow!("Orange Money's retailer balance: {e}"))?;
        let amount = money
            .whole()
            .or_else(|| money.value.as_f64().map(|v| v.floor() as i64))
            .context("Orange Money's retailer balance is not an amount")?;
        Ok(Some(Balance { amount, currency }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sonatel_codes_read_as_dalal_words() {
        let code = |c| match meaning(c) {
            Meaning::Payout(failed) => Some(failed.code),
            Meaning::Pin | Meaning::Key => None,
        };
        assert_eq!(code("2000"), Some(PayoutFailure::RecipientNotFound));
        assert_eq!(code("2001"), Some(PayoutFailure::RecipientNotFound));
        assert_eq!(code("2002"), Some(PayoutFailure::Refused));
        assert_eq!(code("2020"), Some(PayoutFailure::InsufficientFunds));
        assert_eq!(code("2021"), Some(PayoutFailure::InsufficientFunds));
        assert_eq!(code("2023"), Some(PayoutFailure::RecipientLimit));
        assert_eq!(code("2041"), Some(PayoutFailure::Refused));
        assert_eq!(code("2043"), Some(PayoutFailure::RecipientBlocked));
        assert_eq!(code("60"), Some(PayoutFailure::Refused));
        match meaning("2020") {
            Meaning::Payout(failed) => assert_eq!(failed.provider_code.as_deref(), Some("2020")),
            other => panic!("{other:?}"),
        }
        for pin in ["2010", "2011", "2012", "2013", "2014"] {
            assert_eq!(meaning(pin), Meaning::Pin, "{pin}");
        }
        assert_eq!(meaning("4004"), Meaning::Key);
        assert_eq!(meaning("4003"), Meaning::Key);
    }

    #[test]
    fn cashin_statuses_read_as_payout_states() {
        let state = |word: &str| {
            let status = OrangeStatus::from(word.to_owned());
            state_of(&status, Some("CI1234.5678.91023".to_owned()), "po_1")
        };
        assert_eq!(
            state("SUCCESS"),
            PayoutState::Succeeded {
                reference: Some("CI1234.5678.91023".to_owned()),
                fee: None
            }
        );
        for word in ["FAILED", "REJECTED", "CANCELLED"] {
            assert!(matches!(state(word), PayoutState::Failed { .. }), "{word}");
        }
        for word in "INITIATED PENDING ACCEPTED PRE_INITIATED TERMINATED".split(' ') {
            let processing = matches!(state(word), PayoutState::Processing { .. });
            assert!(processing, "{word}");
        }
    }

    #[test]
    fn a_search_item_reads_its_customer_and_the_body_carries_the_pin_encrypted() {
        let found: Found = serde_json::from_value(serde_json::json!({
            "transactionId": "CI1.2", "status": "SUCCESS", "reference": "h",
            "amount": {"value": 5.0, "unit": "XOF"}, "type": "CASHIN",
            "partner": {"id": "770000001", "idType": "MSISDN"},
            "customer": {"id": 221771234567u64, "idType": "MSISDN"}
        }))
        .unwrap();
        let amount = found.transaction.amount.as_ref();
        assert_eq!(amount.and_then(AnsweredAmount::whole), Some(5));
        let customer = found.customer.map(|c| c.id()).unwrap_or_default();
        assert_eq!(national(&customer).as_deref(), Some("771234567"));
        let body = BalanceRequest {
            retailer: Retail {
                id_type: "MSISDN",
                id: "770000001",
                encrypted_pin_code: "c2VhbGVk".to_owned(),
            },
            wallet: "PRINCIPAL",
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"idType": "MSISDN", "id": "770000001",
                "encryptedPinCode": "c2VhbGVk", "wallet": "PRINCIPAL"})
        );
    }
}
