//! Tests that guard privacy: the projection of an order for owner and notified readers with
//! every private field planted as a canary, and the access checks (`orders::load_visible`,
//! `orders::load_owned`) for owner, notified and unrelated centres on a real SQLite database.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;

use crate::db::schema::{order_notifications, users};
use crate::db::{Db, DbConn, DbOptions};
use crate::domain::actor::{AuthUser, Role};
use crate::domain::order::{project, Access, CentreRef, JobOrder, OrderNames, OrderView};
use crate::domain::order_fields::OrderFields;
use crate::domain::{orders, sharing};
use crate::error::AppError;
use crate::ids::{CompanyId, JobCentreId, JobOrderId, UserId};

/// Values that may appear only in the owning centre's view.
const PRIVATE: [(&str, &str); 6] = [
    ("qualifications_and_pay", "CANARY-PAY-Overenskomst-217kr"),
    ("working_hours", "CANARY-HOURS-nat-22-06"),
    ("employer_email", "canary-employer@hemmelig.example"),
    ("workplace_postcode", "CANARY-9999"),
    ("responsible_consultant_id", "424242"),
    ("cvr", CVR),
];
const SHARED_TEXT: &str = "Madlavning til 200 personer";
const CVR: &str = "87654321";

fn order() -> JobOrder {
    let now = Utc::now().naive_utc();
    JobOrder {
        external_id: None,
        requires_driving_licence: false,
        id: JobOrderId(7),
        job_centre_id: JobCentreId(1),
        title: "Kok".into(),
        occupation: "Kok".into(),
        occupation_code: None,
        request_id: "JO-000007".into(),
        company_id: CompanyId(3),
        company_name: "Kantinen A/S".into(),
        employer_email: Some(PRIVATE[2].1.into()),
        start_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        end_date: None,
        vacancies: 2,
        referred: 0,
        hired: 0,
        status: "open".into(),
        order_type: "ordinary".into(),
        responsible_consultant_id: UserId(424242),
        coordinator_id: UserId(5),
        coordinator_external: None,
        coordinator_allowed: true,
        task_description: SHARED_TEXT.into(),
        qualifications_and_pay: PRIVATE[0].1.into(),
        working_hours: PRIVATE[1].1.into(),
        created_at: now,
        updated_at: now,
        sent_to_portal_at: Some(now),
        closed_at: Some(now),
        occupation_group: None,
        no_qualifications: false,
        workplace_postcode: Some(PRIVATE[3].1.into()),
        lat: None,
        lon: None,
    }
}

fn names() -> OrderNames {
    OrderNames {
        centre: CentreRef {
            id: JobCentreId(1),
            authority_type: "JobCenter".into(),
            authority_number: "15.300".into(),
            name: "Brøndby".into(),
        },
        coordinator_name: "Karin Koordinator".into(),
        responsible_consultant_name: "Rasmus Ansvarlig".into(),
        cvr: Some(CVR.into()),
    }
}

fn json_of(view: &OrderView) -> (serde_json::Value, String) {
    let v = serde_json::to_value(view).unwrap();
    let text = v.to_string();
    (v, text)
}

#[test]
fn owner_view_has_every_private_field() {
    let (v, _) = json_of(&project(order(), names(), Access::Owner));
    assert_eq!(v["access"], "owner");
    for (field, value) in PRIVATE {
        let got = match &v[field] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(got, value, "{field}");
    }
    assert_eq!(v["task_description"], SHARED_TEXT);
}

#[test]
fn notified_view_has_no_private_field_nor_value() {
    let view = project(order(), names(), Access::Notified);
    assert!(matches!(view, OrderView::Shared(_)));
    let (v, text) = json_of(&view);
    assert_eq!(v["access"], "shared");
    for (field, value) in PRIVATE {
        assert!(v.get(field).is_none(), "{field} reaches a notified centre: {text}");
        assert!(
            !text.contains(value),
            "the value of {field} reaches a notified centre: {text}"
        );
    }
    assert!(v.get("closed_at").is_none());
    // What sharing is for stays: the task description and the coordinator to contact.
    assert_eq!(v["task_description"], SHARED_TEXT);
    assert_eq!(v["coordinator_name"], "Karin Koordinator");
}

// ---- access checks on a database -------------------------------------------------------

struct World {
    db: Db,
    dir: std::path::PathBuf,
    owner: AuthUser,
    notified: AuthUser,
    unrelated: AuthUser,
    order: JobOrderId,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn consultant(conn: &mut DbConn, name: &str, centre: JobCentreId) -> AuthUser {
    let id: UserId = diesel::insert_into(users::table)
        .values((
            users::username.eq(name),
            users::password_hash.eq("x"),
            users::display_name.eq(name),
            users::email.eq(format!("{name}@jobcenter.example")),
            users::job_centre_id.eq(centre),
            users::role.eq("consultant"),
            users::language.eq("da"),
            users::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(users::id)
        .get_result(conn)
        .unwrap();
    AuthUser {
        id,
        job_centre_id: centre,
        username: name.into(),
        role: Role::Consultant,
        language: "da".into(),
    }
}

/// An order of centre A, notified to centre B; centre C is not notified.
fn world(tag: &str) -> World {
    let dir = std::env::temp_dir().join(format!("staer-privacy-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::open(dir.join("t.db").to_str().unwrap(), &DbOptions::default()).unwrap();
    db.migrate().unwrap();
    let (owner, notified, unrelated, order) = db
        .write_blocking(|c| {
            let a = sharing::create_centre(c, None, "15.300", "Brøndby")?;
            let b = sharing::create_centre(c, None, "16.100", "Glostrup")?;
            let cc = sharing::create_centre(c, None, "21.900", "Hillerød")?;
            let (owner, notified, unrelated) = (consultant(c, "a", a), consultant(c, "b", b), consultant(c, "c", cc));
            let fields = OrderFields {
                requires_driving_licence: false,
                title: "Kok".into(),
                occupation: "Kok".into(),
                occupation_code: None,
                request_id: None,
                company_name: "Kantinen A/S".into(),
                cvr: Some(CVR.into()),
                employer_email: Some(PRIVATE[2].1.into()),
                start_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                end_date: None,
                vacancies: 2,
                order_type: "ordinary".into(),
                responsible_consultant_id: None,
                coordinator_id: None,
                coordinator_external: None,
                coordinator_allowed: true,
                task_description: SHARED_TEXT.into(),
                qualifications_and_pay: PRIVATE[0].1.into(),
                working_hours: PRIVATE[1].1.into(),
                workplace_postcode: None,
            };
            let order = orders::create(c, &owner, fields)?;
            diesel::insert_into(order_notifications::table)
                .values((
                    order_notifications::order_id.eq(order.id),
                    order_notifications::job_centre_id.eq(b),
                    order_notifications::notified_at.eq(Utc::now().naive_utc()),
                    order_notifications::listed.eq(true),
                    order_notifications::start_date.eq(order.start_date),
                ))
                .execute(c)?;
            Ok((owner, notified, unrelated, order.id))
        })
        .unwrap();
    World {
        db,
        dir,
        owner,
        notified,
        unrelated,
        order,
    }
}

#[test]
fn access_checks_for_owner_notified_and_unrelated_centres() {
    let w = world("access");
    let mut c = w.db.reader().unwrap();
    let c: &mut DbConn = &mut c;
    assert_eq!(orders::load_visible(c, &w.owner, w.order).unwrap().1, Access::Owner);
    assert_eq!(
        orders::load_visible(c, &w.notified, w.order).unwrap().1,
        Access::Notified
    );
    assert!(matches!(
        orders::load_visible(c, &w.unrelated, w.order),
        Err(AppError::NotFound)
    ));
    // A missing order looks the same as one the reader may not see.
    assert!(matches!(
        orders::load_visible(c, &w.owner, JobOrderId(999)),
        Err(AppError::NotFound)
    ));

    assert!(orders::load_owned(c, &w.owner, w.order).is_ok());
    assert!(matches!(
        orders::load_owned(c, &w.notified, w.order),
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        orders::load_owned(c, &w.unrelated, w.order),
        Err(AppError::NotFound)
    ));
}

#[test]
fn each_readers_view_through_the_domain() {
    let w = world("view");
    let mut c = w.db.reader().unwrap();
    let c: &mut DbConn = &mut c;
    let owner = serde_json::to_string(&orders::view(c, &w.owner, w.order).unwrap()).unwrap();
    for (field, value) in PRIVATE.iter().take(3) {
        assert!(owner.contains(value), "the owner misses {field}: {owner}");
    }
    let shared = serde_json::to_string(&orders::view(c, &w.notified, w.order).unwrap()).unwrap();
    assert!(shared.contains(SHARED_TEXT));
    for (field, value) in PRIVATE.iter().take(3) {
        assert!(!shared.contains(value), "{field} reaches a notified centre: {shared}");
    }
    // The CVR is the owner's to see, on the page and in the API.
    assert!(owner.contains(CVR) && !shared.contains(CVR));
    assert!(matches!(
        orders::view(c, &w.unrelated, w.order),
        Err(AppError::NotFound)
    ));
}
