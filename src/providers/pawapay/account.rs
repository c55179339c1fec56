//! What the connector knows of the pawaPay account: its configuration (`GET /v2/active-conf`:
//! which providers, limits, prompts, whether callbacks are signed), read at start, every ten
//! minutes and when stale, and its public keys (`GET /v2/public-key/http`) for signed callbacks;
//! `dalal check-providers`'s questions.

use super::signatures::{self, Keys, PublicKey};
use super::transformers;
use super::wire::{ActiveConf, PublishedKey};
use super::{CONF_FRESH_MS, KEYS_REFETCH_MS, NAME, PawaPayConnector};
use crate::domain::{Country, Money};
use crate::providers::http::{self, SendError};
use crate::providers::{Check, HeaderMap, ProviderError};
use std::sync::Arc;

impl PawaPayConnector {
    /// Whether pawaPay covers the provider in `country` and the account's configuration (once
    /// read) takes deposits for it, not `CLOSED`, and — with an amount — within its limits.
    pub(super) fn account_takes(&self, country: Country, amount: Option<Money>) -> bool {
        let Some(code) = transformers::provider_code(self.provider, country) else {
            return false;
        };
        let Some(conf) = self.conf() else {
            return true;
        };
        let Some(deposit) = conf.deposit_of(code) else {
            return false;
        };
        let limit = |keys: [&str; 2]| {
            keys.iter()
                .find_map(|k| deposit.get(*k)?.as_str().and_then(http::whole_amount))
        };
        deposit.get("status").and_then(|s| s.as_str()) != Some("CLOSED")
            && amount.is_none_or(|amount| {
                let minor = amount.minor();
                limit(["minAmount", "minTransactionLimit"]).is_none_or(|min| minor >= min)
                    && limit(["maxAmount", "maxTransactionLimit"]).is_none_or(|max| minor <= max)
            })
    }

    /// The configuration of one operation type (`"PAYOUT"`, `"REFUND"`) of a provider code, as
    /// last read (`None` before the first read, or where the account lacks it), whichever shape
    /// `operationTypes` came in: an object keyed by type (a real sandbox answer) or an array of
    /// `{"PAYOUT": {…}}` / `{"operationType": "PAYOUT", …}` items (the published sample)
    /// (PROVIDERS.md, "`operationTypes` shapes"). Deposits read theirs through `deposit_of`.
    pub(super) fn operation_conf(&self, code: &str, kind: &str) -> Option<serde_json::Value> {
        let conf = self.conf()?;
        conf.countries
            .iter()
            .flat_map(|c| &c.providers)
            .filter(|p| p.provider == code)
            .flat_map(|p| &p.currencies)
            .find_map(|currency| match &currency.operation_types {
                serde_json::Value::Object(by_type) => by_type.get(kind),
                serde_json::Value::Array(items) => items.iter().find_map(|item| {
                    item.get(kind).or_else(|| {
                        (item.get("operationType").and_then(|t| t.as_str()) == Some(kind))
                            .then_some(item)
                    })
                }),
                _ => None,
            })
            .cloned()
    }

    /// pawaPay's keys, fetched again when `keyid` is not among them (at most once a minute).
    pub(super) async fn keys_with(&self, keyid: &str) -> Keys {
        let mut cached = self.keys.lock().await;
        let now = self.clock.now_ms();
        let stale = cached.1.is_none_or(|at| now - at >= KEYS_REFETCH_MS);
        if !cached.0.contains_key(keyid) && stale {
            cached.1 = Some(now);
            match self.fetch_keys().await {
                Ok(keys) => cached.0 = keys,
                Err(err) => {
                    tracing::warn!(error = ?err, "could not fetch pawaPay's public keys")
                }
            }
        }
        cached.0.clone()
    }

    /// `GET /v2/public-key/http` → `[{id, key: "<PEM>"}]`.
    pub(super) async fn fetch_keys(&self) -> Result<Keys, ProviderError> {
        let response = self.get("/v2/public-key/http").await?;
        let published: Vec<PublishedKey> = http::read(NAME, response).await?;
        Ok(published
            .into_iter()
            .filter_map(|k| Some((k.id, PublicKey::from_pem(&k.key)?)))
            .collect())
    }

    /// The provider codes this connector's provider has at pawaPay (`FREE_SEN`; `MOOV_BEN`,
    /// `MOOV_BFA`; …).
    pub(super) fn codes(&self) -> Vec<&'static str> {
        Country::ALL
            .iter()
            .filter_map(|c| transformers::provider_code(self.provider, *c))
            .collect()
    }

    /// `GET /v2/active-conf`: what the account can take.
    pub(super) async fn active_conf(&self) -> Result<ActiveConf, SendError> {
        let response = self.get("/v2/active-conf").await?;
        response.json().await.map_err(|err| {
            SendError::Credentials(format!(
                "pawaPay's active configuration could not be read: {err}"
            ))
        })
    }

    /// The account's configuration as last read.
    pub(super) fn conf(&self) -> Option<Arc<ActiveConf>> {
        let read = self.conf.read().unwrap_or_else(|e| e.into_inner());
        read.as_ref().map(|(_, conf)| conf.clone())
    }

    /// Reads `active-conf` again when what was read is older than `CONF_FRESH_MS` (or `always`).
    pub(super) async fn refresh_conf(&self, always: bool) {
        let now = self.clock.now_ms();
        let fresh = {
            let read = self.conf.read().unwrap_or_else(|e| e.into_inner());
            read.as_ref()
                .is_some_and(|(at, _)| now - at < CONF_FRESH_MS)
        };
        if fresh && !always {
            return;
        }
        match self.active_conf().await {
            Ok(conf) => {
                *self.conf.write().unwrap_or_else(|e| e.into_inner()) = Some((now, Arc::new(conf)))
            }
            Err(err) => {
                tracing::warn!(provider = %self.provider, error = ?err, "could not read pawaPay's active configuration")
            }
        }
    }

    /// Whether a signed callback is pawaPay's.
    pub(super) async fn verify_signed(
        &self,
        signed: &signatures::Signed<'_>,
        headers: &HeaderMap,
        body: &[u8],
        now_ms: i64,
    ) -> Result<(), signatures::Refused> {
        let keys = self
            .keys_with(signed.keyid.as_deref().unwrap_or_default())
            .await;
        let mut authorities: Vec<String> = headers
            .get(reqwest::header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .into_iter()
            .collect();
        authorities.extend(self.callbacks.public_authority.clone());
        let request = signatures::Request {
            method: "POST",
            authorities: &authorities,
            path: &self.callbacks.path,
            headers,
            body,
        };
        signed.verify(&request, &keys, now_ms.div_euclid(1000))
    }

    /// The token, through `GET /v2/active-conf`: which of this provider's codes the account
    /// takes deposits for, and whether its callbacks are signed as `signed_callbacks` expects.
    pub(super) async fn check_account(&self) -> Vec<Check> {
        let what = format!("pawaPay, {}: API token", self.provider.name());
        let conf = match self.active_conf().await {
            Ok(conf) => conf,
            Err(SendError::Refused(r))
                if r.code == "AUTHENTICATION_ERROR" || r.code == "NO_AUTHENTICATION" =>
            {
                return vec![Check::fails(
                    what,
                    format!(
                        "pawaPay refused the API token ({}): check providers.pawapay.api_token (a sandbox token works only with base_url https://api.sandbox.pawapay.io)",
                        r.code
                    ),
                )];
            }
            Err(err) => {
                return vec![Check::fails(
                    what,
                    http::plainly(NAME, &err, "providers.pawapay"),
                )];
            }
        };
        let codes = self.codes();
        let enabled: Vec<String> = codes
            .iter()
            .filter_map(|code| {
                let deposit = conf.deposit_of(code)?;
                let status = deposit
                    .get("status")
                    .and_then(|s| s.as_str())
                    .unwrap_or("OPERATIONAL");
                Some(format!("{code} ({status})"))
            })
            .collect();
        let mut checks = vec![if enabled.is_empty() {
            Check::fails(
                what,
                format!(
                    "pawaPay takes the token, but the account takes no deposits for {}: ask pawaPay to enable them",
                    codes.join(", ")
                ),
            )
        } else {
            Check::works(
                what,
                format!("pawaPay takes the token; deposits: {}", enabled.join(", ")),
            )
        }];
        let signs = conf
            .signature_configuration
            .is_some_and(|s| s.signed_callbacks);
        let callbacks = "pawaPay: signed callbacks";
        checks.push(match (signs, self.callbacks.signed_only) {
            (true, true) => Check::works(callbacks, "the account signs its callbacks; unsigned ones are refused"),
            (true, false) => Check::works(callbacks, "the account signs its callbacks and Dalal verifies them; set providers.pawapay.signed_callbacks to refuse unsigned ones"),
            (false, false) => Check::works(callbacks, "unsigned (each is only a reason to ask pawaPay); turn on signed callbacks in pawaPay's dashboard, then providers.pawapay.signed_callbacks"),
            (false, true) => Check::fails(callbacks, "providers.pawapay.signed_callbacks is on but the account does not sign its callbacks: every callback would be refused; turn signing on in pawaPay's dashboard"),
        });
        checks
    }
}
