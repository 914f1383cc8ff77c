//! The OpenAPI 3.1 document of the JSON API (`GET /api/v1/openapi.json`), generated from the
//! handlers' `#[utoipa::path]` annotations and the types they read and answer with.
//!
//! A new endpoint: annotate its handler with `#[utoipa::path(method, path = "…", …)]` (the
//! path as the route table in `app/routes.rs` writes it, without `/api/v1`), and name it in
//! `paths(…)` below. `tests/openapi.rs` fails while a route of the table is missing here.
//! The error answers every operation shares follow from its shape and are added by
//! `ErrorAnswers`: 401 when it needs a login, 404 when its path names something, 400, 413
//! and 422 when it reads a body, 400 and 422 when it reads a query string, 503 always.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use serde_json::{json, Value};
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, Server};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorBody;
use crate::web::api::{
    accounts, auth, candidates, cv, dashboards, employer, exports, import, job_agents, job_suggestions, matching,
    notices, orders, outbox, portal, referrals, reports, sharing,
};

/// Where the document's paths are, relative to the server.
const BASE: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "staer-hub",
        description = "Job centres share job orders with networks of other job centres; consultants refer \
                       candidates; coordinators approve. Log in with `POST /auth/login` and send the token as \
                       `Authorization: Bearer <token>`. Every error answers with `ErrorBody`."
    ),
    paths(
        auth::login, auth::logout, auth::me, auth::patch_me, auth::change_password,
        dashboards::shared_orders_handler, dashboards::my_orders_handler, dashboards::my_referrals_handler,
        orders::create_handler, orders::get_handler, orders::patch_handler, orders::send_to_portal_handler,
        orders::close_handler, orders::reopen_handler, orders::audit_handler,
        employer::links_handler, employer::revoke_handler, employer::page_handler, employer::answer_handler,
        employer::cv_handler,
        portal::status_handler, portal::callback_handler,
        sharing::share_handler, sharing::shares_handler, sharing::unshare_handler, sharing::notified_handler,
        sharing::networks_handler, sharing::create_network_handler, sharing::add_member_handler,
        sharing::remove_member_handler, sharing::create_centre_handler,
        referrals::create_handler, referrals::of_order_handler, referrals::get_handler, referrals::history_handler,
        referrals::action_handler,
        candidates::create_handler, candidates::list_handler, candidates::get_handler, candidates::patch_handler,
        candidates::erase_handler, candidates::export_handler, candidates::wishes_handler,
        candidates::consent_handler, candidates::revoke_handler,
        cv::upload_handler, cv::download_handler, cv::delete_handler,
        notices::list_handler, notices::read_handler, notices::read_all_handler,
        matching::candidate_matches_handler, matching::order_matches_handler, matching::bulk_refer_handler,
        matching::occupations_handler,
        job_suggestions::send_handler, job_suggestions::of_candidate_handler,
        job_agents::create_handler, job_agents::list_handler, job_agents::delete_handler,
        reports::reports_handler, reports::csv_handler, reports::xlsx_handler, reports::approvals_handler,
        import::import_handler, import::template_handler,
        outbox::outbox_handler, outbox::retry_handler, exports::exports_handler,
        accounts::list_handler, accounts::create_handler, accounts::disable_handler, accounts::enable_handler,
        accounts::password_handler,
        document_handler,
    ),
    components(schemas(ErrorBody, referrals::ReferralAction, import::ImportKind, import::TemplateFile)),
    modifiers(&ErrorAnswers),
)]
struct ApiDoc;

/// The document, built once.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        local_times(&mut doc);
        binary_answers(&mut doc);
        doc
    })
}

/// Our timestamps are UTC written without an offset (chrono's `NaiveDateTime`:
/// `2026-11-27T03:42:51.384543`), which is not an RFC 3339 `date-time`: say what they are.
fn local_times(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("date-time") {
                map.remove("format");
                map.insert(
                    "pattern".into(),
                    json!(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$"),
                );
                map.insert("description".into(), json!("UTC, ISO 8601 without an offset"));
            }
            map.values_mut().for_each(local_times);
        }
        Value::Array(items) => items.iter_mut().for_each(local_times),
        _ => {}
    }
}

/// A file answered as it is (a CV): utoipa writes `Vec<u8>` as an array of integers, which a
/// file is not. OpenAPI 3.1 says "a string of bytes of this media type" with `contentMediaType`.
fn binary_answers(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let answers = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|ops| ops.values_mut())
        .filter_map(|op| op.get_mut("responses").and_then(Value::as_object_mut))
        .flat_map(|r| r.values_mut());
    for answer in answers {
        let Some(content) = answer.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        for (media, body) in content.iter_mut() {
            let bytes = body["schema"]["type"] == "array" && body["schema"]["items"]["type"] == "integer";
            if bytes && !media.contains("json") {
                body["schema"] = json!({ "type": "string", "contentMediaType": media });
            }
        }
    }
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object)))]
pub async fn document_handler() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

/// The bearer login, and the error answers that follow from each operation's shape.
struct ErrorAnswers;

/// The shared error answers: (status, name in `components.responses`, description).
const ANSWERS: [(&str, &str, &str); 6] = [
    (
        "400",
        "BadRequest",
        "Malformed: the body or query string does not parse",
    ),
    (
        "401",
        "Unauthorized",
        "No login, or the session ended (`WWW-Authenticate: Bearer`)",
    ),
    ("404", "NotFound", "Nothing the user may see has this id"),
    ("413", "PayloadTooLarge", "The body is too large"),
    ("422", "Invalid", "A field was refused: `detail.field` names it"),
    ("503", "Unavailable", "The database is busy: try again"),
];

impl Modify for ErrorAnswers {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        for (_, name, description) in ANSWERS {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build();
            let answer = ResponseBuilder::new()
                .description(description)
                .content("application/json", content)
                .build();
            components.responses.insert(name.to_string(), RefOr::T(answer));
        }
        doc.security = Some(vec![SecurityRequirement::new("bearer", Vec::<String>::new())]);
        doc.servers = Some(vec![Server::new(BASE)]);
        for item in doc.paths.paths.values_mut() {
            for op in operations(item) {
                add_errors(op);
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

/// Adds the shared error answers an operation can give, unless it documents its own.
fn add_errors(op: &mut Operation) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let path = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
    let query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
    let body = op.request_body.is_some();
    // `security(())` marks an operation without login; the rest need the bearer token.
    let login = op.security.is_none();
    for (status, name, _) in ANSWERS {
        let applies = match status {
            "400" => body || query,
            "401" => login,
            "404" => path,
            "413" => body,
            "422" => body || query,
            "503" => true,
            _ => false,
        };
        if applies {
            let answers = &mut op.responses.responses;
            answers
                .entry(status.to_string())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
        }
    }
}
