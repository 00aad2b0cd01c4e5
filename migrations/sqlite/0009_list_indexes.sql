-- Indexes that serve each list's ORDER BY, so that a page is read from an index, not sorted
-- from all of a subject's (or a tenant's) rows.

-- nCore's identifications, newest first by id, paged by an id cursor.
CREATE INDEX documents_subject_id ON documents (tenant, subject_id, id);
-- B2Core's documents by creation time, ties by sequence number (the index it replaces had
-- no tie-breaker).
DROP INDEX documents_subject;
CREATE INDEX documents_subject ON documents (tenant, subject_id, created_at, seq);
-- The admin API's subjects, oldest first.
CREATE INDEX subjects_created ON subjects (tenant, created_at, id);
-- MasStack's identifications of an organisation, newest first.
CREATE INDEX processes_kind ON processes (tenant, namespace, kind, created_at, id);
-- The background sweeps: work left half done, and open flows past their expiry.
CREATE INDEX processes_stalled ON processes (namespace, kind, status, updated_at);
CREATE INDEX processes_expiring ON processes (namespace, kind, expires_at) WHERE status = 'open';
