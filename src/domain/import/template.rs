//! The import templates: the headers (Danish, as the case software's consultants know them)
//! and one example row, as CSV (`;`, UTF-8 with BOM: what Danish Excel opens) or XLSX.

use rust_xlsxwriter::{Format, Workbook};

use crate::domain::import::Kind;
use crate::error::{AppError, AppResult};

fn quote(s: &str) -> String {
    if s.contains([';', '"', '\n', ',']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn csv(kind: Kind) -> Vec<u8> {
    let cols = kind.columns();
    let header: Vec<String> = cols.iter().map(|c| quote(c.aliases[0])).collect();
    let example: Vec<String> = cols.iter().map(|c| quote(c.example)).collect();
    format!("\u{feff}{}\r\n{}\r\n", header.join(";"), example.join(";")).into_bytes()
}

pub fn xlsx(kind: Kind) -> AppResult<Vec<u8>> {
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("template: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(kind.as_str()).map_err(err)?;
    let bold = Format::new().set_bold();
    // Every cell as text, so postcodes and phone numbers keep their form.
    let text = Format::new().set_num_format("@");
    for (i, c) in kind.columns().iter().enumerate() {
        let col = i as u16;
        sheet
            .write_string_with_format(0, col, c.aliases[0], &bold)
            .map_err(err)?;
        sheet.write_string_with_format(1, col, c.example, &text).map_err(err)?;
        sheet.set_column_width(col, 18).map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::{headers, read};

    #[test]
    fn templates_read_back_with_every_column() {
        for kind in [Kind::Candidates, Kind::Orders] {
            for (bytes, xl) in [(csv(kind), false), (xlsx(kind).unwrap(), true)] {
                let t = read::read(&bytes, xl).unwrap();
                let m = headers::map(kind.columns(), &t.headers).unwrap();
                assert_eq!(t.rows.len(), 1);
                assert!(kind.columns().iter().all(|c| m.has(c.name)));
            }
        }
    }
}
