//! The dashboard's server side: who is signed in, and from payments to the data the screens
//! render. Server only.

use super::data::*;
use crate::accounts::User;
use crate::domain::{Mode, PaymentStatus, ProviderCode};
use crate::payments::{Attempt, Payment, Refund};
use crate::state::AppState;
use super::{english, tr};
use leptos::prelude::*;
use tower_sessions::Session;

/// The session key of the sign-in page's message.
pub const FLASH_KEY: &str = "dashboard:flash";
/// The session key of the payment page's message after an action.
pub const NOTICE_KEY: &str = "dashboard:notice";

/// What an action without its confirmation box ticked says.
pub fn confirm_first() -> String {
    tr(english(), "Cochez la case de confirmation pour le faire.", "Tick the confirmation box to do it.").to_owned()
}

/// The session key of a secret just made, shown once on the developers' screen.
pub const REVEAL_KEY: &str = "dashboard:reveal";

/// A grace period or overlap as the developers' forms send it (`super::GRACE_CHOICES`).
pub fn grace_ms(chosen: Option<&str>) -> Option<i64> {
    super::GRACE_CHOICES
        .iter()
        .find(|(value, ..)| Some(*value) == chosen)
        .map(|(.., ms)| *ms)
}

/// Runs an action of the developers' screen (replace a key, change the webhook secret) for the
/// signed-in user with the grace period the form chose, then sends the browser back to the
/// screen with what happened, and the secret it made (shown there once). Without the box
/// ticked, or without a known grace period (`no_grace` says so), nothing is done.
pub async fn act_on_credentials<F, Fut>(
    mode: Option<&str>,
    confirmed: bool,
    delai: Option<&str>,
    no_grace: (&'static str, &'static str),
    action: F,
) -> Result<(), ServerFnError>
where
    F: FnOnce(AppState, User, i64) -> Fut,
    Fut: std::future::Future<Output = Result<(Notice, Option<Revealed>), ServerFnError>>,
{
    let Some(user) = signed_in().await? else {
        return Ok(());
    };
    let mode = mode_of(mode);
    let (notice, revealed) = match (confirmed, grace_ms(delai)) {
        (false, _) => (Notice::error(confirm_first()), None),
        (true, None) => (Notice::error(tr(english(), no_grace.0, no_grace.1).to_owned()), None),
        (true, Some(grace)) => action(expect_context::<AppState>(), user, grace).await?,
    };
    let session = session().await?;
    if let Some(revealed) = revealed {
        session.insert(REVEAL_KEY, &revealed).await.map_err(internal)?;
    }
    session.insert(NOTICE_KEY, &notice).await.map_err(internal)?;
    leptos_axum::redirect(&format!("{}?mode={}", crate::routes::DASHBOARD_DEVELOPERS, mode.as_str()));
    Ok(())
}

/// What an action on a payment says on the page that follows.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Notice {
    pub ok: bool,
    pub text: String,
}

impl Notice {
    pub fn done(text: String) -> Notice {
        Notice { ok: true, text }
    }

    pub fn error(text: String) -> Notice {
        Notice { ok: false, text }
    }
}

/// Runs an action on one of the signed-in user's payments, then sends the browser back to the
/// payment's page with what happened. Without the confirmation box ticked, nothing is done.
pub async fn act<F, Fut>(
    id: &str,
    mode: Option<&str>,
    confirmed: bool,
    action: F,
) -> Result<(), ServerFnError>
where
    F: FnOnce(AppState, User, Mode, crate::domain::TransactionId) -> Fut,
    Fut: std::future::Future<Output = Notice>,
{
    let Some(user) = signed_in().await? else {
        return Ok(());
    };
    let mode = mode_of(mode);
    let Ok(txn) = crate::domain::TransactionId::parse(id) else {
        leptos_axum::redirect(crate::routes::DASHBOARD);
        return Ok(());
    };
    let notice = if confirmed {
        action(expect_context::<AppState>(), user, mode, txn).await
    } else {
        Notice::error(confirm_first())
    };
    session()
        .await?
        .insert(NOTICE_KEY, &notice)
        .await
        .map_err(internal)?;
    leptos_axum::redirect(&crate::routes::dashboard_payment(&txn.to_string(), mode.as_str()));
    Ok(())
}

pub async fn session() -> Result<Session, ServerFnError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| internal(anyhow::anyhow!("no session: {e}")))
}

pub fn internal<E: std::fmt::Debug>(err: E) -> ServerFnError {
    tracing::error!(error = ?err, "dashboard error");
    ServerFnError::new("Erreur interne")
}

/// The signed-in user, or `None` after sending the browser to the sign-in page.
pub async fn signed_in() -> Result<Option<User>, ServerFnError> {
    let state = expect_context::<AppState>();
    let session = session().await?;
    let user_id: Option<String> = session.get(crate::accounts::SESSION_KEY).await.map_err(internal)?;
    let user = match user_id {
        Some(id) => crate::accounts::find(&state.pool, &id)
            .await
            .map_err(internal)?,
        None => None,
    };
    if user.is_none() {
        // Signed-out pages never get here (`middleware::dashboard_sign_in_required`): this is
        // a user deleted since signing in, or a server function called by hand.
        leptos_axum::redirect(crate::routes::DASHBOARD_SIGN_IN);
    }
    Ok(user)
}

/// The mode the screens show: test unless the page asked for live.
pub fn mode_of(asked: Option<&str>) -> Mode {
    match asked {
        Some("live") => Mode::Live,
        _ => Mode::Test,
    }
}

/// A link to the payment list with these filters (and a page cursor).
pub fn list_link(mode: Mode, filters: &Filters, before: Option<&str>) -> String {
    filtered(crate::routes::DASHBOARD, mode, filters, before)
}

/// The listing filter behind the list's form (and its CSV export).
pub fn list_filter(filters: &Filters, before_id: Option<i64>) -> crate::db::payments::ListFilter {
    crate::db::payments::ListFilter {
        status: PaymentStatus::parse(&filters.statut),
        method: ProviderCode::parse(&filters.methode).ok(),
        external_reference: Some(filters.recherche.trim().to_owned()).filter(|r| !r.is_empty()),
        before_id,
        ..Default::default()
    }
}

/// The CSV export of the list with these filters.
pub fn export_link(mode: Mode, filters: &Filters) -> String {
    filtered(crate::routes::DASHBOARD_EXPORT, mode, filters, None)
}

fn filtered(path: &str, mode: Mode, filters: &Filters, before: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("mode", mode.as_str());
    for (name, value) in [
        ("statut", &filters.statut),
        ("methode", &filters.methode),
        ("recherche", &filters.recherche),
    ] {
        if !value.is_empty() {
            query.append_pair(name, value);
        }
    }
    if let Some(before) = before {
        query.append_pair("avant", before);
    }
    format!("{path}?{}", query.finish())
}

pub fn header(user: &User, mode: Mode) -> Header {
    Header {
        merchant: user.merchant_name.clone(),
        email: user.email.clone(),
        mode: mode.as_str().to_owned(),
    }
}

/// Times as the merchant reads them: `2026-11-25 10:58:03 UTC`.
pub fn time(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

pub fn status_label(status: PaymentStatus) -> &'static str {
    let en = english();
    match status {
        PaymentStatus::Pending => tr(en, "En attente", "Pending"),
        PaymentStatus::Processing => tr(en, "En cours", "Processing"),
        PaymentStatus::Succeeded => tr(en, "Réussi", "Succeeded"),
        PaymentStatus::Failed => tr(en, "Échoué", "Failed"),
        PaymentStatus::Cancelled => tr(en, "Annulé", "Cancelled"),
        PaymentStatus::Expired => tr(en, "Expiré", "Expired"),
    }
}

pub fn method_name(method: Option<ProviderCode>) -> String {
    match method {
        Some(ProviderCode::Card) => tr(english(), "Carte bancaire", "Bank card").to_owned(),
        Some(p) => p.name().to_owned(),
        None => "—".to_owned(),
    }
}

pub fn row(payment: &Payment) -> PaymentRow {
    PaymentRow {
        transaction_id: payment.id.to_string(),
        reference: payment.external_reference.clone(),
        amount: payment.amount.display_fr(),
        status: payment.status.as_str().to_owned(),
        status_label: status_label(payment.status).to_owned(),
        method: method_name(payment.method.or(payment.provider)),
        created: time(payment.created_at),
    }
}

pub struct DetailParts {
    pub payment: Payment,
    pub attempts: Vec<Attempt>,
    pub refunds: Vec<Refund>,
    pub transitions: Vec<crate::db::payments::TransitionRow>,
    pub deliveries: (
        Vec<crate::db::webhooks::DeliveryRow>,
        Vec<crate::db::webhooks::AttemptRow>,
    ),
}

pub fn detail(header: Header, parts: DetailParts) -> PaymentDetail {
    let DetailParts {
        payment,
        attempts,
        refunds,
        transitions,
        deliveries: (deliveries, tries),
    } = parts;
    let refunded: i64 = refunds
        .iter()
        .filter(|r| r.status != crate::domain::RefundStatus::Failed)
        .map(|r| r.amount.minor())
        .sum();
    let latest = attempts.last();
    let en = english();
    let mut customer = Vec::new();
    if let Some(name) = &payment.customer_name {
        customer.push((tr(en, "Client", "Customer").to_owned(), name.clone()));
    }
    if let Some(phone) = payment
        .customer_phone
        .as_ref()
        .or(latest.and_then(|a| a.customer_phone.as_ref()))
    {
        customer.push((tr(en, "Téléphone", "Phone").to_owned(), phone.as_str().to_owned()));
    }
    if let Some(email) = &payment.customer_email {
        customer.push(("E-mail".to_owned(), email.clone()));
    }
    if let Some((brand, last4)) = latest.and_then(|a| a.card.clone()) {
        customer.push((tr(en, "Carte", "Card").to_owned(), format!("{} •••• {last4}", brand.name())));
    }
    PaymentDetail {
        header,
        transaction_id: payment.id.to_string(),
        reference: payment.external_reference.clone(),
        amount: payment.amount.display_fr(),
        refunded: match crate::domain::Money::new(refunded, payment.amount.currency()) {
            Ok(money) if refunded > 0 => money.display_fr(),
            Ok(_) | Err(_) => "—".to_owned(),
        },
        status: payment.status.as_str().to_owned(),
        status_label: status_label(payment.status).to_owned(),
        description: payment.description.clone(),
        customer,
        method: method_name(payment.method.or(payment.provider)),
        gateway: latest.and_then(|a| a.gateway.clone()),
        routing_reason: latest.and_then(|a| a.routing_reason.clone()),
        created: time(payment.created_at),
        timeline: transitions
            .into_iter()
            .map(|t| TimelineEntry {
                at: time(t.at),
                from: t.from_status.to_string(),
                to: t.to_status.to_string(),
                reason: t.reason,
            })
            .collect(),
        attempts: attempts
            .iter()
            .map(|a| AttemptLine {
                at: time(a.created_at),
                method: method_name(Some(a.provider)),
                status: a.status.as_str().to_owned(),
                detail: a
                    .failure_message
                    .clone()
                    .or_else(|| a.provider_reference.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        refunds: refunds
            .iter()
            .map(|r| RefundLine {
                at: time(r.created_at),
                amount: r.amount.display_fr(),
                status: r.status.as_str().to_owned(),
                reason: r.reason.clone().unwrap_or_default(),
            })
            .collect(),
        notice: None,
        can_refund: payment.status == PaymentStatus::Succeeded,
        can_cancel: !payment.status.is_terminal(),
        refund_key: crate::random::alphanumeric(24),
        deliveries: deliveries
            .into_iter()
            .map(|d| Delivery {
                tries: tries
                    .iter()
                    .filter(|t| t.delivery_id == d.id)
                    .map(|t| DeliveryTry {
                        at: time(t.at),
                        http_status: t
                            .http_status
                            .map(|s| s.to_string())
                            .or_else(|| t.error.clone())
                            .unwrap_or_else(|| "—".to_owned()),
                        latency: format!("{} ms", t.latency_ms),
                        next_retry: t.next_retry_at.map(time).unwrap_or_default(),
                    })
                    .collect(),
                event: d.event_type.to_string(),
                url: d.url,
                status: d.status.to_string(),
            })
            .collect(),
    }
}

/// An API key as the developers' screen lists it.
pub fn key_line(key: crate::db::merchants::KeySummary, now: i64) -> KeyLine {
    let en = english();
    let state = match key.revoked_at {
        None => tr(en, "Active", "Active").to_owned(),
        Some(at) if at > now => {
            format!("{} {}", tr(en, "Remplacée : fonctionne jusqu'au", "Replaced: works until"), time(at))
        }
        Some(at) => format!("{} {}", tr(en, "Révoquée le", "Revoked on"), time(at)),
    };
    KeyLine {
        active: key.revoked_at.is_none_or(|at| at > now),
        public_key: key.public_key,
        created: time(key.created_at),
        state,
    }
}

/// A webhook signing secret as the developers' screen lists it: its last characters only.
pub fn secret_line(secret: crate::db::webhooks::SecretSummary) -> SecretLine {
    let en = english();
    SecretLine {
        masked: format!("whsec_…{}", secret.ending),
        created: time(secret.created_at),
        state: match secret.expires_at {
            None => tr(en, "Signe les webhooks", "Signs webhooks").to_owned(),
            Some(at) => format!("{} {}", tr(en, "Signe aussi jusqu'au", "Also signs until"), time(at)),
        },
    }
}

/// A failed webhook try, linked to its payment, with what comes next for its delivery.
pub fn failure_line(failed: crate::db::webhooks::FailedTry, mode: Mode) -> FailureLine {
    use crate::domain::DeliveryStatus;
    let en = english();
    let transaction_id = crate::domain::TransactionId::from_sequence(failed.payment_id).to_string();
    FailureLine {
        link: crate::routes::dashboard_payment(&transaction_id, mode.as_str()),
        transaction_id,
        event: failed.event_type.to_string(),
        url: failed.url,
        at: time(failed.at),
        answer: match (failed.http_status, failed.error) {
            (Some(code), _) => format!("HTTP {code}"),
            (None, Some(error)) => error,
            (None, None) => tr(en, "Pas de réponse", "No answer").to_owned(),
        },
        next: match (failed.delivery_status, failed.next_retry_at) {
            (DeliveryStatus::Delivered, _) => tr(en, "Livré depuis", "Delivered since").to_owned(),
            (DeliveryStatus::Disabled, _) => {
                tr(en, "Point de réception désactivé (410)", "Endpoint disabled (410)").to_owned()
            }
            (_, Some(at)) => format!("{} {}", tr(en, "Nouvel essai le", "Next try on"), time(at)),
            (_, None) => tr(en, "Abandonné", "Given up").to_owned(),
        },
    }
}
