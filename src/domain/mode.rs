//! Where a payment comes from: test or live keys, the API dialect, who chooses the method.

crate::words! {
    /// Test keys reach the sandbox connectors and never move money; live keys reach the real ones.
    pub enum Mode: "mode" {
        Test = "test",
        Live = "live",
    }
}

crate::words! {
    /// The merchant API dialect a payment was created in: its webhooks speak the same dialect.
    pub enum Dialect: "dialect" {
        /// `POST /api/v1/payments/initiate` (camelCase, `TX…` ids), and the checkout page's demo
        /// shop.
        CaurisFlux = "caurisflux",
        /// `POST /v1/payments` (snake_case, upper-case statuses, `txn_…` ids).
        SahelPay = "sahelpay",
    }
}

crate::words! {
    /// `direct`: the merchant chose the provider; `checkout`: the customer chooses on Dalal's page.
    pub enum PaymentKind: "payment kind" {
        Direct = "direct",
        Checkout = "checkout",
    }
}
