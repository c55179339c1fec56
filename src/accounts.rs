//! Dashboard accounts: merchant users who sign in with an e-mail address and a password.
//!
//! Passwords are hashed with Argon2id (the `argon2` crate's defaults: 19 MiB, two passes, the
//! OWASP recommendation). Five wrong passwords in a row lock the account for a minute, and each
//! further wrong one doubles the wait, up to an hour; a right password ends the count. An unknown
//! address costs the same time as a wrong password, so timing does not tell which addresses
//! have accounts.

use crate::clock::SharedClock;
use crate::db::{self, Pool};
use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::LazyLock;

/// Wrong passwords in a row before the account locks.
pub const FREE_TRIES: i64 = 5;
const FIRST_LOCK_MS: i64 = 60_000;
const LONGEST_LOCK_MS: i64 = 3_600_000;
/// The session key holding the signed-in user's id.
pub const SESSION_KEY: &str = "dashboard:user";
/// The demo merchant's dashboard user (test mode only, like its keys).
pub const DEMO_EMAIL: &str = "demo@dalal.test";
pub const DEMO_PASSWORD: &str = "demo-dalal-2026";

/// A signed-in user: who, and whose data they see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub merchant_id: String,
    pub merchant_name: String,
    pub email: String,
}

impl From<db::users::UserRow> for User {
    fn from(row: db::users::UserRow) -> Self {
        Self {
            id: row.id,
            merchant_id: row.merchant_id,
            merchant_name: row.merchant_name,
            email: row.email,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum SignIn {
    Welcome(User),
    /// Unknown address or wrong password (the page does not say which).
    Refused,
    /// Too many wrong passwords: no password is checked before this time (Unix milliseconds).
    Locked { until: i64 },
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("« {0} » n'est pas une adresse e-mail valide")]
    InvalidEmail(String),
    #[error("le mot de passe doit faire au moins 12 caractères")]
    WeakPassword,
    #[error("le marchand {0} n'existe pas")]
    UnknownMerchant(String),
    #[error("un compte existe déjà pour {0}")]
    EmailTaken(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Addresses are compared lower-cased and trimmed.
pub fn normalise_email(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    valid.then_some(email)
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("failed to hash a password: {e}"))
}

fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash no password matches, verified for unknown addresses so that they take as long.
static NOBODY: LazyLock<String> =
    LazyLock::new(|| hash_password(&crate::random::token_256()).unwrap_or_default());

pub async fn create_user(
    pool: &Pool,
    clock: &SharedClock,
    merchant_id: &str,
    email: &str,
    password: &str,
) -> Result<User, CreateUserError> {
    let email =
        normalise_email(email).ok_or_else(|| CreateUserError::InvalidEmail(email.to_owned()))?;
    if password.chars().count() < 12 {
        return Err(CreateUserError::WeakPassword);
    }
    if !db::merchants::merchant_exists(pool, merchant_id).await? {
        return Err(CreateUserError::UnknownMerchant(merchant_id.to_owned()));
    }
    let hash = hash_on_a_thread(password.to_owned()).await?;
    let id = format!("usr_{}", crate::random::alphanumeric(20));
    if let Err(err) =
        db::users::insert(pool, &id, merchant_id, &email, &hash, clock.now_ms()).await
    {
        return Err(match &err {
            sqlx::Error::Database(e) if e.is_unique_violation() => {
                CreateUserError::EmailTaken(email)
            }
            _ => anyhow::Error::new(err)
                .context("failed to create a user")
                .into(),
        });
    }
    let row = db::users::find(pool, &id)
        .await?
        .context("the new user is missing")?;
    Ok(row.into())
}

/// Checks an address and password, counting wrong passwords and locking the account.
pub async fn sign_in(
    pool: &Pool,
    clock: &SharedClock,
    email: &str,
    password: &str,
) -> anyhow::Result<SignIn> {
    let row = match normalise_email(email) {
        Some(email) => db::users::find_by_email(pool, &email).await?,
        None => None,
    };
    let now = clock.now_ms();
    if let Some(row) = &row
        && row.locked_until > now
    {
        return Ok(SignIn::Locked {
            until: row.locked_until,
        });
    }
    let phc = row
        .as_ref()
        .map_or_else(|| NOBODY.clone(), |r| r.password_hash.clone());
    let password = password.to_owned();
    let right = tokio::task::spawn_blocking(move || verify(&password, &phc))
        .await
        .context("the password check panicked")?;
    let Some(row) = row else {
        return Ok(SignIn::Refused);
    };
    if right {
        db::users::record_success(pool, &row.id, now).await?;
        return Ok(SignIn::Welcome(row.into()));
    }
    let in_a_row = db::users::record_failure(pool, &row.id).await?;
    if in_a_row >= FREE_TRIES {
        let until = now + lock_duration(in_a_row);
        db::users::lock(pool, &row.id, until).await?;
        tracing::warn!(user = %row.id, in_a_row, "dashboard account locked after wrong passwords");
        return Ok(SignIn::Locked { until });
    }
    Ok(SignIn::Refused)
}

/// A minute after the fifth wrong password in a row, doubling with each one after, up to an hour.
pub fn lock_duration(in_a_row: i64) -> i64 {
    let doublings = (in_a_row - FREE_TRIES).clamp(0, 10) as u32;
    (FIRST_LOCK_MS << doublings).min(LONGEST_LOCK_MS)
}

/// The user behind a session, if the account still exists.
pub async fn find(pool: &Pool, user_id: &str) -> anyhow::Result<Option<User>> {
    Ok(db::users::find(pool, user_id).await?.map(User::from))
}

/// Sets a user's password (and ends any lock).
pub async fn set_password(pool: &Pool, email: &str, password: &str) -> Result<(), CreateUserError> {
    let email =
        normalise_email(email).ok_or_else(|| CreateUserError::InvalidEmail(email.to_owned()))?;
    if password.chars().count() < 12 {
        return Err(CreateUserError::WeakPassword);
    }
    let hash = hash_on_a_thread(password.to_owned()).await?;
    if !db::users::set_password(pool, &email, &hash).await? {
        return Err(CreateUserError::InvalidEmail(email));
    }
    Ok(())
}

/// The demo merchant's user, created with the demo merchant.
pub async fn ensure_demo_user(pool: &Pool, clock: &SharedClock) -> anyhow::Result<bool> {
    if db::users::find_by_email(pool, DEMO_EMAIL).await?.is_some()
        || !db::merchants::merchant_exists(pool, crate::merchants::DEMO_MERCHANT_ID).await?
    {
        return Ok(false);
    }
    match create_user(
        pool,
        clock,
        crate::merchants::DEMO_MERCHANT_ID,
        DEMO_EMAIL,
        DEMO_PASSWORD,
    )
    .await
    {
        Ok(_) | Err(CreateUserError::EmailTaken(_)) => Ok(true),
        Err(err) => Err(anyhow::anyhow!("failed to create the demo user: {err}")),
    }
}

async fn hash_on_a_thread(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .context("password hashing panicked")?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_lower_cased_and_checked() {
        assert_eq!(
            normalise_email("  Awa.Ndiaye@Boutique.SN ").as_deref(),
            Some("awa.ndiaye@boutique.sn")
        );
        for bad in ["", "awa", "awa@", "@boutique.sn", "awa@boutique", "a w@b.sn", "awa@.sn"] {
            assert_eq!(normalise_email(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify("correct horse battery", &hash));
        assert!(!verify("correct horse batterz", &hash));
        assert!(!verify("correct horse battery", "not a hash"));
    }

    #[test]
    fn locks_grow_from_a_minute_to_an_hour() {
        assert_eq!(lock_duration(5), 60_000);
        assert_eq!(lock_duration(6), 120_000);
        assert_eq!(lock_duration(7), 240_000);
        assert_eq!(lock_duration(11), 3_600_000);
        assert_eq!(lock_duration(500), 3_600_000);
    }
}
