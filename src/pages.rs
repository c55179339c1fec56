//! Pages: the demo shop, the hosted checkout, and (server only) the sandbox's phone and bank.

pub mod checkout;
pub mod shop;

#[cfg(feature = "ssr")]
pub mod sandbox;
