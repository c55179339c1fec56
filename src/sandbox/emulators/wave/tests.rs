use super::*;

#[test]
fn return_urls_are_https_except_on_this_machine() {
    assert!(acceptable_return_url("https://shop.example/pay/1"));
    assert!(acceptable_return_url("http://127.0.0.1:3000/pay/1"));
    assert!(acceptable_return_url("http://localhost/pay/1"));
    assert!(acceptable_return_url("http://[::1]:8080/pay/1"));
    assert!(!acceptable_return_url("http://shop.example/pay/1"));
    assert!(!acceptable_return_url("ftp://shop.example/pay/1"));
    assert!(!acceptable_return_url("/pay/1"));
}

#[test]
fn amounts_are_whole_xof_strings() {
    assert_eq!(whole_xof("1000"), Some(1000));
    for refused in ["1000.50", "1000.0", "-5", "0", "012", "", "1e3", " 100"] {
        assert_eq!(whole_xof(refused), None, "{refused:?}");
    }
}
