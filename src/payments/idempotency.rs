//! Idempotency per merchant (PRODUCT.md, "Both"): the same key with the same request replays the
//! first response byte for byte; with a different request it is refused; racing requests on one
//! key create one payment. The record is claimed (in progress) in its own short statement, so no
//! lock is held while a provider is called; the response is then stored in the same transaction
//! that creates the payment (`payments::Completion`), so a crash cannot leave a payment whose key
//! would let a retry create a second one.

use crate::clock::SharedClock;
use crate::db::{self, Pool};
use crate::domain::TransactionId;
use crate::domain::text::IdempotencyKey;
use anyhow::Context;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// An in-progress record older than this belongs to a request that died; it may be taken over.
const ABANDONED_AFTER_MS: i64 = 60_000;
/// How long a request waits for a concurrent one with the same key to finish.
const WAIT_FOR_CONCURRENT: Duration = Duration::from_secs(15);

pub enum Claim {
    /// This request owns the key: do the work, then `complete` (or `release` on a server error).
    Owner,
    /// The key already has a response: send it again.
    Replay { status: u16, body: String },
    /// The key was used for a different request.
    Mismatch,
    /// A request with this key is still running after the wait.
    StillRunning,
}

/// The placeholder transaction ids a response is first rendered with, when the payment and its
/// record are stored in one statement (`Payments::create`): the body is rendered before the
/// database gives the id, then `fill` puts the id in. Two placeholders, so that a body where a
/// placeholder's spelling also stands for something else (the merchant's own text) is caught.
pub const PLACEHOLDER_IDS: [i64; 2] = [987_654_321_987_654, 876_543_219_876_543];

/// A body rendered with `PLACEHOLDER_IDS[0]`, with the payment's real id in its place (in both
/// spellings: `TX…` and `txn_…`).
pub fn fill(template: &str, id: i64) -> String {
    fill_with(template, PLACEHOLDER_IDS[0], id)
}

fn fill_with(template: &str, placeholder: i64, id: i64) -> String {
    let (from, to) = (TransactionId::from_sequence(placeholder), TransactionId::from_sequence(id));
    template
        .replace(&from.to_string(), &to.to_string())
        .replace(&from.sahelpay(), &to.sahelpay())
}

/// Whether `fill` turns the body rendered with the first placeholder into the one rendered with
/// the second: then the placeholder stands only for the id, and the template can be stored.
pub fn fillable(first: &str, second: &str) -> bool {
    fill_with(first, PLACEHOLDER_IDS[0], PLACEHOLDER_IDS[1]) == second
}

/// The fingerprint of a request: its route and the exact bytes of its body.
pub fn fingerprint(route: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hex::encode(hasher.finalize())
}

pub async fn claim(
    pool: &Pool,
    clock: &SharedClock,
    merchant_id: &str,
    key: &IdempotencyKey,
    request_hash: &str,
) -> anyhow::Result<Claim> {
    let deadline = tokio::time::Instant::now() + WAIT_FOR_CONCURRENT;
    let mut pause = Duration::from_millis(5);
    loop {
        if db::idempotency::try_insert(
            pool,
            merchant_id,
            key.as_str(),
            request_hash,
            clock.now_ms(),
        )
        .await?
        {
            return Ok(Claim::Owner);
        }
        if let Some(row) = db::idempotency::find(pool, merchant_id, key.as_str()).await? {
            if row.request_hash != request_hash {
                return Ok(Claim::Mismatch);
            }
            if let (Some(status), Some(body)) = (row.response_status, row.response_body) {
                let body = match row.payment_id {
                    Some(id) => fill(&body, id),
                    None => body,
                };
                return Ok(Claim::Replay {
                    status: u16::try_from(status)?,
                    body,
                });
            }
            let now = clock.now_ms();
            if now - row.created_at > ABANDONED_AFTER_MS
                && db::idempotency::take_over(pool, merchant_id, key.as_str(), row.created_at, now)
                    .await?
            {
                return Ok(Claim::Owner);
            }
        }
        // Either the owner is still working, or it released the key between our two reads.
        if tokio::time::Instant::now() >= deadline {
            return Ok(Claim::StillRunning);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

pub async fn complete(
    pool: &Pool,
    merchant_id: &str,
    key: &IdempotencyKey,
    status: u16,
    body: &str,
) -> anyhow::Result<()> {
    db::idempotency::complete(pool, merchant_id, key.as_str(), status, body).await
}

pub async fn release(pool: &Pool, merchant_id: &str, key: &IdempotencyKey) -> anyhow::Result<()> {
    db::idempotency::release(pool, merchant_id, key.as_str()).await
}

/// Stores the answer (a 4xx) of a request that did not claim its key, if the key is still free;
/// false when another request holds it.
pub async fn store_answer(
    pool: &Pool,
    clock: &SharedClock,
    merchant_id: &str,
    key: &IdempotencyKey,
    request_hash: &str,
    status: u16,
    body: &str,
) -> anyhow::Result<bool> {
    let mut tx = pool
        .begin()
        .await
        .context("failed to begin a transaction")?;
    let record = db::idempotency::Completed {
        merchant_id,
        key: key.as_str(),
        request_hash,
        status,
        body,
    };
    match db::idempotency::insert_completed(&mut tx, &record, clock.now_ms()).await {
        Ok(()) => {
            tx.commit()
                .await
                .context("failed to store an idempotent answer")?;
            Ok(true)
        }
        Err(err) => match db::violated_constraint(&err) {
            Some(db::Constraint::IdempotencyKey) => Ok(false),
            _ => Err(anyhow::Error::new(err).context("failed to store an idempotent answer")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_puts_the_id_in_both_spellings_and_nowhere_else() {
        let [a, b] = PLACEHOLDER_IDS.map(TransactionId::from_sequence);
        let template = format!(r#"{{"transactionId":"{a}","id":"{}","note":"42"}}"#, a.sahelpay());
        assert_eq!(
            fill(&template, 42),
            r#"{"transactionId":"TX000000042","id":"txn_000000000042","note":"42"}"#
        );
        let second = format!(r#"{{"transactionId":"{b}","id":"{}","note":"42"}}"#, b.sahelpay());
        assert!(fillable(&template, &second));
        // The merchant wrote a placeholder's spelling in their own text: not fillable.
        let theirs = |id: TransactionId| format!(r#"{{"transactionId":"{id}","description":"{a}"}}"#);
        assert!(!fillable(&theirs(a), &theirs(b)));
    }
}
