use super::*;
use rsa::RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;

/// "1234" under the public half by `openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:pkcs1`
/// (as Java's default `Cipher.getInstance("RSA")` pads), then base64.
const OPENSSL_PKCS1: &str = concat!(
    "dv4NDXm0jZPDPIZ/yF2Gp74x8jiXY55UWjZUHTBDw1n1yPqvFf9A868g1gko1UryJOHy6+Gxnk0SJUVvQbPq9RZo",
    "1eK9JPihghk7sQQw1wGN2qgXHVwJ0N06mQcjmjAcZpVPrEH3gPWhJclTM27pG2IohF5skdyZIoZa03mWDiYVE/mK",
    "poF5v9IZm1NpifpP3bytK5vZsez9f0wkF24B9XIBmj0G5zV88sK4BFhKhCwqOITlQPvw4fyWOneZeKQxS8itwReF",
    "L6C8k9H9NCxFIflIJEpXKM1wxoH+AtdNPBcL3JBplOOWS/QlJyBkiguxV4yywQprfld4sOKK8l4Cwg==",
);
/// The same with `rsa_padding_mode:oaep`: not Sonatel's padding.
const OPENSSL_OAEP: &str = concat!(
    "HtrSK4JtNgE4rWTkM0vETt47pAexfjfU3hyrNaql338R22zwulEZYTXThtM9yncg3LHABKq3k1Y9j2HF9pNMsiBZ",
    "sd8nitz/viHQIWs8wQSv/4J7OYH1BJFa5hddjSjNaY9dvUl7chv5PiaCFHkeRmvnopdEXrl5ZXkIlkeOdtSWeieg",
    "7RTGpDGMu9pXf1kjuBL/01GtgdOfXkWuyjLUjee1zWWDn2ymoAsYBjmCEEWy4lt9N21jjzQNOQMtNLsbTSMOZnvf",
    "EQP9G03erbc3FTogkgjAmNG5F+xYv2guq2k7wneomkWP5JatY01s2ge+I0zdKUM5ua78X3GvQLgTvQ==",
);

fn published() -> RsaPublicKey {
    RsaPublicKey::from_public_key_der(&STANDARD.decode(&keys().public).unwrap()).unwrap()
}

#[test]
fn the_published_key_is_the_bare_der_of_the_embedded_one() {
    assert_eq!(published(), keys().private.to_public_key());
    assert_eq!(published().size() * 8, KEY_SIZE as usize);
    assert!(!keys().public.contains("BEGIN"));
}

#[test]
fn a_pin_encrypted_with_the_public_half_decrypts() {
    let mut rng = rsa::rand_core::OsRng;
    let pin = RETAILER_PIN.as_bytes();
    let sealed = STANDARD.encode(published().encrypt(&mut rng, Pkcs1v15Encrypt, pin).unwrap());
    assert_eq!(decrypt_pin(&sealed).as_deref(), Some(RETAILER_PIN));
    assert_eq!(decrypt_pin(OPENSSL_PKCS1).as_deref(), Some("1234"));
    assert_eq!(decrypt_pin(OPENSSL_OAEP), None);
    assert_eq!(decrypt_pin("not base64!"), None);
    assert_eq!(decrypt_pin(&STANDARD.encode("1234")), None);
}

#[test]
fn three_wrong_pins_block_the_retailer_for_good() {
    let mut tries = 0;
    let (right, wrong) = (Some(RETAILER_PIN), Some("0000"));
    let answers = [
        (right, None),
        (None, Some("4004")),
        (wrong, Some("2011")),
        (right, None),
        (wrong, Some("2012")),
        (wrong, Some("2013")),
        (right, Some("2013")),
        (None, Some("2013")),
    ];
    for (pin, code) in answers {
        assert_eq!(pin_answer(&mut tries, pin).map(|a| a.0), code, "{pin:?}");
    }
    assert_eq!(tries, TRIES);
}

#[test]
fn customers_are_nine_national_digits() {
    assert!(national("771234567") && national(RETAILER_MSISDN));
    for number in ["221771234567", "77123456", "7712345678", "+77123456"] {
        assert!(!national(number), "{number}");
    }
}
