//! Each mode's connectors, built from the settings: the only place that sees both the live
//! providers and the sandbox.

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::db;
use crate::domain::ProviderCode;
use crate::payments::gateways::GatewayTable;
use crate::providers::mtn_momo::{self, MtnMomoConnector};
use crate::providers::orange_money::{self, OrangeMoneyConnector};
use crate::providers::pawapay::{self, PawaPayConnector};
use crate::providers::wave::{Wallet, WaveConnector};
use crate::providers::{Connectors, PaymentProvider, ProviderRegistry};
use crate::{routes, sandbox};
use std::sync::Arc;

/// Each mode's connectors. Test mode: the sandbox's (`sandbox::connectors`: the live HTTP
/// connectors against the emulators, and the in-process ones). Live mode: the connectors of
/// providers whose credentials are configured, and nothing else (README, "Going live").
pub(super) fn connectors(
    settings: &Settings,
    table: &GatewayTable,
    pool: &db::Pool,
    clock: &SharedClock,
    public_url: &str,
    sandbox_url: &str,
) -> anyhow::Result<Connectors> {
    let gateways = || {
        table
            .all()
            .iter()
            .map(|g| (g.id.as_str(), g.provider, g.via))
    };
    let test = sandbox::connectors(
        pool,
        clock,
        &settings.sandbox,
        public_url,
        sandbox_url,
        settings.providers.wave.restrict_payer_mobile,
    )?;
    let live = live_connectors(settings, clock, public_url)?;
    Ok(Connectors {
        test: ProviderRegistry::new(gateways(), test, &settings.sandbox.down_gateways),
        live: ProviderRegistry::new(gateways(), live, &[]),
    })
}

/// The live connectors of the providers whose credentials are configured.
pub fn live_connectors(
    settings: &Settings,
    clock: &SharedClock,
    public_url: &str,
) -> anyhow::Result<Vec<Arc<dyn PaymentProvider>>> {
    let mut live: Vec<Arc<dyn PaymentProvider>> = Vec::new();
    let wave = &settings.providers.wave;
    let wallets: Vec<Wallet> = wave
        .wallets()?
        .into_iter()
        .map(|w| Wallet {
            tag: (!w.main).then(|| w.countries[0]),
            countries: w.countries,
            api_key: w.api_key,
            webhook_secret: Some(w.webhook_secret),
        })
        .collect();
    if !wallets.is_empty() {
        live.push(Arc::new(WaveConnector::new(
            &wave.base_url,
            wallets,
            wave.restrict_payer_mobile,
        )?));
    }
    let mtn = &settings.providers.mtn_momo;
    if let Some(credentials) = mtn.credentials() {
        let name = credentials.target_environment;
        let country = credentials
            .country
            .or_else(|| mtn_momo::Environment::country_of(&name));
        match country {
            Some(country) => {
                let mut connector = MtnMomoConnector::new(
                    &mtn.base_url,
                    mtn_momo::Credentials {
                        subscription_key: credentials.subscription_key,
                        api_user: credentials.api_user,
                        api_key: credentials.api_key,
                    },
                    vec![mtn_momo::Environment { name, country }],
                    &format!("{public_url}{}", routes::HOOK_MTN_MOMO),
                    clock.clone(),
                )?;
                if let (Some(subscription_key), Some(api_user), Some(api_key)) = (
                    mtn.disbursement_subscription_key.clone(),
                    mtn.disbursement_api_user.clone(),
                    mtn.disbursement_api_key.clone(),
                ) {
                    connector = connector.with_disbursement(mtn_momo::Credentials {
                        subscription_key,
                        api_user,
                        api_key,
                    });
                }
                live.push(Arc::new(connector));
            }
            None => tracing::warn!(environment = %name,
                "MTN MoMo's target environment is no country's (set providers.mtn_momo.country): MTN MoMo is not offered live"),
        }
    }
    let orange = &settings.providers.orange_money;
    if let Some(credentials) = orange.credentials() {
        let mut connector = OrangeMoneyConnector::new(
            &orange.base_url,
            orange_money::Account {
                client_id: credentials.client_id,
                client_secret: credentials.client_secret,
                merchant_code: credentials.merchant_code,
                merchant_name: credentials.merchant_name,
                callback_key: Some(credentials.callback_api_key),
                callback_url: format!("{public_url}{}", routes::HOOK_ORANGE_MONEY),
                countries: credentials.countries,
            },
            clock.clone(),
        )?;
        // Payouts (Cash In) from the retailer account, when it is configured.
        if let Some((msisdn, pin)) = orange.retailer() {
            connector = connector.with_retailer(msisdn, pin.clone())?;
        }
        live.push(Arc::new(connector));
    }
    let pawapay = &settings.providers.pawapay;
    if let Some(token) = &pawapay.api_token {
        // One connector per provider Dalal takes through pawaPay; the gateways with
        // `via = "pawapay"` say where each is used.
        for provider in [
            ProviderCode::FreeMoney,
            ProviderCode::MoovMoney,
            ProviderCode::MtnMomo,
            ProviderCode::OrangeMoney,
        ] {
            live.push(Arc::new(
                PawaPayConnector::new(&pawapay.base_url, token.clone(), provider, clock.clone())?
                    .with_callbacks(pawapay::Callbacks::at(
                        &format!("{public_url}{}", routes::HOOK_PAWAPAY),
                        pawapay.signed_callbacks,
                    )),
            ));
        }
    }
    Ok(live)
}
