//! pawaPay's toolkit as the emulator plays it: the account's configuration (`GET
//! /v2/active-conf`, `operationTypes` keyed by type as a real sandbox answers, `MANUAL` prompts'
//! instructions) and the key its callbacks are signed with (`GET /v2/public-key/http`).

use super::{COVERED, Covered, authorise, signing};
use axum::Json;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// `GET /v2/active-conf`: the account's providers, `operationTypes` keyed by type as a real
/// sandbox answers.
pub(super) async fn active_conf(headers: HeaderMap) -> Response {
    if let Err(refused) = authorise(&headers) {
        return refused;
    }
    let mut countries: Vec<Value> = Vec::new();
    for country in ["SEN", "CIV", "BEN", "BFA", "CMR"] {
        let providers: Vec<Value> = COVERED
            .iter()
            .filter(|c| c.country == country)
            .map(|c| {
                let deposit = serde_json::json!({
                    "minAmount": c.min.to_string(),
                    "maxAmount": c.max.to_string(),
                    "authType": if c.code == "ORANGE_BFA" { "PREAUTH" } else { "PROVIDER_AUTH" },
                    "pinPrompt": if c.manual_prompt.is_some() { "MANUAL" } else { "AUTOMATIC" },
                    "pinPromptRevivable": c.manual_prompt.is_some(),
                    "pinPromptInstructions": prompt_instructions(c),
                    "decimalsInAmount": "NONE",
                    "status": "OPERATIONAL",
                });
                // Payouts: the same limits, no prompt (the recipient authorises nothing).
                let payout = serde_json::json!({
                    "minAmount": c.min.to_string(),
                    "maxAmount": c.max.to_string(),
                    "decimalsInAmount": "NONE",
                    "status": "OPERATIONAL",
                });
                serde_json::json!({
                    "provider": c.code,
                    "displayName": c.provider.name(),
                    "currencies": [{ "currency": c.currency,
                        "operationTypes": { "DEPOSIT": deposit, "PAYOUT": payout } }],
                })
            })
            .collect();
        let prefix = COVERED
            .iter()
            .find(|c| c.country == country)
            .map(|c| c.prefix);
        countries.push(
            serde_json::json!({ "country": country, "prefix": prefix, "providers": providers }),
        );
    }
    Json(serde_json::json!({
        "companyName": "Dalal Sandbox",
        "signatureConfiguration": { "signedRequestsOnly": false, "signedCallbacks": true },
        "countries": countries,
    }))
    .into_response()
}

/// A `MANUAL` provider's `pinPromptInstructions`, in the shape of pawaPay's deposits guide
/// (docs.pawapay.io/v2/docs/deposits, "Customer experience for MANUAL pinPrompt", read in a
/// public copy): one USSD channel, its intent in `displayName`, a `quickLink` that pre-dials the
/// code, the steps in each language with their `template` and `variables.shortCode`. The short
/// codes are the Jan 2026 sandbox's (PROVIDERS.md); the emulator knows no revival code for the
/// `AUTOMATIC` providers, so it says their prompts cannot be revived.
fn prompt_instructions(covered: &Covered) -> Option<Value> {
    let code = covered.manual_prompt?;
    let step = |text: String, template: &str| serde_json::json!({ "text": text, "template": template, "variables": { "shortCode": code } });
    Some(serde_json::json!({
        "channels": [{
            "type": "USSD",
            "displayName": {
                "en": "Follow the instructions to authorise the payment",
                "fr": "Veuillez suivre les instructions afin d’autoriser le paiement.",
            },
            "quickLink": format!("tel:{}", code.replace('#', "%23")),
            "instructions": {
                "en": [step(format!("Dial {code}"), "Dial {{shortCode}}"), step("Enter PIN".into(), "Enter PIN")],
                "fr": [step(format!("Composez {code}"), "Composez {{shortCode}}"), step("Entrez le code PIN".into(), "Entrez le code PIN")],
            },
        }],
    }))
}

/// `GET /v2/public-key/http` → `[{id, key}]`.
pub(super) async fn public_keys(headers: HeaderMap) -> Response {
    if let Err(refused) = authorise(&headers) {
        return refused;
    }
    Json(serde_json::json!([{ "id": signing::KEY_ID, "key": signing::PUBLIC_KEY_PEM }]))
        .into_response()
}
