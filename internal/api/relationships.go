package api

import (
	"bufio"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// POST /api/v1/relationships/write
func (a *api) writeRelationships(w http.ResponseWriter, r *http.Request) error {
	var req WriteRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if len(req.Updates) == 0 {
		return badRequest("updates is empty: give at least one update")
	}
	if len(req.Updates) > a.MaxBatch {
		return badRequest("%d updates in one write; the limit is %d: split the write, or use /relationships/import", len(req.Updates), a.MaxBatch)
	}
	if len(req.Preconditions) > a.MaxBatch {
		return badRequest("%d preconditions; the limit is %d", len(req.Preconditions), a.MaxBatch)
	}
	var sr store.WriteRequest
	for i, u := range req.Updates {
		var op store.Op
		switch u.Operation {
		case "touch":
			op = store.Touch
		case "create":
			op = store.Create
		case "delete":
			op = store.Delete
		default:
			return badRequest("update %d: operation %q: want touch, create or delete", i, u.Operation)
		}
		rel, err := u.Relationship.Tuple()
		if err != nil {
			return badRequest("update %d: %v", i, err)
		}
		sr.Updates = append(sr.Updates, store.Update{Op: op, Relationship: rel})
	}
	for i, p := range req.Preconditions {
		var op store.PreconditionOp
		switch p.Operation {
		case "must_match":
			op = store.MustMatch
		case "must_not_match":
			op = store.MustNotMatch
		default:
			return badRequest("precondition %d: operation %q: want must_match or must_not_match", i, p.Operation)
		}
		f := p.Filter.Store()
		if err := store.ValidateFilter(f); err != nil {
			return badRequest("precondition %d: %v", i, err)
		}
		sr.Preconditions = append(sr.Preconditions, store.Precondition{Op: op, Filter: f})
	}
	rev, err := a.Backend.Write(r.Context(), sr)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, WriteResponse{ConsistencyToken: EncodeToken(rev)})
}

// POST /api/v1/relationships/delete
func (a *api) deleteRelationships(w http.ResponseWriter, r *http.Request) error {
	var req DeleteRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Filter.ResourceType == "" {
		return badRequest("filter.resource_type is required: deleting across every type at once is refused")
	}
	f := req.Filter.Store()
	if err := store.ValidateFilter(f); err != nil {
		return err
	}
	rev, n, err := a.Backend.DeleteByFilter(r.Context(), f, req.Limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, DeleteResponse{Deleted: n, ConsistencyToken: EncodeToken(rev)})
}

// filterFromQuery reads a filter from query parameters named like the
// JSON fields.
func filterFromQuery(q map[string][]string) Filter {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	f := Filter{
		ResourceType: get("resource_type"), ResourceID: get("resource_id"), Relation: get("relation"),
		SubjectType: get("subject_type"), SubjectID: get("subject_id"),
	}
	if v, ok := q["subject_relation"]; ok && len(v) > 0 {
		f.SubjectRelation = &v[0]
	}
	return f
}

func consistencyFromQuery(q map[string][]string) *Consistency {
	c := &Consistency{}
	if v := q["at_least_as_fresh"]; len(v) > 0 {
		c.AtLeastAsFresh = v[0]
	}
	if v := q["consistency"]; len(v) > 0 {
		switch v[0] {
		case "fully_consistent":
			c.FullyConsistent = true
		case "minimize_latency":
			c.MinimizeLatency = true
		}
	}
	return c
}

// GET|POST /api/v1/relationships/read. The store is the source of truth
// and always at least as fresh as any token it issued, so every
// consistency is met by reading it; the token is still validated.
func (a *api) readRelationships(w http.ResponseWriter, r *http.Request) error {
	var req ReadRequest
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		req.Filter = filterFromQuery(q)
		req.Cursor = q.Get("cursor")
		req.Consistency = consistencyFromQuery(q)
		if s := q.Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return badRequest("limit=%q is not a number", s)
			}
			req.Limit = n
		}
	} else if err := decode(r, &req); err != nil {
		return err
	}
	if _, err := freshness(req.Consistency); err != nil {
		return err
	}
	if req.Limit <= 0 || req.Limit > a.MaxBatch {
		req.Limit = a.MaxBatch
	}
	f := req.Filter.Store()
	if err := store.ValidateFilter(f); err != nil {
		return err
	}
	rels, next, rev, err := a.Backend.ReadRelationships(r.Context(), f, store.Cursor(req.Cursor), req.Limit)
	if err != nil {
		return err
	}
	resp := ReadResponse{Relationships: make([]Relationship, len(rels)), Cursor: string(next), ConsistencyToken: EncodeToken(rev)}
	for i, rel := range rels {
		resp.Relationships[i] = FromTuple(rel)
	}
	return writeJSON(w, http.StatusOK, resp)
}

// lineError is a parse error in an import body.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }

func (e *lineError) Unwrap() error { return e.err }

// maxImportLine bounds one line of an import (a relationship with a large
// caveat context still fits).
const maxImportLine = 1 << 20

// POST /api/v1/relationships/import: text form, one relationship per line;
// blank lines and lines starting with # are skipped. The body is read as
// it comes; the store commits it in batches.
func (a *api) importRelationships(w http.ResponseWriter, r *http.Request) error {
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(make([]byte, 64<<10), maxImportLine)
	line, lastYielded := 0, 0
	rels := iter.Seq2[tuple.Relationship, error](func(yield func(tuple.Relationship, error) bool) {
		for sc.Scan() {
			line++
			s := strings.TrimSpace(sc.Text())
			if s == "" || strings.HasPrefix(s, "#") {
				continue
			}
			rel, err := tuple.Parse(s)
			if err != nil {
				yield(tuple.Relationship{}, &lineError{line, err})
				return
			}
			lastYielded = line
			if !yield(rel, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				err = fmt.Errorf("line longer than %d bytes", maxImportLine)
			}
			yield(tuple.Relationship{}, &lineError{line + 1, err})
		}
	})
	rev, n, err := a.Backend.Import(r.Context(), rels)
	if err != nil {
		e := importError(err, lastYielded)
		e.Imported = &n
		if rev > 0 {
			e.Token = EncodeToken(rev)
		}
		return e
	}
	return writeJSON(w, http.StatusOK, ImportResponse{Imported: n, ConsistencyToken: EncodeToken(rev)})
}

func importError(err error, lastLine int) *Error {
	var le *lineError
	var ire *InvalidRelationshipError
	var mb *http.MaxBytesError
	if e, ok := asBodyTimeout(err); ok {
		e.Msg += "; the relationships of the batches before it were imported"
		return e
	}
	switch {
	case errors.As(err, &mb):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
			Msg: fmt.Sprintf("import body is larger than %d bytes; the relationships before the limit were imported", mb.Limit), Err: err}
	case errors.As(err, &le):
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidArgument, Msg: le.Error() + "; the relationships of the batches before it were imported", Err: err,
			Errors: []ProblemError{{Line: le.line, Message: le.err.Error()}}}
	case errors.As(err, &ire):
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidRelationship,
			Msg: fmt.Sprintf("line %d (%s): %v; the relationships of the batches before it were imported", lastLine, tuple.Format(ire.Relationship), ire.Err), Err: err,
			Errors: []ProblemError{{Line: lastLine, Message: ire.Err.Error()}}}
	}
	e := *toError(err)
	return &e
}

// GET /api/v1/relationships/export: every live relationship (matching the
// filter given as query parameters) in the text form, one per line, from
// one consistent snapshot, and a last comment line with its consistency
// token (also sent as the Octroi-Consistency-Token trailer).
func (a *api) exportRelationships(w http.ResponseWriter, r *http.Request) error {
	f := filterFromQuery(r.URL.Query()).Store()
	if err := store.ValidateFilter(f); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Trailer", "Octroi-Consistency-Token")
	bw := bufio.NewWriterSize(w, 64<<10)
	rev, err := a.Backend.Export(r.Context(), f, func(rel tuple.Relationship) error {
		bw.WriteString(tuple.Format(rel))
		return bw.WriteByte('\n')
	})
	if err != nil {
		return err // the adapter cuts the stream if it had started
	}
	tok := EncodeToken(rev)
	fmt.Fprintf(bw, "# consistency_token: %s\n", tok)
	if err := bw.Flush(); err != nil {
		return err
	}
	w.Header().Set("Octroi-Consistency-Token", tok)
	return nil
}
