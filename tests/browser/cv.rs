//! The browser walk through a candidate's CV: Frederiksberg gives Anna's consent to share
//! it, uploads a file that is no PDF (refused, said on the page), then her CV, through the
//! candidate page's form; the page and the delete confirmation checked at both sizes and by
//! keyboard. The employer walk then finds the CV link (`employer::walk`).

use super::*;

/// The bytes uploaded as Anna's CV (the employer walk downloads them back).
pub(super) const ANNA_CV: &[u8] = b"%PDF-1.4\n% Anna Jensen CV\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/// A file in the temporary directory for the file input.
fn temp_file(name: &str, bytes: &[u8]) -> R<PathBuf> {
    let dir = std::env::temp_dir().join(format!("staer-cv-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    std::fs::write(&path, bytes)?;
    Ok(path)
}

async fn upload(s: &Steps<'_>, path: &Path) -> R {
    s.c.find(Locator::Css("#cv input[type=file]"))
        .await?
        .send_keys(path.to_str().ok_or("temp path")?)
        .await?;
    s.click("#cv button[type=submit]").await
}

/// Frederiksberg is logged in; `anna` is Anna Jensen's id.
pub(super) async fn walk(s: &Steps<'_>, app: &common::TestApp, anna: i64) -> R {
    let frb = app.login("frederiksberg.konsulent");
    let (st, b) = app.post(
        &format!("/api/v1/candidates/{anna}/consent"),
        &frb,
        json!({"share_email": true, "share_phone": false, "share_cv": true}),
    );
    assert_eq!(st, 200, "{b}");
    let edit = format!("/candidates/{anna}/edit");
    s.goto(&edit).await?;
    s.wait_for("Der er ikke gemt noget CV.").await?;
    // A text file named .pdf: refused by its bytes, the reason on the page.
    let not_pdf = temp_file("ikke-en.pdf", b"just text, not a PDF")?;
    upload(s, &not_pdf).await?;
    let html = s.wait_for("skal være en PDF- eller DOCX-fil").await?;
    assert!(html.contains("Der er ikke gemt noget CV."), "nothing was stored");
    s.check("09e-candidate-cv-refused").await?;
    s.goto(&edit).await?;
    s.wait_for("Der er ikke gemt noget CV.").await?;
    upload(s, &temp_file("Anna Jensen CV.pdf", ANNA_CV)?).await?;
    let html = s.wait_for("CV'et er gemt.").await?;
    assert!(html.contains("Anna Jensen CV.pdf") && html.contains("CV'et sendes til arbejdsgivere"));
    s.check("09f-candidate-cv").await?;
    s.keyboard(
        "09f-candidate-cv",
        &[
            "#cv a[href$='/cv']",
            "#cv a[href$='/cv/delete']",
            "#cv input[type=file]",
        ],
    )
    .await?;
    // The download the page links: the same bytes (fetched beside the browser, which would
    // only save it), and the delete button's confirmation step, not taken.
    let (st, body) = app.raw("GET", &format!("/api/v1/candidates/{anna}/cv"), Some(&frb), None, "");
    assert_eq!((st, body.as_bytes()), (200, ANNA_CV));
    s.click("#cv a[href$='/cv/delete']").await?;
    s.wait_for("Ja, slet CV'et").await?;
    s.check("09g-candidate-cv-delete").await?;
    s.keyboard("09g-candidate-cv-delete", &["button.danger"]).await?;
    if let Some(dir) = not_pdf.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}
