//! Time, injectable: the workers, expiry and the sandbox read the clock through this trait so
//! tests can move time forward instead of sleeping.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

pub type SharedClock = Arc<dyn Clock>;

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis()
    }
}

/// A clock that starts at the real time and only moves when told to.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new() -> Arc<Self> {
        Arc::new(Self(AtomicI64::new(Utc::now().timestamp_millis())))
    }

    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// `2024-01-15T12:30:00.000Z`, the seed's timestamp format.
pub fn iso8601(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The (year, month) of an instant, in UTC: what a card's expiry date is compared with.
pub fn year_month(ms: i64) -> (i32, u32) {
    use chrono::Datelike;
    let date = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    (date.year(), date.month())
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_use_the_seed_format() {
        assert_eq!(
            super::iso8601(1_705_321_800_000),
            "2024-01-15T12:30:00.000Z"
        );
    }
}
