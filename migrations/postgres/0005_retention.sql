-- The retention job's question: a tenant's documents of one kind stored before a time, oldest
-- first (src/store/retention.rs).
CREATE INDEX documents_retention ON documents (tenant, kind, created_at, id);
