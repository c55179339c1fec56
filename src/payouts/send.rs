//! Creating a payout, sending it once, asking the provider about it until it ends, and ending it
//! (with its webhook event) exactly once.

use super::{LEASE_MS, NewPayout, Payout, PayoutError, Payouts};
use crate::db::{self, Constraint};
use crate::domain::{
    Currency, EventType, Mode, PayoutApproval, PayoutId, PayoutStatus, ProviderCode,
};
use crate::providers::{PayoutOrder, PayoutState, ProviderError};
use crate::webhooks;
use anyhow::Context;

/// A day, for the daily limit.
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// A payout stored but not sent by its request is sent by the worker after this.
const SEND_BY_MS: i64 = 30_000;

impl Payouts {
    /// Creates a payout and sends it. The same idempotency key and body answer the same payout;
    /// the payout is refused before anything is stored when it is over a limit or over the
    /// balance Dalal last read of the provider account.
    pub async fn create(
        &self,
        merchant_id: &str,
        mode: Mode,
        new: NewPayout,
    ) -> Result<Payout, PayoutError> {
        if let Some((key, hash)) = &new.idempotency
            && let Some(existing) = db::payouts::find_by_key(&self.pool, merchant_id, key).await?
        {
            return replay(existing, hash);
        }
        let (gateway, provider) = self.admit(mode, &new, &Default::default()).await?;
        let threshold = db::payout_batches::approval_threshold(&self.pool, merchant_id).await?;
        let approval = if threshold.is_some_and(|t| new.amount.minor() > t) {
            PayoutApproval::Required
        } else {
            PayoutApproval::None
        };
        let now = self.clock.now_ms();
        let id = PayoutId::from_random(&crate::random::alphanumeric(24));
        let handle = crate::random::uuid_v4();
        let mut tx = self.pool.begin().await.context("failed to begin a transaction")?;
        db::payouts::lock_merchant(&mut tx, merchant_id).await?;
        let left = self.daily_left(&mut tx, merchant_id, mode, new.amount.currency(), now).await?;
        if new.amount.minor() > left {
            return Err(self.over_daily_limit(left, new.amount.currency()));
        }
        let stored = db::payouts::insert(
            &mut tx,
            &row(merchant_id, mode, &new, id.as_str(), &gateway, provider, &handle, approval, None, now),
        )
        .await;
        match stored {
            Ok(()) => tx.commit().await.context("failed to store a payout")?,
            // Another request with the same key stored its payout first: answer that one.
            Err(err) if db::violated_constraint(&err) == Some(Constraint::PayoutIdempotencyKey) => {
                drop(tx);
                let (key, hash) = new.idempotency.as_ref().context("a key conflict without a key")?;
                let existing = db::payouts::find_by_key(&self.pool, merchant_id, key)
                    .await?
                    .context("a payout key taken by no payout")?;
                return replay(existing, hash);
            }
            Err(err) => return Err(anyhow::Error::new(err).context("failed to store a payout").into()),
        }
        let payout = self.find(id.as_str()).await?;
        if approval == PayoutApproval::Required {
            return Ok(payout);
        }
        self.send(payout).await
    }

    /// Chooses the gateway that pays `new` out and checks it against the limits and the
    /// balance Dalal last read of that account, less what earlier lines of the same batch will
    /// take from it (`planned`, by gateway and country).
    pub(super) async fn admit(
        &self,
        mode: Mode,
        new: &NewPayout,
        planned: &std::collections::HashMap<(String, crate::domain::Country), i64>,
    ) -> Result<(String, ProviderCode), PayoutError> {
        let gateways = self.payout_gateways(mode, new.provider, new.country);
        let providers: std::collections::BTreeSet<_> = gateways.iter().map(|g| g.1).collect();
        let (gateway, provider, connector) = match (gateways.first(), providers.len()) {
            (Some(first), 1) => *first,
            (Some(_), _) => {
                let names: Vec<&str> = providers.iter().map(|p| p.code()).collect();
                return Err(crate::domain::InvalidInput::new(format!(
                    "Précisez l'opérateur (provider, ou payment_method en SahelPay) : plusieurs opérateurs envoient des paiements sortants {} ({})",
                    new.country.in_fr(),
                    names.join(", ")
                ))
                .into());
            }
            (None, _) => {
                return Err(PayoutError::NoPayouts {
                    provider: new.provider,
                    country: new.country,
                    mode,
                });
            }
        };
        let amount = new.amount;
        let planned = planned
            .get(&(gateway.to_owned(), new.country))
            .copied()
            .unwrap_or(0);
        let symbol = amount.currency().symbol();
        if amount.minor() > self.settings.max_amount {
            return Err(PayoutError::OverLimit(format!(
                "Un paiement sortant ne peut pas dépasser {}\u{a0}{symbol}",
                group(self.settings.max_amount)
            )));
        }
        if let Some(max) = self.gateways.gateway(gateway).and_then(|g| g.max_amount)
            && amount.minor() > max
        {
            return Err(PayoutError::OverLimit(format!(
                "{} n'accepte pas plus de {}\u{a0}{symbol} par opération",
                provider.name(),
                group(max)
            )));
        }
        if let Some(balance) = self
            .known_balance(mode, gateway, provider, connector, new.country)
            .await
            .filter(|b| b.currency == amount.currency())
            && planned + amount.minor() > balance.amount
        {
            return Err(PayoutError::OverBalance {
                provider,
                balance: (balance.amount - planned).max(0),
                amount,
            });
        }
        Ok((gateway.to_owned(), provider))
    }

    /// What the merchant may still send today in `currency`, under the merchant's lock.
    pub(super) async fn daily_left(
        &self,
        tx: &mut db::Tx<'_>,
        merchant_id: &str,
        mode: Mode,
        currency: Currency,
        now: i64,
    ) -> Result<i64, PayoutError> {
        let held = db::payouts::held_since(tx, merchant_id, mode, currency, now - DAY_MS).await?;
        Ok(self.settings.daily_limit - held)
    }

    pub(super) fn over_daily_limit(&self, left: i64, currency: Currency) -> PayoutError {
        let symbol = currency.symbol();
        PayoutError::OverLimit(format!(
            "Plafond journalier des paiements sortants atteint : {}\u{a0}{symbol} sur 24 heures, dont {}\u{a0}{symbol} déjà engagés",
            group(self.settings.daily_limit),
            group(self.settings.daily_limit - left.max(0))
        ))
    }

    async fn find(&self, id: &str) -> Result<Payout, PayoutError> {
        let row = db::payouts::find(&self.pool, id)
            .await?
            .ok_or(PayoutError::NotFound)?;
        Ok(Payout::try_from(row)?)
    }

    /// Sends a pending payout, if this caller is the one that moves it to `processing`; answers
    /// the payout as it then stands.
    pub(super) async fn send(&self, payout: Payout) -> Result<Payout, PayoutError> {
        if matches!(payout.approval, PayoutApproval::Required | PayoutApproval::Rejected) {
            return Ok(payout);
        }
        let now = self.clock.now_ms();
        let mut tx = self.pool.begin().await.context("failed to begin a transaction")?;
        let claimed = db::payouts::transition(
            &mut tx,
            payout.id.as_str(),
            PayoutStatus::Pending,
            PayoutStatus::Processing,
            &db::payouts::Change {
                sent_at: Some(now),
                // Not asked about while its send may still be in flight.
                next_check_at: Some(now + super::LEASE_MS),
                ..Default::default()
            },
            &format!("envoyé à {}", payout.provider.name()),
            now,
        )
        .await?;
        tx.commit().await.context("failed to claim a payout's send")?;
        if !claimed {
            return self.find(payout.id.as_str()).await;
        }
        let payout = Payout {
            status: PayoutStatus::Processing,
            sent_at: Some(now),
            ..payout
        };
        // From here the money may move: whatever fails in Dalal, the payout is answered as
        // stored (`processing` at worst, and asked about), never as an error a client retries.
        let answer = match self.connector_of(&payout) {
            Ok(connector) => connector.pay_out(&order(&payout)).await,
            Err(err) => Err(ProviderError::from(err)),
        };
        self.spent(payout.mode, &payout.gateway, payout.country);
        if let Err(err) = self.apply(&payout, answer, Asked::Sent).await {
            tracing::error!(payout = %payout.id, error = ?err, "failed to record a payout's answer; the worker will ask");
        }
        match self.find(payout.id.as_str()).await {
            Ok(stored) => Ok(stored),
            Err(err) => {
                tracing::error!(payout = %payout.id, error = ?err, "failed to read a payout back");
                Ok(payout)
            }
        }
    }

    /// One pass of the worker: leases the payouts due a check, sends the pending ones whose
    /// request did not, asks about the processing ones. Returns how many it looked at.
    pub async fn check_due(&self) -> Result<usize, PayoutError> {
        let now = self.clock.now_ms();
        let due = db::payouts::claim_due(&self.pool, now, now + LEASE_MS, 20).await?;
        let count = due.len();
        for row in due {
            let id = row.id.clone();
            let checked = async {
                let payout = Payout::try_from(row)?;
                match payout.status {
                    PayoutStatus::Pending => self.send(payout).await.map(|_| ()),
                    _ => self.refresh(&payout).await.map_err(PayoutError::from),
                }
            };
            if let Err(err) = checked.await {
                tracing::warn!(payout = %id, error = ?err, "failed to check a payout");
            }
        }
        Ok(count)
    }

    /// A provider's notification about one of its payouts (by Dalal's handle, or its id): only
    /// a hint to ask. False when no payout has this name.
    pub async fn notified(&self, mode: Option<Mode>, name: &str) -> Result<bool, PayoutError> {
        let found = match PayoutId::parse(name) {
            Some(id) => db::payouts::find(&self.pool, id.as_str()).await?,
            None => db::payouts::find_by_handle(&self.pool, name).await?,
        };
        let Some(row) = found else {
            return Ok(false);
        };
        let payout = Payout::try_from(row)?;
        let now = self.clock.now_ms();
        if mode.is_none_or(|m| m == payout.mode)
            && payout.status == PayoutStatus::Processing
            && db::payouts::lease(&self.pool, payout.id.as_str(), now, now + super::LEASE_MS).await?
        {
            self.refresh(&payout).await?;
        }
        Ok(true)
    }

    /// Asks the provider where a sent payout stands and applies the answer; a payout the
    /// provider never received is sent again, with the same handle.
    async fn refresh(&self, payout: &Payout) -> anyhow::Result<()> {
        let connector = self.connector_of(payout)?;
        let answer = connector.payout_status(&order(payout)).await;
        if matches!(answer, Ok(PayoutState::NotFound)) {
            tracing::info!(payout = %payout.id, "the provider never received a payout; sent again with its handle");
            let again = connector.pay_out(&order(payout)).await;
            return self.apply(payout, again, Asked::Sent).await;
        }
        self.apply(payout, answer, Asked::Read).await
    }

    /// Records what a provider answered about a processing payout: to a send (`Asked::Sent`), or
    /// to a status read (`Asked::Read`).
    async fn apply(
        &self,
        payout: &Payout,
        answer: Result<PayoutState, ProviderError>,
        asked: Asked,
    ) -> anyhow::Result<()> {
        let now = self.clock.now_ms();
        // Ask again after as long as the payout has been out (or, not sent, has existed), within
        // the settings' bounds: a long outage adds a few lines to its history, not one per pass.
        let after = |since: i64| {
            now + (now - since).clamp(self.settings.check_after_ms, self.settings.check_max_ms)
        };
        let next = after(payout.sent_at.unwrap_or(now));
        let state = match answer {
            Ok(state) => state,
            // A send that reached nobody: the payout waits to be sent again (same handle). Only
            // a send says so: a status read that could not reach the provider says nothing of
            // a send whose answer was lost, which may have paid.
            Err(ProviderError::Unavailable)
                if asked == Asked::Sent && payout.provider_reference.is_none() =>
            {
                let change = db::payouts::Change {
                    next_check_at: Some(after(payout.created_at)),
                    ..Default::default()
                };
                let mut tx = self.pool.begin().await.context("failed to begin a transaction")?;
                let reason = format!("{} injoignable : rien n'a été envoyé, nouvel essai", payout.provider.name());
                db::payouts::transition(
                    &mut tx,
                    payout.id.as_str(),
                    PayoutStatus::Processing,
                    PayoutStatus::Pending,
                    &change,
                    &reason,
                    now,
                )
                .await?;
                tx.commit().await.context("failed to put a payout back")?;
                return Ok(());
            }
            Err(err) => {
                tracing::warn!(payout = %payout.id, error = %err, "a payout's outcome is not known yet");
                return db::payouts::check_later(&self.pool, payout.id.as_str(), None, next, now).await;
            }
        };
        let provider = payout.provider.name();
        match state {
            PayoutState::NotFound | PayoutState::Processing { .. } => {
                db::payouts::check_later(&self.pool, payout.id.as_str(), state.reference(), next, now)
                    .await
            }
            PayoutState::Succeeded { reference, fee } => {
                let change = db::payouts::Change {
                    provider_reference: reference.as_deref(),
                    fee,
                    ..Default::default()
                };
                let reason = format!("{provider} a versé l'argent au bénéficiaire");
                self.end(payout, PayoutStatus::Processing, PayoutStatus::Succeeded, &change, &reason)
                    .await
            }
            PayoutState::Failed { reference, failure } => {
                let reason = failure.message_fr(payout.provider);
                let change = db::payouts::Change {
                    provider_reference: reference.as_deref(),
                    failure: Some((failure.code, failure.provider_code.as_deref())),
                    ..Default::default()
                };
                self.end(payout, PayoutStatus::Processing, PayoutStatus::Failed, &change, &reason)
                    .await
            }
            PayoutState::Reversed { reference } => {
                let change = db::payouts::Change {
                    provider_reference: reference.as_deref(),
                    ..Default::default()
                };
                if payout.status == PayoutStatus::Processing {
                    let reason = format!("{provider} a versé l'argent au bénéficiaire");
                    self.end(payout, PayoutStatus::Processing, PayoutStatus::Succeeded, &change, &reason)
                        .await?;
                }
                let reason = format!("{provider} a repris l'argent au bénéficiaire");
                self.end(payout, PayoutStatus::Succeeded, PayoutStatus::Reversed, &change, &reason)
                    .await
            }
        }
    }

    /// Moves a payout to a final status with its history line and webhook event, once: a second
    /// caller finds it moved and writes nothing.
    async fn end(
        &self,
        payout: &Payout,
        from: PayoutStatus,
        to: PayoutStatus,
        change: &db::payouts::Change<'_>,
        reason: &str,
    ) -> anyhow::Result<()> {
        let now = self.clock.now_ms();
        let mut tx = self.pool.begin().await.context("failed to begin a transaction")?;
        if !db::payouts::transition(&mut tx, payout.id.as_str(), from, to, change, reason, now)
            .await?
        {
            return Ok(());
        }
        let kind = match to {
            PayoutStatus::Succeeded => Some(EventType::PayoutSucceeded),
            PayoutStatus::Failed => Some(EventType::PayoutFailed),
            PayoutStatus::Reversed => Some(EventType::PayoutReversed),
            PayoutStatus::Pending | PayoutStatus::Processing | PayoutStatus::Cancelled => None,
        };
        if let Some(kind) = kind {
            let ended = db::payouts::find(&mut tx, payout.id.as_str())
                .await?
                .context("a payout gone while ending it")?;
            let data = self.formatter.payout_data(&Payout::try_from(ended)?)?;
            let target = db::merchants::webhook_url(&mut tx, &payout.merchant_id).await?;
            webhooks::enqueue(
                &mut tx,
                webhooks::NewEvent {
                    subject: webhooks::Subject::Payout(payout.id.as_str()),
                    merchant_id: &payout.merchant_id,
                    target: target.as_deref(),
                    kind,
                    refund_id: None,
                    data,
                },
                now,
            )
            .await?;
        }
        tx.commit().await.context("failed to end a payout")?;
        Ok(())
    }
}

fn group(n: i64) -> String {
    crate::domain::money::group_thousands(n, '\u{202f}')
}

/// The row of a new pending payout.
#[allow(clippy::too_many_arguments)]
pub(super) fn row<'a>(
    merchant_id: &'a str,
    mode: Mode,
    new: &'a NewPayout,
    id: &'a str,
    gateway: &'a str,
    provider: ProviderCode,
    handle: &'a str,
    approval: PayoutApproval,
    batch: Option<(&'a str, i64)>,
    now: i64,
) -> db::payouts::NewPayout<'a> {
    db::payouts::NewPayout {
        id,
        merchant_id,
        mode,
        dialect: new.dialect,
        amount: new.amount.minor(),
        currency: new.amount.currency(),
        country: new.country,
        provider,
        gateway,
        recipient_phone: new.recipient.as_str(),
        recipient_name: new.recipient_name.as_deref(),
        reason: new.reason.as_deref(),
        external_reference: new.external_reference.as_deref(),
        metadata: new.metadata.as_deref(),
        handle,
        idempotency: new
            .idempotency
            .as_ref()
            .map(|(k, h)| (k.as_str(), h.as_str())),
        send_by: (approval != PayoutApproval::Required).then_some(now + SEND_BY_MS),
        batch,
        created_by: new.created_by.as_deref(),
        approval,
        now,
    }
}

/// What the provider is asked, for this payout.
fn order(payout: &Payout) -> PayoutOrder<'_> {
    PayoutOrder {
        payout_id: payout.id.as_str(),
        handle: &payout.handle,
        amount: payout.amount,
        country: payout.country,
        recipient: &payout.recipient,
        recipient_name: payout.recipient_name.as_deref(),
        reason: payout.reason.as_deref(),
        reference: payout.provider_reference.as_deref(),
        sent_at_ms: payout.sent_at.unwrap_or(payout.created_at),
    }
}

/// The payout an idempotency key already made: the same request answers it, another is refused.
fn replay(existing: db::payouts::PayoutRow, hash: &str) -> Result<Payout, PayoutError> {
    if existing.request_hash.as_deref() != Some(hash) {
        return Err(PayoutError::IdempotencyKeyReused);
    }
    Ok(Payout::try_from(existing)?)
}

/// What a provider's answer to `apply` was an answer to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Asked {
    /// The payout itself (`pay_out`).
    Sent,
    /// Its status (`payout_status`).
    Read,
}
