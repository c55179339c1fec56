//! The payment core: creating payments, starting attempts with providers, applying what
//! providers report, cancelling and expiring. Both merchant API dialects and the checkout page
//! call this module; nothing else changes a payment.
//!
//! Every status change goes through `PaymentStatus::transition` and is persisted with
//! `UPDATE … WHERE id = $n AND status = $from`, so a worker, a notification and a customer's click
//! cannot apply the same change twice.

pub mod idempotency;
mod model;
pub mod workers;

pub use model::{Attempt, Mode, NewPayment, NewPaymentKind, Payment, PaymentKind};

use crate::clock::SharedClock;
use crate::config::PaymentSettings;
use crate::db::{self, Pool, Tx};
use crate::domain::msisdn::Msisdn;
use crate::domain::{
    AttemptStatus, CardDetails, Country, InvalidInput, PaymentEvent, PaymentStatus, ProviderCode,
    TransactionId,
};
use crate::providers::{
    AttemptOutcome, AttemptRequest, PaymentProvider, ProviderError, ProviderRegistry,
    ProviderStatus, routing,
};
use crate::random;
use anyhow::Context;
use std::sync::Arc;

/// How often an open attempt's provider is asked for news.
const CHECK_INTERVAL_MS: i64 = 1_000;
/// An attempt still without a provider reference after this long belongs to a request that died
/// while calling the provider; it no longer blocks the payment.
const STALLED_START_MS: i64 = 60_000;
/// How long to leave a provider alone after it failed to answer a status request.
const UNREACHABLE_BACKOFF_MS: i64 = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("{0}")]
    Invalid(#[from] InvalidInput),
    #[error("Transaction introuvable")]
    NotFound,
    /// The payment is not in a state that allows this (already paid, a push in flight, …).
    #[error("{0}")]
    Conflict(String),
    #[error(
        "Le mode live n'est pas encore activé pour ce compte : utilisez vos clés de test (pk_test_…, sk_test_…)"
    )]
    LiveModeDisabled,
    #[error("{message}")]
    ProviderUnavailable { message: String },
    #[error("{message}")]
    ProviderRefused { code: String, message: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Renders an API response (HTTP status, body) from a created payment.
pub type RenderResponse<'a> =
    dyn Fn(&Payment, Option<&Attempt>) -> anyhow::Result<(u16, String)> + Send + Sync + 'a;

/// Stores the response of an idempotent request in the transaction that creates the payment.
pub struct Completion<'a> {
    pub key: &'a crate::domain::text::IdempotencyKey,
    /// Renders the response (HTTP status, body) from the created payment.
    pub render: &'a RenderResponse<'a>,
}

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

#[derive(Clone)]
pub struct Payments {
    pool: Pool,
    clock: SharedClock,
    sandbox: ProviderRegistry,
    settings: PaymentSettings,
    /// Base of the URLs in webhook payloads (the payment as the API shows it).
    public_url: String,
}

impl Payments {
    pub fn new(
        pool: Pool,
        clock: SharedClock,
        sandbox: ProviderRegistry,
        settings: PaymentSettings,
        public_url: String,
    ) -> Self {
        Self {
            pool,
            clock,
            sandbox,
            settings,
            public_url,
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The gateways payments are routed through.
    pub fn routes(&self) -> &routing::Routes {
        self.sandbox.routes()
    }

    /// The connector behind a gateway (an attempt from before routing has none: its provider's
    /// first gateway).
    fn gateway_connector(
        &self,
        mode: Mode,
        gateway: Option<&str>,
        provider: ProviderCode,
    ) -> Result<&Arc<dyn PaymentProvider>, PaymentError> {
        if mode == Mode::Live {
            return Err(PaymentError::LiveModeDisabled);
        }
        let id = gateway
            .or_else(|| {
                self.sandbox
                    .routes()
                    .first_for(provider)
                    .map(|g| g.id.as_str())
            })
            .unwrap_or_default();
        self.sandbox.gateway(id).ok_or_else(|| {
            PaymentError::Internal(anyhow::anyhow!("no connector for gateway {id:?}"))
        })
    }

    /// Starts an attempt through the cheapest healthy gateway, failing over to the next when one
    /// is down. Gateways that failed repeatedly rest for a while (unless all of them do).
    async fn start_attempt(
        &self,
        mode: Mode,
        request: &AttemptRequest,
    ) -> Result<Routed, PaymentError> {
        if mode == Mode::Live {
            return Err(PaymentError::LiveModeDisabled);
        }
        let brand = request.card.as_ref().map(|c| c.number.brand());
        let candidates = self.sandbox.routes().candidates(
            request.provider,
            request.country,
            request.amount,
            brand,
        );
        let ids: Vec<&str> = candidates.iter().map(|g| g.id.as_str()).collect();
        let resting = db::gateways::skipped(&self.pool, &ids, self.clock.now_ms()).await?;
        let (healthy, skipped): (Vec<&routing::Gateway>, Vec<&routing::Gateway>) = candidates
            .iter()
            .copied()
            .partition(|g| !resting.contains(&g.id));
        let (order, skipped_ids): (Vec<_>, Vec<&str>) = if healthy.is_empty() {
            (skipped, Vec::new())
        } else {
            (healthy, skipped.iter().map(|g| g.id.as_str()).collect())
        };
        if candidates.is_empty() {
            return Err(InvalidInput::new(match brand {
                Some(brand) => format!(
                    "Les cartes {brand} ne sont pas acceptées pour ce paiement {} : utilisez une autre carte",
                    request.country.in_fr()
                ),
                None => format!(
                    "{} n'accepte pas ce montant {} : choisissez un autre moyen de paiement",
                    request.provider.name(),
                    request.country.in_fr()
                ),
            })
            .into());
        }
        let mut failed: Vec<&str> = Vec::new();
        for gateway in order {
            let connector = self.gateway_connector(mode, Some(&gateway.id), request.provider)?;
            match connector.initiate(request).await {
                Ok(session) => {
                    db::gateways::record_success(&self.pool, &gateway.id).await?;
                    let reason = routing::reason(
                        gateway,
                        request.amount,
                        candidates.len(),
                        &skipped_ids,
                        &failed,
                    );
                    return Ok(Routed {
                        session,
                        gateway: gateway.id.clone(),
                        reason,
                    });
                }
                Err(ProviderError::Unavailable { .. }) => {
                    tracing::warn!(gateway = %gateway.id, "gateway unavailable, failing over");
                    db::gateways::record_failure(&self.pool, &gateway.id, self.clock.now_ms())
                        .await?;
                    failed.push(&gateway.id);
                }
                Err(other) => return Err(provider_error(request.provider, other)),
            }
        }
        Err(provider_error(
            request.provider,
            ProviderError::Unavailable {
                provider: request.provider.name(),
            },
        ))
    }

    /// Creates a payment. A direct payment with a QR-code provider opens the provider session at
    /// once, so the response carries its deep links and QR code; if the provider is down, nothing
    /// is created and the merchant may retry.
    pub async fn create(
        &self,
        merchant_id: &str,
        mode: Mode,
        new: NewPayment,
        completion: Option<Completion<'_>>,
    ) -> Result<(Payment, Option<Attempt>), PaymentError> {
        if mode == Mode::Live {
            return Err(PaymentError::LiveModeDisabled);
        }
        let now = self.clock.now_ms();
        let mut card_brand = None;
        let (kind, country, provider, phone) = match &new.kind {
            NewPaymentKind::Direct {
                provider,
                country,
                phone,
            } => (
                PaymentKind::Direct,
                Some(*country),
                Some(*provider),
                Some(phone),
            ),
            NewPaymentKind::Card { country, brand } => {
                card_brand = *brand;
                (
                    PaymentKind::Direct,
                    *country,
                    Some(ProviderCode::Card),
                    None,
                )
            }
            NewPaymentKind::Checkout { country, phone } => {
                (PaymentKind::Checkout, *country, None, phone.as_ref())
            }
        };

        // Open the provider session before anything is stored (no lock is held across the call).
        let attempt_id = new_attempt_id();
        let session = match (provider, country) {
            (Some(p), Some(c)) if p.flow() == crate::domain::ConfirmationFlow::QrCode => {
                let request = AttemptRequest {
                    attempt_id: attempt_id.clone(),
                    provider: p,
                    amount: new.amount,
                    country: c,
                    phone: phone.cloned(),
                    one_time_code: None,
                    card: None,
                };
                Some(self.start_attempt(mode, &request).await?)
            }
            _ => None,
        };

        let token = random::token_256();
        let new_row = db::payments::NewPaymentRow {
            merchant_id,
            mode: mode.as_str(),
            checkout_token: &token,
            kind: kind.as_str(),
            status: PaymentStatus::Pending.as_str(),
            amount: new.amount.minor(),
            currency: new.amount.currency().code(),
            country: country.map(|c| c.code()),
            provider: provider.map(|p| p.code()),
            customer_phone: phone.map(|p| p.as_str()),
            customer_name: new.customer_name.as_deref(),
            customer_email: new.customer_email.as_deref(),
            description: new.description.as_deref(),
            external_reference: &new.external_reference,
            callback_url: new.callback_url.as_ref().map(|u| u.as_str()),
            return_url: new.return_url.as_ref().map(|u| u.as_str()),
            cancel_url: new.cancel_url.as_ref().map(|u| u.as_str()),
            metadata: new.metadata.as_deref(),
            card_brand: card_brand.map(|b| b.code()),
            expires_at: now + self.settings.expiry_secs * 1000,
            created_at: now,
        };
        let single_statement = session.is_none() && completion.is_none();
        if single_statement {
            // One statement needs no transaction (and saves two round trips).
            let row = db::payments::insert(&self.pool, &new_row).await?;
            return Ok((Payment::try_from(row)?, None));
        }
        let mut tx = self
            .pool
            .begin()
            .await
            .context("failed to begin a transaction")?;
        let row = db::payments::insert(&mut *tx, &new_row).await?;
        let attempt = match (&session, provider) {
            (Some(session), Some(p)) => {
                db::attempts::insert_open(
                    &mut tx,
                    &attempt_id,
                    row.id,
                    p.code(),
                    db::attempts::Payer {
                        phone: phone.map(|p| p.as_str()),
                        card: None,
                    },
                    now,
                )
                .await
                .context("failed to insert the first attempt")?;
                record_session(&mut tx, &attempt_id, session, now).await?;
                let attempt = db::attempts::find(&mut *tx, &attempt_id)
                    .await?
                    .context("the new attempt is missing")?;
                Some(Attempt::try_from(attempt)?)
            }
            _ => None,
        };
        let payment = Payment::try_from(row)?;
        if let Some(completion) = completion {
            // The response is stored with the payment: a crash cannot leave a payment whose
            // idempotency key would let a retry create a second one.
            let (status, body) = (completion.render)(&payment, attempt.as_ref())?;
            db::idempotency::complete(
                &mut *tx,
                merchant_id,
                completion.key.as_str(),
                status,
                &body,
            )
            .await?;
        }
        tx.commit()
            .await
            .context("failed to commit a new payment")?;
        Ok((payment, attempt))
    }

    /// A merchant's payment with its latest attempt; `None` for another merchant's or mode's.
    pub async fn find_for_merchant(
        &self,
        merchant_id: &str,
        mode: Mode,
        id: TransactionId,
    ) -> Result<Option<(Payment, Option<Attempt>)>, PaymentError> {
        let Some(row) =
            db::payments::find_for_merchant(&self.pool, merchant_id, mode.as_str(), id.sequence())
                .await?
        else {
            return Ok(None);
        };
        Ok(Some(self.with_latest_attempt(row).await?))
    }

    /// The payment and attempt behind a provider's reference (the sandbox bank's 3-D Secure page).
    pub async fn find_by_reference(
        &self,
        provider: ProviderCode,
        reference: &str,
    ) -> Result<Option<(Payment, Attempt)>, PaymentError> {
        let Some(row) =
            db::attempts::find_by_reference(&self.pool, provider.code(), reference).await?
        else {
            return Ok(None);
        };
        let attempt = Attempt::try_from(row)?;
        let payment = db::payments::find_by_id(&self.pool, attempt.payment_id)
            .await?
            .context("attempt without payment")?;
        Ok(Some((Payment::try_from(payment)?, attempt)))
    }

    /// The payment behind a checkout page, with its latest attempt.
    pub async fn find_by_token(
        &self,
        token: &str,
    ) -> Result<Option<(Payment, Option<Attempt>)>, PaymentError> {
        let Some(row) = db::payments::find_by_token(&self.pool, token).await? else {
            return Ok(None);
        };
        Ok(Some(self.with_latest_attempt(row).await?))
    }

    async fn with_latest_attempt(
        &self,
        row: db::payments::PaymentRow,
    ) -> Result<(Payment, Option<Attempt>), PaymentError> {
        let attempt = db::attempts::latest(&self.pool, row.id)
            .await?
            .map(Attempt::try_from)
            .transpose()?;
        Ok((Payment::try_from(row)?, attempt))
    }

    pub async fn attempts(&self, payment: &Payment) -> Result<Vec<Attempt>, PaymentError> {
        db::attempts::all_for_payment(&self.pool, payment.id.sequence())
            .await?
            .into_iter()
            .map(|r| Attempt::try_from(r).map_err(PaymentError::from))
            .collect()
    }

    pub async fn transitions(
        &self,
        payment: &Payment,
    ) -> Result<Vec<db::payments::TransitionRow>, PaymentError> {
        Ok(db::payments::transitions(&self.pool, payment.id.sequence()).await?)
    }

    async fn open_payment_by_token(&self, token: &str) -> Result<Payment, PaymentError> {
        let row = db::payments::find_by_token(&self.pool, token)
            .await?
            .ok_or(PaymentError::NotFound)?;
        let payment = Payment::try_from(row)?;
        if payment.status.is_terminal() {
            return Err(PaymentError::Conflict(already_final(payment.status)));
        }
        if self.clock.now_ms() >= payment.expires_at {
            self.expire(payment.id).await?;
            return Err(PaymentError::Conflict(already_final(
                PaymentStatus::Expired,
            )));
        }
        Ok(payment)
    }

    /// Starts an attempt with the method the customer chose on the checkout page.
    pub async fn choose_method(
        &self,
        token: &str,
        choice: MethodChoice,
    ) -> Result<(Payment, Attempt), PaymentError> {
        let payment = self.open_payment_by_token(token).await?;
        if let Some(fixed) = payment.country.filter(|c| *c != choice.country) {
            return Err(InvalidInput::new(format!(
                "Ce paiement doit être réglé depuis le pays {}",
                fixed.name_fr()
            ))
            .into());
        }
        choice
            .provider
            .check_available(choice.country, payment.amount)?;
        if !self
            .routes()
            .available(choice.provider, choice.country, payment.amount)
        {
            return Err(InvalidInput::new(format!(
                "{} n'est pas disponible pour ce paiement {}",
                choice.provider.name(),
                choice.country.in_fr()
            ))
            .into());
        }
        let needs_phone = choice.provider.flow() == crate::domain::ConfirmationFlow::UssdPush
            || choice.one_time_code.is_some();
        if needs_phone && choice.phone.is_none() {
            return Err(InvalidInput::new("Saisissez votre numéro de téléphone").into());
        }
        if choice.provider == ProviderCode::Card {
            let Some(card) = &choice.card else {
                return Err(InvalidInput::new("Saisissez les informations de votre carte").into());
            };
            if let Some(wanted) = payment.card_brand.filter(|b| *b != card.number.brand()) {
                return Err(InvalidInput::new(format!(
                    "Ce paiement doit être réglé avec une carte {wanted} (carte saisie : {})",
                    card.number.brand()
                ))
                .into());
            }
        } else if payment.provider == Some(ProviderCode::Card) {
            return Err(InvalidInput::new("Ce paiement doit être réglé par carte bancaire").into());
        }
        if payment.mode == Mode::Live {
            return Err(PaymentError::LiveModeDisabled);
        }

        // One open attempt per payment. Learn where the current one stands before replacing it:
        // the customer may have paid a moment ago.
        if let Some(open) =
            db::attempts::open_for_payment(&self.pool, payment.id.sequence()).await?
        {
            self.refresh_attempt(&open.id).await?;
            let payment = self.open_payment_by_token(token).await?;
            if let Some(open) =
                db::attempts::open_for_payment(&self.pool, payment.id.sequence()).await?
            {
                let open = Attempt::try_from(open)?;
                let starting = open.provider_reference.is_none();
                if starting && self.clock.now_ms() - open.created_at < STALLED_START_MS {
                    // Another request is starting this attempt with the provider right now.
                    return Err(PaymentError::Conflict(
                        "Un autre choix de paiement est en cours pour ce paiement. Patientez un instant.".into(),
                    ));
                }
                // Choosing the same QR-code method again (a double click, a reload) shows the
                // same session rather than opening a new one.
                let reusable = open.status == crate::domain::AttemptStatus::Created
                    && open.provider == choice.provider
                    && open.provider.flow() == crate::domain::ConfirmationFlow::QrCode
                    && choice.one_time_code.is_none();
                if reusable {
                    return Ok((payment, open));
                }
                if open.status == crate::domain::AttemptStatus::AwaitingCustomer {
                    return Err(PaymentError::Conflict(format!(
                        "Une demande de paiement {} attend déjà votre confirmation. Validez-la sur votre téléphone ou attendez qu'elle expire.",
                        open.provider.name()
                    )));
                }
                db::attempts::abandon(&self.pool, &open.id, self.clock.now_ms()).await?;
            }
        }

        let now = self.clock.now_ms();
        let attempt_id = new_attempt_id();
        let mut tx = self
            .pool
            .begin()
            .await
            .context("failed to begin a transaction")?;
        let card = choice
            .card
            .as_ref()
            .map(|c| (c.number.brand().code(), c.number.last4()));
        if let Err(err) = db::attempts::insert_open(
            &mut tx,
            &attempt_id,
            payment.id.sequence(),
            choice.provider.code(),
            db::attempts::Payer {
                phone: choice.phone.as_ref().map(|p| p.as_str()),
                card,
            },
            now,
        )
        .await
        {
            return Err(match db::violated_constraint(&err) {
                Some(_) => PaymentError::Conflict("Un autre choix de paiement est en cours pour ce paiement. Patientez un instant.".into()),
                None => PaymentError::Internal(anyhow::Error::new(err).context("failed to insert an attempt")),
            });
        }
        tx.commit()
            .await
            .context("failed to commit a new attempt")?;

        let request = AttemptRequest {
            attempt_id: attempt_id.clone(),
            provider: choice.provider,
            amount: payment.amount,
            country: choice.country,
            phone: choice.phone.clone(),
            one_time_code: choice.one_time_code.clone(),
            card: choice.card.clone(),
        };
        let session = match self.start_attempt(payment.mode, &request).await {
            Ok(routed) => routed,
            Err(err) => {
                let (code, message) = match &err {
                    PaymentError::ProviderRefused { code, message } => {
                        (code.as_str(), message.clone())
                    }
                    PaymentError::ProviderUnavailable { message } => {
                        ("unavailable", message.clone())
                    }
                    _ => ("error", err.to_string()),
                };
                db::attempts::close(
                    &self.pool,
                    &attempt_id,
                    "failed",
                    None,
                    Some(code),
                    Some(&message),
                    self.clock.now_ms(),
                )
                .await?;
                return Err(err);
            }
        };

        let now = self.clock.now_ms();
        let mut tx = self
            .pool
            .begin()
            .await
            .context("failed to begin a transaction")?;
        record_session(&mut tx, &attempt_id, &session, now).await?;
        if session.session.customer_asked {
            let reason = format!("{} : demande envoyée au client", choice.provider.name());
            let moved = apply_event(
                &self.public_url,
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
                db::attempts::abandon(&mut *tx, &attempt_id, now).await?;
            }
        }
        tx.commit()
            .await
            .context("failed to record a provider session")?;
        if choice.provider.flow() == crate::domain::ConfirmationFlow::Card
            && !session.session.customer_asked
        {
            // A card is authorised (or refused) at once, unless the bank wants 3-D Secure.
            self.refresh_attempt(&attempt_id).await?;
        }
        let (payment, attempt) = self
            .find_by_token(token)
            .await?
            .ok_or(PaymentError::NotFound)?;
        let attempt = attempt.ok_or_else(|| anyhow::anyhow!("attempt {attempt_id} vanished"))?;
        Ok((payment, attempt))
    }

    /// The customer wants another method while a QR-code session is open: the session is
    /// abandoned, unless the provider says it was paid in the meantime.
    pub async fn change_method(&self, token: &str) -> Result<(), PaymentError> {
        let payment = self.open_payment_by_token(token).await?;
        let Some(open) = db::attempts::open_for_payment(&self.pool, payment.id.sequence()).await?
        else {
            return Ok(());
        };
        self.refresh_attempt(&open.id).await?;
        let payment = self.open_payment_by_token(token).await?;
        let Some(open) = db::attempts::open_for_payment(&self.pool, payment.id.sequence()).await?
        else {
            return Ok(());
        };
        if AttemptStatus::parse(&open.status) == Some(AttemptStatus::AwaitingCustomer) {
            return Err(PaymentError::Conflict(
                "Une demande de paiement attend votre confirmation sur votre téléphone.".into(),
            ));
        }
        db::attempts::abandon(&self.pool, &open.id, self.clock.now_ms()).await?;
        Ok(())
    }

    /// Asks the provider about the payment's open attempt, if any (the checkout page's poll).
    pub async fn refresh_open_attempt(&self, payment: &Payment) -> Result<(), PaymentError> {
        if let Some(open) =
            db::attempts::open_for_payment(&self.pool, payment.id.sequence()).await?
        {
            self.refresh_attempt(&open.id).await?;
        }
        Ok(())
    }

    /// Asks the provider where an open attempt stands and applies its answer.
    pub async fn refresh_attempt(&self, attempt_id: &str) -> Result<(), PaymentError> {
        let Some(row) = db::attempts::find(&self.pool, attempt_id).await? else {
            return Ok(());
        };
        let attempt = Attempt::try_from(row)?;
        let Some(reference) = attempt
            .provider_reference
            .clone()
            .filter(|_| attempt.status.is_open())
        else {
            return Ok(());
        };
        let payment_row = db::payments::find_by_id(&self.pool, attempt.payment_id)
            .await?
            .context("attempt without payment")?;
        let mode = Mode::parse(&payment_row.mode)?;
        let status = match self
            .gateway_connector(mode, attempt.gateway.as_deref(), attempt.provider)?
            .fetch_status(&reference)
            .await
        {
            Ok(status) => status,
            Err(ProviderError::Unavailable { .. }) => {
                db::attempts::schedule_check(
                    &self.pool,
                    attempt_id,
                    self.clock.now_ms() + UNREACHABLE_BACKOFF_MS,
                )
                .await?;
                return Ok(());
            }
            Err(err) => {
                return Err(PaymentError::Internal(
                    anyhow::anyhow!(err).context("failed to fetch a provider status"),
                ));
            }
        };
        self.apply_provider_status(&attempt, &status).await
    }

    /// A provider's notification about one of its references: only a hint to look again.
    pub async fn provider_notified(
        &self,
        provider: ProviderCode,
        reference: &str,
    ) -> Result<(), PaymentError> {
        if let Some(attempt) =
            db::attempts::find_by_reference(&self.pool, provider.code(), reference).await?
        {
            self.refresh_attempt(&attempt.id).await?;
        }
        Ok(())
    }

    async fn apply_provider_status(
        &self,
        attempt: &Attempt,
        status: &ProviderStatus,
    ) -> Result<(), PaymentError> {
        let now = self.clock.now_ms();
        let raw = status.raw_status.as_str();
        let name = attempt.provider.name();
        let mut tx = self
            .pool
            .begin()
            .await
            .context("failed to begin a transaction")?;
        match &status.outcome {
            AttemptOutcome::Waiting => {
                drop(tx);
                db::attempts::schedule_check(&self.pool, &attempt.id, now + CHECK_INTERVAL_MS)
                    .await?;
                return Ok(());
            }
            AttemptOutcome::CustomerAsked => {
                if !db::attempts::mark_awaiting(
                    &mut tx,
                    &attempt.id,
                    raw,
                    now + CHECK_INTERVAL_MS,
                    now,
                )
                .await?
                {
                    return Ok(());
                }
                ensure_processing(&self.public_url, &mut tx, attempt, now).await?;
            }
            AttemptOutcome::Succeeded => {
                if !db::attempts::close(
                    &mut *tx,
                    &attempt.id,
                    "succeeded",
                    Some(raw),
                    None,
                    None,
                    now,
                )
                .await?
                {
                    return Ok(());
                }
                let current = ensure_processing(&self.public_url, &mut tx, attempt, now).await?;
                if current == PaymentStatus::Processing {
                    let reason = format!("{name} : paiement confirmé ({raw})");
                    apply_event(
                        &self.public_url,
                        &mut tx,
                        attempt.payment_id,
                        current,
                        PaymentEvent::Succeeded,
                        &reason,
                        now,
                    )
                    .await?;
                } else {
                    // The money moved after the payment ended: someone must refund it.
                    tracing::error!(attempt = %attempt.id, payment = attempt.payment_id, status = %current,
                        "provider reported a success on a payment that is already {current}: refund needed");
                }
            }
            AttemptOutcome::Failed { code, message } => {
                if !db::attempts::close(
                    &mut *tx,
                    &attempt.id,
                    "failed",
                    Some(raw),
                    Some(code),
                    Some(message),
                    now,
                )
                .await?
                {
                    return Ok(());
                }
                let current = ensure_processing(&self.public_url, &mut tx, attempt, now).await?;
                if current == PaymentStatus::Processing {
                    let failed_so_far = failed_attempts(&mut tx, attempt.payment_id).await?;
                    let retry_allowed = failed_so_far + 1 < self.settings.max_failed_attempts;
                    let reason = format!("{name} : {message} ({code})");
                    apply_event(
                        &self.public_url,
                        &mut tx,
                        attempt.payment_id,
                        current,
                        PaymentEvent::AttemptFailed { retry_allowed },
                        &reason,
                        now,
                    )
                    .await?;
                }
            }
        }
        tx.commit()
            .await
            .context("failed to apply a provider status")?;
        Ok(())
    }

    /// The customer pressed « Annuler ».
    pub async fn cancel(&self, token: &str) -> Result<Payment, PaymentError> {
        let payment = self.open_payment_by_token(token).await?;
        let moved = self
            .end(payment.id, PaymentEvent::Cancel, "annulé par le client")
            .await?;
        if !moved {
            let payment = self
                .find_by_token(token)
                .await?
                .ok_or(PaymentError::NotFound)?
                .0;
            return Err(PaymentError::Conflict(already_final(payment.status)));
        }
        Ok(self
            .find_by_token(token)
            .await?
            .ok_or(PaymentError::NotFound)?
            .0)
    }

    /// Moves an open payment past its `expiresAt` to `expired`.
    pub async fn expire(&self, id: TransactionId) -> Result<bool, PaymentError> {
        self.end(id, PaymentEvent::Expire, "délai de paiement dépassé")
            .await
    }

    /// Applies a terminal event (cancel, expire) and abandons any open attempt, in one transaction.
    async fn end(
        &self,
        id: TransactionId,
        event: PaymentEvent,
        reason: &str,
    ) -> Result<bool, PaymentError> {
        let now = self.clock.now_ms();
        let mut tx = self
            .pool
            .begin()
            .await
            .context("failed to begin a transaction")?;
        // Write first, so the transaction holds the write lock before it reads.
        sqlx::query("UPDATE payments SET updated_at = updated_at WHERE id = $1")
            .bind(id.sequence())
            .execute(&mut *tx)
            .await
            .context("failed to lock a payment")?;
        let current = current_status(&mut tx, id.sequence()).await?;
        if current.transition(event).is_err() {
            return Ok(false);
        }
        let moved = apply_event(
            &self.public_url,
            &mut tx,
            id.sequence(),
            current,
            event,
            reason,
            now,
        )
        .await?
        .is_some();
        if moved {
            sqlx::query(
                "UPDATE payment_attempts SET status = 'abandoned', next_check_at = NULL, updated_at = $1
                 WHERE payment_id = $2 AND status IN ('created', 'awaiting_customer')",
            )
            .bind(now)
            .bind(id.sequence())
            .execute(&mut *tx)
            .await
            .context("failed to abandon open attempts")?;
        }
        tx.commit().await.context("failed to end a payment")?;
        Ok(moved)
    }

    /// One pass of the expiry sweeper; returns how many payments expired.
    pub async fn expire_due(&self) -> Result<usize, PaymentError> {
        let due = db::payments::due_for_expiry(&self.pool, self.clock.now_ms(), 100).await?;
        let mut expired = 0;
        for (id, _) in due {
            if self.expire(TransactionId::from_sequence(id)).await? {
                expired += 1;
            }
        }
        Ok(expired)
    }

    /// One pass of the provider status checker; returns how many attempts were checked.
    pub async fn check_due_attempts(&self) -> Result<usize, PaymentError> {
        let due = db::attempts::due_for_check(&self.pool, self.clock.now_ms(), 100).await?;
        for id in &due {
            if let Err(err) = self.refresh_attempt(id).await {
                tracing::warn!(attempt = %id, error = ?err, "failed to check an attempt");
            }
        }
        Ok(due.len())
    }
}

fn new_attempt_id() -> String {
    format!("att_{}", random::alphanumeric(24))
}

fn already_final(status: PaymentStatus) -> String {
    let what = match status {
        PaymentStatus::Succeeded => "a déjà été payé",
        PaymentStatus::Failed => "a échoué",
        PaymentStatus::Cancelled => "a été annulé",
        PaymentStatus::Expired => "a expiré",
        PaymentStatus::Pending | PaymentStatus::Processing => "est en cours",
    };
    format!("Ce paiement {what}")
}

fn provider_error(provider: ProviderCode, err: ProviderError) -> PaymentError {
    match err {
        ProviderError::Unavailable { .. } => PaymentError::ProviderUnavailable {
            message: crate::providers::transformers::failure_message(provider, "unavailable"),
        },
        ProviderError::Refused { code, message } => PaymentError::ProviderRefused { code, message },
        ProviderError::UnknownReference(r) => {
            PaymentError::Internal(anyhow::anyhow!("provider does not know {r}"))
        }
        ProviderError::Internal(e) => PaymentError::Internal(anyhow::anyhow!("{e:#}")),
    }
}

async fn record_session(
    tx: &mut Tx<'_>,
    attempt_id: &str,
    routed: &Routed,
    now: i64,
) -> anyhow::Result<()> {
    let session = &routed.session;
    let status = if session.customer_asked {
        "awaiting_customer"
    } else {
        "created"
    };
    let deep_links = (!session.deep_links.is_empty())
        .then(|| serde_json::to_string(&session.deep_links))
        .transpose()?;
    db::attempts::record_session(
        tx,
        attempt_id,
        status,
        &session.reference,
        &session.raw_status,
        session.launch_url.as_deref(),
        deep_links.as_deref(),
        (&routed.gateway, &routed.reason),
        now + CHECK_INTERVAL_MS,
        now,
    )
    .await
}

/// A provider session opened through a gateway chosen by the router.
struct Routed {
    session: crate::providers::ProviderSession,
    gateway: String,
    reason: String,
}

async fn current_status(tx: &mut Tx<'_>, payment_id: i64) -> anyhow::Result<PaymentStatus> {
    let (status,): (String,) = sqlx::query_as("SELECT status FROM payments WHERE id = $1")
        .bind(payment_id)
        .fetch_one(&mut **tx)
        .await
        .context("failed to read a payment's status")?;
    PaymentStatus::parse(&status).with_context(|| format!("unknown payment status {status:?}"))
}

async fn failed_attempts(tx: &mut Tx<'_>, payment_id: i64) -> anyhow::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT failed_attempts FROM payments WHERE id = $1")
        .bind(payment_id)
        .fetch_one(&mut **tx)
        .await
        .context("failed to read a payment's failed attempts")?;
    Ok(n)
}

/// A provider reported activity on an attempt: if its payment was still `pending`, the customer
/// has now been asked. Returns the payment's status after that.
async fn ensure_processing(
    public_url: &str,
    tx: &mut Tx<'_>,
    attempt: &Attempt,
    now: i64,
) -> anyhow::Result<PaymentStatus> {
    let current = current_status(tx, attempt.payment_id).await?;
    if current != PaymentStatus::Pending {
        return Ok(current);
    }
    let reason = format!("{} : le client a reçu la demande", attempt.provider.name());
    let moved = apply_event(
        public_url,
        tx,
        attempt.payment_id,
        current,
        PaymentEvent::CustomerAsked,
        &reason,
        now,
    )
    .await?;
    Ok(moved.unwrap_or(current))
}

/// Applies `event` to a payment believed to be in `from`; `None` when another writer moved it.
/// A change the merchant must hear about writes its webhook event in the same transaction.
async fn apply_event(
    public_url: &str,
    tx: &mut Tx<'_>,
    payment_id: i64,
    from: PaymentStatus,
    event: PaymentEvent,
    reason: &str,
    now: i64,
) -> anyhow::Result<Option<PaymentStatus>> {
    let to = from.transition(event)?;
    let failed_delta = i64::from(matches!(event, PaymentEvent::AttemptFailed { .. }));
    let moved = db::payments::record_transition(
        tx,
        payment_id,
        from.as_str(),
        to.as_str(),
        reason,
        failed_delta,
        now,
    )
    .await?;
    if !moved {
        return Ok(None);
    }
    tracing::info!(payment = %TransactionId::from_sequence(payment_id), from = %from, to = %to, reason, "payment transition");
    if crate::webhooks::event_type(to).is_some() {
        let row = db::payments::find_by_id(&mut **tx, payment_id)
            .await?
            .context("payment vanished")?;
        let attempt = db::attempts::latest(&mut **tx, payment_id)
            .await?
            .map(Attempt::try_from)
            .transpose()?;
        let payment = Payment::try_from(row)?;
        let data = crate::api::caurisflux::payment_data(public_url, &payment, attempt.as_ref())?;
        crate::webhooks::enqueue(
            tx,
            payment_id,
            &payment.merchant_id,
            payment.callback_url.as_deref(),
            to,
            serde_json::to_value(data)?,
            now,
        )
        .await?;
    }
    Ok(Some(to))
}
