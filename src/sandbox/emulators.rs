//! Emulators of the providers' public HTTP APIs, served by Dalal itself under
//! `/sandbox/providers/{provider}`: test keys run the real connectors against them, so that test
//! mode exercises the same code as live mode, over HTTP. Each is written from the provider's
//! contract (PROVIDERS.md) with wire types of its own, never the connector's (`.ci/check-imports`
//! forbids it), and refuses what the real API refuses. Each keeps its sessions in the sandbox's
//! table and decides outcomes as the in-process sandbox does (README, "Sandbox").

pub mod mtn_momo;
pub mod orange_money;
pub mod pawapay;
pub mod wave;

use crate::routes;
use crate::state::AppState;
use axum::Router;

/// Waits until the connector that made a request has stopped waiting for its answer: the
/// `…05` scenario's answer, lost on the way back (`sandbox.connector_timeout_ms`).
pub(super) async fn lose_the_answer(state: &AppState) {
    let timeout = state.settings.sandbox.connector_timeout_ms;
    tokio::time::sleep(std::time::Duration::from_millis(timeout + 500)).await;
}

/// A UUID version 4, as MTN's `X-Reference-Id` and pawaPay's ids must be.
fn is_uuid_v4(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    let shaped = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()));
    shaped
        && groups[2].starts_with('4')
        && matches!(
            groups[3].as_bytes()[0].to_ascii_lowercase(),
            b'8' | b'9' | b'a' | b'b'
        )
}

/// The sandbox's rules (`Stage`, the answer delay) for an emulated provider's sessions.
fn rules(state: &AppState, provider: crate::domain::ProviderCode) -> super::SandboxProvider {
    super::SandboxProvider::new(
        provider,
        state.pool.clone(),
        state.clock.clone(),
        state.settings.sandbox.clone(),
    )
}

pub fn router() -> Router<AppState> {
    Router::new()
        .nest(routes::WAVE_EMULATOR, wave::router())
        .nest(routes::MTN_MOMO_EMULATOR, mtn_momo::router())
        .nest(routes::ORANGE_MONEY_EMULATOR, orange_money::router())
        .nest(routes::PAWAPAY_EMULATOR, pawapay::router())
}

/// Access tokens the emulators issue without remembering them: `{issued_ms}.{hmac}`, signed
/// with the emulator's own key, alive `lives_secs` by the application's clock (so tests can let
/// them expire).
pub mod tokens {
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    fn mac(key: &[u8], issued_ms: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
        mac.update(issued_ms.to_string().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn issue(key: &[u8], now_ms: i64) -> String {
        format!("{now_ms}.{}", mac(key, now_ms))
    }

    /// Whether `token` was issued with `key` less than `lives_secs` before `now_ms`.
    pub fn alive(key: &[u8], token: &str, now_ms: i64, lives_secs: i64) -> bool {
        token
            .split_once('.')
            .and_then(|(issued, signature)| {
                let issued = issued.parse::<i64>().ok()?;
                (mac(key, issued) == signature).then_some(issued)
            })
            .is_some_and(|issued| now_ms - issued < lives_secs * 1000)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_token_lives_its_time_with_its_own_key_only() {
            let token = issue(b"key-a", 1_000);
            assert!(alive(b"key-a", &token, 1_000 + 299_999, 300));
            assert!(!alive(b"key-a", &token, 1_000 + 300_000, 300), "expired");
            assert!(
                !alive(b"key-b", &token, 1_001, 300),
                "another emulator's key"
            );
            assert!(!alive(b"key-a", "1000.forged", 1_001, 300));
            assert!(!alive(b"key-a", "not a token", 1_001, 300));
        }
    }
}

/// Runs `look` when a sandbox push may have ended: after the sandbox's answer delay, then when
/// the push times out (by the wall clock, as the customer's phone would), until `look` says it
/// is done. The MTN MoMo and Orange Money emulators call Dalal back this way.
pub async fn at_push_moments<F, Fut>(state: &AppState, mut look: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let settings = &state.settings.sandbox;
    let moments = [
        settings.answer_delay_ms.max(0) as u64,
        (settings.push_timeout_secs * 1000) as u64,
    ];
    let mut waited = 0;
    for moment in moments {
        let pause = moment.saturating_sub(waited) + 50;
        tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        waited = moment + 50;
        if look().await {
            return;
        }
    }
}

/// Whether a provider tries a notification again after Dalal refused it with a 4xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterRefusal {
    TryAgain,
    /// Orange "never resends after a 4xx" (PROVIDERS.md).
    GiveUp,
}

/// Sends a provider's notification to Dalal's own `hook` (`request` builds it afresh for each
/// try, e.g. with a new signature): three tries, a second apart, as providers retry.
pub async fn notify_dalal(
    state: &AppState,
    hook: &str,
    after_refusal: AfterRefusal,
    request: impl Fn(&reqwest::Client, String) -> reqwest::RequestBuilder,
) -> anyhow::Result<()> {
    let url = format!("{}{hook}", state.sandbox_url);
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()?;
    let mut last = None;
    for try_number in 0..3 {
        if try_number > 0 {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
        match request(&client, url.clone()).send().await {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response)
                if response.status().is_client_error() && after_refusal == AfterRefusal::GiveUp =>
            {
                anyhow::bail!(
                    "Dalal's {hook} refused the notification ({}): not sent again",
                    response.status()
                );
            }
            Ok(response) => last = Some(response.status().to_string()),
            Err(err) => last = Some(err.without_url().to_string()),
        }
    }
    anyhow::bail!(
        "Dalal's {hook} did not take the emulator's notification: {}",
        last.unwrap_or_default()
    )
}
