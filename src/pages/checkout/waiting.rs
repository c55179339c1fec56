//! The waiting screens: a QR code to scan (or the app to open), a push to confirm on the phone,
//! a card's 3-D Secure step at the bank. Each refreshes itself without JavaScript; with it, the
//! page's `WatchPayment` island polls.

use super::RefreshWithoutJs;
use super::choose::OtpForm;
use super::server_fns::ChangeMethod;
use super::data::PaymentPage;
use crate::domain::ProviderCode;
use crate::i18n::Lang;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// A QR-code session is open: scan it or open the app (Orange Money also offers its one-time
/// code path here).
#[component]
pub fn Scan(
    lang: Lang,
    page: PaymentPage,
    provider: ProviderCode,
    qr_png: String,
    link: String,
) -> impl IntoView {
    let t = lang.t();
    let otp = match provider {
        ProviderCode::OrangeMoney => page
            .country_otp_code(provider)
            .map(|ussd| view! { <OtpForm lang page=page.clone() ussd/> }),
        ProviderCode::Wave
        | ProviderCode::FreeMoney
        | ProviderCode::MtnMomo
        | ProviderCode::MoovMoney
        | ProviderCode::Card => None,
    };
    view! {
        <section class="step scan" aria-labelledby="step-title">
            <h2 id="step-title">{t.pay_with} " " {provider.name()}</h2>
            <p>{t.scan_intro}</p>
            <div class="scan-options">
                <a class="button primary open-app" href=link.clone()>{t.open_app} " " {provider.name()}</a>
                <figure class="qr">
                    <img src=qr_png alt=format!("{} {}", t.qr_label, provider.name()) width="220" height="220"/>
                </figure>
            </div>
            {otp}
            <RefreshWithoutJs html=page.refresh_waiting.clone()/>
            <form method="post" action=ChangeMethod::url()>
                <input type="hidden" name="token" value=page.token.clone()/>
                <button type="submit" class="button">{t.other_method}</button>
            </form>
        </section>
    }
}

/// The card's bank wants a 3-D Secure confirmation on its own page.
#[component]
pub fn Authenticate(lang: Lang, link: String, card: String) -> impl IntoView {
    let t = lang.t();
    view! {
        <section class="step authenticate" aria-labelledby="step-title">
            <h2 id="step-title">{t.authenticate_title}</h2>
            <p>{t.authenticate_body} " " <strong>{card}</strong>"."</p>
            <a class="button primary" href=link rel="external">{t.authenticate_go}</a>
        </section>
    }
}

/// A push (or a card authorisation) awaits an answer.
#[component]
pub fn Confirm(
    lang: Lang,
    page: PaymentPage,
    provider: ProviderCode,
    phone: String,
    fallback_code: Option<String>,
    must_dial: Option<String>,
) -> impl IntoView {
    let t = lang.t();
    let refresh = page.refresh_waiting.clone();
    if let Some(code) = must_dial {
        // The prompt comes only once the customer dials: say so first, with a button that
        // pre-dials the code when the customer pays from the phone itself.
        let tel = format!("tel:{}", code.replace('#', "%23"));
        return view! {
            <section class="step confirm" aria-labelledby="step-title">
                <h2 id="step-title">{t.dial_to} " " <span class="ussd">{code.clone()}</span> " " {t.dial_to_confirm}</h2>
                <p>{t.dial_awaits} " " <strong>{phone}</strong> " (" {provider.name()} ")."</p>
                <ol class="dial-steps">
                    <li>{t.dial_to} " " <strong class="ussd">{code.clone()}</strong></li>
                    <li>{t.dial_pin}</li>
                </ol>
                <a class="button primary" href=tel>{t.dial_to} " " {code}</a>
                <div class="spinner" aria-hidden="true"></div>
                <RefreshWithoutJs html=refresh/>
            </section>
        }
        .into_any();
    }
    match provider {
        ProviderCode::Card => view! {
            <section class="step confirm" aria-labelledby="step-title">
                <h2 id="step-title">{t.card_processing}</h2>
                <div class="spinner" aria-hidden="true"></div>
                <RefreshWithoutJs html=refresh/>
            </section>
        }
        .into_any(),
        ProviderCode::Wave
        | ProviderCode::OrangeMoney
        | ProviderCode::FreeMoney
        | ProviderCode::MtnMomo
        | ProviderCode::MoovMoney => view! {
            <section class="step confirm" aria-labelledby="step-title">
                <h2 id="step-title">{t.confirm_title}</h2>
                <p>{t.confirm_body} " " <strong>{phone}</strong> " (" {provider.name()} ")."</p>
                <div class="spinner" aria-hidden="true"></div>
                <h3>{t.no_prompt_title}</h3>
                <p>{t.no_prompt_body}</p>
                {fallback_code.map(|code| view! { <p>{t.dial_fallback} " " <strong>{code}</strong>"."</p> })}
                <RefreshWithoutJs html=refresh/>
            </section>
        }
        .into_any(),
    }
}
