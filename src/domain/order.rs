//! A job order as stored, and the one projection (`OrderView`) through which every reader sees
//! it. Other centres get `SharedOrder`, which has no private fields to leak.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{companies, job_centres, job_orders, users};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::ids::{CompanyId, JobCentreId, JobOrderId, UserId};
use crate::on_inner;

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
    pub external_id: Option<String>,
    pub requires_driving_licence: bool,
    /// Referrals the employer marked hired: the order's filled places.
    pub hired: i32,
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CentreRef {
    pub id: JobCentreId,
    pub authority_type: String,
    pub authority_number: String,
    pub name: String,
}

/// A centre as the queries select it: (id, authority type, authority number, name).
impl From<(JobCentreId, String, String, String)> for CentreRef {
    fn from((id, authority_type, authority_number, name): (JobCentreId, String, String, String)) -> Self {
        CentreRef {
            id,
            authority_type,
            authority_number,
            name,
        }
    }
}

/// The fields every centre the order is shared with may read. Nothing else.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    /// Filled places: referrals the employer marked hired.
    pub hired: i32,
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
    pub requires_driving_licence: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub sent_to_portal_at: Option<NaiveDateTime>,
}

/// The owning centre's view: the shared fields plus the private ones.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnerOrder {
    #[serde(flatten)]
    pub shared: SharedOrder,
    pub responsible_consultant_id: UserId,
    pub employer_email: Option<String>,
    pub cvr: Option<String>,
    pub qualifications_and_pay: String,
    pub working_hours: String,
    pub workplace_postcode: Option<String>,
    pub closed_at: Option<NaiveDateTime>,
    /// The order's id in the case software it was imported from.
    pub external_id: Option<String>,
}

/// The one projection of an order for a reader (API, pages, exports, mails).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    /// The company's CVR number: the owner's to see.
    pub cvr: Option<String>,
}

/// `OrderNames` as a statement selects them: the owning centre (id, authority type, authority
/// number, name), the company's CVR, the coordinator's and the responsible consultant's names.
pub type NamesRow = (
    (JobCentreId, String, String, String),
    Option<String>,
    Option<String>,
    Option<String>,
);

impl From<NamesRow> for OrderNames {
    fn from((centre, cvr, coordinator, responsible): NamesRow) -> Self {
        OrderNames {
            centre: CentreRef::from(centre),
            coordinator_name: coordinator.unwrap_or_default(),
            responsible_consultant_name: responsible.unwrap_or_default(),
            cvr,
        }
    }
}

diesel::alias!(users as named: Named);

/// A user's name, as a subselect (`load_names`, and the mails that read them with more). On an
/// alias of `users`, so a statement that reads from `users` itself can hold it too.
#[diesel::dsl::auto_type]
pub fn name_of(id: UserId) -> _ {
    named
        .filter(named.field(users::id).eq(id))
        .select(named.field(users::display_name))
        .single_value()
}

diesel::alias!(job_centres as owner: Owner);

type OwnerField<C> = diesel::query_source::AliasedField<Owner, C>;

/// The owning centre's columns of a `NamesRow`, on `owner`.
type OwnerColumns = (
    OwnerField<job_centres::id>,
    OwnerField<job_centres::authority_type>,
    OwnerField<job_centres::authority_number>,
    OwnerField<job_centres::name>,
);

fn owner_columns() -> OwnerColumns {
    owner.fields((
        job_centres::id,
        job_centres::authority_type,
        job_centres::authority_number,
        job_centres::name,
    ))
}

/// The columns of a `NamesRow`: the order's centre as `owner`, `companies` (each joined by the
/// caller, on the order's centre and company) and the two names. `load_names` reads them
/// alone; the mails about a referral read them beside their recipient.
pub type NamesColumns = (OwnerColumns, companies::cvr, name_of, name_of);

pub fn names_columns(order: &JobOrder) -> NamesColumns {
    (
        owner_columns(),
        companies::cvr,
        name_of(order.coordinator_id),
        name_of(order.responsible_consultant_id),
    )
}

/// The coordinator's and the responsible consultant's names, as subselects on the `job_orders`
/// row of the statement they are in (`joined_names_columns`).
#[diesel::dsl::auto_type]
fn coordinator_name() -> _ {
    named
        .filter(named.field(users::id).eq(job_orders::coordinator_id))
        .select(named.field(users::display_name))
        .single_value()
}

#[diesel::dsl::auto_type]
fn responsible_name() -> _ {
    named
        .filter(named.field(users::id).eq(job_orders::responsible_consultant_id))
        .select(named.field(users::display_name))
        .single_value()
}

/// `NamesColumns` for a statement that joins `job_orders` itself, with the order's centre as
/// `owner` and `companies` joined on it: an action on a referral reads the order's names with
/// the referral (`referrals::load_for_action`).
pub type JoinedNamesColumns = (OwnerColumns, companies::cvr, coordinator_name, responsible_name);

pub fn joined_names_columns() -> JoinedNamesColumns {
    (owner_columns(), companies::cvr, coordinator_name(), responsible_name())
}

pub fn load_names(conn: &mut DbConn, order: &JobOrder) -> AppResult<OrderNames> {
    // One statement, not one per table: every mail about an order reads these inside the
    // transaction of the change it tells about (an approval, say).
    let query = owner
        .inner_join(companies::table.on(companies::id.eq(order.company_id)))
        .filter(owner.field(job_centres::id).eq(order.job_centre_id))
        .select(names_columns(order));
    let row: NamesRow = on_inner!(conn, c => query.first(c))?;
    Ok(OrderNames::from(row))
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
        hired: order.hired,
        status: order.status,
        order_type: order.order_type,
        primary_authority: names.centre,
        responsible_consultant_name: names.responsible_consultant_name,
        coordinator_id: order.coordinator_id,
        coordinator_name: names.coordinator_name,
        coordinator_external: order.coordinator_external,
        coordinator_allowed: order.coordinator_allowed,
        task_description: order.task_description,
        requires_driving_licence: order.requires_driving_licence,
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
            cvr: names.cvr,
            qualifications_and_pay: order.qualifications_and_pay,
            working_hours: order.working_hours,
            workplace_postcode: order.workplace_postcode,
            closed_at: order.closed_at,
            external_id: order.external_id,
        }),
    }
}
