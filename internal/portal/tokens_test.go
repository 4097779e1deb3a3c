package portal_test

import (
	"errors"
	"github.com/octroi/octroi/internal/messages"
	"strings"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/portal"
)

// TestTokenExpiry: a token with an expiry works until then, is refused
// from then on with an ErrUnauthenticated that says so (and
// when), and is listed with its expiry, as expired; an expiry in the past
// is refused at creation.
func TestTokenExpiry(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		newWorld(t, e)
		svc, ctx := e.svc, e.ctx
		at := e.clock.Now().Add(time.Hour)
		tok, secret, err := svc.CreateToken(ctx, "reg", "for a day", &at)
		ok(t, err)
		if tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(at) {
			t.Fatalf("created token %+v, want expiry %s", tok, at)
		}
		_, forever, err := svc.CreateToken(ctx, "reg", "forever", nil)
		ok(t, err)
		if a, err := svc.Authenticate(ctx, secret); err != nil || a.ID != "reg" {
			t.Fatalf("before expiry: %v %v", a, err)
		}
		e.clock.Advance(time.Hour)
		_, err = svc.Authenticate(ctx, secret)
		var pe *portal.Error
		if !errors.As(err, &pe) || !strings.Contains(pe.Msg.In(messages.English), "expired at "+at.UTC().Format(time.RFC3339)) ||
			!strings.Contains(pe.Msg.In(messages.French), "a expiré") || !errors.Is(err, portal.ErrUnauthenticated) {
			t.Fatalf("at expiry: %v, want an ErrUnauthenticated that says it expired at %s", err, at)
		}
		if _, err := svc.Authenticate(ctx, forever); err != nil {
			t.Errorf("a token without expiry: %v", err)
		}
		ts := must[[]portal.Token](t)(svc.Tokens(ctx, "reg"))
		var listed int
		for _, x := range ts {
			switch x.ID {
			case tok.ID:
				listed++
				if !x.Expired || x.ExpiresAt == nil || !x.ExpiresAt.Equal(at) {
					t.Errorf("the expired token is listed as %+v", x)
				}
			default:
				if x.Expired || x.ExpiresAt != nil {
					t.Errorf("a token without expiry is listed as %+v", x)
				}
			}
		}
		if listed != 1 {
			t.Errorf("tokens: %+v", ts)
		}
		past := e.clock.Now().Add(-time.Second)
		_, _, err = svc.CreateToken(ctx, "reg", "late", &past)
		wantErr(t, err, portal.ErrInvalid)
	})
}
