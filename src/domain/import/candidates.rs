//! Importing candidates: each row is checked by the same rules as a manual creation, found
//! again by its `external_id`, and created, updated (audited "imported" with the changed
//! fields) or left unchanged. Columns the file doesn't have are left as they are.

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::{json, Map, Value};

use crate::db::schema::{candidate_wishes, candidates};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit;
use crate::domain::candidates::{list_text, parse_list, validate, wishes, Candidate, CreateCandidate};
use crate::domain::duplicates::{DuplicateIndex, Holder, Keys};
use crate::domain::import::headers::Mapping;
use crate::domain::import::read::Table;
use crate::domain::import::{cells, DuplicateWarning, Progress, Report};
use crate::error::{AppError, AppResult};
use crate::ids::CandidateId;

/// One valid row.
struct Row {
    external_id: String,
    input: CreateCandidate,
    wishes: Vec<(String, String)>,
    /// Consent from the file's explicit columns: given at, share email, share phone.
    consent: Option<(NaiveDateTime, bool, bool)>,
}

/// The row's cells, checked; every bad cell is reported.
fn parse(m: &Mapping, line: usize, cells_of_row: &[String], report: &mut Report) -> Option<Row> {
    let before = report.errors.len();
    let text = |name: &str| m.get(cells_of_row, name).map(str::to_string);
    let flag = |name: &str, report: &mut Report| match m.get(cells_of_row, name).map(cells::boolean) {
        Some(Err(e)) => {
            report.error(line, m.header(name), e);
            false
        }
        Some(Ok(b)) => b,
        None => false,
    };
    let driving_licence = flag("driving_licence", report);
    let own_car = flag("own_car", report);
    let share_email = flag("share_email", report);
    let share_phone = flag("share_phone", report);
    let list = |name: &str, report: &mut Report| match m.get(cells_of_row, name).map(cells::list) {
        Some(Err(e)) => {
            report.error(line, m.header(name), e);
            Vec::new()
        }
        Some(Ok(v)) => v,
        None => Vec::new(),
    };
    let occupations = list("occupations", report);
    let certificates = list("certificates", report);
    let languages = list("languages", report);
    let consent = match m.get(cells_of_row, "consent_given_at").map(cells::date_time) {
        Some(Err(e)) => {
            report.error(line, m.header("consent_given_at"), e);
            None
        }
        Some(Ok(at)) => Some((at, share_email, share_phone)),
        None => None,
    };
    let Some(external_id) = text("external_id") else {
        report.error(
            line,
            m.header("external_id"),
            "is required (the id in the case software)",
        );
        return None;
    };
    let input = CreateCandidate {
        name: text("name").unwrap_or_default(),
        email: text("email"),
        phone: text("phone"),
        postcode: text("postcode"),
        occupations,
        driving_licence,
        own_car,
        certificates,
        languages,
        ..Default::default()
    };
    if let Err(e) = validate(&input) {
        match e {
            AppError::Validation { field, message } => report.error(line, m.header(&field), message),
            other => report.error(line, "", other.to_string()),
        }
    }
    if external_id.chars().count() > 100 {
        report.error(line, m.header("external_id"), "must be at most 100 characters");
    }
    if report.errors.len() > before {
        return None;
    }
    let wishes = wishes(&input.occupations).ok()?;
    Some(Row {
        external_id,
        input,
        wishes,
        consent,
    })
}

/// The imported fields of a candidate as compared: `{field: value}`.
fn view(c: &Candidate, wish_codes: &[String]) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("name".into(), json!(c.name));
    m.insert("email".into(), json!(c.email));
    m.insert("phone".into(), json!(c.phone));
    m.insert("postcode".into(), json!(c.postcode));
    m.insert("occupations".into(), json!(wish_codes));
    m.insert("driving_licence".into(), json!(c.driving_licence));
    m.insert("own_car".into(), json!(c.own_car));
    m.insert("certificates".into(), json!(parse_list(&c.certificates)));
    m.insert("languages".into(), json!(parse_list(&c.languages)));
    m.insert("consent_given_at".into(), json!(c.consent_given_at));
    m.insert("share_email".into(), json!(c.share_email));
    m.insert("share_phone".into(), json!(c.share_phone));
    m
}

/// `before` with the columns the file has set from the row.
fn merged(m: &Mapping, before: &Map<String, Value>, row: &Row) -> Map<String, Value> {
    let mut after = before.clone();
    let i = &row.input;
    let mut codes: Vec<&String> = row.wishes.iter().map(|w| &w.0).collect();
    codes.sort();
    let values = [
        ("name", json!(i.name.trim())),
        ("email", json!(i.email)),
        ("phone", json!(i.phone)),
        ("postcode", json!(i.postcode)),
        ("occupations", json!(codes)),
        ("driving_licence", json!(i.driving_licence)),
        ("own_car", json!(i.own_car)),
        ("certificates", json!(i.certificates)),
        ("languages", json!(i.languages)),
    ];
    for (k, v) in values {
        if m.has(k) {
            after.insert(k.into(), v);
        }
    }
    if let Some((at, se, sp)) = row.consent {
        after.insert("consent_given_at".into(), json!(at));
        after.insert("share_email".into(), json!(se));
        after.insert("share_phone".into(), json!(sp));
    }
    after
}

fn changes(before: &Map<String, Value>, after: &Map<String, Value>) -> Map<String, Value> {
    after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), json!({ "from": before.get(k), "to": v })))
        .collect()
}

pub(super) fn import(
    conn: &mut DbConn,
    user: &AuthUser,
    table: &Table,
    m: &Mapping,
    progress: Progress,
) -> AppResult<Report> {
    let centre = user.job_centre_id;
    let existing: HashMap<String, Candidate> = candidates::table
        .filter(candidates::job_centre_id.eq(centre))
        .filter(candidates::external_id.is_not_null())
        .select(Candidate::as_select())
        .load(conn)?
        .into_iter()
        .filter_map(|c: Candidate| Some((c.external_id.clone()?, c)))
        .collect();
    let mut wishes_of: HashMap<CandidateId, Vec<String>> = HashMap::new();
    let rows: Vec<(CandidateId, String)> = candidate_wishes::table
        .filter(candidate_wishes::job_centre_id.eq(centre))
        .select((candidate_wishes::candidate_id, candidate_wishes::occupation_code))
        .order((candidate_wishes::candidate_id, candidate_wishes::occupation_code))
        .load(conn)?;
    for (id, code) in rows {
        wishes_of.entry(id).or_default().push(code);
    }
    let mut dups = DuplicateIndex::load(conn, centre)?;
    let mut lines_of: HashMap<String, usize> = HashMap::new();
    let mut report = Report::default();
    let total = table.rows.len();
    let now = Utc::now().naive_utc();
    for (n, (line, cells_of_row)) in table.rows.iter().enumerate() {
        if n % 1000 == 0 {
            progress(n, total);
        }
        let Some(row) = parse(m, *line, cells_of_row, &mut report) else {
            continue;
        };
        if let Some(first) = lines_of.insert(row.external_id.clone(), *line) {
            report.error(
                *line,
                m.header("external_id"),
                format!("'{}' is also on line {first}", row.external_id),
            );
            continue;
        }
        let old = existing.get(&row.external_id);
        let keys = Keys {
            name: &row.input.name,
            email: row.input.email.as_deref(),
            phone: row.input.phone.as_deref(),
            postcode: row.input.postcode.as_deref(),
        };
        let me = old.map(|c| Holder::Candidate(c.id));
        if let Some(d) = dups.find(&keys, me) {
            report.duplicates.push(DuplicateWarning::new(*line, d));
        }
        dups.add(&keys, me.unwrap_or(Holder::Line(*line)));
        match old {
            None => {
                create(conn, user, &row, now)?;
                report.created += 1;
            }
            Some(c) => {
                let before = view(c, wishes_of.get(&c.id).map_or(&[], Vec::as_slice));
                let after = merged(m, &before, &row);
                let changed = changes(&before, &after);
                if changed.is_empty() {
                    report.unchanged += 1;
                } else {
                    update(conn, user, c, &row, &after, changed)?;
                    report.updated += 1;
                }
            }
        }
    }
    progress(total, total);
    Ok(report)
}

fn create(conn: &mut DbConn, user: &AuthUser, row: &Row, now: NaiveDateTime) -> AppResult<()> {
    let i = &row.input;
    let place = i.postcode.as_deref().and_then(crate::geo::postcode);
    let consent = row.consent;
    let id: CandidateId = diesel::insert_into(candidates::table)
        .values((
            candidates::job_centre_id.eq(user.job_centre_id),
            candidates::name.eq(i.name.trim()),
            candidates::email.eq(&i.email),
            candidates::phone.eq(&i.phone),
            candidates::postcode.eq(&i.postcode),
            candidates::lat.eq(place.map(|p| p.0)),
            candidates::lon.eq(place.map(|p| p.1)),
            candidates::created_by.eq(user.id),
            candidates::created_at.eq(now),
            candidates::external_id.eq(&row.external_id),
            candidates::driving_licence.eq(i.driving_licence),
            candidates::own_car.eq(i.own_car),
            candidates::certificates.eq(list_text(&i.certificates)),
            candidates::languages.eq(list_text(&i.languages)),
            candidates::consent_given_at.eq(consent.map(|c| c.0)),
            candidates::consent_given_by.eq(consent.map(|_| user.id)),
            candidates::share_email.eq(consent.is_some_and(|c| c.1)),
            candidates::share_phone.eq(consent.is_some_and(|c| c.2)),
        ))
        .returning(candidates::id)
        .get_result(conn)?;
    insert_wishes(conn, user, id, &row.wishes)?;
    audit::record(
        conn,
        Some(user),
        "candidate",
        id.0,
        "imported",
        json!({ "external_id": row.external_id, "created": true }),
    )
}

fn insert_wishes(conn: &mut DbConn, user: &AuthUser, id: CandidateId, wishes: &[(String, String)]) -> AppResult<()> {
    for (code, group) in wishes {
        diesel::insert_into(candidate_wishes::table)
            .values((
                candidate_wishes::candidate_id.eq(id),
                candidate_wishes::occupation_code.eq(code),
                candidate_wishes::occupation_group.eq(group),
                candidate_wishes::job_centre_id.eq(user.job_centre_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    c: &Candidate,
    row: &Row,
    after: &Map<String, Value>,
    changed: Map<String, Value>,
) -> AppResult<()> {
    let text = |k: &str| after.get(k).and_then(Value::as_str).map(str::to_string);
    let flag = |k: &str| after.get(k).and_then(Value::as_bool).unwrap_or(false);
    let list = |k: &str| after.get(k).map_or_else(|| "[]".into(), Value::to_string);
    let postcode = text("postcode");
    let place = if postcode == c.postcode {
        c.lat.zip(c.lon)
    } else {
        postcode.as_deref().and_then(crate::geo::postcode)
    };
    diesel::update(candidates::table.find(c.id))
        .set((
            candidates::name.eq(text("name").unwrap_or_else(|| c.name.clone())),
            candidates::email.eq(text("email")),
            candidates::phone.eq(text("phone")),
            candidates::postcode.eq(&postcode),
            candidates::lat.eq(place.map(|p| p.0)),
            candidates::lon.eq(place.map(|p| p.1)),
            candidates::driving_licence.eq(flag("driving_licence")),
            candidates::own_car.eq(flag("own_car")),
            candidates::certificates.eq(list("certificates")),
            candidates::languages.eq(list("languages")),
        ))
        .execute(conn)?;
    if let Some((at, share_email, share_phone)) = row.consent.filter(|_| {
        changed.contains_key("consent_given_at")
            || changed.contains_key("share_email")
            || changed.contains_key("share_phone")
    }) {
        // A later consent in the file lifts an earlier revocation; an older one doesn't.
        let revoked = c.consent_revoked_at.filter(|r| *r >= at);
        diesel::update(candidates::table.find(c.id))
            .set((
                candidates::consent_given_at.eq(Some(at)),
                candidates::consent_given_by.eq(Some(user.id)),
                candidates::consent_revoked_at.eq(revoked),
                candidates::share_email.eq(share_email),
                candidates::share_phone.eq(share_phone),
            ))
            .execute(conn)?;
    }
    if changed.contains_key("occupations") {
        diesel::delete(candidate_wishes::table.filter(candidate_wishes::candidate_id.eq(c.id))).execute(conn)?;
        insert_wishes(conn, user, c.id, &row.wishes)?;
    }
    audit::record(
        conn,
        Some(user),
        "candidate",
        c.id.0,
        "imported",
        json!({ "external_id": row.external_id, "changes": changed }),
    )
}
