-- Per-vendor data about a subject as a whole (a PassFort profile's role and collected data
-- other than documents), one JSON object per namespace, plus the text a search matches.

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
