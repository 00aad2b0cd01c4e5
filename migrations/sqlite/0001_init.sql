-- idbridge metadata schema. Portable SQL: TEXT ids (UUID text), BIGINT unix milliseconds,
-- hex/base64 TEXT for binary values, so the same migrations serve SQLite and PostgreSQL.

CREATE TABLE subjects (
    tenant      TEXT   NOT NULL,
    id          TEXT   NOT NULL,
    label       TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE aliases (
    tenant       TEXT   NOT NULL,
    namespace    TEXT   NOT NULL,
    external_id  TEXT   NOT NULL,
    subject_id   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant, namespace, external_id),
    FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, id)
);
CREATE INDEX aliases_subject ON aliases (tenant, subject_id);

-- Per-tenant counters (document sequence numbers for vendors with integer ids).
CREATE TABLE counters (
    tenant  TEXT   NOT NULL,
    name    TEXT   NOT NULL,
    value   BIGINT NOT NULL,
    PRIMARY KEY (tenant, name)
);

CREATE TABLE documents (
    id                 TEXT    PRIMARY KEY,
    tenant             TEXT    NOT NULL,
    seq                BIGINT  NOT NULL,
    subject_id         TEXT    NOT NULL,
    kind               TEXT    NOT NULL,
    category           TEXT    NOT NULL,
    number             TEXT,
    issuing_country    TEXT,
    issuing_authority  TEXT,
    issued_on          TEXT,
    expires_on         TEXT,
    personal           TEXT    NOT NULL,
    extras             TEXT    NOT NULL,
    file_count         INTEGER NOT NULL DEFAULT 0,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL,
    UNIQUE (tenant, seq),
    UNIQUE (tenant, id),
    FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, id)
);
CREATE INDEX documents_subject ON documents (tenant, subject_id, created_at);

-- One row per stored blob. Deleting the row destroys the wrapped data key (crypto-shredding).
CREATE TABLE files (
    id           TEXT    PRIMARY KEY,
    tenant       TEXT    NOT NULL,
    subject_id   TEXT    NOT NULL,
    document_id  TEXT,
    side         TEXT    NOT NULL,
    name         TEXT,
    media_type   TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    sha256       TEXT    NOT NULL,
    width        INTEGER,
    height       INTEGER,
    extras       TEXT    NOT NULL,
    blob_key     TEXT    NOT NULL UNIQUE,
    wrapped_key  TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, id),
    -- The tenant is part of the reference: a file can never point at another tenant's document.
    FOREIGN KEY (tenant, document_id) REFERENCES documents (tenant, id)
);
CREATE INDEX files_subject ON files (tenant, subject_id, created_at);
CREATE INDEX files_document ON files (document_id);

CREATE TABLE processes (
    id          TEXT   PRIMARY KEY,
    tenant      TEXT   NOT NULL,
    subject_id  TEXT   NOT NULL,
    namespace   TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    expires_at  BIGINT,
    data        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, id)
);
CREATE INDEX processes_subject ON processes (tenant, subject_id, created_at);

-- Bearer tokens idbridge mints (B2Core client tokens, later per-process tokens), stored as
-- SHA-256 hex of the token; the token itself is shown once and never stored.
CREATE TABLE tokens (
    hash        TEXT   PRIMARY KEY,
    tenant      TEXT   NOT NULL,
    subject_id  TEXT   NOT NULL,
    process_id  TEXT,
    purpose     TEXT   NOT NULL,
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, id)
);
CREATE INDEX tokens_subject ON tokens (tenant, subject_id);
