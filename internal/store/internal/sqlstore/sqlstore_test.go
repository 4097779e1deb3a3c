package sqlstore

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

func TestCursorRoundTrip(t *testing.T) {
	r := tuple.Relationship{
		Resource: tuple.ObjectRef{Type: "document", ID: "a\"b/🙂"},
		Relation: "viewer",
		Subject:  tuple.SubjectRef{Type: "group", ID: "x", Relation: ""},
	}
	k, ok, err := DecodeCursor(EncodeCursor(r))
	if err != nil || !ok || k != KeyOf(r) {
		t.Fatalf("DecodeCursor(EncodeCursor) = %v, %v, %v", k, ok, err)
	}
	if _, ok, err := DecodeCursor(""); ok || err != nil {
		t.Errorf("empty cursor: %v, %v", ok, err)
	}
	for _, bad := range []store.Cursor{"x", "c1.!!", "c1.W10", "c1.WyJhIl0"} {
		if _, _, err := DecodeCursor(bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("DecodeCursor(%q): %v, want ErrInvalid", bad, err)
		}
	}
}

func TestHubCoalescesAndCloses(t *testing.T) {
	var h Hub
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := h.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []store.Revision{1, 2, 5, 3} { // 3 arrives late: ignored
		h.Publish(r)
	}
	if got := <-ch; got != 5 {
		t.Errorf("got %d, want the latest, 5", got)
	}
	select {
	case got := <-ch:
		t.Errorf("unexpected %d", got)
	default:
	}
	cancel()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				goto closed
			}
		case <-deadline:
			t.Fatal("channel not closed after cancel")
		}
	}
closed:
	h.Close()
	if _, err := h.Subscribe(context.Background()); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Subscribe after Close: %v", err)
	}
}

func TestLoadMigrationsRefusesGaps(t *testing.T) {
	good := fstest.MapFS{"m/0001_a.sql": {Data: []byte("x")}, "m/0002_b.sql": {Data: []byte("y")}}
	ms, err := LoadMigrations(good, "m")
	if err != nil || len(ms) != 2 || ms[1].Version != 2 || ms[1].Name != "0002_b" {
		t.Fatalf("LoadMigrations = %+v, %v", ms, err)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"gap":       {"m/0001_a.sql": {}, "m/0003_c.sql": {}},
		"duplicate": {"m/0001_a.sql": {}, "m/0001_b.sql": {}},
		"bad name":  {"m/init.sql": {}},
	} {
		if _, err := LoadMigrations(fsys, "m"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
