//! The query of `GET /api/v1/payments`: `status=succeeded&method=wave&createdFrom=2026-11-01
//! &createdTo=…&externalReference=…&limit=20&startingAfter=TX000000042`.

use crate::api::{ApiError, fields};
use crate::domain::{PaymentStatus, ProviderCode, TransactionId};
use crate::payments::ListFilter;
use std::collections::HashMap;

/// The filter and page size of a listing, or the first thing wrong with its query.
pub fn parse_list(query: &HashMap<String, String>) -> Result<(ListFilter, u32), ApiError> {
    let get = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    };
    let filter = ListFilter {
        status: get("status")
            .map(|s| {
                PaymentStatus::parse(s).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "Le paramètre « status » doit valoir pending, processing, succeeded, failed, cancelled ou expired (reçu « {s} »)"
                    ))
                })
            })
            .transpose()?,
        method: get("method").map(ProviderCode::parse).transpose()?,
        created_from: get("createdFrom")
            .map(|s| fields::time_bound("createdFrom", s, false))
            .transpose()?,
        created_to: get("createdTo")
            .map(|s| fields::time_bound("createdTo", s, true))
            .transpose()?,
        external_reference: get("externalReference").map(str::to_owned),
        before_id: get("startingAfter")
            .map(|s| {
                TransactionId::parse(s).map(|id| id.sequence()).map_err(|_| {
                    ApiError::bad_request(format!(
                        "Le paramètre « startingAfter » doit être un transactionId (reçu « {s} »)"
                    ))
                })
            })
            .transpose()?,
    };
    Ok((filter, fields::limit(get("limit"))?))
}
