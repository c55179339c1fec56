//! Merchants and their API keys. A key pair is `pk_{mode}_…` (public, looked up) and
//! `sk_{mode}_…` (secret, stored as its SHA-256 and compared in constant time). Secrets are
//! printed once, when created.

use crate::clock::SharedClock;
use crate::db::{self, Pool};
use crate::domain::Mode;
use crate::random;
use anyhow::Context;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

/// The demo merchant created on an empty database, with published test keys so the README's
/// examples run as written. Test keys never move money; `demo.enabled = false` turns it off.
pub const DEMO_MERCHANT_ID: &str = "mer_demo";
pub const DEMO_MERCHANT_NAME: &str = "Boutique Démo Dalal";
pub const DEMO_PUBLIC_KEY: &str = "pk_test_dalal_demo";
pub const DEMO_SECRET_KEY: &str = "sk_test_dalal_demo_5f3a9c2e7b1d4068";
/// The demo merchant's webhook signing secret, published like its test keys.
pub const DEMO_WEBHOOK_SECRET: &str = "whsec_ZGFsYWwtZGVtby13ZWJob29rLXNlY3JldC0yMDI2";

#[derive(Debug, Clone)]
pub struct Merchant {
    pub id: String,
    pub name: String,
    pub mode: Mode,
}

/// A secret that never prints itself.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(••••)")
    }
}

#[derive(Debug)]
pub struct KeyPair {
    pub mode: Mode,
    pub public_key: String,
    pub secret_key: Secret,
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn new_key_pair(mode: Mode) -> KeyPair {
    KeyPair {
        mode,
        public_key: format!("pk_{}_{}", mode.as_str(), random::alphanumeric(24)),
        secret_key: Secret(format!("sk_{}_{}", mode.as_str(), random::alphanumeric(40))),
    }
}

/// Creates a merchant with a test and a live key pair and a webhook secret, returned once.
pub async fn create(
    pool: &Pool,
    clock: &SharedClock,
    name: &str,
) -> anyhow::Result<(String, Vec<KeyPair>, Secret)> {
    let name = name.trim();
    anyhow::ensure!(
        !name.is_empty() && name.chars().count() <= 200,
        "a merchant name has 1 to 200 characters"
    );
    let id = format!("mer_{}", random::alphanumeric(16));
    let now = clock.now_ms();
    let mut tx = pool.begin().await.context("failed to begin a transaction")?;
    anyhow::ensure!(
        db::merchants::insert_merchant(&mut tx, &id, name, now).await?,
        "a merchant id was drawn twice"
    );
    let keys = vec![new_key_pair(Mode::Test), new_key_pair(Mode::Live)];
    for k in &keys {
        db::merchants::insert_api_key(
            &mut tx,
            &k.public_key,
            &id,
            k.mode,
            &hash_secret(k.secret_key.expose()),
            now,
        )
        .await?;
    }
    let webhook_secret = crate::webhooks::signing::new_secret();
    db::webhooks::insert_secret(&mut tx, &id, &webhook_secret, now).await?;
    tx.commit().await.context("failed to commit a new merchant")?;
    Ok((id, keys, Secret(webhook_secret)))
}

/// Starts a new webhook secret; the old ones keep signing for `overlap_ms` so the merchant can
/// switch without missing a delivery. Returns the new secret, shown once.
pub async fn rotate_webhook_secret(
    pool: &Pool,
    clock: &SharedClock,
    merchant_id: &str,
    overlap_ms: i64,
) -> anyhow::Result<Secret> {
    anyhow::ensure!(
        db::merchants::merchant_exists(pool, merchant_id).await?,
        "no merchant {merchant_id}"
    );
    let now = clock.now_ms();
    db::webhooks::expire_secrets(pool, merchant_id, now + overlap_ms).await?;
    let secret = crate::webhooks::signing::new_secret();
    db::webhooks::insert_secret(pool, merchant_id, &secret, now).await?;
    Ok(Secret(secret))
}

/// Replaces one of the merchant's keys with a new pair of the same mode. The old pair keeps
/// working for `grace_ms` (0: it stops at once), so the merchant can deploy the new secret
/// first. Returns the new pair (its secret is shown once), or `None` when the merchant has no
/// such key that still works.
pub async fn roll_key(
    pool: &Pool,
    clock: &SharedClock,
    cache: &KeyCache,
    merchant_id: &str,
    public_key: &str,
    grace_ms: i64,
) -> anyhow::Result<Option<KeyPair>> {
    let now = clock.now_ms();
    let mut tx = pool.begin().await.context("failed to begin a transaction")?;
    let Some(mode) =
        db::merchants::revoke_key_at(&mut tx, merchant_id, public_key, now + grace_ms.max(0), now)
            .await?
    else {
        return Ok(None);
    };
    let new = new_key_pair(mode);
    db::merchants::insert_api_key(
        &mut tx,
        &new.public_key,
        merchant_id,
        mode,
        &hash_secret(new.secret_key.expose()),
        now,
    )
    .await?;
    tx.commit().await.context("failed to commit a key roll")?;
    cache.forget(public_key);
    Ok(Some(new))
}

/// Creates the demo merchant when the database has no merchant at all. Returns whether it did.
/// Instances starting together on one empty database create it once: the first transaction
/// inserts it, the others find it there and do nothing.
pub async fn ensure_demo(pool: &Pool, clock: &SharedClock) -> anyhow::Result<bool> {
    if db::merchants::count_merchants(pool).await? > 0 {
        // A demo merchant from before webhooks existed gets its published secret.
        if db::merchants::merchant_exists(pool, DEMO_MERCHANT_ID).await?
            && !db::webhooks::has_secret(pool, DEMO_MERCHANT_ID).await?
        {
            db::webhooks::insert_secret(
                pool,
                DEMO_MERCHANT_ID,
                DEMO_WEBHOOK_SECRET,
                clock.now_ms(),
            )
            .await?;
        }
        return Ok(false);
    }
    let now = clock.now_ms();
    let mut tx = pool.begin().await.context("failed to begin a transaction")?;
    if !db::merchants::insert_merchant(&mut tx, DEMO_MERCHANT_ID, DEMO_MERCHANT_NAME, now).await? {
        return Ok(false);
    }
    db::merchants::insert_api_key(
        &mut tx,
        DEMO_PUBLIC_KEY,
        DEMO_MERCHANT_ID,
        Mode::Test,
        &hash_secret(DEMO_SECRET_KEY),
        now,
    )
    .await?;
    db::webhooks::insert_secret(&mut tx, DEMO_MERCHANT_ID, DEMO_WEBHOOK_SECRET, now).await?;
    tx.commit().await.context("failed to commit the demo merchant")?;
    Ok(true)
}

/// Recently used API keys, so that a request does not read the key table each time. Entries
/// live `server.api_key_cache_secs` (30): a key revoked or rolled on another instance stops
/// working here within that time.
#[derive(Clone)]
pub struct KeyCache {
    keys: std::sync::Arc<std::sync::RwLock<std::collections::HashMap<String, CachedKey>>>,
    ttl: std::time::Duration,
}

#[derive(Clone)]
struct CachedKey {
    secret_hash: String,
    merchant: Merchant,
    /// A rolled key's end (Unix milliseconds): the cache never serves it past this.
    revoked_at: Option<i64>,
    loaded: std::time::Instant,
}

const KEY_CACHE_MAX: usize = 10_000;

impl KeyCache {
    /// A cache whose entries live `ttl`.
    pub fn new(ttl: std::time::Duration) -> Self {
        Self {
            keys: Default::default(),
            ttl,
        }
    }

    fn get(&self, public_key: &str, now: i64) -> Option<CachedKey> {
        let map = self.keys.read().unwrap_or_else(|e| e.into_inner());
        map.get(public_key)
            .filter(|k| k.loaded.elapsed() < self.ttl && k.revoked_at.is_none_or(|r| r > now))
            .cloned()
    }

    /// Forgets a key on this instance, so its next use reads its new end (a roll); other
    /// instances read it within their cache's lifetime.
    pub fn forget(&self, public_key: &str) {
        let mut map = self.keys.write().unwrap_or_else(|e| e.into_inner());
        map.remove(public_key);
    }

    fn put(&self, public_key: &str, key: CachedKey) {
        let mut map = self.keys.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= KEY_CACHE_MAX {
            map.retain(|_, k| k.loaded.elapsed() < self.ttl);
        }
        map.insert(public_key.to_owned(), key);
    }
}

/// The merchant a `pk_…:sk_…` pair belongs to, or `None` when the pair is wrong or revoked.
pub async fn authenticate(
    pool: &Pool,
    cache: &KeyCache,
    clock: &SharedClock,
    public_key: &str,
    secret_key: &str,
) -> anyhow::Result<Option<Merchant>> {
    let presented = hash_secret(secret_key);
    let now = clock.now_ms();
    let key = match cache.get(public_key, now) {
        Some(key) => key,
        None => {
            let Some(row) = db::merchants::find_active_key(pool, public_key, now).await? else {
                return Ok(None);
            };
            let mode = row.mode;
            let key = CachedKey {
                secret_hash: row.secret_hash,
                merchant: Merchant {
                    id: row.merchant_id,
                    name: row.merchant_name,
                    mode,
                },
                revoked_at: row.revoked_at,
                loaded: std::time::Instant::now(),
            };
            cache.put(public_key, key.clone());
            key
        }
    };
    if !bool::from(presented.as_bytes().ct_eq(key.secret_hash.as_bytes())) {
        return Ok(None);
    }
    // A test public key with a live secret (or the reverse) is a mistake worth refusing.
    if !secret_key.starts_with(&format!("sk_{}_", key.merchant.mode.as_str())) {
        return Ok(None);
    }
    Ok(Some(key.merchant))
}

/// The merchant a secret key alone belongs to (`Authorization: Bearer sk_…`). The lookup is by
/// the secret's SHA-256, so no comparison of secrets happens in the clear.
pub async fn authenticate_secret(
    pool: &Pool,
    clock: &SharedClock,
    secret_key: &str,
) -> anyhow::Result<Option<Merchant>> {
    let Some(key) =
        db::merchants::find_active_key_by_secret(pool, &hash_secret(secret_key), clock.now_ms())
            .await?
    else {
        return Ok(None);
    };
    let mode = key.mode;
    if !secret_key.starts_with(&format!("sk_{}_", mode.as_str())) {
        return Ok(None);
    }
    Ok(Some(Merchant {
        id: key.merchant_id,
        name: key.merchant_name,
        mode,
    }))
}
