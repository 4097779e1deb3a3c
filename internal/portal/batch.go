package portal

import (
	"context"
	"errors"
	"fmt"

	"github.com/octroi/octroi/internal/tuple"
)

// Batch runs fn, and commits every change that fn makes through this
// service with the context it is given in ONE transaction, one revision:
// all of them or, when fn or any of them fails, none. It is the bulk path
// for imports (internal/synth builds a national platform with it): a
// transaction per change costs a commit and a wait for the index each,
// which at hundreds of thousands of records is what makes an import slow.
//
// The actor must be a platform administrator (administer on the
// platform), checked once, before fn runs. Administrators hold every right
// on every object of the platform, so the changes inside the batch skip
// their own authorization, which could not see the objects created
// earlier in the same batch anyway: the engine answers on committed
// revisions. Everything else still applies to each change, against the
// batch's own state: validation, unique keys, existence of what a change
// refers to, invariants, audit entries. Each change in a batch must be
// made by the batch's actor; a dry run inside a batch is refused (it would
// abandon the whole batch).
//
// A change that fails inside the batch's transaction fails the batch even
// when fn ignores its error, since part of it may already be written (one
// refused by its arguments' validation, before its transaction, wrote
// nothing and does not). Service
// reads inside fn see the database, not the batch's pending changes.
// Batch waits for the index once, after the commit (Config.Sync).
func (s *Service) Batch(ctx context.Context, actor string, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(batchKey{}).(*batch); ok {
		return errors.New("portal: Batch inside a batch")
	}
	if err := s.authorize(ctx, actor, guard{rights: []right{{s.platformRef(), "administer"}}}); err != nil {
		return err
	}
	return s.transact(ctx, actor, func(t *txn) error {
		b := &batch{s: s, t: t}
		if err := fn(context.WithValue(ctx, batchKey{}, b)); err != nil {
			return err
		}
		if b.err != nil {
			return b.err
		}
		return t.flush()
	})
}

type batchKey struct{}

// batch is the state of a Batch call that its changes share.
type batch struct {
	s   *Service
	t   *txn
	err error // the first change that failed
}

// inBatch returns the batch ctx carries for this service, if any.
func (s *Service) inBatch(ctx context.Context) *batch {
	if b, ok := ctx.Value(batchKey{}).(*batch); ok && b.s == s {
		return b
	}
	return nil
}

// run makes one change inside the batch: fn on the batch's transaction,
// whose relationship writes are then applied to it, so that the next
// change reads them (a level set after the dataset is created sees the
// dataset's default level).
func (b *batch) run(actor string, fn func(t *txn) error) error {
	switch {
	case b.err != nil:
		return fmt.Errorf("an earlier change of the batch failed: %w", b.err)
	case actor != b.t.actor:
		b.err = fmt.Errorf("portal: a change by %q inside a batch of %q", actor, b.t.actor)
		return b.err
	}
	err := fn(b.t)
	if err == nil && b.t.discard {
		err = errors.New("portal: a dry run inside a batch")
	}
	if err == nil {
		err = b.t.flush()
	}
	b.t.updates, b.t.pending = b.t.updates[:0], map[tuple.Key]int{}
	if err != nil {
		b.err = err
	}
	return err
}
