//! Choosing a method: the country switch, the list of methods, and each method's form (the
//! QR-code button, the phone number for a push, Orange Money's one-time code).

use super::card_form::CardForm;
use super::rpc;
use super::server_fns::Pay;
use super::data::PaymentPage;
use crate::domain::{Country, ProviderCode};
use crate::i18n::Lang;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn Choose(lang: Lang, page: PaymentPage) -> impl IntoView {
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
                .then(|| view! { <MethodForm lang page=page.clone() provider=*p/> });
            view! {
                <li class="method" class:selected=selected>
                    <a class="method-link" href=format!("?methode={}", p.code()) aria-current=selected.then_some("true")>
                        <img src=crate::routes::logo_inline(*p) alt="" width="40" height="40"/>
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
pub fn method_name(lang: Lang, provider: ProviderCode) -> &'static str {
    match provider {
        ProviderCode::Card => lang.t().card_method,
        other => other.name(),
    }
}

#[component]
fn MethodForm(lang: Lang, page: PaymentPage, provider: ProviderCode) -> impl IntoView {
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
    let pushed = page.pushed.iter().find(|(p, _)| *p == provider).map(|(_, code)| *code);
    let flow = match pushed {
        Some(_) => ConfirmationFlow::UssdPush,
        None => provider.flow(),
    };
    if pushed == Some(true) {
        // A one-time code first (Orange Money in Burkina Faso through pawaPay), then the prompt.
        let ussd = page.country_otp_code(provider).unwrap_or_default();
        return view! { <div class="method-form"><OtpForm lang page=page.clone() ussd/></div> }.into_any();
    }
    match flow {
        ConfirmationFlow::QrCode => {
            let otp = page.country_otp_code(provider).map(|ussd| {
                view! { <OtpForm lang page=page.clone() ussd/> }
            });
            view! {
                <div class="method-form">
                    <form method="post" action=Pay::url()>
                        {hidden()}
                        <button type="submit" class="button primary">{t.pay_with_app} " " {provider.name()}</button>
                    </form>
                    {otp}
                </div>
            }
            .into_any()
        }
        ConfirmationFlow::UssdPush => view! {
            <div class="method-form">
                <form method="post" action=Pay::url()>
                    {hidden()}
                    <PhoneField lang country=page.country value=page.phone.clone() id="push-phone".to_owned()/>
                    <button type="submit" class="button primary">{pay_label}</button>
                </form>
            </div>
        }
        .into_any(),
        ConfirmationFlow::Card => view! { <CardForm lang page/> }.into_any(),
    }
}

/// Orange Money's one-time-code path: dial the USSD code, get a code, type number and code.
#[component]
pub fn OtpForm(lang: Lang, page: PaymentPage, ussd: String) -> impl IntoView {
    let t = lang.t();
    view! {
        <form method="post" action=Pay::url() class="otp-form">
            <input type="hidden" name="token" value=page.token.clone()/>
            <input type="hidden" name="provider" value=ProviderCode::OrangeMoney.code()/>
            <input type="hidden" name="country" value=page.country.code()/>
            <h3>{t.otp_title}</h3>
            <p>{t.otp_steps} " " <strong class="ussd">{ussd}</strong></p>
            <PhoneField lang country=page.country value=page.phone.clone() id="otp-phone".to_owned()/>
            <label for="otp-code">{t.otp_label}</label>
            <input id="otp-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                pattern="[0-9]{6}" maxlength="6" required/>
            <button type="submit" class="button primary">{format!("{} {}", t.pay, page.amount)}</button>
        </form>
    }
}

/// A phone number field, checked against the country's numbering plan as the customer types
/// (an island: with JavaScript; without, the server checks it on submit).
#[island]
fn PhoneField(lang: Lang, country: Country, value: String, id: String) -> impl IntoView {
    let t = lang.t();
    let problem = RwSignal::new(None::<String>);
    // Each keystroke asks again; on a slow link the answers may come back out of order, and only
    // the latest keystroke's may show.
    let asked = StoredValue::new(0_u64);
    let hint_id = format!("{id}-hint");
    let check = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        asked.update_value(|n| *n += 1);
        let this = asked.get_value();
        leptos::task::spawn_local(async move {
            let digits = typed.chars().filter(char::is_ascii_digit).count();
            let result = if digits < 8 {
                Some(None)
            } else {
                rpc::call::<Option<String>>(
                    "check_phone",
                    &[("country", country.code()), ("phone", &typed)],
                )
                .await
            };
            if asked.get_value() == this {
                problem.set(result.flatten());
            }
        });
    };
    view! {
        <label for=id.clone()>{t.your_number}</label>
        <input id=id name="phone" type="tel" inputmode="tel" autocomplete="tel" required value=value
            aria-describedby=hint_id.clone() aria-invalid=move || problem.get().is_some().then_some("true")
            on:input=check/>
        <p id=hint_id class="hint" aria-live="polite">
            {move || problem.get().unwrap_or_else(|| format!("{} {}", t.number_example, country.example_msisdn()))}
        </p>
    }
}
