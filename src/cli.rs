//! The `dalal` command: `dalal` (or `dalal serve`) runs the server; `dalal create-merchant NAME`
//! creates a merchant and prints its keys once.

use crate::clock::{SharedClock, SystemClock};
use crate::config::Settings;
use crate::server::Application;
use crate::{db, merchants, telemetry};
use std::sync::Arc;

const USAGE: &str = "usage:
  dalal [serve]                 run Dalal (settings: dalal.toml, DALAL__* variables, DATABASE_URL)
  dalal create-merchant NAME    create a merchant and print its API keys (shown once)
  dalal rotate-webhook-secret MERCHANT_ID   new webhook secret; the old one signs 24 h more";

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
        "\nDalal is ready on {url}\n  demo shop:      {url}/\n  merchant API:   {url}/api/v1/payments/initiate\n  demo test keys: X-API-Key: {pk}:{sk}\n",
        url = app.state().public_url,
        pk = merchants::DEMO_PUBLIC_KEY,
        sk = merchants::DEMO_SECRET_KEY,
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
    Ok(())
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
