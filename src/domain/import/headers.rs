//! The columns of an import file: English or Danish headers (`name`/`navn`, `phone`/`telefon`,
//! …) resolved to one name each. An unknown or repeated header is refused by name.

use std::collections::HashMap;

use crate::error::{AppError, AppResult};

/// A column: its name in the code, and the headers a file may give it (lower case, with
/// spaces, dashes and underscores alike). The first alias is the template's Danish header.
pub struct Column {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
    /// The template's example value.
    pub example: &'static str,
}

const fn col(name: &'static str, aliases: &'static [&'static str], required: bool, example: &'static str) -> Column {
    Column {
        name,
        aliases,
        required,
        example,
    }
}

pub const CANDIDATE_COLUMNS: &[Column] = &[
    col("external_id", &["ekstern_id", "sags_id", "cpr_id"], true, "KMD-100234"),
    col("name", &["navn", "fulde_navn", "full_name"], true, "Søren Ærø"),
    col(
        "email",
        &["e_mail", "mail", "email_adresse"],
        false,
        "soren@borger.example",
    ),
    col(
        "phone",
        &["telefon", "tlf", "mobil", "telephone"],
        false,
        "+45 12 34 56 78",
    ),
    col("postcode", &["postnummer", "postnr", "zip", "post_code"], false, "2605"),
    col(
        "occupations",
        &["stillingsønsker", "ønsker", "stillinger", "occupation_wishes", "wishes"],
        false,
        "kok, opvasker",
    ),
    col(
        "driving_licence",
        &["kørekort", "driving_license", "licence"],
        false,
        "ja",
    ),
    col("own_car", &["egen_bil", "bil", "car"], false, "nej"),
    col("certificates", &["certifikater", "beviser"], false, "truckcertifikat"),
    col("languages", &["sprog"], false, "dansk, engelsk"),
    col(
        "consent_given_at",
        &["samtykke_givet", "samtykke", "consent"],
        false,
        "2026-11-01",
    ),
    col("share_email", &["del_email", "del_e_mail"], false, "ja"),
    col("share_phone", &["del_telefon", "del_tlf"], false, "nej"),
];

pub const ORDER_COLUMNS: &[Column] = &[
    col("external_id", &["ekstern_id", "sags_id"], true, "KMD-JO-5501"),
    col("title", &["titel", "overskrift"], true, "Kok til kantine"),
    col("occupation", &["stillingsbetegnelse", "stilling"], true, "Kok"),
    col("occupation_code", &["stillingskode", "disco"], false, ""),
    col("request_id", &["anmodnings_id", "anmodningsid"], false, ""),
    col(
        "company_name",
        &["virksomhed", "firma", "company"],
        true,
        "Kantinen A/S",
    ),
    col("cvr", &["cvr_nummer", "cvr_nr"], false, "12345678"),
    col(
        "employer_email",
        &["arbejdsgiver_email", "kontakt_email"],
        false,
        "hr@kantinen.example",
    ),
    col("start_date", &["startdato", "start"], true, "2026-12-01"),
    col("end_date", &["slutdato", "slut"], false, "2027-03-01"),
    col("vacancies", &["ledige_pladser", "pladser"], true, "2"),
    col("type", &["type_", "ordretype", "order_type"], false, "Jobordre"),
    col("coordinator_external", &["ekstern_tovholder"], false, ""),
    col("coordinator_allowed", &["tovholder_tilladt"], false, "ja"),
    col(
        "task_description",
        &["beskrivelse_af_arbejdsopgaver", "arbejdsopgaver", "beskrivelse"],
        true,
        "Madlavning til 200 personer",
    ),
    col(
        "qualifications_and_pay",
        &["kvalifikationer_og_løn", "kvalifikationer"],
        false,
        "Overenskomst",
    ),
    col("working_hours", &["arbejdstid"], false, "Man-fre 7-15"),
    col(
        "workplace_postcode",
        &["arbejdssted_postnummer", "arbejdsstedets_postnummer"],
        false,
        "2605",
    ),
    col(
        "requires_driving_licence",
        &["kræver_kørekort", "kørekort_påkrævet"],
        false,
        "nej",
    ),
];

/// A header as compared: lower case, trimmed, with spaces, dashes and dots as `_`.
fn key(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == '-' || c == '.' {
                '_'
            } else {
                c
            }
        })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// Which column each header is, and the file's own header text for messages.
pub struct Mapping {
    index: HashMap<&'static str, usize>,
    pub headers: Vec<String>,
}

impl Mapping {
    /// The cell of a column in a row, or None when the file has no such column or the cell is empty.
    pub fn get<'a>(&self, row: &'a [String], name: &str) -> Option<&'a str> {
        let i = *self.index.get(name)?;
        row.get(i).map(String::as_str).filter(|s| !s.is_empty())
    }

    pub fn has(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// The file's header of a column (messages name the column as the user wrote it).
    pub fn header(&self, name: &str) -> String {
        self.index
            .get(name)
            .and_then(|i| self.headers.get(*i).cloned())
            .unwrap_or_else(|| name.to_string())
    }
}

pub fn map(columns: &'static [Column], headers: &[String]) -> AppResult<Mapping> {
    let mut index = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let k = key(h);
        if k.is_empty() {
            return Err(AppError::invalid("file", format!("column {} has no header", i + 1)));
        }
        let Some(c) = columns
            .iter()
            .find(|c| c.name == k || c.aliases.iter().any(|a| key(a) == k))
        else {
            let known: Vec<&str> = columns.iter().map(|c| c.name).collect();
            return Err(AppError::invalid(
                "file",
                format!("unknown header '{}' (known: {})", h.trim(), known.join(", ")),
            ));
        };
        if index.insert(c.name, i).is_some() {
            return Err(AppError::invalid(
                "file",
                format!("header '{}' names the column '{}' twice", h.trim(), c.name),
            ));
        }
    }
    if let Some(c) = columns.iter().find(|c| c.required && !index.contains_key(c.name)) {
        return Err(AppError::invalid(
            "file",
            format!("the column '{}' ({}) is missing", c.name, c.aliases[0]),
        ));
    }
    Ok(Mapping {
        index,
        headers: headers.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn danish_and_english_headers() {
        let m = map(
            CANDIDATE_COLUMNS,
            &h(&["Ekstern ID", "Navn", "E-mail", "Telefon", "Postnummer", "Kørekort"]),
        )
        .unwrap();
        assert!(m.has("email") && m.has("phone") && m.has("postcode") && m.has("driving_licence"));
        let m = map(CANDIDATE_COLUMNS, &h(&["external_id", "name", "email"])).unwrap();
        assert_eq!(m.header("email"), "email");
    }

    #[test]
    fn unknown_repeated_and_missing_headers_are_named() {
        let msg = |v: &[&str]| match map(CANDIDATE_COLUMNS, &h(v)) {
            Err(AppError::Validation { message, .. }) => message,
            _ => panic!("expected an error for {v:?}"),
        };
        assert!(msg(&["external_id", "navn", "skostørrelse"]).contains("'skostørrelse'"));
        assert!(msg(&["external_id", "navn", "name"]).contains("twice"));
        assert!(msg(&["navn"]).contains("external_id"));
    }
}
