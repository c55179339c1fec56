//! Payment links: a checkout payment made from the dashboard, to share.

use super::*;

#[component]
pub fn LinksPage() -> impl IntoView {
    let en = english();
    let query = use_query_map();
    let links = Resource::new(
        move || (query.read().get("mode"), query.read().get("lien")),
        |(mode, lien)| dashboard_links(mode, lien),
    );
    view! {
        <Title text={tr(en, "Liens de paiement — Tableau de bord Dalal", "Payment links — Dalal dashboard")}/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match links.await {
                    Ok(Some(links)) => view! { <Links links/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(_) => view! { <main class="page"><p>{tr(en, "Le tableau de bord est indisponible. Réessayez dans un instant.", "The dashboard is unavailable. Try again in a moment.")}</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Payment links: for merchants who sell on WhatsApp or Instagram without a website.
#[component]
fn Links(links: LinksView) -> impl IntoView {
    let en = english();
    let LinksView { header, notice, created } = links;
    let mode = header.mode.clone();
    view! {
        <Top header here=crate::routes::DASHBOARD_LINKS.to_owned()/>
        <main class="page dashboard links">
            <h1>{tr(en, "Liens de paiement", "Payment links")}</h1>
            <p>{tr(en, "Créez un paiement sans écrire de code et partagez son lien (WhatsApp, Instagram, SMS) : votre client paie sur la page Dalal avec le moyen de son choix.", "Make a payment without code and share its link (WhatsApp, Instagram, SMS): your customer pays on Dalal's page with the method of their choice.")}</p>
            {notice.map(|(ok, text)| {
                if ok {
                    view! { <p class="notice success" role="status">{text}</p> }.into_any()
                } else {
                    view! { <p class="notice error" role="alert">{text}</p> }.into_any()
                }
            })}
            {created.map(|link| view! {
                <section class="created-link" aria-labelledby="created-title">
                    <h2 id="created-title">{tr(en, "Lien créé : ", "Link made: ")} {link.amount.clone()}</h2>
                    {link.description.clone().map(|d| view! { <p>{d}</p> })}
                    <label for="lien">{tr(en, "Lien à partager", "Link to share")}</label>
                    <input id="lien" type="text" readonly value=link.url.clone()/>
                    <p><a href=link.url.clone()>{tr(en, "Ouvrir la page de paiement", "Open the payment page")}</a></p>
                    <img src=link.qr_png.clone() alt=format!("{} {}", tr(en, "QR code du lien de paiement", "QR code of payment link"), link.transaction_id) width="200" height="200"/>
                    <p class="hint">{tr(en, "Payable jusqu'au ", "Payable until ")} {link.expires.clone()} {tr(en, ". Il apparaît dans vos paiements sous ", ". It shows in your payments as ")} {link.transaction_id.clone()} "."</p>
                </section>
            })}
            <form method="post" action=DashboardCreateLink::url() class="action link-form">
                <h2>{tr(en, "Nouveau lien", "New link")}</h2>
                <input type="hidden" name="mode" value=mode/>
                <div class="field">
                    <label for="montant">{tr(en, "Montant (FCFA)", "Amount (FCFA)")}</label>
                    <input id="montant" name="montant" type="text" inputmode="numeric" required autocomplete="off"/>
                </div>
                <div class="field">
                    <label for="description">{tr(en, "Description (ce que le client achète)", "Description (what the customer buys)")}</label>
                    <input id="description" name="description" type="text" maxlength="200"/>
                </div>
                <div class="field">
                    <label for="duree">{tr(en, "Valable", "Payable for")}</label>
                    <select id="duree" name="duree">
                        <option value="1h">{tr(en, "1 heure", "1 hour")}</option>
                        <option value="24h" selected>{tr(en, "24 heures", "24 hours")}</option>
                        <option value="7j">{tr(en, "7 jours", "7 days")}</option>
                    </select>
                </div>
                <button type="submit" class="button primary">{tr(en, "Créer le lien", "Make the link")}</button>
            </form>
        </main>
    }
}
