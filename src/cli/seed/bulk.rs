//! Bulk loading: a table's secondary indexes are dropped before its rows go in and built
//! again afterwards. Building an index once from sorted rows is much cheaper than inserting
//! ten million rows one by one into five B-trees that no longer fit in the cache (the cost
//! that made a 10x seed grow faster than its rows). The definitions are read from the
//! database itself, so an index added by a later migration is rebuilt the same way.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::DbConn;
use crate::error::AppResult;

#[derive(QueryableByName)]
struct Index {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// The table's indexes that are not a key or a constraint, with their definitions.
fn secondary_indexes(c: &mut DbConn, table: &str) -> AppResult<Vec<Index>> {
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

/// Runs `load` with the table's secondary indexes dropped, then builds them again, all in
/// the caller's transaction (a failure leaves the schema as it was).
pub(super) fn without_indexes(
    c: &mut DbConn,
    table: &str,
    load: impl FnOnce(&mut DbConn) -> AppResult<()>,
) -> AppResult<()> {
    let indexes = secondary_indexes(c, table)?;
    for i in &indexes {
        c.batch_execute(&format!("DROP INDEX {}", i.name))?;
    }
    load(c)?;
    for i in &indexes {
        c.batch_execute(&i.sql)?;
    }
    Ok(())
}
