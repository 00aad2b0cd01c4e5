-- idbridge metadata schema on PostgreSQL: the schema SQLite reaches after its migrations
-- 0001 to 0008 (migrations/sqlite), in one step, since no PostgreSQL store predates them.
-- The store's SQL is shared by both engines, so the types are the ones both read alike:
-- TEXT ids (UUID text), BIGINT for every integer (unix milliseconds, counters, flags as
-- 0/1), hex/base64 TEXT for binary values, JSON as TEXT. Comments on each table are in the
-- SQLite migrations.

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
    file_count         BIGINT  NOT NULL DEFAULT 0,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL,
    UNIQUE (tenant, seq),
    UNIQUE (tenant, id),
    FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, id)
);
CREATE INDEX documents_subject ON documents (tenant, subject_id, created_at);

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
    width        BIGINT,
    height       BIGINT,
    extras       TEXT    NOT NULL,
    blob_key     TEXT    NOT NULL UNIQUE,
    wrapped_key  TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, id),
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
    started_at  BIGINT,
    FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, id)
);
CREATE INDEX processes_subject ON processes (tenant, subject_id, created_at);

CREATE TABLE tokens (
    hash        TEXT   PRIMARY KEY,
    tenant      TEXT   NOT NULL,
    subject_id  TEXT   NOT NULL,
    process_id  TEXT,
    purpose     TEXT   NOT NULL,
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    session     TEXT,
    FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, id)
);
CREATE INDEX tokens_subject ON tokens (tenant, subject_id);
CREATE INDEX tokens_session ON tokens (session);

CREATE TABLE idempotency (
    tenant       TEXT    NOT NULL,
    namespace    TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    status       BIGINT,
    body         TEXT,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (tenant, namespace, key)
);

CREATE TABLE subject_extras (
    tenant      TEXT   NOT NULL,
    subject_id  TEXT   NOT NULL,
    namespace   TEXT   NOT NULL,
    data        TEXT   NOT NULL,
    search      TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant, subject_id, namespace),
    FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, id)
);

CREATE TABLE tenant_tokens (
    hash        TEXT   PRIMARY KEY,
    tenant      TEXT   NOT NULL,
    purpose     TEXT   NOT NULL,
    principal   TEXT   NOT NULL,
    session     TEXT,
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX tenant_tokens_session ON tenant_tokens (session);
CREATE INDEX tenant_tokens_expiry ON tenant_tokens (expires_at);

CREATE TABLE client_accounts (
    tenant         TEXT   NOT NULL,
    id             TEXT   NOT NULL,
    number         BIGINT NOT NULL,
    subject_id     TEXT   NOT NULL,
    email          TEXT   NOT NULL,
    password_hash  TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, email),
    UNIQUE (tenant, number),
    UNIQUE (tenant, subject_id),
    FOREIGN KEY (tenant, subject_id) REFERENCES subjects (tenant, id)
);
CREATE INDEX client_accounts_email ON client_accounts (email);

CREATE TABLE service_accounts (
    id            TEXT   PRIMARY KEY,
    tenant        TEXT   NOT NULL,
    client_email  TEXT   NOT NULL UNIQUE,
    public_key    TEXT   NOT NULL,
    label         TEXT,
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);
CREATE INDEX service_accounts_tenant ON service_accounts (tenant, created_at);

CREATE TABLE used_assertions (
    issuer      TEXT   NOT NULL,
    jti         TEXT   NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (issuer, jti)
);

CREATE TABLE signing_keys (
    id           TEXT   PRIMARY KEY,
    purpose      TEXT   NOT NULL UNIQUE,
    private_key  TEXT   NOT NULL,
    public_key   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE signin_sessions (
    id          TEXT   PRIMARY KEY,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE auth_failures (
    key           TEXT    PRIMARY KEY,
    window_start  BIGINT  NOT NULL,
    failures      BIGINT  NOT NULL
);

CREATE TABLE process_credentials (
    tenant            TEXT    NOT NULL,
    process_id        TEXT    NOT NULL,
    id                TEXT    NOT NULL,
    position          BIGINT  NOT NULL,
    category          TEXT    NOT NULL,
    id_types          TEXT    NOT NULL,
    document_id       TEXT,
    data_document_id  TEXT,
    reused            BIGINT  NOT NULL,
    last_page         BIGINT  NOT NULL DEFAULT 0,
    prefill           TEXT,
    prepared          TEXT,
    PRIMARY KEY (process_id, id),
    UNIQUE (process_id, position),
    FOREIGN KEY (process_id) REFERENCES processes (id) ON DELETE CASCADE
);
CREATE INDEX process_credentials_tenant ON process_credentials (tenant, id);

CREATE TABLE process_pages (
    process_id     TEXT    NOT NULL,
    credential_id  TEXT    NOT NULL,
    page           BIGINT  NOT NULL,
    PRIMARY KEY (process_id, credential_id, page),
    FOREIGN KEY (process_id, credential_id)
        REFERENCES process_credentials (process_id, id) ON DELETE CASCADE
);

CREATE TABLE rate_limits (
    bucket  TEXT    NOT NULL PRIMARY KEY,
    tat     BIGINT  NOT NULL
);

CREATE TABLE leases (
    name        TEXT   PRIMARY KEY,
    holder      TEXT   NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE outbox (
    id           TEXT    PRIMARY KEY,
    tenant       TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    attempts     BIGINT  NOT NULL DEFAULT 0,
    due_at       BIGINT  NOT NULL,
    claimed_by   TEXT,
    claim_until  BIGINT,
    done_at      BIGINT,
    outcome      TEXT,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX outbox_due ON outbox (topic, due_at) WHERE done_at IS NULL;

CREATE TABLE process_details (
    tenant              TEXT    NOT NULL,
    process_id          TEXT    NOT NULL PRIMARY KEY,
    flow_key            BIGINT  NOT NULL,
    customer_reference  TEXT    NOT NULL,
    user_reference      TEXT,
    reporting_criteria  TEXT,
    callback_url        TEXT,
    token_expires_at    BIGINT,
    completed_at        BIGINT,
    outcome             TEXT,
    outcome_label       TEXT,
    results             TEXT,
    channel_settings    TEXT,
    requested_checks    TEXT,
    consent             TEXT,
    FOREIGN KEY (process_id) REFERENCES processes (id) ON DELETE CASCADE
);
CREATE INDEX process_details_tenant ON process_details (tenant, process_id);
