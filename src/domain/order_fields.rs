//! What may be written to an order: the fields of a create, a patch that tells "clear" from
//! "leave", and the rules every write is checked against.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use crate::domain::order::JobOrder;
use crate::domain::validate::{check_email, check_opt, check_text};
use crate::error::{AppError, AppResult};
use crate::ids::UserId;

/// The writable fields of an order, complete and validated before they are stored.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OrderFields {
    pub title: String,
    pub occupation: String,
    pub occupation_code: Option<String>,
    pub request_id: Option<String>,
    pub company_name: String,
    pub cvr: Option<String>,
    pub employer_email: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub vacancies: i32,
    pub order_type: String,
    pub responsible_consultant_id: Option<UserId>,
    pub coordinator_id: Option<UserId>,
    pub coordinator_external: Option<String>,
    pub coordinator_allowed: bool,
    pub task_description: String,
    pub qualifications_and_pay: String,
    pub working_hours: String,
    pub workplace_postcode: Option<String>,
    /// Matching leaves out candidates without a driving licence.
    pub requires_driving_licence: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateOrder {
    /// Keys that are not fields: output-only ones are ignored, others refused.
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: BTreeMap<String, serde_json::Value>,
    pub title: String,
    pub occupation: String,
    pub occupation_code: Option<String>,
    pub request_id: Option<String>,
    pub company_name: String,
    pub cvr: Option<String>,
    pub employer_email: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub vacancies: i32,
    #[serde(rename = "type")]
    pub order_type: Option<String>,
    pub responsible_consultant_id: Option<UserId>,
    pub coordinator_id: Option<UserId>,
    pub coordinator_external: Option<String>,
    pub coordinator_allowed: Option<bool>,
    pub task_description: String,
    #[serde(default)]
    pub qualifications_and_pay: String,
    #[serde(default)]
    pub working_hours: String,
    /// Where the work is: a Danish postcode (for matching by distance).
    pub workplace_postcode: Option<String>,
    #[serde(default)]
    pub requires_driving_licence: bool,
    /// Keep a start date more than a year in the past (otherwise refused on `start_date`).
    #[serde(default)]
    pub confirm_past_start: bool,
}

impl From<CreateOrder> for OrderFields {
    fn from(c: CreateOrder) -> Self {
        OrderFields {
            title: c.title,
            occupation: c.occupation,
            occupation_code: c.occupation_code,
            request_id: c.request_id,
            company_name: c.company_name,
            cvr: c.cvr,
            employer_email: c.employer_email,
            start_date: c.start_date,
            end_date: c.end_date,
            vacancies: c.vacancies,
            order_type: c.order_type.unwrap_or_else(|| "Jobordre".into()),
            responsible_consultant_id: c.responsible_consultant_id,
            coordinator_id: c.coordinator_id,
            coordinator_external: c.coordinator_external,
            coordinator_allowed: c.coordinator_allowed.unwrap_or(true),
            task_description: c.task_description,
            qualifications_and_pay: c.qualifications_and_pay,
            working_hours: c.working_hours,
            workplace_postcode: c.workplace_postcode,
            requires_driving_licence: c.requires_driving_licence,
        }
    }
}

/// Keys a client may send back from a read (they are not writable, so they are ignored).
const READ_ONLY: &[&str] = &[
    "id",
    "access",
    "referred",
    "status",
    "primary_authority",
    "responsible_consultant_name",
    "coordinator_name",
    "created_at",
    "updated_at",
    "sent_to_portal_at",
    "closed_at",
    "external_id",
];

/// A misspelt field would otherwise be dropped without a word: refuse it, naming it.
pub fn reject_unknown(other: &BTreeMap<String, serde_json::Value>) -> AppResult<()> {
    match other.keys().find(|k| !READ_ONLY.contains(&k.as_str())) {
        Some(k) => Err(AppError::invalid(k.clone(), "unknown field")),
        None => Ok(()),
    }
}

/// `null` clears a nullable field; a missing key leaves it alone.
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, Default, Clone, utoipa::ToSchema)]
pub struct PatchOrder {
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: BTreeMap<String, serde_json::Value>,
    pub title: Option<String>,
    pub occupation: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub occupation_code: Option<Option<String>>,
    pub request_id: Option<String>,
    pub company_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub cvr: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub employer_email: Option<Option<String>>,
    pub start_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    pub end_date: Option<Option<NaiveDate>>,
    pub vacancies: Option<i32>,
    #[serde(rename = "type")]
    pub order_type: Option<String>,
    pub responsible_consultant_id: Option<UserId>,
    pub coordinator_id: Option<UserId>,
    #[serde(default, deserialize_with = "nullable")]
    pub coordinator_external: Option<Option<String>>,
    pub coordinator_allowed: Option<bool>,
    pub task_description: Option<String>,
    pub qualifications_and_pay: Option<String>,
    pub working_hours: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub workplace_postcode: Option<Option<String>>,
    pub requires_driving_licence: Option<bool>,
    /// Keep a new start date more than a year in the past (otherwise refused on `start_date`).
    #[serde(default)]
    pub confirm_past_start: bool,
}

impl PatchOrder {
    pub fn apply(self, f: &mut OrderFields) {
        // A new occupation text without a code is classified afresh.
        if self.occupation.as_ref().is_some_and(|o| *o != f.occupation) && self.occupation_code.is_none() {
            f.occupation_code = None;
        }
        macro_rules! set {
            ($($field:ident),*) => {$( if let Some(v) = self.$field { f.$field = v; } )*};
        }
        set!(
            title,
            occupation,
            occupation_code,
            company_name,
            cvr,
            employer_email,
            start_date,
            end_date,
            vacancies,
            order_type,
            coordinator_external,
            coordinator_allowed,
            task_description,
            qualifications_and_pay,
            working_hours,
            workplace_postcode,
            requires_driving_licence
        );
        if let Some(v) = self.request_id {
            f.request_id = Some(v);
        }
        if let Some(v) = self.responsible_consultant_id {
            f.responsible_consultant_id = Some(v);
        }
        if let Some(v) = self.coordinator_id {
            f.coordinator_id = Some(v);
        }
    }
}

const SHORT: usize = 200;
const LONG: usize = 20_000;

/// A start date further back than this many days is most likely a typo: it must be confirmed.
pub const PAST_START_DAYS: i64 = 365;
/// The refusal of an unconfirmed past start date; the order form offers the confirmation on it.
pub const PAST_START: &str = "is more than a year in the past; confirm it to keep it";

impl OrderFields {
    /// Rules that need no database: required fields, lengths, dates, counts.
    pub fn validate(&self) -> AppResult<()> {
        check_text("title", &self.title, SHORT, true, false)?;
        check_text("occupation", &self.occupation, SHORT, true, false)?;
        check_opt("occupation_code", &self.occupation_code, 32)?;
        if let Some(r) = &self.request_id {
            check_text("request_id", r, 64, true, false)?;
        }
        check_text("company_name", &self.company_name, SHORT, true, false)?;
        check_opt("cvr", &self.cvr, 8)?;
        if let Some(cvr) = &self.cvr {
            if cvr.len() != 8 || !cvr.chars().all(|c| c.is_ascii_digit()) {
                return Err(AppError::invalid("cvr", "must be 8 digits"));
            }
        }
        if let Some(e) = &self.employer_email {
            check_email("employer_email", e)?;
        }
        if !(1..=10_000).contains(&self.vacancies) {
            return Err(AppError::invalid("vacancies", "must be between 1 and 10000"));
        }
        if let Some(end) = self.end_date {
            if end < self.start_date {
                return Err(AppError::invalid("end_date", "must not be before start_date"));
            }
        }
        check_text("type", &self.order_type, 64, true, false)?;
        check_opt("coordinator_external", &self.coordinator_external, SHORT)?;
        check_text("task_description", &self.task_description, LONG, true, true)?;
        check_text(
            "qualifications_and_pay",
            &self.qualifications_and_pay,
            LONG,
            false,
            true,
        )?;
        check_text("working_hours", &self.working_hours, LONG, false, true)?;
        if let Some(pc) = &self.workplace_postcode {
            if crate::geo::postcode(pc).is_none() {
                return Err(AppError::invalid("workplace_postcode", "is not a Danish postcode"));
            }
        }
        Ok(())
    }

    /// Rules on what a write brings in (`before`: the stored fields of an update). A new or
    /// changed occupation code must be on the occupation list; a new or changed start date more
    /// than a year back must be confirmed. What an older order already holds is left alone, so
    /// saving it unchanged never fails.
    pub fn check_change(
        &self,
        before: Option<&OrderFields>,
        confirm_past_start: bool,
        today: NaiveDate,
    ) -> AppResult<()> {
        let code = self.occupation_code.as_deref().map(str::trim).filter(|c| !c.is_empty());
        let code_changed = before.is_none_or(|b| b.occupation_code.as_deref().map(str::trim) != code);
        if let Some(code) = code.filter(|_| code_changed) {
            if crate::occupations::by_code(code).is_none() {
                return Err(AppError::invalid(
                    "occupation_code",
                    "is not a code of the occupation list",
                ));
            }
        }
        let start_changed = before.is_none_or(|b| b.start_date != self.start_date);
        if start_changed && !confirm_past_start && self.start_date < today - chrono::Duration::days(PAST_START_DAYS) {
            return Err(AppError::invalid("start_date", PAST_START));
        }
        Ok(())
    }

    pub fn from_order(o: &JobOrder, cvr: Option<String>) -> OrderFields {
        OrderFields {
            title: o.title.clone(),
            occupation: o.occupation.clone(),
            occupation_code: o.occupation_code.clone(),
            request_id: Some(o.request_id.clone()),
            company_name: o.company_name.clone(),
            cvr,
            employer_email: o.employer_email.clone(),
            start_date: o.start_date,
            end_date: o.end_date,
            vacancies: o.vacancies,
            order_type: o.order_type.clone(),
            responsible_consultant_id: Some(o.responsible_consultant_id),
            coordinator_id: Some(o.coordinator_id),
            coordinator_external: o.coordinator_external.clone(),
            coordinator_allowed: o.coordinator_allowed,
            task_description: o.task_description.clone(),
            qualifications_and_pay: o.qualifications_and_pay.clone(),
            working_hours: o.working_hours.clone(),
            workplace_postcode: o.workplace_postcode.clone(),
            requires_driving_licence: o.requires_driving_licence,
        }
    }

    /// What matching needs, derived from the fields: code, group, no-qualifications, place.
    pub fn placement(&self) -> Placement {
        let class = crate::occupations::classify(self.occupation_code.as_deref(), &self.occupation);
        let place = self.workplace_postcode.as_deref().and_then(crate::geo::postcode);
        Placement {
            code: class
                .as_ref()
                .map(|c| c.0.clone())
                .or_else(|| self.occupation_code.clone()),
            group: class.as_ref().map(|c| c.1.clone()),
            no_qualifications: class.as_ref().is_some_and(|c| c.2),
            lat: place.map(|p| p.0),
            lon: place.map(|p| p.1),
        }
    }

    pub(crate) fn search_text(&self) -> String {
        let s = [
            self.title.as_str(),
            &self.occupation,
            self.occupation_code.as_deref().unwrap_or(""),
            self.request_id.as_deref().unwrap_or(""),
            &self.company_name,
            &self.order_type,
        ]
        .join(" ");
        s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
    }
}

/// `{field: {from, to}}` for each changed field.
pub fn diff(before: &OrderFields, after: &OrderFields) -> serde_json::Value {
    let (b, a) = (json!(before), json!(after));
    let mut out = serde_json::Map::new();
    if let (Some(b), Some(a)) = (b.as_object(), a.as_object()) {
        for (k, av) in a {
            if b.get(k) != Some(av) {
                out.insert(k.clone(), json!({ "from": b.get(k), "to": av }));
            }
        }
    }
    serde_json::Value::Object(out)
}

pub struct Placement {
    pub code: Option<String>,
    pub group: Option<String>,
    pub no_qualifications: bool,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> OrderFields {
        OrderFields::from(
            serde_json::from_value::<CreateOrder>(json!({
                "title": "Kok", "occupation": "Kok", "company_name": "Kantinen A/S",
                "start_date": "2026-12-01", "end_date": "2027-03-01", "vacancies": 2,
                "task_description": "Madlavning"
            }))
            .unwrap(),
        )
    }

    #[test]
    fn valid_order_passes() {
        fields().validate().unwrap();
    }

    #[test]
    fn each_rule_names_its_field() {
        type Change = Box<dyn Fn(&mut OrderFields)>;
        let cases: Vec<(&str, Change)> = vec![
            ("vacancies", Box::new(|f| f.vacancies = 0)),
            (
                "end_date",
                Box::new(|f| f.end_date = NaiveDate::from_ymd_opt(2026, 11, 1)),
            ),
            ("title", Box::new(|f| f.title = "  ".into())),
            ("title", Box::new(|f| f.title = "x".repeat(201))),
            ("title", Box::new(|f| f.title = "a\u{0}b".into())),
            ("employer_email", Box::new(|f| f.employer_email = Some("nope".into()))),
            ("cvr", Box::new(|f| f.cvr = Some("12ab".into()))),
            ("task_description", Box::new(|f| f.task_description = String::new())),
        ];
        for (field, change) in cases {
            let mut f = fields();
            change(&mut f);
            match f.validate() {
                Err(AppError::Validation { field: got, .. }) => assert_eq!(got, field),
                other => panic!("{field}: expected validation error, got {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_codes_and_old_start_dates_are_refused_when_new() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let field_of = |r: AppResult<()>| match r {
            Err(AppError::Validation { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let mut f = fields();
        f.occupation_code = Some("512010".into());
        f.check_change(None, false, today).unwrap();
        f.occupation_code = Some("123456".into());
        assert_eq!(field_of(f.check_change(None, false, today)), "occupation_code");
        // An older order's code outside the list is kept when it is not changed.
        f.check_change(Some(&f.clone()), false, today).unwrap();

        let mut f = fields();
        f.start_date = NaiveDate::from_ymd_opt(2025, 11, 25).unwrap();
        assert_eq!(field_of(f.check_change(None, false, today)), "start_date");
        f.check_change(None, true, today).unwrap();
        f.check_change(Some(&f.clone()), false, today).unwrap();
        f.start_date = NaiveDate::from_ymd_opt(2025, 11, 26).unwrap();
        f.check_change(None, false, today).unwrap();
    }

    #[test]
    fn multiline_texts_keep_newlines() {
        let mut f = fields();
        f.working_hours = "Man-fre\n8-16\ttimer".into();
        f.validate().unwrap();
    }

    #[test]
    fn patch_null_clears_and_missing_keeps() {
        let mut f = fields();
        let p: PatchOrder = serde_json::from_value(json!({ "end_date": null, "vacancies": 5 })).unwrap();
        p.apply(&mut f);
        assert_eq!(f.end_date, None);
        assert_eq!(f.vacancies, 5);
        assert_eq!(f.title, "Kok");
    }

    #[test]
    fn diff_lists_only_changes() {
        let a = fields();
        let mut b = a.clone();
        b.vacancies = 9;
        let d = diff(&a, &b);
        assert_eq!(d["vacancies"]["to"], 9);
        assert_eq!(d.as_object().unwrap().len(), 1);
    }
}
