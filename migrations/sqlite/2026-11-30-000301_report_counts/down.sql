DROP TRIGGER network_referral_counts_unshare;
DROP TRIGGER network_referral_counts_share;
DROP TRIGGER referral_counts_state;
DROP TRIGGER referral_counts_delete;
DROP TRIGGER referral_counts_insert;
DROP TABLE network_referral_counts;
DROP TABLE referral_counts;
