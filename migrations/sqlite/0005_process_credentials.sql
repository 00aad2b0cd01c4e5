-- The state of a process's steps as rows instead of JSON in `processes.data`: when the first
-- action happened, and the credentials a process collects (a Jumio workflow execution's ID,
-- SELFIE, DOCUMENT, DATA… credentials), each with the document holding its parts. Vendor
-- words stay out: `category` and `id_types` are the vendor's own text, `prefill` and
-- `prepared` free-form JSON the vendor sent.

ALTER TABLE processes ADD COLUMN started_at BIGINT;

CREATE TABLE process_credentials (
    tenant            TEXT    NOT NULL,
    process_id        TEXT    NOT NULL,
    id                TEXT    NOT NULL,
    position          INTEGER NOT NULL,
    category          TEXT    NOT NULL,
    id_types          TEXT    NOT NULL,
    -- The document holding the credential's parts; NULL for a credential that has none.
    document_id       TEXT,
    -- The document the prepared data declared, if any.
    data_document_id  TEXT,
    reused            INTEGER NOT NULL,
    -- The highest page number ever given (see process_pages).
    last_page         INTEGER NOT NULL DEFAULT 0,
    prefill           TEXT,
    prepared          TEXT,
    PRIMARY KEY (process_id, id),
    UNIQUE (process_id, position),
    FOREIGN KEY (process_id) REFERENCES processes (id) ON DELETE CASCADE
);
CREATE INDEX process_credentials_tenant ON process_credentials (tenant, id);

-- Every page number ever handed out for a credential. Rows are never deleted while the
-- credential exists (deleting a page leaves its number here), so the primary key refuses a
-- number given twice, whichever process or request asks.
CREATE TABLE process_pages (
    process_id     TEXT    NOT NULL,
    credential_id  TEXT    NOT NULL,
    page           INTEGER NOT NULL,
    PRIMARY KEY (process_id, credential_id, page),
    FOREIGN KEY (process_id, credential_id)
        REFERENCES process_credentials (process_id, id) ON DELETE CASCADE
);

-- Existing Jumio records move out of the JSON (SQLite's JSON functions; a PostgreSQL
-- migration does the same with jsonb_array_elements).
UPDATE processes
   SET started_at = CAST(ROUND((julianday(json_extract(data, '$.startedAt')) - 2440587.5) * 86400000.0) AS INTEGER)
 WHERE json_extract(data, '$.startedAt') IS NOT NULL;

INSERT INTO process_credentials
    (tenant, process_id, id, position, category, id_types, document_id, data_document_id,
     reused, last_page, prefill, prepared)
SELECT p.tenant, p.id, json_extract(c.value, '$.id'), c.key,
       json_extract(c.value, '$.category'),
       COALESCE(json_extract(c.value, '$.idTypes'), '[]'),
       CASE WHEN json_extract(c.value, '$.hasDocument')
            THEN COALESCE(json_extract(c.value, '$.document'), json_extract(c.value, '$.id')) END,
       json_extract(c.value, '$.dataDocument'),
       COALESCE(json_extract(c.value, '$.reused'), 0),
       COALESCE(json_extract(c.value, '$.lastPage'), 0),
       CASE WHEN json_type(c.value, '$.prefill') IN ('object', 'array') THEN json_extract(c.value, '$.prefill') END,
       CASE WHEN json_type(c.value, '$.preparedData') IN ('object', 'array') THEN json_extract(c.value, '$.preparedData') END
  FROM processes p, json_each(p.data, '$.credentials') c
 WHERE json_type(p.data, '$.credentials') = 'array';

UPDATE processes SET data = json_remove(data, '$.credentials', '$.startedAt')
 WHERE json_type(data, '$.credentials') = 'array';
