//! The OpenAPI 3.1 document of both dialects, generated from the handlers' and wire types'
//! annotations (`utoipa`), served at `/openapi.json`; and `/docs`, a page that reads it.

use axum::Json;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use super::sahelpay;
use crate::domain::{Country, Currency, PaymentStatus, PayoutStatus, ProviderCode};
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
        super::caurisflux::providers::providers,
        super::caurisflux::webhooks::list_webhooks,
        super::caurisflux::webhooks::redeliver_webhook,
        super::caurisflux::list,
        super::caurisflux::cancel,
        super::caurisflux::refund,
        super::sahelpay::create_payment,
        super::sahelpay::get_payment,
        super::sahelpay::list,
        super::sahelpay::cancel,
        super::sahelpay::refund,
        super::payouts::operations::caurisflux_create,
        super::payouts::operations::caurisflux_list,
        super::payouts::operations::caurisflux_get,
        super::payouts::operations::caurisflux_cancel,
        super::payouts::operations::caurisflux_create_batch,
        super::payouts::operations::caurisflux_get_batch,
        super::payouts::operations::caurisflux_balances,
        super::payouts::operations::sahelpay_create,
        super::payouts::operations::sahelpay_list,
        super::payouts::operations::sahelpay_get,
        super::payouts::operations::sahelpay_cancel,
        super::payouts::operations::sahelpay_create_batch,
        super::payouts::operations::sahelpay_get_batch,
        super::payouts::operations::sahelpay_balances,
    ),
    tags(
        (name = "CaurisFlux", description = "`/api/v1/…`, authenticated with `X-API-Key: pk_test_…:sk_test_…`"),
        (name = "SahelPay", description = "`/v1/…`, authenticated with `Authorization: Bearer sk_test_…`"),
    ),
    modifiers(&Security, &Parameters),
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

/// What the server enforces on the parameters it reads by hand, said in their schemas (utoipa's
/// tuple parameters cannot carry patterns or formats): the idempotency key's characters, the
/// listing's dates, the providers' amount.
struct Parameters;

impl Modify for Parameters {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{
            AnyOfBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
        };
        use utoipa::openapi::{KnownFormat, RefOr};

        let string = || ObjectBuilder::new().schema_type(Type::String);
        let words = |words: Vec<String>| string().enum_values(Some(words)).into();
        // The query's and headers' rules, by dialect (`query.rs`, `fields.rs`, `domain/`).
        let wallets = |name: fn(ProviderCode) -> &'static str| {
            ProviderCode::ALL
                .into_iter()
                .filter(|p| *p != ProviderCode::Card)
                .map(|p| name(p).to_owned())
                .collect::<Vec<_>>()
        };
        let payout_schema_of = |sahelpay: bool, name: &str| -> Option<Schema> {
            Some(match name {
                "startingAfter" | "starting_after" => string().pattern(Some(r"^po_[A-Za-z0-9]+$")).into(),
                "status" if sahelpay => string()
                    .pattern(Some(any_case(PayoutStatus::ALL.map(PayoutStatus::as_str))))
                    .into(),
                "status" => words(PayoutStatus::ALL.map(|s| s.as_str().to_owned()).to_vec()),
                "provider" => words(wallets(ProviderCode::code)),
                "payment_method" => words(wallets(|p| super::sahelpay::wire::method_name(p, None))),
                _ => return None,
            })
        };
        let schema_of = |sahelpay: bool, name: &str| -> Option<Schema> {
            Some(match name {
                // `domain::text::IdempotencyKey::parse`.
                "X-Idempotency-Key" => string()
                    .pattern(Some(r"^[!-~]{1,255}$"))
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .into(),
                // `api::fields::time_bound`: a day, or an RFC 3339 time.
                "createdFrom" | "createdTo" | "created_from" | "created_to" => OneOfBuilder::new()
                    .item(string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))))
                    .item(string().format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))))
                    .into(),
                // `domain::TransactionId::parse`: either spelling, in either dialect.
                "startingAfter" | "starting_after" => {
                    string().pattern(Some(r"^(TX|txn_)[0-9]{9,18}$")).into()
                }
                // SahelPay reads its statuses in any case (`sahelpay::query`).
                "status" if sahelpay => string()
                    .pattern(Some(any_case(PaymentStatus::ALL.map(PaymentStatus::as_str))))
                    .into(),
                "status" => words(PaymentStatus::ALL.map(|s| s.as_str().to_owned()).to_vec()),
                "method" => words(ProviderCode::ALL.iter().map(|p| p.code().to_owned()).collect()),
                "payment_method" => words(
                    sahelpay::query::METHODS.iter().map(|m| (*m).to_owned()).collect(),
                ),
                "country" => words(Country::ALL.iter().map(|c| c.code().to_owned()).collect()),
                "currency" => words(Currency::ALL.iter().map(|c| c.code().to_owned()).collect()),
                _ => return None,
            })
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let sahelpay = path.starts_with("/v1/");
            let payouts = path.contains("payout") || path.ends_with("/balances");
            for operation in [&mut item.get, &mut item.post].into_iter().flatten() {
                let parameters = operation.parameters.iter_mut().flatten();
                for parameter in parameters.filter_map(|p| match p {
                    RefOr::T(parameter) => Some(parameter),
                    RefOr::Ref(_) => None,
                }) {
                    let schema = match payouts {
                        true => payout_schema_of(sahelpay, &parameter.name)
                            .or_else(|| schema_of(sahelpay, &parameter.name)),
                        false => schema_of(sahelpay, &parameter.name),
                    };
                    if let Some(schema) = schema {
                        parameter.schema = Some(RefOr::T(schema));
                    }
                    // An empty query parameter counts as absent (`?status=&limit=`).
                    if parameter.parameter_in == ParameterIn::Query
                        && let Some(schema) = parameter.schema.take()
                    {
                        let empty = string().max_length(Some(0));
                        let either = AnyOfBuilder::new().item(schema).item(empty);
                        parameter.schema = Some(RefOr::T(either.into()));
                    }
                }
            }
        }
    }
}

/// A pattern matching any of `words` in any case (`^([Pp][Ee][Nn]…|…)$`).
fn any_case(words: impl IntoIterator<Item = &'static str>) -> String {
    let each: Vec<String> = words
        .into_iter()
        .map(|w| {
            w.chars()
                .map(|c| match c.is_ascii_alphabetic() {
                    true => format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase()),
                    false => c.to_string(),
                })
                .collect()
        })
        .collect();
    format!("^({})$", each.join("|"))
}

/// The document as JSON, built once: it only changes with the code.
fn document_json() -> &'static serde_json::Value {
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or_default())
}

/// `GET /openapi.json`.
pub async fn document() -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(document_json()),
    )
        .into_response()
}

/// The name a `$ref` points to (`#/components/schemas/caurisflux.Payment` → `caurisflux.Payment`).
fn schema_name(schema: &serde_json::Value) -> Option<String> {
    let reference = schema["$ref"]
        .as_str()
        .or_else(|| schema["items"]["$ref"].as_str())?;
    let name = reference.rsplit('/').next()?.to_owned();
    Some(if schema["items"].is_object() {
        format!("[{name}]")
    } else {
        name
    })
}

/// A property's type as a reader wants it: `string`, `integer | null`, a schema name, ….
fn type_of(schema: &serde_json::Value) -> String {
    if let Some(name) = schema_name(schema) {
        return name;
    }
    if let Some(any) = schema["oneOf"].as_array() {
        return any.iter().map(type_of).collect::<Vec<_>>().join(" | ");
    }
    match &schema["type"] {
        serde_json::Value::String(t) => t.clone(),
        serde_json::Value::Array(ts) => ts
            .iter()
            .filter_map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "any".to_owned(),
    }
}

/// One line of the page: a name, a type or a code, and what it is.
struct Line {
    name: String,
    kind: String,
    text: String,
}

struct Operation {
    title: String,
    summary: String,
    parameters: Vec<Line>,
    body: Option<String>,
    responses: Vec<Line>,
}

struct SchemaDoc {
    name: String,
    text: String,
    fields: Vec<Line>,
}

fn operations(doc: &serde_json::Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in ["get", "post"] {
            let op = &item[method];
            if !op.is_object() {
                continue;
            }
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
            let parameters = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| Line {
                    name: format!("{} ({})", text(&p["name"]), text(&p["in"])),
                    kind: type_of(&p["schema"]),
                    text: text(&p["description"]),
                })
                .collect();
            let body = schema_name(&op["requestBody"]["content"]["application/json"]["schema"]);
            let responses = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(code, r)| Line {
                    name: code.clone(),
                    kind: schema_name(&r["content"]["application/json"]["schema"])
                        .unwrap_or_default(),
                    text: text(&r["description"]),
                })
                .collect();
            out.push(Operation {
                title: format!("{} {path}", method.to_uppercase()),
                summary: text(&op["summary"]),
                parameters,
                body,
                responses,
            });
        }
    }
    out
}

fn schemas(doc: &serde_json::Value) -> Vec<SchemaDoc> {
    doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str())
                .collect();
            SchemaDoc {
                name: name.clone(),
                text: schema["description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                fields: schema["properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(field, p)| {
                        let example = match &p["example"] {
                            serde_json::Value::Null => String::new(),
                            e => format!(" Exemple : {e}."),
                        };
                        let needed = if required.contains(&field.as_str()) {
                            ", requis"
                        } else {
                            ""
                        };
                        Line {
                            name: field.clone(),
                            kind: format!("{}{needed}", type_of(p)),
                            text: format!(
                                "{}{example}",
                                p["description"].as_str().unwrap_or_default()
                            ),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Lines as a definition list.
fn lines(items: Vec<Line>) -> impl leptos::prelude::IntoView {
    use leptos::prelude::*;
    view! {
        <ul>
            {items
                .into_iter()
                .map(|l| view! { <li><code>{l.name}</code>{format!(" {} — {}", l.kind, l.text)}</li> })
                .collect_view()}
        </ul>
    }
}

/// `GET /docs`: every endpoint, parameter, body, answer and schema field of the document,
/// readable without JavaScript.
pub async fn page() -> Html<String> {
    use leptos::prelude::*;
    let doc = document_json();
    let description = doc["info"]["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let operations = operations(doc);
    let schemas = schemas(doc);
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
                    <h2>"Opérations"</h2>
                    {operations
                        .into_iter()
                        .map(|op| view! {
                            <section class="operation">
                                <h3><code>{op.title}</code></h3>
                                <p>{op.summary}</p>
                                {(!op.parameters.is_empty()).then(|| view! { <h4>"Paramètres"</h4> })}
                                {lines(op.parameters)}
                                {op.body.map(|b| view! { <p>{format!("Corps : {b}")}</p> })}
                                <h4>"Réponses"</h4>
                                {lines(op.responses)}
                            </section>
                        })
                        .collect_view()}
                    <h2>"Schémas"</h2>
                    {schemas
                        .into_iter()
                        .map(|s| view! {
                            <section class="schema">
                                <h3 id=s.name.clone()><code>{s.name.clone()}</code></h3>
                                <p>{s.text}</p>
                                {lines(s.fields)}
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
        // Request fields read by hand still say which words they accept, from the same tables.
        let initiate = &schemas["caurisflux.InitiateRequest"]["properties"];
        assert_eq!(
            initiate["type"]["enum"],
            serde_json::json!(["direct", "checkout"])
        );
        // The six providers, or null (absent).
        assert_eq!(initiate["provider"]["enum"].as_array().unwrap().len(), 7);
        // What the server enforces on parameters is in their schemas.
        let refund = &paths["/api/v1/payments/{transaction_id}/refunds"]["post"]["parameters"];
        let key = refund
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "X-Idempotency-Key")
            .unwrap();
        assert_eq!(key["schema"]["pattern"], "^[!-~]{1,255}$");
        let listing = paths["/v1/payments"]["get"]["parameters"].as_array().unwrap();
        let status = listing.iter().find(|p| p["name"] == "status").unwrap();
        let pattern = status["schema"]["anyOf"][0]["pattern"].as_str().unwrap();
        assert!(pattern.contains("[pP][eE][nN][dD]"), "{pattern}");
        assert_eq!(status["schema"]["anyOf"][1]["maxLength"], 0, "empty is absent");
        assert!(
            schemas["caurisflux.InitiateRequest"]["required"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!("type"))
        );
    }
}
