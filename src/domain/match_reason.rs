//! Why a candidate is suggested for an order: the tier of the match and the distance, as
//! data for the pages and as the Danish sentence the JSON API has always given.

use serde::Serialize;

use crate::occupations;

/// How a candidate fits an order; the lower tier ranks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    SameOccupation = 1,
    RelatedOccupation = 2,
    NoQualificationsNeeded = 3,
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
    pub(crate) fn new(kind: Tier, wish: Option<&str>, distance: Option<f64>, licence: bool) -> MatchReason {
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

/// Said of every match of an order that requires a driving licence.
pub const LICENCE_REASON: &str = ", har kørekort (påkrævet)";

/// A distance as shown: to 100 m.
pub(crate) fn shown_km(distance: Option<f64>) -> Option<f64> {
    distance.map(|d| (d * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
