//! The payment methods Dalal offers (the mobile-money providers and bank cards): where they
//! work, their limits, and how the customer confirms a payment with each.

use super::{Country, Currency, InvalidInput, Money};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderCode {
    Wave,
    OrangeMoney,
    FreeMoney,
    MtnMomo,
    MoovMoney,
    /// Visa, Mastercard and GIM-UEMOA cards, typed into Dalal's card form.
    Card,
}

/// Whose API reaches a provider: the provider's own, or an aggregator's (a gateway's `via`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The provider's own API (Wave, MTN MoMo, Orange Money; the sandbox's in-process ones).
    #[default]
    Direct,
    /// pawaPay's Merchant API, for the providers it covers (PROVIDERS.md, "pawaPay").
    #[serde(rename = "pawapay")]
    PawaPay,
}

/// How the customer approves a payment with a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmationFlow {
    /// Scan a QR code or open a deep link in the provider's app (Wave, Orange Money / Max it).
    QrCode,
    /// The provider pushes a USSD prompt to the customer's phone, who types their PIN.
    UssdPush,
    /// The customer types their card into Dalal's form; the bank may ask for a 3-D Secure
    /// confirmation on its own page.
    Card,
}

impl ProviderCode {
    pub const ALL: [ProviderCode; 6] = [
        ProviderCode::Wave,
        ProviderCode::OrangeMoney,
        ProviderCode::FreeMoney,
        ProviderCode::MtnMomo,
        ProviderCode::MoovMoney,
        ProviderCode::Card,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProviderCode::Wave => "wave",
            ProviderCode::OrangeMoney => "orange_money",
            ProviderCode::FreeMoney => "free_money",
            ProviderCode::MtnMomo => "mtn_momo",
            ProviderCode::MoovMoney => "moov_money",
            ProviderCode::Card => "card",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ProviderCode::Wave => "Wave",
            ProviderCode::OrangeMoney => "Orange Money",
            ProviderCode::FreeMoney => "Free Money",
            ProviderCode::MtnMomo => "MTN MoMo",
            ProviderCode::MoovMoney => "Moov Money",
            ProviderCode::Card => "Carte bancaire",
        }
    }

    pub fn countries(self) -> &'static [Country] {
        use Country::*;
        match self {
            ProviderCode::Wave => &[Sn, Ci, Ml, Bf],
            ProviderCode::OrangeMoney => &[Sn, Ci, Ml, Bf, Gn, Cm],
            ProviderCode::FreeMoney => &[Sn],
            ProviderCode::MtnMomo => &[Ci, Bj, Cm],
            ProviderCode::MoovMoney => &[Ci, Bj, Tg, Bf, Ml, Ne],
            ProviderCode::Card => &Country::ALL,
        }
    }

    pub fn serves(self, country: Country) -> bool {
        self.countries().contains(&country)
    }

    pub fn flow(self) -> ConfirmationFlow {
        match self {
            ProviderCode::Wave | ProviderCode::OrangeMoney => ConfirmationFlow::QrCode,
            ProviderCode::FreeMoney | ProviderCode::MtnMomo | ProviderCode::MoovMoney => {
                ConfirmationFlow::UssdPush
            }
            ProviderCode::Card => ConfirmationFlow::Card,
        }
    }

    /// Smallest and largest amount accepted in a currency (minor units). The XOF/XAF limits are
    /// the seeds' (100 to 5 000 000); GNF is scaled to the same value in Guinean francs.
    pub fn limits(self, currency: Currency) -> (i64, i64) {
        match currency {
            Currency::Xof | Currency::Xaf => (100, 5_000_000),
            Currency::Gnf => (1_000, 50_000_000),
        }
    }

    /// The USSD code that gives an Orange Money customer a one-time payment code, where Orange
    /// offers that path (PRODUCT.md, "Provider facts"). Burkina's code carries the amount.
    pub fn otp_ussd_code(self, country: Country, amount: Money) -> Option<String> {
        if self != ProviderCode::OrangeMoney {
            return None;
        }
        match country {
            Country::Sn => Some("#144#391#".into()),
            Country::Ci => Some("#144*82#".into()),
            Country::Ml => Some("#144#77#".into()),
            Country::Bf => Some(format!("*144*4*6*{}#", amount.minor())),
            Country::Bj | Country::Tg | Country::Ne | Country::Gn | Country::Cm => None,
        }
    }

    /// The code a Moov Money customer dials when the USSD push does not arrive.
    pub fn push_fallback_ussd_code(self, country: Country) -> Option<&'static str> {
        match (self, country) {
            (ProviderCode::MoovMoney, Country::Ci) => Some("*155*15#"),
            _ => None,
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL.into_iter().find(|p| p.code() == code).ok_or_else(|| {
            let all: Vec<&str> = Self::ALL.iter().map(|p| p.code()).collect();
            InvalidInput::bilingual(
                format!(
                    "Provider non disponible : « {code} ». Providers acceptés : {} (voir GET /api/v1/payments/providers)",
                    all.join(", ")
                ),
                format!("Unknown payment method « {code} »"),
            )
        })
    }

    /// Checks that this provider can take `amount` in `country`.
    pub fn check_available(self, country: Country, amount: Money) -> Result<(), Unavailable> {
        if !self.serves(country) {
            return Err(Unavailable::Country {
                provider: self,
                country,
            });
        }
        if amount.currency() != country.currency() {
            return Err(Unavailable::Currency {
                currency: amount.currency(),
                country,
            });
        }
        check_limits(self, amount)
    }
}

/// Why a method cannot take a payment. Dialects tell these apart by variant (an amount outside
/// the limits is SahelPay's `INVALID_AMOUNT`, the rest `METHOD_NOT_AVAILABLE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    Country {
        provider: ProviderCode,
        country: Country,
    },
    Currency {
        currency: Currency,
        country: Country,
    },
    BelowMinimum {
        min: i64,
        currency: Currency,
    },
    AboveMaximum {
        max: i64,
        currency: Currency,
    },
}

impl Unavailable {
    /// The amount is outside the limits (rather than the method or currency being wrong).
    pub fn is_amount(self) -> bool {
        match self {
            Unavailable::BelowMinimum { .. } | Unavailable::AboveMaximum { .. } => true,
            Unavailable::Country { .. } | Unavailable::Currency { .. } => false,
        }
    }
}

impl From<Unavailable> for InvalidInput {
    fn from(why: Unavailable) -> Self {
        use super::money::group_thousands;
        match why {
            Unavailable::Country { provider, country } => InvalidInput::bilingual(
                format!(
                    "Provider non disponible : {} n'est pas disponible {} (voir GET /api/v1/payments/providers?country={})",
                    provider.name(),
                    country.in_fr(),
                    country.code()
                ),
                format!(
                    "{} is not available in {}",
                    provider.name(),
                    country.name_en()
                ),
            ),
            Unavailable::Currency { currency, country } => InvalidInput::bilingual(
                format!(
                    "La devise {currency} n'est pas acceptée {} : utilisez {}",
                    country.in_fr(),
                    country.currency()
                ),
                format!(
                    "{currency} is not accepted in {}: use {}",
                    country.name_en(),
                    country.currency()
                ),
            ),
            Unavailable::BelowMinimum { min, currency } => InvalidInput::bilingual(
                format!(
                    "Montant invalide : le montant doit être supérieur ou égal à {} {currency}",
                    group_thousands(min, ' ')
                ),
                format!(
                    "Invalid amount: it must be at least {} {currency}",
                    group_thousands(min, ',')
                ),
            ),
            Unavailable::AboveMaximum { max, currency } => InvalidInput::bilingual(
                format!(
                    "Montant invalide : le montant ne doit pas dépasser {} {currency}",
                    group_thousands(max, ' ')
                ),
                format!(
                    "Invalid amount: it must not exceed {} {currency}",
                    group_thousands(max, ',')
                ),
            ),
        }
    }
}

/// Checks an amount against a provider's limits for its currency.
pub fn check_limits(provider: ProviderCode, amount: Money) -> Result<(), Unavailable> {
    let (min, max) = provider.limits(amount.currency());
    let currency = amount.currency();
    if amount.minor() < min {
        return Err(Unavailable::BelowMinimum { min, currency });
    }
    if amount.minor() > max {
        return Err(Unavailable::AboveMaximum { max, currency });
    }
    Ok(())
}

/// The widest limits any provider accepts in a currency, for payments whose method is not chosen
/// yet (the checkout type).
pub fn check_any_provider_limits(amount: Money) -> Result<(), Unavailable> {
    let accepted = ProviderCode::ALL
        .iter()
        .any(|p| check_limits(*p, amount).is_ok());
    if accepted {
        return Ok(());
    }
    // All providers share limits today, so the first one's answer is the right one.
    check_limits(ProviderCode::Wave, amount)
}

impl fmt::Display for ProviderCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xof(n: i64) -> Money {
        Money::new(n, Currency::Xof).unwrap()
    }

    #[test]
    fn catalogue_matches_the_product_specification() {
        use Country::*;
        assert_eq!(ProviderCode::Wave.countries(), &[Sn, Ci, Ml, Bf]);
        assert!(ProviderCode::OrangeMoney.serves(Cm));
        assert!(ProviderCode::FreeMoney.serves(Sn) && !ProviderCode::FreeMoney.serves(Ci));
        assert!(ProviderCode::MtnMomo.serves(Bj) && !ProviderCode::MtnMomo.serves(Sn));
        assert!(ProviderCode::MoovMoney.serves(Ne));
        assert_eq!(ProviderCode::Wave.flow(), ConfirmationFlow::QrCode);
        assert_eq!(ProviderCode::MtnMomo.flow(), ConfirmationFlow::UssdPush);
    }

    #[test]
    fn provider_codes_parse_exactly() {
        for p in ProviderCode::ALL {
            assert_eq!(ProviderCode::parse(p.code()).unwrap(), p);
        }
        assert!(ProviderCode::parse("Wave").is_err());
        assert!(
            ProviderCode::parse("paypal")
                .unwrap_err()
                .fr()
                .contains("Provider non disponible")
        );
    }

    #[test]
    fn availability_checks_country_currency_and_limits() {
        assert!(
            ProviderCode::Wave
                .check_available(Country::Sn, xof(10_000))
                .is_ok()
        );
        assert!(
            ProviderCode::Wave
                .check_available(Country::Sn, xof(100))
                .is_ok()
        );
        assert!(
            ProviderCode::Wave
                .check_available(Country::Sn, xof(5_000_000))
                .is_ok()
        );
        let low = ProviderCode::Wave
            .check_available(Country::Sn, xof(99))
            .unwrap_err();
        assert_eq!(
            low,
            Unavailable::BelowMinimum {
                min: 100,
                currency: Currency::Xof
            }
        );
        assert!(InvalidInput::from(low).fr().contains("100 XOF"));
        let high = ProviderCode::Wave
            .check_available(Country::Sn, xof(5_000_001))
            .unwrap_err();
        assert!(high.is_amount());
        assert!(InvalidInput::from(high).fr().contains("5 000 000 XOF"));
        assert!(
            ProviderCode::Wave
                .check_available(Country::Cm, xof(1000))
                .is_err()
        );
        let xaf = Money::new(1000, Currency::Xaf).unwrap();
        assert!(
            ProviderCode::OrangeMoney
                .check_available(Country::Sn, xaf)
                .is_err()
        );
        assert!(
            ProviderCode::OrangeMoney
                .check_available(Country::Cm, xaf)
                .is_ok()
        );
    }

    #[test]
    fn orange_money_codes_differ_per_country() {
        let om = ProviderCode::OrangeMoney;
        assert_eq!(
            om.otp_ussd_code(Country::Sn, xof(500)).unwrap(),
            "#144#391#"
        );
        assert_eq!(om.otp_ussd_code(Country::Ci, xof(500)).unwrap(), "#144*82#");
        assert_eq!(
            om.otp_ussd_code(Country::Bf, xof(500)).unwrap(),
            "*144*4*6*500#"
        );
        assert_eq!(
            ProviderCode::Wave.otp_ussd_code(Country::Sn, xof(500)),
            None
        );
        assert_eq!(
            ProviderCode::MoovMoney.push_fallback_ussd_code(Country::Ci),
            Some("*155*15#")
        );
    }
}
