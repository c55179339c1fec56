//! Reading a payout request, whoever sends it: an API dialect (its field names) or the
//! dashboard (a form, a CSV file). Each mistake gets its own French message, naming the field as
//! the sender spelled it.

use super::{MAX_LINES, NewPayout};
use crate::domain::msisdn::Msisdn;
use crate::domain::{Country, Dialect, InvalidInput, Money, ProviderCode, fields, text};
use serde_json::{Map, Value};

/// How a sender spells a payout's fields and providers.
#[derive(Clone, Copy)]
pub struct Spelling {
    pub dialect: Dialect,
    /// A field's name, from its camelCase name.
    pub field: fn(&str) -> String,
    /// A provider, from its name.
    pub provider: fn(&str) -> Option<ProviderCode>,
    /// A provider's name.
    pub provider_name: fn(ProviderCode) -> &'static str,
}

/// The fields of a payout, by their camelCase names.
pub const FIELDS: [&str; 9] = [
    "amount",
    "currency",
    "country",
    "provider",
    "recipientPhone",
    "recipientName",
    "reason",
    "externalReference",
    "metadata",
];

/// A payout's fields, from a JSON object (a request, a batch's line).
pub fn parse_object(spelling: Spelling, mut body: Map<String, Value>) -> Result<NewPayout, InvalidInput> {
    let mut take = |camel: &str| {
        let name = (spelling.field)(camel);
        let value = body.remove(&name);
        (name, value)
    };
    let required = |name: &str| InvalidInput::new(format!("Le champ « {name} » est requis"));

    let (name, country) = take("country");
    let country = fields::string(&name, country)?.ok_or_else(|| required(&name))?;
    let country = Country::parse(&country)?;
    let (name, currency) = take("currency");
    let currency = fields::currency(fields::string(&name, currency)?.as_deref(), Some(country))?;
    let (name, amount) = take("amount");
    let amount = Money::from_json(&amount.ok_or_else(|| required(&name))?, currency)?;
    let (name, provider) = take("provider");
    let provider = fields::non_blank(&name, provider)?
        .map(|p| {
            let found = (spelling.provider)(p.trim()).filter(|p| *p != ProviderCode::Card);
            found.ok_or_else(|| {
                let all: Vec<&str> = ProviderCode::ALL
                    .into_iter()
                    .filter(|p| *p != ProviderCode::Card)
                    .map(spelling.provider_name)
                    .collect();
                InvalidInput::new(format!(
                    "Le champ « {name} » doit nommer un portefeuille mobile : {} (reçu « {p} »)",
                    all.join(", ")
                ))
            })
        })
        .transpose()?;
    let (name, phone) = take("recipientPhone");
    let phone = fields::non_blank(&name, phone)?.ok_or_else(|| required(&name))?;
    let recipient = Msisdn::parse(&phone, country)?;
    let mut optional = |camel: &str, max: usize| -> Result<Option<String>, InvalidInput> {
        let (name, value) = take(camel);
        text::optional_text(&name, fields::string(&name, value)?.as_deref(), max)
    };
    let recipient_name = optional("recipientName", 255)?;
    // Wave prints at most 40 characters on the recipient's receipt (PROVIDERS.md).
    let reason = optional("reason", 40)?;
    let external_reference = optional("externalReference", 255)?;
    let (name, metadata) = take("metadata");
    let metadata = match metadata {
        None | Some(Value::Null) => None,
        Some(Value::Object(object)) => {
            let text = serde_json::to_string(&object).map_err(|_| required(&name))?;
            if text.len() > fields::MAX_METADATA_BYTES {
                return Err(InvalidInput::new(format!(
                    "Le champ « {name} » ne doit pas dépasser 16 Ko"
                )));
            }
            Some(text)
        }
        Some(_) => {
            return Err(InvalidInput::new(format!(
                "Le champ « {name} » doit être un objet JSON"
            )));
        }
    };
    Ok(NewPayout {
        dialect: spelling.dialect,
        amount,
        country,
        provider,
        recipient,
        recipient_name,
        reason,
        external_reference,
        metadata,
        idempotency: None,
        created_by: None,
    })
}

/// A camelCase field name in snake_case (`recipientPhone` → `recipient_phone`).
pub fn snake_case(camel: &str) -> String {
    camel.chars().fold(String::new(), |mut s, c| {
        if c.is_ascii_uppercase() {
            s.push('_');
        }
        s.push(c.to_ascii_lowercase());
        s
    })
}

/// A batch's lines from a CSV file: a header row naming the fields (in `spelling`'s names or
/// camelCase or snake_case), one payout per row.
pub fn csv_lines(spelling: Spelling, text: &str) -> Result<Vec<Result<NewPayout, String>>, InvalidInput> {
    let rows = super::csv::rows(text).map_err(InvalidInput::new)?;
    let Some((header, rows)) = rows.split_first() else {
        return Err(InvalidInput::new("Le fichier CSV est vide"));
    };
    let columns: Vec<Option<&str>> = header
        .iter()
        .map(|h| {
            let h = h.trim();
            FIELDS.into_iter().find(|f| {
                h == *f || h == (spelling.field)(f) || h == snake_case(f) || (*f == "provider" && h == "payment_method")
            })
        })
        .collect();
    if let Some(unknown) = header.iter().zip(&columns).find(|(_, c)| c.is_none()) {
        return Err(InvalidInput::new(format!(
            "Colonne inconnue dans le fichier CSV : « {} » (colonnes : {})",
            unknown.0.trim(),
            FIELDS.map(spelling.field).join(", ")
        )));
    }
    let objects = rows
        .iter()
        .map(|row| {
            let mut object = Map::new();
            for (column, value) in columns.iter().zip(row) {
                let (Some(column), value) = (column, value.trim()) else { continue };
                if value.is_empty() {
                    continue;
                }
                let value = match (*column, value.parse::<i64>()) {
                    ("amount", Ok(n)) => Value::from(n),
                    _ => Value::from(value),
                };
                object.insert((spelling.field)(column), value);
            }
            Value::Object(object)
        })
        .collect();
    lines(spelling, objects)
}

/// A batch's lines from JSON objects, each parsed on its own.
pub fn lines(spelling: Spelling, objects: Vec<Value>) -> Result<Vec<Result<NewPayout, String>>, InvalidInput> {
    if objects.is_empty() || objects.len() > MAX_LINES {
        return Err(InvalidInput::new(format!(
            "Un lot compte de 1 à {MAX_LINES} lignes (reçu {})",
            objects.len()
        )));
    }
    // A line that is not even an object is a malformed request, not a line to refuse.
    objects
        .into_iter()
        .enumerate()
        .map(|(n, line)| match line {
            Value::Object(object) => Ok(parse_object(spelling, object).map_err(|e| e.to_string())),
            _ => Err(InvalidInput::new(format!(
                "La ligne {} du lot doit être un objet JSON (les champs d'un paiement sortant)",
                n + 1
            ))),
        })
        .collect()
}

/// How the dashboard spells a payout: CaurisFlux's names.
pub const DASHBOARD: Spelling = Spelling {
    dialect: Dialect::CaurisFlux,
    field: |camel| camel.to_owned(),
    provider: |name| ProviderCode::parse(name).ok(),
    provider_name: ProviderCode::code,
};
