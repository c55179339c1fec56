//! Bounded free-text fields a merchant sends: references, names, descriptions, e-mails,
//! idempotency keys.

use super::InvalidInput;

/// Trims and checks the length of an optional free-text field; an empty string counts as absent.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, InvalidInput> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max_chars {
        return Err(InvalidInput::new(format!(
            "Le champ « {field} » ne doit pas dépasser {max_chars} caractères"
        )));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(InvalidInput::new(format!(
            "Le champ « {field} » contient des caractères de contrôle"
        )));
    }
    Ok(Some(value.to_owned()))
}

/// The merchant's own reference for a payment (order id). Required by both dialects.
pub fn external_reference(value: Option<&str>) -> Result<String, InvalidInput> {
    optional_text("externalReference", value, 255)?
        .ok_or_else(|| InvalidInput::new("Le champ « externalReference » est requis"))
}

/// A plausible e-mail address: one `@`, something on each side, a dot in the domain.
/// Deliverability is the merchant's concern; this only catches a field swapped for another.
pub fn email(value: Option<&str>) -> Result<Option<String>, InvalidInput> {
    let Some(value) = optional_text("customerEmail", value, 254)? else {
        return Ok(None);
    };
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.contains(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(Some(value))
    } else {
        Err(InvalidInput::new(format!(
            "Adresse e-mail invalide : « {value} »"
        )))
    }
}

/// A merchant-chosen idempotency key: 1 to 255 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(value: &str) -> Result<Self, InvalidInput> {
        if value.is_empty()
            || value.len() > 255
            || !value.bytes().all(|b| (0x21..=0x7e).contains(&b))
        {
            return Err(InvalidInput::new(
                "L'en-tête X-Idempotency-Key doit contenir de 1 à 255 caractères ASCII imprimables, sans espace",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_reference_is_required_and_bounded() {
        assert_eq!(external_reference(Some(" CMD-1 ")).unwrap(), "CMD-1");
        assert!(external_reference(None).is_err());
        assert!(external_reference(Some("   ")).is_err());
        assert!(external_reference(Some(&"x".repeat(256))).is_err());
        assert!(external_reference(Some("a\u{0}b")).is_err());
    }

    #[test]
    fn emails_need_a_local_part_and_a_domain() {
        assert_eq!(
            email(Some("amadou@example.com")).unwrap().unwrap(),
            "amadou@example.com"
        );
        assert_eq!(email(None).unwrap(), None);
        for bad in [
            "amadou",
            "@example.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@.com",
        ] {
            assert!(email(Some(bad)).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn idempotency_keys_are_printable_ascii() {
        assert!(IdempotencyKey::parse("COMMANDE-12345").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("a b").is_err());
        assert!(IdempotencyKey::parse("clé").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
    }
}
