//! The browser walk through job suggestions: Frederiksberg's consultant opens a shared order,
//! follows its link to the picker, sends the order to a candidate, sends it again through the
//! confirmation page; both pages checked at both sizes (axe-core, nothing sideways,
//! screenshots) and by keyboard.

use super::*;

pub(super) async fn walk(s: &Steps<'_>, app: &common::TestApp) -> R {
    let brb = app.login("brondby.konsulent");
    let frb = app.login("frederiksberg.konsulent");
    let order = app.shared_order(&brb, json!({"title": "Kok til kantinen"}), &["HRS"]);
    let (st, cand) = app.post(
        "/api/v1/candidates",
        &frb,
        json!({"name": "Sofie Forslag", "email": "sofie@borger.example", "allow_duplicate": true}),
    );
    assert_eq!(st, 201, "{cand}");
    let cand = cand["id"].as_i64().ok_or("no candidate id")?;
    let (st, b) = app.post(&format!("/api/v1/candidates/{cand}/consent"), &frb, json!({}));
    assert_eq!(st, 200, "{b}");

    s.login("frederiksberg.konsulent").await?;
    s.goto(&format!("/orders/{order}")).await?;
    s.wait_for("Send jobforslag til borgere").await?;
    s.click(&format!("a[href='/orders/{order}/suggest']")).await?;
    s.goto(&format!("/orders/{order}/suggest?q=Forslag")).await?;
    s.wait_for("Sofie Forslag").await?;
    s.check("33-suggest").await?;
    s.keyboard(
        "33-suggest",
        &[&format!("input[name='c_{cand}']"), "form[action$='/suggest'] button"],
    )
    .await?;
    s.click(&format!("input[name='c_{cand}']")).await?;
    s.click("form[method=post][action$='/suggest'] button[type=submit]")
        .await?;
    s.wait_for("Jobforslag sendt: Sofie Forslag (Kok til kantinen)").await?;
    // Again: nothing goes before the confirmation.
    s.goto(&format!("/orders/{order}/suggest?q=Forslag")).await?;
    s.wait_for("Sofie Forslag").await?;
    s.click(&format!("input[name='c_{cand}']")).await?;
    s.click("form[method=post][action$='/suggest'] button[type=submit]")
        .await?;
    s.wait_for("Allerede sendt").await?;
    s.check("34-suggest-confirm").await?;
    s.click("form[action$='/suggest'] button[type=submit]").await?;
    s.wait_for("Jobforslag sendt: Sofie Forslag").await?;
    s.goto(&format!("/candidates/{cand}/matches")).await?;
    s.wait_for("Jobforslag: Kok til kantinen, af Konsulent Frederiksberg")
        .await?;
    s.check("35-matches-suggestions").await?;
    s.logout().await?;
    Ok(())
}
