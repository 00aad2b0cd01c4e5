-- Background work shared by every node over one store.
--
-- A lease names one job (a sweep) and who runs it until when. Times are the database's
-- clock in milliseconds since the epoch, so nodes whose clocks differ still agree on who
-- holds a lease. A holder that dies simply stops renewing; the lease expires and another
-- node takes the job over.
CREATE TABLE leases (
    name        TEXT   PRIMARY KEY,
    holder      TEXT   NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- Events to deliver to a client (callbacks), written in the same transaction as the change
-- they announce, so none is lost. `id` is the event's stable id, sent with every attempt so
-- that a receiver can deduplicate. A delivery is claimed (`claimed_by`, `claim_until`)
-- before it is attempted; a claim that runs out (its node died mid-delivery) makes the event
-- due again, which is the only way one event is delivered twice. A delivered event's row
-- goes; one given up after its last attempt stays, with `done_at` and `outcome`, for the
-- operator.
CREATE TABLE outbox (
    id           TEXT    PRIMARY KEY,
    tenant       TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    due_at       BIGINT  NOT NULL,
    claimed_by   TEXT,
    claim_until  BIGINT,
    done_at      BIGINT,
    outcome      TEXT,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX outbox_due ON outbox (topic, due_at) WHERE done_at IS NULL;
