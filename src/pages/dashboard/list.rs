//! The payment list, with the listing API's filters.

use super::*;

#[component]
pub fn PaymentsPage() -> impl IntoView {
    let en = english();
    let query = use_query_map();
    let list = Resource::new(
        move || {
            let q = query.read();
            (q.get("mode"), q.get("statut"), q.get("methode"), q.get("recherche"), q.get("avant"))
        },
        |(mode, statut, methode, recherche, avant)| {
            dashboard_payments(mode, statut, methode, recherche, avant)
        },
    );
    view! {
        <Title text={tr(en, "Paiements — Tableau de bord Dalal", "Payments — Dalal dashboard")}/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(Some(list)) => view! { <Payments list/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(_) => view! { <main class="page"><p>{tr(en, "Le tableau de bord est indisponible. Réessayez dans un instant.", "The dashboard is unavailable. Try again in a moment.")}</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Payments(list: PaymentList) -> impl IntoView {
    let en = english();
    let PaymentList { header, filters, rows, next, export } = list;
    let mode = header.mode.clone();
    let options = |all: &[(&'static str, &'static str, &'static str)], chosen: &str| {
        all.iter()
            .map(|(value, fr, english)| view! { <option value=*value selected=*value == chosen>{tr(en, *fr, *english)}</option> })
            .collect_view()
    };
    let empty = rows.is_empty();
    let lines = rows
        .into_iter()
        .map(|r| {
            let link = crate::routes::dashboard_payment(&r.transaction_id, &mode);
            view! {
                <tr>
                    <td data-label={tr(en, "Transaction", "Transaction")}><a href=link>{r.transaction_id}</a></td>
                    <td data-label={tr(en, "Référence", "Reference")}>{r.reference}</td>
                    <td data-label={tr(en, "Montant", "Amount")} class="amount">{r.amount}</td>
                    <td data-label={tr(en, "Statut", "Status")}><span class=format!("badge {}", r.status)>{r.status_label}</span></td>
                    <td data-label={tr(en, "Moyen", "Method")}>{r.method}</td>
                    <td data-label={tr(en, "Créé le", "Created")}>{r.created}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Top header=header.clone() here=crate::routes::DASHBOARD.to_owned()/>
        <main class="page dashboard">
            <h1>{tr(en, "Paiements", "Payments")}</h1>
            <form method="get" class="filters" role="search">
                <input type="hidden" name="mode" value=mode.clone()/>
                <div class="field">
                    <label for="recherche">{tr(en, "Référence ou transaction", "Reference or transaction")}</label>
                    <input id="recherche" name="recherche" type="search" value=filters.recherche.clone()/>
                </div>
                <div class="field">
                    <label for="statut">{tr(en, "Statut", "Status")}</label>
                    <select id="statut" name="statut">
                        <option value="">{tr(en, "Tous", "All")}</option>
                        {options(&STATUSES, &filters.statut)}
                    </select>
                </div>
                <div class="field">
                    <label for="methode">{tr(en, "Moyen de paiement", "Payment method")}</label>
                    <select id="methode" name="methode">
                        <option value="">{tr(en, "Tous", "All")}</option>
                        {options(&METHODS, &filters.methode)}
                    </select>
                </div>
                <button type="submit" class="button">{tr(en, "Filtrer", "Filter")}</button>
            </form>
            {if empty {
                view! { <p class="empty">{tr(en, "Aucun paiement ne correspond.", "No payment matches.")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label={tr(en, "Liste des paiements", "Payment list")}>
                        <table class="payments cards">
                            <caption class="visually-hidden">{tr(en, "Paiements, du plus récent au plus ancien", "Payments, newest first")}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{tr(en, "Transaction", "Transaction")}</th>
                                    <th scope="col">{tr(en, "Référence", "Reference")}</th>
                                    <th scope="col">{tr(en, "Montant", "Amount")}</th>
                                    <th scope="col">{tr(en, "Statut", "Status")}</th>
                                    <th scope="col">{tr(en, "Moyen", "Method")}</th>
                                    <th scope="col">{tr(en, "Créé le", "Created")}</th>
                                </tr>
                            </thead>
                            <tbody>{lines}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {next.map(|link| view! { <p class="pager"><a href=link rel="next">{tr(en, "Paiements plus anciens", "Older payments")}</a></p> })}
            <p class="export"><a href=export download>{tr(en, "Exporter cette liste en CSV", "Export this list as CSV")}</a></p>
        </main>
    }
}
