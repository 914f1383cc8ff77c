//! The single SQLite writer with group commit: write jobs queue up, and each batch runs in one
//! transaction, every job inside its own savepoint, with one commit for the batch.
//!
//! Why: SQLite has one writer at a time, and a commit (its WAL frames and lock handover) costs
//! more than a small job's statements. Batching the jobs that queued while the previous batch
//! ran pays that cost once per batch. A job that fails rolls back its own savepoint only, and
//! no job is answered before its batch's commit is known.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError};
use std::sync::Arc;

use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};

use super::checkpoint::Checkpointer;
use super::{DbConn, Pool};
use crate::error::{AppError, AppResult};

/// Most jobs in one transaction: bounds how long one commit keeps the others waiting.
const MAX_BATCH: usize = 64;

type Tm = <DbConn as Connection>::TransactionManager;

/// One queued write: run it (inside the batch's transaction), then answer its caller once the
/// batch's commit is known.
trait Job: Send {
    fn run(&mut self, conn: &mut DbConn);
    fn finish(self: Box<Self>, commit: Result<(), &str>);
}

struct Pending<T, F> {
    f: Option<F>,
    result: Option<AppResult<T>>,
    reply: SyncSender<AppResult<T>>,
}

impl<T: Send, F: FnOnce(&mut DbConn) -> AppResult<T> + Send> Job for Pending<T, F> {
    fn run(&mut self, conn: &mut DbConn) {
        if let Some(f) = self.f.take() {
            self.result = Some(in_savepoint(conn, f));
        }
    }

    fn finish(self: Box<Self>, commit: Result<(), &str>) {
        let answer = match (self.result, commit) {
            // The job's own refusal stands whatever the batch did.
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (_, Err(e)) => Err(AppError::Unavailable(format!("the write was not committed: {e}"))),
            (None, Ok(())) => Err(AppError::Internal("write job never ran".into())),
        };
        // The caller may have gone (a dropped request): its answer has nowhere to go.
        let _ = self.reply.send(answer);
    }
}

/// A job inside its own savepoint: its error (or panic) undoes only its own writes.
fn in_savepoint<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
    Tm::begin_transaction(conn)?;
    match catch_unwind(AssertUnwindSafe(|| f(conn))) {
        Ok(Ok(v)) => {
            Tm::commit_transaction(conn)?;
            Ok(v)
        }
        Ok(Err(e)) => {
            Tm::rollback_transaction(conn)?;
            Err(e)
        }
        Err(_) => {
            Tm::rollback_transaction(conn)?;
            Err(AppError::Internal("a write job panicked".into()))
        }
    }
}

/// The handle the app holds: sends jobs to the writer thread.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Box<dyn Job>>,
    stats: Arc<Stats>,
}

/// Jobs run and transactions committed so far (the bench prints jobs per batch).
#[derive(Default)]
pub struct Stats {
    pub jobs: AtomicU64,
    pub batches: AtomicU64,
}

impl Writer {
    /// Starts the writer thread over `pool` (one connection: the only writer).
    pub fn start(pool: Pool, checkpoints: Arc<Checkpointer>) -> Writer {
        let (jobs, queue) = mpsc::channel::<Box<dyn Job>>();
        let stats = Arc::new(Stats::default());
        let counts = stats.clone();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(&pool, &queue, &counts, &checkpoints))
            .expect("spawn the database writer thread");
        Writer { jobs, stats }
    }

    /// (jobs, batches) so far.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.stats.jobs.load(Ordering::Relaxed),
            self.stats.batches.load(Ordering::Relaxed),
        )
    }

    /// Runs `f` in the next batch; blocks until that batch has committed (or failed).
    pub fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static) -> AppResult<T> {
        let (reply, answer) = mpsc::sync_channel(1);
        let job = Pending {
            f: Some(f),
            result: None,
            reply,
        };
        self.jobs
            .send(Box::new(job))
            .map_err(|_| AppError::Unavailable("the database writer has stopped".into()))?;
        answer
            .recv()
            .map_err(|_| AppError::Unavailable("the database writer has stopped".into()))?
    }
}

/// Takes the first job waiting, then every job already queued behind it (up to `MAX_BATCH`),
/// and runs them as one transaction. Ends when every `Writer` handle is gone.
fn writer_loop(pool: &Pool, queue: &Receiver<Box<dyn Job>>, stats: &Stats, checkpoints: &Checkpointer) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        let outcome = run_batch(pool, &mut batch).map_err(|e| e.to_string());
        checkpoints.poke();
        stats.jobs.fetch_add(batch.len() as u64, Ordering::Relaxed);
        stats.batches.fetch_add(1, Ordering::Relaxed);
        for job in batch {
            job.finish(outcome.as_ref().map(|_| ()).map_err(String::as_str));
        }
    }
}

fn run_batch(pool: &Pool, batch: &mut [Box<dyn Job>]) -> AppResult<()> {
    // A connection whose transaction broke is not handed out again (`Manager::has_broken`).
    let mut conn = pool.get()?;
    let conn: &mut DbConn = &mut conn;
    if let DbConn::Sqlite(c) = conn {
        undo_copies_in_memory(c, true)?;
    }
    let done = in_one_transaction(conn, batch);
    if let DbConn::Sqlite(c) = conn {
        // The batch's outcome stands either way: its jobs must not hear "not committed" of a
        // commit that happened. It fails only inside a transaction left open, and such a
        // connection is not handed out again (`Manager::has_broken`).
        if let Err(e) = undo_copies_in_memory(c, false) {
            tracing::warn!("resetting temp_store after a batch: {e}");
        }
    }
    done
}

fn in_one_transaction(conn: &mut DbConn, batch: &mut [Box<dyn Job>]) -> AppResult<()> {
    if let DbConn::Sqlite(c) = conn {
        // BEGIN IMMEDIATE takes the write lock up front (another process may write too).
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    } else {
        Tm::begin_transaction(conn)?;
    }
    for job in batch.iter_mut() {
        job.run(conn);
    }
    match Tm::commit_transaction(conn) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = Tm::rollback_transaction(conn);
            Err(e.into())
        }
    }
}

/// Where a batch keeps its savepoints' undo copies (the sub-journal): in memory, however many.
/// Each job's savepoint copies every existing page it changes, and an approval changes more
/// than the 124 KiB that stay in memory otherwise (`SUBJOURNAL_SPILL_BYTES`); past that the
/// copies went to a temporary file, a `pwrite` per page for the rest of the batch (5% of the
/// server's CPU under approvals, `perf`). A batch's jobs are requests' writes: an approval's
/// copies are a few hundred KiB, the largest job's (an import) bounded by its upload limit,
/// and each job's are freed when its savepoint ends. The setting goes back to the default
/// after the batch: `write_blocking` and the migrations share this connection, and a
/// statement of theirs may change the whole database, whose copies must spill to a file.
/// SQLite reads `temp_store` when a transaction begins, and refuses to change it inside one.
fn undo_copies_in_memory(c: &mut diesel::SqliteConnection, on: bool) -> AppResult<()> {
    use diesel::connection::SimpleConnection;
    c.batch_execute(if on {
        "PRAGMA temp_store = MEMORY"
    } else {
        "PRAGMA temp_store = DEFAULT"
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Db, DbOptions};
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};

    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    fn count(db: &Db) -> i64 {
        db.read_blocking(|c| Ok(diesel::sql_query("SELECT COUNT(*) AS n FROM t").get_result::<N>(c)?.n))
            .unwrap()
    }

    fn setup(name: &str) -> (std::path::PathBuf, Db) {
        let dir = std::env::temp_dir().join(format!("staer-writer-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::open(dir.join("w.db").to_str().unwrap(), &DbOptions::default()).unwrap();
        db.write_blocking(|c| Ok(c.batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)")?))
            .unwrap();
        (dir, db)
    }

    fn insert(v: String) -> impl FnOnce(&mut DbConn) -> AppResult<()> + Send + 'static {
        move |c| {
            diesel::sql_query("INSERT INTO t (v) VALUES (?)")
                .bind::<Text, _>(v)
                .execute(c)?;
            Ok(())
        }
    }

    /// Many writers at once: every job that succeeds is there, a refused one (a duplicate
    /// value) undoes only itself, and nothing else is lost or doubled.
    #[test]
    fn concurrent_jobs_commit_and_a_refusal_undoes_only_itself() {
        let (dir, db) = setup("concurrent");
        let threads: Vec<_> = (0..16)
            .map(|i| {
                let db = db.clone();
                std::thread::spawn(move || {
                    // Thread 0 writes "dup" every time: only its first can land.
                    (0..25)
                        .filter(|j| {
                            let v = if i == 0 { "dup".to_string() } else { format!("{i}-{j}") };
                            db.write_batched(insert(v)).is_ok()
                        })
                        .count()
                })
            })
            .collect();
        let ok: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(ok, 15 * 25 + 1);
        assert_eq!(count(&db), 15 * 25 + 1);
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A job's error and a job's panic roll back that job alone; later jobs still commit.
    #[test]
    fn a_failed_or_panicking_job_rolls_back_alone() {
        let (dir, db) = setup("alone");
        let e = db.write_batched(|c| {
            insert("a".into())(c)?;
            Err::<(), _>(AppError::Conflict("no".into()))
        });
        assert!(matches!(e, Err(AppError::Conflict(_))));
        let p = db.write_batched(|c| -> AppResult<()> {
            insert("b".into())(c)?;
            panic!("a job that panics (expected in this test)")
        });
        assert!(matches!(p, Err(AppError::Internal(_))));
        db.write_batched(insert("c".into())).unwrap();
        assert_eq!(count(&db), 1);
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A batch keeps its undo copies in memory; `write_blocking`, on the same connection
    /// after it, spills them to a file again (its statement may change the whole database).
    #[test]
    fn only_batches_keep_undo_copies_in_memory() {
        #[derive(QueryableByName)]
        struct Store {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            temp_store: i32,
        }
        fn temp_store(c: &mut DbConn) -> AppResult<i32> {
            Ok(diesel::sql_query("PRAGMA temp_store")
                .get_result::<Store>(c)?
                .temp_store)
        }
        let (dir, db) = setup("undo");
        // 2 is MEMORY, 0 the default (a file past the spill size).
        assert_eq!(db.write_batched(temp_store).unwrap(), 2);
        assert_eq!(db.write_blocking(temp_store).unwrap(), 0);
        assert_eq!(db.write_batched(temp_store).unwrap(), 2);
        std::fs::remove_dir_all(&dir).ok();
    }

    /// Jobs queued while a batch runs join the next batch: one transaction for all of them.
    #[test]
    fn queued_jobs_form_batches() {
        let (dir, db) = setup("batches");
        // Hold the writer busy so that the next jobs queue behind it.
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let blocker = {
            let db = db.clone();
            std::thread::spawn(move || {
                db.write_batched(move |_| {
                    wait.recv().ok();
                    Ok(())
                })
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(50));
        let queued: Vec<_> = (0..10)
            .map(|i| {
                let db = db.clone();
                std::thread::spawn(move || db.write_batched(insert(format!("q{i}"))))
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(100));
        go.send(()).unwrap();
        blocker.join().unwrap().unwrap();
        for t in queued {
            t.join().unwrap().unwrap();
        }
        assert_eq!(count(&db), 10);
        let (jobs, batches) = db.write_stats().unwrap();
        assert_eq!(jobs, 11);
        // The blocker's batch, then the ten queued jobs together (one commit, not ten).
        assert!(batches <= 3, "{batches} batches for 11 jobs");
        std::fs::remove_dir_all(&dir).ok();
    }
}
