//! The dashboard's server functions (under `routes::RPC_PREFIX`, like the checkout's). Each
//! reads the signed-in user from the session and answers only with that user's merchant's data.
//! Forms are plain HTML forms: each function ends with a redirect to the page to show next.

use super::data::{PaymentDetail, PaymentList};
#[cfg(feature = "ssr")]
use super::{english, tr};
use leptos::prelude::*;

mod payouts;
mod settings;

pub use payouts::*;
pub use settings::*;

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
            session.insert(crate::accounts::SESSION_KEY, &user.id).await.map_err(internal)?;
            leptos_axum::redirect(crate::routes::DASHBOARD);
        }
        SignIn::Refused => {
            let text = tr(english(), "Adresse e-mail ou mot de passe incorrect.", "Wrong e-mail address or password.");
            session.insert(FLASH_KEY, text).await.map_err(internal)?;
            leptos_axum::redirect(crate::routes::DASHBOARD_SIGN_IN);
        }
        SignIn::Locked { until } => {
            let text = if english() {
                format!("Too many wrong passwords: this account is locked until {}.", time(until))
            } else {
                format!("Trop de mots de passe erronés : ce compte est bloqué jusqu'à {}.", time(until))
            };
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
    use super::data::Filters;
    use crate::domain::TransactionId;
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
            let before = avant
                .as_deref()
                .and_then(|a| TransactionId::parse(a).ok())
                .map(|id| id.sequence());
            let filter = list_filter(&filters, before);
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
        export: export_link(mode, &filters),
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
    let mut detail = detail(header(&user, mode), parts);
    let notice: Option<Notice> = session()
        .await?
        .remove(NOTICE_KEY)
        .await
        .map_err(internal)?;
    detail.notice = notice.map(|n| (n.ok, n.text));
    Ok(Some(detail))
}

/// Refunds a paid payment, all of what is left (`montant` empty) or part of it. The form carries
/// a key made when it was shown, so a form sent twice refunds once.
#[server(prefix = "/rpc", endpoint = "dashboard_refund")]
pub async fn dashboard_refund(
    #[server(default)] id: String,
    mode: Option<String>,
    montant: Option<String>,
    motif: Option<String>,
    #[server(default)] cle: String,
    confirme: Option<String>,
) -> Result<(), ServerFnError> {
    use super::presenter::*;
    use crate::payments::RefundRequest;
    act(&id, mode.as_deref(), confirme.is_some(), |state, user, mode, txn| async move {
        let amount = match montant.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            None => None,
            Some(typed) => match typed.replace([' ', '\u{202f}', '\u{a0}'], "").parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => return Notice::error(if english() {
                    format!("“{typed}” is not an amount: write a whole number of francs, or leave it empty to refund everything.")
                } else {
                    format!("« {typed} » n'est pas un montant : écrivez un nombre entier de francs, ou laissez vide pour tout rembourser.")
                }),
            },
        };
        let reason = motif.map(|m| m.trim().to_owned()).filter(|m| !m.is_empty());
        let fingerprint = format!("{amount:?}|{reason:?}");
        let request = RefundRequest {
            amount,
            reason,
            idempotency: (!cle.is_empty()).then(|| (format!("dashboard:{cle}"), fingerprint)),
        };
        match state.payments.refund(&user.merchant_id, mode, txn, request).await {
            Ok((_, refund)) => {
                let (amount, status) = (refund.amount.display_fr(), refund.status.as_str());
                Notice::done(if english() {
                    format!("Refund of {amount} requested ({status}).")
                } else {
                    format!("Remboursement de {amount} demandé ({status}).")
                })
            }
            Err(err) => Notice::error(err.customer_text(english())),
        }
    })
    .await
}

/// Cancels a payment the customer has not paid yet.
#[server(prefix = "/rpc", endpoint = "dashboard_cancel")]
pub async fn dashboard_cancel(
    #[server(default)] id: String,
    mode: Option<String>,
    confirme: Option<String>,
) -> Result<(), ServerFnError> {
    use super::presenter::*;
    act(&id, mode.as_deref(), confirme.is_some(), |state, user, mode, txn| async move {
        match state.payments.cancel_for_merchant(&user.merchant_id, mode, txn).await {
            Ok(_) => Notice::done(tr(english(), "Paiement annulé.", "Payment cancelled.").to_owned()),
            Err(err) => Notice::error(err.customer_text(english())),
        }
    })
    .await
}

/// Sends the payment's latest webhook event again, now.
#[server(prefix = "/rpc", endpoint = "dashboard_resend")]
pub async fn dashboard_resend(
    #[server(default)] id: String,
    mode: Option<String>,
    confirme: Option<String>,
) -> Result<(), ServerFnError> {
    use super::presenter::*;
    act(&id, mode.as_deref(), confirme.is_some(), |state, user, mode, txn| async move {
        let found = state.payments.find_for_merchant(&user.merchant_id, mode, txn).await;
        let payment = match found {
            Ok(Some((payment, _))) => payment,
            Ok(None) => return Notice::error(tr(english(), "Paiement introuvable.", "Payment not found.").to_owned()),
            Err(err) => return Notice::error(err.customer_text(english())),
        };
        match crate::webhooks::redeliver_latest(&state.pool, payment.id.sequence(), state.clock.now_ms()).await {
            Ok(Some((_, url))) => Notice::done(if english() { format!("Webhook sent again to {url}.") } else { format!("Webhook renvoyé à {url}.") }),
            Ok(None) => Notice::error(tr(english(), "Aucun webhook à renvoyer : le paiement n'a pas encore changé de statut, ou il n'a pas de point de réception.", "No webhook to send again: the payment has not changed status yet, or it has no endpoint.").to_owned()),
            Err(err) => {
                tracing::error!(error = ?err, "failed to redeliver a webhook");
                Notice::error(tr(english(), "Le webhook n'a pas pu être renvoyé. Réessayez dans un instant.", "The webhook could not be sent again. Try again in a moment.").to_owned())
            }
        }
    })
    .await
}

/// Asks the provider where the payment's open attempt stands, now.
#[server(prefix = "/rpc", endpoint = "dashboard_refresh")]
pub async fn dashboard_refresh(
    #[server(default)] id: String,
    mode: Option<String>,
) -> Result<(), ServerFnError> {
    use super::presenter::*;
    act(&id, mode.as_deref(), true, |state, user, mode, txn| async move {
        let found = state.payments.find_for_merchant(&user.merchant_id, mode, txn).await;
        let payment = match found {
            Ok(Some((payment, _))) => payment,
            Ok(None) => return Notice::error(tr(english(), "Paiement introuvable.", "Payment not found.").to_owned()),
            Err(err) => return Notice::error(err.customer_text(english())),
        };
        match state.payments.refresh_open_attempt(&payment).await {
            Ok(()) => Notice::done(tr(english(), "Statut mis à jour auprès du fournisseur.", "Status refreshed from the provider.").to_owned()),
            Err(err) => Notice::error(err.customer_text(english())),
        }
    })
    .await
}
