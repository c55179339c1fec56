//! The hosted checkout page at `/pay/{token}`.
//!
//! Everything the customer sees is rendered on the server from the payment's state. Forms are
//! plain HTML forms posting to the server functions, which send the browser back to the page
//! (`presenter::back_to_page`), so the page works the same with JavaScript off. The page is
//! built of Leptos *islands*: only a few small components hydrate in the browser — the phone
//! and card fields checked as they are typed, the waiting screens' poll (`WatchPayment`), the
//! return to the merchant after a success. That keeps the WebAssembly a cheap phone downloads
//! small (`./.ci/page-weight` measures it and the load on slow 3G). Waiting screens refresh
//! themselves without JavaScript too. A GET never changes a payment: link scanners open
//! payment links.
//!
//! | file | job |
//! |---|---|
//! | `data.rs` | what the page shows, as data |
//! | `presenter.rs` | (server) from a payment to that data |
//! | `server_fns.rs` | the page's calls into the payment core |
//! | `rpc.rs` | how the islands call them (the browser's `fetch`) |
//! | `choose.rs`, `card_form.rs`, `waiting.rs`, `done.rs` | one component per screen |

mod card_form;
mod choose;
mod done;
#[cfg(feature = "ssr")]
mod presenter;
mod rpc;
mod server_fns;
mod data;
mod waiting;

pub use server_fns::*;
pub use data::{CheckoutView, PaymentPage, Step};

use crate::i18n::Lang;
use choose::Choose;
use done::{Done, done_title};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use waiting::{Authenticate, Confirm, Scan};

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let view_data = Resource::new(
        move || {
            let q = query.read();
            (
                params.read().get("token").unwrap_or_default(),
                q.get("lang"),
                q.get("methode"),
                q.get("pays"),
            )
        },
        |(token, lang, methode, pays)| load_checkout(token, lang, methode, pays),
    );
    view! {
        <Suspense fallback=|| view! { <main class="page"><p>"Chargement…"</p></main> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(CheckoutView { lang, page: Some(page) }) => {
                        view! { <Checkout lang page/> }.into_any()
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
        </Suspense>
    }
}

/// While the page waits (a QR code to scan, a push to confirm, a card at its bank), asks the
/// server every second where the payment stands and reloads the page when that changed. Without
/// JavaScript the `<noscript>` refresh tag does the same, less often.
#[island]
fn WatchPayment(token: String, fingerprint: String) -> impl IntoView {
    let asking = StoredValue::new(false);
    Effect::new(move |_| {
        let (token, fingerprint) = (token.clone(), fingerprint.clone());
        let _ = set_interval_with_handle(
            move || {
                if asking.get_value() {
                    return; // the last question is still on its way (a slow link)
                }
                asking.set_value(true);
                let (token, fingerprint) = (token.clone(), fingerprint.clone());
                leptos::task::spawn_local(async move {
                    match rpc::call::<String>("poll_checkout", &[("token", &token)]).await {
                        Some(now) if now != fingerprint => {
                            let _ = window().location().reload();
                        }
                        Some(_) | None => asking.set_value(false),
                    }
                });
            },
            std::time::Duration::from_millis(1000),
        );
    });
}

/// A `<meta http-equiv="refresh">` that only a browser without JavaScript obeys: with
/// JavaScript the page polls instead. The tag was rendered (and escaped) by the presenter; it is
/// set as raw HTML so hydration does not look inside `<noscript>`.
#[component]
fn RefreshWithoutJs(html: String) -> impl IntoView {
    view! { <noscript inner_html=html></noscript> }
}

#[component]
fn Checkout(lang: Lang, page: PaymentPage) -> impl IntoView {
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
        Step::Choose => view! { <Choose lang page=page.clone()/> }.into_any(),
        Step::Scan {
            provider,
            qr_png,
            link,
        } => view! { <Scan lang page=page.clone() provider qr_png link/> }.into_any(),
        Step::Authenticate { link, card } => view! { <Authenticate lang link card/> }.into_any(),
        Step::Confirm {
            provider,
            phone,
            fallback_code,
            must_dial,
        } => view! { <Confirm lang page=page.clone() provider phone fallback_code must_dial/> }
        .into_any(),
        Step::Done { status, method } => {
            view! { <Done lang page=page.clone() status method/> }.into_any()
        }
    };
    let can_cancel = !matches!(page.step, Step::Done { .. });
    let watch = page.step.is_waiting().then(|| {
        view! { <WatchPayment token=page.token.clone() fingerprint=page.fingerprint.clone()/> }
    });
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
            {watch}
            {page.notice.clone().map(|n| view! { <p class="notice error" role="alert">{n}</p> })}
            {body}
            {can_cancel.then(|| view! {
                <form method="post" action=CancelPayment::url() class="cancel-form">
                    <input type="hidden" name="token" value=page.token.clone()/>
                    <button type="submit" class="button link">{t.cancel}</button>
                </form>
            })}
        </main>
        <footer class="checkout-footer"><p>"Dalal"</p></footer>
    }
}
