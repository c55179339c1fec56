//! Batches: up to 500 independent payouts in one request. Each line is checked as a payout of
//! its own (a line refused says why and makes nothing); the accepted ones are stored in one
//! transaction with the batch and sent by the worker, each with its own handle and outcome
//! (PROVIDERS.md, "Bulk is provider-shaped": Dalal's batch is N independent payouts). Above the
//! merchant's threshold, the batch's total waits for a second user's approval.

use super::send::row;
use super::{Batch, NewPayout, Payout, PayoutError, Payouts};
use crate::db::{self, Constraint};
use crate::domain::{Dialect, Mode, PayoutApproval, PayoutBatchId, PayoutId, PayoutStatus};
use anyhow::Context;
use std::collections::HashMap;

/// The most lines a batch may have.
pub const MAX_LINES: usize = 500;

/// A batch a merchant asks for: each line parsed by its dialect, or why it could not be.
pub struct NewBatch {
    pub dialect: Dialect,
    pub lines: Vec<Result<NewPayout, String>>,
    pub idempotency: Option<(String, String)>,
    /// The dashboard user who asks (`None`: the API).
    pub created_by: Option<String>,
}

impl Payouts {
    /// Creates a batch: every line checked, the accepted ones stored and left to the worker.
    pub async fn create_batch(
        &self,
        merchant_id: &str,
        mode: Mode,
        new: NewBatch,
    ) -> Result<Batch, PayoutError> {
        if new.lines.is_empty() || new.lines.len() > MAX_LINES {
            return Err(crate::domain::InvalidInput::new(format!(
                "Un lot compte de 1 à {MAX_LINES} lignes (reçu {})",
                new.lines.len()
            ))
            .into());
        }
        if let Some((key, hash)) = &new.idempotency
            && let Some(existing) = db::payout_batches::find_batch_by_key(&self.pool, merchant_id, key).await?
        {
            if existing.request_hash.as_deref() != Some(hash.as_str()) {
                return Err(PayoutError::IdempotencyKeyReused);
            }
            return self.batch(merchant_id, mode, existing.id.as_str()).await;
        }
        let lines = new.lines.len() as i64;
        // Each line against the limits and the balances, less what earlier lines will take.
        let mut planned: HashMap<(String, crate::domain::Country), i64> = HashMap::new();
        let mut accepted = Vec::new();
        let mut refusals: Vec<(i64, String)> = Vec::new();
        for (n, line) in new.lines.into_iter().enumerate() {
            let number = n as i64 + 1;
            let line = match line {
                Ok(line) => line,
                Err(why) => {
                    refusals.push((number, why));
                    continue;
                }
            };
            match self.admit(mode, &line, &planned).await {
                Ok((gateway, provider)) => {
                    *planned.entry((gateway.clone(), line.country)).or_default() +=
                        line.amount.minor();
                    accepted.push((number, line, gateway, provider));
                }
                Err(err) => refusals.push((number, refusal(err)?)),
            }
        }

        let now = self.clock.now_ms();
        let id = PayoutBatchId::from_random(&crate::random::alphanumeric(24));
        let mut tx = self.pool.begin().await.context("failed to begin a transaction")?;
        db::payouts::lock_merchant(&mut tx, merchant_id).await?;
        // The day's limit, line by line in order, per currency.
        let mut left: HashMap<crate::domain::Currency, i64> = HashMap::new();
        let mut kept = Vec::with_capacity(accepted.len());
        for (number, line, gateway, provider) in accepted {
            let currency = line.amount.currency();
            let room = match left.get(&currency) {
                Some(room) => *room,
                None => self.daily_left(&mut tx, merchant_id, mode, currency, now).await?,
            };
            if line.amount.minor() > room {
                refusals.push((number, self.over_daily_limit(room, currency).to_string()));
                left.insert(currency, room);
                continue;
            }
            left.insert(currency, room - line.amount.minor());
            kept.push((number, line, gateway, provider));
        }
        refusals.sort_by_key(|(n, _)| *n);
        let total: i64 = kept.iter().map(|(_, l, _, _)| l.amount.minor()).sum();
        let threshold = db::payout_batches::approval_threshold(&mut tx, merchant_id).await?;
        let approval = if threshold.is_some_and(|t| total > t) {
            PayoutApproval::Required
        } else {
            PayoutApproval::None
        };
        let refusals_json = serde_json::to_string(
            &refusals
                .iter()
                .map(|(line, message)| serde_json::json!({"line": line, "message": message}))
                .collect::<Vec<_>>(),
        )
        .context("failed to write a batch's refusals")?;
        let stored = db::payout_batches::insert_batch(
            &mut tx,
            &db::payout_batches::NewBatch {
                id: id.as_str(),
                merchant_id,
                mode,
                dialect: new.dialect,
                lines,
                total,
                refusals: &refusals_json,
                created_by: new.created_by.as_deref(),
                idempotency: new.idempotency.as_ref().map(|(k, h)| (k.as_str(), h.as_str())),
                now,
            },
        )
        .await;
        match stored {
            Ok(()) => {}
            Err(err) if db::violated_constraint(&err) == Some(Constraint::PayoutBatchIdempotencyKey) => {
                drop(tx);
                let (key, hash) = new.idempotency.as_ref().context("a key conflict without a key")?;
                let existing = db::payout_batches::find_batch_by_key(&self.pool, merchant_id, key)
                    .await?
                    .context("a batch key taken by no batch")?;
                if existing.request_hash.as_deref() != Some(hash.as_str()) {
                    return Err(PayoutError::IdempotencyKeyReused);
                }
                return self.batch(merchant_id, mode, existing.id.as_str()).await;
            }
            Err(err) => return Err(anyhow::Error::new(err).context("failed to store a batch").into()),
        }
        for (number, mut line, gateway, provider) in kept {
            line.created_by = new.created_by.clone();
            line.idempotency = None;
            let payout_id = PayoutId::from_random(&crate::random::alphanumeric(24));
            let handle = crate::random::uuid_v4();
            let mut stored = row(
                merchant_id,
                mode,
                &line,
                payout_id.as_str(),
                &gateway,
                provider,
                &handle,
                approval,
                Some((id.as_str(), number)),
                now,
            );
            // The worker sends a batch's lines, from its next pass.
            stored.send_by = stored.send_by.map(|_| now);
            db::payouts::insert(&mut tx, &stored)
                .await
                .context("failed to store a batch's payout")?;
        }
        tx.commit().await.context("failed to store a batch")?;
        self.batch(merchant_id, mode, id.as_str()).await
    }

    /// A merchant's batch in one mode, its lines as they stand now.
    pub async fn batch(
        &self,
        merchant_id: &str,
        mode: Mode,
        id: &str,
    ) -> Result<Batch, PayoutError> {
        let row = db::payout_batches::find_batch(&self.pool, id)
            .await?
            .filter(|b| b.merchant_id == merchant_id && b.mode == mode)
            .ok_or(PayoutError::NotFound)?;
        let payouts = db::payouts::of_batch(&self.pool, id)
            .await?
            .into_iter()
            .map(Payout::try_from)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let refusals: Vec<serde_json::Value> =
            serde_json::from_str(&row.refusals).context("a batch's refusals")?;
        let refusals = refusals
            .iter()
            .map(|r| {
                (
                    r["line"].as_i64().unwrap_or(0),
                    r["message"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        Ok(Batch {
            id: row.id,
            mode: row.mode,
            dialect: row.dialect,
            lines: row.lines,
            total: row.total,
            refusals,
            payouts,
            created_by: row.created_by,
            created_at: row.created_at,
        })
    }

    /// A merchant's latest batches (their lines as they stand now), newest first.
    pub async fn recent_batches(
        &self,
        merchant_id: &str,
        mode: Mode,
        limit: i64,
    ) -> Result<Vec<Batch>, PayoutError> {
        let rows = db::payout_batches::recent_batches(&self.pool, merchant_id, mode, limit).await?;
        let mut batches = Vec::with_capacity(rows.len());
        for row in rows {
            batches.push(self.batch(merchant_id, mode, row.id.as_str()).await?);
        }
        Ok(batches)
    }

    /// A second user approves (or rejects) a payout or a batch waiting for it: approved ones
    /// are sent by the worker; rejected ones are cancelled, never sent. Whoever created them
    /// cannot decide. `who` names the user in the payouts' history. Returns how many payouts
    /// were decided.
    pub async fn decide(
        &self,
        merchant_id: &str,
        mode: Mode,
        id: &str,
        (user_id, who): (&str, &str),
        approve: bool,
    ) -> Result<usize, PayoutError> {
        let waiting: Vec<Payout> = if id.starts_with(PayoutBatchId::PREFIX) {
            self.batch(merchant_id, mode, id).await?.payouts
        } else {
            vec![self.get(merchant_id, mode, id).await?]
        };
        let waiting: Vec<&Payout> = waiting
            .iter()
            .filter(|p| p.status == PayoutStatus::Pending && p.approval == PayoutApproval::Required)
            .collect();
        if waiting.is_empty() {
            return Err(PayoutError::NothingToApprove);
        }
        if waiting.iter().all(|p| p.created_by.as_deref() == Some(user_id)) {
            return Err(PayoutError::OwnPayout);
        }
        let now = self.clock.now_ms();
        let mut tx = self.pool.begin().await.context("failed to begin a transaction")?;
        let decided = db::payouts::decide(&mut tx, id, user_id, approve, now).await?;
        for payout in &decided {
            if approve {
                let reason = format!("approuvé par {who}");
                db::payouts::note(&mut tx, payout, PayoutStatus::Pending, &reason, now).await?;
            } else {
                let reason = format!("refusé par {who}");
                db::payouts::transition(
                    &mut tx,
                    payout,
                    PayoutStatus::Pending,
                    PayoutStatus::Cancelled,
                    &Default::default(),
                    &reason,
                    now,
                )
                .await?;
            }
        }
        tx.commit().await.context("failed to record an approval")?;
        Ok(decided.len())
    }
}

impl Payouts {
    /// The amount above which a merchant's payout or batch waits for a second user (`None`:
    /// never).
    pub async fn approval_threshold(&self, merchant_id: &str) -> Result<Option<i64>, PayoutError> {
        Ok(db::payout_batches::approval_threshold(&self.pool, merchant_id).await?)
    }

    pub async fn set_approval_threshold(
        &self,
        merchant_id: &str,
        threshold: Option<i64>,
    ) -> Result<(), PayoutError> {
        Ok(db::payout_batches::set_approval_threshold(&self.pool, merchant_id, threshold).await?)
    }
}

/// A line's refusal as the merchant reads it; Dalal's own failure is not a line's.
fn refusal(err: PayoutError) -> Result<String, PayoutError> {
    match err {
        PayoutError::Internal(err) => Err(PayoutError::Internal(err)),
        other => Ok(other.to_string()),
    }
}
