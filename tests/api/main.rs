//! Integration tests: the real application on a free port, a fresh SQLite file per test, and
//! real HTTP. One binary for all (faster to link than one per file).

mod helpers;

mod auth_and_isolation;
mod cards;
mod check_providers;
mod clients;
mod connectors;
mod contracts;
mod dashboard;
mod emulators;
mod headers;
mod health;
mod idempotency;
mod initiate;
mod instances;
mod languages;
mod lifecycle;
mod mtn_momo;
mod orange_money;
mod processes;
mod listing;
mod providers;
mod rate_limits;
mod refunds;
mod retention;
mod sahelpay;
mod schema;
mod secrets;
mod validation;
mod wave;
mod webhooks;
