//! The card form.

use super::server_fns::PayCard;
use super::data::PaymentPage;
use crate::domain::{CardBins, CardBrand};
use crate::i18n::Lang;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The card form, a plain form: the server checks everything on submit.
#[component]
pub fn CardForm(lang: Lang, page: PaymentPage) -> impl IntoView {
    let t = lang.t();
    view! {
        <div class="method-form">
            <form method="post" action=PayCard::url() class="card-form">
                <input type="hidden" name="token" value=page.token.clone()/>
                <input type="hidden" name="country" value=page.country.code()/>
                <CardNumberField lang bins=page.card_bins.clone() wanted=page.card_brand/>
                <div class="card-row">
                    <div>
                        <label for="card-expiry">{t.card_expiry}</label>
                        <input id="card-expiry" name="expiry" type="text" inputmode="numeric" autocomplete="cc-exp"
                            placeholder="MM/AA" maxlength="7" required/>
                    </div>
                    <div>
                        <label for="card-cvc">{t.card_cvc}</label>
                        <input id="card-cvc" name="cvc" type="text" inputmode="numeric" autocomplete="cc-csc"
                            pattern="[0-9]{3}" maxlength="3" required aria-describedby="card-cvc-hint"/>
                        <p id="card-cvc-hint" class="hint">{t.card_cvc_hint}</p>
                    </div>
                </div>
                <label for="card-holder">{t.card_holder}</label>
                <input id="card-holder" name="holder" type="text" autocomplete="cc-name" required value=page.holder.clone()/>
                <button type="submit" class="button primary">{format!("{} {}", t.pay, page.amount)}</button>
                <p class="hint">{t.card_kept}</p>
                {page.test_mode.then(|| view! { <p class="hint test-cards">{t.card_test_hint}</p> })}
            </form>
        </div>
    }
}

/// The card number (an island): with JavaScript the brand shows as the number is typed and a
/// mistyped number is flagged at once (Luhn).
#[island]
fn CardNumberField(lang: Lang, bins: CardBins, wanted: Option<CardBrand>) -> impl IntoView {
    let t = lang.t();
    let brand = RwSignal::new(None::<CardBrand>);
    let invalid = RwSignal::new(false);
    let detect = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        let digits = crate::domain::card::digits_of(&typed);
        let detected = digits.as_deref().and_then(|d| bins.brand(d));
        brand.set(detected);
        invalid.set(match digits {
            None => true,
            Some(d) => d.len() >= 16 && !crate::domain::card::luhn_valid(&d),
        });
    };
    let hint = move || {
        if invalid.get() {
            return t.card_invalid.to_owned();
        }
        match (brand.get(), wanted) {
            (Some(b), _) => b.name().to_owned(),
            (None, Some(w)) => format!("{} {}", t.card_only, w.name()),
            (None, None) => t.card_brands.to_owned(),
        }
    };
    view! {
        <label for="card-number">{t.card_number}</label>
        <input id="card-number" name="number" type="text" inputmode="numeric" autocomplete="cc-number"
            placeholder="1234 5678 9012 3456" maxlength="23" required aria-describedby="card-number-hint"
            aria-invalid=move || invalid.get().then_some("true") on:input=detect/>
        <p id="card-number-hint" class="hint card-brand" aria-live="polite">{hint}</p>
    }
}
