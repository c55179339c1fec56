//! Pages: the demo shop, the hosted checkout, the merchant dashboard, and (server only) the
//! sandbox's phone and bank.

pub mod checkout;
pub mod dashboard;
pub mod shop;

#[cfg(feature = "ssr")]
pub mod sandbox;
