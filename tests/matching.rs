//! Matching on a hand-made data set whose right answers are known (distances from the
//! shipped postcode table: 2605 Brøndby → 2000 Frederiksberg 8.0 km, 2650 Hvidovre 7.1 km,
//! 9000 Aalborg 222.5 km; (55.65, 12.42) is 1.1 km), bulk referral and job agents.

mod common;

use serde_json::{json, Value};

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["candidate"]["name"].as_str().unwrap().to_string())
        .collect()
}

struct World {
    owner: String,
    frb: String,
    kok: i64,
    opvask: i64,
    ids: std::collections::HashMap<&'static str, i64>,
}

fn world(app: &common::TestApp) -> World {
    let owner = app.login("brondby.konsulent");
    let frb = app.login("frederiksberg.konsulent");
    let kok = app.shared_order(
        &owner,
        json!({"title": "Kok", "occupation": "Kok", "workplace_postcode": "2605"}),
        &["HRS"],
    );
    let opvask = app.shared_order(
        &owner,
        json!({"title": "Opvasker", "occupation": "Opvasker", "workplace_postcode": "2605"}),
        &["HRS"],
    );
    app.shared_order(
        &owner,
        json!({"title": "Tømrer i Aalborg", "occupation": "Tømrer", "workplace_postcode": "9000"}),
        &["HRS"],
    );
    let mut ids = std::collections::HashMap::new();
    let people: [(&'static str, Value, bool); 7] = [
        (
            "Kok Nær",
            json!({"occupations": ["fiskekok"], "postcode": "2000"}),
            true,
        ),
        ("Kok Langt", json!({"occupations": ["kok"], "postcode": "9000"}), true),
        (
            "Smørrebrød Hvidovre",
            json!({"occupations": ["smørrebrødsjomfru"], "postcode": "2650"}),
            true,
        ),
        (
            "Tømrer Nær",
            json!({"occupations": ["tømrer"], "postcode": "2605"}),
            true,
        ),
        (
            "Uden Samtykke",
            json!({"occupations": ["kok"], "postcode": "2605"}),
            false,
        ),
        ("Uden Adresse", json!({"occupations": ["512010"]}), true),
        (
            "Koordinater",
            json!({"occupations": ["Kok"], "latitude": 55.65, "longitude": 12.42}),
            true,
        ),
    ];
    for (name, extra, consent) in people {
        let mut body = json!({"name": name});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, c) = app.post("/api/v1/candidates", &frb, body);
        assert_eq!(s, 201, "{c}");
        let id = c["id"].as_i64().unwrap();
        if consent {
            app.post(&format!("/api/v1/candidates/{id}/consent"), &frb, json!({}));
        }
        ids.insert(name, id);
    }
    // Another centre's cook near the workplace must never show up in Frederiksberg's list.
    let glo = app.login("glostrup.konsulent");
    let (_, g) = app.post(
        "/api/v1/candidates",
        &glo,
        json!({"name": "Glostrup Kok", "occupations": ["kok"], "postcode": "2605"}),
    );
    app.post(&format!("/api/v1/candidates/{}/consent", g["id"]), &glo, json!({}));
    World {
        owner,
        frb,
        kok,
        opvask,
        ids,
    }
}

on_both! {
    ranks_candidates_for_an_order(app) {
        let w = world(app);
        let (s, m) = app.get(&format!("/api/v1/orders/{}/matches", w.kok), &w.frb);
        assert_eq!(s, 200, "{m}");
        assert_eq!(names(&m), ["Koordinater", "Kok Nær", "Uden Adresse", "Smørrebrød Hvidovre"]);
        let items = m["items"].as_array().unwrap();
        assert_eq!(items[0]["tier"], "same_occupation");
        assert_eq!(items[0]["distance_km"], 1.1);
        assert_eq!(items[1]["reason"], "Samme stilling: Kok, 8 km");
        assert!(items[2]["distance_km"].is_null());
        assert_eq!(items[3]["tier"], "related_occupation");
        assert_eq!(items[3]["reason"], "Beslægtet stilling: Smørrebrødsjomfru (samme faggruppe), 7 km");
        // A wider reach takes in the cook in Aalborg, by distance.
        let (_, m) = app.get(&format!("/api/v1/orders/{}/matches?radius_km=300", w.kok), &w.frb);
        assert_eq!(names(&m), ["Koordinater", "Kok Nær", "Kok Langt", "Uden Adresse", "Smørrebrød Hvidovre"]);
        let (_, m) = app.get(&format!("/api/v1/orders/{}/matches?limit=2", w.kok), &w.frb);
        assert_eq!(names(&m).len(), 2);
        assert_eq!(app.get(&format!("/api/v1/orders/{}/matches?radius_km=-1", w.kok), &w.frb).0, 422);

        // A job needing no special qualifications fits everyone within reach (the demo's
        // three consenting Frederiksberg candidates live in 2605 too).
        let (_, m) = app.get(&format!("/api/v1/orders/{}/matches", w.opvask), &w.frb);
        assert_eq!(
            names(&m),
            ["Anna Jensen", "Bo Nielsen", "Emil Larsen", "Tømrer Nær", "Koordinater", "Smørrebrød Hvidovre", "Kok Nær", "Uden Adresse"]
        );
        assert!(m["items"].as_array().unwrap().iter().all(|i| i["tier"] == "no_qualifications_needed"));
        // A short list stops at the first ring holding enough: still the nearest, in order.
        for n in [1, 3, 5, 7] {
            let (_, m) = app.get(&format!("/api/v1/orders/{}/matches?limit={n}", w.opvask), &w.frb);
            let all = ["Anna Jensen", "Bo Nielsen", "Emil Larsen", "Tømrer Nær", "Koordinater", "Smørrebrød Hvidovre", "Kok Nær"];
            assert_eq!(names(&m), all[..n], "limit {n}");
        }

        // The owner's centre has no such candidates; a centre that can't see the order gets 404.
        assert_eq!(names(&app.get(&format!("/api/v1/orders/{}/matches", w.kok), &w.owner).1).len(), 0);
        let hill = app.login("hillerod.konsulent");
        assert_eq!(app.get(&format!("/api/v1/orders/{}/matches", w.kok), &hill).0, 404);
    }

    ranks_orders_for_a_candidate(app) {
        let w = world(app);
        let (s, m) = app.get(&format!("/api/v1/candidates/{}/matches", w.ids["Kok Nær"]), &w.frb);
        assert_eq!(s, 200, "{m}");
        let titles: Vec<&str> = m["items"].as_array().unwrap().iter().map(|o| o["title"].as_str().unwrap()).collect();
        // Within a tier, known distances first; the demo's orders have no workplace postcode.
        assert_eq!(titles, ["Kok", "Kok til kantine", "Opvasker", "Rengøringsassistent"]);
        assert_eq!(m["items"][0]["tier"], "same_occupation");
        assert_eq!(m["items"][0]["distance_km"], 8.0);
        assert!(m["items"][1]["distance_km"].is_null());
        assert_eq!(m["items"][2]["tier"], "no_qualifications_needed");
        // Shared fields only.
        let text = m.to_string();
        assert!(!text.contains("qualifications_and_pay") && !text.contains("Overenskomst"));
        // The carpenter in 2605 sees the dish-washing job but not the carpenter job 222 km away.
        let (_, m) = app.get(&format!("/api/v1/candidates/{}/matches", w.ids["Tømrer Nær"]), &w.frb);
        let titles: Vec<&str> = m["items"].as_array().unwrap().iter().map(|o| o["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["Opvasker", "Rengøringsassistent"]);
        let (_, m) = app.get(&format!("/api/v1/candidates/{}/matches?radius_km=300", w.ids["Tømrer Nær"]), &w.frb);
        assert_eq!(m["items"][0]["title"], "Tømrer i Aalborg");
        // Someone else's candidate: 404.
        assert_eq!(app.get(&format!("/api/v1/candidates/{}/matches", w.ids["Kok Nær"]), &w.owner).0, 404);
    }

    bulk_referral_applies_the_rules_to_each(app) {
        let w = world(app);
        let ids = [w.ids["Kok Nær"], w.ids["Smørrebrød Hvidovre"], w.ids["Uden Samtykke"], w.ids["Kok Nær"]];
        let (s, r) = app.post(&format!("/api/v1/orders/{}/referrals/bulk", w.kok), &w.frb, json!({"candidate_ids": ids}));
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["created"], 2);
        let statuses: Vec<i64> = r["results"].as_array().unwrap().iter().map(|x| x["status"].as_i64().unwrap()).collect();
        assert_eq!(statuses, [201, 201, 409]);
        assert_eq!(r["results"][0]["state"], "pending_approval");
        assert!(r["results"][2]["error"].as_str().unwrap().contains("consent"));
        // Referred candidates leave the match list.
        let (_, m) = app.get(&format!("/api/v1/orders/{}/matches", w.kok), &w.frb);
        assert_eq!(names(&m), ["Koordinater", "Uden Adresse"]);
        assert_eq!(app.get(&format!("/api/v1/orders/{}", w.kok), &w.owner).1["referred"], 2);
        assert_eq!(app.post(&format!("/api/v1/orders/{}/referrals/bulk", w.kok), &w.frb, json!({"candidate_ids": []})).0, 422);
        let hill = app.login("hillerod.konsulent");
        assert_eq!(app.post(&format!("/api/v1/orders/{}/referrals/bulk", w.kok), &hill, json!({"candidate_ids": [1]})).0, 404);
    }

    job_agent_digest(app) {
        let owner = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let admin = app.login("admin");
        let (s, a) = app.post("/api/v1/job-agents", &frb, json!({"occupation": "kok", "postcode": "2000", "radius_km": 50, "frequency": "daily"}));
        assert_eq!(s, 201, "{a}");
        assert_eq!(a["occupation_code"], "512010");
        assert_eq!(app.post("/api/v1/job-agents", &frb, json!({"frequency": "hourly", "occupation": "kok"})).0, 422);
        assert_eq!(app.post("/api/v1/job-agents", &frb, json!({})).0, 422);
        assert_eq!(app.post("/api/v1/job-agents", &frb, json!({"occupation": "astronaut"})).0, 422);

        app.shared_order(&owner, json!({"title": "Kantinekok søges", "occupation": "kantinekok", "workplace_postcode": "2605", "qualifications_and_pay": "HEMMELIG-LØN"}), &["HRS"]);
        app.shared_order(&owner, json!({"title": "Tømrer", "occupation": "Tømrer", "workplace_postcode": "2605"}), &["HRS"]);
        app.shared_order(&owner, json!({"title": "Kok i Aalborg", "occupation": "Kok", "workplace_postcode": "9000"}), &["HRS"]);
        let outbox_before = app.get("/api/v1/admin/outbox", &admin).1["total"].as_i64().unwrap();

        let db = &app.state.db;
        let mail = &app.state.mail;
        let now = chrono::Utc::now().naive_utc();
        // Not due yet.
        assert_eq!(staer_hub::domain::job_agents::run_due(db, mail, now).unwrap(), 0);
        let tomorrow = now + chrono::Duration::hours(25);
        assert_eq!(staer_hub::domain::job_agents::run_due(db, mail, tomorrow).unwrap(), 1);
        assert_eq!(staer_hub::domain::job_agents::run_due(db, mail, tomorrow).unwrap(), 0, "once per period");
        let (_, ob) = app.get("/api/v1/admin/outbox", &admin);
        assert_eq!(ob["total"].as_i64().unwrap(), outbox_before + 1);
        let digest = &ob["items"][0];
        assert_eq!(digest["kind"], "job_agent_digest");
        assert_eq!(digest["to_addr"], "frederiksberg.konsulent@jobcenter.example");
        assert!(digest["subject"].as_str().unwrap().starts_with("Jobagent: 1 nye jobordrer"), "{digest}");
        let body: (String,) = {
            use diesel::prelude::*;
            use staer_hub::db::schema::outbox;
            db.read_blocking(|c| Ok(outbox::table.order(outbox::id.desc()).select((outbox::body_text,)).first(c)?)).unwrap()
        };
        assert!(body.0.contains("Kantinekok søges") && !body.0.contains("Tømrer") && !body.0.contains("Aalborg"), "{}", body.0);
        assert!(!body.0.contains("HEMMELIG"));
        let link = body.0.lines().find(|l| l.contains("/job-agents/unsubscribe/")).unwrap();
        let path = &link[link.find("/job-agents/").unwrap()..];
        // Opening the link asks (mail scanners open links); the POST unsubscribes.
        let (s, page) = app.raw("GET", path.trim(), None, None, "");
        assert_eq!(s, 200);
        assert!(page.contains("Vil du afmelde") && !page.contains("afmeldt"), "{page}");
        assert_eq!(app.get("/api/v1/job-agents", &frb).1["items"].as_array().unwrap().len(), 1);
        let (s, page) = app.raw("POST", path.trim(), None, None, "");
        assert_eq!(s, 200);
        assert!(page.contains("afmeldt"));
        assert_eq!(app.raw("GET", "/job-agents/unsubscribe/nope", None, None, "").0, 404);
        assert_eq!(app.get("/api/v1/job-agents", &frb).1["items"].as_array().unwrap().len(), 0);
        // Unsubscribed: no more digests.
        app.shared_order(&owner, json!({"title": "Kok igen", "occupation": "Kok", "workplace_postcode": "2605"}), &["HRS"]);
        assert_eq!(staer_hub::domain::job_agents::run_due(db, mail, tomorrow + chrono::Duration::days(2)).unwrap(), 0);
    }

    occupation_list(app) {
        let t = app.login("brondby.konsulent");
        let (_, l) = app.get("/api/v1/occupations?q=fiskekok", &t);
        assert_eq!(l["items"][0]["code"], "512010");
        let o = app.create_order(&t, json!({"occupation": "SOSU-hjælper"}));
        assert_eq!(o["occupation_code"], "532110");
        let (s, e) = app.post("/api/v1/orders", &t, json!({"title": "x", "occupation": "x", "company_name": "x", "start_date": "2026-12-01", "vacancies": 1, "task_description": "x", "workplace_postcode": "0000"}));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("workplace_postcode")));
        let (s, e) = app.post("/api/v1/candidates", &t, json!({"name": "x", "occupations": ["astronaut"]}));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("occupations")));
        let (s, e) = app.post("/api/v1/candidates", &t, json!({"name": "x", "latitude": 91.0, "longitude": 12.0}));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("latitude")));
        // Changing the occupation re-classifies the order.
        let (_, p) = app.patch(&format!("/api/v1/orders/{}", o["id"]), &t, json!({"occupation": "Tømrer"}));
        assert_eq!(p["occupation_code"], "711510");
    }
}

on_both! {
    // The page's list reads the code's wishers place by place, nearest first, and stops once
    // it has enough. A place as near as the last one read can still hold a better name: it
    // is read too. Two places 0.02° north and south of the workplace are equally far (2.2 km);
    // the southern one comes first in the index and alone fills a list of two.
    equally_near_places_are_read_together(app) {
        let owner = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let kok = app.shared_order(
            &owner,
            json!({"title": "Kok", "occupation": "Kok", "workplace_postcode": "2605"}),
            &["HRS"],
        );
        let (lat, lon) = (55.64504, 12.4044); // 2605 Brøndby in the postcode table
        for (name, dlat) in [("Birk Syd", -0.02), ("Bøg Syd", -0.02), ("Ask Nord", 0.02)] {
            let body = json!({"name": name, "occupations": ["kok"], "latitude": lat + dlat, "longitude": lon});
            let (s, c) = app.post("/api/v1/candidates", &frb, body);
            assert_eq!(s, 201, "{c}");
            app.post(&format!("/api/v1/candidates/{}/consent", c["id"]), &frb, json!({}));
        }
        let (s, m) = app.get(&format!("/api/v1/orders/{kok}/matches?limit=2"), &frb);
        assert_eq!(s, 200, "{m}");
        assert_eq!(names(&m), ["Ask Nord", "Birk Syd"]);
        assert_eq!(m["items"][0]["distance_km"], m["items"][1]["distance_km"]);
        let (_, m) = app.get(&format!("/api/v1/orders/{kok}/matches?limit=3"), &frb);
        assert_eq!(names(&m), ["Ask Nord", "Birk Syd", "Bøg Syd"]);
    }
}
