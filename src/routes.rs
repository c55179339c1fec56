//! Every URL path Dalal builds or serves, in one place (both targets: the pages use it too).
//! Axum route patterns sit next to the function that builds the same path, so a path is never
//! spelled twice.
//!
//! Two spellings cannot come from here, because macros need literals: the page routes of
//! `app.rs` (`path!("/pay/:token")`) and the server functions' `prefix = "/rpc"`. A test in this
//! module checks they agree with the constants below.

use crate::domain::ProviderCode;

/// The hosted checkout page of a payment.
pub const CHECKOUT_PREFIX: &str = "/pay/";

pub fn checkout(token: &str) -> String {
    format!("{CHECKOUT_PREFIX}{token}")
}

/// The merchant dashboard.
pub const DASHBOARD: &str = "/dashboard";
pub const DASHBOARD_SIGN_IN: &str = "/dashboard/connexion";
pub const DASHBOARD_EXPORT: &str = "/dashboard/export.csv";
pub const DASHBOARD_LINKS: &str = "/dashboard/liens";
pub const DASHBOARD_DEVELOPERS: &str = "/dashboard/developpeurs";
pub const DASHBOARD_PAYOUTS: &str = "/dashboard/paiements-sortants";

pub fn dashboard_payment(transaction_id: &str, mode: &str) -> String {
    format!("/dashboard/paiements/{transaction_id}?mode={mode}")
}

/// Where the checkout page's server functions live (`/rpc/{name}`).
pub const RPC_PREFIX: &str = "/rpc/";

/// Static files: the WebAssembly bundle, CSS, provider badges, favicon.
pub const STATIC_PREFIXES: [&str; 3] = ["/pkg/", "/logos/", "/favicon"];
/// The stylesheet cargo-leptos builds from `style/main.css` (`output-name = "dalal"`).
pub const STYLESHEET: &str = "/pkg/dalal.css";
pub const FAVICON: &str = "/favicon.svg";

/// A provider's badge under `public/`.
pub fn logo(provider: ProviderCode) -> String {
    format!("/logos/{}.svg", provider.code())
}

/// A provider's badge (the same file as `logo`) as a `data:` URI, for the checkout page: on a
/// slow link each image is one more round trip, and past six requests (HTTP/1.1's connections
/// per host) they queue behind the WebAssembly.
pub fn logo_inline(provider: ProviderCode) -> String {
    svg_data_uri(match provider {
        ProviderCode::Wave => include_str!("../public/logos/wave.svg"),
        ProviderCode::OrangeMoney => include_str!("../public/logos/orange_money.svg"),
        ProviderCode::FreeMoney => include_str!("../public/logos/free_money.svg"),
        ProviderCode::MtnMomo => include_str!("../public/logos/mtn_momo.svg"),
        ProviderCode::MoovMoney => include_str!("../public/logos/moov_money.svg"),
        ProviderCode::Card => include_str!("../public/logos/card.svg"),
    })
}

/// The favicon (`FAVICON`) as a `data:` URI: browsers ask for the icon after the page's `load`,
/// which on a 2 s round trip kept the network busy two seconds longer than the page.
pub fn favicon_inline() -> String {
    svg_data_uri(include_str!("../public/favicon.svg"))
}

/// An SVG as a `data:image/svg+xml` URI: the characters a URI or an attribute would read
/// otherwise are percent-encoded; the rest stays readable (smaller than base64).
fn svg_data_uri(svg: &str) -> String {
    let mut uri = String::from("data:image/svg+xml,");
    for c in svg.trim().chars() {
        match c {
            '%' | '#' | '<' | '>' | '"' | '\n' | '\r' | '&' => {
                uri.push_str(&format!("%{:02X}", c as u32))
            }
            c => uri.push(c),
        }
    }
    uri
}

/// The QR code of an attempt's payment link, as a PNG image (the API's `qrCode`).
pub const QR_PREFIX: &str = "/qr/";
pub const QR: &str = "/qr/{image}";

pub fn qr(attempt_id: &str) -> String {
    format!("/qr/{attempt_id}.png")
}

/// The sandbox "phone" that a test-mode QR code or deep link opens.
pub const SANDBOX_PREFIX: &str = "/sandbox/";
pub const SANDBOX_PHONE: &str = "/sandbox/phone/{reference}";

pub fn sandbox_phone(reference: &str) -> String {
    format!("/sandbox/phone/{reference}")
}

/// The sandbox's emulators of the providers' HTTP APIs (test-mode connectors call them).
pub const EMULATORS_PREFIX: &str = "/sandbox/providers/";
pub const WAVE_EMULATOR: &str = "/sandbox/providers/wave";
pub const MTN_MOMO_EMULATOR: &str = "/sandbox/providers/mtn-momo";
pub const ORANGE_MONEY_EMULATOR: &str = "/sandbox/providers/orange-money";
pub const PAWAPAY_EMULATOR: &str = "/sandbox/providers/pawapay";

/// Where providers send their notifications (README, "Going live").
pub const HOOKS_PREFIX: &str = "/hooks/";
pub const HOOK_WAVE: &str = "/hooks/wave";
pub const HOOK_MTN_MOMO: &str = "/hooks/mtn-momo";
pub const HOOK_ORANGE_MONEY: &str = "/hooks/orange-money";
pub const HOOK_PAWAPAY: &str = "/hooks/pawapay";

/// The sandbox bank's 3-D Secure page.
pub const SANDBOX_BANK: &str = "/sandbox/3ds/{reference}";

pub fn sandbox_bank(reference: &str) -> String {
    format!("/sandbox/3ds/{reference}")
}

/// The API's OpenAPI document and its readable page.
pub const OPENAPI: &str = "/openapi.json";
pub const DOCS: &str = "/docs";

/// Operations.
pub const HEALTH: &str = "/healthz";
pub const READY: &str = "/readyz";
pub const METRICS: &str = "/metrics";

/// The merchant API, CaurisFlux dialect.
pub mod caurisflux {
    pub const PAYMENTS: &str = "/api/v1/payments";
    pub const INITIATE: &str = "/api/v1/payments/initiate";
    pub const PROVIDERS: &str = "/api/v1/payments/providers";
    pub const PAYMENT: &str = "/api/v1/payments/{transaction_id}";
    pub const WEBHOOKS: &str = "/api/v1/payments/{transaction_id}/webhooks";
    pub const REDELIVER: &str = "/api/v1/payments/{transaction_id}/webhooks/redeliver";
    pub const CANCEL: &str = "/api/v1/payments/{transaction_id}/cancel";
    pub const REFUNDS: &str = "/api/v1/payments/{transaction_id}/refunds";
    pub const PAYOUTS: &str = "/api/v1/payouts";
    pub const PAYOUT: &str = "/api/v1/payouts/{id}";
    pub const PAYOUT_CANCEL: &str = "/api/v1/payouts/{id}/cancel";
    pub const PAYOUT_BATCHES: &str = "/api/v1/payout-batches";
    pub const PAYOUT_BATCH: &str = "/api/v1/payout-batches/{id}";
    pub const BALANCES: &str = "/api/v1/balances";
    pub const ANY: &str = "/api/{*rest}";
}

/// The merchant API, SahelPay dialect.
pub mod sahelpay {
    pub const PAYMENTS: &str = "/v1/payments";
    pub const PAYMENT: &str = "/v1/payments/{id}";
    pub const CANCEL: &str = "/v1/payments/{id}/cancel";
    pub const REFUNDS: &str = "/v1/payments/{id}/refunds";
    pub const PAYOUTS: &str = "/v1/payouts";
    pub const PAYOUT: &str = "/v1/payouts/{id}";
    pub const PAYOUT_CANCEL: &str = "/v1/payouts/{id}/cancel";
    pub const PAYOUT_BATCHES: &str = "/v1/payout_batches";
    pub const PAYOUT_BATCH: &str = "/v1/payout_batches/{id}";
    pub const BALANCES: &str = "/v1/balances";
    pub const ANY: &str = "/v1/{*rest}";
}

/// `base` (the public URL, without a trailing slash) joined with a path from this module.
pub fn absolute(base: &str, path: &str) -> String {
    format!("{base}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inline_badge_is_its_file_with_what_a_uri_would_misread_encoded() {
        let uri = logo_inline(ProviderCode::Wave);
        assert!(uri.starts_with("data:image/svg+xml,%3Csvg "), "{uri}");
        assert!(uri.contains("fill=%22%231dc8f2%22"), "{uri}");
        assert!(!uri.contains(['<', '>', '"', '#', '\n']), "{uri}");
        assert!(favicon_inline().contains("%230b6e4f"));
    }

    #[test]
    fn paths_agree_with_the_patterns_that_serve_them() {
        assert_eq!(
            sandbox_phone("x"),
            SANDBOX_PHONE.replace("{reference}", "x")
        );
        assert_eq!(sandbox_bank("x"), SANDBOX_BANK.replace("{reference}", "x"));
        assert!(sandbox_phone("x").starts_with(SANDBOX_PREFIX));
        assert!(sandbox_bank("x").starts_with(SANDBOX_PREFIX));
        assert!(logo(ProviderCode::Wave).starts_with(STATIC_PREFIXES[1]));
        assert!(STYLESHEET.starts_with(STATIC_PREFIXES[0]));
        assert!(FAVICON.starts_with(STATIC_PREFIXES[2]));
        // The literals macros need: app.rs's page route and the server functions' prefix.
        let app = include_str!("app.rs");
        assert!(app.contains(&format!("path!(\"{CHECKOUT_PREFIX}:token\")")));
        for page in [
            DASHBOARD,
            DASHBOARD_SIGN_IN,
            DASHBOARD_LINKS,
            DASHBOARD_DEVELOPERS,
            DASHBOARD_PAYOUTS,
        ] {
            assert!(app.contains(&format!("path!(\"{page}\")")), "{page}");
        }
        assert!(dashboard_payment("TX1", "test").starts_with(DASHBOARD));
        assert!(app.contains(&format!("path!(\"{DASHBOARD}/paiements/:id\")")));
        for functions in [
            include_str!("pages/checkout/server_fns.rs"),
            include_str!("pages/dashboard/server_fns.rs"),
        ] {
            assert!(functions.contains(&format!(
                "prefix = \"{}\"",
                RPC_PREFIX.trim_end_matches('/')
            )));
        }
    }
}
