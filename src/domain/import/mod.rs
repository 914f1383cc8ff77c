//! Import of orders and candidates from the case software (CSV or XLSX): read the file, map its
//! headers, check and write each row, and count what was created, updated or left unchanged.
//!
//! A file runs in one transaction (a savepoint inside the caller's write transaction): a dry
//! run, or a file with errors when `skip_invalid` is off, does every row's work and then rolls
//! it all back, so the preview's counts are exactly what a real run would do. Rows are found
//! again by `(centre, external_id)`: importing the same file twice changes nothing the second time.

pub mod candidates;
pub mod cells;
pub mod headers;
pub mod orders;
pub mod read;
pub mod template;
pub mod uploads;

use diesel::Connection;
use serde::{Deserialize, Serialize};

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::duplicates::{Duplicate, Holder};
use crate::domain::notify;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Orders,
    Candidates,
}

impl Kind {
    pub fn parse(s: &str) -> AppResult<Kind> {
        match s {
            "orders" => Ok(Kind::Orders),
            "candidates" => Ok(Kind::Candidates),
            _ => Err(AppError::NotFound),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Orders => "orders",
            Kind::Candidates => "candidates",
        }
    }

    pub fn columns(self) -> &'static [headers::Column] {
        match self {
            Kind::Orders => headers::ORDER_COLUMNS,
            Kind::Candidates => headers::CANDIDATE_COLUMNS,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Options {
    /// Check and count, write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Import the valid rows of a file that has errors (otherwise nothing is written).
    #[serde(default)]
    pub skip_invalid: bool,
}

/// A row that was not imported: its line in the file, the column (as the file names it), why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RowError {
    pub line: usize,
    pub field: String,
    pub message: String,
}

/// A row that looks like a candidate the centre already has (or an earlier row of the file).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuplicateWarning {
    pub line: usize,
    /// `email`, `phone` or `name_postcode`.
    pub matched_on: &'static str,
    pub duplicate_of: Option<i64>,
    pub duplicate_of_line: Option<usize>,
}

impl DuplicateWarning {
    fn new(line: usize, d: Duplicate) -> DuplicateWarning {
        let (duplicate_of, duplicate_of_line) = match d.of {
            Holder::Candidate(id) => (Some(id.0), None),
            Holder::Line(l) => (None, Some(l)),
        };
        DuplicateWarning {
            line,
            matched_on: d.matched_on,
            duplicate_of,
            duplicate_of_line,
        }
    }
}

#[derive(Debug, Clone, Serialize, Default, utoipa::ToSchema)]
pub struct Report {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
    pub duplicates: Vec<DuplicateWarning>,
    /// Data rows in the file.
    pub rows: usize,
    /// How the file was read: `xlsx`, `utf-8` or `windows-1252`.
    pub encoding: &'static str,
    pub dry_run: bool,
    /// Whether anything was stored (false for a dry run, and for a file with errors unless
    /// `skip_invalid`).
    pub written: bool,
}

impl Report {
    fn error(&mut self, line: usize, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(RowError {
            line,
            field: field.into(),
            message: message.into(),
        });
    }
}

/// Told `(rows done, rows in all)` as the import goes (the CLI's progress bar).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// Imports one file for the user's centre, inside the caller's write transaction.
pub fn run(
    conn: &mut DbConn,
    user: &AuthUser,
    kind: Kind,
    bytes: &[u8],
    claims_xlsx: bool,
    opts: Options,
    progress: Progress,
) -> AppResult<Report> {
    let table = read::read(bytes, claims_xlsx)?;
    let mapping = headers::map(kind.columns(), &table.headers)?;
    let mut kept_back = None;
    let result = conn.transaction::<Report, AppError, _>(|c| {
        let mut report = match kind {
            Kind::Candidates => candidates::import(c, user, &table, &mapping, progress)?,
            Kind::Orders => orders::import(c, user, &table, &mapping, progress)?,
        };
        report.rows = table.rows.len();
        report.encoding = table.encoding;
        report.dry_run = opts.dry_run;
        report.written = !opts.dry_run && (report.errors.is_empty() || opts.skip_invalid);
        if report.written {
            Ok(report)
        } else {
            kept_back = Some(report);
            Err(AppError::Internal("import rolled back".into()))
        }
    });
    match (result, kept_back) {
        (Ok(r), _) => {
            let counts = serde_json::json!({
                "created": r.created, "updated": r.updated, "unchanged": r.unchanged, "errors": r.errors.len(),
            });
            notify::import_finished(conn, user.id, kind.as_str(), counts)?;
            Ok(r)
        }
        (Err(_), Some(r)) => Ok(r),
        (Err(e), None) => Err(e),
    }
}
