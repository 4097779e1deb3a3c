package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/store/internal/sqlstore"
	"github.com/octroi/octroi/internal/tuple"
)

// WriteSchema implements store.SchemaStore.
func (s *Store) WriteSchema(ctx context.Context, text string) (store.Revision, error) {
	return s.write(ctx, func(ctx context.Context, w *wtx) error {
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO schema_versions (revision, schema_text, written_at) VALUES ($1, $2, $3)`, int64(w.rev), text, w.now)
		b.Queue(`INSERT INTO changelog (`+changelogColumns+`) VALUES ($1, $2, 3, '', '', '', '', '', '', NULL, NULL, NULL, $3)`, int64(w.rev), w.seq, w.now)
		w.seq++
		if err := w.tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("writing schema: %w", err)
		}
		return nil
	})
}

// ReadSchema implements store.SchemaStore.
func (s *Store) ReadSchema(ctx context.Context) (string, store.Revision, error) {
	var text string
	var rev int64
	err := s.pool.QueryRow(ctx, `SELECT schema_text, revision FROM schema_versions ORDER BY revision DESC LIMIT 1`).Scan(&text, &rev)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, store.ErrNoSchema
	}
	if err != nil {
		return "", 0, convert(fmt.Errorf("reading schema: %w", err))
	}
	return text, store.Revision(rev), nil
}

// GC implements store.Maintainer.
func (s *Store) GC(ctx context.Context, olderThan time.Duration) (store.GCResult, error) {
	var res store.GCResult
	cutoff := sqlstore.NormalizeTime(s.now().Add(-olderThan))

	// Long-expired relationships first, as an ordinary write (so that
	// followers drop them too), and only when there are some: GC must
	// not burn a revision per run.
	var some bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM relationships WHERE expires_at IS NOT NULL AND expires_at <= $1)`, cutoff).Scan(&some); err != nil {
		return res, convert(fmt.Errorf("finding expired relationships: %w", err))
	}
	if some {
		rev, err := s.write(ctx, func(ctx context.Context, w *wtx) error {
			a := sqlstore.Args{Dollar: true}
			n, err := w.deleteWhere(ctx, `expires_at IS NOT NULL AND expires_at <= `+a.Add(cutoff)+`::timestamptz`, &a, 0)
			if err != nil {
				return fmt.Errorf("deleting expired relationships: %w", err)
			}
			res.ExpiredDeleted = int64(n)
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Revision = rev
	}

	err := s.exclusive(ctx, func(ctx context.Context, tx pgx.Tx) error {
		var trimmed int64
		var last *int64
		// FOR UPDATE: concurrent GCs trim one after the other.
		if err := tx.QueryRow(ctx, `SELECT trimmed_through FROM changelog_horizon WHERE singleton FOR UPDATE`).Scan(&trimmed); err != nil {
			return fmt.Errorf("reading changelog horizon: %w", err)
		}
		res.TrimmedThrough = store.Revision(trimmed)
		if err := tx.QueryRow(ctx, `SELECT max(revision) FROM revisions WHERE committed_at < $1`, cutoff).Scan(&last); err != nil {
			return fmt.Errorf("finding old revisions: %w", err)
		}
		if last == nil || *last <= trimmed {
			return nil
		}
		err := tx.QueryRow(ctx, `WITH d AS (DELETE FROM changelog WHERE revision <= $1 RETURNING changes)
SELECT COALESCE(sum(changes), 0) FROM d`, *last).Scan(&res.ChangesDeleted)
		if err != nil {
			return fmt.Errorf("trimming changelog: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM revisions WHERE revision <= $1`, *last); err != nil {
			return fmt.Errorf("trimming revisions: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE changelog_horizon SET trimmed_through = $1 WHERE singleton`, *last); err != nil {
			return fmt.Errorf("moving changelog horizon: %w", err)
		}
		res.TrimmedThrough = store.Revision(*last)
		return nil
	})
	return res, err
}

// DefaultImportBatch is Import's batch size when none is given: big enough
// to amortise the commit, small enough that a follower's Changes page
// (whole revisions) stays reasonable.
const DefaultImportBatch = 10_000

// importTable is the per-connection staging table of Import. The name
// carries a version so that a change of its columns never meets an old
// session's table.
const importTable = "octroi_import_v1"

// Import implements store.Importer: per batch, one write transaction that
// COPYs the batch into a temporary table, upserts it (the last of
// duplicates wins) in one set-based statement, and logs it as changelog
// batches (sqlstore.ChangeBatch), one row per 1024 relationships.
func (s *Store) Import(ctx context.Context, rels iter.Seq2[tuple.Relationship, error], batchSize int) (store.Revision, int, error) {
	if batchSize <= 0 {
		batchSize = DefaultImportBatch
	}
	batch := make([][]any, 0, batchSize) // the import columns of the batch
	return sqlstore.ImportBatches(rels, batchSize, func(r tuple.Relationship) error {
		args, err := relArgs(r)
		if err != nil {
			return err
		}
		batch = append(batch, append([]any{int32(len(batch))}, args...))
		return nil
	}, func(rs []tuple.Relationship) (store.Revision, error) {
		defer func() { batch = batch[:0] }()
		return s.write(ctx, func(ctx context.Context, w *wtx) error {
			return w.importBatch(ctx, batch, rs)
		})
	})
}

var importColumns = []string{"seq", "resource_type", "resource_id", "relation", "subject_type", "subject_id", "subject_relation", "caveat_name", "caveat_context", "expires_at"}

// importBatch stages batch (the import columns) and upserts it; rs are the
// same relationships, which it logs as changelog batches.
func (w *wtx) importBatch(ctx context.Context, batch [][]any, rs []tuple.Relationship) error {
	// ON COMMIT DELETE ROWS keeps the table for the session's next batch
	// and empties it at every commit (without the dead rows a DELETE
	// leaves); a rollback discards the rows too.
	if _, err := w.tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS `+importTable+` (
    seq              integer NOT NULL,
    resource_type    text COLLATE "C" NOT NULL,
    resource_id      text COLLATE "C" NOT NULL,
    relation         text COLLATE "C" NOT NULL,
    subject_type     text COLLATE "C" NOT NULL,
    subject_id       text COLLATE "C" NOT NULL,
    subject_relation text COLLATE "C" NOT NULL,
    caveat_name      text COLLATE "C",
    caveat_context   jsonb,
    expires_at       timestamptz
) ON COMMIT DELETE ROWS`); err != nil {
		return fmt.Errorf("creating staging table: %w", err)
	}
	if _, err := w.tx.CopyFrom(ctx, pgx.Identifier{importTable}, importColumns, pgx.CopyFromRows(batch)); err != nil {
		return fmt.Errorf("copying: %w", err)
	}
	// DISTINCT ON: INSERT … ON CONFLICT cannot touch one row twice in a
	// statement, so only the last of duplicates is upserted; the
	// changelog still gets every row, in order.
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO relationships (` + sqlstore.Columns + `)
SELECT ` + sqlstore.Columns + ` FROM (
    SELECT DISTINCT ON (` + sqlstore.IdentityColumns + `) ` + sqlstore.Columns + `
    FROM ` + importTable + `
    ORDER BY ` + sqlstore.IdentityColumns + `, seq DESC
) last
ON CONFLICT (` + sqlstore.IdentityColumns + `) DO UPDATE SET
    caveat_name = EXCLUDED.caveat_name,
    caveat_context = EXCLUDED.caveat_context,
    expires_at = EXCLUDED.expires_at`)
	seq := w.seq
	var log sqlstore.ChangeBatch
	for i, r := range rs {
		log.Add(r, batch[i][8])
		if log.Len() == sqlstore.ChangeBatchSize || i == len(rs)-1 {
			// Queue keeps the arguments until the batch is sent: the
			// encoder's buffer is reused, so the row gets a copy.
			b.Queue(`INSERT INTO changelog (revision, seq, op, resource_type, resource_id, relation, subject_type, subject_id, subject_relation, committed_at, changes, batch)
VALUES ($1, $2, 1, '', '', '', '', '', '', $3, $4, $5)`, int64(w.rev), seq, w.now, log.Len(), bytes.Clone(log.Bytes()))
			seq += int32(log.Len())
			log.Reset()
		}
	}
	// Several batches (a group commit's writes) may share one
	// transaction: the next must not find these rows.
	b.Queue(`DELETE FROM ` + importTable)
	if err := w.tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("upserting: %w", err)
	}
	w.seq = seq
	return nil
}

// Subscribe implements store.Changelog. The first call starts the Store's
// listener: one connection, outside the pool, LISTENing on NotifyChannel
// and reconnecting with backoff; after each (re)connection it publishes
// the head revision, covering notifications missed while disconnected.
func (s *Store) Subscribe(ctx context.Context) (<-chan store.Revision, error) {
	ch, err := s.hub.Subscribe(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.listening {
		s.listening = true
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.listen()
		}()
	}
	return ch, nil
}

func (s *Store) listen() {
	backoff := 100 * time.Millisecond
	for s.life.Err() == nil {
		err := s.listenOnce()
		if s.life.Err() != nil {
			return
		}
		_ = err // the next connection attempt will tell again; followers poll meanwhile
		select {
		case <-s.life.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *Store) listenOnce() error {
	cfg := s.pool.Config().ConnConfig
	conn, err := pgx.ConnectConfig(s.life, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(s.life, `LISTEN `+NotifyChannel); err != nil {
		return err
	}
	var head int64
	if err := conn.QueryRow(s.life, `SELECT revision FROM revision_counter WHERE singleton`).Scan(&head); err != nil {
		return err
	}
	s.hub.Publish(store.Revision(head))
	for {
		n, err := conn.WaitForNotification(s.life)
		if err != nil {
			return err
		}
		if rev, err := strconv.ParseUint(n.Payload, 10, 64); err == nil {
			s.hub.Publish(store.Revision(rev))
		}
	}
}
