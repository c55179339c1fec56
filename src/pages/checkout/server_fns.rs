//! The checkout page's server functions: its private calls into the payment core (not a public
//! contract). Each has a fixed URL under `routes::RPC_PREFIX` (`prefix` must be a literal here),
//! so the browser bundle and the server agree wherever the crate was built. Missing form fields
//! default to empty (`#[server(default)]`), so a hand-made post gets the page's message, never a
//! 500. Problems the customer can fix are noted in the session and shown by the next load.

use super::data::CheckoutView;
#[cfg(feature = "ssr")]
use crate::domain::{Country, ProviderCode};
#[cfg(feature = "ssr")]
use crate::i18n::Lang;
use leptos::prelude::*;

/// Everything the page shows for a token. `lang`, `methode` and `pays` are the page's query:
/// view choices kept in the customer's session, never changes to the payment.
#[server(prefix = "/rpc", endpoint = "load_checkout")]
pub async fn load_checkout(
    #[server(default)] token: String,
    lang: Option<String>,
    methode: Option<String>,
    pays: Option<String>,
) -> Result<CheckoutView, ServerFnError> {
    use super::presenter::{self, Choices};
    use crate::state::AppState;

    let state = expect_context::<AppState>();
    let session = presenter::session().await?;
    let _ = lang; // read by the `language` middleware from the query
    let lang = presenter::request_lang();
    let Some((payment, attempt)) = state
        .payments
        .find_by_token(&token)
        .await
        .map_err(presenter::internal)?
    else {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
        return Ok(CheckoutView { lang, page: None });
    };
    let asked = Choices {
        country: pays.as_deref().and_then(|c| Country::parse(c).ok()),
        method: methode.as_deref().and_then(|m| ProviderCode::parse(m).ok()),
    };
    presenter::present(&state, &session, lang, payment, attempt, asked).await
}

/// The waiting page's poll: asks the provider for news, then answers a fingerprint of where
/// the payment stands, which changes whenever the page should show something else.
#[server(prefix = "/rpc", endpoint = "poll_checkout")]
pub async fn poll_checkout(#[server(default)] token: String) -> Result<String, ServerFnError> {
    use super::presenter::*;
    use crate::state::AppState;
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
    use super::presenter::*;
    use crate::domain::msisdn::Msisdn;
    use crate::payments::MethodChoice;
    use crate::state::AppState;

    let state = expect_context::<AppState>();
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
        flash(&token, &err).await?;
    }
    back_to_page(&token);
    Ok(())
}

/// Pays by card. The card is checked here (Luhn, brand, expiry, code), handed to the card
/// connector and forgotten: only its brand and last four digits are stored. When the bank asks
/// for 3-D Secure, the customer is sent to the bank's page, which brings them back: the page's
/// plain form post is redirected there. A caller that is not a browser form (a script) gets the
/// bank's link as the answer instead.
#[server(prefix = "/rpc", endpoint = "pay_card")]
pub async fn pay_card(
    #[server(default)] token: String,
    #[server(default)] country: String,
    #[server(default)] number: String,
    #[server(default)] expiry: String,
    #[server(default)] cvc: String,
    #[server(default)] holder: String,
) -> Result<Option<String>, ServerFnError> {
    use super::presenter::*;
    use crate::domain::{AttemptStatus, CardDetails};
    use crate::payments::MethodChoice;
    use crate::state::AppState;

    let state = expect_context::<AppState>();
    let result = async {
        let country = Country::parse(&country)?;
        let today = crate::clock::year_month(state.payments.now_ms());
        let card = CardDetails::parse(
            &number,
            &expiry,
            &cvc,
            &holder,
            &state.settings.cards.bins,
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
            match link.as_deref() {
                Some(link) if plain_form() => leptos_axum::redirect(link),
                Some(_) | None => back_to_page(&token),
            }
            Ok(link)
        }
        Ok(_) => {
            back_to_page(&token);
            Ok(None)
        }
        Err(err) => {
            flash(&token, &err).await?;
            back_to_page(&token);
            Ok(None)
        }
    }
}

/// Leaves an open QR-code session to choose another method.
#[server(prefix = "/rpc", endpoint = "change_method")]
pub async fn change_method(#[server(default)] token: String) -> Result<(), ServerFnError> {
    use super::presenter::*;
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    if let Err(err) = state.payments.change_method(&token).await {
        flash(&token, &err).await?;
    }
    back_to_page(&token);
    Ok(())
}

/// « Annuler »: cancels the payment and sends the customer to the merchant's `cancelUrl`.
#[server(prefix = "/rpc", endpoint = "cancel_payment")]
pub async fn cancel_payment(#[server(default)] token: String) -> Result<(), ServerFnError> {
    use super::presenter::*;
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    match state.payments.cancel(&token).await {
        Ok(payment) => match back_link(&payment) {
            Some(link) => leptos_axum::redirect(&link),
            None => back_to_page(&token),
        },
        Err(err) => {
            flash(&token, &err).await?;
            back_to_page(&token);
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
    let english = super::presenter::request_lang() == Lang::En;
    Ok(crate::domain::msisdn::Msisdn::parse(&phone, country)
        .err()
        .map(|e| (if english { e.en() } else { e.fr() }).to_owned()))
}
