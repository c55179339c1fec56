//! What `dalal check-providers` tries with MTN MoMo: a token, then the balance in each environment,
//! and the Disbursement product's token where refunds go through it.

use super::wire::Balance;
use super::{MtnMomoConnector, NAME};
use crate::providers::http::{self, SendError};
use crate::providers::{Check, ProviderError};
use reqwest::Method;

impl MtnMomoConnector {
    /// A token, then the account's balance in each environment: both move no money.
    pub(super) async fn check_account(&self) -> Vec<Check> {
        let mut checks = Vec::new();
        let what = "MTN MoMo: API user and subscription key".to_owned();
        match self.token().await {
            Ok(_) => checks.push(Check::works(what, "MTN issued a token")),
            Err(ProviderError::Unavailable) => {
                checks.push(Check::fails(what, "MTN MoMo could not be reached: check the network and providers.mtn_momo.base_url"));
                return checks;
            }
            Err(err) => {
                checks.push(Check::fails(what, format!("{err:#}")));
                return checks;
            }
        }
        for environment in &self.environments {
            let what = format!(
                "MTN MoMo, environment {} ({})",
                environment.name,
                environment.country.code()
            );
            let path = "/collection/v1_0/account/balance";
            let answer = self.call(environment, Method::GET, path, None).await;
            checks.push(match answer {
                Ok(response) => match http::read::<Balance>(NAME, response).await {
                    Ok(balance) => Check::works(what, format!("balance {} {}", balance.available_balance, balance.currency)),
                    Err(err) => Check::fails(what, format!("{err:#}")),
                },
                Err(SendError::ServerError(r)) if r.code == "NOT_ALLOWED_TARGET_ENVIRONMENT" => Check::fails(
                    what,
                    "MTN does not allow this API user in this environment: check providers.mtn_momo.target_environment",
                ),
                Err(err) => Check::fails(what, http::plainly(NAME, &err, "providers.mtn_momo")),
            });
        }
        if self.disbursement.is_some() {
            // Refunds' product: its own token (Disbursement is also IP-restricted: a refund may
            // still be refused `FORBIDDEN IP` from a server MTN does not know).
            let what = "MTN MoMo: Disbursement credentials (refunds)";
            checks.push(match self.disbursement_token().await {
                Ok(_) => Check::works(what, "MTN issued a Disbursement token"),
                Err(err) => Check::fails(what, format!("{err:#}")),
            });
        }
        if !self.callback_url.starts_with("https://") {
            checks.push(Check::fails(
                "MTN MoMo: callback URL",
                format!("{} is not https: MTN calls back only to the API user's providerCallbackHost (set server.public_url)", self.callback_url),
            ));
        }
        checks
    }
}
