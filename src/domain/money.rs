//! Money as an integer count of the currency's minor unit. No floats anywhere near an amount.

use super::InvalidInput;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// Franc CFA of the West African Economic and Monetary Union (BCEAO).
    #[serde(rename = "XOF")]
    Xof,
    /// Franc CFA of the Central African Economic and Monetary Community (BEAC).
    #[serde(rename = "XAF")]
    Xaf,
    /// Guinean franc.
    #[serde(rename = "GNF")]
    Gnf,
}

impl Currency {
    pub const ALL: [Currency; 3] = [Currency::Xof, Currency::Xaf, Currency::Gnf];

    pub fn code(self) -> &'static str {
        match self {
            Currency::Xof => "XOF",
            Currency::Xaf => "XAF",
            Currency::Gnf => "GNF",
        }
    }

    /// Digits after the decimal point in ISO 4217. All three have none: 1 XOF is the smallest unit.
    pub fn exponent(self) -> u32 {
        match self {
            Currency::Xof | Currency::Xaf | Currency::Gnf => 0,
        }
    }

    /// What a customer reads after an amount.
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Xof | Currency::Xaf => "FCFA",
            Currency::Gnf => "GNF",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or_else(|| {
                InvalidInput::new(format!(
                    "Devise non prise en charge : « {code} ». Devises acceptées : XOF, XAF, GNF"
                ))
            })
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A positive amount in minor units of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

/// A JSON number that is a whole number, as an `i64`: `2500` or `2500.0`, not `2500.5`, nor
/// past 2^53 when written with a fraction part (where a double no longer holds every integer).
pub fn whole_number(n: &serde_json::Number) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < EXACT)
            .map(|f| f as i64)
    })
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Result<Self, InvalidInput> {
        if minor <= 0 {
            return Err(InvalidInput::new("Le montant doit être un entier positif"));
        }
        Ok(Self { minor, currency })
    }

    /// Reads an amount from JSON: an integer in minor units (`10000.0` is that integer too, as
    /// JSON Schema's `integer` says). `10000.5` or `"10000"` are refused rather than rounded or
    /// coerced, since a merchant sending them has a bug worth seeing.
    pub fn from_json(value: &serde_json::Value, currency: Currency) -> Result<Self, InvalidInput> {
        let minor = match value {
            serde_json::Value::Number(n) => whole_number(n).ok_or_else(|| {
                InvalidInput::new(format!(
                    "Le montant doit être un nombre entier de {} (sans décimales)",
                    currency.code()
                ))
            })?,
            _ => return Err(InvalidInput::new("Le champ « amount » doit être un nombre")),
        };
        Self::new(minor, currency)
    }

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    /// `10 000 FCFA`, grouped the French way (narrow no-break spaces), for the checkout page.
    pub fn display_fr(self) -> String {
        format!(
            "{}\u{a0}{}",
            group_thousands(self.minor, '\u{202f}'),
            self.currency.symbol()
        )
    }

    /// `10,000 FCFA` for English readers.
    pub fn display_en(self) -> String {
        format!(
            "{}\u{a0}{}",
            group_thousands(self.minor, ','),
            self.currency.symbol()
        )
    }
}

/// Groups digits by three: `group_thousands(5000000, ' ')` is `5 000 000`.
pub fn group_thousands(value: i64, separator: char) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_are_positive_integers() {
        assert_eq!(
            Money::from_json(&json!(10000), Currency::Xof)
                .unwrap()
                .minor(),
            10000
        );
        assert!(Money::from_json(&json!(0), Currency::Xof).is_err());
        assert!(Money::from_json(&json!(-5), Currency::Xof).is_err());
        assert!(Money::from_json(&json!(100.5), Currency::Xof).is_err());
        assert_eq!(Money::from_json(&json!(2500.0), Currency::Xof).unwrap().minor(), 2500);
        assert!(Money::from_json(&json!("10000"), Currency::Xof).is_err());
        assert!(Money::from_json(&json!(1e30), Currency::Xof).is_err());
    }

    #[test]
    fn currencies_parse_by_iso_code_only() {
        assert_eq!(Currency::parse("XAF").unwrap(), Currency::Xaf);
        assert!(Currency::parse("xof").is_err());
        assert!(Currency::parse("EUR").unwrap_err().fr().contains("EUR"));
        assert!(Currency::ALL.iter().all(|c| c.exponent() == 0));
    }

    #[test]
    fn amounts_display_grouped_by_thousands() {
        let m = Money::new(10000, Currency::Xof).unwrap();
        assert_eq!(m.display_fr(), "10\u{202f}000\u{a0}FCFA");
        assert_eq!(m.display_en(), "10,000\u{a0}FCFA");
        assert_eq!(group_thousands(100, ' '), "100");
        assert_eq!(group_thousands(5_000_000, ' '), "5 000 000");
        assert_eq!(group_thousands(123_456, ' '), "123 456");
    }
}
