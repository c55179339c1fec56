//! The checkout page's server side: from a payment (and the customer's session) to the
//! `CheckoutView` the components render. Server only.

use super::data::{CheckoutView, PaymentPage, Step};
use crate::domain::msisdn::Msisdn;
use crate::domain::{AttemptStatus, ConfirmationFlow, Country, PaymentStatus, ProviderCode};
use crate::i18n::Lang;
use crate::payments::{Attempt, Mode, Payment, PaymentError, PinPrompt};
use crate::state::AppState;
use leptos::prelude::*;
use tower_sessions::Session;

/// The session key of a view choice for one payment page.
pub fn key(token: &str, what: &str) -> String {
    format!("pay:{token}:{what}")
}

pub async fn session() -> Result<Session, ServerFnError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| internal(anyhow::anyhow!("no session: {e}")))
}

/// Logs an internal failure; the page only says that something went wrong.
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

/// Whether the request is a browser's HTML form post (every form of the page is one) rather
/// than a script's call.
pub fn plain_form() -> bool {
    use_context::<axum::http::request::Parts>()
        .and_then(|p| p.headers.get(axum::http::header::ACCEPT).cloned())
        .and_then(|v| v.to_str().ok().map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// Sends a plain form's browser back to the payment page. Leptos would send it to the `Referer`,
/// which our pages never give (`Referrer-Policy: no-referrer`), nor do browsers that strip it.
pub fn back_to_page(token: &str) {
    let url_safe = token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain_form() && url_safe {
        leptos_axum::redirect(&crate::routes::checkout(token));
    }
}

/// Notes a problem for the page to show (in the customer's language) after its next load.
pub async fn flash(token: &str, err: &PaymentError) -> Result<(), ServerFnError> {
    let text = err.customer_text(request_lang() == Lang::En);
    let _ = session().await?.insert(&key(token, "flash"), text).await;
    Ok(())
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
        PaymentStatus::Pending
        | PaymentStatus::Processing
        | PaymentStatus::Failed
        | PaymentStatus::Cancelled
        | PaymentStatus::Expired => payment
            .cancel_url
            .as_deref()
            .or(payment.return_url.as_deref()),
    }?;
    with_outcome(url, payment)
}

/// Countries whose currency is the payment's and where a provider takes this amount.
fn countries_for(payment: &Payment) -> Vec<Country> {
    Country::ALL
        .into_iter()
        .filter(|c| {
            ProviderCode::ALL
                .iter()
                .any(|p| p.check_available(*c, payment.amount).is_ok())
        })
        .collect()
}

/// Why the attempt failed, in the page's language (from the failure code's table).
fn failure_text(lang: Lang, attempt: &Attempt) -> Option<String> {
    let (fr, en) = attempt.failure_code?.texts(attempt.provider);
    Some(match lang {
        Lang::Fr => fr,
        Lang::En => en,
    })
}

/// A `<meta http-equiv="refresh">` tag, rendered by Leptos (so the URL is escaped).
fn refresh_tag(seconds: u32, to: Option<&str>) -> String {
    let content = match to {
        Some(url) => format!("{seconds};url={url}"),
        None => seconds.to_string(),
    };
    view! { <meta http-equiv="refresh" content=content/> }.to_html()
}

/// The country an attempt pays in: the payment's, else its number's.
fn attempt_country(payment: &Payment, attempt: &Attempt) -> Option<Country> {
    payment.country.or_else(|| {
        let phone = attempt.customer_phone.as_ref()?;
        Country::ALL
            .into_iter()
            .find(|c| Msisdn::parse(phone.as_str(), *c).is_ok())
    })
}

/// `prompt`: what the attempt's provider says the customer dials to see its PIN prompt.
fn step(payment: &Payment, attempt: Option<&Attempt>, prompt: Option<PinPrompt>) -> Step {
    if payment.status.is_terminal() {
        let method = attempt.map(|a| a.provider).or(payment.provider);
        return Step::Done {
            status: payment.status,
            method,
        };
    }
    let Some(attempt) = attempt.filter(|a| a.status.is_open() && a.provider_reference.is_some())
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
            qr_png: crate::qr::png_data_uri(link).unwrap_or_default(),
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
            fallback_code: match &prompt {
                Some(prompt) if !prompt.manual => Some(prompt.dial.clone()),
                _ => attempt_country(payment, attempt)
                    .and_then(|c| attempt.provider.push_fallback_ussd_code(c))
                    .map(str::to_owned),
            },
            must_dial: prompt.filter(|p| p.manual).map(|p| p.dial),
        },
    }
}

/// The view choices of the page's query (`pays`, `methode`), already kept in the session.
pub struct Choices {
    pub country: Option<Country>,
    pub method: Option<ProviderCode>,
}

/// Everything the page shows for a payment.
pub async fn present(
    state: &AppState,
    session: &Session,
    lang: Lang,
    payment: Payment,
    attempt: Option<Attempt>,
    asked: Choices,
) -> Result<CheckoutView, ServerFnError> {
    let token = payment.checkout_token.clone();
    let merchant = crate::db::merchants::merchant_name(&state.pool, &payment.merchant_id)
        .await
        .map_err(internal)?
        .unwrap_or_default();

    let countries = countries_for(&payment);
    if let Some(c) = asked.country.filter(|c| countries.contains(c)) {
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
                .find(|c| Msisdn::parse(phone.as_str(), *c).is_ok())
        })
        .or_else(|| countries.first().copied())
        .unwrap_or(Country::Sn);
    let methods: Vec<ProviderCode> = ProviderCode::ALL
        .into_iter()
        .filter(|p| {
            p.check_available(country, payment.amount).is_ok()
                && state
                    .payments
                    .offers(payment.mode, *p, country, payment.amount)
        })
        // A card payment (the merchant asked for a card) is paid by card only.
        .filter(|p| payment.provider != Some(ProviderCode::Card) || *p == ProviderCode::Card)
        .collect();

    if let Some(m) = asked.method {
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
    let prompt = attempt.as_ref().and_then(|a| {
        let country = attempt_country(&payment, a)?;
        state
            .payments
            .pin_prompt(payment.mode, a.gateway.as_deref(), a.provider, country)
    });
    let step = step(&payment, attempt.as_ref(), prompt);
    let last_failure = attempt
        .as_ref()
        .filter(|a| a.status == AttemptStatus::Failed && step == Step::Choose)
        .and_then(|a| failure_text(lang, a));

    let phone = payment
        .customer_phone
        .as_ref()
        .or_else(|| attempt.as_ref().and_then(|a| a.customer_phone.as_ref()))
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let back_link = back_link(&payment);
    Ok(CheckoutView {
        lang,
        page: Some(PaymentPage {
            test_mode: payment.mode == Mode::Test,
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
            pushed: methods
                .iter()
                .filter_map(|m| {
                    let code_first = state.payments.pushed_by_aggregator(
                        payment.mode,
                        *m,
                        country,
                        payment.amount,
                    )?;
                    Some((*m, code_first))
                })
                .collect(),
            methods,
            selected,
            phone,
            holder: payment.customer_name.clone().unwrap_or_default(),
            card_bins: state.settings.cards.bins.clone(),
            card_brand: payment.card_brand,
            notice: flash.or(last_failure),
            refresh_waiting: refresh_tag(3, None),
            refresh_back: back_link.as_deref().map(|to| refresh_tag(4, Some(to))),
            back_link,
            fingerprint: fingerprint(&payment, attempt.as_ref()),
            step,
            token,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_tag_escapes_its_url() {
        let tag = refresh_tag(4, Some("https://shop.example/ok?a=1&b=\"x\"><script>"));
        assert!(!tag.contains("<script>"), "{tag}");
        assert!(
            tag.starts_with(
                "<meta http-equiv=\"refresh\" content=\"4;url=https://shop.example/ok?a=1&amp;b="
            ),
            "{tag}"
        );
    }
}
