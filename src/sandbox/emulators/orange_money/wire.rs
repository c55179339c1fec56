//! The Sonatel API's JSON as the emulator reads it: its own types, written from PROVIDERS.md
//! (never the connector's).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Registration {
    pub(super) api_key: String,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) callback_url: String,
}

/// An amount as Orange reads it: a JSON number (a decimal point is taken, a fraction is not).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Amount {
    pub(super) unit: String,
    pub(super) value: serde_json::Number,
}

impl Amount {
    pub(super) fn whole(&self) -> Option<i64> {
        if let Some(whole) = self.value.as_i64() {
            return Some(whole);
        }
        let text = self.value.to_string();
        let (whole, fraction) = text.split_once('.')?;
        fraction
            .bytes()
            .all(|b| b == b'0')
            .then(|| whole.parse().ok())
            .flatten()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct QrRequest {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) amount: Amount,
    pub(super) validity: i64,
    #[serde(default)]
    pub(super) reference: Option<String>,
    #[serde(default)]
    pub(super) metadata: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) callback_success_url: Option<String>,
    #[serde(default)]
    pub(super) callback_cancel_url: Option<String>,
    #[serde(default)]
    pub(super) restrictions: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Party {
    pub(super) id_type: String,
    pub(super) id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) otp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) wallet_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OneStepRequest {
    pub(super) customer: Party,
    pub(super) partner: Party,
    pub(super) amount: Amount,
    pub(super) reference: String,
    #[serde(default)]
    pub(super) metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    pub(super) grant_type: String,
    pub(super) client_id: String,
    pub(super) client_secret: String,
}
