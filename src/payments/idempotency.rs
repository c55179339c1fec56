//! Idempotency per merchant (PRODUCT.md, "Both"): the same key with the same request replays the
//! first response byte for byte; with a different request it is refused; racing requests on one
//! key create one payment. The record is claimed (in progress) in its own short statement, so no
//! lock is held while a provider is called; the response is then stored in the same transaction
//! that creates the payment (`payments::Completion`), so a crash cannot leave a payment whose key
//! would let a retry create a second one.

use crate::clock::SharedClock;
use crate::db::{self, Pool};
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
