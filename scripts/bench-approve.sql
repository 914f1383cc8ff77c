-- pgbench: the statements of one approval (issue 17): one UPDATE and three INSERTs in one
-- transaction, on the seeded data. `scripts/bench --pg` runs it with 16 clients beside the
-- HTTP approvals and prints both rates and their ratio. :lo/:hi bound the referral ids.
\set id random(:lo, :hi)
BEGIN;
UPDATE referrals SET state = 'available_to_company', reason = NULL, updated_at = now() WHERE id = :id;
INSERT INTO referral_events (referral_id, actor_id, at, from_state, to_state, reason)
    VALUES (:id, 1, now(), 'pending_approval', 'available_to_company', NULL);
INSERT INTO audit_log (at, actor_id, job_centre_id, entity, entity_id, action, detail)
    VALUES (now(), 1, 1, 'referral', :id, 'approve', '{"from":"pending_approval","to":"available_to_company","reason":null}');
INSERT INTO outbox (created_at, kind, to_addr, subject, body_text, body_html, status, attempts, next_attempt_at)
    VALUES (now(), 'referral_decided', 'c001.konsulent1@example.dk', 'Din formidling er godkendt',
            'Hej, din formidling til ordren er godkendt af koordinatoren.', '<p>Hej, din formidling til ordren er godkendt af koordinatoren.</p>',
            'pending', 0, now());
END;
