-- Master key rotation (src/store/keys.rs). Each file records which master key wraps its data
-- key; files stored before this migration have none and are opened with the configured key.
ALTER TABLE files ADD COLUMN key_id TEXT;

-- Master keys introduced by `idbridge keys rotate`, each sealed (AES-256-GCM) under the key
-- that was current when it was introduced, so every node that knows an older key learns the
-- newer ones without a restart. The newest row is the key new files are wrapped under.
-- `completed_at` is set once every file's data key is wrapped under this key.
CREATE TABLE master_keys (
    id           TEXT   PRIMARY KEY,
    sealed       TEXT   NOT NULL,
    sealed_by    TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    completed_at BIGINT
);
