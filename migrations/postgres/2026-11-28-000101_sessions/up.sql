-- Server-side sessions: a token names its row (`sid` claim, stored as its SHA-256), and a
-- request is served only while the row is live, so logout and disabling take effect at once.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_user ON sessions(user_id);

-- An administrator disables an account; its sessions end and login is refused.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;

-- Failed logins per username ('user') and per client address ('addr'), shared by instances.
CREATE TABLE login_failures (
    kind TEXT NOT NULL CHECK (kind IN ('user', 'addr')),
    key TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    PRIMARY KEY (kind, key)
);
