//! Sample list rows for unit tests, one of each kind: the tricky cells (a formula, a comma,
//! quotes, Danish letters, an open end date) in one place.

use chrono::NaiveDate;

use crate::domain::dashboards::{MyOrderRow, MyReferralRow, SharedOrderRow};
use crate::ids::{CandidateId, JobOrderId, ReferralId, UserId};

pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

pub fn sample_order() -> MyOrderRow {
    let d = day();
    MyOrderRow {
        id: JobOrderId(7),
        title: "=HYPERLINK(\"http://x\")".into(),
        occupation: "Kok, køkken".into(),
        request_id: "JO-000007".into(),
        company_name: "Æble \"A/S\"".into(),
        start_date: d,
        end_date: None,
        vacancies: 2,
        referred: 0,
        created_at: d.and_hms_opt(8, 0, 0).unwrap(),
        updated_at: d.and_hms_opt(9, 30, 0).unwrap(),
        status: "open".into(),
    }
}

pub fn sample_shared() -> SharedOrderRow {
    SharedOrderRow {
        id: JobOrderId(1),
        primary_authority_number: "15.300".into(),
        primary_authority_name: "Brøndby".into(),
        responsible_consultant: "a".into(),
        coordinator: "b".into(),
        coordinator_external: None,
        occupation: "c".into(),
        request_id: "d".into(),
        order_type: "e".into(),
        title: "f".into(),
        company_name: "g".into(),
        start_date: day(),
        vacancies: 1,
        referred: 0,
    }
}

pub fn sample_referral() -> MyReferralRow {
    MyReferralRow {
        id: ReferralId(1),
        order_id: JobOrderId(2),
        order_title: "=t".into(),
        company_name: "c".into(),
        candidate_id: CandidateId(3),
        candidate_name: "Ærø".into(),
        state: "pending_approval".into(),
        created_at: day().and_hms_nano_opt(8, 5, 9, 987_654_321).unwrap(),
        created_by: UserId(4),
        created_by_name: "u".into(),
    }
}
