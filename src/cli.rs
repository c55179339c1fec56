//! The `dalal` command: `dalal` (or `dalal serve`) runs the server; the other commands manage
//! merchants (keys, webhook endpoint and secret).

use crate::clock::{SharedClock, SystemClock};
use crate::config::Settings;
use crate::providers::Check;
use crate::startup::{self, Application};
use crate::{accounts, db, merchants, telemetry};
use std::sync::Arc;

const USAGE: &str = "usage:
  dalal [serve]                 run Dalal (settings: dalal.toml, DALAL__* variables, DATABASE_URL)
  dalal create-merchant NAME    create a merchant and print its API keys (shown once)
  dalal set-webhook-url MERCHANT_ID URL   where the merchant's webhooks go when a payment has
                                no callback URL of its own (`-` removes it)
  dalal rotate-webhook-secret MERCHANT_ID   new webhook secret; the old one signs 24 h more
  dalal create-user MERCHANT_ID EMAIL [--password-stdin]
                                a dashboard user of the merchant; prints a one-time password,
                                or reads the password from standard input
  dalal set-password EMAIL      a dashboard user's new password, read from standard input
  dalal check-providers         try each configured live provider without moving money (a token,
                                a balance, a read of an unknown reference) and say what works";

pub async fn run(args: Vec<String>) -> anyhow::Result<()> {
    telemetry::init();
    let settings = Settings::load()?;
    let clock: SharedClock = Arc::new(SystemClock);
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => serve(settings, clock).await,
        ["create-merchant", name @ ..] if !name.is_empty() => {
            create_merchant(settings, clock, &name.join(" ")).await
        }
        ["set-webhook-url", merchant_id, url] => {
            let pool = db::connect(&settings.database).await?;
            db::migrate(&pool).await?;
            let url = match *url {
                "-" => None,
                url => Some(
                    crate::domain::url::HttpUrl::parse("URL", url)
                        .map_err(|e| anyhow::anyhow!("{e}"))?,
                ),
            };
            let url = url.as_ref().map(|u| u.as_str());
            anyhow::ensure!(
                db::merchants::set_webhook_url(&pool, merchant_id, url).await?,
                "no merchant has the id {merchant_id}"
            );
            match url {
                Some(url) => println!(
                    "Webhooks of {merchant_id} now go to {url} (unless a payment names its own callback URL)."
                ),
                None => println!("{merchant_id} has no default webhook endpoint any more."),
            }
            Ok(())
        }
        ["rotate-webhook-secret", merchant_id] => {
            let pool = db::connect(&settings.database).await?;
            db::migrate(&pool).await?;
            let secret =
                merchants::rotate_webhook_secret(&pool, &clock, merchant_id, 24 * 3_600_000)
                    .await?;
            println!(
                "New webhook signing secret (the old one keeps signing for 24 hours): {}",
                secret.expose()
            );
            Ok(())
        }
        ["create-user", merchant_id, email, rest @ ..]
            if rest.is_empty() || rest == ["--password-stdin"] =>
        {
            let pool = db::connect(&settings.database).await?;
            db::migrate(&pool).await?;
            let (password, printed) = if rest.is_empty() {
                (crate::random::alphanumeric(16), true)
            } else {
                (read_password()?, false)
            };
            let user = accounts::create_user(&pool, &clock, merchant_id, email, &password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Dashboard user {} created for {} ({}).",
                user.email, user.merchant_name, user.merchant_id
            );
            if printed {
                println!(
                    "  one-time password: {password}
  (shown once; change it with: dalal set-password {})",
                    user.email
                );
            }
            Ok(())
        }
        ["set-password", email] => {
            let pool = db::connect(&settings.database).await?;
            db::migrate(&pool).await?;
            let password = read_password()?;
            accounts::set_password(&pool, email, &password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("New password set for {email}; its account is unlocked.");
            Ok(())
        }
        ["check-providers"] => check_providers(settings, clock).await,
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

async fn serve(settings: Settings, clock: SharedClock) -> anyhow::Result<()> {
    let app = Application::build(settings, clock).await?;
    println!(
        "\nDalal is ready on {url}\n  demo shop:      {url}/\n  merchant API:   {url}/api/v1/payments/initiate\n  demo test keys: X-API-Key: {pk}:{sk}\n  dashboard:      {url}/dashboard  ({email} / {password})\n",
        url = app.state().public_url,
        pk = merchants::DEMO_PUBLIC_KEY,
        sk = merchants::DEMO_SECRET_KEY,
        email = accounts::DEMO_EMAIL,
        password = accounts::DEMO_PASSWORD,
    );
    app.run(shutdown_signal()).await
}

async fn create_merchant(settings: Settings, clock: SharedClock, name: &str) -> anyhow::Result<()> {
    let pool = db::connect(&settings.database).await?;
    db::migrate(&pool).await?;
    let (id, keys, webhook_secret) = merchants::create(&pool, &clock, name).await?;
    println!("Merchant {id} « {name} » created. Keep these keys: the secrets are not shown again.");
    for k in keys {
        println!(
            "  {:<4} X-API-Key: {}:{}",
            k.mode.as_str(),
            k.public_key,
            k.secret_key.expose()
        );
    }
    println!("  webhook signing secret: {}", webhook_secret.expose());
    println!(
        "  webhook endpoint: none yet. Payments without a callback URL notify nobody until you run\n    dalal set-webhook-url {id} https://your-site.example/webhooks/dalal"
    );
    Ok(())
}

/// `dalal check-providers`: every live connector tries its credentials without moving money;
/// one line per check, then what to fix. Exits with an error when anything fails.
async fn check_providers(settings: Settings, clock: SharedClock) -> anyhow::Result<()> {
    let public_url = settings.server.public_url.trim_end_matches('/').to_owned();
    let mut checks = Vec::new();
    let what = "Dalal: server.public_url";
    checks.push(match public_url.as_str() {
        "" => Check::fails(what, "not set: providers need Dalal's public https address for return URLs and callbacks"),
        url if !url.starts_with("https://") => Check::fails(
            what,
            format!("{url} is not https: Wave refuses http return URLs, and providers call back https only"),
        ),
        url => Check::works(what, url.to_owned()),
    });
    let connectors = startup::live_connectors(&settings, &clock, &public_url)?;
    if let Some(mtn) = settings.providers.mtn_momo.credentials() {
        let known = mtn.country.is_some()
            || crate::providers::mtn_momo::Environment::country_of(&mtn.target_environment)
                .is_some();
        if !known {
            checks.push(Check::fails(
                "MTN MoMo: target environment",
                format!(
                    "{} is no country's environment, so MTN MoMo is not offered live: set providers.mtn_momo.country (the sandbox environment takes EUR only)",
                    mtn.target_environment
                ),
            ));
        }
    }
    if connectors.is_empty() {
        println!("No live provider is configured (README, \"Going live\").");
    }
    for connector in &connectors {
        // Connectors sharing an account (pawaPay's) may check the same thing: said once.
        for check in connector.check().await {
            if !checks.contains(&check) {
                checks.push(check);
            }
        }
    }
    let failed = checks.iter().filter(|c| !c.works).count();
    for check in &checks {
        let mark = if check.works { "ok  " } else { "FAIL" };
        println!("{mark} {}: {}", check.what, check.says);
    }
    println!(
        "\n{} checks, {} working, {failed} failing.",
        checks.len(),
        checks.len() - failed
    );
    anyhow::ensure!(failed == 0, "{failed} provider checks failed");
    Ok(())
}

/// The first line of standard input, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
