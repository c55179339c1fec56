//! In-process tests: the same application as `tests/api/`, driven through its core (customer
//! actions, worker passes), its database, or its connectors directly, besides HTTP. The HTTP tests
//! of `tests/api/` speak HTTP only; both folders compile into the one `api` test binary.

mod cards;
mod connectors;
pub(crate) mod contracts;
mod dashboard;
mod emulators;
mod idempotency;
mod initiate;
mod instances;
mod languages;
mod lifecycle;
mod listing;
mod mtn_momo;
mod orange_money;
mod pawapay;
mod payout_batches;
mod payout_providers;
mod payouts;
mod processes;
mod refunds;
mod retention;
mod sahelpay;
mod schema;
mod wave;
mod webhooks;
