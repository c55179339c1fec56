//! What the CaurisFlux dialect sends: the seed's `data` object for a payment (responses and
//! webhook events alike), the provider catalogue and webhook delivery listings.

use crate::domain::{ConfirmationFlow, Country};
use crate::payments::{Attempt, Payment, Refund, refunded_amount};
use crate::{clock, routes};
use crate::api::dialect::{PageShape, PaymentShape, RefundShape};
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A payment: the seed's `data` object.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = caurisflux::Payment)]
pub struct PaymentData {
    /// `TX` and nine digits.
    #[schema(example = "TX000000042")]
    transaction_id: String,
    #[schema(value_type = String, example = "pending")]
    /// pending, processing, succeeded, failed, cancelled or expired.
    status: &'static str,
    #[serde(rename = "type")]
    #[schema(value_type = String, example = "collect")]
    kind: &'static str,
    /// In the currency's smallest unit (XOF, XAF and GNF have no decimals).
    #[schema(example = 10000)]
    amount: i64,
    #[schema(value_type = String, example = "XOF")]
    currency: &'static str,
    payment_method: Option<PaymentMethod>,
    #[schema(value_type = Option<String>, example = "SN")]
    country: Option<&'static str>,
    /// The hosted checkout page to send the customer to.
    redirect_url: String,
    external_reference: String,
    expires_at: String,
    created_at: String,
    /// The merchant's `metadata`, exactly as sent.
    #[schema(value_type = Option<Object>)]
    metadata: Option<Box<RawValue>>,
    /// Direct Wave / Orange Money payments: the URL of the QR code, a PNG image (put it in an
    /// `<img src>`; it never changes, cache it).
    qr_code: Option<String>,
    /// Direct Wave / Orange Money payments: app links by app.
    deep_links: Option<BTreeMap<String, String>>,
    /// Dalal's extension: what the succeeded refunds add up to, and every refund.
    refunded_amount: i64,
    refunds: Vec<RefundData>,
}

/// A refund (`POST /api/v1/payments/{transactionId}/refunds`, `refund.*` events).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = caurisflux::Refund)]
pub struct RefundData {
    #[schema(example = "rf_4f9a2c0d1e7b3a5c6d8e0f1a")]
    refund_id: String,
    transaction_id: String,
    amount: i64,
    #[schema(value_type = String)]
    currency: &'static str,
    /// pending, succeeded or failed.
    #[schema(value_type = String, example = "succeeded")]
    status: &'static str,
    reason: Option<String>,
    /// Why it failed: insufficient-funds, unavailable, …
    #[schema(value_type = Option<String>)]
    failure_code: Option<&'static str>,
    created_at: String,
    updated_at: String,
}

impl RefundShape for RefundData {
    fn new(payment: &Payment, refund: &Refund) -> Self {
        Self {
            refund_id: refund.id.to_string(),
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

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = caurisflux::PaymentMethod)]
struct PaymentMethod {
    #[schema(value_type = String, example = "wave")]
    code: &'static str,
    #[schema(value_type = String, example = "Wave")]
    name: &'static str,
    logo_url: String,
    /// Card payments: the card's brand (`visa`, `mastercard`, `gim_uemoa`) and last four digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    card_brand: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_last4: Option<String>,
}

impl PaymentShape for PaymentData {
    /// The payment in the seed's shape; `public_url` is the base of its absolute URLs.
    fn new(
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
        // A link to the image, drawn when someone shows it (`qr::image`): creating a payment
        // does no image work, and the answer (kept whole in its idempotency record) stays small.
        let qr_code = open_qr
            .filter(|a| a.launch_url.is_some())
            .map(|a| routes::absolute(public_url, &routes::qr(a.id.as_str())));
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
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = caurisflux::Provider)]
pub struct ProviderInfo {
    #[schema(value_type = String, example = "wave")]
    pub code: &'static str,
    #[schema(value_type = String)]
    pub name: &'static str,
    pub logo_url: String,
    #[schema(value_type = Vec<String>)]
    pub countries: Vec<&'static str>,
    #[schema(value_type = String)]
    pub currency: &'static str,
    pub min_amount: i64,
    pub max_amount: i64,
    /// qr_code, ussd_push or card.
    #[schema(value_type = String, example = "qr_code")]
    pub confirmation: ConfirmationFlow,
    pub available: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable_reason: Option<String>,
}

/// One delivery of `GET /api/v1/payments/{transactionId}/webhooks`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = caurisflux::WebhookDelivery)]
pub struct WebhookDelivery {
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    pub status: String,
    pub created_at: String,
    pub attempts: Vec<WebhookAttempt>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = caurisflux::WebhookAttempt)]
pub struct WebhookAttempt {
    pub at: String,
    pub http_status: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub next_retry_at: Option<String>,
}

/// `pagination` of a listing.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = caurisflux::Pagination)]
pub struct Pagination {
    pub has_more: bool,
    /// Pass it as `startingAfter` for the next page (`null` on the last one).
    pub next_starting_after: Option<String>,
}

/// `GET /api/v1/payments`: a page of payments, newest first.
#[derive(Serialize, ToSchema)]
#[schema(as = caurisflux::PaymentList)]
pub struct PaymentList {
    pub success: bool,
    pub data: Vec<PaymentData>,
    pub pagination: Pagination,
}

impl PageShape<PaymentData> for PaymentList {
    fn new(data: Vec<PaymentData>, has_more: bool, next_starting_after: Option<String>) -> Self {
        PaymentList {
            success: true,
            data,
            pagination: Pagination {
                has_more,
                next_starting_after,
            },
        }
    }
}

/// `{"success": true, "data": payment}`.
#[derive(ToSchema)]
#[schema(as = caurisflux::PaymentResponse)]
#[allow(dead_code)] // documents the envelope `api::success_body` writes
pub struct PaymentResponse {
    success: bool,
    data: PaymentData,
}

/// `{"success": true, "data": refund}`.
#[derive(ToSchema)]
#[schema(as = caurisflux::RefundResponse)]
#[allow(dead_code)]
pub struct RefundResponse {
    success: bool,
    data: RefundData,
}

/// `{"success": true, "data": [provider…]}`.
#[derive(ToSchema)]
#[schema(as = caurisflux::ProviderList)]
#[allow(dead_code)]
pub struct ProviderList {
    success: bool,
    data: Vec<ProviderInfo>,
}

/// `{"success": true, "data": [delivery…]}`.
#[derive(ToSchema)]
#[schema(as = caurisflux::WebhookDeliveryList)]
#[allow(dead_code)]
pub struct WebhookDeliveryList {
    success: bool,
    data: Vec<WebhookDelivery>,
}

/// The event sent again.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = caurisflux::Redelivery)]
pub struct Redelivery {
    pub event_id: String,
    pub url: String,
}

/// `{"success": true, "data": {eventId, url}}`.
#[derive(ToSchema)]
#[schema(as = caurisflux::RedeliveryResponse)]
#[allow(dead_code)]
pub struct RedeliveryResponse {
    success: bool,
    data: Redelivery,
}
