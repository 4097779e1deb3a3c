-- 0004: documents by revision, so that a domain keeping its records in
-- memory reads only those written since it last looked
-- (store.DocFollower.DocsSince).
CREATE INDEX documents_by_revision ON documents (revision);
