//! The sandbox's providers. Wave, MTN MoMo and Orange Money are played by emulators of their
//! HTTP APIs (`super::emulators`), which keep their sessions in the sandbox's table and decide
//! them with this module's rules (`Stage`, `scenario_for_phone`); so is Free Money, through the
//! pawaPay emulator. Moov Money (which pawaPay covers in Benin and Burkina Faso only) and cards
//! have in-process connectors here, imitating their steps, delays and failures, so that test
//! keys never move money.
//!
//! Outcomes are chosen like test card numbers, by the last two digits of the payer's number
//! (documented in README.md, "Sandbox"):
//!
//! | ending | outcome |
//! |---|---|
//! | `01` | insufficient funds |
//! | `02` | the customer declines |
//! | `03` | the customer never answers: the request expires after `sandbox.push_timeout_secs` |
//! | `04` | the provider is down: starting the attempt fails |
//! | `05` | the provider takes the payment, but its answer is lost on the way back (a `504`); where the call moves money with no idempotency key (Orange Money's one-time code) the attempt stays open and is settled by asking |
//! | anything else | success, `sandbox.answer_delay_ms` after the push |
//!
//! QR-code and deep-link flows (the Wave and Orange Money emulators) open the sandbox "phone" page
//! at `/sandbox/phone/{session}` where the tester approves or declines, as they would in the app.
//! Cards go to the sandbox acquirer in `card.rs`, whose outcomes come from test card numbers.

use super::{card, store, words};
use crate::clock::SharedClock;
use crate::config::SandboxSettings;
use crate::db::Pool;
use crate::domain::{ConfirmationFlow, Failure, FailureCode, ProviderCode};
use crate::providers::{
    AttemptRef, AttemptRequest, PaymentProvider, ProviderError, ProviderRefund, ProviderSession,
    ProviderStatus, RefundOutcome,
};
use crate::random;

use async_trait::async_trait;
pub use store::{Decision, Flow, SandboxSession, Scenario};

/// How long a sandbox QR session stays open: Wave's `when_expires` is about 30 minutes.
pub const QR_VALIDITY_MS: i64 = 30 * 60 * 1000;
/// Orange Money refuses the same amount from the same number within this window (its emulator).
pub const ORANGE_DUPLICATE_WINDOW_MS: i64 = 5 * 60 * 1000;

/// The scenario a payer's number chooses: its last two digits (table above).
pub fn scenario_for_phone(phone: Option<&str>) -> Scenario {
    let ending = phone
        .and_then(|p| p.get(p.len().saturating_sub(2)..))
        .unwrap_or("");
    match ending {
        "01" => Scenario::InsufficientFunds,
        "02" => Scenario::Declined,
        "03" => Scenario::NoAnswer,
        "04" => Scenario::ProviderDown,
        "05" => Scenario::AnswerLost,
        _ => Scenario::Success,
    }
}

/// Where a sandbox session stands, before it is spelled in the provider's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Open,
    Asked,
    Paid,
    InsufficientFunds,
    Declined,
    Expired,
}

pub struct SandboxProvider {
    code: ProviderCode,
    pool: Pool,
    clock: SharedClock,
    settings: SandboxSettings,
}

impl SandboxProvider {
    pub fn new(
        code: ProviderCode,
        pool: Pool,
        clock: SharedClock,
        settings: SandboxSettings,
    ) -> Self {
        Self {
            code,
            pool,
            clock,
            settings,
        }
    }

    /// The in-process connectors: Moov Money (where pawaPay has none), and the card acquirer
    /// (`card::SandboxCardAcquirer`).
    pub fn in_process(
        pool: &Pool,
        clock: &SharedClock,
        settings: &SandboxSettings,
        public_url: &str,
    ) -> Vec<std::sync::Arc<dyn PaymentProvider>> {
        let mut all: Vec<std::sync::Arc<dyn PaymentProvider>> =
            [ProviderCode::MoovMoney]
                .into_iter()
                .map(|code| {
                    std::sync::Arc::new(Self::new(
                        code,
                        pool.clone(),
                        clock.clone(),
                        settings.clone(),
                    )) as std::sync::Arc<dyn PaymentProvider>
                })
                .collect();
        all.push(std::sync::Arc::new(card::SandboxCardAcquirer::new(
            pool.clone(),
            clock.clone(),
            public_url.to_owned(),
        )));
        all
    }

    fn new_reference(&self) -> String {
        match self.code {
            ProviderCode::Wave => format!("cos-{}", random::lower_alphanumeric(20)),
            ProviderCode::OrangeMoney => format!("om-{}", random::lower_alphanumeric(20)),
            ProviderCode::FreeMoney => format!("fm-{}", random::lower_alphanumeric(20)),
            ProviderCode::MtnMomo => format!("mtn-{}", random::lower_alphanumeric(24)),
            ProviderCode::MoovMoney => format!("mv-{}", random::lower_alphanumeric(20)),
            ProviderCode::Card => format!("auth_{}", random::lower_alphanumeric(24)),
        }
    }

    /// The provider's word for a stage (Free Money's and Moov Money's, as `words` reads them).
    fn raw_status(&self, stage: Stage) -> &'static str {
        match stage {
            Stage::Open => "INITIATED",
            Stage::Asked => "PENDING",
            Stage::Paid => "SUCCESS",
            Stage::InsufficientFunds => "FAILED:INSUFFICIENT_BALANCE",
            Stage::Declined => "FAILED:CANCELLED_BY_USER",
            Stage::Expired => "FAILED:TIMEOUT",
        }
    }

    pub fn stage(&self, session: &SandboxSession, now: i64) -> Stage {
        let elapsed = now - session.created_at;
        if let Some(decision) = session.decision {
            return match decision {
                Decision::Approve => Stage::Paid,
                Decision::Decline => Stage::Declined,
                Decision::InsufficientFunds => Stage::InsufficientFunds,
                Decision::Expired => Stage::Expired,
            };
        }
        match session.flow {
            Flow::Qr => {
                return if elapsed >= QR_VALIDITY_MS {
                    Stage::Expired
                } else {
                    Stage::Open
                };
            }
            Flow::Otp | Flow::Push | Flow::Card | Flow::ThreeDSecure => {}
        }
        let answered = elapsed >= self.settings.answer_delay_ms;
        match session.scenario {
            Scenario::NoAnswer if elapsed >= self.settings.push_timeout_secs * 1000 => {
                Stage::Expired
            }
            Scenario::NoAnswer => Stage::Asked,
            _ if !answered => Stage::Asked,
            Scenario::Success | Scenario::ProviderDown | Scenario::AnswerLost => Stage::Paid,
            Scenario::InsufficientFunds => Stage::InsufficientFunds,
            Scenario::Declined => Stage::Declined,
        }
    }
}

#[async_trait]
impl PaymentProvider for SandboxProvider {
    fn code(&self) -> ProviderCode {
        self.code
    }

    async fn initiate(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        let phone = request.phone.as_ref().map(|p| p.as_str().to_owned());
        let scenario = scenario_for_phone(phone.as_deref());
        if scenario == Scenario::ProviderDown {
            return Err(ProviderError::Unavailable);
        }
        let now = self.clock.now_ms();
        if self.code.flow() != ConfirmationFlow::UssdPush {
            return Err(anyhow::anyhow!(
                "{} is played by its emulator or the card acquirer, not in-process",
                self.code
            )
            .into());
        }
        if phone.is_none() {
            return Err(ProviderError::Refused(Failure::new(
                FailureCode::MissingPhone,
            )));
        }
        let reference = self.new_reference();
        store::insert(
            &self.pool,
            &SandboxSession {
                id: reference.clone(),
                provider: self.code,
                flow: Flow::Push,
                amount: request.amount.minor(),
                currency: request.amount.currency().code().to_owned(),
                phone,
                scenario,
                created_at: now,
                decision: None,
                decided_at: None,
                request: None,
                reference: None,
            },
        )
        .await?;
        // The push goes out at once: the customer has the request in front of them.
        Ok(ProviderSession::asked(
            reference,
            self.raw_status(Stage::Asked),
        ))
    }

    async fn fetch_status(
        &self,
        attempt: &AttemptRef<'_>,
    ) -> Result<ProviderStatus, ProviderError> {
        let session = self.own_session(attempt.reference).await?;
        let raw = self.raw_status(self.stage(&session, self.clock.now_ms()));
        Ok(ProviderStatus {
            raw_status: raw.to_owned(),
            outcome: words::outcome(self.code, raw),
        })
    }

    async fn refund(&self, refund: &ProviderRefund<'_>) -> Result<RefundOutcome, ProviderError> {
        let session = self.own_session(refund.reference).await?;
        refund_outcome(
            self.stage(&session, self.clock.now_ms()) == Stage::Paid,
            refund,
        )
    }
}

impl SandboxProvider {
    async fn own_session(&self, reference: &str) -> Result<SandboxSession, ProviderError> {
        store::find(&self.pool, reference)
            .await?
            .filter(|s| s.provider == self.code)
            .ok_or_else(|| ProviderError::UnknownReference(reference.to_owned()))
    }
}

/// The sandbox's rule for refunds (README, "Sandbox"): an amount ending in `13` fails as if the
/// merchant's balance with the provider were too low.
pub fn refund_lacks_balance(amount_minor: i64) -> bool {
    amount_minor % 100 == 13
}

/// The sandbox's answer to a refund: `refund_lacks_balance`, or else any refund of a paid
/// session succeeds.
pub fn refund_outcome(
    paid: bool,
    refund: &ProviderRefund<'_>,
) -> Result<RefundOutcome, ProviderError> {
    if !paid {
        return Err(
            anyhow::anyhow!("the sandbox session {} was not paid", refund.reference).into(),
        );
    }
    if refund_lacks_balance(refund.amount.minor()) {
        return Ok(RefundOutcome::Failed(Failure::new(
            FailureCode::InsufficientFunds,
        )));
    }
    Ok(RefundOutcome::Succeeded {
        reference: Some(format!("rfd-{}", random::lower_alphanumeric(20))),
    })
}

/// The tester's answer on the sandbox phone page (QR/deep-link sessions) or the sandbox bank's
/// 3-D Secure page, for sessions that are still open.
/// Returns the session's provider when the answer was recorded.
pub async fn decide(
    pool: &Pool,
    clock: &SharedClock,
    reference: &str,
    decision: Decision,
) -> anyhow::Result<Option<ProviderCode>> {
    let Some(session) = store::find(pool, reference).await? else {
        return Ok(None);
    };
    let now = clock.now_ms();
    let open = match session.flow {
        Flow::Qr => session.decision.is_none() && now - session.created_at < QR_VALIDITY_MS,
        Flow::ThreeDSecure => card::awaiting_authentication(&session, now),
        Flow::Otp | Flow::Push | Flow::Card => false,
    };
    if !open {
        return Ok(None);
    }
    if !store::decide(pool, reference, decision, now).await? {
        return Ok(None);
    }
    Ok(Some(session.provider))
}

/// A sandbox session, for the phone and bank pages.
pub async fn session(pool: &Pool, reference: &str) -> anyhow::Result<Option<SandboxSession>> {
    store::find(pool, reference).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_come_from_the_last_two_digits() {
        assert_eq!(
            scenario_for_phone(Some("+221771234501")),
            Scenario::InsufficientFunds
        );
        assert_eq!(
            scenario_for_phone(Some("+221771234502")),
            Scenario::Declined
        );
        assert_eq!(
            scenario_for_phone(Some("+221771234503")),
            Scenario::NoAnswer
        );
        assert_eq!(
            scenario_for_phone(Some("+221771234504")),
            Scenario::ProviderDown
        );
        assert_eq!(scenario_for_phone(Some("+221771234567")), Scenario::Success);
        assert_eq!(scenario_for_phone(None), Scenario::Success);
    }
}
