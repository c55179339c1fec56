//! Rate limits: per API key on the merchant API (per client address when no key is sent), per
//! client address on the pages, the page calls and the sandbox's pages. Static files, `/healthz`
//! and `/metrics` are not limited. This is the counting only, a leaf; the middleware that answers
//! 429 (in the dialect's error body on the API) is `middleware::rate_limit`.
//!
//! Many customers in West Africa share one public address (carrier-grade NAT on mobile networks),
//! so the per-address limit is generous; it stops token guessing at hundreds a second, not a
//! busy market.

use crate::config::RateLimitSettings;
use crate::routes;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

#[derive(Clone)]
pub struct Limits {
    api: Arc<DefaultKeyedRateLimiter<String>>,
    pages: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    clock: DefaultClock,
    settings: RateLimitSettings,
}

fn quota(per_second: u32, burst: u32) -> Quota {
    let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(rate).allow_burst(burst)
}

impl Limits {
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self {
            api: Arc::new(DefaultKeyedRateLimiter::keyed(quota(
                settings.api_per_second,
                settings.api_burst,
            ))),
            pages: Arc::new(DefaultKeyedRateLimiter::keyed(quota(
                settings.pages_per_second,
                settings.pages_burst,
            ))),
            clock: DefaultClock::default(),
            settings: settings.clone(),
        }
    }

    /// Forgets keys that have been quiet long enough to be back at a full burst.
    pub fn forget_idle(&self) {
        self.api.retain_recent();
        self.pages.retain_recent();
    }

    /// `Some(seconds to wait)` when the request is over its limit.
    pub fn check(&self, request: &Request<axum::body::Body>) -> Option<u64> {
        let path = request.uri().path();
        let exempt = routes::STATIC_PREFIXES.iter().any(|p| path.starts_with(p))
            || path == routes::HEALTH
            || path == routes::READY
            || path == routes::METRICS;
        if exempt || !self.settings.enabled {
            return None;
        }
        let verdict = if is_api(path) {
            let key = credential(request)
                .unwrap_or_else(|| format!("address:{}", self.client_address(request)));
            self.api.check_key(&key)
        } else {
            self.pages.check_key(&self.client_address(request))
        };
        verdict.err().map(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }

    /// The client's address: the connection's, or behind a trusted proxy the first address of
    /// `X-Forwarded-For`.
    fn client_address(&self, request: &Request<axum::body::Body>) -> IpAddr {
        let forwarded = self
            .settings
            .trust_forwarded_for
            .then(|| request.headers().get("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|a| a.trim().parse().ok());
        forwarded
            .or_else(|| {
                request
                    .extensions()
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0.ip())
            })
            .unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }
}

/// Limited per credential: the merchant API, and the machine-to-machine calls a provider
/// makes (`/hooks/…`) or a connector makes to the sandbox's emulated providers.
fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
        || path.starts_with("/v1/")
        || path.starts_with(routes::HOOKS_PREFIX)
        || path.starts_with(routes::EMULATORS_PREFIX)
}

/// The merchant's credential, hashed (a secret is never kept as such, even in memory).
fn credential(request: &Request<axum::body::Body>) -> Option<String> {
    let headers = request.headers();
    let raw = headers
        .get("x-api-key")
        .or_else(|| headers.get(header::AUTHORIZATION))?
        .as_bytes();
    Some(hex::encode(&Sha256::digest(raw)[..16]))
}
