//! A list row as typed cells, in `Row::FIELDS` order: the one row/column model that the
//! spreadsheet CSV (text in the user's language) and the XLSX (typed cells) both write, so
//! the two exports can't disagree on a column.

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::dashboards::{MyOrderRow, MyReferralRow, Row, SharedOrderRow};

/// One cell before it is written: the web layer turns it into text or a typed XLSX cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(i64),
    Text(String),
    Date(NaiveDate),
    /// UTC, as stored; shown as Copenhagen wall clock.
    Time(NaiveDateTime),
    /// A UI label key (`status_open`, `state_withdrawn`): translated when written.
    Label(String),
    Empty,
}

impl Cell {
    fn opt_date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }

    fn opt_text(s: &Option<String>) -> Cell {
        s.as_ref().map_or(Cell::Empty, |s| Cell::Text(s.clone()))
    }
}

/// A list row type that exports as a spreadsheet.
pub trait Typed: Row {
    /// One cell per `Row::FIELDS` entry.
    fn cells(&self) -> Vec<Cell>;
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

impl Typed for SharedOrderRow {
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Int(self.id.0),
            text(&self.primary_authority_number),
            text(&self.primary_authority_name),
            text(&self.responsible_consultant),
            text(&self.coordinator),
            Cell::opt_text(&self.coordinator_external),
            text(&self.occupation),
            text(&self.request_id),
            text(&self.order_type),
            text(&self.title),
            text(&self.company_name),
            Cell::Date(self.start_date),
            Cell::Int(self.vacancies.into()),
            Cell::Int(self.referred.into()),
        ]
    }
}

impl Typed for MyOrderRow {
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Int(self.id.0),
            text(&self.title),
            text(&self.occupation),
            text(&self.request_id),
            text(&self.company_name),
            Cell::Date(self.start_date),
            Cell::opt_date(self.end_date),
            Cell::Int(self.vacancies.into()),
            Cell::Int(self.referred.into()),
            Cell::Time(self.created_at),
            Cell::Time(self.updated_at),
            Cell::Label(format!("status_{}", self.status)),
        ]
    }
}

impl Typed for MyReferralRow {
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Int(self.id.0),
            Cell::Int(self.order_id.0),
            text(&self.order_title),
            text(&self.company_name),
            Cell::Int(self.candidate_id.0),
            text(&self.candidate_name),
            Cell::Label(format!("state_{}", self.state)),
            Cell::Time(self.created_at),
            Cell::Int(self.created_by.0),
            text(&self.created_by_name),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{sample_order, sample_referral, sample_shared};

    /// Each cell is the field's JSON value in another shape: the model follows `FIELDS`.
    fn agrees<R: Typed>(row: &R) {
        let json = serde_json::to_value(row).unwrap();
        let cells = row.cells();
        assert_eq!(cells.len(), R::FIELDS.len());
        for (f, c) in R::FIELDS.iter().zip(&cells) {
            let v = &json[*f];
            match c {
                Cell::Int(n) => assert_eq!(v.as_i64(), Some(*n), "{f}"),
                Cell::Text(s) => assert_eq!(v.as_str(), Some(s.as_str()), "{f}"),
                Cell::Date(d) => assert_eq!(v.as_str(), Some(d.to_string().as_str()), "{f}"),
                Cell::Time(t) => assert!(
                    v.as_str()
                        .unwrap()
                        .starts_with(&t.format("%Y-%m-%dT%H:%M:%S").to_string()),
                    "{f}"
                ),
                Cell::Label(k) => assert!(k.ends_with(v.as_str().unwrap()), "{f}"),
                Cell::Empty => assert!(v.is_null(), "{f}"),
            }
        }
    }

    #[test]
    fn typed_cells_follow_the_fields() {
        agrees(&sample_order());
        agrees(&sample_shared());
        agrees(&sample_referral());
    }
}
