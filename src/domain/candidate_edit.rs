//! Changing a candidate after creation (by the owning centre only): a patch that tells
//! "clear" from "leave", checked by the same rules as a create, audited with the changed fields.

use std::collections::BTreeMap;

use chrono::Utc;
use diesel::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use crate::db::schema::candidates;
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit;
use crate::domain::candidates::{
    list_text, load, load_own, parse_list, set_wishes, validate, wishes, wishes_of, Candidate, CreateCandidate,
};
use crate::error::{AppError, AppResult};
use crate::ids::CandidateId;

/// What may be changed of a candidate, as stored. Consent has its own actions; the place
/// follows the postcode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateFields {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    /// Occupation codes, sorted.
    pub occupations: Vec<String>,
    pub driving_licence: bool,
    pub own_car: bool,
    pub certificates: Vec<String>,
    pub languages: Vec<String>,
}

impl CandidateFields {
    pub fn of(conn: &mut DbConn, c: &Candidate) -> AppResult<CandidateFields> {
        Ok(CandidateFields {
            name: c.name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            postcode: c.postcode.clone(),
            occupations: wishes_of(conn, c.id)?.into_iter().map(|w| w.code).collect(),
            driving_licence: c.driving_licence,
            own_car: c.own_car,
            certificates: parse_list(&c.certificates),
            languages: parse_list(&c.languages),
        })
    }

    fn check(&self) -> AppResult<()> {
        validate(&CreateCandidate {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            postcode: self.postcode.clone(),
            occupations: self.occupations.clone(),
            certificates: self.certificates.clone(),
            languages: self.languages.clone(),
            ..Default::default()
        })
    }
}

/// `null` clears a nullable field; a missing key leaves it alone.
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A change of a candidate: each key given is set, `null` clears a nullable one.
#[derive(Debug, Deserialize, Default, Clone, utoipa::ToSchema)]
pub struct PatchCandidate {
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: BTreeMap<String, serde_json::Value>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub postcode: Option<Option<String>>,
    /// Occupation wishes: codes, labels or aliases; replaces the list.
    pub occupations: Option<Vec<String>>,
    pub driving_licence: Option<bool>,
    pub own_car: Option<bool>,
    pub certificates: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
}

/// Keys a client may send back from a read: not writable here, so ignored.
const READ_ONLY: &[&str] = &[
    "id",
    "job_centre_id",
    "consent_given_at",
    "consent_given_by",
    "consent_revoked_at",
    "share_email",
    "share_phone",
    "created_at",
    "updated_at",
    "lat",
    "lon",
    "erased_at",
    "retention_warned_at",
    "external_id",
    "occupation_wishes",
];

/// Text as stored: trimmed, and empty is none.
fn tidy(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl PatchCandidate {
    /// The fields after the patch; unknown keys are refused by name, wishes resolved to codes.
    pub fn apply(self, before: &CandidateFields) -> AppResult<CandidateFields> {
        if let Some(k) = self.other.keys().find(|k| !READ_ONLY.contains(&k.as_str())) {
            return Err(AppError::invalid(k.clone(), "unknown field"));
        }
        let mut f = before.clone();
        if let Some(v) = self.name {
            f.name = v.trim().to_string();
        }
        if let Some(v) = self.email {
            f.email = tidy(v);
        }
        if let Some(v) = self.phone {
            f.phone = tidy(v);
        }
        if let Some(v) = self.postcode {
            f.postcode = tidy(v);
        }
        if let Some(v) = self.occupations {
            let mut codes: Vec<String> = wishes(&v)?.into_iter().map(|(c, _)| c).collect();
            codes.sort();
            f.occupations = codes;
        }
        if let Some(v) = self.driving_licence {
            f.driving_licence = v;
        }
        if let Some(v) = self.own_car {
            f.own_car = v;
        }
        if let Some(v) = self.certificates {
            f.certificates = v
                .into_iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if let Some(v) = self.languages {
            f.languages = v
                .into_iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        Ok(f)
    }
}

/// `{field: {from, to}}` for each changed field.
pub fn diff(before: &CandidateFields, after: &CandidateFields) -> serde_json::Value {
    let (b, a) = (json!(before), json!(after));
    let mut out = serde_json::Map::new();
    if let (Some(b), Some(a)) = (b.as_object(), a.as_object()) {
        for (k, av) in a {
            if b.get(k) != Some(av) {
                out.insert(k.clone(), json!({ "from": b.get(k), "to": av }));
            }
        }
    }
    serde_json::Value::Object(out)
}

/// Changes a candidate of the user's centre (anyone else's is missing: 404). Nothing changed
/// is not a change: no audit entry, no new `updated_at`.
pub fn update(conn: &mut DbConn, user: &AuthUser, id: CandidateId, patch: PatchCandidate) -> AppResult<Candidate> {
    let cand = load_own(conn, user, id)?;
    cand.refuse_if_erased()?;
    let before = CandidateFields::of(conn, &cand)?;
    let after = patch.apply(&before)?;
    after.check()?;
    if after == before {
        return Ok(cand);
    }
    // A new postcode moves the candidate; otherwise the place stays (it may have been given
    // as coordinates).
    let (lat, lon) = if after.postcode != before.postcode {
        let place = after.postcode.as_deref().and_then(crate::geo::postcode);
        (place.map(|p| p.0), place.map(|p| p.1))
    } else {
        (cand.lat, cand.lon)
    };
    diesel::update(candidates::table.find(id))
        .set((
            candidates::name.eq(&after.name),
            candidates::email.eq(&after.email),
            candidates::phone.eq(&after.phone),
            candidates::postcode.eq(&after.postcode),
            candidates::lat.eq(lat),
            candidates::lon.eq(lon),
            candidates::driving_licence.eq(after.driving_licence),
            candidates::own_car.eq(after.own_car),
            candidates::certificates.eq(list_text(&after.certificates)),
            candidates::languages.eq(list_text(&after.languages)),
            candidates::updated_at.eq(Some(Utc::now().naive_utc())),
        ))
        .execute(conn)?;
    if after.occupations != before.occupations {
        set_wishes(conn, id, &wishes(&after.occupations)?)?;
    }
    audit::record(conn, Some(user), "candidate", id.0, "updated", diff(&before, &after))?;
    load(conn, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> CandidateFields {
        CandidateFields {
            name: "Ane Hansen".into(),
            email: Some("ane@example.dk".into()),
            phone: None,
            postcode: Some("2605".into()),
            occupations: vec!["512010".into()],
            driving_licence: true,
            own_car: false,
            certificates: vec!["truckcertifikat".into()],
            languages: vec![],
        }
    }

    #[test]
    fn missing_keeps_null_clears() {
        let p: PatchCandidate = serde_json::from_value(json!({ "email": null, "own_car": true })).unwrap();
        let after = p.apply(&fields()).unwrap();
        assert_eq!(after.email, None);
        assert!(after.own_car);
        assert_eq!(after.postcode.as_deref(), Some("2605"));
        let d = diff(&fields(), &after);
        assert_eq!(d.as_object().unwrap().len(), 2, "{d}");
        assert_eq!(d["email"]["from"], "ane@example.dk");
    }

    #[test]
    fn unknown_keys_are_refused_and_read_only_ones_ignored() {
        let p: PatchCandidate = serde_json::from_value(json!({ "nmae": "x" })).unwrap();
        assert!(matches!(p.apply(&fields()), Err(AppError::Validation { field, .. }) if field == "nmae"));
        let p: PatchCandidate = serde_json::from_value(json!({ "id": 3, "created_at": "x" })).unwrap();
        assert_eq!(p.apply(&fields()).unwrap(), fields());
    }

    #[test]
    fn wishes_by_label_become_codes() {
        let p: PatchCandidate = serde_json::from_value(json!({ "occupations": ["fiskekok"] })).unwrap();
        assert_eq!(p.apply(&fields()).unwrap().occupations, ["512010"]);
    }
}
