//! Idempotency per merchant (PRODUCT.md, "Both"): the same key with the same request replays the
//! first response byte for byte; with a different request it is refused; racing requests on one
//! key create one payment. Requests with one key take turns in the process (`KeyLocks`), and the
//! response is stored with the payment, in the same statement or transaction
//! (`payments::Completion`), so a crash cannot leave a payment whose key would let a retry create
//! a second one. A record found in progress (left by a request that died) is waited for or taken
//! over (`claim`).

use crate::clock::SharedClock;
use crate::db::{self, Pool};
use crate::domain::TransactionId;
use crate::domain::text::IdempotencyKey;
use anyhow::Context;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An in-progress record older than this belongs to a request that died; it may be taken over.
const ABANDONED_AFTER_MS: i64 = 60_000;
/// How long a request waits for a concurrent one with the same key to finish.
const WAIT_FOR_CONCURRENT: Duration = Duration::from_secs(15);

pub enum Claim {
    /// This request owns the key: do the work, then `complete` (or `release` on a server error).
    Owner,
    /// The key's record answers this request.
    Answered(Answer),
    /// A request with this key is still running after the wait.
    StillRunning,
}

/// What a key's record answers a request.
pub enum Answer {
    /// The key already has a response: send it again.
    Replay { status: u16, body: String },
    /// The key was used for a different request.
    Mismatch,
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
            let created_at = row.created_at;
            if let Some(answer) = answer(row, request_hash)? {
                return Ok(Claim::Answered(answer));
            }
            let now = clock.now_ms();
            if now - created_at > ABANDONED_AFTER_MS
                && db::idempotency::take_over(pool, merchant_id, key.as_str(), created_at, now)
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

/// What a request gets from the key's record when it already has one: the stored answer, or
/// `Mismatch`. `None` when no record exists, or its request is still in progress.
pub async fn answered(
    pool: &Pool,
    merchant_id: &str,
    key: &IdempotencyKey,
    request_hash: &str,
) -> anyhow::Result<Option<Answer>> {
    match db::idempotency::find(pool, merchant_id, key.as_str()).await? {
        Some(row) => answer(row, request_hash),
        None => Ok(None),
    }
}

fn answer(
    row: db::idempotency::IdempotencyRow,
    request_hash: &str,
) -> anyhow::Result<Option<Answer>> {
    if row.request_hash != request_hash {
        return Ok(Some(Answer::Mismatch));
    }
    let (Some(status), Some(body)) = (row.response_status, row.response_body) else {
        return Ok(None);
    };
    let body = match row.payment_id {
        Some(id) => fill(&body, id),
        None => body,
    };
    Ok(Some(Answer::Replay {
        status: u16::try_from(status)?,
        body,
    }))
}

/// One request at a time per (merchant, idempotency key) in this process, so that a request that
/// calls a provider can first look for a stored answer and then create the payment with its
/// record in one statement, without claiming the key in the database first (a write, and the
/// lock it takes, saved per request). Sound because one process owns a SQLite database
/// (README, `database.url`); instances sharing a PostgreSQL database claim the key in the
/// database first when they call a provider (`api::idempotent`, `claim`).
#[derive(Clone, Default)]
pub struct KeyLocks {
    held: HeldKeys,
}

/// The keys held or awaited, by "merchant\0key".
type HeldKeys = Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>;

/// Holds a key until dropped.
pub struct KeyGuard {
    held: HeldKeys,
    name: String,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl KeyLocks {
    /// Waits up to `WAIT_FOR_CONCURRENT` for the key; `None` if another request kept it that long.
    pub async fn lock(&self, merchant_id: &str, key: &IdempotencyKey) -> Option<KeyGuard> {
        self.lock_within(merchant_id, key, WAIT_FOR_CONCURRENT).await
    }

    async fn lock_within(
        &self,
        merchant_id: &str,
        key: &IdempotencyKey,
        wait: Duration,
    ) -> Option<KeyGuard> {
        let name = format!("{merchant_id}\0{}", key.as_str());
        let mutex = {
            let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            held.entry(name.clone()).or_default().clone()
        };
        let mut guard = KeyGuard {
            held: self.held.clone(),
            name,
            guard: None,
        };
        // On timeout, dropping `guard` still forgets the entry if nobody else wants it.
        guard.guard = Some(tokio::time::timeout(wait, mutex.lock_owned()).await.ok()?);
        Some(guard)
    }

    /// How many keys are held or awaited (a test's measure of what is kept).
    pub fn len(&self) -> usize {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for KeyGuard {
    fn drop(&mut self) {
        self.guard.take();
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        // The map's own reference is the last one: nobody holds or awaits the key any more
        // (waiters clone it under this same lock).
        if held.get(&self.name).is_some_and(|m| Arc::strong_count(m) == 1) {
            held.remove(&self.name);
        }
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

    #[tokio::test]
    async fn key_locks_let_one_request_per_key_through_and_forget_free_keys() {
        let locks = KeyLocks::default();
        let key = |k: &str| IdempotencyKey::parse(k).unwrap();
        let first = locks.lock("mer_a", &key("k1")).await.expect("a free key");
        // Another key, or the same key of another merchant, is not held up.
        let other = locks.lock("mer_a", &key("k2")).await.expect("another key");
        let theirs = locks.lock("mer_b", &key("k1")).await.expect("another merchant");
        assert_eq!(locks.len(), 3);
        // The same key waits for the first holder, and gives up after the wait.
        let short = Duration::from_millis(50);
        assert!(locks.lock_within("mer_a", &key("k1"), short).await.is_none());
        let waiter = {
            let locks = locks.clone();
            tokio::spawn(async move { locks.lock("mer_a", &key("k1")).await.is_some() })
        };
        tokio::time::sleep(short).await;
        assert!(!waiter.is_finished(), "the second request waits for the first");
        drop(first);
        assert!(waiter.await.unwrap(), "then it gets the key");
        drop((other, theirs));
        assert!(locks.is_empty(), "no key is kept once nobody holds it");
    }

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
