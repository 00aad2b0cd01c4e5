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

CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
