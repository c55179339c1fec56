//! The hosted checkout page at `/pay/{token}`.
//!
//! Everything the customer sees is rendered on the server from the payment's state, so the page
//! works with JavaScript off: forms post to the server functions and come back to the page
//! (Leptos redirects plain form posts to the referring page), and waiting screens refresh
//! themselves. With JavaScript, the same forms run without a reload and waiting screens poll the
//! server every second. A GET never changes a payment: link scanners open payment links.
//!
//! | file | job |
//! |---|---|
//! | `view.rs` | what the page shows, as data |
//! | `presenter.rs` | (server) from a payment to that data |
//! | `server_fns.rs` | the page's calls into the payment core |
//! | `choose.rs`, `card_form.rs`, `waiting.rs`, `done.rs` | one component per screen |

mod card_form;
mod choose;
mod done;
#[cfg(feature = "ssr")]
mod presenter;
mod server_fns;
mod view;
mod waiting;

pub use server_fns::*;
pub use view::{CheckoutView, PaymentPage, Step};

use crate::i18n::Lang;
use choose::Choose;
use done::{Done, done_title};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use waiting::{Authenticate, Confirm, Scan};

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let pay = ServerAction::<Pay>::new();
    let pay_card = ServerAction::<PayCard>::new();
    let change = ServerAction::<ChangeMethod>::new();
    let cancel = ServerAction::<CancelPayment>::new();
    // While the page waits for the customer or the provider, it polls a small fingerprint of the
    // payment's state every second and reloads the view only when that changes (so a code being
    // typed is not wiped by a refresh).
    let refreshes = RwSignal::new(0u32);
    let waiting = RwSignal::new(false);
    let fingerprint = StoredValue::new(String::new());
    let token = move || params.read_untracked().get("token").unwrap_or_default();

    let view_data = Resource::new(
        move || {
            let q = query.read();
            (
                params.read().get("token").unwrap_or_default(),
                q.get("lang"),
                q.get("methode"),
                q.get("pays"),
                (
                    refreshes.get(),
                    pay.version().get(),
                    pay_card.version().get(),
                    change.version().get(),
                    cancel.version().get(),
                ),
            )
        },
        |(token, lang, methode, pays, _)| load_checkout(token, lang, methode, pays),
    );

    // The bank wants 3-D Secure: go to its page (a full page load: it is not part of this app).
    // Otherwise the card was refused or paid: clear the form so a card number and its code do
    // not stay on the screen.
    Effect::new(move |_| {
        let Some(Ok(link)) = pay_card.value().get() else {
            return;
        };
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(window) = web_sys::window() else {
                return;
            };
            match link {
                Some(link) => {
                    let _ = window.location().set_href(&link);
                }
                None => {
                    let form = window
                        .document()
                        .and_then(|d| d.query_selector("form.card-form").ok().flatten())
                        .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok());
                    if let Some(form) = form {
                        form.reset();
                    }
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = link;
    });

    Effect::new(move |_| {
        let _ = set_interval_with_handle(
            move || {
                if !waiting.get_untracked() {
                    return;
                }
                let token = token();
                leptos::task::spawn_local(async move {
                    if let Ok(now) = poll_checkout(token).await
                        && now != fingerprint.get_value()
                    {
                        fingerprint.set_value(now);
                        refreshes.update(|n| *n += 1);
                    }
                });
            },
            std::time::Duration::from_millis(1000),
        );
    });

    view! {
        <Transition fallback=|| view! { <main class="page"><p>"Chargement…"</p></main> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(CheckoutView { lang, page: Some(page) }) => {
                        waiting.set(page.step.is_waiting());
                        fingerprint.set_value(page.fingerprint.clone());
                        view! { <Checkout lang page pay pay_card change cancel/> }.into_any()
                    }
                    Ok(CheckoutView { lang, page: None }) => {
                        let t = lang.t();
                        view! {
                            <Title text=t.not_found_title/>
                            <main class="page">
                                <h1>{t.not_found_title}</h1>
                                <p>{t.not_found_body}</p>
                            </main>
                        }
                            .into_any()
                    }
                    Err(_) => {
                        let t = Lang::Fr.t();
                        view! {
                            <main class="page">
                                <h1>{t.unavailable_title}</h1>
                                <p>{t.unavailable_body}</p>
                            </main>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// A `<meta http-equiv="refresh">` that only a browser without JavaScript obeys: with
/// JavaScript the page polls instead. The tag was rendered (and escaped) by the presenter; it is
/// set as raw HTML so hydration does not look inside `<noscript>`.
#[component]
fn RefreshWithoutJs(html: String) -> impl IntoView {
    view! { <noscript inner_html=html></noscript> }
}

#[component]
fn Checkout(
    lang: Lang,
    page: PaymentPage,
    pay: ServerAction<Pay>,
    pay_card: ServerAction<PayCard>,
    change: ServerAction<ChangeMethod>,
    cancel: ServerAction<CancelPayment>,
) -> impl IntoView {
    let t = lang.t();
    let switch = format!("?lang={}", lang.other().code());
    let step = page.step.clone();
    let status_line = match &step {
        Step::Choose => String::new(),
        Step::Scan { .. } | Step::Confirm { .. } | Step::Authenticate { .. } => {
            t.updates_by_itself.to_owned()
        }
        Step::Done { status, .. } => done_title(lang, *status).to_owned(),
    };
    let body = match step {
        Step::Choose => view! { <Choose lang page=page.clone() pay pay_card/> }.into_any(),
        Step::Scan {
            provider,
            qr_png,
            link,
        } => view! { <Scan lang page=page.clone() provider qr_png link pay change/> }.into_any(),
        Step::Authenticate { link, card } => view! { <Authenticate lang link card/> }.into_any(),
        Step::Confirm {
            provider,
            phone,
            fallback_code,
        } => view! { <Confirm lang page=page.clone() provider phone fallback_code/> }.into_any(),
        Step::Done { status, method } => {
            view! { <Done lang page=page.clone() status method/> }.into_any()
        }
    };
    let can_cancel = !matches!(page.step, Step::Done { .. });
    view! {
        <Title text=format!("{} {} — {}", t.page_title, page.amount, page.merchant)/>
        <header class="checkout-header">
            <p class="merchant">{page.merchant.clone()}</p>
            // A full page load, so that `<html lang>` is rendered again by the server.
            <a class="lang-switch" href=switch hreflang=lang.other().code() rel="external">{t.switch_to}</a>
        </header>
        <main class="page checkout">
            {page.test_mode.then(|| view! { <p class="sandbox-badge">{t.test_mode}</p> })}
            <section class="summary" aria-label=t.amount>
                <h1 class="amount">{page.amount.clone()}</h1>
                {page.description.clone().map(|d| view! { <p class="description">{d}</p> })}
                <p class="reference">{t.reference} " : " {page.reference.clone()}</p>
                {(!matches!(page.step, Step::Done { .. }))
                    .then(|| view! { <p class="time-left">{t.expires_in} " " {page.minutes_left} " " {t.minutes}</p> })}
            </section>
            <p class="status-line" role="status" aria-live="polite">{status_line}</p>
            {page.notice.clone().map(|n| view! { <p class="notice error" role="alert">{n}</p> })}
            {body}
            {can_cancel.then(|| view! {
                <ActionForm action=cancel attr:class="cancel-form">
                    <input type="hidden" name="token" value=page.token.clone()/>
                    <button type="submit" class="button link">{t.cancel}</button>
                </ActionForm>
            })}
        </main>
        <footer class="checkout-footer"><p>"Dalal"</p></footer>
    }
}
