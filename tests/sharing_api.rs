//! Sharing and field-level privacy: for each reader (owner, notified centre, centre not
//! notified, anonymous) and each endpoint, exactly which fields and which status come back.

mod common;

use std::collections::BTreeSet;

use serde_json::{json, Value};

const SHARED_KEYS: &[&str] = &[
    "access",
    // What a referring centre must know to pick candidates.
    "requires_driving_licence",
    "id",
    "title",
    "occupation",
    "occupation_code",
    "request_id",
    "company_name",
    "start_date",
    "end_date",
    "vacancies",
    "referred",
    "hired",
    "status",
    "type",
    "primary_authority",
    "responsible_consultant_name",
    "coordinator_id",
    "coordinator_name",
    "coordinator_external",
    "coordinator_allowed",
    "task_description",
    "created_at",
    "updated_at",
    "sent_to_portal_at",
];
const PRIVATE_KEYS: &[&str] = &[
    "responsible_consultant_id",
    "employer_email",
    "cvr",
    "qualifications_and_pay",
    "working_hours",
    "workplace_postcode",
    "closed_at",
    // The order's id in the case software it was imported from.
    "external_id",
];

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(a: &[&str]) -> BTreeSet<String> {
    a.iter().map(|s| s.to_string()).collect()
}

const SECRET_QUAL: &str = "HEMMELIG-LØN-4711";
const SECRET_HOURS: &str = "HEMMELIG-ARBEJDSTID-0815";

fn secret_order(app: &common::TestApp, owner: &str) -> i64 {
    app.create_order(
        owner,
        json!({ "qualifications_and_pay": SECRET_QUAL, "working_hours": SECRET_HOURS, "employer_email": "hemmelig@firma.example" }),
    )["id"]
        .as_i64()
        .unwrap()
}

on_both! {
    share_rules(app) {
        let t = app.login("brondby.konsulent");
        let id = secret_order(app, &t);
        let share = |net: &str| app.post(&format!("/api/v1/orders/{id}/shares"), &t, json!({ "network": net }));
        // Not yet sent to the employer portal.
        let (s, e) = share("HRS");
        assert_eq!(s, 409, "{e}");
        assert!(e["error"].as_str().unwrap().contains("portal"));
        assert_eq!(app.post(&format!("/api/v1/orders/{id}/send-to-portal"), &t, json!({})).0, 200);
        let (s, e) = share("NOPE");
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("network")));
        let (s, r) = share("HRS");
        assert_eq!(s, 201, "{r}");
        assert_eq!(r["newly_notified"].as_array().unwrap().len(), 6);
        assert_eq!(share("HRS").0, 409, "twice with one network");
        // NRS adds its 4 centres, of which Herlev was already notified by HRS.
        let (s, r) = share("NRS");
        assert_eq!(s, 201);
        let names: Vec<&str> = r["newly_notified"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Fredensborg", "Helsingør", "Hillerød"]);

        let (s, p) = app.get(&format!("/api/v1/orders/{id}/notified"), &t);
        assert_eq!(s, 200);
        // Brøndby, the owner, is in HRS but is not "notified" of its own order.
        assert_eq!(p["total"], 8);
        assert_eq!(p["range"], "1 - 6 af 8");
        let first = &p["items"][0];
        assert_eq!(keys(first), set(&["id", "authority_type", "authority_number", "name"]));
        assert_eq!(first["authority_type"], "JobCenter");
        assert_eq!(first["authority_number"], "14.700");
        let (_, p2) = app.get(&format!("/api/v1/orders/{id}/notified?page=2"), &t);
        assert_eq!(p2["range"], "7 - 8 af 8");
        assert_eq!(p2["items"].as_array().unwrap().len(), 2);
        let (_, all) = app.get(&format!("/api/v1/orders/{id}/notified?per_page=50"), &t);
        let numbers: BTreeSet<&str> = all["items"].as_array().unwrap().iter().map(|c| c["authority_number"].as_str().unwrap()).collect();
        assert_eq!(numbers.len(), 8, "each centre once");
        assert!(!numbers.contains("15.300"), "the owner is not listed as notified");

        let (s, sh) = app.get(&format!("/api/v1/orders/{id}/shares"), &t);
        assert_eq!((s, sh["networks"].clone()), (200, json!(["HRS", "NRS"])));

        // Unsharing NRS: Hillerød loses the order, Herlev keeps it through HRS.
        let hill = app.login("hillerod.konsulent");
        let herlev = app.login("herlev.konsulent");
        assert_eq!(app.get(&format!("/api/v1/orders/{id}"), &hill).0, 200);
        assert_eq!(app.call("DELETE", &format!("/api/v1/orders/{id}/shares/NRS"), Some(&t), None).0, 204);
        assert_eq!(app.get(&format!("/api/v1/orders/{id}"), &hill).0, 404);
        assert_eq!(app.get(&format!("/api/v1/orders/{id}"), &herlev).0, 200);
        assert_eq!(app.get(&format!("/api/v1/orders/{id}/notified"), &t).1["total"], 5);
        assert_eq!(app.call("DELETE", &format!("/api/v1/orders/{id}/shares/NRS"), Some(&t), None).0, 404);

        // Audited, newest first.
        let (_, audit) = app.get(&format!("/api/v1/orders/{id}/audit"), &t);
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions[..4], ["unshared", "shared", "shared", "sent_to_portal"]);

        // A closed order can't be shared.
        app.post(&format!("/api/v1/orders/{id}/close"), &t, json!({}));
        assert_eq!(share("NRS").0, 409);
    }

    cross_tenant_fields_and_statuses(app) {
        let owner = app.login("brondby.konsulent");
        let notified = app.login("frederiksberg.konsulent");
        // A centre in no network at all: never notified, whatever the order is shared with.
        let admin = app.login("admin");
        assert_eq!(app.post("/api/v1/job-centres", &admin, json!({"authority_number": "26.500", "name": "Roskilde"})).0, 201);
        staer_hub::domain::users::create_user(&app.state.db, "roskilde.konsulent", "demo-demo", "26.500", "R", "r@x.dk", false).unwrap();
        let outsider = {
            let (s, b) = app.call("POST", "/api/v1/auth/login", None, Some(json!({"username": "roskilde.konsulent", "password": "demo-demo"})));
            assert_eq!(s, 200);
            b["token"].as_str().unwrap().to_string()
        };
        let id = secret_order(app, &owner);
        app.post(&format!("/api/v1/orders/{id}/send-to-portal"), &owner, json!({}));
        assert_eq!(app.post(&format!("/api/v1/orders/{id}/shares"), &owner, json!({"network": "HRS"})).0, 201);

        // The order itself: exact field sets.
        let (s, o) = app.get(&format!("/api/v1/orders/{id}"), &owner);
        assert_eq!(s, 200);
        let mut owner_keys = set(SHARED_KEYS);
        owner_keys.extend(set(PRIVATE_KEYS));
        assert_eq!(keys(&o), owner_keys);
        assert_eq!(o["access"], "owner");
        assert_eq!(o["qualifications_and_pay"], SECRET_QUAL);

        let (s, text) = app.raw("GET", &format!("/api/v1/orders/{id}"), Some(&notified), None, "");
        assert_eq!(s, 200);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(keys(&v), set(SHARED_KEYS));
        assert_eq!(v["access"], "shared");
        assert_eq!(v["task_description"], "Madlavning til 200 personer");
        assert_eq!(v["coordinator_name"], "Konsulent Brøndby");
        for secret in [SECRET_QUAL, SECRET_HOURS, "hemmelig@firma.example"] {
            assert!(!text.contains(secret), "{secret} leaked to a notified centre");
        }

        // Every endpoint x every reader: the status.
        let base = format!("/api/v1/orders/{id}");
        let endpoints: Vec<(&str, String, Option<Value>, [u16; 4])> = vec![
            // method, path, body, [owner, notified, outsider, anonymous]
            ("GET", base.clone(), None, [200, 200, 404, 401]),
            ("GET", format!("{base}/notified"), None, [200, 200, 404, 401]),
            ("GET", format!("{base}/shares"), None, [200, 200, 404, 401]),
            ("GET", format!("{base}/referrals"), None, [200, 200, 404, 401]),
            ("GET", format!("{base}/audit"), None, [200, 403, 404, 401]),
            ("PATCH", base.clone(), Some(json!({"vacancies": 3})), [200, 403, 404, 401]),
            ("POST", format!("{base}/shares"), Some(json!({"network": "NRS"})), [201, 403, 404, 401]),
            ("DELETE", format!("{base}/shares/NRS"), None, [204, 403, 404, 401]),
            ("POST", format!("{base}/send-to-portal"), None, [409, 403, 404, 401]),
            ("POST", format!("{base}/close"), None, [200, 403, 404, 401]),
        ];
        for (method, path, body, expected) in endpoints {
            // The others first: the owner's call may change state (close comes last).
            for (i, token) in [Some(&notified), Some(&outsider), None].into_iter().enumerate() {
                let (s, b) = app.call(method, &path, token.map(|t| t.as_str()), body.clone());
                assert_eq!(s, expected[i + 1], "{method} {path} as reader #{}: {b}", i + 1);
                if s >= 400 {
                    assert!(b["error"].is_string(), "{b}");
                }
            }
            let (s, b) = app.call(method, &path, Some(&owner), body.clone());
            assert_eq!(s, expected[0], "{method} {path} as owner: {b}");
        }
        // Nothing the refused readers did changed the order.
        let (_, o) = app.get(&format!("/api/v1/orders/{id}"), &owner);
        assert_eq!(o["vacancies"], 3);
        assert_eq!(o["status"], "closed");
    }

    networks_are_data(app) {
        let admin = app.login("admin");
        let consultant = app.login("brondby.konsulent");
        let (s, _) = app.post("/api/v1/networks", &consultant, json!({"name": "KRS"}));
        assert_eq!(s, 403);
        assert_eq!(app.post("/api/v1/networks", &admin, json!({"name": "KRS"})).0, 201);
        assert_eq!(app.post("/api/v1/networks", &admin, json!({"name": "KRS"})).0, 409);
        assert_eq!(app.post("/api/v1/networks", &admin, json!({"name": ""})).0, 422);
        assert_eq!(app.post("/api/v1/job-centres", &admin, json!({"authority_number": "26.500", "name": "Roskilde"})).0, 201);
        assert_eq!(app.post("/api/v1/job-centres", &admin, json!({"authority_number": "26.500", "name": "Roskilde"})).0, 409);
        for number in ["26.500", "15.300"] {
            let (s, b) = app.post("/api/v1/networks/KRS/members", &admin, json!({"authority_number": number}));
            assert_eq!(s, 201, "{b}");
        }
        assert_eq!(app.post("/api/v1/networks/KRS/members", &admin, json!({"authority_number": "15.300"})).0, 409);
        let (s, e) = app.post("/api/v1/networks/KRS/members", &admin, json!({"authority_number": "99.999"}));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("authority_number")));
        assert_eq!(app.post("/api/v1/networks/NOPE/members", &admin, json!({"authority_number": "15.300"})).0, 404);
        let (_, nets) = app.get("/api/v1/networks", &consultant);
        let krs = nets["items"].as_array().unwrap().iter().find(|n| n["name"] == "KRS").unwrap().clone();
        assert_eq!(krs["members"].as_array().unwrap().len(), 2);
        assert_eq!(app.call("DELETE", "/api/v1/networks/KRS/members/26.500", Some(&admin), None).0, 204);
        assert_eq!(app.call("DELETE", "/api/v1/networks/KRS/members/26.500", Some(&admin), None).0, 404);

        // A new network is shareable at once; its only member is the owner, which is not "notified".
        let id = app.shared_order(&consultant, json!({}), &["KRS"]);
        assert_eq!(app.get(&format!("/api/v1/orders/{id}/notified"), &consultant).1["total"], 0);
    }
}
