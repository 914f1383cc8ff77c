//! The wish rows tiers 1-2 of an order's suggestions read: the order's own code (tier 1),
//! place by place when the order has a workplace, and the rest of its group (tier 2).

use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::{closeness, shown_km, Ranked, Tier, Want, SHORT_LIST};
use crate::db::schema::candidate_wishes;
use crate::db::DbConn;
use crate::geo;
use crate::ids::{CandidateId, JobCentreId, JobOrderId};
use crate::on_inner;

/// The consenting candidates' wishes of a centre, less those referred to the order and still
/// live, and those without a driving licence when the order requires one: what both reads of
/// tier 1 and the rest of the group start from. A macro: the query is built inside
/// `on_inner!`'s arms, each of its own backend.
macro_rules! wishers {
    ($centre:expr, $order_id:expr, $licence:expr) => {
        candidate_wishes::table
            .filter(candidate_wishes::job_centre_id.eq($centre))
            .filter(candidate_wishes::consenting)
            .filter(candidate_wishes::candidate_id.ne_all(crate::domain::referrals::live_candidates($order_id)))
            .filter(
                candidate_wishes::driving_licence
                    .eq(true)
                    .or(diesel::dsl::not($licence.into_sql::<Bool>())),
            )
    };
}

/// Which wishes of an order's occupation are read: those of its code (tier 1), or those of
/// the rest of its group (tier 2).
#[derive(Clone, Copy)]
pub(super) enum Wished {
    Code,
    RestOfGroup,
}

/// A wish row of one range: candidate, name, lat, lon, and for the rest of the group the
/// wish's code (the code's own range needs none: it is the order's).
type WishRow = (CandidateId, String, Option<f64>, Option<f64>, Option<String>);

/// The consenting candidates' wishes of one range (an index range read alone; `inside`: the
/// box of the reach, a wish without a place being kept), in the candidates' order, one
/// candidate's rows together. Only what ranks them is read: thousands of rows a page.
pub(super) fn wishing(
    conn: &mut DbConn,
    want: &Want,
    range: Wished,
    order_id: JobOrderId,
    centre: JobCentreId,
    licence: bool,
    inside: Option<(f64, f64, f64, f64)>,
) -> QueryResult<Vec<WishRow>> {
    use candidate_wishes as w;
    use diesel::sql_types::{Nullable, Text};
    let (code, group) = (want.code.unwrap_or(""), want.group.unwrap_or(""));
    // On the inner connection (`on_inner!`, db/direct.rs): each field decoded without
    // `DbConn`'s per-field indirection. The query is built in the arm: a boxed query's type
    // names its backend.
    on_inner!(conn, c => {
        let rows = || wishers!(centre, order_id, licence);
        let mut q = match range {
            Wished::Code => rows()
                .filter(w::occupation_code.eq(code))
                .select((w::candidate_id, w::name, w::lat, w::lon, None::<String>.into_sql::<Nullable<Text>>()))
                .into_boxed(),
            Wished::RestOfGroup => rows()
                .filter(w::occupation_group.eq(group))
                .filter(w::occupation_code.ne(code))
                .select((w::candidate_id, w::name, w::lat, w::lon, w::occupation_code.nullable()))
                .into_boxed(),
        };
        if let Some((la0, la1, lo0, lo1)) = inside {
            q = q.filter(w::lat.is_null().or(w::lat.between(la0, la1).and(w::lon.between(lo0, lo1))));
        }
        q.order((w::candidate_id, w::occupation_code)).limit(SHORT_LIST).load(c)
    })
}

/// Tier 1 for an order with a workplace: only the nearest of the code's wishers are read.
/// Everyone at one place is as near as the others there, and ranks among them by name; so
/// the places are counted first (one row a place, in the index's order), and then each place
/// near enough to make the list gives its first `limit` by name. Places are taken nearest
/// first until `limit` candidates, with every place as near (as shown) as the last one taken.
#[allow(clippy::too_many_arguments)]
pub(super) fn nearest_of_code(
    conn: &mut DbConn,
    want: &Want,
    order_id: JobOrderId,
    centre: JobCentreId,
    licence: bool,
    place: (f64, f64),
    radius_km: f64,
    limit: usize,
) -> QueryResult<Vec<Ranked>> {
    use candidate_wishes as w;
    use diesel::sql_types::{Nullable, Text};
    type Place = (Option<f64>, Option<f64>);
    let code = want.code.unwrap_or("");
    let mut rows: Vec<WishRow> = on_inner!(conn, c => {
        let wishers = || wishers!(centre, order_id, licence).filter(w::occupation_code.eq(code));
        let places: Vec<(Place, i64)> = wishers()
            .group_by((w::lat, w::lon))
            .select(((w::lat, w::lon), diesel::dsl::count_star()))
            .load(c)?;
        // Within reach (or without a place, ranked after every known one), nearest first.
        let mut near: Vec<((Tier, bool, f64), Place, i64)> = places
            .into_iter()
            .filter_map(|((la, lo), n)| {
                let d = geo::reach(Some(place), la.zip(lo), radius_km)?;
                Some((closeness(Tier::SameOccupation, shown_km(d)), (la, lo), n))
            })
            .collect();
        near.sort_by(|(a, ..), (b, ..)| (a.0, a.1).cmp(&(b.0, b.1)).then(a.2.total_cmp(&b.2)));
        let mut rows: Vec<WishRow> = Vec::new();
        let (mut taken, mut last) = (0usize, None);
        for (key, (la, lo), n) in near {
            if taken >= limit && last != Some(key) {
                break;
            }
            let mut q = wishers()
                .select((w::candidate_id, w::name, w::lat, w::lon, None::<String>.into_sql::<Nullable<Text>>()))
                .into_boxed();
            q = match la {
                Some(v) => q.filter(w::lat.eq(v)),
                None => q.filter(w::lat.is_null()),
            };
            q = match lo {
                Some(v) => q.filter(w::lon.eq(v)),
                None => q.filter(w::lon.is_null()),
            };
            rows.extend(q.order((w::name, w::candidate_id)).limit(limit as i64).load::<WishRow>(c)?);
            taken += n as usize;
            last = Some(key);
        }
        rows
    });
    // In the candidates' order, as the whole range was read: equal keys keep it.
    rows.sort_unstable_by_key(|r| r.0);
    Ok(rank_wishes(Wished::Code, Some(place), radius_km, rows))
}

/// Ranks one range's rows, all of its tier, dropping those out of reach. A candidate with
/// several wishes of the group keeps the first by code, as `tier` chooses.
pub(super) fn rank_wishes(range: Wished, place: Option<(f64, f64)>, radius_km: f64, rows: Vec<WishRow>) -> Vec<Ranked> {
    let tier = match range {
        Wished::Code => Tier::SameOccupation,
        Wished::RestOfGroup => Tier::RelatedOccupation,
    };
    let mut out: Vec<Ranked> = Vec::with_capacity(rows.len());
    let mut last = None;
    for (id, name, lat, lon, wish) in rows {
        if last.replace(id) == Some(id) {
            continue;
        }
        if let Some(distance) = geo::reach(place, lat.zip(lon), radius_km) {
            out.push(Ranked {
                id,
                name,
                tier,
                wish,
                distance,
            });
        }
    }
    out
}
