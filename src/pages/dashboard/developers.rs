//! The developers' screen: API keys, the webhook endpoint and secret, the latest failures.

use super::*;

#[component]
pub fn DevelopersPage() -> impl IntoView {
    let en = english();
    let query = use_query_map();
    let developers = Resource::new(move || query.read().get("mode"), dashboard_developers);
    view! {
        <Title text={tr(en, "Développeurs — Tableau de bord Dalal", "Developers — Dalal dashboard")}/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match developers.await {
                    Ok(Some(view)) => view! { <Developers view/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(_) => view! { <main class="page"><p>{tr(en, "Le tableau de bord est indisponible. Réessayez dans un instant.", "The dashboard is unavailable. Try again in a moment.")}</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// How long an old key or secret keeps working after it is replaced (24 h unless changed).
fn grace_choices(id: String) -> impl IntoView {
    let en = english();
    let options = GRACE_CHOICES
        .iter()
        .map(|(value, fr, english, _)| view! { <option value=*value selected=*value == "24h">{tr(en, fr, english)}</option> })
        .collect_view();
    view! { <select id=id name="delai">{options}</select> }
}

/// API keys, webhook signing secrets and the latest webhook failures.
#[component]
fn Developers(view: DevelopersView) -> impl IntoView {
    let en = english();
    let DevelopersView { header, notice, revealed, keys, webhook_secrets, failures } = view;
    let mode = header.mode.clone();
    let no_keys = keys.is_empty();
    let keys = keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            let roll = k.active.then(|| {
                let grace_id = format!("delai-cle-{i}");
                view! {
                    <form method="post" action=DashboardRollKey::url() class="action roll">
                        <input type="hidden" name="mode" value=mode.clone()/>
                        <input type="hidden" name="cle" value=k.public_key.clone()/>
                        <label for=grace_id.clone()>{tr(en, "L'ancienne clé fonctionne encore", "The old key keeps working for")}</label>
                        {grace_choices(grace_id)}
                        <label class="confirm"><input type="checkbox" name="confirme" required/> {tr(en, " Je confirme le remplacement de cette clé", " I confirm replacing this key")}</label>
                        <button type="submit" class="button">{tr(en, "Remplacer la clé", "Replace the key")}</button>
                    </form>
                }
            });
            view! {
                <li class="key">
                    <p><code>{k.public_key.clone()}</code></p>
                    <p class="hint">{tr(en, "Créée le ", "Created ")} {k.created} " · " {k.state}</p>
                    {roll}
                </li>
            }
        })
        .collect_view();
    let secrets = webhook_secrets
        .into_iter()
        .map(|s| view! { <li><code>{s.masked}</code> {tr(en, " — créé le ", " — created ")} {s.created} " · " {s.state}</li> })
        .collect_view();
    let no_failures = failures.is_empty();
    let failures = failures
        .into_iter()
        .map(|f| view! {
            <tr>
                <td data-label={tr(en, "Le", "At")}>{f.at}</td>
                <td data-label={tr(en, "Paiement", "Payment")}><a href=f.link>{f.transaction_id}</a></td>
                <td data-label={tr(en, "Événement", "Event")}>{f.event}</td>
                <td data-label={tr(en, "Adresse", "Address")}><code>{f.url}</code></td>
                <td data-label={tr(en, "Réponse", "Answer")}>{f.answer}</td>
                <td data-label={tr(en, "Suite", "Next")}>{f.next}</td>
            </tr>
        })
        .collect_view();
    view! {
        <Top header here=crate::routes::DASHBOARD_DEVELOPERS.to_owned()/>
        <main class="page dashboard developers">
            <h1>{tr(en, "Développeurs", "Developers")}</h1>
            {notice.map(|(ok, text)| {
                if ok {
                    view! { <p class="notice success" role="status">{text}</p> }.into_any()
                } else {
                    view! { <p class="notice error" role="alert">{text}</p> }.into_any()
                }
            })}
            {revealed.map(|r| view! {
                <section class="revealed" aria-labelledby="revealed-title">
                    <h2 id="revealed-title">{if r.public_key.is_some() { {tr(en, "Votre nouvelle clé", "Your new key")} } else { {tr(en, "Votre nouveau secret de signature", "Your new signing secret")} }}</h2>
                    <p><strong>{tr(en, "Copiez-le maintenant : il ne sera plus jamais affiché.", "Copy it now: it will never be shown again.")}</strong></p>
                    {r.public_key.map(|pk| view! {
                        <label for="new-public">{tr(en, "Clé publique", "Public key")}</label>
                        <input id="new-public" type="text" readonly value=pk/>
                    })}
                    <label for="new-secret">{tr(en, "Secret", "Secret")}</label>
                    <input id="new-secret" type="text" readonly value=r.secret/>
                </section>
            })}
            <section aria-labelledby="keys-title">
                <h2 id="keys-title">{if mode == "live" { {tr(en, "Clés API live", "Live API keys")} } else { {tr(en, "Clés API de test", "Test API keys")} }}</h2>
                <p>{tr(en, "Le secret d'une clé n'est affiché qu'une fois, à sa création. Remplacez une clé si son secret a pu fuiter ; l'ancienne peut rester valable le temps de déployer la nouvelle.", "A key's secret is shown once, when it is made. Replace a key if its secret may have leaked; the old one can keep working while you deploy the new one.")}</p>
                {if no_keys {
                    view! { <p class="empty">{tr(en, "Aucune clé dans ce mode.", "No key in this mode.")}</p> }.into_any()
                } else {
                    view! { <ul class="keys">{keys}</ul> }.into_any()
                }}
            </section>
            <section aria-labelledby="secrets-title">
                <h2 id="secrets-title">{tr(en, "Secret de signature des webhooks", "Webhook signing secret")}</h2>
                <p>{tr(en, "Dalal signe chaque webhook (en-tête de signature) avec ce secret, dans les deux modes. Pendant un changement, les deux secrets signent.", "Dalal signs every webhook (signature header) with this secret, in both modes. During a change, both secrets sign.")}</p>
                <ul class="secrets">{secrets}</ul>
                <form method="post" action=DashboardRotateWebhookSecret::url() class="action">
                    <input type="hidden" name="mode" value=mode.clone()/>
                    <label for="delai-secret">{tr(en, "L'ancien secret signe encore", "The old secret keeps signing for")}</label>
                    {grace_choices("delai-secret".to_owned())}
                    <label class="confirm"><input type="checkbox" name="confirme" required/> {tr(en, " Je confirme le changement de secret", " I confirm changing the secret")}</label>
                    <button type="submit" class="button">{tr(en, "Changer le secret", "Change the secret")}</button>
                </form>
            </section>
            <section aria-labelledby="failures-title">
                <h2 id="failures-title">{tr(en, "Derniers échecs de webhooks", "Latest webhook failures")}</h2>
                {if no_failures {
                    view! { <p class="empty">{tr(en, "Aucun échec : vos points de réception ont répondu à chaque webhook.", "No failure: your endpoints answered every webhook.")}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label={tr(en, "Tableau des échecs de webhooks", "Table of webhook failures")}>
                            <table class="cards">
                                <thead><tr><th scope="col">{tr(en, "Le", "At")}</th><th scope="col">{tr(en, "Paiement", "Payment")}</th><th scope="col">{tr(en, "Événement", "Event")}</th><th scope="col">{tr(en, "Adresse", "Address")}</th><th scope="col">{tr(en, "Réponse", "Answer")}</th><th scope="col">{tr(en, "Suite", "Next")}</th></tr></thead>
                                <tbody>{failures}</tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </section>
        </main>
    }
}
