//! Places: the shipped Danish postcode table (data/dk_postcodes.csv) and distances.

use std::collections::HashMap;
use std::sync::OnceLock;

/// (locality, latitude, longitude) per postcode.
fn table() -> &'static HashMap<String, (String, f64, f64)> {
    static T: OnceLock<HashMap<String, (String, f64, f64)>> = OnceLock::new();
    T.get_or_init(|| {
        let mut rdr = csv::Reader::from_reader(include_str!("../data/dk_postcodes.csv").as_bytes());
        rdr.records()
            .map(|r| {
                let r = r.expect("data/dk_postcodes.csv is well-formed");
                let lat = r[2].parse().expect("latitude");
                let lon = r[3].parse().expect("longitude");
                (r[0].to_string(), (r[1].to_string(), lat, lon))
            })
            .collect()
    })
}

/// Every postcode with its place, by postcode.
pub fn all() -> Vec<(String, f64, f64)> {
    let mut v: Vec<(String, f64, f64)> = table()
        .iter()
        .map(|(k, (_, lat, lon))| (k.clone(), *lat, *lon))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

pub fn postcode(code: &str) -> Option<(f64, f64)> {
    table().get(code.trim()).map(|(_, lat, lon)| (*lat, *lon))
}

pub fn locality(code: &str) -> Option<&'static str> {
    table().get(code.trim()).map(|(l, _, _)| l.as_str())
}

const EARTH_KM: f64 = 6371.0;

/// Great-circle distance in km.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * EARTH_KM * h.sqrt().asin()
}

/// The distance between two places when both are known; `None` when it is beyond `radius_km`
/// (out of reach), `Some(None)` when a place is unknown (reach can't be judged, so it counts).
pub fn reach(a: Option<(f64, f64)>, b: Option<(f64, f64)>, radius_km: f64) -> Option<Option<f64>> {
    match a.zip(b).map(|(a, b)| distance_km(a, b)) {
        Some(d) if d > radius_km => None,
        d => Some(d),
    }
}

/// A box around `centre` that contains every point within `km`: the index narrows the
/// search to it, then the exact distance decides.
pub fn bounding_box(centre: (f64, f64), km: f64) -> (f64, f64, f64, f64) {
    let dlat = (km / EARTH_KM).to_degrees();
    let dlon = (km / (EARTH_KM * centre.0.to_radians().cos().max(0.01))).to_degrees();
    (centre.0 - dlat, centre.0 + dlat, centre.1 - dlon, centre.1 + dlon)
}

pub fn valid_coordinates(lat: f64, lon: f64) -> bool {
    lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_have_places() {
        assert_eq!(locality("2605"), Some("Brøndby"));
        assert!(postcode("3400").is_some());
        assert!(postcode("0000").is_none());
    }

    #[test]
    fn distances_are_plausible() {
        let brondby = postcode("2605").unwrap();
        let hillerod = postcode("3400").unwrap();
        let aalborg = postcode("9000").unwrap();
        let d = distance_km(brondby, hillerod);
        assert!((25.0..40.0).contains(&d), "{d}");
        assert!(distance_km(brondby, aalborg) > 200.0);
        assert!(distance_km(brondby, brondby) < 1e-9);
    }

    #[test]
    fn reach_of_known_and_unknown_places() {
        let (a, b) = (postcode("2605"), postcode("9000"));
        assert_eq!(reach(a, b, 70.0), None);
        assert!(reach(a, b, 300.0).unwrap().unwrap() > 200.0);
        assert_eq!(reach(a, None, 70.0), Some(None));
    }

    #[test]
    fn box_contains_the_circle() {
        let c = postcode("2605").unwrap();
        let (la0, la1, lo0, lo1) = bounding_box(c, 70.0);
        for p in ["3400", "4000", "2000", "3000"] {
            let q = postcode(p).unwrap();
            if distance_km(c, q) <= 70.0 {
                assert!(q.0 >= la0 && q.0 <= la1 && q.1 >= lo0 && q.1 <= lo1, "{p}");
            }
        }
    }
}
