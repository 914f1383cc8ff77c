//! Job agents: a consultant (or, with consent, a candidate) subscribes to a saved search;
//! a daily or weekly digest of new matching shared orders goes out through the outbox,
//! with an unsubscribe link that needs no login.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::db::schema::{job_agents, job_centres, job_orders, order_notifications, order_shares, users};
use crate::db::{Db, DbConn};
use crate::domain::actor::AuthUser;
use crate::domain::{audit, candidates, order};
use crate::error::{AppError, AppResult};
use crate::ids::{CandidateId, JobOrderId, UserId};
use crate::mail::{Headers, Mail, Outgoing};
use crate::{geo, mail, occupations};

#[derive(Queryable, Selectable, Debug, Clone, Serialize, utoipa::ToSchema)]
#[diesel(table_name = job_agents)]
pub struct JobAgent {
    pub id: i64,
    pub owner_id: UserId,
    #[serde(skip)]
    pub job_centre_id: crate::ids::JobCentreId,
    pub candidate_id: Option<CandidateId>,
    pub email: String,
    pub language: String,
    pub occupation_code: Option<String>,
    pub occupation_group: Option<String>,
    pub postcode: Option<String>,
    #[serde(skip)]
    pub lat: Option<f64>,
    #[serde(skip)]
    pub lon: Option<f64>,
    pub radius_km: i32,
    pub keywords: Option<String>,
    pub frequency: String,
    pub active: bool,
    #[serde(skip)]
    pub unsubscribe_token: String,
    pub created_at: NaiveDateTime,
    pub last_run_at: NaiveDateTime,
}

impl JobAgent {
    fn period(&self) -> Duration {
        if self.frequency == "weekly" {
            Duration::days(7)
        } else {
            Duration::days(1)
        }
    }

    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(c) = &self.occupation_code {
            parts.push(
                occupations::by_code(c)
                    .map(|o| o.label.clone())
                    .unwrap_or_else(|| c.clone()),
            );
        }
        if let Some(k) = &self.keywords {
            parts.push(k.clone());
        }
        if let Some(p) = &self.postcode {
            parts.push(format!("{p} {}", geo::locality(p).unwrap_or("")).trim().to_string());
        }
        parts.join(", ")
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateAgent {
    /// Occupation code, label or alias.
    pub occupation: Option<String>,
    pub postcode: Option<String>,
    pub radius_km: Option<i32>,
    pub keywords: Option<String>,
    pub frequency: Option<String>,
    /// Send the digest to this candidate of my centre (needs consent and an email).
    pub candidate_id: Option<CandidateId>,
}

pub fn create(conn: &mut DbConn, user: &AuthUser, input: CreateAgent) -> AppResult<JobAgent> {
    let frequency = input.frequency.unwrap_or_else(|| "daily".into());
    if frequency != "daily" && frequency != "weekly" {
        return Err(AppError::invalid("frequency", "must be daily or weekly"));
    }
    let class = match &input.occupation {
        Some(o) => Some(
            occupations::classify(Some(o), o)
                .ok_or_else(|| AppError::invalid("occupation", format!("unknown occupation '{o}'")))?,
        ),
        None => None,
    };
    let place = match &input.postcode {
        Some(p) => Some(geo::postcode(p).ok_or_else(|| AppError::invalid("postcode", "is not a Danish postcode"))?),
        None => None,
    };
    let radius = input.radius_km.unwrap_or(70);
    if !(1..=1000).contains(&radius) {
        return Err(AppError::invalid("radius_km", "must be between 1 and 1000"));
    }
    let keywords = input
        .keywords
        .map(|k| k.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|k| !k.is_empty());
    if keywords.as_ref().is_some_and(|k| k.chars().count() > 200) {
        return Err(AppError::invalid("keywords", "must be at most 200 characters"));
    }
    if class.is_none() && keywords.is_none() && place.is_none() {
        return Err(AppError::invalid(
            "occupation",
            "give an occupation, keywords or a postcode",
        ));
    }
    let (email, language) = match input.candidate_id {
        Some(cid) => {
            let c = candidates::load_own(conn, user, cid)?;
            if !c.has_consent() {
                return Err(AppError::Conflict(format!("{} has not given consent", c.name)));
            }
            (
                c.email
                    .ok_or_else(|| AppError::invalid("candidate_id", "the candidate has no email"))?,
                "da".to_string(),
            )
        }
        None => users::table
            .find(user.id)
            .select((users::email, users::language))
            .first(conn)?,
    };
    let now = Utc::now().naive_utc();
    let token = format!("{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>());
    let id: i64 = diesel::insert_into(job_agents::table)
        .values((
            job_agents::owner_id.eq(user.id),
            job_agents::job_centre_id.eq(user.job_centre_id),
            job_agents::candidate_id.eq(input.candidate_id),
            job_agents::email.eq(&email),
            job_agents::language.eq(&language),
            job_agents::occupation_code.eq(class.as_ref().map(|c| c.0.clone())),
            job_agents::occupation_group.eq(class.as_ref().map(|c| c.1.clone())),
            job_agents::postcode.eq(&input.postcode),
            job_agents::lat.eq(place.map(|p| p.0)),
            job_agents::lon.eq(place.map(|p| p.1)),
            job_agents::radius_km.eq(radius),
            job_agents::keywords.eq(&keywords),
            job_agents::frequency.eq(&frequency),
            job_agents::active.eq(true),
            job_agents::unsubscribe_token.eq(&token),
            job_agents::created_at.eq(now),
            job_agents::last_run_at.eq(now),
        ))
        .returning(job_agents::id)
        .get_result(conn)?;
    audit::record(
        conn,
        Some(user),
        "job_agent",
        id,
        "created",
        json!({ "frequency": frequency }),
    )?;
    Ok(job_agents::table.find(id).select(JobAgent::as_select()).first(conn)?)
}

#[derive(Debug, Serialize)]
pub struct DigestOrder {
    pub id: JobOrderId,
    pub title: String,
    pub occupation: String,
    pub company_name: String,
    pub start_date: chrono::NaiveDate,
    pub primary_authority: String,
    pub distance_km: Option<f64>,
    pub link: String,
}

type Row = (
    JobOrderId,
    String,
    String,
    String,
    chrono::NaiveDate,
    String,
    Option<f64>,
    Option<f64>,
);

/// Open orders shared with the agent's centre (or shared by it) since `since` that match.
/// The user's active agents, newest first.
pub fn list(conn: &mut DbConn, user: &AuthUser) -> AppResult<Vec<JobAgent>> {
    Ok(job_agents::table
        .filter(job_agents::owner_id.eq(user.id))
        .filter(job_agents::active.eq(true))
        .select(JobAgent::as_select())
        .order(job_agents::id.desc())
        .load(conn)?)
}

/// Stops one of the user's agents (kept, inactive, for the audit); another's is 404.
pub fn delete(conn: &mut DbConn, user: &AuthUser, id: i64) -> AppResult<()> {
    let n = diesel::update(
        job_agents::table
            .filter(job_agents::id.eq(id))
            .filter(job_agents::owner_id.eq(user.id)),
    )
    .set(job_agents::active.eq(false))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(conn, Some(user), "job_agent", id, "deleted", json!({}))
}

/// Whether the agent of an unsubscribe token still sends digests; an unknown token is 404.
pub fn subscribed(conn: &mut DbConn, token: &str) -> AppResult<bool> {
    Ok(job_agents::table
        .filter(job_agents::unsubscribe_token.eq(token))
        .select(job_agents::active)
        .first(conn)?)
}

/// The digest's unsubscribe (the page's button and the one-click POST of RFC 8058): no
/// login, idempotent; an unknown token is 404.
pub fn unsubscribe(conn: &mut DbConn, token: &str) -> AppResult<()> {
    let id: i64 = job_agents::table
        .filter(job_agents::unsubscribe_token.eq(token))
        .select(job_agents::id)
        .first(conn)?;
    diesel::update(job_agents::table.find(id))
        .set(job_agents::active.eq(false))
        .execute(conn)?;
    audit::record(conn, None, "job_agent", id, "unsubscribed", json!({}))
}

/// `now` dates the public links of a citizen's digest (they expire `ORDER_LINK_DAYS` later).
pub fn new_matches(
    conn: &mut DbConn,
    mail: &Mail,
    agent: &JobAgent,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> AppResult<Vec<DigestOrder>> {
    let notified = order_notifications::table
        .filter(order_notifications::job_centre_id.eq(agent.job_centre_id))
        .filter(order_notifications::notified_at.gt(since))
        .select(order_notifications::order_id);
    let own_shared = order_shares::table
        .filter(order_shares::shared_at.gt(since))
        .select(order_shares::order_id);
    let mut q = job_orders::table
        .inner_join(job_centres::table)
        .filter(job_orders::status.eq(order::STATUS_OPEN))
        .filter(
            job_orders::id.eq_any(notified).or(job_orders::job_centre_id
                .eq(agent.job_centre_id)
                .and(job_orders::id.eq_any(own_shared))),
        )
        .select((
            job_orders::id,
            job_orders::title,
            job_orders::occupation,
            job_orders::company_name,
            job_orders::start_date,
            job_centres::name,
            job_orders::lat,
            job_orders::lon,
        ))
        .order(job_orders::id)
        .limit(500)
        .into_boxed();
    if let (Some(code), Some(group)) = (&agent.occupation_code, &agent.occupation_group) {
        q = q.filter(
            job_orders::occupation_code
                .eq(code.clone())
                .or(job_orders::occupation_group.eq(group.clone())),
        );
    }
    for word in agent.keywords.iter().flat_map(|k| k.split_whitespace()) {
        q = q.filter(job_orders::search_text.like(crate::db::like_pattern(word)).escape('\\'));
    }
    let place = agent.lat.zip(agent.lon);
    if let Some(p) = place {
        let (la0, la1, lo0, lo1) = geo::bounding_box(p, agent.radius_km as f64);
        q = q.filter(job_orders::lat.between(la0, la1).and(job_orders::lon.between(lo0, lo1)));
    }
    let rows: Vec<Row> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let distance = geo::reach(place, r.6.zip(r.7), agent.radius_km as f64)?;
            Some(DigestOrder {
                link: order_link(mail, agent, r.0, now),
                id: r.0,
                title: r.1,
                occupation: r.2,
                company_name: r.3,
                start_date: r.4,
                primary_authority: r.5,
                distance_km: distance.map(|d| d.round()),
            })
        })
        .collect())
}

/// A citizen gets the public view of the order (they have no login); a consultant the order's page.
fn order_link(mail: &Mail, agent: &JobAgent, order: JobOrderId, now: NaiveDateTime) -> String {
    match agent.candidate_id {
        Some(_) => mail.public_order_link(order, agent.id, now),
        None => mail.link(&format!("/orders/{order}")),
    }
}

/// An agent's next digest: its orders, the mail's data and language, the unsubscribe URL.
pub struct Digest {
    pub orders: Vec<DigestOrder>,
    pub data: serde_json::Value,
    pub lang: String,
    pub unsubscribe: String,
}

/// The digest `agent` would send at `now` (the orders since its last run), or `None` when
/// nothing new matched. The digest itself and its preview both come from here.
pub fn digest(conn: &mut DbConn, mail: &Mail, agent: &JobAgent, now: NaiveDateTime) -> AppResult<Option<Digest>> {
    let orders = new_matches(conn, mail, agent, agent.last_run_at, now)?;
    if orders.is_empty() {
        return Ok(None);
    }
    let (name, owner_lang): (String, String) = users::table
        .find(agent.owner_id)
        .select((users::display_name, users::language))
        .first(conn)?;
    // A citizen reads Danish; a consultant the language they chose (today, not at creation).
    let (recipient, lang) = match agent.candidate_id {
        Some(cid) => (candidates::load(conn, cid)?.name, "da".to_string()),
        None => (name, owner_lang),
    };
    let unsubscribe = mail.link(&format!("/job-agents/unsubscribe/{}", agent.unsubscribe_token));
    let data = json!({
        "recipient_name": recipient,
        "label": agent.label(),
        "count": orders.len(),
        "orders": orders,
        "unsubscribe": unsubscribe,
    });
    Ok(Some(Digest {
        orders,
        data,
        lang,
        unsubscribe,
    }))
}

/// One of my agents, as the job agents page lists it.
#[derive(Debug, Serialize)]
pub struct AgentView {
    #[serde(flatten)]
    pub agent: JobAgent,
    pub label: String,
    /// The candidate's name; `None`: the consultant themselves.
    pub candidate_name: Option<String>,
    pub due_at: NaiveDateTime,
}

pub fn views(conn: &mut DbConn, user: &AuthUser) -> AppResult<Vec<AgentView>> {
    list(conn, user)?.into_iter().map(|a| view(conn, a)).collect()
}

fn view(conn: &mut DbConn, agent: JobAgent) -> AppResult<AgentView> {
    let candidate_name = match agent.candidate_id {
        Some(cid) => Some(candidates::load(conn, cid)?.name),
        None => None,
    };
    Ok(AgentView {
        label: agent.label(),
        due_at: agent.last_run_at + agent.period(),
        candidate_name,
        agent,
    })
}

/// What the next digest of one of my agents holds right now, and its mail, without sending
/// anything or moving the agent's cursor. Another's or a stopped agent is 404.
pub struct Preview {
    pub agent: AgentView,
    pub orders: Vec<DigestOrder>,
    pub mail: Option<mail::Rendered>,
}

pub fn preview(conn: &mut DbConn, mail: &Mail, user: &AuthUser, id: i64, now: NaiveDateTime) -> AppResult<Preview> {
    let agent = list(conn, user)?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(AppError::NotFound)?;
    let d = digest(conn, mail, &agent, now)?;
    let rendered = match &d {
        Some(d) => Some(mail.render("job_agent_digest", &d.lang, &d.data)?),
        None => None,
    };
    Ok(Preview {
        agent: view(conn, agent)?,
        orders: d.map(|d| d.orders).unwrap_or_default(),
        mail: rendered,
    })
}

/// Sends the digests that are due at `now`. Each agent in its own transaction: the mail
/// and the moved cursor commit together. Returns how many digests were queued.
pub fn run_due(db: &Db, mail: &Mail, now: NaiveDateTime) -> AppResult<usize> {
    let agents: Vec<JobAgent> = db.read_blocking(|c| {
        Ok(job_agents::table
            .filter(job_agents::active.eq(true))
            .filter(job_agents::last_run_at.le(now - Duration::days(1)))
            .select(JobAgent::as_select())
            .order(job_agents::id)
            .load(c)?)
    })?;
    let mut sent = 0;
    for agent in agents.into_iter().filter(|a| a.last_run_at + a.period() <= now) {
        sent += db.write_blocking(|c| {
            // Claim the run: another instance that read the same agent finds it moved.
            let claimed = diesel::update(
                job_agents::table
                    .filter(job_agents::id.eq(agent.id))
                    .filter(job_agents::last_run_at.eq(agent.last_run_at)),
            )
            .set(job_agents::last_run_at.eq(now))
            .execute(c)?;
            if claimed == 0 {
                return Ok(0);
            }
            let Some(d) = digest(c, mail, &agent, now)? else {
                return Ok(0);
            };
            let out = Outgoing {
                kind: "job_agent_digest",
                to: &agent.email,
                lang: &d.lang,
                data: &d.data,
                candidate: agent.candidate_id,
                headers: Headers {
                    reply_to: None,
                    list_unsubscribe: Some(d.unsubscribe),
                },
                cv_of: None,
            };
            mail::enqueue_with(c, mail, &out)?;
            Ok(1)
        })?;
    }
    Ok(sent)
}

/// Runs due digests every `every` on its own thread, until the process ends.
pub fn spawn_scheduler(db: Db, mail: std::sync::Arc<Mail>, every: std::time::Duration) {
    let _ = std::thread::Builder::new()
        .name("job-agents".into())
        .spawn(move || loop {
            match run_due(&db, &mail, Utc::now().naive_utc()) {
                Ok(n) if n > 0 => tracing::info!(digests = n, "job agent digests queued"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "job agent run failed"),
            }
            std::thread::sleep(every);
        });
}
