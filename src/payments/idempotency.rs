//! Idempotency per merchant (PRODUCT.md, "Both"): the same key with the same request replays the
//! first response byte for byte; with a different request it is refused; racing requests on one
//! key create one payment. Requests with one key take turns in the process (`KeyLocks`), and the
//! response is stored with the payment, in the same statement or transaction
//! (`payments::Completion`), so a crash cannot leave a payment whose key would let a retry create
//! a second one. A record found in progress (left by a request that died) is waited for or taken
//! over (`claim`).

mod key_locks;

pub use key_locks::KeyLocks;

use super::create::{Completion, RenderResponse};
use super::{Conflict, Mode, NewPayment, PaymentError, Payments};
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
    /// The key's record answers this request.
    Answered(Recorded),
    /// A request with this key is still running after the wait.
    StillRunning,
}

/// What a key's record answers a request.
pub enum Recorded {
    /// The key already has a response: send it again.
    Replay { status: u16, body: String },
    /// The key was used for a different request.
    Mismatch,
}

/// Where a keyed response's placeholders are drawn (`placeholder`): far above any real id.
const PLACEHOLDER_BASE: i64 = 900_000_000_000_000;
/// The one placeholder of the records written before placeholders were drawn from fingerprints
/// (they are deleted after `retention.idempotency_hours`).
const LEGACY_PLACEHOLDER: i64 = 987_654_321_987_654;

/// The placeholder transaction id a keyed response is rendered with when the payment and its
/// record are stored in one statement (`Payments::create_keyed`): the body is rendered before
/// the database gives the id, and `fill` puts the id in. It is drawn from the request's
/// fingerprint, so a merchant's own text could spell it only by holding digits of a hash of
/// itself, which nobody can aim at: the placeholder stands for the id and nothing else, and the
/// body is rendered once.
pub fn placeholder(fingerprint: &str) -> TransactionId {
    let drawn = fingerprint
        .get(..12)
        .and_then(|hex| i64::from_str_radix(hex, 16).ok())
        .unwrap_or(0);
    TransactionId::from_sequence(PLACEHOLDER_BASE + drawn)
}

/// A body rendered with its request's `placeholder`, with the payment's real id in its place
/// (in both spellings: `TX…` and `txn_…`).
pub fn fill(template: &str, fingerprint: &str, id: i64) -> String {
    let drawn = placeholder(fingerprint);
    let from = if template.contains(&drawn.to_string()) || template.contains(&drawn.sahelpay()) {
        drawn
    } else {
        TransactionId::from_sequence(LEGACY_PLACEHOLDER)
    };
    let to = TransactionId::from_sequence(id);
    template
        .replace(&from.to_string(), &to.to_string())
        .replace(&from.sahelpay(), &to.sahelpay())
}

/// The fingerprint of a request: its route and the exact bytes of its body.
pub fn fingerprint(route: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hex::encode(hasher.finalize())
}

async fn claim(
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
async fn answered(
    pool: &Pool,
    merchant_id: &str,
    key: &IdempotencyKey,
    request_hash: &str,
) -> anyhow::Result<Option<Recorded>> {
    match db::idempotency::find(pool, merchant_id, key.as_str()).await? {
        Some(row) => answer(row, request_hash),
        None => Ok(None),
    }
}

fn answer(
    row: db::idempotency::IdempotencyRow,
    request_hash: &str,
) -> anyhow::Result<Option<Recorded>> {
    if row.request_hash != request_hash {
        return Ok(Some(Recorded::Mismatch));
    }
    let (Some(status), Some(body)) = (row.response_status, row.response_body) else {
        return Ok(None);
    };
    let body = match row.payment_id {
        Some(id) => fill(&body, request_hash, id),
        None => body,
    };
    Ok(Some(Recorded::Replay {
        status: u16::try_from(status)?,
        body,
    }))
}

/// A 4xx a request answered, as its key's record keeps it.
struct Completed<'a> {
    fingerprint: &'a str,
    status: u16,
    body: &'a str,
}

/// Stores the answer (a 4xx) of a request that did not claim its key, if the key is still free;
/// false when another request holds it.
async fn store_answer(
    pool: &Pool,
    clock: &SharedClock,
    merchant_id: &str,
    key: &IdempotencyKey,
    answer: &Completed<'_>,
) -> anyhow::Result<bool> {
    let record = db::idempotency::Completed {
        merchant_id,
        key: key.as_str(),
        request_hash: answer.fingerprint,
        status: answer.status,
        body: answer.body,
    };
    let mut tx = pool.begin().await.context("failed to begin a transaction")?;
    match db::idempotency::insert_completed(&mut tx, &record, clock.now_ms()).await {
        Ok(()) => {
            tx.commit().await.context("failed to store an idempotent answer")?;
            Ok(true)
        }
        Err(err) => match db::violated_constraint(&err) {
            Some(db::Constraint::IdempotencyKey) => Ok(false),
            _ => Err(anyhow::Error::new(err).context("failed to store an idempotent answer")),
        },
    }
}

/// How a merchant API dialect words what the protocol refuses, and reads its own errors: a 4xx
/// is an answer (stored, and replayed to the same request); a 5xx is not, so a retry runs again.
/// The dialect gives this and its renderer; the protocol is the core's (`Payments::create_once`).
pub trait Refusal: From<PaymentError> + From<anyhow::Error> {
    /// The HTTP status.
    fn status(&self) -> u16;
    /// The JSON body, as sent and as stored for replays.
    fn body(&self) -> String;
    /// The key was used for a different request.
    fn key_reused(key: &IdempotencyKey) -> Self;
    /// A request with the key is still running.
    fn key_busy() -> Self;
}

/// A merchant's request to create a payment under an idempotency key.
pub struct KeyedRequest<'a> {
    pub merchant_id: &'a str,
    pub mode: Mode,
    pub key: &'a IdempotencyKey,
    /// The operation (`POST /v1/payments`) and the body's exact bytes: the request's fingerprint.
    pub route: &'a str,
    pub body: &'a [u8],
}

/// What a keyed request is answered: the response created now, or the first one again.
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// The first request's answer, sent again (`Idempotent-Replayed: true`).
    pub replayed: bool,
}

impl Payments {
    /// Creates a payment once per (merchant, idempotency key): the first request creates (its
    /// response, rendered once by `render`, is stored with the payment, in one statement or
    /// transaction), the same request again gets the same bytes, another request with the key is
    /// refused. A 4xx is an answer and is stored too; a 5xx is not, so the merchant's retry runs
    /// again.
    ///
    /// Requests with one key take turns in this process (`KeyLocks`). A payment that calls a
    /// provider at creation first looks for a stored answer, so a replay never opens a second
    /// provider session; then every payment is created with its record. Only if a record
    /// appeared meanwhile (a request in progress before a restart, or a checkout's insert that
    /// found the key taken) does this fall back to claiming the key in the database, which
    /// replays that request's answer or waits for it. On PostgreSQL, where other instances may
    /// hold the key, a provider-calling request claims first.
    pub async fn create_once<E: Refusal>(
        &self,
        request: &KeyedRequest<'_>,
        new: NewPayment,
        render: &RenderResponse<'_>,
    ) -> Result<Reply, E> {
        let KeyedRequest { merchant_id, key, .. } = *request;
        let fingerprint = fingerprint(request.route, request.body);
        let Some(_turn) = self.key_locks.lock(merchant_id, key).await else {
            return Err(E::key_busy());
        };
        // Instances sharing a PostgreSQL database do not see each other's turns: there, a request
        // that opens a provider session claims the key in the database first, so that a racing
        // request on another instance waits for its answer instead of opening a second session.
        let calls_provider = new.opens_provider_session();
        let claim_first = calls_provider && self.pool.backend() == db::Backend::Postgres;
        if calls_provider
            && !claim_first
            && let Some(recorded) =
                answered(&self.pool, merchant_id, key, &fingerprint).await?
        {
            return reply_from_record(key, recorded);
        }
        if !claim_first {
            match self.create_answered(request, new.clone(), render, &fingerprint, false).await {
                Ok(Some(reply)) => return Ok(reply),
                Ok(None) => {} // another request holds the key: see below
                Err(err) => {
                    let err = E::from(err);
                    if !is_client_error(err.status()) {
                        return Err(err);
                    }
                    let answer = Completed {
                        fingerprint: &fingerprint,
                        status: err.status(),
                        body: &err.body(),
                    };
                    if store_answer(&self.pool, &self.clock, merchant_id, key, &answer).await? {
                        return Err(err);
                    }
                }
            }
        }
        match claim(&self.pool, &self.clock, merchant_id, key, &fingerprint).await? {
            Claim::Owner => match self.create_answered(request, new, render, &fingerprint, true).await {
                Ok(Some(reply)) => Ok(reply),
                Ok(None) => Err(E::key_busy()),
                Err(err) => {
                    let err = E::from(err);
                    if is_client_error(err.status()) {
                        let (status, body) = (err.status(), err.body());
                        db::idempotency::complete(&self.pool, merchant_id, key.as_str(), status, &body)
                            .await?;
                    } else {
                        db::idempotency::release(&self.pool, merchant_id, key.as_str()).await?;
                    }
                    Err(err)
                }
            },
            Claim::Answered(recorded) => reply_from_record(key, recorded),
            Claim::StillRunning => Err(E::key_busy()),
        }
    }

    /// Creates the payment with its idempotency record and answer; `None` when another request
    /// took the key first, or (`claimed`) the claimed record no longer waits for this answer.
    async fn create_answered(
        &self,
        request: &KeyedRequest<'_>,
        new: NewPayment,
        render: &RenderResponse<'_>,
        fingerprint: &str,
        claimed: bool,
    ) -> Result<Option<Reply>, PaymentError> {
        let completion = Completion {
            key: request.key,
            render,
            fingerprint,
            claimed,
        };
        match self
            .create_with(request.merchant_id, request.mode, new, Some(completion))
            .await
        {
            Ok(created) => {
                let (status, body) = created.answer.context("a keyed payment without answer")?;
                Ok(Some(Reply {
                    status,
                    body,
                    replayed: false,
                }))
            }
            Err(PaymentError::Conflict(Conflict::IdempotencyKeyTaken)) => Ok(None),
            Err(err) => Err(err),
        }
    }
}

fn is_client_error(status: u16) -> bool {
    (400..500).contains(&status)
}

/// The reply for a key whose record answers: the stored bytes, or a refusal.
fn reply_from_record<E: Refusal>(key: &IdempotencyKey, recorded: Recorded) -> Result<Reply, E> {
    match recorded {
        Recorded::Replay { status, body } => Ok(Reply {
            status,
            body,
            replayed: true,
        }),
        Recorded::Mismatch => Err(E::key_reused(key)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_puts_the_id_in_both_spellings_and_nowhere_else() {
        let request = fingerprint("POST /v1/payments", br#"{"amount":5000}"#);
        let drawn = placeholder(&request);
        assert!(drawn.sequence() >= PLACEHOLDER_BASE, "{drawn}");
        assert_ne!(drawn, placeholder(&fingerprint("POST /v1/payments", b"{}")));
        let legacy = TransactionId::from_sequence(LEGACY_PLACEHOLDER);
        // The merchant's text spells the old placeholder: it stays as written.
        let template = format!(
            r#"{{"transactionId":"{drawn}","id":"{}","note":"{legacy} 42"}}"#,
            drawn.sahelpay()
        );
        assert_eq!(
            fill(&template, &request, 42),
            format!(r#"{{"transactionId":"TX000000042","id":"txn_000000000042","note":"{legacy} 42"}}"#)
        );
        // A SahelPay body spells only `txn_…`.
        let sahel = format!(r#"{{"id":"{}"}}"#, drawn.sahelpay());
        assert_eq!(fill(&sahel, &request, 7), r#"{"id":"txn_000000000007"}"#);
        // A record stored before placeholders were drawn is still filled.
        let old = format!(r#"{{"transactionId":"{legacy}","id":"{}"}}"#, legacy.sahelpay());
        assert_eq!(
            fill(&old, &request, 42),
            r#"{"transactionId":"TX000000042","id":"txn_000000000042"}"#
        );
    }
}
