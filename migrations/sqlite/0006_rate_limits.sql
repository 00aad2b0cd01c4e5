-- Rate limits kept in the store, so that every process serving this database shares them
-- (GCRA, see src/store/rate_limits.rs). One row per bucket: an opaque key the caller
-- chooses (e.g. an operation and a tenant), and the bucket's theoretical arrival time (TAT)
-- in milliseconds since the epoch, on the database's clock. A bucket without a row, or
-- with a TAT in the past, is full.
CREATE TABLE rate_limits (
    bucket  TEXT    NOT NULL PRIMARY KEY,
    tat     BIGINT  NOT NULL
);
