//! Pages: the demo shop, the hosted checkout, the merchant dashboard. (The sandbox's phone and
//! bank pages are the sandbox wing's own.)

pub mod checkout;
pub mod dashboard;
pub mod shop;

