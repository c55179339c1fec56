//! Creating a payment, and reading payments back.

use super::idempotency;
use super::routing::Routed;
use super::{
    Attempt, Mode, NewPayment, NewPaymentKind, Payment, PaymentError, PaymentKind, Payments,
};
use crate::db::{self, Constraint};
use crate::domain::text::IdempotencyKey;
use crate::domain::{AttemptStatus, PaymentStatus, ProviderCode, TransactionId};
use crate::providers::AttemptRequest;
use crate::random;
use anyhow::Context;

/// Renders an API response (HTTP status, body) from a created payment (the dialect's part in
/// `Payments::create_once`).
pub type RenderResponse<'a> =
    dyn Fn(&Payment, Option<&Attempt>) -> anyhow::Result<(u16, String)> + Send + Sync + 'a;

/// A created payment, with the answer rendered for its idempotency key (if it has one).
pub(super) struct Created {
    pub payment: Payment,
    pub attempt: Option<Attempt>,
    pub answer: Option<(u16, String)>,
}

/// Stores the response of an idempotent request with the payment that it creates.
pub(super) struct Completion<'a> {
    pub key: &'a IdempotencyKey,
    /// Renders the response (HTTP status, body) from the created payment.
    pub render: &'a RenderResponse<'a>,
    /// The request's fingerprint (`idempotency::fingerprint`).
    pub fingerprint: &'a str,
    /// The request claimed the key before (`idempotency::claim`): its record, still without an
    /// answer, is completed here. Otherwise nobody claimed it: the record is written here,
    /// complete, with the payment. Either way in one statement when it can (`create_keyed`); if
    /// another request holds the key, or a claimed record is no longer waiting for this answer,
    /// nothing is created (`Conflict::IdempotencyKeyTaken`).
    pub claimed: bool,
}

impl Payments {
    /// Creates a payment. A direct mobile-money payment asks its provider at once: a QR-code
    /// provider's session (the response carries its deep links and QR code), or a USSD push to
    /// the customer's phone (the `redirectUrl` shows the waiting screen). If the provider is
    /// down, nothing is created and the merchant may retry. With an idempotency key, see
    /// `create_once`.
    pub async fn create(
        &self,
        merchant_id: &str,
        mode: Mode,
        new: NewPayment,
    ) -> Result<(Payment, Option<Attempt>), PaymentError> {
        let created = self.create_with(merchant_id, mode, new, None).await?;
        Ok((created.payment, created.attempt))
    }

    /// Creates a payment and, with a `completion`, stores its rendered answer with it.
    pub(super) async fn create_with(
        &self,
        merchant_id: &str,
        mode: Mode,
        new: NewPayment,
        completion: Option<Completion<'_>>,
    ) -> Result<Created, PaymentError> {
        if !self.takes_payments(mode) {
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

        if let (Mode::Live, Some(p), Some(c)) = (mode, provider, country)
            && !self.offers(mode, p, c, new.amount)
        {
            return Err(PaymentError::NotLive(p));
        }

        // Open the provider session before anything is stored (no lock is held across the call).
        let attempt_id = super::new_attempt_id();
        let token = random::token_256();
        let session = match (provider, country) {
            // QR codes and deep links go in the answer; a USSD push goes to `customerPhone` now
            // — unless the customer must first give a one-time code on the checkout page
            // (Orange Money in Burkina Faso through pawaPay).
            (Some(p), Some(c))
                if new.opens_provider_session()
                    && self.pushed_by_aggregator(mode, p, c, new.amount) != Some(true) =>
            {
                let request = AttemptRequest {
                    attempt_id: attempt_id.clone(),
                    provider: p,
                    amount: new.amount,
                    country: c,
                    phone: phone.cloned(),
                    one_time_code: None,
                    card: None,
                    return_url: self.checkout_url(&token),
                };
                Some(self.start_attempt(mode, &request).await?)
            }
            _ => None,
        };

        let new_row = db::payments::NewPaymentRow {
            merchant_id,
            mode,
            dialect: new.dialect,
            checkout_token: &token,
            kind,
            status: PaymentStatus::Pending,
            amount: new.amount.minor(),
            currency: new.amount.currency(),
            country,
            provider,
            customer_phone: phone.map(|p| p.as_str()),
            customer_name: new.customer_name.as_deref(),
            customer_email: new.customer_email.as_deref(),
            description: new.description.as_deref(),
            external_reference: &new.external_reference,
            callback_url: new.callback_url.as_ref().map(|u| u.as_str()),
            return_url: new.return_url.as_ref().map(|u| u.as_str()),
            cancel_url: new.cancel_url.as_ref().map(|u| u.as_str()),
            metadata: new.metadata.as_deref(),
            card_brand,
            method: provider,
            expires_at: now + new.expires_in_secs.unwrap_or(self.settings.expiry_secs) * 1000,
            created_at: now,
        };
        // A push already in front of the customer makes the payment `processing` at once (a
        // transition, written with it).
        let pushed = session.as_ref().is_some_and(|s| s.session.customer_asked);
        let pushed_reason = provider
            .filter(|_| pushed)
            .map(super::lifecycle::customer_asked_reason);
        if let Some(Completion {
            key,
            render,
            fingerprint,
            claimed,
        }) = &completion
            // A claimed key on SQLite (rare: a request found a record left in progress) takes
            // the transaction below; SQLite's one statement writes a new record.
            && !(*claimed && self.pool.backend() == db::Backend::Sqlite)
        {
            // The payment, its record (written, or completed when claimed), its open attempt and
            // (a push already sent) its move to `processing`, in one statement.
            let deep_links = session.as_ref().map(deep_links_json).transpose()?.flatten();
            let started = session.as_ref().zip(provider).map(|(routed, provider)| db::payments::KeyedAttempt {
                id: &attempt_id,
                provider,
                session: session_record(routed, deep_links.as_deref()),
                next_check_at: now + super::CHECK_INTERVAL_MS,
                processing_because: pushed_reason.as_deref(),
            });
            let row = db::payments::NewPaymentRow {
                status: if started.as_ref().is_some_and(|s| s.processing_because.is_some()) {
                    PaymentStatus::Processing
                } else {
                    new_row.status
                },
                ..new_row
            };
            return self
                .create_keyed(&row, started.as_ref(), key, render, fingerprint, *claimed)
                .await;
        }
        if session.is_none() && completion.is_none() {
            // One statement needs no transaction (and saves two round trips).
            let row = db::payments::insert(&self.pool, &new_row).await?;
            return Ok(Created {
                payment: Payment::try_from(row)?,
                attempt: None,
                answer: None,
            });
        }
        let mut tx = self
            .pool
            .begin()
            .await
            .context("failed to begin a transaction")?;
        let row = db::payments::insert(&mut tx, &new_row).await?;
        let attempt = match (&session, provider) {
            (Some(routed), Some(p)) => {
                let deep_links = deep_links_json(routed)?;
                let new_attempt = db::attempts::NewAttempt {
                    id: attempt_id.as_str(),
                    payment_id: row.id,
                    provider: p,
                    payer: db::attempts::Payer {
                        phone: phone.map(|p| p.as_str()),
                        card: None,
                    },
                };
                let started = db::attempts::insert_started(
                    &mut tx,
                    new_attempt,
                    session_record(routed, deep_links.as_deref()),
                    now + super::CHECK_INTERVAL_MS,
                    now,
                )
                .await?;
                Some(Attempt::try_from(started)?)
            }
            _ => None,
        };
        let row = match &attempt {
            Some(started) if pushed => {
                self.ensure_processing(&mut tx, started, now).await?;
                db::payments::find_by_id(&mut tx, row.id)
                    .await?
                    .context("the payment just inserted")?
            }
            _ => row,
        };
        let payment = Payment::try_from(row)?;
        let mut answer = None;
        if let Some(completion) = completion {
            // The response is stored with the payment: a crash cannot leave a payment whose
            // idempotency key would let a retry create a second one.
            let (status, body) = (completion.render)(&payment, attempt.as_ref())?;
            let key = completion.key.as_str();
            match completion.claimed {
                true => {
                    db::idempotency::complete(&mut tx, merchant_id, key, status, &body).await?
                }
                false => {
                    let record = db::idempotency::Completed {
                        merchant_id,
                        key,
                        request_hash: completion.fingerprint,
                        status,
                        body: &body,
                    };
                    if let Err(err) = db::idempotency::insert_completed(&mut tx, &record, now).await
                    {
                        // Dropping the transaction forgets the payment.
                        return Err(match db::violated_constraint(&err) {
                            Some(Constraint::IdempotencyKey) => {
                                super::Conflict::IdempotencyKeyTaken.into()
                            }
                            _ => anyhow::Error::new(err)
                                .context("failed to store an idempotent response")
                                .into(),
                        });
                    }
                }
            }
            answer = Some((status, body));
        }
        tx.commit()
            .await
            .context("failed to commit a new payment")?;
        Ok(Created {
            payment,
            attempt,
            answer,
        })
    }

    /// Stores a payment, its idempotent response and its open attempt (if any) in one statement
    /// (`db::payments::insert_keyed`), the response rendered once with the request's placeholder
    /// id, which the answer and every replay replace (`idempotency::fill`). A `claimed` key's
    /// record is completed rather than written (PostgreSQL).
    async fn create_keyed(
        &self,
        new_row: &db::payments::NewPaymentRow<'_>,
        started: Option<&db::payments::KeyedAttempt<'_>>,
        key: &IdempotencyKey,
        render: &RenderResponse<'_>,
        request_hash: &str,
        claimed: bool,
    ) -> Result<Created, PaymentError> {
        let stored_as = |id| -> anyhow::Result<(Payment, Option<Attempt>)> {
            let mut row = new_row.stored_as(id);
            row.status_reason = started
                .and_then(|a| a.processing_because)
                .map(str::to_owned);
            let attempt = started
                .map(|a| Attempt::try_from(a.stored_as(&row)))
                .transpose()?;
            Ok((Payment::try_from(row)?, attempt))
        };
        let (payment, attempt) = stored_as(idempotency::placeholder(request_hash).sequence())?;
        let (status, template) = render(&payment, attempt.as_ref())?;
        let keyed = db::payments::KeyedResponse {
            key: key.as_str(),
            request_hash,
            claimed,
            status,
            body_template: &template,
        };
        match db::payments::insert_keyed(&self.pool, new_row, &keyed, started).await {
            Ok(Some(id)) => {
                let (payment, attempt) = stored_as(id)?;
                let body = idempotency::fill(&template, request_hash, id);
                Ok(Created {
                    payment,
                    attempt,
                    answer: Some((status, body)),
                })
            }
            // The claimed record was taken over or answered meanwhile: nothing was stored.
            Ok(None) => Err(super::Conflict::IdempotencyKeyTaken.into()),
            Err(err) => Err(match db::violated_constraint(&err) {
                Some(Constraint::IdempotencyKey) => super::Conflict::IdempotencyKeyTaken.into(),
                _ => anyhow::Error::new(err)
                    .context("failed to store a payment and its idempotent response")
                    .into(),
            }),
        }
    }

    /// A merchant's payment with its latest attempt; `None` for another merchant's or mode's.
    pub async fn find_for_merchant(
        &self,
        merchant_id: &str,
        mode: Mode,
        id: TransactionId,
    ) -> Result<Option<(Payment, Option<Attempt>)>, PaymentError> {
        let Some(row) =
            db::payments::find_for_merchant(&self.pool, merchant_id, mode, id.sequence()).await?
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
        let Some(row) = db::attempts::find_by_reference(&self.pool, provider, reference).await?
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
}

/// Stores what the provider answered when an attempt started, and the gateway that served it.
pub(super) async fn record_session(
    tx: &mut db::Tx<'_>,
    attempt_id: &str,
    routed: &Routed,
    now: i64,
) -> anyhow::Result<()> {
    let deep_links = deep_links_json(routed)?;
    db::attempts::record_session(
        tx,
        attempt_id,
        session_record(routed, deep_links.as_deref()),
        now + super::CHECK_INTERVAL_MS,
        now,
    )
    .await
}

fn deep_links_json(routed: &Routed) -> anyhow::Result<Option<String>> {
    let links = &routed.session.deep_links;
    Ok((!links.is_empty())
        .then(|| serde_json::to_string(links))
        .transpose()?)
}

/// What the provider answered when an attempt started, as the attempt stores it.
fn session_record<'a>(
    routed: &'a Routed,
    deep_links: Option<&'a str>,
) -> db::attempts::Session<'a> {
    let session = &routed.session;
    db::attempts::Session {
        status: if session.customer_asked {
            AttemptStatus::AwaitingCustomer
        } else {
            AttemptStatus::Created
        },
        provider_reference: &session.reference,
        provider_status: &session.raw_status,
        launch_url: session.launch_url.as_deref(),
        deep_links,
        gateway: &routed.gateway,
        routing_reason: &routed.reason,
    }
}
