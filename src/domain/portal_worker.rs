//! Delivery to the employer portal: claims due transfers with the outbox's lease
//! (`db::lease`), calls the portal with the signed body and the transfer's idempotency key,
//! and records the answer: the order's status, the protocol, retries with backoff, and a
//! mail to the order's consultant when the retries run out. Runs on its own thread
//! (diesel and ureq block), safe beside other workers on the same database.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::config::Config;
use crate::db::lease::{self, Lease};
use crate::db::schema::{job_orders, portal_transfers};
use crate::db::{Db, DbConn};
use crate::domain::notify;
use crate::domain::order::JobOrder;
use crate::domain::portal_state::{
    mark_sent, record, set_portal_id, set_state, state_of, ARCHIVED, FAILED, KIND_CREATE, KIND_UPDATE, KIND_WITHDRAW,
    ONLINE, REJECTED, SENT,
};
use crate::domain::portal_wire::{clean_message, read_answer, sign, Answer, SIGNATURE_HEADER};
use crate::error::{AppError, AppResult};
use crate::ids::JobOrderId;
use crate::mail::Mail;

#[derive(Clone, Debug)]
pub struct PortalSettings {
    /// The portal's base URL; `POST {url}/orders` creates an ad.
    pub url: String,
    pub secret: Vec<u8>,
    pub poll: Duration,
    /// First retry delay; doubles per attempt up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    pub max_attempts: i32,
    /// How long a claimed transfer stays with its worker (longer than a call can take).
    pub lease: Duration,
    pub batch: i64,
    /// The longest a call to the portal may take.
    pub timeout: Duration,
}

impl PortalSettings {
    /// The worker's settings, when a portal is configured.
    pub fn from_config(c: &Config) -> Option<PortalSettings> {
        Some(PortalSettings {
            url: c.portal_url.clone()?,
            secret: c.portal_secret.clone(),
            poll: Duration::from_millis(c.portal_poll_ms),
            backoff: Duration::from_millis(c.portal_backoff_ms),
            max_backoff: Duration::from_secs(3600),
            max_attempts: c.portal_max_attempts,
            lease: Duration::from_secs(120),
            batch: 10,
            timeout: Duration::from_secs(30),
        })
    }
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = portal_transfers)]
pub struct Transfer {
    pub id: i64,
    pub order_id: JobOrderId,
    pub kind: String,
    pub idempotency_key: String,
    pub body: String,
    pub attempts: i32,
}

/// What a delivery came to.
#[derive(Debug)]
enum Delivery {
    Answer(Answer),
    /// An update or withdrawal of an order that has no ad (its create was rejected or failed).
    NoAd,
}

pub struct PortalWorker {
    db: Db,
    mail: Arc<Mail>,
    settings: PortalSettings,
    lease: Lease,
    agent: ureq::Agent,
}

impl PortalWorker {
    pub fn new(db: Db, mail: Arc<Mail>, settings: PortalSettings) -> PortalWorker {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            .timeout(settings.timeout)
            .redirects(0)
            .tls_connector(Arc::new(crate::tls::Rustls::with_native_roots()))
            .build();
        PortalWorker {
            lease: Lease::new(settings.lease),
            db,
            mail,
            settings,
            agent,
        }
    }

    /// Claims due transfers, but of each order only its oldest pending one: an update or a
    /// withdrawal needs the portal id that the create before it brings back.
    fn claim(&self) -> AppResult<Vec<Transfer>> {
        let now = Utc::now().naive_utc();
        let batch = self.settings.batch;
        let due: Vec<(i64, JobOrderId)> = self.db.read_blocking(|c| {
            Ok(portal_transfers::table
                .filter(crate::lease_due!(portal_transfers, now))
                .order(portal_transfers::id)
                .limit(batch)
                .select((portal_transfers::id, portal_transfers::order_id))
                .load(c)?)
        })?;
        if due.is_empty() {
            return Ok(vec![]);
        }
        let orders: Vec<JobOrderId> = due.iter().map(|(_, o)| *o).collect();
        let pending: Vec<(JobOrderId, i64)> = self.db.read_blocking(|c| {
            Ok(portal_transfers::table
                .filter(portal_transfers::status.eq("pending"))
                .filter(portal_transfers::order_id.eq_any(&orders))
                .select((portal_transfers::order_id, portal_transfers::id))
                .load(c)?)
        })?;
        let mut first: BTreeMap<JobOrderId, i64> = BTreeMap::new();
        for (order, id) in pending {
            let e = first.entry(order).or_insert(id);
            *e = (*e).min(id);
        }
        let ids: Vec<i64> = due
            .into_iter()
            .filter(|(id, order)| first.get(order) == Some(id))
            .map(|(id, _)| id)
            .collect();
        self.db.write_blocking(|c| {
            let won = crate::lease_claim!(c, portal_transfers, ids, &self.lease, now);
            Ok(portal_transfers::table
                .filter(portal_transfers::id.eq_any(won))
                .order(portal_transfers::id)
                .select(Transfer::as_select())
                .load(c)?)
        })
    }

    /// One call to the portal. Blocking: runs on the worker's thread.
    fn deliver(&self, t: &Transfer) -> AppResult<Delivery> {
        let base = &self.settings.url;
        let (method, url) = if t.kind == KIND_CREATE {
            ("POST", format!("{base}/orders"))
        } else {
            let pid = self
                .db
                .read_blocking(|c| Ok(state_of(c, t.order_id)?.and_then(|s| s.portal_id)))?;
            let Some(pid) = pid else {
                return Ok(Delivery::NoAd);
            };
            let method = if t.kind == KIND_UPDATE { "PUT" } else { "DELETE" };
            (method, format!("{base}/orders/{pid}"))
        };
        let res = self
            .agent
            .request(method, &url)
            .set("Content-Type", "application/json")
            .set(SIGNATURE_HEADER, &sign(&self.settings.secret, t.body.as_bytes()))
            .set("Idempotency-Key", &t.idempotency_key)
            .send_string(&t.body);
        let answer = match res {
            Ok(r) => {
                let status = r.status();
                read_answer(status, &r.into_string().unwrap_or_default())
            }
            // An ad the portal no longer has is as withdrawn as it gets.
            Err(ureq::Error::Status(404 | 410, _)) if t.kind == KIND_WITHDRAW => Answer::Accepted {
                portal_id: None,
                online: false,
                message: None,
            },
            Err(ureq::Error::Status(code, r)) => read_answer(code, &r.into_string().unwrap_or_default()),
            Err(e) => Answer::Retry(clean_message(&e.to_string())),
        };
        Ok(Delivery::Answer(match answer {
            Answer::Accepted { portal_id: None, .. } if t.kind == KIND_CREATE => {
                Answer::Retry("the portal accepted the order without a portal_id".into())
            }
            other => other,
        }))
    }

    /// Records a delivery: the transfer row (only while this worker holds it), then the
    /// order's status and protocol, in one transaction.
    fn finish(&self, t: &Transfer, delivery: Delivery) -> AppResult<()> {
        let now = Utc::now().naive_utc();
        let attempts = t.attempts + 1;
        let retry_at = now + chrono::Duration::from_std(self.delay(attempts)).unwrap_or_default();
        let (row_status, error) = match &delivery {
            Delivery::NoAd => ("cancelled", None),
            Delivery::Answer(Answer::Accepted { .. }) => ("done", None),
            Delivery::Answer(Answer::Rejected(r)) => ("rejected", Some(r.clone())),
            Delivery::Answer(Answer::Retry(e)) if attempts < self.settings.max_attempts => ("pending", Some(e.clone())),
            Delivery::Answer(Answer::Retry(e)) => ("failed", Some(e.clone())),
        };
        self.db.write_blocking(|c| {
            let mine = portal_transfers::table
                .filter(portal_transfers::id.eq(t.id))
                .filter(portal_transfers::locked_by.eq(&self.lease.token));
            let n = diesel::update(mine)
                .set((
                    portal_transfers::status.eq(row_status),
                    portal_transfers::attempts.eq(attempts),
                    portal_transfers::next_attempt_at.eq(retry_at),
                    portal_transfers::locked_until.eq(None::<NaiveDateTime>),
                    portal_transfers::last_error.eq(&error),
                    portal_transfers::done_at.eq((row_status != "pending").then_some(now)),
                ))
                .execute(c)?;
            if n == 0 {
                // The lease ran out and another worker has the row: it records the outcome.
                return Ok(());
            }
            let error = error.as_deref().unwrap_or_default();
            match (row_status, delivery) {
                (
                    "done",
                    Delivery::Answer(Answer::Accepted {
                        portal_id,
                        online,
                        message,
                    }),
                ) => self.accepted(c, t, portal_id.as_deref(), online, message.as_deref()),
                ("cancelled", _) => {
                    if t.kind == KIND_WITHDRAW {
                        set_state(c, t.order_id, ARCHIVED, None)?;
                    }
                    record(
                        c,
                        t.order_id,
                        "out",
                        &t.kind,
                        "cancelled",
                        Some("no ad on the portal"),
                        None,
                    )
                }
                ("rejected", _) => {
                    set_state(c, t.order_id, REJECTED, Some(error))?;
                    record(c, t.order_id, "out", &t.kind, REJECTED, Some(error), None)
                }
                ("pending", _) => {
                    tracing::warn!(transfer = t.id, attempts, error, "portal transfer failed; will retry");
                    record(c, t.order_id, "out", &t.kind, "retrying", Some(error), None)
                }
                _ => {
                    tracing::error!(transfer = t.id, attempts, error, "portal transfer failed for good");
                    set_state(c, t.order_id, FAILED, Some(error))?;
                    record(c, t.order_id, "out", &t.kind, FAILED, Some(error), None)?;
                    let order = job_orders::table
                        .find(t.order_id)
                        .select(JobOrder::as_select())
                        .first(c)?;
                    notify::portal_failed(c, &self.mail, &order, &t.kind, attempts, error)
                }
            }
        })
    }

    /// The portal took the transfer: a create brings the ad's id (online now, or once the
    /// portal confirms); a withdrawal archives it.
    fn accepted(
        &self,
        c: &mut DbConn,
        t: &Transfer,
        portal_id: Option<&str>,
        online: bool,
        message: Option<&str>,
    ) -> AppResult<()> {
        let current = state_of(c, t.order_id)?.map(|s| s.status).unwrap_or_default();
        let status = if t.kind == KIND_WITHDRAW {
            // Reopened meanwhile: it must be sent again before it is shared again.
            diesel::update(job_orders::table.find(t.order_id).filter(job_orders::status.eq("open")))
                .set(job_orders::sent_to_portal_at.eq(None::<NaiveDateTime>))
                .execute(c)?;
            ARCHIVED
        } else {
            if let Some(pid) = portal_id.filter(|_| t.kind == KIND_CREATE) {
                set_portal_id(c, t.order_id, Some(pid))?;
            }
            mark_sent(c, t.order_id)?;
            // A confirmation by callback may have overtaken this answer: never back to `sent`.
            if online || current == ONLINE {
                ONLINE
            } else {
                SENT
            }
        };
        set_state(c, t.order_id, status, message)?;
        record(c, t.order_id, "out", &t.kind, status, message, None)
    }

    fn delay(&self, attempts: i32) -> Duration {
        lease::backoff(self.settings.backoff, self.settings.max_backoff, attempts)
    }

    /// One pass: claim what is due, deliver it, record the outcome. Returns how many were done.
    pub fn run_once(&self) -> AppResult<usize> {
        let mut n = 0;
        for t in self.claim()? {
            let delivery = self.deliver(&t)?;
            n += 1;
            self.finish(&t, delivery)?;
        }
        Ok(n)
    }

    /// Polls until `stop` is set. Database errors are logged and retried on the next poll.
    pub fn run(&self, stop: &AtomicBool) {
        lease::poll_until(stop, self.settings.poll, "portal", || self.run_once());
    }
}

/// Starts the worker on its own thread. Set the flag to stop it.
pub fn spawn(db: Db, mail: Arc<Mail>, settings: PortalSettings) -> AppResult<Arc<AtomicBool>> {
    let worker = PortalWorker::new(db, mail, settings);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::Builder::new()
        .name("portal-worker".into())
        .spawn(move || worker.run(&flag))
        .map_err(|e| AppError::Internal(format!("portal worker thread: {e}")))?;
    Ok(stop)
}
