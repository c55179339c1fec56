//! Public client libraries of the providers' APIs — written by others, installed from the npm and
//! PyPI registries by `.ci/setup --test` — run unchanged against Dalal's emulators: the emulator
//! serves what real clients send and read, not only Dalal's own connector.

use crate::helpers::*;
use dalal::sandbox::emulators::mtn_momo as mtn;

/// Runs a client script against the app's MTN MoMo emulator (on a thread of its own: the app
/// serves on this one); its output, when it passed.
async fn run_client(app: &TestApp, program: &str, script: &str) -> String {
    let base = format!("{}/sandbox/providers/mtn-momo", app.address);
    let (program, script) = (program.to_owned(), script.to_owned());
    tokio::task::spawn_blocking(move || run_blocking(&base, &program, &script))
        .await
        .unwrap()
}

fn run_blocking(base: &str, program: &str, script: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    let output = std::process::Command::new(program)
        .arg(script)
        .current_dir(&dir)
        .env("MTN_MOMO_BASE_URL", base)
        .env("MTN_MOMO_SUBSCRIPTION_KEY", mtn::SUBSCRIPTION_KEY)
        .env("MTN_MOMO_API_USER", mtn::API_USER)
        .env("MTN_MOMO_API_KEY", mtn::API_KEY)
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .unwrap_or_else(|e| panic!("{program} {script}: {e} (run .ci/setup --test)"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{program} {script} failed:\n{text}"
    );
    assert!(text.contains("client: every call passed"), "{text}");
    text
}

#[tokio::test]
async fn the_npm_mtn_momo_client_runs_unchanged_against_the_emulator() {
    // The sandbox customer answers at once: the client polls by the wall clock.
    let app = spawn_app_with(&[("sandbox.answer_delay_ms", "0")]).await;
    let text = run_client(&app, "node", "mtn-momo.js").await;
    assert!(text.contains("SUCCESSFUL"), "{text}");
}

#[tokio::test]
async fn the_pypi_mtn_momo_client_runs_unchanged_against_the_emulator() {
    let app = spawn_app_with(&[("sandbox.answer_delay_ms", "0")]).await;
    let python = format!(
        "{}/.cache/dalal/tools/venv/bin/python",
        std::env::var("HOME").unwrap()
    );
    let text = run_client(&app, &python, "mtn_momo_client.py").await;
    assert!(text.contains("SUCCESSFUL"), "{text}");
}
