-- 0003: a changelog row may hold a batch of changes of one op, encoded by
-- sqlutil.ChangeBatch, so that Import appends one row per 1024 relationships
-- instead of one row (one B-tree entry) per relationship. Such a row keeps
-- its relationship columns empty; its seq is that of its first change.
-- Rows written before keep one change each.
ALTER TABLE changelog ADD COLUMN changes INTEGER NOT NULL DEFAULT 1 CHECK (changes > 0);
ALTER TABLE changelog ADD COLUMN batch BLOB; -- NULL: the row is one change, in its columns
