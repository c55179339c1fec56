//! `payouts.*`: the limits every merchant's payouts are held to, and how often sent payouts are
//! asked about.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct PayoutSettings {
    /// The largest single payout, in the currency's minor unit (XOF and XAF have none).
    pub max_amount: i64,
    /// What one merchant may send per currency and mode in 24 hours (pending, processing and
    /// succeeded payouts count).
    pub daily_limit: i64,
    /// The shortest wait before the provider is asked where a sent payout stands; after that,
    /// a payout waits as long as it has been out, up to `check_max_ms`.
    pub check_after_ms: i64,
    pub check_max_ms: i64,
}

/// The defaults, on the builder `Settings::defaults` starts from.
pub(super) fn defaults(
    builder: config::ConfigBuilder<config::builder::DefaultState>,
) -> Result<config::ConfigBuilder<config::builder::DefaultState>, config::ConfigError> {
    builder
        .set_default("payouts.max_amount", 2_000_000)?
        .set_default("payouts.daily_limit", 10_000_000)?
        .set_default("payouts.check_after_ms", 2_000)?
        .set_default("payouts.check_max_ms", 5 * 60 * 1000)
}
