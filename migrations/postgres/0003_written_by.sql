-- The API that created each document (the admin console shows it). Documents stored before
-- this migration have none.
ALTER TABLE documents ADD COLUMN written_by TEXT;
