package ui

import (
	"context"
	"encoding/csv"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// The administrators' audit log: every management action the portal
// recorded, newest first, filtered by who (an account id or e-mail), what
// (an action or its family), when (from and to days, in the platform's
// time zone, both included) and resource (a type, and an id), with an
// export of the same selection as CSV. The portal's PlatformAudit answers
// administrators only, whatever the filters name: a delegated
// administrator, who reads their organisation's entries through the API,
// cannot read them, nor anything else, here.

// AuditLog is what the audit screen needs of the domain.
type AuditLog interface {
	PlatformAudit(ctx context.Context, actor string, q store.AuditQuery) ([]store.AuditEntry, error)
	// SearchAccounts and Account name the actors: an e-mail typed in
	// "who", the names shown in the table.
	SearchAccounts(ctx context.Context, actor, q string, limit int) ([]portal.Account, error)
	Account(ctx context.Context, actor, id string) (portal.Account, error)
}

// auditTypes are the kinds of resource the portal records, for the
// resource filter.
var auditTypes = []string{"account", "community", "content", "dataset", "grant", "key", "map", "org_group", "organisation", "page", "service"}

// auditFilter is the audit screen's form, as typed.
type auditFilter struct {
	Actor, Action, Type, ID, From, To string
}

// query returns the filter's query string (for the pager and the export).
func (f auditFilter) query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"actor": f.Actor, "action": f.Action, "type": f.Type, "id": f.ID, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// URL is path with the filter as its query string (built here, since a
// template would escape its & and =).
func (f auditFilter) URL(path string) template.URL {
	if q := f.query().Encode(); q != "" {
		path += "?" + q
	}
	return template.URL(path)
}

// auditQuery reads the filters of r into a store query; a filter it
// cannot read is a fieldError tied to its input.
func (u *ui) auditQuery(r *http.Request, v *view) (auditFilter, store.AuditQuery, *fieldError) {
	q := r.URL.Query()
	f := auditFilter{
		Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Type: q.Get("type"), ID: strings.TrimSpace(q.Get("id")), From: q.Get("from"), To: q.Get("to"),
	}
	aq := store.AuditQuery{Action: f.Action, Newest: true}
	bad := func(field string, key messages.Key, args ...any) (auditFilter, store.AuditQuery, *fieldError) {
		e := badField(v.Lang, r, "filter", field, key, args...)
		return f, aq, &e
	}
	if f.Type != "" && !slices.Contains(auditTypes, f.Type) {
		return bad("au-type", "ui.audit.bad_type")
	}
	switch {
	case f.ID != "" && f.Type == "":
		return bad("au-id", "ui.audit.id_needs_type")
	case f.ID != "":
		aq.Resource = f.Type + ":" + f.ID
	default:
		aq.ResourceType = f.Type
	}
	day := func(s string) (time.Time, bool) {
		t, err := u.parseDay(s)
		return t, err == nil
	}
	if f.From != "" {
		t, ok := day(f.From)
		if !ok {
			return bad("au-from", "ui.audit.bad_date", f.From)
		}
		aq.Since = t
	}
	if f.To != "" {
		t, ok := day(f.To)
		if !ok {
			return bad("au-to", "ui.audit.bad_date", f.To)
		}
		aq.Until = t.AddDate(0, 0, 1) // the whole day
		if !aq.Since.IsZero() && !aq.Until.After(aq.Since) {
			return bad("au-to", "ui.audit.to_before_from")
		}
	}
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return bad("", "ui.audit.bad_page")
		}
		aq.BeforeSeq = n
	}
	if f.Actor != "" {
		aq.Actor = f.Actor
		if strings.Contains(f.Actor, "@") {
			// An e-mail names one account: the search's exact match.
			found, err := u.cfg.Audit.SearchAccounts(r.Context(), v.Actor, f.Actor, 20)
			if err != nil {
				return bad("au-actor", "ui.audit.no_such_email", f.Actor)
			}
			aq.Actor = ""
			for _, a := range found {
				if strings.EqualFold(a.Email, f.Actor) {
					aq.Actor = a.ID
				}
			}
			if aq.Actor == "" {
				return bad("au-actor", "ui.audit.no_such_email", f.Actor)
			}
		}
	}
	return f, aq, nil
}

// auditRow is an entry as the screen shows it.
type auditRow struct {
	store.AuditEntry
	ActorName     string // "" when the actor is not an account
	Before, After string // the records, as JSON
}

func (u *ui) audit(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ctx := r.Context()
	f, aq, ferr := u.auditQuery(r, v)
	data := struct {
		Filter auditFilter
		Types  []string
		Rows   []auditRow
		Next   template.URL // the next (older) page
		Paged  bool
		Err    fieldError
	}{Filter: f, Types: auditTypes, Paged: aq.BeforeSeq > 0}
	v.Title = messages.New("ui.audit.title").In(v.Lang)
	if ferr != nil {
		// Still only for administrators: the refusal of a bad filter
		// must not show the screen to anyone else.
		if _, err := u.cfg.Audit.PlatformAudit(ctx, v.Actor, store.AuditQuery{Limit: 1}); err != nil {
			return err
		}
		data.Err = *ferr
		v.Data = data
		return u.render(w, ferr.Status, "audit", v)
	}
	aq.Limit = listPage + 1
	es, err := u.cfg.Audit.PlatformAudit(ctx, v.Actor, aq)
	if err != nil {
		return err
	}
	if len(es) > listPage {
		es = es[:listPage]
		next := f.query()
		next.Set("before", strconv.FormatInt(es[len(es)-1].Seq, 10))
		data.Next = template.URL("/admin/audit?" + next.Encode())
	}
	names := map[string]string{}
	for _, e := range es {
		row := auditRow{AuditEntry: e, Before: string(e.Before), After: string(e.After)}
		if n, ok := names[e.Actor]; ok {
			row.ActorName = n
		} else if a, err := u.cfg.Audit.Account(ctx, v.Actor, e.Actor); err == nil {
			names[e.Actor], row.ActorName = a.Name, a.Name
		} else {
			names[e.Actor] = "" // system, or an account since deleted
		}
		data.Rows = append(data.Rows, row)
	}
	v.Data = data
	return u.render(w, http.StatusOK, "audit", v)
}

// auditExportPage is how many entries the export reads at a time.
const auditExportPage = 1000

// auditExport streams the entries the filters select, newest first, as
// CSV. The first page is read before anything is written, so that a
// refusal is still an error page; later failures cut the file.
func (u *ui) auditExport(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ctx := r.Context()
	_, aq, ferr := u.auditQuery(r, v)
	if ferr != nil {
		if _, err := u.cfg.Audit.PlatformAudit(ctx, v.Actor, store.AuditQuery{Limit: 1}); err != nil {
			return err
		}
		return fieldProblem(*ferr)
	}
	aq.Limit = auditExportPage
	es, err := u.cfg.Audit.PlatformAudit(ctx, v.Actor, aq)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="octroi-audit-`+time.Now().In(u.cfg.Location).Format("20060102-1504")+`.csv"`)
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"seq", "at", "actor", "action", "resource", "request_id", "before", "after"}); err != nil {
		return nil
	}
	for len(es) > 0 {
		for _, e := range es {
			rec := []string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Resource, e.RequestID, string(e.Before), string(e.After)}
			for i := range rec {
				rec[i] = csvCell(rec[i])
			}
			if err := cw.Write(rec); err != nil {
				return nil // the reader went away: nothing more to say
			}
		}
		cw.Flush()
		if cw.Error() != nil {
			return nil
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		aq.BeforeSeq = es[len(es)-1].Seq
		if es, err = u.cfg.Audit.PlatformAudit(ctx, v.Actor, aq); err != nil {
			u.cfg.Log.Error("ui: audit export cut", "err", err)
			return nil // the status is sent: the file ends short
		}
	}
	cw.Flush()
	return nil
}

// csvCell defuses a cell that a spreadsheet would run as a formula (CSV
// injection: "=HYPERLINK(…)" in a name): a cell starting with = + - @, a
// tab or a carriage return gets a leading apostrophe, which spreadsheets
// show as text and do not evaluate.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
