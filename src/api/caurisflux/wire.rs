//! What the CaurisFlux dialect sends: the seed's `data` object for a payment (responses and
//! webhook events alike), the provider catalogue and webhook delivery listings.

use crate::domain::{ConfirmationFlow, Country};
use crate::payments::{Attempt, Payment, Refund, refunded_amount};
use crate::{clock, qr, routes};
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// The seed's `data` object.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentData {
    transaction_id: String,
    status: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    amount: i64,
    currency: &'static str,
    payment_method: Option<PaymentMethod>,
    country: Option<&'static str>,
    redirect_url: String,
    external_reference: String,
    expires_at: String,
    created_at: String,
    metadata: Option<Box<RawValue>>,
    qr_code: Option<String>,
    deep_links: Option<BTreeMap<String, String>>,
    /// Dalal's extension: what the succeeded refunds add up to, and every refund.
    refunded_amount: i64,
    refunds: Vec<RefundData>,
}

/// A refund (`POST /api/v1/payments/{transactionId}/refunds`, `refund.*` events).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundData {
    refund_id: String,
    transaction_id: String,
    amount: i64,
    currency: &'static str,
    status: &'static str,
    reason: Option<String>,
    failure_code: Option<&'static str>,
    created_at: String,
    updated_at: String,
}

impl RefundData {
    pub fn new(payment: &Payment, refund: &Refund) -> Self {
        Self {
            refund_id: refund.id.clone(),
            transaction_id: payment.id.to_string(),
            amount: refund.amount.minor(),
            currency: refund.amount.currency().code(),
            status: refund.status.as_str(),
            reason: refund.reason.clone(),
            failure_code: refund.failure_code.map(|c| c.as_str()),
            created_at: clock::iso8601(refund.created_at),
            updated_at: clock::iso8601(refund.updated_at),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentMethod {
    code: &'static str,
    name: &'static str,
    logo_url: String,
    /// Card payments: the card's brand (`visa`, `mastercard`, `gim_uemoa`) and last four digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    card_brand: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_last4: Option<String>,
}

impl PaymentData {
    /// The payment in the seed's shape; `public_url` is the base of its absolute URLs.
    pub fn new(
        public_url: &str,
        payment: &Payment,
        attempt: Option<&Attempt>,
        refunds: &[Refund],
    ) -> anyhow::Result<Self> {
        let method = attempt.map(|a| a.provider).or(payment.provider).map(|p| {
            let card = attempt.and_then(|a| a.card.clone());
            PaymentMethod {
                code: p.code(),
                name: p.name(),
                logo_url: routes::absolute(public_url, &routes::logo(p)),
                card_brand: card
                    .as_ref()
                    .map(|(b, _)| b.code())
                    .or(payment.card_brand.map(|b| b.code())),
                card_last4: card.map(|(_, last4)| last4),
            }
        });
        let open_qr =
            attempt.filter(|a| a.status.is_open() && a.provider.flow() == ConfirmationFlow::QrCode);
        let qr_code = open_qr
            .and_then(|a| a.launch_url.as_deref())
            .map(qr::svg_data_uri)
            .transpose()?;
        let deep_links = open_qr
            .map(|a| a.deep_links.clone())
            .filter(|l| !l.is_empty());
        let metadata = payment
            .metadata
            .clone()
            .map(RawValue::from_string)
            .transpose()?;
        Ok(Self {
            transaction_id: payment.id.to_string(),
            status: payment.status.as_str(),
            kind: "collect",
            amount: payment.amount.minor(),
            currency: payment.amount.currency().code(),
            payment_method: method,
            country: payment.country.map(Country::code),
            redirect_url: routes::absolute(public_url, &routes::checkout(&payment.checkout_token)),
            external_reference: payment.external_reference.clone(),
            expires_at: clock::iso8601(payment.expires_at),
            created_at: clock::iso8601(payment.created_at),
            metadata,
            qr_code,
            deep_links,
            refunded_amount: refunded_amount(refunds),
            refunds: refunds
                .iter()
                .map(|r| RefundData::new(payment, r))
                .collect(),
        })
    }
}

/// One provider of `GET /api/v1/payments/providers`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub logo_url: String,
    pub countries: Vec<&'static str>,
    pub currency: &'static str,
    pub min_amount: i64,
    pub max_amount: i64,
    pub confirmation: ConfirmationFlow,
    pub available: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable_reason: Option<String>,
}

/// One delivery of `GET /api/v1/payments/{transactionId}/webhooks`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    pub status: String,
    pub created_at: String,
    pub attempts: Vec<WebhookAttempt>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAttempt {
    pub at: String,
    pub http_status: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub next_retry_at: Option<String>,
}

/// `pagination` of a listing.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub has_more: bool,
    /// Pass it as `startingAfter` for the next page (`null` on the last one).
    pub next_starting_after: Option<String>,
}

/// `GET /api/v1/payments`: a page of payments, newest first.
#[derive(Serialize)]
pub struct PaymentList {
    pub success: bool,
    pub data: Vec<PaymentData>,
    pub pagination: Pagination,
}
