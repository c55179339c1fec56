//! The body of SahelPay's `POST /v1/payments`, read into a `NewPayment` with the shared field
//! readers (`api::fields`); only SahelPay's wire names and error codes are its own.

use super::error::{SahelError, invalid};
use crate::api::fields;
use crate::domain::msisdn::Msisdn;
use crate::domain::provider::check_any_provider_limits;
use crate::domain::{CardBrand, Country, Currency, InvalidInput, Money, ProviderCode, text};
use crate::payments::{Dialect, NewPayment, NewPaymentKind};
use crate::random;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// The body of `POST /v1/payments`, read field by field (each mistake has its code).
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = sahelpay::CreatePaymentRequest)]
pub struct CreateBody {
    /// In the currency's smallest unit: 100 to 5 000 000 XOF/XAF, 1 000 to 50 000 000 GNF.
    #[schema(value_type = i64, required = true, minimum = 100, maximum = 50000000, example = 5000)]
    amount: Option<Value>,
    #[schema(schema_with = crate::api::schemas::currencies)]
    currency: Option<Value>,
    /// ORANGE_MONEY, WAVE, MOOV, CARD, VISA, MASTERCARD or GIM_UEMOA; absent: the customer chooses.
    /// The method must serve `country` and take `amount` in its currency.
    #[schema(schema_with = crate::api::schemas::sahelpay_methods)]
    payment_method: Option<Value>,
    #[schema(schema_with = crate::api::schemas::countries)]
    country: Option<Value>,
    /// E.164, a mobile number of `country`; required for ORANGE_MONEY, WAVE and MOOV.
    #[schema(value_type = Option<String>, example = "+221771234567")]
    customer_phone: Option<Value>,
    /// Required for card methods.
    #[schema(value_type = Option<String>)]
    customer_name: Option<Value>,
    /// Required for card methods.
    #[schema(value_type = Option<String>)]
    customer_email: Option<Value>,
    #[schema(value_type = String, required = true, example = "https://votre-site.com/checkout/return")]
    return_url: Option<Value>,
    /// Dalal's extension to the seed: where this payment's webhooks go (else the merchant's
    /// default endpoint).
    #[schema(value_type = Option<String>)]
    callback_url: Option<Value>,
    #[schema(value_type = Option<String>, example = "order_123")]
    client_reference: Option<Value>,
    #[schema(value_type = Option<Object>)]
    metadata: Option<Box<RawValue>>,
    #[schema(value_type = Option<String>)]
    description: Option<Value>,
}

/// SahelPay's payment methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Mobile(ProviderCode),
    /// `CARD` (any brand) or one brand.
    Card(Option<CardBrand>),
}

fn parse_method(s: &str) -> Result<Method, SahelError> {
    Ok(match s {
        "ORANGE_MONEY" => Method::Mobile(ProviderCode::OrangeMoney),
        "WAVE" => Method::Mobile(ProviderCode::Wave),
        "MOOV" => Method::Mobile(ProviderCode::MoovMoney),
        "CARD" => Method::Card(None),
        "VISA" => Method::Card(Some(CardBrand::Visa)),
        "MASTERCARD" => Method::Card(Some(CardBrand::Mastercard)),
        "GIM_UEMOA" => Method::Card(Some(CardBrand::GimUemoa)),
        other => {
            return Err(SahelError::bad(
                "INVALID_PAYMENT_METHOD",
                format!(
                    "payment_method inconnu : « {other} ». Valeurs : ORANGE_MONEY, WAVE, MOOV, CARD, VISA, MASTERCARD, GIM_UEMOA"
                ),
            ));
        }
    })
}

/// A string field where blank means absent, with SahelPay's code for a wrong type.
fn string(name: &str, value: Option<Value>) -> Result<Option<String>, SahelError> {
    fields::non_blank(name, value).map_err(invalid("INVALID_FIELD"))
}

pub fn parse_create(bytes: &[u8]) -> Result<NewPayment, SahelError> {
    let body: CreateBody = fields::json_object(bytes).map_err(invalid("INVALID_JSON"))?;

    let currency = match string("currency", body.currency)? {
        Some(c) => Currency::parse(&c).map_err(invalid("INVALID_CURRENCY"))?,
        None => Currency::Xof,
    };
    let amount_value = body
        .amount
        .ok_or_else(|| SahelError::bad("INVALID_AMOUNT", "Le champ « amount » est requis"))?;
    let amount = Money::from_json(&amount_value, currency).map_err(invalid("INVALID_AMOUNT"))?;
    // The catalogue's limits for the currency (GNF's differ from XOF's); a chosen method's own
    // limits are checked below.
    check_any_provider_limits(amount)
        .map_err(|why| invalid("INVALID_AMOUNT")(InvalidInput::from(why)))?;
    let country = string("country", body.country)?
        .map(|c| Country::parse(&c).map_err(invalid("INVALID_COUNTRY")))
        .transpose()?;
    fields::currency(Some(currency.code()), country).map_err(invalid("INVALID_CURRENCY"))?;
    let method = string("payment_method", body.payment_method)?
        .map(|m| parse_method(&m))
        .transpose()?;
    let raw_phone = string("customer_phone", body.customer_phone)?;
    let customer_name = text::optional_text(
        "customer_name",
        string("customer_name", body.customer_name)?.as_deref(),
        200,
    )
    .map_err(invalid("INVALID_FIELD"))?;
    let customer_email = text::email(string("customer_email", body.customer_email)?.as_deref())
        .map_err(invalid("INVALID_FIELD"))?;
    let return_url = fields::url("return_url", body.return_url)
        .map_err(invalid("INVALID_URL"))?
        .ok_or_else(|| {
            SahelError::bad("MISSING_RETURN_URL", "Le champ « return_url » est requis")
        })?;
    let callback_url =
        fields::url("callback_url", body.callback_url).map_err(invalid("INVALID_URL"))?;
    let external_reference = match string("client_reference", body.client_reference)? {
        Some(r) => text::external_reference(Some(&r)).map_err(invalid("INVALID_FIELD"))?,
        None => format!("sp_{}", random::lower_alphanumeric(16)),
    };
    let phone_anywhere = |raw: &str| {
        fields::phone_in_any_country(raw).map_err(|_| {
            SahelError::bad(
                "INVALID_PHONE",
                format!("Le numéro « {raw} » n'est valide dans aucun pays servi"),
            )
        })
    };

    let kind = match method {
        Some(Method::Card(brand)) => {
            if customer_name.is_none() || customer_email.is_none() {
                return Err(SahelError::bad(
                    "MISSING_CUSTOMER_INFO",
                    "customer_name et customer_email sont requis pour un paiement par carte",
                ));
            }
            // GIM-UEMOA cards are the UEMOA's own: refuse a payment they could never settle.
            if brand == Some(CardBrand::GimUemoa) && currency != Currency::Xof {
                return Err(SahelError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "METHOD_NOT_AVAILABLE",
                    "Les cartes GIM-UEMOA ne s'utilisent que dans l'UEMOA, en XOF",
                ));
            }
            NewPaymentKind::Card { country, brand }
        }
        Some(Method::Mobile(provider)) => {
            let raw = raw_phone.as_deref().ok_or_else(|| {
                SahelError::bad(
                    "MISSING_PHONE",
                    "Le champ « customer_phone » est requis pour un paiement mobile",
                )
            })?;
            let (country, phone) = match country {
                Some(c) => (c, Msisdn::parse(raw, c).map_err(invalid("INVALID_PHONE"))?),
                None => phone_anywhere(raw)?,
            };
            provider.check_available(country, amount).map_err(|why| {
                let code = if why.is_amount() {
                    "INVALID_AMOUNT"
                } else {
                    "METHOD_NOT_AVAILABLE"
                };
                invalid(code)(InvalidInput::from(why))
            })?;
            NewPaymentKind::Direct {
                provider,
                country,
                phone,
            }
        }
        None => NewPaymentKind::Checkout {
            country,
            phone: match (raw_phone.as_deref(), country) {
                (Some(raw), Some(c)) => {
                    Some(Msisdn::parse(raw, c).map_err(invalid("INVALID_PHONE"))?)
                }
                (Some(raw), None) => Some(phone_anywhere(raw)?.1),
                (None, _) => None,
            },
        },
    };
    let metadata = fields::metadata("metadata", body.metadata).map_err(|_| {
        SahelError::bad(
            "INVALID_METADATA",
            "metadata doit être un objet JSON de 16 Ko au plus",
        )
    })?;
    Ok(NewPayment {
        dialect: Dialect::SahelPay,
        kind,
        amount,
        external_reference,
        customer_name,
        customer_email,
        description: text::optional_text(
            "description",
            string("description", body.description)?.as_deref(),
            500,
        )
        .map_err(invalid("INVALID_FIELD"))?,
        callback_url,
        return_url: Some(return_url),
        cancel_url: None,
        metadata,
        expires_in_secs: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(body: &str) -> &'static str {
        match parse_create(body.as_bytes()) {
            Ok(_) => "OK",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn amount_limits_come_from_the_catalogue_for_each_currency() {
        let body = |amount: i64, currency: &str, country: &str| {
            format!(
                r#"{{"amount": {amount}, "currency": "{currency}", "country": "{country}", "payment_method": "ORANGE_MONEY",
                    "customer_phone": "+224621234567", "return_url": "https://shop.example/ok"}}"#
            )
        };
        // 6 000 000 GNF is about 650 EUR: allowed in francs guinéens, not in francs CFA.
        assert_eq!(code_of(&body(6_000_000, "GNF", "GN")), "OK");
        assert_eq!(code_of(&body(500, "GNF", "GN")), "INVALID_AMOUNT");
        assert_eq!(
            code_of(&body(6_000_000, "XOF", "SN").replace("+224621234567", "+221771234567")),
            "INVALID_AMOUNT"
        );
    }

    #[test]
    fn a_method_unavailable_in_the_country_is_not_an_amount_error() {
        let body = r#"{"amount": 5000, "country": "SN", "payment_method": "MOOV",
            "customer_phone": "+221771234567", "return_url": "https://shop.example/ok"}"#;
        assert_eq!(code_of(body), "METHOD_NOT_AVAILABLE");
    }

    #[test]
    fn callback_url_is_an_optional_extension() {
        let body = r#"{"amount": 5000, "return_url": "https://shop.example/ok",
            "callback_url": "https://shop.example/hooks"}"#;
        let new = parse_create(body.as_bytes()).unwrap();
        assert_eq!(
            new.callback_url.map(|u| u.as_str().to_owned()).as_deref(),
            Some("https://shop.example/hooks")
        );
        let bad = body.replace("https://shop.example/hooks", "ftp://x");
        assert_eq!(code_of(&bad), "INVALID_URL");
    }
}
