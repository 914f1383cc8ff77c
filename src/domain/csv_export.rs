//! Lists as CSV: the cells of a row, formula defusing, and records written with a chosen
//! delimiter. The API's plain CSV (JSON field names, JSON values, `,`) is `to_csv`; the
//! spreadsheet flavour (labels, `;`) is built from the same pieces by the web layer.

use crate::domain::dashboards::Row;
use crate::error::{AppError, AppResult};

/// Spreadsheets read a file that starts with it as UTF-8 (the Danish letters).
pub const BOM: &str = "\u{feff}";

/// A cell that a spreadsheet would run as a formula is prefixed with `'`: order titles
/// and names are typed by users of other centres.
pub fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The row's JSON values in `FIELDS` order, as text: the export can't drift from the API.
pub fn raw_cells<R: Row>(row: &R) -> AppResult<Vec<String>> {
    let v = serde_json::to_value(row).map_err(|e| AppError::Internal(format!("csv row: {e}")))?;
    Ok(R::FIELDS
        .iter()
        .map(|f| match &v[*f] {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect())
}

/// CSV lines of the records, every cell defused, quoted where the delimiter needs it.
pub fn records<I, C>(delimiter: u8, rows: I) -> AppResult<Vec<u8>>
where
    I: IntoIterator<Item = C>,
    C: IntoIterator<Item = String>,
{
    let mut out = Vec::new();
    {
        let csv_err = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
        let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_writer(&mut out);
        for row in rows {
            w.write_record(row.into_iter().map(|c| defuse(&c))).map_err(csv_err)?;
        }
        w.flush().map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    }
    Ok(out)
}

/// The rows as the API's plain CSV: a BOM, a header of the JSON field names, the JSON values.
pub fn to_csv<R: Row>(rows: &[R]) -> AppResult<Vec<u8>> {
    let mut out = BOM.as_bytes().to_vec();
    let header = R::FIELDS.iter().map(|f| f.to_string()).collect::<Vec<_>>();
    let cells = rows.iter().map(raw_cells).collect::<AppResult<Vec<_>>>()?;
    out.extend(records(b',', std::iter::once(header).chain(cells))?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dashboards::MyOrderRow;
    use crate::domain::fixtures::sample_order;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let bytes = to_csv(&[sample_order()]).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let text = text.strip_prefix('\u{feff}').expect("BOM");
        let mut r = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), MyOrderRow::FIELDS);
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[1], "'=HYPERLINK(\"http://x\")");
        assert_eq!(&rec[2], "Kok, køkken");
        assert_eq!(&rec[4], "Æble \"A/S\"");
        assert_eq!(&rec[5], "2026-12-01");
        assert_eq!(&rec[6], "");
        assert_eq!(&rec[7], "2");
        // No rows still names the columns.
        let empty = String::from_utf8(to_csv::<MyOrderRow>(&[]).unwrap()).unwrap();
        assert_eq!(empty.lines().count(), 1);
    }

    #[test]
    fn semicolon_records_quote_only_what_needs_it() {
        let out = records(b';', [vec!["Kok, køkken".to_string(), "a;b".into(), "-1".into()]]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "Kok, køkken;\"a;b\";'-1\n");
    }
}
