//! Duplicate candidates (OpenCATS #113): the same email, the same phone, or the same name and
//! postcode as another candidate of the centre. Used on manual creation and by the import.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::candidates;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::ids::{CandidateId, JobCentreId};

/// Who holds a key: a stored candidate, or an earlier line of the file being imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Holder {
    Candidate(CandidateId),
    Line(usize),
}

/// A duplicate found: who it duplicates and on what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    pub of: Holder,
    /// `email`, `phone` or `name_postcode`.
    pub matched_on: &'static str,
}

/// The contact keys of one candidate, as compared.
pub struct Keys<'a> {
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub postcode: Option<&'a str>,
}

pub fn norm_email(e: &str) -> Option<String> {
    let e = e.trim().to_lowercase();
    (!e.is_empty()).then_some(e)
}

/// Digits only, without the Danish country code: "+45 11 22 33 44" == "11223344".
pub fn norm_phone(p: &str) -> Option<String> {
    let mut d: String = p.chars().filter(char::is_ascii_digit).collect();
    if d.len() == 12 && d.starts_with("0045") {
        d.drain(..4);
    } else if d.len() == 10 && d.starts_with("45") {
        d.drain(..2);
    }
    (!d.is_empty()).then_some(d)
}

fn norm_name_postcode(name: &str, postcode: Option<&str>) -> Option<(String, String)> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let pc = postcode?.trim().to_string();
    (!name.is_empty() && !pc.is_empty()).then_some((name, pc))
}

/// The centre's candidates by each key.
#[derive(Default)]
pub struct DuplicateIndex {
    email: HashMap<String, Holder>,
    phone: HashMap<String, Holder>,
    name_postcode: HashMap<(String, String), Holder>,
}

type Row = (CandidateId, String, Option<String>, Option<String>, Option<String>);

impl DuplicateIndex {
    /// Every candidate of the centre (one query; a few ms for the biggest centre).
    pub fn load(conn: &mut DbConn, centre: JobCentreId) -> AppResult<DuplicateIndex> {
        let rows: Vec<Row> = candidates::table
            .filter(candidates::job_centre_id.eq(centre))
            .select((
                candidates::id,
                candidates::name,
                candidates::email,
                candidates::phone,
                candidates::postcode,
            ))
            .order(candidates::id)
            .load(conn)?;
        let mut idx = DuplicateIndex::default();
        for (id, name, email, phone, postcode) in &rows {
            let keys = Keys {
                name,
                email: email.as_deref(),
                phone: phone.as_deref(),
                postcode: postcode.as_deref(),
            };
            idx.add(&keys, Holder::Candidate(*id));
        }
        Ok(idx)
    }

    /// Records a holder of the keys; the first holder of a key stays.
    pub fn add(&mut self, k: &Keys, holder: Holder) {
        if let Some(e) = k.email.and_then(norm_email) {
            self.email.entry(e).or_insert(holder);
        }
        if let Some(p) = k.phone.and_then(norm_phone) {
            self.phone.entry(p).or_insert(holder);
        }
        if let Some(np) = norm_name_postcode(k.name, k.postcode) {
            self.name_postcode.entry(np).or_insert(holder);
        }
    }

    /// The first other holder of any of the keys (`me`: the record itself, when it is stored).
    pub fn find(&self, k: &Keys, me: Option<Holder>) -> Option<Duplicate> {
        let other = |h: Option<&Holder>| h.copied().filter(|h| Some(*h) != me);
        let by_email = k.email.and_then(norm_email).and_then(|e| other(self.email.get(&e)));
        if let Some(of) = by_email {
            return Some(Duplicate {
                of,
                matched_on: "email",
            });
        }
        let by_phone = k.phone.and_then(norm_phone).and_then(|p| other(self.phone.get(&p)));
        if let Some(of) = by_phone {
            return Some(Duplicate {
                of,
                matched_on: "phone",
            });
        }
        let by_np = norm_name_postcode(k.name, k.postcode).and_then(|np| other(self.name_postcode.get(&np)));
        by_np.map(|of| Duplicate {
            of,
            matched_on: "name_postcode",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<'a>(name: &'a str, email: Option<&'a str>, phone: Option<&'a str>, pc: Option<&'a str>) -> Keys<'a> {
        Keys {
            name,
            email,
            phone,
            postcode: pc,
        }
    }

    #[test]
    fn each_key_finds_its_duplicate() {
        let mut idx = DuplicateIndex::default();
        let a = Holder::Candidate(CandidateId(1));
        idx.add(
            &keys("Anne Hansen", Some("Anne@x.dk"), Some("+45 11 22 33 44"), Some("2605")),
            a,
        );
        let hit = |k: Keys| idx.find(&k, None).map(|d| d.matched_on);
        assert_eq!(hit(keys("B", Some(" anne@X.dk"), None, None)), Some("email"));
        assert_eq!(hit(keys("B", None, Some("11223344"), None)), Some("phone"));
        assert_eq!(
            hit(keys("anne  hansen", None, None, Some("2605"))),
            Some("name_postcode")
        );
        assert_eq!(hit(keys("Anne Hansen", None, None, Some("2600"))), None);
        assert_eq!(hit(keys("Anne Hansen", None, None, None)), None);
        // A record is not its own duplicate.
        assert_eq!(idx.find(&keys("B", Some("anne@x.dk"), None, None), Some(a)), None);
    }
}
