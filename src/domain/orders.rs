//! Job orders: who may see or change one, and the writes (create, edit), each audited and
//! kept in step with the shared lists (and the portal). Closing and reopening: `order_close`;
//! sending to the portal: `portal`.

use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;

use crate::db::schema::{companies, job_orders, order_notifications, referrals, users};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::order::{load_names, project, Access, JobOrder, OrderView, STATUS_OPEN};
use crate::domain::order_fields::{diff, OrderFields, PatchOrder};
use crate::domain::{audit, portal_state};
use crate::error::{AppError, AppResult};
use crate::ids::{CompanyId, JobCentreId, JobOrderId, UserId};

/// Loads an order the user may see. An order of a centre the user can't see is
/// reported as missing, so its existence doesn't leak.
pub fn load_visible(conn: &mut DbConn, user: &AuthUser, id: JobOrderId) -> AppResult<(JobOrder, Access)> {
    let order = job_orders::table.find(id).select(JobOrder::as_select()).first(conn)?;
    if order.job_centre_id == user.job_centre_id {
        return Ok((order, Access::Owner));
    }
    let notified: i64 = order_notifications::table
        .filter(order_notifications::order_id.eq(id))
        .filter(order_notifications::job_centre_id.eq(user.job_centre_id))
        .count()
        .get_result(conn)?;
    if notified > 0 {
        Ok((order, Access::Notified))
    } else {
        Err(AppError::NotFound)
    }
}

/// Loads an order the user's centre owns; a notified centre gets 403, others 404.
pub fn load_owned(conn: &mut DbConn, user: &AuthUser, id: JobOrderId) -> AppResult<JobOrder> {
    match load_visible(conn, user, id)? {
        (order, Access::Owner) => Ok(order),
        (_, Access::Notified) => Err(AppError::Forbidden(
            "only the owning job centre may change this order".into(),
        )),
    }
}

pub fn view(conn: &mut DbConn, user: &AuthUser, id: JobOrderId) -> AppResult<OrderView> {
    let (order, access) = load_visible(conn, user, id)?;
    view_of(conn, order, access)
}

/// The view of an order already loaded with `load_visible`, as its access allows.
pub fn view_of(conn: &mut DbConn, order: JobOrder, access: Access) -> AppResult<OrderView> {
    let names = load_names(conn, &order)?;
    Ok(project(order, names, access))
}

/// The user must be a consultant of the order's own centre (coordinator, responsible consultant).
fn check_internal_user(conn: &mut DbConn, field: &str, id: UserId, centre: JobCentreId) -> AppResult<()> {
    let n: i64 = users::table
        .filter(users::id.eq(id))
        .filter(users::job_centre_id.eq(centre))
        .count()
        .get_result(conn)?;
    if n == 0 {
        return Err(AppError::invalid(field, "must be a user of the order's job centre"));
    }
    Ok(())
}

/// Finds the company by name (and CVR) within the centre, or creates it.
fn company_for(conn: &mut DbConn, centre: JobCentreId, name: &str, cvr: Option<&str>) -> AppResult<CompanyId> {
    let mut q = companies::table
        .filter(companies::job_centre_id.eq(centre))
        .filter(companies::name.eq(name))
        .into_boxed();
    q = match cvr {
        Some(c) => q.filter(companies::cvr.eq(c)),
        None => q.filter(companies::cvr.is_null()),
    };
    if let Some(id) = q.select(companies::id).first::<CompanyId>(conn).optional()? {
        return Ok(id);
    }
    Ok(diesel::insert_into(companies::table)
        .values((
            companies::job_centre_id.eq(centre),
            companies::name.eq(name),
            companies::cvr.eq(cvr),
            companies::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(companies::id)
        .get_result(conn)?)
}

pub fn company_cvr(conn: &mut DbConn, id: CompanyId) -> AppResult<Option<String>> {
    Ok(companies::table.find(id).select(companies::cvr).first(conn)?)
}

fn check_request_id_free(
    conn: &mut DbConn,
    centre: JobCentreId,
    request_id: &str,
    except: Option<JobOrderId>,
) -> AppResult<()> {
    let mut q = job_orders::table
        .filter(job_orders::job_centre_id.eq(centre))
        .filter(job_orders::request_id.eq(request_id))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(job_orders::id.ne(id));
    }
    let n: i64 = q.count().get_result(conn)?;
    if n > 0 {
        return Err(AppError::Conflict(format!(
            "request_id '{request_id}' is already used by another order of this job centre"
        )));
    }
    Ok(())
}

/// Creates an order for the user's centre (inside the caller's write transaction).
pub fn create(conn: &mut DbConn, user: &AuthUser, fields: OrderFields) -> AppResult<JobOrder> {
    create_confirmed(conn, user, fields, false)
}

/// `create`, with a start date more than a year back confirmed (or not) by the user.
pub fn create_confirmed(
    conn: &mut DbConn,
    user: &AuthUser,
    fields: OrderFields,
    confirm_past_start: bool,
) -> AppResult<JobOrder> {
    fields.validate()?;
    fields.check_change(None, confirm_past_start, Utc::now().date_naive())?;
    let centre = user.job_centre_id;
    let coordinator = fields.coordinator_id.unwrap_or(user.id);
    let responsible = fields.responsible_consultant_id.unwrap_or(user.id);
    check_internal_user(conn, "coordinator_id", coordinator, centre)?;
    check_internal_user(conn, "responsible_consultant_id", responsible, centre)?;
    if let Some(r) = &fields.request_id {
        check_request_id_free(conn, centre, r, None)?;
    }
    let company = company_for(conn, centre, fields.company_name.trim(), fields.cvr.as_deref())?;
    let now = Utc::now().naive_utc();
    // Without a given request id the order gets one from its own id, set right after insert.
    let provisional = fields
        .request_id
        .clone()
        .unwrap_or_else(|| format!("pending-{}", rand::random::<u64>()));
    let place = fields.placement();
    let id: JobOrderId = diesel::insert_into(job_orders::table)
        .values((
            job_orders::job_centre_id.eq(centre),
            job_orders::title.eq(fields.title.trim()),
            job_orders::occupation.eq(fields.occupation.trim()),
            job_orders::occupation_code.eq(&place.code),
            job_orders::request_id.eq(&provisional),
            job_orders::company_id.eq(company),
            job_orders::company_name.eq(fields.company_name.trim()),
            job_orders::employer_email.eq(&fields.employer_email),
            job_orders::start_date.eq(fields.start_date),
            job_orders::end_date.eq(fields.end_date),
            job_orders::vacancies.eq(fields.vacancies),
            job_orders::status.eq(STATUS_OPEN),
            job_orders::order_type.eq(&fields.order_type),
            job_orders::responsible_consultant_id.eq(responsible),
            job_orders::coordinator_id.eq(coordinator),
            job_orders::coordinator_external.eq(&fields.coordinator_external),
            job_orders::coordinator_allowed.eq(fields.coordinator_allowed),
            job_orders::task_description.eq(&fields.task_description),
            job_orders::qualifications_and_pay.eq(&fields.qualifications_and_pay),
            job_orders::working_hours.eq(&fields.working_hours),
            job_orders::search_text.eq(fields.search_text()),
            job_orders::occupation_group.eq(&place.group),
            job_orders::no_qualifications.eq(place.no_qualifications),
            job_orders::workplace_postcode.eq(&fields.workplace_postcode),
            job_orders::lat.eq(place.lat),
            job_orders::lon.eq(place.lon),
            job_orders::requires_driving_licence.eq(fields.requires_driving_licence),
            job_orders::created_at.eq(now),
            job_orders::updated_at.eq(now),
        ))
        .returning(job_orders::id)
        .get_result(conn)?;
    if fields.request_id.is_none() {
        let rid = format!("JO-{:06}", id.0);
        let mut with_rid = fields.clone();
        with_rid.request_id = Some(rid.clone());
        diesel::update(job_orders::table.find(id))
            .set((
                job_orders::request_id.eq(&rid),
                job_orders::search_text.eq(with_rid.search_text()),
            ))
            .execute(conn)?;
    }
    let order = job_orders::table.find(id).select(JobOrder::as_select()).first(conn)?;
    audit::record(
        conn,
        Some(user),
        "job_order",
        id.0,
        "created",
        json!({ "title": order.title, "request_id": order.request_id }),
    )?;
    Ok(order)
}

/// Applies a patch to an order the user's centre owns; audits the changed fields.
pub fn update(conn: &mut DbConn, user: &AuthUser, id: JobOrderId, patch: PatchOrder) -> AppResult<JobOrder> {
    update_as(conn, user, id, patch, "updated")
}

/// `update`, audited as `action` (the import records "imported").
pub fn update_as(
    conn: &mut DbConn,
    user: &AuthUser,
    id: JobOrderId,
    patch: PatchOrder,
    action: &str,
) -> AppResult<JobOrder> {
    let order = load_owned(conn, user, id)?;
    if !order.is_open() {
        return Err(AppError::Conflict(
            "the order is closed and can no longer be changed".into(),
        ));
    }
    let before = OrderFields::from_order(&order, company_cvr(conn, order.company_id)?);
    let mut after = before.clone();
    let confirm_past_start = patch.confirm_past_start;
    patch.apply(&mut after);
    after.validate()?;
    after.check_change(Some(&before), confirm_past_start, Utc::now().date_naive())?;
    if after == before {
        return Ok(order);
    }
    let coordinator = after.coordinator_id.unwrap_or(order.coordinator_id);
    let responsible = after
        .responsible_consultant_id
        .unwrap_or(order.responsible_consultant_id);
    check_internal_user(conn, "coordinator_id", coordinator, order.job_centre_id)?;
    check_internal_user(conn, "responsible_consultant_id", responsible, order.job_centre_id)?;
    let request_id = after.request_id.clone().unwrap_or(order.request_id.clone());
    check_request_id_free(conn, order.job_centre_id, &request_id, Some(id))?;
    let company = if after.company_name != before.company_name || after.cvr != before.cvr {
        company_for(
            conn,
            order.job_centre_id,
            after.company_name.trim(),
            after.cvr.as_deref(),
        )?
    } else {
        order.company_id
    };
    let place = after.placement();
    diesel::update(job_orders::table.find(id))
        .set((
            job_orders::title.eq(after.title.trim()),
            job_orders::occupation.eq(after.occupation.trim()),
            job_orders::occupation_code.eq(&place.code),
            job_orders::request_id.eq(&request_id),
            job_orders::company_id.eq(company),
            job_orders::company_name.eq(after.company_name.trim()),
            job_orders::employer_email.eq(&after.employer_email),
            job_orders::start_date.eq(after.start_date),
            job_orders::end_date.eq(after.end_date),
            job_orders::vacancies.eq(after.vacancies),
            job_orders::order_type.eq(&after.order_type),
            job_orders::responsible_consultant_id.eq(responsible),
            job_orders::coordinator_id.eq(coordinator),
            job_orders::coordinator_external.eq(&after.coordinator_external),
            job_orders::coordinator_allowed.eq(after.coordinator_allowed),
            job_orders::task_description.eq(&after.task_description),
            job_orders::qualifications_and_pay.eq(&after.qualifications_and_pay),
            job_orders::working_hours.eq(&after.working_hours),
            job_orders::search_text.eq(after.search_text()),
            job_orders::occupation_group.eq(&place.group),
            job_orders::no_qualifications.eq(place.no_qualifications),
            job_orders::workplace_postcode.eq(&after.workplace_postcode),
            job_orders::lat.eq(place.lat),
            job_orders::lon.eq(place.lon),
            job_orders::requires_driving_licence.eq(after.requires_driving_licence),
            job_orders::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    if coordinator != order.coordinator_id {
        // The referrals carry the order's coordinator (the approvals queue reads it there).
        diesel::update(referrals::table.filter(referrals::order_id.eq(id)))
            .set(referrals::coordinator_id.eq(coordinator))
            .execute(conn)?;
    }
    audit::record(conn, Some(user), "job_order", id.0, action, diff(&before, &after))?;
    let order = job_orders::table.find(id).select(JobOrder::as_select()).first(conn)?;
    refresh_listing(conn, &order)?;
    portal_state::after_edit(conn, user, &order)?;
    Ok(order)
}

pub fn owner_view(conn: &mut DbConn, order: JobOrder) -> AppResult<OrderView> {
    let names = load_names(conn, &order)?;
    Ok(project(order, names, Access::Owner))
}

/// Brings the list key of the order's notification rows (`listed`, `start_date`) in step
/// with the order; called in the transaction of every change to its status or start date.
pub fn refresh_listing(conn: &mut DbConn, order: &JobOrder) -> AppResult<()> {
    diesel::update(order_notifications::table.filter(order_notifications::order_id.eq(order.id)))
        .set((
            order_notifications::listed.eq(order_notifications::job_centre_id
                .ne(order.job_centre_id)
                .and(order.is_open().into_sql::<diesel::sql_types::Bool>())),
            order_notifications::start_date.eq(order.start_date),
        ))
        .execute(conn)?;
    Ok(())
}
