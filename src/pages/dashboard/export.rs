//! `GET /dashboard/export.csv`: the payment list, with the same filters, as CSV. Streamed a page
//! at a time (newest first, keyset on the transaction id), so a merchant with a million payments
//! does not make Dalal hold them all in memory. Server only.

use super::presenter::{list_filter, mode_of};
use super::data::Filters;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// The list's own query: its mode and filters.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ExportQuery {
    mode: Option<String>,
    #[serde(flatten)]
    filters: Filters,
}

const HEADER: &str = "transaction_id,reference,statut,montant,devise,moyen,cree_le,client,telephone,description\r\n";
const PAGE: u32 = 100;

pub async fn export(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<ExportQuery>,
) -> Response {
    let user_id: Option<String> = session.get(crate::accounts::SESSION_KEY).await.ok().flatten();
    let user = match user_id {
        Some(id) => crate::accounts::find(&state.pool, &id).await,
        None => Ok(None),
    };
    let user = match user {
        Ok(Some(user)) => user,
        Ok(None) => return Redirect::to(crate::routes::DASHBOARD_SIGN_IN).into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mode = mode_of(query.mode.as_deref());
    let filter = list_filter(&query.filters, None);
    // Each step reads the next page; `None` as the cursor ends the stream.
    let pages = futures_util::stream::unfold(Some(filter), move |cursor| {
        let (state, merchant) = (state.clone(), user.merchant_id.clone());
        async move {
            let mut filter = cursor?;
            let page = match state.payments.list(&merchant, mode, &filter, PAGE).await {
                Ok(page) => page,
                Err(err) => {
                    tracing::error!(error = ?err, "export page failed");
                    return Some((Err(std::io::Error::other("export failed")), None));
                }
            };
            let mut chunk = String::new();
            for (payment, _, _) in &page.payments {
                chunk.push_str(&line(payment));
            }
            let next = page
                .has_more
                .then(|| page.payments.last().map(|(p, _, _)| p.id.sequence()))
                .flatten()
                .map(|last| {
                    filter.before_id = Some(last);
                    filter
                });
            Some((Ok::<_, std::io::Error>(chunk), next))
        }
    });
    // Fused: the compression layer may poll once more after the end.
    let body = futures_util::StreamExt::fuse(futures_util::StreamExt::chain(
        futures_util::stream::once(async { Ok(HEADER.to_owned()) }),
        pages,
    ));
    let name = format!("paiements-{}.csv", mode.as_str());
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

fn line(payment: &crate::payments::Payment) -> String {
    let fields = [
        payment.id.to_string(),
        payment.external_reference.clone(),
        payment.status.as_str().to_owned(),
        payment.amount.minor().to_string(),
        payment.amount.currency().code().to_owned(),
        payment
            .method
            .or(payment.provider)
            .map(|p| p.code().to_owned())
            .unwrap_or_default(),
        crate::clock::iso8601(payment.created_at),
        payment.customer_name.clone().unwrap_or_default(),
        payment
            .customer_phone
            .as_ref()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        payment.description.clone().unwrap_or_default(),
    ];
    let mut out = fields.iter().map(|f| field(f)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. A field a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a `'` in front: the
/// merchant's customers wrote some of these fields.
fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_never_formulas() {
        assert_eq!(field("PANIER-1"), "PANIER-1");
        assert_eq!(field("Panier, 3 articles"), "\"Panier, 3 articles\"");
        assert_eq!(field("Dit \"urgent\""), "\"Dit \"\"urgent\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+221771234567"), "'+221771234567");
    }
}
