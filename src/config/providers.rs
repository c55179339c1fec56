//! The providers' live APIs (README, "Going live"). A provider whose credentials are missing is
//! not offered in live mode; test mode always talks to Dalal's emulators of these APIs. Each set
//! of credentials comes whole or not at all; start-up names the key that is wrong.

use super::{Secret, list, secret};
use crate::domain::Country;
use anyhow::Context;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
pub struct ProviderSettings {
    pub wave: WaveSettings,
    pub mtn_momo: MtnMomoSettings,
    pub orange_money: OrangeMoneySettings,
    pub pawapay: PawaPaySettings,
}

/// pawaPay's Merchant API v2 (PROVIDERS.md, "pawaPay — Merchant API v2"): one API token serves
/// every provider the account has enabled — Free Money, Moov Money in Benin and Burkina Faso, and
/// MTN MoMo beyond its own API (the gateways with `via = "pawapay"`). The token is pawaPay's
/// production one unless `base_url` names the sandbox (`https://api.sandbox.pawapay.io`): the two
/// are isolated.
#[derive(Debug, Clone, Deserialize)]
pub struct PawaPaySettings {
    #[serde(default, deserialize_with = "secret")]
    pub api_token: Option<Secret>,
    pub base_url: String,
    /// Refuse unsigned callbacks: turn it on with "signed callbacks" in pawaPay's dashboard.
    /// Signed callbacks are verified either way.
    pub signed_callbacks: bool,
}

/// Wave's Checkout API (PROVIDERS.md, "Wave — Checkout API"). A key belongs to one business
/// wallet, hence one country: `api_key` and `webhook_secret` are the main wallet's, used for
/// `countries` (default `SN`); further wallets are given per country under `wallets`
/// (`DALAL__PROVIDERS__WAVE__WALLETS__CI__API_KEY`, `…__CI__WEBHOOK_SECRET`). Live Wave is
/// offered only where a wallet is.
#[derive(Debug, Clone, Deserialize)]
pub struct WaveSettings {
    #[serde(default, deserialize_with = "secret")]
    pub api_key: Option<Secret>,
    #[serde(default, deserialize_with = "secret")]
    pub webhook_secret: Option<Secret>,
    #[serde(deserialize_with = "list")]
    pub countries: Vec<String>,
    #[serde(default)]
    pub wallets: BTreeMap<String, WaveWalletSettings>,
    /// Sends the customer's number as `restrict_payer_mobile`, so that no other Wave number can
    /// pay (off by default: a relative paying for someone is common).
    pub restrict_payer_mobile: bool,
    pub base_url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WaveWalletSettings {
    #[serde(default, deserialize_with = "secret")]
    pub api_key: Option<Secret>,
    #[serde(default, deserialize_with = "secret")]
    pub webhook_secret: Option<Secret>,
}

/// One configured Wave wallet.
#[derive(Debug, Clone)]
pub struct WaveWallet {
    pub countries: Vec<Country>,
    pub api_key: Secret,
    pub webhook_secret: Secret,
    /// The main wallet (`providers.wave.api_key`), whose references are the bare session ids.
    pub main: bool,
}

impl WaveSettings {
    /// Every configured wallet, the main one first; an error names the key that is wrong.
    pub fn wallets(&self) -> anyhow::Result<Vec<WaveWallet>> {
        let mut wallets = Vec::new();
        match (&self.api_key, &self.webhook_secret) {
            (Some(api_key), Some(webhook_secret)) => {
                let countries = self
                    .countries
                    .iter()
                    .map(|c| country(c, "providers.wave.countries"))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                anyhow::ensure!(
                    !countries.is_empty(),
                    "providers.wave.countries: the main wallet's country is needed"
                );
                wallets.push(WaveWallet {
                    countries,
                    api_key: api_key.clone(),
                    webhook_secret: webhook_secret.clone(),
                    main: true,
                });
            }
            (None, None) => {}
            _ => anyhow::bail!(
                "providers.wave: give both api_key and webhook_secret (Wave's notifications are \
                 verified with the secret), or neither"
            ),
        }
        for (code, wallet) in &self.wallets {
            let key = format!("providers.wave.wallets.{code}");
            let country = country(code, &key)?;
            let (Some(api_key), Some(webhook_secret)) = (&wallet.api_key, &wallet.webhook_secret)
            else {
                anyhow::bail!("{key}: give both api_key and webhook_secret");
            };
            anyhow::ensure!(
                !wallets.iter().any(|w| w.countries.contains(&country)),
                "{key}: {} already has a Wave wallet",
                country.code()
            );
            wallets.push(WaveWallet {
                countries: vec![country],
                api_key: api_key.clone(),
                webhook_secret: webhook_secret.clone(),
                main: false,
            });
        }
        Ok(wallets)
    }
}

fn country(code: &str, key: &str) -> anyhow::Result<Country> {
    Country::parse(&code.trim().to_ascii_uppercase())
        .map_err(|_| anyhow::anyhow!("{key}: {code:?} is not a country code Dalal serves"))
}

/// MTN MoMo's Open API, Collection product (PROVIDERS.md, "MTN MoMo — Open API, Collection"):
/// the product's subscription key, an API user (a UUID) and its API key, and the target
/// environment MTN gives the account (`mtnivorycoast`, `mtnbenin`, `mtncameroon`), which is one
/// country's.
#[derive(Debug, Clone, Deserialize)]
pub struct MtnMomoSettings {
    #[serde(default, deserialize_with = "secret")]
    pub subscription_key: Option<Secret>,
    #[serde(default, deserialize_with = "secret")]
    pub api_user: Option<Secret>,
    #[serde(default, deserialize_with = "secret")]
    pub api_key: Option<Secret>,
    #[serde(default)]
    pub target_environment: String,
    /// The Disbursement product's subscription key, API user and key (all three or none):
    /// refunds go through it (PROVIDERS.md, "MTN MoMo — Disbursement"). Without them, MTN
    /// payments are refunded from MTN's portal.
    #[serde(default, deserialize_with = "secret")]
    pub disbursement_subscription_key: Option<Secret>,
    #[serde(default, deserialize_with = "secret")]
    pub disbursement_api_user: Option<Secret>,
    #[serde(default, deserialize_with = "secret")]
    pub disbursement_api_key: Option<Secret>,
    /// The country whose payments the environment takes, for an environment Dalal does not
    /// know by name (`mtnivorycoast` is CI, `mtnbenin` BJ, `mtncameroon` CM).
    #[serde(default)]
    pub country: String,
    pub base_url: String,
}

/// Everything a call to MTN MoMo's Collection API needs.
#[derive(Debug, Clone)]
pub struct MtnMomoCredentials {
    pub subscription_key: Secret,
    pub api_user: Secret,
    pub api_key: Secret,
    pub target_environment: String,
    /// `None`: the environment's own country.
    pub country: Option<Country>,
}

impl MtnMomoSettings {
    /// The credentials, when all four are given.
    pub fn credentials(&self) -> Option<MtnMomoCredentials> {
        Some(MtnMomoCredentials {
            subscription_key: self.subscription_key.clone()?,
            api_user: self.api_user.clone()?,
            api_key: self.api_key.clone()?,
            target_environment: Some(self.target_environment.trim())
                .filter(|t| !t.is_empty())?
                .to_owned(),
            country: Country::parse(&self.country.trim().to_ascii_uppercase()).ok(),
        })
    }
}

/// Orange Money's merchant API (Sonatel; PROVIDERS.md, "Orange Money Senegal"): the client id
/// and secret of the application, the merchant code payments go to, the name customers see in
/// the app, and the API key registered with the callback URL (Orange sends it back with each
/// callback). Payouts need besides the retailer account Cash In is paid from, and its PIN.
#[derive(Debug, Clone, Deserialize)]
pub struct OrangeMoneySettings {
    #[serde(default, deserialize_with = "secret")]
    pub client_id: Option<Secret>,
    #[serde(default, deserialize_with = "secret")]
    pub client_secret: Option<Secret>,
    #[serde(default)]
    pub merchant_code: String,
    pub merchant_name: String,
    #[serde(default, deserialize_with = "secret")]
    pub callback_api_key: Option<Secret>,
    pub base_url: String,
    /// The countries the account takes payments in (Sonatel's API is Orange Money Senegal's):
    /// country codes, `"SN"` or `"SN,CI"` or a list.
    #[serde(deserialize_with = "list")]
    pub countries: Vec<String>,
    /// The distributor (retailer) account's Senegalese number (PROVIDERS.md, "Orange Money
    /// Senegal — Cash In"), and its PIN: a secret like an API key, never printed.
    #[serde(default)]
    pub retailer_msisdn: Option<String>,
    #[serde(default, deserialize_with = "secret")]
    pub retailer_pin: Option<Secret>,
}

/// Everything a call to Orange Money's merchant API needs.
#[derive(Debug, Clone)]
pub struct OrangeMoneyCredentials {
    pub client_id: Secret,
    pub client_secret: Secret,
    pub merchant_code: String,
    pub merchant_name: String,
    pub callback_api_key: Secret,
    pub countries: Vec<Country>,
}

impl OrangeMoneySettings {
    /// The retailer account payouts are paid from, when both its number and PIN are given.
    pub fn retailer(&self) -> Option<(&str, &Secret)> {
        let msisdn = self.retailer_msisdn.as_deref().map(str::trim);
        let msisdn = msisdn.filter(|m| !m.is_empty())?;
        Some((msisdn, self.retailer_pin.as_ref()?))
    }

    /// The credentials, when the client id and secret, the merchant code and the callback key
    /// are all given.
    pub fn credentials(&self) -> Option<OrangeMoneyCredentials> {
        Some(OrangeMoneyCredentials {
            client_id: self.client_id.clone()?,
            client_secret: self.client_secret.clone()?,
            merchant_code: Some(self.merchant_code.trim())
                .filter(|c| !c.is_empty())?
                .to_owned(),
            merchant_name: self.merchant_name.clone(),
            callback_api_key: self.callback_api_key.clone()?,
            countries: self
                .countries
                .iter()
                .filter_map(|c| Country::parse(c).ok())
                .collect(),
        })
    }
}

impl ProviderSettings {
    pub fn validate(&self) -> anyhow::Result<()> {
        let wave = &self.wave;
        wave.wallets()?;
        url::Url::parse(&wave.base_url)
            .context("providers.wave.base_url is not an absolute URL")?;
        let mtn = &self.mtn_momo;
        let given = [
            mtn.subscription_key.is_some(),
            mtn.api_user.is_some(),
            mtn.api_key.is_some(),
            !mtn.target_environment.trim().is_empty(),
        ];
        anyhow::ensure!(
            given.iter().all(|g| *g) || given.iter().all(|g| !*g),
            "providers.mtn_momo: give subscription_key, api_user, api_key and target_environment \
             together, or none of them"
        );
        let disbursement = [
            mtn.disbursement_subscription_key.is_some(),
            mtn.disbursement_api_user.is_some(),
            mtn.disbursement_api_key.is_some(),
        ];
        anyhow::ensure!(
            disbursement.iter().all(|g| *g) || disbursement.iter().all(|g| !*g),
            "providers.mtn_momo: give disbursement_subscription_key, disbursement_api_user and \
             disbursement_api_key together, or none of them"
        );
        if !mtn.country.trim().is_empty() {
            country(&mtn.country, "providers.mtn_momo.country")?;
        }
        url::Url::parse(&mtn.base_url)
            .context("providers.mtn_momo.base_url is not an absolute URL")?;
        let orange = &self.orange_money;
        let given = [
            orange.client_id.is_some(),
            orange.client_secret.is_some(),
            !orange.merchant_code.trim().is_empty(),
            orange.callback_api_key.is_some(),
        ];
        anyhow::ensure!(
            given.iter().all(|g| *g) || given.iter().all(|g| !*g),
            "providers.orange_money: give client_id, client_secret, merchant_code and \
             callback_api_key together, or none of them"
        );
        let msisdn = orange.retailer_msisdn.as_deref().map(str::trim);
        anyhow::ensure!(
            msisdn.is_some_and(|m| !m.is_empty()) == orange.retailer_pin.is_some(),
            "providers.orange_money: give retailer_msisdn and retailer_pin (the distributor \
             account payouts are paid from) together, or neither"
        );
        if let Some((msisdn, _)) = orange.retailer() {
            anyhow::ensure!(
                given.iter().all(|g| *g),
                "providers.orange_money.retailer_msisdn: payouts need client_id, client_secret, merchant_code and callback_api_key too"
            );
            crate::domain::msisdn::Msisdn::parse(msisdn, Country::Sn).map_err(|_| {
                anyhow::anyhow!("providers.orange_money.retailer_msisdn: {msisdn:?} is not a Senegalese mobile number (77 123 45 67)")
            })?;
        }
        url::Url::parse(&orange.base_url)
            .context("providers.orange_money.base_url is not an absolute URL")?;
        url::Url::parse(&self.pawapay.base_url)
            .context("providers.pawapay.base_url is not an absolute URL")?;
        for code in &orange.countries {
            Country::parse(code).map_err(|_| {
                anyhow::anyhow!(
                    "providers.orange_money.countries: {code:?} is not a country code Dalal serves"
                )
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
