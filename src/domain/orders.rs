//! Job orders: the owning centre's full record, and the one projection (`OrderView`)
//! through which every reader sees an order. Other centres get `SharedOrder`, which
//! has no private fields to leak.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use crate::db::schema::{companies, job_centres, job_orders, order_notifications, users};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit;
use crate::domain::validate::{check_email, check_opt, check_text};
use crate::error::{AppError, AppResult};
use crate::ids::{CompanyId, JobCentreId, JobOrderId, UserId};

pub const STATUS_OPEN: &str = "open";
pub const STATUS_CLOSED: &str = "closed";

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = job_orders)]
pub struct JobOrder {
    pub id: JobOrderId,
    pub job_centre_id: JobCentreId,
    pub title: String,
    pub occupation: String,
    pub occupation_code: Option<String>,
    pub request_id: String,
    pub company_id: CompanyId,
    pub company_name: String,
    pub employer_email: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub vacancies: i32,
    pub referred: i32,
    pub status: String,
    pub order_type: String,
    pub responsible_consultant_id: UserId,
    pub coordinator_id: UserId,
    pub coordinator_external: Option<String>,
    pub coordinator_allowed: bool,
    pub task_description: String,
    pub qualifications_and_pay: String,
    pub working_hours: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub sent_to_portal_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub occupation_group: Option<String>,
    pub no_qualifications: bool,
    pub workplace_postcode: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

impl JobOrder {
    pub fn is_open(&self) -> bool {
        self.status == STATUS_OPEN
    }
}

/// How the current user may see an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A consultant of the owning job centre: every field.
    Owner,
    /// A consultant of a centre the order was shared with: shared fields only.
    Notified,
}

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

#[derive(Debug, Clone, Serialize)]
pub struct CentreRef {
    pub id: JobCentreId,
    pub authority_type: String,
    pub authority_number: String,
    pub name: String,
}

/// The fields every centre the order is shared with may read. Nothing else.
#[derive(Debug, Clone, Serialize)]
pub struct SharedOrder {
    pub id: JobOrderId,
    pub title: String,
    pub occupation: String,
    pub occupation_code: Option<String>,
    pub request_id: String,
    pub company_name: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub vacancies: i32,
    pub referred: i32,
    pub status: String,
    #[serde(rename = "type")]
    pub order_type: String,
    pub primary_authority: CentreRef,
    pub responsible_consultant_name: String,
    pub coordinator_id: UserId,
    pub coordinator_name: String,
    pub coordinator_external: Option<String>,
    pub coordinator_allowed: bool,
    pub task_description: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub sent_to_portal_at: Option<NaiveDateTime>,
}

/// The owning centre's view: the shared fields plus the private ones.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerOrder {
    #[serde(flatten)]
    pub shared: SharedOrder,
    pub responsible_consultant_id: UserId,
    pub employer_email: Option<String>,
    pub qualifications_and_pay: String,
    pub working_hours: String,
    pub workplace_postcode: Option<String>,
    pub closed_at: Option<NaiveDateTime>,
}

/// The one projection of an order for a reader (API, pages, exports, mails).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "access", rename_all = "lowercase")]
pub enum OrderView {
    Owner(OwnerOrder),
    Shared(SharedOrder),
}

impl OrderView {
    pub fn shared(&self) -> &SharedOrder {
        match self {
            OrderView::Owner(o) => &o.shared,
            OrderView::Shared(s) => s,
        }
    }
}

/// Names that a view shows beside the order's ids.
pub struct OrderNames {
    pub centre: CentreRef,
    pub coordinator_name: String,
    pub responsible_consultant_name: String,
}

pub fn load_names(conn: &mut DbConn, order: &JobOrder) -> AppResult<OrderNames> {
    let centre = job_centres::table
        .find(order.job_centre_id)
        .select((
            job_centres::id,
            job_centres::authority_type,
            job_centres::authority_number,
            job_centres::name,
        ))
        .first::<(JobCentreId, String, String, String)>(conn)?;
    let names: Vec<(UserId, String)> = users::table
        // Two `=` rather than IN (…): diesel doesn't keep IN-list statements prepared on SQLite.
        .filter(
            users::id
                .eq(order.coordinator_id)
                .or(users::id.eq(order.responsible_consultant_id)),
        )
        .select((users::id, users::display_name))
        .load(conn)?;
    let name_of = |id: UserId| {
        names
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    Ok(OrderNames {
        centre: CentreRef {
            id: centre.0,
            authority_type: centre.1,
            authority_number: centre.2,
            name: centre.3,
        },
        coordinator_name: name_of(order.coordinator_id),
        responsible_consultant_name: name_of(order.responsible_consultant_id),
    })
}

pub fn project(order: JobOrder, names: OrderNames, access: Access) -> OrderView {
    let shared = SharedOrder {
        id: order.id,
        title: order.title,
        occupation: order.occupation,
        occupation_code: order.occupation_code,
        request_id: order.request_id,
        company_name: order.company_name,
        start_date: order.start_date,
        end_date: order.end_date,
        vacancies: order.vacancies,
        referred: order.referred,
        status: order.status,
        order_type: order.order_type,
        primary_authority: names.centre,
        responsible_consultant_name: names.responsible_consultant_name,
        coordinator_id: order.coordinator_id,
        coordinator_name: names.coordinator_name,
        coordinator_external: order.coordinator_external,
        coordinator_allowed: order.coordinator_allowed,
        task_description: order.task_description,
        created_at: order.created_at,
        updated_at: order.updated_at,
        sent_to_portal_at: order.sent_to_portal_at,
    };
    match access {
        Access::Notified => OrderView::Shared(shared),
        Access::Owner => OrderView::Owner(OwnerOrder {
            shared,
            responsible_consultant_id: order.responsible_consultant_id,
            employer_email: order.employer_email,
            qualifications_and_pay: order.qualifications_and_pay,
            working_hours: order.working_hours,
            workplace_postcode: order.workplace_postcode,
            closed_at: order.closed_at,
        }),
    }
}

pub fn view(conn: &mut DbConn, user: &AuthUser, id: JobOrderId) -> AppResult<OrderView> {
    let (order, access) = load_visible(conn, user, id)?;
    let names = load_names(conn, &order)?;
    Ok(project(order, names, access))
}

/// The writable fields of an order, complete and validated before they are stored.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OrderFields {
    pub title: String,
    pub occupation: String,
    pub occupation_code: Option<String>,
    pub request_id: Option<String>,
    pub company_name: String,
    pub cvr: Option<String>,
    pub employer_email: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub vacancies: i32,
    pub order_type: String,
    pub responsible_consultant_id: Option<UserId>,
    pub coordinator_id: Option<UserId>,
    pub coordinator_external: Option<String>,
    pub coordinator_allowed: bool,
    pub task_description: String,
    pub qualifications_and_pay: String,
    pub working_hours: String,
    pub workplace_postcode: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CreateOrder {
    /// Keys that are not fields: output-only ones are ignored, others refused.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
    pub title: String,
    pub occupation: String,
    pub occupation_code: Option<String>,
    pub request_id: Option<String>,
    pub company_name: String,
    pub cvr: Option<String>,
    pub employer_email: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub vacancies: i32,
    #[serde(rename = "type")]
    pub order_type: Option<String>,
    pub responsible_consultant_id: Option<UserId>,
    pub coordinator_id: Option<UserId>,
    pub coordinator_external: Option<String>,
    pub coordinator_allowed: Option<bool>,
    pub task_description: String,
    #[serde(default)]
    pub qualifications_and_pay: String,
    #[serde(default)]
    pub working_hours: String,
    /// Where the work is: a Danish postcode (for matching by distance).
    pub workplace_postcode: Option<String>,
}

impl From<CreateOrder> for OrderFields {
    fn from(c: CreateOrder) -> Self {
        OrderFields {
            title: c.title,
            occupation: c.occupation,
            occupation_code: c.occupation_code,
            request_id: c.request_id,
            company_name: c.company_name,
            cvr: c.cvr,
            employer_email: c.employer_email,
            start_date: c.start_date,
            end_date: c.end_date,
            vacancies: c.vacancies,
            order_type: c.order_type.unwrap_or_else(|| "Jobordre".into()),
            responsible_consultant_id: c.responsible_consultant_id,
            coordinator_id: c.coordinator_id,
            coordinator_external: c.coordinator_external,
            coordinator_allowed: c.coordinator_allowed.unwrap_or(true),
            task_description: c.task_description,
            qualifications_and_pay: c.qualifications_and_pay,
            working_hours: c.working_hours,
            workplace_postcode: c.workplace_postcode,
        }
    }
}

/// Keys a client may send back from a read (they are not writable, so they are ignored).
const READ_ONLY: &[&str] = &[
    "id",
    "access",
    "referred",
    "status",
    "primary_authority",
    "responsible_consultant_name",
    "coordinator_name",
    "created_at",
    "updated_at",
    "sent_to_portal_at",
    "closed_at",
];

/// A misspelt field would otherwise be dropped without a word: refuse it, naming it.
pub fn reject_unknown(other: &BTreeMap<String, serde_json::Value>) -> AppResult<()> {
    match other.keys().find(|k| !READ_ONLY.contains(&k.as_str())) {
        Some(k) => Err(AppError::invalid(k.clone(), "unknown field")),
        None => Ok(()),
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

#[derive(Debug, Deserialize, Default)]
pub struct PatchOrder {
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
    pub title: Option<String>,
    pub occupation: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub occupation_code: Option<Option<String>>,
    pub request_id: Option<String>,
    pub company_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub cvr: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub employer_email: Option<Option<String>>,
    pub start_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    pub end_date: Option<Option<NaiveDate>>,
    pub vacancies: Option<i32>,
    #[serde(rename = "type")]
    pub order_type: Option<String>,
    pub responsible_consultant_id: Option<UserId>,
    pub coordinator_id: Option<UserId>,
    #[serde(default, deserialize_with = "nullable")]
    pub coordinator_external: Option<Option<String>>,
    pub coordinator_allowed: Option<bool>,
    pub task_description: Option<String>,
    pub qualifications_and_pay: Option<String>,
    pub working_hours: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub workplace_postcode: Option<Option<String>>,
}

impl PatchOrder {
    pub fn apply(self, f: &mut OrderFields) {
        // A new occupation text without a code is classified afresh.
        if self.occupation.as_ref().is_some_and(|o| *o != f.occupation) && self.occupation_code.is_none() {
            f.occupation_code = None;
        }
        macro_rules! set {
            ($($field:ident),*) => {$( if let Some(v) = self.$field { f.$field = v; } )*};
        }
        set!(
            title,
            occupation,
            occupation_code,
            company_name,
            cvr,
            employer_email,
            start_date,
            end_date,
            vacancies,
            order_type,
            coordinator_external,
            coordinator_allowed,
            task_description,
            qualifications_and_pay,
            working_hours,
            workplace_postcode
        );
        if let Some(v) = self.request_id {
            f.request_id = Some(v);
        }
        if let Some(v) = self.responsible_consultant_id {
            f.responsible_consultant_id = Some(v);
        }
        if let Some(v) = self.coordinator_id {
            f.coordinator_id = Some(v);
        }
    }
}

const SHORT: usize = 200;
const LONG: usize = 20_000;

impl OrderFields {
    /// Rules that need no database: required fields, lengths, dates, counts.
    pub fn validate(&self) -> AppResult<()> {
        check_text("title", &self.title, SHORT, true, false)?;
        check_text("occupation", &self.occupation, SHORT, true, false)?;
        check_opt("occupation_code", &self.occupation_code, 32)?;
        if let Some(r) = &self.request_id {
            check_text("request_id", r, 64, true, false)?;
        }
        check_text("company_name", &self.company_name, SHORT, true, false)?;
        check_opt("cvr", &self.cvr, 8)?;
        if let Some(cvr) = &self.cvr {
            if cvr.len() != 8 || !cvr.chars().all(|c| c.is_ascii_digit()) {
                return Err(AppError::invalid("cvr", "must be 8 digits"));
            }
        }
        if let Some(e) = &self.employer_email {
            check_email("employer_email", e)?;
        }
        if !(1..=10_000).contains(&self.vacancies) {
            return Err(AppError::invalid("vacancies", "must be between 1 and 10000"));
        }
        if let Some(end) = self.end_date {
            if end < self.start_date {
                return Err(AppError::invalid("end_date", "must not be before start_date"));
            }
        }
        check_text("type", &self.order_type, 64, true, false)?;
        check_opt("coordinator_external", &self.coordinator_external, SHORT)?;
        check_text("task_description", &self.task_description, LONG, true, true)?;
        check_text(
            "qualifications_and_pay",
            &self.qualifications_and_pay,
            LONG,
            false,
            true,
        )?;
        check_text("working_hours", &self.working_hours, LONG, false, true)?;
        if let Some(pc) = &self.workplace_postcode {
            if crate::geo::postcode(pc).is_none() {
                return Err(AppError::invalid("workplace_postcode", "is not a Danish postcode"));
            }
        }
        Ok(())
    }

    fn from_order(o: &JobOrder, cvr: Option<String>) -> OrderFields {
        OrderFields {
            title: o.title.clone(),
            occupation: o.occupation.clone(),
            occupation_code: o.occupation_code.clone(),
            request_id: Some(o.request_id.clone()),
            company_name: o.company_name.clone(),
            cvr,
            employer_email: o.employer_email.clone(),
            start_date: o.start_date,
            end_date: o.end_date,
            vacancies: o.vacancies,
            order_type: o.order_type.clone(),
            responsible_consultant_id: Some(o.responsible_consultant_id),
            coordinator_id: Some(o.coordinator_id),
            coordinator_external: o.coordinator_external.clone(),
            coordinator_allowed: o.coordinator_allowed,
            task_description: o.task_description.clone(),
            qualifications_and_pay: o.qualifications_and_pay.clone(),
            working_hours: o.working_hours.clone(),
            workplace_postcode: o.workplace_postcode.clone(),
        }
    }

    /// What matching needs, derived from the fields: code, group, no-qualifications, place.
    fn placement(&self) -> Placement {
        let class = crate::occupations::classify(self.occupation_code.as_deref(), &self.occupation);
        let place = self.workplace_postcode.as_deref().and_then(crate::geo::postcode);
        Placement {
            code: class
                .as_ref()
                .map(|c| c.0.clone())
                .or_else(|| self.occupation_code.clone()),
            group: class.as_ref().map(|c| c.1.clone()),
            no_qualifications: class.as_ref().is_some_and(|c| c.2),
            lat: place.map(|p| p.0),
            lon: place.map(|p| p.1),
        }
    }

    pub(crate) fn search_text(&self) -> String {
        let s = [
            self.title.as_str(),
            &self.occupation,
            self.occupation_code.as_deref().unwrap_or(""),
            self.request_id.as_deref().unwrap_or(""),
            &self.company_name,
            &self.order_type,
        ]
        .join(" ");
        s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
    }
}

struct Placement {
    code: Option<String>,
    group: Option<String>,
    no_qualifications: bool,
    lat: Option<f64>,
    lon: Option<f64>,
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
    fields.validate()?;
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
    let order = load_owned(conn, user, id)?;
    if !order.is_open() {
        return Err(AppError::Conflict(
            "the order is closed and can no longer be changed".into(),
        ));
    }
    let before = OrderFields::from_order(&order, company_cvr(conn, order.company_id)?);
    let mut after = before.clone();
    patch.apply(&mut after);
    after.validate()?;
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
            job_orders::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    audit::record(conn, Some(user), "job_order", id.0, "updated", diff(&before, &after))?;
    let order = job_orders::table.find(id).select(JobOrder::as_select()).first(conn)?;
    refresh_listing(conn, &order)?;
    Ok(order)
}

/// `{field: {from, to}}` for each changed field.
fn diff(before: &OrderFields, after: &OrderFields) -> serde_json::Value {
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

pub fn send_to_portal(conn: &mut DbConn, user: &AuthUser, id: JobOrderId) -> AppResult<JobOrder> {
    let order = load_owned(conn, user, id)?;
    if !order.is_open() {
        return Err(AppError::Conflict("the order is closed".into()));
    }
    if let Some(at) = order.sent_to_portal_at {
        return Err(AppError::Conflict(format!(
            "the order was already sent to the employer portal at {at}"
        )));
    }
    let now = Utc::now().naive_utc();
    diesel::update(job_orders::table.find(id))
        .set((job_orders::sent_to_portal_at.eq(now), job_orders::updated_at.eq(now)))
        .execute(conn)?;
    audit::record(conn, Some(user), "job_order", id.0, "sent_to_portal", json!({}))?;
    Ok(job_orders::table.find(id).select(JobOrder::as_select()).first(conn)?)
}

pub fn close(conn: &mut DbConn, user: &AuthUser, id: JobOrderId) -> AppResult<JobOrder> {
    let order = load_owned(conn, user, id)?;
    if !order.is_open() {
        return Err(AppError::Conflict("the order is already closed".into()));
    }
    let now = Utc::now().naive_utc();
    diesel::update(job_orders::table.find(id))
        .set((
            job_orders::status.eq(STATUS_CLOSED),
            job_orders::closed_at.eq(now),
            job_orders::updated_at.eq(now),
        ))
        .execute(conn)?;
    audit::record(conn, Some(user), "job_order", id.0, "closed", json!({}))?;
    let order = job_orders::table.find(id).select(JobOrder::as_select()).first(conn)?;
    refresh_listing(conn, &order)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> OrderFields {
        OrderFields::from(
            serde_json::from_value::<CreateOrder>(json!({
                "title": "Kok", "occupation": "Kok", "company_name": "Kantinen A/S",
                "start_date": "2026-12-01", "end_date": "2027-03-01", "vacancies": 2,
                "task_description": "Madlavning"
            }))
            .unwrap(),
        )
    }

    #[test]
    fn valid_order_passes() {
        fields().validate().unwrap();
    }

    #[test]
    fn each_rule_names_its_field() {
        type Change = Box<dyn Fn(&mut OrderFields)>;
        let cases: Vec<(&str, Change)> = vec![
            ("vacancies", Box::new(|f| f.vacancies = 0)),
            (
                "end_date",
                Box::new(|f| f.end_date = NaiveDate::from_ymd_opt(2026, 11, 1)),
            ),
            ("title", Box::new(|f| f.title = "  ".into())),
            ("title", Box::new(|f| f.title = "x".repeat(201))),
            ("title", Box::new(|f| f.title = "a\u{0}b".into())),
            ("employer_email", Box::new(|f| f.employer_email = Some("nope".into()))),
            ("cvr", Box::new(|f| f.cvr = Some("12ab".into()))),
            ("task_description", Box::new(|f| f.task_description = String::new())),
        ];
        for (field, change) in cases {
            let mut f = fields();
            change(&mut f);
            match f.validate() {
                Err(AppError::Validation { field: got, .. }) => assert_eq!(got, field),
                other => panic!("{field}: expected validation error, got {other:?}"),
            }
        }
    }

    #[test]
    fn multiline_texts_keep_newlines() {
        let mut f = fields();
        f.working_hours = "Man-fre\n8-16\ttimer".into();
        f.validate().unwrap();
    }

    #[test]
    fn patch_null_clears_and_missing_keeps() {
        let mut f = fields();
        let p: PatchOrder = serde_json::from_value(json!({ "end_date": null, "vacancies": 5 })).unwrap();
        p.apply(&mut f);
        assert_eq!(f.end_date, None);
        assert_eq!(f.vacancies, 5);
        assert_eq!(f.title, "Kok");
    }

    #[test]
    fn diff_lists_only_changes() {
        let a = fields();
        let mut b = a.clone();
        b.vacancies = 9;
        let d = diff(&a, &b);
        assert_eq!(d["vacancies"]["to"], 9);
        assert_eq!(d.as_object().unwrap().len(), 1);
    }
}
