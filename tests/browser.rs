//! End to end in a real browser: headless Chromium driven over WebDriver (chromedriver,
//! started here on a free port) with fantoccini. Two consultants share, refer, approve and
//! send, only through the pages; screenshots of each step go to target/screenshots/.
//!
//! Needs Debian's `chromium` and `chromium-driver` (scripts/ensure-browser installs them).
//! Skipped only when STAER_SKIP_BROWSER=1; without a browser it fails.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

type R<T = ()> = Result<T, Box<dyn std::error::Error>>;

const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (375, 812);

fn executable(env: &str, default: &str) -> PathBuf {
    let path = std::env::var(env).map_or_else(|_| PathBuf::from(default), PathBuf::from);
    assert!(
        path.exists(),
        "{} not found: run scripts/ensure-browser (or set STAER_SKIP_BROWSER=1 to skip the browser test)",
        path.display()
    );
    path
}

/// chromedriver, stopped when the test ends however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_driver() -> (Driver, u16) {
    let driver = executable("STAER_CHROMEDRIVER", "/usr/bin/chromedriver");
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let guard = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = ureq::get(&format!("http://127.0.0.1:{port}/status"))
            .call()
            .ok()
            .and_then(|r| r.into_json::<Value>().ok())
            .is_some_and(|v| v["value"]["ready"] == true);
        if ready {
            return (guard, port);
        }
        assert!(Instant::now() < deadline, "chromedriver did not come up on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn browser(port: u16, profile: &Path) -> R<Client> {
    let chromium = executable("STAER_CHROMIUM", "/usr/bin/chromium");
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--lang=da-DK",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    });
    let Value::Object(caps) = caps else { unreachable!() };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    Ok(ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await?)
}

struct Steps<'a> {
    c: &'a Client,
    base: String,
    shots: PathBuf,
}

impl Steps<'_> {
    async fn goto(&self, path: &str) -> R {
        Ok(self.c.goto(&format!("{}{path}", self.base)).await?)
    }

    /// Waits until the page shows `text` (after a click the old page may still be there).
    async fn wait_for(&self, text: &str) -> R<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let html = self.c.source().await?;
            if html.contains(text) {
                return Ok(html);
            }
            if Instant::now() > deadline {
                return Err(format!("page never showed {text:?}; it shows:\n{html}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn fill(&self, name: &str, value: &str) -> R {
        let field = self.c.find(Locator::Css(&format!("[name='{name}']"))).await?;
        field.clear().await?;
        field.send_keys(value).await?;
        Ok(())
    }

    async fn click(&self, css: &str) -> R {
        Ok(self.c.find(Locator::Css(css)).await?.click().await?)
    }

    async fn shot(&self, name: &str) -> R {
        let png = self.c.screenshot().await?;
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(self.shots.join(name), png)?;
        Ok(())
    }

    async fn login(&self, user: &str) -> R {
        self.goto("/login").await?;
        self.wait_for("Brugernavn").await?;
        self.fill("username", user).await?;
        self.fill("password", "demo").await?;
        self.click("form[action='/login'] button[type=submit]").await?;
        self.wait_for("Søg efter poster").await?;
        Ok(())
    }

    async fn logout(&self) -> R {
        self.click("form[action='/logout'] button").await?;
        self.wait_for("Brugernavn").await?;
        Ok(())
    }
}

async fn scenario(app: &common::TestApp, c: &Client) -> R {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots)?;
    let s = Steps {
        c,
        base: app.base.clone(),
        shots,
    };
    c.set_window_size(DESKTOP.0, DESKTOP.1).await?;

    // Brøndby creates an order, sends it to the portal and shares it with HRS.
    s.goto("/login").await?;
    s.wait_for("Brugernavn").await?;
    s.shot("01-login.png").await?;
    s.login("brondby.konsulent").await?;
    s.click("a[href='/orders/new']").await?;
    s.wait_for("Ny jobordre").await?;
    s.fill("title", "Kok til frokostrestaurant").await?;
    s.fill("occupation", "Kok").await?;
    s.fill("company_name", "Restaurant Havnen ApS").await?;
    s.fill("employer_email", "hr@havnen.example").await?;
    s.fill("vacancies", "3").await?;
    s.fill(
        "task_description",
        "Tilberedning af frokostretter.\nAnretning og opvask.",
    )
    .await?;
    s.fill("qualifications_and_pay", "PRIVAT: 185 kr/t efter overenskomst")
        .await?;
    s.fill("working_hours", "PRIVAT: man-fre 9-15").await?;
    // A date input's typing order depends on the browser's locale; set its value directly.
    let form = c.form(Locator::Css("form[action='/orders/new']")).await?;
    form.set(Locator::Css("[name='start_date']"), "2027-02-01").await?;
    form.set(Locator::Css("[name='end_date']"), "2027-05-01").await?;
    s.shot("02-create-order.png").await?;
    s.click("form[action='/orders/new'] button[type=submit]").await?;
    s.wait_for("Jobordren er oprettet.").await?;
    let url = c.current_url().await?;
    let id: i64 = url.path().trim_start_matches("/orders/").parse()?;
    s.click(&format!("form[action='/orders/{id}/send-to-portal'] button"))
        .await?;
    s.wait_for("Jobordren er sendt til portalen.").await?;
    c.find(Locator::Css("select[name='network']"))
        .await?
        .select_by_value("HRS")
        .await?;
    s.click(&format!("form[action='/orders/{id}/share'] button")).await?;
    let html = s.wait_for("Jobordren er delt med netværket.").await?;
    assert!(html.contains("Frederiksberg") && html.contains("PRIVAT: 185 kr/t"));
    s.shot("03-order-shared.png").await?;
    s.logout().await?;

    // Frederiksberg finds it on "STÆR Samarbejde" (desktop and phone) and refers Anna.
    s.login("frederiksberg.konsulent").await?;
    let html = s.wait_for("Kok til frokostrestaurant").await?;
    assert!(html.contains("STÆR Samarbejde") && html.contains("Restaurant Havnen ApS"));
    s.shot("04-shared-orders-desktop.png").await?;
    c.set_window_size(PHONE.0, PHONE.1).await?;
    s.goto("/dashboard/shared-orders").await?;
    s.wait_for("Kok til frokostrestaurant").await?;
    // On a phone the table scrolls inside its box; the page itself never scrolls sideways.
    let widths = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth, \
             document.querySelector('.table-wrap').scrollWidth > document.querySelector('.table-wrap').clientWidth];",
            vec![],
        )
        .await?;
    assert!(
        widths[0].as_i64() <= widths[1].as_i64() && widths[1].as_i64() <= Some(i64::from(PHONE.0)),
        "page wider than the phone: {widths}"
    );
    assert_eq!(widths[2], true, "the table scrolls sideways in its box: {widths}");
    s.shot("05-shared-orders-phone.png").await?;
    c.set_window_size(DESKTOP.0, DESKTOP.1).await?;
    s.click(&format!("a[href='/orders/{id}']")).await?;
    let html = s.wait_for("Beskrivelse af arbejdsopgaver").await?;
    assert!(!html.contains("PRIVAT:"), "private texts on a notified centre's page");
    c.find(Locator::Css("select[name='candidate_id']"))
        .await?
        .select_by_label("Anna Jensen")
        .await?;
    s.click(&format!("form[action='/orders/{id}/referrals'] button"))
        .await?;
    s.wait_for("Borgeren er formidlet.").await?;
    s.wait_for("Formidling afventer godkendelse").await?;
    s.shot("06-referred.png").await?;
    s.logout().await?;

    // Brøndby, the coordinator, approves and sends the candidate to the employer.
    s.login("brondby.konsulent").await?;
    s.click("a[href='/dashboard/my-orders']").await?;
    s.wait_for("Mine jobordrer").await?;
    s.click(&format!("a[href='/orders/{id}']")).await?;
    s.wait_for("Formidling afventer godkendelse").await?;
    c.execute("document.getElementById('referrals').scrollIntoView()", vec![])
        .await?;
    s.shot("07-coordinator-sees-referral.png").await?;
    s.click("form[action$='/approve'] button").await?;
    s.wait_for("Formidlingen er godkendt.").await?;
    s.click("form[action$='/send'] button").await?;
    let html = s.wait_for("Formidlingen er sendt til virksomheden.").await?;
    assert!(html.contains("Sendt til virksomhed"));
    s.shot("08-sent-to-employer.png").await?;
    c.set_window_size(PHONE.0, PHONE.1).await?;
    s.goto(&format!("/orders/{id}")).await?;
    s.wait_for("Sendt til virksomhed").await?;
    s.shot("09-order-phone.png").await?;
    Ok(())
}

#[test]
fn consultants_share_refer_approve_in_a_browser() {
    if std::env::var("STAER_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("browser test skipped: STAER_SKIP_BROWSER=1");
        return;
    }
    let app = common::TestApp::start(common::Backend::Sqlite);
    let (_driver, port) = start_driver();
    let profile = std::env::temp_dir().join(format!("staer-chromium-{}-{port}", std::process::id()));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result: R = rt.block_on(async {
        let c = browser(port, &profile).await?;
        let r = scenario(&app, &c).await;
        c.close().await?;
        r
    });
    let _ = std::fs::remove_dir_all(&profile);
    if let Err(e) = result {
        panic!("browser scenario failed: {e}");
    }

    // What the clicks did, seen from the API and the outbox.
    let t = app.login("frederiksberg.konsulent");
    let (_, refs) = app.get("/api/v1/dashboard/my-referrals?q=frokostrestaurant", &t);
    assert_eq!(refs["total"], 1, "{refs}");
    assert_eq!(refs["items"][0]["state"], "sent_to_employer");
    assert_eq!(refs["items"][0]["candidate_name"], "Anna Jensen");
    let sent: Vec<(String, String)> = app
        .state
        .db
        .read_blocking(|c| {
            use diesel::prelude::*;
            use staer_hub::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq("candidate_to_employer"))
                .select((outbox::to_addr, outbox::body_text))
                .load(c)?)
        })
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "hr@havnen.example");
    assert!(sent[0].1.contains("Anna Jensen") && !sent[0].1.contains("PRIVAT:"));
}
