//! Webhooks to merchants: events written to an outbox in the same transaction as the payment's
//! status change, signed per Standard Webhooks, delivered at least once by `delivery::run`.

pub mod delivery;
pub mod signing;

use crate::db::{self, Tx};
use crate::domain::PaymentStatus;
use crate::random;
use anyhow::Context;

/// The event type for a status a merchant cares about; `None` for intermediate ones.
pub fn event_type(status: PaymentStatus) -> Option<&'static str> {
    match status {
        PaymentStatus::Succeeded => Some("payment.succeeded"),
        PaymentStatus::Failed => Some("payment.failed"),
        PaymentStatus::Cancelled => Some("payment.cancelled"),
        PaymentStatus::Expired => Some("payment.expired"),
        PaymentStatus::Pending | PaymentStatus::Processing => None,
    }
}

/// Writes the event for a payment that just reached `status`, and its delivery to the payment's
/// `callbackUrl`, inside the caller's transaction. `data` is the payment as the API returns it.
pub async fn enqueue(
    tx: &mut Tx<'_>,
    payment_id: i64,
    merchant_id: &str,
    callback_url: Option<&str>,
    status: PaymentStatus,
    data: serde_json::Value,
    now: i64,
) -> anyhow::Result<Option<String>> {
    let Some(kind) = event_type(status) else {
        return Ok(None);
    };
    let id = format!("evt_{}", random::alphanumeric(24));
    let body = serde_json::to_string(&serde_json::json!({
        "id": id,
        "type": kind,
        "timestamp": crate::clock::iso8601(now),
        "data": data,
    }))
    .context("failed to serialize a webhook event")?;
    db::webhooks::insert_event(tx, &id, payment_id, merchant_id, kind, &body, now).await?;
    if let Some(url) = callback_url {
        let disabled = db::webhooks::endpoint_disabled(&mut **tx, merchant_id, url).await?;
        let status = if disabled { "disabled" } else { "pending" };
        db::webhooks::insert_delivery(&mut **tx, &id, url, status, now).await?;
    }
    Ok(Some(id))
}
