//! The candidates (a third as many as referrals, by centre size, most consenting) and their
//! occupation wishes.

use chrono::{Duration, NaiveDateTime};
use rand::distributions::Distribution;
use rand::rngs::StdRng;
use rand::Rng;

use super::centres::{home_of, Centres, Place};
use super::rows::{NewCandidate, NewReferral, NewWish};
use super::words::{ascii, person_name, secs, OCCUPATIONS};
use super::Timeline;

pub(super) struct Candidate {
    pub(super) centre: usize,
    pub(super) consent: bool,
    pub(super) revoked: bool,
    pub(super) first_referral: Option<NaiveDateTime>,
    pub(super) last_event: Option<NaiveDateTime>,
}

/// The candidates, and per centre the indexes of those who consented (only they are referred).
pub(super) fn plan(rng: &mut StdRng, n_referrals: usize, centres: &Centres) -> (Vec<Candidate>, Vec<Vec<u32>>) {
    let n_centres = centres.list.len();
    let n_candidates = (n_referrals / 3).max(n_centres);
    let mut cands: Vec<Candidate> = Vec::with_capacity(n_candidates);
    let mut consenting: Vec<Vec<u32>> = vec![Vec::new(); n_centres];
    for i in 0..n_candidates {
        let centre = centres.by_size.sample(rng);
        let consent = rng.gen_bool(0.9);
        if consent {
            consenting[centre].push(i as u32);
        }
        cands.push(Candidate {
            centre,
            consent,
            revoked: consent && rng.gen_bool(0.03),
            first_referral: None,
            last_event: None,
        });
    }
    (cands, consenting)
}

/// The candidates' rows, renumbered in time order (the referrals follow their candidates).
pub(super) fn rows(
    rng: &mut StdRng,
    cands: &[Candidate],
    centres: &Centres,
    places: &[Place],
    time: &Timeline,
    referrals: &mut [NewReferral],
) -> Vec<NewCandidate> {
    let mut rows: Vec<NewCandidate> = cands
        .iter()
        .enumerate()
        .map(|(i, c)| candidate_row(rng, i, c, centres, places, time))
        .collect();
    rows.sort_unstable_by_key(|c| (c.created_at, c.id));
    let mut new_id = vec![0i64; rows.len()];
    for (k, c) in rows.iter_mut().enumerate() {
        new_id[c.id as usize - 1] = k as i64 + 1;
        c.id = k as i64 + 1;
    }
    for r in referrals.iter_mut() {
        r.candidate_id = new_id[r.candidate_id as usize - 1];
    }
    rows
}

fn candidate_row(
    rng: &mut StdRng,
    i: usize,
    c: &Candidate,
    centres: &Centres,
    places: &[Place],
    time: &Timeline,
) -> NewCandidate {
    let name = person_name(rng);
    // Created (and consented) before the first referral.
    let created = match c.first_referral {
        Some(f) => f - Duration::seconds(rng.gen_range(3600..30 * 86400)),
        None => time.t0 + secs(rng, time.span),
    };
    let centre = &centres.list[c.centre];
    let by = centre.consultants[rng.gen_range(0..3)];
    let home = match rng.gen_range(0..10) {
        0..=5 => Some(home_of(places, c.centre)),
        6..=8 => Some(&places[rng.gen_range(0..places.len())]),
        _ => None,
    };
    NewCandidate {
        id: i as i64 + 1,
        job_centre_id: centre.id,
        email: rng
            .gen_bool(0.9)
            .then(|| format!("{}{}@borger.example", ascii(&name), i)),
        phone: rng
            .gen_bool(0.8)
            .then(|| format!("+45 {:08}", rng.gen_range(20_000_000..99_999_999))),
        postcode: home.map(|p| p.0.clone()),
        lat: home.map(|p| p.1),
        lon: home.map(|p| p.2),
        name,
        consent_given_at: c.consent.then_some(created + Duration::minutes(5)),
        consent_given_by: c.consent.then_some(by),
        consent_revoked_at: c
            .revoked
            .then(|| c.last_event.unwrap_or(created + Duration::days(1)).min(time.now)),
        share_email: rng.gen_bool(0.85),
        share_phone: rng.gen_bool(0.6),
        created_by: by,
        created_at: created,
    }
}

/// One or two occupation wishes per candidate, from the same occupation list as the orders.
pub(super) fn wishes(rng: &mut StdRng, candidates: &[NewCandidate]) -> Vec<NewWish> {
    let mut rows = Vec::with_capacity(candidates.len() * 3 / 2);
    for c in candidates {
        let first = rng.gen_range(0..OCCUPATIONS.len());
        let n = if rng.gen_bool(0.5) { 2 } else { 1 };
        for k in 0..n {
            let code = OCCUPATIONS[(first + k * 7) % OCCUPATIONS.len()].2;
            rows.push(NewWish {
                candidate_id: c.id,
                occupation_code: code.to_string(),
                occupation_group: crate::occupations::group_of(code),
                job_centre_id: c.job_centre_id,
                name: c.name.clone(),
                lat: c.lat,
                lon: c.lon,
                consenting: c.consent_given_at.is_some() && c.consent_revoked_at.is_none(),
            });
        }
    }
    rows
}
