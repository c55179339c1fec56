//! What the HTTP connectors (Wave, MTN MoMo, Orange Money) share: one reading of a provider's
//! answer — which tells "nothing was sent" from "sent, answer lost", since only the first may be
//! tried again elsewhere — and an access token kept until shortly before it expires.

use super::ProviderError;
use crate::config::Secret;
use anyhow::Context;
use reqwest::{Method, StatusCode};

/// A provider refused a request Dalal made: its status and error code, for the log and for the
/// connector that tells refusals apart. The credentials are in headers, never in this error.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{provider} answered {status} ({code})")]
pub struct Refused {
    pub provider: &'static str,
    pub status: StatusCode,
    /// The provider's code, from its error body's `code` (a string, or a number written as
    /// one); empty when the body has none.
    pub code: String,
}

/// Why a request got no usable answer.
#[derive(Debug, Clone)]
pub enum SendError {
    /// Nothing reached the provider (no connection), or it said it was too busy (429): the
    /// request had no effect.
    NotSent,
    /// The request went out and no answer came back (a timeout, a broken connection): for a
    /// request that moves money, the outcome is unknown.
    NoAnswer,
    /// A 5xx, with the error body's code if it has one. Some providers refuse with a 5xx and a
    /// documented code (MTN's ErrorReason words); without one, read it as `NoAnswer`.
    ServerError(Refused),
    /// 404: what the path names does not exist (with the error body's code, if any).
    NotFound(Refused),
    /// Any other 4xx.
    Refused(Refused),
    /// No token: the provider refused Dalal's credentials (the text says which to check).
    Credentials(String),
}

impl From<SendError> for ProviderError {
    /// The reading for requests that move no money (reads, and creations nobody has seen yet):
    /// no answer is as good as none sent.
    fn from(err: SendError) -> Self {
        match err {
            SendError::NotSent | SendError::NoAnswer | SendError::ServerError(_) => {
                ProviderError::Unavailable
            }
            SendError::NotFound(_) => ProviderError::UnknownReference(String::new()),
            SendError::Refused(refused) => anyhow::Error::new(refused).into(),
            SendError::Credentials(why) => anyhow::anyhow!(why).into(),
        }
    }
}

impl SendError {
    /// Whether the provider refused with this HTTP status.
    pub fn is(&self, status: StatusCode) -> bool {
        matches!(self, SendError::Refused(r) if r.status == status)
    }

    /// The provider's answer with its error code, if there was one.
    pub fn refused(&self) -> Option<&Refused> {
        match self {
            SendError::Refused(refused)
            | SendError::NotFound(refused)
            | SendError::ServerError(refused) => Some(refused),
            SendError::NotSent | SendError::NoAnswer | SendError::Credentials(_) => None,
        }
    }
}

/// Sends one request and reads the answer as every connector does: a 2xx answer is returned;
/// no connection and 429 are `NotSent`; a timeout after sending is `NoAnswer`; a 5xx is
/// `ServerError`; 404 is `NotFound`; any other answer is `Refused` with the provider's error
/// `code`.
pub async fn send(
    provider: &'static str,
    method: &Method,
    path: &str,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, SendError> {
    let response = match request.send().await {
        Ok(response) => response,
        Err(err) if err.is_connect() => {
            tracing::warn!(provider, %method, path, error = %err.without_url(), "a provider could not be reached");
            return Err(SendError::NotSent);
        }
        Err(err) => {
            tracing::warn!(provider, %method, path, error = %err.without_url(), "a provider's answer was lost");
            return Err(SendError::NoAnswer);
        }
    };
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        tracing::warn!(provider, %method, path, %status, "a provider asks Dalal to slow down");
        return Err(SendError::NotSent);
    }
    let code = response
        .json::<serde_json::Value>()
        .await
        .ok()
        .and_then(|body| error_code(&body))
        .unwrap_or_default();
    let refused = Refused {
        provider,
        status,
        code,
    };
    if status == StatusCode::NOT_FOUND {
        return Err(SendError::NotFound(refused));
    }
    if status.is_server_error() {
        tracing::warn!(provider, %method, path, %status, code = %refused.code, "a provider is unavailable");
        return Err(SendError::ServerError(refused));
    }
    tracing::info!(provider, %method, path, %status, code = %refused.code, "a provider refused a request");
    Err(SendError::Refused(refused))
}

/// An error body's `code`: a string (Wave's `"invalid-auth"`, Orange's `"60"`) or a number;
/// pawaPay's `failureReason.failureCode`; Wave's other shapes, `error` (a string), `error.code`
/// and `error_code` (PROVIDERS.md, Wave payouts, "two error forms").
fn error_code(body: &serde_json::Value) -> Option<String> {
    let code = body
        .get("code")
        .or_else(|| body.pointer("/failureReason/failureCode"))
        .or_else(|| body.get("error_code"))
        .or_else(|| body.pointer("/error/code"))
        .or_else(|| body.get("error").filter(|e| e.is_string()))?;
    match code {
        serde_json::Value::String(code) => Some(code.clone()),
        serde_json::Value::Number(code) => Some(code.to_string()),
        _ => None,
    }
}

/// What a failed call says about the credentials that made it, in plain words, for `dalal
/// check-providers`: unreachable, an IP address not allowed, an account or key refused.
pub fn plainly(provider: &str, err: &SendError, settings: &str) -> String {
    match err {
        SendError::NotSent => {
            format!("{provider} could not be reached: check the network and the base URL")
        }
        SendError::NoAnswer => format!("{provider} did not answer in time"),
        SendError::ServerError(r) => format!("{provider} is failing ({} {})", r.status, r.code),
        // Wave's `ip-not-allowed`, MTN's "FORBIDDEN IP"; other 403s are about the account.
        SendError::Refused(r)
            if r.status == StatusCode::FORBIDDEN && r.code.to_ascii_lowercase().contains("ip") =>
        {
            format!(
                "{provider} refuses calls from this server's IP address ({}): ask {provider} to allow it",
                r.code
            )
        }
        SendError::Refused(r) if r.status == StatusCode::FORBIDDEN => format!(
            "{provider} refuses this account ({}): check it with {provider}, and {settings}",
            r.code
        ),
        SendError::Refused(r) if r.status == StatusCode::UNAUTHORIZED => {
            format!(
                "{provider} refused the credentials ({}): check {settings}",
                r.code
            )
        }
        SendError::Refused(r) | SendError::NotFound(r) => {
            format!("{provider} answered {} ({})", r.status, r.code)
        }
        SendError::Credentials(why) => why.clone(),
    }
}

/// An amount a provider wrote as a string (`"1000"`, MTN's sandbox `"5.0"`, pawaPay's
/// `"1000.00"` for XOF): its whole units, if it has no fraction. Compared as a number, never as
/// text.
pub fn whole_amount(text: &str) -> Option<i64> {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || !fraction.bytes().all(|b| b == b'0') {
        return None;
    }
    whole.parse().ok()
}

/// The HTTP client of a connector: `timeout` for a whole call (a customer waits on it), five
/// seconds to connect.
pub fn client(
    provider: &'static str,
    timeout: std::time::Duration,
) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(std::time::Duration::from_secs(5).min(timeout))
        .build()
        .with_context(|| format!("failed to build {provider}'s HTTP client"))
}

/// A 2xx answer's JSON, as the provider documents it.
pub async fn read<T: serde::de::DeserializeOwned>(
    provider: &'static str,
    response: reqwest::Response,
) -> Result<T, ProviderError> {
    let bytes = response
        .bytes()
        .await
        .with_context(|| format!("{provider}'s answer was cut short"))?;
    parse(provider, &bytes)
}

/// A provider's JSON, or an error that names the provider and what serde found wrong (never
/// the body: it may hold a customer's number).
pub fn parse<T: serde::de::DeserializeOwned>(
    provider: &'static str,
    bytes: &[u8],
) -> Result<T, ProviderError> {
    Ok(serde_json::from_slice(bytes)
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

/// A connector's token, as `SendError`: `NotSent` when the provider is unavailable, else the
/// refusal of Dalal's credentials.
pub fn no_token(err: ProviderError) -> SendError {
    match err {
        ProviderError::Unavailable => SendError::NotSent,
        other => SendError::Credentials(format!("{other:#}")),
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
        Err(SendError::NotSent | SendError::NoAnswer | SendError::ServerError(_)) => {
            Err(ProviderError::Unavailable)
        }
        Err(SendError::NotFound(_)) => Err(anyhow::anyhow!(
            "{provider} has no token endpoint at {path}: check {settings}"
        )
        .into()),
        Err(SendError::Refused(refused)) => Err(anyhow::anyhow!(
            "{provider} refused Dalal's credentials ({refused}): check {settings}"
        )
        .into()),
        Err(SendError::Credentials(why)) => Err(anyhow::anyhow!(why).into()),
    }
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
        assert!(matches!(
            kept.get(0, down).await,
            Err(ProviderError::Unavailable)
        ));
        assert_eq!(kept.get(1, fetch).await.unwrap().expose(), "token-4");
    }
}
