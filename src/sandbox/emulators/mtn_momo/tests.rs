use super::*;
use super::super::is_uuid_v4;

#[test]
fn reference_ids_must_be_uuids_of_version_4() {
    assert!(is_uuid_v4(&crate::random::uuid_v4()));
    assert!(is_uuid_v4(API_USER));
    assert!(!is_uuid_v4("att_123"));
    assert!(!is_uuid_v4("0d7a2c4e-5b1f-4e8a-9c3d-7f6b2a1e4d9"));
    // Version 1 and a wrong variant.
    assert!(!is_uuid_v4("0d7a2c4e-5b1f-1e8a-9c3d-7f6b2a1e4d90"));
    assert!(!is_uuid_v4("0d7a2c4e-5b1f-4e8a-7c3d-7f6b2a1e4d90"));
}

#[test]
fn amounts_are_strings_of_whole_units() {
    assert_eq!(whole_amount("100"), Some(100));
    assert_eq!(whole_amount("5.0"), Some(5));
    for refused in ["5.5", "", "-1", "0", "1e3", "abc"] {
        assert_eq!(whole_amount(refused), None, "{refused:?}");
    }
}
