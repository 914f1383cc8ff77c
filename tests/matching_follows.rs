//! The suggestions follow every change of a candidate. Their ranking reads copies of the
//! candidate's name, place, consent and driving licence on its wish rows (migration
//! 2026-12-01-000401), which triggers keep in step with each write to the candidate.

mod common;

use serde_json::{json, Value};

fn names(app: &common::TestApp, token: &str, order: i64) -> Vec<String> {
    let (s, m) = app.get(&format!("/api/v1/orders/{order}/matches"), token);
    assert_eq!(s, 200, "{m}");
    m["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["candidate"]["name"].as_str().unwrap().to_string())
        .collect()
}

fn ok(app: &common::TestApp, method: &str, path: &str, token: &str, body: Option<Value>) {
    let (s, b) = app.call(method, path, Some(token), body);
    assert_eq!(s, 200, "{method} {path}: {b}");
}

on_both! {
    suggestions_follow_the_candidate(app) {
        let owner = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let kok = app.shared_order(
            &owner,
            json!({"title": "Kok", "occupation": "Kok", "workplace_postcode": "2605"}),
            &["HRS"],
        );
        let driving = app.shared_order(
            &owner,
            json!({"title": "Kok med kørekort", "occupation": "Kok", "workplace_postcode": "2605",
                   "requires_driving_licence": true}),
            &["HRS"],
        );
        let mut ids = Vec::new();
        // 2000 Frederiksberg is 8.0 km from the workplace, 9000 Aalborg 222.5 km.
        for (name, postcode) in [("Kok Nær", "2000"), ("Kok Langt", "9000")] {
            let body = json!({"name": name, "occupations": ["kok"], "postcode": postcode});
            let (s, c) = app.post("/api/v1/candidates", &frb, body);
            assert_eq!(s, 201, "{c}");
            let id = c["id"].as_i64().unwrap();
            ok(app, "POST", &format!("/api/v1/candidates/{id}/consent"), &frb, Some(json!({})));
            ids.push(id);
        }
        let cand = format!("/api/v1/candidates/{}", ids[1]);
        assert_eq!(names(app, &frb, kok), ["Kok Nær"]);

        // The place: moved to 2650 Hvidovre, 7.1 km, nearer than the other.
        ok(app, "PATCH", &cand, &frb, Some(json!({"postcode": "2650"})));
        assert_eq!(names(app, &frb, kok), ["Kok Langt", "Kok Nær"]);
        // The name: at the same place as the other, names decide.
        ok(app, "PATCH", &cand, &frb, Some(json!({"postcode": "2000"})));
        assert_eq!(names(app, &frb, kok), ["Kok Langt", "Kok Nær"]);
        ok(app, "PATCH", &cand, &frb, Some(json!({"name": "Kok Ørsted"})));
        assert_eq!(names(app, &frb, kok), ["Kok Nær", "Kok Ørsted"]);

        // The consent: revoked, then given again.
        ok(app, "DELETE", &format!("{cand}/consent"), &frb, None);
        assert_eq!(names(app, &frb, kok), ["Kok Nær"]);
        ok(app, "POST", &format!("{cand}/consent"), &frb, Some(json!({})));
        assert_eq!(names(app, &frb, kok), ["Kok Nær", "Kok Ørsted"]);

        // The driving licence.
        assert!(names(app, &frb, driving).is_empty());
        ok(app, "PATCH", &cand, &frb, Some(json!({"driving_licence": true})));
        assert_eq!(names(app, &frb, driving), ["Kok Ørsted"]);

        // New wishes (a related occupation) take the candidate as it is now.
        ok(app, "PUT", &format!("{cand}/wishes"), &frb, Some(json!({"occupations": ["smørrebrødsjomfru"]})));
        assert_eq!(names(app, &frb, driving), ["Kok Ørsted"]);
        assert_eq!(names(app, &frb, kok), ["Kok Nær", "Kok Ørsted"]);

        // Erased: gone from both.
        ok(app, "DELETE", &cand, &frb, None);
        assert_eq!(names(app, &frb, kok), ["Kok Nær"]);
        assert!(names(app, &frb, driving).is_empty());
    }
}
