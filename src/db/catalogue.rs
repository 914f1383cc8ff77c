//! The database's own record of its indexes and triggers. Bulk loads drop some of them and
//! make them again from these definitions, so what a later migration adds is remade as well.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::DbConn;
use crate::error::AppResult;

/// An index or a trigger: its name and the statement that makes it.
#[derive(QueryableByName)]
pub struct Definition {
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub sql: String,
}

/// The table's indexes that are not a key or a constraint.
pub fn secondary_indexes(c: &mut DbConn, table: &str) -> AppResult<Vec<Definition>> {
    Ok(match c {
        // Indexes of a PRIMARY KEY or UNIQUE constraint have no SQL text of their own.
        DbConn::Sqlite(s) => diesel::sql_query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        )
        .bind::<Text, _>(table)
        .load(s)?,
        DbConn::Pg(p) => diesel::sql_query(
            "SELECT indexname AS name, indexdef AS sql FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename = $1 \
             AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        )
        .bind::<Text, _>(table)
        .load(p)?,
    })
}

/// A SQLite trigger (PostgreSQL can switch a trigger off instead, so it needs no copy).
pub fn sqlite_trigger(s: &mut SqliteConnection, name: &str) -> AppResult<Definition> {
    Ok(
        diesel::sql_query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name = ?")
            .bind::<Text, _>(name)
            .get_result(s)?,
    )
}
