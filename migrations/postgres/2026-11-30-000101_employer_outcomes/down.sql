ALTER TABLE job_orders DROP COLUMN hired;
ALTER TABLE referral_events DROP COLUMN employer_link_id;
DELETE FROM referral_events WHERE to_state IN ('interview', 'hired', 'declined_by_employer');
DROP INDEX referrals_employer_link;
ALTER TABLE referrals DROP COLUMN employer_link_id;
UPDATE referrals SET state = 'sent_to_employer' WHERE state IN ('interview', 'hired', 'declined_by_employer');
ALTER TABLE referrals DROP CONSTRAINT referrals_state_check;
ALTER TABLE referrals ADD CONSTRAINT referrals_state_check CHECK (state IN ('pending_approval',
    'available_to_company', 'rejected', 'sent_to_employer', 'withdrawn'));
DROP TABLE employer_link_tokens;
DROP TABLE employer_links;
