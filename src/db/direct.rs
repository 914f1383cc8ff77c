//! Running a query on the connection inside a `DbConn`, for the statements every approval
//! and every signed-in request runs.
//!
//! Why: diesel's `MultiConnection` derive wraps each query in a `SerializedQuery`, whose
//! `walk_ast` writes out the query's whole SQL text on every pass, also when it only collects
//! the binds of a statement that is already prepared. Under approvals that text was 11% of
//! the server's CPU (`perf` in `scripts/bench`). On the inner connection a query with a
//! static id finds its prepared statement by its type and is only bound. The query is the
//! same diesel query either way; only the dispatch moves here.

/// Runs `$body` with `$c` bound to the connection inside `$conn`, each backend's own type.
/// The body is compiled once per backend, so a query whose type depends on the backend
/// (`as_select()`) is written inside it: `on_inner!(conn, c => query.first(c))`.
#[macro_export]
macro_rules! on_inner {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Pg($c) => $body,
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::db::schema::networks;
    use diesel::prelude::*;

    /// A write and a read through the inner connection, inside the `DbConn`'s transaction.
    #[test]
    fn writes_and_reads_run_on_the_inner_connection() {
        let (dir, db) = crate::db::test_db("direct");
        db.write_blocking(|c| {
            for name in ["A", "B"] {
                let insert = diesel::insert_into(networks::table).values(networks::name.eq(name));
                crate::on_inner!(&mut *c, c => insert.execute(c))?;
            }
            let n: i64 =
                crate::on_inner!(&mut *c, c => networks::table.filter(networks::name.eq("B")).count().get_result(c))?;
            assert_eq!(n, 1);
            Ok(())
        })
        .unwrap();
        std::fs::remove_dir_all(&dir).ok();
    }
}
