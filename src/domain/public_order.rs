//! The public view of an order, opened without login from a signed link in a citizen's job
//! agent digest: what a job seeker needs of the shared fields, never the private texts
//! (qualifications and pay, working hours), the employer's email or the staff's names.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{job_agents, job_centres, job_orders, order_notifications};
use crate::db::DbConn;
use crate::domain::order::STATUS_OPEN;
use crate::error::{AppError, AppResult};
use crate::ids::{JobCentreId, JobOrderId};

/// Every field a citizen sees. Selected column by column: a private text is never read.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct PublicOrder {
    pub title: String,
    pub occupation: String,
    pub company_name: String,
    /// The job centre whose area the job is in.
    pub place: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub vacancies: i32,
    pub task_description: String,
}

/// The order a link of `agent` names, while the agent exists (an erased candidate's agent is
/// gone) and the order is shared with the agent's centre (or is its own): otherwise 404.
/// `Ok(None)`: the order is closed, which the page answers as gone, with nothing of it.
pub fn open(conn: &mut DbConn, order: JobOrderId, agent: i64) -> AppResult<Option<PublicOrder>> {
    let centre: JobCentreId = job_agents::table
        .filter(job_agents::id.eq(agent))
        .filter(job_agents::candidate_id.is_not_null())
        .select(job_agents::job_centre_id)
        .first(conn)?;
    let (owner, status): (JobCentreId, String) = job_orders::table
        .find(order)
        .select((job_orders::job_centre_id, job_orders::status))
        .first(conn)?;
    let notified: i64 = order_notifications::table
        .filter(order_notifications::order_id.eq(order))
        .filter(order_notifications::job_centre_id.eq(centre))
        .count()
        .get_result(conn)?;
    if owner != centre && notified == 0 {
        return Err(AppError::NotFound);
    }
    if status != STATUS_OPEN {
        return Ok(None);
    }
    Ok(Some(
        job_orders::table
            .inner_join(job_centres::table)
            .filter(job_orders::id.eq(order))
            .select((
                job_orders::title,
                job_orders::occupation,
                job_orders::company_name,
                job_centres::name,
                job_orders::start_date,
                job_orders::end_date,
                job_orders::vacancies,
                job_orders::task_description,
            ))
            .first(conn)?,
    ))
}
