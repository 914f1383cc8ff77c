//! The transfer to the employer portal, against a stand-in portal on loopback that checks
//! signatures, keeps ads by idempotency key, rejects one title with a reason, can lose its
//! answers or be down for a while, and confirms later by calling back. On SQLite and
//! PostgreSQL: nothing lost, nothing doubled, reasons shown, failures mailed, updates and
//! withdrawals follow the order, callbacks verified, private texts never sent.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use common::{Backend, TestApp};
use serde_json::{json, Value};
use staer_hub::domain::portal_worker::{self, PortalSettings};

const SECRET: &str = "portal-test-secret";
const SECRET_QUAL: &str = "HEMMELIG-LØN-4711";
const SECRET_HOURS: &str = "HEMMELIG-ARBEJDSTID-0815";
const REJECT_MARK: &str = "AFVIS";
const REASON: &str = "Stillingsbetegnelsen overholder ikke portalens regler";

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, body);
    tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

// ---- the stand-in portal ---------------------------------------------------------------

#[derive(Debug, Clone)]
struct Ad {
    portal_id: String,
    order_id: i64,
    body: Value,
    updates: usize,
    withdrawn: bool,
}

#[derive(Default)]
struct Portal {
    /// By portal id.
    ads: BTreeMap<String, Ad>,
    /// Idempotency key -> the answer given (status, body): a retry gets it again.
    answers: BTreeMap<String, (u16, Value)>,
    /// Every body that arrived with a valid signature.
    bodies: Vec<String>,
    calls: usize,
    forged: usize,
    /// Answers 503 while set.
    down: bool,
    /// Stores the next ads but answers 500, as if the answer were lost on the way.
    lose_answers: usize,
    /// Answers `"status": "online"` at once instead of confirming later.
    online_at_once: bool,
    next_id: u64,
}

struct StandIn {
    base: String,
    state: Arc<Mutex<Portal>>,
    handle: actix_web::dev::ServerHandle,
}

fn answer(code: u16, body: Value) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap()).json(body)
}

/// The checks every call gets: signature, then "down".
fn admit(p: &mut Portal, req: &HttpRequest, body: &[u8]) -> Option<HttpResponse> {
    p.calls += 1;
    let sig = req.headers().get("X-Staer-Signature").and_then(|v| v.to_str().ok());
    if sig != Some(&format!("sha256={}", hmac_hex(SECRET, body))) {
        p.forged += 1;
        return Some(answer(401, json!({"reason": "bad signature"})));
    }
    if p.down {
        return Some(answer(503, json!({"message": "vedligeholdelse"})));
    }
    p.bodies.push(String::from_utf8_lossy(body).into_owned());
    None
}

fn key_of(req: &HttpRequest) -> String {
    req.headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

async fn create(st: web::Data<Arc<Mutex<Portal>>>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let mut p = st.lock().unwrap();
    if let Some(refused) = admit(&mut p, &req, &body) {
        return refused;
    }
    let key = key_of(&req);
    if key.is_empty() {
        return answer(400, json!({"reason": "Idempotency-Key missing"}));
    }
    if let Some((code, b)) = p.answers.get(&key) {
        return answer(if *code >= 500 { 200 } else { *code }, b.clone());
    }
    let ad: Value = serde_json::from_slice(&body).unwrap();
    if ad["title"].as_str().unwrap_or_default().contains(REJECT_MARK) {
        p.answers.insert(key, (422, json!({"reason": REASON})));
        return answer(422, json!({"reason": REASON}));
    }
    p.next_id += 1;
    let portal_id = format!("JOBAG-{}", p.next_id);
    let status = if p.online_at_once { "online" } else { "pending" };
    let reply = json!({"portal_id": portal_id, "status": status});
    p.ads.insert(
        portal_id.clone(),
        Ad {
            portal_id,
            order_id: ad["order_id"].as_i64().unwrap(),
            body: ad,
            updates: 0,
            withdrawn: false,
        },
    );
    if p.lose_answers > 0 {
        p.lose_answers -= 1;
        p.answers.insert(key, (500, reply));
        return answer(500, json!({"message": "answer lost"}));
    }
    p.answers.insert(key, (201, reply.clone()));
    answer(201, reply)
}

async fn update(
    st: web::Data<Arc<Mutex<Portal>>>,
    req: HttpRequest,
    pid: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let mut p = st.lock().unwrap();
    if let Some(refused) = admit(&mut p, &req, &body) {
        return refused;
    }
    let key = key_of(&req);
    if let Some((code, b)) = p.answers.get(&key) {
        return answer(*code, b.clone());
    }
    let Some(ad) = p.ads.get_mut(pid.as_str()) else {
        return answer(404, json!({"reason": "no such ad"}));
    };
    ad.body = serde_json::from_slice(&body).unwrap();
    ad.updates += 1;
    let reply = json!({"portal_id": ad.portal_id, "status": "online"});
    p.answers.insert(key, (200, reply.clone()));
    answer(200, reply)
}

async fn withdraw(
    st: web::Data<Arc<Mutex<Portal>>>,
    req: HttpRequest,
    pid: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let mut p = st.lock().unwrap();
    if let Some(refused) = admit(&mut p, &req, &body) {
        return refused;
    }
    match p.ads.get_mut(pid.as_str()) {
        Some(ad) => {
            ad.withdrawn = true;
            answer(200, json!({"status": "archived"}))
        }
        None => answer(404, json!({"reason": "no such ad"})),
    }
}

impl StandIn {
    fn start() -> StandIn {
        let state = Arc::new(Mutex::new(Portal::default()));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::channel();
        let data = web::Data::new(state.clone());
        std::thread::spawn(move || {
            let sys = actix_web::rt::System::new();
            let srv = HttpServer::new(move || {
                App::new()
                    .app_data(data.clone())
                    .route("/orders", web::post().to(create))
                    .route("/orders/{pid}", web::put().to(update))
                    .route("/orders/{pid}", web::delete().to(withdraw))
            })
            .workers(1)
            .listen(listener)
            .unwrap()
            .run();
            tx.send(srv.handle()).unwrap();
            let _ = sys.block_on(srv);
        });
        StandIn {
            base,
            state,
            handle: rx.recv().unwrap(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Portal) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// Live ads (not withdrawn) of one of our orders.
    fn ads_of(&self, order: i64) -> Vec<Ad> {
        self.with(|p| p.ads.values().filter(|a| a.order_id == order).cloned().collect())
    }

    /// Calls the app back, signed with `secret`; returns the status and the body.
    fn call_back(&self, app: &TestApp, body: &str, secret: Option<&str>) -> (u16, Value) {
        let mut req = ureq::post(&app.url("/api/v1/portal/callback")).set("Content-Type", "application/json");
        if let Some(s) = secret {
            req = req.set("X-Staer-Signature", &format!("sha256={}", hmac_hex(s, body.as_bytes())));
        }
        match req.send_string(body) {
            Ok(r) => (r.status(), r.into_json().unwrap_or(Value::Null)),
            Err(ureq::Error::Status(code, r)) => (code, r.into_json().unwrap_or(Value::Null)),
            Err(e) => panic!("callback: {e}"),
        }
    }

    /// Confirms an ad by callback, as the portal does about a day later.
    fn confirm(&self, app: &TestApp, portal_id: &str) -> (u16, Value) {
        let body = json!({"portal_id": portal_id, "status": "online", "message": "Godkendt af JobAG"}).to_string();
        self.call_back(app, &body, Some(SECRET))
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        actix_web::rt::System::new().block_on(self.handle.stop(false));
    }
}

// ---- the app with its portal workers -----------------------------------------------------

/// The app, configured for the stand-in, with two portal workers (as two instances would run).
struct Rig {
    app: TestApp,
    workers: Vec<Arc<AtomicBool>>,
}

impl std::ops::Deref for Rig {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        for w in &self.workers {
            w.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn rig(backend: Backend, portal_url: &str, max_attempts: i32) -> Rig {
    let url = portal_url.to_string();
    let app = TestApp::start_with(backend, move |c| {
        c.portal_url = Some(url);
        c.portal_secret = SECRET.as_bytes().to_vec();
        c.portal_poll_ms = 20;
        c.portal_backoff_ms = 40;
        c.portal_max_attempts = max_attempts;
    });
    let settings = PortalSettings::from_config(&app.config).expect("a portal is configured");
    let workers = (0..2)
        .map(|_| portal_worker::spawn(app.state.db.clone(), app.state.mail.clone(), settings.clone()).unwrap())
        .collect();
    Rig { app, workers }
}

fn portal_of(app: &TestApp, token: &str, order: i64) -> Value {
    let (s, v) = app.get(&format!("/api/v1/orders/{order}/portal"), token);
    assert_eq!(s, 200, "{v}");
    v
}

/// Waits until the order's portal status is `status` (or panics, showing the protocol).
fn wait_status(app: &TestApp, token: &str, order: i64, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = portal_of(app, token, order);
        if v["status"] == status {
            return v;
        }
        assert!(Instant::now() < deadline, "order {order} never became {status}: {v:#}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn send(app: &TestApp, token: &str, order: i64) {
    let (s, b) = app.post(&format!("/api/v1/orders/{order}/send-to-portal"), token, json!({}));
    assert_eq!(s, 200, "{b}");
}

fn new_order(app: &TestApp, token: &str, title: &str) -> i64 {
    app.create_order(
        token,
        json!({"title": title, "qualifications_and_pay": SECRET_QUAL, "working_hours": SECRET_HOURS}),
    )["id"]
        .as_i64()
        .unwrap()
}

fn protocol_lines(v: &Value) -> Vec<String> {
    v["protocol"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {} {}",
                p["direction"].as_str().unwrap(),
                p["kind"].as_str().unwrap(),
                p["status"].as_str().unwrap()
            )
        })
        .collect()
}

macro_rules! on_both_with_portal {
    ($($name:ident($app:ident, $portal:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run(backend: Backend) {
                let $portal = StandIn::start();
                let app = rig(backend, &$portal.base, 30);
                body(&app, &$portal);
            }
            fn body($app: &Rig, $portal: &StandIn) $body
            #[test]
            fn sqlite() { run(Backend::Sqlite) }
            #[test]
            fn postgres() { run(Backend::Postgres) }
        }
    )*};
}

on_both_with_portal! {
    queued_while_down_then_sent_then_confirmed_by_callback(app, portal) {
        let me = app.login("brondby.konsulent");
        portal.with(|p| p.down = true);
        let order = new_order(app, &me, "Kok til kantine");
        send(app, &me, order);
        // Queued, not on the portal: sharing waits; a second send is refused.
        let v = portal_of(app, &me, order);
        assert_eq!(v["mode"], "remote");
        assert!(["queued"].contains(&v["status"].as_str().unwrap()), "{v}");
        let (s, b) = app.post(&format!("/api/v1/orders/{order}/shares"), &me, json!({"network": "HRS"}));
        assert_eq!(s, 409, "{b}");
        let (s, _) = app.post(&format!("/api/v1/orders/{order}/send-to-portal"), &me, json!({}));
        assert_eq!(s, 409);
        // Down for a while: retries, recorded in the protocol.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !protocol_lines(&portal_of(app, &me, order)).iter().any(|l| l == "out create retrying") {
            assert!(Instant::now() < deadline, "no retry recorded");
            std::thread::sleep(Duration::from_millis(20));
        }
        portal.with(|p| p.down = false);
        let v = wait_status(app, &me, order, "sent");
        let pid = v["portal_id"].as_str().unwrap().to_string();
        assert_eq!(portal.ads_of(order).len(), 1);
        let (s, b) = app.post(&format!("/api/v1/orders/{order}/shares"), &me, json!({"network": "HRS"}));
        assert_eq!(s, 201, "sent is enough to share: {b}");

        // The portal confirms a day later.
        let (s, b) = portal.confirm(app, &pid);
        assert_eq!(s, 200, "{b}");
        let v = wait_status(app, &me, order, "online");
        assert_eq!(v["message"], "Godkendt af JobAG");
        let lines = protocol_lines(&v);
        assert_eq!(lines.first().map(String::as_str), Some("in callback online"), "newest first: {lines:?}");
        assert_eq!(lines.last().map(String::as_str), Some("out create queued"), "{lines:?}");
        assert!(lines.contains(&"out create sent".to_string()), "{lines:?}");

        // What the portal holds: the shared fields, never the private texts.
        let ad = &portal.ads_of(order)[0];
        assert_eq!(ad.body["title"], "Kok til kantine");
        assert_eq!(ad.body["task_description"], "Madlavning til 200 personer");
        for body in portal.with(|p| p.bodies.clone()) {
            for secret in [SECRET_QUAL, SECRET_HOURS, "hr@kantinen.example", "qualifications_and_pay", "working_hours", "employer_email"] {
                assert!(!body.contains(secret), "{secret} reached the portal: {body}");
            }
        }
        // Another centre neither sees the portal status nor the protocol.
        let other = app.login("frederiksberg.konsulent");
        assert_eq!(app.get(&format!("/api/v1/orders/{order}/portal"), &other).0, 403);
        assert_eq!(portal.with(|p| p.forged), 0, "every call was signed");
    }

    nothing_lost_nothing_doubled(app, portal) {
        let me = app.login("brondby.konsulent");
        // The first three ads are stored but their answers are lost; then the portal is down.
        portal.with(|p| p.lose_answers = 3);
        let orders: Vec<i64> = (0..6).map(|i| new_order(app, &me, &format!("Ordre {i}"))).collect();
        for o in &orders {
            send(app, &me, *o);
        }
        std::thread::sleep(Duration::from_millis(100));
        portal.with(|p| p.down = true);
        std::thread::sleep(Duration::from_millis(300));
        portal.with(|p| p.down = false);
        for o in &orders {
            wait_status(app, &me, *o, "sent");
        }
        std::thread::sleep(Duration::from_millis(300));
        let (ads, calls) = portal.with(|p| (p.ads.clone(), p.calls));
        assert_eq!(ads.len(), orders.len(), "one ad per order, however often retried: {ads:#?}");
        let per_order: BTreeSet<i64> = ads.values().map(|a| a.order_id).collect();
        assert_eq!(per_order, orders.iter().copied().collect());
        assert!(calls > orders.len(), "the lost answers were retried ({calls} calls)");
        // Each order knows the portal id of its one ad.
        for o in &orders {
            let v = portal_of(app, &me, *o);
            assert_eq!(ads[v["portal_id"].as_str().unwrap()].order_id, *o);
        }
    }

    rejected_shows_the_reason(app, portal) {
        let me = app.login("brondby.konsulent");
        let order = new_order(app, &me, &format!("{REJECT_MARK} denne titel"));
        send(app, &me, order);
        let v = wait_status(app, &me, order, "rejected");
        assert_eq!(v["message"], REASON);
        assert_eq!(v["can_send"], true, "it may be sent again once fixed");
        let rejected = &v["protocol"][0];
        assert_eq!((rejected["kind"].as_str(), rejected["status"].as_str()), (Some("create"), Some("rejected")));
        assert_eq!(rejected["message"], REASON);
        assert!(portal.ads_of(order).is_empty());
        let (s, _) = app.post(&format!("/api/v1/orders/{order}/shares"), &me, json!({"network": "HRS"}));
        assert_eq!(s, 409, "a rejected order is not on the portal");
        // Fixed and sent again: a new transfer, accepted.
        let (s, b) = app.patch(&format!("/api/v1/orders/{order}"), &me, json!({"title": "Kok"}));
        assert_eq!(s, 200, "{b}");
        send(app, &me, order);
        wait_status(app, &me, order, "sent");
        assert_eq!(portal.ads_of(order).len(), 1);
    }

    an_edit_updates_and_a_close_withdraws(app, portal) {
        let me = app.login("brondby.konsulent");
        portal.with(|p| p.online_at_once = true);
        let order = new_order(app, &me, "Kok");
        send(app, &me, order);
        wait_status(app, &me, order, "online");
        // A private change alone sends nothing.
        let (s, _) = app.patch(&format!("/api/v1/orders/{order}"), &me, json!({"working_hours": "Kun weekender"}));
        assert_eq!(s, 200);
        // A change the portal shows is sent as an update of the same ad.
        let (s, _) = app.patch(&format!("/api/v1/orders/{order}"), &me, json!({"title": "Kok og smørrebrød", "vacancies": 3}));
        assert_eq!(s, 200);
        let deadline = Instant::now() + Duration::from_secs(10);
        while portal.ads_of(order)[0].updates == 0 {
            assert!(Instant::now() < deadline, "no update arrived");
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(200));
        let ad = &portal.ads_of(order)[0];
        assert_eq!((ad.updates, ad.body["title"].as_str(), ad.body["vacancies"].as_i64()), (1, Some("Kok og smørrebrød"), Some(3)));
        assert!(!ad.body.to_string().contains("weekender"));
        assert_eq!(portal_of(app, &me, order)["status"], "online");

        let (s, b) = app.post(&format!("/api/v1/orders/{order}/close"), &me, json!({"reason": "Besat"}));
        assert_eq!(s, 200, "{b}");
        let v = wait_status(app, &me, order, "archived");
        assert!(portal.ads_of(order)[0].withdrawn);
        assert_eq!(portal.with(|p| p.ads.len()), 1);
        let lines = protocol_lines(&v);
        assert_eq!(lines[0], "out withdraw archived", "{lines:?}");
        assert!(lines.contains(&"out update online".to_string()), "{lines:?}");
        // Reopened, it must be sent again before it is shared again.
        assert_eq!(app.post(&format!("/api/v1/orders/{order}/reopen"), &me, json!({})).0, 200);
        let (s, _) = app.post(&format!("/api/v1/orders/{order}/shares"), &me, json!({"network": "HRS"}));
        assert_eq!(s, 409);
        assert_eq!(portal_of(app, &me, order)["can_send"], true);
    }

    callbacks_are_verified(app, portal) {
        let me = app.login("brondby.konsulent");
        let order = new_order(app, &me, "Kok");
        send(app, &me, order);
        let pid = wait_status(app, &me, order, "sent")["portal_id"].as_str().unwrap().to_string();
        let good = json!({"portal_id": pid, "status": "online"}).to_string();
        // Forged: another secret, no signature, a signature of another body.
        assert_eq!(portal.call_back(app, &good, Some("not-the-secret")).0, 401);
        assert_eq!(portal.call_back(app, &good, None).0, 401);
        let other = json!({"portal_id": pid, "status": "rejected"}).to_string();
        let sig = format!("sha256={}", hmac_hex(SECRET, other.as_bytes()));
        let forged = ureq::post(&app.url("/api/v1/portal/callback")).set("X-Staer-Signature", &sig).send_string(&good);
        assert!(matches!(forged, Err(ureq::Error::Status(401, _))));
        assert_eq!(portal_of(app, &me, order)["status"], "sent", "a forged callback changes nothing");
        // Signed, but malformed or about an order the portal does not have from us.
        assert_eq!(portal.call_back(app, "{not json", Some(SECRET)).0, 400);
        assert_eq!(portal.call_back(app, r#"{"portal_id": "X", "status": "sold"}"#, Some(SECRET)).0, 400);
        assert_eq!(portal.call_back(app, r#"{"status": "online"}"#, Some(SECRET)).0, 400);
        assert_eq!(portal.call_back(app, r#"{"portal_id": "JOBAG-999", "status": "online"}"#, Some(SECRET)).0, 404);
        assert_eq!(portal.call_back(app, r#"{"order_id": 999999, "status": "online"}"#, Some(SECRET)).0, 404);
        // A demo order confirmed by hand is not the portal's.
        let manual = app.get("/api/v1/dashboard/my-orders?per_page=200", &me).1["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .find(|id| portal_of(app, &me, *id)["status"] == "manual")
            .expect("a demo order sent by hand");
        let body = json!({"order_id": manual, "status": "online"}).to_string();
        assert_eq!(portal.call_back(app, &body, Some(SECRET)).0, 404);
        // The genuine one.
        let (s, b) = portal.call_back(app, &good, Some(SECRET));
        assert_eq!((s, b["status"].as_str()), (200, Some("online")), "{b}");
        assert_eq!(portal_of(app, &me, order)["status"], "online");
    }
}

/// A portal that never answers: the transfer fails after its retries and the order's
/// consultant gets a mail (through the outbox).
fn failed_after_retries_mails_the_owner(backend: Backend) {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed); // connection refused from now on
    let app = rig(backend, &url, 3);
    let me = app.login("brondby.konsulent");
    let order = new_order(&app, &me, "Kok");
    send(&app, &me, order);
    let v = wait_status(&app, &me, order, "failed");
    let lines = protocol_lines(&v);
    assert_eq!(
        lines,
        [
            "out create failed",
            "out create retrying",
            "out create retrying",
            "out create queued"
        ],
        "{v:#}"
    );
    assert!(!v["message"].as_str().unwrap_or_default().is_empty());
    assert_eq!(v["can_send"], true);
    let admin = app.login("admin");
    let mails = app.get("/api/v1/admin/outbox?status=pending", &admin).1["items"].clone();
    let failed: Vec<&Value> = mails
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "portal_failed")
        .collect();
    assert_eq!(failed.len(), 1, "{mails:#}");
    assert_eq!(failed[0]["to_addr"], "brondby.konsulent@jobcenter.example");
    assert!(failed[0]["subject"].as_str().unwrap().contains("Kok"));
}

#[test]
fn failed_after_retries_mails_the_owner_sqlite() {
    failed_after_retries_mails_the_owner(Backend::Sqlite);
}

#[test]
fn failed_after_retries_mails_the_owner_postgres() {
    failed_after_retries_mails_the_owner(Backend::Postgres);
}

/// Without a portal, "send" is the consultant's confirmation, and the protocol says who.
#[test]
fn manual_portal_is_a_confirmation() {
    let app = TestApp::start(Backend::Sqlite);
    let me = app.login("brondby.konsulent");
    let order = new_order(&app, &me, "Kok");
    let (s, _) = app.post(
        &format!("/api/v1/orders/{order}/shares"),
        &me,
        json!({"network": "HRS"}),
    );
    assert_eq!(s, 409);
    send(&app, &me, order);
    let v = portal_of(&app, &me, order);
    assert_eq!(
        (v["mode"].as_str(), v["status"].as_str()),
        (Some("manual"), Some("manual"))
    );
    assert_eq!(protocol_lines(&v), ["out manual manual"]);
    assert!(!v["protocol"][0]["user"].as_str().unwrap_or_default().is_empty());
    let (s, _) = app.post(
        &format!("/api/v1/orders/{order}/shares"),
        &me,
        json!({"network": "HRS"}),
    );
    assert_eq!(s, 201);
    assert_eq!(
        app.post(&format!("/api/v1/orders/{order}/send-to-portal"), &me, json!({}))
            .0,
        409
    );
    // No portal, no secret: every callback is refused.
    let body = json!({"order_id": order, "status": "online"}).to_string();
    let res = ureq::post(&app.url("/api/v1/portal/callback"))
        .set(
            "X-Staer-Signature",
            &format!("sha256={}", hmac_hex("", body.as_bytes())),
        )
        .send_string(&body);
    assert!(matches!(res, Err(ureq::Error::Status(401, _))));
}
