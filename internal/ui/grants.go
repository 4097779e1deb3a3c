package ui

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
)

// The screens of source 000 for consumers and producers: the grants I
// hold, asking for access to a product, and the access requests (mine,
// and those my organisations must decide).

// Grants is what these screens need of the domain.
type Grants interface {
	MyGrants(ctx context.Context, actor string, q portal.GrantQuery) ([]portal.HeldGrant, string, error)
	RequestAccess(ctx context.Context, actor string, r portal.AccessRequest) (portal.AccessRequest, error)
	AccessRequests(ctx context.Context, actor string, q portal.AccessRequestQuery) ([]portal.AccessRequest, error)
	CancelAccessRequest(ctx context.Context, actor, id string) (portal.AccessRequest, error)
	DecideAccessRequest(ctx context.Context, actor, id string, d portal.AccessDecision) (portal.AccessRequest, error)
}

// expiringSoon is how close an expiry is marked as coming.
const expiringSoon = 30 * 24 * time.Hour

// heldGrant is a grant as the consumer's screen shows it.
type heldGrant struct {
	portal.HeldGrant
	Soon bool // live, and ends within expiringSoon
}

// grantSection is one section of the reader's grants: its rows, and the
// cursor of its next page ("" at its last).
type grantSection struct {
	Grants []heldGrant
	After  string // this page's cursor, kept by the other section's pager
	Next   string
}

// myGrants shows the reader's grants in two sections, live (those ending
// soon marked) and ended, each with its own pages (cartes.gouv.fr #376:
// separate lists of live and expired permissions, each ended one with its
// renewal).
func (u *ui) myGrants(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	q, now := r.URL.Query(), time.Now()
	section := func(state portal.GrantState, after string) (grantSection, error) {
		gs, next, err := u.cfg.Grants.MyGrants(r.Context(), v.Actor, portal.GrantQuery{State: state, After: after, Limit: listPage})
		if err != nil {
			return grantSection{}, err
		}
		rows := make([]heldGrant, len(gs))
		for i, g := range gs {
			rows[i] = heldGrant{g, g.State == portal.GrantLive && g.Expires != nil && g.Expires.Before(now.Add(expiringSoon))}
		}
		return grantSection{rows, after, next}, nil
	}
	live, err := section(portal.GrantLive, q.Get("live_after"))
	if err != nil {
		return err
	}
	ended, err := section(portal.GrantExpired, q.Get("ended_after"))
	if err != nil {
		return err
	}
	v.Title = messages.New("ui.grants.title").In(v.Lang)
	v.Data = struct{ Live, Ended grantSection }{live, ended}
	return u.render(w, http.StatusOK, "grants", v)
}

// requestAccess asks for access to a dataset's restricted services (all
// of them), from its page, or the renewal of a grant the reader holds
// (renewal, from their grants: the portal refuses a grant they do not
// hold as not found); from /demande-acces/{id} (form=demande), the
// services chosen, for oneself or a community (demande.go).
func (u *ui) requestAccess(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	if r.PostFormValue("form") == "demande" && u.cfg.Permissions != nil {
		return u.requestFromDemande(w, r, v)
	}
	ar, err := u.cfg.Grants.RequestAccess(r.Context(), v.Actor, portal.AccessRequest{Dataset: r.PathValue("id"), Message: r.PostFormValue("message"), Renewal: r.PostFormValue("renewal")})
	if err != nil {
		return err
	}
	requested(w, r, ar)
	return nil
}

// requested goes to the reader's requests, saying what became of ar.
func requested(w http.ResponseWriter, r *http.Request, ar portal.AccessRequest) {
	done := "access_requested"
	if ar.Status == portal.AccessAlreadyGranted {
		done = "access_already"
	}
	http.Redirect(w, r, "/access-requests?done="+done, http.StatusSeeOther)
}

// accessRequests lists the reader's requests and, for each organisation
// they publish for, the pending requests to decide.
func (u *ui) accessRequests(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ctx := r.Context()
	mine, err := u.cfg.Grants.AccessRequests(ctx, v.Actor, portal.AccessRequestQuery{Mine: true, Limit: listPage})
	if err != nil {
		return err
	}
	// Only the organisations: none of the reader's communities named.
	p, _, err := u.cfg.Members.ProfileFirst(ctx, v.Actor, v.Actor, 0)
	if err != nil {
		return err
	}
	var inbox []portal.AccessRequest
	for _, m := range p.Organisations {
		if m.Role == portal.RoleRegistered {
			continue
		}
		rs, err := u.cfg.Grants.AccessRequests(ctx, v.Actor, portal.AccessRequestQuery{Organisation: m.Organisation, Status: portal.AccessPending, Limit: listPage})
		if err != nil {
			return err
		}
		inbox = append(inbox, rs...)
	}
	v.Title = messages.New("ui.requests.title").In(v.Lang)
	v.Data = struct {
		Mine, Inbox []portal.AccessRequest
		Done        string
	}{mine, inbox, doneKey(r.URL.Query().Get("done"))}
	return u.render(w, http.StatusOK, "requests", v)
}

// accessRequestAction cancels one's own request, or decides one: accept
// (with the grant's name and optional expiry) or refuse (with a reason).
func (u *ui) accessRequestAction(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ctx, id := r.Context(), r.PathValue("id")
	var done string
	switch r.PathValue("action") {
	case "cancel":
		if _, err := u.cfg.Grants.CancelAccessRequest(ctx, v.Actor, id); err != nil {
			return err
		}
		done = "request_cancelled"
	case "decide":
		d := portal.AccessDecision{Accept: r.PostFormValue("decision") == "accept", Name: r.PostFormValue("name"), Reason: r.PostFormValue("reason")}
		if s := r.PostFormValue("expires"); s != "" && d.Accept {
			day, err := u.parseDay(s)
			if err != nil {
				return problem.New(problem.CodeInvalidArgument, messages.New("ui.tokens.bad_date", "expires"))
			}
			end := day.AddDate(0, 0, 1).Add(-time.Second) // the end of that day, in the platform's zone
			d.Expires = &end
		}
		if _, err := u.cfg.Grants.DecideAccessRequest(ctx, v.Actor, id, d); err != nil {
			return err
		}
		done = map[bool]string{true: "request_accepted", false: "request_refused"}[d.Accept]
	default:
		return errNotFound
	}
	http.Redirect(w, r, "/access-requests?done="+url.QueryEscape(done), http.StatusSeeOther)
	return nil
}
