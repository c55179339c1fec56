use super::super::Settings;
use super::*;

fn with(pairs: &[(&str, &str)]) -> Settings {
    let mut builder = Settings::defaults().unwrap();
    for (key, value) in pairs {
        builder = builder.set_override(*key, *value).unwrap();
    }
    builder.build().unwrap().try_deserialize().unwrap()
}

#[test]
fn provider_credentials_come_whole_and_never_print() {
    let mtn = [
        ("providers.mtn_momo.subscription_key", "sub-7f3a"),
        (
            "providers.mtn_momo.api_user",
            "0d7a2c4e-5b1f-4e8a-9c3d-7f6b2a1e4d90",
        ),
        ("providers.mtn_momo.api_key", "key-91bc"),
        ("providers.mtn_momo.target_environment", "mtnivorycoast"),
        ("providers.wave.api_key", "wave_sn_prod_Zk2q"),
        ("providers.wave.webhook_secret", "wave_sn_WHS_x8"),
    ];
    let orange = [
        ("providers.orange_money.client_id", "om-client-51d2"),
        ("providers.orange_money.client_secret", "om-secret-0c7e"),
        (
            "providers.orange_money.callback_api_key",
            "om-callback-9a1f",
        ),
        ("providers.orange_money.merchant_code", "159515"),
    ];
    let whole = with(&orange);
    whole.validate().unwrap();
    let credentials = whole.providers.orange_money.credentials().unwrap();
    assert_eq!(credentials.merchant_code, "159515");
    let printed = format!("{whole:?}");
    for (_, secret) in &orange[..3] {
        assert!(!printed.contains(secret), "{printed}");
    }
    let err = format!("{:#}", with(&orange[1..]).validate().unwrap_err());
    assert!(err.contains("providers.orange_money"), "{err}");
    assert!(
        with(&orange[..3])
            .providers
            .orange_money
            .credentials()
            .is_none()
    );
    assert_eq!(credentials.countries, vec![Country::Sn]);
    let mut elsewhere = orange.to_vec();
    elsewhere.push(("providers.orange_money.countries", "SN, XX"));
    let err = format!("{:#}", with(&elsewhere).validate().unwrap_err());
    assert!(err.contains("providers.orange_money.countries"), "{err}");
    let settings = with(&mtn);
    settings.validate().unwrap();
    let credentials = settings.providers.mtn_momo.credentials().unwrap();
    assert_eq!(credentials.target_environment, "mtnivorycoast");
    let printed = format!("{settings:?}");
    for (_, secret) in &mtn[..3] {
        assert!(!printed.contains(secret), "{printed}");
    }
    assert!(!printed.contains("wave_sn_prod_Zk2q") && !printed.contains("wave_sn_WHS_x8"));

    // Half a set is a mistake, named; an empty value is no value.
    let err = format!("{:#}", with(&mtn[1..]).validate().unwrap_err());
    assert!(err.contains("providers.mtn_momo"), "{err}");
    let err = format!("{:#}", with(&mtn[..5]).validate().unwrap_err());
    assert!(err.contains("providers.wave"), "{err}");
    let none = with(&[
        ("providers.wave.api_key", ""),
        ("providers.wave.webhook_secret", " "),
    ]);
    none.validate().unwrap();
    assert!(none.providers.wave.api_key.is_none());
    assert!(none.providers.mtn_momo.credentials().is_none());
}

#[test]
fn wave_has_a_wallet_per_country_and_the_main_key_serves_its_countries() {
    let main = [
        ("providers.wave.api_key", "wave_sn_prod_main"),
        ("providers.wave.webhook_secret", "wave_sn_WHS_main"),
    ];
    // The main wallet alone: Senegal by default.
    let wallets = with(&main).providers.wave.wallets().unwrap();
    assert_eq!(wallets.len(), 1);
    assert_eq!(wallets[0].countries, vec![Country::Sn]);
    assert!(wallets[0].main);
    // Given countries, and one more wallet for Côte d'Ivoire (lower case, as environment
    // variables arrive).
    let mut more = main.to_vec();
    more.extend([
        ("providers.wave.countries", "SN, ML"),
        ("providers.wave.wallets.ci.api_key", "wave_ci_prod_k"),
        ("providers.wave.wallets.ci.webhook_secret", "wave_ci_WHS_s"),
    ]);
    let settings = with(&more);
    settings.validate().unwrap();
    let wallets = settings.providers.wave.wallets().unwrap();
    assert_eq!(wallets[0].countries, vec![Country::Sn, Country::Ml]);
    assert_eq!(wallets[1].countries, vec![Country::Ci]);
    assert!(!wallets[1].main);
    assert!(!format!("{settings:?}").contains("wave_ci_prod_k"));
    // A wallet without its secret, a country twice, a country Dalal does not serve.
    let mut half = main.to_vec();
    half.push(("providers.wave.wallets.ci.api_key", "wave_ci_prod_k"));
    let err = format!("{:#}", with(&half).validate().unwrap_err());
    assert!(err.contains("providers.wave.wallets.ci"), "{err}");
    let mut twice = main.to_vec();
    twice.extend([
        ("providers.wave.wallets.sn.api_key", "k"),
        ("providers.wave.wallets.sn.webhook_secret", "s"),
    ]);
    let err = format!("{:#}", with(&twice).validate().unwrap_err());
    assert!(err.contains("already has a Wave wallet"), "{err}");
    let mut nowhere = main.to_vec();
    nowhere.push(("providers.wave.countries", "XX"));
    let err = format!("{:#}", with(&nowhere).validate().unwrap_err());
    assert!(err.contains("providers.wave.countries"), "{err}");
    // Restricting the payer's number is off unless asked for.
    assert!(!with(&main).providers.wave.restrict_payer_mobile);
}
