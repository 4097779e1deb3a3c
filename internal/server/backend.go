package server

import (
	"context"
	"errors"
	"iter"
	"log/slog"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/engine"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/schema"
	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

var _ api.Backend = (*Server)(nil)

// Engine implements api.Backend.
func (s *Server) Engine(ctx context.Context, f api.Freshness) (*engine.Engine, engine.At, error) {
	var want store.Revision
	switch f.Mode {
	case api.MinimizeLatency:
		return s.cur.Load().eng, engine.At{}, nil
	case api.AtLeastAsFresh:
		want = f.Revision
	case api.FullyConsistent:
		head, err := s.store.HeadRevision(ctx)
		if err != nil {
			return nil, engine.At{}, err
		}
		want = head
	}
	if st := s.cur.Load(); st.idx.Revision() >= uint64(want) {
		return st.eng, engine.At{}, nil
	}
	if f.Mode == api.AtLeastAsFresh {
		head, err := s.store.HeadRevision(ctx)
		if err != nil {
			return nil, engine.At{}, err
		}
		if want > head {
			return nil, engine.At{}, api.ErrTokenAhead
		}
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.ConsistencyTimeout)
	defer cancel()
	st, err := s.waitIndex(wctx, want)
	if err != nil {
		if ctx.Err() != nil {
			return nil, engine.At{}, ctx.Err()
		}
		return nil, engine.At{}, api.ErrConsistencyTimeout
	}
	return st.eng, engine.At{}, nil
}

// ReadSchema implements api.Backend.
func (s *Server) ReadSchema(ctx context.Context) (string, store.Revision, error) {
	return s.store.ReadSchema(ctx)
}

// WriteSchema implements api.Backend. With the portal on, the schema is
// the portal's: any other text is refused (api.ErrSchemaManaged), since
// the portal's invariants and the next start would not survive it.
func (s *Server) WriteSchema(ctx context.Context, text string, dryRun bool) (api.SchemaDiff, []string, store.Revision, error) {
	if s.portal != nil && text != portal.Schema {
		return api.SchemaDiff{}, nil, 0, api.ErrSchemaManaged
	}
	return s.writeSchema(ctx, text, dryRun, true)
}

// writeSchema parses text, refuses it when it would orphan stored
// relationships and stores it; settle waits for the index to apply it
// (false before the follower runs, at start).
func (s *Server) writeSchema(ctx context.Context, text string, dryRun, settle bool) (api.SchemaDiff, []string, store.Revision, error) {
	sch, err := schema.Parse(text)
	if err != nil {
		return api.SchemaDiff{}, nil, 0, err
	}
	var warnings []string
	for _, w := range sch.Warnings {
		warnings = append(warnings, w.Error())
	}
	s.schemaMu.Lock()
	defer s.schemaMu.Unlock()
	var old *schema.Schema
	oldText, oldRev, err := s.store.ReadSchema(ctx)
	if err == nil {
		if oldText == text && !dryRun {
			// Rewriting the same text would only add a revision.
			return api.SchemaDiff{}, warnings, oldRev, nil
		}
		if old, err = schema.Parse(oldText); err != nil {
			s.log.Warn("the stored schema does not parse; diffing against nothing", "error", err)
		}
	} else if !errors.Is(err, store.ErrNoSchema) {
		return api.SchemaDiff{}, nil, 0, err
	}
	diff := diffSchemas(old, sch)
	uses, err := s.store.UsedTypes(ctx)
	if err != nil {
		return api.SchemaDiff{}, nil, 0, err
	}
	if o := orphans(sch, uses); len(o) > 0 {
		return diff, warnings, 0, &api.SchemaInUseError{Uses: o}
	}
	if dryRun {
		return diff, warnings, 0, nil
	}
	rev, err := s.store.WriteSchema(ctx, text)
	if err != nil {
		return api.SchemaDiff{}, nil, 0, err
	}
	if settle {
		s.settle(ctx, rev)
	}
	return diff, warnings, rev, nil
}

// settle waits until the index has applied rev, so that the writer reads
// its own write. The write is committed whatever happens here: a failure
// (the request's deadline) is only logged, and a read with the token will
// wait on its own.
func (s *Server) settle(ctx context.Context, rev store.Revision) {
	if _, err := s.waitIndex(ctx, rev); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "write committed but not yet in the index", slog.Uint64("revision", uint64(rev)), slog.String("error", err.Error()))
	}
}

// schemaFor returns the schema writes are validated against.
func (s *Server) schemaFor() (*schema.Schema, error) {
	sch := s.cur.Load().eng.Schema()
	if sch == nil {
		return nil, store.ErrNoSchema
	}
	return sch, nil
}

// Write implements api.Backend.
func (s *Server) Write(ctx context.Context, req store.WriteRequest) (store.Revision, error) {
	s.schemaMu.RLock()
	defer s.schemaMu.RUnlock()
	sch, err := s.schemaFor()
	if err != nil {
		return 0, err
	}
	for i, u := range req.Updates {
		if u.Op == store.Delete {
			continue // deleting needs only the identity
		}
		if err := sch.CheckRelationship(u.Relationship); err != nil {
			return 0, &api.InvalidRelationshipError{Index: i, Relationship: u.Relationship, Err: err}
		}
	}
	rev, err := s.store.Write(ctx, req)
	if err != nil {
		return 0, err
	}
	s.settle(ctx, rev)
	return rev, nil
}

// DeleteByFilter implements api.Backend.
func (s *Server) DeleteByFilter(ctx context.Context, f store.Filter, limit int) (store.Revision, int, error) {
	s.schemaMu.RLock()
	defer s.schemaMu.RUnlock()
	rev, n, err := s.store.DeleteByFilter(ctx, f, limit)
	if err != nil {
		return 0, 0, err
	}
	s.settle(ctx, rev)
	return rev, n, nil
}

// ReadRelationships implements api.Backend.
func (s *Server) ReadRelationships(ctx context.Context, f store.Filter, after store.Cursor, limit int) ([]tuple.Relationship, store.Cursor, store.Revision, error) {
	head, err := s.store.HeadRevision(ctx)
	if err != nil {
		return nil, "", 0, err
	}
	rels, next, err := s.store.ReadRelationships(ctx, f, after, limit)
	return rels, next, head, err
}

// Import implements api.Backend.
func (s *Server) Import(ctx context.Context, rels iter.Seq2[tuple.Relationship, error]) (store.Revision, int, error) {
	s.schemaMu.RLock()
	defer s.schemaMu.RUnlock()
	sch, err := s.schemaFor()
	if err != nil {
		return 0, 0, err
	}
	checked := func(yield func(tuple.Relationship, error) bool) {
		i := 0
		for r, err := range rels {
			if err == nil {
				if cerr := sch.CheckRelationship(r); cerr != nil {
					err = &api.InvalidRelationshipError{Index: i, Relationship: r, Err: cerr}
				} else if verr := store.Validate(r); verr != nil {
					err = &api.InvalidRelationshipError{Index: i, Relationship: r, Err: verr}
				}
			}
			i++
			if !yield(r, err) || err != nil {
				return
			}
		}
	}
	rev, n, err := s.store.Import(ctx, checked, s.cfg.ImportBatch)
	if rev > 0 {
		s.settle(ctx, rev)
	}
	return rev, n, err
}

// Export implements api.Backend.
func (s *Server) Export(ctx context.Context, f store.Filter, fn func(tuple.Relationship) error) (store.Revision, error) {
	return s.store.LoadAll(ctx, func(r tuple.Relationship) error {
		if !f.Matches(r) {
			return nil
		}
		return fn(r)
	})
}

// HeadRevision implements api.Backend.
func (s *Server) HeadRevision(ctx context.Context) (store.Revision, error) {
	return s.store.HeadRevision(ctx)
}

// Changes implements api.Backend.
func (s *Server) Changes(ctx context.Context, after store.Revision, limit int) ([]store.Change, store.Revision, error) {
	return s.store.Changes(ctx, after, limit)
}

// Subscribe implements api.Backend.
func (s *Server) Subscribe(ctx context.Context) (<-chan store.Revision, error) {
	return s.store.Subscribe(ctx)
}
