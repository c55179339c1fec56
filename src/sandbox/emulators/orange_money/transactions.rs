//! The emulator's transactions: how a session reads as Sonatel's transaction, the search and the
//! status endpoint, the callbacks Orange sends and the registrations it keeps. Cash-ins (the
//! payout book's, `cashin`) are found by the same search and status endpoint.

use super::*;
use crate::sandbox::payouts::{self as book, EmulatedPayout, PayoutScenario};

/// `GET /api/notification/v1/merchantcallback`: the callbacks registered. The sandbox's one:
/// this Dalal's `/hooks/orange-money`, with `CALLBACK_API_KEY`.
pub(super) async fn callbacks(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    Json(json!([{
        "code": MERCHANT_CODE,
        "name": "Dalal (sandbox)",
        "callbackUrl": routes::absolute(&state.public_url, routes::HOOK_ORANGE_MONEY),
    }]))
    .into_response()
}

/// `POST /api/notification/v1/merchantcallback {apiKey, code, name, callbackUrl}` → 2xx with
/// an empty body. The sandbox keeps its own registration (`callbacks`): this checks the shape.
pub(super) async fn register_callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    match serde_json::from_str::<Registration>(&body) {
        Ok(r) if r.code == MERCHANT_CODE && !r.api_key.is_empty() && !r.name.is_empty() => {
            match url::Url::parse(&r.callback_url) {
                Ok(_) => StatusCode::OK.into_response(),
                Err(_) => invalid("callbackUrl", "an absolute URL"),
            }
        }
        Ok(_) => invalid("code", "unknown merchant code"),
        Err(err) => invalid("body", &err.to_string()),
    }
}

/// A session's status word, if it has a transaction: a one-step payment always; a QR code once
/// the customer has answered in the app.
pub(super) fn status_word(state: &AppState, session: &SandboxSession) -> Option<&'static str> {
    let stage = sandbox(state).stage(session, state.clock.now_ms());
    let qr = session.flow == Flow::Qr;
    Some(match stage {
        Stage::Open | Stage::Expired if qr => return None,
        Stage::Open => "INITIATED",
        Stage::Asked => "PENDING",
        Stage::Paid => "SUCCESS",
        Stage::InsufficientFunds => "FAILED",
        Stage::Declined => "CANCELLED",
        Stage::Expired => "FAILED",
    })
}

/// A QR code's transaction id is named after the code (`om-abc` → `MPQABC`), so that the status
/// endpoint finds it.
pub(super) fn transaction_id(session: &SandboxSession) -> String {
    match session.flow {
        Flow::Qr => format!("MPQ{}", session.id.trim_start_matches("om-").to_uppercase()),
        _ => session.id.clone(),
    }
}

/// The transaction as production returned it, if there is one.
pub(super) fn render(state: &AppState, session: &SandboxSession) -> Option<serde_json::Value> {
    let status = status_word(state, session)?;
    let request = session.request.as_deref()?;
    let (metadata, customer) = match session.flow {
        Flow::Qr => {
            let qr: QrRequest = serde_json::from_str(request).ok()?;
            (qr.metadata, "771234567".to_owned())
        }
        _ => {
            let payment: OneStepRequest = serde_json::from_str(request).ok()?;
            (payment.metadata, payment.customer.id)
        }
    };
    let updated = session.decided_at.unwrap_or(session.created_at);
    Some(json!({
        // A JSON number with a decimal point, as production sends it.
        "amount": { "value": session.amount as f64, "unit": session.currency },
        "requestDate": iso8601(session.created_at),
        "reference": session.reference,
        "metadata": metadata,
        "receiveNotification": true,
        "partner": { "id": MERCHANT_CODE, "idType": "CODE", "walletType": "PRINCIPAL" },
        "customer": { "id": customer, "idType": "MSISDN", "walletType": "PRINCIPAL" },
        "type": "MERCHANT_PAYMENT",
        "transactionId": transaction_id(session),
        "createdAt": iso8601(session.created_at),
        "updatedAt": iso8601(updated),
        "channel": "API",
        "status": status,
    }))
}

/// `GET /api/eWallet/v1/transactions?…`: a bare array, newest first, payments and cash-ins
/// together. The documented filters `reference`, `transactionId` and `status` are applied; any
/// other is ignored, and with none the account's latest transactions come back.
pub(super) async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filters): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    let pool = &state.pool;
    let provider = ProviderCode::OrangeMoney;
    let found = if let Some(reference) = filters.get("reference") {
        store::with_reference(pool, provider, reference).await
    } else if let Some(id) = filters.get("transactionId") {
        find(&state, id).await.map(|s| s.into_iter().collect())
    } else {
        store::latest(pool, provider, LATEST).await
    };
    let sessions = match found {
        Ok(sessions) => sessions,
        Err(err) => return internal(&err),
    };
    let mut transactions: Vec<serde_json::Value> =
        sessions.iter().filter_map(|s| render(&state, s)).collect();
    match cash_ins_found(&state, &filters).await {
        Ok(cash_ins) => transactions.extend(cash_ins),
        Err(err) => return internal(&err),
    }
    // Stable: payments keep the order they came in.
    transactions.sort_by(|a, b| b["createdAt"].as_str().cmp(&a["createdAt"].as_str()));
    if !filters.contains_key("reference") && !filters.contains_key("transactionId") {
        transactions.truncate(LATEST as usize);
    }
    transactions.retain(|t| {
        filters
            .get("status")
            .is_none_or(|s| t["status"] == s.as_str())
    });
    Json(transactions).into_response()
}

/// The session behind a transaction id.
pub(super) async fn find(
    state: &AppState,
    transaction_id: &str,
) -> anyhow::Result<Option<SandboxSession>> {
    let session_id = match transaction_id.strip_prefix("MPQ") {
        Some(qr) => format!("om-{}", qr.to_lowercase()),
        None => transaction_id.to_owned(),
    };
    Ok(store::find(&state.pool, &session_id)
        .await?
        .filter(|s| s.provider == ProviderCode::OrangeMoney))
}

/// `GET /api/eWallet/v1/transactions/{id}/status` → `{"status": "…"}`.
pub(super) async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    let payment = match find(&state, &id).await {
        Ok(found) => found.as_ref().and_then(|s| status_word(&state, s)),
        Err(err) => return internal(&err),
    };
    let found = match payment {
        Some(status) => Some(status),
        None => match book::by_id(&state.pool, cashin::PROVIDER, &id).await {
            Ok(cash_in) => cash_in.as_ref().map(cash_in_status),
            Err(err) => return internal(&err),
        },
    };
    match found {
        Some(status) => Json(json!({ "status": status })).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "404",
            "Not Found",
            "No such transaction",
        ),
    }
}

/// A booked cash-in's status word: `…03` pending for good, the others booked succeeded (refused
/// cash-ins are not booked).
pub(super) fn cash_in_status(p: &EmulatedPayout) -> &'static str {
    match p.scenario {
        PayoutScenario::Stuck => "PENDING",
        _ => "SUCCESS",
    }
}

/// A cash-in as the search shows it: the production transaction shape (PROVIDERS.md, Sonatel
/// section), `type` `CASHIN` (a third-party guide's cash-in callback; unconfirmed).
fn render_cash_in(p: &EmulatedPayout) -> Option<serde_json::Value> {
    let kept: cashin::KeptCashIn = serde_json::from_str(&p.request).ok()?;
    Some(json!({
        "amount": { "value": p.amount as f64, "unit": p.currency },
        "requestDate": kept.request_date,
        "reference": kept.reference,
        "metadata": kept.metadata,
        "receiveNotification": kept.receive_notification,
        "partner": { "id": p.account, "idType": "MSISDN", "walletType": "PRINCIPAL" },
        "customer": { "id": p.phone, "idType": "MSISDN", "walletType": "PRINCIPAL" },
        "type": "CASHIN",
        "transactionId": p.id,
        "createdAt": iso8601(p.created_at),
        "updatedAt": iso8601(p.created_at),
        "channel": "API",
        "status": cash_in_status(p),
    }))
}

/// The retailer's cash-ins a search finds, rendered: by `reference` (exactly), else by
/// `transactionId`, else the latest.
async fn cash_ins_found(
    state: &AppState,
    filters: &BTreeMap<String, String>,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let (pool, provider, account) = (&state.pool, cashin::PROVIDER, RETAILER_MSISDN);
    let every = "\"reference\":";
    let payouts = if let Some(reference) = filters.get("reference") {
        // The book's `LIKE` needle: the reference itself when it needs no JSON escape.
        let plain = reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/#".contains(&b));
        let needle = if plain {
            format!("{every}\"{reference}\"")
        } else {
            every.to_owned()
        };
        book::with_request_field(pool, provider, account, &needle).await?
    } else if let Some(id) = filters.get("transactionId") {
        book::by_id(pool, provider, id).await?.into_iter().collect()
    } else {
        let all = book::with_request_field(pool, provider, account, every).await?;
        let skip = all.len().saturating_sub(LATEST as usize);
        all.into_iter().skip(skip).collect()
    };
    let reference = filters.get("reference");
    Ok(payouts
        .iter()
        .filter_map(render_cash_in)
        .filter(|t| reference.is_none_or(|r| t["reference"] == r.as_str()))
        .collect())
}

/// Sends Orange's callback for a session that has a final transaction, with
/// `Authorization: Basic <the registered key>`, to Dalal's `/hooks/orange-money`; three tries,
/// a second apart. A QR payment's body is the documentation's sample (`paymentMethod`, the
/// customer's number as a number); a one-step payment's, the short form.
pub async fn notify(state: &AppState, id: &str) -> anyhow::Result<()> {
    let Some(session) = store::find(&state.pool, id).await? else {
        return Ok(());
    };
    let Some(mut transaction) = render(state, &session)
        .filter(|t| !matches!(t["status"].as_str(), Some("INITIATED" | "PENDING")))
    else {
        return Ok(());
    };
    let body = match session.flow {
        Flow::Qr => {
            transaction["paymentMethod"] = json!("QRCODE");
            transaction["customer"]["id"] = json!(771234567);
            transaction
        }
        _ => json!({
            "transactionId": transaction["transactionId"],
            "status": transaction["status"],
            "amount": transaction["amount"],
            "reference": transaction["reference"],
            "type": transaction["type"],
        }),
    };
    super::super::notify_dalal(
        state,
        routes::HOOK_ORANGE_MONEY,
        super::super::AfterRefusal::GiveUp,
        |client, url| {
            client
                .post(url)
                .header(header::AUTHORIZATION, format!("Basic {CALLBACK_API_KEY}"))
                .header("X-Sonatel-Idempotency-Key", transaction_id(&session))
                .json(&body)
        },
    )
    .await
}

/// A one-step payment ends after the sandbox's answer delay, or when the push times out: the
/// emulator looks at those two moments (by the wall clock) and calls back once it has ended.
pub(super) async fn call_back_when_decided(state: AppState, id: String) {
    super::super::at_push_moments(&state, || async {
        let Ok(Some(session)) = store::find(&state.pool, &id).await else {
            return true;
        };
        let stage = sandbox(&state).stage(&session, state.clock.now_ms());
        if stage == Stage::Asked || stage == Stage::Open {
            return false;
        }
        if let Err(err) = notify(&state, &id).await {
            tracing::info!(error = ?err, "the Orange Money emulator's callback was not taken; Dalal's checker will ask");
        }
        true
    })
    .await
}
