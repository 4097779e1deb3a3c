// Package store is the contract of octroi's durable storage: relationships,
// the revision sequence, the changelog, schema versions, and the domain's
// documents and audit log (Documents, in documents.go). Two backends
// implement it, store/sqlite (embedded default) and store/postgres, and one
// conformance suite, store/storetest, holds both to the same behaviour.
//
// Permission checks never read the database: an in-memory index loads the
// store once (LoadAll) and then follows the changelog (Changes, woken by
// Subscribe). The store therefore promises durable, totally ordered,
// consistent writes, a fast full load, and a complete changelog.
//
// # Revisions
//
// Every committed write transaction — Write, DeleteByFilter, WriteSchema, each
// Import batch, and a GC that removes expired relationships — gets the next
// Revision: strictly increasing and gap-free per database, also with several
// processes writing to one PostgreSQL. A transaction that fails commits
// nothing and consumes no revision. Writers are serialised, and they commit in
// revision order, so a reader that sees revision R sees every revision ≤ R.
// A backend may commit concurrent writes together, in one database
// transaction (group commit): each keeps its own revision and its own
// outcome, and returns only once that transaction has committed, so an
// acknowledged write is durable.
// Relationship and schema writes share the one sequence.
//
// # Identity and attributes
//
// A relationship's identity is resource type+id, relation, and subject
// type+id+relation. The caveat (name and context) and the expiration are
// attributes: Touch replaces them, Create refuses an identity that exists.
//
// Limits (checked by Validate, ErrInvalid otherwise): every string is valid
// UTF-8 without NUL bytes; ids are 1 to MaxIDBytes bytes (1024 ASCII
// characters); type, relation and caveat names are 1 to MaxNameBytes bytes
// (the subject relation may be empty). The limits keep the identity inside one
// PostgreSQL B-tree index entry.
//
// Identity order — used by ReadRelationships pagination — is byte order of the
// UTF-8 strings, field by field, which is Unicode code point order; both
// backends sort that way whatever the database's locale.
//
// # Expiration
//
// Expirations are stored with microsecond precision (PostgreSQL's) and read
// back in UTC: the store truncates sub-microsecond digits on write, so a
// Relationship read back equals the one written after
// Expiration.UTC().Truncate(time.Microsecond). A relationship whose
// expiration is not after "now" (the store's clock) is expired: it is
// invisible to ReadRelationships, LoadAll, UsedTypes, preconditions and
// Create's existence check, while Touch, Delete and DeleteByFilter still
// act on the stored row. GC physically deletes relationships that expired
// long ago, as an ordinary write with its own revision and delete changes.
//
// # Caveat context
//
// Context is stored as JSON and read back with encoding/json into
// map[string]any, so numbers come back as float64. A nil Context reads back
// nil and an empty, non-nil one reads back empty.
//
// # Changelog
//
// Every change a write makes is appended to the changelog in the same
// transaction: a touch (with the relationship as written) for Create and
// Touch, a delete (with the relationship as it was stored) for an actual
// deletion — deleting a missing relationship records nothing —, and a
// ChangeSchema entry for a schema write. Changes are returned in commit order
// and never split a revision across pages. GC trims entries older than a
// retention; asking for changes from before the retained window returns
// ErrRevisionTooOld, telling a follower to LoadAll again.
//
// # Errors
//
// Errors from the drivers are converted at the backend's boundary: callers
// test the sentinel errors below with errors.Is, and errors.As gives the typed
// details (*AlreadyExistsError, *PreconditionFailedError, *VersionError).
// Transient conflicts (PostgreSQL serialisation failures and deadlocks,
// SQLite BUSY) are retried a bounded number of times inside the backend.
package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/octroi/octroi/internal/tuple"
)

// Revision numbers committed write transactions: 1, 2, 3, … per database.
// Zero is the revision of an empty database.
type Revision uint64

// Limits on stored strings, in bytes; see the package documentation.
const (
	MaxIDBytes   = 1024
	MaxNameBytes = 128
)

// Sentinel errors; test with errors.Is.
var (
	// ErrAlreadyExists: a Create met a live relationship with its identity,
	// or a PutDoc an Alt taken by another document of its kind. The error
	// is an *AlreadyExistsError.
	ErrAlreadyExists = errors.New("relationship already exists")
	// ErrPreconditionFailed: a precondition of a Write did not hold. The
	// error is a *PreconditionFailedError.
	ErrPreconditionFailed = errors.New("precondition failed")
	// ErrInvalid: the request is malformed (bad strings, duplicate updates
	// of one relationship in a Write, …).
	ErrInvalid = errors.New("invalid request")
	// ErrRevisionTooOld: the changelog no longer holds the changes after
	// the asked revision; the follower must reload with LoadAll.
	ErrRevisionTooOld = errors.New("revision is older than the retained changelog")
	// ErrFutureRevision: the asked revision is after the database's head,
	// which means the follower followed another database (or a restored
	// backup lost revisions); it must reload with LoadAll.
	ErrFutureRevision = errors.New("revision is ahead of the database")
	// ErrNoSchema: no schema has ever been written.
	ErrNoSchema = errors.New("no schema written")
	// ErrMigrationNeeded: the database's schema is behind this binary. The
	// error is a *VersionError whose message says what to run.
	ErrMigrationNeeded = errors.New("database migration needed")
	// ErrDatabaseTooNew: the database was migrated by a newer octroi than
	// this binary. The error is a *VersionError.
	ErrDatabaseTooNew = errors.New("database is newer than this binary")
	// ErrBusy: the database stayed locked by other writers for longer than
	// the backend's bounded retries.
	ErrBusy = errors.New("database busy")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
)

// AlreadyExistsError names the relationship a Create found or, for
// DocTx.PutDoc, the document that already holds the alternate key.
type AlreadyExistsError struct {
	Relationship tuple.Relationship
	// Doc is set (Kind, ID and Alt only) when a document's Alt is taken.
	Doc *Doc
}

func (e *AlreadyExistsError) Error() string {
	if e.Doc != nil {
		return fmt.Sprintf("%s %q already has the alternate key %q", e.Doc.Kind, e.Doc.ID, e.Doc.Alt)
	}
	return fmt.Sprintf("relationship %s already exists", FormatIdentity(e.Relationship))
}

// Is makes errors.Is(err, ErrAlreadyExists) true.
func (e *AlreadyExistsError) Is(target error) bool { return target == ErrAlreadyExists }

// PreconditionFailedError names the precondition that did not hold.
type PreconditionFailedError struct {
	Precondition Precondition
}

func (e *PreconditionFailedError) Error() string {
	return fmt.Sprintf("precondition failed: %s %s", e.Precondition.Op, e.Precondition.Filter)
}

// Is makes errors.Is(err, ErrPreconditionFailed) true.
func (e *PreconditionFailedError) Is(target error) bool { return target == ErrPreconditionFailed }

// VersionError reports a database schema version that this binary cannot
// use. Its message tells the operator what to do.
type VersionError struct {
	Database int // version recorded in the database (0: never migrated)
	Binary   int // latest version this binary knows
}

func (e *VersionError) Error() string {
	if e.Database > e.Binary {
		return fmt.Sprintf("database schema version %d is newer than this octroi binary knows (%d): upgrade octroi", e.Database, e.Binary)
	}
	return fmt.Sprintf("database schema version %d is behind this octroi binary (%d): run \"octroi migrate\" first", e.Database, e.Binary)
}

// Is makes errors.Is match ErrMigrationNeeded or ErrDatabaseTooNew.
func (e *VersionError) Is(target error) bool {
	if e.Database > e.Binary {
		return target == ErrDatabaseTooNew
	}
	return target == ErrMigrationNeeded
}

// Op is what an Update does.
type Op int

const (
	// Touch creates the relationship or replaces its caveat and expiration.
	Touch Op = iota + 1
	// Create creates the relationship; ErrAlreadyExists if it exists.
	Create
	// Delete deletes the relationship; deleting a missing one is a no-op.
	Delete
)

func (o Op) String() string {
	switch o {
	case Touch:
		return "touch"
	case Create:
		return "create"
	case Delete:
		return "delete"
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Update is one change requested by a Write. For Delete only the identity
// of Relationship matters.
type Update struct {
	Op           Op
	Relationship tuple.Relationship
}

// PreconditionOp says whether a precondition's filter must match.
type PreconditionOp int

const (
	// MustMatch: at least one live relationship matches the filter.
	MustMatch PreconditionOp = iota + 1
	// MustNotMatch: no live relationship matches the filter.
	MustNotMatch
)

func (o PreconditionOp) String() string {
	switch o {
	case MustMatch:
		return "must match"
	case MustNotMatch:
		return "must not match"
	}
	return fmt.Sprintf("PreconditionOp(%d)", int(o))
}

// Precondition is checked, inside the write transaction, before any update.
type Precondition struct {
	Op     PreconditionOp
	Filter Filter
}

// WriteRequest is an all-or-nothing batch of updates guarded by
// preconditions. One relationship identity may appear at most once.
type WriteRequest struct {
	Updates       []Update
	Preconditions []Precondition
}

// Filter selects relationships. An empty string field matches anything;
// SubjectRelation is a pointer because "" (no subject relation) is a value
// one can ask for: nil matches any subject relation. The zero Filter
// matches every relationship.
type Filter struct {
	ResourceType    string
	ResourceID      string
	Relation        string
	SubjectType     string
	SubjectID       string
	SubjectRelation *string
}

// String formats the filter in the relationship syntax, "*" for a field
// that matches anything, e.g. document:*#viewer@user:tom#*.
func (f Filter) String() string {
	or := func(s string) string {
		if s == "" {
			return "*"
		}
		return s
	}
	var b strings.Builder
	b.WriteString(or(f.ResourceType) + ":" + or(f.ResourceID) + "#" + or(f.Relation))
	b.WriteString("@" + or(f.SubjectType) + ":" + or(f.SubjectID))
	switch {
	case f.SubjectRelation == nil:
		b.WriteString("#*")
	case *f.SubjectRelation != "":
		b.WriteString("#" + *f.SubjectRelation)
	}
	return b.String()
}

// Matches reports whether r is selected by f (ignoring expiration).
func (f Filter) Matches(r tuple.Relationship) bool {
	return (f.ResourceType == "" || f.ResourceType == r.Resource.Type) &&
		(f.ResourceID == "" || f.ResourceID == r.Resource.ID) &&
		(f.Relation == "" || f.Relation == r.Relation) &&
		(f.SubjectType == "" || f.SubjectType == r.Subject.Type) &&
		(f.SubjectID == "" || f.SubjectID == r.Subject.ID) &&
		(f.SubjectRelation == nil || *f.SubjectRelation == r.Subject.Relation)
}

// Cursor is an opaque position in a ReadRelationships listing, safe to hand
// to API clients. The empty Cursor is the beginning.
type Cursor string

// ChangeOp is the kind of a changelog entry.
type ChangeOp int

const (
	// ChangeTouch: Relationship was created or replaced (as given).
	ChangeTouch ChangeOp = iota + 1
	// ChangeDelete: Relationship (as it was stored) was deleted.
	ChangeDelete
	// ChangeSchema: a new schema version was written at this revision;
	// Relationship is the zero value. Read it with ReadSchema.
	ChangeSchema
)

func (o ChangeOp) String() string {
	switch o {
	case ChangeTouch:
		return "touch"
	case ChangeDelete:
		return "delete"
	case ChangeSchema:
		return "schema"
	}
	return fmt.Sprintf("ChangeOp(%d)", int(o))
}

// Change is one changelog entry.
type Change struct {
	Revision     Revision
	Op           ChangeOp
	Relationship tuple.Relationship
	Time         time.Time // commit time by the writer's clock, UTC, µs precision
}

// TypeUse counts live relationships of one shape, so that the server can
// refuse a schema change that would orphan stored data. Wildcard is true for
// subject id "*"; Caveat is the caveat name ("" when uncaveated); Expiring is
// true for relationships with an expiration.
type TypeUse struct {
	ResourceType    string
	Relation        string
	SubjectType     string
	SubjectRelation string
	Wildcard        bool
	Caveat          string
	Expiring        bool
	Count           int64
}

// GCResult says what a GC did.
type GCResult struct {
	// TrimmedThrough: changelog entries of revisions ≤ this are gone;
	// Changes(after < TrimmedThrough) returns ErrRevisionTooOld.
	TrimmedThrough Revision
	// ChangesDeleted counts changelog entries removed by this call.
	ChangesDeleted int64
	// ExpiredDeleted counts relationships removed because they had
	// expired before the retention; Revision is the write that removed
	// them (0 when none were).
	ExpiredDeleted int64
	Revision       Revision
}

// Writer changes relationships.
type Writer interface {
	// Write applies req atomically and returns its revision. It returns an
	// *AlreadyExistsError, a *PreconditionFailedError or ErrInvalid and
	// then has written nothing, not even a revision.
	Write(ctx context.Context, req WriteRequest) (Revision, error)
	// DeleteByFilter deletes up to limit relationships matching f (live or
	// expired; limit ≤ 0 means no limit), in identity order, in one write.
	DeleteByFilter(ctx context.Context, f Filter, limit int) (rev Revision, deleted int, err error)
}

// Reader lists relationships.
type Reader interface {
	// ReadRelationships returns up to limit live relationships matching f
	// that come after the cursor in identity order, and the cursor to pass
	// for the next page, or "" when there is none.
	ReadRelationships(ctx context.Context, f Filter, after Cursor, limit int) ([]tuple.Relationship, Cursor, error)
}

// Loader reads everything, for start-up.
type Loader interface {
	// LoadAll calls fn for every live relationship of one consistent
	// snapshot, in no particular order, and returns the snapshot's
	// revision. An error from fn stops the load and is returned.
	LoadAll(ctx context.Context, fn func(tuple.Relationship) error) (Revision, error)
}

// Changelog lets followers catch up.
type Changelog interface {
	// HeadRevision is the latest committed revision.
	HeadRevision(ctx context.Context) (Revision, error)
	// Changes returns the changes of revisions after `after`, oldest first:
	// whole revisions, at least one, until at least limit changes (so a
	// revision larger than limit comes whole). through is the revision the
	// caller has caught up with after applying them (it may be past the
	// last change when later revisions changed nothing); call again with
	// after = through. ErrRevisionTooOld if the changelog no longer goes
	// back that far, ErrFutureRevision if after > head.
	Changes(ctx context.Context, after Revision, limit int) (changes []Change, through Revision, err error)
	// Subscribe returns a channel that receives a revision soon after
	// writes commit (coalesced: only the latest when the reader lags) and
	// is closed when ctx ends. It is a wake-up signal, not a delivery
	// guarantee: followers must also poll. Writes from other processes wake
	// subscribers only on PostgreSQL.
	Subscribe(ctx context.Context) (<-chan Revision, error)
}

// SchemaStore keeps the schema text, one version per write.
type SchemaStore interface {
	// WriteSchema stores text as the new current schema version.
	WriteSchema(ctx context.Context, text string) (Revision, error)
	// ReadSchema returns the current schema and the revision that wrote
	// it, or ErrNoSchema.
	ReadSchema(ctx context.Context) (text string, rev Revision, err error)
}

// Importer loads many relationships quickly.
type Importer interface {
	// Import touches every relationship of rels (upsert: re-running an
	// import is harmless; the last of duplicates wins), committing one
	// transaction — hence one revision — per batch of batchSize
	// relationships (≤ 0: a backend default). The changelog records a touch
	// per relationship. On error the batches already committed stay: rev
	// and n are those of the last committed batch, and the error says where
	// it stopped. An error yielded by rels stops the import.
	Import(ctx context.Context, rels iter.Seq2[tuple.Relationship, error], batchSize int) (rev Revision, n int, err error)
}

// Inspector describes what is stored.
type Inspector interface {
	// UsedTypes counts live relationships grouped by shape.
	UsedTypes(ctx context.Context) ([]TypeUse, error)
}

// Maintainer keeps the database small.
type Maintainer interface {
	// GC deletes changelog entries committed more than olderThan ago and
	// relationships that expired more than olderThan ago.
	GC(ctx context.Context, olderThan time.Duration) (GCResult, error)
}

// Migrator manages the database's own schema.
type Migrator interface {
	// Migrate applies the migrations the database lacks, each in its own
	// transaction; it is safe to run concurrently and repeatedly. It
	// refuses (ErrDatabaseTooNew) a database newer than the binary.
	Migrate(ctx context.Context) error
	// CheckVersion returns nil when the database is exactly at this
	// binary's version, else a *VersionError.
	CheckVersion(ctx context.Context) error
}

// Store is everything a backend provides. Every backend keeps documents
// too, so that callers never have to ask whether a store does.
type Store interface {
	Writer
	Reader
	Loader
	Changelog
	SchemaStore
	Importer
	Inspector
	Maintainer
	Migrator
	Documents
	// Close releases the database; it does not wait for subscribers.
	Close() error
}

// Validate checks one relationship against the store's limits.
func Validate(r tuple.Relationship) error {
	check := func(what, s string, max int, emptyOK bool) error {
		switch {
		case s == "" && !emptyOK:
			return fmt.Errorf("%w: %s is empty", ErrInvalid, what)
		case len(s) > max:
			return fmt.Errorf("%w: %s is %d bytes long, the limit is %d", ErrInvalid, what, len(s), max)
		case !utf8.ValidString(s):
			return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, what)
		case strings.IndexByte(s, 0) >= 0:
			return fmt.Errorf("%w: %s contains a NUL byte", ErrInvalid, what)
		}
		return nil
	}
	errs := []error{
		check("resource type", r.Resource.Type, MaxNameBytes, false),
		check("resource id", r.Resource.ID, MaxIDBytes, false),
		check("relation", r.Relation, MaxNameBytes, false),
		check("subject type", r.Subject.Type, MaxNameBytes, false),
		check("subject id", r.Subject.ID, MaxIDBytes, false),
		check("subject relation", r.Subject.Relation, MaxNameBytes, true),
	}
	if r.Caveat != nil {
		errs = append(errs, check("caveat name", r.Caveat.Name, MaxNameBytes, false))
	}
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("relationship %s: %w", FormatIdentity(r), err)
		}
	}
	return nil
}

// FormatIdentity formats the identity of r, without caveat or expiration,
// for messages.
func FormatIdentity(r tuple.Relationship) string {
	return r.Resource.String() + "#" + r.Relation + "@" + r.Subject.String()
}

// ValidateFilter checks the strings of a filter against the same limits.
func ValidateFilter(f Filter) error {
	fields := []struct {
		what string
		s    string
		max  int
	}{
		{"resource type", f.ResourceType, MaxNameBytes},
		{"resource id", f.ResourceID, MaxIDBytes},
		{"relation", f.Relation, MaxNameBytes},
		{"subject type", f.SubjectType, MaxNameBytes},
		{"subject id", f.SubjectID, MaxIDBytes},
	}
	if f.SubjectRelation != nil {
		fields = append(fields, struct {
			what string
			s    string
			max  int
		}{"subject relation", *f.SubjectRelation, MaxNameBytes})
	}
	for _, fl := range fields {
		switch {
		case len(fl.s) > fl.max:
			return fmt.Errorf("%w: filter %s: %s is %d bytes long, the limit is %d", ErrInvalid, f, fl.what, len(fl.s), fl.max)
		case !utf8.ValidString(fl.s) || strings.IndexByte(fl.s, 0) >= 0:
			return fmt.Errorf("%w: filter %s: %s is not valid UTF-8 without NUL", ErrInvalid, f, fl.what)
		}
	}
	return nil
}
