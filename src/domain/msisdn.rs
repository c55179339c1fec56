//! Mobile numbers (MSISDN) in E.164, valid for their country according to libphonenumber's
//! numbering plans (the `phonenumber` crate), never to hand-written prefixes: plans change
//! (Côte d'Ivoire went to 10 digits in 2021, Benin on 30 November 2024).

use super::{Country, InvalidInput};
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Msisdn(String);

impl Msisdn {
    /// Parses a number the customer or merchant typed. Spaces, dots and dashes are allowed
    /// between digits; a number without `+` is read as a national number of `country`.
    pub fn parse(raw: &str, country: Country) -> Result<Self, InvalidInput> {
        let invalid = || {
            InvalidInput::bilingual(
                format!(
                    "Le numéro « {} » n'est pas un numéro mobile valide {} (format E.164, ex. {})",
                    raw.trim(),
                    country.in_fr(),
                    country.example_msisdn()
                ),
                format!(
                    "« {} » is not a valid mobile number in {} (E.164 format, e.g. {})",
                    raw.trim(),
                    country.name_en(),
                    country.example_msisdn()
                ),
            )
        };
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
            .collect();
        let digits = compact.strip_prefix('+').unwrap_or(&compact);
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let region: phonenumber::country::Id = country.code().parse().map_err(|_| invalid())?;
        let number = phonenumber::parse(Some(region), &compact).map_err(|_| invalid())?;
        if !phonenumber::is_valid(&number) || number.country().id() != Some(region) {
            return Err(invalid());
        }
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        Ok(Self(e164))
    }

    /// Reads back a number this type wrote to the database.
    pub fn from_trusted(e164: String) -> Self {
        Self(e164)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The national number (`771234567` for `+221771234567`), when the number is `country`'s.
    pub fn national(&self, country: Country) -> Option<&str> {
        self.0
            .strip_prefix('+')?
            .strip_prefix(country.calling_code())
            .filter(|n| !n.is_empty())
    }

    /// `+22177•••4567`: enough for a customer to recognise their number, not enough to leak it.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        if n <= 8 {
            return "•".repeat(n);
        }
        format!("{}{}{}", &self.0[..6], "•".repeat(n - 10), &self.0[n - 4..])
    }
}

/// Full numbers never reach logs.
impl fmt::Debug for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Msisdn({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_national_number_drops_the_countrys_calling_code_only() {
        let senegal = Msisdn::parse("+221 77 123 45 67", Country::Sn).unwrap();
        assert_eq!(senegal.national(Country::Sn), Some("771234567"));
        assert_eq!(senegal.national(Country::Ci), None);
        let ivory = Msisdn::parse("+2250701234567", Country::Ci).unwrap();
        assert_eq!(ivory.national(Country::Ci), Some("0701234567"));
    }

    #[test]
    fn valid_numbers_become_e164() {
        assert_eq!(
            Msisdn::parse("+221771234567", Country::Sn)
                .unwrap()
                .as_str(),
            "+221771234567"
        );
        assert_eq!(
            Msisdn::parse("+221 77 123 45 67", Country::Sn)
                .unwrap()
                .as_str(),
            "+221771234567"
        );
        assert_eq!(
            Msisdn::parse("77 123 45 67", Country::Sn).unwrap().as_str(),
            "+221771234567"
        );
        // Côte d'Ivoire: ten digits since 2021.
        assert_eq!(
            Msisdn::parse("+2250701234567", Country::Ci)
                .unwrap()
                .as_str(),
            "+2250701234567"
        );
        assert!(Msisdn::parse("+22507012345", Country::Ci).is_err());
        assert!(Msisdn::parse("+237671234567", Country::Cm).is_ok());
    }

    #[test]
    fn benin_numbers_have_ten_digits_since_november_2024() {
        assert!(Msisdn::parse("+2290190123456", Country::Bj).is_ok());
    }

    #[test]
    fn numbers_from_another_country_are_refused() {
        let err = Msisdn::parse("+2250701234567", Country::Sn).unwrap_err();
        assert!(err.fr().contains("au Sénégal"), "{err}");
        assert!(Msisdn::parse("+33612345678", Country::Sn).is_err());
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            "",
            "+",
            "abc",
            "+221abc4567",
            "+2217712345678901234",
            "++221771234567",
            "+221 12",
        ] {
            assert!(
                Msisdn::parse(bad, Country::Sn).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn debug_masks_the_number() {
        let n = Msisdn::parse("+221771234567", Country::Sn).unwrap();
        let debug = format!("{n:?}");
        assert!(!debug.contains("771234567"), "{debug}");
        assert!(debug.contains("4567"));
    }
}
