//! Types of the payment domain, shared by the server and the browser bundle.
//!
//! Each is parsed once at the edge (API or page) and cannot hold an invalid value afterwards:
//! the core never sees a raw string where a `Country` or a `Money` belongs.

pub mod card;
pub mod country;
pub mod ids;
pub mod money;
pub mod provider;
pub mod status;
pub mod text;

#[cfg(feature = "ssr")]
pub mod msisdn;
#[cfg(feature = "ssr")]
pub mod url;

pub use card::{CardBins, CardBrand, CardDetails};
pub use country::Country;
pub use ids::TransactionId;
pub use money::{Currency, Money};
pub use provider::{ConfirmationFlow, ProviderCode};
pub use status::{AttemptStatus, IllegalTransition, PaymentEvent, PaymentStatus};

/// Why a value from outside could not become a domain value. `Display` is the French sentence
/// shown to the merchant or the customer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);

impl InvalidInput {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
