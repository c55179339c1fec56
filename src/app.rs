//! The HTML shell and the routes of the pages (server-rendered; their islands hydrate).

use crate::pages::dashboard::{
    DevelopersPage, LinksPage, PaymentPage, PaymentsPage, PayoutsPage, SignInPage,
};
use crate::pages::{checkout::CheckoutPage, shop::ShopPage};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang=page_lang()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href=crate::routes::favicon_inline() type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// `<html lang>`: the checkout page and the dashboard speak the reader's language (resolved per
/// request by the server's `language` middleware); the demo shop is French.
fn page_lang() -> &'static str {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .filter(|p| {
                let path = p.uri.path();
                path.starts_with(crate::routes::CHECKOUT_PREFIX)
                    || path.starts_with(crate::routes::DASHBOARD)
            })
            .and_then(|p| p.extensions.get::<crate::i18n::Lang>().copied())
            .unwrap_or_default()
            .code()
    }
    #[cfg(not(feature = "ssr"))]
    {
        "fr"
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href=crate::routes::STYLESHEET/>
        <Title text="Dalal"/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=ShopPage/>
                // Rendered whole before it is sent: the page must work without JavaScript.
                <Route path=path!("/pay/:token") view=CheckoutPage ssr=SsrMode::Async/>
                <Route path=path!("/dashboard") view=PaymentsPage ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/connexion") view=SignInPage ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/liens") view=LinksPage ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/developpeurs") view=DevelopersPage ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/paiements-sortants") view=PayoutsPage ssr=SsrMode::Async/>
                <Route path=path!("/dashboard/paiements/:id") view=PaymentPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
        <Hydrated/>
    }
}

/// Marks the page live (`<body data-hydrated>`) once its islands have hydrated: they hydrate in
/// the order of the document and this one comes last. The browser tests wait for it before
/// typing into fields that react as the customer types.
#[island]
fn Hydrated() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page">
            <h1>"Page introuvable"</h1>
            <p>"Cette adresse ne correspond à aucune page. Vérifiez le lien reçu du marchand."</p>
        </main>
    }
}
