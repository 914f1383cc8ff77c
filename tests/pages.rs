//! The HTML pages over HTTP, as a browser without JavaScript uses them: a cookie session,
//! forms with CSRF tokens, redirects with messages. On SQLite and PostgreSQL.

mod common;

use std::collections::HashMap;

use serde_json::json;

/// A cookie jar and no automatic redirects, so each step can be checked.
struct Browser<'a> {
    app: &'a common::TestApp,
    agent: ureq::Agent,
    cookies: HashMap<String, String>,
    /// Every Set-Cookie header seen, as sent (for the attribute checks).
    set_cookies: Vec<String>,
}

struct Res {
    status: u16,
    location: Option<String>,
    body: String,
}

impl<'a> Browser<'a> {
    fn new(app: &'a common::TestApp) -> Self {
        Browser {
            app,
            agent: ureq::AgentBuilder::new().redirects(0).build(),
            cookies: HashMap::new(),
            set_cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn finish(&mut self, r: Result<ureq::Response, ureq::Error>) -> Res {
        let r = match r {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        for sc in r.all("set-cookie") {
            self.set_cookies.push(sc.to_string());
            let (pair, attrs) = sc.split_once(';').unwrap_or((sc, ""));
            let (k, v) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k.trim());
            } else {
                self.cookies.insert(k.trim().to_string(), v.to_string());
            }
        }
        Res {
            status: r.status(),
            location: r.header("location").map(String::from),
            body: r.into_string().unwrap(),
        }
    }

    fn get(&mut self, path: &str) -> Res {
        let r = self
            .agent
            .get(&self.app.url(path))
            .set("Cookie", &self.cookie_header())
            .call();
        self.finish(r)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Res {
        let r = self
            .agent
            .post(&self.app.url(path))
            .set("Cookie", &self.cookie_header())
            .send_form(form);
        self.finish(r)
    }

    /// GET, following redirects like a browser does.
    fn open(&mut self, path: &str) -> Res {
        let mut res = self.get(path);
        for _ in 0..5 {
            match (res.status, res.location.clone()) {
                (301..=303, Some(loc)) => res = self.get(&loc),
                _ => break,
            }
        }
        res
    }

    /// POST a form of `page` (with its CSRF token), then follow the redirect.
    fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Res {
        let html = self.open(page).body;
        let token = csrf_of(&html);
        let mut form = vec![("_csrf", token.as_str())];
        form.extend_from_slice(fields);
        let res = self.post(action, &form);
        match (res.status, res.location.clone()) {
            (303, Some(loc)) => self.open(&loc),
            _ => res,
        }
    }

    fn login(&mut self, username: &str) {
        let html = self.open("/login").body;
        let token = csrf_of(&html);
        let res = self.post(
            "/login",
            &[
                ("_csrf", &token),
                ("username", username),
                ("password", "demo"),
                ("next", "/dashboard/shared-orders"),
            ],
        );
        assert_eq!(res.status, 303, "login {username}: {}", res.body);
        assert!(self.cookies.contains_key("staer_session"));
    }
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a form with a CSRF token") + 20;
    html[at..].split('"').next().unwrap().to_string()
}

/// The text of a page with the entities handlebars writes turned back.
fn text(html: &str) -> String {
    html.replace("&#x3D;", "=")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
}

fn flash(html: &str) -> String {
    let at = html
        .find("class=\"flash")
        .unwrap_or_else(|| panic!("no message on the page: {html}"));
    let start = html[at..].find('>').unwrap() + at + 1;
    text(&html[start..start + html[start..].find("</p>").unwrap()])
}

fn state_of(app: &common::TestApp, token: &str, referral: i64) -> String {
    app.get(&format!("/api/v1/referrals/{referral}"), token).1["state"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A shared order of Brøndby with private texts, through the API.
fn shared_order(app: &common::TestApp, extra: serde_json::Value) -> i64 {
    let t = app.login("brondby.konsulent");
    let mut body = json!({
        "title": "Smed til værksted", "qualifications_and_pay": "HEMMELIG-LØN-4711",
        "working_hours": "HEMMELIG-TID-0815", "employer_email": "hemmelig.hr@jern.example",
        "task_description": "Svejsning og montage",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let id = app.create_order(&t, body)["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/orders/{id}/send-to-portal"), &t, json!({}))
            .0,
        200
    );
    assert_eq!(
        app.post(&format!("/api/v1/orders/{id}/shares"), &t, json!({"network": "HRS"}))
            .0,
        201
    );
    id
}

on_both! {
    login_and_dashboards(app) {
        let mut b = Browser::new(app);
        // Not logged in: every page goes to the login form, which brings you back.
        let r = b.get("/");
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/login")));
        let r = b.get("/dashboard/my-orders?sort=title");
        assert_eq!(r.status, 303);
        assert_eq!(r.location.as_deref(), Some("/login?next=%2Fdashboard%2Fmy-orders%3Fsort%3Dtitle"));
        assert_eq!(b.get("/orders/1").status, 303);

        let login = b.open("/login?next=/dashboard/my-orders");
        assert!(login.body.contains("Brugernavn") && login.body.contains("Adgangskode"));
        let token = csrf_of(&login.body);
        // Wrong password: the form again, with a message and the name kept.
        let r = b.post("/login", &[("_csrf", &token), ("username", "frederiksberg.konsulent"), ("password", "forkert"), ("next", "/")]);
        assert_eq!(r.status, 401);
        assert!(r.body.contains("Forkert brugernavn eller adgangskode.") && r.body.contains("value=\"frederiksberg.konsulent\""));
        // A login form from elsewhere (no matching cookie token) is refused.
        let r = b.post("/login", &[("_csrf", "forged"), ("username", "frederiksberg.konsulent"), ("password", "demo")]);
        assert_eq!(r.status, 403);
        // An off-site `next` is ignored.
        let r = b.post("/login", &[("_csrf", &token), ("username", "frederiksberg.konsulent"), ("password", "demo"), ("next", "//evil.example/x")]);
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/dashboard/shared-orders")));
        let session = b.set_cookies.iter().find(|c| c.starts_with("staer_session=")).unwrap().clone();
        for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(session.contains(attr), "{session}");
        }
        // The cookie is the API's JWT.
        let jwt = b.cookies["staer_session"].clone();
        assert_eq!(app.get("/api/v1/auth/me", &jwt).1["username"], "frederiksberg.konsulent");

        let shared = b.open("/dashboard/shared-orders").body;
        for label in ["STÆR Samarbejde", "Søg efter poster", "Primær myndighed", "Ansvarlig konsulent", "Tovholder (ekstern)",
                      "Stillingsbetegnelse", "Anmodnings-id", "Ledige pladser", "Henvist", "Kok til kantine", "Rengøringsassistent",
                      "15.300 Brøndby", "1 - 2 af 2", "Fuld bredde", "Konsulent Frederiksberg · Frederiksberg"] {
            assert!(shared.contains(label), "shared-orders lacks {label}");
        }
        // Frederiksberg's own shared order is not on its "shared with us" list.
        assert!(!shared.contains("Butiksassistent"));
        let t = text(&shared);
        // The CSV links, for a spreadsheet in the page's language: the rows shown, and all.
        assert!(t.contains("/api/v1/dashboard/shared-orders?format=csv&lang=da&sort=start_date&dir=asc&page=1&per_page=50"), "CSV link of the rows shown");
        assert!(t.contains("/api/v1/dashboard/shared-orders?format=csv&lang=da&sort=start_date&dir=asc&all=1"), "CSV link of all rows");
        assert!(t.contains("aria-sort=\"ascending\"") && t.contains("▲"));

        let mine = b.open("/dashboard/my-orders").body;
        for label in ["Mine jobordrer", "Titel", "Oprettet", "Ændret", "Status", "Åben", "Pædagogmedhjælper", "Butiksassistent", "1 - 2 af 2"] {
            assert!(mine.contains(label), "my-orders lacks {label}");
        }
        assert!(!mine.contains("Kok til kantine"), "another centre's order on my-orders");
        let sorted = b.open("/dashboard/my-orders?sort=title&dir=desc").body;
        assert!(sorted.find("Pædagogmedhjælper").unwrap() < sorted.find("Butiksassistent").unwrap());
        assert!(sorted.contains("aria-sort=\"descending\"") && sorted.contains("▼"));
        assert!(text(&sorted).contains("href=\"/dashboard/my-orders?sort=title&dir=asc\""), "the sorted header turns the order around");
        let sorted = b.open("/dashboard/my-orders?sort=title&dir=asc").body;
        assert!(sorted.find("Pædagogmedhjælper").unwrap() > sorted.find("Butiksassistent").unwrap());
        let found = b.open("/dashboard/my-orders?q=butik").body;
        assert!(found.contains("Butiksassistent") && !found.contains("Pædagogmedhjælper") && found.contains("1 - 1 af 1"));
        assert!(found.contains("value=\"butik\""), "the search box keeps the search");
        let paged = b.open("/dashboard/my-orders?per_page=1&page=2&sort=title").body;
        assert!(paged.contains("2 - 2 af 2") && paged.contains("Pædagogmedhjælper") && !paged.contains(">Butiksassistent<"));
        // A bad sort in a hand-made link: the default list and a message, not an error page.
        let bad = b.open("/dashboard/my-orders?sort=working_hours");
        assert_eq!(bad.status, 200);
        assert!(flash(&bad.body).contains("sort"));

        let refs = b.open("/dashboard/my-referrals").body;
        for label in ["Mine formidlinger", "Borger", "Oprettet af", "Formidling afventer godkendelse",
                      "Formidling tilgængelig for virksomhed", "Trukket tilbage", "Anna Jensen", "Bo Nielsen", "Kok til kantine"] {
            assert!(refs.contains(label), "my-referrals lacks {label}");
        }
        assert!(!refs.contains("Dorte Pedersen"), "Brøndby's referral on Frederiksberg's list");

        // English, remembered.
        let en = b.open("/dashboard/shared-orders?lang=en").body;
        assert!(en.contains("STÆR collaboration") && en.contains("Search records") && en.contains("<html lang=\"en\">"));
        assert!(b.open("/dashboard/my-orders").body.contains("My job orders"));
        assert!(b.open("/dashboard/my-orders?lang=da").body.contains("Mine jobordrer"));

        // Log out: the session is gone, on the server too: the old cookie no longer works.
        let old = b.cookies["staer_session"].clone();
        let r = b.submit("/dashboard/my-orders", "/logout", &[]);
        assert!(r.body.contains("Brugernavn"));
        assert!(!b.cookies.contains_key("staer_session"));
        assert_eq!(b.get("/dashboard/my-orders").status, 303);
        b.cookies.insert("staer_session".into(), old.clone());
        assert_eq!(b.get("/dashboard/my-orders").status, 303, "a logged-out cookie still opens pages");
        assert_eq!(app.get("/api/v1/auth/me", &old).0, 401);
    }

    csrf_is_required(app) {
        let mut b = Browser::new(app);
        b.login("brondby.konsulent");
        let order = b.open("/orders/1").body;
        let token = csrf_of(&order);
        let pending = 1; // demo: Anna Jensen's referral awaits Brøndby's approval
        let owner = app.login("brondby.konsulent");
        for form in [vec![], vec![("_csrf", "")], vec![("_csrf", "00ff")], vec![("_csrf", "not-hex")]] {
            let r = b.post(&format!("/referrals/{pending}/approve"), &form);
            assert_eq!(r.status, 403, "{form:?}");
            assert!(r.body.contains("Formularen er udløbet eller ugyldig"));
        }
        assert_eq!(state_of(app, &owner, pending), "pending_approval");
        // Another session's token does not fit this session.
        let mut other = Browser::new(app);
        other.login("frederiksberg.konsulent");
        let foreign = csrf_of(&other.open("/dashboard/my-orders").body);
        assert_ne!(foreign, token);
        assert_eq!(b.post(&format!("/referrals/{pending}/approve"), &[("_csrf", &foreign)]).status, 403);
        for path in ["/orders/new", "/orders/1/close", "/orders/1/send-to-portal", "/orders/1/share", "/orders/1/referrals", "/candidates", "/logout"] {
            assert_eq!(b.post(path, &[("title", "x")]).status, 403, "{path}");
        }
        assert_eq!(app.get("/api/v1/orders/1", &owner).1["status"], "open");
        // The right token works.
        let r = b.post(&format!("/referrals/{pending}/approve"), &[("_csrf", &token), ("order", "1")]);
        assert_eq!(r.status, 303);
        assert_eq!(state_of(app, &owner, pending), "available_to_company");
    }

    html_is_escaped(app) {
        let mut b = Browser::new(app);
        b.login("brondby.konsulent");
        let evil = "<script>alert(\"x\")</script>";
        let r = b.submit("/orders/new", "/orders/new", &[
            ("title", evil), ("occupation", "<img src=x onerror=alert(1)>"), ("company_name", "A&B \"Firma\""),
            ("start_date", "2027-02-01"), ("vacancies", "2"), ("task_description", "Linje 1\r\n<b>Linje 2</b>"),
            ("employer_email", "hr@ab.example"), ("coordinator_allowed", "1"),
        ]);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(flash(&r.body), "Jobordren er oprettet.");
        for page in [r.body.clone(), b.open("/dashboard/my-orders").body] {
            assert!(!page.contains("<script>alert") && !page.contains("<img src=x"), "unescaped user data");
            assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
        }
        assert!(r.body.contains("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;"));
        // Newlines kept (CRLF made LF), markup shown as text.
        assert!(r.body.contains("Linje 1\n&lt;b&gt;Linje 2&lt;/b&gt;"));
        // Another centre sees it escaped too, once shared.
        let id: i64 = r.body.split("action=\"/orders/").nth(1).unwrap().split('/').next().unwrap().parse().unwrap();
        b.submit(&format!("/orders/{id}"), &format!("/orders/{id}/send-to-portal"), &[]);
        let shared = b.submit(&format!("/orders/{id}"), &format!("/orders/{id}/share"), &[("network", "HRS")]);
        assert!(flash(&shared.body).starts_with("Jobordren er delt med netværket."), "{}", flash(&shared.body));
        let mut f = Browser::new(app);
        f.login("frederiksberg.konsulent");
        let list = f.open("/dashboard/shared-orders?q=script").body;
        assert!(list.contains("&lt;script&gt;") && !list.contains("<script>"));
        // Only the stylesheet of the site, no inline script may run.
        let res = ureq::get(&app.url("/login")).call().unwrap();
        let csp = res.header("content-security-policy").unwrap().to_string();
        assert!(csp.contains("script-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    }

    order_page_shows_what_the_user_may_see(app) {
        let id = shared_order(app, json!({}));
        let mut owner = Browser::new(app);
        owner.login("brondby.konsulent");
        let page = owner.open(&format!("/orders/{id}")).body;
        for s in ["Smed til værksted", "Beskrivelse af arbejdsopgaver", "Svejsning og montage", "HEMMELIG-LØN-4711",
                  "HEMMELIG-TID-0815", "hemmelig.hr@jern.example", "Kvalifikationer og løn", "Historik", "Sendt til portal",
                  "Delt", "Oprettet", "Notificerede jobcentre", "1 - 5 af 5", "Tårnby-Dragør", "HRS", "Primær myndighed",
                  "JobCenter 15.300 Brøndby", "Luk jobordre", "Redigér"] {
            assert!(page.contains(s), "owner's page lacks {s}");
        }
        // History newest first.
        assert!(page.find("<td data-label=\"Handling\">Delt</td>").unwrap() < page.find("<td data-label=\"Handling\">Oprettet</td>").unwrap());
        // NRS is the only network left to share with.
        assert!(page.contains("<option value=\"NRS\">") && !page.contains("<option value=\"HRS\">"));

        let mut notified = Browser::new(app);
        notified.login("frederiksberg.konsulent");
        let r = notified.open(&format!("/orders/{id}"));
        assert_eq!(r.status, 200);
        for s in ["Smed til værksted", "Beskrivelse af arbejdsopgaver", "Svejsning og montage", "Notificerede jobcentre", "Formidl en borger", "Anna Jensen"] {
            assert!(r.body.contains(s), "notified page lacks {s}");
        }
        for s in ["HEMMELIG", "hemmelig.hr@", "Kvalifikationer og løn", "Arbejdstid", "Historik", "Luk jobordre", "Redigér", "/edit"] {
            assert!(!r.body.contains(s), "notified page shows {s}");
        }
        // Only consenting candidates of the own centre are offered: Gustav Madsen has no consent.
        assert!(!r.body.contains("Gustav Madsen"));
        assert_eq!(notified.get(&format!("/orders/{id}/edit")).status, 403);

        // Not notified, unknown, not an id: the same 404 page.
        let mut other = Browser::new(app);
        other.login("hillerod.konsulent");
        for path in [format!("/orders/{id}"), "/orders/99999999".into(), "/orders/abc".into(), format!("/orders/{id}/edit")] {
            let r = other.get(&path);
            assert_eq!(r.status, 404, "{path}");
            assert!(r.body.contains("Siden findes ikke"), "{path}: {}", r.body);
        }
        let token = csrf_of(&other.open("/candidates").body);
        assert_eq!(other.post("/referrals/1/approve", &[("_csrf", &token), ("order", "1")]).status, 404);

        // The notified centres (not the owner) page through "1 - 6 af 8" for an order shared with both networks.
        let demo = owner.open("/orders/1").body;
        assert!(demo.contains("1 - 6 af 8"));
        let second = owner.open("/orders/1?np=2").body;
        assert!(second.contains("7 - 8 af 8") && second.contains("Hillerød"));
        let far = owner.open("/orders/1?np=9223372036854775807");
        assert_eq!(far.status, 200);
        assert!(far.body.contains("0 - 0 af 8"));
    }

    referral_flow_through_forms(app) {
        let id = shared_order(app, json!({"title": "Maler"}));
        let path = format!("/orders/{id}");
        let mut frb = Browser::new(app);
        frb.login("frederiksberg.konsulent");
        let api = app.login("frederiksberg.konsulent");
        let cands = app.get("/api/v1/candidates", &api).1;
        let cand = |name: &str| cands["items"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()["id"].as_i64().unwrap().to_string();

        // No consent: refused with the reason on the order page.
        let r = frb.submit(&path, &format!("{path}/referrals"), &[("candidate_id", &cand("Gustav Madsen"))]);
        assert_eq!(r.status, 200);
        assert!(flash(&r.body).starts_with("Kan ikke udføres:") && flash(&r.body).contains("har ikke givet samtykke"), "{}", flash(&r.body));
        let r = frb.submit(&path, &format!("{path}/referrals"), &[("candidate_id", &cand("Anna Jensen"))]);
        assert_eq!(flash(&r.body), "Borgeren er formidlet.");
        assert!(r.body.contains("Formidling afventer godkendelse"));
        let referral: i64 = r.body.split("id=\"referral-").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        // Twice: refused.
        let r = frb.submit(&path, &format!("{path}/referrals"), &[("candidate_id", &cand("Anna Jensen"))]);
        assert_eq!(flash(&r.body), "Kan ikke udføres: Anna Jensen er allerede formidlet til denne jobordre");
        // The referrer may withdraw but not approve; the buttons say so, and the server agrees.
        assert!(r.body.contains(&format!("/referrals/{referral}/withdraw")) && !r.body.contains(&format!("/referrals/{referral}/approve")));
        let r = frb.submit(&path, &format!("/referrals/{referral}/approve"), &[("order", &id.to_string())]);
        assert!(flash(&r.body).starts_with("Ikke tilladt:"), "{}", flash(&r.body));

        let mut coord = Browser::new(app);
        coord.login("brondby.konsulent");
        let page = coord.open(&path).body;
        assert!(page.contains(&format!("/referrals/{referral}/approve")) && page.contains(&format!("/referrals/{referral}/reject")));
        assert!(!page.contains(&format!("/referrals/{referral}/withdraw")) && !page.contains(&format!("/referrals/{referral}/send")));
        // A rejection needs a reason.
        let r = coord.submit(&path, &format!("/referrals/{referral}/reject"), &[("order", &id.to_string()), ("reason", " ")]);
        assert!(flash(&r.body).starts_with("Ugyldig værdi i feltet \"Begrundelse\""), "{}", flash(&r.body));
        let r = coord.submit(&path, &format!("/referrals/{referral}/approve"), &[("order", &id.to_string())]);
        assert_eq!(flash(&r.body), "Formidlingen er godkendt.");
        assert!(r.body.contains("Formidling tilgængelig for virksomhed"));
        let r = coord.submit(&path, &format!("/referrals/{referral}/send"), &[("order", &id.to_string())]);
        assert_eq!(flash(&r.body), "Formidlingen er sendt til virksomheden.");
        assert_eq!(state_of(app, &api, referral), "sent_to_employer");
        // Sent is final: no buttons left, and a replayed form is refused.
        assert!(!r.body.contains(&format!("/referrals/{referral}/send")));
        let r = coord.submit(&path, &format!("/referrals/{referral}/send"), &[("order", &id.to_string())]);
        assert!(flash(&r.body).starts_with("Kan ikke udføres:"));
    }

    order_and_candidate_forms(app) {
        let mut b = Browser::new(app);
        b.login("brondby.konsulent");
        // A refused form comes back as typed, with the field named.
        let r = b.submit("/orders/new", "/orders/new", &[
            ("title", "Tjener"), ("occupation", "Tjener"), ("company_name", "Café Ø"), ("start_date", "2027-03-01"),
            ("vacancies", "0"), ("task_description", "Servering"), ("qualifications_and_pay", "Privat løn"),
        ]);
        assert_eq!(r.status, 422);
        assert!(flash(&r.body).contains("Ledige pladser"), "{}", flash(&r.body));
        assert!(r.body.contains("value=\"Café Ø\"") && r.body.contains("Privat løn"));
        let r = b.submit("/orders/new", "/orders/new", &[
            ("title", "Tjener"), ("occupation", "Tjener"), ("company_name", "Café Ø"), ("start_date", "1. marts"),
            ("vacancies", "1"), ("task_description", "Servering"),
        ]);
        assert_eq!(r.status, 422);
        assert!(flash(&r.body).contains("Startdato"));
        let r = b.submit("/orders/new", "/orders/new", &[
            ("title", "Tjener"), ("occupation", "Tjener"), ("company_name", "Café Ø"), ("start_date", "2027-03-01"),
            ("vacancies", "3"), ("task_description", "Servering"), ("qualifications_and_pay", "Privat løn"), ("cvr", "12345678"),
        ]);
        assert_eq!(flash(&r.body), "Jobordren er oprettet.");
        let id: i64 = r.body.split("action=\"/orders/").nth(1).unwrap().split('/').next().unwrap().parse().unwrap();
        let t = app.login("brondby.konsulent");
        let o = app.get(&format!("/api/v1/orders/{id}"), &t).1;
        assert_eq!((o["vacancies"].as_i64(), o["coordinator_allowed"].as_bool()), (Some(3), Some(false)));

        // Edit: the form shows the order, a change is saved and audited.
        let form = b.open(&format!("/orders/{id}/edit")).body;
        assert!(form.contains("value=\"12345678\"") && form.contains("Privat løn") && form.contains("value=\"2027-03-01\""));
        let r = b.submit(&format!("/orders/{id}/edit"), &format!("/orders/{id}/edit"), &[
            ("title", "Tjener"), ("occupation", "Tjener"), ("company_name", "Café Ø"), ("cvr", "12345678"), ("start_date", "2027-03-01"),
            ("vacancies", "4"), ("task_description", "Servering"), ("qualifications_and_pay", "Privat løn"), ("coordinator_allowed", "1"),
        ]);
        assert_eq!(flash(&r.body), "Jobordren er gemt.");
        let o = app.get(&format!("/api/v1/orders/{id}"), &t).1;
        assert_eq!((o["vacancies"].as_i64(), o["coordinator_allowed"].as_bool()), (Some(4), Some(true)));
        assert!(r.body.contains("<td data-label=\"Handling\">Ændret</td>"));
        // Share before the portal: the page says why not.
        let r = b.submit(&format!("/orders/{id}"), &format!("/orders/{id}/share"), &[("network", "HRS")]);
        assert!(flash(&r.body).contains("Jobnet for arbejdsgivere"), "{}", flash(&r.body));
        // Close: a confirmation page asks for the reason; without one the form comes back.
        let page = b.open(&format!("/orders/{id}")).body;
        assert!(page.contains(&format!("href=\"/orders/{id}/close\"")), "a link to the confirmation, not a one-click close");
        let confirm = b.open(&format!("/orders/{id}/close"));
        assert_eq!(confirm.status, 200);
        assert!(confirm.body.contains("Begrundelse for lukning") && confirm.body.contains("Bekræft lukning") && confirm.body.contains("required"));
        let r = b.submit(&format!("/orders/{id}/close"), &format!("/orders/{id}/close"), &[("reason", "   ")]);
        assert_eq!(r.status, 422);
        assert!(r.body.contains("aria-invalid=\"true\" aria-describedby=\"close-reason-error\""), "{}", r.body);
        assert!(flash(&r.body).contains("angiv en begrundelse for lukningen"));
        assert_eq!(app.get(&format!("/api/v1/orders/{id}"), &t).1["status"], "open");
        let long = "x".repeat(2001);
        let r = b.submit(&format!("/orders/{id}/close"), &format!("/orders/{id}/close"), &[("reason", &long)]);
        assert_eq!(r.status, 422);
        assert!(r.body.contains(&long), "the typed reason is kept");
        let r = b.submit(&format!("/orders/{id}/close"), &format!("/orders/{id}/close"), &[("reason", "Stillingen er besat")]);
        assert_eq!(flash(&r.body), "Jobordren er lukket. Formidlinger trukket tilbage: 0");
        assert!(r.body.contains("Lukket") && !r.body.contains("Luk jobordre") && r.body.contains("Genåbn jobordre"));
        assert!(text(&r.body).contains("Stillingen er besat"), "the reason in the history");
        // The confirmation page of a closed order says so.
        let r = b.open(&format!("/orders/{id}/close"));
        assert!(flash(&r.body).contains("allerede lukket"), "{}", r.body);
        // Reopen from the page.
        let r = b.submit(&format!("/orders/{id}"), &format!("/orders/{id}/reopen"), &[("reason", "Ny kontrakt")]);
        assert!(flash(&r.body).starts_with("Jobordren er genåbnet."), "{}", flash(&r.body));
        assert_eq!(app.get(&format!("/api/v1/orders/{id}"), &t).1["status"], "open");
        // Another centre gets no confirmation page: 404 (not notified).
        let mut other = Browser::new(app);
        other.login("frederiksberg.konsulent");
        assert_eq!(other.open(&format!("/orders/{id}/close")).status, 404);
        let r = b.submit(&format!("/orders/{id}/close"), &format!("/orders/{id}/close"), &[("reason", "Besat igen")]);
        assert!(flash(&r.body).starts_with("Jobordren er lukket."));

        // Candidates: create (a bad postcode first), consent, revoke.
        let r = b.submit("/candidates", "/candidates", &[("name", "Hans Hansen"), ("postcode", "12")]);
        assert_eq!(r.status, 422);
        assert!(flash(&r.body).contains("Postnummer") && r.body.contains("value=\"Hans Hansen\""));
        let r = b.submit("/candidates", "/candidates", &[("name", "Hans Hansen"), ("postcode", "2605"), ("email", "hans@borger.example")]);
        assert_eq!(flash(&r.body), "Borgeren er oprettet.");
        let cid: i64 = r.body.split("id=\"candidate-").find(|s| s.contains("Hans Hansen")).unwrap().split('"').next().unwrap().parse().unwrap();
        // The same email again: the page warns, names the candidate, and creates only when told.
        let r = b.submit("/candidates", "/candidates", &[("name", "Hans H."), ("email", "HANS@borger.example")]);
        assert_eq!(r.status, 409);
        assert!(flash(&r.body).contains("findes muligvis allerede") && r.body.contains(&format!("#candidate-{cid}")), "{}", flash(&r.body));
        let r = b.submit("/candidates", "/candidates", &[("name", "Hans H."), ("email", "HANS@borger.example"), ("allow_duplicate", "1")]);
        assert_eq!(flash(&r.body), "Borgeren er oprettet.");
        let row = |html: &str| html.split(&format!("id=\"candidate-{cid}\"")).nth(1).unwrap().split("</tr>").next().unwrap().to_string();
        assert!(row(&r.body).contains("Intet samtykke"));
        let r = b.submit("/candidates", &format!("/candidates/{cid}/consent"), &[("share_email", "1")]);
        assert_eq!(flash(&r.body), "Samtykket er registreret.");
        assert!(row(&r.body).contains("Samtykke givet"));
        let c = app.get(&format!("/api/v1/candidates/{cid}"), &t).1;
        assert_eq!((c["share_email"].as_bool(), c["share_phone"].as_bool()), (Some(true), Some(false)));
        let r = b.submit("/candidates", &format!("/candidates/{cid}/revoke"), &[]);
        assert_eq!(flash(&r.body), "Samtykket er tilbagekaldt. Tilbagetrukne formidlinger: 0");
        let r = b.submit("/candidates", &format!("/candidates/{cid}/revoke"), &[]);
        assert!(flash(&r.body).starts_with("Kan ikke udføres:"));
        // Another centre's candidate is a 404.
        let mut f = Browser::new(app);
        f.login("frederiksberg.konsulent");
        let token = csrf_of(&f.open("/candidates").body);
        assert_eq!(f.post(&format!("/candidates/{cid}/consent"), &[("_csrf", &token)]).status, 404);
    }
}

on_both! {
    suggestions_and_bulk_referral(app) {
        let order = shared_order(app, json!({"title": "Kok til café", "occupation": "Kok", "workplace_postcode": "2605"}));
        let frb = app.login("frederiksberg.konsulent");
        let mut ids = Vec::new();
        for (name, occ, pc) in [("Kok Et", "kok", "2000"), ("Kok To", "fiskekok", "2650"), ("Tømrer Tre", "tømrer", "2605")] {
            let (s, c) = app.post("/api/v1/candidates", &frb, json!({"name": name, "occupations": [occ], "postcode": pc}));
            assert_eq!(s, 201, "{c}");
            let id = c["id"].as_i64().unwrap();
            app.post(&format!("/api/v1/candidates/{id}/consent"), &frb, json!({}));
            ids.push(id);
        }
        let mut b = Browser::new(app);
        b.login("frederiksberg.konsulent");
        let page = text(&b.open(&format!("/orders/{order}")).body);
        assert!(page.contains("Forslag: borgere der matcher"), "{page}");
        assert!(page.contains("Samme stilling: Kok, 8 km") && page.contains("Kok To"));
        assert!(!page.contains("Tømrer Tre</td>"), "a carpenter is no suggestion for a cook");
        let (c1, c2) = (format!("c_{}", ids[0]), format!("c_{}", ids[1]));
        let res = b.submit(&format!("/orders/{order}"), &format!("/orders/{order}/referrals/bulk"), &[(&c1, "1"), (&c2, "1")]);
        assert_eq!(flash(&res.body), "Formidlet: 2.");
        let refs = app.get(&format!("/api/v1/orders/{order}/referrals"), &frb).1;
        assert_eq!(refs["items"].as_array().unwrap().len(), 2);
        assert!(refs["items"].as_array().unwrap().iter().all(|r| r["state"] == "pending_approval"));
        // Once more: the same rules refuse, and say why.
        let res = b.submit(&format!("/orders/{order}"), &format!("/orders/{order}/referrals/bulk"), &[(&c1, "1")]);
        let msg = flash(&res.body);
        assert!(msg.starts_with("Formidlet: 0. Afvist:") && msg.contains("allerede formidlet"), "{msg}");
        // Nothing ticked: a clear message, nothing referred.
        let res = b.submit(&format!("/orders/{order}"), &format!("/orders/{order}/referrals/bulk"), &[]);
        assert!(flash(&res.body).contains("candidate_ids"), "{}", res.body);

        // From the candidate's side: the orders that fit.
        let page = text(&b.open(&format!("/candidates/{}/matches", ids[2])).body);
        assert!(page.contains("Jobordrer der passer til Tømrer Tre"), "{page}");
        let page = text(&b.open(&format!("/candidates/{}/matches", ids[0])).body);
        assert!(page.contains("Kok til café") && page.contains("Samme stilling: Kok, 8 km"), "{page}");
        assert!(!page.contains("HEMMELIG"));
        // Someone else's candidate: 404 page.
        let mut owner = Browser::new(app);
        owner.login("brondby.konsulent");
        assert_eq!(owner.open(&format!("/candidates/{}/matches", ids[0])).status, 404);
    }

    unknown_urls_get_the_404_page(app) {
        let mut b = Browser::new(app);
        // Without a session: the plain 404 page, not a login redirect and not JSON.
        let r = b.get("/nope");
        assert_eq!(r.status, 404);
        assert!(r.body.starts_with("<!doctype html>") && r.body.contains("Siden findes ikke"), "{}", r.body);
        // With one: the 404 page with the header every page has (name · centre).
        b.login("brondby.konsulent");
        for path in ["/nope", "/orders/999999"] {
            let r = b.get(path);
            assert_eq!(r.status, 404, "{path}");
            assert!(r.body.contains("Konsulent Brøndby · Brøndby"), "{path}: {}", r.body);
        }
        // The API keeps answering JSON.
        let r = b.get("/api/v1/nope");
        assert_eq!(r.status, 404);
        assert!(serde_json::from_str::<serde_json::Value>(&r.body).is_ok(), "{}", r.body);
    }

    english_pages_say_it_in_english(app) {
        let id = shared_order(app, json!({}));
        let mut b = Browser::new(app);
        b.login("brondby.konsulent");
        let r = b.open(&format!("/orders/{id}?lang=en"));
        assert!(r.body.contains("1 - 5 of 5"), "the notified centres' range in English");
        // A refusal on an English page: English throughout; on a Danish page: Danish throughout.
        let r = b.submit(&format!("/orders/{id}"), &format!("/orders/{id}/share"), &[("network", "HRS")]);
        assert_eq!(flash(&r.body), "Not possible: the order is already shared with HRS");
        let r = b.open(&format!("/orders/{id}?lang=da"));
        assert!(r.body.contains("1 - 5 af 5"));
        let r = b.submit(&format!("/orders/{id}"), &format!("/orders/{id}/share"), &[("network", "HRS")]);
        assert_eq!(flash(&r.body), "Kan ikke udføres: jobordren er allerede delt med HRS");
    }

    refused_form_marks_its_field(app) {
        let mut b = Browser::new(app);
        b.login("brondby.konsulent");
        let r = b.submit("/orders/new", "/orders/new", &[
            ("title", "Kok"), ("occupation", "Kok"), ("company_name", "Havnen"), ("vacancies", "1"),
            ("start_date", "2027-03-01"), ("end_date", "2027-02-01"), ("task_description", "Mad"),
        ]);
        assert_eq!(r.status, 422);
        assert_eq!(flash(&r.body), "Ugyldig værdi i feltet \"Slutdato\": må ikke ligge før startdatoen");
        // The field is marked and described by the message beside it; the others are not.
        assert!(r.body.contains(r#"name="end_date" type="date" value="2027-02-01" aria-invalid="true" aria-describedby="err-end_date">"#), "{}", r.body);
        assert!(r.body.contains(r#"<span class="field-error" id="err-end_date">må ikke ligge før startdatoen</span>"#));
        assert_eq!(r.body.matches("aria-invalid").count(), 1);
    }

    history_reads_as_sentences(app) {
        let id = shared_order(app, json!({"vacancies": 3}));
        let t = app.login("brondby.konsulent");
        assert_eq!(app.patch(&format!("/api/v1/orders/{id}"), &t, json!({"vacancies": 4, "end_date": "2027-12-24"})).0, 200);
        let f = app.login("frederiksberg.konsulent");
        let (s, c) = app.post("/api/v1/candidates", &f, json!({"name": "Bo Berg", "email": "bo@x.dk"}));
        assert_eq!(s, 201, "{c}");
        let cid = c["id"].as_i64().unwrap();
        assert_eq!(app.post(&format!("/api/v1/candidates/{cid}/consent"), &f, json!({})).0, 200);
        let (s, r) = app.post(&format!("/api/v1/orders/{id}/referrals"), &f, json!({"candidate_id": cid}));
        assert_eq!(s, 201, "{r}");
        let rid = r["id"].as_i64().unwrap();
        assert_eq!(app.post(&format!("/api/v1/referrals/{rid}/reject"), &t, json!({"reason": "Mangler kørekort"})).0, 200);

        let mut b = Browser::new(app);
        b.login("brondby.konsulent");
        let page = text(&b.open(&format!("/orders/{id}")).body);
        for s in ["HRS: 5 jobcentre fik besked", "Ledige pladser: 3 → 4", "Slutdato: 01-03-2027 → 24-12-2027",
                  "Formidling (Bo Berg)", "Formidling afventer godkendelse → Afvist: Mangler kørekort"] {
            assert!(page.contains(s), "the history lacks {s}: {}", &page[page.find("id=\"history\"").unwrap_or(0)..]);
        }
        assert!(!page.contains("{&quot;") && !page.contains("{\"network"), "no raw JSON in the history");
    }
}

on_both! {
    erase_and_export_pages(app) {
        let frb = app.login("frederiksberg.konsulent");
        let cand = app.candidate(&frb, "Sletmig Sørensen", true);
        let order = shared_order(app, json!({}));
        assert_eq!(app.refer(&frb, order, cand).0, 201);
        let mut b = Browser::new(app);
        b.login("frederiksberg.konsulent");
        // The candidates page links to the export and to the erasure's confirmation step.
        let list = b.open("/candidates").body;
        assert!(list.contains(&format!("href=\"/candidates/{cand}/export\"")), "export link");
        assert!(list.contains(&format!("href=\"/candidates/{cand}/erase\"")), "erase link");
        assert!(list.contains("href=\"/privacy\""), "the footer links the privacy notice");
        // The printable export shows what is stored.
        let x = b.open(&format!("/candidates/{cand}/export"));
        assert_eq!(x.status, 200);
        assert!(text(&x.body).contains("Sletmig Sørensen") && x.body.contains("Smed til værksted"));
        // Confirmation first: the GET erases nothing and says what will happen.
        let confirm = b.open(&format!("/candidates/{cand}/erase"));
        assert_eq!(confirm.status, 200);
        assert!(confirm.body.contains("Ja, slet oplysningerne for altid") && confirm.body.contains("Aktive formidlinger"));
        assert_eq!(app.get(&format!("/api/v1/candidates/{cand}"), &frb).1["name"], "Sletmig Sørensen");
        // Without the CSRF token nothing happens.
        assert_eq!(b.post(&format!("/candidates/{cand}/erase"), &[]).status, 403);
        let done = b.submit(&format!("/candidates/{cand}/erase"), &format!("/candidates/{cand}/erase"), &[]);
        assert_eq!(flash(&done.body), "Borgerens oplysninger er slettet.");
        assert!(!done.body.contains("Sletmig"));
        assert_eq!(app.get(&format!("/api/v1/candidates/{cand}"), &frb).1["name"], "slettet borger");
        // Another centre's candidate: 404 pages, nothing erased.
        let other = app.candidate(&app.login("brondby.konsulent"), "Brøndby Borger", false);
        assert_eq!(b.get(&format!("/candidates/{other}/erase")).status, 404);
        assert_eq!(b.get(&format!("/candidates/{other}/export")).status, 404);
    }
}

/// The login page after 5 wrong passwords: 429 and a message in Danish and English.
fn page_login_is_throttled(app: &common::TestApp) {
    let mut b = Browser::new(app);
    for _ in 0..5 {
        let token = csrf_of(&b.open("/login").body);
        let r = b.post(
            "/login",
            &[
                ("_csrf", &token),
                ("username", "glostrup.konsulent"),
                ("password", "forkert"),
            ],
        );
        assert_eq!(r.status, 401);
    }
    let token = csrf_of(&b.open("/login").body);
    let r = b.post(
        "/login",
        &[
            ("_csrf", &token),
            ("username", "glostrup.konsulent"),
            ("password", "demo"),
        ],
    );
    assert_eq!(r.status, 429, "the right password right after 5 wrong ones");
    assert!(
        flash(&r.body).contains("For mange mislykkede login-forsøg"),
        "{}",
        r.body
    );
    assert!(!b.cookies.contains_key("staer_session"));
    let token = csrf_of(&b.open("/login?lang=en").body);
    let r = b.post(
        "/login",
        &[
            ("_csrf", &token),
            ("username", "glostrup.konsulent"),
            ("password", "demo"),
        ],
    );
    assert_eq!(r.status, 429);
    assert!(flash(&r.body).contains("Too many failed login attempts"), "{}", r.body);
}

/// A long first lock, so the test can't outrun it on a busy machine.
fn throttled_app(backend: common::Backend) -> common::TestApp {
    common::TestApp::start_with(backend, |c| c.login_base_delay_ms = 30_000)
}

#[test]
fn page_login_is_throttled_sqlite() {
    page_login_is_throttled(&throttled_app(common::Backend::Sqlite));
}

#[test]
fn page_login_is_throttled_postgres() {
    page_login_is_throttled(&throttled_app(common::Backend::Postgres));
}

on_both! {
    the_owner_revokes_an_employer_link_from_the_order_page(app) {
        let coord = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let id = shared_order(app, json!({}));
        let cand = app.candidate(&frb, "Ole Smed", true);
        let rid = app.refer(&frb, id, cand).1["id"].as_i64().unwrap();
        assert_eq!(app.post(&format!("/api/v1/referrals/{rid}/approve"), &coord, json!({})).0, 200);
        assert_eq!(app.post(&format!("/api/v1/referrals/{rid}/send"), &frb, json!({})).0, 200);
        let links = app.get(&format!("/api/v1/orders/{id}/employer-links"), &coord).1;
        let link = links["items"][0]["id"].as_i64().unwrap();
        assert_eq!(links["items"][0]["revoked_at"], serde_json::Value::Null);
        // A notified centre's page has no links card.
        let mut other = Browser::new(app);
        other.login("frederiksberg.konsulent");
        assert!(!other.open(&format!("/orders/{id}")).body.contains("employer-links"));
        // The owner's button revokes it, once.
        let mut b = Browser::new(app);
        b.login("brondby.konsulent");
        let action = format!("/orders/{id}/employer-links/{link}/revoke");
        assert!(b.open(&format!("/orders/{id}")).body.contains(&format!("action=\"{action}\"")));
        let r = b.submit(&format!("/orders/{id}"), &action, &[]);
        assert_eq!(flash(&r.body), "Linket er trukket tilbage.");
        assert!(!r.body.contains(&format!("action=\"{action}\"")), "no button for a revoked link");
        let links = app.get(&format!("/api/v1/orders/{id}/employer-links"), &coord).1;
        assert!(links["items"][0]["revoked_at"].is_string(), "{links}");
        // Without the session's token the form is refused.
        assert_eq!(b.post(&action, &[("_csrf", "00ff")]).status, 403);
    }
}
