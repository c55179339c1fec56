//! The demo shop at `/`: a tiny merchant site that shows the whole flow with one click.
//! It creates payments through the same core as the merchant API, as the demo merchant.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// (id, name, price in XOF, description)
pub const PRODUCTS: [(&str, &str, i64, &str); 3] = [
    (
        "wax",
        "Tissu wax, 6 yards",
        10_000,
        "Coton imprimé, motif « Fleurs de mariage »",
    ),
    (
        "bissap",
        "Bissap, 1 litre",
        1_500,
        "Jus d'hibiscus artisanal de Thiès",
    ),
    ("panier", "Panier tressé", 25_000, "Vannerie de Casamance"),
];

/// Creates a checkout payment for a demo product and sends the browser to its page.
#[server(prefix = "/rpc", endpoint = "start_demo_checkout")]
pub async fn start_demo_checkout(#[server(default)] product: String) -> Result<(), ServerFnError> {
    use crate::domain::{Currency, Money};
    use crate::merchants::DEMO_MERCHANT_ID;
    use crate::payments::{Dialect, Mode, NewPayment, NewPaymentKind};
    use crate::state::AppState;

    let state = expect_context::<AppState>();
    let Some((id, name, price, _)) = PRODUCTS.iter().find(|p| p.0 == product) else {
        // Bad input, not a server failure: 400.
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::BAD_REQUEST);
        }
        return Err(ServerFnError::new("Produit inconnu"));
    };
    let url = |path: &str| {
        crate::domain::url::HttpUrl::parse("returnUrl", &format!("{}{path}", state.public_url)).ok()
    };
    let new = NewPayment {
        dialect: Dialect::CaurisFlux,
        kind: NewPaymentKind::Checkout {
            country: None,
            phone: None,
        },
        amount: Money::new(*price, Currency::Xof).map_err(|e| ServerFnError::new(e.fr()))?,
        external_reference: format!(
            "DEMO-{}-{}",
            id.to_uppercase(),
            crate::random::alphanumeric(6)
        ),
        customer_name: None,
        customer_email: None,
        description: Some((*name).to_owned()),
        callback_url: None,
        return_url: url("/"),
        cancel_url: url("/?annule=1"),
        metadata: Some(format!(r#"{{"product":"{id}"}}"#)),
        expires_in_secs: None,
    };
    let (payment, _) = state
        .payments
        .create(DEMO_MERCHANT_ID, Mode::Test, new)
        .await
        // The sentence for people; an internal error's cause goes to the log only.
        .map_err(|e| ServerFnError::new(e.customer_text(false)))?;
    leptos_axum::redirect(&crate::routes::checkout(&payment.checkout_token));
    Ok(())
}

#[component]
pub fn ShopPage() -> impl IntoView {
    let query = use_query_map();
    let notice = move || {
        let q = query.read();
        if q.get("annule").is_some() {
            Some((
                "notice",
                "Paiement annulé. Votre panier vous attend.".to_owned(),
            ))
        } else {
            q.get("status").map(|status| match status.as_str() {
                "succeeded" => (
                    "notice success",
                    format!(
                        "Merci ! Paiement {} reçu.",
                        q.get("transactionId").unwrap_or_default()
                    ),
                ),
                other => (
                    "notice",
                    format!(
                        "Paiement {} : {other}",
                        q.get("transactionId").unwrap_or_default()
                    ),
                ),
            })
        }
    };
    view! {
        <Title text="Boutique Démo — Dalal"/>
        <header class="shop-header">
            <p class="brand">"Boutique Démo"</p>
            <p class="tagline">"Une boutique d'exemple payée avec Dalal (mode test : aucun argent réel)"</p>
        </header>
        <main class="page shop">
            {move || notice().map(|(class, text)| view! { <p class=class role="status">{text}</p> })}
            <h1>"Nos produits"</h1>
            <ul class="products">
                {PRODUCTS
                    .iter()
                    .map(|(id, name, price, description)| {
                        view! {
                            <li class="product">
                                <h2>{*name}</h2>
                                <p>{*description}</p>
                                <p class="price">{crate::domain::money::group_thousands(*price, '\u{202f}')}"\u{a0}FCFA"</p>
                                <form method="post" action=StartDemoCheckout::url()>
                                    <input type="hidden" name="product" value=*id/>
                                    <button type="submit" class="button primary">"Acheter — payer avec Dalal"</button>
                                </form>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </main>
    }
}
