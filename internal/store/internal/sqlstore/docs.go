package sqlstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/octroi/octroi/internal/store"
)

// DocColumns lists the documents columns in the order both backends select
// them.
const DocColumns = "kind, id, alt, parent, data, revision, updated"

// AuditColumns lists the audit columns in the order both backends select
// them.
const AuditColumns = "seq, at, revision, actor, action, resource, before, after, request_id"

// checkString applies the store's string limits to a document field.
func checkString(what, s string, max int, emptyOK bool) error {
	switch {
	case s == "" && !emptyOK:
		return fmt.Errorf("%w: %s is empty", store.ErrInvalid, what)
	case len(s) > max:
		return fmt.Errorf("%w: %s is %d bytes long, the limit is %d", store.ErrInvalid, what, len(s), max)
	case !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0:
		return fmt.Errorf("%w: %s is not valid UTF-8 without NUL", store.ErrInvalid, what)
	}
	return nil
}

// CheckDocKey validates a document's kind and id.
func CheckDocKey(kind, id string) error {
	if err := checkString("document kind", kind, store.MaxNameBytes, false); err != nil {
		return err
	}
	if err := checkString("document id", id, store.MaxIDBytes, false); err != nil {
		return fmt.Errorf("%s: %w", kind, err)
	}
	return nil
}

// CheckDoc validates a document for PutDoc.
func CheckDoc(d store.Doc) error {
	if err := CheckDocKey(d.Kind, d.ID); err != nil {
		return err
	}
	for _, f := range []struct{ what, s string }{{"alt", d.Alt}, {"parent", d.Parent}} {
		if err := checkString(f.what, f.s, store.MaxIDBytes, true); err != nil {
			return fmt.Errorf("document %s %q: %w", d.Kind, d.ID, err)
		}
	}
	if !json.Valid(d.Data) {
		return fmt.Errorf("%w: document %s %q: data is not valid JSON", store.ErrInvalid, d.Kind, d.ID)
	}
	return nil
}

// CheckAudit validates an audit entry.
func CheckAudit(e store.AuditEntry) error {
	for _, f := range []struct{ what, s string }{
		{"actor", e.Actor}, {"action", e.Action}, {"resource", e.Resource}, {"request id", e.RequestID},
	} {
		if err := checkString(f.what, f.s, store.MaxIDBytes, true); err != nil {
			return fmt.Errorf("audit entry: %w", err)
		}
	}
	for _, f := range []struct {
		what string
		b    []byte
	}{{"before", e.Before}, {"after", e.After}} {
		if f.b != nil && !json.Valid(f.b) {
			return fmt.Errorf("%w: audit entry: %s is not valid JSON", store.ErrInvalid, f.what)
		}
	}
	return nil
}

// NullIfEmpty maps "" to SQL NULL (for alt and parent, whose unique and
// listing indexes skip NULL).
func NullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// NullJSON maps nil to SQL NULL and JSON to its text.
func NullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// ListDocsQuery returns the query of ListDocs and its arguments added to a.
func ListDocsQuery(kind, parent, after string, limit int, a *Args) string {
	q := `SELECT ` + DocColumns + ` FROM documents WHERE kind = ` + a.Add(kind)
	if parent != "" {
		q += ` AND parent = ` + a.Add(parent)
	}
	if after != "" {
		q += ` AND id > ` + a.Add(after)
	}
	q += ` ORDER BY id`
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, limit)
	}
	return q
}

// AuditQuery returns the query of Audit and its arguments added to a; at
// converts a time to the backend's column value.
func AuditQuery(q store.AuditQuery, a *Args, at func(time.Time) any) string {
	return auditQuery(q, a, at, "")
}

// AuditActionQuery is AuditQuery of the entries of exactly one action
// (q.Action is ignored), compared as actionCol: the action column as the
// backend's audit_by_action index holds it, so that a page is the newest
// (or oldest) entries of the index's run of that action.
func AuditActionQuery(q store.AuditQuery, action, actionCol string, a *Args, at func(time.Time) any) string {
	q.Action = ""
	return auditQuery(q, a, at, actionCol+" = "+a.Add(action))
}

// auditQuery is AuditQuery with actionCond as one more condition.
func auditQuery(q store.AuditQuery, a *Args, at func(time.Time) any, actionCond string) string {
	var conds []string
	if actionCond != "" {
		conds = append(conds, actionCond)
	}
	if q.Resource != "" {
		conds = append(conds, `resource = `+a.Add(q.Resource))
	}
	if q.Resources != nil {
		in := make([]string, len(q.Resources))
		for i, r := range q.Resources {
			in[i] = a.Add(r)
		}
		if len(in) == 0 {
			in = []string{"NULL"} // IN () is not SQL; IN (NULL) matches nothing
		}
		conds = append(conds, `resource IN (`+strings.Join(in, ", ")+`)`)
	}
	if q.Actor != "" {
		conds = append(conds, `actor = `+a.Add(q.Actor))
	}
	if !q.Since.IsZero() {
		conds = append(conds, `at >= `+a.Add(at(NormalizeTime(q.Since))))
	}
	if !q.Until.IsZero() {
		conds = append(conds, `at < `+a.Add(at(NormalizeTime(q.Until))))
	}
	if q.AfterSeq > 0 {
		conds = append(conds, `seq > `+a.Add(q.AfterSeq))
	}
	if q.Action != "" {
		// substr rather than LIKE: an action may hold _ or %, which LIKE
		// would read as wildcards.
		fam := q.Action + "."
		conds = append(conds, fmt.Sprintf(`(action = %s OR substr(action, 1, %d) = %s)`, a.Add(q.Action), utf8.RuneCountInString(fam), a.Add(fam)))
	}
	if q.ResourceType != "" {
		pre := q.ResourceType + ":"
		conds = append(conds, fmt.Sprintf(`substr(resource, 1, %d) = %s`, utf8.RuneCountInString(pre), a.Add(pre)))
	}
	if q.BeforeSeq > 0 {
		conds = append(conds, `seq < `+a.Add(q.BeforeSeq))
	}
	where := "TRUE"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = store.DefaultAuditLimit
	}
	order := "seq"
	if q.Newest {
		order = "seq DESC"
	}
	return fmt.Sprintf(`SELECT %s FROM audit WHERE %s ORDER BY %s LIMIT %d`, AuditColumns, where, order, limit)
}

// FnError carries the error of a Transact callback through a backend's
// write loop untouched: it has no Unwrap, so the loop neither retries it
// nor converts it, and Transact returns Err as is.
type FnError struct{ Err error }

func (e FnError) Error() string { return e.Err.Error() }

// DocsSince is store.DocFollower.DocsSince for both backends: query runs
// the SQL with its arguments and reads the documents. It selects by
// revision, so that both databases use the revision index (a plain
// condition on kind makes SQLite prefer the kind index and scan every
// document of the kind), and by kind through an expression no index
// answers (kind joined to an empty string), so that the rows of other
// kinds are passed over without their data being read: a follower of a
// few kinds is not made to copy every large document written meanwhile
// (the gateway's usage log writes one of hundreds of kilobytes every few
// seconds, and the portal's record copy follows it on the decision path).
func DocsSince(kinds []string, after, through store.Revision, dollar bool, query func(q string, args []any) ([]store.Doc, error)) ([]store.Doc, error) {
	if len(kinds) == 0 || through <= after {
		return nil, nil
	}
	a := Args{Dollar: dollar}
	where := `revision > ` + a.Add(int64(after)) + ` AND revision <= ` + a.Add(int64(through))
	in := make([]string, len(kinds)) // after the revisions: "?" placeholders are positional
	for i, k := range kinds {
		in[i] = a.Add(k)
	}
	q := `SELECT ` + DocColumns + ` FROM documents WHERE ` + where + ` AND (kind || '') IN (` + strings.Join(in, ", ") + `) ORDER BY revision, kind, id`
	ds, err := query(q, a.List)
	if err != nil {
		return nil, fmt.Errorf("reading documents since revision %d: %w", after, err)
	}
	return slices.DeleteFunc(ds, func(d store.Doc) bool { return !slices.Contains(kinds, d.Kind) }), nil
}
