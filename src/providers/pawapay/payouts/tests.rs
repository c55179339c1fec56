use super::*;
use crate::domain::msisdn::Msisdn;
use crate::domain::{Currency, Money};

#[test]
fn pawapay_failure_codes_read_as_dalal_words() {
    let code = |c: &str| failure(c).map(|f| f.code);
    assert_eq!(code("PAWAPAY_WALLET_OUT_OF_FUNDS"), Some(PayoutFailure::InsufficientFunds));
    assert_eq!(code("RECIPIENT_NOT_FOUND"), Some(PayoutFailure::RecipientNotFound));
    assert_eq!(code("WALLET_LIMIT_REACHED"), Some(PayoutFailure::RecipientLimit));
    assert_eq!(code("MANUALLY_CANCELLED"), Some(PayoutFailure::CancelledByProvider));
    assert_eq!(code("OTHER_ERROR"), Some(PayoutFailure::Unknown));
    let refused = failure("PAYOUTS_NOT_ALLOWED").unwrap();
    assert_eq!(refused.code, PayoutFailure::Refused);
    assert_eq!(refused.provider_code.as_deref(), Some("PAYOUTS_NOT_ALLOWED"));
    // Not a failure: the payout is read again.
    assert_eq!(failure("UNKNOWN_ERROR"), None);
    assert_eq!(ended(None, PayoutFailure::Unknown).map(|f| f.code), Some(PayoutFailure::Unknown));
    assert_eq!(ended(Some(""), PayoutFailure::Refused).map(|f| f.code), Some(PayoutFailure::Refused));
}

#[test]
fn the_customer_message_is_made_valid_or_left_out() {
    let message = customer_message;
    assert_eq!(message("Prime de fin d'année").as_deref(), Some("Prime de fin d annee"));
    assert_eq!(message("Remboursement commande n°1234").as_deref(), Some("Remboursement commande"));
    assert_eq!(message("  Salaire   MARS-2026 ").as_deref(), Some("Salaire MARS 2026"));
    assert_eq!(message("Anticonstitutionnellement!").as_deref(), Some("Anticonstitutionnellem"));
    assert_eq!(message("Œuvre été — payé").as_deref(), Some("OEuvre ete paye"));
    assert_eq!(message("Ça"), None);
    assert_eq!(message("!!! ---"), None);
    for reason in ["x".repeat(80), "a b c d e f g h i j k l".into(), "Noël à Saint-Louis".into()] {
        let m = message(&reason).unwrap();
        assert!((MESSAGE_MIN..=MESSAGE_MAX).contains(&m.len()), "{m:?}");
        assert!(m.chars().all(|c| c.is_ascii_alphanumeric() || c == ' '), "{m:?}");
    }
}

#[test]
fn a_payout_is_believed_only_when_it_is_the_orders() {
    let recipient = Msisdn::from_trusted("+221763456789".into());
    let order = PayoutOrder {
        payout_id: "po_1",
        handle: "8917c345-4791-4285-a416-62f24b6982db",
        amount: Money::new(5000, Currency::Xof).unwrap(),
        country: Country::Sn,
        recipient: &recipient,
        recipient_name: None,
        reason: None,
        reference: None,
        sent_at_ms: 0,
    };
    let state = |status: &str, amount: &str, code: Option<&str>| {
        let data: PayoutData = serde_json::from_value(serde_json::json!({
            "payoutId": order.handle, "status": status, "amount": amount, "currency": "XOF",
            "recipient": {"type": "MMO", "accountDetails": {"phoneNUmber": "221763456789", "provider": "FREE_SEN"}},
            "providerTransactionId": "FS-1", "failureReason": code.map(|c| serde_json::json!({"failureCode": c})),
        }))
        .unwrap();
        state_of(&data, &order)
    };
    let done = state("COMPLETED", "5000.00", None).unwrap();
    assert_eq!(done, PayoutState::Succeeded { reference: Some("FS-1".into()), fee: None });
    let failed = state("FAILED", "5000", Some("RECIPIENT_NOT_FOUND")).unwrap();
    assert!(matches!(failed, PayoutState::Failed { failure, .. } if failure.code == PayoutFailure::RecipientNotFound));
    for (status, code) in [("ENQUEUED", None), ("FAILED", Some("UNKNOWN_ERROR")), ("PAUSED", None)] {
        assert!(matches!(state(status, "5000", code).unwrap(), PayoutState::Processing { .. }));
    }
    assert!(state("COMPLETED", "500", None).is_err());
}

#[test]
fn balances_keep_whole_units_and_callbacks_name_payouts() {
    assert_eq!(whole_units("21798.03"), Some(21798));
    assert_eq!(whole_units("-12.9"), Some(-12));
    assert_eq!(whole_units("1e3"), None);
    let payout = br#"{"payoutId": "8917c345-4791-4285-a416-62f24b6982db", "status": "COMPLETED"}"#;
    assert_eq!(callback_payout_id(payout).as_deref(), Some("8917c345-4791-4285-a416-62f24b6982db"));
    assert_eq!(callback_payout_id(br#"{"payoutId": "x", "depositId": "y"}"#), None);
    assert_eq!(callback_payout_id(br#"{"depositId": "y", "status": "COMPLETED"}"#), None);
}
