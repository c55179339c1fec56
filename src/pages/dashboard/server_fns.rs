//! The dashboard's server functions (under `routes::RPC_PREFIX`, like the checkout's). Each
//! reads the signed-in user from the session and answers only with that user's merchant's data.
//! Forms are plain HTML forms: each function ends with a redirect to the page to show next.

use super::view::{PaymentDetail, PaymentList};
use leptos::prelude::*;

/// The sign-in page's message (a wrong password, a locked account), shown once.
#[server(prefix = "/rpc", endpoint = "dashboard_notice")]
pub async fn dashboard_notice() -> Result<Option<String>, ServerFnError> {
    use super::presenter::*;
    let session = session().await?;
    session.remove(FLASH_KEY).await.map_err(internal)
}

#[server(prefix = "/rpc", endpoint = "dashboard_sign_in")]
pub async fn dashboard_sign_in(
    #[server(default)] email: String,
    #[server(default)] password: String,
) -> Result<(), ServerFnError> {
    use super::presenter::*;
    use crate::accounts::SignIn;
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let session = session().await?;
    let outcome = crate::accounts::sign_in(&state.pool, &state.clock, &email, &password)
        .await
        .map_err(internal)?;
    match outcome {
        SignIn::Welcome(user) => {
            // A new session id at sign-in: an id planted before cannot ride the new session.
            session.cycle_id().await.map_err(internal)?;
            session.insert(USER_KEY, &user.id).await.map_err(internal)?;
            leptos_axum::redirect(crate::routes::DASHBOARD);
        }
        SignIn::Refused => {
            let text = "Adresse e-mail ou mot de passe incorrect.";
            session.insert(FLASH_KEY, text).await.map_err(internal)?;
            leptos_axum::redirect(crate::routes::DASHBOARD_SIGN_IN);
        }
        SignIn::Locked { until } => {
            let text = format!(
                "Trop de mots de passe erronés : ce compte est bloqué jusqu'à {}.",
                time(until)
            );
            session.insert(FLASH_KEY, text).await.map_err(internal)?;
            leptos_axum::redirect(crate::routes::DASHBOARD_SIGN_IN);
        }
    }
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "dashboard_sign_out")]
pub async fn dashboard_sign_out() -> Result<(), ServerFnError> {
    use super::presenter::*;
    let session = session().await?;
    session.flush().await.map_err(internal)?;
    leptos_axum::redirect(crate::routes::DASHBOARD_SIGN_IN);
    Ok(())
}

/// The payment list: the listing API's filters, newest first, 50 a page. A search that is a
/// transaction id finds that payment; any other search is a merchant reference.
#[server(prefix = "/rpc", endpoint = "dashboard_payments")]
pub async fn dashboard_payments(
    mode: Option<String>,
    statut: Option<String>,
    methode: Option<String>,
    recherche: Option<String>,
    avant: Option<String>,
) -> Result<Option<PaymentList>, ServerFnError> {
    use super::presenter::*;
    use super::view::Filters;
    use crate::db::payments::ListFilter;
    use crate::domain::{PaymentStatus, ProviderCode, TransactionId};
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some(user) = signed_in().await? else {
        return Ok(None);
    };
    let mode = mode_of(mode.as_deref());
    let filters = Filters {
        statut: statut.unwrap_or_default(),
        methode: methode.unwrap_or_default(),
        recherche: recherche.unwrap_or_default().trim().to_owned(),
    };
    const PAGE: u32 = 50;
    let (payments, has_more) = match TransactionId::parse(&filters.recherche) {
        Ok(id) => {
            let found = state
                .payments
                .find_for_merchant(&user.merchant_id, mode, id)
                .await
                .map_err(internal)?;
            (found.map(|(p, _)| p).into_iter().collect::<Vec<_>>(), false)
        }
        Err(_) => {
            let filter = ListFilter {
                status: PaymentStatus::parse(&filters.statut),
                method: ProviderCode::parse(&filters.methode).ok(),
                external_reference: (!filters.recherche.is_empty())
                    .then(|| filters.recherche.clone()),
                before_id: avant
                    .as_deref()
                    .and_then(|a| TransactionId::parse(a).ok())
                    .map(|id| id.sequence()),
                ..ListFilter::default()
            };
            let page = state
                .payments
                .list(&user.merchant_id, mode, &filter, PAGE)
                .await
                .map_err(internal)?;
            (
                page.payments.into_iter().map(|(p, _, _)| p).collect(),
                page.has_more,
            )
        }
    };
    let rows: Vec<_> = payments.iter().map(row).collect();
    let next = (has_more)
        .then(|| rows.last())
        .flatten()
        .map(|last| list_link(mode, &filters, Some(&last.transaction_id)));
    Ok(Some(PaymentList {
        header: header(&user, mode),
        filters,
        rows,
        next,
    }))
}

/// One payment, whole: timeline, attempts, refunds, webhook deliveries and their tries.
#[server(prefix = "/rpc", endpoint = "dashboard_payment")]
pub async fn dashboard_payment(
    #[server(default)] id: String,
    mode: Option<String>,
) -> Result<Option<PaymentDetail>, ServerFnError> {
    use super::presenter::*;
    use crate::domain::TransactionId;
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some(user) = signed_in().await? else {
        return Ok(None);
    };
    let mode = mode_of(mode.as_deref());
    let found = match TransactionId::parse(&id) {
        Ok(id) => state
            .payments
            .find_for_merchant(&user.merchant_id, mode, id)
            .await
            .map_err(internal)?,
        Err(_) => None,
    };
    let Some((payment, _)) = found else {
        // Another merchant's payment looks exactly like one that does not exist.
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
        return Ok(None);
    };
    let parts = DetailParts {
        attempts: state.payments.attempts(&payment).await.map_err(internal)?,
        refunds: state.payments.refunds(&payment).await.map_err(internal)?,
        transitions: state.payments.transitions(&payment).await.map_err(internal)?,
        deliveries: crate::db::webhooks::deliveries_for_payment(
            &state.pool,
            payment.id.sequence(),
        )
        .await
        .map_err(internal)?,
        payment,
    };
    Ok(Some(detail(header(&user, mode), parts)))
}
