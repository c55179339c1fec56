//! Dalal: a hosted checkout and payment core for West and Central African mobile money.
//!
//! The crate builds twice: with `ssr` it is the server (merchant API, payment core, database,
//! sandbox providers); with `hydrate` it is the WASM that makes the server-rendered pages live.
//! Pages are Leptos *islands*: the server renders them whole, and only the components marked
//! `#[island]` (a field checked as it is typed, the waiting screen's poll) hydrate in the
//! browser. Only `app`, `pages` and `domain` are compiled into the browser bundle.

pub mod app;
pub mod domain;
pub mod i18n;
pub mod pages;
pub mod routes;

#[cfg(feature = "ssr")]
pub mod accounts;
#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod background;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod merchants;
#[cfg(feature = "ssr")]
pub mod middleware;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
pub mod payments;
#[cfg(feature = "ssr")]
pub mod payouts;
#[cfg(feature = "ssr")]
pub mod provider_notifications;
#[cfg(feature = "ssr")]
pub mod providers;
#[cfg(feature = "ssr")]
pub mod qr;
#[cfg(feature = "ssr")]
pub mod random;
#[cfg(feature = "ssr")]
pub mod rate_limit;
#[cfg(feature = "ssr")]
pub mod retention;
#[cfg(feature = "ssr")]
pub mod sandbox;
#[cfg(feature = "ssr")]
pub mod startup;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod telemetry;
#[cfg(feature = "ssr")]
pub mod webhooks;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // A panic's message in the console, while developing; the release bundle does without its
    // formatting code (bytes every customer downloads).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
