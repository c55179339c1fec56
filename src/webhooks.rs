//! Webhooks to merchants: events written to an outbox in the same transaction as the payment's
//! status change, signed per Standard Webhooks, delivered at least once by `delivery::run`.
//! The core hands `enqueue` the payment already in its merchant's dialect: this module knows no
//! dialect and no payment type.

pub mod delivery;
pub mod signing;

pub use crate::db::webhooks::Subject;
pub use crate::domain::{DeliveryStatus, EventType};

use crate::db::{self, Tx};
use crate::domain::EventId;
use crate::random;
use anyhow::Context;

/// An event to write: `data` is the payment (or payout) as its merchant's API dialect shows it.
pub struct NewEvent<'a> {
    /// What the event is about: a payment, or a payout.
    pub subject: Subject<'a>,
    pub merchant_id: &'a str,
    /// The payment's callback URL, else the merchant's default endpoint; `None`: nowhere to send.
    pub target: Option<&'a str>,
    pub kind: EventType,
    /// The refund the event is about, for refund events.
    pub refund_id: Option<&'a str>,
    pub data: serde_json::Value,
}

/// Writes the event, and its delivery to `target`, inside the caller's transaction.
pub async fn enqueue(tx: &mut Tx<'_>, event: NewEvent<'_>, now: i64) -> anyhow::Result<EventId> {
    let id = EventId::from_random(&random::alphanumeric(24));
    let body = serde_json::to_string(&serde_json::json!({
        "id": id,
        "type": event.kind.as_str(),
        "timestamp": crate::clock::iso8601(now),
        "data": event.data,
    }))
    .context("failed to serialize a webhook event")?;
    db::webhooks::insert_event(
        tx,
        id.as_str(),
        event.subject,
        event.merchant_id,
        event.kind,
        event.refund_id,
        &body,
        now,
    )
    .await?;
    if let Some(url) = event.target {
        let disabled = db::webhooks::endpoint_disabled(&mut *tx, event.merchant_id, url).await?;
        let status = if disabled {
            DeliveryStatus::Disabled
        } else {
            DeliveryStatus::Pending
        };
        db::webhooks::insert_delivery(&mut *tx, id.as_str(), url, status, now).await?;
    }
    Ok(id)
}

/// Sends a payment's latest event again (the same event id) to where it went, now. `None` when
/// the payment has no event yet, or nowhere to send one.
pub async fn redeliver_latest(
    pool: &db::Pool,
    payment_id: i64,
    now: i64,
) -> anyhow::Result<Option<(String, String)>> {
    let Some((event_id, url)) = db::webhooks::latest_event(pool, payment_id).await? else {
        return Ok(None);
    };
    db::webhooks::insert_delivery(pool, &event_id, &url, DeliveryStatus::Pending, now).await?;
    Ok(Some((event_id, url)))
}
