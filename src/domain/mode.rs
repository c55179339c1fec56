//! Where a payment comes from: test or live keys, the API dialect, who chooses the method.

/// Test keys reach the sandbox connectors and never move money; live keys reach the real ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Test,
    Live,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "test" => Some(Mode::Test),
            "live" => Some(Mode::Live),
            _ => None,
        }
    }
}

/// The merchant API dialect a payment was created in: its webhooks speak the same dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `POST /api/v1/payments/initiate` (camelCase, `TX…` ids), and the checkout page's demo shop.
    CaurisFlux,
    /// `POST /v1/payments` (snake_case, upper-case statuses, `txn_…` ids).
    SahelPay,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::CaurisFlux => "caurisflux",
            Dialect::SahelPay => "sahelpay",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "caurisflux" => Some(Dialect::CaurisFlux),
            "sahelpay" => Some(Dialect::SahelPay),
            _ => None,
        }
    }
}

/// `direct`: the merchant chose the provider; `checkout`: the customer chooses on Dalal's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentKind {
    Direct,
    Checkout,
}

impl PaymentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentKind::Direct => "direct",
            PaymentKind::Checkout => "checkout",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "direct" => Some(PaymentKind::Direct),
            "checkout" => Some(PaymentKind::Checkout),
            _ => None,
        }
    }
}
