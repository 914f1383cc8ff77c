//! A table as an XLSX workbook (rust_xlsxwriter): one sheet, the header row bold and frozen
//! with an autofilter over the table, numbers as numbers, dates and times as date cells with
//! a date number format, and columns as wide as their content (within bounds). The callers
//! (dashboard lists, report tables) bring the cells, already in the user's language.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::error::{AppError, AppResult};

/// The longest text Excel keeps in a cell.
const MAX_CELL_CHARS: usize = 32_767;
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;
/// Room for the autofilter's drop-down button beside a header.
const FILTER_BUTTON: usize = 3;

/// One typed cell.
#[derive(Debug, Clone, PartialEq)]
pub enum XCell {
    Number(f64),
    Text(String),
    Date(NaiveDate),
    /// Wall-clock time, as it should read (the caller converts from UTC).
    Time(NaiveDateTime),
    Empty,
}

/// The number formats of dates and times, in the user's language (`dd-mm-yyyy`, …).
#[derive(Debug, Clone, Copy)]
pub struct DateFormats {
    pub date: &'static str,
    pub time: &'static str,
}

fn err(e: XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

/// A sheet name Excel accepts: none of `[]:*?/\`, at most 31 characters, not empty.
pub fn sheet_name(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    let clean = clean.trim().trim_matches('\'').to_string();
    if clean.is_empty() {
        "Data".into()
    } else {
        clean
    }
}

fn excel_date(d: NaiveDate) -> AppResult<ExcelDateTime> {
    let (y, m, day) = (d.year(), d.month(), d.day());
    let y = u16::try_from(y).map_err(|_| AppError::Internal(format!("xlsx: year {y}")))?;
    ExcelDateTime::from_ymd(y, m as u8, day as u8).map_err(err)
}

fn excel_time(t: NaiveDateTime) -> AppResult<ExcelDateTime> {
    excel_date(t.date())?
        .and_hms(t.hour() as u16, t.minute() as u8, t.second())
        .map_err(err)
}

/// Writes one cell; returns how many characters it shows (for the column width).
fn write_cell(ws: &mut Worksheet, row: u32, col: u16, cell: &XCell, f: &Formats) -> AppResult<usize> {
    Ok(match cell {
        XCell::Number(n) => {
            ws.write_number(row, col, *n).map_err(err)?;
            n.to_string().len()
        }
        XCell::Text(s) => {
            let s = match s.char_indices().nth(MAX_CELL_CHARS) {
                Some((i, _)) => &s[..i],
                None => s.as_str(),
            };
            // A string cell: Excel never runs it as a formula, so nothing needs defusing.
            ws.write_string(row, col, s).map_err(err)?;
            s.chars().count()
        }
        XCell::Date(d) => {
            ws.write_date_with_format(row, col, excel_date(*d)?, &f.date)
                .map_err(err)?;
            f.date_width
        }
        XCell::Time(t) => {
            ws.write_datetime_with_format(row, col, excel_time(*t)?, &f.time)
                .map_err(err)?;
            f.time_width
        }
        XCell::Empty => 0,
    })
}

struct Formats {
    date: Format,
    time: Format,
    date_width: usize,
    time_width: usize,
}

/// The workbook: `header` in row 1, then `rows` (each as long as the header).
pub fn write<I>(name: &str, header: &[String], rows: I, formats: DateFormats) -> AppResult<Vec<u8>>
where
    I: IntoIterator<Item = Vec<XCell>>,
{
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet_name(name)).map_err(err)?;
    let f = Formats {
        date: Format::new().set_num_format(formats.date),
        time: Format::new().set_num_format(formats.time),
        date_width: formats.date.len(),
        time_width: formats.time.len(),
    };
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count() + FILTER_BUTTON).collect();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold).map_err(err)?;
    }
    let mut last_row = 0u32;
    for (r, cells) in rows.into_iter().enumerate() {
        let row = u32::try_from(r + 1).map_err(|_| AppError::Internal("xlsx: too many rows".into()))?;
        for (c, cell) in cells.iter().enumerate().take(header.len()) {
            let w = write_cell(ws, row, c as u16, cell, &f)?;
            widths[c] = widths[c].max(w);
        }
        last_row = row;
    }
    let last_col = header.len().saturating_sub(1) as u16;
    ws.set_freeze_panes(1, 0).map_err(err)?;
    ws.autofilter(0, 0, last_row, last_col).map_err(err)?;
    for (c, w) in widths.iter().enumerate() {
        let width = (w + 1).clamp(MIN_WIDTH, MAX_WIDTH);
        ws.set_column_width(c as u16, width as f64).map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::{Cursor, Read};

    const DA: DateFormats = DateFormats {
        date: "dd-mm-yyyy",
        time: "dd-mm-yyyy hh:mm:ss",
    };

    fn sheet_xml(bytes: &[u8]) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    #[test]
    fn cells_are_typed_and_the_header_is_bold_frozen_and_filtered() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let t = d.and_hms_opt(9, 5, 7).unwrap();
        let header = vec![
            "Id".to_string(),
            "Titel".into(),
            "Start".into(),
            "Oprettet".into(),
            "Slut".into(),
        ];
        let rows = vec![vec![
            XCell::Number(7.0),
            XCell::Text("=HYPERLINK(\"x\")".into()),
            XCell::Date(d),
            XCell::Time(t),
            XCell::Empty,
        ]];
        let bytes = write("Mine ordrer: [alle]", &header, rows, DA).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(book.sheet_names(), vec!["Mine ordrer alle".to_string()]);
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(range.get((0, 1)), Some(&Data::String("Titel".into())));
        assert_eq!(range.get((1, 0)), Some(&Data::Float(7.0)));
        assert_eq!(range.get((1, 1)), Some(&Data::String("=HYPERLINK(\"x\")".into())));
        match range.get((1, 2)) {
            Some(Data::DateTime(x)) => assert_eq!(x.as_datetime().unwrap().date(), d),
            other => panic!("a date cell: {other:?}"),
        }
        match range.get((1, 3)) {
            Some(Data::DateTime(x)) => assert_eq!(x.as_datetime().unwrap(), t),
            other => panic!("a date cell: {other:?}"),
        }
        let xml = sheet_xml(&bytes);
        assert!(xml.contains("state=\"frozen\""), "{xml}");
        assert!(xml.contains("<autoFilter ref=\"A1:E2\""), "{xml}");
        // The text is a string cell, never a formula.
        assert!(!xml.contains("<f>"), "{xml}");
    }

    #[test]
    fn an_empty_table_still_has_its_header() {
        let bytes = write("x", &["A".to_string()], Vec::<Vec<XCell>>::new(), DA).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(range.get_size(), (1, 1));
        assert_eq!(sheet_name("?:"), "Data");
    }
}
