-- 0002: domain documents and the audit log (store.Documents).
-- Append-only: never edit a released migration, add 0003_….sql instead.

-- One row per document. An ordinary rowid table rather than WITHOUT ROWID:
-- data may be large, and WITHOUT ROWID suits small rows. alt and parent are
-- NULL when empty, so that the indexes below skip them.
CREATE TABLE documents (
    kind     TEXT NOT NULL,
    id       TEXT NOT NULL,
    alt      TEXT,
    parent   TEXT,
    data     TEXT NOT NULL,    -- JSON
    revision INTEGER NOT NULL, -- of the last write
    updated  INTEGER NOT NULL, -- microseconds since the Unix epoch
    PRIMARY KEY (kind, id)
);

-- The alternate key: unique within a kind.
CREATE UNIQUE INDEX documents_by_alt ON documents (kind, alt) WHERE alt IS NOT NULL;

-- Listing by parent, in id order.
CREATE INDEX documents_by_parent ON documents (kind, parent, id);

-- The audit log, append-only. AUTOINCREMENT: seq never reuses the number
-- of a deleted or rolled-back row, so it only grows; writers are
-- serialised, so seq order is commit order.
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL, -- microseconds since the Unix epoch
    revision   INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    resource   TEXT NOT NULL,
    before     TEXT,             -- JSON or NULL
    after      TEXT,             -- JSON or NULL
    request_id TEXT NOT NULL
);

CREATE INDEX audit_by_resource ON audit (resource, seq);
CREATE INDEX audit_by_actor ON audit (actor, seq);
CREATE INDEX audit_by_time ON audit (at);
