DROP TABLE export_log;
