//! The OpenAPI 3.1 document of both dialects, generated from the handlers' and wire types'
//! annotations (`utoipa`), served at `/openapi.json`; and `/docs`, a page that reads it.

use axum::Json;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Dalal",
        description = "Hosted checkout and payment API for West and Central African mobile money (Wave, Orange Money, Free Money, MTN MoMo, Moov Money) and cards. Two dialects of the same payments: CaurisFlux (`/api/v1/…`, `X-API-Key: pk_…:sk_…`, camelCase) and SahelPay (`/v1/…`, `Authorization: Bearer sk_…`, snake_case). Messages are in French.",
        version = env!("CARGO_PKG_VERSION"),
    ),
    paths(
        super::caurisflux::initiate,
        super::caurisflux::get_payment,
        super::caurisflux::providers,
        super::caurisflux::list_webhooks,
        super::caurisflux::redeliver_webhook,
        super::caurisflux::operations::list,
        super::caurisflux::operations::cancel,
        super::caurisflux::operations::refund,
        super::sahelpay::create_payment,
        super::sahelpay::get_payment,
        super::sahelpay::operations::list,
        super::sahelpay::operations::cancel,
        super::sahelpay::operations::refund,
    ),
    tags(
        (name = "CaurisFlux", description = "`/api/v1/…`, authenticated with `X-API-Key: pk_test_…:sk_test_…`"),
        (name = "SahelPay", description = "`/v1/…`, authenticated with `Authorization: Bearer sk_test_…`"),
    ),
    modifiers(&Security),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "pk_test_…:sk_test_… (the public and secret keys, joined by a colon)",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The secret key: sk_test_…"))
                    .build(),
            ),
        );
    }
}

/// `GET /openapi.json`.
pub async fn document() -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(ApiDoc::openapi()),
    )
        .into_response()
}

/// One operation as the page shows it.
struct Operation {
    title: String,
    summary: String,
    /// (status code, description)
    responses: Vec<(String, String)>,
}

/// `GET /docs`: every endpoint of the document, readable without JavaScript.
pub async fn page() -> Html<String> {
    use leptos::prelude::*;
    let doc = ApiDoc::openapi();
    let operations: Vec<Operation> = doc
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            [("GET", item.get.as_ref()), ("POST", item.post.as_ref())]
                .into_iter()
                .filter_map(move |(method, op)| {
                    let op = op?;
                    let responses = op
                        .responses
                        .responses
                        .iter()
                        .map(|(code, r)| {
                            let text = match r {
                                utoipa::openapi::RefOr::T(r) => r.description.clone(),
                                utoipa::openapi::RefOr::Ref(r) => r.ref_location.clone(),
                            };
                            (code.clone(), text)
                        })
                        .collect();
                    Some(Operation {
                        title: format!("{method} {path}"),
                        summary: op.summary.clone().unwrap_or_default(),
                        responses,
                    })
                })
        })
        .collect();
    let description = doc.info.description.clone().unwrap_or_default();
    let view = view! {
        <html lang="fr">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>"Dalal — API"</title>
                <link rel="stylesheet" href=crate::routes::STYLESHEET/>
            </head>
            <body>
                <main class="page docs">
                    <h1>"API Dalal"</h1>
                    <p>{description}</p>
                    <p>"Document OpenAPI 3.1 : " <a href=crate::routes::OPENAPI>{crate::routes::OPENAPI}</a></p>
                    {operations
                        .into_iter()
                        .map(|op| view! {
                            <section class="operation">
                                <h2><code>{op.title}</code></h2>
                                <p>{op.summary}</p>
                                <ul>
                                    {op.responses
                                        .into_iter()
                                        .map(|(code, text)| view! { <li><code>{code}</code>{format!(" {text}")}</li> })
                                        .collect_view()}
                                </ul>
                            </section>
                        })
                        .collect_view()}
                </main>
            </body>
        </html>
    };
    Html(format!("<!DOCTYPE html>{}", view.to_html()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_with_every_endpoint() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        for path in [
            "/api/v1/payments/initiate",
            "/api/v1/payments",
            "/api/v1/payments/{transaction_id}/refunds",
            "/v1/payments",
            "/v1/payments/{id}/cancel",
        ] {
            assert!(paths.contains_key(path), "{path} is documented");
        }
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert!(
            schemas.contains_key("caurisflux.Payment"),
            "{:?}",
            schemas.keys()
        );
        assert!(schemas.contains_key("sahelpay.Error"));
    }
}
