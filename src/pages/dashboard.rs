//! The merchant dashboard under `/dashboard`: sign in, the payment list with the listing API's
//! filters, and each payment whole (timeline, attempts, refunds, webhook deliveries and their
//! tries). Server-rendered with plain forms and links: it works without JavaScript, and ships
//! none of its own.
//!
//! | file | job |
//! |---|---|
//! | `sign_in.rs`, `list.rs`, `payment.rs`, `links.rs`, `developers.rs`, `payouts.rs` | one screen each |
//! | `data.rs` | what the screens show, as data |
//! | `presenter.rs` | (server) the signed-in user; from payments to that data |
//! | `server_fns.rs` | the screens' calls, each limited to the user's merchant |
//! | `export.rs` | (server) the filtered list as a streamed CSV file |

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
mod presenter;
mod developers;
mod links;
mod list;
mod payment;
mod payouts;
mod server_fns;
mod sign_in;
mod data;

pub use developers::DevelopersPage;
pub use links::LinksPage;
pub use list::PaymentsPage;
pub use payment::PaymentPage;
pub use payouts::PayoutsPage;
pub use server_fns::*;
pub use sign_in::SignInPage;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use data::{DevelopersView, Header, LinksView, PaymentDetail, PaymentList};

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
                <a href=format!("{}?mode={}", crate::routes::DASHBOARD_PAYOUTS, header.mode)>{tr(en, "Paiements sortants", "Payouts")}</a>
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
