use super::*;

#[test]
fn transaction_ids_look_like_oranges() {
    // 2026-09-09T10:02:41Z
    let id = new_transaction_id(1_788_948_161_000);
    assert!(id.starts_with("MP260909.1002."), "{id}");
    assert_eq!(id.len(), "MP260909.1002.A34169".len());
}

#[test]
fn amounts_may_carry_a_decimal_point_but_no_fraction() {
    let amount = |value: serde_json::Value| Amount {
        unit: "XOF".into(),
        value: serde_json::from_value(value).unwrap(),
    };
    assert_eq!(amount(json!(10)).whole(), Some(10));
    assert_eq!(amount(json!(10.0)).whole(), Some(10));
    assert_eq!(amount(json!(10.5)).whole(), None);
}
