use super::*;

fn ending(
    phone: &str,
    filed: PayoutScenario,
) -> Option<(TransferStatus, Option<&'static str>)> {
    final_state(&EmulatedPayout {
        id: "ref".to_owned(),
        provider: PROVIDER.to_owned(),
        account: DISBURSEMENT_API_USER.to_owned(),
        handle: "ref".to_owned(),
        request: String::new(),
        amount: 1_000,
        currency: "XOF".to_owned(),
        phone: phone.to_owned(),
        fee: 0,
        scenario: filed,
        created_at: 0,
    })
}

#[test]
fn texts_are_short_and_plain() {
    assert!(plain_text("Paiement commande 42, merci!") && plain_text("Remboursement é-à_1"));
    assert!(plain_text(&"a".repeat(160)) && !plain_text(&"a".repeat(161)));
    for refused in ["l'achat", "a\"b", "<b>", "50%", "a;b", "a&b"] {
        assert!(!plain_text(refused), "{refused:?}");
    }
}

#[test]
fn amounts_are_strings_or_numbers() {
    let read = |amount: &str| {
        let payee = r#"{"partyIdType": "MSISDN", "partyId": "2250700000000"}"#;
        let body = format!(r#"{{"amount": {amount}, "currency": "XOF", "payee": {payee}}}"#);
        serde_json::from_str::<TransferBody>(&body).ok().map(|b| b.amount)
    };
    assert_eq!(read(r#""1000""#).as_deref(), Some("1000"));
    assert_eq!(read("1000").as_deref(), Some("1000"));
    assert_eq!(read("5.0").and_then(|a| whole_amount(&a)), Some(5));
    assert_eq!(read("true"), None);
}

#[test]
fn payees_end_in_mtn_words() {
    for (number, reason, filed) in SANDBOX_PAYEES {
        assert!(!spends(filed), "{number}");
        assert_eq!(ending(number, filed), Some((TransferStatus::Failed, Some(reason))));
    }
    let dalal = |phone: &str| ending(phone, PayoutScenario::for_phone(phone));
    let failed = |reason| Some((TransferStatus::Failed, Some(reason)));
    assert_eq!(dalal("2250700000001"), failed("NOT_ENOUGH_FUNDS"));
    assert_eq!(dalal("2250700000002"), failed("PAYEE_NOT_FOUND"));
    assert_eq!(dalal("2250700000003"), None);
    assert_eq!(dalal("2250700000005"), Some((TransferStatus::Successful, None)));
    assert_eq!(dalal("2250700000006"), failed("NOT_ENOUGH_FUNDS"));
    assert_eq!(dalal("2250700000007"), failed("PAYEE_NOT_ALLOWED_TO_RECEIVE"));
    assert_eq!(dalal("2250700000000"), Some((TransferStatus::Successful, None)));
    assert_eq!(serde_json::json!(TransferStatus::Successful), "SUCCESSFUL");
}
