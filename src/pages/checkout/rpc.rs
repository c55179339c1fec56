//! The islands' calls to the checkout page's server functions (`server_fns`), made with the
//! browser's own `fetch` rather than Leptos' server-function client: that client (its request
//! and response codecs, streams, `gloo-net`) was a tenth of the WebAssembly every customer
//! downloads, for two small POSTs. The endpoints are the server functions' own
//! (`/rpc/{endpoint}`, arguments form-encoded, answer JSON), so the server side is unchanged.

use serde::de::DeserializeOwned;

/// Calls server function `endpoint` with `fields` (name, value) and reads its JSON answer;
/// `None` when it could not be asked or did not answer (the caller asks again later, or keeps
/// what it shows).
pub async fn call<T: DeserializeOwned>(endpoint: &str, fields: &[(&str, &str)]) -> Option<T> {
    let body = fields
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    let text = post(&format!("{}{endpoint}", crate::routes::RPC_PREFIX), &body).await?;
    serde_json::from_str(&text).ok()
}

/// `application/x-www-form-urlencoded` for one value.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => out.push(byte as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(feature = "hydrate")]
async fn post(url: &str, body: &str) -> Option<String> {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    let headers = web_sys::Headers::new().ok()?;
    headers.set("Content-Type", "application/x-www-form-urlencoded").ok()?;
    headers.set("Accept", "application/json").ok()?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    let answer = JsFuture::from(leptos::prelude::window().fetch_with_str_and_init(url, &init))
        .await
        .ok()?;
    let response: web_sys::Response = answer.dyn_into().ok()?;
    if !response.ok() {
        return None;
    }
    JsFuture::from(response.text().ok()?).await.ok()?.as_string()
}

/// The server renders islands but never runs their effects or handlers, which alone call this.
#[cfg(not(feature = "hydrate"))]
async fn post(_url: &str, _body: &str) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_are_form_encoded() {
        assert_eq!(super::encode("+221 77 123-45_67"), "%2B221+77+123-45_67");
        assert_eq!(super::encode("a&b=c/é"), "a%26b%3Dc%2F%C3%A9");
    }
}
