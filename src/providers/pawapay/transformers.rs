//! pawaPay's words in Dalal's (PROVIDERS.md, "pawaPay — Merchant API v2"): its provider codes by
//! country, a deposit id drawn from Dalal's attempt id, its statuses and failure codes.

use super::wire::Deposit;
use crate::domain::{Country, Failure, FailureCode, ProviderCode};
use crate::providers::AttemptOutcome;
use serde::Deserialize;
use std::fmt;

/// pawaPay's provider code for a provider in a country (its coverage table), if it covers it.
/// Wave through pawaPay is a redirect (`REDIRECT_AUTH`) that Dalal's direct Wave connector does
/// better; Togo, Mali, Niger, Guinea and Moov in Côte d'Ivoire are not offered.
pub fn provider_code(provider: ProviderCode, country: Country) -> Option<&'static str> {
    use Country as C;
    use ProviderCode as P;
    Some(match (provider, country) {
        (P::FreeMoney, C::Sn) => "FREE_SEN",
        (P::OrangeMoney, C::Sn) => "ORANGE_SEN",
        (P::OrangeMoney, C::Ci) => "ORANGE_CIV",
        (P::OrangeMoney, C::Bf) => "ORANGE_BFA",
        (P::OrangeMoney, C::Cm) => "ORANGE_CMR",
        (P::MtnMomo, C::Ci) => "MTN_MOMO_CIV",
        (P::MtnMomo, C::Bj) => "MTN_MOMO_BEN",
        (P::MtnMomo, C::Cm) => "MTN_MOMO_CMR",
        (P::MoovMoney, C::Bj) => "MOOV_BEN",
        (P::MoovMoney, C::Bf) => "MOOV_BFA",
        _ => return None,
    })
}

/// The provider a pawaPay provider code names (`FREE_SEN` → Free Money), among those Dalal
/// takes through pawaPay.
pub fn provider_of(code: &str) -> Option<ProviderCode> {
    ProviderCode::ALL.iter().copied().find(|provider| {
        Country::ALL
            .iter()
            .any(|country| provider_code(*provider, *country) == Some(code))
    })
}

/// The deposit id of an attempt: a UUID v4 drawn from Dalal's attempt id, so that it is known
/// (stored, with the attempt) before the call, and the same id is sent again after a lost answer.
pub fn deposit_id(attempt_id: &str) -> String {
    crate::random::uuid_v4_for(&format!("pawapay-deposit:{attempt_id}"))
}

/// The initiation answer's `status`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum InitiationStatus {
    /// A callback will follow.
    Accepted,
    /// Refused; `failureReason` says why. No callback.
    Rejected,
    /// pawaPay already has this deposit id: the answer says nothing of its outcome.
    DuplicateIgnored,
    Other(String),
}

impl From<String> for InitiationStatus {
    fn from(word: String) -> Self {
        match word.as_str() {
            "ACCEPTED" => Self::Accepted,
            "REJECTED" => Self::Rejected,
            "DUPLICATE_IGNORED" => Self::DuplicateIgnored,
            _ => Self::Other(word),
        }
    }
}

impl fmt::Display for InitiationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Accepted => "ACCEPTED",
            Self::Rejected => "REJECTED",
            Self::DuplicateIgnored => "DUPLICATE_IGNORED",
            Self::Other(word) => word,
        })
    }
}

/// A deposit's `status`: `ACCEPTED`, `PROCESSING`, `IN_RECONCILIATION` (resolves itself),
/// `COMPLETED`, `FAILED`; the v2 sandbox table and v1 still say `SUBMITTED`. Any other word is
/// kept, logged, and leaves the attempt open.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum DepositStatus {
    Accepted,
    Submitted,
    Processing,
    InReconciliation,
    Completed,
    Failed,
    Other(String),
}

impl From<String> for DepositStatus {
    fn from(word: String) -> Self {
        match word.as_str() {
            "ACCEPTED" => Self::Accepted,
            "SUBMITTED" => Self::Submitted,
            "PROCESSING" => Self::Processing,
            "IN_RECONCILIATION" => Self::InReconciliation,
            "COMPLETED" => Self::Completed,
            "FAILED" => Self::Failed,
            _ => Self::Other(word),
        }
    }
}

impl fmt::Display for DepositStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Accepted => "ACCEPTED",
            Self::Submitted => "SUBMITTED",
            Self::Processing => "PROCESSING",
            Self::InReconciliation => "IN_RECONCILIATION",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
            Self::Other(word) => word,
        })
    }
}

impl From<&Deposit> for AttemptOutcome {
    fn from(deposit: &Deposit) -> Self {
        match &deposit.status {
            // The PIN prompt is on the customer's phone (or pawaPay is settling it).
            DepositStatus::Accepted
            | DepositStatus::Submitted
            | DepositStatus::Processing
            | DepositStatus::InReconciliation => AttemptOutcome::CustomerAsked,
            DepositStatus::Completed => AttemptOutcome::Succeeded,
            DepositStatus::Failed => {
                let code = deposit
                    .failure_reason
                    .as_ref()
                    .and_then(|r| r.failure_code.as_deref());
                match code {
                    // Not a failure: pawaPay does not know yet; the status check will tell.
                    Some("UNKNOWN_ERROR") => AttemptOutcome::CustomerAsked,
                    code => AttemptOutcome::Failed(failure(code)),
                }
            }
            DepositStatus::Other(_) => AttemptOutcome::Unrecognised,
        }
    }
}

/// A failure or rejection code (PROVIDERS.md, "failure codes" and "rejection codes") as Dalal's
/// failure; a code Dalal does not know keeps pawaPay's word for the customer's message.
pub fn failure(code: Option<&str>) -> Failure {
    use FailureCode as F;
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        return Failure::new(F::Unknown);
    };
    Failure::new(match code {
        "INSUFFICIENT_BALANCE" | "PAYER_LIMIT_REACHED" | "WALLET_LIMIT_REACHED" => {
            F::InsufficientFunds
        }
        // No PIN in time, or declined.
        "PAYMENT_NOT_APPROVED" => F::Declined,
        "PAYER_NOT_FOUND" | "INVALID_PHONE_NUMBER" => F::PayerNotFound,
        // Another payment of this customer is pending (up to ~10 minutes).
        "PAYMENT_IN_PROGRESS" | "TRANSACTION_ALREADY_IN_PROCESS" => F::Duplicate,
        "PROVIDER_TEMPORARILY_UNAVAILABLE" => F::Unavailable,
        // v2's word and v1's for "it failed, no reason given".
        "UNSPECIFIED_FAILURE" | "OTHER_ERROR" => F::Unknown,
        other => return Failure::unknown(other),
    })
}

/// A refund's rejection or failure code (PROVIDERS.md, "refunds") as Dalal's failure.
pub fn refund_failure(code: Option<&str>) -> Failure {
    use FailureCode as F;
    match code {
        // The merchant's pawaPay wallet cannot pay the refund.
        Some("PAWAPAY_WALLET_OUT_OF_FUNDS") => Failure::new(F::InsufficientFunds),
        Some("RECIPIENT_NOT_FOUND") => Failure::new(F::PayerNotFound),
        Some("DEPOSIT_ALREADY_REFUNDED" | "REFUND_IN_PROGRESS") => Failure::new(F::Duplicate),
        Some("PROVIDER_TEMPORARILY_UNAVAILABLE") => Failure::new(F::Unavailable),
        Some("UNSPECIFIED_FAILURE" | "OTHER_ERROR") | None => Failure::new(F::Unknown),
        Some(other) => Failure::unknown(other),
    }
}

/// The refund id of a Dalal refund: a UUID v4 drawn from its id, as `deposit_id` is.
pub fn refund_id(dalal_refund_id: &str) -> String {
    crate::random::uuid_v4_for(&format!("pawapay-refund:{dalal_refund_id}"))
}

/// A rejection that did nothing and may be tried elsewhere: the provider is down right now.
pub fn is_unavailable(code: Option<&str>) -> bool {
    code == Some("PROVIDER_TEMPORARILY_UNAVAILABLE")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A step of pawaPay's deposits guide's `pinPromptInstructions` samples.
    fn step(text: &str, code: &str) -> serde_json::Value {
        serde_json::json!({"text": text, "template": "Dial {{shortCode}}", "variables": {"shortCode": code}})
    }

    #[test]
    fn the_code_to_dial_comes_from_the_deposit_configuration() {
        // MANUAL (the guide's Moov Burkina sample: the code in each instruction's variables).
        let manual = serde_json::json!({"pinPrompt": "MANUAL", "pinPromptRevivable": true,
            "pinPromptInstructions": {"channels": [{"type": "USSD",
                "displayName": {"en": "Follow the instructions to authorise the payment"},
                "instructions": {"en": [step("Dial *555*6#", "*555*6#"), step("Enter PIN", "*555*6#")]}}]}});
        assert_eq!(
            pin_prompt(&manual),
            Some(crate::providers::PinPrompt { dial: "*555*6#".into(), manual: true })
        );
        // AUTOMATIC but revivable: the code brings a missed prompt back.
        let mut revivable = manual.clone();
        revivable["pinPrompt"] = "AUTOMATIC".into();
        revivable["pinPromptInstructions"]["channels"][0]["variables"] = serde_json::json!({"shortCode": "*115#"});
        assert_eq!(pin_prompt(&revivable).map(|p| (p.dial, p.manual)), Some(("*115#".into(), false)));
        // Neither, no instructions, or a "code" that is not one.
        revivable["pinPromptRevivable"] = false.into();
        assert_eq!(pin_prompt(&revivable), None);
        assert_eq!(pin_prompt(&serde_json::json!({"pinPrompt": "MANUAL"})), None);
        let mut odd = manual.clone();
        odd["pinPromptInstructions"]["channels"][0]["instructions"]["en"][0] = step("Dial", "<script>");
        odd["pinPromptInstructions"]["channels"][0]["instructions"]["en"][1] = step("Dial", "<script>");
        assert_eq!(pin_prompt(&odd), None);
    }

    #[test]
    fn active_conf_is_read_in_both_operation_type_shapes() {
        let conf = |operation_types: serde_json::Value| -> super::super::wire::ActiveConf {
            serde_json::from_value(serde_json::json!({"countries": [{"country": "SEN", "providers": [
                {"provider": "FREE_SEN", "currencies": [{"currency": "XOF", "operationTypes": operation_types}]}]}]}))
            .unwrap()
        };
        // A real sandbox's object, the published sample's array (both item forms).
        let object = conf(serde_json::json!({"DEPOSIT": {"minAmount": "5", "status": "OPERATIONAL"}}));
        let keyed = conf(serde_json::json!([{"DEPOSIT": {"minTransactionLimit": "5"}}, {"PAYOUT": {}}]));
        let named = conf(serde_json::json!([{"operationType": "PAYOUT"}, {"operationType": "DEPOSIT", "minTransactionLimit": "5"}]));
        assert_eq!(object.deposit_of("FREE_SEN").unwrap()["minAmount"], "5");
        assert_eq!(keyed.deposit_of("FREE_SEN").unwrap()["minTransactionLimit"], "5");
        assert_eq!(named.deposit_of("FREE_SEN").unwrap()["minTransactionLimit"], "5");
        assert!(object.deposit_of("ORANGE_SEN").is_none());
        let payouts_only = conf(serde_json::json!({"PAYOUT": {}}));
        assert!(payouts_only.deposit_of("FREE_SEN").is_none());
    }

    #[test]
    fn deposit_ids_are_uuid_v4_and_the_same_for_one_attempt() {
        let id = deposit_id("att_7Hq2Lm9Xc4Vb8Nz1Pk5Rt3Wy");
        assert_eq!(id, deposit_id("att_7Hq2Lm9Xc4Vb8Nz1Pk5Rt3Wy"));
        assert_ne!(id, deposit_id("att_7Hq2Lm9Xc4Vb8Nz1Pk5Rt3Wz"));
        let groups: Vec<&str> = id.split('-').collect();
        assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert!(groups[2].starts_with('4'), "{id}");
        assert!(matches!(&groups[3][..1], "8" | "9" | "a" | "b"), "{id}");
    }

    #[test]
    fn coverage_follows_the_contract() {
        assert_eq!(provider_code(ProviderCode::FreeMoney, Country::Sn), Some("FREE_SEN"));
        assert_eq!(provider_code(ProviderCode::MoovMoney, Country::Bf), Some("MOOV_BFA"));
        assert_eq!(provider_code(ProviderCode::MoovMoney, Country::Ci), None);
        assert_eq!(provider_code(ProviderCode::OrangeMoney, Country::Ml), None);
        assert_eq!(provider_code(ProviderCode::Card, Country::Sn), None);
    }
}

/// What a provider's deposit configuration (`active-conf`) tells the customer to dial: the
/// `MANUAL` prompt's code, or the code that revives a missed prompt (`pinPromptRevivable`). The
/// code is the first USSD channel's `variables.shortCode` (pawaPay's deposits guide), else its
/// first instruction's.
pub fn pin_prompt(deposit: &serde_json::Value) -> Option<crate::providers::PinPrompt> {
    let manual = deposit.get("pinPrompt").and_then(|p| p.as_str()) == Some("MANUAL");
    let revivable = deposit
        .get("pinPromptRevivable")
        .and_then(|r| r.as_bool())
        .unwrap_or(false);
    if !manual && !revivable {
        return None;
    }
    let channels = deposit.pointer("/pinPromptInstructions/channels")?.as_array()?;
    let channel = channels
        .iter()
        .find(|c| c.get("type").and_then(|t| t.as_str()) == Some("USSD"))?;
    let short_code = |v: &serde_json::Value| {
        v.pointer("/variables/shortCode")
            .and_then(|c| c.as_str())
            .map(str::to_owned)
    };
    let dial = short_code(channel).or_else(|| {
        ["en", "fr"].iter().find_map(|lang| {
            channel
                .pointer(&format!("/instructions/{lang}"))?
                .as_array()?
                .iter()
                .find_map(short_code)
        })
    })?;
    let usable = !dial.is_empty()
        && dial.len() <= 32
        && dial.bytes().all(|b| b.is_ascii_digit() || b == b'*' || b == b'#');
    usable.then_some(crate::providers::PinPrompt { dial, manual })
}
