//! SahelPay's errors: `{"success": false, "error": {"code": "INVALID_AMOUNT", "message": "…"}}`,
//! with the seed's codes and a stable code for every other failure (README, "SahelPay errors").

use crate::api::json_response;
use crate::domain::InvalidInput;
use crate::domain::text::IdempotencyKey;
use crate::payments::{Conflict, PaymentError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// `{"success": false, "error": {"code", "message"}}`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = sahelpay::Error)]
pub struct ErrorEnvelope<'a> {
    success: bool,
    error: ErrorDetail<'a>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = sahelpay::ErrorDetail)]
pub struct ErrorDetail<'a> {
    /// A stable code: INVALID_AMOUNT, MISSING_PHONE, MISSING_RETURN_URL, DUPLICATE_PAYMENT, …
    #[schema(example = "INVALID_AMOUNT")]
    code: &'a str,
    /// What is wrong, in French.
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
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The stable code (`INVALID_AMOUNT`, …).
    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn body(&self) -> String {
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

impl crate::payments::idempotency::Refusal for SahelError {
    fn status(&self) -> u16 {
        self.status.as_u16()
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
            PaymentError::Invalid(e) => SahelError::bad("INVALID_REQUEST", e.fr()),
            PaymentError::NotFound => {
                SahelError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Paiement introuvable")
            }
            PaymentError::Conflict(c) => {
                let (status, code) = match c {
                    Conflict::NotRefundable(_) => (StatusCode::CONFLICT, "REFUND_NOT_ALLOWED"),
                    Conflict::FullyRefunded => (StatusCode::CONFLICT, "ALREADY_REFUNDED"),
                    Conflict::RefundInProgress(_) => (StatusCode::CONFLICT, "REFUND_IN_PROGRESS"),
                    Conflict::IdempotencyKeyReused => (StatusCode::CONFLICT, "DUPLICATE_PAYMENT"),
                    Conflict::NoRefundApi(_) => {
                        (StatusCode::UNPROCESSABLE_ENTITY, "REFUND_NOT_SUPPORTED")
                    }
                    Conflict::AlreadyFinal(_)
                    | Conflict::ChoiceInProgress
                    | Conflict::AwaitingConfirmation(_)
                    | Conflict::IdempotencyKeyTaken => (StatusCode::CONFLICT, "INVALID_STATE"),
                };
                SahelError::new(status, code, c.texts().0)
            }
            e @ PaymentError::LiveModeDisabled => {
                SahelError::new(StatusCode::FORBIDDEN, "LIVE_MODE_DISABLED", e.to_string())
            }
            e @ PaymentError::NotLive(_) => SahelError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "PROVIDER_NOT_ENABLED",
                e.to_string(),
            ),
            e @ PaymentError::ProviderUnavailable { .. } => SahelError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "PROVIDER_UNAVAILABLE",
                e.to_string(),
            ),
            e @ PaymentError::ProviderRefused { .. } => SahelError::new(
                StatusCode::PAYMENT_REQUIRED,
                "PROVIDER_REFUSED",
                e.to_string(),
            ),
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

/// Wraps a field problem in SahelPay's error with `code`.
pub fn invalid(code: &'static str) -> impl Fn(InvalidInput) -> SahelError {
    move |e| SahelError::bad(code, e.fr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_answers_a_generic_500() {
        let err = SahelError::from(PaymentError::Internal(anyhow::anyhow!(
            "UNIQUE constraint failed: payments.checkout_token"
        )));
        assert_eq!(err.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!err.body().contains("constraint"), "{}", err.body());
        assert!(err.body().contains("INTERNAL_ERROR"));
    }
}
