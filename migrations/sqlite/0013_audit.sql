-- The audit trail (src/store/audit.rs): one hash chain per tenant, append-only.
CREATE TABLE audit_events (
    tenant TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    credential TEXT,
    api TEXT NOT NULL,
    operation TEXT NOT NULL,
    subject_id TEXT,
    document_id TEXT,
    file_id TEXT,
    outcome TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (tenant, seq)
);
-- "Who read or deleted this person's documents": a tenant's events of one subject, in order.
CREATE INDEX audit_events_subject ON audit_events (tenant, subject_id, seq);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
