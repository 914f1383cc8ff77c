//! Dashboard lists as CSV files: a page, or every row matching the filter (at most
//! `MAX_EXPORT_ROWS`), read a window at a time while the response streams, so an export
//! never holds more than one window of rows. Plain (JSON field names and values, `,`: what
//! the API always wrote) or as a spreadsheet in the user's language: labels, state names,
//! dates as the pages write them, Copenhagen times to the second, `;` as Danish Excel splits.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::{self, Bytes};
use chrono::NaiveDateTime;

use crate::domain::actor::AuthUser;
use crate::domain::csv_export::{raw_cells, records, BOM};
use crate::domain::dashboards::{Loader, Params, Window};
use crate::domain::export_log;
use crate::domain::sheet::{Cell, Typed};
use crate::domain::xlsx_export::{self, DateFormats, XCell};
use crate::error::{AppError, AppResult};
use crate::web::format::{copenhagen, fmt_date};
use crate::web::state::AppState;
use crate::web::templates::{Lang, Pages};

/// The most rows one export writes; the response says when there were more.
pub const MAX_EXPORT_ROWS: i64 = 100_000;
/// Rows read per query while streaming.
pub const CHUNK: i64 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    Plain,
    Sheet(Lang),
}

impl Flavour {
    fn delimiter(self) -> u8 {
        match self {
            Flavour::Plain => b',',
            Flavour::Sheet(_) => b';',
        }
    }
}

/// A list row's cells for a spreadsheet, in `Row::FIELDS` order: the typed model
/// (`domain::sheet`) as text in the user's language.
pub trait Localized: Typed {
    fn local_cells(&self, pages: &Pages, lang: Lang) -> Vec<String> {
        self.cells().iter().map(|c| cell_text(pages, lang, c)).collect()
    }

    /// The same cells typed for XLSX: numbers, dates, Copenhagen times, labels translated.
    fn xlsx_cells(&self, pages: &Pages, lang: Lang) -> Vec<XCell> {
        self.cells().into_iter().map(|c| xlsx_cell(pages, lang, c)).collect()
    }
}

impl<R: Typed> Localized for R {}

fn cell_text(pages: &Pages, lang: Lang, c: &Cell) -> String {
    match c {
        Cell::Int(n) => n.to_string(),
        Cell::Text(s) => s.clone(),
        Cell::Date(d) => fmt_date(*d, lang),
        Cell::Time(t) => time(*t, lang),
        Cell::Label(k) => pages.t(lang, k),
        Cell::Empty => String::new(),
    }
}

fn xlsx_cell(pages: &Pages, lang: Lang, c: Cell) -> XCell {
    match c {
        Cell::Int(n) => XCell::Number(n as f64),
        Cell::Text(s) => XCell::Text(s),
        Cell::Date(d) => XCell::Date(d),
        Cell::Time(t) => XCell::Time(copenhagen(t)),
        Cell::Label(k) => XCell::Text(pages.t(lang, &k)),
        Cell::Empty => XCell::Empty,
    }
}

/// Dates and times in a workbook read as the pages and the CSV write them.
pub fn date_formats(lang: Lang) -> DateFormats {
    match lang {
        Lang::Da => DateFormats {
            date: "dd-mm-yyyy",
            time: "dd-mm-yyyy hh:mm:ss",
        },
        Lang::En => DateFormats {
            date: "yyyy-mm-dd",
            time: "yyyy-mm-dd hh:mm:ss",
        },
    }
}

/// The rows as a workbook: the CSV's column labels and cells, typed.
pub fn to_xlsx<R: Localized>(pages: &Pages, lang: Lang, sheet: &str, rows: &[R]) -> AppResult<Vec<u8>> {
    let header: Vec<String> = R::FIELDS.iter().map(|f| field_label(pages, lang, f)).collect();
    let cells = rows.iter().map(|r| r.xlsx_cells(pages, lang));
    xlsx_export::write(sheet, &header, cells, date_formats(lang))
}

/// A field's column label: `csv_<field>` where the pages have no column of it, else `col_<field>`.
pub(crate) fn field_label(pages: &Pages, lang: Lang, field: &str) -> String {
    let csv = format!("csv_{field}");
    if pages.labels(lang).contains_key(&csv) {
        pages.t(lang, &csv)
    } else {
        pages.t(lang, &format!("col_{field}"))
    }
}

fn time(t: NaiveDateTime, lang: Lang) -> String {
    let local = copenhagen(t);
    match lang {
        Lang::Da => local.format("%d-%m-%Y %H:%M:%S").to_string(),
        Lang::En => local.format("%Y-%m-%d %H:%M:%S").to_string(),
    }
}

/// The MIME type of an XLSX workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Logs one export (who, which list, which query, how many rows) in its own write: called
/// before the file is answered, so a file never leaves without its log row.
pub async fn log_export(
    state: &AppState,
    user: &AuthUser,
    list: &str,
    format: &str,
    query: &str,
    rows: i64,
) -> AppResult<()> {
    let (user, list, format, query) = (user.clone(), list.to_string(), format.to_string(), query.to_string());
    state
        .db
        .write(move |c| export_log::record(c, &user, &list, &format, &query, rows))
        .await
}

/// The BOM and the header line.
pub fn header<R: Localized>(pages: &Pages, flavour: Flavour) -> AppResult<Vec<u8>> {
    let names: Vec<String> = match flavour {
        Flavour::Plain => R::FIELDS.iter().map(|f| f.to_string()).collect(),
        Flavour::Sheet(lang) => R::FIELDS.iter().map(|f| field_label(pages, lang, f)).collect(),
    };
    let mut out = BOM.as_bytes().to_vec();
    out.extend(records(flavour.delimiter(), [names])?);
    Ok(out)
}

/// The rows' lines.
pub fn lines<R: Localized>(pages: &Pages, flavour: Flavour, rows: &[R]) -> AppResult<Vec<u8>> {
    let cells = match flavour {
        Flavour::Plain => rows.iter().map(raw_cells).collect::<AppResult<Vec<_>>>()?,
        Flavour::Sheet(lang) => rows.iter().map(|r| r.local_cells(pages, lang)).collect(),
    };
    records(flavour.delimiter(), cells)
}

type Pending<R> = Pin<Box<dyn Future<Output = AppResult<Vec<R>>>>>;

/// Every row matching `params` after the first window (already read, with the total),
/// up to `MAX_EXPORT_ROWS`: each next window is read only when the client has taken the
/// last one, on a pooled connection held for that one query.
pub struct ExportBody<R: Localized + Send + 'static> {
    state: web::Data<AppState>,
    user: AuthUser,
    params: Params,
    load: Loader<R>,
    flavour: Flavour,
    /// Encoded and not yet sent: the header and the first window.
    first: Option<Bytes>,
    next: i64,
    end: i64,
    pending: Option<(i64, Pending<R>)>,
}

impl<R: Localized + Send + 'static> ExportBody<R> {
    /// `first` is the window `0..CHUNK` read with the count; `total` that count.
    pub fn new(
        state: web::Data<AppState>,
        user: AuthUser,
        params: Params,
        load: Loader<R>,
        flavour: Flavour,
        total: i64,
        first: Vec<R>,
    ) -> AppResult<ExportBody<R>> {
        let end = total.min(MAX_EXPORT_ROWS);
        let mut bytes = header::<R>(&state.pages, flavour)?;
        bytes.extend(lines(&state.pages, flavour, &first)?);
        // A short first window is the whole list, whatever the count said.
        let next = if (first.len() as i64) < CHUNK {
            end
        } else {
            first.len() as i64
        };
        Ok(ExportBody {
            state,
            user,
            params,
            load,
            flavour,
            first: Some(Bytes::from(bytes)),
            next,
            end,
            pending: None,
        })
    }

    fn read(&self, w: Window) -> Pending<R> {
        let (state, user, params, load) = (self.state.clone(), self.user.clone(), self.params.clone(), self.load);
        Box::pin(async move { state.db.read(move |c| Ok(load(c, &user, &params, w)?.1)).await })
    }
}

impl<R: Localized + Send + 'static> MessageBody for ExportBody<R> {
    type Error = AppError;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, AppError>>> {
        let this = self.get_mut();
        if let Some(b) = this.first.take() {
            return Poll::Ready(Some(Ok(b)));
        }
        loop {
            if this.pending.is_none() {
                if this.next >= this.end {
                    return Poll::Ready(None);
                }
                let w = Window {
                    offset: this.next,
                    limit: CHUNK.min(this.end - this.next),
                    count: false,
                };
                this.pending = Some((w.limit, this.read(w)));
            }
            let Some((limit, fut)) = this.pending.as_mut() else {
                return Poll::Ready(None);
            };
            let limit = *limit;
            let rows = match fut.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(r) => r,
            };
            this.pending = None;
            let rows = match rows {
                Ok(rows) => rows,
                Err(e) => {
                    // The client gets a cut-off file; the log says why.
                    tracing::error!(error = %e, "export stopped");
                    this.next = this.end;
                    return Poll::Ready(Some(Err(e)));
                }
            };
            let n = rows.len() as i64;
            this.next = if n < limit { this.end } else { this.next + n };
            if n > 0 {
                return Poll::Ready(Some(lines(&this.state.pages, this.flavour, &rows).map(Bytes::from)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dashboards::{MyOrderRow, MyReferralRow, Row, SharedOrderRow};
    use crate::domain::fixtures::{sample_order, sample_referral};

    #[test]
    fn every_field_of_every_list_has_a_label_in_both_languages() {
        let pages = Pages::new().unwrap();
        let fields: Vec<&str> = [SharedOrderRow::FIELDS, MyOrderRow::FIELDS, MyReferralRow::FIELDS].concat();
        for lang in [Lang::Da, Lang::En] {
            for f in &fields {
                let has = |k: String| pages.labels(lang).contains_key(&k);
                assert!(has(format!("csv_{f}")) || has(format!("col_{f}")), "{f} in {lang:?}");
            }
        }
    }

    #[test]
    fn sheet_rows_are_localized_and_complete() {
        let pages = Pages::new().unwrap();
        let r = sample_referral();
        let o = MyOrderRow {
            title: "Kok".into(),
            occupation: "Kok".into(),
            request_id: "JO-7".into(),
            company_name: "A/S".into(),
            status: "closed".into(),
            ..sample_order()
        };
        assert_eq!(r.local_cells(&pages, Lang::Da).len(), MyReferralRow::FIELDS.len());
        assert_eq!(o.local_cells(&pages, Lang::Da).len(), MyOrderRow::FIELDS.len());
        let text = String::from_utf8(lines(&pages, Flavour::Sheet(Lang::Da), &[r]).unwrap()).unwrap();
        assert_eq!(
            text,
            "1;2;'=t;c;3;Ærø;Formidling afventer godkendelse;01-12-2026 09:05:09;4;u\n"
        );
        let text = String::from_utf8(lines(&pages, Flavour::Sheet(Lang::Da), &[o]).unwrap()).unwrap();
        assert!(
            text.starts_with("7;Kok;Kok;JO-7;A/S;01-12-2026;;2;0;") && text.ends_with(";Lukket\n"),
            "{text}"
        );
        let head = String::from_utf8(header::<MyOrderRow>(&pages, Flavour::Sheet(Lang::Da)).unwrap()).unwrap();
        assert!(head.starts_with("\u{feff}Id;Titel;Stillingsbetegnelse;"), "{head}");
    }

    #[test]
    fn xlsx_cells_are_the_csv_cells_typed() {
        let pages = Pages::new().unwrap();
        let r = sample_referral();
        let x = r.xlsx_cells(&pages, Lang::En);
        assert_eq!(x.len(), MyReferralRow::FIELDS.len());
        assert_eq!(x[0], XCell::Number(1.0));
        assert_eq!(x[2], XCell::Text("=t".into()));
        assert_eq!(x[6], XCell::Text("Referral awaiting approval".into()));
        // Winter: Copenhagen is UTC+1 (the writer drops the fraction, as the CSV does).
        assert_eq!(x[7], XCell::Time(r.created_at + chrono::Duration::hours(1)));
        let o = sample_order();
        let x = o.xlsx_cells(&pages, Lang::Da);
        assert_eq!(x[5], XCell::Date(o.start_date));
        assert_eq!(x[6], XCell::Empty);
        assert_eq!(x[11], XCell::Text("Åben".into()));
    }

    #[test]
    fn times_are_copenhagen_to_the_second() {
        let t = NaiveDateTime::parse_from_str("2026-07-01 10:11:12.123456789", "%Y-%m-%d %H:%M:%S%.f").unwrap();
        assert_eq!(time(t, Lang::Da), "01-07-2026 12:11:12");
        assert_eq!(time(t, Lang::En), "2026-07-01 12:11:12");
    }
}
