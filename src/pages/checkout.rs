//! The hosted checkout page at `/pay/{token}`.
//!
//! Everything the customer sees is rendered on the server from the payment's state, so the page
//! works with JavaScript off: forms post to the server functions below and come back to the page
//! (Leptos redirects plain form posts to the referring page), and waiting screens refresh
//! themselves. With JavaScript, the same forms run without a reload and waiting screens poll the
//! server every second. A GET never changes a payment: link scanners open payment links.
//!
//! Server functions have fixed URLs (`/rpc/{name}`, no hash of the build path), so the browser
//! bundle and the server agree wherever the crate was built. Missing form fields default to empty
//! (`#[server(default)]`), so a hand-made post gets the page's French message, never a 500.

use crate::domain::{CardBins, CardBrand, Country, PaymentStatus, ProviderCode};
use crate::i18n::Lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// The page as the server sees it, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub lang: Lang,
    pub page: Option<PaymentPage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentPage {
    pub token: String,
    pub test_mode: bool,
    pub merchant: String,
    pub amount: String,
    pub description: Option<String>,
    pub reference: String,
    pub transaction_id: String,
    pub minutes_left: i64,
    pub country: Country,
    pub country_fixed: bool,
    pub countries: Vec<Country>,
    pub methods: Vec<ProviderCode>,
    pub selected: Option<ProviderCode>,
    pub phone: String,
    /// The name to prefill the card form with (the merchant's `customer_name`).
    pub holder: String,
    /// Card brand detection in the browser needs the configured GIM-UEMOA prefixes.
    pub card_bins: CardBins,
    /// The only card brand this payment takes, when the merchant asked for one.
    pub card_brand: Option<CardBrand>,
    pub notice: Option<String>,
    pub step: Step,
    /// Where « back to the merchant » goes, with the outcome in the query.
    pub back_link: Option<String>,
    /// Where the payment stands, as `poll_checkout` reports it.
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Step {
    Choose,
    /// A QR-code session is open: scan it or open the app.
    Scan {
        provider: ProviderCode,
        qr_svg: String,
        link: String,
    },
    /// A push (or one-time-code charge) awaits the customer's answer.
    Confirm {
        provider: ProviderCode,
        phone: String,
        fallback_code: Option<String>,
    },
    /// The card's bank wants a 3-D Secure confirmation on its own page.
    Authenticate {
        link: String,
        card: String,
    },
    Done {
        status: PaymentStatus,
        method: Option<ProviderCode>,
    },
}

impl Step {
    fn is_waiting(&self) -> bool {
        matches!(
            self,
            Step::Scan { .. } | Step::Confirm { .. } | Step::Authenticate { .. }
        )
    }
}

#[cfg(feature = "ssr")]
mod server {
    //! Server-side helpers of the checkout page's server functions.

    use super::*;
    use crate::domain::msisdn::Msisdn;
    use crate::domain::{AttemptStatus, ConfirmationFlow};
    use crate::payments::{Attempt, Payment, PaymentError};
    use tower_sessions::Session;

    pub fn key(token: &str, what: &str) -> String {
        format!("pay:{token}:{what}")
    }

    pub async fn session() -> Result<Session, ServerFnError> {
        leptos_axum::extract::<Session>()
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))
    }

    pub fn internal<E: std::fmt::Debug>(err: E) -> ServerFnError {
        tracing::error!(error = ?err, "checkout page error");
        ServerFnError::new("Erreur interne")
    }

    /// The customer's language, as the `language` middleware resolved it for this request.
    pub fn request_lang() -> Lang {
        use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<Lang>().copied())
            .unwrap_or_default()
    }

    /// The merchant's URL with `transactionId`, `status` and `externalReference` appended, keeping
    /// the merchant's own query.
    pub fn with_outcome(url: &str, payment: &Payment) -> Option<String> {
        let mut url = url::Url::parse(url).ok()?;
        url.query_pairs_mut()
            .append_pair("transactionId", &payment.id.to_string())
            .append_pair("status", payment.status.as_str())
            .append_pair("externalReference", &payment.external_reference);
        Some(url.into())
    }

    /// Changes whenever the page should show something else.
    pub fn fingerprint(payment: &Payment, attempt: Option<&Attempt>) -> String {
        let attempt = attempt
            .map(|a| format!("{}:{}", a.id, a.status.as_str()))
            .unwrap_or_default();
        format!("{}:{attempt}", payment.status.as_str())
    }

    pub fn back_link(payment: &Payment) -> Option<String> {
        let url = match payment.status {
            PaymentStatus::Succeeded => payment.return_url.as_deref(),
            _ => payment
                .cancel_url
                .as_deref()
                .or(payment.return_url.as_deref()),
        }?;
        with_outcome(url, payment)
    }

    /// Countries whose currency is the payment's and where a provider takes this amount.
    pub fn countries_for(payment: &Payment) -> Vec<Country> {
        Country::ALL
            .into_iter()
            .filter(|c| {
                ProviderCode::ALL
                    .iter()
                    .any(|p| p.check_available(*c, payment.amount).is_ok())
            })
            .collect()
    }

    pub fn failure_text(lang: Lang, attempt: &Attempt) -> Option<String> {
        let code = attempt.failure_code.as_deref()?;
        Some(match lang {
            Lang::Fr => attempt.failure_message.clone().unwrap_or_default(),
            Lang::En if attempt.provider == ProviderCode::Card => {
                crate::i18n::card_failure_en(code)
            }
            Lang::En => crate::i18n::failure_en(code, attempt.provider.name()),
        })
    }

    pub fn error_text(err: &PaymentError) -> String {
        match err {
            PaymentError::Internal(e) => {
                tracing::error!(error = ?e, "checkout action failed");
                "Une erreur est survenue. Réessayez dans un instant.".to_owned()
            }
            other => other.to_string(),
        }
    }

    pub fn step(payment: &Payment, attempt: Option<&Attempt>) -> Step {
        if payment.status.is_terminal() {
            let method = attempt.map(|a| a.provider).or(payment.provider);
            return Step::Done {
                status: payment.status,
                method,
            };
        }
        let Some(attempt) =
            attempt.filter(|a| a.status.is_open() && a.provider_reference.is_some())
        else {
            return Step::Choose;
        };
        match (
            attempt.provider.flow(),
            attempt.status,
            attempt.launch_url.as_deref(),
        ) {
            (ConfirmationFlow::QrCode, AttemptStatus::Created, Some(link)) => Step::Scan {
                provider: attempt.provider,
                qr_svg: crate::qr::svg(link).unwrap_or_default(),
                link: link.to_owned(),
            },
            (ConfirmationFlow::Card, AttemptStatus::AwaitingCustomer, Some(link)) => {
                Step::Authenticate {
                    link: link.to_owned(),
                    card: attempt
                        .card
                        .as_ref()
                        .map(|(brand, last4)| format!("{brand} •••• {last4}"))
                        .unwrap_or_default(),
                }
            }
            _ => Step::Confirm {
                provider: attempt.provider,
                phone: attempt
                    .customer_phone
                    .as_ref()
                    .map(Msisdn::masked)
                    .unwrap_or_default(),
                fallback_code: payment
                    .country
                    .or_else(|| {
                        let phone = attempt.customer_phone.as_ref()?;
                        Country::ALL
                            .into_iter()
                            .find(|c| Msisdn::parse(phone.as_str(), *c).is_ok())
                    })
                    .and_then(|c| attempt.provider.push_fallback_ussd_code(c))
                    .map(str::to_owned),
            },
        }
    }
}

/// Everything the page shows for a token. `lang`, `methode` and `pays` are the page's query:
/// view choices kept in the customer's session, never changes to the payment.
#[server(prefix = "/rpc", endpoint = "load_checkout")]
pub async fn load_checkout(
    #[server(default)] token: String,
    lang: Option<String>,
    methode: Option<String>,
    pays: Option<String>,
) -> Result<CheckoutView, ServerFnError> {
    use crate::state::AppState;
    use server::*;

    let state = expect_context::<AppState>();
    let session = session().await?;
    let _ = lang; // read by the `language` middleware from the query
    let lang = request_lang();
    let Some((payment, attempt)) = state
        .payments
        .find_by_token(&token)
        .await
        .map_err(internal)?
    else {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
        return Ok(CheckoutView { lang, page: None });
    };
    let merchant = crate::db::merchants::merchant_name(&state.pool, &payment.merchant_id)
        .await
        .map_err(internal)?
        .unwrap_or_default();

    let countries = countries_for(&payment);
    if let Some(c) = pays
        .as_deref()
        .and_then(|c| Country::parse(c).ok())
        .filter(|c| countries.contains(c))
    {
        let _ = session.insert(&key(&token, "country"), c).await;
    }
    let chosen_country = session
        .get::<Country>(&key(&token, "country"))
        .await
        .ok()
        .flatten();
    let country = payment
        .country
        .or(chosen_country)
        .or_else(|| {
            let phone = payment.customer_phone.as_ref()?;
            countries
                .iter()
                .copied()
                .find(|c| crate::domain::msisdn::Msisdn::parse(phone.as_str(), *c).is_ok())
        })
        .or_else(|| countries.first().copied())
        .unwrap_or(Country::Sn);
    let routes = state.payments.routes();
    let methods: Vec<ProviderCode> = ProviderCode::ALL
        .into_iter()
        .filter(|p| {
            p.check_available(country, payment.amount).is_ok()
                && routes.available(*p, country, payment.amount)
        })
        // A card payment (the merchant asked for a card) is paid by card only.
        .filter(|p| payment.provider != Some(ProviderCode::Card) || *p == ProviderCode::Card)
        .collect();

    if let Some(m) = methode.as_deref().and_then(|m| ProviderCode::parse(m).ok()) {
        let _ = session.insert(&key(&token, "method"), m).await;
    }
    let selected = session
        .get::<ProviderCode>(&key(&token, "method"))
        .await
        .ok()
        .flatten()
        .or(payment.provider)
        .filter(|m| methods.contains(m));

    let flash = session
        .remove::<String>(&key(&token, "flash"))
        .await
        .ok()
        .flatten();
    let step = step(&payment, attempt.as_ref());
    let last_failure = attempt
        .as_ref()
        .filter(|a| a.status == crate::domain::AttemptStatus::Failed && step == Step::Choose)
        .and_then(|a| failure_text(lang, a));

    let phone = payment
        .customer_phone
        .as_ref()
        .map(|p| p.as_str().to_owned())
        .or_else(|| {
            attempt
                .as_ref()
                .and_then(|a| a.customer_phone.as_ref())
                .map(|p| p.as_str().to_owned())
        })
        .unwrap_or_default();
    Ok(CheckoutView {
        lang,
        page: Some(PaymentPage {
            token,
            test_mode: payment.mode == crate::payments::Mode::Test,
            merchant,
            amount: match lang {
                Lang::Fr => payment.amount.display_fr(),
                Lang::En => payment.amount.display_en(),
            },
            description: payment.description.clone(),
            reference: payment.external_reference.clone(),
            transaction_id: payment.id.to_string(),
            minutes_left: ((payment.expires_at - state.payments.now_ms() + 59_999) / 60_000).max(0),
            country,
            country_fixed: payment.country.is_some(),
            countries,
            methods,
            selected,
            phone,
            holder: payment.customer_name.clone().unwrap_or_default(),
            card_bins: state.settings.cards.bins(),
            card_brand: payment.card_brand,
            notice: flash.or(last_failure),
            back_link: back_link(&payment),
            fingerprint: fingerprint(&payment, attempt.as_ref()),
            step,
        }),
    })
}

/// The waiting page's poll: asks the provider for news, then answers a fingerprint of where
/// the payment stands, which changes whenever the page should show something else.
#[server(prefix = "/rpc", endpoint = "poll_checkout")]
pub async fn poll_checkout(#[server(default)] token: String) -> Result<String, ServerFnError> {
    use crate::state::AppState;
    use server::*;
    let state = expect_context::<AppState>();
    let Some((payment, _)) = state
        .payments
        .find_by_token(&token)
        .await
        .map_err(internal)?
    else {
        return Ok(String::new());
    };
    if !payment.status.is_terminal() {
        state
            .payments
            .refresh_open_attempt(&payment)
            .await
            .map_err(internal)?;
    }
    let (payment, attempt) = state
        .payments
        .find_by_token(&token)
        .await
        .map_err(internal)?
        .ok_or_else(|| internal("vanished"))?;
    Ok(fingerprint(&payment, attempt.as_ref()))
}

/// Starts paying with a method. Problems (a wrong number, a provider refusal) are shown on the
/// page, so this returns `Ok` after noting them in the session.
#[server(prefix = "/rpc", endpoint = "pay")]
pub async fn pay(
    #[server(default)] token: String,
    #[server(default)] provider: String,
    #[server(default)] country: String,
    phone: Option<String>,
    code: Option<String>,
) -> Result<(), ServerFnError> {
    use crate::domain::msisdn::Msisdn;
    use crate::payments::MethodChoice;
    use crate::state::AppState;
    use server::*;

    let state = expect_context::<AppState>();
    let session = session().await?;
    let result = async {
        let provider = ProviderCode::parse(&provider)?;
        let country = Country::parse(&country)?;
        let phone = phone
            .filter(|p| !p.trim().is_empty())
            .map(|p| Msisdn::parse(&p, country))
            .transpose()?;
        let one_time_code = code.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
        let choice = MethodChoice {
            provider,
            country,
            phone,
            one_time_code,
            card: None,
        };
        state
            .payments
            .choose_method(&token, choice)
            .await
            .map(|_| ())
    }
    .await;
    if let Err(err) = result {
        let _ = session
            .insert(&key(&token, "flash"), error_text(&err))
            .await;
    }
    Ok(())
}

/// Pays by card. The card is checked here (Luhn, brand, expiry, code), handed to the card
/// connector and forgotten: only its brand and last four digits are stored. When the bank asks
/// for 3-D Secure, the customer is sent to the bank's page, which brings them back: a plain form
/// post is redirected there; with JavaScript the page goes there itself with the returned link
/// (a server-function redirect would be routed inside the app, where the bank's page is not).
#[server(prefix = "/rpc", endpoint = "pay_card")]
pub async fn pay_card(
    #[server(default)] token: String,
    #[server(default)] country: String,
    #[server(default)] number: String,
    #[server(default)] expiry: String,
    #[server(default)] cvc: String,
    #[server(default)] holder: String,
) -> Result<Option<String>, ServerFnError> {
    use crate::domain::{AttemptStatus, CardDetails};
    use crate::payments::MethodChoice;
    use crate::state::AppState;
    use server::*;

    let state = expect_context::<AppState>();
    let session = session().await?;
    let result = async {
        let country = Country::parse(&country)?;
        let today = crate::clock::year_month(state.payments.now_ms());
        let card = CardDetails::parse(
            &number,
            &expiry,
            &cvc,
            &holder,
            &state.settings.cards.bins(),
            today,
        )?;
        let choice = MethodChoice {
            provider: ProviderCode::Card,
            country,
            phone: None,
            one_time_code: None,
            card: Some(card),
        };
        state.payments.choose_method(&token, choice).await
    }
    .await;
    match result {
        Ok((_, attempt)) if attempt.status == AttemptStatus::AwaitingCustomer => {
            let link = attempt.launch_url;
            let plain_form = use_context::<axum::http::request::Parts>()
                .and_then(|p| p.headers.get(axum::http::header::ACCEPT).cloned())
                .and_then(|v| v.to_str().ok().map(|v| v.contains("text/html")))
                .unwrap_or(false);
            if plain_form && let Some(link) = link.as_deref() {
                leptos_axum::redirect(link);
            }
            Ok(link)
        }
        Ok(_) => Ok(None),
        Err(err) => {
            let _ = session
                .insert(&key(&token, "flash"), error_text(&err))
                .await;
            Ok(None)
        }
    }
}

/// Leaves an open QR-code session to choose another method.
#[server(prefix = "/rpc", endpoint = "change_method")]
pub async fn change_method(#[server(default)] token: String) -> Result<(), ServerFnError> {
    use crate::state::AppState;
    use server::*;
    let state = expect_context::<AppState>();
    if let Err(err) = state.payments.change_method(&token).await {
        let _ = session()
            .await?
            .insert(&key(&token, "flash"), error_text(&err))
            .await;
    }
    Ok(())
}

/// « Annuler »: cancels the payment and sends the customer to the merchant's `cancelUrl`.
#[server(prefix = "/rpc", endpoint = "cancel_payment")]
pub async fn cancel_payment(#[server(default)] token: String) -> Result<(), ServerFnError> {
    use crate::state::AppState;
    use server::*;
    let state = expect_context::<AppState>();
    match state.payments.cancel(&token).await {
        Ok(payment) => {
            if let Some(link) = back_link(&payment) {
                leptos_axum::redirect(&link);
            }
        }
        Err(err) => {
            let _ = session()
                .await?
                .insert(&key(&token, "flash"), error_text(&err))
                .await;
        }
    }
    Ok(())
}

/// Checks a number as the customer types it: `None` when valid, else why not.
#[server(prefix = "/rpc", endpoint = "check_phone")]
pub async fn check_phone(
    #[server(default)] country: String,
    #[server(default)] phone: String,
) -> Result<Option<String>, ServerFnError> {
    let Ok(country) = Country::parse(&country) else {
        return Ok(None);
    };
    Ok(crate::domain::msisdn::Msisdn::parse(&phone, country)
        .err()
        .map(|e| e.0))
}

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
/// JavaScript the page polls instead. Written as raw HTML so hydration does not look inside.
#[component]
fn RefreshWithoutJs(seconds: u32, #[prop(optional)] to: Option<String>) -> impl IntoView {
    let target = to
        .map(|url| format!(";url={}", html_escape(&url)))
        .unwrap_or_default();
    view! { <noscript inner_html=format!(r#"<meta http-equiv="refresh" content="{seconds}{target}">"#)></noscript> }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
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
    let token = page.token.clone();
    let status_line = match &step {
        Step::Choose => String::new(),
        Step::Scan { .. } | Step::Confirm { .. } | Step::Authenticate { .. } => {
            t.updates_by_itself.to_owned()
        }
        Step::Done { status, .. } => done_title(lang, *status).to_owned(),
    };
    let otp_in_scan = match &step {
        Step::Scan {
            provider: ProviderCode::OrangeMoney,
            ..
        } => page
            .country_otp_code(ProviderCode::OrangeMoney)
            .map(|ussd| view! { <OtpForm lang page=page.clone() ussd pay/> }),
        _ => None,
    };
    let body = match step {
        Step::Choose => view! { <Choose lang page=page.clone() pay pay_card/> }.into_any(),
        Step::Scan { provider, qr_svg, link } => view! {
            <section class="step scan" aria-labelledby="step-title">
                <h2 id="step-title">{t.pay_with} " " {provider.name()}</h2>
                <p>{t.scan_intro}</p>
                <div class="scan-options">
                    <a class="button primary open-app" href=link.clone()>{t.open_app} " " {provider.name()}</a>
                    <figure class="qr">
                        <div role="img" aria-label=format!("{} {}", t.qr_label, provider.name()) inner_html=qr_svg></div>
                    </figure>
                </div>
                {otp_in_scan}
                <RefreshWithoutJs seconds=3/>
                <ActionForm action=change>
                    <input type="hidden" name="token" value=token.clone()/>
                    <button type="submit" class="button">{t.other_method}</button>
                </ActionForm>
            </section>
        }
        .into_any(),
        Step::Authenticate { link, card } => view! {
            <section class="step authenticate" aria-labelledby="step-title">
                <h2 id="step-title">{t.authenticate_title}</h2>
                <p>{t.authenticate_body} " " <strong>{card}</strong>"."</p>
                <a class="button primary" href=link rel="external">{t.authenticate_go}</a>
            </section>
        }
        .into_any(),
        Step::Confirm { provider: ProviderCode::Card, .. } => view! {
            <section class="step confirm" aria-labelledby="step-title">
                <h2 id="step-title">{t.card_processing}</h2>
                <div class="spinner" aria-hidden="true"></div>
                <RefreshWithoutJs seconds=3/>
            </section>
        }
        .into_any(),
        Step::Confirm { provider, phone, fallback_code } => view! {
            <section class="step confirm" aria-labelledby="step-title">
                <h2 id="step-title">{t.confirm_title}</h2>
                <p>{t.confirm_body} " " <strong>{phone}</strong> " (" {provider.name()} ")."</p>
                <div class="spinner" aria-hidden="true"></div>
                <h3>{t.no_prompt_title}</h3>
                <p>{t.no_prompt_body}</p>
                {fallback_code.map(|code| view! { <p>{t.dial_fallback} " " <strong>{code}</strong>"."</p> })}
                <RefreshWithoutJs seconds=3/>
            </section>
        }
        .into_any(),
        Step::Done { status, method } => view! { <Done lang page=page.clone() status method/> }.into_any(),
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

fn done_title(lang: Lang, status: PaymentStatus) -> &'static str {
    let t = lang.t();
    match status {
        PaymentStatus::Succeeded => t.succeeded_title,
        PaymentStatus::Failed => t.failed_title,
        PaymentStatus::Cancelled => t.cancelled_title,
        PaymentStatus::Expired => t.expired_title,
        PaymentStatus::Pending | PaymentStatus::Processing => t.choose_method,
    }
}

#[component]
fn Choose(
    lang: Lang,
    page: PaymentPage,
    pay: ServerAction<Pay>,
    pay_card: ServerAction<PayCard>,
) -> impl IntoView {
    let t = lang.t();
    let country = page.country;
    let country_switch = (!page.country_fixed && page.countries.len() > 1).then(|| {
        let options = page
            .countries
            .iter()
            .map(|c| {
                let name = match lang {
                    Lang::Fr => c.name_fr(),
                    Lang::En => c.name_en(),
                };
                view! { <option value=c.code() selected=*c == country>{name}</option> }
            })
            .collect_view();
        view! {
            <form method="get" class="country-switch">
                <label for="pays">{t.country}</label>
                <select id="pays" name="pays">{options}</select>
                <button type="submit" class="button">{t.change_country}</button>
            </form>
        }
    });
    let methods = page
        .methods
        .iter()
        .map(|p| {
            let selected = page.selected == Some(*p);
            let form = selected
                .then(|| view! { <MethodForm lang page=page.clone() provider=*p pay pay_card/> });
            view! {
                <li class="method" class:selected=selected>
                    <a class="method-link" href=format!("?methode={}", p.code()) aria-current=selected.then_some("true")>
                        <img src=p.logo_path() alt="" width="40" height="40"/>
                        <span>{method_name(lang, *p)}</span>
                    </a>
                    {form}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="step choose" aria-labelledby="choose-title">
            <h2 id="choose-title">{t.choose_method}</h2>
            {country_switch}
            {page.methods.is_empty().then(|| view! { <p>{t.no_method}</p> })}
            <ul class="methods">{methods}</ul>
        </section>
    }
}

/// A method's name in the page's language (provider names are brands; cards are not).
fn method_name(lang: Lang, provider: ProviderCode) -> &'static str {
    match provider {
        ProviderCode::Card => lang.t().card_method,
        other => other.name(),
    }
}

#[component]
fn MethodForm(
    lang: Lang,
    page: PaymentPage,
    provider: ProviderCode,
    pay: ServerAction<Pay>,
    pay_card: ServerAction<PayCard>,
) -> impl IntoView {
    use crate::domain::ConfirmationFlow;
    let t = lang.t();
    let (token, country) = (page.token.clone(), page.country);
    let hidden = move || {
        view! {
            <input type="hidden" name="token" value=token.clone()/>
            <input type="hidden" name="provider" value=provider.code()/>
            <input type="hidden" name="country" value=country.code()/>
        }
    };
    let pay_label = format!("{} {}", t.pay, page.amount);
    match provider.flow() {
        ConfirmationFlow::QrCode => {
            let otp = page.country_otp_code(provider).map(|ussd| {
                view! { <OtpForm lang page=page.clone() ussd pay/> }
            });
            view! {
                <div class="method-form">
                    <ActionForm action=pay>
                        {hidden()}
                        <button type="submit" class="button primary">{t.pay_with_app} " " {provider.name()}</button>
                    </ActionForm>
                    {otp}
                </div>
            }
            .into_any()
        }
        ConfirmationFlow::UssdPush => view! {
            <div class="method-form">
                <ActionForm action=pay>
                    {hidden()}
                    <PhoneField lang country=page.country value=page.phone.clone() id="push-phone"/>
                    <button type="submit" class="button primary">{pay_label}</button>
                </ActionForm>
            </div>
        }
        .into_any(),
        ConfirmationFlow::Card => view! { <CardForm lang page pay_card/> }.into_any(),
    }
}

/// The card form. With JavaScript the brand shows as the number is typed and a mistyped number
/// is flagged at once (Luhn); without, the server checks everything on submit.
#[component]
fn CardForm(lang: Lang, page: PaymentPage, pay_card: ServerAction<PayCard>) -> impl IntoView {
    let t = lang.t();
    let bins = page.card_bins.clone();
    let brand = RwSignal::new(None::<CardBrand>);
    let invalid = RwSignal::new(false);
    let detect = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        let digits = crate::domain::card::digits_of(&typed);
        let detected = digits.as_deref().and_then(|d| bins.brand(d));
        brand.set(detected);
        invalid.set(match digits {
            None => true,
            Some(d) => d.len() >= 16 && !crate::domain::card::luhn_valid(&d),
        });
    };
    let wanted = page.card_brand;
    let hint = move || {
        if invalid.get() {
            return t.card_invalid.to_owned();
        }
        match (brand.get(), wanted) {
            (Some(b), _) => b.name().to_owned(),
            (None, Some(w)) => format!("{} {}", t.card_only, w.name()),
            (None, None) => t.card_brands.to_owned(),
        }
    };
    view! {
        <div class="method-form">
            <ActionForm action=pay_card attr:class="card-form">
                <input type="hidden" name="token" value=page.token.clone()/>
                <input type="hidden" name="country" value=page.country.code()/>
                <label for="card-number">{t.card_number}</label>
                <input id="card-number" name="number" type="text" inputmode="numeric" autocomplete="cc-number"
                    placeholder="1234 5678 9012 3456" maxlength="23" required aria-describedby="card-number-hint"
                    aria-invalid=move || invalid.get().then_some("true") on:input=detect/>
                <p id="card-number-hint" class="hint card-brand" aria-live="polite">{hint}</p>
                <div class="card-row">
                    <div>
                        <label for="card-expiry">{t.card_expiry}</label>
                        <input id="card-expiry" name="expiry" type="text" inputmode="numeric" autocomplete="cc-exp"
                            placeholder="MM/AA" maxlength="7" required/>
                    </div>
                    <div>
                        <label for="card-cvc">{t.card_cvc}</label>
                        <input id="card-cvc" name="cvc" type="text" inputmode="numeric" autocomplete="cc-csc"
                            pattern="[0-9]{3}" maxlength="3" required aria-describedby="card-cvc-hint"/>
                        <p id="card-cvc-hint" class="hint">{t.card_cvc_hint}</p>
                    </div>
                </div>
                <label for="card-holder">{t.card_holder}</label>
                <input id="card-holder" name="holder" type="text" autocomplete="cc-name" required value=page.holder.clone()/>
                <button type="submit" class="button primary">{format!("{} {}", t.pay, page.amount)}</button>
                <p class="hint">{t.card_kept}</p>
                {page.test_mode.then(|| view! { <p class="hint test-cards">{t.card_test_hint}</p> })}
            </ActionForm>
        </div>
    }
}

impl PaymentPage {
    /// The Orange Money USSD code for a one-time payment code in this page's country.
    fn country_otp_code(&self, provider: ProviderCode) -> Option<String> {
        let digits: String = self.amount.chars().filter(char::is_ascii_digit).collect();
        let amount =
            crate::domain::Money::new(digits.parse().ok()?, self.country.currency()).ok()?;
        provider.otp_ussd_code(self.country, amount)
    }
}

/// Orange Money's one-time-code path: dial the USSD code, get a code, type number and code.
#[component]
fn OtpForm(lang: Lang, page: PaymentPage, ussd: String, pay: ServerAction<Pay>) -> impl IntoView {
    let t = lang.t();
    view! {
        <ActionForm action=pay attr:class="otp-form">
            <input type="hidden" name="token" value=page.token.clone()/>
            <input type="hidden" name="provider" value=ProviderCode::OrangeMoney.code()/>
            <input type="hidden" name="country" value=page.country.code()/>
            <h3>{t.otp_title}</h3>
            <p>{t.otp_steps} " " <strong class="ussd">{ussd}</strong></p>
            <PhoneField lang country=page.country value=page.phone.clone() id="otp-phone"/>
            <label for="otp-code">{t.otp_label}</label>
            <input id="otp-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                pattern="[0-9]{6}" maxlength="6" required/>
            <button type="submit" class="button primary">{format!("{} {}", t.pay, page.amount)}</button>
        </ActionForm>
    }
}

/// A phone number field, checked against the country's numbering plan as the customer types
/// (with JavaScript; without, the server checks it on submit).
#[component]
fn PhoneField(lang: Lang, country: Country, value: String, id: &'static str) -> impl IntoView {
    let t = lang.t();
    let problem = RwSignal::new(None::<String>);
    let hint_id = format!("{id}-hint");
    let check = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        leptos::task::spawn_local(async move {
            let digits = typed.chars().filter(char::is_ascii_digit).count();
            let result = if digits < 8 {
                Ok(None)
            } else {
                check_phone(country.code().to_owned(), typed).await
            };
            problem.set(result.ok().flatten());
        });
    };
    view! {
        <label for=id>{t.your_number}</label>
        <input id=id name="phone" type="tel" inputmode="tel" autocomplete="tel" required value=value
            aria-describedby=hint_id.clone() aria-invalid=move || problem.get().is_some().then_some("true")
            on:input=check/>
        <p id=hint_id class="hint" aria-live="polite">
            {move || problem.get().unwrap_or_else(|| format!("{} {}", t.number_example, country.example_msisdn()))}
        </p>
    }
}

#[component]
fn Done(
    lang: Lang,
    page: PaymentPage,
    status: PaymentStatus,
    method: Option<ProviderCode>,
) -> impl IntoView {
    let t = lang.t();
    let body = match status {
        PaymentStatus::Succeeded => t.succeeded_body,
        PaymentStatus::Failed => t.failed_body,
        PaymentStatus::Cancelled => t.cancelled_body,
        PaymentStatus::Expired => t.expired_body,
        PaymentStatus::Pending | PaymentStatus::Processing => "",
    };
    let back = page.back_link.clone();
    if status == PaymentStatus::Succeeded
        && let Some(link) = back.clone()
    {
        // With JavaScript, go back to the merchant after a moment; the button stays there.
        Effect::new(move |_| {
            let link = link.clone();
            set_timeout(
                move || {
                    #[cfg(feature = "hydrate")]
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().set_href(&link);
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = link;
                },
                std::time::Duration::from_millis(2500),
            );
        });
    }
    view! {
        <section class=format!("step done {}", status.as_str()) aria-labelledby="done-title">
            <h2 id="done-title">{done_title(lang, status)}</h2>
            <p>{body}</p>
            {(status == PaymentStatus::Succeeded).then(|| view! {
                <dl class="receipt">
                    <dt>{t.merchant}</dt><dd>{page.merchant.clone()}</dd>
                    <dt>{t.amount}</dt><dd>{page.amount.clone()}</dd>
                    <dt>{t.method}</dt><dd>{method.map(|m| method_name(lang, m)).unwrap_or("—")}</dd>
                    <dt>{t.transaction}</dt><dd>{page.transaction_id.clone()}</dd>
                </dl>
            })}
            {back.map(|link| view! {
                <a class="button primary" href=link.clone()>{t.back_to_merchant}</a>
                {(status == PaymentStatus::Succeeded).then(|| view! { <RefreshWithoutJs seconds=4 to=link.clone()/> })}
            })}
        </section>
    }
}
