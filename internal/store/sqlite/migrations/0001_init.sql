-- 0001: relationships, revisions, changelog, schema versions.
-- Append-only: never edit a released migration, add 0002_….sql instead.

-- One row per relationship identity. WITHOUT ROWID keeps the rows inside
-- the primary-key B-tree: one B-tree to update per write instead of two,
-- and ordered scans for cursor pagination come for free. TEXT compares with
-- the BINARY collation (memcmp of UTF-8) = code point order, the order the
-- store promises.
CREATE TABLE relationships (
    resource_type    TEXT NOT NULL,
    resource_id      TEXT NOT NULL,
    relation         TEXT NOT NULL,
    subject_type     TEXT NOT NULL,
    subject_id       TEXT NOT NULL,
    subject_relation TEXT NOT NULL,
    caveat_name      TEXT,
    caveat_context   TEXT,    -- JSON object; NULL when the caveat has no context
    expires_at       INTEGER, -- microseconds since the Unix epoch; NULL: never
    PRIMARY KEY (resource_type, resource_id, relation, subject_type, subject_id, subject_relation)
) WITHOUT ROWID;

-- Reverse lookups and filters by subject.
CREATE INDEX relationships_by_subject
    ON relationships (subject_type, subject_id, subject_relation, resource_type, relation);

-- GC of long-expired relationships.
CREATE INDEX relationships_by_expiry
    ON relationships (expires_at) WHERE expires_at IS NOT NULL;

-- The revision sequence: one row, bumped by every write transaction.
CREATE TABLE revision_counter (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    revision  INTEGER NOT NULL
);
INSERT INTO revision_counter (singleton, revision) VALUES (1, 0);

-- One row per committed revision, for GC by age (trimmed with the changelog).
CREATE TABLE revisions (
    revision     INTEGER PRIMARY KEY,
    committed_at INTEGER NOT NULL -- microseconds since the Unix epoch
);

-- Every change, in commit order. op is store.ChangeOp: 1 touch, 2 delete,
-- 3 schema (relationship columns empty).
CREATE TABLE changelog (
    revision         INTEGER NOT NULL,
    seq              INTEGER NOT NULL,
    op               INTEGER NOT NULL CHECK (op IN (1, 2, 3)),
    resource_type    TEXT NOT NULL,
    resource_id      TEXT NOT NULL,
    relation         TEXT NOT NULL,
    subject_type     TEXT NOT NULL,
    subject_id       TEXT NOT NULL,
    subject_relation TEXT NOT NULL,
    caveat_name      TEXT,
    caveat_context   TEXT,
    expires_at       INTEGER,
    committed_at     INTEGER NOT NULL,
    PRIMARY KEY (revision, seq)
) WITHOUT ROWID;

-- Changelog entries of revisions <= trimmed_through have been deleted by GC.
CREATE TABLE changelog_horizon (
    singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
    trimmed_through INTEGER NOT NULL
);
INSERT INTO changelog_horizon (singleton, trimmed_through) VALUES (1, 0);

-- Every schema version ever written; the current one has the highest revision.
CREATE TABLE schema_versions (
    revision    INTEGER PRIMARY KEY,
    schema_text TEXT NOT NULL,
    written_at  INTEGER NOT NULL
);
