//! The payouts screen's server functions: what it shows, a payout, a batch from a CSV file,
//! approvals by a second user, the approval threshold. Each is limited to the signed-in user's
//! merchant and sends the browser back to the screen with what happened.

#[cfg(feature = "ssr")]
use super::super::{english, tr};
use leptos::prelude::*;

/// Where the forms send the browser back: the screen, in its mode, on a batch if there is one.
#[cfg(feature = "ssr")]
fn back(mode: crate::domain::Mode, batch: Option<&str>) {
    let mut link = format!("{}?mode={}", crate::routes::DASHBOARD_PAYOUTS, mode.as_str());
    if let Some(id) = batch {
        link.push_str(&format!("&lot={id}"));
    }
    leptos_axum::redirect(&link);
}

#[cfg(feature = "ssr")]
async fn tell(notice: super::super::presenter::Notice) -> Result<(), ServerFnError> {
    use super::super::presenter::*;
    session().await?.insert(NOTICE_KEY, &notice).await.map_err(internal)
}

/// What a status is called on the screen (a batch's refused line is `refused`).
#[cfg(feature = "ssr")]
fn payout_status_label(status: &str, approval: crate::domain::PayoutApproval) -> &'static str {
    use crate::domain::PayoutApproval;
    let en = english();
    match (status, approval) {
        ("pending", PayoutApproval::Required) => tr(en, "En attente d'approbation", "Waiting for approval"),
        ("pending", _) => tr(en, "En attente", "Pending"),
        ("processing", _) => tr(en, "En cours", "Processing"),
        ("succeeded", _) => tr(en, "Réussi", "Succeeded"),
        ("failed", _) => tr(en, "Échoué", "Failed"),
        ("cancelled", _) => tr(en, "Annulé", "Cancelled"),
        ("reversed", _) => tr(en, "Repris", "Reversed"),
        _ => tr(en, "Refusée", "Refused"),
    }
}

/// The payouts screen: balances, what waits for approval, a batch's lines, the latest payouts.
#[server(prefix = "/rpc", endpoint = "dashboard_payouts")]
pub async fn dashboard_payouts(
    mode: Option<String>,
    lot: Option<String>,
    paiement: Option<String>,
) -> Result<Option<super::super::data::PayoutsView>, ServerFnError> {
    use super::super::data::*;
    use super::super::presenter::*;
    use crate::domain::{Money, PayoutApproval, PayoutStatus};
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some(user) = signed_in().await? else {
        return Ok(None);
    };
    let en = english();
    let mode = mode_of(mode.as_deref());
    let notice: Option<Notice> = session().await?.remove(NOTICE_KEY).await.map_err(internal)?;
    let payouts = &state.payouts;
    let money = |amount: i64, currency: crate::domain::Currency| {
        Money::new(amount, currency)
            .map(|m| m.display_fr())
            .unwrap_or_else(|_| format!("0\u{a0}{}", currency.symbol()))
    };
    let balances = payouts
        .balances(mode)
        .await
        .into_iter()
        .map(|b| {
            let via = match b.via {
                crate::domain::Via::Direct => String::new(),
                crate::domain::Via::PawaPay => " (pawaPay)".to_owned(),
            };
            let country = if en { b.country.name_en() } else { b.country.name_fr() };
            let what = format!("{}{via} — {country}", b.provider.name());
            let held = match b.balance {
                Some(balance) => money(balance.amount, balance.currency),
                None => tr(en, "indisponible", "unavailable").to_owned(),
            };
            (what, held)
        })
        .collect();
    let threshold = state.payouts.approval_threshold(&user.merchant_id)
        .await
        .map_err(internal)?
        .map(|t| t.to_string())
        .unwrap_or_default();
    let page = payouts
        .list(&user.merchant_id, mode, Default::default(), None, 30)
        .await
        .map_err(internal)?;
    // What waits: each batch once, each single payout.
    let mut waiting: Vec<WaitingLine> = Vec::new();
    let waits = payouts.waiting_approval(&user.merchant_id, mode).await.map_err(internal)?;
    for p in &waits {
        let mine = p.created_by.as_deref() == Some(user.id.as_str());
        match &p.batch {
            Some((batch, _)) if waiting.iter().any(|w| w.id == batch.as_str()) => {}
            Some((batch, _)) => {
                let whole = payouts.batch(&user.merchant_id, mode, batch.as_str()).await.map_err(internal)?;
                waiting.push(WaitingLine {
                    id: batch.to_string(),
                    what: format!("{} {} ({} {})", tr(en, "Lot", "Batch"), batch, whole.payouts.len(), tr(en, "paiements", "payouts")),
                    amount: money(whole.total, p.amount.currency()),
                    mine,
                });
            }
            None => waiting.push(WaitingLine {
                id: p.id.to_string(),
                what: format!("{} {}", p.provider.name(), p.recipient.as_str()),
                amount: p.amount.display_fr(),
                mine,
            }),
        }
    }
    let batch = match lot.as_deref().filter(|l| !l.is_empty()) {
        Some(id) => match payouts.batch(&user.merchant_id, mode, id).await {
            Ok(batch) => {
                let mut lines: Vec<BatchLineView> = batch
                    .payouts
                    .iter()
                    .map(|p| BatchLineView {
                        line: p.batch.as_ref().map(|(_, n)| *n).unwrap_or(0),
                        status: p.status.as_str().to_owned(),
                        status_label: payout_status_label(p.status.as_str(), p.approval).to_owned(),
                        recipient: p.recipient.as_str().to_owned(),
                        amount: p.amount.display_fr(),
                        message: p.failure_message().unwrap_or_default(),
                    })
                    .collect();
                lines.extend(batch.refusals.iter().map(|(n, why)| BatchLineView {
                    line: *n,
                    status: "refused".to_owned(),
                    status_label: payout_status_label("refused", PayoutApproval::None).to_owned(),
                    recipient: String::new(),
                    amount: String::new(),
                    message: why.clone(),
                }));
                lines.sort_by_key(|l| l.line);
                Some(BatchView {
                    id: batch.id.to_string(),
                    summary: if en {
                        format!("{} lines: {} accepted, {} refused", batch.lines, batch.payouts.len(), batch.refusals.len())
                    } else {
                        format!("{} lignes : {} acceptées, {} refusées", batch.lines, batch.payouts.len(), batch.refusals.len())
                    },
                    lines,
                })
            }
            Err(_) => None,
        },
        None => None,
    };
    let detail = match paiement.as_deref().filter(|p| !p.is_empty()) {
        Some(id) => match payouts.get(&user.merchant_id, mode, id).await {
            Ok(p) => {
                let history = payouts.history(&p).await.map_err(internal)?;
                let dash = || "—".to_owned();
                let mut facts = vec![
                    (tr(en, "Bénéficiaire", "Recipient").to_owned(), match &p.recipient_name {
                        Some(name) => format!("{name} ({})", p.recipient.as_str()),
                        None => p.recipient.as_str().to_owned(),
                    }),
                    (tr(en, "Opérateur", "Provider").to_owned(), format!("{} ({})", p.provider.name(), p.gateway)),
                    (tr(en, "Frais de l'opérateur", "Provider's fee").to_owned(), p.fee.map(|f| money(f, p.amount.currency())).unwrap_or_else(dash)),
                    (tr(en, "Référence chez l'opérateur", "Provider's reference").to_owned(), p.provider_reference.clone().unwrap_or_else(dash)),
                    (tr(en, "Votre référence", "Your reference").to_owned(), p.external_reference.clone().unwrap_or_else(dash)),
                    (tr(en, "Motif", "Reason").to_owned(), p.reason.clone().unwrap_or_else(dash)),
                    (tr(en, "Approbation", "Approval").to_owned(), p.approval.as_str().to_owned()),
                    (tr(en, "Créé le", "Created").to_owned(), time(p.created_at)),
                ];
                if let Some(message) = p.failure_message() {
                    facts.push((tr(en, "Échec", "Failure").to_owned(), message));
                }
                Some(PayoutDetailView {
                    id: p.id.to_string(),
                    amount: p.amount.display_fr(),
                    status: p.status.as_str().to_owned(),
                    status_label: payout_status_label(p.status.as_str(), p.approval).to_owned(),
                    facts,
                    history: history
                        .into_iter()
                        .map(|h| {
                            let label = payout_status_label(&h.to_status, crate::domain::PayoutApproval::None);
                            (time(h.at), format!("{label} — {}", h.reason))
                        })
                        .collect(),
                    can_cancel: p.status == PayoutStatus::Pending,
                })
            }
            Err(_) => None,
        },
        None => None,
    };
    let payouts = page
        .payouts
        .iter()
        .map(|p| PayoutLine {
            link: format!("{}?mode={}&paiement={}", crate::routes::DASHBOARD_PAYOUTS, mode.as_str(), p.id),
            id: p.id.to_string(),
            recipient: p.recipient.as_str().to_owned(),
            provider: p.provider.name().to_owned(),
            amount: p.amount.display_fr(),
            status: p.status.as_str().to_owned(),
            status_label: payout_status_label(p.status.as_str(), p.approval).to_owned(),
            created: time(p.created_at),
            message: p.failure_message().unwrap_or_default(),
        })
        .collect();
    Ok(Some(PayoutsView {
        header: header(&user, mode),
        notice: notice.map(|n| (n.ok, n.text)),
        balances,
        threshold,
        waiting,
        batch,
        detail,
        payouts,
        payout_key: crate::random::alphanumeric(20),
        batch_key: crate::random::alphanumeric(20),
    }))
}

/// Sends one payout from the form (the signed-in user made it).
#[server(prefix = "/rpc", endpoint = "dashboard_create_payout")]
pub async fn dashboard_create_payout(
    mode: Option<String>,
    #[server(default)] montant: String,
    #[server(default)] pays: String,
    #[server(default)] operateur: String,
    #[server(default)] numero: String,
    nom: Option<String>,
    motif: Option<String>,
    #[server(default)] cle: String,
    confirme: Option<String>,
) -> Result<(), ServerFnError> {
    use super::super::presenter::*;
    use crate::payments::idempotency::fingerprint;
    use crate::payouts::request;
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some(user) = signed_in().await? else {
        return Ok(());
    };
    let mode = mode_of(mode.as_deref());
    if confirme.is_none() {
        tell(Notice::error(confirm_first())).await?;
        back(mode, None);
        return Ok(());
    }
    let typed = montant.replace([' ', '\u{202f}', '\u{a0}'], "");
    let mut fields = serde_json::Map::new();
    fields.insert("amount".into(), typed.parse::<i64>().map(Into::into).unwrap_or(typed.into()));
    fields.insert("country".into(), pays.into());
    fields.insert("provider".into(), operateur.into());
    fields.insert("recipientPhone".into(), numero.into());
    if let Some(nom) = nom {
        fields.insert("recipientName".into(), nom.into());
    }
    if let Some(motif) = motif {
        fields.insert("reason".into(), motif.into());
    }
    // The form's key, with every field it sent: the same form sent twice pays once.
    let fingerprint = fingerprint("dashboard payout", serde_json::Value::Object(fields.clone()).to_string().as_bytes());
    let notice = match request::parse_object(request::DASHBOARD, fields) {
        Err(err) => Notice::error(err.to_string()),
        Ok(mut new) => {
            new.created_by = Some(user.id.clone());
            new.idempotency = (!cle.is_empty()).then(|| (format!("dashboard:{cle}"), fingerprint));
            match state.payouts.create(&user.merchant_id, mode, new).await {
                Ok(payout) => Notice::done(if english() {
                    format!("Payout of {} to {}: {}.", payout.amount.display_en(), payout.recipient.as_str(), payout_status_label(payout.status.as_str(), payout.approval).to_lowercase())
                } else {
                    format!("Paiement sortant de {} vers {} : {}.", payout.amount.display_fr(), payout.recipient.as_str(), payout_status_label(payout.status.as_str(), payout.approval).to_lowercase())
                }),
                Err(err) => Notice::error(err.to_string()),
            }
        }
    };
    tell(notice).await?;
    back(mode, None);
    Ok(())
}

/// Sends a batch from a CSV file's content (one payout per row).
#[server(prefix = "/rpc", endpoint = "dashboard_upload_batch")]
pub async fn dashboard_upload_batch(
    mode: Option<String>,
    #[server(default)] csv: String,
    #[server(default)] cle: String,
    confirme: Option<String>,
) -> Result<(), ServerFnError> {
    use super::super::presenter::*;
    use crate::payments::idempotency::fingerprint;
    use crate::payouts::{NewBatch, request};
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some(user) = signed_in().await? else {
        return Ok(());
    };
    let mode = mode_of(mode.as_deref());
    if confirme.is_none() {
        tell(Notice::error(confirm_first())).await?;
        back(mode, None);
        return Ok(());
    }
    let lines = match request::csv_lines(request::DASHBOARD, &csv) {
        Ok(lines) => lines,
        Err(err) => {
            tell(Notice::error(err.to_string())).await?;
            back(mode, None);
            return Ok(());
        }
    };
    let new = NewBatch {
        dialect: crate::domain::Dialect::CaurisFlux,
        lines,
        idempotency: (!cle.is_empty())
            .then(|| (format!("dashboard:{cle}"), fingerprint("dashboard payout batch", csv.as_bytes()))),
        created_by: Some(user.id.clone()),
    };
    match state.payouts.create_batch(&user.merchant_id, mode, new).await {
        Ok(batch) => {
            let waits = batch.payouts.first().is_some_and(|p| p.approval == crate::domain::PayoutApproval::Required);
            let en = english();
            let mut text = if en {
                format!("Batch received: {} accepted, {} refused.", batch.payouts.len(), batch.refusals.len())
            } else {
                format!("Lot reçu : {} acceptées, {} refusées.", batch.payouts.len(), batch.refusals.len())
            };
            if waits {
                text.push(' ');
                text.push_str(tr(en, "Il attend l'approbation d'un autre utilisateur.", "It waits for another user's approval."));
            }
            tell(Notice::done(text)).await?;
            back(mode, Some(batch.id.as_str()));
        }
        Err(err) => {
            tell(Notice::error(err.to_string())).await?;
            back(mode, None);
        }
    }
    Ok(())
}

/// Approves (`decision=approuver`) or rejects a payout or batch another user made.
#[server(prefix = "/rpc", endpoint = "dashboard_decide_payout")]
pub async fn dashboard_decide_payout(
    mode: Option<String>,
    #[server(default)] id: String,
    #[server(default)] decision: String,
) -> Result<(), ServerFnError> {
    use super::super::presenter::*;
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some(user) = signed_in().await? else {
        return Ok(());
    };
    let mode = mode_of(mode.as_deref());
    let approve = decision == "approuver";
    let en = english();
    let notice = match state.payouts.decide(&user.merchant_id, mode, &id, (&user.id, &user.email), approve).await {
        Ok(n) if approve => Notice::done(if en { format!("Approved: {n} payout(s) will be sent.") } else { format!("Approuvé : {n} paiement(s) sortant(s) vont être envoyés.") }),
        Ok(n) => Notice::done(if en { format!("Rejected: {n} payout(s) cancelled, nothing sent.") } else { format!("Refusé : {n} paiement(s) sortant(s) annulés, rien n'est envoyé.") }),
        Err(err) => Notice::error(err.to_string()),
    };
    tell(notice).await?;
    back(mode, id.starts_with(crate::domain::PayoutBatchId::PREFIX).then_some(id.as_str()));
    Ok(())
}

/// Sets the amount above which a payout or batch waits for a second user (empty: never).
#[server(prefix = "/rpc", endpoint = "dashboard_payout_threshold")]
pub async fn dashboard_payout_threshold(
    mode: Option<String>,
    #[server(default)] seuil: String,
) -> Result<(), ServerFnError> {
    use super::super::presenter::*;
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some(user) = signed_in().await? else {
        return Ok(());
    };
    let mode = mode_of(mode.as_deref());
    let typed = seuil.replace([' ', '\u{202f}', '\u{a0}'], "");
    let en = english();
    let notice = match (typed.is_empty(), typed.parse::<i64>()) {
        (true, _) => {
            state.payouts.set_approval_threshold(&user.merchant_id, None).await.map_err(internal)?;
            Notice::done(tr(en, "Aucun paiement sortant n'attend plus d'approbation.", "Payouts no longer wait for an approval.").to_owned())
        }
        (false, Ok(n)) if n >= 0 => {
            state.payouts.set_approval_threshold(&user.merchant_id, Some(n)).await.map_err(internal)?;
            Notice::done(if en {
                format!("Payouts and batches over {n} now wait for a second user's approval.")
            } else {
                format!("Les paiements sortants et les lots de plus de {n} attendent désormais l'approbation d'un second utilisateur.")
            })
        }
        _ => Notice::error(if en {
            format!("“{}” is not an amount: a whole number of francs, or empty.", seuil.trim())
        } else {
            format!("« {} » n'est pas un montant : un nombre entier de francs, ou vide.", seuil.trim())
        }),
    };
    tell(notice).await?;
    back(mode, None);
    Ok(())
}

/// Cancels a payout not sent yet (one waiting for an approval, say).
#[server(prefix = "/rpc", endpoint = "dashboard_cancel_payout")]
pub async fn dashboard_cancel_payout(
    mode: Option<String>,
    #[server(default)] id: String,
    confirme: Option<String>,
) -> Result<(), ServerFnError> {
    use super::super::presenter::*;
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let Some(user) = signed_in().await? else {
        return Ok(());
    };
    let mode = mode_of(mode.as_deref());
    let notice = if confirme.is_none() {
        Notice::error(confirm_first())
    } else {
        match state.payouts.cancel(&user.merchant_id, mode, &id).await {
            Ok(_) => Notice::done(tr(english(), "Paiement sortant annulé : rien n'a été envoyé.", "Payout cancelled: nothing was sent.").to_owned()),
            Err(err) => Notice::error(err.to_string()),
        }
    };
    tell(notice).await?;
    leptos_axum::redirect(&format!("{}?mode={}&paiement={id}", crate::routes::DASHBOARD_PAYOUTS, mode.as_str()));
    Ok(())
}
