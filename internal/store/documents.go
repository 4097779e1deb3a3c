package store

import (
	"context"
	"errors"
	"time"

	"github.com/octroi/octroi/internal/tuple"
)

// Documents keep the domain's own records (accounts, organisations,
// datasets, requests…) beside the relationships, so that a domain action
// writes its records, its relationships and its audit entry in ONE
// transaction under one revision: all or nothing.
//
// A document is an opaque JSON value under (Kind, ID), with an optional
// alternate key Alt unique within its kind (an account's e-mail, a token's
// hash) and an optional secondary key Parent, not unique (the organisation a
// join request is for), for listing. The store does not interpret Data.
type Documents interface {
	// Transact runs fn inside one write transaction and commits it as the
	// next revision (also when fn changed no relationship). When fn returns
	// an error, nothing is written and no revision is consumed; that error
	// is returned as is. Transactions are serialised with every other write
	// (of this process and, on PostgreSQL, of every process), so what fn
	// reads through tx cannot change before it commits: invariants checked
	// inside fn hold at commit.
	//
	// fn must have no effect outside tx: after a transient conflict the
	// backend may run it again in a new transaction (never after fn itself
	// returned an error). The changes of tx.Write go to the changelog like
	// those of Write; document and audit writes do not (followers follow
	// relationships only).
	Transact(ctx context.Context, fn func(tx DocTx) error) (Revision, error)

	// GetDoc returns the document (kind, id), or ErrNotFound.
	GetDoc(ctx context.Context, kind, id string) (Doc, error)
	// DocByAlt returns the document of kind whose Alt is alt, or ErrNotFound.
	DocByAlt(ctx context.Context, kind, alt string) (Doc, error)
	// ListDocs returns up to limit documents of kind (of parent, unless
	// parent is "") whose ID sorts after `after`, in ID order (byte order).
	// limit ≤ 0 means no limit.
	ListDocs(ctx context.Context, kind, parent, after string, limit int) ([]Doc, error)
	// Audit returns the audit entries matching q, oldest first (Seq order,
	// which is commit order), or newest first with q.Newest.
	Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
	// DocFollower: documents can be followed like the changelog (every
	// backend keeps the revision of each document's last write).
	DocFollower
}

// DocTx is the inside of a Transact call. It is valid only during fn.
type DocTx interface {
	// GetDoc, DocByAlt and ListDocs read within the transaction.
	GetDoc(ctx context.Context, kind, id string) (Doc, error)
	DocByAlt(ctx context.Context, kind, alt string) (Doc, error)
	ListDocs(ctx context.Context, kind, parent, after string, limit int) ([]Doc, error)
	// PutDoc inserts or replaces a document. A second document of the same
	// kind with the same non-empty Alt is an *AlreadyExistsError.
	// Revision and Updated are set by the store. Kind and ID are 1 to
	// MaxNameBytes and MaxIDBytes bytes of UTF-8 without NUL, Alt and
	// Parent at most MaxIDBytes, Data valid JSON: ErrInvalid otherwise. A
	// failed PutDoc has written nothing.
	PutDoc(ctx context.Context, d Doc) error
	// DeleteDoc deletes a document; deleting a missing one is a no-op.
	DeleteDoc(ctx context.Context, kind, id string) error
	// ReadRelationships reads live relationships within the transaction
	// (up to limit; limit ≤ 0 means all).
	ReadRelationships(ctx context.Context, f Filter, limit int) ([]tuple.Relationship, error)
	// Write applies relationship updates and preconditions as Writer.Write
	// does, within the transaction and its revision; its changes go to the
	// changelog like any other write. A Write that fails has written
	// nothing (none of its updates), so fn may handle its error and go on.
	Write(ctx context.Context, req WriteRequest) error
	// AppendAudit appends an entry; At and Revision are set by the store
	// when zero, Seq always. Before and After must be nil or valid JSON.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// Revision is the revision this transaction will commit as.
	Revision() Revision
}

// Doc is a domain record.
type Doc struct {
	Kind     string
	ID       string
	Alt      string // unique within Kind when not empty
	Parent   string // for listing by parent; not unique
	Data     []byte // JSON
	Revision Revision
	Updated  time.Time
}

// AuditEntry is one change made through the domain: who, when, what,
// before → after, which request. The audit log is append-only.
type AuditEntry struct {
	Seq       int64 // set by the store: strictly increasing
	At        time.Time
	Revision  Revision
	Actor     string // an account id, or "system"
	Action    string // e.g. "organisation.member.add"
	Resource  string // e.g. "organisation:ign"
	Before    []byte // JSON, or nil
	After     []byte // JSON, or nil
	RequestID string
}

// AuditQuery selects audit entries; zero fields do not filter.
type AuditQuery struct {
	Resource string // exact resource, e.g. "dataset:IGNF_BD-TOPO"
	// Resources, when not nil, keeps the entries of any of these exact
	// resources (none when empty): what one person may read of the log.
	Resources []string
	Actor     string
	Since     time.Time // At >= Since
	Until     time.Time // At < Until
	AfterSeq  int64     // Seq > AfterSeq, for paging
	Limit     int       // ≤ 0: DefaultAuditLimit
	// Action keeps the entries of this action or of its family: "community"
	// keeps community.create and community.member.set, not communityx.y.
	Action string
	// ResourceType keeps the entries of resources of this type
	// ("dataset" keeps dataset:*).
	ResourceType string
	// BeforeSeq: Seq < BeforeSeq, for paging newest first.
	BeforeSeq int64
	// Newest returns the entries newest first (descending Seq).
	Newest bool
}

// DefaultAuditLimit is the page size of Audit when AuditQuery.Limit ≤ 0.
const DefaultAuditLimit = 1000

// ErrNotFound is returned for a missing document.
var ErrNotFound = errors.New("not found")
