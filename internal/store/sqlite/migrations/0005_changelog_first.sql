-- 0005: changelog-first writes. A Write made only of touches is durable
-- once its changelog row has committed; the relationships table is brought
-- up to date from the changelog later, in large sorted batches. It holds
-- exactly the changes of revisions <= applied_through (later ones may be
-- there too: replaying a change is harmless, each one sets or removes one
-- identity). Until this migration every write updated the table at once.
ALTER TABLE revision_counter ADD COLUMN applied_through INTEGER NOT NULL DEFAULT 0;
UPDATE revision_counter SET applied_through = revision;
