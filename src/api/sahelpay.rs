//! The SahelPay dialect: `POST /v1/payments` and `GET /v1/payments/{id}`, field for field as
//! `shared/seeds/sahelpay-create-payment.txt`. Same core, checkout page and webhooks as the
//! CaurisFlux dialect; a payment created in one is readable in the other.
//!
//! Errors: `{"success": false, "error": {"code": "INVALID_AMOUNT", "message": "…"}}`, with the
//! seed's codes and a stable code for every other failure (listed in README.md).

use super::{json_response, read_body, success_body};
use crate::domain::msisdn::Msisdn;
use crate::domain::text::{self, IdempotencyKey};
use crate::domain::url::HttpUrl;
use crate::domain::{
    CardBrand, Country, Currency, InvalidInput, Money, ProviderCode, TransactionId,
};
use crate::merchants::{self, Merchant};
use crate::payments::{Attempt, Completion, NewPayment, NewPaymentKind, Payment, PaymentError};
use crate::state::AppState;
use crate::{clock, random};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

const CREATE_ROUTE: &str = "POST /v1/payments";

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    success: bool,
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

/// A SahelPay error: an HTTP status, a stable code, a French message.
#[derive(Debug)]
pub struct SahelError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl SahelError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    fn body(&self) -> String {
        let envelope = ErrorEnvelope {
            success: false,
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
            },
        };
        serde_json::to_string(&envelope).unwrap_or_default()
    }
}

impl super::DialectError for SahelError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn body(&self) -> String {
        SahelError::body(self)
    }

    fn key_reused(key: &IdempotencyKey) -> Self {
        SahelError::new(
            StatusCode::CONFLICT,
            "DUPLICATE_PAYMENT",
            format!(
                "Un paiement a déjà été créé avec la clé d'idempotence « {} » et une autre requête",
                key.as_str()
            ),
        )
    }

    fn key_busy() -> Self {
        SahelError::new(
            StatusCode::CONFLICT,
            "IDEMPOTENCY_IN_PROGRESS",
            "Une requête avec la même clé d'idempotence est encore en cours : réessayez dans quelques secondes",
        )
    }
}

impl IntoResponse for SahelError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.status, self.body());
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        }
        response
    }
}

impl From<PaymentError> for SahelError {
    fn from(err: PaymentError) -> Self {
        match err {
            PaymentError::Invalid(e) => SahelError::bad("INVALID_REQUEST", e.0),
            PaymentError::NotFound => {
                SahelError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Paiement introuvable")
            }
            PaymentError::Conflict(m) => SahelError::new(StatusCode::CONFLICT, "INVALID_STATE", m),
            e @ PaymentError::LiveModeDisabled => {
                SahelError::new(StatusCode::FORBIDDEN, "LIVE_MODE_DISABLED", e.to_string())
            }
            PaymentError::ProviderUnavailable { message } => SahelError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "PROVIDER_UNAVAILABLE",
                message,
            ),
            PaymentError::ProviderRefused { message, .. } => {
                SahelError::new(StatusCode::PAYMENT_REQUIRED, "PROVIDER_REFUSED", message)
            }
            PaymentError::Internal(e) => e.into(),
        }
    }
}

impl From<anyhow::Error> for SahelError {
    fn from(err: anyhow::Error) -> Self {
        tracing::error!(error = ?err, "internal error");
        SahelError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "Erreur interne : réessayez dans un instant.",
        )
    }
}

/// `Authorization: Bearer sk_…`.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Merchant, SahelError> {
    let unauthorized = |m: &str| SahelError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", m);
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        unauthorized("Non authentifié : en-tête Authorization manquant (Bearer sk_test_xxx)")
    })?;
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| s.starts_with("sk_") && s.len() <= 256)
        .ok_or_else(|| {
            unauthorized("Non authentifié : utilisez Authorization: Bearer sk_test_xxx")
        })?;
    merchants::authenticate_secret(&state.pool, secret)
        .await?
        .ok_or_else(|| unauthorized("Non authentifié : clé secrète invalide"))
}

#[derive(Deserialize)]
struct CreateBody {
    amount: Option<Value>,
    currency: Option<Value>,
    payment_method: Option<Value>,
    country: Option<Value>,
    customer_phone: Option<Value>,
    customer_name: Option<Value>,
    customer_email: Option<Value>,
    return_url: Option<Value>,
    client_reference: Option<Value>,
    metadata: Option<Box<RawValue>>,
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

/// The method's name in SahelPay's vocabulary (for cards, the brand the merchant asked for).
fn method_name(provider: ProviderCode, brand: Option<CardBrand>) -> &'static str {
    match provider {
        ProviderCode::OrangeMoney => "ORANGE_MONEY",
        ProviderCode::Wave => "WAVE",
        ProviderCode::MoovMoney => "MOOV",
        ProviderCode::FreeMoney => "FREE_MONEY",
        ProviderCode::MtnMomo => "MTN_MOMO",
        ProviderCode::Card => match brand {
            None => "CARD",
            Some(CardBrand::Visa) => "VISA",
            Some(CardBrand::Mastercard) => "MASTERCARD",
            Some(CardBrand::GimUemoa) => "GIM_UEMOA",
        },
    }
}

fn string(name: &str, value: Option<Value>) -> Result<Option<String>, SahelError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(SahelError::bad(
            "INVALID_FIELD",
            format!("Le champ « {name} » doit être une chaîne de caractères"),
        )),
    }
}

fn invalid(code: &'static str) -> impl Fn(InvalidInput) -> SahelError {
    move |e| SahelError::bad(code, e.0)
}

fn parse_create(bytes: &[u8]) -> Result<NewPayment, SahelError> {
    let body: CreateBody = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => SahelError::bad(
            "INVALID_JSON",
            "Le corps de la requête doit être un objet JSON",
        ),
        _ => SahelError::bad(
            "INVALID_JSON",
            format!(
                "Le corps de la requête n'est pas un JSON valide (ligne {}, colonne {})",
                e.line(),
                e.column()
            ),
        ),
    })?;

    let currency = match string("currency", body.currency)? {
        Some(c) => Currency::parse(&c).map_err(invalid("INVALID_CURRENCY"))?,
        None => Currency::Xof,
    };
    let amount_value = body
        .amount
        .ok_or_else(|| SahelError::bad("INVALID_AMOUNT", "Le champ « amount » est requis"))?;
    let amount = Money::from_json(&amount_value, currency).map_err(invalid("INVALID_AMOUNT"))?;
    if !(100..=5_000_000).contains(&amount.minor()) {
        return Err(SahelError::bad(
            "INVALID_AMOUNT",
            format!(
                "Montant invalide : de 100 à 5 000 000 {currency} (reçu {})",
                amount.minor()
            ),
        ));
    }
    let country = string("country", body.country)?
        .map(|c| Country::parse(&c).map_err(invalid("INVALID_COUNTRY")))
        .transpose()?;
    if let Some(c) = country.filter(|c| c.currency() != currency) {
        return Err(SahelError::bad(
            "INVALID_CURRENCY",
            format!(
                "La devise {currency} n'est pas acceptée {} : utilisez {}",
                c.in_fr(),
                c.currency()
            ),
        ));
    }
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
    let return_url = string("return_url", body.return_url)?.ok_or_else(|| {
        SahelError::bad("MISSING_RETURN_URL", "Le champ « return_url » est requis")
    })?;
    let return_url = HttpUrl::parse("return_url", &return_url).map_err(invalid("INVALID_URL"))?;
    let external_reference = match string("client_reference", body.client_reference)? {
        Some(r) => text::external_reference(Some(&r)).map_err(invalid("INVALID_FIELD"))?,
        None => format!("sp_{}", random::lower_alphanumeric(16)),
    };

    let phone_for = |country: Country| -> Result<Option<Msisdn>, SahelError> {
        raw_phone
            .as_deref()
            .map(|p| Msisdn::parse(p, country).map_err(invalid("INVALID_PHONE")))
            .transpose()
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
            let country = match country {
                Some(c) => c,
                None => Country::ALL
                    .into_iter()
                    .find(|c| Msisdn::parse(raw, *c).is_ok())
                    .ok_or_else(|| {
                        SahelError::bad(
                            "INVALID_PHONE",
                            format!("Le numéro « {raw} » n'est valide dans aucun pays servi"),
                        )
                    })?,
            };
            provider.check_available(country, amount).map_err(|e| {
                let code = if e.0.starts_with("Montant") {
                    "INVALID_AMOUNT"
                } else {
                    "METHOD_NOT_AVAILABLE"
                };
                SahelError::bad(code, e.0)
            })?;
            let phone = phone_for(country)?
                .ok_or_else(|| SahelError::bad("MISSING_PHONE", "customer_phone requis"))?;
            NewPaymentKind::Direct {
                provider,
                country,
                phone,
            }
        }
        None => NewPaymentKind::Checkout {
            country,
            phone: match country {
                Some(c) => phone_for(c)?,
                None => match raw_phone.as_deref() {
                    Some(raw) => Some(
                        Country::ALL
                            .into_iter()
                            .find_map(|c| Msisdn::parse(raw, c).ok())
                            .ok_or_else(|| {
                                SahelError::bad(
                                    "INVALID_PHONE",
                                    format!(
                                        "Le numéro « {raw} » n'est valide dans aucun pays servi"
                                    ),
                                )
                            })?,
                    ),
                    None => None,
                },
            },
        },
    };
    let metadata = match body.metadata {
        None => None,
        Some(raw) if raw.get().trim_start().starts_with('{') && raw.get().len() <= 16 * 1024 => {
            Some(raw.get().to_owned())
        }
        Some(_) => {
            return Err(SahelError::bad(
                "INVALID_METADATA",
                "metadata doit être un objet JSON de 16 Ko au plus",
            ));
        }
    };
    Ok(NewPayment {
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
        callback_url: None,
        return_url: Some(return_url),
        cancel_url: None,
        metadata,
    })
}

/// The seed's `data` object.
#[derive(Serialize)]
struct PaymentData {
    id: String,
    status: String,
    amount: i64,
    currency: &'static str,
    payment_method: Option<&'static str>,
    /// The card paid with (brand and last four digits), once the customer has typed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    card: Option<CardData>,
    redirect_url: String,
    gateway_used: Option<String>,
    routing_reason: Option<String>,
    client_reference: String,
    metadata: Option<Box<RawValue>>,
    expires_at: String,
    created_at: String,
}

#[derive(Serialize)]
struct CardData {
    brand: &'static str,
    last4: String,
}

fn payment_data(
    public_url: &str,
    payment: &Payment,
    attempt: Option<&Attempt>,
) -> anyhow::Result<PaymentData> {
    let provider = attempt.map(|a| a.provider).or(payment.provider);
    let card = attempt
        .and_then(|a| a.card.as_ref())
        .map(|(brand, last4)| CardData {
            brand: method_name(ProviderCode::Card, Some(*brand)),
            last4: last4.clone(),
        });
    Ok(PaymentData {
        id: payment.id.sahelpay(),
        status: payment.status.as_str().to_ascii_uppercase(),
        amount: payment.amount.minor(),
        currency: payment.amount.currency().code(),
        payment_method: provider.map(|p| method_name(p, payment.card_brand)),
        card,
        redirect_url: format!("{public_url}/pay/{}", payment.checkout_token),
        gateway_used: attempt.and_then(|a| a.gateway.clone()),
        routing_reason: attempt.and_then(|a| a.routing_reason.clone()),
        client_reference: payment.external_reference.clone(),
        metadata: payment
            .metadata
            .clone()
            .map(RawValue::from_string)
            .transpose()?,
        expires_at: clock::iso8601(payment.expires_at),
        created_at: clock::iso8601(payment.created_at),
    })
}

fn created_body(
    public_url: &str,
    payment: &Payment,
    attempt: Option<&Attempt>,
) -> anyhow::Result<(u16, String)> {
    let data = payment_data(public_url, payment, attempt)?;
    Ok((StatusCode::CREATED.as_u16(), success_body(&data)?))
}

async fn create(
    state: &AppState,
    merchant: &Merchant,
    new: NewPayment,
    key: Option<&IdempotencyKey>,
) -> Result<Response, SahelError> {
    let render = |payment: &Payment, attempt: Option<&Attempt>| {
        created_body(&state.public_url, payment, attempt)
    };
    let completion = key.map(|key| Completion {
        key,
        render: &render,
    });
    let (payment, attempt) = state
        .payments
        .create(&merchant.id, merchant.mode, new, completion)
        .await?;
    let (status, body) = created_body(&state.public_url, &payment, attempt.as_ref())?;
    Ok(json_response(
        StatusCode::from_u16(status).map_err(anyhow::Error::from)?,
        body,
    ))
}

/// `POST /v1/payments`.
pub async fn create_payment(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, SahelError> {
    let merchant = authenticate(&state, &headers).await?;
    let bytes = read_body(body, state.settings.server.max_body_bytes)
        .await
        .map_err(|e| SahelError::new(e.status, "PAYLOAD_TOO_LARGE", e.message))?;
    let key = headers
        .get("x-idempotency-key")
        .map(|v| {
            v.to_str()
                .map_err(|_| InvalidInput::new("X-Idempotency-Key doit être en ASCII"))
                .and_then(IdempotencyKey::parse)
        })
        .transpose()
        .map_err(invalid("INVALID_IDEMPOTENCY_KEY"))?;
    let new = parse_create(&bytes)?;
    let Some(key) = key else {
        return create(&state, &merchant, new, None).await;
    };
    let creating = create(&state, &merchant, new, Some(&key));
    super::idempotent(&state, &merchant.id, &key, CREATE_ROUTE, &bytes, creating).await
}

/// `GET /v1/payments/{id}` (`txn_…`, or the CaurisFlux `TX…`).
pub async fn get_payment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, SahelError> {
    let merchant = authenticate(&state, &headers).await?;
    let not_found = || {
        SahelError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Paiement « {id} » introuvable"),
        )
    };
    let transaction = TransactionId::parse(&id).map_err(|_| not_found())?;
    let (payment, attempt) = state
        .payments
        .find_for_merchant(&merchant.id, merchant.mode, transaction)
        .await?
        .ok_or_else(not_found)?;
    let data = payment_data(&state.public_url, &payment, attempt.as_ref())?;
    let body = success_body(&data).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
}
