//! The binary as an operator runs it: `serve --demo` on a fresh database (twice: the demo is
//! seeded once), the order flow over HTTP, and the admin subcommands.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::{Backend, TestDb};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_staer-hub");

struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(db: &TestDb, dir: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .env("DATABASE_URL", &db.url)
        .env("STAER_JWT_SECRET", "cli-test-secret-cli-test-secret-xx")
        .env("STAER_MAIL_WORKER", "false")
        .env("RUST_LOG", "info");
    c
}

/// Starts `serve --demo` on port 0 and reads the address it bound from its log.
fn serve(db: &TestDb, dir: &std::path::Path) -> Served {
    let mut child = command(db, dir)
        .args(["serve", "--demo", "--bind", "127.0.0.1:0", "--workers", "2"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(at) = line.find("listening on http://") {
            let rest = &line[at + "listening on ".len()..];
            let base: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || ":/.".contains(*c))
                .collect();
            // Keep draining the log, or the server blocks once the pipe is full.
            std::thread::spawn(move || lines.for_each(drop));
            return Served { child, base };
        }
    }
    let _ = child.kill();
    let status = child.wait();
    panic!("serve exited before listening: {status:?}");
}

fn call(base: &str, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let mut req = ureq::request(method, &format!("{base}{path}"));
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    let r = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    let (s, r) = match r {
        Ok(r) => (r.status(), r),
        Err(ureq::Error::Status(s, r)) => (s, r),
        Err(e) => panic!("{e}"),
    };
    (s, r.into_json().unwrap_or(Value::Null))
}

fn login(base: &str, user: &str) -> String {
    let (s, b) = call(
        base,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({"username": user, "password": "demo"})),
    );
    assert_eq!(s, 200, "{b}");
    b["token"].as_str().unwrap().to_string()
}

fn outside_check(backend: Backend) {
    let db = TestDb::new(backend);
    let dir = std::env::temp_dir().join(format!("staer_cli_{}_{:?}", std::process::id(), backend));
    std::fs::create_dir_all(&dir).unwrap();
    for round in 0..2 {
        let s = serve(&db, &dir);
        let base = &s.base;
        assert_eq!(call(base, "GET", "/healthz", None, None).0, 200);
        let t = login(base, "brondby.konsulent");
        let (st, o) = call(
            base,
            "POST",
            "/api/v1/orders",
            Some(&t),
            Some(json!({
                "title": "Kok", "occupation": "Kok", "company_name": "Kantinen", "start_date": "2026-12-01",
                "end_date": "2027-01-31", "vacancies": 2, "task_description": "Madlavning",
                "qualifications_and_pay": "Overenskomst", "working_hours": "Dag"
            })),
        );
        assert_eq!(st, 201, "{o}");
        let id = o["id"].as_i64().unwrap();
        let path = format!("/api/v1/orders/{id}");
        assert_eq!(call(base, "GET", &path, Some(&t), None).1["title"], "Kok");
        assert_eq!(
            call(base, "PATCH", &path, Some(&t), Some(json!({"vacancies": 3}))).1["vacancies"],
            3
        );
        assert_eq!(
            call(base, "POST", &format!("{path}/send-to-portal"), Some(&t), None).0,
            200
        );
        assert_eq!(
            call(base, "POST", &format!("{path}/close"), Some(&t), None).1["status"],
            "closed"
        );
        let (st, e) = call(
            base,
            "POST",
            "/api/v1/orders",
            Some(&t),
            Some(json!({"title": "x", "vacancies": 0})),
        );
        assert_eq!(st, 422, "{e}");
        let other = login(base, "frederiksberg.konsulent");
        assert_eq!(call(base, "GET", &path, Some(&other), None).0, 404);
        // The demo is seeded once: the same eight demo orders plus ours each round.
        let (_, mine) = call(base, "GET", "/api/v1/dashboard/my-orders?per_page=200", Some(&t), None);
        assert_eq!(mine["total"], 4 + 1 + round, "{mine}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_demo_on_sqlite() {
    outside_check(Backend::Sqlite);
}

#[test]
fn serve_demo_on_postgres() {
    outside_check(Backend::Postgres);
}

#[test]
fn admin_subcommands() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = std::env::temp_dir().join(format!("staer_cli_admin_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str], password: Option<&str>| {
        let mut c = command(&db, &dir);
        if let Some(p) = password {
            c.env("STAER_NEW_PASSWORD", p);
        }
        let out = c.args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    assert!(run(&["migrate"], None).0);
    assert!(run(&["centre", "26.500", "Roskilde"], None).0);
    let (ok, out) = run(&["centre", "26.500", "Roskilde"], None);
    assert!(!ok && out.contains("exists already"), "{out}");
    assert!(run(&["network", "create", "SRS"], None).0);
    assert!(run(&["network", "add", "SRS", "26.500"], None).0);
    let (ok, out) = run(&["network", "list"], None);
    assert!(ok && out.contains("SRS: 26.500 Roskilde"), "{out}");
    let (ok, out) = run(
        &["user", "roskilde.konsulent", "26.500", "--email", "r@roskilde.example"],
        Some("hemmeligt-ord"),
    );
    assert!(ok, "{out}");
    let (ok, out) = run(
        &["user", "kort", "26.500", "--email", "k@roskilde.example"],
        Some("kort"),
    );
    assert!(!ok && out.contains("password"), "{out}");
    assert!(run(&["network", "remove", "SRS", "26.500"], None).0);
    let (ok, out) = run(&["mail-worker", "--once"], None);
    assert!(ok && out.contains("sent 0"), "{out}");
    let (ok, out) = run(&["job-agents"], None);
    assert!(ok && out.contains("queued 0"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `staer-hub retention [--dry-run]`: prints what it would do (counts and ids) without doing
/// it, refuses while another instance holds the pass, and then does it.
#[test]
fn retention_command() {
    use diesel::prelude::*;
    use staer_hub::db::schema::candidates;
    use staer_hub::domain::{jobs, retention};
    let app = common::TestApp::start(Backend::Sqlite);
    let dir = std::env::temp_dir().join(format!("staer_cli_retention_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let old = chrono::Utc::now().naive_utc() - chrono::Duration::days(5 * 365);
    let id = app.candidate(&app.login("frederiksberg.konsulent"), "Gammel Ledig", true);
    app.state
        .db
        .write_blocking(|c| {
            diesel::update(candidates::table.find(id))
                .set((
                    candidates::created_at.eq(old),
                    candidates::updated_at.eq(Some(old)),
                    candidates::consent_given_at.eq(Some(old)),
                ))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    let run = |args: &[&str]| {
        let out = command(&app.db, &dir).args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let warned = || -> Option<chrono::NaiveDateTime> {
        app.state
            .db
            .read_blocking(|c| {
                Ok(candidates::table
                    .find(id)
                    .select(candidates::retention_warned_at)
                    .first(c)?)
            })
            .unwrap()
    };
    let (ok, out) = run(&["retention", "--dry-run"]);
    assert!(ok && out.contains(&format!("would warn 1 candidates: {id}\n")), "{out}");
    assert!(out.contains("would erase 0 candidates"), "{out}");
    assert_eq!(warned(), None, "a dry run changes nothing");
    // Another instance is running the pass: refused, non-zero.
    let now = chrono::Utc::now().naive_utc();
    let lease = chrono::Duration::hours(1);
    assert!(app
        .state
        .db
        .write_blocking(|c| jobs::claim(c, retention::JOB, "serve", now, lease, None))
        .unwrap());
    let (ok, out) = run(&["retention"]);
    assert!(!ok && out.contains("another instance"), "{out}");
    assert_eq!(warned(), None);
    app.state
        .db
        .write_blocking(|c| jobs::release(c, retention::JOB, "serve", now, true))
        .unwrap();
    let (ok, out) = run(&["retention"]);
    assert!(ok && out.contains(&format!("did warn 1 candidates: {id}\n")), "{out}");
    assert!(warned().is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `serve` on a port another process holds: a clear message and a failure exit code, on both
/// databases (on PostgreSQL it used to abort in a mutex assertion), and promptly.
fn taken_port(backend: Backend) {
    let db = TestDb::new(backend);
    let dir = std::env::temp_dir().join(format!("staer_cli_port_{}_{:?}", std::process::id(), backend));
    std::fs::create_dir_all(&dir).unwrap();
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = holder.local_addr().unwrap().to_string();
    let mut child = command(&db, &dir)
        .args(["serve", "--bind", &addr])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve kept running on a taken port");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(1), "exit {status:?}: {err}");
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
    assert!(!err.contains("panicked") && !err.contains("assertion"), "{err}");
    // The port is taken before the database is opened: nothing was created or migrated.
    assert!(
        !database_exists(&db),
        "serve opened the database before it had its port"
    );
    drop(holder);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether the app's schema is in the test database (a SQLite file exists, or PostgreSQL has
/// the migrated tables).
fn database_exists(db: &TestDb) -> bool {
    if let Some(path) = db.url.strip_prefix("sqlite://") {
        return std::path::Path::new(path).exists();
    }
    use diesel::prelude::*;
    let mut c = diesel::PgConnection::establish(&db.url).unwrap();
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
        "EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = 'users')",
    ))
    .get_result(&mut c)
    .unwrap()
}

#[test]
fn serve_on_a_taken_port_sqlite() {
    taken_port(Backend::Sqlite);
}

#[test]
fn serve_on_a_taken_port_postgres() {
    taken_port(Backend::Postgres);
}

/// The operator disables a user and sets a password from the command line while `serve`
/// runs: the user's tokens stop at once.
#[test]
fn user_disable_and_password_end_sessions() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = std::env::temp_dir().join(format!("staer_cli_users_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let s = serve(&db, &dir);
    let run = |args: &[&str], stdin: &str| {
        let mut child = command(&db, &dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    };
    let t = login(&s.base, "brondby.konsulent");
    assert_eq!(call(&s.base, "GET", "/api/v1/auth/me", Some(&t), None).0, 200);
    let (ok, out) = run(&["user-disable", "brondby.konsulent"], "");
    assert!(ok && out.contains("1 session(s) ended"), "{out}");
    assert_eq!(call(&s.base, "GET", "/api/v1/auth/me", Some(&t), None).0, 401);
    let (ok, out) = run(&["user-disable", "nobody"], "");
    assert!(!ok && out.contains("not found"), "{out}");
    assert!(run(&["user-enable", "brondby.konsulent"], "").0);
    let t = login(&s.base, "brondby.konsulent");
    let (ok, out) = run(&["user-password", "brondby.konsulent"], "kort\n");
    assert!(!ok && out.contains("password"), "{out}");
    assert_eq!(call(&s.base, "GET", "/api/v1/auth/me", Some(&t), None).0, 200);
    let (ok, out) = run(&["user-password", "brondby.konsulent"], "nyt-kodeord-9\n");
    assert!(ok, "{out}");
    assert_eq!(call(&s.base, "GET", "/api/v1/auth/me", Some(&t), None).0, 401);
    let body = json!({"username": "brondby.konsulent", "password": "nyt-kodeord-9"});
    assert_eq!(call(&s.base, "POST", "/api/v1/auth/login", None, Some(body)).0, 200);
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}
