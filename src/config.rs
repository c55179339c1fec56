//! Settings, layered: built-in defaults, then `dalal.toml` in the working directory (optional),
//! then `DALAL__SECTION__KEY` environment variables (`DATABASE_URL` is honoured too).
//! A bad value stops start-up with the key's name.

mod payouts;
mod providers;
mod secret;

pub use payouts::PayoutSettings;
pub use secret::Secret;

pub use providers::{
    MtnMomoCredentials, MtnMomoSettings, OrangeMoneyCredentials, OrangeMoneySettings,
    ProviderSettings, WaveSettings, WaveWallet,
};

use crate::domain::{CardBins, CardBrand, Country, ProviderCode, Via};
use anyhow::Context;
use serde::{Deserialize, Deserializer};
use std::net::SocketAddr;

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub payments: PaymentSettings,
    pub payouts: PayoutSettings,
    pub sandbox: SandboxSettings,
    pub demo: DemoSettings,
    pub webhooks: WebhookSettings,
    pub routing: RoutingSettings,
    pub cards: CardSettings,
    pub retention: RetentionSettings,
    pub rate_limits: RateLimitSettings,
    pub providers: ProviderSettings,
}

/// An empty value (`DALAL__PROVIDERS__WAVE__API_KEY=`) is no credential.
fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Secret>, D::Error> {
    let value = Option::<String>::deserialize(deserializer)?;
    Ok(value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .map(Secret::new))
}

/// Requests a second (sustained) and in a burst: per API key on the API, per client address on
/// the pages, page calls and sandbox pages (`rate_limit.rs`).
#[derive(Debug, Clone, Deserialize)]
pub struct RateLimitSettings {
    pub enabled: bool,
    pub api_per_second: u32,
    pub api_burst: u32,
    pub pages_per_second: u32,
    pub pages_burst: u32,
    /// Behind a reverse proxy: take the client's address from `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RoutingSettings {
    /// Every gateway Dalal may route through (`DEFAULT_GATEWAYS` unless `dalal.toml` gives its
    /// own `[[routing.gateways]]` list). Checked at load by `payments::gateways::GatewayTable::new`.
    pub gateways: Vec<GatewaySettings>,
}

/// The gateways Dalal starts with: a provider's own API ("direct") and an aggregator ("hub")
/// with a lower percentage but a fixed fee (cheaper for large amounts, capped lower); for cards,
/// an international acquirer and the regional GIM-UEMOA switch (GIM-UEMOA cards only, in the
/// UEMOA): `config/gateways.toml`, a TOML file built into the binary. `dalal.toml` may replace
/// the whole list (`[[routing.gateways]]`, docs/api.md "Smart routing").
pub const DEFAULT_GATEWAYS: &str = include_str!("config/gateways.toml");

/// A gateway as configured.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaySettings {
    pub id: String,
    pub provider: ProviderCode,
    /// Whose API it calls: `direct` (the provider's own, the default) or `pawapay`.
    #[serde(default)]
    pub via: Via,
    /// Countries it serves; absent means all of the provider's.
    #[serde(default)]
    pub countries: Vec<Country>,
    /// Card brands it takes (card gateways); absent means all.
    #[serde(default)]
    pub brands: Vec<CardBrand>,
    /// Percentage of the amount (1.5 = 1.5 %).
    pub fee_percent: f64,
    /// Fixed fee per payment, in the currency's minor unit.
    #[serde(default)]
    pub fee_fixed: i64,
    /// Smallest and largest amount it takes (minor units); the provider's own limits apply too.
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CardSettings {
    /// GIM-UEMOA IIN prefixes (`"6280, 9220"` or a list). The scheme does not publish them; the
    /// default, `9220`, is the sandbox's (README, "Test cards"): set the real ones from the
    /// acquirer. Parsed once, at load.
    #[serde(rename = "gim_uemoa_bins", deserialize_with = "card_bins")]
    pub bins: CardBins,
}

/// Reads a list of names given either as a TOML list or as one comma-separated string (the
/// only way an environment variable can give a list).
fn list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        Text(String),
        List(Vec<String>),
    }
    let items = match Given::deserialize(deserializer)? {
        Given::Text(text) => text.split(',').map(str::to_owned).collect(),
        Given::List(list) => list,
    };
    Ok(items
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}

fn card_bins<'de, D: Deserializer<'de>>(deserializer: D) -> Result<CardBins, D::Error> {
    let prefixes = list(deserializer)?.join(",");
    CardBins::parse(&prefixes).map_err(|e| serde::de::Error::custom(e.fr().to_owned()))
}

#[derive(Debug, Clone, Deserialize)]
pub struct WebhookSettings {
    /// How often the delivery worker looks for due deliveries.
    pub interval_ms: u64,
    /// Whether test-mode webhooks may go to loopback and private addresses (a developer's
    /// machine). Live-mode webhooks never may (SSRF protection).
    pub allow_private_targets_in_test: bool,
    /// How long a receiver has to answer (then the attempt failed and is retried).
    pub timeout_ms: u64,
    /// How long a worker holds a delivery it claimed: if its instance dies, another instance
    /// takes the delivery up once this has passed. Longer than `timeout_ms`.
    pub lease_ms: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    /// Address to listen on; port 0 picks a free one (tests).
    pub address: SocketAddr,
    /// How customers' browsers reach Dalal: the base of `redirectUrl`, logos and sandbox links.
    /// Empty means `http://{address}`.
    pub public_url: String,
    /// Largest request body the merchant API reads, in bytes.
    pub max_body_bytes: usize,
    /// A browser session (the checkout's choices, a dashboard sign-in) ends after this long
    /// without a request.
    pub session_idle_secs: i64,
    /// How long an instance trusts an API key it read (its cache): a key revoked elsewhere stops
    /// working on this instance within this time.
    pub api_key_cache_secs: u64,
    /// On shutdown, how long `/readyz` answers 503 (so that a load balancer stops sending
    /// requests) before the server stops taking new ones; requests in flight then finish.
    pub drain_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    /// SQLite: the size the write-ahead log is cut back to after a checkpoint (`journal_size_limit`).
    pub wal_size_limit_bytes: u64,
    /// SQLite: how often a full checkpoint folds the write-ahead log back and truncates it.
    pub checkpoint_interval_secs: u64,
}

/// How long Dalal keeps what it no longer needs, and how it prunes it (in small batches, in the
/// background).
#[derive(Debug, Clone, Deserialize)]
pub struct RetentionSettings {
    /// How often the pruning job runs.
    pub interval_secs: u64,
    /// Rows deleted per statement, so that pruning never holds the write lock for long.
    pub batch: i64,
    /// Idempotency records (Stripe keeps them 24 hours too): after this, a key may be reused.
    pub idempotency_hours: i64,
    /// Sandbox provider sessions (test mode only). Refunds of older sandbox payments fail.
    pub sandbox_days: i64,
    /// The per-try log of webhook deliveries (the deliveries themselves are kept).
    pub webhook_attempts_days: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentSettings {
    /// Seconds from creation to `expiresAt` (30 minutes by default).
    pub expiry_secs: i64,
    /// Failed attempts after which the payment itself fails.
    pub max_failed_attempts: i64,
    /// How often the background workers look for due work (expiry, provider status).
    pub worker_interval_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SandboxSettings {
    /// How long a sandbox customer takes to answer a USSD push or an OTP charge.
    pub answer_delay_ms: i64,
    /// When an unanswered sandbox push expires (MTN's EXPIRED, Wave's expired session).
    pub push_timeout_secs: i64,
    /// Gateways the sandbox treats as down (`"orange_hub,moov_direct"` or a list), to see
    /// failover at work.
    #[serde(deserialize_with = "list")]
    pub down_gateways: Vec<String>,
    /// Where test mode's connectors reach the provider emulators (`/sandbox/providers/…`).
    /// Empty means this process's own address; behind a proxy, any URL that reaches Dalal.
    pub providers_url: String,
    /// How long test mode's connectors wait for an emulator's answer (live connectors: 15 s).
    /// The `…05` scenario answers only after it: an answer lost on the way back.
    pub connector_timeout_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DemoSettings {
    /// Create the demo merchant and its published test keys on an empty database.
    pub enabled: bool,
}

impl Settings {
    pub fn load() -> anyhow::Result<Self> {
        let mut builder = Self::defaults()?
            .add_source(config::File::with_name("dalal").required(false))
            .add_source(
                config::Environment::with_prefix("DALAL")
                    .prefix_separator("__")
                    .separator("__"),
            );
        if let Ok(url) = std::env::var("DATABASE_URL") {
            builder = builder.set_override("database.url", url)?;
        }
        let settings: Settings = builder
            .build()
            .context("failed to read the configuration")?
            .try_deserialize()
            .context("invalid configuration (defaults, dalal.toml, DALAL__* variables)")?;
        settings.validate()?;
        Ok(settings)
    }

    /// The defaults alone: what tests start from.
    pub fn defaults() -> anyhow::Result<config::ConfigBuilder<config::builder::DefaultState>> {
        Ok(payouts::defaults(config::Config::builder())?
            .add_source(config::File::from_str(
                DEFAULT_GATEWAYS,
                config::FileFormat::Toml,
            ))
            .set_default("cards.gim_uemoa_bins", "9220")?
            .set_default("server.address", "127.0.0.1:3000")?
            .set_default("server.public_url", "")?
            .set_default("server.max_body_bytes", 64 * 1024)?
            .set_default("server.session_idle_secs", 2 * 3600)?
            .set_default("server.drain_ms", 0)?
            .set_default("server.api_key_cache_secs", 30)?
            .set_default("database.url", "sqlite://dalal.db")?
            .set_default("database.max_connections", 8)?
            .set_default("database.wal_size_limit_bytes", 64 * 1024 * 1024)?
            .set_default("database.checkpoint_interval_secs", 60)?
            .set_default("rate_limits.enabled", true)?
            .set_default("rate_limits.api_per_second", 100)?
            .set_default("rate_limits.api_burst", 300)?
            .set_default("rate_limits.pages_per_second", 30)?
            .set_default("rate_limits.pages_burst", 300)?
            .set_default("rate_limits.trust_forwarded_for", false)?
            .set_default("retention.interval_secs", 300)?
            .set_default("retention.batch", 500)?
            .set_default("retention.idempotency_hours", 24)?
            .set_default("retention.sandbox_days", 90)?
            .set_default("retention.webhook_attempts_days", 30)?
            .set_default("payments.expiry_secs", 30 * 60)?
            .set_default("payments.max_failed_attempts", 3)?
            .set_default("payments.worker_interval_ms", 500)?
            .set_default("sandbox.answer_delay_ms", 4000)?
            .set_default("sandbox.push_timeout_secs", 120)?
            .set_default("sandbox.down_gateways", "")?
            .set_default("sandbox.providers_url", "")?
            .set_default("sandbox.connector_timeout_ms", 15_000)?
            .set_default("providers.wave.base_url", "https://api.wave.com")?
            .set_default("providers.wave.countries", "SN")?
            .set_default("providers.wave.restrict_payer_mobile", false)?
            .set_default(
                "providers.mtn_momo.base_url",
                "https://proxy.momoapi.mtn.com",
            )?
            .set_default(
                "providers.orange_money.base_url",
                "https://api.orange-sonatel.com",
            )?
            .set_default("providers.orange_money.merchant_name", "Dalal")?
            .set_default("providers.orange_money.countries", "SN")?
            .set_default("providers.pawapay.base_url", "https://api.pawapay.io")?
            .set_default("providers.pawapay.signed_callbacks", false)?
            .set_default("demo.enabled", true)?
            .set_default("webhooks.interval_ms", 500)?
            .set_default("webhooks.allow_private_targets_in_test", true)?
            .set_default("webhooks.timeout_ms", 10_000)?
            .set_default("webhooks.lease_ms", 60_000)?)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.retention.batch > 0 && self.retention.interval_secs > 0,
            "retention.batch and retention.interval_secs must be positive"
        );
        anyhow::ensure!(
            self.retention.idempotency_hours >= 24,
            "retention.idempotency_hours must be at least 24 (merchants retry for a day)"
        );
        anyhow::ensure!(
            self.payments.expiry_secs > 0,
            "payments.expiry_secs must be positive"
        );
        anyhow::ensure!(
            self.payments.max_failed_attempts > 0,
            "payments.max_failed_attempts must be positive"
        );
        anyhow::ensure!(
            self.payments.worker_interval_ms > 0,
            "payments.worker_interval_ms must be positive"
        );
        anyhow::ensure!(
            self.webhooks.lease_ms > self.webhooks.timeout_ms as i64,
            "webhooks.lease_ms must be longer than webhooks.timeout_ms (a try must end within its lease)"
        );
        anyhow::ensure!(
            self.sandbox.answer_delay_ms >= 0,
            "sandbox.answer_delay_ms must not be negative"
        );
        anyhow::ensure!(
            self.sandbox.push_timeout_secs > 0,
            "sandbox.push_timeout_secs must be positive"
        );
        anyhow::ensure!(
            self.sandbox.connector_timeout_ms > 0,
            "sandbox.connector_timeout_ms must be positive"
        );
        anyhow::ensure!(
            ["sqlite:", "postgres://", "postgresql://"]
                .iter()
                .any(|scheme| self.database.url.starts_with(scheme)),
            "database.url: a sqlite: or postgres:// URL is expected"
        );
        // The gateway list itself is checked where it becomes routes (`payments::gateways`),
        // when the application is built: start-up stops there too, naming the gateway.
        for down in &self.sandbox.down_gateways {
            anyhow::ensure!(
                self.routing.gateways.iter().any(|g| &g.id == down),
                "sandbox.down_gateways: no gateway is called {down:?}"
            );
        }
        self.providers.validate()?;
        if !self.server.public_url.is_empty() {
            let url = url::Url::parse(&self.server.public_url)
                .context("server.public_url is not an absolute URL")?;
            anyhow::ensure!(
                matches!(url.scheme(), "http" | "https"),
                "server.public_url must be http or https"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults_and_bad_values_name_their_key() {
        // Only this test touches DALAL__* variables.
        unsafe {
            std::env::set_var("DALAL__PAYMENTS__EXPIRY_SECS", "45");
            std::env::set_var("DALAL__SANDBOX__ANSWER_DELAY_MS", "1500");
        }
        let settings = Settings::load().unwrap();
        assert_eq!(settings.payments.expiry_secs, 45);
        assert_eq!(settings.sandbox.answer_delay_ms, 1500);
        assert_eq!(settings.server.address.port(), 3000);

        unsafe { std::env::set_var("DALAL__SERVER__ADDRESS", "not-an-address") };
        let err = format!("{:#}", Settings::load().unwrap_err());
        assert!(err.contains("server.address"), "{err}");

        unsafe {
            std::env::set_var("DALAL__SERVER__ADDRESS", "127.0.0.1:3000");
            std::env::set_var("DALAL__PAYMENTS__EXPIRY_SECS", "0");
        }
        let err = format!("{:#}", Settings::load().unwrap_err());
        assert!(err.contains("payments.expiry_secs"), "{err}");
        unsafe {
            std::env::remove_var("DALAL__PAYMENTS__EXPIRY_SECS");
            std::env::remove_var("DALAL__SANDBOX__ANSWER_DELAY_MS");
            std::env::remove_var("DALAL__SERVER__ADDRESS");
        }
    }

    #[test]
    fn a_configured_gateway_list_replaces_the_built_in_one() {
        let mut toml = String::from("[cards]\ngim_uemoa_bins = \"6280, 9220\"\n");
        for (id, provider, fee) in [
            ("w", "wave", "0.9"),
            ("o", "orange_money", "1.2"),
            ("f", "free_money", "1"),
            ("m", "mtn_momo", "1"),
            ("v", "moov_money", "1"),
            ("c", "card", "2.5"),
        ] {
            toml.push_str(&format!(
                "[[routing.gateways]]\nid = \"{id}\"\nprovider = \"{provider}\"\nfee_percent = {fee}\nmax_amount = 900000\n"
            ));
        }
        let settings: Settings = Settings::defaults()
            .unwrap()
            .add_source(config::File::from_str(&toml, config::FileFormat::Toml))
            .build()
            .unwrap()
            .try_deserialize()
            .unwrap();
        settings.validate().unwrap();
        let ids: Vec<&str> = settings
            .routing
            .gateways
            .iter()
            .map(|g| g.id.as_str())
            .collect();
        assert_eq!(ids, ["w", "o", "f", "m", "v", "c"]);
        assert_eq!(settings.routing.gateways[0].max_amount, Some(900_000));
        assert_eq!(settings.cards.bins.gim_uemoa, ["6280", "9220"]);

        let settings: Settings = Settings::defaults()
            .unwrap()
            .add_source(config::File::from_str(
                "[sandbox]\ndown_gateways = \"orange_hub, nowhere\"\n",
                config::FileFormat::Toml,
            ))
            .build()
            .unwrap()
            .try_deserialize()
            .unwrap();
        assert_eq!(settings.sandbox.down_gateways, ["orange_hub", "nowhere"]);
        let err = format!("{:#}", settings.validate().unwrap_err());
        assert!(err.contains("sandbox.down_gateways"), "{err}");
    }
}
