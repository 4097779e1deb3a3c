package ui

import (
	"context"

	"github.com/octroi/octroi/internal/portal"
)

// KeysStates is KeyStates for many keys at once: a KeyStates that
// implements it says what every key of the keys list opens in one call
// (the server's asks the gateway once for them all), where the list
// otherwise asks key by key.
type KeysStates interface {
	KeysStates(ctx context.Context, actor string, ids []string) ([][]KeyState, error)
}

// keysStates says what each of ks opens now, in order (nil for a key with
// no access, or without KeyStates).
func (u *ui) keysStates(ctx context.Context, actor string, ks []portal.AccessKey) ([][]KeyState, error) {
	out := make([][]KeyState, len(ks))
	b, ok := u.cfg.KeyStates.(KeysStates)
	if !ok {
		for i, k := range ks {
			var err error
			if out[i], err = u.keyStates(ctx, actor, k); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	var ids []string
	var at []int
	for i, k := range ks {
		if len(k.Accesses) > 0 {
			ids, at = append(ids, k.ID), append(at, i)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	states, err := b.KeysStates(ctx, actor, ids)
	if err != nil {
		return nil, err
	}
	for j, i := range at {
		out[i] = states[j]
	}
	return out, nil
}
