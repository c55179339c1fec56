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
use view::{DevelopersView, Header, LinksView, PaymentDetail, PaymentList};

/// The list's filter choices: (value, French, English).
const STATUSES: [(&str, &str, &str); 6] = [
    ("pending", "En attente", "Pending"),
    ("processing", "En cours", "Processing"),
    ("succeeded", "Réussi", "Succeeded"),
    ("failed", "Échoué", "Failed"),
    ("cancelled", "Annulé", "Cancelled"),
    ("expired", "Expiré", "Expired"),
];
const METHODS: [(&str, &str, &str); 6] = [
    ("wave", "Wave", "Wave"),
    ("orange_money", "Orange Money", "Orange Money"),
    ("free_money", "Free Money", "Free Money"),
    ("mtn_momo", "MTN MoMo", "MTN MoMo"),
    ("moov_money", "Moov Money", "Moov Money"),
    ("card", "Carte bancaire", "Bank card"),
];

/// How long an old key or webhook secret keeps working once replaced: (form value, French,
/// English, milliseconds). The developers' forms offer these; `presenter::grace_ms` reads them.
pub(crate) const GRACE_CHOICES: [(&str, &str, &str, i64); 4] = [
    ("0", "Plus du tout (immédiatement)", "Not at all (stops now)", 0),
    ("1h", "1 heure", "1 hour", 3_600_000),
    ("24h", "24 heures", "24 hours", 86_400_000),
    ("7j", "7 jours", "7 days", 7 * 86_400_000),
];

/// French first, English second: the words for the dashboard's language.
pub(crate) fn tr(english: bool, fr: &'static str, en: &'static str) -> &'static str {
    if english { en } else { fr }
}

/// Whether the dashboard speaks English to this request: the `language` middleware's choice
/// (`?lang=en`, kept in the session, else `Accept-Language`). The dashboard is rendered on the
/// server only (it has no islands), so the request is always there.
pub(crate) fn english() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<crate::i18n::Lang>().copied())
            .is_some_and(|lang| lang == crate::i18n::Lang::En)
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let en = english();
    let notice = Resource::new(|| (), |_| dashboard_notice());
    view! {
        <Title text={tr(en, "Connexion — Tableau de bord Dalal", "Sign in — Dalal dashboard")}/>
        <main class="page dashboard sign-in">
            <h1>{tr(en, "Tableau de bord", "Dashboard")}</h1>
            <p>{tr(en, "Connectez-vous pour voir vos paiements.", "Sign in to see your payments.")}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    notice.await.ok().flatten().map(|n| view! { <p class="notice error" role="alert">{n}</p> })
                })}
            </Suspense>
            <form method="post" action=DashboardSignIn::url() class="sign-in-form">
                <label for="email">{tr(en, "Adresse e-mail", "E-mail address")}</label>
                <input id="email" name="email" type="email" autocomplete="username" required/>
                <label for="password">{tr(en, "Mot de passe", "Password")}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <button type="submit" class="button primary">{tr(en, "Se connecter", "Sign in")}</button>
            </form>
        </main>
    }
}

#[component]
fn Top(header: Header, here: String) -> impl IntoView {
    let en = english();
    let other = if header.mode == "live" { "test" } else { "live" };
    let sep = if here.contains('?') { "&" } else { "?" };
    let switch = format!("{here}{sep}mode={other}");
    let language = format!("{here}{sep}mode={}&lang={}", header.mode, if en { "fr" } else { "en" });
    view! {
        <header class="dashboard-header">
            <p class="merchant">{header.merchant.clone()}</p>
            <nav aria-label={tr(en, "Compte", "Account")}>
                <span class="mode-badge" class:live=header.mode == "live">
                    {if header.mode == "live" { {tr(en, "Mode live", "Live mode")} } else { {tr(en, "Mode test", "Test mode")} }}
                </span>
                " "
                <a href=switch>{if other == "live" { {tr(en, "Passer en mode live", "Switch to live mode")} } else { {tr(en, "Passer en mode test", "Switch to test mode")} }}</a>
                " "
                <a href=format!("{}?mode={}", crate::routes::DASHBOARD, header.mode)>{tr(en, "Paiements", "Payments")}</a>
                " "
                <a href=format!("{}?mode={}", crate::routes::DASHBOARD_LINKS, header.mode)>{tr(en, "Liens de paiement", "Payment links")}</a>
                " "
                <a href=format!("{}?mode={}", crate::routes::DASHBOARD_DEVELOPERS, header.mode)>{tr(en, "Développeurs", "Developers")}</a>
                " "
                {if en {
                    view! { <a href=language hreflang="fr" lang="fr">"Français"</a> }.into_any()
                } else {
                    view! { <a href=language hreflang="en" lang="en">"English"</a> }.into_any()
                }}
                " "
                <span class="email">{header.email.clone()}</span>
                <form method="post" action=DashboardSignOut::url() class="sign-out">
                    <button type="submit" class="button link">{tr(en, "Se déconnecter", "Sign out")}</button>
                </form>
            </nav>
        </header>
    }
}

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
