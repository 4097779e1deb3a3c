-- 0002: domain documents and the audit log (store.Documents).
-- Append-only: never edit a released migration, add 0003_….sql instead.
--
-- Keys use COLLATE "C" like the relationships: ListDocs promises byte order
-- of ids whatever the database locale.

-- One row per document. alt and parent are NULL when empty, so that the
-- unique index below skips them.
CREATE TABLE documents (
    kind     text COLLATE "C" NOT NULL,
    id       text COLLATE "C" NOT NULL,
    alt      text COLLATE "C",
    parent   text COLLATE "C",
    data     jsonb NOT NULL,
    revision bigint NOT NULL,      -- of the last write
    updated  timestamptz NOT NULL,
    CONSTRAINT documents_pkey PRIMARY KEY (kind, id)
);

-- The alternate key: unique within a kind.
CREATE UNIQUE INDEX documents_by_alt ON documents (kind, alt) WHERE alt IS NOT NULL;

-- Listing by parent, in id order.
CREATE INDEX documents_by_parent ON documents (kind, parent, id);

-- The audit log, append-only. seq comes from an identity sequence: it only
-- grows (a rollback leaves a gap, never a reuse), and because writers are
-- serialised on revision_counter, seq order is commit order.
CREATE TABLE audit (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    revision   bigint NOT NULL,
    actor      text COLLATE "C" NOT NULL,
    action     text COLLATE "C" NOT NULL,
    resource   text COLLATE "C" NOT NULL,
    before     jsonb,
    after      jsonb,
    request_id text NOT NULL
);

CREATE INDEX audit_by_resource ON audit (resource, seq);
CREATE INDEX audit_by_actor ON audit (actor, seq);
CREATE INDEX audit_by_time ON audit (at);
