//! Reading the fields of a JSON request, the same way for every sender (both API dialects, the
//! dashboard's payouts): the object itself, each field by its type, the currency against the
//! country. Each mistake is an `InvalidInput` with its French message, naming the field.

use super::{Country, Currency, InvalidInput};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Largest `metadata` object a merchant may attach.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;

/// The body as a JSON object of `T`'s loosely typed fields (each checked one by one after).
pub fn json_object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, InvalidInput> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => InvalidInput::new(
            "Le corps de la requête doit être un objet JSON (champs en double interdits)",
        ),
        serde_json::error::Category::Io
        | serde_json::error::Category::Syntax
        | serde_json::error::Category::Eof => InvalidInput::new(format!(
            "Le corps de la requête n'est pas un JSON valide (ligne {}, colonne {})",
            e.line(),
            e.column()
        )),
    })
}

/// A string field: absent and `null` are `None`; another type is refused.
pub fn string(name: &str, value: Option<Value>) -> Result<Option<String>, InvalidInput> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(InvalidInput::new(format!(
            "Le champ « {name} » doit être une chaîne de caractères"
        ))),
    }
}

/// A string field where blank means absent.
pub fn non_blank(name: &str, value: Option<Value>) -> Result<Option<String>, InvalidInput> {
    Ok(string(name, value)?.filter(|s| !s.trim().is_empty()))
}

/// The currency of a payment: the one given, else the country's, else XOF; it must be the
/// country's when both are given.
pub fn currency(given: Option<&str>, country: Option<Country>) -> Result<Currency, InvalidInput> {
    let currency = match given.filter(|s| !s.is_empty()) {
        Some(code) => Currency::parse(code)?,
        None => country.map(Country::currency).unwrap_or(Currency::Xof),
    };
    if let Some(c) = country.filter(|c| c.currency() != currency) {
        return Err(InvalidInput::new(format!(
            "La devise {currency} n'est pas acceptée {} : utilisez {}",
            c.in_fr(),
            c.currency()
        )));
    }
    Ok(currency)
}
