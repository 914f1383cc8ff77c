-- Matching: occupation codes and places on orders and candidates; job agents.
ALTER TABLE job_orders ADD COLUMN occupation_group TEXT;
ALTER TABLE job_orders ADD COLUMN no_qualifications BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE job_orders ADD COLUMN workplace_postcode TEXT;
ALTER TABLE job_orders ADD COLUMN lat REAL;
ALTER TABLE job_orders ADD COLUMN lon REAL;
-- Bounding-box search over open orders.
CREATE INDEX job_orders_open_geo ON job_orders(lat, lon) WHERE status = 'open';

ALTER TABLE candidates ADD COLUMN lat REAL;
ALTER TABLE candidates ADD COLUMN lon REAL;
CREATE INDEX candidates_centre_geo ON candidates(job_centre_id, lat, lon);

CREATE TABLE candidate_wishes (
    candidate_id BIGINT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    occupation_code TEXT NOT NULL,
    occupation_group TEXT NOT NULL,
    PRIMARY KEY (candidate_id, occupation_code)
);
CREATE INDEX candidate_wishes_code ON candidate_wishes(occupation_code);
CREATE INDEX candidate_wishes_group ON candidate_wishes(occupation_group);

CREATE TABLE job_agents (
    id INTEGER PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES users(id),
    job_centre_id BIGINT NOT NULL REFERENCES job_centres(id),
    candidate_id BIGINT REFERENCES candidates(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'da',
    occupation_code TEXT,
    occupation_group TEXT,
    postcode TEXT,
    lat REAL,
    lon REAL,
    radius_km INTEGER NOT NULL DEFAULT 70,
    keywords TEXT,
    frequency TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly')),
    active BOOLEAN NOT NULL DEFAULT 1,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_run_at TIMESTAMP NOT NULL
);
CREATE INDEX job_agents_due ON job_agents(active, last_run_at);
CREATE INDEX job_agents_owner ON job_agents(owner_id);
