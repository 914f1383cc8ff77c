//! Test harness: each test starts the real app on a fresh database (a SQLite file or a
//! new PostgreSQL database), seeds the demo data and talks HTTP to it on loopback.
#![allow(dead_code)]

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};
use staer_hub::cli::demo;
use staer_hub::{app, config::Config};

pub mod form;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Base URL of the PostgreSQL server for tests; each test creates its own database there.
pub fn pg_base() -> String {
    std::env::var("STAER_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn pg_url_for(db: &str) -> String {
    let base = pg_base();
    let (prefix, _) = base.rsplit_once('/').expect("STAER_TEST_PG must end in /dbname");
    format!("{prefix}/{db}")
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub struct TestDb {
    pub url: String,
    backend: Backend,
    name: String,
    dir: Option<std::path::PathBuf>,
    /// A second app instance on the same database does not drop it.
    owned: bool,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("staer_t_{}_{}_{}", std::process::id(), n, rand_suffix());
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).unwrap();
                TestDb {
                    url: format!("sqlite://{}", dir.join("test.db").display()),
                    backend,
                    name,
                    dir: Some(dir),
                    owned: true,
                }
            }
            Backend::Postgres => {
                let mut admin = PgConnection::establish(&pg_base())
                    .unwrap_or_else(|e| panic!("PostgreSQL for tests at {} is not reachable: {e}", pg_base()));
                admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
                TestDb {
                    url: pg_url_for(&name),
                    backend,
                    name,
                    dir: None,
                    owned: true,
                }
            }
        }
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
        % 100_000
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        match self.backend {
            Backend::Sqlite => {
                if let Some(d) = &self.dir {
                    let _ = std::fs::remove_dir_all(d);
                }
            }
            Backend::Postgres => {
                if let Ok(mut admin) = PgConnection::establish(&pg_base()) {
                    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
                }
            }
        }
    }
}

pub fn test_config(db_url: &str) -> Config {
    let mut c = Config::from_env_with(db_url);
    c.jwt_secret = b"test-secret-test-secret-test-secret!".to_vec();
    c.mail_worker = false;
    c.db.pool_size = 4;
    c
}

pub struct TestApp {
    pub base: String,
    pub backend: Backend,
    pub config: Config,
    handle: actix_web::dev::ServerHandle,
    worker: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    pub state: actix_web::web::Data<staer_hub::web::state::AppState>,
    // Dropped last: the server must stop before its database goes.
    pub db: TestDb,
}

impl TestApp {
    pub fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, |_| {})
    }

    /// An app whose mail worker delivers to `sink`, polling fast and retrying soon.
    pub fn with_mail(backend: Backend, sink: &SmtpSink) -> TestApp {
        let port = sink.port;
        Self::start_with(backend, move |c| {
            c.mail_worker = true;
            c.smtp.host = "127.0.0.1".into();
            c.smtp.port = port;
            c.smtp.tls = "none".into();
            c.mail_poll_ms = 50;
            c.mail_backoff_ms = 100;
        })
    }

    pub fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::start_on(TestDb::new(backend), tweak)
    }

    /// A second instance of the app (own pools, own mail worker) on this one's database,
    /// as two `serve` processes on one PostgreSQL would be.
    pub fn second_instance(&self) -> TestApp {
        let db = TestDb {
            url: self.db.url.clone(),
            backend: self.backend,
            name: self.db.name.clone(),
            dir: None,
            owned: false,
        };
        let config = self.config.clone();
        Self::start_on(db, move |c| *c = config)
    }

    fn start_on(db: TestDb, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let backend = db.backend;
        let mut config = test_config(&db.url);
        tweak(&mut config);
        let state = app::state(config.clone()).expect("app state");
        demo::seed(&state.db, &state.mail).expect("demo seed");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::channel();
        let st = state.clone();
        std::thread::spawn(move || {
            let sys = actix_web::rt::System::new();
            let srv = app::server(st, listener, Some(2)).unwrap();
            tx.send(srv.handle()).unwrap();
            let _ = sys.block_on(srv);
        });
        let handle = rx.recv().unwrap();
        let worker = config.mail_worker.then(|| {
            staer_hub::mail::spawn_worker(state.db.clone(), staer_hub::mail::WorkerSettings::from_config(&config))
                .expect("mail worker")
        });
        TestApp {
            base,
            backend,
            config,
            handle,
            worker,
            state,
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn login(&self, username: &str) -> String {
        let (s, body) = self.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"username": username, "password": "demo"})),
        );
        assert_eq!(s, 200, "login {username}: {body}");
        body["token"].as_str().unwrap().to_string()
    }

    /// Logs in through the login form, as a browser does: an agent that follows no redirects
    /// and the session cookie to send with each page request.
    pub fn page_session(&self, username: &str) -> (ureq::Agent, String) {
        let agent = ureq::AgentBuilder::new().redirects(0).build();
        let r = agent.get(&self.url("/login")).call().unwrap();
        let csrf_cookie = r.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
        let body = r.into_string().unwrap();
        let token = form::attr(&body[body.find("name=\"_csrf\"").unwrap() - 1..], "value").unwrap();
        let r = agent
            .post(&self.url("/login"))
            .set("Cookie", &csrf_cookie)
            .send_form(&[
                ("_csrf", &token),
                ("username", username),
                ("password", "demo"),
                ("next", "/"),
            ])
            .unwrap();
        let cookie = r
            .all("set-cookie")
            .into_iter()
            .find(|c| c.starts_with("staer_session="))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        (agent, cookie)
    }

    /// One HTTP call; returns the status and the JSON body (Null when the body isn't JSON).
    pub fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let (s, text) = self.raw(method, path, token, body.map(|b| b.to_string()), "application/json");
        (s, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// One HTTP call with a raw body; returns the status and the body text.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
        content_type: &str,
    ) -> (u16, String) {
        let mut req = ureq::request(method, &self.url(path));
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        let res = match body {
            Some(b) => req.set("Content-Type", content_type).send_string(&b),
            None => req.call(),
        };
        match res {
            Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
            Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
            Err(e) => panic!("{method} {path}: {e}"),
        }
    }

    pub fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.call("GET", path, Some(token), None)
    }

    pub fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(token), Some(body))
    }

    pub fn patch(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.call("PATCH", path, Some(token), Some(body))
    }

    /// Creates an order as `token`'s user; panics unless 201.
    /// The id of the logged-in user.
    pub fn user_id(&self, token: &str) -> i64 {
        self.get("/api/v1/auth/me", token).1["id"].as_i64().unwrap()
    }

    /// An order of `token`'s centre, sent to the portal and shared with `networks`.
    pub fn shared_order(&self, token: &str, extra: Value, networks: &[&str]) -> i64 {
        let id = self.create_order(token, extra)["id"].as_i64().unwrap();
        let (s, b) = self.post(&format!("/api/v1/orders/{id}/send-to-portal"), token, json!({}));
        assert_eq!(s, 200, "{b}");
        for n in networks {
            let (s, b) = self.post(&format!("/api/v1/orders/{id}/shares"), token, json!({ "network": n }));
            assert_eq!(s, 201, "{b}");
        }
        id
    }

    /// A candidate of `token`'s centre, with consent when `consent`.
    pub fn candidate(&self, token: &str, name: &str, consent: bool) -> i64 {
        let (s, c) = self.post(
            "/api/v1/candidates",
            token,
            // One made-up contact for every test candidate: not a duplicate to warn about here.
            json!({ "name": name, "email": "kandidat@borger.example", "phone": "+45 11 22 33 44", "allow_duplicate": true }),
        );
        assert_eq!(s, 201, "{c}");
        let id = c["id"].as_i64().unwrap();
        if consent {
            let (s, b) = self.post(
                &format!("/api/v1/candidates/{id}/consent"),
                token,
                json!({"share_email": true, "share_phone": false}),
            );
            assert_eq!(s, 200, "{b}");
        }
        id
    }

    /// Refers a candidate; returns (status, body).
    pub fn refer(&self, token: &str, order: i64, candidate: i64) -> (u16, Value) {
        self.post(
            &format!("/api/v1/orders/{order}/referrals"),
            token,
            json!({ "candidate_id": candidate }),
        )
    }

    pub fn create_order(&self, token: &str, extra: Value) -> Value {
        let mut body = json!({
            "title": "Kok til kantine", "occupation": "Kok", "company_name": "Kantinen A/S",
            "employer_email": "hr@kantinen.example",
            "start_date": "2026-12-01", "end_date": "2027-03-01", "vacancies": 2,
            "task_description": "Madlavning til 200 personer",
            "qualifications_and_pay": "Overenskomst, 190 kr/t", "working_hours": "Man-fre 7-15"
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        let (s, v) = self.post("/api/v1/orders", token, body);
        assert_eq!(s, 201, "create order: {v}");
        v
    }
}

impl TestApp {
    /// `n` orders (every third closed) of the user's centre straight into the database (cheap), titled "Bulk i".
    pub fn bulk_orders(&self, token: &str, n: usize) {
        let me = self.get("/api/v1/auth/me", token).1;
        let (uid, centre) = (me["id"].as_i64().unwrap(), me["job_centre"]["id"].as_i64().unwrap());
        let company = self.create_order(token, json!({"title": "Bulk seed"}))["id"]
            .as_i64()
            .unwrap();
        self.state
            .db
            .write_blocking(|c| {
                use diesel::prelude::*;
                use staer_hub::db::schema::job_orders as j;
                let company: i64 = j::table.find(company).select(j::company_id).first(c)?;
                let now = chrono::Utc::now().naive_utc();
                let d = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
                for i in 0..n {
                    diesel::insert_into(j::table)
                        .values((
                            j::job_centre_id.eq(centre),
                            j::title.eq(format!("Bulk {i:04}")),
                            j::occupation.eq("Bulk"),
                            j::request_id.eq(format!("BULK-{i}")),
                            j::company_id.eq(company),
                            j::company_name.eq("Bulk ApS"),
                            j::start_date.eq(d),
                            j::vacancies.eq(1),
                            j::status.eq(if i % 3 == 0 { "closed" } else { "open" }),
                            j::order_type.eq("Jobordre"),
                            j::responsible_consultant_id.eq(uid),
                            j::coordinator_id.eq(uid),
                            j::coordinator_allowed.eq(true),
                            j::task_description.eq("x"),
                            j::qualifications_and_pay.eq(""),
                            j::working_hours.eq(""),
                            j::search_text.eq(format!("bulk {i:04} bulk-{i} bulk aps")),
                            j::created_at.eq(now),
                            j::updated_at.eq(now),
                        ))
                        .execute(c)?;
                }
                Ok(())
            })
            .unwrap();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(w) = &self.worker {
            w.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let h = self.handle.clone();
        actix_web::rt::System::new().block_on(h.stop(false));
    }
}

/// Runs each test body once on SQLite and once on PostgreSQL: `name::sqlite`, `name::postgres`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident($app:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($app: &common::TestApp) $body
            #[test]
            fn sqlite() { run(&common::TestApp::start(common::Backend::Sqlite)) }
            #[test]
            fn postgres() { run(&common::TestApp::start(common::Backend::Postgres)) }
        }
    )*};
}

/// Starts a server on a free loopback port: `start(port)` spawns it and waits until it
/// serves, or says why not. A port found by binding to port 0 is free only until someone takes
/// it (an outgoing connection's local port comes from the same range), so a start that fails
/// is tried again on another port, up to five times.
pub fn on_a_free_port<T>(what: &str, mut start: impl FnMut(u16) -> Result<T, String>) -> T {
    let mut last = String::new();
    for _ in 0..5 {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        match start(port) {
            Ok(t) => return t,
            Err(e) => last = e,
        }
    }
    panic!("{what} did not start on five ports: {last}");
}

/// A real SMTP server on loopback (scripts/smtp-sink.py, aiosmtpd) that writes each
/// accepted message to a directory. It can be stopped and started again on its port.
pub struct SmtpSink {
    pub port: u16,
    pub dir: std::path::PathBuf,
    child: Option<std::process::Child>,
}

impl SmtpSink {
    /// Starts the server on a free port (`on_a_free_port`).
    pub fn start() -> SmtpSink {
        on_a_free_port("smtp sink", |port| {
            let dir = std::env::temp_dir().join(format!("staer_smtp_{}_{}", std::process::id(), port));
            std::fs::create_dir_all(&dir).unwrap();
            let mut s = SmtpSink { port, dir, child: None };
            s.try_start().map(|()| s) // on Err, dropping `s` removes its directory
        })
    }

    /// (Re)starts the server on the same port and waits until it accepts connections.
    pub fn resume(&mut self) {
        let mut last = String::new();
        for _ in 0..5 {
            match self.try_start() {
                Ok(()) => return,
                Err(e) => last = e,
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        panic!("smtp sink did not start again on port {}: {last}", self.port);
    }

    /// One start: Ok once the port accepts connections, Err with the server's own output if
    /// it exited first. Waits long: on a loaded 2-core machine (Chromium beside it) Python's
    /// start alone has taken seconds.
    fn try_start(&mut self) -> Result<(), String> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/smtp-sink.py");
        let log = self.dir.join("sink.log");
        let mut child = std::process::Command::new("python3")
            .args([
                script,
                "--port",
                &self.port.to_string(),
                "--dir",
                self.dir.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("python3 with aiosmtpd (pip install aiosmtpd)");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                let out = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(format!("port {}: exited ({status}): {}", self.port, out.trim()));
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                self.child = Some(child);
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
        Err(format!("port {}: not accepting after 60 s", self.port))
    }

    /// Stops the server: connections are refused until `resume`.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Every message received so far, parsed, in arrival order.
    pub fn mails(&self) -> Vec<Mail> {
        self.messages().iter().map(|m| parse_mail(m)).collect()
    }

    /// Every message received so far, as raw text, in arrival order.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<(u64, std::path::PathBuf)> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| {
                let p = e.ok()?.path();
                let n = p.file_name()?.to_str()?.strip_suffix(".eml")?.parse().ok()?;
                Some((n, p))
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, p)| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    /// Waits until at least `n` messages arrived (or panics after `secs`).
    pub fn wait_for(&self, n: usize, secs: u64) -> Vec<Mail> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let m = self.mails();
            if m.len() >= n {
                return m;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "expected {n} mails, got {}",
                m.len()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A received mail, parsed (mail-parser decodes the encoded subject and bodies).
#[derive(Debug, Clone)]
pub struct Mail {
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub raw: String,
}

pub fn parse_mail(raw: &str) -> Mail {
    let m = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a parsable mail");
    let to = m
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_string();
    Mail {
        message_id: m.message_id().unwrap_or_default().to_string(),
        to,
        subject: m.subject().unwrap_or_default().to_string(),
        // SMTP carries CRLF; the assertions read plain lines.
        text: m.body_text(0).map(|t| t.replace("\r\n", "\n")).unwrap_or_default(),
        html: m.body_html(0).map(|t| t.replace("\r\n", "\n")).unwrap_or_default(),
        raw: raw.to_string(),
    }
}

impl Mail {
    /// A header as received, unfolded and trimmed; `None` when the mail has none.
    pub fn header(&self, name: &str) -> Option<String> {
        let m = mail_parser::MessageParser::default().parse(self.raw.as_bytes())?;
        m.header_raw(name)
            .map(|v| v.replace("\r\n", "").replace('\n', "").trim().to_string())
    }

    /// The address of the Reply-To header.
    pub fn reply_to(&self) -> Option<String> {
        let m = mail_parser::MessageParser::default().parse(self.raw.as_bytes())?;
        m.reply_to()?.first()?.address().map(str::to_string)
    }
}
