//! The browser walk through the employer's page: the link from the candidate mail opened at a
//! phone's size without login, checked at both sizes (axe-core, nothing sideways,
//! screenshots) and by keyboard, Hired chosen by keyboard, the answer shown; Anna's CV
//! linked and downloaded (her consent shares it, `cv::walk`); and a link that opens nothing.

use super::*;

/// The path of the employer link in the newest candidate mail of the outbox.
fn employer_link(app: &common::TestApp) -> R<String> {
    let text: String = app.state.db.read_blocking(|c| {
        use diesel::prelude::*;
        use staer_hub::db::schema::outbox;
        Ok(outbox::table
            .filter(outbox::kind.eq("candidate_to_employer"))
            .order(outbox::id.desc())
            .select(outbox::body_text)
            .first(c)?)
    })?;
    let at = text.find("/employer/").ok_or("no employer link in the mail")?;
    let token: String = text[at + "/employer/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    Ok(format!("/employer/{token}"))
}

/// Anna was sent to the employer; no one is logged in.
pub(super) async fn walk(s: &Steps<'_>, app: &common::TestApp) -> R {
    let link = employer_link(app)?;
    s.c.set_window_size(PHONE.0, PHONE.1).await?;
    s.goto(&link).await?;
    let html = s.wait_for("Anna Jensen").await?;
    assert!(
        !html.contains("PRIVAT:") && html.contains("Restaurant Havnen ApS"),
        "the employer sees the shared fields only"
    );
    // The CV link, and what it downloads: the bytes uploaded, as an attachment.
    let cv = s
        .js("return document.querySelector('a[href*=\"/referrals/\"][href*=\"/cv\"]').getAttribute('href')")
        .await?;
    let cv = cv.as_str().ok_or("no CV link on the employer's page")?;
    assert!(cv.starts_with(&format!("{link}/referrals/")), "{cv}");
    let res = ureq::get(&app.url(cv)).call()?;
    assert!(res
        .header("content-disposition")
        .unwrap_or_default()
        .starts_with("attachment"));
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut res.into_reader(), &mut body)?;
    assert_eq!(body, super::cv::ANNA_CV);
    s.check("26-employer").await?;
    s.keyboard(
        "26-employer",
        &[
            "textarea[name=comment]",
            "button[value=hired]",
            "a[href^='mailto:']",
            "a[href*='/cv']",
        ],
    )
    .await?;
    // Hired, by keyboard at a phone's size: focus the comment, type, Tab to the buttons, Enter.
    s.c.set_window_size(PHONE.0, PHONE.1).await?;
    s.goto(&link).await?;
    s.wait_for("Anna Jensen").await?;
    s.click("textarea[name=comment]").await?;
    s.c.find(Locator::Css("textarea[name=comment]"))
        .await?
        .send_keys("Starter 1. februar")
        .await?;
    // Interview, then Hired: the second button.
    s.press(Key::Tab).await?;
    s.press(Key::Tab).await?;
    let focused = s.js("return document.activeElement.value").await?;
    if focused != "hired" {
        s.problem(
            "26-employer",
            "phone",
            format!("Tab from the comment reached {focused}, not Hired"),
        );
    }
    s.press(Key::Enter).await?;
    let html = s.wait_for("Jeres svar er gemt.").await?;
    assert!(html.contains("Starter 1. februar") && html.contains("<strong>Ansat</strong>"));
    s.check("27-employer-answered").await?;
    // English, selectable on the page.
    s.click("a[lang=en]").await?;
    s.wait_for("Your answer").await?;
    s.check("27b-employer-english").await?;
    // A link that opens nothing says so, and nothing else.
    s.goto(&format!("{link}x")).await?;
    let html = s.wait_for("Linket findes ikke").await?;
    assert!(!html.contains("Anna Jensen"));
    s.check("28-employer-unknown").await?;
    Ok(())
}

/// Issue 14's loop on one database, as the employer lives it: Brøndby's order, a consenting
/// candidate of Frederiksberg approved and sent; the link taken out of the mail the SMTP
/// server received, opened at a phone's size, Hired clicked; then the referring consultant's
/// notice and dashboard say so.
pub(super) async fn mailed_link(c: &Client, app: &common::TestApp, sink: &common::SmtpSink) -> R {
    let coord = app.login("brondby.konsulent");
    let frb = app.login("frederiksberg.konsulent");
    let order = app.shared_order(
        &coord,
        json!({"title": "Opvasker til kantinen", "vacancies": 1}),
        &["HRS"],
    );
    let cand = app.candidate(&frb, "Bo Postmand", true);
    let (s, r) = app.refer(&frb, order, cand);
    assert_eq!(s, 201, "{r}");
    let rid = r["id"].as_i64().ok_or("no referral id")?;
    let (s, b) = app.post(&format!("/api/v1/referrals/{rid}/approve"), &coord, json!({}));
    assert_eq!(s, 200, "{b}");
    let (s, b) = app.post(&format!("/api/v1/referrals/{rid}/send"), &frb, json!({}));
    assert_eq!(s, 200, "{b}");

    // The candidate mail, as the SMTP server received it.
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        if let Some(m) = sink.mails().into_iter().find(|m| m.text.contains("/employer/")) {
            break m.text;
        }
        if Instant::now() > deadline {
            return Err("the candidate mail never reached the SMTP server".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let at = text.find("/employer/").ok_or("no employer link")?;
    let path: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c))
        .collect();

    c.set_window_size(PHONE.0, PHONE.1).await?;
    c.goto(&format!("{}{path}", app.base)).await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[contains(text(), 'Bo Postmand')]"))
        .await?;
    c.find(Locator::Css("button[value=hired]")).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//*[contains(text(), 'Jeres svar er gemt.')]"))
        .await?;

    // The referring consultant: a notice of the hire, and the dashboard's "hired".
    let (_, n) = app.get("/api/v1/notices?unread=true", &frb);
    let hired = n["items"]
        .as_array()
        .ok_or("no notices")?
        .iter()
        .any(|i| i["kind"] == "referral_hired" && i["referral_id"].as_i64() == Some(rid));
    assert!(hired, "no notice of the hire: {n}");
    let (_, list) = app.get("/api/v1/dashboard/my-referrals?status=hired", &frb);
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["candidate_name"], "Bo Postmand");
    Ok(())
}
