//! Bulk loading: a table's secondary indexes are dropped before its rows go in and built
//! again afterwards. Building an index once from sorted rows is much cheaper than inserting
//! ten million rows one by one into five B-trees that no longer fit in the cache (the cost
//! that made a 10x seed grow faster than its rows). The definitions are read from the
//! database itself, so an index added by a later migration is rebuilt the same way.

use crate::db::catalogue::secondary_indexes;
use crate::db::DbConn;
use crate::error::AppResult;
use diesel::connection::SimpleConnection;

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

/// Writes one table's planned rows (`$table` names the schema module) through
/// `without_indexes`.
macro_rules! load_table {
    ($c:expr, $table:ident, $rows:expr, $cols:expr, $bar:expr) => {
        $crate::cli::seed::bulk::without_indexes($c, stringify!($table), |c| {
            $crate::cli::seed::rows::write_rows!(c, $table::table, $rows, $cols, $bar);
            Ok(())
        })
    };
}
pub(super) use load_table;
