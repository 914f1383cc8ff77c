//! What a mail carries beside its text: the candidate's CV on the candidate mail to the
//! employer, only while the candidate's consent to share it holds. The one rule lives here
//! (`shared_cv`): the mail's text when it is written, its attachment when it is delivered,
//! the employer's page and `domain::cv::for_employer` all ask it, so they can never disagree.

use diesel::prelude::*;

use crate::db::schema::{candidate_cvs, candidates, referrals};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::ids::{CandidateId, ReferralId};

/// A stored file as it goes out: its name, its type (as its bytes told it) and its bytes.
#[derive(Debug, Clone)]
pub struct CvFile {
    pub file_name: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// A CV the employer may have, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedCv {
    pub candidate_id: CandidateId,
    pub file_name: String,
    pub size: i64,
}

/// The CV of the referral's candidate, if the candidate has consented to share it (consent
/// given, not revoked, with `share_cv`) and is not erased; otherwise none.
pub fn shared_cv(conn: &mut DbConn, referral: ReferralId) -> AppResult<Option<SharedCv>> {
    let row: Option<(CandidateId, String, i64)> = referrals::table
        .inner_join(candidates::table.on(candidates::id.eq(referrals::candidate_id)))
        .inner_join(candidate_cvs::table.on(candidate_cvs::candidate_id.eq(candidates::id)))
        .filter(referrals::id.eq(referral))
        .filter(candidates::consent_given_at.is_not_null())
        .filter(candidates::consent_revoked_at.is_null())
        .filter(candidates::share_cv.eq(true))
        .filter(candidates::erased_at.is_null())
        .select((
            candidate_cvs::candidate_id,
            candidate_cvs::file_name,
            candidate_cvs::size,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(candidate_id, file_name, size)| SharedCv {
        candidate_id,
        file_name,
        size,
    }))
}

/// The shared CV with its bytes (`shared_cv`'s rule); none when it is not shared.
pub fn cv_for_referral(conn: &mut DbConn, referral: ReferralId) -> AppResult<Option<CvFile>> {
    let Some(shared) = shared_cv(conn, referral)? else {
        return Ok(None);
    };
    // Deleted in between: not there, as if never shared.
    let row: Option<(String, String, Vec<u8>)> = candidate_cvs::table
        .find(shared.candidate_id)
        .select((
            candidate_cvs::file_name,
            candidate_cvs::content_type,
            candidate_cvs::body,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(file_name, content_type, body)| CvFile {
        file_name,
        content_type,
        body,
    }))
}
