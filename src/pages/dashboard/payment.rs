//! One payment whole: its timeline, attempts, refunds, webhook deliveries and their tries, and
//! what the merchant can do with it (cancel, refund, redeliver).

use super::*;

#[component]
pub fn PaymentPage() -> impl IntoView {
    let en = english();
    let params = use_params_map();
    let query = use_query_map();
    let detail = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), query.read().get("mode")),
        |(id, mode)| dashboard_payment(id, mode),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(Some(detail)) => view! { <Payment detail/> }.into_any(),
                    Ok(None) => view! {
                        <Title text={tr(en, "Paiement introuvable — Tableau de bord Dalal", "Payment not found — Dalal dashboard")}/>
                        <main class="page dashboard">
                            <h1>{tr(en, "Paiement introuvable", "Payment not found")}</h1>
                            <p><a href=crate::routes::DASHBOARD>{tr(en, "Retour aux paiements", "Back to payments")}</a></p>
                        </main>
                    }.into_any(),
                    Err(_) => view! { <main class="page"><p>{tr(en, "Le tableau de bord est indisponible. Réessayez dans un instant.", "The dashboard is unavailable. Try again in a moment.")}</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What a merchant can do to a payment: each a plain form with a box to tick first.
#[component]
fn Actions(detail: PaymentDetail) -> impl IntoView {
    let en = english();
    let (id, mode) = (detail.transaction_id.clone(), detail.header.mode.clone());
    let hidden = move || {
        view! {
            <input type="hidden" name="id" value=id.clone()/>
            <input type="hidden" name="mode" value=mode.clone()/>
        }
    };
    let confirm = |what: &'static str| {
        view! {
            <label class="confirm"><input type="checkbox" name="confirme" required/> " " {what}</label>
        }
    };
    view! {
        <section class="actions" aria-labelledby="actions-title">
            <h2 id="actions-title">{tr(en, "Actions", "Actions")}</h2>
            {detail.can_refund.then(|| view! {
                <form method="post" action=DashboardRefund::url() class="action refund">
                    <h3>{tr(en, "Rembourser", "Refund")}</h3>
                    {hidden()}
                    <input type="hidden" name="cle" value=detail.refund_key.clone()/>
                    <div class="field">
                        <label for="montant">{tr(en, "Montant à rembourser (vide : tout ce qui reste)", "Amount to refund (empty: all that is left)")}</label>
                        <input id="montant" name="montant" type="text" inputmode="numeric" autocomplete="off"/>
                    </div>
                    <div class="field">
                        <label for="motif">{tr(en, "Motif (facultatif)", "Reason (optional)")}</label>
                        <input id="motif" name="motif" type="text" maxlength="200"/>
                    </div>
                    {confirm({tr(en, "Je confirme le remboursement", "I confirm the refund")})}
                    <button type="submit" class="button primary">{tr(en, "Rembourser", "Refund")}</button>
                </form>
            })}
            {detail.can_cancel.then(|| view! {
                <form method="post" action=DashboardCancel::url() class="action">
                    <h3>{tr(en, "Annuler le paiement", "Cancel the payment")}</h3>
                    {hidden()}
                    {confirm({tr(en, "Je confirme l'annulation", "I confirm the cancellation")})}
                    <button type="submit" class="button">{tr(en, "Annuler le paiement", "Cancel the payment")}</button>
                </form>
                <form method="post" action=DashboardRefresh::url() class="action">
                    <h3>{tr(en, "Statut chez le fournisseur", "Status at the provider")}</h3>
                    {hidden()}
                    <button type="submit" class="button">{tr(en, "Actualiser le statut", "Refresh the status")}</button>
                </form>
            })}
            <form method="post" action=DashboardResend::url() class="action">
                <h3>{tr(en, "Webhook", "Webhook")}</h3>
                {hidden()}
                {confirm({tr(en, "Je confirme le renvoi du dernier événement", "I confirm sending the latest event again")})}
                <button type="submit" class="button">{tr(en, "Renvoyer le webhook", "Send the webhook again")}</button>
            </form>
        </section>
    }
}

#[component]
fn Payment(detail: PaymentDetail) -> impl IntoView {
    let en = english();
    let d = detail;
    let here = crate::routes::dashboard_payment(&d.transaction_id, &d.header.mode);
    let here = here.split('?').next().unwrap_or_default().to_owned();
    let back = format!("{}?mode={}", crate::routes::DASHBOARD, d.header.mode);
    let facts = [
        ({tr(en, "Transaction", "Transaction")}, d.transaction_id.clone()),
        ({tr(en, "Référence", "Reference")}, d.reference.clone()),
        ({tr(en, "Montant", "Amount")}, d.amount.clone()),
        ({tr(en, "Remboursé", "Refunded")}, d.refunded.clone()),
        ({tr(en, "Moyen de paiement", "Payment method")}, d.method.clone()),
        ({tr(en, "Passerelle", "Gateway")}, d.gateway.clone().unwrap_or_else(|| "—".to_owned())),
        ({tr(en, "Routage", "Routing")}, d.routing_reason.clone().unwrap_or_else(|| "—".to_owned())),
        ({tr(en, "Créé le", "Created")}, d.created.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .chain(d.description.clone().map(|t| ({tr(en, "Description", "Description")}.to_owned(), t)))
    .chain(d.customer.clone())
    .map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> })
    .collect_view();
    let timeline = d
        .timeline
        .iter()
        .map(|t| view! { <li><time>{t.at.clone()}</time> " " <strong>{format!("{} → {}", t.from, t.to)}</strong> " — " {t.reason.clone()}</li> })
        .collect_view();
    let attempts = d
        .attempts
        .iter()
        .map(|a| view! { <tr><td>{a.at.clone()}</td><td>{a.method.clone()}</td><td>{a.status.clone()}</td><td>{a.detail.clone()}</td></tr> })
        .collect_view();
    let refunds = d
        .refunds
        .iter()
        .map(|r| view! { <tr><td>{r.at.clone()}</td><td>{r.amount.clone()}</td><td>{r.status.clone()}</td><td>{r.reason.clone()}</td></tr> })
        .collect_view();
    let deliveries = d
        .deliveries
        .iter()
        .map(|w| {
            let tries = w
                .tries
                .iter()
                .map(|t| view! { <tr><td>{t.at.clone()}</td><td>{t.http_status.clone()}</td><td>{t.latency.clone()}</td><td>{t.next_retry.clone()}</td></tr> })
                .collect_view();
            view! {
                <section class="delivery">
                    <h3>{w.event.clone()} " → " <code>{w.url.clone()}</code> " (" {w.status.clone()} ")"</h3>
                    <div class="table-scroll" tabindex="0" role="region" aria-label=format!("{} {}", tr(en, "Essais :", "Tries:"), w.event)>
                    <table>
                        <thead><tr><th scope="col">{tr(en, "Essai", "Try")}</th><th scope="col">{tr(en, "Réponse HTTP", "HTTP answer")}</th><th scope="col">{tr(en, "Durée", "Latency")}</th><th scope="col">{tr(en, "Prochain essai", "Next try")}</th></tr></thead>
                        <tbody>{tries}</tbody>
                    </table>
                    </div>
                </section>
            }
        })
        .collect_view();
    let no_deliveries = d.deliveries.is_empty();
    let no_changes = d.timeline.is_empty();
    let no_attempts = d.attempts.is_empty();
    let no_refunds = d.refunds.is_empty();
    view! {
        <Title text=format!("{} — {}", d.transaction_id, tr(en, "Tableau de bord Dalal", "Dalal dashboard"))/>
        <Top header=d.header.clone() here/>
        <main class="page dashboard payment-detail">
            <p><a href=back>{tr(en, "← Paiements", "← Payments")}</a></p>
            <h1>{d.amount.clone()} " " <span class=format!("badge {}", d.status)>{d.status_label.clone()}</span></h1>
            {d.notice.clone().map(|(ok, text)| {
                if ok {
                    view! { <p class="notice success" role="status">{text}</p> }.into_any()
                } else {
                    view! { <p class="notice error" role="alert">{text}</p> }.into_any()
                }
            })}
            <dl class="facts">{facts}</dl>
            <Actions detail=d.clone()/>
            <h2>{tr(en, "Historique", "History")}</h2>
            {if no_changes {
                view! { <p>{tr(en, "Créé, pas encore de changement de statut.", "Created, no status change yet.")}</p> }.into_any()
            } else {
                view! { <ol class="timeline">{timeline}</ol> }.into_any()
            }}
            <h2>{tr(en, "Tentatives", "Attempts")}</h2>
            {if no_attempts {
                view! { <p>{tr(en, "Le client n'a pas encore choisi de moyen de paiement.", "The customer has not chosen a payment method yet.")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label={tr(en, "Tentatives", "Attempts")}>
                        <table>
                            <thead><tr><th scope="col">{tr(en, "Le", "At")}</th><th scope="col">{tr(en, "Moyen", "Method")}</th><th scope="col">{tr(en, "Statut", "Status")}</th><th scope="col">{tr(en, "Détail", "Detail")}</th></tr></thead>
                            <tbody>{attempts}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <h2>{tr(en, "Remboursements", "Refunds")}</h2>
            {if no_refunds {
                view! { <p>{tr(en, "Aucun remboursement.", "No refund.")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label={tr(en, "Remboursements", "Refunds")}>
                        <table>
                            <thead><tr><th scope="col">{tr(en, "Le", "At")}</th><th scope="col">{tr(en, "Montant", "Amount")}</th><th scope="col">{tr(en, "Statut", "Status")}</th><th scope="col">{tr(en, "Motif", "Reason")}</th></tr></thead>
                            <tbody>{refunds}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <h2>{tr(en, "Webhooks", "Webhooks")}</h2>
            {if no_deliveries {
                view! { <p>{tr(en, "Aucun webhook envoyé pour ce paiement.", "No webhook sent for this payment.")}</p> }.into_any()
            } else {
                deliveries.into_any()
            }}
        </main>
    }
}
