//! The merchant API's error body, as in the seed: `{statusCode, message, error}` with a French
//! message. A 5xx never carries the cause: that goes to the log.

use crate::domain::InvalidInput;
use crate::payments::{Conflict, PaymentError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

/// The seed's error body: `{"statusCode", "message", "error"}`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = caurisflux::Error)]
pub struct ErrorBody<'a> {
    #[schema(example = 400)]
    status_code: u16,
    /// What is wrong, in French.
    #[schema(example = "Le champ « amount » est requis")]
    message: &'a str,
    #[schema(example = "Bad Request")]
    error: &'a str,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// Logs the cause chain and answers a generic 500.
    pub fn internal(err: &anyhow::Error) -> Self {
        tracing::error!(error = ?err, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Erreur interne : l'équipe Dalal a été prévenue. Réessayez dans un instant.",
        )
    }

    /// The JSON body, as sent and as stored for idempotent replays.
    pub fn body(&self) -> String {
        serde_json::to_string(&ErrorBody {
            status_code: self.status.as_u16(),
            message: &self.message,
            error: self.status.canonical_reason().unwrap_or("Error"),
        })
        .unwrap_or_default()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.body(),
        )
            .into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        }
        response
    }
}

impl From<InvalidInput> for ApiError {
    fn from(err: InvalidInput) -> Self {
        ApiError::bad_request(err.fr())
    }
}

impl From<PaymentError> for ApiError {
    fn from(err: PaymentError) -> Self {
        match err {
            PaymentError::Invalid(e) => ApiError::bad_request(e.fr()),
            PaymentError::NotFound => ApiError::not_found("Transaction introuvable"),
            PaymentError::Conflict(c) => {
                // What the payment's state forbids is a 409; what its provider cannot do, or a
                // key reused for another request, is a 422.
                let status = match c {
                    Conflict::NoRefundApi(_) | Conflict::IdempotencyKeyReused => {
                        StatusCode::UNPROCESSABLE_ENTITY
                    }
                    Conflict::AlreadyFinal(_)
                    | Conflict::ChoiceInProgress
                    | Conflict::AwaitingConfirmation(_)
                    | Conflict::NotRefundable(_)
                    | Conflict::FullyRefunded
                    | Conflict::RefundInProgress(_)
                    | Conflict::IdempotencyKeyTaken => StatusCode::CONFLICT,
                };
                ApiError::new(status, c.texts().0)
            }
            e @ PaymentError::LiveModeDisabled => {
                ApiError::new(StatusCode::FORBIDDEN, e.to_string())
            }
            e @ PaymentError::NotLive(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
            }
            e @ PaymentError::ProviderUnavailable { .. } => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
            }
            e @ PaymentError::ProviderRefused { .. } => {
                ApiError::new(StatusCode::PAYMENT_REQUIRED, e.to_string())
            }
            PaymentError::Internal(e) => ApiError::internal(&e),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        ApiError::internal(&err)
    }
}

impl crate::payments::idempotency::Refusal for ApiError {
    fn status(&self) -> u16 {
        self.status.as_u16()
    }

    fn body(&self) -> String {
        ApiError::body(self)
    }

    fn key_reused(key: &crate::domain::text::IdempotencyKey) -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "La clé d'idempotence « {} » a déjà servi pour une requête différente : utilisez une nouvelle clé pour un nouveau paiement",
                key.as_str()
            ),
        )
    }

    fn key_busy() -> Self {
        ApiError::new(
            StatusCode::CONFLICT,
            "Une requête avec la même clé d'idempotence est encore en cours : réessayez dans quelques secondes",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_answers_a_generic_500() {
        let err = ApiError::from(PaymentError::Internal(anyhow::anyhow!(
            "error returned from database: database is locked"
        )));
        assert_eq!(err.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!err.body().contains("locked"), "{}", err.body());
    }
}
