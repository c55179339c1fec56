use super::*;

#[test]
fn amounts_are_compared_as_numbers() {
    assert_eq!(whole_amount("1000"), Some(1000));
    assert_eq!(whole_amount("5.0"), Some(5));
    assert_eq!(whole_amount("5.00"), Some(5));
    assert_eq!(whole_amount("5.5"), None);
    assert_eq!(whole_amount("abc"), None);
}
