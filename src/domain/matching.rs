//! Matching candidates and shared orders. Ranked in tiers: the same occupation within
//! reach, then a related occupation (same group, or an alias of it), then a job needing no
//! special qualifications. The database narrows by centre, consent, occupation and a
//! bounding box (indexed); the exact distance and the ranking are done on that short list.
//! The candidates for an order are ranked on narrow rows (for tiers 1-2 the wish rows alone,
//! which carry their candidate's name, place, consent and licence, kept in step by triggers:
//! migration 2026-12-01-000401); only the few shown are then read in full.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use serde::{Deserialize, Serialize};

use crate::db::schema::{candidate_wishes, candidates, job_centres, job_orders, order_notifications, order_shares};
use crate::db::{Db, DbConn};
use crate::domain::actor::AuthUser;
use crate::domain::candidates::{load_own, SharedCandidate};
use crate::domain::order::JobOrder;
use crate::domain::referral::State;
use crate::domain::{order, orders, referrals};
use crate::error::{AppError, AppResult};
use crate::ids::{CandidateId, JobOrderId};
use crate::mail::Mail;
use crate::{geo, occupations};

pub const DEFAULT_RADIUS_KM: f64 = 70.0;
/// The short list the database returns before exact ranking.
const SHORT_LIST: i64 = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    SameOccupation = 1,
    RelatedOccupation = 2,
    NoQualificationsNeeded = 3,
}

/// What an order asks for and a candidate wishes, as far as ranking goes.
pub struct Want<'a> {
    pub code: Option<&'a str>,
    pub group: Option<&'a str>,
    pub no_qualifications: bool,
}

/// The best tier of a candidate's wishes for an order, if any.
pub fn tier(order: &Want, wishes: &[(String, String)]) -> Option<(Tier, Option<String>)> {
    let same = wishes.iter().find(|(c, _)| Some(c.as_str()) == order.code);
    if let Some((c, _)) = same {
        return Some((Tier::SameOccupation, Some(c.clone())));
    }
    let related = wishes.iter().find(|(_, g)| Some(g.as_str()) == order.group);
    if let Some((c, _)) = related {
        return Some((Tier::RelatedOccupation, Some(c.clone())));
    }
    order.no_qualifications.then_some((Tier::NoQualificationsNeeded, None))
}

fn label(code: &str) -> String {
    occupations::by_code(code)
        .map(|o| o.label.clone())
        .unwrap_or_else(|| code.to_string())
}

/// Why a match was made, as data: the pages write it in their language, the JSON API gives it
/// as `why` beside its Danish sentence `reason` (kept as it was, for existing clients).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MatchReason {
    /// The tier: `same_occupation`, `related_occupation` or `no_qualifications_needed`.
    pub kind: Tier,
    /// The candidate's wish that matched (none for `no_qualifications_needed`).
    pub occupation_code: Option<String>,
    /// That wish's label from the occupation list (the code when it is not in the list).
    pub occupation: Option<String>,
    /// The distance in km, to 100 m; none when a place is unknown.
    pub distance_km: Option<f64>,
    /// The order requires a driving licence (and the candidate has one).
    pub requires_driving_licence: bool,
}

impl MatchReason {
    fn new(kind: Tier, wish: Option<&str>, distance: Option<f64>, licence: bool) -> MatchReason {
        MatchReason {
            kind,
            occupation_code: wish.map(str::to_string),
            occupation: wish.map(label),
            distance_km: shown_km(distance),
            requires_driving_licence: licence,
        }
    }

    /// The Danish sentence the JSON API has always given as `reason`.
    pub fn danish(&self) -> String {
        let what = match (self.kind, &self.occupation) {
            (Tier::SameOccupation, Some(w)) => format!("Samme stilling: {w}"),
            (Tier::RelatedOccupation, Some(w)) => format!("Beslægtet stilling: {w} (samme faggruppe)"),
            _ => "Kræver ingen særlige kvalifikationer".to_string(),
        };
        let place = match self.distance_km {
            Some(d) => format!("{what}, {d:.0} km"),
            None => format!("{what}, afstand ukendt"),
        };
        if self.requires_driving_licence {
            format!("{place}{LICENCE_REASON}")
        } else {
            place
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchQuery {
    pub limit: Option<i64>,
    pub radius_km: Option<f64>,
}

impl MatchQuery {
    pub fn limits(&self) -> AppResult<(usize, f64)> {
        let radius = self.radius_km.unwrap_or(DEFAULT_RADIUS_KM);
        if !(radius.is_finite() && radius > 0.0 && radius <= 1000.0) {
            return Err(AppError::invalid("radius_km", "must be between 0 and 1000"));
        }
        Ok((self.limit.unwrap_or(20).clamp(1, 200) as usize, radius))
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateMatch {
    pub candidate: SharedCandidate,
    pub postcode: Option<String>,
    pub tier: Tier,
    pub distance_km: Option<f64>,
    /// `why` in Danish (stable since the first version of the API).
    pub reason: String,
    pub why: MatchReason,
}

/// What the ranking reads of a candidate, one row per wish (none: a candidate without
/// wishes): id, name, lat, lon, wish code, wish group.
type Narrow = (
    CandidateId,
    String,
    Option<f64>,
    Option<f64>,
    Option<String>,
    Option<String>,
);

/// A candidate ranked, before what is shown of it is read.
struct Ranked {
    id: CandidateId,
    name: String,
    tier: Tier,
    wish: Option<String>,
    distance: Option<f64>,
}

/// Growing search radii (km) for orders anyone may take: the nearest candidates are found in
/// a small box before the whole reach is read (40k candidates for the biggest centre).
const RINGS_KM: [f64; 6] = [0.5, 2.0, 5.0, 10.0, 20.0, 40.0];
const RING_ROWS: i64 = 1000;

mod wishes;
use wishes::{nearest_of_code, rank_wishes, wishing, Wished};

/// The consenting candidates of the user's centre that fit an order the user can see, best first.
///
/// Tiers 1 and 2 start from the candidates' wishes of the order's occupation or group (an
/// index range); of the occupation's own, only the nearest places are read in full. An order
/// needing no qualifications is open to every candidate: when the wishes leave room, the
/// nearest others are read in growing boxes, so a page reads the neighbourhood rather than
/// every candidate within reach.
pub fn candidates_for_order(
    conn: &mut DbConn,
    user: &AuthUser,
    order_id: JobOrderId,
    limit: usize,
    radius_km: f64,
) -> AppResult<Vec<CandidateMatch>> {
    let (order, _) = orders::load_visible(conn, user, order_id)?;
    candidates_for(conn, user, &order, limit, radius_km)
}

/// `candidates_for_order`, for an order the caller has loaded with `orders::load_visible`.
pub fn candidates_for(
    conn: &mut DbConn,
    user: &AuthUser,
    order: &JobOrder,
    limit: usize,
    radius_km: f64,
) -> AppResult<Vec<CandidateMatch>> {
    let order_id = order.id;
    let want = Want {
        code: order.occupation_code.as_deref(),
        group: order.occupation_group.as_deref(),
        no_qualifications: order.no_qualifications,
    };
    let place = order.lat.zip(order.lon);
    let centre = user.job_centre_id;
    let licence = order.requires_driving_licence;
    // The box of `km` around the workplace (None: the order gives no place).
    let bbox = |km: f64| place.map(|p| geo::bounding_box(p, km));

    // Tiers 1-2: the wishes of the order's code, then those of the rest of its group, within
    // reach or without a place. Every tier-1 match ranks above every tier-2 one, so when the
    // code's alone fill the page the group's are not read (most orders of a big centre).
    let mut out = Vec::new();
    if want.code.is_some() || want.group.is_some() {
        let wished = |conn: &mut DbConn, range| wishing(conn, &want, range, order_id, centre, licence, bbox(radius_km));
        out = match place {
            Some(p) => nearest_of_code(conn, &want, order_id, centre, licence, p, radius_km, limit)?,
            None => rank_wishes(Wished::Code, place, radius_km, wished(conn, Wished::Code)?),
        };
        if out.len() < limit {
            // A candidate wishing the code and another of the group is tier 1, ranked above.
            let seen: HashSet<CandidateId> = out.iter().map(|m| m.id).collect();
            let related = rank_wishes(
                Wished::RestOfGroup,
                place,
                radius_km,
                wished(conn, Wished::RestOfGroup)?,
            );
            out.extend(related.into_iter().filter(|m| !seen.contains(&m.id)));
        }
    }

    // Tier 3: the nearest of the others, ring by ring, then those without a known place.
    if want.no_qualifications && out.len() < limit {
        let base = || {
            candidates::table
                .left_join(candidate_wishes::table)
                .filter(candidates::job_centre_id.eq(centre))
                .filter(candidates::consent_given_at.is_not_null())
                .filter(candidates::consent_revoked_at.is_null())
                .filter(candidates::id.ne_all(referrals::live_candidates(order_id)))
                .filter(
                    candidates::driving_licence
                        .eq(true)
                        .or(diesel::dsl::not(licence.into_sql::<Bool>())),
                )
                .select((
                    candidates::id,
                    candidates::name,
                    candidates::lat,
                    candidates::lon,
                    candidate_wishes::occupation_code.nullable(),
                    candidate_wishes::occupation_group.nullable(),
                ))
                .order(candidates::id)
                .limit(SHORT_LIST)
                .into_boxed()
        };
        let seen: HashSet<CandidateId> = out.iter().map(|m| m.id).collect();
        let need = limit - out.len();
        let mut others = Vec::new();
        let rings = RINGS_KM.iter().copied().filter(|r| *r < radius_km).chain([radius_km]);
        for km in rings {
            let Some((la0, la1, lo0, lo1)) = bbox(km) else {
                // No workplace: every candidate is as near as any other.
                others = rank(&want, place, radius_km, base().load(conn)?);
                break;
            };
            // In the index's order (no sort of the whole box) and at most RING_ROWS rows: a box
            // can hold thousands at one postcode's point. When it is cut off, the ones taken
            // are still within `km`, the ring's width being the error.
            let rows: Vec<Narrow> = base()
                .filter(candidates::lat.between(la0, la1).and(candidates::lon.between(lo0, lo1)))
                .order((candidates::lat, candidates::lon, candidates::id))
                .limit(RING_ROWS)
                .load(conn)?;
            others = rank(&want, place, km, rows);
            others.retain(|m| !seen.contains(&m.id));
            // Everyone within `km` is in its box: enough of them are the nearest.
            if others.len() >= need {
                break;
            }
        }
        if others.len() < need && place.is_some() {
            let rows: Vec<Narrow> = base().filter(candidates::lat.is_null()).load(conn)?;
            others.extend(rank(&want, place, radius_km, rows));
        }
        out.extend(others.into_iter().filter(|m| !seen.contains(&m.id)));
    }
    let mut top = best(out, limit);
    // A tier-1 wish is the order's own code: named for the shown ones only.
    for r in top.iter_mut().filter(|r| r.tier == Tier::SameOccupation) {
        r.wish = want.code.map(str::to_string);
    }
    Ok(shown(conn, top, licence)?)
}

/// The best `limit`, in order: best tier first, then the nearest as shown (to 100 m), then
/// by name; the candidates' order where all three are equal. Thousands may wish a popular
/// occupation: each one's key is made once, and only the best `limit` are sorted (the rest
/// are split off in linear time).
fn best(out: Vec<Ranked>, limit: usize) -> Vec<Ranked> {
    // `closeness` of the shown distance, as every ranking here compares; the position comes
    // last, so equal keys keep the candidates' order.
    type Key = ((Tier, bool, f64), usize);
    let mut keys: Vec<Key> = out
        .iter()
        .enumerate()
        .map(|(i, r)| (closeness(r.tier, shown_km(r.distance)), i))
        .collect();
    let order = |((ta, na, da), ia): &Key, ((tb, nb, db), ib): &Key| {
        (ta, na)
            .cmp(&(tb, nb))
            .then(da.total_cmp(db))
            .then_with(|| out[*ia].name.cmp(&out[*ib].name))
            .then(ia.cmp(ib))
    };
    if keys.len() > limit {
        keys.select_nth_unstable_by(limit, order);
        keys.truncate(limit);
    }
    keys.sort_unstable_by(order);
    let mut slots: Vec<Option<Ranked>> = out.into_iter().map(Some).collect();
    keys.iter().filter_map(|(_, i)| slots[*i].take()).collect()
}

/// Folds the rows (one per wish) into one per candidate, with its tier, wish and distance;
/// drops those that don't fit or are out of reach.
fn rank(want: &Want, place: Option<(f64, f64)>, radius_km: f64, rows: Vec<Narrow>) -> Vec<Ranked> {
    let mut by_id: Vec<(Narrow, Vec<(String, String)>)> = Vec::new();
    for row in rows {
        let wish = row.4.clone().zip(row.5.clone());
        match by_id.last_mut() {
            Some((r, w)) if r.0 == row.0 => w.extend(wish),
            _ => by_id.push((row, wish.into_iter().collect())),
        }
    }
    by_id
        .into_iter()
        .filter_map(|(r, wishes)| {
            let (t, wish) = tier(want, &wishes)?;
            let distance = geo::reach(place, r.2.zip(r.3), radius_km)?;
            Some(Ranked {
                id: r.0,
                name: r.1,
                tier: t,
                wish,
                distance,
            })
        })
        .collect()
}

/// The ranked candidates as shown, in their order: contact details as each one shares them.
fn shown(conn: &mut DbConn, ranked: Vec<Ranked>, licence: bool) -> QueryResult<Vec<CandidateMatch>> {
    type Row = (
        CandidateId,
        String,
        Option<String>,
        Option<String>,
        bool,
        bool,
        Option<String>,
    );
    let ids: Vec<CandidateId> = ranked.iter().map(|r| r.id).collect();
    let rows: Vec<Row> = candidates::table
        .filter(candidates::id.eq_any(ids))
        .select((
            candidates::id,
            candidates::name,
            candidates::email,
            candidates::phone,
            candidates::share_email,
            candidates::share_phone,
            candidates::postcode,
        ))
        .load(conn)?;
    let mut by_id: HashMap<CandidateId, Row> = rows.into_iter().map(|r| (r.0, r)).collect();
    Ok(ranked
        .into_iter()
        .filter_map(|r| {
            let (id, name, email, phone, share_email, share_phone, postcode) = by_id.remove(&r.id)?;
            let why = MatchReason::new(r.tier, r.wish.as_deref(), r.distance, licence);
            Some(CandidateMatch {
                reason: why.danish(),
                why,
                candidate: SharedCandidate {
                    id,
                    name,
                    email: email.filter(|_| share_email),
                    phone: phone.filter(|_| share_phone),
                },
                postcode,
                tier: r.tier,
                distance_km: shown_km(r.distance),
            })
        })
        .collect())
}

/// Said of every match of an order that requires a driving licence.
pub const LICENCE_REASON: &str = ", har kørekort (påkrævet)";

/// The ranking key of a match: best tier first; within it the nearest, unknown places last.
fn closeness(tier: Tier, distance_km: Option<f64>) -> (Tier, bool, f64) {
    (tier, distance_km.is_none(), distance_km.unwrap_or(0.0))
}

/// A distance as shown: to 100 m.
fn shown_km(distance: Option<f64>) -> Option<f64> {
    distance.map(|d| (d * 10.0).round() / 10.0)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderMatch {
    pub order_id: JobOrderId,
    pub title: String,
    pub occupation: String,
    pub company_name: String,
    pub start_date: NaiveDate,
    pub vacancies: i32,
    pub primary_authority: String,
    pub tier: Tier,
    pub distance_km: Option<f64>,
    /// `why` in Danish (stable since the first version of the API).
    pub reason: String,
    pub why: MatchReason,
}

type OrderRow = (
    JobOrderId,
    String,
    String,
    String,
    NaiveDate,
    i32,
    String,
    Option<String>,
    Option<String>,
    bool,
    Option<f64>,
    Option<f64>,
    bool,
);

/// Open orders the candidate's centre can refer to (shared with it, or its own shared ones)
/// that fit the candidate, best first. Only shared fields are returned.
pub fn orders_for_candidate(
    conn: &mut DbConn,
    user: &AuthUser,
    candidate_id: CandidateId,
    limit: usize,
    radius_km: f64,
) -> AppResult<Vec<OrderMatch>> {
    let cand = load_own(conn, user, candidate_id)?;
    let wishes: Vec<(String, String)> = candidate_wishes::table
        .filter(candidate_wishes::candidate_id.eq(candidate_id))
        .select((candidate_wishes::occupation_code, candidate_wishes::occupation_group))
        .load(conn)?;
    let place = cand.lat.zip(cand.lon);
    let notified = order_notifications::table
        .filter(order_notifications::job_centre_id.eq(user.job_centre_id))
        .select(order_notifications::order_id);
    let own_shared = order_shares::table.select(order_shares::order_id);
    let codes: Vec<String> = wishes.iter().map(|w| w.0.clone()).collect();
    let groups: Vec<String> = wishes.iter().map(|w| w.1.clone()).collect();
    let mut q = job_orders::table
        .inner_join(job_centres::table)
        .filter(job_orders::status.eq(order::STATUS_OPEN))
        // Without a driving licence, orders that require one are left out.
        .filter(
            job_orders::requires_driving_licence
                .eq(false)
                .or(cand.driving_licence.into_sql::<diesel::sql_types::Bool>()),
        )
        .filter(
            job_orders::id.eq_any(notified).or(job_orders::job_centre_id
                .eq(user.job_centre_id)
                .and(job_orders::id.eq_any(own_shared))),
        )
        .filter(
            job_orders::occupation_code
                .eq_any(codes)
                .or(job_orders::occupation_group.eq_any(groups))
                .or(job_orders::no_qualifications.eq(true)),
        )
        .select((
            job_orders::id,
            job_orders::title,
            job_orders::occupation,
            job_orders::company_name,
            job_orders::start_date,
            job_orders::vacancies,
            job_centres::name,
            job_orders::occupation_code,
            job_orders::occupation_group,
            job_orders::no_qualifications,
            job_orders::lat,
            job_orders::lon,
            job_orders::requires_driving_licence,
        ))
        .order(job_orders::id.desc())
        .limit(SHORT_LIST)
        .into_boxed();
    if let Some(p) = place {
        let (la0, la1, lo0, lo1) = geo::bounding_box(p, radius_km);
        q = q.filter(
            job_orders::lat
                .is_null()
                .or(job_orders::lat.between(la0, la1).and(job_orders::lon.between(lo0, lo1))),
        );
    }
    let rows: Vec<OrderRow> = q.load(conn)?;
    let mut out: Vec<OrderMatch> = rows
        .into_iter()
        .filter_map(|r| {
            let want = Want {
                code: r.7.as_deref(),
                group: r.8.as_deref(),
                no_qualifications: r.9,
            };
            let (t, wish) = tier(&want, &wishes)?;
            let distance = geo::reach(place, r.10.zip(r.11), radius_km)?;
            let why = MatchReason::new(t, wish.as_deref(), distance, r.12);
            Some(OrderMatch {
                reason: why.danish(),
                why,
                order_id: r.0,
                title: r.1,
                occupation: r.2,
                company_name: r.3,
                start_date: r.4,
                vacancies: r.5,
                primary_authority: r.6,
                tier: t,
                distance_km: shown_km(distance),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (closeness(a.tier, a.distance_km), a.start_date)
            .partial_cmp(&(closeness(b.tier, b.distance_km), b.start_date))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    out.truncate(limit);
    Ok(out)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    pub candidate_id: CandidateId,
    pub status: u16,
    pub referral_id: Option<crate::ids::ReferralId>,
    pub state: Option<State>,
    pub error: Option<String>,
}

/// Refers several candidates in one action. Each goes through the same rules in its own
/// transaction, so one refusal (no consent, already referred) does not undo the others.
pub async fn bulk_refer(
    db: &Db,
    mail: &std::sync::Arc<Mail>,
    user: &AuthUser,
    order_id: JobOrderId,
    candidate_ids: Vec<CandidateId>,
) -> AppResult<Vec<BulkResult>> {
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<CandidateId> = candidate_ids.into_iter().filter(|id| seen.insert(*id)).collect();
    if ids.is_empty() || ids.len() > 100 {
        return Err(AppError::invalid("candidate_ids", "give 1 to 100 candidates"));
    }
    let mut results = Vec::with_capacity(ids.len());
    for cid in ids {
        let (mail, user) = (mail.clone(), user.clone());
        let r = db
            .write(move |c| referrals::create(c, &mail, &user, order_id, cid))
            .await;
        results.push(match r {
            Ok(r) => BulkResult {
                candidate_id: cid,
                status: 201,
                referral_id: Some(r.id),
                state: r.state().ok(),
                error: None,
            },
            // The order itself is not visible: nothing else will succeed either.
            Err(AppError::NotFound) => return Err(AppError::NotFound),
            Err(e) => BulkResult {
                candidate_id: cid,
                status: e.http_status(),
                referral_id: None,
                state: None,
                error: Some(e.to_string()),
            },
        });
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(code: &str) -> (String, String) {
        (code.into(), occupations::group_of(code))
    }

    #[test]
    fn tiers() {
        let kok = Want {
            code: Some("512010"),
            group: Some("512"),
            no_qualifications: false,
        };
        assert_eq!(tier(&kok, &[w("512010")]).unwrap().0, Tier::SameOccupation);
        assert_eq!(tier(&kok, &[w("512099")]).unwrap().0, Tier::RelatedOccupation);
        assert!(tier(&kok, &[w("711510")]).is_none());
        let opvask = Want {
            code: Some("941220"),
            group: Some("941"),
            no_qualifications: true,
        };
        assert_eq!(tier(&opvask, &[w("711510")]).unwrap().0, Tier::NoQualificationsNeeded);
        assert_eq!(
            tier(&opvask, &[w("941210"), w("941220")]).unwrap().0,
            Tier::SameOccupation
        );
        assert_eq!(tier(&opvask, &[]).unwrap().0, Tier::NoQualificationsNeeded);
    }

    #[test]
    fn reasons_say_why() {
        let why = MatchReason::new(Tier::SameOccupation, Some("512010"), Some(12.34), false);
        assert_eq!((why.occupation.as_deref(), why.distance_km), (Some("Kok"), Some(12.3)));
        assert_eq!(why.danish(), "Samme stilling: Kok, 12 km");
        let why = MatchReason::new(Tier::NoQualificationsNeeded, None, None, true);
        assert_eq!(
            why.danish(),
            "Kræver ingen særlige kvalifikationer, afstand ukendt, har kørekort (påkrævet)"
        );
        assert_eq!(serde_json::to_value(&why).unwrap()["kind"], "no_qualifications_needed");
    }
}
