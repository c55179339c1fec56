//! The payout endpoints' bodies as the OpenAPI document describes them, once per dialect (the
//! same fields, camelCase or snake_case; SahelPay's provider is `payment_method`). Responses are
//! written by `render`; these types only document them (schemathesis checks that they agree).

#![allow(dead_code)]

macro_rules! payout_schemas {
    ($dialect:ident, $case:tt, $provider:ident, $($provider_schema:tt)+) => {
        pub mod $dialect {
            use serde::{Deserialize, Serialize};
            use serde_json::Value;
            use utoipa::ToSchema;

            /// A payout to create: what the recipient receives (the provider's fee comes on
            /// top), to a mobile-money wallet of `country`.
            #[derive(Deserialize, ToSchema)]
            #[serde(rename_all = $case)]
            #[schema(as = $dialect::PayoutRequest)]
            pub struct PayoutRequest {
                /// In the currency's smallest unit.
                #[schema(minimum = 1, example = 10000)]
                amount: i64,
                /// The country's currency (the default).
                #[schema(schema_with = crate::api::schemas::currencies)]
                currency: Option<String>,
                #[schema(schema_with = crate::api::schemas::countries)]
                country: String,
                /// Optional where a single provider pays out in the country.
                #[schema(schema_with = $($provider_schema)+)]
                $provider: Option<String>,
                /// E.164, or a national number of `country`.
                #[schema(example = "+221771234567")]
                recipient_phone: String,
                #[schema(max_length = 255)]
                recipient_name: Option<String>,
                /// Printed on the recipient's receipt where the provider prints one.
                #[schema(max_length = 40)]
                reason: Option<String>,
                #[schema(max_length = 255)]
                external_reference: Option<String>,
                #[schema(value_type = Option<Object>)]
                metadata: Option<Value>,
            }

            /// A line of a payout's history.
            #[derive(Serialize, ToSchema)]
            #[serde(rename_all = $case)]
            #[schema(as = $dialect::PayoutHistory)]
            pub struct PayoutHistory {
                from: Option<String>,
                to: Option<String>,
                reason: String,
                at: String,
            }

            /// A payout.
            #[derive(Serialize, ToSchema)]
            #[serde(rename_all = $case)]
            #[schema(as = $dialect::Payout)]
            pub struct Payout {
                #[schema(example = "po_4f8a1c2e9b7d3a6f5e0c1b2a")]
                id: String,
                /// pending, processing, succeeded, failed, cancelled or reversed.
                status: String,
                amount: i64,
                currency: String,
                country: String,
                $provider: String,
                recipient_phone: String,
                recipient_name: Option<String>,
                reason: Option<String>,
                external_reference: Option<String>,
                #[schema(value_type = Option<Object>)]
                metadata: Option<Value>,
                /// What the provider took on top of the amount, where it says.
                fee: Option<i64>,
                provider_reference: Option<String>,
                failure_code: Option<String>,
                /// Why it failed, in French.
                failure_message: Option<String>,
                /// none, required, approved or rejected.
                approval: String,
                batch_id: Option<String>,
                created_at: String,
                updated_at: String,
                /// Its status changes (a single payout's read only).
                #[serde(skip_serializing_if = "Option::is_none")]
                history: Option<Vec<PayoutHistory>>,
            }

            #[derive(Serialize, ToSchema)]
            #[schema(as = $dialect::PayoutResponse)]
            pub struct PayoutResponse {
                success: bool,
                data: Payout,
            }

            #[derive(Serialize, ToSchema)]
            #[serde(rename_all = $case)]
            #[schema(as = $dialect::PayoutPagination)]
            pub struct PayoutPagination {
                has_more: bool,
                next_starting_after: Option<String>,
            }

            #[derive(Serialize, ToSchema)]
            #[schema(as = $dialect::PayoutList)]
            pub struct PayoutList {
                success: bool,
                data: Vec<Payout>,
                pagination: PayoutPagination,
            }

            /// `{"payouts": [...]}`, up to 500 lines; or send a CSV file (`text/csv`) whose
            /// header names the same fields. Each line has a payout's fields (`PayoutRequest`) and
            /// is checked on its own: a line missing one is refused with its reason, the others
            /// are sent.
            #[derive(Deserialize, ToSchema)]
            #[schema(as = $dialect::BatchRequest)]
            pub struct BatchRequest {
                #[schema(min_items = 1, max_items = 500, value_type = Vec<Object>)]
                payouts: Vec<Value>,
            }

            /// A batch's line: its payout as it stands, or why it was refused.
            #[derive(Serialize, ToSchema)]
            #[serde(rename_all = $case)]
            #[schema(as = $dialect::BatchLine)]
            pub struct BatchLine {
                line: i64,
                /// A payout's status, or refused.
                status: String,
                payout_id: Option<String>,
                amount: Option<i64>,
                recipient_phone: Option<String>,
                failure_code: Option<String>,
                message: Option<String>,
            }

            #[derive(Serialize, ToSchema)]
            #[serde(rename_all = $case)]
            #[schema(as = $dialect::Batch)]
            pub struct Batch {
                #[schema(example = "pb_4f8a1c2e9b7d3a6f5e0c1b2a")]
                id: String,
                lines: i64,
                accepted: i64,
                refused: i64,
                total: i64,
                approval: String,
                created_at: String,
                results: Vec<BatchLine>,
            }

            #[derive(Serialize, ToSchema)]
            #[schema(as = $dialect::BatchResponse)]
            pub struct BatchResponse {
                success: bool,
                data: Batch,
            }

            /// A provider account that pays out, and what it holds as last read.
            #[derive(Serialize, ToSchema)]
            #[serde(rename_all = $case)]
            #[schema(as = $dialect::Balance)]
            pub struct Balance {
                $provider: String,
                gateway: String,
                country: String,
                /// `null` when the provider could not be asked.
                available: Option<i64>,
                currency: String,
                read_at: String,
            }

            #[derive(Serialize, ToSchema)]
            #[schema(as = $dialect::BalanceList)]
            pub struct BalanceList {
                success: bool,
                data: Vec<Balance>,
            }
        }
    };
}

payout_schemas!(caurisflux, "camelCase", provider, crate::api::schemas::providers);
payout_schemas!(sahelpay, "snake_case", payment_method, crate::api::schemas::sahelpay_methods);
