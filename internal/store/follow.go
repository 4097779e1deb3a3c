package store

import (
	"context"
	"time"
)

// Follow calls step at once, then after every revision wake delivers (nil:
// none; a closed channel is then ignored) and every poll, until ctx ends.
// It is the loop of whatever keeps a copy of the store in memory (the
// index, the credential cache): woken soon after each commit, and polling
// as a fallback, which on SQLite is the only way to see other processes'
// writes.
func Follow(ctx context.Context, wake <-chan Revision, poll time.Duration, step func()) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		step()
		select {
		case <-ctx.Done():
			return
		case _, ok := <-wake:
			if !ok {
				wake = nil // the store closed: poll (and fail) until ctx ends
			}
		case <-t.C:
		}
	}
}
