//! Settings from the environment (and the command line), with safe defaults for a first run.

use std::path::{Path, PathBuf};

use rand::RngCore;

#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `none` (plain, for loopback and tests), `starttls` or `tls`.
    pub tls: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    /// HMAC key of the JWTs; empty until `ensure_jwt_secret`.
    pub jwt_secret: Vec<u8>,
    pub token_ttl_hours: i64,
    pub public_url: String,
    pub smtp: SmtpConfig,
    /// Run the mail delivery worker inside `serve`.
    pub mail_worker: bool,
    pub db: crate::db::DbOptions,
    /// Mail worker: how often to look for due mail, and the first retry delay.
    pub mail_poll_ms: u64,
    pub mail_backoff_ms: u64,
    /// Retention: candidates untouched this long are erased, closed orders this old lose
    /// their private texts (`STAER_RETENTION_MONTHS`, default 48, as Jobnet's 4 years).
    pub retention_months: u32,
    /// Run the daily retention pass inside `serve` (`STAER_RETENTION_WORKER`, default true).
    pub retention_worker: bool,
    /// Named on the privacy notice (`STAER_DATA_CONTROLLER`).
    pub data_controller: String,
    /// Login throttling: the first lock after 5 failures; each further failure doubles it.
    pub login_base_delay_ms: u64,
    /// Take the client address from `Forwarded`/`X-Forwarded-For` (only behind a proxy
    /// that sets it); otherwise the peer address is the client.
    pub trust_forwarded: bool,
    /// Largest import file accepted (bytes); larger bodies get 413.
    pub import_max_bytes: usize,
    /// The employer portal (`STAER_PORTAL_URL`): orders are transferred to it by a worker.
    /// Without it the portal is "manual": the consultant confirms that the order was sent.
    pub portal_url: Option<String>,
    /// Shared with the portal (`STAER_PORTAL_SECRET`): HMAC key of both directions' signatures.
    pub portal_secret: Vec<u8>,
    /// Portal worker: how often to look for due transfers, the first retry delay (doubling),
    /// and how many tries before a transfer fails for good.
    pub portal_poll_ms: u64,
    pub portal_backoff_ms: u64,
    pub portal_max_attempts: i32,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Config {
    pub fn from_env() -> Config {
        Self::from_env_with(&env("DATABASE_URL").unwrap_or_else(|| "staer-hub.db".to_string()))
    }

    /// The environment's settings with the given database.
    pub fn from_env_with(database_url: &str) -> Config {
        let database_url = database_url.to_string();
        let jwt_secret = env("STAER_JWT_SECRET").map(String::into_bytes).unwrap_or_default();
        Config {
            database_url,
            jwt_secret,
            token_ttl_hours: env("STAER_TOKEN_TTL_HOURS").and_then(|v| v.parse().ok()).unwrap_or(10),
            public_url: env("STAER_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:8080".into()),
            smtp: SmtpConfig {
                host: env("SMTP_HOST").unwrap_or_else(|| "127.0.0.1".into()),
                port: env("SMTP_PORT").and_then(|v| v.parse().ok()).unwrap_or(2525),
                tls: env("SMTP_TLS").unwrap_or_else(|| "none".into()),
                username: env("SMTP_USERNAME"),
                password: env("SMTP_PASSWORD"),
                from: env("SMTP_FROM").unwrap_or_else(|| "STÆR hub <noreply@staer-hub.local>".into()),
            },
            mail_worker: env("STAER_MAIL_WORKER")
                .map(|v| v != "0" && v != "false")
                .unwrap_or(true),
            db: crate::db::DbOptions {
                pool_size: env("STAER_POOL_SIZE").and_then(|v| v.parse().ok()).unwrap_or(8),
                connect_timeout: std::time::Duration::from_millis(
                    env("STAER_DB_TIMEOUT_MS").and_then(|v| v.parse().ok()).unwrap_or(5000),
                ),
                busy_timeout_ms: env("STAER_SQLITE_BUSY_MS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(10_000),
            },
            mail_poll_ms: env("STAER_MAIL_POLL_MS").and_then(|v| v.parse().ok()).unwrap_or(500),
            mail_backoff_ms: env("STAER_MAIL_BACKOFF_MS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(5000),
            retention_months: env("STAER_RETENTION_MONTHS")
                .and_then(|v| v.parse().ok())
                .filter(|m| *m >= 1)
                .unwrap_or(48),
            retention_worker: env("STAER_RETENTION_WORKER")
                .map(|v| v != "0" && v != "false")
                .unwrap_or(true),
            data_controller: env("STAER_DATA_CONTROLLER").unwrap_or_else(|| "Jobcentret (dataansvarlig)".into()),
            login_base_delay_ms: env("STAER_LOGIN_BASE_DELAY_MS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1000),
            trust_forwarded: env("STAER_TRUST_FORWARDED").is_some_and(|v| v == "1" || v == "true"),
            import_max_bytes: env("STAER_IMPORT_MAX_MB")
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(20)
                * 1024
                * 1024,
            portal_url: env("STAER_PORTAL_URL").map(|u| u.trim_end_matches('/').to_string()),
            portal_secret: env("STAER_PORTAL_SECRET").map(String::into_bytes).unwrap_or_default(),
            portal_poll_ms: env("STAER_PORTAL_POLL_MS").and_then(|v| v.parse().ok()).unwrap_or(1000),
            portal_backoff_ms: env("STAER_PORTAL_BACKOFF_MS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(10_000),
            portal_max_attempts: env("STAER_PORTAL_MAX_ATTEMPTS")
                .and_then(|v| v.parse().ok())
                .filter(|n| *n >= 1)
                .unwrap_or(8),
        }
    }
}

impl Config {
    /// Without STAER_JWT_SECRET, a generated secret is kept on disk so sessions survive restarts.
    pub fn ensure_jwt_secret(&mut self) {
        if self.jwt_secret.is_empty() {
            self.jwt_secret = load_or_create_secret(&secret_path(&self.database_url));
        }
    }
}

/// The generated secret lives beside a SQLite file, or in the working directory for PostgreSQL.
fn secret_path(database_url: &str) -> PathBuf {
    match crate::db::DbUrl::parse(database_url) {
        crate::db::DbUrl::Sqlite(p) => PathBuf::from(format!("{p}.jwt-secret")),
        crate::db::DbUrl::Postgres(_) => PathBuf::from("staer-hub.jwt-secret"),
    }
}

fn load_or_create_secret(path: &Path) -> Vec<u8> {
    if let Ok(s) = std::fs::read_to_string(path) {
        if s.trim().len() >= 32 {
            return s.trim().as_bytes().to_vec();
        }
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match write_private(path, &secret) {
        Ok(()) => tracing::warn!(
            path = %path.display(),
            "STAER_JWT_SECRET is not set: generated a signing secret and saved it; \
             set STAER_JWT_SECRET in production (every instance must share it)"
        ),
        Err(e) => tracing::warn!(
            error = %e,
            "STAER_JWT_SECRET is not set and the generated secret could not be saved: \
             sessions will not survive a restart"
        ),
    }
    secret.into_bytes()
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(content.as_bytes())
}
