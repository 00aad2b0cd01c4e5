-- Idempotency keys (nCore's x-nymos-idempotency-key): the first request with a key claims it;
-- its response is kept, so a retry with the same key and body gets the same answer.
CREATE TABLE idempotency (
    tenant       TEXT    NOT NULL,
    namespace    TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    status       INTEGER,
    body         TEXT,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (tenant, namespace, key)
);
