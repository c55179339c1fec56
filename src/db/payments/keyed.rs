//! A payment inserted with its idempotency record (and, for a direct payment whose provider
//! session opened first, its first attempt) in one statement.

use super::*;
use crate::db::Backend;

/// An idempotent request's record, stored with its payment by `insert_keyed`.
pub struct KeyedResponse<'a> {
    pub key: &'a str,
    pub request_hash: &'a str,
    /// The request claimed the key before (`db::idempotency::try_insert`): its record is
    /// completed rather than inserted (PostgreSQL only).
    pub claimed: bool,
    pub status: u16,
    /// The response with a placeholder transaction id (`payments::idempotency::fill`).
    pub body_template: &'a str,
}

/// The first attempt of a direct payment whose provider session opened before the payment was
/// stored, inserted by `insert_keyed` with it. Its provider and payer's phone are the payment's.
pub struct KeyedAttempt<'a> {
    pub id: &'a crate::domain::AttemptId,
    /// The payment's provider.
    pub provider: ProviderCode,
    pub session: super::super::attempts::Session<'a>,
    pub next_check_at: i64,
    /// Why the payment is created `processing` rather than `pending` (a push already on the
    /// customer's phone): its status reason and its transition's.
    pub processing_because: Option<&'a str>,
}

impl KeyedAttempt<'_> {
    /// The row the database stores for this attempt of `payment` (its defaults filled in).
    pub fn stored_as(&self, payment: &PaymentRow) -> super::super::attempts::AttemptRow {
        let s = &self.session;
        super::super::attempts::AttemptRow {
            id: self.id.clone(),
            payment_id: payment.id,
            provider: self.provider,
            status: s.status,
            provider_reference: Some(s.provider_reference.to_owned()),
            provider_status: Some(s.provider_status.to_owned()),
            customer_phone: payment.customer_phone.clone(),
            launch_url: s.launch_url.map(str::to_owned),
            deep_links: s.deep_links.map(str::to_owned),
            failure_code: None,
            failure_message: None,
            next_check_at: Some(self.next_check_at),
            created_at: payment.created_at,
            updated_at: payment.created_at,
            gateway: Some(s.gateway.to_owned()),
            routing_reason: Some(s.routing_reason.to_owned()),
            card_brand: None,
            card_last4: None,
        }
    }
}

/// Inserts a payment, its idempotency record and, for a direct payment whose provider session is
/// open, its first attempt, in one statement (`Backend::insert_keyed_payment`; on SQLite, through
/// the `Writer`, committed with the concurrent requests' ones). Returns the payment's id once it
/// is committed. A key some request already holds fails it as a unique violation, and nothing
/// is stored. A `claimed` key's record is completed instead (`Backend::insert_claimed_payment`):
/// `None`, and nothing stored, when it no longer waits for an answer to this request.
pub async fn insert_keyed(
    pool: &Pool,
    p: &NewPaymentRow<'_>,
    keyed: &KeyedResponse<'_>,
    attempt: Option<&KeyedAttempt<'_>>,
) -> Result<Option<i64>, sqlx::Error> {
    let session = attempt.map(|a| &a.session);
    let values = Values::default()
        .text(p.merchant_id)
        .text(p.mode.as_str())
        .text(p.checkout_token)
        .text(p.kind.as_str())
        .text(p.status.as_str())
        .integer(p.amount)
        .text(p.currency.code())
        .text(p.country.map(|c| c.code()))
        .text(p.provider.map(|c| c.code()))
        .text(p.customer_phone)
        .text(p.customer_name)
        .text(p.customer_email)
        .text(p.description)
        .text(p.external_reference)
        .text(p.callback_url)
        .text(p.return_url)
        .text(p.cancel_url)
        .text(p.metadata)
        .integer(p.expires_at)
        .integer(p.created_at)
        .text(p.card_brand.map(|b| b.code()))
        .text(p.dialect.as_str())
        .text(p.method.map(|m| m.code()))
        .text(keyed.key)
        .text(keyed.request_hash)
        .integer(i64::from(keyed.status))
        .text(keyed.body_template)
        .text(attempt.map(|a| a.id.as_str()))
        .text(session.map(|s| s.status.as_str()))
        .text(session.map(|s| s.provider_reference))
        .text(session.map(|s| s.provider_status))
        .text(session.and_then(|s| s.launch_url))
        .text(session.and_then(|s| s.deep_links))
        .integer(attempt.map(|a| a.next_check_at))
        .text(session.map(|s| s.gateway))
        .text(session.map(|s| s.routing_reason))
        .text(attempt.and_then(|a| a.processing_because));
    let id = match pool {
        Pool::Sqlite(_, writer) => {
            if keyed.claimed {
                return Err(sqlx::Error::Protocol(
                    "a claimed key is completed in a transaction on SQLite".into(),
                ));
            }
            let rows = writer.write(Backend::Sqlite.insert_keyed_payment(), values).await?;
            Some(rows.first().ok_or(sqlx::Error::RowNotFound)?.try_get(0)?)
        }
        Pool::Postgres(pool) => {
            let sql = match keyed.claimed {
                true => Backend::Postgres.insert_claimed_payment(),
                false => Backend::Postgres.insert_keyed_payment(),
            };
            sqlx::query_scalar_with(sql, values.postgres()?)
                .fetch_optional(pool)
                .await?
        }
    };
    Ok(id)
}
