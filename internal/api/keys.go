package api

import (
	"context"
	"net/http"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// AccessKeys are the caller's access keys for the gateway (/me/keys), and
// their revocation by a platform administrator (/keys/{id}/revoke).
type AccessKeys interface {
	CreateKey(ctx context.Context, actor string, spec portal.KeySpec) (portal.AccessKey, string, error)
	Keys(ctx context.Context, actor string) ([]portal.AccessKey, error)
	Key(ctx context.Context, actor, id string) (portal.AccessKey, error)
	UpdateKey(ctx context.Context, actor, id string, ch portal.KeyChange) (portal.AccessKey, error)
	RegenerateKey(ctx context.Context, actor, id string) (portal.AccessKey, string, error)
	DeleteKey(ctx context.Context, actor, id string) error
	RevokeKey(ctx context.Context, actor, id string) (portal.AccessKey, error)
	KeyUsage(ctx context.Context, actor, id string, since *time.Time) ([]portal.UsageSum, error)
	ServiceUsage(ctx context.Context, actor, service string, since *time.Time) ([]portal.UsageSum, error)
	PlatformKeys(ctx context.Context, actor string, q portal.KeyQuery) ([]portal.PlatformKey, string, error)
}

// GatewayExplainer says why the gateway allows or refuses a request for a
// key, to whoever may ask (the key's owner, a producer managing a service
// the request reaches, a platform administrator).
type GatewayExplainer interface {
	ExplainGateway(ctx context.Context, actor string, q GatewayExplainRequest) (GatewayExplanation, error)
}

// GET /api/v1/me/keys
func (a *api) listMyKeys(w http.ResponseWriter, r *http.Request) error {
	ks, err := a.Portal.Keys.Keys(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, AccessKeyList{Keys: each(ks, keyOut)})
}

// POST /api/v1/me/keys: a new key; its secret is in this answer only.
func (a *api) createMyKey(w http.ResponseWriter, r *http.Request) error {
	var req CreateKeyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	k, secret, err := a.Portal.Keys.CreateKey(r.Context(), actor(r), req.spec())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return created(w, CreatedKey{Key: keyOut(k), Secret: secret})
}

// GET /api/v1/me/keys/{id}
func (a *api) getMyKey(w http.ResponseWriter, r *http.Request) error {
	k, err := a.Portal.Keys.Key(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	if k.Owner != actor(r) {
		// An administrator sees keys through revocation only: /me is
		// one's own.
		return &portal.Error{Kind: portal.ErrNotFound, Msg: noSuchKey(r.PathValue("id"))}
	}
	return writeJSON(w, http.StatusOK, keyOut(k))
}

// PATCH /api/v1/me/keys/{id}: rename, disable or enable, change filters
// or accesses (each only when given).
func (a *api) updateMyKey(w http.ResponseWriter, r *http.Request) error {
	var req UpdateKeyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	k, err := a.Portal.Keys.UpdateKey(r.Context(), actor(r), r.PathValue("id"), req.change())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, keyOut(k))
}

// POST /api/v1/me/keys/{id}/secret: a new secret (BASIC: password), shown
// only here; the old one is refused from now on.
func (a *api) regenerateMyKey(w http.ResponseWriter, r *http.Request) error {
	k, secret, err := a.Portal.Keys.RegenerateKey(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, CreatedKey{Key: keyOut(k), Secret: secret})
}

// DELETE /api/v1/me/keys/{id}
func (a *api) deleteMyKey(w http.ResponseWriter, r *http.Request) error {
	if err := a.Portal.Keys.DeleteKey(r.Context(), actor(r), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

// GET /api/v1/me/keys/{id}/usage?since=
func (a *api) myKeyUsage(w http.ResponseWriter, r *http.Request) error {
	since, err := optionalTime(r, "since")
	if err != nil {
		return err
	}
	us, err := a.Portal.Keys.KeyUsage(r.Context(), actor(r), r.PathValue("id"), since)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, UsageList{Days: each(us, usageOut)})
}

// GET /api/v1/services/{id}/usage?since=: a producer's view.
func (a *api) serviceUsage(w http.ResponseWriter, r *http.Request) error {
	since, err := optionalTime(r, "since")
	if err != nil {
		return err
	}
	us, err := a.Portal.Keys.ServiceUsage(r.Context(), actor(r), r.PathValue("id"), since)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, UsageList{Days: each(us, usageOut)})
}

// POST /api/v1/keys/{id}/revoke: for good (key#manage: a platform
// administrator on any key, the owner on theirs).
func (a *api) revokeKey(w http.ResponseWriter, r *http.Request) error {
	k, err := a.Portal.Keys.RevokeKey(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, keyOut(k))
}

// POST /api/v1/gateway/explain
func (a *api) explainGateway(w http.ResponseWriter, r *http.Request) error {
	var req GatewayExplainRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	out, err := a.Portal.Gateway.ExplainGateway(r.Context(), actor(r), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func optionalTime(r *http.Request, name string) (*time.Time, error) {
	t, err := queryTime(r, name)
	if err != nil || t.IsZero() {
		return nil, err
	}
	return &t, nil
}

// GET /api/v1/keys?q=&owner=&cursor=&limit=: every key of the platform,
// with its owner, to its administrators (the keys they may revoke).
func (a *api) listPlatformKeys(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := a.page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ks, next, err := a.Portal.Keys.PlatformKeys(r.Context(), actor(r), portal.KeyQuery{Owner: q.Get("owner"), Search: q.Get("q"), After: after, Limit: limit})
	if err != nil {
		return err
	}
	out := PlatformKeyList{Keys: make([]PlatformKey, len(ks)), Cursor: next}
	for i, k := range ks {
		out.Keys[i] = PlatformKey{Key: keyOut(k.AccessKey), OwnerName: k.OwnerName, OwnerEmail: k.OwnerEmail}
	}
	return writeJSON(w, http.StatusOK, out)
}
