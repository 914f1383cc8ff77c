//! The browser walk through the notices: Frederiksberg's consultant (whose referral the
//! scenario approved and sent, and whose order was closed) reaches the bell by keyboard,
//! reads the list at both sizes (axe-core, nothing sideways) and marks notices read.

use super::*;

pub(super) async fn walk(s: &Steps<'_>) -> R {
    s.login("frederiksberg.konsulent").await?;
    // The bell is in the header of every page, and Tab reaches it.
    s.keyboard("31-bell", &["a.bell"]).await?;
    let name = s
        .js("const a = document.querySelector('a.bell'); return a.innerText + '|' + a.textContent;")
        .await?;
    if !name.as_str().unwrap_or_default().contains("Notifikationer,") {
        s.problem("31-bell", "desktop", format!("the bell's text is {name}"));
    }
    s.click("a.bell").await?;
    let html = s.wait_for("Markér alle som læst").await?;
    assert!(
        html.contains("Din formidling af Anna Jensen til »Kok til frokostrestaurant« er godkendt"),
        "the approval of Anna is among the notices"
    );
    s.check("31-notices").await?;
    s.keyboard(
        "31-notices",
        &["ul.notices a.what", "form[action$='/read'] button", "a.bell"],
    )
    .await?;
    s.click("ul.notices form[action$='/read'] button").await?;
    s.wait_for("Notifikationen er markeret som læst.").await?;
    s.click("form[action='/notices/read-all'] button").await?;
    s.wait_for("Alle notifikationer er markeret som læst.").await?;
    s.goto("/notices?unread=1").await?;
    s.wait_for("Ingen ulæste notifikationer.").await?;
    s.check("32-notices-none-unread").await?;
    s.logout().await?;
    Ok(())
}
