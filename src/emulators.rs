//! Emulators of the providers' public HTTP APIs, served by Dalal itself under
//! `/sandbox/providers/{provider}`: test keys run the real connectors against them, so that test
//! mode exercises the same code as live mode, over HTTP. An edge, like `api` and `pages`: it
//! serves HTTP and reads the sandbox's sessions. Each emulator keeps its sessions in the
//! sandbox's table and decides outcomes as the in-process sandbox does (README, "Sandbox").

pub mod mtn_momo;
pub mod orange_money;
pub mod wave;

use crate::routes;
use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .nest(routes::WAVE_EMULATOR, wave::router())
        .nest(routes::MTN_MOMO_EMULATOR, mtn_momo::router())
        .nest(routes::ORANGE_MONEY_EMULATOR, orange_money::router())
}
