-- Job suggestions: an order mailed to a candidate by a consultant of the candidate's centre.
-- The record of what was sent (a repeat needs a confirmation) and the candidate's history;
-- no text is stored here (the mail is in the outbox), and an erasure deletes the rows.
CREATE TABLE job_suggestions (
    id INTEGER PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES job_orders(id),
    candidate_id BIGINT NOT NULL REFERENCES candidates(id),
    sent_by BIGINT NOT NULL REFERENCES users(id),
    sent_at TIMESTAMP NOT NULL
);
-- The candidate's history, newest first, and "was this order sent to them before".
CREATE INDEX job_suggestions_candidate ON job_suggestions(candidate_id, order_id, id);
