//! Candidates (borgere) of a job centre, and their consent to be referred.
//! Revoking consent withdraws every live referral of the candidate in the same transaction.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::db::schema::{candidate_wishes, candidates};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit;
use crate::domain::duplicates::{Duplicate, DuplicateIndex, Holder, Keys};
use crate::domain::validate::check_email;
use crate::error::{AppError, AppResult};
use crate::ids::{CandidateId, JobCentreId, UserId};

#[derive(Queryable, Selectable, Debug, Clone, Serialize, utoipa::ToSchema)]
#[diesel(table_name = candidates)]
pub struct Candidate {
    pub id: CandidateId,
    pub job_centre_id: JobCentreId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    pub consent_given_at: Option<NaiveDateTime>,
    pub consent_given_by: Option<UserId>,
    pub consent_revoked_at: Option<NaiveDateTime>,
    pub share_email: bool,
    pub share_phone: bool,
    pub created_at: NaiveDateTime,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub updated_at: Option<NaiveDateTime>,
    /// Set when the candidate's personal data was erased (on request or by retention).
    pub erased_at: Option<NaiveDateTime>,
    pub retention_warned_at: Option<NaiveDateTime>,
    /// The candidate's id in the case software it was imported from.
    pub external_id: Option<String>,
    pub driving_licence: bool,
    pub own_car: bool,
    #[serde(serialize_with = "as_list")]
    #[schema(value_type = Vec<String>)]
    pub certificates: String,
    #[serde(serialize_with = "as_list")]
    #[schema(value_type = Vec<String>)]
    pub languages: String,
    /// Consent to send the CV to employers (with the candidate email, on the employer page).
    pub share_cv: bool,
}

/// A list column (JSON text) as stored, e.g. `["truckcertifikat"]`.
pub fn list_text(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

pub fn parse_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn as_list<S: serde::Serializer>(text: &str, ser: S) -> Result<S::Ok, S::Error> {
    parse_list(text).serialize(ser)
}

impl Candidate {
    pub fn has_consent(&self) -> bool {
        self.consent_given_at.is_some() && self.consent_revoked_at.is_none()
    }

    /// An erased candidate is a stub kept for the counts: nothing may be recorded on it.
    pub fn refuse_if_erased(&self) -> AppResult<()> {
        match self.erased_at {
            Some(_) => Err(AppError::Conflict("the candidate's data was erased".into())),
            None => Ok(()),
        }
    }
}

/// What another centre (and an employer) may see of a candidate: the name, and
/// the contact details the candidate consented to share.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SharedCandidate {
    pub id: CandidateId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl SharedCandidate {
    /// The one place the consent to share contacts is applied: a contact the candidate did
    /// not agree to share is left out.
    pub fn consented(
        id: CandidateId,
        name: String,
        (email, share_email): (Option<String>, bool),
        (phone, share_phone): (Option<String>, bool),
    ) -> Self {
        SharedCandidate {
            id,
            name,
            email: email.filter(|_| share_email),
            phone: phone.filter(|_| share_phone),
        }
    }
}

impl From<&Candidate> for SharedCandidate {
    fn from(c: &Candidate) -> Self {
        SharedCandidate::consented(
            c.id,
            c.name.clone(),
            (c.email.clone(), c.share_email),
            (c.phone.clone(), c.share_phone),
        )
    }
}

pub fn load(conn: &mut DbConn, id: CandidateId) -> AppResult<Candidate> {
    Ok(candidates::table.find(id).select(Candidate::as_select()).first(conn)?)
}

/// A candidate's name alone (what mails about a referral name): not the whole row.
pub fn name(conn: &mut DbConn, id: CandidateId) -> AppResult<String> {
    Ok(candidates::table.find(id).select(candidates::name).first(conn)?)
}

/// A candidate of the user's own centre; anyone else's is reported missing.
pub fn load_own(conn: &mut DbConn, user: &AuthUser, id: CandidateId) -> AppResult<Candidate> {
    let c = load(conn, id)?;
    if c.job_centre_id != user.job_centre_id {
        return Err(AppError::NotFound);
    }
    Ok(c)
}

#[derive(Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct CreateCandidate {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Home postcode; gives the place used for matching unless coordinates are given.
    pub postcode: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Occupation wishes: codes, labels or aliases ("fiskekok").
    #[serde(default)]
    pub occupations: Vec<String>,
    #[serde(default)]
    pub driving_licence: bool,
    #[serde(default)]
    pub own_car: bool,
    #[serde(default)]
    pub certificates: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    /// Create even when a candidate of the centre has the same email, phone or name and postcode.
    #[serde(default)]
    pub allow_duplicate: bool,
}

/// A list field: at most 30 items of at most 100 characters each.
pub fn check_list(field: &str, items: &[String]) -> AppResult<()> {
    if items.len() > 30 {
        return Err(AppError::invalid(field, "at most 30 items"));
    }
    for i in items {
        crate::domain::validate::check_text(field, i, 100, true, false)?;
    }
    Ok(())
}

pub fn validate(input: &CreateCandidate) -> AppResult<()> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "is required"));
    }
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "must be at most 200 characters, without control characters",
        ));
    }
    if let Some(e) = &input.email {
        check_email("email", e)?;
    }
    if let Some(p) = &input.phone {
        let digits = p.chars().filter(|c| c.is_ascii_digit()).count();
        if !(6..=15).contains(&digits) || !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
            return Err(AppError::invalid("phone", "must be a phone number"));
        }
    }
    if let Some(pc) = &input.postcode {
        if crate::geo::postcode(pc).is_none() {
            return Err(AppError::invalid("postcode", "must be a Danish postcode"));
        }
    }
    match (input.latitude, input.longitude) {
        (None, None) => {}
        (Some(lat), Some(lon)) if crate::geo::valid_coordinates(lat, lon) => {}
        _ => {
            return Err(AppError::invalid(
                "latitude",
                "give both latitude and longitude, as degrees",
            ))
        }
    }
    wishes(&input.occupations)?;
    check_list("certificates", &input.certificates)?;
    check_list("languages", &input.languages)?;
    Ok(())
}

/// Occupation wishes resolved to (code, group); an unknown one is refused by name.
pub fn wishes(names: &[String]) -> AppResult<Vec<(String, String)>> {
    if names.len() > 20 {
        return Err(AppError::invalid("occupations", "at most 20 wishes"));
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for n in names {
        let (code, group, _) = crate::occupations::classify(Some(n), n)
            .ok_or_else(|| AppError::invalid("occupations", format!("unknown occupation '{n}'")))?;
        if !out.iter().any(|(c, _)| *c == code) {
            out.push((code, group));
        }
    }
    Ok(out)
}

/// Replaces the candidate's occupation wishes.
pub fn set_wishes(conn: &mut DbConn, id: CandidateId, wishes: &[(String, String)]) -> AppResult<()> {
    touch(conn, id)?;
    diesel::delete(candidate_wishes::table.filter(candidate_wishes::candidate_id.eq(id))).execute(conn)?;
    let centre: i64 = candidates::table
        .find(id)
        .select(candidates::job_centre_id)
        .first(conn)?;
    for (code, group) in wishes {
        diesel::insert_into(candidate_wishes::table)
            .values((
                candidate_wishes::candidate_id.eq(id),
                candidate_wishes::occupation_code.eq(code),
                candidate_wishes::occupation_group.eq(group),
                candidate_wishes::job_centre_id.eq(centre),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Marks a change of the candidate: retention counts its years from the last one.
pub fn touch(conn: &mut DbConn, id: CandidateId) -> AppResult<()> {
    diesel::update(candidates::table.find(id))
        .set(candidates::updated_at.eq(Some(Utc::now().naive_utc())))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Wish {
    pub code: String,
    pub label: Option<String>,
}

pub fn wishes_of(conn: &mut DbConn, id: CandidateId) -> AppResult<Vec<Wish>> {
    let codes: Vec<String> = candidate_wishes::table
        .filter(candidate_wishes::candidate_id.eq(id))
        .select(candidate_wishes::occupation_code)
        .order(candidate_wishes::occupation_code)
        .load(conn)?;
    Ok(codes
        .into_iter()
        .map(|code| Wish {
            label: crate::occupations::by_code(&code).map(|o| o.label.clone()),
            code,
        })
        .collect())
}

/// The first candidate of the user's centre that the input would duplicate.
pub fn find_duplicate(conn: &mut DbConn, user: &AuthUser, input: &CreateCandidate) -> AppResult<Option<Duplicate>> {
    let idx = DuplicateIndex::load(conn, user.job_centre_id)?;
    Ok(idx.find(
        &Keys {
            name: &input.name,
            email: input.email.as_deref(),
            phone: input.phone.as_deref(),
            postcode: input.postcode.as_deref(),
        },
        None,
    ))
}

/// Creates a candidate of the user's centre; a likely duplicate is refused (409 naming it)
/// unless the input says `allow_duplicate`.
pub fn create(conn: &mut DbConn, user: &AuthUser, input: CreateCandidate) -> AppResult<Candidate> {
    validate(&input)?;
    if !input.allow_duplicate {
        if let Some(Duplicate {
            of: Holder::Candidate(id),
            matched_on,
        }) = find_duplicate(conn, user, &input)?
        {
            return Err(AppError::Duplicate {
                duplicate_of: id.0,
                matched_on: matched_on.to_string(),
            });
        }
    }
    let place = match (input.latitude, input.longitude) {
        (Some(lat), Some(lon)) => Some((lat, lon)),
        _ => input.postcode.as_deref().and_then(crate::geo::postcode),
    };
    let id: CandidateId = diesel::insert_into(candidates::table)
        .values((
            candidates::job_centre_id.eq(user.job_centre_id),
            candidates::name.eq(input.name.trim()),
            candidates::email.eq(&input.email),
            candidates::phone.eq(&input.phone),
            candidates::postcode.eq(&input.postcode),
            candidates::lat.eq(place.map(|p| p.0)),
            candidates::lon.eq(place.map(|p| p.1)),
            candidates::created_by.eq(user.id),
            candidates::created_at.eq(Utc::now().naive_utc()),
            candidates::driving_licence.eq(input.driving_licence),
            candidates::own_car.eq(input.own_car),
            candidates::certificates.eq(list_text(&input.certificates)),
            candidates::languages.eq(list_text(&input.languages)),
        ))
        .returning(candidates::id)
        .get_result(conn)?;
    set_wishes(conn, id, &wishes(&input.occupations)?)?;
    audit::record(conn, Some(user), "candidate", id.0, "created", json!({}))?;
    load(conn, id)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConsentInput {
    /// Whether employers and other centres may see the candidate's email / phone.
    #[serde(default = "yes")]
    pub share_email: bool,
    #[serde(default = "yes")]
    pub share_phone: bool,
    /// Whether employers may receive the CV. Off unless asked for: a CV says much more.
    #[serde(default)]
    pub share_cv: bool,
}

fn yes() -> bool {
    true
}

pub fn give_consent(conn: &mut DbConn, user: &AuthUser, id: CandidateId, input: ConsentInput) -> AppResult<Candidate> {
    load_own(conn, user, id)?.refuse_if_erased()?;
    diesel::update(candidates::table.find(id))
        .set((
            candidates::updated_at.eq(Some(Utc::now().naive_utc())),
            candidates::consent_given_at.eq(Some(Utc::now().naive_utc())),
            candidates::consent_given_by.eq(Some(user.id)),
            candidates::consent_revoked_at.eq(None::<NaiveDateTime>),
            candidates::share_email.eq(input.share_email),
            candidates::share_phone.eq(input.share_phone),
            candidates::share_cv.eq(input.share_cv),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        Some(user),
        "candidate",
        id.0,
        "consent_given",
        json!({ "share_email": input.share_email, "share_phone": input.share_phone, "share_cv": input.share_cv }),
    )?;
    load(conn, id)
}
