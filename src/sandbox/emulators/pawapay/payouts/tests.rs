use super::*;

fn covered(code: &str) -> &'static Covered {
    COVERED.iter().find(|c| c.code == code).expect("a covered provider")
}

#[test]
fn pawapays_test_numbers_come_first() {
    let (ben, bfa) = (covered("MTN_MOMO_BEN"), covered("MOOV_BFA"));
    assert_eq!(test_scenario(ben, "22951345089"), Some(PayoutScenario::RecipientNotFound));
    assert_eq!(test_scenario(ben, "22951345119"), Some(PayoutScenario::RecipientBlocked));
    assert_eq!(test_scenario(ben, "22951345129"), Some(PayoutScenario::Stuck));
    assert_eq!(test_scenario(ben, "22951345789"), Some(PayoutScenario::Success));
    assert_eq!(test_scenario(bfa, "22602345118"), Some(PayoutScenario::RecipientBlocked));
    assert_eq!(test_scenario(bfa, "22602345089"), None, "Burkina's numbers end in 8");
    assert_eq!(test_scenario(covered("FREE_SEN"), "221763456701"), None);
}

#[test]
fn a_payout_is_accepted_until_the_answer_delay() {
    assert_eq!(shown(PayoutScenario::Success, 999, 1_000), Shown::Accepted);
    assert_eq!(shown(PayoutScenario::Success, 1_000, 1_000), Shown::Completed);
    assert_eq!(shown(PayoutScenario::Stuck, 60_000, 1_000), Shown::Processing);
    let limit = shown(PayoutScenario::RecipientLimit, 1_000, 1_000);
    assert_eq!(limit, Shown::Failed("WALLET_LIMIT_REACHED"));
}

#[test]
fn numbers_are_digits_with_the_country_code() {
    let sen = covered("ORANGE_SEN");
    assert!(valid_phone(sen, "221773456789"));
    for bad in ["+221773456789", "773456789", "22177345678", "221 773456789", "225773456789"] {
        assert!(!valid_phone(sen, bad), "{bad}");
    }
    assert_eq!(bounds(sen), (1, 200_000));
}

#[test]
fn unknown_fields_are_refused_at_every_level() {
    let code = |recipient: Value, extra: Option<(&str, Value)>| {
        let mut request = json!({
            "payoutId": "6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b", "amount": "1000",
            "currency": "XOF", "recipient": recipient,
        });
        if let Some((key, value)) = extra {
            request[key] = value;
        }
        read(request.as_object().expect("an object")).err().map(|(code, _)| code)
    };
    let details = json!({"phoneNumber": "221773456789", "provider": "ORANGE_SEN"});
    assert_eq!(code(json!({"type": "MMO", "accountDetails": details}), None), None);
    let mmo = json!({"type": "MMO", "accountDetails": details});
    assert_eq!(code(mmo, Some(("payer", json!({})))), Some("UNSUPPORTED_PARAMETER"));
    let named = json!({"type": "MMO", "name": "A", "accountDetails": details});
    assert_eq!(code(named, None), Some("UNSUPPORTED_PARAMETER"));
    let deeper = json!({"type": "MMO", "accountDetails": {"phoneNumber": "1", "provider": "X", "country": "SEN"}});
    assert_eq!(code(deeper, None), Some("UNSUPPORTED_PARAMETER"));
    let no_provider = json!({"type": "MMO", "accountDetails": {"phoneNumber": "1"}});
    assert_eq!(code(no_provider, None), Some("MISSING_PARAMETER"));
    let bank = json!({"type": "BANK", "accountDetails": details});
    assert_eq!(code(bank, None), Some("INVALID_PARAMETER"));
    let message = Some(("customerMessage", json!("n°12")));
    assert_eq!(code(json!({"type": "MMO", "accountDetails": details}), message), Some("INVALID_PARAMETER"));
}
