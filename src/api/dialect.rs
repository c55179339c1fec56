//! What one merchant API shape (a *dialect*: CaurisFlux or SahelPay) gives the shared handlers
//! of `handlers.rs`: how it authenticates, reads its requests, spells its ids, shapes its
//! payments and words its errors. A third shape would be a new folder implementing this trait.

use super::ApiError;
use crate::domain::{InvalidInput, TransactionId};
use crate::merchants::Merchant;
use crate::payments::idempotency::Refusal;
use crate::payments::{Attempt, ListFilter, NewPayment, Payment, PaymentError, Refund};
use crate::state::AppState;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;

/// Where a request's input was refused before it reached the core, for the dialect's error code.
#[derive(Clone, Copy, Debug)]
pub enum Edge {
    /// The `X-Idempotency-Key` header.
    IdempotencyKey,
    /// The body of a refund.
    RefundBody,
}

/// A payment as a dialect shows it; `public_url` is the base of its absolute URLs.
pub trait PaymentShape: Serialize + Send + Sized {
    fn new(
        public_url: &str,
        payment: &Payment,
        attempt: Option<&Attempt>,
        refunds: &[Refund],
    ) -> anyhow::Result<Self>;
}

/// A refund as a dialect shows it.
pub trait RefundShape: Serialize + Send {
    fn new(payment: &Payment, refund: &Refund) -> Self;
}

/// A page of a listing: the payments, whether older ones match too, and where the next page
/// starts.
pub trait PageShape<P>: Serialize + Send {
    fn new(data: Vec<P>, has_more: bool, next_starting_after: Option<String>) -> Self;
}

pub trait MerchantApi: Send + Sync + 'static {
    /// The dialect's error, in its own body (`{statusCode, message, error}` or
    /// `{success: false, error: {code, message}}`).
    type Error: Refusal + IntoResponse + Send;
    /// A payment as the dialect shows it (responses and webhooks).
    type PaymentData: PaymentShape;
    /// A refund as the dialect shows it.
    type RefundData: RefundShape;
    /// A page of a listing.
    type Page: PageShape<Self::PaymentData>;

    /// The route a creation's idempotency fingerprint names (`POST /v1/payments`).
    const CREATE_ROUTE: &'static str;
    /// The refund route's prefix, before the payment's id (`POST /v1/payments/`).
    const PAYMENTS_ROUTE: &'static str;

    /// The merchant behind the request's credentials.
    fn authenticate(
        state: &AppState,
        headers: &HeaderMap,
    ) -> impl Future<Output = Result<Merchant, Self::Error>> + Send;

    /// The creation body, read into a `NewPayment`.
    fn parse_create(bytes: &[u8]) -> Result<NewPayment, Self::Error>;

    /// A listing's query string that is not even `name=value` pairs.
    fn unreadable_query() -> Self::Error;

    /// A listing's query: its filter and page size.
    fn parse_list(query: &HashMap<String, String>) -> Result<(ListFilter, u32), Self::Error>;

    /// A transaction id as the dialect spells it (`TX…` or `txn_…`).
    fn spell(id: TransactionId) -> String;

    /// A payment that is not there, or not this merchant's, named as the merchant wrote it.
    fn not_found(id: &str) -> Self::Error;

    /// The request's body is over the limit (a 413).
    fn too_large(err: ApiError) -> Self::Error;

    /// Input refused at the edge of the API.
    fn invalid(edge: Edge, err: InvalidInput) -> Self::Error;

    /// What the core refused in a refund.
    fn refund_refused(err: PaymentError) -> Self::Error {
        err.into()
    }
}
