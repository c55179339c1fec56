//! What the checkout page shows, as plain data: the server presenter fills it, the components
//! render it (on the server, then again in the browser when it hydrates).

use crate::domain::{CardBins, CardBrand, Country, PaymentStatus, ProviderCode};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// The page as the server sees it, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub lang: Lang,
    pub page: Option<PaymentPage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentPage {
    pub token: String,
    pub test_mode: bool,
    pub merchant: String,
    pub amount: String,
    pub description: Option<String>,
    pub reference: String,
    pub transaction_id: String,
    pub minutes_left: i64,
    pub country: Country,
    pub country_fixed: bool,
    pub countries: Vec<Country>,
    pub methods: Vec<ProviderCode>,
    /// QR-code methods this country reaches only by a PIN prompt on the customer's phone
    /// (Orange Money through pawaPay), with whether a one-time code comes first.
    pub pushed: Vec<(ProviderCode, bool)>,
    pub selected: Option<ProviderCode>,
    pub phone: String,
    /// The name to prefill the card form with (the merchant's `customer_name`).
    pub holder: String,
    /// Card brand detection in the browser needs the configured GIM-UEMOA prefixes.
    pub card_bins: CardBins,
    /// The only card brand this payment takes, when the merchant asked for one.
    pub card_brand: Option<CardBrand>,
    pub notice: Option<String>,
    pub step: Step,
    /// Where « back to the merchant » goes, with the outcome in the query.
    pub back_link: Option<String>,
    /// Where the payment stands, as `poll_checkout` reports it.
    pub fingerprint: String,
    /// `<meta http-equiv="refresh">` tags for browsers without JavaScript, rendered (and
    /// escaped) on the server: one for waiting screens, one back to the merchant after success.
    pub refresh_waiting: String,
    pub refresh_back: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Step {
    Choose,
    /// A QR-code session is open: scan it or open the app.
    Scan {
        provider: ProviderCode,
        /// The QR code as a PNG `data:` URI.
        qr_png: String,
        link: String,
    },
    /// A push (or one-time-code charge) awaits the customer's answer.
    Confirm {
        provider: ProviderCode,
        phone: String,
        /// The code that brings back a prompt that did not arrive.
        fallback_code: Option<String>,
        /// The code the customer must dial for the prompt to come at all (pawaPay's `MANUAL`).
        must_dial: Option<String>,
    },
    /// The card's bank wants a 3-D Secure confirmation on its own page.
    Authenticate {
        link: String,
        card: String,
    },
    Done {
        status: PaymentStatus,
        method: Option<ProviderCode>,
    },
}

impl Step {
    pub fn is_waiting(&self) -> bool {
        matches!(
            self,
            Step::Scan { .. } | Step::Confirm { .. } | Step::Authenticate { .. }
        )
    }
}

impl PaymentPage {
    /// The Orange Money USSD code for a one-time payment code in this page's country.
    pub fn country_otp_code(&self, provider: ProviderCode) -> Option<String> {
        let digits: String = self.amount.chars().filter(char::is_ascii_digit).collect();
        let amount =
            crate::domain::Money::new(digits.parse().ok()?, self.country.currency()).ok()?;
        provider.otp_ussd_code(self.country, amount)
    }
}
