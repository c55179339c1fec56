//! The last screen: paid (a receipt, then back to the merchant), failed, cancelled or expired.

use super::RefreshWithoutJs;
use super::choose::method_name;
use super::data::PaymentPage;
use crate::domain::{PaymentStatus, ProviderCode};
use crate::i18n::Lang;
use leptos::prelude::*;

pub fn done_title(lang: Lang, status: PaymentStatus) -> &'static str {
    let t = lang.t();
    match status {
        PaymentStatus::Succeeded => t.succeeded_title,
        PaymentStatus::Failed => t.failed_title,
        PaymentStatus::Cancelled => t.cancelled_title,
        PaymentStatus::Expired => t.expired_title,
        PaymentStatus::Pending | PaymentStatus::Processing => t.choose_method,
    }
}

#[component]
pub fn Done(
    lang: Lang,
    page: PaymentPage,
    status: PaymentStatus,
    method: Option<ProviderCode>,
) -> impl IntoView {
    let t = lang.t();
    let body = match status {
        PaymentStatus::Succeeded => t.succeeded_body,
        PaymentStatus::Failed => t.failed_body,
        PaymentStatus::Cancelled => t.cancelled_body,
        PaymentStatus::Expired => t.expired_body,
        PaymentStatus::Pending | PaymentStatus::Processing => "",
    };
    let back = page.back_link.clone();
    let go_back = (status == PaymentStatus::Succeeded)
        .then(|| back.clone().map(|link| view! { <ReturnSoon link/> }));
    view! {
        <section class=format!("step done {}", status.as_str()) aria-labelledby="done-title">
            <h2 id="done-title">{done_title(lang, status)}</h2>
            <p>{body}</p>
            {(status == PaymentStatus::Succeeded).then(|| view! {
                <dl class="receipt">
                    <dt>{t.merchant}</dt><dd>{page.merchant.clone()}</dd>
                    <dt>{t.amount}</dt><dd>{page.amount.clone()}</dd>
                    <dt>{t.method}</dt><dd>{method.map(|m| method_name(lang, m)).unwrap_or("—")}</dd>
                    <dt>{t.transaction}</dt><dd>{page.transaction_id.clone()}</dd>
                </dl>
            })}
            {back.map(|link| view! {
                <a class="button primary" href=link.clone()>{t.back_to_merchant}</a>
                {(status == PaymentStatus::Succeeded).then(|| page.refresh_back.clone().map(|html| view! { <RefreshWithoutJs html/> }))}
            })}
            {go_back}
        </section>
    }
}

/// After a success, goes back to the merchant after a moment (the button stays there). Without
/// JavaScript, the `<noscript>` refresh tag does it.
#[island]
fn ReturnSoon(link: String) -> impl IntoView {
    Effect::new(move |_| {
        let link = link.clone();
        set_timeout(
            move || {
                let _ = window().location().set_href(&link);
            },
            std::time::Duration::from_millis(2500),
        );
    });
}
