//! The sandbox: everything test mode alone uses, in one wing that the live path never imports
//! (`.ci/check-imports`). Test keys never move money, yet run the live code:
//!
//! | file | what |
//! |---|---|
//! | `emulators/` | the Wave, MTN MoMo (with Disbursement refunds), Orange Money and pawaPay APIs as Dalal plays them, each written from the provider's contract (PROVIDERS.md) with its own wire types, at least as strict as the real API |
//! | `in_process.rs` | Moov Money where pawaPay does not cover it: an in-process connector; the outcome rules every sandbox provider shares (`Stage`, the payer's number's ending) |
//! | `card.rs` | the sandbox card acquirer and its test cards |
//! | `words.rs` | the in-process providers' status words |
//! | `pages.rs` | the sandbox "phone" a test QR code opens, and the sandbox bank's 3-D Secure page |
//! | `store.rs` | the sandbox providers' own table (`sandbox_sessions`) |
//!
//! `connectors` builds test mode's connectors: the live Wave, MTN MoMo, Orange Money and pawaPay
//! connectors pointed at the emulators with the emulators' public credentials, and the
//! in-process ones. Start-up is the only place that sees both wings.

pub mod card;
pub mod emulators;
pub mod in_process;
pub mod pages;
pub mod payouts;
pub mod store;
pub mod words;

pub use in_process::{
    QR_VALIDITY_MS, SandboxProvider, Stage, decide, refund_lacks_balance, refund_outcome,
    scenario_for_phone, session,
};
pub use store::{Decision, Flow, SandboxSession, Scenario};

use crate::clock::SharedClock;
use crate::config::{SandboxSettings, Secret};
use crate::db::Pool;
use crate::domain::{Country, Currency, ProviderCode};
use crate::providers::PaymentProvider;
use crate::providers::mtn_momo::{self, MtnMomoConnector};
use crate::providers::orange_money::{self, OrangeMoneyConnector};
use crate::providers::pawapay::{self, PawaPayConnector};
use crate::providers::wave::{Wallet, WaveConnector};
use crate::routes;
use crate::state::AppState;
use axum::Router;
use std::sync::Arc;

/// The emulators' routes, under `routes::EMULATORS_PREFIX`.
pub fn router() -> Router<AppState> {
    emulators::router()
}

/// Test mode's connectors: the HTTP connectors against the emulators served at `sandbox_url`,
/// with the emulators' public credentials, and the in-process ones. `public_url` is where
/// Dalal's own pages (and hooks) are; `restrict_payer_mobile` is live Wave's setting, so that
/// test mode sends what live mode sends.
pub fn connectors(
    pool: &Pool,
    clock: &SharedClock,
    settings: &SandboxSettings,
    public_url: &str,
    sandbox_url: &str,
    restrict_payer_mobile: bool,
) -> anyhow::Result<Vec<Arc<dyn PaymentProvider>>> {
    use emulators::{mtn_momo as mtn, orange_money as orange, wave};
    let timeout = std::time::Duration::from_millis(settings.connector_timeout_ms);
    let mut all = SandboxProvider::in_process(pool, clock, settings, public_url);
    // One wallet per Wave country, Senegal's the main one (its references are bare).
    let wallets = wave::WALLETS
        .iter()
        .map(|(country, key, secret)| Wallet {
            countries: vec![*country],
            api_key: Secret::new(*key),
            webhook_secret: Some(Secret::new(*secret)),
            tag: (*country != Country::Sn).then_some(*country),
        })
        .collect();
    all.push(Arc::new(
        WaveConnector::new(
            &format!("{sandbox_url}{}", routes::WAVE_EMULATOR),
            wallets,
            restrict_payer_mobile,
        )?
        .with_timeout(timeout)?,
    ));
    // A country's own environment, as live: the `sandbox` environment takes EUR only.
    let environments = mtn::ENVIRONMENTS
        .iter()
        .filter_map(|(name, _)| {
            let country = mtn_momo::Environment::country_of(name)?;
            Some(mtn_momo::Environment {
                name: (*name).to_owned(),
                country,
            })
        })
        .collect();
    all.push(Arc::new(
        MtnMomoConnector::new(
            &format!("{sandbox_url}{}", routes::MTN_MOMO_EMULATOR),
            mtn_momo::Credentials {
                subscription_key: Secret::new(mtn::SUBSCRIPTION_KEY),
                api_user: Secret::new(mtn::API_USER),
                api_key: Secret::new(mtn::API_KEY),
            },
            environments,
            &format!("{public_url}{}", routes::HOOK_MTN_MOMO),
            clock.clone(),
        )?
        .with_timeout(timeout)?
        .with_disbursement(mtn_momo::Credentials {
            subscription_key: Secret::new(mtn::disbursement::DISBURSEMENT_SUBSCRIPTION_KEY),
            api_user: Secret::new(mtn::disbursement::DISBURSEMENT_API_USER),
            api_key: Secret::new(mtn::disbursement::DISBURSEMENT_API_KEY),
        }),
    ));
    // pawaPay's providers, as live (its gateways say which: Free Money, Moov Money in Benin and
    // Burkina Faso, MTN MoMo's failover, Orange Money where Sonatel's emulator does not serve:
    // Cameroon); the sandbox account signs its callbacks.
    for provider in [
        ProviderCode::FreeMoney,
        ProviderCode::MoovMoney,
        ProviderCode::MtnMomo,
        ProviderCode::OrangeMoney,
    ] {
        all.push(Arc::new(
            PawaPayConnector::new(
                &format!("{sandbox_url}{}", routes::PAWAPAY_EMULATOR),
                Secret::new(emulators::pawapay::API_TOKEN),
                provider,
                clock.clone(),
            )?
            .with_timeout(timeout)?
            .with_callbacks(pawapay::Callbacks::at(
                &format!("{public_url}{}", routes::HOOK_PAWAPAY),
                true,
            )),
        ));
    }
    // Sonatel's API takes XOF only: the emulator plays the Orange countries that pay in XOF.
    all.push(Arc::new(
        OrangeMoneyConnector::new(
            &format!("{sandbox_url}{}", routes::ORANGE_MONEY_EMULATOR),
            orange_money::Account {
                client_id: Secret::new(orange::CLIENT_ID),
                client_secret: Secret::new(orange::CLIENT_SECRET),
                merchant_code: orange::MERCHANT_CODE.to_owned(),
                merchant_name: "Dalal (sandbox)".to_owned(),
                callback_key: Some(Secret::new(orange::CALLBACK_API_KEY)),
                callback_url: format!("{public_url}{}", routes::HOOK_ORANGE_MONEY),
                countries: ProviderCode::OrangeMoney
                    .countries()
                    .iter()
                    .copied()
                    .filter(|c| c.currency() == Currency::Xof)
                    .collect(),
            },
            clock.clone(),
        )?
        .with_timeout(timeout)?
        // The emulator's public retailer account: payouts (Cash In) in Senegal.
        .with_retailer(orange::RETAILER_MSISDN, Secret::new(orange::RETAILER_PIN))?,
    ));
    Ok(all)
}
