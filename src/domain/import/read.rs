//! Reading an uploaded file into a table of text cells: XLSX (calamine), or CSV as Danish
//! Excel writes it (`;` or `,`, UTF-8 with or without BOM, or Windows-1252).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::error::{AppError, AppResult};

/// Widest file accepted: more columns than any template has, with room for notes.
pub const MAX_COLUMNS: usize = 60;

/// The cells of a file: its header row and each data row with its line (CSV record start
/// line, or spreadsheet row number), as the user sees it in their editor.
#[derive(Debug)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
    /// `xlsx`, `utf-8` or `windows-1252`: what the file was read as.
    pub encoding: &'static str,
}

fn file_error(message: impl Into<String>) -> AppError {
    AppError::invalid("file", message)
}

/// Reads a file; XLSX is recognised by its content (a ZIP archive), whatever its name says.
pub fn read(bytes: &[u8], claims_xlsx: bool) -> AppResult<Table> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(file_error("the file is empty"));
    }
    let table = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else if claims_xlsx {
        return Err(file_error("malformed XLSX: not a spreadsheet (ZIP) file"));
    } else {
        let (text, encoding) = decode(bytes)?;
        read_csv(&text, encoding)?
    };
    if table.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(file_error("the file is empty: no header row"));
    }
    if table.rows.is_empty() {
        return Err(file_error("the file has a header row but no rows"));
    }
    Ok(table)
}

/// UTF-8 (a BOM is dropped), or Windows-1252 when the bytes are not UTF-8: the code page
/// Danish Excel saves "CSV (semikolonsepareret)" in. UTF-16 is refused by name.
pub fn decode(bytes: &[u8]) -> AppResult<(String, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(file_error(
            "the file is UTF-16 (\"Unicode text\"); save it as CSV UTF-8 or CSV (semicolon separated)",
        ));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(s) => Ok((s.to_string(), "utf-8")),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(body);
            Ok((text.into_owned(), "windows-1252"))
        }
    }
}

/// `;` when the header line has more semicolons than commas outside quotes, else `,`.
pub fn separator(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let (mut quoted, mut semis, mut commas) = (false, 0, 0);
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semis += 1,
            ',' if !quoted => commas += 1,
            _ => {}
        }
    }
    if semis > commas {
        b';'
    } else {
        b','
    }
}

fn read_csv(text: &str, encoding: &'static str) -> AppResult<Table> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            file_error(format!("line {line}: the CSV could not be read ({e})"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(String::is_empty) {
            continue; // blank lines, e.g. Excel's trailing ones
        }
        match &headers {
            None => {
                check_width(cells.len(), line)?;
                headers = Some(cells);
            }
            Some(h) => {
                check_row(h.len(), &cells, line)?;
                rows.push((line, cells));
            }
        }
    }
    Ok(Table {
        headers: headers.unwrap_or_default(),
        rows,
        encoding,
    })
}

fn check_width(n: usize, line: usize) -> AppResult<()> {
    if n > MAX_COLUMNS {
        return Err(file_error(format!("line {line}: {n} columns; at most {MAX_COLUMNS}")));
    }
    Ok(())
}

/// A row wider than the header row is refused: its extra cells would belong to no column.
fn check_row(width: usize, cells: &[String], line: usize) -> AppResult<()> {
    let used = cells.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
    if used > width {
        return Err(file_error(format!(
            "line {line}: too many columns ({used}; the header has {width})"
        )));
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8]) -> AppResult<Table> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| file_error(format!("malformed XLSX: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| file_error("the workbook has no sheet"))?
        .map_err(|e| file_error(format!("malformed XLSX: {e}")))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let line = first_row + i + 1;
        let mut cells: Vec<String> = row.iter().map(cell_text).collect();
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if cells.is_empty() {
            continue;
        }
        match &headers {
            None => {
                check_width(cells.len(), line)?;
                headers = Some(cells);
            }
            Some(h) => {
                check_row(h.len(), &cells, line)?;
                rows.push((line, cells));
            }
        }
    }
    Ok(Table {
        headers: headers.unwrap_or_default(),
        rows,
        encoding: "xlsx",
    })
}

/// A cell as text: whole numbers without ".0" (postcodes, phones), dates as ISO 8601.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_detected() {
        assert_eq!(separator("navn;email;\"a,b\"\n"), b';');
        assert_eq!(separator("name,email,\"a;b;c\"\n"), b',');
    }

    #[test]
    fn windows_1252_is_converted_and_bom_dropped() {
        // "Søren Ærø;Århus" in Windows-1252.
        let bytes = b"navn\nS\xf8ren \xc6r\xf8 \xc5rhus\n";
        let (text, enc) = decode(bytes).unwrap();
        assert_eq!((text.as_str(), enc), ("navn\nSøren Ærø Århus\n", "windows-1252"));
        let (text, enc) = decode("\u{feff}navn\nØ\n".as_bytes()).unwrap();
        assert_eq!((text.as_str(), enc), ("navn\nØ\n", "utf-8"));
        assert!(decode(b"\xff\xfen\x00").is_err());
    }

    #[test]
    fn structural_problems_are_named() {
        let msg = |b: &[u8]| match read(b, false) {
            Err(AppError::Validation { message, .. }) => message,
            other => panic!("expected a 422, got {other:?}"),
        };
        assert!(msg(b"").contains("empty"));
        assert!(msg(b"navn;email\n").contains("no rows"));
        assert!(msg(b"navn;email\nA;a@x.dk;extra\n").contains("line 2: too many columns"));
        assert!(msg(b"PK\x03\x04garbage").contains("malformed XLSX"));
        assert!(matches!(read(b"navn,email\nA,\n", false), Ok(t) if t.rows[0].0 == 2));
    }
}
