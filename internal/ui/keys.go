package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// The access keys screens of source 000 ("Mes clés d'accès"): a
// consumer's keys, each with what it opens now (and why not), the
// capabilities URLs to copy, its usage, and the forms to create, change,
// regenerate, disable and delete it; and, for platform administrators,
// every key of the platform to revoke. A secret is shown once, in the
// answer to the form that made it (never in a URL, never again).

// Keys is what these screens need of the domain (*portal.Service).
type Keys interface {
	CreateKey(ctx context.Context, actor string, spec portal.KeySpec) (portal.AccessKey, string, error)
	Keys(ctx context.Context, actor string) ([]portal.AccessKey, error)
	Key(ctx context.Context, actor, id string) (portal.AccessKey, error)
	UpdateKey(ctx context.Context, actor, id string, ch portal.KeyChange) (portal.AccessKey, error)
	RegenerateKey(ctx context.Context, actor, id string) (portal.AccessKey, string, error)
	DeleteKey(ctx context.Context, actor, id string) error
	RevokeKey(ctx context.Context, actor, id string) (portal.AccessKey, error)
	KeyUsage(ctx context.Context, actor, id string, since *time.Time) ([]portal.UsageSum, error)
	PlatformKeys(ctx context.Context, actor string, q portal.KeyQuery) ([]portal.PlatformKey, string, error)
	MyGrants(ctx context.Context, actor string, q portal.GrantQuery) ([]portal.HeldGrant, string, error)
	OAuth2KeysAvailable() bool
}

// KeyStates says what a key opens now, service by service, as the
// gateway would decide (the server builds it over the gateway's
// decider). It authorizes the actor for the key itself.
type KeyStates interface {
	KeyStates(ctx context.Context, actor, id string) ([]KeyState, error)
}

// KeyState is whether a key opens one of the services it has an access
// to: Service.ID always, the rest of Service while the service exists;
// Why says why not (or what opens it) in the reader's language.
type KeyState struct {
	Service portal.MapService
	Opens   bool
	Reason  string
	Why     messages.Message
}

// keyTypes are the types a form offers, in its order.
var keyTypes = []portal.KeyType{portal.KeyHash, portal.KeyBasic, portal.KeyHeader, portal.KeyOAuth2}

// keyForm is what the create and change forms hold: what was typed,
// kept when it is refused, and the refusal tied to its field.
type keyForm struct {
	Name, Type, UserName, Header, ClientID string
	IPAllow, IPDeny, Referers, UserAgents  string // one item a line
	Accesses                               map[string]bool
	Err                                    fieldError // the refusal, tied to its field
}

// keyRow is a key as the list shows it.
type keyRow struct {
	portal.AccessKey
	States []KeyState
	Opens  int // how many services it opens now
}

// grantChoice is a grant of the reader's as the accesses picker shows it.
type grantChoice struct {
	portal.HeldGrant
	Live bool
}

// keysView is the data of the list screen.
type keysView struct {
	Keys   []keyRow
	Form   keyForm
	Grants []grantChoice
	Kept   []portal.KeyAccess // none on a new key: keyaccesses reads it
	Types  []portal.KeyType
	OAuth2 bool
	Done   string
}

// keyView is the data of one key's screen.
type keyView struct {
	Key    portal.AccessKey
	States []KeyState
	Opens  int
	// Secret is the key's secret, only in the answer that made it.
	Secret string
	URLs   []capURL
	Form   keyForm
	Grants []grantChoice
	// Kept are accesses of the key through grants the reader no longer
	// holds: listed so that a change does not drop them unseen.
	Kept   []portal.KeyAccess
	Usage  keyUsage
	Done   string
	OAuth2 bool
}

// capURL is a copy-ready way to ask a service for its capabilities with
// the key: a URL (HASH) or a curl line (the other types).
type capURL struct {
	Service portal.MapService
	ID      string // of the element holding it, for the copy button
	Text    string
	Curl    bool
}

// keyUsage is a key's usage log, summed by day and by service.
type keyUsage struct {
	Days     []usageRow
	Services []usageRow
}

func (u *ui) myKeys(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	return u.showKeys(w, r, v, http.StatusOK, keyForm{Type: string(portal.KeyHash)}, doneKey(r.URL.Query().Get("done")))
}

func (u *ui) showKeys(w http.ResponseWriter, r *http.Request, v *view, status int, f keyForm, done string) error {
	ctx := r.Context()
	ks, err := u.cfg.Keys.Keys(ctx, v.Actor)
	if err != nil {
		return err
	}
	states, err := u.keysStates(ctx, v.Actor, ks)
	if err != nil {
		return err
	}
	rows := make([]keyRow, len(ks))
	for i, k := range ks {
		rows[i] = keyRow{AccessKey: k, States: states[i], Opens: opens(states[i])}
	}
	gs, err := u.heldGrants(ctx, v.Actor)
	if err != nil {
		return err
	}
	v.Title = messages.New("ui.keys.title").In(v.Lang)
	v.Data = keysView{Keys: rows, Form: f, Grants: gs, Types: keyTypes, OAuth2: u.cfg.Keys.OAuth2KeysAvailable(), Done: done}
	return u.render(w, status, "keys", v)
}

// keyStates is what k opens now (none when the server gives no
// KeyStates).
func (u *ui) keyStates(ctx context.Context, actor string, k portal.AccessKey) ([]KeyState, error) {
	if u.cfg.KeyStates == nil || len(k.Accesses) == 0 {
		return nil, nil
	}
	return u.cfg.KeyStates.KeyStates(ctx, actor, k.ID)
}

func opens(ss []KeyState) int {
	n := 0
	for _, s := range ss {
		if s.Opens {
			n++
		}
	}
	return n
}

// maxGrantPages bounds the pages of grants read for the picker.
const maxGrantPages = 20

// heldGrants are the reader's grants, live and expired, for the picker.
func (u *ui) heldGrants(ctx context.Context, actor string) ([]grantChoice, error) {
	var out []grantChoice
	after := ""
	for range maxGrantPages {
		gs, next, err := u.cfg.Keys.MyGrants(ctx, actor, portal.GrantQuery{After: after, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			out = append(out, grantChoice{g, g.State == portal.GrantLive})
		}
		if next == "" {
			break
		}
		after = next
	}
	return out, nil
}

// readKeyForm reads the create or change form.
func readKeyForm(r *http.Request) (keyForm, error) {
	if err := readForm(r); err != nil {
		return keyForm{}, err
	}
	p := r.PostForm
	f := keyForm{Name: p.Get("name"), Type: p.Get("type"), UserName: p.Get("user_name"), Header: p.Get("header"), ClientID: p.Get("oauth2_client_id"),
		IPAllow: p.Get("ip_allow"), IPDeny: p.Get("ip_deny"), Referers: p.Get("referers"), UserAgents: p.Get("user_agents"), Accesses: map[string]bool{}}
	for _, a := range p["access"] {
		f.Accesses[a] = true
	}
	return f, nil
}

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (f keyForm) filters() portal.KeyFilters {
	return portal.KeyFilters{IPAllow: lines(f.IPAllow), IPDeny: lines(f.IPDeny), Referers: lines(f.Referers), UserAgents: lines(f.UserAgents)}
}

// pairs are the accesses ticked, each "grant/service" (ids hold no "/").
// A value without "/" is kept as a grant alone, for the portal to refuse.
func (f keyForm) pairs() []portal.AccessPair {
	out := []portal.AccessPair{}
	for a := range f.Accesses {
		g, s, _ := strings.Cut(a, "/")
		out = append(out, portal.AccessPair{Grant: g, Service: s})
	}
	slices.SortFunc(out, func(a, b portal.AccessPair) int { return strings.Compare(a.Grant+"/"+a.Service, b.Grant+"/"+b.Service) })
	return out
}

func accessValue(grant, service string) string { return grant + "/" + service }

// formOf fills a change form with what k is.
func formOf(k portal.AccessKey) keyForm {
	f := keyForm{Name: k.Name, Type: string(k.Type), UserName: k.UserName, Header: k.Header,
		IPAllow: strings.Join(k.Filters.IPAllow, "\n"), IPDeny: strings.Join(k.Filters.IPDeny, "\n"),
		Referers: strings.Join(k.Filters.Referers, "\n"), UserAgents: strings.Join(k.Filters.UserAgents, "\n"), Accesses: map[string]bool{}}
	if k.OAuth2 != nil {
		f.ClientID = k.OAuth2.ClientID
	}
	for _, a := range k.Accesses {
		f.Accesses[accessValue(a.Grant, a.Service)] = true
	}
	return f
}

// keyFormFields ties the portal's refusals to the form's fields: by the
// field they name, or by the key of a message that does not start with
// its field.
var keyFormFields = formFields{
	"name": "name", "type": "type", "user_name": "user_name", "header": "header", "oauth2_client_id": "oauth2_client_id",
	"filters.ip_allow": "ip_allow", "filters.ip_deny": "ip_deny", "filters.referers": "referers", "filters.user_agents": "user_agents",
	"accesses": "access", "accesses.grant": "access", "accesses.service": "access",
	"invalid.header_name": "header", "invalid.header_reserved": "header", "invalid.user_name": "user_name",
	"invalid.oauth2_unavailable": "type", "invalid.key_type": "type", "invalid.key_field_type": "type",
	"key.grant_not_held": "access", "key.service_not_covered": "access", "key.only_oauth": "access",
}

// refused puts err in f (the message, and its field), or returns err
// when it is not the form's to show.
func refused(f keyForm, err error, l messages.Lang) (keyForm, int, error) {
	if !f.Err.refuse(err, l, keyFormFields) {
		return f, 0, err
	}
	return f, f.Err.status(), nil
}

// createKey makes a key from the form; the answer is the key's screen
// with its secret, this once. A refusal shows the form again, as typed,
// with the reason beside its field.
func (u *ui) createKey(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	f, err := readKeyForm(r)
	if err != nil {
		return err
	}
	spec := portal.KeySpec{Name: f.Name, Type: portal.KeyType(f.Type), Filters: f.filters(), Accesses: f.pairs()}
	switch spec.Type {
	case portal.KeyBasic:
		spec.UserName = f.UserName
	case portal.KeyHeader:
		spec.Header = f.Header
	case portal.KeyOAuth2:
		spec.OAuth2ClientID = f.ClientID
	}
	k, secret, err := u.cfg.Keys.CreateKey(r.Context(), v.Actor, spec)
	if err != nil {
		f, status, err := refused(f, err, v.Lang)
		if err != nil {
			return err
		}
		return u.showKeys(w, r, v, status, f, "")
	}
	return u.showKey(w, r, v, http.StatusCreated, k, secret, formOf(k), "ui.keys.created")
}

// ownKey reads one of the reader's own keys: anyone else's, an
// administrator's reading included, is not found here (administrators
// have /admin/keys).
func (u *ui) ownKey(r *http.Request, v *view) (portal.AccessKey, error) {
	if v.Actor == "" {
		return portal.AccessKey{}, portal.ErrUnauthenticated
	}
	id := r.PathValue("id")
	k, err := u.cfg.Keys.Key(r.Context(), v.Actor, id)
	if err != nil {
		return portal.AccessKey{}, err
	}
	if k.Owner != v.Actor {
		return portal.AccessKey{}, &portal.Error{Kind: portal.ErrNotFound, Msg: messages.New("notfound.object", messages.New("noun.access_key"), messages.Quote(id))}
	}
	return k, nil
}

func (u *ui) myKey(w http.ResponseWriter, r *http.Request, v *view) error {
	k, err := u.ownKey(r, v)
	if err != nil {
		return err
	}
	return u.showKey(w, r, v, http.StatusOK, k, "", formOf(k), doneKey(r.URL.Query().Get("done")))
}

func (u *ui) showKey(w http.ResponseWriter, r *http.Request, v *view, status int, k portal.AccessKey, secret string, f keyForm, done string) error {
	ctx := r.Context()
	states, err := u.keyStates(ctx, v.Actor, k)
	if err != nil {
		return err
	}
	gs, err := u.heldGrants(ctx, v.Actor)
	if err != nil {
		return err
	}
	sums, err := u.cfg.Keys.KeyUsage(ctx, v.Actor, k.ID, nil)
	if err != nil {
		return err
	}
	kv := keyView{Key: k, States: states, Opens: opens(states), Secret: secret, Form: f, Grants: gs, Usage: keyUsage{Days: sumUsage(sums, true, nil), Services: sumUsage(sums, false, func(s portal.UsageSum) string { return s.Service })},
		Done: done, OAuth2: u.cfg.Keys.OAuth2KeysAvailable()}
	held := map[string]bool{}
	for _, g := range gs {
		for _, s := range g.Opens {
			held[accessValue(g.ID, s.ID)] = true
		}
	}
	for _, a := range k.Accesses {
		if !held[accessValue(a.Grant, a.Service)] {
			kv.Kept = append(kv.Kept, a)
		}
	}
	base := u.gatewayBase(r)
	for i, s := range states {
		if s.Opens && s.Service.Path != "" {
			kv.URLs = append(kv.URLs, capabilities(base, k, s.Service, secret, v.Lang, i))
		}
	}
	if secret != "" {
		// The secret must not be kept by the browser's cache or history.
		w.Header().Set("Cache-Control", "no-store")
	}
	v.Title = messages.New("ui.keys.key_title", k.Name).In(v.Lang)
	v.Data = kv
	return u.render(w, status, "key", v)
}

// gatewayBase is where clients reach the map services: the configured
// public URL, else this site.
func (u *ui) gatewayBase(r *http.Request) string {
	if u.cfg.GatewayURL != "" {
		return strings.TrimSuffix(u.cfg.GatewayURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || u.cfg.PublicHTTPS {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// capabilities is the copy-ready request of svc's capabilities with k:
// the secret when the page has it, else a placeholder to replace.
func capabilities(base string, k portal.AccessKey, svc portal.MapService, secret string, l messages.Lang, i int) capURL {
	q := url.Values{}
	switch svc.Type {
	case portal.ServiceWMS:
		q.Set("SERVICE", "WMS")
		q.Set("VERSION", "1.3.0")
	case portal.ServiceWMTS:
		q.Set("SERVICE", "WMTS")
		q.Set("VERSION", "1.0.0")
	case portal.ServiceWFS:
		q.Set("SERVICE", "WFS")
		q.Set("VERSION", "2.0.0")
	}
	if len(q) > 0 {
		q.Set("REQUEST", "GetCapabilities")
	}
	placeholder := messages.New("ui.keys.placeholder").In(l)
	if k.Type == portal.KeyBasic {
		placeholder = messages.New("ui.keys.placeholder_password").In(l)
	}
	if secret == "" {
		secret = placeholder
	}
	u := base + svc.Path
	c := capURL{Service: svc, ID: "cap-" + itoa(i)}
	switch k.Type {
	case portal.KeyHash:
		q.Set("apikey", secret)
		c.Text = u + "?" + encodeOrdered(q)
		return c
	case portal.KeyHeader:
		c.Text = "curl -H '" + k.Header + ": " + secret + "' '" + withQuery(u, q) + "'"
	case portal.KeyBasic:
		c.Text = "curl -u '" + k.UserName + ":" + secret + "' '" + withQuery(u, q) + "'"
	default:
		c.Text = "curl -H 'Authorization: Bearer " + messages.New("ui.keys.placeholder_token").In(l) + "' '" + withQuery(u, q) + "'"
	}
	c.Curl = true
	return c
}

func withQuery(u string, q url.Values) string {
	if len(q) == 0 {
		return u
	}
	return u + "?" + encodeOrdered(q)
}

// encodeOrdered writes an OGC query as people write it: SERVICE, VERSION
// and REQUEST first, the key last.
func encodeOrdered(q url.Values) string {
	var b strings.Builder
	for _, k := range []string{"SERVICE", "VERSION", "REQUEST", "apikey"} {
		if v, ok := q[k]; ok {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k + "=" + url.QueryEscape(v[0]))
		}
	}
	return b.String()
}

// keyAction runs a form of one key: change (name, filters, accesses),
// status (enable or disable), regenerate and delete (each after a
// confirmation page, which a form without confirm=yes shows).
func (u *ui) keyAction(w http.ResponseWriter, r *http.Request, v *view) error {
	k, err := u.ownKey(r, v)
	if err != nil {
		return err
	}
	ctx := r.Context()
	action := r.PathValue("action")
	switch action {
	case "update":
		f, err := readKeyForm(r)
		if err != nil {
			return err
		}
		name, filters, pairs := f.Name, f.filters(), f.pairs()
		f.Type, f.UserName, f.Header, f.ClientID = string(k.Type), k.UserName, k.Header, formOf(k).ClientID
		if _, err := u.cfg.Keys.UpdateKey(ctx, v.Actor, k.ID, portal.KeyChange{Name: &name, Filters: &filters, Accesses: &pairs}); err != nil {
			f, status, err := refused(f, err, v.Lang)
			if err != nil {
				return err
			}
			return u.showKey(w, r, v, status, k, "", f, "")
		}
		return u.back(w, r, k.ID, "key_changed")
	case "status":
		st := portal.KeyStatus(r.PostFormValue("status"))
		if _, err := u.cfg.Keys.UpdateKey(ctx, v.Actor, k.ID, portal.KeyChange{Status: &st}); err != nil {
			return err
		}
		return u.back(w, r, k.ID, map[bool]string{true: "key_enabled", false: "key_disabled"}[st == portal.KeyActive])
	case "regenerate":
		if r.PostFormValue("confirm") != "yes" {
			return u.confirmKey(w, v, k, action, "/me/keys/"+url.PathEscape(k.ID))
		}
		k, secret, err := u.cfg.Keys.RegenerateKey(ctx, v.Actor, k.ID)
		if err != nil {
			return err
		}
		return u.showKey(w, r, v, http.StatusOK, k, secret, formOf(k), "ui.keys.regenerated")
	case "delete":
		if r.PostFormValue("confirm") != "yes" {
			return u.confirmKey(w, v, k, action, "/me/keys/"+url.PathEscape(k.ID))
		}
		if err := u.cfg.Keys.DeleteKey(ctx, v.Actor, k.ID); err != nil {
			return err
		}
		http.Redirect(w, r, "/me/keys?done=key_deleted", http.StatusSeeOther)
		return nil
	}
	return errNotFound
}

func (u *ui) back(w http.ResponseWriter, r *http.Request, id, done string) error {
	http.Redirect(w, r, "/me/keys/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
	return nil
}

// confirmKey asks before an action that cannot be undone.
func (u *ui) confirmKey(w http.ResponseWriter, v *view, k portal.AccessKey, action, cancel string) error {
	post := "/me/keys/" + url.PathEscape(k.ID) + "/" + action
	if action == "revoke" {
		post = "/admin/keys/" + url.PathEscape(k.ID) + "/revoke"
	}
	return u.confirm(w, v, confirmation{
		Question:    messages.New(messages.Key("ui.keys.confirm_"+action), k.Name).In(v.Lang),
		Consequence: messages.New(messages.Key("ui.keys.confirm_" + action + "_help")).In(v.Lang),
		Action:      post,
		Button:      messages.New(messages.Key("ui.keys." + action)).In(v.Lang),
		Back:        cancel,
	})
}

// adminKeys lists the platform's keys, found by key name or owner, for
// its administrators (the portal refuses anyone else).
func (u *ui) adminKeys(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	q := r.URL.Query()
	ks, next, err := u.cfg.Keys.PlatformKeys(r.Context(), v.Actor, portal.KeyQuery{Search: q.Get("q"), After: q.Get("after"), Limit: listPage})
	if err != nil {
		return err
	}
	v.Title = messages.New("ui.keys.admin_title").In(v.Lang)
	v.Data = struct {
		Keys       []portal.PlatformKey
		Query      string
		Next, Done string
	}{ks, q.Get("q"), next, doneKey(q.Get("done"))}
	return u.render(w, http.StatusOK, "adminkeys", v)
}

// adminKeyRevoke revokes a key, after a confirmation page.
func (u *ui) adminKeyRevoke(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ctx, id := r.Context(), r.PathValue("id")
	if r.PostFormValue("confirm") != "yes" {
		// Key answers only whoever may revoke it (key#manage): to
		// anyone else the key does not exist.
		k, err := u.cfg.Keys.Key(ctx, v.Actor, id)
		if err != nil {
			return err
		}
		return u.confirmKey(w, v, k, "revoke", "/admin/keys")
	}
	if _, err := u.cfg.Keys.RevokeKey(ctx, v.Actor, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/keys?done=key_revoked", http.StatusSeeOther)
	return nil
}

// filterField is one of the filters' text areas.
type filterField struct {
	Name, Label, Help, Value, Error string
}

// FilterFields are the filters' text areas, in the form's order.
func (f keyForm) FilterFields() []filterField {
	out := []filterField{
		{Name: "ip_allow", Value: f.IPAllow}, {Name: "ip_deny", Value: f.IPDeny},
		{Name: "referers", Value: f.Referers}, {Name: "user_agents", Value: f.UserAgents},
	}
	for i := range out {
		out[i].Label, out[i].Help, out[i].Error = "ui.keys."+out[i].Name, "ui.keys."+out[i].Name+"_help", f.Err.For(out[i].Name)
	}
	return out
}

// The key forms' reports, by ?done= value (see doneKeys).
func init() {
	for k, v := range map[string]string{
		"key_changed": "ui.keys.changed", "key_enabled": "ui.keys.enabled", "key_disabled": "ui.keys.disabled",
		"key_deleted": "ui.keys.deleted", "key_revoked": "ui.keys.revoked",
	} {
		doneKeys[k] = v
	}
}
