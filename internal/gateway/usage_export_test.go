package gateway

import "context"

// FlushEvents writes the events waiting without the sums, as Run does
// between two writes of the sums.
func (u *UsageLog) FlushEvents(ctx context.Context) error { return u.flushEvents(ctx) }

// CatchUp sums the events of the other writers not summed yet, as Run
// does at its start.
func (u *UsageLog) CatchUp(ctx context.Context) error { return u.catchUp(ctx) }
