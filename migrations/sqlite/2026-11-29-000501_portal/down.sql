DROP TABLE portal_protocol;
DROP TABLE portal_transfers;
DROP TABLE portal_orders;
