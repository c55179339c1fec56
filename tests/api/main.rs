//! Integration tests: the real application on a free port, a fresh SQLite file per test. The
//! tests of this folder speak HTTP only (arranging with the test app's fixtures: a fresh app,
//! another merchant, the manual clock); those that also drive the core, its workers, its
//! connectors or its database directly are in `tests/core/`. One binary for all (faster to link
//! than one per file).

mod helpers;

/// The in-process tests (`tests/core/`), in the same binary.
#[path = "../core/mod.rs"]
mod in_process;

mod auth_and_isolation;
mod cards;
mod check_providers;
mod clients;
mod dashboard;
mod emulators;
mod headers;
mod health;
mod idempotency;
mod initiate;
mod lifecycle;
mod mtn_momo;
mod orange_money;
mod pawapay;
mod processes;
mod listing;
mod providers;
mod rate_limits;
mod refunds;
mod sahelpay;
mod secrets;
mod validation;
mod wave;
mod webhooks;
