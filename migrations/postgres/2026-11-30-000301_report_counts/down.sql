DROP TRIGGER network_referral_counts_unshare ON order_shares;
DROP TRIGGER network_referral_counts_share ON order_shares;
DROP TRIGGER referral_counts_state ON referrals;
DROP TRIGGER referral_counts_delete ON referrals;
DROP TRIGGER referral_counts_insert ON referrals;
DROP TABLE network_referral_counts;
DROP TABLE referral_counts;
DROP FUNCTION referral_counts_change(); DROP FUNCTION network_referral_counts_shares();
