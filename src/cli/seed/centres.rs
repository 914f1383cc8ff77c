//! The job centres, their networks and users: sizes skewed like Danish municipalities.

use chrono::NaiveDateTime;
use rand::distributions::WeightedIndex;
use rand::rngs::StdRng;
use rand::Rng;

use super::rows::{NewCentre, NewMember, NewNetwork, NewUser};
use super::words::{person_name, NETWORK_NAMES};
use crate::error::{AppError, AppResult};

/// A postcode with its latitude and longitude (`geo::all`).
pub(super) type Place = (String, f64, f64);

pub(super) struct Centre {
    pub(super) id: i64,
    pub(super) number: usize,
    pub(super) consultants: [i64; 3],
    pub(super) networks: Vec<usize>,
}

pub(super) struct Centres {
    pub(super) list: Vec<Centre>,
    /// The centres of each network, by index.
    pub(super) members: Vec<Vec<usize>>,
    /// Draws a centre index by size: c001 is the biggest.
    pub(super) by_size: WeightedIndex<f64>,
    pub(super) admin_id: i64,
}

impl Centres {
    pub(super) fn n_networks(&self) -> usize {
        self.members.len()
    }
}

/// The centres and their networks. Each centre has three consultants (ids in centre order),
/// then comes the one admin.
pub(super) fn plan(rng: &mut StdRng, n_centres: usize) -> AppResult<Centres> {
    // Sizes roughly like Danish municipalities (Zipf-like).
    let weights: Vec<f64> = (0..n_centres).map(|i| 1.0 / ((i + 1) as f64).powf(0.8)).collect();
    let by_size = WeightedIndex::new(&weights).map_err(|e| AppError::Internal(e.to_string()))?;
    // A few networks of ~26 centres; each centre is in one, about 30% in a second.
    let n_networks = ((n_centres as f64 * 1.3 / 26.0).round() as usize).clamp(1, NETWORK_NAMES.len());
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_networks];
    let mut list = Vec::with_capacity(n_centres);
    for i in 0..n_centres {
        let mut nets = vec![i % n_networks];
        if n_networks > 1 && rng.gen_bool(0.3) {
            nets.push((i + 1) % n_networks);
        }
        for &n in &nets {
            members[n].push(i);
        }
        let id = i as i64 + 1;
        list.push(Centre {
            id,
            number: i + 1,
            consultants: [id * 3 - 2, id * 3 - 1, id * 3],
            networks: nets,
        });
    }
    Ok(Centres {
        list,
        members,
        by_size,
        admin_id: n_centres as i64 * 3 + 1,
    })
}

/// Each centre has a home postcode, spread over the country; most of its orders and
/// candidates are there.
pub(super) fn home_of(places: &[Place], centre: usize) -> &Place {
    &places[(centre * 97 + 13) % places.len()]
}

pub(super) fn centre_rows(centres: &Centres) -> Vec<NewCentre> {
    centres
        .list
        .iter()
        .map(|c| NewCentre {
            id: c.id,
            authority_type: "JobCenter",
            authority_number: format!("{:02}.{:03}", 10 + c.number / 1000, c.number % 1000),
            name: format!("Jobcenter C{:03}", c.number),
        })
        .collect()
}

pub(super) fn network_rows(centres: &Centres) -> Vec<NewNetwork> {
    (0..centres.n_networks())
        .map(|i| NewNetwork {
            id: i as i64 + 1,
            name: NETWORK_NAMES[i].to_string(),
        })
        .collect()
}

pub(super) fn member_rows(centres: &Centres) -> Vec<NewMember> {
    centres
        .members
        .iter()
        .enumerate()
        .flat_map(|(n, ms)| {
            ms.iter().map(move |&m| NewMember {
                network_id: n as i64 + 1,
                job_centre_id: m as i64 + 1,
            })
        })
        .collect()
}

/// `cNNN.konsulentK` for each centre's consultants, then `admin`; all with one password hash.
pub(super) fn user_rows(rng: &mut StdRng, centres: &Centres, hash: &str, created_at: NaiveDateTime) -> Vec<NewUser> {
    let mut rows: Vec<NewUser> = Vec::with_capacity(centres.list.len() * 3 + 1);
    for c in &centres.list {
        for (j, &id) in c.consultants.iter().enumerate() {
            let username = format!("c{:03}.konsulent{}", c.number, j + 1);
            rows.push(NewUser {
                id,
                email: format!("{username}@jobcenter.example"),
                username,
                password_hash: hash.to_string(),
                display_name: person_name(rng),
                job_centre_id: c.id,
                role: "consultant",
                language: "da",
                created_at,
            });
        }
    }
    rows.push(NewUser {
        id: centres.admin_id,
        username: "admin".into(),
        password_hash: hash.to_string(),
        display_name: "Administrator".into(),
        email: "admin@jobcenter.example".into(),
        job_centre_id: 1,
        role: "admin",
        language: "da",
        created_at,
    });
    rows
}
