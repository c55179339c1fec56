use super::*;
use crate::domain::Money;
use crate::domain::msisdn::Msisdn;

fn order<'a>(recipient: &'a Msisdn) -> PayoutOrder<'a> {
    PayoutOrder {
        payout_id: "po_1",
        handle: "0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3",
        amount: Money::new(5, Currency::Xof).unwrap(),
        country: Country::Ci,
        recipient,
        recipient_name: None,
        reason: None,
        reference: None,
        sent_at_ms: 0,
    }
}

fn result(json: serde_json::Value) -> TransferResult {
    serde_json::from_value(json).unwrap()
}

#[test]
fn mtn_failure_reasons_read_as_dalal_words() {
    let code = |reason| failure(Some(reason)).code;
    assert_eq!(code("NOT_ENOUGH_FUNDS"), PayoutFailure::InsufficientFunds);
    assert_eq!(code("PAYEE_NOT_FOUND"), PayoutFailure::RecipientNotFound);
    assert_eq!(
        code("PAYEE_NOT_ALLOWED_TO_RECEIVE"),
        PayoutFailure::RecipientBlocked
    );
    assert_eq!(code("NOT_ALLOWED"), PayoutFailure::Refused);
    assert_eq!(code("SENDER_ACCOUNT_NOT_ACTIVE"), PayoutFailure::Refused);
    assert_eq!(code("INTERNAL_PROCESSING_ERROR"), PayoutFailure::Unknown);
    assert_eq!(
        failure(Some("INTERNAL_PROCESSING_ERROR")).provider_code.as_deref(),
        Some("INTERNAL_PROCESSING_ERROR")
    );
    assert_eq!(
        failure(Some("SOMETHING_NEW")).provider_code.as_deref(),
        Some("SOMETHING_NEW")
    );
    assert_eq!(failure(None), PayoutFailed::new(PayoutFailure::Unknown));
    assert_eq!(failure(Some("")), PayoutFailed::new(PayoutFailure::Unknown));
}

#[test]
fn a_refused_post_keeps_mtn_code_and_names_known_reasons() {
    let refused = |status: StatusCode, code: &str| http::Refused {
        provider: NAME,
        status,
        code: code.to_owned(),
    };
    let forbidden = refusal(&refused(StatusCode::FORBIDDEN, "FORBIDDEN IP"));
    assert_eq!(forbidden.code, PayoutFailure::Refused);
    assert_eq!(forbidden.provider_code.as_deref(), Some("FORBIDDEN_IP"));
    let bare = refusal(&refused(StatusCode::BAD_REQUEST, ""));
    assert_eq!(bare.code, PayoutFailure::Refused);
    assert_eq!(bare.provider_code.as_deref(), Some("400"));
    assert_eq!(
        refusal(&refused(StatusCode::INTERNAL_SERVER_ERROR, "PAYEE_NOT_FOUND")).code,
        PayoutFailure::RecipientNotFound
    );
    assert!(refuses_at_start("NOT_ENOUGH_FUNDS"));
    assert!(refuses_at_start("INVALID_CURRENCY"));
    assert!(!refuses_at_start("INTERNAL_PROCESSING_ERROR"));
    assert!(!refuses_at_start(""));
}

#[test]
fn a_failed_transfer_reads_its_reason_as_a_string_or_an_object() {
    let recipient = Msisdn::from_trusted("+2250700000001".to_owned());
    let order = order(&recipient);
    let word = result(serde_json::json!({
        "amount": "5.0", "currency": "XOF", "externalId": "po_1",
        "payee": {"partyIdType": "MSISDN", "partyId": "2250700000001"},
        "status": "FAILED", "reason": "NOT_ENOUGH_FUNDS"
    }));
    let object = result(serde_json::json!({
        "amount": "5", "currency": "XOF", "externalId": "po_1",
        "status": "FAILED", "reason": {"code": "PAYEE_NOT_FOUND", "message": "…"}
    }));
    match state_of(&word, &order).unwrap() {
        PayoutState::Failed { failure, reference } => {
            assert_eq!(failure.code, PayoutFailure::InsufficientFunds);
            assert_eq!(reference.as_deref(), Some(order.handle));
        }
        other => panic!("{other:?}"),
    }
    match state_of(&object, &order).unwrap() {
        PayoutState::Failed { failure, .. } => {
            assert_eq!(failure.code, PayoutFailure::RecipientNotFound)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_transfer_is_believed_only_when_it_is_the_orders() {
    let recipient = Msisdn::from_trusted("+2250700000001".to_owned());
    let order = order(&recipient);
    let succeeded = result(serde_json::json!({
        "amount": "5", "currency": "XOF", "externalId": "po_1",
        "financialTransactionId": "363440463", "status": "SUCCESSFUL"
    }));
    assert_eq!(
        state_of(&succeeded, &order).unwrap(),
        PayoutState::Succeeded {
            reference: Some("363440463".to_owned()),
            fee: None
        }
    );
    for (field, value) in [
        ("amount", serde_json::json!("6")),
        ("currency", serde_json::json!("XAF")),
        ("externalId", serde_json::json!("po_2")),
        ("payee", serde_json::json!({"partyId": "2250700000002"})),
    ] {
        let mut json = serde_json::json!({
            "amount": "5", "currency": "XOF", "externalId": "po_1", "status": "SUCCESSFUL"
        });
        json[field] = value;
        assert!(state_of(&result(json), &order).is_err(), "{field}");
    }
    for word in ["PENDING", "CREATED", "ONGOING"] {
        let pending = result(serde_json::json!({"status": word}));
        assert!(matches!(
            state_of(&pending, &order).unwrap(),
            PayoutState::Processing { .. }
        ));
    }
}

#[test]
fn texts_are_short_and_plain() {
    assert_eq!(text(None), "Paiement");
    assert_eq!(text(Some("  '!' ")), "Paiement");
    assert_eq!(text(Some("Prime d'été n°3")), "Prime d ete n 3");
    assert_eq!(text(Some(&"a".repeat(200))).chars().count(), 160);
}

#[test]
fn balances_are_whole_units() {
    assert_eq!(whole_units("200"), Some(200));
    assert_eq!(whole_units("200.75"), Some(200));
    assert_eq!(whole_units("-3.5"), Some(-3));
    assert_eq!(whole_units("abc"), None);
    assert_eq!(whole_units(""), None);
}
