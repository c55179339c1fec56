//! Types of the payment domain, shared by the server and the browser bundle.
//!
//! Each is parsed once at the edge (API or page) and cannot hold an invalid value afterwards:
//! the core never sees a raw string where a `Country` or a `Money` belongs.

pub mod card;
pub mod country;
pub mod failure;
pub mod fields;
pub mod ids;
pub mod mode;
pub mod money;
pub mod payout;
pub mod provider;
pub mod refund;
pub mod status;
pub mod text;

#[cfg(feature = "ssr")]
pub mod msisdn;
#[cfg(feature = "ssr")]
pub mod url;
pub mod webhook;
pub mod words;

pub use card::{CardBins, CardBrand, CardDetails};
pub use country::Country;
pub use failure::{Failure, FailureCode};
pub use ids::{AttemptId, EventId, PayoutBatchId, PayoutId, RefundId, TransactionId};
pub use mode::{Dialect, Mode, PaymentKind};
pub use money::{Currency, Money};
pub use payout::{PayoutApproval, PayoutFailed, PayoutFailure, PayoutStatus};
pub use provider::{ConfirmationFlow, ProviderCode, Unavailable, Via};
pub use refund::{RefundStatus, RefundSupport};
pub use status::{AttemptStatus, IllegalTransition, PaymentEvent, PaymentStatus};
pub use webhook::{DeliveryStatus, EventType};
pub use words::Word;

/// Why a value from outside could not become a domain value. `Display` is the French sentence
/// (the merchant API speaks French); what the checkout page can show a customer also has an
/// English sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{fr}")]
pub struct InvalidInput {
    fr: String,
    en: Option<String>,
}

impl InvalidInput {
    /// A problem only a merchant's API request can have: French only, like the API.
    pub fn new(fr: impl Into<String>) -> Self {
        Self {
            fr: fr.into(),
            en: None,
        }
    }

    /// A problem a customer can meet on the checkout page: French and English.
    pub fn bilingual(fr: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            fr: fr.into(),
            en: Some(en.into()),
        }
    }

    pub fn fr(&self) -> &str {
        &self.fr
    }

    /// The English sentence (the French one for API-only problems).
    pub fn en(&self) -> &str {
        self.en.as_deref().unwrap_or(&self.fr)
    }
}
