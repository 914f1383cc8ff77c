//! Checks of free text and addresses shared by every form and import.

use crate::error::{AppError, AppResult};

pub fn check_text(field: &str, value: &str, max: usize, required: bool, multiline: bool) -> AppResult<()> {
    if required && value.trim().is_empty() {
        return Err(AppError::invalid(field, "is required"));
    }
    if value.chars().count() > max {
        return Err(AppError::invalid(field, format!("must be at most {max} characters")));
    }
    let bad = |c: char| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'));
    if value.chars().any(bad) {
        return Err(AppError::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

pub fn check_opt(field: &str, value: &Option<String>, max: usize) -> AppResult<()> {
    value
        .as_deref()
        .map_or(Ok(()), |v| check_text(field, v, max, false, false))
}

pub fn check_email(field: &str, value: &str) -> AppResult<()> {
    check_text(field, value, 254, true, false)?;
    let ok = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !value.contains(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(field, "must be an email address"))
    }
}
