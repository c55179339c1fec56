//! What the HTTP connectors (Wave, MTN MoMo, Orange Money) share: one reading of a provider's
//! answer, and an access token kept until shortly before it expires.

use super::ProviderError;
use crate::config::Secret;
use anyhow::Context;
use reqwest::{Method, StatusCode};

/// A provider refused a request Dalal made: its status and error code, for the log and for the
/// connector that tells some refusals apart (it travels inside `ProviderError::Internal`). The
/// credentials are in headers, never in this error.
#[derive(Debug, thiserror::Error)]
#[error("{provider} answered {status} ({code})")]
pub struct Refused {
    pub provider: &'static str,
    pub status: StatusCode,
    pub code: String,
}

impl Refused {
    /// The refusal a connector's error carries, if it is one.
    pub fn of(err: &ProviderError) -> Option<&Refused> {
        match err {
            ProviderError::Internal(err) => err.downcast_ref(),
            _ => None,
        }
    }
}

/// Sends one request and reads the answer as every connector does: a 2xx answer is returned;
/// 429, 5xx and no answer at all are `Unavailable` (try later, or another gateway); 404 is
/// `UnknownReference` (of `path`, which names it); any other answer is a `Refused` with the
/// provider's error `code` (all three providers name it so in their error bodies).
pub async fn send(
    provider: &'static str,
    method: &Method,
    path: &str,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, ProviderError> {
    let response = match request.send().await {
        Ok(response) => response,
        Err(err) => {
            tracing::warn!(provider, %method, path, error = %err.without_url(), "a provider could not be reached");
            return Err(ProviderError::Unavailable);
        }
    };
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        tracing::warn!(provider, %method, path, %status, "a provider is unavailable");
        return Err(ProviderError::Unavailable);
    }
    if status == StatusCode::NOT_FOUND {
        return Err(ProviderError::UnknownReference(path.to_owned()));
    }
    let code = response
        .json::<serde_json::Value>()
        .await
        .ok()
        .and_then(|body| Some(body.get("code")?.as_str()?.to_owned()))
        .unwrap_or_default();
    Err(anyhow::Error::new(Refused {
        provider,
        status,
        code,
    })
    .into())
}

/// A 2xx answer's JSON, as the provider documents it.
pub async fn read<T: serde::de::DeserializeOwned>(
    provider: &'static str,
    response: reqwest::Response,
) -> Result<T, ProviderError> {
    Ok(response
        .json::<T>()
        .await
        .with_context(|| format!("{provider}'s answer is not the documented JSON"))?)
}

/// An access token, kept until `renew_before_ms` before the provider says it expires. Callers
/// wait for one fetch at a time.
pub struct KeptToken {
    renew_before_ms: i64,
    kept: tokio::sync::Mutex<Option<(Secret, i64)>>,
}

impl KeptToken {
    pub fn new(renew_before_ms: i64) -> Self {
        Self {
            renew_before_ms,
            kept: tokio::sync::Mutex::new(None),
        }
    }

    /// The kept token at `now_ms`, or a new one from `fetch` (the token and how many seconds it
    /// lives).
    pub async fn get<F, Fut>(&self, now_ms: i64, fetch: F) -> Result<Secret, ProviderError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(Secret, i64), ProviderError>>,
    {
        let mut kept = self.kept.lock().await;
        if let Some((token, _)) = kept.as_ref().filter(|(_, renew_at)| now_ms < *renew_at) {
            return Ok(token.clone());
        }
        let (token, lives_secs) = fetch().await?;
        *kept = Some((
            token.clone(),
            now_ms + lives_secs * 1000 - self.renew_before_ms,
        ));
        Ok(token)
    }

    /// Drops the kept token (the provider refused it): the next call fetches a new one.
    pub async fn forget(&self) {
        *self.kept.lock().await = None;
    }
}

/// Fetches a token with `request`: the provider's JSON, or `Unavailable`, or — any refusal — a
/// clear error naming the settings to check.
pub async fn fetch_token<T: serde::de::DeserializeOwned>(
    provider: &'static str,
    settings: &'static str,
    path: &str,
    request: reqwest::RequestBuilder,
) -> Result<T, ProviderError> {
    match send(provider, &Method::POST, path, request).await {
        Ok(response) => read(provider, response).await,
        Err(ProviderError::Unavailable) => Err(ProviderError::Unavailable),
        Err(err) => Err(anyhow::anyhow!(
            "{provider} refused Dalal's credentials ({err}): check {settings}"
        )
        .into()),
    }
}

/// Whether a connector's error is the provider saying `status`.
pub fn refused_with(err: &ProviderError, status: StatusCode) -> bool {
    Refused::of(err).is_some_and(|r| r.status == status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};

    #[tokio::test]
    async fn a_token_is_kept_until_shortly_before_it_expires_and_renewed_when_forgotten() {
        let kept = KeptToken::new(30_000);
        let fetches = AtomicI64::new(0);
        let fetch = || async {
            let n = fetches.fetch_add(1, Ordering::SeqCst) + 1;
            Ok((Secret::new(format!("token-{n}")), 300))
        };
        assert_eq!(kept.get(0, fetch).await.unwrap().expose(), "token-1");
        // 300 s minus the 30 s margin.
        assert_eq!(kept.get(269_999, fetch).await.unwrap().expose(), "token-1");
        assert_eq!(kept.get(270_000, fetch).await.unwrap().expose(), "token-2");
        kept.forget().await;
        assert_eq!(kept.get(270_001, fetch).await.unwrap().expose(), "token-3");
        // A failed fetch keeps nothing: the next call tries again.
        kept.forget().await;
        let down = || async { Err::<(Secret, i64), _>(ProviderError::Unavailable) };
        assert!(matches!(kept.get(0, down).await, Err(ProviderError::Unavailable)));
        assert_eq!(kept.get(1, fetch).await.unwrap().expose(), "token-4");
    }
}
