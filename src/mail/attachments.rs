//! What a mail carries beside its text: the candidate's CV on the candidate mail to the
//! employer, read when the mail is delivered, and only while the candidate's consent to share
//! it holds. `domain::cv::for_employer` asks the same question here, so the mail and the
//! employer's download can never disagree.

use diesel::prelude::*;

use crate::db::schema::{candidate_cvs, candidates, referrals};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::ids::ReferralId;

/// A stored file as it goes out: its name, its type (as its bytes told it) and its bytes.
#[derive(Debug, Clone)]
pub struct CvFile {
    pub file_name: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// The CV of the referral's candidate, if the candidate has consented to share it (consent
/// given, not revoked, with `share_cv`) and is not erased; otherwise none.
pub fn cv_for_referral(conn: &mut DbConn, referral: ReferralId) -> AppResult<Option<CvFile>> {
    let row: Option<(String, String, Vec<u8>)> = referrals::table
        .inner_join(candidates::table.on(candidates::id.eq(referrals::candidate_id)))
        .inner_join(candidate_cvs::table.on(candidate_cvs::candidate_id.eq(candidates::id)))
        .filter(referrals::id.eq(referral))
        .filter(candidates::consent_given_at.is_not_null())
        .filter(candidates::consent_revoked_at.is_null())
        .filter(candidates::share_cv.eq(true))
        .filter(candidates::erased_at.is_null())
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
