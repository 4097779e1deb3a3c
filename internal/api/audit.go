package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/octroi/octroi/internal/store"
)

// GET /api/v1/audit?resource=&resource_type=&actor=&action=&since=&until=&order=&cursor=&limit=:
// audit entries that the caller may read, oldest first (order=asc, the
// default) or newest first (order=desc). With Accept:
// application/x-ndjson, every matching entry as JSON lines (an export):
// cursor and limit then only say where to start.
func (a *api) queryAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	aq := store.AuditQuery{Resource: q.Get("resource"), Actor: q.Get("actor"), Action: q.Get("action"), ResourceType: q.Get("resource_type")}
	switch q.Get("order") {
	case "", "asc":
	case "desc":
		aq.Newest = true
	default:
		return badRequest("order=%q: want asc or desc", q.Get("order"))
	}
	var err error
	if aq.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if aq.Until, err = queryTime(r, "until"); err != nil {
		return err
	}
	cursor, limit, err := a.page(r)
	if err != nil {
		return err
	}
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n < 0 {
			return &Error{Status: http.StatusBadRequest, Code: CodeInvalidCursor, Msg: "invalid cursor: pass back a cursor this server returned"}
		}
		if aq.Newest {
			aq.BeforeSeq = n
		} else {
			aq.AfterSeq = n
		}
	}
	aq.Limit = limit
	if !wantsNDJSON(r) {
		es, err := a.Portal.AuditLog.Audit(r.Context(), actor(r), aq)
		if err != nil {
			return err
		}
		out := AuditList{Entries: make([]AuditEntry, len(es))}
		for i, e := range es {
			out.Entries[i] = auditOut(e)
		}
		out.Cursor = nextCursor(len(es), limit, func() string { return strconv.FormatInt(es[len(es)-1].Seq, 10) })
		return writeJSON(w, http.StatusOK, out)
	}
	// The first page is read before answering, so that a refusal is still
	// a problem document; later failures cut the stream.
	aq.Limit = a.MaxBatch
	es, err := a.Portal.AuditLog.Audit(r.Context(), actor(r), aq)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for len(es) > 0 {
		for _, e := range es {
			if err := enc.Encode(auditOut(e)); err != nil {
				return err
			}
		}
		flush(w)
		// The portal may answer shorter pages than asked: only an empty
		// page ends the export.
		aq.AfterSeq, aq.BeforeSeq = es[len(es)-1].Seq, 0
		if aq.Newest {
			aq.AfterSeq, aq.BeforeSeq = 0, es[len(es)-1].Seq
		}
		if es, err = a.Portal.AuditLog.Audit(r.Context(), actor(r), aq); err != nil {
			return err
		}
	}
	return nil
}
