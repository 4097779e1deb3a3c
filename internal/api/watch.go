package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/octroi/octroi/internal/store"
)

// GET /api/v1/watch?after=TOKEN: NDJSON, one WatchEvent per change, oldest
// first: first what the changelog holds after the token's revision (or a
// plain revision number), then live changes as they commit. Without after,
// only changes committed from now on. Filter query parameters (as for
// export) select relationship changes; schema changes are always sent. A
// revision older than the changelog keeps answers 410 revision_too_old:
// export again and watch from the export's token. The stream ends when the
// client leaves or the server shuts down.
func (a *api) watch(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := filterFromQuery(q).Store()
	if err := store.ValidateFilter(f); err != nil {
		return err
	}
	// Subscribe before reading the changelog, so that no write falls in
	// between unnoticed.
	wake, err := a.Backend.Subscribe(ctx)
	if err != nil {
		return err
	}
	var after store.Revision
	if s := q.Get("after"); s != "" {
		if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			after = store.Revision(n)
		} else if after, err = DecodeToken(s); err != nil {
			return &Error{Status: http.StatusBadRequest, Code: CodeInvalidArgument, Msg: "after: " + err.Error(), Err: err}
		}
	} else if after, err = a.Backend.HeadRevision(ctx); err != nil {
		return err
	}
	changes, through, err := a.Backend.Changes(ctx, after, a.MaxBatch)
	if err != nil {
		return err
	}
	nd := newNDJSON(w, "")
	if err := nd.flush(); err != nil {
		return err
	}
	poll := time.NewTicker(a.PollInterval)
	defer poll.Stop()
	for {
		for _, c := range changes {
			ev := WatchEvent{Revision: uint64(c.Revision), ConsistencyToken: EncodeToken(c.Revision), Operation: c.Op.String(), Time: c.Time}
			if c.Op != store.ChangeSchema {
				if !f.Matches(c.Relationship) {
					continue
				}
				rel := FromTuple(c.Relationship)
				ev.Relationship = &rel
			}
			if err := nd.line(ev); err != nil {
				return err
			}
		}
		if len(changes) > 0 {
			if err := nd.flush(); err != nil {
				return err
			}
		}
		if through > after {
			after = through
		}
		if len(changes) == 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-a.Done:
				return nil
			case _, ok := <-wake:
				if !ok {
					return nil
				}
			case <-poll.C:
			}
		}
		if changes, through, err = a.Backend.Changes(ctx, after, a.MaxBatch); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}
