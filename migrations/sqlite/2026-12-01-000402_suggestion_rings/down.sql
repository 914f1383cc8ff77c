DROP INDEX candidates_suggestable;
