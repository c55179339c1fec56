//! Turns per idempotency key in this process.

use super::WAIT_FOR_CONCURRENT;
use crate::domain::text::IdempotencyKey;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request at a time per (merchant, idempotency key) in this process, so that a request that
/// calls a provider can first look for a stored answer and then create the payment with its
/// record in one statement, without claiming the key in the database first (a write, and the
/// lock it takes, saved per request). Sound because one process owns a SQLite database
/// (README, `database.url`); instances sharing a PostgreSQL database claim the key in the
/// database first when they call a provider (`Payments::create_once`, `claim`).
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
}
