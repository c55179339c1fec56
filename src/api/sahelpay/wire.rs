//! What the SahelPay dialect sends: the seed's `data` object for a payment (responses and
//! webhook events alike).

use crate::domain::{CardBrand, ProviderCode};
use crate::payments::{Attempt, Payment, Refund, refunded_amount};
use crate::{clock, routes};
use crate::api::dialect::{PageShape, PaymentShape, RefundShape};
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

/// The method's name in SahelPay's vocabulary (for cards, the brand the merchant asked for).
pub fn method_name(provider: ProviderCode, brand: Option<CardBrand>) -> &'static str {
    match provider {
        ProviderCode::OrangeMoney => "ORANGE_MONEY",
        ProviderCode::Wave => "WAVE",
        ProviderCode::MoovMoney => "MOOV",
        ProviderCode::FreeMoney => "FREE_MONEY",
        ProviderCode::MtnMomo => "MTN_MOMO",
        ProviderCode::Card => match brand {
            None => "CARD",
            Some(CardBrand::Visa) => "VISA",
            Some(CardBrand::Mastercard) => "MASTERCARD",
            Some(CardBrand::GimUemoa) => "GIM_UEMOA",
        },
    }
}

/// A payment: the seed's `data` object.
#[derive(Serialize, ToSchema)]
#[schema(as = sahelpay::Payment)]
pub struct PaymentData {
    #[schema(example = "txn_000000000042")]
    id: String,
    /// PENDING, PROCESSING, SUCCEEDED, FAILED, CANCELLED or EXPIRED.
    #[schema(example = "PENDING")]
    status: String,
    amount: i64,
    #[schema(value_type = String, example = "XOF")]
    currency: &'static str,
    #[schema(value_type = Option<String>, example = "ORANGE_MONEY")]
    payment_method: Option<&'static str>,
    /// The card paid with (brand and last four digits), once the customer has typed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    card: Option<CardData>,
    redirect_url: String,
    gateway_used: Option<String>,
    routing_reason: Option<String>,
    client_reference: String,
    #[schema(value_type = Option<Object>)]
    metadata: Option<Box<RawValue>>,
    expires_at: String,
    created_at: String,
    /// Dalal's extension: what the succeeded refunds add up to, and every refund.
    refunded_amount: i64,
    refunds: Vec<RefundData>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = sahelpay::Card)]
struct CardData {
    #[schema(value_type = String, example = "VISA")]
    brand: &'static str,
    last4: String,
}

impl PaymentShape for PaymentData {
    /// The payment in the seed's shape (snake_case, upper-case status, `txn_…` id).
    fn new(
        public_url: &str,
        payment: &Payment,
        attempt: Option<&Attempt>,
        refunds: &[Refund],
    ) -> anyhow::Result<Self> {
        let provider = attempt.map(|a| a.provider).or(payment.provider);
        let card = attempt
            .and_then(|a| a.card.as_ref())
            .map(|(brand, last4)| CardData {
                brand: method_name(ProviderCode::Card, Some(*brand)),
                last4: last4.clone(),
            });
        Ok(PaymentData {
            id: payment.id.sahelpay(),
            status: payment.status.as_str().to_ascii_uppercase(),
            amount: payment.amount.minor(),
            currency: payment.amount.currency().code(),
            payment_method: provider.map(|p| method_name(p, payment.card_brand)),
            card,
            redirect_url: routes::absolute(public_url, &routes::checkout(&payment.checkout_token)),
            gateway_used: attempt.and_then(|a| a.gateway.clone()),
            routing_reason: attempt.and_then(|a| a.routing_reason.clone()),
            client_reference: payment.external_reference.clone(),
            metadata: payment
                .metadata
                .clone()
                .map(RawValue::from_string)
                .transpose()?,
            expires_at: clock::iso8601(payment.expires_at),
            created_at: clock::iso8601(payment.created_at),
            refunded_amount: refunded_amount(refunds),
            refunds: refunds
                .iter()
                .map(|r| RefundData::new(payment, r))
                .collect(),
        })
    }
}

/// A refund (`POST /v1/payments/{id}/refunds`, `refund.*` events).
#[derive(Serialize, ToSchema)]
#[schema(as = sahelpay::Refund)]
pub struct RefundData {
    id: String,
    payment_id: String,
    amount: i64,
    #[schema(value_type = String)]
    currency: &'static str,
    /// PENDING, SUCCEEDED or FAILED.
    status: String,
    reason: Option<String>,
    #[schema(value_type = Option<String>)]
    failure_code: Option<&'static str>,
    created_at: String,
    updated_at: String,
}

impl RefundShape for RefundData {
    fn new(payment: &Payment, refund: &Refund) -> Self {
        Self {
            id: refund.id.to_string(),
            payment_id: payment.id.sahelpay(),
            amount: refund.amount.minor(),
            currency: refund.amount.currency().code(),
            status: refund.status.as_str().to_ascii_uppercase(),
            reason: refund.reason.clone(),
            failure_code: refund.failure_code.map(|c| c.as_str()),
            created_at: clock::iso8601(refund.created_at),
            updated_at: clock::iso8601(refund.updated_at),
        }
    }
}

/// `pagination` of a listing.
#[derive(Serialize, ToSchema)]
#[schema(as = sahelpay::Pagination)]
pub struct Pagination {
    pub has_more: bool,
    /// Pass it as `starting_after` for the next page (`null` on the last one).
    pub next_starting_after: Option<String>,
}

/// `GET /v1/payments`: a page of payments, newest first.
#[derive(Serialize, ToSchema)]
#[schema(as = sahelpay::PaymentList)]
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
#[schema(as = sahelpay::PaymentResponse)]
#[allow(dead_code)] // documents the envelope `api::success_body` writes
pub struct PaymentResponse {
    success: bool,
    data: PaymentData,
}

/// `{"success": true, "data": refund}`.
#[derive(ToSchema)]
#[schema(as = sahelpay::RefundResponse)]
#[allow(dead_code)]
pub struct RefundResponse {
    success: bool,
    data: RefundData,
}
