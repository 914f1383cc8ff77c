//! Sharing job orders with networks of job centres, and the networks themselves.
//! Sharing is one network per action; the notified centres are the union over the
//! order's networks, each listed once (`order_notifications`).

use chrono::Utc;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::db::schema::{job_centres, network_members, networks, order_notifications, order_shares};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::order::{CentreRef, JobOrder};
use crate::domain::{audit, orders};
use crate::error::{AppError, AppResult};
use crate::ids::{JobCentreId, JobOrderId, NetworkId};

fn network_by_name(conn: &mut DbConn, name: &str) -> AppResult<Option<NetworkId>> {
    Ok(networks::table
        .filter(networks::name.eq(name.trim()))
        .select(networks::id)
        .first(conn)
        .optional()?)
}

/// What a share did: the network, and the centres that were newly notified by it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShareResult {
    pub order_id: JobOrderId,
    pub network: String,
    pub newly_notified: Vec<CentreRef>,
}

/// Shares an order the user's centre owns with one network.
pub fn share(
    conn: &mut DbConn,
    user: &AuthUser,
    order_id: JobOrderId,
    network: &str,
) -> AppResult<(JobOrder, ShareResult)> {
    let order = orders::load_owned(conn, user, order_id)?;
    let network_id = network_by_name(conn, network)?
        .ok_or_else(|| AppError::invalid("network", format!("no network named '{}'", network.trim())))?;
    if !order.is_open() {
        return Err(AppError::Conflict("a closed order can't be shared".into()));
    }
    if order.sent_to_portal_at.is_none() {
        return Err(AppError::Conflict(
            "the order must be sent to the employer portal before it can be shared".into(),
        ));
    }
    let already: i64 = order_shares::table
        .filter(order_shares::order_id.eq(order_id))
        .filter(order_shares::network_id.eq(network_id))
        .count()
        .get_result(conn)?;
    if already > 0 {
        return Err(AppError::Conflict(format!(
            "the order is already shared with {}",
            network.trim()
        )));
    }
    let now = Utc::now().naive_utc();
    diesel::insert_into(order_shares::table)
        .values((
            order_shares::order_id.eq(order_id),
            order_shares::network_id.eq(network_id),
            order_shares::shared_by.eq(user.id),
            order_shares::shared_at.eq(now),
        ))
        .execute(conn)?;
    // The network's centres that were not notified by an earlier share.
    let already_notified = order_notifications::table
        .filter(order_notifications::order_id.eq(order_id))
        .select(order_notifications::job_centre_id);
    let new_centres: Vec<(JobCentreId, String, String, String)> = network_members::table
        .inner_join(job_centres::table)
        .filter(network_members::network_id.eq(network_id))
        .filter(network_members::job_centre_id.ne_all(already_notified))
        .select((
            job_centres::id,
            job_centres::authority_type,
            job_centres::authority_number,
            job_centres::name,
        ))
        .order(job_centres::authority_number)
        .load(conn)?;
    for c in &new_centres {
        diesel::insert_into(order_notifications::table)
            .values((
                order_notifications::order_id.eq(order_id),
                order_notifications::job_centre_id.eq(c.0),
                order_notifications::notified_at.eq(now),
                // The owner's centre is notified too when it is in the network, but lists the
                // order under its own orders.
                order_notifications::listed.eq(c.0 != order.job_centre_id),
                order_notifications::start_date.eq(order.start_date),
            ))
            .execute(conn)?;
    }
    let newly_notified: Vec<CentreRef> = new_centres.into_iter().map(CentreRef::from).collect();
    audit::record(
        conn,
        Some(user),
        "job_order",
        order_id.0,
        "shared",
        // Counted as the list shows them: without the owner's own centre.
        json!({
            "network": network.trim(),
            "newly_notified": newly_notified.iter().filter(|c| c.id != order.job_centre_id).count(),
        }),
    )?;
    Ok((
        order,
        ShareResult {
            order_id,
            network: network.trim().to_string(),
            newly_notified,
        },
    ))
}

/// Shares and mails the newly notified centres, in the caller's transaction (API and pages).
pub fn share_and_notify(
    conn: &mut DbConn,
    mail: &crate::mail::Mail,
    user: &AuthUser,
    order_id: JobOrderId,
    network: &str,
) -> AppResult<ShareResult> {
    let (order, result) = share(conn, user, order_id, network)?;
    let centres: Vec<JobCentreId> = result.newly_notified.iter().map(|c| c.id).collect();
    crate::domain::notify::order_shared(conn, mail, &order, &result.network, &centres)?;
    Ok(result)
}

/// Withdraws a share. Centres no other remaining network covers are no longer notified.
pub fn unshare(conn: &mut DbConn, user: &AuthUser, order_id: JobOrderId, network: &str) -> AppResult<()> {
    orders::load_owned(conn, user, order_id)?;
    let network_id = network_by_name(conn, network)?.ok_or(AppError::NotFound)?;
    let n = diesel::delete(
        order_shares::table
            .filter(order_shares::order_id.eq(order_id))
            .filter(order_shares::network_id.eq(network_id)),
    )
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let still_covered = network_members::table
        .inner_join(order_shares::table.on(order_shares::network_id.eq(network_members::network_id)))
        .filter(order_shares::order_id.eq(order_id))
        .select(network_members::job_centre_id);
    let removed = diesel::delete(
        order_notifications::table
            .filter(order_notifications::order_id.eq(order_id))
            .filter(order_notifications::job_centre_id.ne_all(still_covered)),
    )
    .execute(conn)?;
    audit::record(
        conn,
        Some(user),
        "job_order",
        order_id.0,
        "unshared",
        json!({ "network": network, "no_longer_notified": removed }),
    )?;
    Ok(())
}

/// The networks an order is shared with.
pub fn shares_of(conn: &mut DbConn, order_id: JobOrderId) -> AppResult<Vec<String>> {
    Ok(order_shares::table
        .inner_join(networks::table)
        .filter(order_shares::order_id.eq(order_id))
        .select(networks::name)
        .order(networks::name)
        .load(conn)?)
}

pub const NOTIFIED_PER_PAGE: i64 = 6;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// As the STÆR screens show it: "1 - 6 af 26".
    pub range: String,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: i64, page: i64, per_page: i64) -> Page<T> {
        let first = if items.is_empty() { 0 } else { (page - 1) * per_page + 1 };
        let last = if items.is_empty() {
            0
        } else {
            first + items.len() as i64 - 1
        };
        Page {
            range: format!("{} - {} af {}", first, last, thousands(total)),
            items,
            total,
            page,
            per_page,
        }
    }
}

/// Danish thousands separator: 1234 → "1.234".
pub fn thousands(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The centres notified of an order, by authority number, one page at a time.
pub fn notified(
    conn: &mut DbConn,
    user: &AuthUser,
    order_id: JobOrderId,
    page: i64,
    per_page: i64,
) -> AppResult<Page<CentreRef>> {
    let (order, _) = orders::load_visible(conn, user, order_id)?;
    // The owner's own centre may be in the network, but it is not "notified" of its own order.
    let others = order_notifications::order_id
        .eq(order_id)
        .and(order_notifications::job_centre_id.ne(order.job_centre_id));
    let total: i64 = order_notifications::table.filter(others).count().get_result(conn)?;
    let items = order_notifications::table
        .inner_join(job_centres::table)
        .filter(others)
        .select((
            job_centres::id,
            job_centres::authority_type,
            job_centres::authority_number,
            job_centres::name,
        ))
        .order(job_centres::authority_number)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .load::<(JobCentreId, String, String, String)>(conn)?
        .into_iter()
        .map(CentreRef::from)
        .collect();
    Ok(Page::new(items, total, page, per_page))
}

// ---- networks and centres as data -------------------------------------------------

pub fn create_network(conn: &mut DbConn, actor: Option<&AuthUser>, name: &str) -> AppResult<NetworkId> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(AppError::invalid("name", "must be 1 to 64 characters"));
    }
    if network_by_name(conn, name)?.is_some() {
        return Err(AppError::Conflict(format!("network '{name}' exists already")));
    }
    let id = diesel::insert_into(networks::table)
        .values(networks::name.eq(name))
        .returning(networks::id)
        .get_result::<NetworkId>(conn)?;
    audit::record(conn, actor, "network", id.0, "created", json!({ "name": name }))?;
    Ok(id)
}

fn centre_by_number(conn: &mut DbConn, number: &str) -> AppResult<JobCentreId> {
    job_centres::table
        .filter(job_centres::authority_number.eq(number.trim()))
        .select(job_centres::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::invalid(
                "authority_number",
                format!("no job centre with authority number '{number}'"),
            )
        })
}

pub fn create_centre(conn: &mut DbConn, actor: Option<&AuthUser>, number: &str, name: &str) -> AppResult<JobCentreId> {
    let (number, name) = (number.trim(), name.trim());
    if number.is_empty() || number.len() > 16 || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(AppError::invalid("authority_number", "must look like 15.300"));
    }
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AppError::invalid("name", "must be 1 to 100 characters"));
    }
    let exists: i64 = job_centres::table
        .filter(job_centres::authority_number.eq(number))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Err(AppError::Conflict(format!(
            "a job centre with authority number {number} exists already"
        )));
    }
    let id = diesel::insert_into(job_centres::table)
        .values((
            job_centres::authority_type.eq("JobCenter"),
            job_centres::authority_number.eq(number),
            job_centres::name.eq(name),
        ))
        .returning(job_centres::id)
        .get_result::<JobCentreId>(conn)?;
    audit::record(
        conn,
        actor,
        "job_centre",
        id.0,
        "created",
        json!({ "authority_number": number, "name": name }),
    )?;
    Ok(id)
}

pub fn add_member(conn: &mut DbConn, actor: Option<&AuthUser>, network: &str, number: &str) -> AppResult<()> {
    let nid = network_by_name(conn, network)?.ok_or(AppError::NotFound)?;
    let cid = centre_by_number(conn, number)?;
    let exists: i64 = network_members::table
        .filter(network_members::network_id.eq(nid))
        .filter(network_members::job_centre_id.eq(cid))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Err(AppError::Conflict(format!("{number} is already a member of {network}")));
    }
    diesel::insert_into(network_members::table)
        .values((
            network_members::network_id.eq(nid),
            network_members::job_centre_id.eq(cid),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        "network",
        nid.0,
        "member_added",
        json!({ "authority_number": number }),
    )?;
    Ok(())
}

pub fn remove_member(conn: &mut DbConn, actor: Option<&AuthUser>, network: &str, number: &str) -> AppResult<()> {
    let nid = network_by_name(conn, network)?.ok_or(AppError::NotFound)?;
    let cid = centre_by_number(conn, number)?;
    let n = diesel::delete(
        network_members::table
            .filter(network_members::network_id.eq(nid))
            .filter(network_members::job_centre_id.eq(cid)),
    )
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let no_longer_notified = drop_notifications(conn, nid, cid)?;
    audit::record(
        conn,
        actor,
        "network",
        nid.0,
        "member_removed",
        json!({ "authority_number": number, "no_longer_notified": no_longer_notified }),
    )?;
    Ok(())
}

/// A centre that left a network loses the orders it saw through that network alone: their
/// notification rows go (the shared list, `orders::load_visible` and new referrals all hang
/// on them). Orders another of its networks still shares stay. Its own referrals stay its.
fn drop_notifications(conn: &mut DbConn, network: NetworkId, centre: JobCentreId) -> AppResult<usize> {
    let shared_with_network = order_shares::table
        .filter(order_shares::network_id.eq(network))
        .select(order_shares::order_id);
    let still_shared = order_shares::table
        .inner_join(network_members::table.on(network_members::network_id.eq(order_shares::network_id)))
        .filter(network_members::job_centre_id.eq(centre))
        .select(order_shares::order_id);
    Ok(diesel::delete(
        order_notifications::table
            .filter(order_notifications::job_centre_id.eq(centre))
            .filter(order_notifications::order_id.eq_any(shared_with_network))
            .filter(order_notifications::order_id.ne_all(still_shared)),
    )
    .execute(conn)?)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NetworkView {
    pub id: NetworkId,
    pub name: String,
    pub members: Vec<CentreRef>,
}

pub fn list_networks(conn: &mut DbConn) -> AppResult<Vec<NetworkView>> {
    let nets: Vec<(NetworkId, String)> = networks::table
        .select((networks::id, networks::name))
        .order(networks::name)
        .load(conn)?;
    let members: Vec<(NetworkId, JobCentreId, String, String, String)> = network_members::table
        .inner_join(job_centres::table)
        .select((
            network_members::network_id,
            job_centres::id,
            job_centres::authority_type,
            job_centres::authority_number,
            job_centres::name,
        ))
        .order(job_centres::authority_number)
        .load(conn)?;
    Ok(nets
        .into_iter()
        .map(|(id, name)| NetworkView {
            id,
            name,
            members: members
                .iter()
                .filter(|m| m.0 == id)
                .map(|m| CentreRef {
                    id: m.1,
                    authority_type: m.2.clone(),
                    authority_number: m.3.clone(),
                    name: m.4.clone(),
                })
                .collect(),
        })
        .collect())
}

/// Every job centre by authority number (the administrator's choice of a new member).
pub fn centres(conn: &mut DbConn) -> AppResult<Vec<CentreRef>> {
    Ok(job_centres::table
        .select((
            job_centres::id,
            job_centres::authority_type,
            job_centres::authority_number,
            job_centres::name,
        ))
        .order(job_centres::authority_number)
        .load::<(JobCentreId, String, String, String)>(conn)?
        .into_iter()
        .map(CentreRef::from)
        .collect())
}

/// The networks the user's centre belongs to.
pub fn networks_of_centre(conn: &mut DbConn, centre: JobCentreId) -> AppResult<Vec<String>> {
    Ok(network_members::table
        .inner_join(networks::table)
        .filter(network_members::job_centre_id.eq(centre))
        .select(networks::name)
        .order(networks::name)
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1.234");
        assert_eq!(thousands(1234567), "1.234.567");
    }

    #[test]
    fn page_range_as_staer_shows_it() {
        let p = Page::new(vec![1, 2, 3, 4, 5, 6], 26, 1, 6);
        assert_eq!(p.range, "1 - 6 af 26");
        let p = Page::new(vec![1, 2], 26, 5, 6);
        assert_eq!(p.range, "25 - 26 af 26");
        let p: Page<i32> = Page::new(vec![], 0, 1, 6);
        assert_eq!(p.range, "0 - 0 af 0");
    }
}
