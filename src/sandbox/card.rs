//! The sandbox card acquirer: authorises test cards at once, or asks for a 3-D Secure
//! confirmation on the sandbox bank's page (`routes::SANDBOX_BANK`), as a card acquirer
//! does. It sees the card number only while authorising; its sessions keep no card data.
//!
//! Test cards (any future expiry date, any three-digit code; README.md, "Test cards"):
//!
//! | number | brand | outcome |
//! |---|---|---|
//! | `4242 4242 4242 4242` | Visa | authorised |
//! | `5555 5555 5555 4444` | Mastercard | authorised |
//! | `9220 0000 0000 0005` | GIM-UEMOA (sandbox prefix) | authorised |
//! | `4000 0000 0000 3220` | Visa | 3-D Secure: the bank's page asks for a code (`123456`) |
//! | `4000 0000 0000 0002` | Visa | declined by the bank |
//! | `4000 0000 0000 9995` | Visa | insufficient funds |
//! | `4000 0000 0000 0119` | Visa | the acquirer is unreachable (failover, then an error) |
//! | any other valid card | | authorised |

use super::{Decision, Flow, SandboxSession, Scenario, store, words};
use crate::clock::SharedClock;
use crate::db::Pool;
use crate::domain::{Failure, FailureCode, ProviderCode};
use crate::providers::{
    AttemptRef, AttemptRequest, PaymentProvider, ProviderError, ProviderRefund, ProviderSession,
    ProviderStatus, RefundOutcome,
};
use crate::{random, routes};
use async_trait::async_trait;
use std::collections::BTreeMap;

/// How long the bank's 3-D Secure page waits for the cardholder.
const AUTHENTICATION_VALIDITY_MS: i64 = 10 * 60 * 1000;
/// The one-time code the sandbox bank expects on its 3-D Secure page.
pub const TEST_3DS_CODE: &str = "123456";
/// Wrong codes after which the sandbox bank refuses the payment, as issuers do.
pub const MAX_WRONG_CODES: i64 = 3;

/// What the sandbox bank does with a card, from its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestCard {
    Authorised,
    ThreeDSecure,
    Declined,
    InsufficientFunds,
    AcquirerDown,
}

impl TestCard {
    pub fn from_number(digits: &str) -> Self {
        match digits {
            "4000000000003220" => TestCard::ThreeDSecure,
            "4000000000000002" => TestCard::Declined,
            "4000000000009995" => TestCard::InsufficientFunds,
            "4000000000000119" => TestCard::AcquirerDown,
            _ => TestCard::Authorised,
        }
    }

    /// The sandbox session's scenario (a 3-D Secure card's outcome is the cardholder's answer).
    fn scenario(self) -> Scenario {
        match self {
            TestCard::Authorised | TestCard::ThreeDSecure => Scenario::Success,
            TestCard::Declined => Scenario::Declined,
            TestCard::InsufficientFunds => Scenario::InsufficientFunds,
            TestCard::AcquirerDown => Scenario::ProviderDown,
        }
    }
}

/// The acquirer's word for where an authorisation stands (ISO 8583 response codes for
/// refusals: 05 do not honour, 51 insufficient funds).
fn raw_status(session: &SandboxSession, now: i64) -> &'static str {
    if session.flow == Flow::ThreeDSecure {
        return match session.decision {
            Some(Decision::Approve) => "AUTHORISED",
            Some(Decision::Decline | Decision::InsufficientFunds | Decision::Expired) => {
                "REFUSED:AUTHENTICATION_FAILED"
            }
            None if now - session.created_at >= AUTHENTICATION_VALIDITY_MS => "EXPIRED",
            None => "PENDING_AUTHENTICATION",
        };
    }
    match session.scenario {
        Scenario::Declined => "REFUSED:05",
        Scenario::InsufficientFunds => "REFUSED:51",
        Scenario::Success | Scenario::NoAnswer | Scenario::ProviderDown | Scenario::AnswerLost => {
            "AUTHORISED"
        }
    }
}

/// Whether a 3-D Secure page can still be answered.
pub fn awaiting_authentication(session: &SandboxSession, now: i64) -> bool {
    raw_status(session, now) == "PENDING_AUTHENTICATION"
}

pub struct SandboxCardAcquirer {
    pool: Pool,
    clock: SharedClock,
    public_url: String,
}

impl SandboxCardAcquirer {
    pub fn new(pool: Pool, clock: SharedClock, public_url: String) -> Self {
        Self {
            pool,
            clock,
            public_url,
        }
    }
}

#[async_trait]
impl PaymentProvider for SandboxCardAcquirer {
    fn code(&self) -> ProviderCode {
        ProviderCode::Card
    }

    async fn initiate(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        let Some(card) = request.card.as_ref() else {
            return Err(ProviderError::Refused(Failure::new(
                FailureCode::CardDeclined,
            )));
        };
        let test_card = TestCard::from_number(card.number.expose());
        if test_card == TestCard::AcquirerDown {
            return Err(ProviderError::Unavailable);
        }
        let reference = format!("auth_{}", random::lower_alphanumeric(24));
        let flow = if test_card == TestCard::ThreeDSecure {
            Flow::ThreeDSecure
        } else {
            Flow::Card
        };
        let session = SandboxSession {
            id: reference.clone(),
            provider: ProviderCode::Card,
            flow,
            amount: request.amount.minor(),
            currency: request.amount.currency().code().to_owned(),
            phone: None,
            scenario: test_card.scenario(),
            created_at: self.clock.now_ms(),
            decision: None,
            decided_at: None,
            request: None,
            reference: None,
        };
        store::insert(&self.pool, &session).await?;
        let raw = raw_status(&session, session.created_at);
        let launch_url = (flow == Flow::ThreeDSecure)
            .then(|| routes::absolute(&self.public_url, &routes::sandbox_bank(&reference)));
        Ok(ProviderSession {
            raw_status: raw.to_owned(),
            customer_asked: launch_url.is_some(),
            reference,
            launch_url,
            deep_links: BTreeMap::new(),
        })
    }

    async fn fetch_status(
        &self,
        attempt: &AttemptRef<'_>,
    ) -> Result<ProviderStatus, ProviderError> {
        let session = self.own_session(attempt.reference).await?;
        let raw = raw_status(&session, self.clock.now_ms());
        Ok(ProviderStatus {
            raw_status: raw.to_owned(),
            outcome: words::outcome(ProviderCode::Card, raw),
        })
    }

    async fn refund(&self, refund: &ProviderRefund<'_>) -> Result<RefundOutcome, ProviderError> {
        let session = self.own_session(refund.reference).await?;
        let authorised = raw_status(&session, self.clock.now_ms()) == "AUTHORISED";
        super::refund_outcome(authorised, refund)
    }
}

impl SandboxCardAcquirer {
    async fn own_session(&self, reference: &str) -> Result<SandboxSession, ProviderError> {
        store::find(&self.pool, reference)
            .await?
            .filter(|s| s.provider == ProviderCode::Card)
            .ok_or_else(|| ProviderError::UnknownReference(reference.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_choose_the_outcome() {
        for (number, outcome) in [
            ("4242424242424242", TestCard::Authorised),
            ("5555555555554444", TestCard::Authorised),
            ("4000000000003220", TestCard::ThreeDSecure),
            ("4000000000000002", TestCard::Declined),
            ("4000000000009995", TestCard::InsufficientFunds),
            ("4000000000000119", TestCard::AcquirerDown),
        ] {
            assert_eq!(TestCard::from_number(number), outcome, "{number}");
        }
    }

    #[test]
    fn a_3ds_session_waits_for_the_cardholder_then_expires() {
        let mut session = SandboxSession {
            id: "auth_x".into(),
            provider: ProviderCode::Card,
            flow: Flow::ThreeDSecure,
            amount: 1000,
            currency: "XOF".into(),
            phone: None,
            scenario: Scenario::Success,
            created_at: 0,
            decision: None,
            decided_at: None,
            request: None,
            reference: None,
        };
        assert_eq!(raw_status(&session, 1_000), "PENDING_AUTHENTICATION");
        assert!(awaiting_authentication(&session, 1_000));
        assert_eq!(raw_status(&session, AUTHENTICATION_VALIDITY_MS), "EXPIRED");
        session.decision = Some(Decision::Decline);
        assert_eq!(raw_status(&session, 1_000), "REFUSED:AUTHENTICATION_FAILED");
        session.decision = Some(Decision::Approve);
        assert_eq!(raw_status(&session, 1_000), "AUTHORISED");
        session.flow = Flow::Card;
        session.scenario = Scenario::InsufficientFunds;
        assert_eq!(raw_status(&session, 0), "REFUSED:51");
    }
}
