//! The merchant JSON API (plain axum, its own wire types). `caurisflux.rs` speaks the
//! CaurisFlux dialect of `shared/seeds/caurisflux-payments-initiate.txt`, `sahelpay.rs` the
//! SahelPay one of `shared/seeds/sahelpay-create-payment.txt`.

pub mod auth;
pub mod caurisflux;
pub mod error;
pub mod fields;
pub mod limits;
pub mod openapi;
pub mod sahelpay;
pub mod schemas;

use crate::payments::{Attempt, Dialect, EventFormatter, Payment, Refund};
use crate::routes;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

pub use error::ApiError;

/// Renders a payment for its webhooks in the dialect it was created in (the core's
/// `EventFormatter`, implemented here so that the core never imports a dialect).
pub struct WebhookBodies {
    /// The base of the absolute URLs in the body (`redirectUrl`, logos).
    pub public_url: String,
}

impl EventFormatter for WebhookBodies {
    fn payment_data(
        &self,
        payment: &Payment,
        attempt: Option<&Attempt>,
        refunds: &[Refund],
    ) -> anyhow::Result<serde_json::Value> {
        let url = &self.public_url;
        Ok(match payment.dialect {
            Dialect::CaurisFlux => serde_json::to_value(caurisflux::wire::PaymentData::new(
                url, payment, attempt, refunds,
            )?)?,
            Dialect::SahelPay => serde_json::to_value(sahelpay::wire::PaymentData::new(
                url, payment, attempt, refunds,
            )?)?,
        })
    }

    fn refund_data(&self, payment: &Payment, refund: &Refund) -> anyhow::Result<serde_json::Value> {
        Ok(match payment.dialect {
            Dialect::CaurisFlux => {
                serde_json::to_value(caurisflux::wire::RefundData::new(payment, refund))?
            }
            Dialect::SahelPay => {
                serde_json::to_value(sahelpay::wire::RefundData::new(payment, refund))?
            }
        })
    }
}

/// Both dialects wrap what they return in `{"success": true, "data": …}`.
#[derive(serde::Serialize)]
struct Envelope<T> {
    success: bool,
    data: T,
}

/// `{"success": true, "data": data}` as JSON text.
pub fn success_body(data: &impl serde::Serialize) -> serde_json::Result<String> {
    serde_json::to_string(&Envelope {
        success: true,
        data,
    })
}

/// A JSON body with its status.
pub fn json_response(status: axum::http::StatusCode, body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

pub fn router() -> Router<AppState> {
    use routes::{caurisflux as cf, sahelpay as sp};
    Router::new()
        .route(routes::OPENAPI, get(openapi::document))
        .route(routes::DOCS, get(openapi::page))
        .route(cf::PAYMENTS, get(caurisflux::operations::list))
        .route(cf::INITIATE, post(caurisflux::initiate))
        .route(cf::PROVIDERS, get(caurisflux::providers))
        .route(cf::PAYMENT, get(caurisflux::get_payment))
        .route(cf::WEBHOOKS, get(caurisflux::list_webhooks))
        .route(cf::REDELIVER, post(caurisflux::redeliver_webhook))
        .route(cf::CANCEL, post(caurisflux::operations::cancel))
        .route(cf::REFUNDS, post(caurisflux::operations::refund))
        .route(cf::ANY, axum::routing::any(not_found))
        .route(
            sp::PAYMENTS,
            post(sahelpay::create_payment).get(sahelpay::operations::list),
        )
        .route(sp::PAYMENT, get(sahelpay::get_payment))
        .route(sp::CANCEL, post(sahelpay::operations::cancel))
        .route(sp::REFUNDS, post(sahelpay::operations::refund))
        .route(sp::ANY, axum::routing::any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> ApiError {
    ApiError::not_found("Route introuvable : consultez la documentation de l'API")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "Méthode HTTP non autorisée pour cette route",
    )
}

/// Reads a request body up to `limit` bytes; a larger one is a 413 with a French message.
pub async fn read_body(
    body: axum::body::Body,
    limit: usize,
) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Le corps de la requête dépasse la taille maximale de {} Ko",
                limit / 1024
            ),
        )
    })
}

/// An error type of one dialect, as the idempotency plumbing needs it.
pub trait DialectError: From<anyhow::Error> {
    fn status(&self) -> axum::http::StatusCode;
    /// The JSON body, as sent and as stored for replays.
    fn body(&self) -> String;
    /// The key was used for a different request.
    fn key_reused(key: &crate::domain::text::IdempotencyKey) -> Self;
    /// A request with the key is still running.
    fn key_busy() -> Self;
}

/// What a dialect's creation gives `idempotent`: the response, or `None` when another request
/// held the key first (only on the unclaimed path).
pub type Created<E> = Result<Option<axum::response::Response>, E>;

/// Runs `create` once per (merchant, idempotency key): the first request creates (its response is
/// stored by `create`, with the payment, in one statement or transaction), the same request again
/// gets the same bytes, another request with the key is refused. A 4xx is an answer and is stored
/// too; a 5xx is not, so the merchant's retry runs again.
///
/// Requests with one key take turns in this process (`idempotency::KeyLocks`). A payment that
/// calls a provider at creation (`calls_provider`) first looks for a stored answer, so a replay
/// never opens a second provider session; then every payment is created with its record
/// (`create(Some(fingerprint))`). Only if a record appeared meanwhile (a request in progress
/// before a restart, or a checkout's insert that found the key taken) does this fall back to
/// claiming the key in the database, which replays that request's answer or waits for it. On
/// PostgreSQL, where other instances may hold the key, a provider-calling request claims first.
pub async fn idempotent<E, F, Fut>(
    state: &crate::state::AppState,
    merchant_id: &str,
    key: &crate::domain::text::IdempotencyKey,
    route: &str,
    body: &[u8],
    calls_provider: bool,
    create: F,
) -> Result<axum::response::Response, E>
where
    E: DialectError,
    F: Fn(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Created<E>>,
{
    use crate::payments::idempotency::{self, Claim};

    let fingerprint = idempotency::fingerprint(route, body);
    let Some(_turn) = state.key_locks.lock(merchant_id, key).await else {
        return Err(E::key_busy());
    };
    // Instances sharing a PostgreSQL database do not see each other's turns: there, a request that
    // opens a provider session claims the key in the database first, so that a racing request on
    // another instance waits for its answer instead of opening a second session.
    let claim_first = calls_provider && state.pool.backend() == crate::db::Backend::Postgres;
    if calls_provider
        && !claim_first
        && let Some(answer) =
            idempotency::answered(&state.pool, merchant_id, key, &fingerprint).await?
    {
        return answer_from_record(key, answer);
    }
    let unclaimed = if claim_first {
        Ok(None)
    } else {
        create(Some(fingerprint.clone())).await
    };
    match unclaimed {
        Ok(Some(response)) => return Ok(response),
        Ok(None) => {} // another request holds the key: see below
        Err(err) if err.status().is_client_error() => {
            let (status, answer) = (err.status().as_u16(), err.body());
            let stored = idempotency::store_answer(
                &state.pool,
                &state.clock,
                merchant_id,
                key,
                &fingerprint,
                status,
                &answer,
            )
            .await?;
            if stored {
                return Err(err);
            }
        }
        Err(err) => return Err(err),
    }
    match idempotency::claim(&state.pool, &state.clock, merchant_id, key, &fingerprint).await? {
        Claim::Owner => match create(None).await {
            Ok(Some(response)) => Ok(response),
            Ok(None) => Err(E::key_busy()),
            Err(err) if err.status().is_client_error() => {
                idempotency::complete(
                    &state.pool,
                    merchant_id,
                    key,
                    err.status().as_u16(),
                    &err.body(),
                )
                .await?;
                Err(err)
            }
            Err(err) => {
                idempotency::release(&state.pool, merchant_id, key).await?;
                Err(err)
            }
        },
        Claim::Answered(answer) => answer_from_record(key, answer),
        Claim::StillRunning => Err(E::key_busy()),
    }
}

/// The response for a key whose record answers: the stored bytes, or a refusal.
fn answer_from_record<E: DialectError>(
    key: &crate::domain::text::IdempotencyKey,
    answer: crate::payments::idempotency::Answer,
) -> Result<axum::response::Response, E> {
    use crate::payments::idempotency::Answer;
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::IntoResponse;

    match answer {
        Answer::Replay { status, body } => {
            let status = StatusCode::from_u16(status).map_err(anyhow::Error::from)?;
            let headers = [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
                (
                    header::HeaderName::from_static("idempotent-replayed"),
                    HeaderValue::from_static("true"),
                ),
            ];
            Ok((status, headers, body).into_response())
        }
        Answer::Mismatch => Err(E::key_reused(key)),
    }
}
