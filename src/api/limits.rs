//! The merchant API's answer to a request over its rate limit (`rate_limit`): 429, in the
//! error body of the dialect the path belongs to.

use super::ApiError;
use super::sahelpay::SahelError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The 429 of an API path, in its dialect's body; `None` for a path that is not the API's.
pub fn too_many_requests(path: &str, wait_secs: u64) -> Option<Response> {
    let message = format!("Trop de requêtes : réessayez dans {wait_secs} s");
    if path.starts_with("/v1/") {
        Some(
            SahelError::new(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", message).into_response(),
        )
    } else if path.starts_with("/api/") {
        Some(ApiError::new(StatusCode::TOO_MANY_REQUESTS, message).into_response())
    } else {
        None
    }
}
