-- 0003: a changelog row may hold a batch of changes of one op, encoded by
-- sqlutil.ChangeBatch, so that Import appends one row per 1024 relationships
-- instead of one row (heap tuple and index entry) per relationship. Such a
-- row keeps its relationship columns empty; its seq is that of its first
-- change, and the next row's seq follows its last. Rows written before keep
-- one change each. (Adding a column with a constant default rewrites no
-- table.)
ALTER TABLE changelog ADD COLUMN changes integer NOT NULL DEFAULT 1 CHECK (changes > 0);
ALTER TABLE changelog ADD COLUMN batch bytea; -- NULL: the row is one change, in its columns
