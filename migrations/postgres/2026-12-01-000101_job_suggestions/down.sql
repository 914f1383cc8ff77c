DROP TABLE job_suggestions;
