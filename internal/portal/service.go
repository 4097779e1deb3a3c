package portal

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/octroi/octroi/internal/bearer"
	"github.com/octroi/octroi/internal/credentials"
	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/reqid"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Config is what a Service needs. Docs, Store and Engine are required.
type Config struct {
	// Docs holds records, relationship writes and the audit log, committed
	// together by Transact.
	Docs store.Documents
	// Store reads relationships from the database where the engine's index
	// cannot answer (see indexRels): the service's reads of memberships and
	// levels come from the index, in memory.
	Store store.Reader
	// Engine returns the current engine, whose index follows the store; it
	// is called for every question, since the server may swap engines.
	Engine func() *engine.Engine
	// Sync waits until Engine's index has applied rev, so that a caller's
	// next request sees its own change. Nil: no waiting.
	Sync func(ctx context.Context, rev store.Revision) error
	// Now is the clock for records and audit entries; nil: time.Now.
	Now func() time.Time
	// Platform is the platform object id; default "main".
	Platform string
	// Credentials holds the personal tokens (KindToken) in memory, so
	// that Authenticate does not read them from the database. It must
	// follow the store on its own (credentials.Cache.Follow) to see other
	// nodes' changes; the Service refreshes it after its own.
	Credentials Credentials
	// IdentityProvider is the issuer URL of the platform's OpenID Connect
	// provider, whose bearer tokens OAUTH2 access keys accept; "" (none
	// configured): OAUTH2 keys are refused.
	IdentityProvider string
	// SelfRegistration lets anyone create an account for their own e-mail
	// address (Register); off by default.
	SelfRegistration bool
}

// Credentials is what the Service needs of a credentials.Cache.
type Credentials interface {
	Lookup(kind, secret string, now time.Time) (credentials.Entry, error)
	Refresh(ctx context.Context) error
}

// Service is the data platform's domain service. It is safe for
// concurrent use.
type Service struct {
	docs     store.Documents
	rels     store.Reader
	engine   func() *engine.Engine
	sync     func(ctx context.Context, rev store.Revision) error
	now      func() time.Time
	platform string
	creds    Credentials
	// identityProvider: Config.IdentityProvider.
	identityProvider string
	// selfRegistration: see Config.SelfRegistration.
	selfRegistration bool
	// mem holds the records lists and tables show, in memory (see
	// records).
	mem *records
	// lastID keeps generated ids strictly increasing within the process,
	// so that lists in id order are in creation order even when the clock
	// stands still.
	lastID atomic.Int64
	// accessesDeleted is told of the access objects a change of services
	// or grants deletes (see deleteAccesses, mapservices.go).
	accessesDeleted func(t *txn, ids []string) error
}

// New returns a Service, or an error naming the missing configuration.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Docs == nil:
		return nil, errors.New("portal: Config.Docs is required")
	case cfg.Store == nil:
		return nil, errors.New("portal: Config.Store is required")
	case cfg.Engine == nil:
		return nil, errors.New("portal: Config.Engine is required")
	case cfg.Credentials == nil:
		return nil, errors.New("portal: Config.Credentials is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Platform == "" {
		cfg.Platform = "main"
	}
	if !tuple.ValidObjectID(cfg.Platform) {
		return nil, fmt.Errorf("portal: Config.Platform %q is not a valid object id", cfg.Platform)
	}
	s := &Service{docs: cfg.Docs, rels: cfg.Store, engine: cfg.Engine, sync: cfg.Sync, now: cfg.Now, platform: cfg.Platform, creds: cfg.Credentials,
		identityProvider: cfg.IdentityProvider, selfRegistration: cfg.SelfRegistration}
	s.accessesDeleted = forgetAccesses // keys.go
	s.mem = newRecords(cfg.Docs, func() store.Revision { return store.Revision(s.engine().Index().Revision()) })
	return s, nil
}

// KindToken is the document kind of personal tokens: credentials (see
// package credentials) owned by their account.
const KindToken = "token"

// Document kinds.
const (
	kindAccount     = "account"
	kindToken       = KindToken
	kindOrg         = "organisation"
	kindCommunity   = "community"
	kindOrgGroup    = "org_group"
	kindDataset     = "dataset"
	kindJoinRequest = "join_request"
	// kindJoinByAccount indexes join requests by requester (Parent), since
	// join_request documents are listed by organisation.
	kindJoinByAccount = "join_request_by_account"
	kindNotice        = "notice"
	// kindInvitation: a pending invitation to a community (invitations.go).
	kindInvitation = "community_invitation"
)

// systemActor is the audit actor of actions nobody performs through the
// API (bootstrap).
const systemActor = "system"

// anonymous is the subject id that anonymous visitors are checked as.
const anonymous = "anonymous"

func (s *Service) platformRef() tuple.ObjectRef {
	return tuple.ObjectRef{Type: "platform", ID: s.platform}
}

func user(id string) tuple.SubjectRef { return tuple.SubjectRef{Type: "user", ID: id} }

func obj(typ, id string) tuple.ObjectRef { return tuple.ObjectRef{Type: typ, ID: id} }

func rel(res tuple.ObjectRef, relation string, sub tuple.SubjectRef) tuple.Relationship {
	return tuple.Relationship{Resource: res, Relation: relation, Subject: sub}
}

// platformLink is the relationship that ties an object to the platform, so
// that platform roles and disabled accounts reach it.
func (s *Service) platformLink(o tuple.ObjectRef) tuple.Relationship {
	return rel(o, "platform", tuple.SubjectRef{Type: "platform", ID: s.platform})
}

// newID returns a fresh id that sorts after every id this process made
// before (time first, then randomness for uniqueness across processes).
func (s *Service) newID() string {
	t := s.now().UnixMicro()
	for {
		last := s.lastID.Load()
		if t <= last {
			t = last + 1
		}
		if s.lastID.CompareAndSwap(last, t) {
			break
		}
	}
	return fmt.Sprintf("%014x", t) + bearer.NewID()
}

// right is a permission on an object.
type right struct {
	res  tuple.ObjectRef
	perm string
}

func (r right) String() string { return r.perm + " on " + r.res.String() }

// guard says who may perform an action: any active account (active), the
// account self when active, or whoever holds one of rights. When the actor
// is refused and also lacks hide, the object is reported missing rather
// than forbidden, so that nobody learns of what they may not see; a refusal
// on a record that does not exist (kind, id in exists) is ErrNotFound too.
type guard struct {
	// public: an empty actor is an anonymous visitor, checked as
	// user:anonymous (the catalogue is open to them).
	public bool
	active bool
	self   string
	rights []right
	hide   *right
	exists *docRef
}

type docRef struct{ kind, id string }

// authorize answers through the engine whether actor passes g, on one
// snapshot. Disabled accounts pass nothing: the schema takes their rights
// away, and active/self are refused explicitly.
func (s *Service) authorize(ctx context.Context, actor string, g guard) error {
	switch {
	case (actor == "" || actor == anonymous) && g.public:
		actor = anonymous
	case actor == "" || actor == anonymous:
		return fmt.Errorf("%w: no acting account", ErrUnauthenticated)
	}
	reqs := make([]engine.CheckRequest, 0, len(g.rights)+2)
	for _, r := range g.rights {
		reqs = append(reqs, engine.CheckRequest{Resource: r.res, Permission: r.perm, Subject: user(actor)})
	}
	needActive := g.active || (g.self != "" && g.self == actor)
	if needActive {
		reqs = append(reqs, engine.CheckRequest{Resource: s.platformRef(), Permission: "disabled", Subject: user(actor)})
	}
	if g.hide != nil {
		reqs = append(reqs, engine.CheckRequest{Resource: g.hide.res, Permission: g.hide.perm, Subject: user(actor)})
	}
	res, errs, _, err := s.engine().CheckBulk(ctx, reqs, engine.At{})
	if err != nil {
		return fmt.Errorf("authorizing %s: %w", actor, err)
	}
	for i, e := range errs {
		if e != nil {
			return fmt.Errorf("authorizing %s: %w", actor, e)
		}
		if i < len(g.rights) && res[i].Result == engine.HasPermission {
			return nil
		}
	}
	if needActive && res[len(g.rights)].Result == engine.NoPermission {
		switch ok, err := s.accountExists(ctx, actor); {
		case err != nil:
			return err
		case ok:
			return nil
		}
		return fmt.Errorf("%w: no account %q", ErrUnauthenticated, actor)
	}
	if g.hide != nil && res[len(res)-1].Result != engine.HasPermission {
		return noSuch(g.hide.res.Type, g.hide.res.ID)
	}
	if g.exists != nil {
		switch ok, err := s.read().exists(ctx, g.exists.kind, g.exists.id); {
		case err != nil:
			return err
		case !ok:
			return noSuch(g.exists.kind, g.exists.id)
		}
	}
	switch {
	case needActive: // and the account is disabled (checked above)
		return errDisabled
	case len(g.rights) > 0:
		return lacks(g.rights[0])
	}
	return refuse(ErrForbidden, "portal.lacks_any")
}

func (s *Service) accountExists(ctx context.Context, id string) (bool, error) {
	_, err := s.docs.GetDoc(ctx, kindAccount, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// has reports whether actor holds perm on res (a relation name works too).
func (s *Service) has(ctx context.Context, actor string, res tuple.ObjectRef, perm string) (bool, error) {
	r, _, err := s.engine().Check(ctx, engine.CheckRequest{Resource: res, Permission: perm, Subject: user(actor)}, engine.At{})
	if err != nil {
		return false, fmt.Errorf("checking %s on %s: %w", perm, res, err)
	}
	return r.Result == engine.HasPermission, nil
}

// do is the shape of every change: authorize the actor, run fn in one
// transaction that commits its records, relationship writes and audit
// entries as one revision, then wait until the engine has applied that
// revision, so the caller's next request sees the change.
func (s *Service) do(ctx context.Context, actor string, g guard, fn func(t *txn) error) error {
	if b := s.inBatch(ctx); b != nil {
		return b.run(actor, fn) // authorized once for the batch: see Batch
	}
	if err := s.authorize(ctx, actor, g); err != nil {
		return err
	}
	return s.transact(ctx, actor, fn)
}

// errRollback ends a transaction that must write nothing (a dry run).
var errRollback = errors.New("rollback")

// transact runs fn in a transaction as actor (without authorizing) and
// syncs. A fn that calls t.rollback, or writes nothing, has its transaction
// abandoned (no revision is consumed) and transact returns nil.
func (s *Service) transact(ctx context.Context, actor string, fn func(t *txn) error) error {
	if b := s.inBatch(ctx); b != nil {
		return b.run(actor, fn)
	}
	credsChanged := false
	rev, err := s.docs.Transact(ctx, func(tx store.DocTx) error {
		t := &txn{view: view{s: s, docs: tx, rels: func(ctx context.Context, f store.Filter) ([]tuple.Relationship, error) {
			return tx.ReadRelationships(ctx, f, 0)
		}}, ctx: ctx, tx: tx, actor: actor, at: s.now().UTC(), pending: map[tuple.Key]int{}}
		if err := fn(t); err != nil {
			return err
		}
		if t.discard || !t.dirty {
			// A dry run, or a change to what already is: no revision.
			return errRollback
		}
		credsChanged = t.credsChanged
		return t.flush()
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	if err != nil {
		return storeErr(err)
	}
	if credsChanged {
		// So that this node accepts or refuses at once; a failure is
		// logged by the cache, whose follower retries.
		_ = s.creds.Refresh(ctx)
	}
	if s.sync != nil {
		if err := s.sync(ctx, rev); err != nil {
			return fmt.Errorf("committed at revision %d, but waiting for the index failed: %w", rev, err)
		}
	}
	return nil
}

// txn is the inside of a change: reads within the transaction (view),
// buffered relationship updates, audit entries and notices.
type txn struct {
	view
	ctx     context.Context
	tx      store.DocTx
	actor   string
	at      time.Time
	updates []store.Update
	pending map[tuple.Key]int // index in updates, so the last op on one relationship wins
	discard bool
	dirty   bool // something is to be written
	// credsChanged: credentials changed (see credentialsChanged).
	credsChanged bool
}

// credentialsChanged tells every node's credential cache that this
// transaction changes the credential (kind, id).
func (t *txn) credentialsChanged(kind, id string) error {
	t.dirty, t.credsChanged = true, true
	return credentials.Changed(t.ctx, t.tx, kind, id)
}

// touch creates r (or keeps it) at commit.
func (t *txn) touch(r tuple.Relationship) { t.queue(store.Touch, r) }

// remove deletes r at commit.
func (t *txn) remove(r tuple.Relationship) { t.queue(store.Delete, r) }

func (t *txn) queue(op store.Op, r tuple.Relationship) {
	t.dirty = true
	if i, ok := t.pending[r.Key()]; ok {
		// The last op wins, with its attributes (a new expiration).
		t.updates[i] = store.Update{Op: op, Relationship: r}
		return
	}
	t.pending[r.Key()] = len(t.updates)
	t.updates = append(t.updates, store.Update{Op: op, Relationship: r})
}

// rollback makes the transaction write nothing (dry runs compute exactly
// what the real run would, on the same state, and then abandon it).
func (t *txn) rollback() { t.discard = true }

func (t *txn) flush() error {
	if len(t.updates) == 0 {
		return nil
	}
	return t.tx.Write(t.ctx, store.WriteRequest{Updates: t.updates})
}

// put writes v, a domain value, as its record (records.go).
func (t *txn) put(kind, id, alt, parent string, v any) error {
	data, err := encodeRecord(v)
	if err != nil {
		return err
	}
	t.dirty = true
	if err := t.tx.PutDoc(t.ctx, store.Doc{Kind: kind, ID: id, Alt: alt, Parent: parent, Data: data}); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return conflict("conflict.unique_key", kind, err)
		}
		return err
	}
	return nil
}

// audit records a change; before and after are domain values, written as
// their records (nil: none).
// The entry carries the id of the request that made the change (see
// package reqid), so that it can be matched with the request's log line.
func (t *txn) audit(action, resource string, before, after any) error {
	b, err := encodeEntry(before)
	if err != nil {
		return err
	}
	a, err := encodeEntry(after)
	if err != nil {
		return err
	}
	t.dirty = true
	return t.tx.AppendAudit(t.ctx, store.AuditEntry{At: t.at, Actor: t.actor, Action: action, Resource: resource, Before: b, After: a, RequestID: reqid.From(t.ctx)})
}

// deleteDoc deletes a record, and records the deletion of one that
// services keep in memory (see records), so that every node forgets it.
func (t *txn) deleteDoc(kind, id string) error {
	t.dirty = true
	if slices.Contains(memKinds, kind) {
		if err := t.tx.PutDoc(t.ctx, store.Doc{Kind: kindDeleted, ID: kind + "/" + id, Data: []byte("{}")}); err != nil {
			return err
		}
	}
	return t.tx.DeleteDoc(t.ctx, kind, id)
}

// countUnder counts the records of kind under parent, up to max.
func (t *txn) countUnder(kind, parent string, max int) (int, error) {
	docs, err := t.view.docs.ListDocs(t.ctx, kind, parent, "", max)
	return len(docs), err
}

// notify records a notice for account to, and its e-mail in the outbox
// when its kind is e-mailed (outbox.go). Secrets in data (a single-use
// link) go to the outbox only, never into the notice.
func (t *txn) notify(to, kind string, data map[string]string) error {
	public, secret := splitSecrets(data)
	names := t.dataNames(public)
	n := Notice{ID: t.s.newID(), To: to, Kind: kind, Data: public, Created: t.at}
	if len(names) > 0 {
		n.Names = maps.Clone(names)
		maps.DeleteFunc(n.Names, func(k, _ string) bool { return strings.HasSuffix(k, "_email") }) // the e-mail says them, the screen need not
	}
	if err := t.put(kindNotice, n.ID, "", to, n); err != nil {
		return err
	}
	n.Data = data
	return t.queueMail(n, secret, names)
}

// view reads records and relationships, either outside transactions (the
// service's reads: relationships from the engine's index, records from the
// database) or inside a transaction (a change's reads, which then cannot
// change before the commit).
type view struct {
	s    *Service
	docs interface {
		GetDoc(ctx context.Context, kind, id string) (store.Doc, error)
		DocByAlt(ctx context.Context, kind, alt string) (store.Doc, error)
		ListDocs(ctx context.Context, kind, parent, after string, limit int) ([]store.Doc, error)
	}
	rels func(ctx context.Context, f store.Filter) ([]tuple.Relationship, error)
}

// read is the view outside transactions.
func (s *Service) read() view {
	return view{s: s, docs: s.mem, rels: s.indexRels}
}

// readAllRels reads every relationship matching f, page by page.
func (s *Service) readAllRels(ctx context.Context, f store.Filter) ([]tuple.Relationship, error) {
	var out []tuple.Relationship
	var cur store.Cursor
	for {
		page, next, err := s.rels.ReadRelationships(ctx, f, cur, 1000)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		cur = next
	}
}

// get decodes the record (kind, id) into v; ErrNotFound names it.
func (v view) get(ctx context.Context, kind, id string, into any) error {
	d, err := v.docs.GetDoc(ctx, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return noSuch(kind, id)
	}
	if err != nil {
		return err
	}
	return decodeRecord(d, into)
}

// exists reports whether the record (kind, id) exists.
func (v view) exists(ctx context.Context, kind, id string) (bool, error) {
	_, err := v.docs.GetDoc(ctx, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// list decodes up to limit records of kind (of parent) after `after`; limit
// ≤ 0 lists them all.
func list[T any](ctx context.Context, v view, kind, parent, after string, limit int) ([]T, error) {
	var out []T
	for {
		n := 500
		if limit > 0 {
			n = min(n, limit-len(out))
		}
		docs, err := v.docs.ListDocs(ctx, kind, parent, after, n)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			var x T
			if err := decodeRecord(d, &x); err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		if len(docs) < n || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
		after = docs[len(docs)-1].ID
	}
}

// filtered lists, in id order after `after`, up to limit records of kind
// (of parent) that keep accepts, reading pages until it has them; id gives
// a record's id, where the next page starts.
func filtered[T any](ctx context.Context, v view, kind, parent, after string, limit int, id func(T) string, keep func(T) bool) ([]T, error) {
	const n = 500
	var out []T
	for {
		page, err := list[T](ctx, v, kind, parent, after, n)
		if err != nil {
			return nil, err
		}
		for _, x := range page {
			if keep(x) {
				out = append(out, x)
				if len(out) == limit {
					return out, nil
				}
			}
		}
		if len(page) < n {
			return out, nil
		}
		after = id(page[len(page)-1])
	}
}

// pageSize bounds list pages: limit ≤ 0 gets the default, larger ones are
// capped.
func pageSize(limit int) int {
	switch {
	case limit <= 0:
		return 50
	case limit > 1000:
		return 1000
	}
	return limit
}
