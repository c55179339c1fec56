//! `dalal check-providers`, the real binary, against live credentials pointing at a running
//! Dalal's emulators: what works says so, and each way of being wrong (a key, an environment, a
//! secret, an http public URL) is named in plain words. Nothing moves money.

use crate::helpers::*;
use dalal::sandbox::emulators::{mtn_momo as mtn, orange_money as orange, pawapay, wave};

/// Runs `dalal check-providers` with these variables; its exit success and output.
async fn check_providers(vars: Vec<(String, String)>) -> (bool, String) {
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_dalal"))
            .arg("check-providers")
            .current_dir(dir.path())
            .envs(vars)
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    })
    .await
    .unwrap()
}

/// Live credentials for every provider, pointing at `app`'s emulators.
fn emulated_credentials(app: &TestApp) -> Vec<(String, String)> {
    let base = |path: &str| format!("{}/sandbox/providers/{path}", app.address);
    [
        ("DALAL__SERVER__PUBLIC_URL", app.address.clone()),
        (
            "DALAL__PROVIDERS__WAVE__API_KEY",
            wave::WALLETS[0].1.to_owned(),
        ),
        (
            "DALAL__PROVIDERS__WAVE__WEBHOOK_SECRET",
            "wave_sn_WHS_live".to_owned(),
        ),
        ("DALAL__PROVIDERS__WAVE__BASE_URL", base("wave")),
        (
            "DALAL__PROVIDERS__MTN_MOMO__SUBSCRIPTION_KEY",
            mtn::SUBSCRIPTION_KEY.to_owned(),
        ),
        (
            "DALAL__PROVIDERS__MTN_MOMO__API_USER",
            mtn::API_USER.to_owned(),
        ),
        (
            "DALAL__PROVIDERS__MTN_MOMO__API_KEY",
            mtn::API_KEY.to_owned(),
        ),
        (
            "DALAL__PROVIDERS__MTN_MOMO__TARGET_ENVIRONMENT",
            "mtnivorycoast".to_owned(),
        ),
        ("DALAL__PROVIDERS__MTN_MOMO__BASE_URL", base("mtn-momo")),
        (
            "DALAL__PROVIDERS__MTN_MOMO__DISBURSEMENT_SUBSCRIPTION_KEY",
            mtn::disbursement::DISBURSEMENT_SUBSCRIPTION_KEY.to_owned(),
        ),
        (
            "DALAL__PROVIDERS__MTN_MOMO__DISBURSEMENT_API_USER",
            mtn::disbursement::DISBURSEMENT_API_USER.to_owned(),
        ),
        (
            "DALAL__PROVIDERS__MTN_MOMO__DISBURSEMENT_API_KEY",
            mtn::disbursement::DISBURSEMENT_API_KEY.to_owned(),
        ),
        (
            "DALAL__PROVIDERS__ORANGE_MONEY__CLIENT_ID",
            orange::CLIENT_ID.to_owned(),
        ),
        (
            "DALAL__PROVIDERS__ORANGE_MONEY__CLIENT_SECRET",
            orange::CLIENT_SECRET.to_owned(),
        ),
        (
            "DALAL__PROVIDERS__ORANGE_MONEY__MERCHANT_CODE",
            orange::MERCHANT_CODE.to_owned(),
        ),
        (
            "DALAL__PROVIDERS__ORANGE_MONEY__CALLBACK_API_KEY",
            "om_live_key".to_owned(),
        ),
        (
            "DALAL__PROVIDERS__ORANGE_MONEY__BASE_URL",
            base("orange-money"),
        ),
        (
            "DALAL__PROVIDERS__PAWAPAY__API_TOKEN",
            pawapay::API_TOKEN.to_owned(),
        ),
        ("DALAL__PROVIDERS__PAWAPAY__BASE_URL", base("pawapay")),
        (
            "DALAL__PROVIDERS__PAWAPAY__SIGNED_CALLBACKS",
            "true".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn with(mut vars: Vec<(String, String)>, key: &str, value: &str) -> Vec<(String, String)> {
    vars.retain(|(k, _)| k != key);
    vars.push((key.to_owned(), value.to_owned()));
    vars
}

#[tokio::test]
async fn check_providers_says_what_works_and_what_does_not_in_plain_words() {
    let app = spawn_app().await;
    let good = emulated_credentials(&app);
    let (passed, text) = check_providers(good.clone()).await;
    for line in [
        "ok   Wave, wallet SN: API key",
        "ok   MTN MoMo: API user and subscription key",
        "ok   MTN MoMo, environment mtnivorycoast (CI): balance 0 XOF",
        "ok   MTN MoMo: Disbursement credentials (refunds): MTN issued a Disbursement token",
        "ok   Orange Money: client id and secret",
        "ok   Orange Money: transactions search",
        "ok   pawaPay, Free Money: API token: pawaPay takes the token; deposits: FREE_SEN (OPERATIONAL)",
        "ok   pawaPay, Moov Money: API token: pawaPay takes the token; deposits: MOOV_BFA (OPERATIONAL), MOOV_BEN (OPERATIONAL)",
        "ok   pawaPay, MTN MoMo: API token",
        "ok   pawaPay: signed callbacks: the account signs its callbacks; unsigned ones are refused",
        // What an http public URL breaks: Wave's return URLs and both providers' callbacks.
        "FAIL Dalal: server.public_url",
        "FAIL MTN MoMo: callback URL",
        "is not https: register an https URL",
    ] {
        assert!(text.contains(line), "{line:?} in:\n{text}");
    }
    assert!(text.contains("3 failing"), "{text}");
    assert!(!passed);
    assert!(
        !text.contains(mtn::API_KEY) && !text.contains(orange::CLIENT_SECRET),
        "{text}"
    );

    // Each way of being wrong, named.
    let wrong = with(
        good.clone(),
        "DALAL__PROVIDERS__WAVE__API_KEY",
        "wave_sn_prod_not_a_key",
    );
    let wrong = with(
        wrong,
        "DALAL__PROVIDERS__MTN_MOMO__TARGET_ENVIRONMENT",
        "mtnghana",
    );
    let wrong = with(wrong, "DALAL__PROVIDERS__MTN_MOMO__COUNTRY", "CI");
    let wrong = with(
        wrong,
        "DALAL__PROVIDERS__ORANGE_MONEY__CLIENT_SECRET",
        "wrong",
    );
    let wrong = with(wrong, "DALAL__PROVIDERS__PAWAPAY__API_TOKEN", "pawapay_not_a_token");
    let wrong = with(wrong, "DALAL__SERVER__PUBLIC_URL", "https://pay.example.sn");
    let (passed, text) = check_providers(wrong).await;
    assert!(!passed);
    for line in [
        "FAIL Wave, wallet SN: API key: Wave refused the credentials (no-matching-api-key)",
        "FAIL MTN MoMo, environment mtnghana (CI): MTN does not allow this API user in this environment",
        "FAIL Orange Money: client id and secret: Orange Money refused Dalal's credentials",
        "ok   Dalal: server.public_url: https://pay.example.sn",
        "FAIL pawaPay, Free Money: API token: pawaPay refused the API token (AUTHENTICATION_ERROR)",
    ] {
        assert!(text.contains(line), "{line:?} in:\n{text}");
    }
    // The callback Orange has is not this Dalal's: said so (with good credentials).
    let elsewhere = with(good, "DALAL__SERVER__PUBLIC_URL", "https://pay.example.sn");
    let (_, text) = check_providers(elsewhere).await;
    assert!(
        text.contains("FAIL Orange Money: callback: Orange calls back")
            && text.contains("not Dalal's https://pay.example.sn/hooks/orange-money"),
        "{text}"
    );
    assert!(!text.contains("FAIL MTN MoMo: callback URL"), "{text}");
    assert!(text.contains("ok   Dalal: server.public_url"), "{text}");
}
