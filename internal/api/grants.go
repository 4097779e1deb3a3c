package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// grantsTable lists the endpoints of services, grants and access
// requests. Services and grants are managed by the publishers of their
// organisation; /me/grants is the consumer's view; access requests are
// asked by anyone signed in and decided by the product's publishers.
func (a *api) grantsTable() []Route {
	p := func(method, path, op string, h handlerFunc) Route {
		return Route{Method: method, Path: Prefix + path, Operation: op, audience: people, h: h}
	}
	return []Route{
		p("POST", "/services", "createService", a.createService),
		p("GET", "/services", "listServices", a.listServices),
		p("GET", "/services/{id}", "getService", a.getService),
		p("PUT", "/services/{id}", "updateService", a.updateService),
		p("DELETE", "/services/{id}", "deleteService", a.deleteService),

		p("POST", "/grants", "createGrant", a.createGrant),
		p("GET", "/grants", "listGrants", a.listGrants),
		p("GET", "/grants/{id}", "getGrant", a.getGrant),
		p("PATCH", "/grants/{id}", "updateGrant", a.updateGrant),
		p("DELETE", "/grants/{id}", "deleteGrant", a.deleteGrant),
		p("GET", "/me/grants", "listMyGrants", a.listMyGrants),
		p("POST", "/me/grants/{id}/renounce", "renounceGrant", a.renounceGrant),

		p("POST", "/access-requests", "requestAccess", a.requestAccess),
		p("GET", "/access-requests", "listAccessRequests", a.listAccessRequests),
		p("GET", "/access-requests/{id}", "getAccessRequest", a.getAccessRequest),
		p("POST", "/access-requests/{id}/decision", "decideAccessRequest", a.decideAccessRequest),
		p("POST", "/access-requests/{id}/cancel", "cancelAccessRequest", a.cancelAccessRequest),
		p("GET", "/me/access-requests", "listMyAccessRequests", a.listMyAccessRequests),
	}
}

// POST /api/v1/services (the dataset's editors)
func (a *api) createService(w http.ResponseWriter, r *http.Request) error {
	var req ServiceRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	m, err := a.Portal.MapServices.CreateService(r.Context(), actor(r), portal.MapService{ID: req.ID, Dataset: req.Dataset, Title: req.Title,
		Type: req.Type, Path: req.Path, Upstream: req.Upstream, Layers: req.Layers, Open: req.Open, Available: req.Available})
	if err != nil {
		return err
	}
	return created(w, serviceOut(m))
}

// GET /api/v1/services?dataset=&cursor=&limit=: the services the caller
// may view, of one dataset when set.
func (a *api) listServices(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	ms, next, err := a.Portal.MapServices.MapServices(r.Context(), actor(r), portal.ServiceQuery{Dataset: r.URL.Query().Get("dataset"), After: after, Limit: limit})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ServiceList{Services: each(ms, serviceOut), Cursor: next})
}

// GET /api/v1/services/{id}
func (a *api) getService(w http.ResponseWriter, r *http.Request) error {
	m, err := a.Portal.MapServices.MapServiceOf(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, serviceOut(m))
}

// PUT /api/v1/services/{id}
func (a *api) updateService(w http.ResponseWriter, r *http.Request) error {
	var req ServiceUpdate
	if err := decodeUpdate(r, &req, hintID, hintCreated, fieldHint{"dataset", "a service's dataset never changes"},
		fieldHint{"organisation", "a service's organisation is its dataset's"}); err != nil {
		return err
	}
	m, err := a.Portal.MapServices.UpdateService(r.Context(), actor(r), portal.MapService{ID: r.PathValue("id"), Title: req.Title, Type: req.Type,
		Path: req.Path, Upstream: req.Upstream, Layers: req.Layers, Open: req.Open, Available: req.Available})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, serviceOut(m))
}

// DELETE /api/v1/services/{id}: its grants stop covering it, and the keys'
// accesses to it are deleted.
func (a *api) deleteService(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.MapServices.DeleteService(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// POST /api/v1/grants
func (a *api) createGrant(w http.ResponseWriter, r *http.Request) error {
	var req GrantRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	g, err := a.Portal.Grants.CreateGrant(r.Context(), actor(r), portal.Grant{Name: req.Name, Services: req.Services, Users: req.Users,
		Communities: req.Communities, Expires: req.Expires, OnlyOAuth: req.OnlyOAuth})
	if err != nil {
		return err
	}
	return created(w, grantOut(g))
}

// grantQuery reads the filters of the grant lists.
func (a *api) grantQuery(r *http.Request) (portal.GrantQuery, error) {
	after, limit, err := a.page(r)
	if err != nil {
		return portal.GrantQuery{}, err
	}
	q := r.URL.Query()
	gq := portal.GrantQuery{Service: q.Get("service"), User: q.Get("user"), Community: q.Get("community"),
		State: portal.GrantState(q.Get("state")), After: after, Limit: limit}
	if s := q.Get("expiring_within_days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 36500 {
			return gq, badRequest("expiring_within_days=%q: want a number of days from 1 to 36500", s)
		}
		gq.ExpiringWithin = time.Duration(n) * 24 * time.Hour
	}
	return gq, nil
}

// GET /api/v1/grants?service=&user=&community=&state=&expiring_within_days=&cursor=&limit=:
// the producer's view, every grant the caller manages.
func (a *api) listGrants(w http.ResponseWriter, r *http.Request) error {
	q, err := a.grantQuery(r)
	if err != nil {
		return err
	}
	gs, next, err := a.Portal.Grants.Grants(r.Context(), actor(r), q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, GrantList{Grants: each(gs, grantOut), Cursor: next})
}

// GET /api/v1/grants/{id}
func (a *api) getGrant(w http.ResponseWriter, r *http.Request) error {
	g, err := a.Portal.Grants.GrantOf(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, grantOut(g))
}

// PATCH /api/v1/grants/{id}: only the fields given change.
func (a *api) updateGrant(w http.ResponseWriter, r *http.Request) error {
	var req GrantUpdate
	if err := decodeUpdate(r, &req, hintID, hintCreated, fieldHint{"grantor", "a grant's grantor is its services' organisation"},
		fieldHint{"users", "use add_users and remove_users"}, fieldHint{"communities", "use add_communities and remove_communities"}); err != nil {
		return err
	}
	if req.NoExpiry && req.Expires != nil {
		return badRequest("give either expires or no_expiry, not both")
	}
	c := portal.GrantChange{Name: req.Name, SetExpires: req.NoExpiry || req.Expires != nil, Expires: req.Expires, Services: req.Services,
		OnlyOAuth: req.OnlyOAuth, AddUsers: req.AddUsers, RemoveUsers: req.RemoveUsers, AddCommunities: req.AddCommunities, RemoveCommunities: req.RemoveCommunities}
	g, err := a.Portal.Grants.UpdateGrant(r.Context(), actor(r), r.PathValue("id"), c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, grantOut(g))
}

// DELETE /api/v1/grants/{id}
func (a *api) deleteGrant(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.Grants.DeleteGrant(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// GET /api/v1/me/grants?state=&expiring_within_days=&cursor=&limit=: the
// consumer's view.
func (a *api) listMyGrants(w http.ResponseWriter, r *http.Request) error {
	q, err := a.grantQuery(r)
	if err != nil {
		return err
	}
	hs, next, err := a.Portal.Grants.MyGrants(r.Context(), actor(r), q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, HeldGrantList{Grants: each(hs, heldGrantOut), Cursor: next})
}

// POST /api/v1/me/grants/{id}/renounce: a personal beneficiary gives the
// grant up.
func (a *api) renounceGrant(w http.ResponseWriter, r *http.Request) error {
	if err := decode(r, &struct{}{}); err != nil {
		return err
	}
	if _, err := a.Portal.Grants.RenounceGrant(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// POST /api/v1/access-requests: 201 with status pending, or
// already_granted when the caller can already use what they ask for.
func (a *api) requestAccess(w http.ResponseWriter, r *http.Request) error {
	var req AccessRequestCreate
	if err := decode(r, &req); err != nil {
		return err
	}
	ar, err := a.Portal.AccessRequests.RequestAccess(r.Context(), actor(r), portal.AccessRequest{Dataset: req.Dataset, Services: req.Services,
		Community: req.Community, Renewal: req.Renewal, Message: req.Message})
	if err != nil {
		return err
	}
	return created(w, accessRequestOut(ar))
}

func (a *api) accessRequests(w http.ResponseWriter, r *http.Request, mine bool) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rs, err := a.Portal.AccessRequests.AccessRequests(r.Context(), actor(r), portal.AccessRequestQuery{Mine: mine, Organisation: q.Get("organisation"),
		Status: portal.AccessRequestStatus(q.Get("status")), After: after, Limit: limit})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, AccessRequestList{AccessRequests: each(rs, accessRequestOut), Cursor: nextCursor(len(rs), limit, func() string { return rs[len(rs)-1].ID })})
}

// GET /api/v1/access-requests?organisation=&status=&cursor=&limit=: the
// inbox of the organisations the caller publishes for.
func (a *api) listAccessRequests(w http.ResponseWriter, r *http.Request) error {
	return a.accessRequests(w, r, false)
}

// GET /api/v1/me/access-requests?status=&cursor=&limit=
func (a *api) listMyAccessRequests(w http.ResponseWriter, r *http.Request) error {
	return a.accessRequests(w, r, true)
}

// GET /api/v1/access-requests/{id} (its author and its deciders)
func (a *api) getAccessRequest(w http.ResponseWriter, r *http.Request) error {
	ar, err := a.Portal.AccessRequests.AccessRequestOf(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, accessRequestOut(ar))
}

// POST /api/v1/access-requests/{id}/decision (the product's publishers)
func (a *api) decideAccessRequest(w http.ResponseWriter, r *http.Request) error {
	var req AccessDecision
	if err := decode(r, &req); err != nil {
		return err
	}
	d := portal.AccessDecision{Expires: req.Expires, Name: req.Name, Reason: req.Reason}
	switch req.Decision {
	case "accept":
		d.Accept = true
	case "refuse":
		if req.Expires != nil || req.Name != "" {
			return badRequest("expires and name apply when accepting; a refusal takes a reason only")
		}
	default:
		return badRequest("decision %q: want accept or refuse", req.Decision)
	}
	ar, err := a.Portal.AccessRequests.DecideAccessRequest(r.Context(), actor(r), r.PathValue("id"), d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, accessRequestOut(ar))
}

// POST /api/v1/access-requests/{id}/cancel (its author)
func (a *api) cancelAccessRequest(w http.ResponseWriter, r *http.Request) error {
	if err := decode(r, &struct{}{}); err != nil {
		return err
	}
	ar, err := a.Portal.AccessRequests.CancelAccessRequest(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, accessRequestOut(ar))
}
