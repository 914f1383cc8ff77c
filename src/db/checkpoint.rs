//! SQLite WAL checkpoints on a thread of their own, off the writer's path.
//!
//! Why: by default the connection that commits runs the checkpoint when the WAL passes 1,000
//! pages, copying pages into the database file and waiting for its fsync while every queued
//! write waits behind it (11% of the writer thread's time under approvals in `scripts/bench`).
//! The write connections turn that off (`wal_autocheckpoint = 0`), and each commit pokes this
//! thread instead, at most every `EVERY`. A PASSIVE checkpoint runs beside the writer. When
//! the writer keeps the WAL growing past `RESTART_FRAMES` anyway (sustained load), one
//! RESTART checkpoint briefly holds writers back so that the WAL starts over from its head.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::Integer;

use super::DbConn;

/// The shortest time between two checkpoints.
const EVERY: Duration = Duration::from_millis(100);
/// A WAL this long (frames of one page, 4 KiB: 64 MiB) is restarted rather than left to grow.
const RESTART_FRAMES: i32 = 16_384;

pub struct Checkpointer {
    wake: SyncSender<()>,
    started: Instant,
    /// Milliseconds after `started` of the last wake-up.
    last_ms: AtomicU64,
}

#[derive(QueryableByName)]
struct WalState {
    #[diesel(sql_type = Integer)]
    busy: i32,
    #[diesel(sql_type = Integer)]
    log: i32,
    #[diesel(sql_type = Integer)]
    checkpointed: i32,
}

impl Checkpointer {
    /// Starts the checkpoint thread on its own connection. It ends when the last handle is
    /// dropped (the `Db` and its writer thread).
    pub fn start(conn: DbConn) -> std::io::Result<Arc<Checkpointer>> {
        let (wake, woken) = sync_channel(1);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(conn, &woken))?;
        Ok(Arc::new(Checkpointer {
            wake,
            started: Instant::now(),
            last_ms: AtomicU64::new(0),
        }))
    }

    /// After a commit: wakes the thread unless it was woken less than `EVERY` ago.
    pub fn poke(&self) {
        let now = self.started.elapsed().as_millis() as u64;
        let last = self.last_ms.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= EVERY.as_millis() as u64
            && self
                .last_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            // Full means a wake-up is already pending: nothing to add.
            let _ = self.wake.try_send(());
        }
    }
}

fn run(mut conn: DbConn, woken: &Receiver<()>) {
    while woken.recv().is_ok() {
        if let Err(e) = checkpoint(&mut conn) {
            tracing::warn!("WAL checkpoint failed: {e}");
        }
    }
}

/// One PASSIVE checkpoint; a RESTART when the WAL has grown past `RESTART_FRAMES`.
fn checkpoint(conn: &mut DbConn) -> QueryResult<()> {
    let s: WalState = diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result(conn)?;
    if s.busy == 0 && s.log > RESTART_FRAMES {
        tracing::debug!(
            "WAL at {} frames ({} checkpointed): restarting it",
            s.log,
            s.checkpointed
        );
        diesel::sql_query("PRAGMA wal_checkpoint(RESTART)").get_result::<WalState>(conn)?;
    }
    Ok(())
}

/// Copies the whole WAL into the database file and empties it, so that the file alone is the
/// database (the seed's file is copied on its own). A checkpoint the thread is running at that
/// moment makes this one answer busy at once (SQLite waits for readers and the writer, not for
/// another checkpointer), so it is tried again.
pub fn truncate(conn: &mut DbConn) -> QueryResult<()> {
    for _ in 0..200 {
        let s: WalState = diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result(conn)?;
        if s.busy == 0 {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(diesel::result::Error::QueryBuilderError(
        "the WAL stayed busy for 10 s: not checkpointed".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Db, DbOptions};
    use diesel::connection::SimpleConnection;

    /// The write connection does not checkpoint (autocheckpoint off), yet the WAL is copied
    /// back into the database file: by this thread.
    #[test]
    fn the_wal_is_checkpointed_by_the_thread_not_the_writer() {
        let dir = std::env::temp_dir().join(format!("staer-ckpt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.db");
        let db = Db::open(path.to_str().unwrap(), &DbOptions::default()).unwrap();
        let auto: i32 = db
            .write_blocking(|c| {
                #[derive(QueryableByName)]
                struct A {
                    #[diesel(sql_type = Integer)]
                    wal_autocheckpoint: i32,
                }
                Ok(diesel::sql_query("PRAGMA wal_autocheckpoint")
                    .get_result::<A>(c)?
                    .wal_autocheckpoint)
            })
            .unwrap();
        assert_eq!(auto, 0, "the writer must not checkpoint inline");
        db.write_blocking(|c| Ok(c.batch_execute("CREATE TABLE t (v BLOB)")?))
            .unwrap();
        // Two thousand pages through the WAL, 100 ms apart in two halves.
        for _ in 0..2 {
            for _ in 0..10 {
                db.write_batched(|c| {
                    Ok(c.batch_execute(
                        "INSERT INTO t SELECT randomblob(4000) FROM (SELECT 1 UNION ALL SELECT 2) a, \
                         (SELECT 1 UNION ALL SELECT 2) b, (SELECT 1 UNION ALL SELECT 2) c, \
                         (SELECT 1 UNION ALL SELECT 2) d, (SELECT 1 UNION ALL SELECT 2) e, \
                         (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) f",
                    )?)
                })
                .unwrap();
            }
            std::thread::sleep(EVERY * 2);
        }
        // The database file holds the rows although no connection closed: checkpointed.
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::fs::metadata(&path).unwrap().len() < 1_000 * 4096 {
            assert!(Instant::now() < deadline, "nothing was checkpointed");
            db.write_batched(|c| Ok(c.batch_execute("INSERT INTO t VALUES (x'00')")?))
                .unwrap();
            std::thread::sleep(EVERY);
        }
        drop(db);
        std::fs::remove_dir_all(&dir).ok();
    }
}
