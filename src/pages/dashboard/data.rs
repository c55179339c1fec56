//! What the dashboard shows, as plain data: the server presenter fills it, the components
//! render it.

use serde::{Deserialize, Serialize};

/// Who is signed in, and which mode (test or live) the screens show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub merchant: String,
    pub email: String,
    /// `test` or `live`.
    pub mode: String,
}

/// The filters of the payment list, as typed in its form (and kept in its links).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filters {
    pub statut: String,
    pub methode: String,
    /// A merchant reference or a transaction id.
    pub recherche: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentList {
    pub header: Header,
    pub filters: Filters,
    pub rows: Vec<PaymentRow>,
    /// The link to the next (older) page, filters kept.
    pub next: Option<String>,
    /// The same filtered list as a CSV file.
    pub export: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentRow {
    pub transaction_id: String,
    pub reference: String,
    pub amount: String,
    pub status: String,
    pub status_label: String,
    pub method: String,
    pub created: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentDetail {
    pub header: Header,
    pub transaction_id: String,
    pub reference: String,
    pub amount: String,
    pub refunded: String,
    pub status: String,
    pub status_label: String,
    pub description: Option<String>,
    pub customer: Vec<(String, String)>,
    pub method: String,
    pub gateway: Option<String>,
    pub routing_reason: Option<String>,
    pub created: String,
    pub timeline: Vec<TimelineEntry>,
    pub attempts: Vec<AttemptLine>,
    pub refunds: Vec<RefundLine>,
    pub deliveries: Vec<Delivery>,
    /// What the last action did: (done, text).
    pub notice: Option<(bool, String)>,
    pub can_refund: bool,
    pub can_cancel: bool,
    /// Shown on the refund form, so that sending it twice refunds once.
    pub refund_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptLine {
    pub at: String,
    pub method: String,
    pub status: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundLine {
    pub at: String,
    pub amount: String,
    pub status: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub event: String,
    pub url: String,
    pub status: String,
    pub tries: Vec<DeliveryTry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryTry {
    pub at: String,
    pub http_status: String,
    pub latency: String,
    pub next_retry: String,
}

/// The payment-link screen: its form, and the link just made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinksView {
    pub header: Header,
    pub notice: Option<(bool, String)>,
    pub created: Option<CreatedLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedLink {
    pub transaction_id: String,
    pub url: String,
    /// The link's QR code as a PNG `data:` URI.
    pub qr_png: String,
    pub amount: String,
    pub description: Option<String>,
    pub expires: String,
}

/// The developers' screen: API keys, webhook signing secrets, the latest webhook failures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DevelopersView {
    pub header: Header,
    pub notice: Option<(bool, String)>,
    /// A secret just made: shown on this one page, never again.
    pub revealed: Option<Revealed>,
    pub keys: Vec<KeyLine>,
    pub webhook_secrets: Vec<SecretLine>,
    pub failures: Vec<FailureLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revealed {
    /// The new public key, for a key pair; `None` for a webhook secret.
    pub public_key: Option<String>,
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyLine {
    pub public_key: String,
    pub created: String,
    /// « Active », « Expire le … » or « Révoquée le … ».
    pub state: String,
    /// Still working (it can be rolled).
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretLine {
    /// `whsec_…abcd`: enough to tell secrets apart, not to sign.
    pub masked: String,
    pub created: String,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailureLine {
    pub transaction_id: String,
    pub link: String,
    pub event: String,
    pub url: String,
    pub at: String,
    /// The HTTP status, or what went wrong before one came.
    pub answer: String,
    /// The next try, or why there is none.
    pub next: String,
}

/// The payouts screen ("Paiements sortants").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutsView {
    pub header: Header,
    pub notice: Option<(bool, String)>,
    /// Each account that pays out: (provider and country, what it holds).
    pub balances: Vec<(String, String)>,
    /// The approval threshold as typed in its form (empty: none).
    pub threshold: String,
    /// Payouts and batches waiting for a second user's approval.
    pub waiting: Vec<WaitingLine>,
    /// The batch asked for (`?lot=`), or just uploaded.
    pub batch: Option<BatchView>,
    /// The payout asked for (`?paiement=`): its facts and history.
    pub detail: Option<PayoutDetailView>,
    pub payouts: Vec<PayoutLine>,
    /// Keys the forms carry, so that a form sent twice sends money once.
    pub payout_key: String,
    pub batch_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitingLine {
    /// `po_…` or `pb_…`.
    pub id: String,
    pub what: String,
    pub amount: String,
    /// The signed-in user made it: another user must decide.
    pub mine: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchView {
    pub id: String,
    pub summary: String,
    pub lines: Vec<BatchLineView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchLineView {
    pub line: i64,
    pub status: String,
    pub status_label: String,
    pub recipient: String,
    pub amount: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutDetailView {
    pub id: String,
    pub amount: String,
    pub status: String,
    pub status_label: String,
    /// (label, value) pairs: recipient, provider, reference, fee, failure, approval, …
    pub facts: Vec<(String, String)>,
    /// (when, what): every status change and approval, oldest first.
    pub history: Vec<(String, String)>,
    /// Not sent yet: it can still be cancelled.
    pub can_cancel: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutLine {
    /// The payout's page on this screen.
    pub link: String,
    pub id: String,
    pub recipient: String,
    pub provider: String,
    pub amount: String,
    pub status: String,
    pub status_label: String,
    pub created: String,
    pub message: String,
}
