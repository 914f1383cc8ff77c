//! The rows the seed writes, one `Insertable` per table, and the batch writer for both backends.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    candidate_wishes, candidates, companies, decision_times, job_centres, job_orders, network_members,
    network_referral_counts, networks, order_notifications, order_shares, referral_counts, referral_events, referrals,
    users,
};

// ---- rows as written -----------------------------------------------------------------
// `treat_none_as_default_value = false`: a None is a NULL, so SQLite gets one multi-row
// INSERT per chunk (no DEFAULT keyword) and PostgreSQL's binary COPY accepts the rows.

#[derive(Insertable)]
#[diesel(table_name = job_centres, treat_none_as_default_value = false)]
pub(super) struct NewCentre {
    pub(super) id: i64,
    pub(super) authority_type: &'static str,
    pub(super) authority_number: String,
    pub(super) name: String,
}

#[derive(Insertable)]
#[diesel(table_name = networks, treat_none_as_default_value = false)]
pub(super) struct NewNetwork {
    pub(super) id: i64,
    pub(super) name: String,
}

#[derive(Insertable)]
#[diesel(table_name = network_members, treat_none_as_default_value = false)]
pub(super) struct NewMember {
    pub(super) network_id: i64,
    pub(super) job_centre_id: i64,
}

#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub(super) struct NewUser {
    pub(super) id: i64,
    pub(super) username: String,
    // Owned: a row type with a lifetime has no static query id (`write_rows!`).
    pub(super) password_hash: String,
    pub(super) display_name: String,
    pub(super) email: String,
    pub(super) job_centre_id: i64,
    pub(super) role: &'static str,
    pub(super) language: &'static str,
    pub(super) created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = companies, treat_none_as_default_value = false)]
pub(super) struct NewCompany {
    pub(super) id: i64,
    pub(super) job_centre_id: i64,
    pub(super) name: String,
    pub(super) cvr: Option<String>,
    pub(super) created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = job_orders, treat_none_as_default_value = false)]
pub(super) struct NewOrder {
    pub(super) id: i64,
    pub(super) job_centre_id: i64,
    pub(super) title: String,
    pub(super) occupation: String,
    pub(super) occupation_code: Option<String>,
    pub(super) request_id: String,
    pub(super) company_id: i64,
    pub(super) company_name: String,
    pub(super) employer_email: Option<String>,
    pub(super) start_date: NaiveDate,
    pub(super) end_date: Option<NaiveDate>,
    pub(super) vacancies: i32,
    pub(super) referred: i32,
    pub(super) status: &'static str,
    pub(super) order_type: &'static str,
    pub(super) responsible_consultant_id: i64,
    pub(super) coordinator_id: i64,
    pub(super) coordinator_external: Option<String>,
    pub(super) coordinator_allowed: bool,
    pub(super) task_description: String,
    pub(super) qualifications_and_pay: String,
    pub(super) working_hours: &'static str,
    pub(super) search_text: String,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
    pub(super) sent_to_portal_at: Option<NaiveDateTime>,
    pub(super) closed_at: Option<NaiveDateTime>,
    pub(super) occupation_group: Option<String>,
    pub(super) no_qualifications: bool,
    pub(super) workplace_postcode: Option<String>,
    pub(super) lat: Option<f64>,
    pub(super) lon: Option<f64>,
}

#[derive(Insertable)]
#[diesel(table_name = candidate_wishes, treat_none_as_default_value = false)]
pub(super) struct NewWish {
    pub(super) candidate_id: i64,
    pub(super) occupation_code: String,
    pub(super) occupation_group: String,
    // The candidate's own fields, as the `candidate_wishes_fill` trigger copies them; the seed
    // loads without it (`driving_licence` is left to its default, as the candidate's is).
    pub(super) job_centre_id: i64,
    pub(super) name: String,
    pub(super) lat: Option<f64>,
    pub(super) lon: Option<f64>,
    pub(super) consenting: bool,
}

#[derive(Insertable)]
#[diesel(table_name = order_shares, treat_none_as_default_value = false)]
pub(super) struct NewShare {
    pub(super) id: i64,
    pub(super) order_id: i64,
    pub(super) network_id: i64,
    pub(super) shared_by: i64,
    pub(super) shared_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = order_notifications, treat_none_as_default_value = false)]
pub(super) struct NewNotification {
    pub(super) order_id: i64,
    pub(super) job_centre_id: i64,
    pub(super) notified_at: NaiveDateTime,
    pub(super) listed: bool,
    pub(super) start_date: NaiveDate,
}

#[derive(Insertable)]
#[diesel(table_name = candidates, treat_none_as_default_value = false)]
pub(super) struct NewCandidate {
    pub(super) id: i64,
    pub(super) job_centre_id: i64,
    pub(super) name: String,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) postcode: Option<String>,
    pub(super) consent_given_at: Option<NaiveDateTime>,
    pub(super) consent_given_by: Option<i64>,
    pub(super) consent_revoked_at: Option<NaiveDateTime>,
    pub(super) share_email: bool,
    pub(super) share_phone: bool,
    pub(super) created_by: i64,
    pub(super) created_at: NaiveDateTime,
    pub(super) lat: Option<f64>,
    pub(super) lon: Option<f64>,
}

#[derive(Insertable)]
#[diesel(table_name = referrals, treat_none_as_default_value = false)]
pub(super) struct NewReferral {
    pub(super) id: i64,
    pub(super) order_id: i64,
    pub(super) candidate_id: i64,
    pub(super) job_centre_id: i64,
    pub(super) state: &'static str,
    pub(super) reason: Option<&'static str>,
    pub(super) created_by: i64,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
    pub(super) coordinator_id: Option<i64>,
}

#[derive(Insertable)]
#[diesel(table_name = referral_events, treat_none_as_default_value = false)]
pub(super) struct NewEvent {
    pub(super) id: i64,
    pub(super) referral_id: i64,
    pub(super) actor_id: Option<i64>,
    pub(super) at: NaiveDateTime,
    pub(super) from_state: Option<&'static str>,
    pub(super) to_state: &'static str,
    pub(super) reason: Option<&'static str>,
}

#[derive(Insertable)]
#[diesel(table_name = referral_counts, treat_none_as_default_value = false)]
pub(super) struct NewReferralCount {
    pub(super) order_centre_id: i64,
    pub(super) month: String,
    pub(super) referring_centre_id: i64,
    pub(super) state: &'static str,
    pub(super) n: i64,
}

#[derive(Insertable)]
#[diesel(table_name = network_referral_counts, treat_none_as_default_value = false)]
pub(super) struct NewNetworkCount {
    pub(super) network_id: i64,
    pub(super) month: String,
    pub(super) referring_centre_id: i64,
    pub(super) state: &'static str,
    pub(super) n: i64,
}

#[derive(Insertable)]
#[diesel(table_name = decision_times, treat_none_as_default_value = false)]
pub(super) struct NewDecisionTime {
    pub(super) event_id: i64,
    pub(super) order_centre_id: i64,
    pub(super) month: String,
    pub(super) seconds: i64,
}

/// SQLite's limit of bound parameters per statement (since 3.32).
pub(super) const SQLITE_MAX_BINDS: usize = 32_766;
/// Rows per COPY statement on PostgreSQL (bounds the memory of one encoded chunk).
pub(super) const PG_COPY_ROWS: usize = 50_000;

/// Writes `rows` into `table` in large multi-row statements: INSERT on SQLite (as many rows
/// as the bind limit allows for `$cols` columns), binary COPY on PostgreSQL.
macro_rules! write_rows {
    ($conn:expr, $table:expr, $rows:expr, $cols:expr, $bar:expr) => {{
        let rows = &$rows[..];
        match $conn {
            $crate::db::DbConn::Pg(c) => {
                for chunk in rows.chunks($crate::cli::seed::rows::PG_COPY_ROWS) {
                    diesel::copy_from($table).from_insertable(chunk).execute(c)?;
                    $bar.inc(chunk.len() as u64);
                }
            }
            $crate::db::DbConn::Sqlite(c) => {
                // Whole chunks go as arrays: an insert of a fixed number of rows has a static
                // query id, so diesel prepares it once per table. A slice's insert is prepared
                // for every chunk, and SQLite parsed 30,000 placeholders each time.
                const N: usize = $crate::cli::seed::rows::SQLITE_MAX_BINDS / $cols;
                let mut chunks = rows.chunks_exact(N);
                for chunk in &mut chunks {
                    let chunk: &[_; N] = chunk.try_into().expect("chunks_exact gives N rows");
                    diesel::insert_into($table).values(chunk).execute(c)?;
                    $bar.inc(N as u64);
                }
                let rest = chunks.remainder();
                if !rest.is_empty() {
                    diesel::insert_into($table).values(rest).execute(c)?;
                    $bar.inc(rest.len() as u64);
                }
            }
        }
    }};
}
pub(super) use write_rows;

/// Every row of the data set, planned in memory, table by table.
pub(super) struct Tables {
    pub(super) centres: Vec<NewCentre>,
    pub(super) networks: Vec<NewNetwork>,
    pub(super) members: Vec<NewMember>,
    pub(super) users: Vec<NewUser>,
    pub(super) companies: Vec<NewCompany>,
    pub(super) orders: Vec<NewOrder>,
    pub(super) shares: Vec<NewShare>,
    pub(super) notifications: Vec<NewNotification>,
    pub(super) candidates: Vec<NewCandidate>,
    pub(super) wishes: Vec<NewWish>,
    pub(super) referrals: Vec<NewReferral>,
    pub(super) events: Vec<NewEvent>,
    pub(super) counts: Counts,
}

/// The reports' kept tables, counted from the rows above (`counts::plan`).
pub(super) struct Counts {
    pub(super) referrals: Vec<NewReferralCount>,
    pub(super) networks: Vec<NewNetworkCount>,
    pub(super) decisions: Vec<NewDecisionTime>,
}
