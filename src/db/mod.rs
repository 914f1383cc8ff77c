//! The database: one connection type over SQLite (embedded default) and PostgreSQL (scale), chosen
//! by the URL; the pool, the single writer, the migrations, and the schema.

pub mod catalogue;
pub mod checkpoint;
pub mod direct;
pub mod lease;
pub mod pool;
pub mod schema;
pub mod writer;
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{AppError, AppResult};
use checkpoint::Checkpointer;
pub use pool::{Manager, Pooled};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Pool and connection settings.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Connections for reads (SQLite writes always go through one).
    pub pool_size: u32,
    /// How long a request waits for a connection before it gets 503.
    pub connect_timeout: Duration,
    /// How long a SQLite writer waits for another process's lock before giving up.
    pub busy_timeout_ms: u32,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            pool_size: 8,
            connect_timeout: Duration::from_secs(5),
            busy_timeout_ms: 10_000,
        }
    }
}

/// Which database a URL names. SQLite accepts any path, so the scheme decides
/// rather than trying each backend in turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Postgres(String),
    Sqlite(String),
}

impl DbUrl {
    pub fn parse(url: &str) -> DbUrl {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DbUrl::Postgres(url.to_string())
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            DbUrl::Sqlite(path.to_string())
        } else {
            DbUrl::Sqlite(url.strip_prefix("sqlite:").unwrap_or(url).to_string())
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, DbUrl::Sqlite(_))
    }

    pub fn connect(&self, busy_timeout_ms: u32) -> ConnectionResult<DbConn> {
        match self {
            DbUrl::Postgres(url) => PgConnection::establish(url).map(DbConn::Pg),
            DbUrl::Sqlite(path) => {
                sqlite_process_settings();
                let mut c = SqliteConnection::establish(path)?;
                // WAL lets readers run beside the writer; NORMAL is durable at checkpoints
                // and ~100x faster than FULL; busy_timeout makes writers wait instead of failing.
                c.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA busy_timeout = {busy_timeout_ms}; PRAGMA foreign_keys = ON;"
                ))
                .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                tune_sqlite(&mut c).map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                // SQLite's built-in lower() folds ASCII only: "Ørsted" would stay "Ørsted" and a
                // search for "ørsted" miss it. This one folds like Rust (and PostgreSQL) do.
                lower_utils::register_impl(&mut c, |s: String| s.to_lowercase())
                    .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConn::Sqlite(c))
            }
        }
    }
}

/// How much a transaction's sub-journal (the undo copies of pages a savepoint changes) may
/// hold in memory before SQLite moves it to a temporary file. The writer runs every job of a
/// batch in a savepoint, and one approval changes about 20 existing pages (80 KiB): past the
/// default 64 KiB each job's copies went out by `pwrite` to a temp file, 11% of the server's
/// CPU under approvals (`perf`, `scripts/bench`). 124 KiB kept most approvals' copies in
/// memory, not all; the writer's batches now keep theirs in memory whatever their size
/// (`writer::undo_copies_in_memory`). This limit still holds for `write_blocking` and the
/// migrations: a larger statement (a migration rewriting a table) spills, so memory stays
/// bounded. It can't be more than 128 KiB: SQLite writes the copies out in chunks of this size,
/// and its file writes take at most 128 KiB (`seekAndWriteFd` in os_unix.c), so at 8 MiB every
/// spill failed with "database or disk is full" (the test below).
const SUBJOURNAL_SPILL_BYTES: i32 = 124 << 10;

/// Whether `sqlite_process_settings` could make its settings (only before SQLite's first
/// use in the process).
static CONFIGURED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Settings for the whole process, made once before the first connection.
///
/// Since 3.47 SQLite treats a bound `LIMIT ?` (every diesel `.first()`), and bound values it
/// matches against a partial index, as inputs of the query plan: each new bind expires the
/// cached statement and the next step parses and plans it again (`sqlite3Reprepare` inside
/// `sqlite3_step`, 12-15% of the server's CPU in `scripts/bench`). The query planner stability
/// guarantee makes plans independent of bound values, so cached statements stay prepared.
/// SQLite applies it to every connection this process opens, through an auto-extension.
fn sqlite_process_settings() {
    use libsqlite3_sys as ffi;
    use std::ffi::{c_char, c_int};

    unsafe extern "C" fn enable_qpsg(
        db: *mut ffi::sqlite3,
        _err: *mut *mut c_char,
        _api: *const ffi::sqlite3_api_routines,
    ) -> c_int {
        // SAFETY: SQLite calls this with the handle it is opening; the option takes an int
        // (1 = on) and an optional int* for the resulting setting.
        unsafe {
            ffi::sqlite3_db_config(
                db,
                ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
                1 as c_int,
                std::ptr::null_mut::<c_int>(),
            )
        };
        ffi::SQLITE_OK
    }
    static REGISTER: std::sync::Once = std::sync::Once::new();
    REGISTER.call_once(|| {
        // SAFETY: each option takes the arguments given (none; one int). They must come
        // before SQLite initialises (the auto-extension below does that); later SQLite refuses
        // them with MISUSE and changes nothing, which CONFIGURED records.
        //
        // Multi-thread mode: no mutex around each call on a connection or statement (6% of
        // the suggestions' row reads). Diesel's connections are `Send` but not `Sync`, and the
        // pool hands each to one thread at a time, so no two threads ever use one at once.
        let configured = unsafe {
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MULTITHREAD) == ffi::SQLITE_OK
                && ffi::sqlite3_config(ffi::SQLITE_CONFIG_STMTJRNL_SPILL, SUBJOURNAL_SPILL_BYTES as c_int)
                    == ffi::SQLITE_OK
        };
        CONFIGURED.store(configured, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: registers a function with the signature SQLite expects; it stays valid for
        // the life of the process.
        unsafe { ffi::sqlite3_auto_extension(Some(enable_qpsg)) };
    });
}

/// Per-connection settings for speed (`scripts/bench`): reads through a memory map skip a
/// read() syscall and a page copy each; a 32 MiB page cache keeps the hot index pages of
/// million-row tables. Neither changes durability.
fn tune_sqlite(c: &mut SqliteConnection) -> QueryResult<()> {
    c.batch_execute("PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -32768;")
}

pub type Pool = r2d2::Pool<Manager>;

/// The database handle the app holds: a pool for reads and one for writes.
/// On SQLite all writes go through a single connection (one writer is what SQLite
/// supports; queueing in the pool beats spinning on SQLITE_BUSY). On PostgreSQL both are one pool.
#[derive(Clone)]
pub struct Db {
    read: Pool,
    write: Pool,
    /// SQLite only: the writer thread that group-commits the requests' writes.
    batched: Option<writer::Writer>,
    /// SQLite only: the thread that checkpoints the WAL, poked after each commit.
    checkpoints: Option<Arc<Checkpointer>>,
    url: DbUrl,
}

impl Db {
    pub fn open(url: &str, opts: &DbOptions) -> AppResult<Db> {
        let url = DbUrl::parse(url);
        let pool_size = opts.pool_size;
        let build = |size: u32, writes: bool| {
            r2d2::Pool::builder()
                .max_size(size)
                .min_idle(Some(1))
                .connection_timeout(opts.connect_timeout)
                .build(Manager {
                    url: url.clone(),
                    busy_timeout_ms: opts.busy_timeout_ms,
                    writes,
                })
                .map_err(AppError::from)
        };
        let (read, write, batched, checkpoints) = if url.is_sqlite() {
            // Create the file and run migrations on the writer before readers open it.
            let write = build(1, true)?;
            let conn = url
                .connect(opts.busy_timeout_ms)
                .map_err(|e| AppError::Unavailable(format!("opening the database: {e}")))?;
            let checkpoints = Checkpointer::start(conn)
                .map_err(|e| AppError::Internal(format!("starting the checkpoint thread: {e}")))?;
            let batched = writer::Writer::start(write.clone(), checkpoints.clone());
            (build(pool_size, false)?, write, Some(batched), Some(checkpoints))
        } else {
            let p = build(pool_size, true)?;
            (p.clone(), p, None, None)
        };
        Ok(Db {
            read,
            write,
            batched,
            checkpoints,
            url,
        })
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    pub fn migrate(&self) -> AppResult<()> {
        let mut conn = self.write.get()?;
        let done = run_migrations(&mut conn);
        self.committed();
        done
    }

    /// After a commit outside the writer thread: the WAL may want a checkpoint.
    fn committed(&self) {
        if let Some(c) = &self.checkpoints {
            c.poke();
        }
    }

    /// A connection for reading (blocking; call from `web::block` or a worker thread).
    pub fn reader(&self) -> AppResult<r2d2::PooledConnection<Manager>> {
        Ok(self.read.get()?)
    }

    /// Runs `f` in one write transaction of its own (blocking). Errors roll everything back.
    /// On SQLite it takes turns with the writer thread's batches for the one connection.
    pub fn write_blocking<T>(&self, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
        let mut conn = self.write.get()?;
        let done = write_transaction(&mut conn, f);
        self.committed();
        done
    }

    /// Runs `f` on a read connection (blocking). On SQLite all its statements share one read
    /// transaction, so what a page shows (an order, its counts, its lists) is one consistent
    /// state even while the writer commits between them; SQLite also takes its shared lock
    /// and finds its WAL snapshot once instead of per statement. Not on PostgreSQL, where
    /// BEGIN and COMMIT would be two more round trips for every request.
    pub fn read_blocking<T>(&self, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
        let mut conn = self.read.get()?;
        if matches!(**conn, DbConn::Sqlite(_)) {
            conn.transaction(f)
        } else {
            f(&mut conn)
        }
    }

    /// Reads off the async workers: diesel blocks.
    /// One round trip through the read pool: what `/healthz` answers with.
    pub async fn ping(&self) -> AppResult<()> {
        self.read(|c| Ok(c.batch_execute("SELECT 1")?)).await
    }

    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let db = self.clone();
        actix_web::web::block(move || db.read_blocking(f)).await?
    }

    /// One write off the async workers. On SQLite it joins the writer's next batch (group
    /// commit, inside its own savepoint); on PostgreSQL it is its own transaction.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let db = self.clone();
        actix_web::web::block(move || db.write_batched(f)).await?
    }

    /// The SQLite writer's (jobs, batches) so far; None on PostgreSQL.
    pub fn write_stats(&self) -> Option<(u64, u64)> {
        self.batched.as_ref().map(writer::Writer::stats)
    }

    /// Like `write`, blocking: group-committed on SQLite. The closure must be `'static`
    /// because it runs on the writer thread; `write_blocking` takes borrowing closures.
    pub fn write_batched<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        match &self.batched {
            Some(w) => w.run(f),
            None => self.write_blocking(f),
        }
    }
}

/// A migrated SQLite database in a directory of its own, for a unit test (which removes the
/// directory when done).
#[cfg(test)]
pub(crate) fn test_db(name: &str) -> (std::path::PathBuf, Db) {
    let dir = std::env::temp_dir().join(format!("staer-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::open(dir.join("t.db").to_str().unwrap(), &DbOptions::default()).unwrap();
    db.migrate().unwrap();
    (dir, db)
}

/// On SQLite the transaction starts with BEGIN IMMEDIATE: it takes the write lock up front,
/// so a transaction that reads and then writes never fails with SQLITE_BUSY half-way
/// (another process, e.g. `mail-worker`, may write to the same file).
pub fn write_transaction<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    type Tm = <DbConn as Connection>::TransactionManager;
    match f(conn) {
        Ok(value) => match Tm::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = Tm::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            Tm::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

pub fn run_migrations(conn: &mut DbConn) -> AppResult<()> {
    let result = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
        DbConn::Pg(c) => {
            // Several instances may start at once against one database: migrate one at a time.
            c.batch_execute("SELECT pg_advisory_lock(7412001)")?;
            let r = c.run_pending_migrations(PG_MIGRATIONS).map(|_| ());
            c.batch_execute("SELECT pg_advisory_unlock(7412001)")?;
            r
        }
    };
    result.map_err(|e| AppError::Internal(format!("migrations failed: {e}")))
}

diesel::define_sql_function! {
    /// Lower-casing in SQL, for case-insensitive search on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// A nullable text or a default: `lower` (a Rust function on SQLite) refuses NULL.
    fn coalesce(x: diesel::sql_types::Nullable<diesel::sql_types::Text>, y: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Escapes LIKE wildcards in user input and wraps it for a substring match.
pub fn like_pattern(q: &str) -> String {
    let mut s = String::with_capacity(q.len() + 2);
    s.push('%');
    for ch in q.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(ch);
    }
    s.push('%');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_scheme_decides_backend() {
        assert_eq!(
            DbUrl::parse("postgres://u@h/db"),
            DbUrl::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(DbUrl::parse("sqlite://x.db"), DbUrl::Sqlite("x.db".into()));
        assert_eq!(DbUrl::parse("staer-hub.db"), DbUrl::Sqlite("staer-hub.db".into()));
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
        assert_eq!(like_pattern("BRØNDBY"), "%brøndby%");
    }

    /// The process's settings only take if they are made before SQLite's first use: opening
    /// a connection makes them first (no connection of this process opens SQLite any other way).
    #[test]
    fn the_process_settings_are_made_before_sqlite_starts() {
        let dir = std::env::temp_dir().join(format!("staer-db-spill-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        DbUrl::parse(dir.join("s.db").to_str().unwrap()).connect(1000).unwrap();
        assert!(CONFIGURED.load(std::sync::atomic::Ordering::Relaxed));
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A statement whose undo copies outgrow the in-memory sub-journal spills them to a file,
    /// and must still succeed: a migration rebuilding an index, a sweep over many rows. SQLite
    /// writes the in-memory copies out in chunks of the spill size, and its file writes take at
    /// most 128 KiB (os_unix.c), so a larger spill size failed such a statement with "database
    /// or disk is full" (it did, at 8 MiB, for the index migration on the bench's data).
    #[test]
    fn a_statement_larger_than_the_in_memory_sub_journal_spills_and_succeeds() {
        let dir = std::env::temp_dir().join(format!("staer-db-bigstmt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::open(dir.join("b.db").to_str().unwrap(), &DbOptions::default()).unwrap();
        // 4 MiB of rows, committed: their pages exist before the next transaction.
        db.write_blocking(|c| {
            c.batch_execute(
                "CREATE TABLE big(id INTEGER PRIMARY KEY, v TEXT NOT NULL);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4096)
                 INSERT INTO big SELECT i, hex(randomblob(500)) FROM n;",
            )?;
            Ok(())
        })
        .unwrap();
        // One statement in a transaction changing every one of those pages twice over: an
        // index on the whole table dropped, and built again into its freed pages.
        db.write_blocking(|c| {
            c.batch_execute("CREATE INDEX big_v ON big(v); UPDATE big SET v = v || 'x';")?;
            c.batch_execute("DROP INDEX big_v; CREATE INDEX big_v2 ON big(v, id);")?;
            Ok(())
        })
        .unwrap();
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn sqlite_write_transaction_rolls_back_on_error() {
        let (dir, db) = crate::db::test_db("db-test");
        let r: AppResult<()> = db.write_blocking(|c| {
            c.batch_execute("INSERT INTO networks (name) VALUES ('X')")?;
            Err(AppError::Conflict("stop".into()))
        });
        assert!(r.is_err());
        let n: i64 = db
            .read_blocking(|c| Ok(crate::db::schema::networks::table.count().get_result(c)?))
            .unwrap();
        assert_eq!(n, 0);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_sqlite_read_sees_one_state_while_a_write_commits() {
        let (dir, db) = crate::db::test_db("db-snapshot");
        let count =
            |c: &mut DbConn| -> AppResult<i64> { Ok(crate::db::schema::networks::table.count().get_result(c)?) };
        let (before, after) = db
            .read_blocking(|c| {
                let before = count(c)?;
                // Another request's write commits between this request's two statements.
                db.write_blocking(|w| Ok(w.batch_execute("INSERT INTO networks (name) VALUES ('X')")?))?;
                Ok((before, count(c)?))
            })
            .unwrap();
        assert_eq!(before, after, "the second statement saw a later state than the first");
        assert_eq!(db.read_blocking(count).unwrap(), before + 1, "the write committed");
        std::fs::remove_dir_all(&dir).ok();
    }
}
