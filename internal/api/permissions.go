package api

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/tuple"
)

func parseObject(field, s string) (tuple.ObjectRef, error) {
	if s == "" {
		return tuple.ObjectRef{}, badRequest("%s is required, e.g. \"document:readme\"", field)
	}
	o, err := tuple.ParseObject(s)
	if err != nil {
		return o, badRequest("%s %q: %v", field, s, err)
	}
	return o, nil
}

func parseSubject(field, s string) (tuple.SubjectRef, error) {
	if s == "" {
		return tuple.SubjectRef{}, badRequest("%s is required, e.g. \"user:tom\" or \"group:eng#member\"", field)
	}
	o, err := tuple.ParseSubject(s)
	if err != nil {
		return o, badRequest("%s %q: %v", field, s, err)
	}
	return o, nil
}

func required(field, v string) error {
	if v == "" {
		return badRequest("%s is required", field)
	}
	return nil
}

// resourcePermission validates the resource and permission fields that
// most permission requests carry.
func resourcePermission(resource, permission string) (tuple.ObjectRef, error) {
	res, err := parseObject("resource", resource)
	if err != nil {
		return res, err
	}
	return res, required("permission", permission)
}

func checkRequest(it CheckItem) (engine.CheckRequest, error) {
	res, err := resourcePermission(it.Resource, it.Permission)
	if err != nil {
		return engine.CheckRequest{}, err
	}
	subj, err := parseSubject("subject", it.Subject)
	if err != nil {
		return engine.CheckRequest{}, err
	}
	return engine.CheckRequest{Resource: res, Permission: it.Permission, Subject: subj, Context: it.Context}, nil
}

// prepareCheck validates a check and picks the engine and revision its
// consistency asks for (for check and explain).
func (a *api) prepareCheck(r *http.Request, req CheckRequest) (engine.CheckRequest, *engine.Engine, engine.At, error) {
	cr, err := checkRequest(CheckItem{req.Resource, req.Permission, req.Subject, req.Context})
	if err != nil {
		return cr, nil, engine.At{}, err
	}
	e, at, err := a.engine(r.Context(), req.Consistency)
	return cr, e, at, err
}

// POST /api/v1/permissions/check
func (a *api) check(w http.ResponseWriter, r *http.Request) error {
	var req CheckRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	cr, e, at, err := a.prepareCheck(r, req)
	if err != nil {
		return err
	}
	res, rev, err := e.Check(r.Context(), cr, at)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, CheckResponse{Result: res.Result.String(), Missing: res.Missing, ConsistencyToken: EncodeToken(storeRev(rev))})
}

// POST /api/v1/permissions/check-bulk: items are answered on one snapshot;
// a bad item gets its own error without failing the others.
func (a *api) checkBulk(w http.ResponseWriter, r *http.Request) error {
	var req CheckBulkRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if len(req.Items) > a.MaxBatch {
		return badRequest("%d items in one bulk check; the limit is %d", len(req.Items), a.MaxBatch)
	}
	out := make([]CheckBulkResult, len(req.Items))
	var reqs []engine.CheckRequest
	var pos []int // index in out of each of reqs
	for i, it := range req.Items {
		cr, err := checkRequest(it)
		if err != nil {
			out[i].Error = itemError(err)
			continue
		}
		reqs = append(reqs, cr)
		pos = append(pos, i)
	}
	e, at, err := a.engine(r.Context(), req.Consistency)
	if err != nil {
		return err
	}
	res, errs, rev, err := e.CheckBulk(r.Context(), reqs, at)
	if err != nil {
		return err
	}
	if len(reqs) == 0 {
		rev = e.Index().Revision()
	}
	for j, i := range pos {
		if errs[j] != nil {
			out[i].Error = itemError(errs[j])
			continue
		}
		out[i].Result, out[i].Missing = res[j].Result.String(), res[j].Missing
	}
	return writeJSON(w, http.StatusOK, CheckBulkResponse{Results: out, ConsistencyToken: EncodeToken(storeRev(rev))})
}

func itemError(err error) *ItemError {
	e := toError(err)
	return &ItemError{Code: e.Code, Message: e.Msg}
}

// pageSize bounds a page: the request's limit, or the maximum.
func (a *api) pageSize(limit int) int {
	if limit <= 0 || limit > a.MaxBatch {
		return a.MaxBatch
	}
	return limit
}

// POST /api/v1/permissions/lookup-resources
func (a *api) lookupResources(w http.ResponseWriter, r *http.Request) error {
	var req LookupResourcesRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := required("resource_type", req.ResourceType); err != nil {
		return err
	}
	if err := required("permission", req.Permission); err != nil {
		return err
	}
	subj, err := parseSubject("subject", req.Subject)
	if err != nil {
		return err
	}
	e, at, err := a.engine(r.Context(), req.Consistency)
	if err != nil {
		return err
	}
	lr := engine.LookupResourcesRequest{
		ResourceType: req.ResourceType, Permission: req.Permission, Subject: subj, Context: req.Context,
		Limit: a.pageSize(req.Limit), Cursor: req.Cursor,
	}
	stream := wantsNDJSON(r)
	if stream {
		return a.streamResources(w, r, e, at, lr)
	}
	page, next, rev, err := e.LookupResources(r.Context(), lr, at)
	if err != nil {
		return err
	}
	resp := LookupResourcesResponse{Resources: make([]LookupResource, len(page)), Cursor: next, ConsistencyToken: EncodeToken(storeRev(rev))}
	for i, p := range page {
		resp.Resources[i] = LookupResource{ResourceID: p.ID, Result: p.Result.String(), Missing: p.Missing}
	}
	return writeJSON(w, http.StatusOK, resp)
}

// streamResources answers a lookup as NDJSON. The engine computes the whole
// set in one go, so the stream asks it once (paging would recompute the set
// for every page) and writes the lines through a large buffer. At most
// cap(a.streams) lookups are computed at once: each holds its result set in
// memory until sent, and the engine is CPU-bound anyway. The slot is given
// back before writing: a client that reads slowly, or not at all until the
// write deadline, must not hold up everyone else's lookups.
func (a *api) streamResources(w http.ResponseWriter, r *http.Request, e *engine.Engine, at engine.At, lr engine.LookupResourcesRequest) error {
	res, rev, err := a.computeResources(r, e, at, lr)
	if err != nil {
		return err
	}
	nd := newNDJSON(w, EncodeToken(storeRev(rev)))
	for _, p := range res {
		if err := nd.resource(p); err != nil {
			return err
		}
	}
	return nd.flush()
}

// computeResources computes a streamed lookup's every result, holding a
// slot of a.streams meanwhile.
func (a *api) computeResources(r *http.Request, e *engine.Engine, at engine.At, lr engine.LookupResourcesRequest) ([]engine.LookupResult, uint64, error) {
	select {
	case a.streams <- struct{}{}:
		defer func() { <-a.streams }()
	case <-r.Context().Done():
		return nil, 0, r.Context().Err()
	}
	if lr.Cursor == "" {
		lr.Limit = 0 // everything, in one computation
		res, _, rev, err := e.LookupResources(r.Context(), lr, at)
		return res, rev, err
	}
	lr.Limit = a.MaxBatch // resuming a paged walk: keep its order
	var all []engine.LookupResult
	res, next, rev, err := e.LookupResources(r.Context(), lr, at)
	for ; err == nil; res, next, _, err = e.LookupResources(r.Context(), lr, at) {
		all = append(all, res...)
		if next == "" {
			return all, rev, nil
		}
		lr.Cursor = next
	}
	return nil, 0, err
}

// ndjson writes one JSON value per line through a large buffer; the
// buffer goes out whenever it fills, and at flush.
type ndjson struct {
	w   http.ResponseWriter
	buf *bufio.Writer
	enc *json.Encoder
}

func newNDJSON(w http.ResponseWriter, tok Token) *ndjson {
	w.Header().Set("Content-Type", "application/x-ndjson")
	if tok != "" {
		w.Header().Set("Octroi-Consistency-Token", tok)
	}
	w.WriteHeader(http.StatusOK)
	buf := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return &ndjson{w: w, buf: buf, enc: enc}
}

func (n *ndjson) line(v any) error { return n.enc.Encode(v) }

// resource writes a lookup result. Ids need no JSON escaping in the common
// case (their charset is plain ASCII), so the line is written by hand: the
// encoder's reflection cost most of a 76k-result lookup.
func (n *ndjson) resource(p engine.LookupResult) error {
	if len(p.Missing) > 0 || !plainJSON(p.ID) {
		return n.line(LookupResource{ResourceID: p.ID, Result: p.Result.String(), Missing: p.Missing})
	}
	n.buf.WriteString(`{"resource_id":"`)
	n.buf.WriteString(p.ID)
	n.buf.WriteString(`","result":"`)
	n.buf.WriteString(p.Result.String())
	_, err := n.buf.WriteString("\"}\n")
	return err
}

// plainJSON reports whether s can stand between JSON quotes as it is.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func (n *ndjson) flush() error {
	if err := n.buf.Flush(); err != nil {
		return err
	}
	return http.NewResponseController(n.w).Flush()
}

// A lookup-subjects cursor is the revision read and the last subject id
// sent; the engine computes subjects in one go, so paging re-runs it at
// the same revision and skips what was sent.
const subjectCursorPrefix = "ls1."

func encodeSubjectCursor(rev uint64, last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(subjectCursorPrefix + strconv.FormatUint(rev, 10) + "." + last))
}

func decodeSubjectCursor(c string) (uint64, string, error) {
	bad := &Error{Status: http.StatusBadRequest, Code: CodeInvalidCursor, Msg: "invalid cursor: pass back a cursor this server returned"}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", bad
	}
	rest, ok := strings.CutPrefix(string(b), subjectCursorPrefix)
	if !ok {
		return 0, "", bad
	}
	revS, last, ok := strings.Cut(rest, ".")
	rev, err := strconv.ParseUint(revS, 10, 64)
	if !ok || err != nil || rev == 0 {
		return 0, "", bad
	}
	return rev, last, nil
}

func subjectResult(s engine.SubjectResult) LookupSubject {
	out := LookupSubject{Subject: s.Subject.String(), Result: s.Result.String(), Missing: s.Missing}
	for _, x := range s.Excluded {
		out.Excluded = append(out.Excluded, subjectResult(x))
	}
	return out
}

// POST /api/v1/permissions/lookup-subjects
func (a *api) lookupSubjects(w http.ResponseWriter, r *http.Request) error {
	var req LookupSubjectsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := resourcePermission(req.Resource, req.Permission)
	if err != nil {
		return err
	}
	if err := required("subject_type", req.SubjectType); err != nil {
		return err
	}
	e, at, err := a.engine(r.Context(), req.Consistency)
	if err != nil {
		return err
	}
	after := ""
	resume := req.Cursor != ""
	if resume {
		if at.Revision, after, err = decodeSubjectCursor(req.Cursor); err != nil {
			return err
		}
	}
	subjects, rev, err := e.LookupSubjects(r.Context(), engine.LookupSubjectsRequest{
		Resource: res, Permission: req.Permission, SubjectType: req.SubjectType,
		SubjectRelation: req.SubjectRelation, Context: req.Context,
	}, at)
	if err != nil {
		return err
	}
	if resume {
		i := 0
		for i < len(subjects) && subjects[i].Subject.ID != after {
			i++
		}
		if i == len(subjects) {
			return &Error{Status: http.StatusBadRequest, Code: CodeInvalidCursor, Msg: "invalid cursor: pass back a cursor this server returned"}
		}
		subjects = subjects[i+1:]
	}
	tok := EncodeToken(storeRev(rev))
	if wantsNDJSON(r) {
		nd := newNDJSON(w, tok)
		for i, s := range subjects {
			if err := nd.line(subjectResult(s)); err != nil {
				return err
			}
			if i%1000 == 999 {
				if err := nd.flush(); err != nil {
					return err
				}
			}
		}
		return nd.flush()
	}
	limit := a.pageSize(req.Limit)
	resp := LookupSubjectsResponse{ConsistencyToken: tok, Subjects: []LookupSubject{}}
	if len(subjects) > limit {
		subjects = subjects[:limit]
		resp.Cursor = encodeSubjectCursor(rev, subjects[limit-1].Subject.ID)
	}
	for _, s := range subjects {
		resp.Subjects = append(resp.Subjects, subjectResult(s))
	}
	return writeJSON(w, http.StatusOK, resp)
}

func caveatOf(c *tuple.Caveat) *Caveat {
	if c == nil {
		return nil
	}
	return &Caveat{Name: c.Name, Context: c.Context}
}

func expandNode(n *engine.ExpandNode) *ExpandNode {
	if n == nil {
		return nil
	}
	out := &ExpandNode{Object: n.Object.String(), Member: n.Member, Op: n.Op, Expression: n.Expression, Caveat: caveatOf(n.Caveat)}
	for _, c := range n.Children {
		out.Children = append(out.Children, expandNode(c))
	}
	for _, s := range n.Subjects {
		out.Subjects = append(out.Subjects, ExpandSubject{
			Subject: s.Subject.String(), Caveat: caveatOf(s.Caveat), Expiration: s.Expiration,
			Expanded: expandNode(s.Expanded), Cycle: s.Cycle,
		})
	}
	return out
}

// POST /api/v1/permissions/expand
func (a *api) expand(w http.ResponseWriter, r *http.Request) error {
	var req ExpandRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := resourcePermission(req.Resource, req.Permission)
	if err != nil {
		return err
	}
	if req.Depth < 0 {
		return badRequest("depth must not be negative")
	}
	e, at, err := a.engine(r.Context(), req.Consistency)
	if err != nil {
		return err
	}
	tree, rev, err := e.Expand(r.Context(), engine.ExpandRequest{Resource: res, Permission: req.Permission, Depth: req.Depth}, at)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ExpandResponse{Tree: expandNode(tree), ConsistencyToken: EncodeToken(storeRev(rev))})
}

func explainStep(s *engine.Step) *ExplainStep {
	if s == nil {
		return nil
	}
	out := &ExplainStep{Kind: s.Kind, Object: s.Object, Member: s.Member, Expression: s.Expression,
		Relationship: s.Relationship, Result: s.Result.String(), Missing: s.Missing}
	for _, k := range s.Steps {
		out.Steps = append(out.Steps, explainStep(k))
	}
	return out
}

// POST /api/v1/permissions/explain: JSON with the tree and its text
// rendering, or only the text with Accept: text/plain.
func (a *api) explain(w http.ResponseWriter, r *http.Request) error {
	var req ExplainRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	cr, e, at, err := a.prepareCheck(r, req.CheckRequest)
	if err != nil {
		return err
	}
	x, err := e.Explain(r.Context(), cr, at)
	if err != nil {
		return err
	}
	text := x.Text(req.OnlyGranting)
	tok := EncodeToken(storeRev(x.Revision))
	if strings.Contains(r.Header.Get("Accept"), "text/plain") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Octroi-Consistency-Token", tok)
		_, err := fmt.Fprint(w, text)
		return err
	}
	return writeJSON(w, http.StatusOK, ExplainResponse{
		Result: x.Result.String(), Missing: x.Missing, Tree: explainStep(x.Root), Text: text, ConsistencyToken: tok,
	})
}
