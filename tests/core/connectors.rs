//! The payment core with a scripted connector in place of a sandbox one: what the core does with
//! a provider word it does not know, with a connector that fails inside, and how a database
//! constraint is told apart from another.

use async_trait::async_trait;
use dalal::clock::{ManualClock, SharedClock};
use dalal::config::Settings;
use dalal::db::{self, Constraint};
use dalal::domain::msisdn::Msisdn;
use dalal::domain::{
    AttemptStatus, Country, Currency, FailureCode, Money, PaymentStatus, ProviderCode,
};
use dalal::payments::gateways::GatewayTable;
use dalal::payments::{
    Attempt, Dialect, EventFormatter, MethodChoice, Mode, NewPayment, NewPaymentKind, Payment,
    PaymentError, Payments, Refund,
};
use dalal::providers::{
    AttemptRequest, PaymentProvider, ProviderError, ProviderRegistry, ProviderSession,
    ProviderStatus, AttemptOutcome, AttemptRef,
};
use std::sync::{Arc, Mutex};

/// An MTN MoMo connector whose answers the test writes.
struct Scripted {
    /// The status word `fetch_status` answers.
    word: Mutex<String>,
    /// When set, `initiate` fails inside with this text.
    broken: Option<&'static str>,
}

#[async_trait]
impl PaymentProvider for Scripted {
    fn code(&self) -> ProviderCode {
        ProviderCode::MtnMomo
    }

    async fn initiate(&self, _: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        if let Some(text) = self.broken {
            return Err(anyhow::anyhow!(text).into());
        }
        Ok(ProviderSession {
            reference: "mtn-scripted-1".into(),
            raw_status: "PENDING".into(),
            launch_url: None,
            deep_links: Default::default(),
            customer_asked: true,
        })
    }

    async fn fetch_status(&self, _: &AttemptRef<'_>) -> Result<ProviderStatus, ProviderError> {
        let raw = self.word.lock().unwrap().clone();
        Ok(ProviderStatus {
            outcome: match raw.as_str() {
                "PENDING" => AttemptOutcome::CustomerAsked,
                "SUCCESSFUL" => AttemptOutcome::Succeeded,
                "FAILED" => AttemptOutcome::Failed(FailureCode::Unknown.into()),
                _ => AttemptOutcome::Unrecognised,
            },
            raw_status: raw,
        })
    }
}

struct NoWebhooks;

impl EventFormatter for NoWebhooks {
    fn payment_data(
        &self,
        p: &Payment,
        _: Option<&Attempt>,
        _: &[Refund],
    ) -> anyhow::Result<serde_json::Value> {
        Ok(serde_json::json!({ "id": p.id.to_string() }))
    }

    fn refund_data(&self, _: &Payment, r: &Refund) -> anyhow::Result<serde_json::Value> {
        Ok(serde_json::json!({ "id": r.id }))
    }
}

struct Core {
    payments: Payments,
    pool: db::Pool,
    connector: Arc<Scripted>,
    _dir: tempfile::TempDir,
}

/// The core on a fresh database file, its MTN MoMo gateways served by `connector`.
async fn core(connector: Scripted) -> Core {
    let dir = tempfile::tempdir().unwrap();
    let settings: Settings = Settings::defaults()
        .unwrap()
        .set_override(
            "database.url",
            crate::helpers::database_url(dir.path()),
        )
        .unwrap()
        .build()
        .unwrap()
        .try_deserialize()
        .unwrap();
    let pool = db::connect(&settings.database).await.unwrap();
    db::migrate(&pool).await.unwrap();
    let clock: SharedClock = ManualClock::new();
    dalal::merchants::ensure_demo(&pool, &clock).await.unwrap();
    let routes = GatewayTable::new(&settings.routing.gateways).unwrap();
    let connector = Arc::new(connector);
    let registry = ProviderRegistry::new(
        routes.all().iter().map(|g| (g.id.as_str(), g.provider, g.via)),
        vec![connector.clone() as Arc<dyn PaymentProvider>],
        &[],
    );
    let payments = Payments::new(
        pool.clone(),
        clock,
        dalal::providers::Connectors {
            test: registry,
            live: ProviderRegistry::new([], Vec::new(), &[]),
        },
        std::sync::Arc::new(routes),
        settings.payments.clone(),
        Arc::new(NoWebhooks),
        "http://127.0.0.1:3000",
    );
    Core {
        payments,
        pool,
        connector,
        _dir: dir,
    }
}

/// A checkout payment in Côte d'Ivoire, its MTN MoMo method chosen.
async fn chosen(core: &Core) -> Result<(Payment, Attempt), PaymentError> {
    let new = NewPayment {
        dialect: Dialect::CaurisFlux,
        kind: NewPaymentKind::Checkout {
            country: Some(Country::Ci),
            phone: None,
        },
        amount: Money::new(5_000, Currency::Xof).unwrap(),
        external_reference: "SCRIPTED-1".into(),
        customer_name: None,
        customer_email: None,
        description: None,
        callback_url: None,
        return_url: None,
        cancel_url: None,
        metadata: None,
        expires_in_secs: None,
    };
    let (payment, _) = core
        .payments
        .create(dalal::merchants::DEMO_MERCHANT_ID, Mode::Test, new)
        .await
        .unwrap();
    let choice = MethodChoice {
        provider: ProviderCode::MtnMomo,
        country: Country::Ci,
        phone: Some(Msisdn::parse("+2250501234567", Country::Ci).unwrap()),
        one_time_code: None,
        card: None,
    };
    core.payments
        .choose_method(&payment.checkout_token, choice)
        .await
}

fn scripted(word: &str) -> Scripted {
    Scripted {
        word: Mutex::new(word.to_owned()),
        broken: None,
    }
}

#[tokio::test]
async fn a_provider_word_dalal_does_not_know_leaves_the_attempt_open() {
    let core = core(scripted("PENDING")).await;
    let (payment, attempt) = chosen(&core).await.unwrap();
    assert_eq!(attempt.status, AttemptStatus::AwaitingCustomer);

    // A word MTN might add one day for money that is still moving.
    *core.connector.word.lock().unwrap() = "ON_HOLD".into();
    core.payments.refresh_attempt(attempt.id.as_str()).await.unwrap();
    let (payment_now, attempt_now) = core
        .payments
        .find_by_token(&payment.checkout_token)
        .await
        .unwrap()
        .unwrap();
    let attempt_now = attempt_now.unwrap();
    assert_eq!(
        attempt_now.status,
        AttemptStatus::AwaitingCustomer,
        "still open"
    );
    assert_eq!(attempt_now.failure_code, None);
    assert_eq!(payment_now.status, PaymentStatus::Processing, "not failed");

    // The provider's next answer is one Dalal knows: it applies as usual.
    *core.connector.word.lock().unwrap() = "SUCCESSFUL".into();
    core.payments.refresh_attempt(attempt.id.as_str()).await.unwrap();
    let (paid, _) = core
        .payments
        .find_by_token(&payment.checkout_token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
}

#[tokio::test]
async fn a_connector_failing_inside_shows_nobody_its_cause() {
    let secret = "connection refused by 10.0.0.3:5432 (user=dalal password=hunter2)";
    let core = core(Scripted {
        word: Mutex::new(String::new()),
        broken: Some(secret),
    })
    .await;
    let err = chosen(&core).await.unwrap_err();
    assert!(matches!(err, PaymentError::Internal(_)), "{err:?}");
    for english in [false, true] {
        let text = err.customer_text(english);
        assert!(
            !text.contains("hunter2") && !text.contains("10.0.0.3"),
            "{text}"
        );
    }
    // The attempt keeps a failure code and a plain sentence, not the error's text.
    let attempts: Vec<(String, Option<String>, Option<String>)> =
        dalal::on!(&core.pool, |e| sqlx::query_as("SELECT status, failure_code, failure_message FROM payment_attempts")
            .fetch_all(e)
            .await)
            .unwrap();
    assert_eq!(attempts.len(), 1);
    let (status, code, message) = &attempts[0];
    assert_eq!(status, "failed");
    assert_eq!(code.as_deref(), Some(FailureCode::Internal.as_str()));
    let message = message.as_deref().unwrap();
    assert!(!message.contains("hunter2"), "{message}");
    assert_eq!(
        message,
        FailureCode::Internal.message_fr(ProviderCode::MtnMomo)
    );
}

#[tokio::test]
async fn unique_violations_are_told_apart_by_constraint() {
    let core = core(scripted("PENDING")).await;
    let (payment, attempt) = chosen(&core).await.unwrap();
    // A second open attempt for the payment: the race the customer is told about.
    assert_eq!(
        insert_open(&core.pool, payment.id.sequence(), "att_second").await,
        Some(Constraint::OneOpenAttemptPerPayment)
    );
    // Close the open one, then reuse its id: another constraint, which is a bug, not a race.
    db::attempts::abandon(&core.pool, attempt.id.as_str(), 1)
        .await
        .unwrap();
    assert_eq!(
        insert_open(&core.pool, payment.id.sequence(), attempt.id.as_str()).await,
        Some(Constraint::AttemptId)
    );
}

/// Inserts an open attempt; the constraint it violated (it must violate one).
async fn insert_open(pool: &db::Pool, payment_id: i64, id: &str) -> Option<Constraint> {
    let mut tx = pool.begin().await.unwrap();
    let err = db::attempts::insert_open(
        &mut tx,
        id,
        payment_id,
        ProviderCode::MtnMomo,
        db::attempts::Payer::default(),
        0,
    )
    .await
    .expect_err("the insert violates a constraint");
    db::violated_constraint(&err)
}
