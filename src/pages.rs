//! Pages: the demo shop and the hosted checkout.

pub mod checkout;
pub mod shop;
