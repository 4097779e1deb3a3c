-- 0005: the audit log by action, newest last within each, so that a search
-- by action family (store.AuditQuery.Action) reads each of the family's
-- actions as a run of this index (sqlstore.AuditByAction) rather than the
-- log from its newest entry until a page matched: a scan of the whole log
-- for a rare action. In byte order (COLLATE "C") whatever the database's
-- collation, so that a family ("community." and what follows) is one run.
CREATE INDEX audit_by_action ON audit ((action COLLATE "C"), seq);
