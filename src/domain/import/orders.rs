//! Importing job orders: each row becomes a patch of the columns the file has, checked by the
//! same rules as the order form; found again by `external_id`, created for the importing
//! user's centre, updated (audited "imported", with the changed fields) or left unchanged.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;

use crate::db::schema::job_orders;
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit;
use crate::domain::import::headers::Mapping;
use crate::domain::import::read::Table;
use crate::domain::import::{cells, Progress, Report};
use crate::domain::order::JobOrder;
use crate::domain::order_fields::{OrderFields, PatchOrder};
use crate::domain::orders;
use crate::error::{AppError, AppResult};

/// The row as a patch: `Some` for each column the file has (an empty cell clears a nullable field).
fn parse(m: &Mapping, line: usize, row: &[String], report: &mut Report) -> Option<(String, PatchOrder)> {
    let before = report.errors.len();
    let cell = |name: &str| m.has(name).then(|| m.get(row, name).unwrap_or("").to_string());
    let opt = |name: &str| m.has(name).then(|| m.get(row, name).map(str::to_string));
    let fail = |name: &str, msg: String, report: &mut Report| report.error(line, m.header(name), msg);
    let date = |name: &str, report: &mut Report| match m.get(row, name).map(cells::date) {
        Some(Ok(d)) => Some(Some(d)),
        Some(Err(e)) => {
            fail(name, e, report);
            None
        }
        None => m.has(name).then_some(None),
    };
    let start_date = date("start_date", report);
    let end_date = date("end_date", report);
    let flag = |name: &str, report: &mut Report| match m.get(row, name).map(cells::boolean) {
        Some(Ok(b)) => Some(b),
        Some(Err(e)) => {
            report.error(line, m.header(name), e);
            None
        }
        None => None,
    };
    let coordinator_allowed = flag("coordinator_allowed", report);
    let requires_driving_licence =
        flag("requires_driving_licence", report).or(m.has("requires_driving_licence").then_some(false));
    let vacancies = match m.get(row, "vacancies").map(|v| v.parse::<i32>()) {
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            report.error(line, m.header("vacancies"), "must be a whole number");
            None
        }
        None => Some(0),
    };
    let Some(external_id) = m.get(row, "external_id").map(str::to_string) else {
        report.error(
            line,
            m.header("external_id"),
            "is required (the id in the case software)",
        );
        return None;
    };
    if report.errors.len() > before {
        return None;
    }
    let patch = PatchOrder {
        title: cell("title"),
        occupation: cell("occupation"),
        // An empty code is worked out from the occupation, as on the form: not a change.
        occupation_code: m.get(row, "occupation_code").map(|c| Some(c.to_string())),
        request_id: m.get(row, "request_id").map(str::to_string),
        company_name: cell("company_name"),
        cvr: opt("cvr"),
        employer_email: opt("employer_email"),
        start_date: start_date.flatten(),
        end_date,
        vacancies,
        order_type: m.get(row, "type").map(str::to_string),
        coordinator_external: opt("coordinator_external"),
        coordinator_allowed,
        task_description: cell("task_description"),
        qualifications_and_pay: cell("qualifications_and_pay"),
        working_hours: cell("working_hours"),
        workplace_postcode: opt("workplace_postcode"),
        requires_driving_licence,
        ..Default::default()
    };
    if patch.start_date.is_none() {
        report.error(line, m.header("start_date"), "is required");
        return None;
    }
    Some((external_id, patch))
}

/// What a new order starts from before the row's columns are applied.
fn blank() -> OrderFields {
    OrderFields {
        title: String::new(),
        occupation: String::new(),
        occupation_code: None,
        request_id: None,
        company_name: String::new(),
        cvr: None,
        employer_email: None,
        start_date: Utc::now().date_naive(),
        end_date: None,
        vacancies: 1,
        order_type: "Jobordre".into(),
        responsible_consultant_id: None,
        coordinator_id: None,
        coordinator_external: None,
        coordinator_allowed: true,
        task_description: String::new(),
        qualifications_and_pay: String::new(),
        working_hours: String::new(),
        workplace_postcode: None,
        requires_driving_licence: false,
    }
}

/// A refusal of the row (a bad field, a request id in use, a closed order) is the row's error.
fn row_error(m: &Mapping, line: usize, e: AppError, report: &mut Report) -> AppResult<()> {
    match e {
        AppError::Validation { field, message } => report.error(line, m.header(&field), message),
        AppError::Conflict(message) => report.error(line, "", message),
        other => return Err(other),
    }
    Ok(())
}

pub(super) fn import(
    conn: &mut DbConn,
    user: &AuthUser,
    table: &Table,
    m: &Mapping,
    progress: Progress,
) -> AppResult<Report> {
    let existing: HashMap<String, JobOrder> = job_orders::table
        .filter(job_orders::job_centre_id.eq(user.job_centre_id))
        .filter(job_orders::external_id.is_not_null())
        .select(JobOrder::as_select())
        .load(conn)?
        .into_iter()
        .filter_map(|o: JobOrder| Some((o.external_id.clone()?, o)))
        .collect();
    let mut lines_of: HashMap<String, usize> = HashMap::new();
    let mut report = Report::default();
    let total = table.rows.len();
    for (n, (line, row)) in table.rows.iter().enumerate() {
        if n % 100 == 0 {
            progress(n, total);
        }
        let Some((external_id, patch)) = parse(m, *line, row, &mut report) else {
            continue;
        };
        if let Some(first) = lines_of.insert(external_id.clone(), *line) {
            let msg = format!("'{external_id}' is also on line {first}");
            report.error(*line, m.header("external_id"), msg);
            continue;
        }
        match existing.get(&external_id) {
            None => {
                let mut fields = blank();
                patch.apply(&mut fields);
                let created = fields.validate().and_then(|_| orders::create(conn, user, fields));
                match created {
                    Ok(o) => {
                        diesel::update(job_orders::table.find(o.id))
                            .set(job_orders::external_id.eq(&external_id))
                            .execute(conn)?;
                        let detail = json!({ "external_id": external_id, "created": true });
                        audit::record(conn, Some(user), "job_order", o.id.0, "imported", detail)?;
                        report.created += 1;
                    }
                    Err(e) => row_error(m, *line, e, &mut report)?,
                }
            }
            Some(o) => {
                let before = OrderFields::from_order(o, orders::company_cvr(conn, o.company_id)?);
                let mut after = before.clone();
                patch.clone().apply(&mut after);
                if after == before {
                    report.unchanged += 1;
                    continue;
                }
                match after
                    .validate()
                    .and_then(|_| orders::update_as(conn, user, o.id, patch, "imported"))
                {
                    Ok(_) => report.updated += 1,
                    Err(e) => row_error(m, *line, e, &mut report)?,
                }
            }
        }
    }
    progress(total, total);
    Ok(report)
}
