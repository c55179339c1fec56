//! What `dalal check-providers` tries with Orange Money: a token, a search for an unknown reference,
//! and the callback registered for the merchant code.

use super::{Body, NAME, OrangeMoneyConnector, wire};
use crate::providers::http;
use crate::providers::{Check, ProviderError};
use reqwest::Method;

impl OrangeMoneyConnector {
    /// A token; a search for a reference nobody has (an empty array); the callback registered
    /// for the merchant code: Dalal's `/hooks/orange-money`, in https.
    pub(super) async fn check_account(&self) -> Vec<Check> {
        let mut checks = Vec::new();
        let what = "Orange Money: client id and secret";
        match self.token().await {
            Ok(_) => checks.push(Check::works(
                what,
                "Orange issued a token (POST /oauth/v1/token)",
            )),
            Err(ProviderError::Unavailable) => {
                checks.push(Check::fails(what, "Orange Money could not be reached: check the network and providers.orange_money.base_url"));
                return checks;
            }
            Err(err) => {
                checks.push(Check::fails(what, format!("{err:#}")));
                return checks;
            }
        }
        let what = "Orange Money: transactions search";
        let path = format!(
            "/api/eWallet/v1/transactions?reference=dalal-check-{}",
            crate::random::lower_alphanumeric(12)
        );
        checks.push(match self.call(Method::GET, &path, Body::None).await {
            Ok(response) => match http::read::<Vec<serde_json::Value>>(NAME, response).await {
                Ok(_) => Check::works(what, "the API answers (a search for an unknown reference)"),
                Err(err) => Check::fails(what, format!("{err:#}")),
            },
            Err(err) => Check::fails(what, http::plainly(NAME, &err, "providers.orange_money")),
        });
        let what = "Orange Money: callback";
        let path = "/api/notification/v1/merchantcallback";
        checks.push(match self.call(Method::GET, path, Body::None).await {
            Ok(response) => match http::read::<Vec<wire::Registration>>(NAME, response).await {
                Ok(registered) => {
                    let ours = registered
                        .iter()
                        .filter(|r| r.code.as_deref().is_none_or(|c| c == self.account.merchant_code))
                        .find_map(|r| r.callback_url.as_deref());
                    match ours {
                        Some(url) if url != self.account.callback_url => Check::fails(what, format!(
                            "Orange calls back {url}, not Dalal's {}: register it (POST {path})", self.account.callback_url)),
                        Some(url) if !url.starts_with("https://") => Check::fails(what, format!(
                            "{url} is not https: register an https URL (POST {path})")),
                        Some(url) => Check::works(what, format!("Orange calls back {url}")),
                        None => Check::fails(what, format!("no callback registered for merchant code {}: register {} (POST {path})",
                            self.account.merchant_code, self.account.callback_url)),
                    }
                }
                Err(err) => Check::fails(what, format!("{err:#}")),
            },
            Err(err) => Check::fails(what, http::plainly(NAME, &err, "providers.orange_money")),
        });
        checks
    }
}
