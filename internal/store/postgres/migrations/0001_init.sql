-- 0001: relationships, revisions, changelog, schema versions.
-- Append-only: never edit a released migration, add 0002_….sql instead.
--
-- Identity columns use COLLATE "C": byte order of UTF-8 = code point order,
-- the order the store promises (and SQLite's), whatever the database locale,
-- and cheaper comparisons than a linguistic collation.

CREATE TABLE relationships (
    resource_type    text COLLATE "C" NOT NULL,
    resource_id      text COLLATE "C" NOT NULL,
    relation         text COLLATE "C" NOT NULL,
    subject_type     text COLLATE "C" NOT NULL,
    subject_id       text COLLATE "C" NOT NULL,
    subject_relation text COLLATE "C" NOT NULL,
    caveat_name      text COLLATE "C",
    caveat_context   jsonb,       -- NULL when the caveat has no context
    expires_at       timestamptz, -- NULL: never
    CONSTRAINT relationships_pkey
        PRIMARY KEY (resource_type, resource_id, relation, subject_type, subject_id, subject_relation)
);

-- Reverse lookups and filters by subject.
CREATE INDEX relationships_by_subject
    ON relationships (subject_type, subject_id, subject_relation, resource_type, relation);

-- GC of long-expired relationships.
CREATE INDEX relationships_by_expiry
    ON relationships (expires_at) WHERE expires_at IS NOT NULL;

-- The revision sequence: one row. Every write transaction starts by
-- bumping it, which row-locks it until commit: writers from every process
-- serialise here, revisions are gap-free (a rollback undoes the bump) and
-- commits happen in revision order. A SEQUENCE would do none of that.
CREATE TABLE revision_counter (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    revision  bigint NOT NULL
);
INSERT INTO revision_counter (singleton, revision) VALUES (true, 0);

-- One row per committed revision, for GC by age (trimmed with the changelog).
CREATE TABLE revisions (
    revision     bigint PRIMARY KEY,
    committed_at timestamptz NOT NULL
);

-- Every change, in commit order. op is store.ChangeOp: 1 touch, 2 delete,
-- 3 schema (relationship columns empty). seq orders entries within a
-- revision (it may have gaps).
CREATE TABLE changelog (
    revision         bigint NOT NULL,
    seq              integer NOT NULL,
    op               smallint NOT NULL CHECK (op IN (1, 2, 3)),
    resource_type    text COLLATE "C" NOT NULL,
    resource_id      text COLLATE "C" NOT NULL,
    relation         text COLLATE "C" NOT NULL,
    subject_type     text COLLATE "C" NOT NULL,
    subject_id       text COLLATE "C" NOT NULL,
    subject_relation text COLLATE "C" NOT NULL,
    caveat_name      text COLLATE "C",
    caveat_context   jsonb,
    expires_at       timestamptz,
    committed_at     timestamptz NOT NULL,
    PRIMARY KEY (revision, seq)
);

-- Changelog entries of revisions <= trimmed_through have been deleted by GC.
CREATE TABLE changelog_horizon (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    trimmed_through bigint NOT NULL
);
INSERT INTO changelog_horizon (singleton, trimmed_through) VALUES (true, 0);

-- Every schema version ever written; the current one has the highest revision.
CREATE TABLE schema_versions (
    revision    bigint PRIMARY KEY,
    schema_text text NOT NULL,
    written_at  timestamptz NOT NULL
);
