//! The values of import cells as consultants type them: yes/no in Danish or English, lists as
//! a JSON list or separated by commas, dates as ISO 8601 or Danish `dd-mm-åååå`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

pub fn boolean(s: &str) -> Result<bool, String> {
    match s.trim().to_lowercase().as_str() {
        "ja" | "j" | "yes" | "y" | "true" | "sand" | "1" | "x" => Ok(true),
        "nej" | "n" | "no" | "false" | "falsk" | "0" | "" => Ok(false),
        other => Err(format!("'{other}' is not yes/no (ja/nej)")),
    }
}

/// `["a","b"]`, or `a, b` (commas or semicolons); empty items are dropped.
pub fn list(s: &str) -> Result<Vec<String>, String> {
    let s = s.trim();
    let items: Vec<String> = if s.starts_with('[') {
        serde_json::from_str::<Vec<String>>(s).map_err(|e| format!("not a JSON list of text: {e}"))?
    } else {
        s.split([',', ';']).map(str::to_string).collect()
    };
    Ok(items
        .into_iter()
        .map(|i| i.trim().to_string())
        .filter(|i| !i.is_empty())
        .collect())
}

pub fn date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        .ok_or_else(|| format!("'{s}' is not a date (åååå-mm-dd or dd-mm-åååå)"))
}

/// A date (midnight) or a date and time, e.g. `2026-11-01 09:30`.
pub fn date_time(s: &str) -> Result<NaiveDateTime, String> {
    let s = s.trim();
    let formats = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d-%m-%Y %H:%M",
    ];
    if let Some(t) = formats.iter().find_map(|f| NaiveDateTime::parse_from_str(s, f).ok()) {
        return Ok(t);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.naive_utc());
    }
    date(s).map(|d| d.and_time(NaiveTime::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(boolean("Ja"), Ok(true));
        assert_eq!(boolean(""), Ok(false));
        assert!(boolean("måske").is_err());
        assert_eq!(list("truck, svejs ,").unwrap(), ["truck", "svejs"]);
        assert_eq!(list(r#"["a, b","c"]"#).unwrap(), ["a, b", "c"]);
        assert_eq!(date("01-12-2026"), Ok(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()));
        assert!(date("2026-13-01").is_err());
        assert_eq!(date_time("2026-11-01").unwrap().to_string(), "2026-11-01 00:00:00");
    }
}
