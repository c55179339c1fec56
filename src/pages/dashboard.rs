//! The merchant dashboard under `/dashboard`: sign in, the payment list with the listing API's
//! filters, and each payment whole (timeline, attempts, refunds, webhook deliveries and their
//! tries). Server-rendered with plain forms and links: it works without JavaScript, and ships
//! none of its own.
//!
//! | file | job |
//! |---|---|
//! | `view.rs` | what the screens show, as data |
//! | `presenter.rs` | (server) the signed-in user; from payments to that data |
//! | `server_fns.rs` | the screens' calls, each limited to the user's merchant |
//! | `export.rs` | (server) the filtered list as a streamed CSV file |

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
mod presenter;
mod server_fns;
mod view;

pub use server_fns::*;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use view::{Header, LinksView, PaymentDetail, PaymentList};

const STATUSES: [(&str, &str); 6] = [
    ("pending", "En attente"),
    ("processing", "En cours"),
    ("succeeded", "Réussi"),
    ("failed", "Échoué"),
    ("cancelled", "Annulé"),
    ("expired", "Expiré"),
];
const METHODS: [(&str, &str); 6] = [
    ("wave", "Wave"),
    ("orange_money", "Orange Money"),
    ("free_money", "Free Money"),
    ("mtn_momo", "MTN MoMo"),
    ("moov_money", "Moov Money"),
    ("card", "Carte bancaire"),
];

#[component]
pub fn SignInPage() -> impl IntoView {
    let notice = Resource::new(|| (), |_| dashboard_notice());
    view! {
        <Title text="Connexion — Tableau de bord Dalal"/>
        <main class="page dashboard sign-in">
            <h1>"Tableau de bord"</h1>
            <p>"Connectez-vous pour voir vos paiements."</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    notice.await.ok().flatten().map(|n| view! { <p class="notice error" role="alert">{n}</p> })
                })}
            </Suspense>
            <form method="post" action=DashboardSignIn::url() class="sign-in-form">
                <label for="email">"Adresse e-mail"</label>
                <input id="email" name="email" type="email" autocomplete="username" required/>
                <label for="password">"Mot de passe"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <button type="submit" class="button primary">"Se connecter"</button>
            </form>
        </main>
    }
}

#[component]
fn Top(header: Header, here: String) -> impl IntoView {
    let other = if header.mode == "live" { "test" } else { "live" };
    let switch = format!("{here}{}mode={other}", if here.contains('?') { "&" } else { "?" });
    view! {
        <header class="dashboard-header">
            <p class="merchant">{header.merchant.clone()}</p>
            <nav aria-label="Compte">
                <span class="mode-badge" class:live=header.mode == "live">
                    {if header.mode == "live" { "Mode live" } else { "Mode test" }}
                </span>
                " "
                <a href=switch>{if other == "live" { "Passer en mode live" } else { "Passer en mode test" }}</a>
                " "
                <a href=format!("{}?mode={}", crate::routes::DASHBOARD, header.mode)>"Paiements"</a>
                " "
                <a href=format!("{}?mode={}", crate::routes::DASHBOARD_LINKS, header.mode)>"Liens de paiement"</a>
                " "
                <span class="email">{header.email.clone()}</span>
                <form method="post" action=DashboardSignOut::url() class="sign-out">
                    <button type="submit" class="button link">"Se déconnecter"</button>
                </form>
            </nav>
        </header>
    }
}

#[component]
pub fn PaymentsPage() -> impl IntoView {
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
        <Title text="Paiements — Tableau de bord Dalal"/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(Some(list)) => view! { <Payments list/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(_) => view! { <main class="page"><p>"Le tableau de bord est indisponible. Réessayez dans un instant."</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Payments(list: PaymentList) -> impl IntoView {
    let PaymentList { header, filters, rows, next, export } = list;
    let mode = header.mode.clone();
    let options = |all: &[(&'static str, &'static str)], chosen: &str| {
        all.iter()
            .map(|(value, label)| view! { <option value=*value selected=*value == chosen>{*label}</option> })
            .collect_view()
    };
    let empty = rows.is_empty();
    let lines = rows
        .into_iter()
        .map(|r| {
            let link = crate::routes::dashboard_payment(&r.transaction_id, &mode);
            view! {
                <tr>
                    <td><a href=link>{r.transaction_id}</a></td>
                    <td>{r.reference}</td>
                    <td class="amount">{r.amount}</td>
                    <td><span class=format!("badge {}", r.status)>{r.status_label}</span></td>
                    <td>{r.method}</td>
                    <td>{r.created}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Top header=header.clone() here=crate::routes::DASHBOARD.to_owned()/>
        <main class="page dashboard">
            <h1>"Paiements"</h1>
            <form method="get" class="filters" role="search">
                <input type="hidden" name="mode" value=mode.clone()/>
                <div class="field">
                    <label for="recherche">"Référence ou transaction"</label>
                    <input id="recherche" name="recherche" type="search" value=filters.recherche.clone()/>
                </div>
                <div class="field">
                    <label for="statut">"Statut"</label>
                    <select id="statut" name="statut">
                        <option value="">"Tous"</option>
                        {options(&STATUSES, &filters.statut)}
                    </select>
                </div>
                <div class="field">
                    <label for="methode">"Moyen de paiement"</label>
                    <select id="methode" name="methode">
                        <option value="">"Tous"</option>
                        {options(&METHODS, &filters.methode)}
                    </select>
                </div>
                <button type="submit" class="button">"Filtrer"</button>
            </form>
            {if empty {
                view! { <p class="empty">"Aucun paiement ne correspond."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Liste des paiements">
                        <table class="payments">
                            <caption class="visually-hidden">"Paiements, du plus récent au plus ancien"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Transaction"</th>
                                    <th scope="col">"Référence"</th>
                                    <th scope="col">"Montant"</th>
                                    <th scope="col">"Statut"</th>
                                    <th scope="col">"Moyen"</th>
                                    <th scope="col">"Créé le"</th>
                                </tr>
                            </thead>
                            <tbody>{lines}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {next.map(|link| view! { <p class="pager"><a href=link rel="next">"Paiements plus anciens"</a></p> })}
            <p class="export"><a href=export download>"Exporter cette liste en CSV"</a></p>
        </main>
    }
}

#[component]
pub fn PaymentPage() -> impl IntoView {
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
                        <Title text="Paiement introuvable — Tableau de bord Dalal"/>
                        <main class="page dashboard">
                            <h1>"Paiement introuvable"</h1>
                            <p><a href=crate::routes::DASHBOARD>"Retour aux paiements"</a></p>
                        </main>
                    }.into_any(),
                    Err(_) => view! { <main class="page"><p>"Le tableau de bord est indisponible. Réessayez dans un instant."</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What a merchant can do to a payment: each a plain form with a box to tick first.
#[component]
fn Actions(detail: PaymentDetail) -> impl IntoView {
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
            <h2 id="actions-title">"Actions"</h2>
            {detail.can_refund.then(|| view! {
                <form method="post" action=DashboardRefund::url() class="action refund">
                    <h3>"Rembourser"</h3>
                    {hidden()}
                    <input type="hidden" name="cle" value=detail.refund_key.clone()/>
                    <div class="field">
                        <label for="montant">"Montant à rembourser (vide : tout ce qui reste)"</label>
                        <input id="montant" name="montant" type="text" inputmode="numeric" autocomplete="off"/>
                    </div>
                    <div class="field">
                        <label for="motif">"Motif (facultatif)"</label>
                        <input id="motif" name="motif" type="text" maxlength="200"/>
                    </div>
                    {confirm("Je confirme le remboursement")}
                    <button type="submit" class="button primary">"Rembourser"</button>
                </form>
            })}
            {detail.can_cancel.then(|| view! {
                <form method="post" action=DashboardCancel::url() class="action">
                    <h3>"Annuler le paiement"</h3>
                    {hidden()}
                    {confirm("Je confirme l'annulation")}
                    <button type="submit" class="button">"Annuler le paiement"</button>
                </form>
                <form method="post" action=DashboardRefresh::url() class="action">
                    <h3>"Statut chez le fournisseur"</h3>
                    {hidden()}
                    <button type="submit" class="button">"Actualiser le statut"</button>
                </form>
            })}
            <form method="post" action=DashboardResend::url() class="action">
                <h3>"Webhook"</h3>
                {hidden()}
                {confirm("Je confirme le renvoi du dernier événement")}
                <button type="submit" class="button">"Renvoyer le webhook"</button>
            </form>
        </section>
    }
}

#[component]
fn Payment(detail: PaymentDetail) -> impl IntoView {
    let d = detail;
    let here = crate::routes::dashboard_payment(&d.transaction_id, &d.header.mode);
    let here = here.split('?').next().unwrap_or_default().to_owned();
    let back = format!("{}?mode={}", crate::routes::DASHBOARD, d.header.mode);
    let facts = [
        ("Transaction", d.transaction_id.clone()),
        ("Référence", d.reference.clone()),
        ("Montant", d.amount.clone()),
        ("Remboursé", d.refunded.clone()),
        ("Moyen de paiement", d.method.clone()),
        ("Passerelle", d.gateway.clone().unwrap_or_else(|| "—".to_owned())),
        ("Routage", d.routing_reason.clone().unwrap_or_else(|| "—".to_owned())),
        ("Créé le", d.created.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .chain(d.description.clone().map(|t| ("Description".to_owned(), t)))
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
                    <div class="table-scroll" tabindex="0" role="region" aria-label=format!("Essais : {}", w.event)>
                    <table>
                        <thead><tr><th scope="col">"Essai"</th><th scope="col">"Réponse HTTP"</th><th scope="col">"Durée"</th><th scope="col">"Prochain essai"</th></tr></thead>
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
        <Title text=format!("{} — Tableau de bord Dalal", d.transaction_id)/>
        <Top header=d.header.clone() here/>
        <main class="page dashboard payment-detail">
            <p><a href=back>"← Paiements"</a></p>
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
            <h2>"Historique"</h2>
            {if no_changes {
                view! { <p>"Créé, pas encore de changement de statut."</p> }.into_any()
            } else {
                view! { <ol class="timeline">{timeline}</ol> }.into_any()
            }}
            <h2>"Tentatives"</h2>
            {if no_attempts {
                view! { <p>"Le client n'a pas encore choisi de moyen de paiement."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Tentatives">
                        <table>
                            <thead><tr><th scope="col">"Le"</th><th scope="col">"Moyen"</th><th scope="col">"Statut"</th><th scope="col">"Détail"</th></tr></thead>
                            <tbody>{attempts}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <h2>"Remboursements"</h2>
            {if no_refunds {
                view! { <p>"Aucun remboursement."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Remboursements">
                        <table>
                            <thead><tr><th scope="col">"Le"</th><th scope="col">"Montant"</th><th scope="col">"Statut"</th><th scope="col">"Motif"</th></tr></thead>
                            <tbody>{refunds}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <h2>"Webhooks"</h2>
            {if no_deliveries {
                view! { <p>"Aucun webhook envoyé pour ce paiement."</p> }.into_any()
            } else {
                deliveries.into_any()
            }}
        </main>
    }
}

#[component]
pub fn LinksPage() -> impl IntoView {
    let query = use_query_map();
    let links = Resource::new(
        move || (query.read().get("mode"), query.read().get("lien")),
        |(mode, lien)| dashboard_links(mode, lien),
    );
    view! {
        <Title text="Liens de paiement — Tableau de bord Dalal"/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match links.await {
                    Ok(Some(links)) => view! { <Links links/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(_) => view! { <main class="page"><p>"Le tableau de bord est indisponible. Réessayez dans un instant."</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Payment links: for merchants who sell on WhatsApp or Instagram without a website.
#[component]
fn Links(links: LinksView) -> impl IntoView {
    let LinksView { header, notice, created } = links;
    let mode = header.mode.clone();
    view! {
        <Top header here=crate::routes::DASHBOARD_LINKS.to_owned()/>
        <main class="page dashboard links">
            <h1>"Liens de paiement"</h1>
            <p>"Créez un paiement sans écrire de code et partagez son lien (WhatsApp, Instagram, SMS) : votre client paie sur la page Dalal avec le moyen de son choix."</p>
            {notice.map(|(ok, text)| {
                if ok {
                    view! { <p class="notice success" role="status">{text}</p> }.into_any()
                } else {
                    view! { <p class="notice error" role="alert">{text}</p> }.into_any()
                }
            })}
            {created.map(|link| view! {
                <section class="created-link" aria-labelledby="created-title">
                    <h2 id="created-title">"Lien créé : " {link.amount.clone()}</h2>
                    {link.description.clone().map(|d| view! { <p>{d}</p> })}
                    <label for="lien">"Lien à partager"</label>
                    <input id="lien" type="text" readonly value=link.url.clone()/>
                    <p><a href=link.url.clone()>"Ouvrir la page de paiement"</a></p>
                    <img src=link.qr_png.clone() alt=format!("QR code du lien de paiement {}", link.transaction_id) width="200" height="200"/>
                    <p class="hint">"Payable jusqu'au " {link.expires.clone()} ". Il apparaît dans vos paiements sous " {link.transaction_id.clone()} "."</p>
                </section>
            })}
            <form method="post" action=DashboardCreateLink::url() class="action link-form">
                <h2>"Nouveau lien"</h2>
                <input type="hidden" name="mode" value=mode/>
                <div class="field">
                    <label for="montant">"Montant (FCFA)"</label>
                    <input id="montant" name="montant" type="text" inputmode="numeric" required autocomplete="off"/>
                </div>
                <div class="field">
                    <label for="description">"Description (ce que le client achète)"</label>
                    <input id="description" name="description" type="text" maxlength="200"/>
                </div>
                <div class="field">
                    <label for="duree">"Valable"</label>
                    <select id="duree" name="duree">
                        <option value="1h">"1 heure"</option>
                        <option value="24h" selected>"24 heures"</option>
                        <option value="7j">"7 jours"</option>
                    </select>
                </div>
                <button type="submit" class="button primary">"Créer le lien"</button>
            </form>
        </main>
    }
}
