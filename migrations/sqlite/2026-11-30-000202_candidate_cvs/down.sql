ALTER TABLE outbox DROP COLUMN cv_referral_id;
ALTER TABLE candidates DROP COLUMN share_cv;
DROP TABLE candidate_cvs;
