-- Credentials the vendors' own sign-in flows issue and check, kept in the store so that any
-- node serves them and a restart loses none. Secrets are never stored in clear: tokens as
-- SHA-256 hex, passwords as argon2id PHC strings, private keys sealed by the master key.

-- Tokens that open a whole tenant rather than one subject (Jumio access tokens, B2Core
-- back-office tokens). `principal` names who they were issued to (a client id, an email
-- digest), never a secret; `session` ties an access token to the refresh token issued with it.
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

-- Subject tokens issued together by one sign-in (an access and a refresh token) share a session,
-- so that signing out or refreshing ends both.
ALTER TABLE tokens ADD COLUMN session TEXT;
CREATE INDEX tokens_session ON tokens (session);

-- Sign-in accounts of subjects (B2Core clients): an email and an argon2id password hash, at
-- most one per subject. `number` is the account's per-tenant integer id (B2Core's clientId).
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

-- Machine accounts that sign JWT assertions (MasStack service accounts). Only the public key
-- is kept; the private key is handed out once, at creation.
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

-- Assertion ids already used, kept until the assertion would have expired anyway.
CREATE TABLE used_assertions (
    issuer      TEXT   NOT NULL,
    jti         TEXT   NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (issuer, jti)
);

-- Keys idbridge signs its own tokens with; the private key sealed by the master key.
CREATE TABLE signing_keys (
    id           TEXT   PRIMARY KEY,
    purpose      TEXT   NOT NULL UNIQUE,
    private_key  TEXT   NOT NULL,
    public_key   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL
);

-- One-time sign-in sessions (B2Core's sign-in wizard uuid), consumed by a successful sign-in.
CREATE TABLE signin_sessions (
    id          TEXT   PRIMARY KEY,
    expires_at  BIGINT NOT NULL
);

-- Failed sign-in attempts per account or per address, in fixed windows. `key` is a SHA-256
-- of what is counted, so no email or address is stored in clear.
CREATE TABLE auth_failures (
    key           TEXT    PRIMARY KEY,
    window_start  BIGINT  NOT NULL,
    failures      INTEGER NOT NULL
);
