use super::*;

#[test]
fn only_sonatels_business_codes_reach_the_customer() {
    assert!(is_business_code(StatusCode::BAD_REQUEST, "2020"));
    assert!(is_business_code(StatusCode::NOT_FOUND, "60"));
    // An HTTP status as a code, a word, no code, or a status that is not a refusal.
    assert!(!is_business_code(StatusCode::BAD_REQUEST, "400"));
    assert!(!is_business_code(StatusCode::UNSUPPORTED_MEDIA_TYPE, "415"));
    assert!(!is_business_code(StatusCode::UNAUTHORIZED, "2020"));
    assert!(!is_business_code(StatusCode::BAD_REQUEST, "OTP_INVALID"));
    assert!(!is_business_code(StatusCode::BAD_REQUEST, ""));
}
