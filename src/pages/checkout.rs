//! The hosted checkout page at `/pay/{token}`. This first version shows the payment and the
//! methods available for it; choosing a method is the page's next step.

use crate::domain::{PaymentStatus, ProviderCode};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub merchant_name: String,
    pub amount: String,
    pub description: Option<String>,
    pub reference: String,
    pub status: PaymentStatus,
    pub expires_at: String,
    pub methods: Vec<ProviderCode>,
}

/// What the page shows for a token; `None` for an unknown one.
#[server(prefix = "/rpc")]
pub async fn checkout_summary(token: String) -> Result<Option<CheckoutView>, ServerFnError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some((payment, _)) = state.payments.find_by_token(&token).await.map_err(|e| {
        tracing::error!(error = ?e, "failed to load a checkout");
        ServerFnError::new("Erreur interne")
    })?
    else {
        return Ok(None);
    };
    let merchant_name = crate::db::merchants::merchant_name(&state.pool, &payment.merchant_id)
        .await
        .map_err(|_| ServerFnError::new("Erreur interne"))?
        .unwrap_or_default();
    let methods = ProviderCode::ALL
        .into_iter()
        .filter(|p| match payment.country {
            Some(c) => p.check_available(c, payment.amount).is_ok(),
            None => p
                .countries()
                .iter()
                .any(|c| p.check_available(*c, payment.amount).is_ok()),
        })
        .collect();
    Ok(Some(CheckoutView {
        merchant_name,
        amount: payment.amount.display_fr(),
        description: payment.description,
        reference: payment.external_reference,
        status: payment.status,
        expires_at: crate::clock::iso8601(payment.expires_at),
        methods,
    }))
}

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let params = use_params_map();
    let summary = Resource::new(
        move || params.read().get("token").unwrap_or_default(),
        checkout_summary,
    );
    view! {
        <Title text="Paiement — Dalal"/>
        <main class="page checkout">
            <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
                {move || Suspend::new(async move {
                    match summary.await {
                        Ok(Some(s)) => view! { <Summary summary=s/> }.into_any(),
                        Ok(None) => view! {
                            <h1>"Lien de paiement introuvable"</h1>
                            <p>"Ce lien n'existe pas ou n'est plus valide. Revenez sur le site du marchand."</p>
                        }.into_any(),
                        Err(_) => view! {
                            <h1>"Service momentanément indisponible"</h1>
                            <p>"Réessayez dans un instant."</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Summary(summary: CheckoutView) -> impl IntoView {
    view! {
        <section class="summary" aria-labelledby="merchant">
            <p id="merchant" class="merchant">{summary.merchant_name}</p>
            <h1 class="amount">{summary.amount}</h1>
            {summary.description.map(|d| view! { <p class="description">{d}</p> })}
            <p class="reference">"Référence : " {summary.reference}</p>
            <p class="status">"Statut : " {summary.status.as_str()}</p>
        </section>
        <section aria-labelledby="methods-title">
            <h2 id="methods-title">"Moyens de paiement"</h2>
            <ul class="methods">
                {summary
                    .methods
                    .into_iter()
                    .map(|p| {
                        view! {
                            <li class="method">
                                <img src=p.logo_path() alt="" width="40" height="40"/>
                                <span>{p.name()}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
