//! The delivery worker: claims due deliveries with a lease, POSTs the exact stored bytes with
//! their signatures, and schedules retries. At least once: a worker that dies mid-delivery
//! leaves a lease that runs out, and another pass takes the delivery up again with the same
//! `webhook-id`.

use super::{DeliveryStatus, signing};
use crate::clock::SharedClock;
use crate::config::WebhookSettings;
use crate::db::{self, Pool};
use crate::domain::Mode;
use rand::Rng;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Delays before each retry, after the first immediate try: about 5 s, 5 min, 30 min, 2 h, 5 h,
/// 10 h, 10 h (a little more than a day in all), each with ±10 % jitter.
pub const RETRY_DELAYS_MS: [i64; 7] = [
    5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
];

#[derive(Clone)]
pub struct Deliverer {
    pool: Pool,
    clock: SharedClock,
    /// Reaches any address: test-mode webhooks on a developer's machine.
    any_address: reqwest::Client,
    /// Resolves names to public addresses only (SSRF protection), checked at connection time so
    /// a name cannot be re-pointed at a private address after a check.
    public_only: reqwest::Client,
    allow_private_in_test: bool,
    timeout: Duration,
    /// A claimed delivery is this worker's for so long (`webhooks.lease_ms`); if the instance dies,
    /// another takes the delivery up after it.
    lease_ms: i64,
}

impl Deliverer {
    pub fn new(pool: Pool, clock: SharedClock, settings: &WebhookSettings) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let builder = || {
            reqwest::Client::builder()
                .timeout(timeout)
                // A redirect is a failure, not something to follow.
                .redirect(reqwest::redirect::Policy::none())
                .user_agent("Dalal-Webhooks/1")
        };
        Ok(Self {
            pool,
            clock,
            any_address: builder().build()?,
            public_only: builder()
                .dns_resolver(std::sync::Arc::new(PublicOnly))
                .build()?,
            allow_private_in_test: settings.allow_private_targets_in_test,
            timeout,
            lease_ms: settings.lease_ms,
        })
    }

    /// One pass: delivers what is due; returns how many deliveries were tried.
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        let now = self.clock.now_ms();
        let claimed = db::webhooks::claim_due(&self.pool, now, now + self.lease_ms, 16).await?;
        let n = claimed.len();
        let tasks: Vec<_> = claimed
            .into_iter()
            .map(|delivery| {
                let this = self.clone();
                tokio::spawn(async move {
                    if let Err(err) = this.deliver(&delivery).await {
                        tracing::error!(delivery = delivery.id, error = ?err, "webhook delivery failed to record");
                    }
                })
            })
            .collect();
        for task in tasks {
            let _ = task.await;
        }
        Ok(n)
    }

    async fn deliver(&self, delivery: &db::webhooks::ClaimedDelivery) -> anyhow::Result<()> {
        let now = self.clock.now_ms();
        let timestamp = now / 1000;
        let secrets = db::webhooks::active_secrets(&self.pool, &delivery.merchant_id, now).await?;
        let signatures = secrets
            .iter()
            .map(|s| signing::sign(s, &delivery.event_id, timestamp, delivery.body.as_bytes()))
            .collect::<anyhow::Result<Vec<_>>>()?
            .join(" ");
        let mode = delivery.mode;
        let private_allowed = match mode {
            Mode::Test => self.allow_private_in_test,
            Mode::Live => false,
        };
        if !private_allowed && targets_private_literal(&delivery.url) {
            // An address written into the URL never changes: no point retrying.
            let error = "adresse privée ou locale refusée (protection SSRF)";
            tracing::warn!(event = %delivery.event_id, url = %delivery.url, "webhook to a private address refused");
            let recorded = db::webhooks::record_attempt(
                &self.pool,
                delivery,
                now,
                None,
                0,
                Some(error),
                DeliveryStatus::Failed,
                None,
            )
            .await?;
            warn_if_lease_lost(delivery, recorded);
            return Ok(());
        }
        let client = if private_allowed {
            &self.any_address
        } else {
            &self.public_only
        };
        let started = Instant::now();
        let result = client
            .post(&delivery.url)
            .header("content-type", "application/json")
            .header("webhook-id", &delivery.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signatures)
            .body(delivery.body.clone())
            .send()
            .await;
        let latency_ms = started.elapsed().as_millis() as i64;
        let attempt_number = delivery.attempts + 1;
        let retry_at = |retry_after_ms: Option<i64>| -> Option<i64> {
            let base = *RETRY_DELAYS_MS.get(usize::try_from(attempt_number - 1).ok()?)?;
            let jitter = rand::rng().random_range(-base / 10..=base / 10);
            Some(now + (base + jitter).max(retry_after_ms.unwrap_or(0)))
        };
        let (http_status, error, status, next) = match result {
            Ok(response) => {
                let code = response.status();
                let retry_after_ms = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<i64>().ok())
                    .map(|secs| secs.clamp(0, 86_400) * 1000);
                if code.is_success() {
                    (Some(code.as_u16()), None, DeliveryStatus::Delivered, None)
                } else if code == reqwest::StatusCode::GONE {
                    db::webhooks::disable_endpoint(
                        &self.pool,
                        &delivery.merchant_id,
                        &delivery.url,
                        now,
                    )
                    .await?;
                    (
                        Some(code.as_u16()),
                        Some("410 Gone : point de réception désactivé".to_owned()),
                        DeliveryStatus::Disabled,
                        None,
                    )
                } else {
                    let next = retry_at(retry_after_ms);
                    (Some(code.as_u16()), None, retry_or_fail(next), next)
                }
            }
            Err(err) => {
                let what = if err.is_timeout() {
                    format!("délai de réponse dépassé ({} ms)", self.timeout.as_millis())
                } else {
                    format!("connexion impossible : {err}")
                };
                let next = retry_at(None);
                (None, Some(what), retry_or_fail(next), next)
            }
        };
        tracing::info!(event = %delivery.event_id, url = %delivery.url, status = ?http_status, outcome = status.as_str(), "webhook attempt");
        let recorded = db::webhooks::record_attempt(
            &self.pool,
            delivery,
            now,
            http_status,
            latency_ms,
            error.as_deref(),
            status,
            next,
        )
        .await?;
        warn_if_lease_lost(delivery, recorded);
        Ok(())
    }
}

/// Logs a try whose lease ran out before it was recorded: another worker has the delivery now,
/// and the endpoint may see this event twice (at least once, the same `webhook-id`).
fn warn_if_lease_lost(delivery: &db::webhooks::ClaimedDelivery, recorded: bool) {
    if !recorded {
        tracing::warn!(delivery = delivery.id, event = %delivery.event_id,
            "a webhook try outlived its lease: another worker has taken the delivery over");
    }
}

/// A delivery with a next try is still pending; without one, it has failed for good.
fn retry_or_fail(next: Option<i64>) -> DeliveryStatus {
    match next {
        Some(_) => DeliveryStatus::Pending,
        None => DeliveryStatus::Failed,
    }
}

/// Addresses a webhook must not reach unless allowed: loopback, private, link-local, shared,
/// unspecified, documentation and multicast ranges (IPv4, IPv6 and IPv4-mapped IPv6).
pub fn is_private(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(a) => {
            let [first, second, ..] = a.octets();
            a.is_loopback()
                || a.is_private()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_documentation()
                || a.is_multicast()
                || first == 0
                || (first == 100 && (64..128).contains(&second)) // carrier-grade NAT
        }
        IpAddr::V6(a) => {
            let first = a.segments()[0];
            a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || a.to_ipv4_mapped().is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// A URL whose host is `localhost` or a private IP literal (these skip DNS resolution).
fn targets_private_literal(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return true;
    };
    match url.host() {
        Some(url::Host::Ipv4(ip)) => is_private(ip.into()),
        Some(url::Host::Ipv6(ip)) => is_private(ip.into()),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost")
        }
        None => true,
    }
}

/// A resolver that only hands out public addresses.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found: Vec<std::net::SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| !is_private(a.ip()))
                .collect();
            if found.is_empty() {
                return Err("le nom ne mène qu'à des adresses privées (protection SSRF)".into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Runs until `shutdown` turns true.
pub async fn run(deliverer: Deliverer, interval: Duration, shutdown: watch::Receiver<bool>) {
    crate::background::every(interval, shutdown, || async {
        if let Err(err) = deliverer.deliver_due().await {
            tracing::error!(error = ?err, "webhook delivery pass failed");
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_recognised() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "41.82.1.1", "2001:4860:4860::8888"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
        assert!(targets_private_literal("http://localhost:8080/hooks"));
        assert!(targets_private_literal("http://[::1]/hooks"));
        assert!(targets_private_literal(
            "http://169.254.169.254/latest/meta-data"
        ));
        assert!(!targets_private_literal(
            "https://votresite.com/webhooks/cauris"
        ));
    }
}
