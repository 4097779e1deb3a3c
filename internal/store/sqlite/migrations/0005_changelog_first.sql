-- 0005: changelog-first writes (store/sqlite/tail.go). A Write made only of
-- touches is durable once its changelog row has committed; the relationships
-- table is brought up to date from the changelog later, in large sorted
-- batches. Between transactions the table holds the state as of revision
-- applied_through: every change of the changelog up to it, none after (a
-- change may be replayed: each one sets or removes one identity). Until this
-- migration every write updated the table at once.
ALTER TABLE revision_counter ADD COLUMN applied_through INTEGER NOT NULL DEFAULT 0;
UPDATE revision_counter SET applied_through = revision;
