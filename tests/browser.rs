//! End to end in a real browser: headless Chromium driven over WebDriver (chromedriver,
//! started here on a free port) with fantoccini. Two consultants share, refer, approve and
//! send, only through the pages. Every page the app has is checked at a laptop size and a
//! phone size: axe-core (WCAG 2.0/2.1 A and AA) finds no violation, nothing sticks out
//! sideways, and a screenshot of it goes to target/screenshots/<page>-<size>.png.
//!
//! Needs Debian's `chromium` and `chromium-driver`, and axe-core from npm in target/axe
//! (scripts/ensure-browser installs all three; STAER_AXE points elsewhere). Skipped only
//! when STAER_SKIP_BROWSER=1; without a browser or axe-core it fails.

#[path = "browser/admin.rs"]
mod admin;
mod common;
#[path = "browser/cv.rs"]
mod cv;
#[path = "browser/employer.rs"]
mod employer;
#[path = "browser/notices.rs"]
mod notices;
#[path = "browser/suggestions.rs"]
mod suggestions;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

type R<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// A common laptop, and a common phone (CSS pixels).
const DESKTOP: (u32, u32) = (1366, 900);
const PHONE: (u32, u32) = (390, 844);
const SIZES: [(&str, (u32, u32)); 2] = [("desktop", DESKTOP), ("phone", PHONE)];

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

/// Starts chromedriver on a free port (`common::on_a_free_port`): on a taken port it exits at
/// once ("IPv4 port not available").
fn start_driver() -> (Driver, u16) {
    let driver = executable("STAER_CHROMEDRIVER", "/usr/bin/chromedriver");
    common::on_a_free_port("chromedriver", |port| {
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut guard = Driver(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = guard.0.try_wait() {
                return Err(format!("port {port}: exited ({status})"));
            }
            let ready = ureq::get(&format!("http://127.0.0.1:{port}/status"))
                .call()
                .ok()
                .and_then(|r| r.into_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                return Ok((guard, port));
            }
            assert!(Instant::now() < deadline, "chromedriver did not come up on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
    })
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
    /// axe-core's source, injected through WebDriver: the pages' CSP (`script-src 'none'`)
    /// blocks page scripts, not the driver's.
    axe: String,
    /// Every problem found, reported together at the end.
    problems: RefCell<Vec<String>>,
}

/// Runs axe-core on the page (WCAG 2.0 and 2.1, levels A and AA): its violations, one
/// line per rule with the selectors of the failing elements.
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
}).then(r => done(r.violations.map(v =>
  `${v.id} (${v.impact}): ${v.help}\n      ` + v.nodes.map(n => n.target.join(' ')
    + (n.failureSummary ? ' | ' + n.failureSummary.replace(/\s+/g, ' ').slice(0, 160) : '')).join('\n      ')
)), e => done(['axe failed: ' + e]));
"#;

/// What sticks out sideways: the page wider than the window, a table box that scrolls,
/// or a control (link, button, field) not fully on screen, so a phone can't reach it.
const SIDEWAYS: &str = r#"
const w = window.innerWidth, out = [];
if (document.documentElement.scrollWidth > w) out.push(`page is ${document.documentElement.scrollWidth}px wide in a ${w}px window`);
for (const t of document.querySelectorAll('.table-wrap'))
  if (t.scrollWidth > t.clientWidth + 1) out.push(`table box scrolls sideways: ${t.scrollWidth}px in ${t.clientWidth}px`);
for (const e of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')) {
  const r = e.getBoundingClientRect();
  if (r.width === 0 || getComputedStyle(e).visibility === 'hidden') continue;
  if (r.left < -1 || r.right > w + 1) out.push(`off screen at x=${Math.round(r.left)}..${Math.round(r.right)}: ${e.outerHTML.slice(0, 100)}`);
}
return out;
"#;

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

    async fn js(&self, script: &str) -> R<Value> {
        Ok(self.c.execute(script, vec![]).await?)
    }

    async fn shot(&self, name: &str) -> R {
        let png = self.c.screenshot().await?;
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(self.shots.join(name), png)?;
        Ok(())
    }

    fn problem(&self, page: &str, size: &str, what: String) {
        self.problems.borrow_mut().push(format!("{page} [{size}]: {what}"));
    }

    /// The page as it is now, at both sizes: axe-core's violations, what sticks out
    /// sideways, and a screenshot `<page>-<size>.png` each. Ends at the laptop size.
    async fn check(&self, page: &str) -> R {
        for (size, (w, h)) in SIZES {
            self.c.set_window_size(w, h).await?;
            let inner = self.js("return window.innerWidth").await?;
            assert!(inner.as_u64() <= Some(u64::from(w)), "window {inner} wider than {w}");
            if self.js("return typeof axe").await? != "object" {
                self.js(&self.axe).await?;
            }
            let found = self.c.execute_async(RUN_AXE, vec![]).await?;
            for v in found.as_array().ok_or("axe gave no list")? {
                self.problem(page, size, format!("axe {}", v.as_str().unwrap_or_default()));
            }
            for p in self.js(SIDEWAYS).await?.as_array().ok_or("no list")? {
                self.problem(page, size, p.as_str().unwrap_or_default().to_string());
            }
            // The whole page in the screenshot: the window as tall as the page.
            let tall = self
                .js("return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight")
                .await?;
            let tall = tall
                .as_u64()
                .map_or(h, |t| u32::try_from(t).unwrap_or(h).clamp(h, 8000));
            self.c.set_window_size(w, tall).await?;
            self.shot(&format!("{page}-{size}.png")).await?;
        }
        self.c.set_window_size(DESKTOP.0, DESKTOP.1).await?;
        Ok(())
    }

    /// On a phone a list row is a card, and the first thing on it is `first`.
    async fn card_starts_with(&self, page: &str, first: &str) -> R {
        self.c.set_window_size(PHONE.0, PHONE.1).await?;
        let top = self
            .js(
                "const cells = [...document.querySelector('table.list tbody tr').cells] \
                   .filter(td => td.getClientRects().length > 0); \
                 cells.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top \
                   || a.getBoundingClientRect().left - b.getBoundingClientRect().left); \
                 return cells[0].dataset.label;",
            )
            .await?;
        if top != first {
            self.problem(page, "phone", format!("a card starts with {top}, not {first:?}"));
        }
        self.c.set_window_size(DESKTOP.0, DESKTOP.1).await?;
        Ok(())
    }

    /// The column headers a laptop shows (not hidden, inside the window).
    async fn visible_columns(&self) -> R<Vec<String>> {
        let v = self
            .js(
                "return [...document.querySelectorAll('#list thead th')] \
                   .filter(th => th.getClientRects().length > 0 && th.getBoundingClientRect().right <= window.innerWidth) \
                   .map(th => th.textContent.replace(/[▲▼]/g, '').trim());",
            )
            .await?;
        Ok(serde_json::from_value(v)?)
    }

    async fn press(&self, key: Key) -> R {
        let k: char = key.into();
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: k })
            .then(KeyAction::Up { value: k });
        Ok(self.c.perform_actions(keys).await?)
    }

    /// Tabs through the whole page from its top: the first stop is the skip link, every
    /// stop shows a focus ring and is on screen, and Tab reaches every control of `must`.
    async fn keyboard(&self, page: &str, must: &[&str]) -> R {
        let size = "desktop";
        self.c.set_window_size(DESKTOP.0, DESKTOP.1).await?;
        self.c.refresh().await?;
        let mut reached: Vec<String> = Vec::new();
        for i in 0..400 {
            self.press(Key::Tab).await?;
            let v = self
                .js(
                    "const e = document.activeElement; if (!e || e === document.body) return null; \
                     const s = getComputedStyle(e), r = e.getBoundingClientRect(); \
                     const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none'; \
                     const id = e.outerHTML.slice(0, 90); \
                     return { id, ring, skip: e.classList.contains('skip'), \
                       onscreen: r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight, \
                       sel: e.matches(arguments[0] || '*') };",
                )
                .await?;
            if v.is_null() {
                break; // past the last control
            }
            let id = v["id"].as_str().unwrap_or_default().to_string();
            if reached.first() == Some(&id) {
                break; // round again
            }
            if i == 0 && v["skip"] != true {
                self.problem(page, size, format!("the first Tab stop is not the skip link: {id}"));
            }
            if v["ring"] != true {
                self.problem(page, size, format!("no visible focus ring: {id}"));
            }
            if v["onscreen"] != true {
                self.problem(page, size, format!("focused but not scrolled into view: {id}"));
            }
            reached.push(id);
        }
        for css in must {
            let n = self
                .c
                .execute(
                    "return [...document.querySelectorAll(arguments[0])] \
                       .filter(e => e.getClientRects().length > 0).map(e => e.outerHTML.slice(0, 90));",
                    vec![json!(css)],
                )
                .await?;
            let all: Vec<String> = serde_json::from_value(n)?;
            if all.is_empty() {
                self.problem(page, size, format!("nothing matches {css}"));
            }
            for e in all.iter().filter(|e| !reached.contains(e)) {
                self.problem(page, size, format!("Tab never reaches {e}"));
            }
        }
        // The skip link moves the focus to the page's content.
        self.c.refresh().await?;
        self.press(Key::Tab).await?;
        self.press(Key::Enter).await?;
        let at = self.js("return document.activeElement.id").await?;
        if at != "main" {
            self.problem(page, size, format!("the skip link leads to {at}, not main"));
        }
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

    async fn fill_order(&self, title: &str) -> R {
        self.fill("title", title).await?;
        self.fill("occupation", "Kok").await?;
        self.fill("company_name", "Restaurant Havnen ApS").await?;
        self.fill("employer_email", "hr@havnen.example").await?;
        self.fill("vacancies", "3").await?;
        self.fill(
            "task_description",
            "Tilberedning af frokostretter.\nAnretning og opvask.",
        )
        .await?;
        self.fill("qualifications_and_pay", "PRIVAT: 185 kr/t efter overenskomst")
            .await?;
        self.fill("working_hours", "PRIVAT: man-fre 9-15").await?;
        // A date input's typing order depends on the browser's locale; set its value directly.
        let form = self.c.form(Locator::Css("form[action='/orders/new']")).await?;
        form.set(Locator::Css("[name='start_date']"), "2027-02-01").await?;
        form.set(Locator::Css("[name='end_date']"), "2027-05-01").await?;
        Ok(())
    }
}

/// The text from `marker` to the end of its link (a token is hex digits and dots).
fn link_in(html: &str, marker: &str) -> R<String> {
    let at = html.find(marker).ok_or(format!("no {marker} on the page"))?;
    let rest = &html[at + marker.len()..];
    let end = rest
        .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.'))
        .unwrap_or(rest.len());
    Ok(format!("{marker}{}", &rest[..end]))
}

/// Frederiksberg's job agents page: a refused form with the message beside the field, a new
/// agent, the preview of Anna's next digest (nothing sent), deleting one after confirming.
/// Returns the digest's public order link and its unsubscribe link.
async fn job_agents(s: &Steps<'_>, agent: i64) -> R<(String, String)> {
    s.click("a[href='/job-agents']").await?;
    s.wait_for("Mine jobagenter").await?;
    s.click("form[action='/job-agents'] button[type=submit]").await?;
    s.wait_for("Ugyldig værdi i feltet").await?;
    s.check("20a-job-agents-error").await?;
    s.fill("occupation", "Kok").await?;
    s.fill("postcode", "2000").await?;
    s.fill("radius_km", "50").await?;
    s.click("form[action='/job-agents'] button[type=submit]").await?;
    s.wait_for("Jobagenten er oprettet.").await?;
    s.check("20-job-agents").await?;
    s.card_starts_with("20-job-agents", "Søgning").await?;
    s.goto(&format!("/job-agents/{agent}/preview")).await?;
    let html = s.wait_for("Kok til frokostrestaurant").await?;
    assert!(html.contains("Jobagent: 1 nye jobordrer") && html.contains("intet er sendt"));
    s.check("21-job-agent-preview").await?;
    let public = link_in(&html, "/o/")?;
    let unsubscribe = link_in(&html, "/job-agents/unsubscribe/")?;
    s.goto("/job-agents").await?;
    let me = "frederiksberg.konsulent@jobcenter.example";
    s.wait_for(me).await?;
    let delete = s
        .js("return [...document.querySelectorAll('tr')].find(tr => tr.textContent.includes('frederiksberg.konsulent@')) \
               .querySelector('a[href$=\"/delete\"]').getAttribute('href');")
        .await?;
    s.goto(delete.as_str().ok_or("no delete link")?).await?;
    s.wait_for("Ja, slet jobagenten").await?;
    s.check("22-job-agent-delete").await?;
    s.click("form[action$='/delete'] button[type=submit]").await?;
    let html = s.wait_for("Jobagenten er slettet.").await?;
    assert!(!html.contains(me), "the deleted agent is gone from the list");
    Ok((public, unsubscribe))
}

async fn scenario(app: &common::TestApp, c: &Client) -> R {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots)?;
    let axe_path = std::env::var("STAER_AXE").map_or_else(
        |_| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules/axe-core/axe.min.js"),
        PathBuf::from,
    );
    let axe = std::fs::read_to_string(&axe_path).map_err(|e| {
        format!(
            "{}: {e}: run scripts/ensure-browser (or set STAER_SKIP_BROWSER=1 to skip the browser test)",
            axe_path.display()
        )
    })?;
    let s = Steps {
        c,
        base: app.base.clone(),
        shots,
        axe,
        problems: RefCell::new(Vec::new()),
    };
    c.set_window_size(DESKTOP.0, DESKTOP.1).await?;

    // Frederiksberg's job agent for Anna (a citizen), made before Brøndby shares below: its
    // next digest will hold that order.
    let frb = app.login("frederiksberg.konsulent");
    let (_, cands) = app.get("/api/v1/candidates", &frb);
    let anna = cands["items"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == "Anna Jensen"))
        .ok_or("no Anna Jensen")?["id"]
        .clone();
    let (st, agent) = app.post(
        "/api/v1/job-agents",
        &frb,
        json!({"occupation": "kok", "candidate_id": anna}),
    );
    assert_eq!(st, 201, "{agent}");
    let agent = agent["id"].as_i64().ok_or("no agent id")?;

    // The login page, and the error page a stale login form gets (no session, no menu).
    s.goto("/login").await?;
    s.wait_for("Brugernavn").await?;
    s.check("01-login").await?;
    s.fill("username", "brondby.konsulent").await?;
    s.fill("password", "demo").await?;
    c.form(Locator::Css("form[action='/login']"))
        .await?
        .set(Locator::Css("[name='_csrf']"), "stale")
        .await?;
    s.click("form[action='/login'] button[type=submit]").await?;
    s.wait_for("Adgang nægtet").await?;
    s.check("02-error").await?;

    // Brøndby creates an order (first refused: a blank title), sends it to the portal and
    // shares it with HRS.
    s.login("brondby.konsulent").await?;
    s.click("a[href='/orders/new']").await?;
    s.wait_for("Ny jobordre").await?;
    s.check("03-order-new").await?;
    s.fill_order("   ").await?;
    s.click("form[action='/orders/new'] button[type=submit]").await?;
    s.wait_for("Ugyldig værdi i feltet").await?;
    s.check("04-order-form-error").await?;
    s.fill("title", "Kok til frokostrestaurant").await?;
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
    s.check("05-order-owner").await?;
    // The portal card as a connected portal fills it: a retry, then a rejection with its reason.
    let reason = "Stillingsbetegnelsen overholder ikke portalens regler";
    app.state.db.write_blocking(move |c| {
        use staer_hub::domain::portal_state::{record, set_state};
        let o = staer_hub::ids::JobOrderId(id);
        record(
            c,
            o,
            "out",
            "create",
            "retrying",
            Some("HTTP 503: vedligeholdelse"),
            None,
        )?;
        record(c, o, "out", "create", "rejected", Some(reason), None)?;
        set_state(c, o, "rejected", Some(reason))
    })?;
    s.goto(&format!("/orders/{id}?np=1")).await?;
    s.wait_for(reason).await?;
    s.check("05b-order-portal").await?;
    app.state.db.write_blocking(move |c| {
        staer_hub::domain::portal_state::set_state(c, staer_hub::ids::JobOrderId(id), "manual", None)
    })?;
    s.goto(&format!("/orders/{id}/edit")).await?;
    s.wait_for("Kok til frokostrestaurant").await?;
    s.check("06-order-edit").await?;
    s.goto("/dashboard/my-orders").await?;
    s.wait_for("Kok til frokostrestaurant").await?;
    s.check("07-my-orders").await?;
    s.card_starts_with("07-my-orders", "Titel").await?;
    s.logout().await?;

    // Frederiksberg finds it on "STÆR Samarbejde" and refers Anna.
    s.login("frederiksberg.konsulent").await?;
    let html = s.wait_for("Kok til frokostrestaurant").await?;
    assert!(html.contains("STÆR Samarbejde") && html.contains("Restaurant Havnen ApS"));
    s.check("08-shared-orders").await?;
    s.card_starts_with("08-shared-orders", "Titel").await?;
    // On a laptop what a consultant scans is on screen, the sorted start date too.
    let shown = s.visible_columns().await?;
    for col in ["Titel", "Virksomhed", "Startdato", "Ledige pladser", "Henvist"] {
        if !shown.iter().any(|c| c == col) {
            s.problem(
                "08-shared-orders",
                "desktop",
                format!("column {col} not on screen: {shown:?}"),
            );
        }
    }
    s.click("a[href*='wide=1']").await?;
    s.wait_for("Normal bredde").await?;
    s.check("08-shared-orders-wide").await?;
    // A new candidate who wishes to be a cook: no consent yet (nor has Gustav), and the
    // cook orders match.
    s.goto("/candidates").await?;
    s.wait_for("Gustav Madsen").await?;
    s.fill("name", "Ida Berg").await?;
    s.fill("postcode", "2605").await?;
    s.fill("occupations", "Kok").await?;
    s.click("form[action='/candidates'][method='post'] button[type=submit]")
        .await?;
    s.wait_for("Borgeren er oprettet.").await?;
    s.check("09-candidates").await?;
    // Import: upload a file, see the preview (nothing written yet), confirm.
    let file = std::env::temp_dir().join(format!("staer-import-{}.csv", std::process::id()));
    std::fs::write(
        &file,
        "ekstern_id;navn;postnummer\nB-1;Importeret Person;2605\nB-2;Anden Importeret;2000\n",
    )?;
    s.goto("/import").await?;
    s.wait_for("Importér data").await?;
    s.check("09a-import").await?;
    c.find(Locator::Css("input[type=file]"))
        .await?
        .send_keys(file.to_str().ok_or("temp path")?)
        .await?;
    s.click("form[action='/import'] button[type=submit]").await?;
    let html = s.wait_for("Forhåndsvisning").await?;
    assert!(html.contains("id=\"count-created\">2<"), "preview counts two new rows");
    s.check("09b-import-preview").await?;
    s.click("form[action$='/confirm'] button[type=submit]").await?;
    s.wait_for("Importen er gennemført.").await?;
    s.check("09c-import-done").await?;
    let _ = std::fs::remove_file(&file);
    s.goto("/candidates").await?;
    s.wait_for("Importeret Person").await?;
    // Editing a candidate: the form shows what is stored; saved unchanged, back to the list.
    let edit = s
        .js(
            "return [...document.querySelectorAll('tr')].find(tr => tr.textContent.includes('Ida Berg')) \
               .querySelector('a[href$=\"/edit\"]').getAttribute('href');",
        )
        .await?;
    s.goto(edit.as_str().ok_or("no edit link")?).await?;
    s.wait_for("Ret borger").await?;
    s.check("09d-candidate-edit").await?;
    s.click("form[action$='/edit'] button[type=submit]").await?;
    s.wait_for("Borgeren er gemt.").await?;
    // Anna's CV, through her page; the employer sees it below.
    cv::walk(&s, app, anna.as_i64().ok_or("no Anna id")?).await?;
    s.goto("/candidates").await?;
    s.wait_for("Importeret Person").await?;
    let matches = s
        .js(
            "return [...document.querySelectorAll('tr')].find(tr => tr.textContent.includes('Ida Berg')) \
               .querySelector('a[href$=\"/matches\"]').getAttribute('href');",
        )
        .await?;
    s.goto(matches.as_str().ok_or("no matches link")?).await?;
    s.wait_for("Kok til frokostrestaurant").await?;
    s.check("10-matches").await?;
    s.goto(&format!("/orders/{id}")).await?;
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
    s.check("11-order-notified").await?;
    s.goto("/dashboard/my-referrals").await?;
    s.wait_for("Kok til frokostrestaurant").await?;
    s.check("12-my-referrals").await?;
    s.card_starts_with("12-my-referrals", "Jobordre").await?;
    let (public, unsubscribe) = job_agents(&s, agent).await?;
    s.goto("/orders/999999999").await?;
    s.wait_for("Siden findes ikke").await?;
    s.check("13-not-found").await?;
    s.logout().await?;

    // A citizen opens the link in their digest: no login, the shared fields only. Opening
    // the unsubscribe link asks; its button unsubscribes.
    s.goto(&public).await?;
    let html = s.wait_for("Kok til frokostrestaurant").await?;
    assert!(html.contains("Restaurant Havnen ApS") && html.contains("Tilberedning af frokostretter"));
    assert!(
        !html.contains("PRIVAT:") && !html.contains("hr@havnen.example"),
        "private texts in public"
    );
    s.check("23-public-order").await?;
    s.goto(&unsubscribe).await?;
    s.wait_for("Vil du afmelde jobagenten").await?;
    s.check("24-unsubscribe").await?;
    s.click("form[action^='/job-agents/unsubscribe/'] button").await?;
    s.wait_for("Du er nu afmeldt jobagenten.").await?;

    // Brøndby, the coordinator, approves and sends the candidate to the employer; by
    // keyboard the page's every control is reachable.
    s.login("brondby.konsulent").await?;
    // The coordinator's queue (Frederiksberg's referral waits) and the reports.
    s.goto("/approvals").await?;
    s.wait_for("Kok til frokostrestaurant").await?;
    s.check("14a-approvals").await?;
    s.goto("/reports").await?;
    s.wait_for("Formidlinger til mine jobordrer").await?;
    s.check("14b-reports").await?;
    s.click("a[href='/dashboard/my-orders']").await?;
    s.wait_for("Mine jobordrer").await?;
    s.click(&format!("a[href='/orders/{id}']")).await?;
    s.wait_for("Formidling afventer godkendelse").await?;
    s.check("14-order-coordinator").await?;
    s.keyboard(
        "14-order-coordinator",
        &[
            "form[action$='/approve'] button",
            "form[action$='/reject'] input[name=reason]",
        ],
    )
    .await?;
    s.goto("/dashboard/shared-orders").await?;
    s.wait_for("Butiksassistent").await?;
    s.keyboard("08-shared-orders", &["#list a", "input[name=q]"]).await?;
    s.goto(&format!("/orders/{id}")).await?;
    s.wait_for("Formidling afventer godkendelse").await?;
    s.click("form[action$='/approve'] button").await?;
    s.wait_for("Formidlingen er godkendt.").await?;
    s.click("form[action$='/send'] button").await?;
    let html = s.wait_for("Formidlingen er sendt til virksomheden.").await?;
    assert!(html.contains("Sendt til virksomhed"));
    // Closing asks for a reason on its own page; the closed order offers to reopen.
    s.goto(&format!("/orders/{id}/close")).await?;
    s.wait_for("Begrundelse for lukning").await?;
    s.check("15-order-close").await?;
    s.fill("reason", "Stillingen er besat").await?;
    s.click(&format!("form[action='/orders/{id}/close'] button[type=submit]"))
        .await?;
    s.wait_for("Jobordren er lukket.").await?;
    s.check("16-order-closed").await?;
    s.logout().await?;
    // The closed order's public link shows nothing of it.
    s.goto(&public).await?;
    let html = s.wait_for("Jobordren er lukket og kan ikke længere ses.").await?;
    assert!(!html.contains("Kok til frokostrestaurant"));
    s.check("25-public-order-closed").await?;
    // The employer answers through the link in the candidate mail (a closed order too).
    employer::walk(&s, app).await?;

    // The privacy notice, without logging in; then Frederiksberg's access export of Ida and
    // the erasure's confirmation step.
    s.goto("/privacy").await?;
    s.wait_for("Hvem ser hvad").await?;
    s.check("17-privacy").await?;
    s.login("frederiksberg.konsulent").await?;
    s.goto("/candidates").await?;
    s.wait_for("Ida Berg").await?;
    let row = "[...document.querySelectorAll('tr')].find(tr => tr.textContent.includes('Ida Berg'))";
    let export = s
        .js(&format!(
            "return {row}.querySelector('a[href$=\"/export\"]').getAttribute('href');"
        ))
        .await?;
    s.goto(export.as_str().ok_or("no export link")?).await?;
    s.wait_for("Indsigt: alle oplysninger om borgeren").await?;
    s.check("18-candidate-export").await?;
    s.goto("/candidates").await?;
    s.wait_for("Ida Berg").await?;
    let erase = s
        .js(&format!(
            "return {row}.querySelector('a[href$=\"/erase\"]').getAttribute('href');"
        ))
        .await?;
    s.goto(erase.as_str().ok_or("no erase link")?).await?;
    s.wait_for("Ja, slet oplysningerne for altid").await?;
    s.check("19-candidate-erase").await?;
    s.click("form[action$='/erase'] button[type=submit]").await?;
    let html = s.wait_for("Borgerens oplysninger er slettet.").await?;
    assert!(!html.contains("Ida Berg"));
    s.logout().await?;

    // The administrator reads the export log: the access export above is in it.
    s.login("admin").await?;
    s.click("a[href='/admin/users']").await?;
    s.click("a[href='/admin/exports']").await?;
    let html = s.wait_for("Eksportlog").await?;
    assert!(html.contains("candidate_id"), "the access export is logged");
    s.check("30-admin-exports").await?;
    s.keyboard("30-admin-exports", &["input[name=user]"]).await?;
    // The administrator's pages and a consultant's account page.
    admin::walk(&s, app).await?;
    notices::walk(&s).await?;
    suggestions::walk(&s, app).await?;

    let problems = s.problems.into_inner();
    if !problems.is_empty() {
        return Err(format!(
            "{} accessibility or layout problems (screenshots in target/screenshots/):\n  {}",
            problems.len(),
            problems.join("\n  ")
        )
        .into());
    }
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
    assert_eq!(refs["items"][0]["state"], "hired");
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

/// Issue 14's whole loop in Chromium, on both databases: the employer's link taken out of the
/// mail a real SMTP server received (`employer::mailed_link`).
#[test]
fn the_employer_answers_through_the_mailed_link_in_a_browser() {
    if std::env::var("STAER_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("browser test skipped: STAER_SKIP_BROWSER=1");
        return;
    }
    let (_driver, port) = start_driver();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for backend in [common::Backend::Sqlite, common::Backend::Postgres] {
        let sink = common::SmtpSink::start();
        let app = common::TestApp::with_mail(backend, &sink);
        let profile = std::env::temp_dir().join(format!("staer-chromium-mail-{}-{port}", std::process::id()));
        let result: R = rt.block_on(async {
            let c = browser(port, &profile).await?;
            let r = employer::mailed_link(&c, &app, &sink).await;
            c.close().await?;
            r
        });
        let _ = std::fs::remove_dir_all(&profile);
        if let Err(e) = result {
            panic!("the mailed employer link on {backend:?}: {e}");
        }
    }
}
