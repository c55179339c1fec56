//! The CaurisFlux dialect: `POST /api/v1/payments/initiate`, `GET /api/v1/payments/{id}`,
//! `GET /api/v1/payments/providers`, field for field as `shared/seeds/caurisflux-payments-initiate.txt`.

use super::auth::ApiMerchant;
use super::{ApiError, json_response, read_body, success_body};
use crate::domain::msisdn::Msisdn;
use crate::domain::provider::check_any_provider_limits;
use crate::domain::text::{self, IdempotencyKey};
use crate::domain::url::HttpUrl;
use crate::domain::{
    ConfirmationFlow, Country, Currency, InvalidInput, Money, ProviderCode, TransactionId,
};
use crate::payments::{Attempt, Completion, NewPayment, NewPaymentKind, Payment};
use crate::state::AppState;
use crate::{clock, qr};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};

const INITIATE_ROUTE: &str = "POST /api/v1/payments/initiate";
const MAX_METADATA_BYTES: usize = 16 * 1024;

/// The request body as sent. Every field is read loosely here and checked one by one below, so
/// each mistake gets its own French message instead of a serde error.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InitiateBody {
    #[serde(rename = "type")]
    kind: Option<Value>,
    amount: Option<Value>,
    currency: Option<Value>,
    provider: Option<Value>,
    country: Option<Value>,
    external_reference: Option<Value>,
    customer_phone: Option<Value>,
    customer_name: Option<Value>,
    customer_email: Option<Value>,
    description: Option<Value>,
    callback_url: Option<Value>,
    return_url: Option<Value>,
    cancel_url: Option<Value>,
    metadata: Option<Box<RawValue>>,
}

/// The seed's `data` object.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentData {
    transaction_id: String,
    status: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    amount: i64,
    currency: &'static str,
    payment_method: Option<PaymentMethod>,
    country: Option<&'static str>,
    redirect_url: String,
    external_reference: String,
    expires_at: String,
    created_at: String,
    metadata: Option<Box<RawValue>>,
    qr_code: Option<String>,
    deep_links: Option<BTreeMap<String, String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentMethod {
    code: &'static str,
    name: &'static str,
    logo_url: String,
    /// Card payments: the card's brand (`visa`, `mastercard`, `gim_uemoa`) and last four digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    card_brand: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_last4: Option<String>,
}

fn string_field(name: &str, value: Option<Value>) -> Result<Option<String>, InvalidInput> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(InvalidInput::new(format!(
            "Le champ « {name} » doit être une chaîne de caractères"
        ))),
    }
}

fn url_field(name: &str, value: Option<Value>) -> Result<Option<HttpUrl>, InvalidInput> {
    string_field(name, value)?
        .filter(|s| !s.trim().is_empty())
        .map(|s| HttpUrl::parse(name, &s))
        .transpose()
}

/// Finds the country of an international number among those Dalal serves.
fn phone_in_any_country(raw: &str) -> Result<Msisdn, InvalidInput> {
    Country::ALL.iter().find_map(|c| Msisdn::parse(raw, *c).ok()).ok_or_else(|| {
        InvalidInput::new(format!(
            "Le numéro « {} » n'est pas un numéro mobile valide dans un pays servi par Dalal (format E.164, ex. +221771234567)",
            raw.trim()
        ))
    })
}

/// Turns the wire body into a `NewPayment`, or the first thing wrong with it.
fn parse_initiate(bytes: &[u8]) -> Result<NewPayment, InvalidInput> {
    let body: InitiateBody = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => InvalidInput::new(
            "Le corps de la requête doit être un objet JSON (champs en double interdits)",
        ),
        _ => InvalidInput::new(format!(
            "Le corps de la requête n'est pas un JSON valide (ligne {}, colonne {})",
            e.line(),
            e.column()
        )),
    })?;

    let kind = string_field("type", body.kind)?
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
        string_field("externalReference", body.external_reference)?.as_deref(),
    )?;

    let country = string_field("country", body.country)?
        .filter(|s| !s.is_empty())
        .map(|c| Country::parse(&c))
        .transpose()?;
    let currency = match string_field("currency", body.currency)?.filter(|s| !s.is_empty()) {
        Some(code) => Currency::parse(&code)?,
        None => country.map(Country::currency).unwrap_or(Currency::Xof),
    };
    if let Some(c) = country.filter(|c| c.currency() != currency) {
        return Err(InvalidInput::new(format!(
            "La devise {currency} n'est pas acceptée {} : utilisez {}",
            c.in_fr(),
            c.currency()
        )));
    }
    let amount = Money::from_json(&amount_value, currency)?;
    let raw_phone =
        string_field("customerPhone", body.customer_phone)?.filter(|s| !s.trim().is_empty());

    let kind = if is_direct {
        let provider = string_field("provider", body.provider)?
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
        if let Some(p) = string_field("provider", body.provider)?.filter(|s| !s.is_empty()) {
            // Accepted for symmetry with direct payments, but the customer chooses on the page.
            ProviderCode::parse(&p)?;
        }
        check_any_provider_limits(amount)?;
        let phone = match (raw_phone, country) {
            (Some(raw), Some(c)) => Some(Msisdn::parse(&raw, c)?),
            (Some(raw), None) => Some(phone_in_any_country(&raw)?),
            (None, _) => None,
        };
        NewPaymentKind::Checkout { country, phone }
    };

    let metadata = match body.metadata {
        None => None,
        Some(raw) => {
            let text = raw.get();
            if !text.trim_start().starts_with('{') {
                return Err(InvalidInput::new(
                    "Le champ « metadata » doit être un objet JSON",
                ));
            }
            if text.len() > MAX_METADATA_BYTES {
                return Err(InvalidInput::new(
                    "Le champ « metadata » ne doit pas dépasser 16 Ko",
                ));
            }
            Some(text.to_owned())
        }
    };

    Ok(NewPayment {
        kind,
        amount,
        external_reference,
        customer_name: text::optional_text(
            "customerName",
            string_field("customerName", body.customer_name)?.as_deref(),
            200,
        )?,
        customer_email: text::email(
            string_field("customerEmail", body.customer_email)?.as_deref(),
        )?,
        description: text::optional_text(
            "description",
            string_field("description", body.description)?.as_deref(),
            500,
        )?,
        callback_url: url_field("callbackUrl", body.callback_url)?,
        return_url: url_field("returnUrl", body.return_url)?,
        cancel_url: url_field("cancelUrl", body.cancel_url)?,
        metadata,
    })
}

/// The payment in the seed's response shape.
pub fn payment_data(
    public_url: &str,
    payment: &Payment,
    attempt: Option<&Attempt>,
) -> anyhow::Result<PaymentData> {
    let method = attempt.map(|a| a.provider).or(payment.provider).map(|p| {
        let card = attempt.and_then(|a| a.card.clone());
        PaymentMethod {
            code: p.code(),
            name: p.name(),
            logo_url: format!("{}{}", public_url, p.logo_path()),
            card_brand: card
                .as_ref()
                .map(|(b, _)| b.code())
                .or(payment.card_brand.map(|b| b.code())),
            card_last4: card.map(|(_, last4)| last4),
        }
    });
    let open_qr =
        attempt.filter(|a| a.status.is_open() && a.provider.flow() == ConfirmationFlow::QrCode);
    let qr_code = open_qr
        .and_then(|a| a.launch_url.as_deref())
        .map(qr::svg_data_uri)
        .transpose()?;
    let deep_links = open_qr
        .map(|a| a.deep_links.clone())
        .filter(|l| !l.is_empty());
    let metadata = payment
        .metadata
        .clone()
        .map(RawValue::from_string)
        .transpose()?;
    Ok(PaymentData {
        transaction_id: payment.id.to_string(),
        status: payment.status.as_str(),
        kind: "collect",
        amount: payment.amount.minor(),
        currency: payment.amount.currency().code(),
        payment_method: method,
        country: payment.country.map(Country::code),
        redirect_url: format!("{public_url}/pay/{}", payment.checkout_token),
        external_reference: payment.external_reference.clone(),
        expires_at: clock::iso8601(payment.expires_at),
        created_at: clock::iso8601(payment.created_at),
        metadata,
        qr_code,
        deep_links,
    })
}

/// Creates the payment and renders the response body (status, JSON text).
/// The `201` body for a created payment.
fn created_body(
    state: &AppState,
    payment: &Payment,
    attempt: Option<&Attempt>,
) -> anyhow::Result<(u16, String)> {
    let data = payment_data(&state.public_url, payment, attempt)?;
    let body = success_body(&data)?;
    Ok((StatusCode::CREATED.as_u16(), body))
}

/// Creates the payment and renders the response; with an idempotency key, the response is
/// stored in the same transaction as the payment.
async fn create(
    state: &AppState,
    merchant: &crate::merchants::Merchant,
    new: NewPayment,
    key: Option<&IdempotencyKey>,
) -> Result<Response, ApiError> {
    let render =
        |payment: &Payment, attempt: Option<&Attempt>| created_body(state, payment, attempt);
    let completion = key.map(|key| Completion {
        key,
        render: &render,
    });
    let (payment, attempt) = state
        .payments
        .create(&merchant.id, merchant.mode, new, completion)
        .await?;
    let (status, body) = created_body(state, &payment, attempt.as_ref())?;
    Ok(json_response(
        StatusCode::from_u16(status).map_err(anyhow::Error::from)?,
        body,
    ))
}

pub async fn initiate(
    State(state): State<AppState>,
    ApiMerchant(merchant): ApiMerchant,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let bytes = read_body(body, state.settings.server.max_body_bytes).await?;
    let key = headers
        .get("x-idempotency-key")
        .map(|v| {
            v.to_str()
                .map_err(|_| InvalidInput::new("L'en-tête X-Idempotency-Key doit être en ASCII"))
                .and_then(IdempotencyKey::parse)
        })
        .transpose()?;
    let new = parse_initiate(&bytes)?;

    let Some(key) = key else {
        return create(&state, &merchant, new, None).await;
    };
    let creating = create(&state, &merchant, new, Some(&key));
    super::idempotent(&state, &merchant.id, &key, INITIATE_ROUTE, &bytes, creating).await
}

pub async fn get_payment(
    State(state): State<AppState>,
    ApiMerchant(merchant): ApiMerchant,
    Path(transaction_id): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::not_found(format!("Transaction « {transaction_id} » introuvable"));
    let id = TransactionId::parse(&transaction_id).map_err(|_| not_found())?;
    let (payment, attempt) = state
        .payments
        .find_for_merchant(&merchant.id, merchant.mode, id)
        .await?
        .ok_or_else(not_found)?;
    let data = payment_data(&state.public_url, &payment, attempt.as_ref())?;
    let body = success_body(&data).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProviderInfo {
    code: &'static str,
    name: &'static str,
    logo_url: String,
    countries: Vec<&'static str>,
    currency: &'static str,
    min_amount: i64,
    max_amount: i64,
    confirmation: ConfirmationFlow,
    available: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    unavailable_reason: Option<String>,
}

/// `GET /api/v1/payments/providers?country=SN&amount=10000`: the providers a merchant can use.
pub async fn providers(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) =
        query.map_err(|_| ApiError::bad_request("Paramètres de requête invalides"))?;
    let country = query
        .get("country")
        .filter(|s| !s.is_empty())
        .map(|c| Country::parse(c))
        .transpose()?;
    let currency = match query.get("currency").filter(|s| !s.is_empty()) {
        Some(c) => Currency::parse(c)?,
        None => country.map(Country::currency).unwrap_or(Currency::Xof),
    };
    let amount = query
        .get("amount")
        .filter(|s| !s.is_empty())
        .map(|a| {
            a.parse::<i64>()
                .ok()
                .and_then(|n| Money::new(n, currency).ok())
                .ok_or_else(|| {
                    ApiError::bad_request("Le paramètre « amount » doit être un entier positif")
                })
        })
        .transpose()?;
    let data: Vec<ProviderInfo> = ProviderCode::ALL
        .into_iter()
        .filter(|p| country.is_none_or(|c| p.serves(c)))
        .map(|p| {
            let (min_amount, max_amount) = p.limits(currency);
            let serves_currency = p.countries().iter().any(|c| c.currency() == currency);
            let unavailable_reason = if !serves_currency {
                Some(format!("{} n'accepte pas la devise {currency}", p.name()))
            } else {
                amount
                    .and_then(|a| crate::domain::provider::check_limits(p, a).err())
                    .map(|e| e.0)
            };
            ProviderInfo {
                code: p.code(),
                name: p.name(),
                logo_url: format!("{}{}", state.public_url, p.logo_path()),
                countries: p.countries().iter().map(|c| c.code()).collect(),
                currency: currency.code(),
                min_amount,
                max_amount,
                confirmation: p.flow(),
                available: unavailable_reason.is_none(),
                unavailable_reason,
            }
        })
        .collect();
    let body = success_body(&data).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &str) -> String {
        match parse_initiate(body.as_bytes()) {
            Ok(_) => panic!("{body} should be refused"),
            Err(e) => e.0,
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WebhookDelivery {
    event_id: String,
    #[serde(rename = "type")]
    kind: String,
    url: String,
    status: String,
    created_at: String,
    attempts: Vec<WebhookAttempt>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WebhookAttempt {
    at: String,
    http_status: Option<i64>,
    latency_ms: i64,
    error: Option<String>,
    next_retry_at: Option<String>,
}

async fn merchant_payment(
    state: &AppState,
    merchant: &crate::merchants::Merchant,
    transaction_id: &str,
) -> Result<Payment, ApiError> {
    let not_found = || ApiError::not_found(format!("Transaction « {transaction_id} » introuvable"));
    let id = TransactionId::parse(transaction_id).map_err(|_| not_found())?;
    let (payment, _) = state
        .payments
        .find_for_merchant(&merchant.id, merchant.mode, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(payment)
}

/// `GET /api/v1/payments/{transactionId}/webhooks`: every delivery of the payment's events, with
/// each attempt's time, HTTP status, latency and next retry.
pub async fn list_webhooks(
    State(state): State<AppState>,
    ApiMerchant(merchant): ApiMerchant,
    Path(transaction_id): Path<String>,
) -> Result<Response, ApiError> {
    let payment = merchant_payment(&state, &merchant, &transaction_id).await?;
    let (deliveries, attempts) =
        crate::db::webhooks::deliveries_for_payment(&state.pool, payment.id.sequence()).await?;
    let data: Vec<WebhookDelivery> = deliveries
        .into_iter()
        .map(|d| WebhookDelivery {
            attempts: attempts
                .iter()
                .filter(|a| a.delivery_id == d.id)
                .map(|a| WebhookAttempt {
                    at: clock::iso8601(a.at),
                    http_status: a.http_status,
                    latency_ms: a.latency_ms,
                    error: a.error.clone(),
                    next_retry_at: a.next_retry_at.map(clock::iso8601),
                })
                .collect(),
            event_id: d.event_id,
            kind: d.event_type,
            url: d.url,
            status: d.status,
            created_at: clock::iso8601(d.created_at),
        })
        .collect();
    let body = success_body(&data).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
}

/// `POST /api/v1/payments/{transactionId}/webhooks/redeliver`: sends the payment's latest event
/// again (same event id), now.
pub async fn redeliver_webhook(
    State(state): State<AppState>,
    ApiMerchant(merchant): ApiMerchant,
    Path(transaction_id): Path<String>,
) -> Result<Response, ApiError> {
    let payment = merchant_payment(&state, &merchant, &transaction_id).await?;
    let Some((event_id, url)) =
        crate::db::webhooks::latest_event(&state.pool, payment.id.sequence()).await?
    else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "Aucun événement à renvoyer : le paiement n'a pas encore changé de statut ou n'a pas de callbackUrl",
        ));
    };
    crate::db::webhooks::insert_delivery(
        &state.pool,
        &event_id,
        &url,
        "pending",
        state.clock.now_ms(),
    )
    .await?;
    let body = success_body(&serde_json::json!({ "eventId": event_id, "url": url }))
        .map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::ACCEPTED, body))
}
