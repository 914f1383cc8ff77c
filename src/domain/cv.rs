//! A candidate's CV: uploaded by a consultant of the candidate's centre (PDF or DOCX, at most
//! 5 MB, the type told by the file's bytes, never by its name), downloaded by that centre,
//! and given to an employer only while the candidate's consent with `share_cv` holds.
//! An erasure deletes it; a revoked consent stops the employer's access at once.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::db::schema::candidate_cvs;
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::{audit, candidates};
use crate::error::{AppError, AppResult};
use crate::ids::{CandidateId, ReferralId};
pub use crate::mail::attachments::CvFile;

/// The largest CV: 5 MB.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The file's type by its bytes: a PDF starts `%PDF-`; a DOCX is a ZIP archive holding
/// `word/document.xml`. Anything else (an image renamed `.pdf`, an XLSX) is neither.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        return Some(PDF);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
        if zip.index_for_name("word/document.xml").is_some() {
            return Some(DOCX);
        }
    }
    None
}

/// The name to store and send: the last part of what the browser sent, printable, at most
/// 100 characters, ending in the extension of the type the bytes have.
fn clean_name(file_name: &str, content_type: &str) -> String {
    let ext = if content_type == PDF { "pdf" } else { "docx" };
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut name: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(100)
        .collect();
    name = name.trim().to_string();
    if name.is_empty() || name.starts_with('.') {
        name = "cv".into();
    }
    if !name.to_lowercase().ends_with(&format!(".{ext}")) {
        name = format!("{name}.{ext}");
    }
    name
}

/// What the pages show of a stored CV (not its bytes).
#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
pub struct CvInfo {
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_at: NaiveDateTime,
}

/// Stores (or replaces) the CV of a candidate of the user's centre.
pub fn upload(conn: &mut DbConn, user: &AuthUser, id: CandidateId, file_name: &str, bytes: &[u8]) -> AppResult<CvInfo> {
    candidates::load_own(conn, user, id)?.refuse_if_erased()?;
    if bytes.len() > MAX_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "the file is empty"));
    }
    let content_type = sniff(bytes).ok_or_else(|| AppError::invalid("file", "must be a PDF or DOCX file"))?;
    let name = clean_name(file_name, content_type);
    let now = Utc::now().naive_utc();
    let replaced = diesel::delete(candidate_cvs::table.find(id)).execute(conn)? > 0;
    diesel::insert_into(candidate_cvs::table)
        .values((
            candidate_cvs::candidate_id.eq(id),
            candidate_cvs::file_name.eq(&name),
            candidate_cvs::content_type.eq(content_type),
            candidate_cvs::size.eq(bytes.len() as i64),
            candidate_cvs::body.eq(bytes),
            candidate_cvs::uploaded_by.eq(user.id),
            candidate_cvs::uploaded_at.eq(now),
        ))
        .execute(conn)?;
    candidates::touch(conn, id)?;
    // The file's name may name the person: the audit keeps the type and size only.
    let detail = json!({ "content_type": content_type, "size": bytes.len(), "replaced": replaced });
    audit::record(conn, Some(user), "candidate", id.0, "cv_uploaded", detail)?;
    info_of(conn, id)?.ok_or(AppError::NotFound)
}

fn info_of(conn: &mut DbConn, id: CandidateId) -> AppResult<Option<CvInfo>> {
    Ok(candidate_cvs::table
        .find(id)
        .select((
            candidate_cvs::file_name,
            candidate_cvs::content_type,
            candidate_cvs::size,
            candidate_cvs::uploaded_at,
        ))
        .first(conn)
        .optional()?)
}

/// The stored CV's details, for the candidate's own centre.
pub fn info(conn: &mut DbConn, user: &AuthUser, id: CandidateId) -> AppResult<Option<CvInfo>> {
    candidates::load_own(conn, user, id)?;
    info_of(conn, id)
}

/// The CV for a consultant of the candidate's centre (anyone else: 404). Audited: who read it.
pub fn for_consultant(conn: &mut DbConn, user: &AuthUser, id: CandidateId) -> AppResult<CvFile> {
    candidates::load_own(conn, user, id)?.refuse_if_erased()?;
    let (file_name, content_type, body) = candidate_cvs::table
        .find(id)
        .select((
            candidate_cvs::file_name,
            candidate_cvs::content_type,
            candidate_cvs::body,
        ))
        .first::<(String, String, Vec<u8>)>(conn)?;
    audit::record(conn, Some(user), "candidate", id.0, "cv_downloaded", json!({}))?;
    Ok(CvFile {
        file_name,
        content_type,
        body,
    })
}

/// Deletes the CV of a candidate of the user's centre.
pub fn remove(conn: &mut DbConn, user: &AuthUser, id: CandidateId) -> AppResult<()> {
    candidates::load_own(conn, user, id)?;
    if diesel::delete(candidate_cvs::table.find(id)).execute(conn)? == 0 {
        return Err(AppError::NotFound);
    }
    candidates::touch(conn, id)?;
    audit::record(conn, Some(user), "candidate", id.0, "cv_deleted", json!({}))
}

/// Deletes a candidate's CV without an actor's checks (the erasure, which audits itself).
pub fn erase(conn: &mut DbConn, id: CandidateId) -> AppResult<bool> {
    Ok(diesel::delete(candidate_cvs::table.find(id)).execute(conn)? > 0)
}

/// The CV of a referral's candidate for the employer: only while the candidate's consent
/// with `share_cv` holds and the candidate is not erased; otherwise 410 Gone (the employer
/// link answers it for that candidate). The caller checks that the employer may see the
/// referral at all.
pub fn for_employer(conn: &mut DbConn, referral: ReferralId) -> AppResult<CvFile> {
    crate::mail::attachments::cv_for_referral(conn, referral)?
        .ok_or_else(|| AppError::Gone("the candidate's CV is not shared".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(name: &str) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        w.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(b"<w:document/>").unwrap();
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn the_bytes_tell_the_type() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(PDF));
        assert_eq!(sniff(&zip_with("word/document.xml")), Some(DOCX));
        // A ZIP that is no Word document (an XLSX), an image, text: refused.
        assert_eq!(sniff(&zip_with("xl/workbook.xml")), None);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), None);
        assert_eq!(sniff(b"PK\x03\x04 not really a zip"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn names_end_in_the_real_type() {
        assert_eq!(clean_name("C:\\Users\\x\\Mit CV.pdf", PDF), "Mit CV.pdf");
        assert_eq!(clean_name("cv.pdf", DOCX), "cv.pdf.docx");
        assert_eq!(clean_name("", PDF), "cv.pdf");
        assert_eq!(clean_name("a\"b;\r\n.PDF", PDF), "ab.PDF");
    }
}
