//! The sandbox's own pages (test mode only, server-rendered plain forms, no WebAssembly):
//! - the "phone" a test QR code or deep link opens, where the tester answers as the customer
//!   would in the Wave or Orange Money app;
//! - the sandbox bank's 3-D Secure page, where a card's bank asks the cardholder to confirm
//!   (test code `123456`).
//!
//! Written as Leptos views rendered to HTML on the server: every value is escaped by
//! construction.

use super::{Decision, Flow, card, emulators, store};
use crate::domain::ProviderCode;
use crate::domain::money::group_thousands;
use crate::payments::Mode;
use crate::routes;
use crate::state::AppState;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use leptos::prelude::*;

/// The whole HTML document of a sandbox page.
fn document(title: String, body: AnyView) -> Html<String> {
    let page = view! {
        <html lang="fr">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title.clone()}</title>
                <link rel="stylesheet" href=routes::STYLESHEET/>
            </head>
            <body>
                <main class="page phone">
                    <p class="sandbox-badge">"Mode test — aucun argent réel"</p>
                    <h1>{title}</h1>
                    {body}
                </main>
            </body>
        </html>
    };
    Html(format!("<!DOCTYPE html>{}", page.to_html()))
}

fn not_found(title: &'static str, text: &'static str) -> Response {
    let body = view! { <p>{text}</p> }.into_any();
    (StatusCode::NOT_FOUND, document(title.to_owned(), body)).into_response()
}

fn internal(err: &anyhow::Error) -> Response {
    tracing::error!(error = ?err, "sandbox page failed");
    let body = view! { <p>"Une erreur est survenue. Réessayez dans un instant."</p> }.into_any();
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        document("Erreur".to_owned(), body),
    )
        .into_response()
}

/// `GET`: the sandbox phone for a QR-code session.
pub async fn phone(State(state): State<AppState>, Path(reference): Path<String>) -> Response {
    let session = match super::session(&state.pool, &reference).await {
        Ok(Some(s)) if s.flow == Flow::Qr => s,
        Ok(_) => {
            return not_found(
                "Session inconnue",
                "Ce QR code ne correspond à aucune session de test.",
            );
        }
        Err(err) => return internal(&err),
    };
    let amount = format!(
        "{} {}",
        group_thousands(session.amount, '\u{202f}'),
        session.currency
    );
    let body = match session.decision {
        Some(decision) => {
            let answer = match decision {
                Decision::Approve => "Paiement approuvé.",
                Decision::Decline => "Paiement refusé.",
                Decision::InsufficientFunds => "Paiement refusé : solde insuffisant.",
                Decision::Expired => "Session expirée : le paiement a été annulé.",
            };
            view! {
                <p class="notice" role="status">{answer}</p>
                <p>"Revenez à la page de paiement : elle se met à jour toute seule."</p>
            }
            .into_any()
        }
        None => view! {
            <p>"Le marchand demande " <strong>{amount}</strong> "."</p>
            <form method="post">
                <button class="button primary" name="decision" value=Decision::Approve.as_str()>"Approuver le paiement"</button>
                <button class="button" name="decision" value=Decision::Decline.as_str()>"Refuser"</button>
                <button class="button" name="decision" value=Decision::InsufficientFunds.as_str()>"Simuler un solde insuffisant"</button>
            </form>
        }
        .into_any(),
    };
    let title = format!("{} — téléphone de test", session.provider.name());
    document(title, body).into_response()
}

#[derive(serde::Deserialize)]
pub struct PhoneAnswer {
    decision: String,
}

/// `POST`: the tester's answer on the sandbox phone.
pub async fn phone_answer(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Form(form): Form<PhoneAnswer>,
) -> Response {
    let Some(decision) = Decision::parse(&form.decision) else {
        let body = view! { <p>"Choisissez Approuver ou Refuser."</p> }.into_any();
        return (
            StatusCode::BAD_REQUEST,
            document("Réponse inconnue".to_owned(), body),
        )
            .into_response();
    };
    if let Err(response) = record(&state, &reference, decision).await {
        return response;
    }
    Redirect::to(&routes::sandbox_phone(&reference)).into_response()
}

/// Records a decision and notifies the core as the provider would: an emulated provider by its
/// webhook, an in-process one directly.
async fn record(state: &AppState, reference: &str, decision: Decision) -> Result<(), Response> {
    match super::decide(&state.pool, &state.clock, reference, decision).await {
        // An emulated provider notifies Dalal over HTTP, as the real one does.
        Ok(Some(ProviderCode::Wave)) => {
            if let Err(err) = emulators::wave::notify(state, reference).await {
                tracing::warn!(error = ?err, "the Wave emulator's webhook was not taken; the worker will look");
            }
            Ok(())
        }
        Ok(Some(ProviderCode::OrangeMoney)) => {
            if let Err(err) = emulators::orange_money::notify(state, reference).await {
                tracing::warn!(error = ?err, "the Orange Money emulator's callback was not taken; the worker will look");
            }
            Ok(())
        }
        Ok(Some(provider)) => {
            let notified = state
                .payments
                .provider_notified(Some(Mode::Test), provider, reference)
                .await;
            if let Err(err) = notified {
                tracing::warn!(error = ?err, "failed to apply a sandbox answer at once; the worker will");
            }
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(err) => Err(internal(&err)),
    }
}

/// `GET`: the sandbox bank's 3-D Secure page.
pub async fn bank(State(state): State<AppState>, Path(reference): Path<String>) -> Response {
    bank_page(&state, &reference, None).await
}

async fn bank_page(state: &AppState, reference: &str, problem: Option<String>) -> Response {
    let unknown = || {
        not_found(
            "Authentification inconnue",
            "Cette page ne correspond à aucune authentification de test.",
        )
    };
    let (payment, attempt) = match state
        .payments
        .find_by_reference(ProviderCode::Card, reference)
        .await
    {
        Ok(Some(found)) => found,
        Ok(None) => return unknown(),
        Err(err) => return internal(&anyhow::anyhow!("{err:#}")),
    };
    let session = match super::session(&state.pool, reference).await {
        Ok(Some(s)) if s.flow == Flow::ThreeDSecure => s,
        Ok(_) => return unknown(),
        Err(err) => return internal(&err),
    };
    let merchant = crate::db::merchants::merchant_name(&state.pool, &payment.merchant_id)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let card_text = attempt
        .card
        .as_ref()
        .map(|(brand, last4)| format!("{brand} •••• {last4}"))
        .unwrap_or_default();
    let body = if card::awaiting_authentication(&session, state.clock.now_ms()) {
        view! {
            <p>
                "Paiement de " <strong>{payment.amount.display_fr()}</strong>
                " chez " <strong>{merchant}</strong>
                " avec la carte " <strong>{card_text}</strong> "."
            </p>
            {problem.map(|p| view! { <p class="notice error" role="alert">{p}</p> })}
            <form method="post">
                <label for="code">"Code reçu par SMS (test : " {card::TEST_3DS_CODE} ")"</label>
                <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6"/>
                <button class="button primary" name="decision" value=Decision::Approve.as_str()>"Valider"</button>
                <button class="button" name="decision" value=Decision::Decline.as_str() formnovalidate>"Refuser le paiement"</button>
            </form>
        }
        .into_any()
    } else {
        let back = routes::checkout(&payment.checkout_token);
        view! {
            <p class="notice" role="status">"Cette authentification est terminée."</p>
            <p><a class="button primary" href=back>"Revenir au paiement"</a></p>
        }
        .into_any()
    };
    document("Banque de test — 3-D Secure".to_owned(), body).into_response()
}

#[derive(serde::Deserialize)]
pub struct BankAnswer {
    decision: String,
    #[serde(default)]
    code: String,
}

/// `POST`: the cardholder's answer on the bank page; like an issuer's page, it sends them back
/// to the merchant's checkout, which shows the outcome.
pub async fn bank_answer(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Form(form): Form<BankAnswer>,
) -> Response {
    let decision = match Decision::parse(&form.decision) {
        Some(Decision::Approve) if form.code.trim() == card::TEST_3DS_CODE => Decision::Approve,
        Some(Decision::Approve) => {
            // Like an issuer: three wrong codes and the payment is refused.
            let wrong = match store::wrong_code(&state.pool, &reference).await {
                Ok(n) => n,
                Err(err) => return internal(&err),
            };
            let left = card::MAX_WRONG_CODES - wrong;
            if left > 0 {
                let problem = format!(
                    "Code incorrect : saisissez le code reçu par SMS ({left} essai{} restant{}).",
                    if left > 1 { "s" } else { "" },
                    if left > 1 { "s" } else { "" }
                );
                return bank_page(&state, &reference, Some(problem)).await;
            }
            Decision::Decline
        }
        Some(Decision::Decline | Decision::InsufficientFunds | Decision::Expired) | None => {
            Decision::Decline
        }
    };
    if let Err(response) = record(&state, &reference, decision).await {
        return response;
    }
    match state
        .payments
        .find_by_reference(ProviderCode::Card, &reference)
        .await
    {
        Ok(Some((payment, _))) => {
            Redirect::to(&routes::checkout(&payment.checkout_token)).into_response()
        }
        _ => Redirect::to(&routes::sandbox_bank(&reference)).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_by_construction() {
        let hostile = "<script>alert('x')</script> & \"co\"".to_owned();
        let html = document(hostile, view! { <p>"ok"</p> }.into_any()).0;
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"fr\">"),
            "{html}"
        );
    }
}
