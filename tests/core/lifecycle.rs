//! In-process tests of `lifecycle`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::*;
use dalal::domain::msisdn::Msisdn;
use dalal::domain::{Country, FailureCode, PaymentStatus, ProviderCode};
use dalal::payments::{Conflict, MethodChoice, PaymentError};
use crate::lifecycle::checkout_in;

/// The sandbox's default answer delay (config `sandbox.answer_delay_ms`).
const ANSWER_DELAY_MS: i64 = 4_000;

#[tokio::test]
async fn an_mtn_push_succeeds_after_the_customer_confirms() {
    let app = spawn_app().await;
    let (id, token) = checkout_in(&app, "CI", 5000).await;
    let (payment, attempt) = app
        .state
        .payments
        .choose_method(
            &token,
            choice(ProviderCode::MtnMomo, Country::Ci, Some("+2250501234567")),
        )
        .await
        .unwrap();
    assert_eq!(payment.status, PaymentStatus::Processing);
    assert_eq!(attempt.provider_status.as_deref(), Some("PENDING"));
    assert_eq!(app.get_payment(&id).await["status"], "processing");

    app.customer_answers(ANSWER_DELAY_MS - 1_000).await;
    assert_eq!(
        app.get_payment(&id).await["status"],
        "processing",
        "not before the customer answers"
    );
    app.customer_answers(1_000).await;
    let data = app.get_payment(&id).await;
    assert_eq!(data["status"], "succeeded");
    assert_eq!(data["paymentMethod"]["code"], "mtn_momo");

    // Every transition is recorded with its time and reason.
    let payment = app
        .state
        .payments
        .find_by_token(&token)
        .await
        .unwrap()
        .unwrap()
        .0;
    let transitions = app.state.payments.transitions(&payment).await.unwrap();
    let steps: Vec<_> = transitions
        .iter()
        .map(|t| (t.from_status.as_str(), t.to_status.as_str()))
        .collect();
    assert_eq!(
        steps,
        [("pending", "processing"), ("processing", "succeeded")]
    );
    assert!(
        transitions[1].reason.contains("SUCCESSFUL"),
        "{}",
        transitions[1].reason
    );
    assert!(transitions[1].at > transitions[0].at);
}

#[tokio::test]
async fn a_declined_push_can_be_retried_with_another_method() {
    let app = spawn_app().await;
    let (id, token) = checkout_in(&app, "CI", 5000).await;
    let payments = &app.state.payments;
    payments
        .choose_method(
            &token,
            choice(ProviderCode::MtnMomo, Country::Ci, Some("+2250501234502")),
        )
        .await
        .unwrap();
    app.customer_answers(ANSWER_DELAY_MS).await;
    let (payment, attempt) = payments.find_by_token(&token).await.unwrap().unwrap();
    assert_eq!(
        payment.status,
        PaymentStatus::Pending,
        "a failed attempt leaves the payment open"
    );
    assert_eq!(
        attempt.unwrap().failure_code.map(|c| c.as_str()),
        Some("declined")
    );

    let (payment, _) = payments
        .choose_method(
            &token,
            choice(ProviderCode::MoovMoney, Country::Ci, Some("+2250101234567")),
        )
        .await
        .unwrap();
    assert_eq!(payment.status, PaymentStatus::Processing);
    app.customer_answers(ANSWER_DELAY_MS).await;
    let data = app.get_payment(&id).await;
    assert_eq!(data["status"], "succeeded");
    assert_eq!(data["paymentMethod"]["code"], "moov_money");
    let attempts = payments
        .attempts(&payments.find_by_token(&token).await.unwrap().unwrap().0)
        .await
        .unwrap();
    assert_eq!(attempts.len(), 2);
}

#[tokio::test]
async fn insufficient_funds_are_explained_in_plain_french() {
    let app = spawn_app().await;
    let (_, token) = checkout_in(&app, "SN", 2000).await;
    app.state
        .payments
        .choose_method(
            &token,
            choice(ProviderCode::FreeMoney, Country::Sn, Some("+221761234501")),
        )
        .await
        .unwrap();
    app.customer_answers(ANSWER_DELAY_MS).await;
    let attempt = app
        .state
        .payments
        .find_by_token(&token)
        .await
        .unwrap()
        .unwrap()
        .1
        .unwrap();
    assert_eq!(
        attempt.failure_code.map(|c| c.as_str()),
        Some("insufficient-funds")
    );
    assert!(
        attempt
            .failure_message
            .unwrap()
            .contains("Solde insuffisant sur votre compte Free Money")
    );
}

#[tokio::test]
async fn an_unanswered_push_expires_and_the_payment_stays_open() {
    let app = spawn_app().await;
    let (_, token) = checkout_in(&app, "BJ", 3000).await;
    app.state
        .payments
        .choose_method(
            &token,
            choice(ProviderCode::MtnMomo, Country::Bj, Some("+2290196123403")),
        )
        .await
        .unwrap();
    app.customer_answers(60_000).await;
    assert_eq!(
        app.state
            .payments
            .find_by_token(&token)
            .await
            .unwrap()
            .unwrap()
            .0
            .status,
        PaymentStatus::Processing
    );
    app.customer_answers(60_000).await;
    let (payment, attempt) = app
        .state
        .payments
        .find_by_token(&token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(payment.status, PaymentStatus::Pending);
    assert_eq!(
        attempt.unwrap().failure_code.map(|c| c.as_str()),
        Some("expired")
    );
}

#[tokio::test]
async fn a_payment_fails_after_three_failed_attempts() {
    let app = spawn_app().await;
    let (id, token) = checkout_in(&app, "CI", 5000).await;
    for _ in 0..3 {
        app.state
            .payments
            .choose_method(
                &token,
                choice(ProviderCode::MtnMomo, Country::Ci, Some("+2250501234502")),
            )
            .await
            .unwrap();
        app.customer_answers(ANSWER_DELAY_MS).await;
    }
    assert_eq!(app.get_payment(&id).await["status"], "failed");
    let err = app
        .state
        .payments
        .choose_method(
            &token,
            choice(ProviderCode::MoovMoney, Country::Ci, Some("+2250101234567")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PaymentError::Conflict(Conflict::AlreadyFinal(PaymentStatus::Failed))
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_second_method_is_refused_while_a_push_awaits_the_customer() {
    let app = spawn_app().await;
    let (_, token) = checkout_in(&app, "CI", 5000).await;
    app.state
        .payments
        .choose_method(
            &token,
            choice(ProviderCode::MtnMomo, Country::Ci, Some("+2250501234567")),
        )
        .await
        .unwrap();
    let err = app
        .state
        .payments
        .choose_method(
            &token,
            choice(ProviderCode::MoovMoney, Country::Ci, Some("+2250101234567")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PaymentError::Conflict(Conflict::AwaitingConfirmation(_))
        ) && err.to_string().contains("attend déjà votre confirmation"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_method_choices_reach_the_provider_once() {
    let app = std::sync::Arc::new(spawn_app().await);
    let (_, token) = checkout_in(&app, "CI", 5000).await;
    let handles: Vec<_> = (0..10)
        .map(|_| {
            let (app, token) = (app.clone(), token.clone());
            tokio::spawn(async move {
                app.state
                    .payments
                    .choose_method(
                        &token,
                        choice(ProviderCode::MtnMomo, Country::Ci, Some("+2250501234567")),
                    )
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(_) => ok += 1,
            Err(PaymentError::Conflict(_)) => {}
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 1);
    let (pushes,): (i64,) = dalal::on!(&app.state.pool, |e| sqlx::query_as("SELECT COUNT(*) FROM sandbox_sessions")
        .fetch_one(e)
        .await)
        .unwrap();
    assert_eq!(pushes, 1, "one USSD push, not several");
}

#[tokio::test]
async fn orange_money_one_time_code_path() {
    let app = spawn_app().await;
    let (id, token) = checkout_in(&app, "SN", 7500).await;
    let with_code = |code: &str| MethodChoice {
        provider: ProviderCode::OrangeMoney,
        country: Country::Sn,
        phone: Some(Msisdn::parse("+221771234567", Country::Sn).unwrap()),
        one_time_code: Some(code.to_owned()),
        card: None,
    };
    let err = app
        .state
        .payments
        .choose_method(&token, with_code("000000"))
        .await
        .unwrap_err();
    // Orange's code for a wrong one-time code is not published: the customer reads Orange's.
    assert!(
        matches!(
            &err,
            PaymentError::ProviderRefused { failure, .. }
                if failure.code == FailureCode::Unknown && failure.provider_code() == Some("60")
        ),
        "{err}"
    );

    let (payment, _) = app
        .state
        .payments
        .choose_method(&token, with_code("482913"))
        .await
        .unwrap();
    assert_eq!(payment.status, PaymentStatus::Processing);
    app.customer_answers(ANSWER_DELAY_MS).await;
    assert_eq!(app.get_payment(&id).await["status"], "succeeded");
}

#[tokio::test]
async fn cancelling_is_final() {
    let app = spawn_app().await;
    let (id, token) = checkout_in(&app, "SN", 2000).await;
    let payment = app.state.payments.cancel(&token).await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Cancelled);
    assert_eq!(
        payment.cancel_url.as_deref(),
        Some("https://shop.example/panier")
    );
    assert_eq!(app.get_payment(&id).await["status"], "cancelled");
    assert!(matches!(
        app.state.payments.cancel(&token).await,
        Err(PaymentError::Conflict(_))
    ));
    assert!(
        app.state
            .payments
            .choose_method(&token, choice(ProviderCode::Wave, Country::Sn, None))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn payments_expire_at_expires_at() {
    let app = spawn_app().await;
    let (id, token) = checkout_in(&app, "SN", 2000).await;
    app.clock.advance_ms(29 * 60_000);
    assert_eq!(app.state.payments.expire_due().await.unwrap(), 0);
    app.clock.advance_ms(60_000);
    assert_eq!(app.state.payments.expire_due().await.unwrap(), 1);
    assert_eq!(app.get_payment(&id).await["status"], "expired");
    let err = app
        .state
        .payments
        .choose_method(&token, choice(ProviderCode::Wave, Country::Sn, None))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PaymentError::Conflict(Conflict::AlreadyFinal(PaymentStatus::Expired))
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_succeeded_payment_cannot_be_cancelled_or_paid_again() {
    let app = spawn_app().await;
    let (_, token) = checkout_in(&app, "CI", 5000).await;
    app.state
        .payments
        .choose_method(
            &token,
            choice(ProviderCode::MtnMomo, Country::Ci, Some("+2250501234567")),
        )
        .await
        .unwrap();
    app.customer_answers(ANSWER_DELAY_MS).await;
    assert!(matches!(
        app.state.payments.cancel(&token).await,
        Err(PaymentError::Conflict(Conflict::AlreadyFinal(
            PaymentStatus::Succeeded
        )))
    ));
    assert!(
        app.state
            .payments
            .choose_method(
                &token,
                choice(ProviderCode::MoovMoney, Country::Ci, Some("+2250101234567"))
            )
            .await
            .is_err()
    );
    app.clock.advance_ms(3_600_000);
    assert_eq!(
        app.state.payments.expire_due().await.unwrap(),
        0,
        "a paid payment never expires"
    );
}

#[tokio::test]
async fn an_attempt_whose_request_died_mid_call_stops_blocking_after_a_minute() {
    let app = spawn_app().await;
    let (id, token) = checkout_in(&app, "CI", 5000).await;
    // A request that crashed between recording its attempt and hearing from the provider.
    let seq = dalal::domain::TransactionId::parse(&id).unwrap().sequence();
    dalal::rows!(&app.state.pool, |e| sqlx::query("INSERT INTO payment_attempts (id, payment_id, provider, status, created_at, updated_at) VALUES ('att_dead', $1, 'mtn_momo', 'created', $2, $2)")
        .bind(seq)
        .bind(app.state.payments.now_ms())
        .execute(e)
        .await)
        .unwrap();
    let mtn = || choice(ProviderCode::MtnMomo, Country::Ci, Some("+2250501234567"));
    assert!(matches!(
        app.state.payments.choose_method(&token, mtn()).await,
        Err(PaymentError::Conflict(_))
    ));
    app.clock.advance_ms(61_000);
    let (payment, _) = app
        .state
        .payments
        .choose_method(&token, mtn())
        .await
        .unwrap();
    assert_eq!(payment.status, PaymentStatus::Processing);
}
