package portal

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The gateway's usage log (package gateway writes it) is read here, by
// whoever may: a key's owner reads the key's, a producer the usage of a
// service they manage. Sums are documents of kind KindUsageDay (Parent:
// the key) and KindUsageDayService (Parent: the service), with ids that
// start with their day.
const (
	KindUsageDay        = "usage_day"
	KindUsageDayService = "usage_day_service"
)

// UsageSum is what one day's usage of one key on one service through one
// grant adds up to. Key is "" for requests without a key (open services,
// refusals before a key was found).
type UsageSum struct {
	Day     string `json:"day"` // YYYY-MM-DD, UTC
	Key     string `json:"key"`
	Account string `json:"account,omitempty"`
	Service string `json:"service"`
	Grant   string `json:"grant,omitempty"`
	Allowed int64  `json:"allowed"`
	Refused int64  `json:"refused"`
	Bytes   int64  `json:"bytes"`
}

// maxUsageDays bounds the days one read returns.
const maxUsageDays = 400

// KeyUsage returns the daily sums of one of the actor's keys since the
// day since (nil: the last 31 days), oldest first.
func (s *Service) KeyUsage(ctx context.Context, actor, id string, since *time.Time) ([]UsageSum, error) {
	if _, err := s.ownKeyRead(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.usage(ctx, KindUsageDay, id, since)
}

// ServiceUsage returns the daily sums of a service, every key's, since
// the day since (nil: the last 31 days), to whoever manages the service
// (its organisation's publishers, a platform administrator).
func (s *Service) ServiceUsage(ctx context.Context, actor, service string, since *time.Time) ([]UsageSum, error) {
	if err := checkID("id", service); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, actor, serviceGuard(service, "manage")); err != nil {
		return nil, err
	}
	return s.usage(ctx, KindUsageDayService, service, since)
}

// usage reads the sums of a key (kind KindUsageDay, parent the key) or
// of a service (KindUsageDayService, parent the service), in both stored
// forms (usagesums.go), added up per day, key, service and grant, in that
// order.
func (s *Service) usage(ctx context.Context, kind, parent string, since *time.Time) ([]UsageSum, error) {
	from := s.now().AddDate(0, 0, -31)
	if since != nil {
		from = *since
	}
	day := from.UTC().Format(time.DateOnly)
	out := []UsageSum{}
	type sumOf struct{ day, key, service, grant string }
	at := map[sumOf]int{}
	add := func(u UsageSum) {
		if u.Day < day || (kind == KindUsageDay && u.Key != parent) || (kind == KindUsageDayService && u.Service != parent) {
			return
		}
		k := sumOf{u.Day, u.Key, u.Service, u.Grant}
		if i, ok := at[k]; ok {
			out[i].Allowed += u.Allowed
			out[i].Refused += u.Refused
			out[i].Bytes += u.Bytes
			out[i].Account = cmp.Or(out[i].Account, u.Account)
			return
		}
		at[k] = len(out)
		out = append(out, u)
	}
	// Ids start with their day: list from the day before since's.
	docs, err := s.docs.ListDocs(ctx, kind, parent, day, maxUsageDays*64)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		var u UsageSum
		if err := json.Unmarshal(d.Data, &u); err != nil {
			return nil, fmt.Errorf("%s %s: %w", kind, d.ID, err)
		}
		add(u)
	}
	shards, shardParent := KindUsageKeys, UsageKeyShardParent(parent)
	if kind == KindUsageDayService {
		shards, shardParent = KindUsageServices, parent
	}
	if docs, err = s.docs.ListDocs(ctx, shards, shardParent, day, maxUsageDays*64); err != nil {
		return nil, err
	}
	for _, d := range docs {
		us, err := DecodeUsageSums(d.Data)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", shards, d.ID, err)
		}
		for _, u := range us {
			add(u)
		}
	}
	slices.SortFunc(out, func(a, b UsageSum) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Key, b.Key), cmp.Compare(a.Service, b.Service), cmp.Compare(a.Grant, b.Grant))
	})
	return out, nil
}

// ownKeyRead returns one of the actor's own keys (key#manage through the
// engine, and ownership: someone else's key is not found).
func (s *Service) ownKeyRead(ctx context.Context, actor, id string) (AccessKey, error) {
	k, err := s.Key(ctx, actor, id)
	if err != nil {
		return AccessKey{}, err
	}
	if k.Owner != actor {
		return AccessKey{}, noSuch(KindAccessKey, id)
	}
	return k, nil
}

// ExplainKey returns key id as the gateway reads it, for an explanation
// of a request on services, to whoever AuthorizeExplain lets ask.
func (s *Service) ExplainKey(ctx context.Context, actor, id string, services []string) (*LiveKey, error) {
	if err := checkID("key", id); err != nil {
		return nil, err
	}
	if err := s.AuthorizeExplain(ctx, actor, id, services); err != nil {
		return nil, err
	}
	d, err := s.docs.GetDoc(ctx, KindAccessKey, id)
	if isNotFound(err) {
		return nil, noSuch(KindAccessKey, id)
	}
	if err != nil {
		return nil, err
	}
	v, err := DecodeCredential(KindAccessKey, d.Data)
	if err != nil {
		return nil, err
	}
	return v.(*LiveKey), nil
}

// AuthorizeExplain says whether actor may ask why the gateway decides as
// it does for key (by id; "" for a request without a key) on services:
// the key's owner or a platform administrator (key#manage), or whoever
// manages one of services (a producer asking why a consumer is refused).
// Everyone else gets the same refusal whether the key exists or not.
func (s *Service) AuthorizeExplain(ctx context.Context, actor, key string, services []string) error {
	var g guard
	if key != "" {
		g.rights = append(g.rights, right{keyRef(key), "manage"})
	}
	for _, svc := range services {
		g.rights = append(g.rights, right{serviceRef(svc), "manage"})
	}
	g.rights = append(g.rights, right{s.platformRef(), "administer"})
	err := s.authorize(ctx, actor, g)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrForbidden) {
		return refuse(ErrForbidden, "gateway.explain_forbidden")
	}
	return err
}
