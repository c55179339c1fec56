//! Typed payments and attempts, read from their rows once.

use crate::db::{attempts::AttemptRow, payments::PaymentRow, refunds::RefundRow};
use crate::domain::msisdn::Msisdn;
use crate::domain::url::HttpUrl;
use crate::domain::{AttemptId, RefundId, AttemptStatus, CardBrand, Country, Currency, FailureCode, Money, PaymentStatus, ProviderCode,
    RefundStatus, TransactionId,};
use anyhow::Context;
use std::collections::BTreeMap;

pub use crate::domain::Mode;

pub use crate::domain::{Dialect, PaymentKind};

impl NewPayment {
    /// Whether creating it asks the provider at once, before anything is stored: a direct Wave
    /// or Orange Money payment (the answer carries the QR code), or a CaurisFlux `type: direct`
    /// payment with a USSD-push provider (the push goes to `customerPhone`). A SahelPay payment
    /// with a push method is an intention the customer confirms on the checkout page.
    pub fn opens_provider_session(&self) -> bool {
        use crate::domain::ConfirmationFlow;
        match &self.kind {
            NewPaymentKind::Direct { provider, .. } => match provider.flow() {
                ConfirmationFlow::QrCode => true,
                ConfirmationFlow::UssdPush => self.dialect == Dialect::CaurisFlux,
                ConfirmationFlow::Card => false,
            },
            NewPaymentKind::Card { .. } | NewPaymentKind::Checkout { .. } => false,
        }
    }
}

#[derive(Clone)]
pub enum NewPaymentKind {
    Direct {
        provider: ProviderCode,
        country: Country,
        phone: Msisdn,
    },
    /// A card payment: the customer types the card on the checkout page. `brand` is the one
    /// the merchant asked for (SahelPay's VISA, MASTERCARD, GIM_UEMOA), if any.
    Card {
        country: Option<Country>,
        brand: Option<CardBrand>,
    },
    Checkout {
        country: Option<Country>,
        phone: Option<Msisdn>,
    },
}

/// A payment to create, already parsed from either dialect.
#[derive(Clone)]
pub struct NewPayment {
    pub dialect: Dialect,
    pub kind: NewPaymentKind,
    pub amount: Money,
    pub external_reference: String,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub description: Option<String>,
    pub callback_url: Option<HttpUrl>,
    pub return_url: Option<HttpUrl>,
    pub cancel_url: Option<HttpUrl>,
    /// The merchant's `metadata` object, kept as the exact JSON text it sent.
    pub metadata: Option<String>,
    /// How long the customer has to pay, when not the configured default (payment links).
    pub expires_in_secs: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Payment {
    pub id: TransactionId,
    pub merchant_id: String,
    pub mode: Mode,
    pub dialect: Dialect,
    pub checkout_token: String,
    pub kind: PaymentKind,
    pub status: PaymentStatus,
    pub amount: Money,
    pub country: Option<Country>,
    pub provider: Option<ProviderCode>,
    pub customer_phone: Option<Msisdn>,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub description: Option<String>,
    pub external_reference: String,
    pub callback_url: Option<String>,
    pub return_url: Option<String>,
    pub cancel_url: Option<String>,
    pub metadata: Option<String>,
    /// The card brand the merchant asked for, on card payments.
    pub card_brand: Option<CardBrand>,
    /// The method the payment was last tried with.
    pub method: Option<ProviderCode>,
    pub failed_attempts: i64,
    pub status_reason: Option<String>,
    pub expires_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl TryFrom<PaymentRow> for Payment {
    type Error = anyhow::Error;

    fn try_from(r: PaymentRow) -> anyhow::Result<Self> {
        Ok(Self {
            id: TransactionId::from_sequence(r.id),
            mode: r.mode,
            dialect: r.dialect,
            kind: r.kind,
            status: r.status,
            amount: Money::new(r.amount, r.currency).map_err(|e| anyhow::anyhow!("{e}"))?,
            country: r.country,
            provider: r.provider,
            customer_phone: r.customer_phone.map(Msisdn::from_trusted),
            merchant_id: r.merchant_id,
            checkout_token: r.checkout_token,
            customer_name: r.customer_name,
            customer_email: r.customer_email,
            description: r.description,
            external_reference: r.external_reference,
            callback_url: r.callback_url,
            return_url: r.return_url,
            cancel_url: r.cancel_url,
            metadata: r.metadata,
            card_brand: r.card_brand,
            method: r.method,
            failed_attempts: r.failed_attempts,
            status_reason: r.status_reason,
            expires_at: r.expires_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// One call to a provider for a payment.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub id: AttemptId,
    pub payment_id: i64,
    pub provider: ProviderCode,
    pub status: AttemptStatus,
    pub provider_reference: Option<String>,
    pub provider_status: Option<String>,
    pub customer_phone: Option<Msisdn>,
    pub launch_url: Option<String>,
    pub deep_links: BTreeMap<String, String>,
    pub failure_code: Option<FailureCode>,
    /// The failure as the customer read it in French when it happened.
    pub failure_message: Option<String>,
    pub created_at: i64,
    /// The gateway that served the attempt and why it was chosen (smart routing).
    pub gateway: Option<String>,
    pub routing_reason: Option<String>,
    /// The card an attempt was paid with: brand and last four digits, nothing more.
    pub card: Option<(CardBrand, String)>,
}

impl TryFrom<AttemptRow> for Attempt {
    type Error = anyhow::Error;

    fn try_from(r: AttemptRow) -> anyhow::Result<Self> {
        Ok(Self {
            provider: r.provider,
            status: r.status,
            deep_links: match r.deep_links.as_deref() {
                Some(json) => serde_json::from_str(json).context("corrupt deep links")?,
                None => BTreeMap::new(),
            },
            customer_phone: r.customer_phone.map(Msisdn::from_trusted),
            id: r.id,
            payment_id: r.payment_id,
            provider_reference: r.provider_reference,
            provider_status: r.provider_status,
            launch_url: r.launch_url,
            failure_code: r.failure_code,
            failure_message: r.failure_message,
            created_at: r.created_at,
            gateway: r.gateway,
            routing_reason: r.routing_reason,
            card: r.card_brand.zip(r.card_last4),
        })
    }
}

/// A refund of (part of) a succeeded payment.
#[derive(Debug, Clone)]
pub struct Refund {
    pub id: RefundId,
    pub payment_id: i64,
    pub amount: Money,
    pub reason: Option<String>,
    pub status: RefundStatus,
    pub provider_reference: Option<String>,
    pub failure_code: Option<FailureCode>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Refund {
    pub fn from_row(r: RefundRow, currency: Currency) -> anyhow::Result<Self> {
        Ok(Self {
            amount: Money::new(r.amount, currency).map_err(|e| anyhow::anyhow!("{e}"))?,
            status: r.status,
            failure_code: r.failure_code,
            id: r.id,
            payment_id: r.payment_id,
            reason: r.reason,
            provider_reference: r.provider_reference,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// What has been refunded of a payment: its succeeded refunds.
pub fn refunded_amount(refunds: &[Refund]) -> i64 {
    refunds
        .iter()
        .filter(|r| r.status == RefundStatus::Succeeded)
        .map(|r| r.amount.minor())
        .sum()
}
