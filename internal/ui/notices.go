package ui

import (
	"cmp"
	"context"
	"net/http"
	"time"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// Notices is what the notices screen needs of the domain.
type Notices interface {
	Notices(ctx context.Context, actor, after string, limit int) ([]portal.Notice, error)
	// Preferences: which of them come by e-mail, and in which language.
	Preferences
}

// noticeArgs names, per kind, the notice data that its sentence
// (key "ui.notice." + kind) takes, in order. A kind not listed here
// shows a generic sentence naming it: a notice is never hidden.
var noticeArgs = map[string][]string{
	"account.created":                {"organisation"},
	"join_request.created":           {"organisation"},
	"join_request.accepted":          {"organisation"},
	"join_request.refused":           {"organisation", "reason"},
	"community.invitation.created":   {"community"},
	"community.invitation.accepted":  {"community"},
	"community.invitation.declined":  {"community"},
	"community.invitation.withdrawn": {"community"},
	"access_request.created":         {"dataset"},
	"access_request.accepted":        {"dataset"},
	"access_request.refused":         {"dataset", "reason"},
	"grant.expiring":                 {"grant", "expires"},
	"grant.expired":                  {"grant", "expires"},
	"grant.created":                  {"organisation", "grant"},
	"key.grants_expired":             {"name", "expires"},
	// A request cancelled by a deletion: one sentence per cause (see
	// noticeVariants), naming what was deleted by the name the notice kept.
	"access_request.cancelled.dataset_deleted":   {"dataset_title"},
	"access_request.cancelled.community_deleted": {"dataset_title", "community_name"},
	"access_request.cancelled.services_deleted":  {"dataset_title"},
	"access_request.cancelled.grant_deleted":     {"dataset_title"},
	// A grant deleted with the last service it covered (portal/grantempty.go).
	"grant.deleted.services_deleted": {"grant_name", "organisation"},
	// A join request cancelled with its organisation (portal/orgdelete.go).
	"join_request.cancelled": {"organisation_name"},
}

// noticeVariants are the kinds whose sentence depends on a data value:
// the sentence is that of kind + "." + the value (a value without one
// shows the generic sentence).
var noticeVariants = map[string]string{"access_request.cancelled": "cause", "grant.deleted": "cause"}

// notice is a notice as the screen shows it.
type notice struct {
	Created time.Time
	Text    messages.Message
	Link    string
}

// noticeLinks are where a notice of a kind leads, from its data.
var noticeLinks = map[string]func(d map[string]string) string{
	"join_request.created":         func(d map[string]string) string { return "/organisations/" + d["organisation"] + "/members" },
	"join_request.accepted":        func(d map[string]string) string { return "/organisations/" + d["organisation"] + "/members" },
	"community.invitation.created": func(map[string]string) string { return "/communities" },
	"access_request.accepted":      func(d map[string]string) string { return "/datasets/" + d["dataset"] },
	"grant.created":                func(map[string]string) string { return "/me/grants" },
	"key.grants_expired":           func(map[string]string) string { return "/me/grants" },
	"access_request.cancelled":     func(map[string]string) string { return "/access-requests" },
	"grant.deleted":                func(map[string]string) string { return "/me/grants" },
}

func (u *ui) notices(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.Actor == "" {
		return portal.ErrUnauthenticated
	}
	ns, err := u.cfg.Notices.Notices(r.Context(), v.Actor, r.URL.Query().Get("after"), listPage+1)
	if err != nil {
		return err
	}
	ns, next := page(ns, func(n portal.Notice) string { return n.ID })
	out := make([]notice, len(ns))
	for i, n := range ns {
		out[i] = notice{Created: n.Created, Text: noticeText(n)}
		if f, ok := noticeLinks[n.Kind]; ok {
			out[i].Link = f(n.Data)
		}
	}
	v.Title = messages.New("ui.notices.title").In(v.Lang)
	v.Data = struct {
		Notices []notice
		Next    string
	}{out, next}
	return u.render(w, http.StatusOK, "notices", v)
}

// noticeText is the sentence of a notice in the catalogue.
func noticeText(n portal.Notice) messages.Message {
	kind := n.Kind
	if k, ok := noticeVariants[kind]; ok {
		kind += "." + n.Data[k]
	}
	names, ok := noticeArgs[kind]
	if !ok {
		return messages.New("ui.notice.other", n.Kind)
	}
	args := make([]any, len(names))
	for i, k := range names {
		args[i] = cmp.Or(n.Names[k], n.Data[k]) // by name when the notice kept it
	}
	return messages.New(messages.Key("ui.notice."+kind), args...)
}
