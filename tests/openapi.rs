//! The OpenAPI document (`GET /api/v1/openapi.json`, `src/web/api/openapi.rs`) covers the JSON
//! API: every (method, path) of the route table that the server registers
//! (`app::api_operations`) is in the document, and the document names nothing else. A new
//! route fails here until its handler has a `#[utoipa::path]` and is listed in `paths(…)`.

mod common;

use std::collections::BTreeSet;

use serde_json::Value;
use staer_hub::app::{api_operations, API_PREFIX};
use staer_hub::web::api::openapi::document;

/// (method, full path) of every operation in the document, e.g. ("post", "/api/v1/orders").
fn documented() -> BTreeSet<(String, String)> {
    let doc = document().clone();
    let base = doc["servers"][0]["url"].as_str().expect("servers[0].url");
    assert_eq!(base, API_PREFIX, "the document's server is where the API lives");
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options", "trace"].contains(&method.as_str()) {
                out.insert((method.clone(), format!("{base}{path}")));
            }
        }
    }
    out
}

fn routed() -> BTreeSet<(String, String)> {
    api_operations()
        .into_iter()
        .map(|(m, p)| (m.as_str().to_lowercase(), p))
        .collect()
}

#[test]
fn every_route_of_the_api_is_documented() {
    let (doc, routes) = (documented(), routed());
    let missing: Vec<_> = routes.difference(&doc).collect();
    assert!(
        missing.is_empty(),
        "routes without an OpenAPI operation (annotate the handler with #[utoipa::path] and list it \
         in paths(…) of src/web/api/openapi.rs): {missing:#?}"
    );
    let stale: Vec<_> = doc.difference(&routes).collect();
    assert!(
        stale.is_empty(),
        "documented operations the route table does not have: {stale:#?}"
    );
    assert!(routes.len() > 60, "the route table lists the whole API");
}

#[test]
fn every_operation_documents_its_answers() {
    let doc = document().clone();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let answers = op["responses"].as_object().unwrap();
            let what = format!("{method} {path}");
            assert!(answers.keys().any(|s| s.starts_with('2')), "{what}: no success answer");
            if op["security"] != serde_json::json!([{}]) {
                assert!(
                    answers.contains_key("401"),
                    "{what}: it needs a login, so it can be 401"
                );
            }
            if path.contains('{') {
                assert!(
                    answers.contains_key("404"),
                    "{what}: a path that names something can be 404"
                );
            }
            if op.get("requestBody").is_some() {
                assert!(answers.contains_key("422"), "{what}: a body can be refused");
            }
        }
    }
}

/// A file answered as it is (a CV, to its centre or the employer) is a string of bytes of its
/// media type, not a JSON array.
#[test]
fn file_answers_are_bytes() {
    let doc = document();
    for path in ["/candidates/{id}/cv", "/employer/{token}/referrals/{id}/cv"] {
        let content = &doc["paths"][path]["get"]["responses"]["200"]["content"];
        for media in [
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ] {
            assert_eq!(
                content[media]["schema"],
                serde_json::json!({"type": "string", "contentMediaType": media}),
                "{path} {media}"
            );
        }
    }
}

on_both! {
    served_without_login(app) {
        let (status, text) = app.raw("GET", "/api/v1/openapi.json", None, None, "");
        assert_eq!(status, 200);
        let served: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(served, document().clone());
        // An error answer has the documented shape.
        let token = app.login("brondby.konsulent");
        let (status, body) = app.get("/api/v1/orders/999999999", &token);
        assert_eq!(status, 404);
        assert!(body["error"].is_string() && body["detail"].is_null(), "{body}");
    }
}
