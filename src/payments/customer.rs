//! What the customer does on the checkout page: choose a method (which starts an attempt) and
//! change it. Cancelling is in `lifecycle.rs`, with the other terminal events.

use super::create::record_session;
use super::{Attempt, Conflict, Payment, PaymentError, Payments};
use crate::db::{self, Constraint};
use crate::domain::msisdn::Msisdn;
use crate::domain::{
    AttemptStatus, CardDetails, ConfirmationFlow, Country, Failure, FailureCode, InvalidInput, PaymentEvent,
    PaymentStatus, ProviderCode,
};
use crate::providers::AttemptRequest;
use anyhow::Context;

/// An attempt still without a provider reference after this long belongs to a request that died
/// while calling the provider; it no longer blocks the payment.
const STALLED_START_MS: i64 = 60_000;

/// What the customer picked on the checkout page.
#[derive(Debug, Clone)]
pub struct MethodChoice {
    pub provider: ProviderCode,
    pub country: Country,
    pub phone: Option<Msisdn>,
    pub one_time_code: Option<String>,
    /// The card typed into the card form (card payments only).
    pub card: Option<CardDetails>,
}

impl Payments {
    /// The payment behind a token, if it can still be paid; an overdue one expires now.
    pub(super) async fn open_payment_by_token(&self, token: &str) -> Result<Payment, PaymentError> {
        let row = db::payments::find_by_token(&self.pool, token)
            .await?
            .ok_or(PaymentError::NotFound)?;
        let payment = Payment::try_from(row)?;
        if payment.status.is_terminal() {
            return Err(PaymentError::Conflict(Conflict::AlreadyFinal(
                payment.status,
            )));
        }
        if self.clock.now_ms() >= payment.expires_at {
            self.expire(payment.id).await?;
            return Err(PaymentError::Conflict(Conflict::AlreadyFinal(
                PaymentStatus::Expired,
            )));
        }
        Ok(payment)
    }

    /// Checks a choice against the payment before any provider is called.
    fn check_choice(&self, payment: &Payment, choice: &MethodChoice) -> Result<(), PaymentError> {
        if let Some(fixed) = payment.country.filter(|c| *c != choice.country) {
            return Err(InvalidInput::bilingual(
                format!(
                    "Ce paiement doit être réglé depuis le pays {}",
                    fixed.name_fr()
                ),
                format!("This payment must be paid from {}", fixed.name_en()),
            )
            .into());
        }
        choice
            .provider
            .check_available(choice.country, payment.amount)?;
        if !self.offers(
            payment.mode,
            choice.provider,
            choice.country,
            payment.amount,
        ) {
            return Err(InvalidInput::bilingual(
                format!(
                    "{} n'est pas disponible pour ce paiement {}",
                    choice.provider.name(),
                    choice.country.in_fr()
                ),
                format!(
                    "{} is not available for this payment in {}",
                    choice.provider.name(),
                    choice.country.name_en()
                ),
            )
            .into());
        }
        let pushed = self.pushed_by_aggregator(
            payment.mode,
            choice.provider,
            choice.country,
            payment.amount,
        );
        let needs_phone = choice.provider.flow() == ConfirmationFlow::UssdPush
            || pushed.is_some()
            || choice.one_time_code.is_some();
        if needs_phone && choice.phone.is_none() {
            return Err(InvalidInput::bilingual(
                "Saisissez votre numéro de téléphone",
                "Type your phone number",
            )
            .into());
        }
        if pushed == Some(true) && choice.one_time_code.is_none() {
            return Err(InvalidInput::bilingual(
                "Saisissez le code de paiement reçu en composant le code USSD",
                "Type the payment code you got by dialling the USSD code",
            )
            .into());
        }
        match (&choice.card, choice.provider) {
            (None, ProviderCode::Card) => Err(InvalidInput::bilingual(
                "Saisissez les informations de votre carte",
                "Type your card details",
            )
            .into()),
            (Some(card), ProviderCode::Card) => match payment.card_brand {
                Some(wanted) if wanted != card.number.brand() => Err(InvalidInput::bilingual(
                    format!(
                        "Ce paiement doit être réglé avec une carte {wanted} (carte saisie : {})",
                        card.number.brand()
                    ),
                    format!(
                        "This payment must be paid with a {wanted} card (card typed: {})",
                        card.number.brand()
                    ),
                )
                .into()),
                _ => Ok(()),
            },
            _ if payment.provider == Some(ProviderCode::Card) => Err(InvalidInput::bilingual(
                "Ce paiement doit être réglé par carte bancaire",
                "This payment must be paid by bank card",
            )
            .into()),
            _ => Ok(()),
        }
    }

    /// Starts an attempt with the method the customer chose on the checkout page.
    pub async fn choose_method(
        &self,
        token: &str,
        choice: MethodChoice,
    ) -> Result<(Payment, Attempt), PaymentError> {
        let payment = self.open_payment_by_token(token).await?;
        self.check_choice(&payment, &choice)?;

        // One open attempt per payment. Learn where the current one stands before replacing it:
        // the customer may have paid a moment ago.
        if let Some(open) =
            db::attempts::open_for_payment(&self.pool, payment.id.sequence()).await?
        {
            self.refresh_attempt(open.id.as_str()).await?;
            let payment = self.open_payment_by_token(token).await?;
            if let Some(open) =
                db::attempts::open_for_payment(&self.pool, payment.id.sequence()).await?
            {
                let open = Attempt::try_from(open)?;
                let starting = open.provider_reference.is_none();
                if starting && self.clock.now_ms() - open.created_at < STALLED_START_MS {
                    // Another request is starting this attempt with the provider right now.
                    return Err(PaymentError::Conflict(Conflict::ChoiceInProgress));
                }
                // Choosing the same QR-code method again (a double click, a reload) shows the
                // same session rather than opening a new one.
                let reusable = open.status == AttemptStatus::Created
                    && open.provider == choice.provider
                    && open.provider.flow() == ConfirmationFlow::QrCode
                    && choice.one_time_code.is_none();
                if reusable {
                    return Ok((payment, open));
                }
                if open.status == AttemptStatus::AwaitingCustomer {
                    return Err(PaymentError::Conflict(Conflict::AwaitingConfirmation(
                        open.provider,
                    )));
                }
                db::attempts::abandon(&self.pool, open.id.as_str(), self.clock.now_ms()).await?;
            }
        }

        let attempt_id = self.insert_attempt(&payment, &choice).await?;
        let request = AttemptRequest {
            attempt_id: attempt_id.clone(),
            provider: choice.provider,
            amount: payment.amount,
            country: choice.country,
            phone: choice.phone.clone(),
            one_time_code: choice.one_time_code.clone(),
            card: choice.card.clone(),
            return_url: self.checkout_url(&payment.checkout_token),
        };
        let routed = match self.start_attempt(payment.mode, &request).await {
            Ok(routed) => routed,
            Err(err) => {
                // The attempt keeps a failure code; an internal error's text stays in the log.
                let failure = match &err {
                    PaymentError::ProviderRefused { failure, .. } => failure.clone(),
                    PaymentError::ProviderUnavailable { .. } => {
                        Failure::new(FailureCode::Unavailable)
                    }
                    PaymentError::Invalid(_)
                    | PaymentError::NotFound
                    | PaymentError::Conflict(_)
                    | PaymentError::LiveModeDisabled
                    | PaymentError::NotLive(_)
                    | PaymentError::Internal(_) => Failure::new(FailureCode::Internal),
                };
                let message = failure.message_fr(choice.provider);
                let closing = db::attempts::Closing {
                    status: AttemptStatus::Failed,
                    provider_status: None,
                    failure: Some((failure.code, &message)),
                };
                db::attempts::close(&self.pool, attempt_id.as_str(), closing, self.clock.now_ms()).await?;
                return Err(err);
            }
        };

        let now = self.clock.now_ms();
        let mut tx = self
            .pool
            .begin()
            .await
            .context("failed to begin a transaction")?;
        record_session(&mut tx, attempt_id.as_str(), &routed, now).await?;
        if routed.session.customer_asked {
            let reason = format!("{} : demande envoyée au client", choice.provider.name());
            let moved = self
                .apply_event(
                    &mut tx,
                    payment.id.sequence(),
                    PaymentStatus::Pending,
                    PaymentEvent::CustomerAsked,
                    &reason,
                    now,
                )
                .await?;
            if moved.is_none() {
                // The payment ended (expired, cancelled) while the provider was being called.
                db::attempts::abandon(&mut tx, attempt_id.as_str(), now).await?;
            }
        }
        tx.commit()
            .await
            .context("failed to record a provider session")?;
        if choice.provider.flow() == ConfirmationFlow::Card && !routed.session.customer_asked {
            // A card is authorised (or refused) at once, unless the bank wants 3-D Secure.
            self.refresh_attempt(attempt_id.as_str()).await?;
        }
        let (payment, attempt) = self
            .find_by_token(token)
            .await?
            .ok_or(PaymentError::NotFound)?;
        let attempt = attempt.ok_or_else(|| anyhow::anyhow!("attempt {attempt_id} vanished"))?;
        Ok((payment, attempt))
    }

    /// Inserts the new attempt in `created`. The database allows one open attempt per payment:
    /// losing that race is a conflict the customer is told about; any other violation is a bug.
    async fn insert_attempt(
        &self,
        payment: &Payment,
        choice: &MethodChoice,
    ) -> Result<crate::domain::AttemptId, PaymentError> {
        let attempt_id = super::new_attempt_id();
        let card = choice
            .card
            .as_ref()
            .map(|c| (c.number.brand().code(), c.number.last4()));
        let payer = db::attempts::Payer {
            phone: choice.phone.as_ref().map(|p| p.as_str()),
            card,
        };
        let now = self.clock.now_ms();
        let mut tx = self
            .pool
            .begin()
            .await
            .context("failed to begin a transaction")?;
        let inserted = db::attempts::insert_open(
            &mut tx,
            attempt_id.as_str(),
            payment.id.sequence(),
            choice.provider,
            payer,
            now,
        )
        .await;
        match inserted {
            Ok(()) => {
                db::payments::set_method(&mut tx, payment.id.sequence(), choice.provider).await?
            }
            Err(err) => {
                return Err(match db::violated_constraint(&err) {
                    Some(Constraint::OneOpenAttemptPerPayment) => {
                        PaymentError::Conflict(Conflict::ChoiceInProgress)
                    }
                    Some(_) | None => PaymentError::Internal(
                        anyhow::Error::new(err).context("failed to insert an attempt"),
                    ),
                });
            }
        }
        tx.commit()
            .await
            .context("failed to commit a new attempt")?;
        Ok(attempt_id)
    }

    /// The customer wants another method while a QR-code session is open: the session is
    /// abandoned, unless the provider says it was paid in the meantime.
    pub async fn change_method(&self, token: &str) -> Result<(), PaymentError> {
        let payment = self.open_payment_by_token(token).await?;
        let Some(open) = db::attempts::open_for_payment(&self.pool, payment.id.sequence()).await?
        else {
            return Ok(());
        };
        self.refresh_attempt(open.id.as_str()).await?;
        let payment = self.open_payment_by_token(token).await?;
        let Some(open) = db::attempts::open_for_payment(&self.pool, payment.id.sequence()).await?
        else {
            return Ok(());
        };
        let open = Attempt::try_from(open)?;
        if open.status == AttemptStatus::AwaitingCustomer {
            return Err(PaymentError::Conflict(Conflict::AwaitingConfirmation(
                open.provider,
            )));
        }
        db::attempts::abandon(&self.pool, open.id.as_str(), self.clock.now_ms()).await?;
        Ok(())
    }
}
