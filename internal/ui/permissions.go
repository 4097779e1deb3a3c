package ui

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// The producer's screen of source 000, « Gérer les permissions d'accès »:
// for an organisation's editors and delegated administrators, its
// services, the grants on them (filtered, the expiring and expired ones
// marked in words), each grant to consult, change or delete, a new grant
// with its beneficiaries found as one types (or with a search button,
// without scripts), the usage per grant and per service, and a link to
// the access requests to decide. Who may is the portal's answer (publish
// on the organisation, manage on the grant), never the page's.

// Permissions is what the producer's screen needs of the domain.
type Permissions interface {
	Organisation(ctx context.Context, actor, id string) (portal.Organisation, error)
	OrgServices(ctx context.Context, actor, org, after string, limit int) ([]portal.MapService, string, error)
	OrgGrants(ctx context.Context, actor, org string, q portal.OrgGrantQuery) ([]portal.GrantDetail, string, error)
	ManagedGrant(ctx context.Context, actor, id string) (portal.GrantDetail, error)
	CreateGrant(ctx context.Context, actor string, g portal.Grant) (portal.Grant, error)
	UpdateGrant(ctx context.Context, actor, id string, c portal.GrantChange) (portal.Grant, error)
	DeleteGrant(ctx context.Context, actor, id string) error
	SearchBeneficiaries(ctx context.Context, actor, q string, limit int) ([]portal.Account, []portal.Named, error)
	NameBeneficiaries(ctx context.Context, actor string, users, communities []string) ([]portal.Named, []portal.Named, error)
	GrantUsage(ctx context.Context, actor, id string, since *time.Time) ([]portal.UsageSum, error)
	ServiceUsage(ctx context.Context, actor, service string, since *time.Time) ([]portal.UsageSum, error)
	AccessRequests(ctx context.Context, actor string, q portal.AccessRequestQuery) ([]portal.AccessRequest, error)
	RestrictedServices(ctx context.Context, actor, dataset string) ([]portal.MapService, error)
}

// orgServicesMax is how many of an organisation's services the screen
// lists and offers in its forms.
const orgServicesMax = 1000

// usageDays is the recent period whose usage the screens show.
const usageDays = 31

// permissionsView is the data of the producer's main screen.
type permissionsView struct {
	Org      portal.Organisation
	Services []portal.MapService
	Grants   []grantRow
	Next     string
	Filter   grantFilter
	Errors   fieldError
	Pending  int
	Done     string
	States   []string // the state filter's choices
}

// grantFilter is what the grants list is filtered by, as typed.
type grantFilter struct {
	Service, Beneficiary, State, Within string
}

// grantRow is a grant as the list shows it.
type grantRow struct {
	portal.GrantDetail
	Soon bool // live, and ends within expiringSoon
}

func rowOf(g portal.GrantDetail, now time.Time) grantRow {
	return grantRow{g, g.State == portal.GrantLive && g.Expires != nil && g.Expires.Before(now.Add(expiringSoon))}
}

// orgServices is every service of the organisation, which also
// authorizes the reader (publish on it).
func (u *ui) orgServices(ctx context.Context, actor, org string) ([]portal.MapService, error) {
	ms, _, err := u.cfg.Permissions.OrgServices(ctx, actor, org, "", orgServicesMax)
	return ms, err
}

// producer is what every screen of the producer's permissions starts
// from: the organisation the path names and its services, and the grant
// the path names on a grant's screens.
type producer struct {
	Org      portal.Organisation
	Services []portal.MapService
	Grant    portal.GrantDetail // on a grant's screens
}

// producerOf reads the producer the path names, for a signed-in reader:
// the grant first when withGrant (managedGrant: one the reader manages,
// of that organisation), then the services (orgServices, which
// authorizes the reader), then the organisation.
func (u *ui) producerOf(r *http.Request, v *view, withGrant bool) (producer, error) {
	var p producer
	if v.Actor == "" {
		return p, portal.ErrUnauthenticated
	}
	ctx, org := r.Context(), r.PathValue("id")
	var err error
	if withGrant {
		if p.Grant, err = u.managedGrant(ctx, v.Actor, org, r.PathValue("grant")); err != nil {
			return p, err
		}
	}
	if p.Services, err = u.orgServices(ctx, v.Actor, org); err != nil {
		return p, err
	}
	p.Org, err = u.cfg.Permissions.Organisation(ctx, v.Actor, org)
	return p, err
}

// producerForm is producerOf and the grant form as the request holds it
// (readGrantForm): the answer of the screens that take the form.
func (u *ui) producerForm(r *http.Request, v *view, withGrant bool) (producer, grantForm, *time.Time, error) {
	p, err := u.producerOf(r, v, withGrant)
	if err != nil {
		return p, grantForm{}, nil, err
	}
	f, expires, err := u.readGrantForm(r, v, p.Services)
	return p, f, expires, err
}

func (u *ui) permissions(w http.ResponseWriter, r *http.Request, v *view) error {
	pr, err := u.producerOf(r, v, false)
	if err != nil {
		return err
	}
	ctx, id, o, services := r.Context(), r.PathValue("id"), pr.Org, pr.Services
	q := r.URL.Query()
	p := permissionsView{Org: o, Services: services, Done: doneKey(q.Get("done")), States: []string{"live", "expiring", "expired"},
		Filter: grantFilter{q.Get("service"), q.Get("beneficiary"), q.Get("state"), cmp.Or(q.Get("within"), "30")}}
	gq := portal.OrgGrantQuery{Service: p.Filter.Service, Beneficiary: p.Filter.Beneficiary, After: q.Get("after"), Limit: listPage}
	if gq.Service != "" && !slices.ContainsFunc(services, func(m portal.MapService) bool { return m.ID == gq.Service }) {
		p.Errors.add("f-service", messages.New("ui.perms.unknown_service", gq.Service), v.Lang)
	}
	switch p.Filter.State {
	case "":
	case "live", "expired":
		gq.State = portal.GrantState(p.Filter.State)
	case "expiring":
		n, err := strconv.Atoi(strings.TrimSpace(p.Filter.Within))
		if err != nil || n < 1 || n > 3650 {
			p.Errors.add("f-within", messages.New("ui.perms.bad_days"), v.Lang)
		}
		gq.ExpiringWithin = time.Duration(n) * 24 * time.Hour
	default:
		p.Errors.add("f-state", messages.New("ui.perms.bad_state"), v.Lang)
	}
	status := http.StatusOK
	if len(p.Errors.Msgs) > 0 {
		status = http.StatusBadRequest
	} else {
		gs, next, err := u.cfg.Permissions.OrgGrants(ctx, v.Actor, id, gq)
		if err != nil {
			return err
		}
		now := time.Now()
		for _, g := range gs {
			p.Grants = append(p.Grants, rowOf(g, now))
		}
		p.Next = next
	}
	pending, err := u.cfg.Permissions.AccessRequests(ctx, v.Actor, portal.AccessRequestQuery{Organisation: id, Status: portal.AccessPending, Limit: 1000})
	if err != nil {
		return err
	}
	p.Pending = len(pending)
	v.Title = messages.New("ui.perms.title", o.Name).In(v.Lang)
	v.Data = p
	return u.render(w, status, "permissions", v)
}

// nextQuery is the list's query for the page after next, filters kept.
func (f grantFilter) NextQuery(next string) string {
	q := url.Values{"after": {next}}
	for k, val := range map[string]string{"service": f.Service, "beneficiary": f.Beneficiary, "state": f.State, "within": f.Within} {
		if val != "" {
			q.Set(k, val)
		}
	}
	return q.Encode()
}

// grantForm is the form of a grant, new or changed, as typed: it is
// drawn again with every value kept when something is refused, or when
// the reader searches for beneficiaries without scripts.
type grantForm struct {
	Name        string
	Users       []portal.Named // beneficiaries chosen
	Communities []portal.Named
	Date, Time  string // expiry, in the platform's time zone
	Services    []string
	OnlyOAuth   bool
	Query       string
	FoundUsers  []portal.Account
	FoundComms  []portal.Named
	Searched    bool
	Errors      fieldError
}

// Has reports whether service id is chosen.
func (f grantForm) Has(id string) bool { return slices.Contains(f.Services, id) }

// grantPage is the data of the new-grant and grant screens.
type grantPage struct {
	Org      portal.Organisation
	Services []portal.MapService
	Grant    *portal.GrantDetail // nil: a new grant
	Row      grantRow            // the grant's state, for the marks
	Form     grantForm
	Usage    []usageRow
	Action   string // the form's path
	Done     string
}

// usageRow is the usage of one day (Day; "" when summed over the days)
// on one service or through one grant (Of; "" when summed over them).
type usageRow struct {
	Day, Of                 string
	Allowed, Refused, Bytes int64
}

// sumUsage adds up sums per day (when byDay) and per what of names (a
// service's title, a grant's id; nil: summed over them): newest day first,
// then by Of.
func sumUsage(us []portal.UsageSum, byDay bool, of func(portal.UsageSum) string) []usageRow {
	idx := map[[2]string]int{}
	var out []usageRow
	for _, s := range us {
		var k [2]string
		if byDay {
			k[0] = s.Day
		}
		if of != nil {
			k[1] = of(s)
		}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, usageRow{Day: k[0], Of: k[1]})
		}
		out[i].Allowed += s.Allowed
		out[i].Refused += s.Refused
		out[i].Bytes += s.Bytes
	}
	slices.SortStableFunc(out, func(a, b usageRow) int { return cmp.Or(cmp.Compare(b.Day, a.Day), cmp.Compare(a.Of, b.Of)) })
	return out
}

// benFields maps the portal's field names to the grant form's ids.
var benFields = formFields{
	"name": "g-name", "services": "g-services", "users": "g-ben", "communities": "g-ben",
	"add_users": "g-ben", "add_communities": "g-ben", "remove_users": "g-ben", "remove_communities": "g-ben",
	"expires": "g-date",
}

// readGrantForm reads the form from r (the query of a search, or the
// posted body), checks what the page can check itself (the name, the
// date and time, the services among the organisation's), and names the
// beneficiaries chosen. The error is what the form cannot show.
func (u *ui) readGrantForm(r *http.Request, v *view, services []portal.MapService) (grantForm, *time.Time, error) {
	_ = r.ParseForm()
	f := grantForm{Name: r.Form.Get("name"), Date: strings.TrimSpace(r.Form.Get("expires_date")), Time: strings.TrimSpace(r.Form.Get("expires_time")),
		Services: r.Form["services"], OnlyOAuth: r.Form.Get("only_oauth") != "", Query: strings.TrimSpace(r.Form.Get("q"))}
	var users, comms []string
	for _, b := range r.Form["ben"] {
		kind, id, _ := strings.Cut(b, ":")
		switch kind {
		case "user":
			users = append(users, id)
		case "community":
			comms = append(comms, id)
		default:
			f.Errors.add("g-ben", messages.New("ui.perms.bad_beneficiary", b), v.Lang)
		}
	}
	un, cn, err := u.cfg.Permissions.NameBeneficiaries(r.Context(), v.Actor, users, comms)
	if err != nil {
		un, cn = nil, nil
		for _, id := range users {
			un = append(un, portal.Named{ID: id, Name: id})
		}
		for _, id := range comms {
			cn = append(cn, portal.Named{ID: id, Name: id})
		}
		if !f.addPortal(err, v.Lang) {
			return f, nil, err
		}
	}
	f.Users, f.Communities = un, cn
	if strings.TrimSpace(f.Name) == "" && r.Method == http.MethodPost {
		f.Errors.add("g-name", messages.New("ui.perms.name_empty"), v.Lang)
	}
	for _, s := range f.Services {
		if !slices.ContainsFunc(services, func(m portal.MapService) bool { return m.ID == s }) {
			f.Errors.add("g-services", messages.New("ui.perms.unknown_service", s), v.Lang)
		}
	}
	if len(f.Services) == 0 && r.Method == http.MethodPost {
		f.Errors.add("g-services", messages.New("ui.perms.no_service"), v.Lang)
	}
	var expires *time.Time
	switch {
	case f.Date == "" && f.Time != "":
		f.Errors.add("g-date", messages.New("ui.perms.time_without_date"), v.Lang)
	case f.Date != "":
		day, err := u.parseDay(f.Date)
		if err != nil {
			f.Errors.add("g-date", messages.New("ui.perms.bad_date", f.Date), v.Lang)
			break
		}
		y, m, d := day.Date()
		at := time.Date(y, m, d, 23, 59, 59, 0, day.Location()) // the end of that day
		if f.Time != "" {
			tm, err := time.Parse("15:04", f.Time)
			if err != nil {
				if tm, err = time.Parse("15:04:05", f.Time); err != nil {
					f.Errors.add("g-time", messages.New("ui.perms.bad_time", f.Time), v.Lang)
					break
				}
			}
			at = time.Date(y, m, d, tm.Hour(), tm.Minute(), tm.Second(), 0, day.Location())
		}
		expires = &at
	}
	return f, expires, nil
}

// addPortal ties a portal refusal to its field, or to the whole form; it
// returns false for what the form cannot show (a right refused...).
func (f *grantForm) addPortal(err error, l messages.Lang) bool {
	return f.Errors.refuse(err, l, benFields)
}

// search finds beneficiaries for the form's query, leaving out those
// already chosen.
func (u *ui) search(ctx context.Context, actor string, f *grantForm, l messages.Lang) error {
	if f.Query == "" {
		return nil
	}
	as, cs, err := u.cfg.Permissions.SearchBeneficiaries(ctx, actor, f.Query, 20)
	if err != nil {
		if f.addPortal(err, l) {
			return nil
		}
		return err
	}
	f.Searched = true
	for _, a := range as {
		if !slices.ContainsFunc(f.Users, func(n portal.Named) bool { return n.ID == a.ID }) {
			f.FoundUsers = append(f.FoundUsers, a)
		}
	}
	for _, c := range cs {
		if !slices.ContainsFunc(f.Communities, func(n portal.Named) bool { return n.ID == c.ID }) {
			f.FoundComms = append(f.FoundComms, c)
		}
	}
	return nil
}

func permissionsPath(org string) string {
	return "/organisations/" + url.PathEscape(org) + "/permissions"
}

func grantPath(org, id string) string { return permissionsPath(org) + "/grants/" + url.PathEscape(id) }

// newGrant shows the form of a new grant: empty, or as typed when the
// reader searched for beneficiaries without scripts.
func (u *ui) newGrant(w http.ResponseWriter, r *http.Request, v *view) error {
	p, f, _, err := u.producerForm(r, v, false)
	if err != nil {
		return err
	}
	// From a service's line: that service ticked.
	if s := r.URL.Query().Get("service"); len(f.Services) == 0 && slices.ContainsFunc(p.Services, func(m portal.MapService) bool { return m.ID == s }) {
		f.Services = []string{s}
	}
	if err := u.search(r.Context(), v.Actor, &f, v.Lang); err != nil {
		return err
	}
	return u.showGrant(w, v, http.StatusOK, grantPage{Org: p.Org, Services: p.Services, Form: f, Action: permissionsPath(r.PathValue("id")) + "/new"})
}

func (u *ui) showGrant(w http.ResponseWriter, v *view, status int, p grantPage) error {
	if len(p.Form.Errors.Msgs) > 0 && status == http.StatusOK {
		status = http.StatusBadRequest
	}
	if p.Grant == nil {
		v.Title = messages.New("ui.perms.new_title").In(v.Lang)
	} else {
		v.Title = messages.New("ui.perms.grant_title", p.Grant.Name).In(v.Lang)
	}
	v.Data = p
	return u.render(w, status, "permission", v)
}

// createGrant makes the grant the form describes, or draws the form again
// with what is wrong beside its field.
func (u *ui) createGrant(w http.ResponseWriter, r *http.Request, v *view) error {
	p, f, expires, err := u.producerForm(r, v, false)
	if err != nil {
		return err
	}
	ctx, org := r.Context(), r.PathValue("id")
	page := grantPage{Org: p.Org, Services: p.Services, Form: f, Action: permissionsPath(org) + "/new"}
	if len(f.Errors.Msgs) > 0 {
		return u.showGrant(w, v, http.StatusBadRequest, page)
	}
	g, err := u.cfg.Permissions.CreateGrant(ctx, v.Actor, portal.Grant{Name: f.Name, Services: f.Services, Users: ids(f.Users), Communities: ids(f.Communities),
		Expires: expires, OnlyOAuth: f.OnlyOAuth})
	if err != nil {
		if page.Form.addPortal(err, v.Lang) {
			return u.showGrant(w, v, page.Form.Errors.status(), page)
		}
		return err
	}
	http.Redirect(w, r, grantPath(org, g.ID)+"?done=grant_created", http.StatusSeeOther)
	return nil
}

func ids(ns []portal.Named) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

// pathGrant is the grant the path names, of the organisation it names,
// which the reader manages (managedGrant), for the screens that need
// nothing else of the producer (producerOf).
func (u *ui) pathGrant(r *http.Request, v *view) (portal.GrantDetail, error) {
	if v.Actor == "" {
		return portal.GrantDetail{}, portal.ErrUnauthenticated
	}
	return u.managedGrant(r.Context(), v.Actor, r.PathValue("id"), r.PathValue("grant"))
}

// managedGrant is one of org's grants, which the reader manages; a grant
// of another organisation is not found here.
func (u *ui) managedGrant(ctx context.Context, actor, org, id string) (portal.GrantDetail, error) {
	g, err := u.cfg.Permissions.ManagedGrant(ctx, actor, id)
	if err == nil && g.Grantor != org {
		err = errNotFound
	}
	return g, err
}

// grantScreen consults a grant, with its usage, and holds the form that
// changes it (drawn as typed when the reader searched without scripts).
func (u *ui) grantScreen(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := u.producerOf(r, v, true)
	if err != nil {
		return err
	}
	var f grantForm
	if r.URL.Query().Has("name") { // a search without scripts: the form as typed
		if f, _, err = u.readGrantForm(r, v, p.Services); err != nil {
			return err
		}
		if err := u.search(r.Context(), v.Actor, &f, v.Lang); err != nil {
			return err
		}
	} else {
		f = u.grantFormOf(p.Grant)
	}
	return u.showGrantPage(w, r, v, http.StatusOK, p, f)
}

func (u *ui) showGrantPage(w http.ResponseWriter, r *http.Request, v *view, status int, p producer, f grantForm) error {
	g := p.Grant
	since := time.Now().AddDate(0, 0, -usageDays)
	us, err := u.cfg.Permissions.GrantUsage(r.Context(), v.Actor, g.ID, &since)
	if err != nil {
		return err
	}
	titles := map[string]string{}
	for _, m := range p.Services {
		titles[m.ID] = m.Title
	}
	usage := sumUsage(us, true, func(s portal.UsageSum) string { return cmp.Or(titles[s.Service], s.Service) })
	return u.showGrant(w, v, status, grantPage{Org: p.Org, Services: p.Services, Grant: &g, Row: rowOf(g, time.Now()), Form: f, Usage: usage,
		Action: grantPath(p.Org.ID, g.ID), Done: doneKey(r.URL.Query().Get("done"))})
}

// grantFormOf is the change form of g as it stands, its expiry in the
// platform's time zone (the one forms are read in).
func (u *ui) grantFormOf(g portal.GrantDetail) grantForm {
	f := grantForm{Name: g.Name, Users: g.UserNames, Communities: g.CommunityNames, Services: g.Services, OnlyOAuth: g.OnlyOAuth}
	if g.Expires != nil {
		e := g.Expires.In(u.cfg.Location)
		f.Date, f.Time = e.Format(time.DateOnly), e.Format("15:04:05")
	}
	return f
}

// updateGrant applies the change form: name, expiry, services,
// only_oauth, and the beneficiaries added and removed.
func (u *ui) updateGrant(w http.ResponseWriter, r *http.Request, v *view) error {
	p, f, expires, err := u.producerForm(r, v, true)
	if err != nil {
		return err
	}
	ctx, org, g := r.Context(), r.PathValue("id"), p.Grant
	if len(f.Errors.Msgs) > 0 {
		return u.showGrantPage(w, r, v, http.StatusBadRequest, p, f)
	}
	users, comms := ids(f.Users), ids(f.Communities)
	c := portal.GrantChange{Name: &f.Name, SetExpires: true, Expires: expires, Services: f.Services, OnlyOAuth: &f.OnlyOAuth,
		AddUsers: missing(users, g.Users), RemoveUsers: missing(g.Users, users),
		AddCommunities: missing(comms, g.Communities), RemoveCommunities: missing(g.Communities, comms)}
	if _, err := u.cfg.Permissions.UpdateGrant(ctx, v.Actor, g.ID, c); err != nil {
		if f.addPortal(err, v.Lang) {
			return u.showGrantPage(w, r, v, f.Errors.status(), p, f)
		}
		return err
	}
	http.Redirect(w, r, grantPath(org, g.ID)+"?done=grant_changed", http.StatusSeeOther)
	return nil
}

// missing is what of a is not in b.
func missing(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// deleteGrantPage asks to confirm a grant's deletion.
func (u *ui) deleteGrantPage(w http.ResponseWriter, r *http.Request, v *view) error {
	org := r.PathValue("id")
	g, err := u.pathGrant(r, v)
	if err != nil {
		return err
	}
	l := v.Lang
	titles := make([]string, len(g.ServiceList))
	for i, m := range g.ServiceList {
		titles[i] = m.Title
	}
	return u.confirm(w, v, confirmation{
		Question:    messages.New("ui.perms.delete_title", g.Name).In(l),
		Consequence: messages.New("ui.perms.delete_warning").In(l),
		Facts: []fact{
			{messages.New("ui.perms.name").In(l), g.Name},
			{messages.New("ui.perms.beneficiaries").In(l), beneficiaries(g, l)},
			{messages.New("ui.perms.services").In(l), strings.Join(titles, ", ")},
		},
		Action:   grantPath(org, g.ID) + "/delete",
		Button:   messages.New("ui.perms.delete_confirm").In(l),
		Back:     grantPath(org, g.ID),
		BackText: messages.New("ui.perms.keep").In(l),
	})
}

// beneficiaries are g's accounts, then its communities, by name.
func beneficiaries(g portal.GrantDetail, l messages.Lang) string {
	var users, comms []string
	for _, n := range g.UserNames {
		users = append(users, n.Name)
	}
	for _, n := range g.CommunityNames {
		comms = append(comms, messages.New("ui.perms.community_of", n.Name).In(l))
	}
	if len(users) > 0 && len(comms) > 0 {
		return strings.Join(users, ", ") + "; " + strings.Join(comms, ", ")
	}
	return strings.Join(append(users, comms...), ", ")
}

// deleteGrant deletes a grant, once confirmed.
func (u *ui) deleteGrant(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx, org := r.Context(), r.PathValue("id")
	g, err := u.pathGrant(r, v)
	if err != nil {
		return err
	}
	if err := u.cfg.Permissions.DeleteGrant(ctx, v.Actor, g.ID); err != nil {
		return err
	}
	http.Redirect(w, r, permissionsPath(org)+"?done=grant_deleted", http.StatusSeeOther)
	return nil
}

// serviceScreen shows one of the organisation's services and its usage
// per day and grant over the recent period.
func (u *ui) serviceScreen(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ctx, org, id := r.Context(), r.PathValue("id"), r.PathValue("service")
	services, err := u.orgServices(ctx, v.Actor, org)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(services, func(m portal.MapService) bool { return m.ID == id })
	if i < 0 {
		return errNotFound
	}
	since := time.Now().AddDate(0, 0, -usageDays)
	us, err := u.cfg.Permissions.ServiceUsage(ctx, v.Actor, id, &since)
	if err != nil {
		return err
	}
	gs, _, err := u.cfg.Permissions.OrgGrants(ctx, v.Actor, org, portal.OrgGrantQuery{Service: id, Limit: 1000})
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, g := range gs {
		names[g.ID] = g.Name
	}
	v.Title = messages.New("ui.perms.service_title", services[i].Title).In(v.Lang)
	v.Data = struct {
		Org     string
		Service portal.MapService
		Usage   []usageRow
	}{org, services[i], sumUsage(us, true, func(s portal.UsageSum) string { return cmp.Or(names[s.Grant], s.Grant) })}
	return u.render(w, http.StatusOK, "permission_service", v)
}

// publishesFor tells, among the reader's organisations, those whose
// producer's screen they may use: the portal's answer (it lists their
// services), not their role's name.
func (u *ui) publishesFor(ctx context.Context, actor string, mine map[string]portal.OrgRole) (map[string]bool, error) {
	out := map[string]bool{}
	if u.cfg.Permissions == nil {
		return out, nil
	}
	for org := range mine {
		_, _, err := u.cfg.Permissions.OrgServices(ctx, actor, org, "", 1)
		switch {
		case err == nil:
			out[org] = true
		case !isForbidden(err) && !errors.Is(err, portal.ErrNotFound):
			return nil, err
		}
	}
	return out, nil
}
