//! The browser walk through the administrator's pages (users, a refused new user, the
//! confirmations, networks, the outbox) and a consultant's account page, each checked at
//! both sizes (axe-core, nothing sideways, screenshots) and the lists by keyboard.

use super::*;

/// A failed mail, so that the outbox page shows its error and its Retry button.
fn failed_mail(app: &common::TestApp) -> R {
    app.state.db.write_blocking(|c| {
        use diesel::prelude::*;
        use staer_hub::db::schema::outbox;
        let now = chrono::Utc::now().naive_utc();
        diesel::insert_into(outbox::table)
            .values((
                outbox::created_at.eq(now),
                outbox::kind.eq("order_shared"),
                outbox::to_addr.eq("hr@havnen.example"),
                outbox::subject.eq("Ny jobordre delt med HRS: Kok til frokostrestaurant"),
                outbox::body_text.eq("x"),
                outbox::body_html.eq("x"),
                outbox::status.eq("failed"),
                outbox::attempts.eq(8),
                outbox::next_attempt_at.eq(now + chrono::Duration::hours(1)),
                outbox::last_error.eq(Some("550 5.1.1 mailbox unavailable")),
            ))
            .execute(c)?;
        Ok(())
    })?;
    Ok(())
}

pub(super) async fn walk(s: &Steps<'_>, app: &common::TestApp) -> R {
    failed_mail(app)?;
    s.login("admin").await?;
    s.click("a[href='/admin/users']").await?;
    s.wait_for("brondby.konsulent2").await?;
    s.check("20-admin-users").await?;
    s.card_starts_with("20-admin-users", "Brugernavn").await?;
    s.keyboard(
        "20-admin-users",
        &[
            "input[name=q]",
            "a[href$='/disable']",
            "a[href$='/password']",
            "select[name=centre]",
            "#new-user-form button[type=submit]",
        ],
    )
    .await?;
    // A refused new user comes back as typed, the reason on top and beside the field.
    s.fill("username", "ny konsulent").await?;
    s.fill("display_name", "Ny Konsulent").await?;
    s.fill("email", "ny@jobcenter.example").await?;
    s.c.find(Locator::Css("select[name='centre']"))
        .await?
        .select_by_value("15.300")
        .await?;
    s.fill("password", "kodeord-123").await?;
    s.click("#new-user-form button[type=submit]").await?;
    s.wait_for("err-username").await?;
    s.check("21-admin-users-error").await?;
    s.fill("username", "ny.konsulent").await?;
    s.fill("password", "kodeord-123").await?;
    s.click("#new-user-form button[type=submit]").await?;
    s.wait_for("Brugeren er oprettet: ny.konsulent").await?;
    s.click("a[href='/admin/users/ny.konsulent/disable']").await?;
    s.wait_for("Ja, deaktivér brugeren").await?;
    s.check("22-admin-disable").await?;
    s.click("form[action='/admin/users/ny.konsulent/disable'] button[type=submit]")
        .await?;
    s.wait_for("Brugeren er deaktiveret.").await?;
    s.goto("/admin/users/ny.konsulent/password").await?;
    s.wait_for("Gentag ny adgangskode").await?;
    s.check("23-admin-password").await?;

    s.click("a[href='/admin/networks']").await?;
    s.wait_for("Netværk og medlemmer").await?;
    s.check("24-admin-networks").await?;
    s.keyboard(
        "24-admin-networks",
        &[
            "a[href$='/remove']",
            "select[name=authority_number]",
            "input[name=name]",
        ],
    )
    .await?;
    s.goto("/admin/networks/HRS/members/15.300/remove").await?;
    s.wait_for("Ja, fjern jobcentret").await?;
    s.check("25-admin-remove-member").await?;

    s.click("a[href='/admin/outbox']").await?;
    s.wait_for("550 5.1.1 mailbox unavailable").await?;
    s.check("26-admin-outbox").await?;
    s.card_starts_with("26-admin-outbox", "Emne").await?;
    s.click("form[action$='/retry'] button[type=submit]").await?;
    s.wait_for("Mailen er sat i kø igen.").await?;
    s.logout().await?;

    // A consultant's own account page, from the header's name; a wrong current password.
    s.login("brondby.konsulent").await?;
    s.click("a.who").await?;
    s.wait_for("Skift adgangskode").await?;
    s.check("27-account").await?;
    s.keyboard(
        "27-account",
        &["input[name=current]", "input[name=new2]", "select[name=language]"],
    )
    .await?;
    s.fill("current", "forkert-kodeord").await?;
    s.fill("new", "nyt-kodeord-1").await?;
    s.fill("new2", "nyt-kodeord-1").await?;
    s.click("form[action='/account/password'] button[type=submit]").await?;
    s.wait_for("er ikke din nuværende adgangskode").await?;
    s.check("28-account-error").await?;
    s.logout().await?;
    Ok(())
}
