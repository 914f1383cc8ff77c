//! The connection pool's manager: opens connections of the URL's backend, and decides when a
//! pooled one must be checked or dropped.

use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::prelude::*;

use super::{DbConn, DbUrl};

/// A PostgreSQL connection handed back this recently is handed out again without a `SELECT 1`
/// first. Under load a connection is back in the pool within milliseconds, and the check was
/// two of an approval's 14 round trips (`scripts/bench`). A connection that died meanwhile
/// fails its first statement with `ClosedConnection` (503, as when it dies just after a
/// check); libpq then reports its transaction status unknown, diesel marks its transaction
/// manager broken, and `has_broken` drops it (`tests/faults.rs`). The window is HikariCP's
/// idea, with its 500 ms.
const RECENTLY_USED: Duration = Duration::from_millis(500);

/// A pooled connection, and when it last came back to the pool.
pub struct Pooled {
    conn: DbConn,
    returned: Instant,
}

impl Deref for Pooled {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

/// r2d2 manager that builds the variant from the URL's scheme. A SQLite write connection
/// leaves its WAL checkpoints to the checkpoint thread (`checkpoint.rs`).
pub struct Manager {
    pub(super) url: DbUrl,
    pub(super) busy_timeout_ms: u32,
    pub(super) writes: bool,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Pooled;
    type Error = ConnectionError;

    fn connect(&self) -> Result<Pooled, ConnectionError> {
        let mut c = self.url.connect(self.busy_timeout_ms)?;
        if self.writes && self.url.is_sqlite() {
            c.batch_execute("PRAGMA wal_autocheckpoint = 0")
                .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
        }
        Ok(Pooled {
            conn: c,
            returned: Instant::now(),
        })
    }

    /// Only a PostgreSQL connection can go away under us, and only one that sat idle for a
    /// while is worth a round trip to check (`RECENTLY_USED`).
    fn is_valid(&self, conn: &mut Pooled) -> Result<(), ConnectionError> {
        match &mut conn.conn {
            DbConn::Pg(pg) if conn.returned.elapsed() >= RECENTLY_USED => pg
                .batch_execute("SELECT 1")
                .map_err(|e| ConnectionError::BadConnection(e.to_string())),
            _ => Ok(()),
        }
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        conn.returned = Instant::now();
        // A connection handed back inside a transaction (a panic mid-way), or whose transaction
        // manager is broken (a dropped PostgreSQL connection), must not be reused.
        !matches!(
            <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(&mut conn.conn)
                .transaction_depth(),
            Ok(None)
        )
    }
}
