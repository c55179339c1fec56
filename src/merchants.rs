//! Merchants and their API keys. A key pair is `pk_{mode}_…` (public, looked up) and
//! `sk_{mode}_…` (secret, stored as its SHA-256 and compared in constant time). Secrets are
//! printed once, when created.

use crate::clock::SharedClock;
use crate::db::{self, Pool};
use crate::payments::Mode;
use crate::random;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

/// The demo merchant created on an empty database, with published test keys so the README's
/// examples run as written. Test keys never move money; `demo.enabled = false` turns it off.
pub const DEMO_MERCHANT_ID: &str = "mer_demo";
pub const DEMO_MERCHANT_NAME: &str = "Boutique Démo Dalal";
pub const DEMO_PUBLIC_KEY: &str = "pk_test_dalal_demo";
pub const DEMO_SECRET_KEY: &str = "sk_test_dalal_demo_5f3a9c2e7b1d4068";

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

/// Creates a merchant with a test and a live key pair, returned once.
pub async fn create(
    pool: &Pool,
    clock: &SharedClock,
    name: &str,
) -> anyhow::Result<(String, Vec<KeyPair>)> {
    let name = name.trim();
    anyhow::ensure!(
        !name.is_empty() && name.chars().count() <= 200,
        "a merchant name has 1 to 200 characters"
    );
    let id = format!("mer_{}", random::alphanumeric(16));
    let now = clock.now_ms();
    db::merchants::insert_merchant(pool, &id, name, now).await?;
    let keys = vec![new_key_pair(Mode::Test), new_key_pair(Mode::Live)];
    for k in &keys {
        db::merchants::insert_api_key(
            pool,
            &k.public_key,
            &id,
            k.mode.as_str(),
            &hash_secret(k.secret_key.expose()),
            now,
        )
        .await?;
    }
    Ok((id, keys))
}

/// Creates the demo merchant when the database has no merchant at all. Returns whether it did.
pub async fn ensure_demo(pool: &Pool, clock: &SharedClock) -> anyhow::Result<bool> {
    if db::merchants::count_merchants(pool).await? > 0 {
        return Ok(false);
    }
    let now = clock.now_ms();
    db::merchants::insert_merchant(pool, DEMO_MERCHANT_ID, DEMO_MERCHANT_NAME, now).await?;
    db::merchants::insert_api_key(
        pool,
        DEMO_PUBLIC_KEY,
        DEMO_MERCHANT_ID,
        "test",
        &hash_secret(DEMO_SECRET_KEY),
        now,
    )
    .await?;
    Ok(true)
}

/// The merchant a `pk_…:sk_…` pair belongs to, or `None` when the pair is wrong or revoked.
pub async fn authenticate(
    pool: &Pool,
    public_key: &str,
    secret_key: &str,
) -> anyhow::Result<Option<Merchant>> {
    let Some(key) = db::merchants::find_active_key(pool, public_key).await? else {
        // Hash anyway so a wrong public key costs the same time as a wrong secret.
        let _ = hash_secret(secret_key);
        return Ok(None);
    };
    let presented = hash_secret(secret_key);
    if !bool::from(presented.as_bytes().ct_eq(key.secret_hash.as_bytes())) {
        return Ok(None);
    }
    let mode = Mode::parse(&key.mode)?;
    // A test public key with a live secret (or the reverse) is a mistake worth refusing.
    if !secret_key.starts_with(&format!("sk_{}_", mode.as_str())) {
        return Ok(None);
    }
    Ok(Some(Merchant {
        id: key.merchant_id,
        name: key.merchant_name,
        mode,
    }))
}
