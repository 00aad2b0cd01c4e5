-- A process's own settings and outcome as a row instead of JSON in `processes.data` (a
-- Jumio workflow execution's definition key, references, callback URL, token expiry and,
-- once processed, its decision and check results). Vendor words stay out: scalars have
-- typed columns; `channel_settings`, `requested_checks` and `consent` hold free-form JSON
-- the vendor's caller sent, `results` the check results the adapter reported, as JSON.

CREATE TABLE process_details (
    tenant              TEXT    NOT NULL,
    process_id          TEXT    NOT NULL PRIMARY KEY,
    -- The flow definition the caller chose (Jumio's workflow key).
    flow_key            INTEGER NOT NULL,
    -- The caller's references.
    customer_reference  TEXT    NOT NULL,
    user_reference      TEXT,
    reporting_criteria  TEXT,
    -- Where the final callback goes.
    callback_url        TEXT,
    -- When the process's token expires (milliseconds since the epoch).
    token_expires_at    BIGINT,
    -- When processing finished, its overall outcome and the outcome's reason.
    completed_at        BIGINT,
    outcome             TEXT,
    outcome_label       TEXT,
    -- Each check's results, as the adapter reported them (JSON).
    results             TEXT,
    -- As the caller sent them (JSON).
    channel_settings    TEXT,
    requested_checks    TEXT,
    consent             TEXT,
    FOREIGN KEY (process_id) REFERENCES processes (id) ON DELETE CASCADE
);
CREATE INDEX process_details_tenant ON process_details (tenant, process_id);

-- Existing records move out of the JSON (SQLite's JSON functions, as 0005 does).
INSERT INTO process_details
    (tenant, process_id, flow_key, customer_reference, user_reference, reporting_criteria,
     callback_url, token_expires_at, completed_at, outcome, outcome_label, results,
     channel_settings, requested_checks, consent)
SELECT tenant, id,
       json_extract(data, '$.definitionKey'),
       json_extract(data, '$.customerInternalReference'),
       json_extract(data, '$.userReference'),
       json_extract(data, '$.reportingCriteria'),
       json_extract(data, '$.callbackUrl'),
       CAST(ROUND((julianday(json_extract(data, '$.tokenExpiresAt')) - 2440587.5) * 86400000.0) AS INTEGER),
       CAST(ROUND((julianday(json_extract(data, '$.completedAt')) - 2440587.5) * 86400000.0) AS INTEGER),
       json_extract(data, '$.decision.type'),
       json_extract(data, '$.decision.details.label'),
       CASE WHEN json_type(data, '$.capabilities') = 'object' THEN json_extract(data, '$.capabilities') END,
       CASE WHEN json_type(data, '$.web') IN ('object', 'array') THEN json_extract(data, '$.web') END,
       CASE WHEN json_type(data, '$.requestedCapabilities') IN ('object', 'array') THEN json_extract(data, '$.requestedCapabilities') END,
       CASE WHEN json_type(data, '$.userConsent') IN ('object', 'array') THEN json_extract(data, '$.userConsent') END
  FROM processes
 WHERE json_type(data, '$.definitionKey') = 'integer'
   AND json_type(data, '$.customerInternalReference') = 'text';

UPDATE processes
   SET data = json_remove(data, '$.definitionKey', '$.customerInternalReference',
                          '$.userReference', '$.reportingCriteria', '$.callbackUrl',
                          '$.tokenExpiresAt', '$.completedAt', '$.decision', '$.capabilities',
                          '$.callbackQueued', '$.web', '$.requestedCapabilities', '$.userConsent')
 WHERE id IN (SELECT process_id FROM process_details);
