//! The payouts screen ("Paiements sortants"): each account's balance, a payout, a batch from a
//! CSV file with each line's outcome, what waits for a second user's approval, the latest
//! payouts. Plain forms: it works without JavaScript.

use super::data::PayoutsView;
use super::*;

#[component]
pub fn PayoutsPage() -> impl IntoView {
    let en = english();
    let query = use_query_map();
    let view = Resource::new(
        move || {
            let q = query.read();
            (q.get("mode"), q.get("lot"), q.get("paiement"))
        },
        |(mode, lot, paiement)| dashboard_payouts(mode, lot, paiement),
    );
    view! {
        <Title text={tr(en, "Paiements sortants — Tableau de bord Dalal", "Payouts — Dalal dashboard")}/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(Some(view)) => view! { <Payouts view/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(_) => view! { <main class="page"><p>{tr(en, "Le tableau de bord est indisponible. Réessayez dans un instant.", "The dashboard is unavailable. Try again in a moment.")}</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The countries and wallets the payout form offers.
const COUNTRIES: [(&str, &str, &str); 6] = [
    ("SN", "Sénégal", "Senegal"),
    ("CI", "Côte d'Ivoire", "Côte d'Ivoire"),
    ("BJ", "Bénin", "Benin"),
    ("BF", "Burkina Faso", "Burkina Faso"),
    ("ML", "Mali", "Mali"),
    ("CM", "Cameroun", "Cameroon"),
];

#[component]
fn Payouts(view: PayoutsView) -> impl IntoView {
    let en = english();
    let PayoutsView { header, notice, balances, threshold, waiting, batch, detail, payouts, payout_key, batch_key } = view;
    let mode = header.mode.clone();
    let here = crate::routes::DASHBOARD_PAYOUTS.to_owned();
    let hidden_mode = {
        let mode = mode.clone();
        move || view! { <input type="hidden" name="mode" value=mode.clone()/> }
    };
    let confirm = |what: &'static str| {
        view! { <label class="confirm"><input type="checkbox" name="confirme" required/> " " {what}</label> }
    };
    let balances = balances
        .into_iter()
        .map(|(what, held)| view! { <li>{what} " : " <strong>{held}</strong></li> })
        .collect_view();
    let no_waiting = waiting.is_empty();
    let waiting = waiting
        .into_iter()
        .map(|w| {
            let decide = if w.mine {
                view! { <p class="hint">{tr(en, "Vous l'avez créé : un autre utilisateur doit l'approuver.", "You made it: another user must approve it.")}</p> }.into_any()
            } else {
                view! {
                    <form method="post" action=DashboardDecidePayout::url() class="decide">
                        {hidden_mode()}
                        <input type="hidden" name="id" value=w.id.clone()/>
                        <button type="submit" name="decision" value="approuver" class="button primary">{tr(en, "Approuver", "Approve")}</button>
                        " "
                        <button type="submit" name="decision" value="refuser" class="button">{tr(en, "Refuser", "Reject")}</button>
                    </form>
                }.into_any()
            };
            view! { <li class="waiting"><p><strong>{w.what}</strong> " — " {w.amount}</p>{decide}</li> }
        })
        .collect_view();
    let batch = batch.map(|b| {
        let lines = b
            .lines
            .into_iter()
            .map(|l| view! {
                <tr>
                    <td data-label={tr(en, "Ligne", "Line")}>{l.line}</td>
                    <td data-label={tr(en, "Bénéficiaire", "Recipient")}>{l.recipient}</td>
                    <td data-label={tr(en, "Montant", "Amount")} class="amount">{l.amount}</td>
                    <td data-label={tr(en, "Statut", "Status")}><span class=format!("badge {}", l.status)>{l.status_label}</span></td>
                    <td data-label={tr(en, "Détail", "Detail")}>{l.message}</td>
                </tr>
            })
            .collect_view();
        view! {
            <section aria-labelledby="batch-title">
                <h2 id="batch-title">{tr(en, "Lot ", "Batch ")} <code>{b.id}</code></h2>
                <p>{b.summary}</p>
                <div class="table-scroll" tabindex="0" role="region" aria-label={tr(en, "Tableau des lignes du lot", "Table of the batch lines")}>
                    <table class="batch cards">
                        <thead><tr>
                            <th scope="col">{tr(en, "Ligne", "Line")}</th>
                            <th scope="col">{tr(en, "Bénéficiaire", "Recipient")}</th>
                            <th scope="col">{tr(en, "Montant", "Amount")}</th>
                            <th scope="col">{tr(en, "Statut", "Status")}</th>
                            <th scope="col">{tr(en, "Détail", "Detail")}</th>
                        </tr></thead>
                        <tbody>{lines}</tbody>
                    </table>
                </div>
            </section>
        }
    });
    let detail = detail.map(|d| {
        let facts = d
            .facts
            .into_iter()
            .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
            .collect_view();
        let history = d
            .history
            .into_iter()
            .map(|(at, what)| view! { <li><time>{at}</time> " — " {what}</li> })
            .collect_view();
        let cancel = d.can_cancel.then(|| view! {
            <form method="post" action=DashboardCancelPayout::url() class="action">
                {hidden_mode()}
                <input type="hidden" name="id" value=d.id.clone()/>
                {confirm(tr(en, "Je confirme l'annulation", "I confirm the cancellation"))}
                <button type="submit" class="button">{tr(en, "Annuler ce paiement sortant", "Cancel this payout")}</button>
            </form>
        });
        view! {
            <section aria-labelledby="payout-title" class="payout-detail">
                <h2 id="payout-title">{tr(en, "Paiement sortant ", "Payout ")} <code>{d.id.clone()}</code> " — " {d.amount}</h2>
                <p><span class=format!("badge {}", d.status)>{d.status_label}</span></p>
                <dl class="facts">{facts}</dl>
                <h3>{tr(en, "Historique", "History")}</h3>
                <ol class="timeline">{history}</ol>
                {cancel}
            </section>
        }
    });
    let no_payouts = payouts.is_empty();
    let payouts = payouts
        .into_iter()
        .map(|p| view! {
            <tr>
                <td data-label={tr(en, "Bénéficiaire", "Recipient")}><a href=p.link>{p.recipient}</a></td>
                <td data-label={tr(en, "Opérateur", "Provider")}>{p.provider}</td>
                <td data-label={tr(en, "Montant", "Amount")} class="amount">{p.amount}</td>
                <td data-label={tr(en, "Statut", "Status")}><span class=format!("badge {}", p.status)>{p.status_label}</span></td>
                <td data-label={tr(en, "Créé le", "Created")}>{p.created}</td>
                <td data-label={tr(en, "Détail", "Detail")}>{p.message}</td>
            </tr>
        })
        .collect_view();
    let countries = COUNTRIES
        .iter()
        .map(|(code, fr, english)| view! { <option value=*code>{tr(en, fr, english)}</option> })
        .collect_view();
    let wallets = crate::domain::ProviderCode::ALL
        .into_iter()
        .filter(|p| *p != crate::domain::ProviderCode::Card)
        .map(|p| view! { <option value=p.code()>{p.name()}</option> })
        .collect_view();
    view! {
        <Top header here/>
        <main class="page dashboard payouts">
            <h1>{tr(en, "Paiements sortants", "Payouts")}</h1>
            {notice.map(|(ok, text)| {
                let class = if ok { "notice success" } else { "notice error" };
                view! { <p class=class role="status">{text}</p> }
            })}
            {detail}
            <section aria-labelledby="balances-title">
                <h2 id="balances-title">{tr(en, "Soldes des comptes", "Account balances")}</h2>
                <ul class="balances">{balances}</ul>
            </section>
            <section aria-labelledby="waiting-title">
                <h2 id="waiting-title">{tr(en, "En attente d'approbation", "Waiting for approval")}</h2>
                {if no_waiting {
                    view! { <p>{tr(en, "Rien n'attend d'approbation.", "Nothing waits for an approval.")}</p> }.into_any()
                } else {
                    view! { <ul class="waiting-list">{waiting}</ul> }.into_any()
                }}
            </section>
            {batch}
            <section class="actions" aria-labelledby="send-title">
                <h2 id="send-title">{tr(en, "Envoyer de l'argent", "Send money")}</h2>
                <form method="post" action=DashboardCreatePayout::url() class="action">
                    <h3>{tr(en, "Un paiement", "One payout")}</h3>
                    {hidden_mode()}
                    <input type="hidden" name="cle" value=payout_key/>
                    <div class="field">
                        <label for="montant">{tr(en, "Montant (FCFA, reçu par le bénéficiaire)", "Amount (CFA francs, received by the recipient)")}</label>
                        <input id="montant" name="montant" type="text" inputmode="numeric" autocomplete="off" required/>
                    </div>
                    <div class="field">
                        <label for="pays">{tr(en, "Pays", "Country")}</label>
                        <select id="pays" name="pays">{countries}</select>
                    </div>
                    <div class="field">
                        <label for="operateur">{tr(en, "Opérateur", "Provider")}</label>
                        <select id="operateur" name="operateur">{wallets}</select>
                    </div>
                    <div class="field">
                        <label for="numero">{tr(en, "Numéro du bénéficiaire", "Recipient's number")}</label>
                        <input id="numero" name="numero" type="tel" autocomplete="off" required/>
                    </div>
                    <div class="field">
                        <label for="nom">{tr(en, "Nom (facultatif)", "Name (optional)")}</label>
                        <input id="nom" name="nom" type="text" maxlength="255"/>
                    </div>
                    <div class="field">
                        <label for="motif">{tr(en, "Motif (facultatif, 40 caractères)", "Reason (optional, 40 characters)")}</label>
                        <input id="motif" name="motif" type="text" maxlength="40"/>
                    </div>
                    {confirm(tr(en, "Je confirme l'envoi", "I confirm the payout"))}
                    <button type="submit" class="button primary">{tr(en, "Envoyer", "Send")}</button>
                </form>
                <form method="post" action=DashboardUploadBatch::url() class="action">
                    <h3>{tr(en, "Un lot (fichier CSV)", "A batch (CSV file)")}</h3>
                    {hidden_mode()}
                    <input type="hidden" name="cle" value=batch_key/>
                    <div class="field">
                        <label for="csv">{tr(en, "Contenu du fichier CSV", "The CSV file's content")}</label>
                        <textarea id="csv" name="csv" rows="6" required aria-describedby="csv-hint"></textarea>
                        <p class="hint" id="csv-hint">{tr(en, "Une ligne d'en-tête : amount, country, provider, recipientPhone, recipientName, reason, externalReference ; puis un paiement par ligne (500 au plus).", "A header line: amount, country, provider, recipientPhone, recipientName, reason, externalReference; then one payout per line (500 at most).")}</p>
                    </div>
                    {confirm(tr(en, "Je confirme l'envoi du lot", "I confirm the batch"))}
                    <button type="submit" class="button primary">{tr(en, "Envoyer le lot", "Send the batch")}</button>
                </form>
                <form method="post" action=DashboardPayoutThreshold::url() class="action">
                    <h3>{tr(en, "Approbation", "Approval")}</h3>
                    {hidden_mode()}
                    <div class="field">
                        <label for="seuil">{tr(en, "Au-delà de ce montant, un second utilisateur approuve (vide : jamais)", "Above this amount, a second user approves (empty: never)")}</label>
                        <input id="seuil" name="seuil" type="text" inputmode="numeric" autocomplete="off" value=threshold/>
                    </div>
                    <button type="submit" class="button">{tr(en, "Enregistrer le seuil", "Save the threshold")}</button>
                </form>
            </section>
            <section aria-labelledby="latest-title">
                <h2 id="latest-title">{tr(en, "Derniers paiements sortants", "Latest payouts")}</h2>
                {if no_payouts {
                    view! { <p>{tr(en, "Aucun paiement sortant.", "No payout yet.")}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label={tr(en, "Tableau des derniers paiements sortants", "Table of the latest payouts")}>
                            <table class="payouts cards">
                                <thead><tr>
                                    <th scope="col">{tr(en, "Bénéficiaire", "Recipient")}</th>
                                    <th scope="col">{tr(en, "Opérateur", "Provider")}</th>
                                    <th scope="col">{tr(en, "Montant", "Amount")}</th>
                                    <th scope="col">{tr(en, "Statut", "Status")}</th>
                                    <th scope="col">{tr(en, "Créé le", "Created")}</th>
                                    <th scope="col">{tr(en, "Détail", "Detail")}</th>
                                </tr></thead>
                                <tbody>{payouts}</tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </section>
        </main>
    }
}
