package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// This file holds the JSON shapes of the API. The client package uses the
// same types, so that the two cannot drift apart.

// Relationship is a relationship on the wire. Objects and subjects are
// strings in the text form ("document:readme", "group:eng#member",
// "user:*"). On input, a whole relationship may also be one string in the
// text form, e.g. "document:readme#viewer@user:tom[expiration:2030-01-01T00:00:00Z]".
type Relationship struct {
	Resource   string     `json:"resource"`
	Relation   string     `json:"relation"`
	Subject    string     `json:"subject"`
	Caveat     *Caveat    `json:"caveat,omitempty"`
	Expiration *time.Time `json:"expiration,omitempty"`
}

// Caveat is a relationship's caveat and its part of the context.
type Caveat struct {
	Name    string         `json:"name"`
	Context map[string]any `json:"context,omitempty"`
}

// UnmarshalJSON accepts the object form and the text form.
func (r *Relationship) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		t, err := tuple.Parse(s)
		if err != nil {
			return fmt.Errorf("relationship %q: %w", s, err)
		}
		*r = FromTuple(t)
		return nil
	}
	type plain Relationship // without this method
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*r = Relationship(p)
	return nil
}

// FromTuple converts a relationship to its wire form.
func FromTuple(t tuple.Relationship) Relationship {
	r := Relationship{
		Resource:   t.Resource.String(),
		Relation:   t.Relation,
		Subject:    t.Subject.String(),
		Expiration: t.Expiration,
	}
	if t.Caveat != nil {
		r.Caveat = &Caveat{Name: t.Caveat.Name, Context: t.Caveat.Context}
	}
	return r
}

// Tuple parses the wire form; errors name the faulty field.
func (r Relationship) Tuple() (tuple.Relationship, error) {
	res, err := tuple.ParseObject(r.Resource)
	if err != nil {
		return tuple.Relationship{}, fmt.Errorf("resource %q: %w", r.Resource, err)
	}
	if !tuple.ValidRelationName(r.Relation) {
		return tuple.Relationship{}, fmt.Errorf("relation %q is not a valid relation name", r.Relation)
	}
	subj, err := tuple.ParseSubject(r.Subject)
	if err != nil {
		return tuple.Relationship{}, fmt.Errorf("subject %q: %w", r.Subject, err)
	}
	t := tuple.Relationship{Resource: res, Relation: r.Relation, Subject: subj}
	if r.Caveat != nil {
		if !tuple.ValidTypeName(r.Caveat.Name) {
			return tuple.Relationship{}, fmt.Errorf("caveat name %q is not valid", r.Caveat.Name)
		}
		t.Caveat = &tuple.Caveat{Name: r.Caveat.Name, Context: r.Caveat.Context}
	}
	if r.Expiration != nil {
		e := r.Expiration.UTC()
		t.Expiration = &e
	}
	return t, nil
}

// Filter selects relationships: an empty field matches anything;
// subject_relation "" asks for subjects without a relation, absent matches
// any.
type Filter struct {
	ResourceType    string  `json:"resource_type,omitempty"`
	ResourceID      string  `json:"resource_id,omitempty"`
	Relation        string  `json:"relation,omitempty"`
	SubjectType     string  `json:"subject_type,omitempty"`
	SubjectID       string  `json:"subject_id,omitempty"`
	SubjectRelation *string `json:"subject_relation,omitempty"`
}

// Store converts the filter.
func (f Filter) Store() store.Filter {
	sf := store.Filter{
		ResourceType: f.ResourceType, ResourceID: f.ResourceID, Relation: f.Relation,
		SubjectType: f.SubjectType, SubjectID: f.SubjectID, SubjectRelation: f.SubjectRelation,
	}
	if sf.SubjectRelation != nil && *sf.SubjectRelation == tuple.Ellipsis {
		empty := ""
		sf.SubjectRelation = &empty
	}
	return sf
}

// Consistency says how fresh a read must be. At most one field is set;
// none means minimize_latency.
type Consistency struct {
	// MinimizeLatency reads the local index as it is.
	MinimizeLatency bool `json:"minimize_latency,omitempty"`
	// AtLeastAsFresh is a consistency token: the read waits (bounded) until
	// the index has reached its revision.
	AtLeastAsFresh string `json:"at_least_as_fresh,omitempty"`
	// FullyConsistent reads at the store's latest revision.
	FullyConsistent bool `json:"fully_consistent,omitempty"`
}

// Token is an opaque consistency token. Clients must not parse it; it
// encodes a store revision.
type Token = string

const tokenPrefix = "o1."

// EncodeToken returns the consistency token of rev.
func EncodeToken(rev store.Revision) Token {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + strconv.FormatUint(uint64(rev), 10)))
}

// errBadToken is wrapped by DecodeToken's errors.
var errBadToken = errors.New("invalid consistency token")

// DecodeToken returns the revision of a token made by EncodeToken.
func DecodeToken(t Token) (store.Revision, error) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || !strings.HasPrefix(string(b), tokenPrefix) {
		return 0, fmt.Errorf("%w %q: use a token returned by this server", errBadToken, t)
	}
	n, err := strconv.ParseUint(string(b[len(tokenPrefix):]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w %q: use a token returned by this server", errBadToken, t)
	}
	return store.Revision(n), nil
}

// Schema bodies.

// SchemaResponse answers GET /schema.
type SchemaResponse struct {
	Schema           string `json:"schema"`
	ConsistencyToken Token  `json:"consistency_token"`
}

// WriteSchemaRequest is the body of PUT /schema.
type WriteSchemaRequest struct {
	Schema string `json:"schema"`
	DryRun bool   `json:"dry_run,omitempty"`
}

// SchemaDiff lists what a schema change does. Entries name elements as
// "document", "document#viewer", "caveat on_network".
type SchemaDiff struct {
	AddedDefinitions   []string `json:"added_definitions,omitempty"`
	RemovedDefinitions []string `json:"removed_definitions,omitempty"`
	AddedRelations     []string `json:"added_relations,omitempty"`
	RemovedRelations   []string `json:"removed_relations,omitempty"`
	ChangedRelations   []string `json:"changed_relations,omitempty"` // allowed subject types changed
	AddedPermissions   []string `json:"added_permissions,omitempty"`
	RemovedPermissions []string `json:"removed_permissions,omitempty"`
	ChangedPermissions []string `json:"changed_permissions,omitempty"` // expression changed
	AddedCaveats       []string `json:"added_caveats,omitempty"`
	RemovedCaveats     []string `json:"removed_caveats,omitempty"`
	ChangedCaveats     []string `json:"changed_caveats,omitempty"`
}

// Empty reports whether the diff changes nothing.
func (d SchemaDiff) Empty() bool {
	return len(d.AddedDefinitions)+len(d.RemovedDefinitions)+len(d.AddedRelations)+
		len(d.RemovedRelations)+len(d.ChangedRelations)+len(d.AddedPermissions)+
		len(d.RemovedPermissions)+len(d.ChangedPermissions)+len(d.AddedCaveats)+
		len(d.RemovedCaveats)+len(d.ChangedCaveats) == 0
}

// WriteSchemaResponse answers PUT /schema. ConsistencyToken is empty for a
// dry run; Warnings are the parser's warnings, with line:col.
type WriteSchemaResponse struct {
	DryRun           bool       `json:"dry_run,omitempty"`
	Diff             SchemaDiff `json:"diff"`
	Warnings         []string   `json:"warnings,omitempty"`
	ConsistencyToken Token      `json:"consistency_token,omitempty"`
}

// Relationship bodies.

// Update is one change of a write: operation touch, create or delete.
type Update struct {
	Operation    string       `json:"operation"`
	Relationship Relationship `json:"relationship"`
}

// Precondition guards a write: operation must_match or must_not_match.
type Precondition struct {
	Operation string `json:"operation"`
	Filter    Filter `json:"filter"`
}

// WriteRequest is the body of POST /relationships/write.
type WriteRequest struct {
	Updates       []Update       `json:"updates"`
	Preconditions []Precondition `json:"preconditions,omitempty"`
}

// WriteResponse answers a write.
type WriteResponse struct {
	ConsistencyToken Token `json:"consistency_token"`
}

// DeleteRequest is the body of POST /relationships/delete. Filter must name
// at least a resource type; Limit ≤ 0 deletes every match.
type DeleteRequest struct {
	Filter Filter `json:"filter"`
	Limit  int    `json:"limit,omitempty"`
}

// DeleteResponse answers a delete by filter.
type DeleteResponse struct {
	Deleted          int   `json:"deleted"`
	ConsistencyToken Token `json:"consistency_token"`
}

// ReadRequest is the body of POST /relationships/read (GET takes the same
// fields as query parameters).
type ReadRequest struct {
	Filter      Filter       `json:"filter"`
	Limit       int          `json:"limit,omitempty"`
	Cursor      string       `json:"cursor,omitempty"`
	Consistency *Consistency `json:"consistency,omitempty"`
}

// ReadResponse is one page of relationships; Cursor is "" after the last.
type ReadResponse struct {
	Relationships    []Relationship `json:"relationships"`
	Cursor           string         `json:"cursor,omitempty"`
	ConsistencyToken Token          `json:"consistency_token"`
}

// ImportResponse answers a successful import.
type ImportResponse struct {
	Imported         int   `json:"imported"`
	ConsistencyToken Token `json:"consistency_token"`
}

// Permission bodies.

// CheckRequest is the body of POST /permissions/check.
type CheckRequest struct {
	Resource    string         `json:"resource"`
	Permission  string         `json:"permission"`
	Subject     string         `json:"subject"`
	Context     map[string]any `json:"context,omitempty"`
	Consistency *Consistency   `json:"consistency,omitempty"`
}

// Result values: has_permission, no_permission, conditional.

// CheckResponse answers a check. Missing lists the caveat parameters that
// would decide a conditional result.
type CheckResponse struct {
	Result           string   `json:"result"`
	Missing          []string `json:"missing,omitempty"`
	ConsistencyToken Token    `json:"consistency_token"`
}

// CheckItem is one check of a bulk check.
type CheckItem struct {
	Resource   string         `json:"resource"`
	Permission string         `json:"permission"`
	Subject    string         `json:"subject"`
	Context    map[string]any `json:"context,omitempty"`
}

// CheckBulkRequest is the body of POST /permissions/check-bulk.
type CheckBulkRequest struct {
	Items       []CheckItem  `json:"items"`
	Consistency *Consistency `json:"consistency,omitempty"`
}

// CheckBulkResult is the answer to one item: a result, or an error.
type CheckBulkResult struct {
	Result  string     `json:"result,omitempty"`
	Missing []string   `json:"missing,omitempty"`
	Error   *ItemError `json:"error,omitempty"`
}

// ItemError is the error of one item of a bulk request.
type ItemError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// CheckBulkResponse answers a bulk check, results in request order.
type CheckBulkResponse struct {
	Results          []CheckBulkResult `json:"results"`
	ConsistencyToken Token             `json:"consistency_token"`
}

// LookupResourcesRequest is the body of POST /permissions/lookup-resources.
type LookupResourcesRequest struct {
	ResourceType string         `json:"resource_type"`
	Permission   string         `json:"permission"`
	Subject      string         `json:"subject"`
	Context      map[string]any `json:"context,omitempty"`
	Limit        int            `json:"limit,omitempty"`
	Cursor       string         `json:"cursor,omitempty"`
	Consistency  *Consistency   `json:"consistency,omitempty"`
}

// LookupResource is one resource found (also one NDJSON line).
type LookupResource struct {
	ResourceID string   `json:"resource_id"`
	Result     string   `json:"result"`
	Missing    []string `json:"missing,omitempty"`
}

// LookupResourcesResponse is one page; Cursor is "" after the last.
type LookupResourcesResponse struct {
	Resources        []LookupResource `json:"resources"`
	Cursor           string           `json:"cursor,omitempty"`
	ConsistencyToken Token            `json:"consistency_token"`
}

// LookupSubjectsRequest is the body of POST /permissions/lookup-subjects.
type LookupSubjectsRequest struct {
	Resource        string         `json:"resource"`
	Permission      string         `json:"permission"`
	SubjectType     string         `json:"subject_type"`
	SubjectRelation string         `json:"subject_relation,omitempty"`
	Context         map[string]any `json:"context,omitempty"`
	Limit           int            `json:"limit,omitempty"`
	Cursor          string         `json:"cursor,omitempty"`
	Consistency     *Consistency   `json:"consistency,omitempty"`
}

// LookupSubject is one subject found (also one NDJSON line). For the
// wildcard, Excluded lists the subjects it does not reach.
type LookupSubject struct {
	Subject  string          `json:"subject"`
	Result   string          `json:"result"`
	Missing  []string        `json:"missing,omitempty"`
	Excluded []LookupSubject `json:"excluded,omitempty"`
}

// LookupSubjectsResponse is one page; Cursor is "" after the last.
type LookupSubjectsResponse struct {
	Subjects         []LookupSubject `json:"subjects"`
	Cursor           string          `json:"cursor,omitempty"`
	ConsistencyToken Token           `json:"consistency_token"`
}

// ExpandRequest is the body of POST /permissions/expand. Depth limits the
// hops followed (0: all).
type ExpandRequest struct {
	Resource    string       `json:"resource"`
	Permission  string       `json:"permission"`
	Depth       int          `json:"depth,omitempty"`
	Consistency *Consistency `json:"consistency,omitempty"`
}

// ExpandNode is one node of an expansion tree. Op is "union",
// "intersection", "exclusion", "arrow", "leaf"…
type ExpandNode struct {
	Object     string          `json:"object"`
	Member     string          `json:"member,omitempty"`
	Op         string          `json:"op"`
	Expression string          `json:"expression,omitempty"`
	Caveat     *Caveat         `json:"caveat,omitempty"`
	Children   []*ExpandNode   `json:"children,omitempty"`
	Subjects   []ExpandSubject `json:"subjects,omitempty"`
}

// ExpandSubject is a subject found at a leaf, with the subtree of a subject
// set when it was followed.
type ExpandSubject struct {
	Subject    string      `json:"subject"`
	Caveat     *Caveat     `json:"caveat,omitempty"`
	Expiration *time.Time  `json:"expiration,omitempty"`
	Expanded   *ExpandNode `json:"expanded,omitempty"`
	Cycle      bool        `json:"cycle,omitempty"`
}

// ExpandResponse answers an expand.
type ExpandResponse struct {
	Tree             *ExpandNode `json:"tree"`
	ConsistencyToken Token       `json:"consistency_token"`
}

// ExplainRequest is the body of POST /permissions/explain. OnlyGranting
// trims the text rendering to the paths that grant.
type ExplainRequest struct {
	CheckRequest
	OnlyGranting bool `json:"only_granting,omitempty"`
}

// ExplainStep is one step of an explanation; see engine.Step for kinds.
type ExplainStep struct {
	Kind         string         `json:"kind"`
	Object       string         `json:"object,omitempty"`
	Member       string         `json:"member,omitempty"`
	Expression   string         `json:"expression,omitempty"`
	Relationship string         `json:"relationship,omitempty"`
	Result       string         `json:"result"`
	Missing      []string       `json:"missing,omitempty"`
	Steps        []*ExplainStep `json:"steps,omitempty"`
}

// ExplainResponse answers an explain: the tree and its text rendering.
type ExplainResponse struct {
	Result           string       `json:"result"`
	Missing          []string     `json:"missing,omitempty"`
	Tree             *ExplainStep `json:"tree"`
	Text             string       `json:"text"`
	ConsistencyToken Token        `json:"consistency_token"`
}

// WatchEvent is one NDJSON line of GET /watch.
type WatchEvent struct {
	Revision         uint64        `json:"revision"`
	ConsistencyToken Token         `json:"consistency_token"`
	Operation        string        `json:"operation"` // touch, delete, schema
	Relationship     *Relationship `json:"relationship,omitempty"`
	Time             time.Time     `json:"time"`
}

// Problem is an RFC 9457 problem document. Code is stable; Detail says
// what is wrong. Errors lists positioned schema errors or per-item
// problems; Uses lists stored relationships a schema change would orphan.
type Problem struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail,omitempty"`
	Code     string         `json:"code"`
	Errors   []ProblemError `json:"errors,omitempty"`
	Uses     []SchemaUse    `json:"uses,omitempty"`
	Imported *int           `json:"imported,omitempty"`
	Token    Token          `json:"consistency_token,omitempty"`
}

// ProblemError is one positioned error (line and column 1-based; 0 when
// unknown).
type ProblemError struct {
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Index   *int   `json:"index,omitempty"`
	Message string `json:"message"`
}

// SchemaUse is one shape of stored relationships that a new schema would
// no longer allow.
type SchemaUse struct {
	Shape   string `json:"shape"` // e.g. "document#viewer@user:*"
	Count   int64  `json:"count"`
	Problem string `json:"problem"`
}

func (p *Problem) Error() string {
	if p.Detail != "" {
		return p.Code + ": " + p.Detail
	}
	return p.Code + ": " + p.Title
}

// storeRev converts an index revision, which is the store's.
func storeRev(r uint64) store.Revision { return store.Revision(r) }
