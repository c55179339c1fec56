//! The dashboard's server functions for payment links and the developers' screen (API keys,
//! the webhook secret).

#[cfg(feature = "ssr")]
use super::super::{english, tr};
use leptos::prelude::*;

/// The payment-link screen; `lien` is the link just made.
#[server(prefix = "/rpc", endpoint = "dashboard_links")]
pub async fn dashboard_links(
    mode: Option<String>,
    lien: Option<String>,
) -> Result<Option<super::super::data::LinksView>, ServerFnError> {
    use super::super::presenter::*;
    use super::super::data::{CreatedLink, LinksView};
    use crate::domain::TransactionId;
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some(user) = signed_in().await? else {
        return Ok(None);
    };
    let mode = mode_of(mode.as_deref());
    let notice: Option<Notice> = session()
        .await?
        .remove(NOTICE_KEY)
        .await
        .map_err(internal)?;
    let made = match lien.as_deref().map(TransactionId::parse) {
        Some(Ok(id)) => state
            .payments
            .find_for_merchant(&user.merchant_id, mode, id)
            .await
            .map_err(internal)?,
        Some(Err(_)) | None => None,
    };
    let created = made.map(|(payment, _)| {
        let url = crate::routes::absolute(
            &state.public_url,
            &crate::routes::checkout(&payment.checkout_token),
        );
        CreatedLink {
            transaction_id: payment.id.to_string(),
            qr_png: crate::qr::png_data_uri(&url).unwrap_or_default(),
            url,
            amount: payment.amount.display_fr(),
            description: payment.description.clone(),
            expires: time(payment.expires_at),
        }
    });
    Ok(Some(LinksView {
        header: header(&user, mode),
        notice: notice.map(|n| (n.ok, n.text)),
        created,
    }))
}

/// Makes a payment link: a checkout payment made without code, to share on WhatsApp or
/// Instagram. `duree` is how long it can be paid: `1h`, `24h` or `7j`.
#[server(prefix = "/rpc", endpoint = "dashboard_create_link")]
pub async fn dashboard_create_link(
    mode: Option<String>,
    #[server(default)] montant: String,
    description: Option<String>,
    duree: Option<String>,
) -> Result<(), ServerFnError> {
    use super::super::presenter::*;
    use crate::domain::{Currency, Money};
    use crate::payments::{Dialect, NewPayment, NewPaymentKind};
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some(user) = signed_in().await? else {
        return Ok(());
    };
    let mode = mode_of(mode.as_deref());
    let back = |lien: Option<String>| {
        let mut link = format!("{}?mode={}", crate::routes::DASHBOARD_LINKS, mode.as_str());
        if let Some(id) = lien {
            link.push_str(&format!("&lien={id}"));
        }
        leptos_axum::redirect(&link);
    };
    let typed = montant.replace([' ', '\u{202f}', '\u{a0}'], "");
    // An amount at least one method takes.
    let (low, high) = crate::domain::ProviderCode::ALL
        .iter()
        .map(|p| p.limits(Currency::Xof))
        .fold((i64::MAX, 0), |(l, h), (pl, ph)| (l.min(pl), h.max(ph)));
    let amount = typed
        .parse::<i64>()
        .ok()
        .filter(|n| (low..=high).contains(n))
        .and_then(|n| Money::new(n, Currency::Xof).ok());
    let Some(amount) = amount else {
        let typed = montant.trim();
        let notice = Notice::error(if english() {
            format!("“{typed}” is not a valid amount: a whole number of CFA francs, from 100 to 5,000,000.")
        } else {
            format!("« {typed} » n'est pas un montant valable : un nombre entier de francs CFA, de 100 à 5 000 000.")
        });
        session().await?.insert(NOTICE_KEY, &notice).await.map_err(internal)?;
        back(None);
        return Ok(());
    };
    let expires_in_secs = match duree.as_deref() {
        Some("1h") => 3_600,
        Some("7j") => 7 * 86_400,
        _ => 86_400,
    };
    let new = NewPayment {
        dialect: Dialect::CaurisFlux,
        kind: NewPaymentKind::Checkout {
            country: None,
            phone: None,
        },
        amount,
        external_reference: format!("LIEN-{}", crate::random::alphanumeric(8).to_uppercase()),
        customer_name: None,
        customer_email: None,
        description: description
            .map(|d| d.trim().chars().take(200).collect::<String>())
            .filter(|d| !d.is_empty()),
        callback_url: None,
        return_url: None,
        cancel_url: None,
        metadata: None,
        expires_in_secs: Some(expires_in_secs),
    };
    match state.payments.create(&user.merchant_id, mode, new).await {
        Ok((payment, _)) => back(Some(payment.id.to_string())),
        Err(err) => {
            let notice = Notice::error(err.customer_text(english()));
            session().await?.insert(NOTICE_KEY, &notice).await.map_err(internal)?;
            back(None);
        }
    }
    Ok(())
}

/// The developers' screen: the mode's API keys, the webhook signing secrets, the latest failed
/// webhook tries across payments. A secret made by the last action is shown here, once.
#[server(prefix = "/rpc", endpoint = "dashboard_developers")]
pub async fn dashboard_developers(
    mode: Option<String>,
) -> Result<Option<super::super::data::DevelopersView>, ServerFnError> {
    use super::super::presenter::*;
    use super::super::data::{DevelopersView, Revealed};
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some(user) = signed_in().await? else {
        return Ok(None);
    };
    let mode = mode_of(mode.as_deref());
    let now = state.clock.now_ms();
    let session = session().await?;
    let notice: Option<Notice> = session.remove(NOTICE_KEY).await.map_err(internal)?;
    let revealed: Option<Revealed> = session.remove(REVEAL_KEY).await.map_err(internal)?;
    let pool = &state.pool;
    let keys = crate::db::merchants::list_keys(pool, &user.merchant_id, mode, now).await;
    let secrets = crate::db::webhooks::list_secrets(pool, &user.merchant_id, now).await;
    let failures = crate::db::webhooks::recent_failures(pool, &user.merchant_id, mode, 20).await;
    Ok(Some(DevelopersView {
        header: header(&user, mode),
        notice: notice.map(|n| (n.ok, n.text)),
        revealed,
        keys: keys.map_err(internal)?.into_iter().map(|k| key_line(k, now)).collect(),
        webhook_secrets: secrets.map_err(internal)?.into_iter().map(secret_line).collect(),
        failures: failures.map_err(internal)?.into_iter().map(|f| failure_line(f, mode)).collect(),
    }))
}

/// Replaces an API key with a new pair; the old one keeps working for the chosen grace period
/// (`delai`: `0`, `1h`, `24h` or `7j`). The new secret is shown once, on the page that follows.
#[server(prefix = "/rpc", endpoint = "dashboard_roll_key")]
pub async fn dashboard_roll_key(
    mode: Option<String>,
    #[server(default)] cle: String,
    delai: Option<String>,
    confirme: Option<String>,
) -> Result<(), ServerFnError> {
    use super::super::presenter::*;
    use super::super::data::Revealed;
    let no_grace = (
        "Choisissez combien de temps l'ancienne clé reste valable.",
        "Choose how long the old key keeps working.",
    );
    act_on_credentials(mode.as_deref(), confirme.is_some(), delai.as_deref(), no_grace, |state, user, grace| async move {
        let rolled = crate::merchants::roll_key(&state.pool, &state.clock, &state.api_keys, &user.merchant_id, &cle, grace)
            .await
            .map_err(internal)?;
        let Some(pair) = rolled else {
            // Another merchant's key looks like one that does not exist.
            let text = tr(english(), "Cette clé n'existe pas ou ne fonctionne déjà plus.", "This key does not exist or no longer works.");
            return Ok((Notice::error(text.to_owned()), None));
        };
        let until = time(state.clock.now_ms() + grace);
        let text = match (grace == 0, english()) {
            (true, false) => format!("Clé {cle} remplacée : l'ancienne ne fonctionne plus."),
            (true, true) => format!("Key {cle} replaced: the old one no longer works."),
            (false, false) => format!("Clé {cle} remplacée : l'ancienne fonctionne jusqu'au {until}."),
            (false, true) => format!("Key {cle} replaced: the old one works until {until}."),
        };
        let revealed = Revealed {
            secret: pair.secret_key.expose().to_owned(),
            public_key: Some(pair.public_key),
        };
        Ok((Notice::done(text), Some(revealed)))
    })
    .await
}

/// Starts a new webhook signing secret; the current ones keep signing for the chosen overlap
/// (`delai`), so the merchant's endpoint can switch without refusing a webhook.
#[server(prefix = "/rpc", endpoint = "dashboard_rotate_webhook_secret")]
pub async fn dashboard_rotate_webhook_secret(
    mode: Option<String>,
    delai: Option<String>,
    confirme: Option<String>,
) -> Result<(), ServerFnError> {
    use super::super::presenter::*;
    use super::super::data::Revealed;
    let no_grace = (
        "Choisissez combien de temps l'ancien secret signe encore.",
        "Choose how long the old secret keeps signing.",
    );
    act_on_credentials(mode.as_deref(), confirme.is_some(), delai.as_deref(), no_grace, |state, user, overlap| async move {
        let secret = crate::merchants::rotate_webhook_secret(&state.pool, &state.clock, &user.merchant_id, overlap)
            .await
            .map_err(internal)?;
        let text = tr(english(), "Nouveau secret de signature créé.", "New signing secret made.");
        let revealed = Revealed { public_key: None, secret: secret.expose().to_owned() };
        Ok((Notice::done(text.to_owned()), Some(revealed)))
    })
    .await
}
