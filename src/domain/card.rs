//! Bank cards: brand detection, the Luhn check, expiry and security code.
//!
//! A `CardDetails` lives only in memory, for the time it takes to hand it to the card
//! connector: its `Debug` shows the brand and last four digits, never the number or the code,
//! and only the brand and last four digits are ever stored.
//!
//! Brands: Visa (IIN 4), Mastercard (51–55 and 2221–2720) and GIM-UEMOA, the regional
//! interbank scheme of the UEMOA. GIM-UEMOA's IIN ranges are not published; they come from
//! configuration (`cards.gim_uemoa_bins`), set from the acquirer's contract.

use super::InvalidInput;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardBrand {
    Visa,
    Mastercard,
    GimUemoa,
}

impl CardBrand {
    pub const ALL: [CardBrand; 3] = [CardBrand::Visa, CardBrand::Mastercard, CardBrand::GimUemoa];

    pub fn code(self) -> &'static str {
        match self {
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "mastercard",
            CardBrand::GimUemoa => "gim_uemoa",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::GimUemoa => "GIM-UEMOA",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|b| b.code() == code)
            .ok_or_else(|| InvalidInput::new(format!("Marque de carte inconnue : « {code} »")))
    }

    /// Card numbers of this brand have one of these lengths.
    fn lengths(self) -> &'static [usize] {
        match self {
            CardBrand::Visa => &[13, 16, 19],
            CardBrand::Mastercard => &[16],
            CardBrand::GimUemoa => &[16, 19],
        }
    }
}

impl fmt::Display for CardBrand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The issuer identification prefixes of the brands that are not fixed by the brand itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardBins {
    /// GIM-UEMOA prefixes (digits), checked before Visa and Mastercard.
    pub gim_uemoa: Vec<String>,
}

impl CardBins {
    /// Reads a comma-separated list of digit prefixes (the `cards.gim_uemoa_bins` setting).
    pub fn parse(gim_uemoa: &str) -> Result<Self, InvalidInput> {
        let prefixes: Vec<String> = gim_uemoa
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(bad) = prefixes
            .iter()
            .find(|p| p.len() > 8 || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(InvalidInput::new(format!(
                "cards.gim_uemoa_bins : « {bad} » n'est pas un préfixe de 1 à 8 chiffres"
            )));
        }
        Ok(Self {
            gim_uemoa: prefixes,
        })
    }

    /// The brand of a card from its first digits (`None` while too few are typed or for a brand
    /// Dalal does not take).
    pub fn brand(&self, digits: &str) -> Option<CardBrand> {
        if self
            .gim_uemoa
            .iter()
            .any(|p| digits.starts_with(p.as_str()))
        {
            return Some(CardBrand::GimUemoa);
        }
        if digits.starts_with('4') {
            return Some(CardBrand::Visa);
        }
        let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok());
        if prefix(2).is_some_and(|p| (51..=55).contains(&p))
            || prefix(4).is_some_and(|p| (2221..=2720).contains(&p))
        {
            return Some(CardBrand::Mastercard);
        }
        None
    }
}

/// Keeps the digits of what a customer typed (`4242 4242-4242 4242`); `None` if anything else.
pub fn digits_of(typed: &str) -> Option<String> {
    let mut digits = String::with_capacity(19);
    for c in typed.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '\u{a0}' => {}
            _ => return None,
        }
    }
    Some(digits)
}

/// The Luhn checksum every card number carries in its last digit.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A card number that passed the Luhn check and belongs to a brand Dalal takes.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber {
    digits: String,
    brand: CardBrand,
}

impl CardNumber {
    pub fn parse(typed: &str, bins: &CardBins) -> Result<Self, InvalidInput> {
        let digits = digits_of(typed).ok_or_else(|| {
            InvalidInput::bilingual(
                "Numéro de carte invalide : saisissez uniquement des chiffres",
                "Invalid card number: type digits only",
            )
        })?;
        if digits.is_empty() {
            return Err(InvalidInput::bilingual(
                "Saisissez le numéro de votre carte",
                "Type your card number",
            ));
        }
        let brand = bins.brand(&digits).ok_or_else(|| {
            InvalidInput::bilingual(
                "Carte non acceptée : Dalal accepte les cartes Visa, Mastercard et GIM-UEMOA",
                "Card not accepted: Dalal takes Visa, Mastercard and GIM-UEMOA cards",
            )
        })?;
        if !brand.lengths().contains(&digits.len()) || !luhn_valid(&digits) {
            return Err(InvalidInput::bilingual(
                "Numéro de carte invalide : vérifiez les chiffres saisis",
                "Invalid card number: check the digits you typed",
            ));
        }
        Ok(Self { digits, brand })
    }

    pub fn brand(&self) -> CardBrand {
        self.brand
    }

    pub fn last4(&self) -> &str {
        &self.digits[self.digits.len() - 4..]
    }

    /// The full number, for the card connector only.
    pub fn expose(&self) -> &str {
        &self.digits
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({} •••• {})", self.brand.name(), self.last4())
    }
}

/// The month a card expires (valid through its last day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    pub year: i32,
    pub month: u32,
}

impl Expiry {
    /// Reads `MM/AA` (or `MM/AAAA`, `MMAA`) and checks the card has not expired on
    /// `today` (year, month) and does not claim more than 20 years of validity.
    pub fn parse(typed: &str, today: (i32, u32)) -> Result<Self, InvalidInput> {
        let invalid = || {
            InvalidInput::bilingual(
                "Date d'expiration invalide : utilisez le format MM/AA",
                "Invalid expiry date: use the MM/YY format",
            )
        };
        let compact: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        let (month, year) = match compact.split_once('/') {
            Some(parts) => parts,
            None if compact.len() == 4 => compact.split_at(2),
            None => return Err(invalid()),
        };
        if !(month.len() == 2 || month.len() == 1) || !(year.len() == 2 || year.len() == 4) {
            return Err(invalid());
        }
        let month: u32 = month.parse().map_err(|_| invalid())?;
        let mut year: i32 = year.parse().map_err(|_| invalid())?;
        if !(1..=12).contains(&month) {
            return Err(invalid());
        }
        if year < 100 {
            year += 2000;
        }
        let expiry = Self { year, month };
        if (year, month) < today {
            return Err(InvalidInput::bilingual(
                "Cette carte a expiré",
                "This card has expired",
            ));
        }
        if year > today.0 + 20 {
            return Err(invalid());
        }
        Ok(expiry)
    }
}

/// The three-digit security code on the back of the card (never stored, never logged).
#[derive(Clone, PartialEq, Eq)]
pub struct SecurityCode(String);

impl SecurityCode {
    pub fn parse(typed: &str) -> Result<Self, InvalidInput> {
        let code = typed.trim();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidInput::bilingual(
                "Code de sécurité invalide : les 3 chiffres au dos de la carte",
                "Invalid security code: the 3 digits on the back of the card",
            ));
        }
        Ok(Self(code.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecurityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecurityCode(•••)")
    }
}

/// What the customer typed in the card form, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardDetails {
    pub number: CardNumber,
    pub expiry: Expiry,
    pub security_code: SecurityCode,
    pub holder: String,
}

impl CardDetails {
    pub fn parse(
        number: &str,
        expiry: &str,
        security_code: &str,
        holder: &str,
        bins: &CardBins,
        today: (i32, u32),
    ) -> Result<Self, InvalidInput> {
        let number = CardNumber::parse(number, bins)?;
        let expiry = Expiry::parse(expiry, today)?;
        let security_code = SecurityCode::parse(security_code)?;
        let holder = holder.trim();
        if holder.chars().count() < 2 || holder.chars().count() > 100 {
            return Err(InvalidInput::bilingual(
                "Saisissez le nom du titulaire tel qu'il figure sur la carte",
                "Type the cardholder's name as it appears on the card",
            ));
        }
        if holder.chars().any(|c| c.is_control() || c.is_ascii_digit()) {
            return Err(InvalidInput::bilingual(
                "Nom du titulaire invalide : lettres uniquement",
                "Invalid cardholder name: letters only",
            ));
        }
        Ok(Self {
            number,
            expiry,
            security_code,
            holder: holder.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bins() -> CardBins {
        CardBins::parse("9220").unwrap()
    }

    #[test]
    fn luhn_accepts_real_test_numbers_and_catches_one_wrong_digit() {
        for n in [
            "4242424242424242",
            "5555555555554444",
            "2223003122003222",
            "4000000000003220",
            "79927398713",
        ] {
            assert!(luhn_valid(n), "{n}");
        }
        assert!(!luhn_valid("4242424242424241"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("42a2"));
    }

    #[test]
    fn brands_come_from_the_first_digits() {
        let b = bins();
        assert_eq!(b.brand("4"), Some(CardBrand::Visa));
        assert_eq!(b.brand("51"), Some(CardBrand::Mastercard));
        assert_eq!(b.brand("5599"), Some(CardBrand::Mastercard));
        assert_eq!(b.brand("2221"), Some(CardBrand::Mastercard));
        assert_eq!(b.brand("2720"), Some(CardBrand::Mastercard));
        assert_eq!(b.brand("2721"), None);
        assert_eq!(b.brand("2220"), None);
        assert_eq!(b.brand("56"), None);
        assert_eq!(b.brand("5"), None, "too few digits to know");
        assert_eq!(b.brand("6011"), None, "Discover is not taken");
        assert_eq!(b.brand("92201234"), Some(CardBrand::GimUemoa));
        assert_eq!(CardBins::default().brand("92201234"), None);
        assert!(CardBins::parse("92x").is_err());
        assert_eq!(
            CardBins::parse(" 9220, 6280 ,").unwrap().gim_uemoa,
            ["9220", "6280"]
        );
    }

    #[test]
    fn card_numbers_are_checked_and_never_shown_whole() {
        let card = CardNumber::parse("4242 4242 4242 4242", &bins()).unwrap();
        assert_eq!(card.brand(), CardBrand::Visa);
        assert_eq!(card.last4(), "4242");
        let shown = format!("{card:?}");
        assert_eq!(shown, "CardNumber(Visa •••• 4242)");
        assert!(!shown.contains("42424242"));
        let err = |n: &str| CardNumber::parse(n, &bins()).unwrap_err().fr().to_owned();
        assert!(err("4242 4242 4242 4241").contains("vérifiez"));
        assert!(err("6011 0000 0000 0004").contains("non acceptée"));
        assert!(err("4242-4242-x").contains("chiffres"));
        assert!(err("").contains("Saisissez"));
        // Luhn-valid but a length Mastercard does not use.
        assert!(err("5555555555554").contains("vérifiez"));
        let gim = CardNumber::parse("9220 0000 0000 0005", &bins()).unwrap();
        assert_eq!(gim.brand(), CardBrand::GimUemoa);
        assert!(
            CardNumber::parse("9220 0000 0000 0005", &CardBins::default()).is_err(),
            "without configured prefixes a GIM-UEMOA card is not recognised"
        );
    }

    #[test]
    fn expiry_is_the_end_of_the_printed_month() {
        let today = (2026, 11);
        assert_eq!(
            Expiry::parse("11/26", today).unwrap(),
            Expiry {
                year: 2026,
                month: 11
            }
        );
        assert!(Expiry::parse("12/2030", today).is_ok());
        assert!(Expiry::parse("0128", today).is_ok());
        assert!(Expiry::parse("1/27", today).is_ok());
        assert_eq!(
            Expiry::parse("10/26", today).unwrap_err().fr().to_owned(),
            "Cette carte a expiré"
        );
        for bad in ["13/27", "00/27", "12-27", "1227x", "12/2", "12/50", ""] {
            assert!(Expiry::parse(bad, today).is_err(), "{bad}");
        }
    }

    #[test]
    fn security_code_and_holder_are_checked_and_the_code_never_shown() {
        assert!(SecurityCode::parse("123").is_ok());
        assert!(SecurityCode::parse("12").is_err());
        assert!(SecurityCode::parse("12a").is_err());
        assert_eq!(
            format!("{:?}", SecurityCode::parse("987").unwrap()),
            "SecurityCode(•••)"
        );
        let today = (2026, 11);
        let details = CardDetails::parse(
            "5555555555554444",
            "12/28",
            "987",
            " Awa Ndiaye ",
            &bins(),
            today,
        )
        .unwrap();
        assert_eq!(details.holder, "Awa Ndiaye");
        let shown = format!("{details:?}");
        assert!(
            !shown.contains("5555555555554444") && !shown.contains("987"),
            "{shown}"
        );
        assert!(
            CardDetails::parse("5555555555554444", "12/28", "987", "A", &bins(), today).is_err()
        );
        assert!(
            CardDetails::parse("5555555555554444", "12/28", "987", "R2D2", &bins(), today).is_err()
        );
    }
}
