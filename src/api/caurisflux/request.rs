//! The body of `POST /api/v1/payments/initiate`, read into a `NewPayment`. Every field is read
//! loosely and checked one by one, so each mistake gets its own French message.

use crate::api::fields;
use crate::domain::msisdn::Msisdn;
use crate::domain::provider::check_any_provider_limits;
use crate::domain::{Country, InvalidInput, Money, ProviderCode, text};
use crate::payments::{Dialect, NewPayment, NewPaymentKind};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// The body of `POST /api/v1/payments/initiate`. Each field is read as any JSON value and then
/// checked by hand (so each mistake gets its own French message); the schema says what is
/// accepted.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = caurisflux::InitiateRequest)]
pub struct InitiateBody {
    /// `direct` (the merchant chose the provider) or `checkout` (the customer chooses).
    #[serde(rename = "type")]
    #[schema(schema_with = crate::api::schemas::payment_types, required = true)]
    kind: Option<Value>,
    /// In the currency's smallest unit: 100 to 5 000 000 XOF/XAF, 1 000 to 50 000 000 GNF.
    #[schema(value_type = i64, required = true, minimum = 100, maximum = 50000000, example = 10000)]
    amount: Option<Value>,
    /// XOF, XAF or GNF: the country's currency (the default, else XOF).
    #[schema(schema_with = crate::api::schemas::currencies)]
    currency: Option<Value>,
    /// Required for `direct`: wave, orange_money, free_money, mtn_momo, moov_money, card; it must
    /// serve `country` and take `amount` (`GET /api/v1/payments/providers`).
    #[schema(schema_with = crate::api::schemas::providers)]
    provider: Option<Value>,
    /// ISO code: SN, CI, ML, BF, BJ, TG, NE, GN, CM. Required for `direct`.
    #[schema(schema_with = crate::api::schemas::countries)]
    country: Option<Value>,
    /// The merchant's order reference (1 to 100 characters).
    #[schema(value_type = String, required = true, example = "COMMANDE-12345")]
    external_reference: Option<Value>,
    /// E.164, a mobile number of `country` (without `country`, of a country Dalal serves);
    /// required for `direct` mobile-money payments.
    #[schema(value_type = Option<String>, example = "+221771234567")]
    customer_phone: Option<Value>,
    #[schema(value_type = Option<String>)]
    customer_name: Option<Value>,
    #[schema(value_type = Option<String>)]
    customer_email: Option<Value>,
    #[schema(value_type = Option<String>)]
    description: Option<Value>,
    /// Where this payment's webhooks go (else the merchant's default endpoint).
    #[schema(value_type = Option<String>)]
    callback_url: Option<Value>,
    #[schema(value_type = Option<String>)]
    return_url: Option<Value>,
    #[schema(value_type = Option<String>)]
    cancel_url: Option<Value>,
    /// Any JSON object up to 16 KB, returned as sent.
    #[schema(value_type = Option<Object>)]
    metadata: Option<Box<RawValue>>,
}

/// Turns the wire body into a `NewPayment`, or the first thing wrong with it.
pub fn parse_initiate(bytes: &[u8]) -> Result<NewPayment, InvalidInput> {
    let body: InitiateBody = fields::json_object(bytes)?;

    let kind = fields::string("type", body.kind)?
        .ok_or_else(|| InvalidInput::new("Le champ « type » est requis : direct ou checkout"))?;
    let is_direct = match kind.as_str() {
        "direct" => true,
        "checkout" => false,
        other => {
            return Err(InvalidInput::new(format!(
                "Le champ « type » doit valoir direct ou checkout (reçu « {other} »)"
            )));
        }
    };
    let amount_value = body
        .amount
        .ok_or_else(|| InvalidInput::new("Le champ « amount » est requis"))?;
    let external_reference = text::external_reference(
        fields::string("externalReference", body.external_reference)?.as_deref(),
    )?;
    let country = fields::string("country", body.country)?
        .filter(|s| !s.is_empty())
        .map(|c| Country::parse(&c))
        .transpose()?;
    let currency = fields::currency(
        fields::string("currency", body.currency)?.as_deref(),
        country,
    )?;
    let amount = Money::from_json(&amount_value, currency)?;
    let raw_phone = fields::non_blank("customerPhone", body.customer_phone)?;

    let kind = if is_direct {
        let provider = fields::string("provider", body.provider)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                InvalidInput::new("Le champ « provider » est requis pour un paiement direct")
            })?;
        let provider = ProviderCode::parse(&provider)?;
        let country = country.ok_or_else(|| {
            InvalidInput::new(
                "Le champ « country » est requis pour un paiement direct (SN, CI, ML, …)",
            )
        })?;
        provider.check_available(country, amount)?;
        if provider == ProviderCode::Card {
            // The customer types the card on the checkout page: no number needed.
            NewPaymentKind::Card {
                country: Some(country),
                brand: None,
            }
        } else {
            let raw_phone = raw_phone.ok_or_else(|| {
                InvalidInput::new("Le champ « customerPhone » est requis pour un paiement direct (format E.164, ex. +221771234567)")
            })?;
            NewPaymentKind::Direct {
                provider,
                country,
                phone: Msisdn::parse(&raw_phone, country)?,
            }
        }
    } else {
        if let Some(p) = fields::string("provider", body.provider)?.filter(|s| !s.is_empty()) {
            // Accepted for symmetry with direct payments, but the customer chooses on the page.
            ProviderCode::parse(&p)?;
        }
        check_any_provider_limits(amount)?;
        let phone = match (raw_phone, country) {
            (Some(raw), Some(c)) => Some(Msisdn::parse(&raw, c)?),
            (Some(raw), None) => Some(fields::phone_in_any_country(&raw)?.1),
            (None, _) => None,
        };
        NewPaymentKind::Checkout { country, phone }
    };

    Ok(NewPayment {
        dialect: Dialect::CaurisFlux,
        kind,
        amount,
        external_reference,
        customer_name: text::optional_text(
            "customerName",
            fields::string("customerName", body.customer_name)?.as_deref(),
            200,
        )?,
        customer_email: text::email(
            fields::string("customerEmail", body.customer_email)?.as_deref(),
        )?,
        description: text::optional_text(
            "description",
            fields::string("description", body.description)?.as_deref(),
            500,
        )?,
        callback_url: fields::url("callbackUrl", body.callback_url)?,
        return_url: fields::url("returnUrl", body.return_url)?,
        cancel_url: fields::url("cancelUrl", body.cancel_url)?,
        metadata: fields::metadata("metadata", body.metadata)?,
        expires_in_secs: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &str) -> String {
        match parse_initiate(body.as_bytes()) {
            Ok(_) => panic!("{body} should be refused"),
            Err(e) => e.fr().to_owned(),
        }
    }

    #[test]
    fn required_fields_are_named_in_french() {
        assert!(
            err(r#"{"amount": 100, "externalReference": "A"}"#).contains("« type » est requis")
        );
        assert!(
            err(r#"{"type": "checkout", "externalReference": "A"}"#)
                .contains("« amount » est requis")
        );
        assert!(
            err(r#"{"type": "checkout", "amount": 1000}"#)
                .contains("« externalReference » est requis")
        );
        assert!(err(r#"{"type": "direct", "amount": 1000, "externalReference": "A", "country": "SN", "customerPhone": "+221771234567"}"#).contains("« provider » est requis"));
        assert!(err(r#"{"type": "direct", "amount": 1000, "externalReference": "A", "provider": "wave", "customerPhone": "+221771234567"}"#).contains("« country » est requis"));
        assert!(err(r#"{"type": "direct", "amount": 1000, "externalReference": "A", "provider": "wave", "country": "SN"}"#).contains("« customerPhone » est requis"));
    }

    #[test]
    fn malformed_bodies_are_explained() {
        assert!(err("{").contains("n'est pas un JSON valide"));
        assert!(err("[1,2]").contains("objet JSON"));
        assert!(err(r#"{"type": "checkout", "type": "direct"}"#).contains("objet JSON"));
        assert!(
            err(r#"{"type": 5, "amount": 100, "externalReference": "A"}"#)
                .contains("chaîne de caractères")
        );
        assert!(
            err(
                r#"{"type": "checkout", "amount": 1000, "externalReference": "A", "metadata": [1]}"#
            )
            .contains("metadata")
        );
    }

    #[test]
    fn the_seed_examples_parse() {
        let direct = r#"{"type": "direct", "provider": "wave", "country": "SN", "amount": 10000, "currency": "XOF",
            "externalReference": "COMMANDE-12345", "customerPhone": "+221771234567", "customerName": "Amadou Diallo",
            "customerEmail": "amadou@example.com", "description": "Achat sur MaBoutique.sn",
            "callbackUrl": "https://votresite.com/webhooks/cauris", "returnUrl": "https://votresite.com/paiement/succes",
            "cancelUrl": "https://votresite.com/paiement/annule", "metadata": {"orderId": "12345", "customerType": "premium"}}"#;
        let p = parse_initiate(direct.as_bytes()).unwrap();
        assert_eq!(p.amount.minor(), 10000);
        assert_eq!(
            p.metadata.as_deref(),
            Some(r#"{"orderId": "12345", "customerType": "premium"}"#)
        );
        assert!(matches!(
            p.kind,
            NewPaymentKind::Direct {
                provider: ProviderCode::Wave,
                country: Country::Sn,
                ..
            }
        ));
    }
}
