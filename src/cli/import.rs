//! `import orders|candidates FILE --centre 15.300`: the same import as the page and the API,
//! with a progress bar; the report (counts and every error) goes to stdout as JSON.

use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::CliResult;
use crate::app;
use crate::config::Config;
use crate::db::schema::{job_centres, users};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::import::{self, Kind, Options};
use crate::domain::users::User;
use crate::error::{AppError, AppResult};

pub struct ImportArgs {
    pub kind: String,
    pub file: std::path::PathBuf,
    pub centre: String,
    pub user: Option<String>,
    pub options: Options,
}

/// Who the import is recorded as: the named user, or the centre's first user.
fn acting_user(conn: &mut DbConn, centre: &str, username: Option<&str>) -> AppResult<AuthUser> {
    let centre_id: i64 = job_centres::table
        .filter(job_centres::authority_number.eq(centre))
        .select(job_centres::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::invalid("centre", format!("no job centre {centre}")))?;
    let mut q = users::table
        .filter(users::job_centre_id.eq(centre_id))
        .select(User::as_select())
        .order(users::id)
        .into_boxed();
    if let Some(u) = username {
        q = q.filter(users::username.eq(u));
    }
    let user: User = q
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::invalid("user", format!("no such user of job centre {centre}")))?;
    Ok(user.auth())
}

pub fn run(config: Config, args: ImportArgs) -> CliResult {
    let kind = Kind::parse(&args.kind).map_err(|_| format!("import what? '{}' (orders or candidates)", args.kind))?;
    let bytes = std::fs::read(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let xlsx = args.file.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let state = app::state(config)?;
    let user = state
        .db
        .read_blocking(|c| acting_user(c, &args.centre, args.user.as_deref()))?;
    let target = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(None, target).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(format!("import {}", kind.as_str()));
    let started = std::time::Instant::now();
    let report = state.db.write_blocking(|c| {
        import::run(c, &user, kind, &bytes, xlsx, args.options, &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
    })?;
    bar.finish_and_clear();
    println!("{}", serde_json::to_string_pretty(&report)?);
    eprintln!(
        "{} rows in {:.1} s: {} created, {} updated, {} unchanged, {} errors{}",
        report.rows,
        started.elapsed().as_secs_f64(),
        report.created,
        report.updated,
        report.unchanged,
        report.errors.len(),
        if report.written { "" } else { " (nothing written)" }
    );
    if !report.written && !report.dry_run {
        return Err("the file has errors: nothing was imported (--skip-invalid imports the valid rows)".into());
    }
    Ok(())
}
