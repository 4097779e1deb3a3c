package gateway

import (
	"encoding/json"
	"testing"
	"time"
)

// appendEvents must write what json.Marshal writes, so that the stored
// events read back the same whatever wrote them.
func TestAppendEventsIsJSONMarshal(t *testing.T) {
	at := time.Date(2026, 12, 7, 1, 2, 3, 450000000, time.UTC)
	evs := []UsageEvent{
		{At: at},
		{At: at.Add(time.Nanosecond), Key: "k1", Account: "a1", Services: []string{"s1", "s2"}, Grants: []string{"g1", ""}, Layers: []string{"l1"}, Operation: "GetMap", Status: 200},
		{At: at, Key: "k", Services: []string{"s"}, Bytes: 12345},
		{At: at, Status: 403, Reason: "layer_not_granted", Layers: []string{`a"b`, `c\d`, "<x>&", "été", "\x00\x1f", "\xff\xfe", "\u2028"}},
		{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Layers: []string{}, Services: nil, Status: -1, Bytes: -5},
	}
	for n := 0; n <= len(evs); n++ {
		want, err := json.Marshal(evs[:n])
		if err != nil {
			t.Fatal(err)
		}
		if got := appendEvents(nil, evs[:n]); string(got) != string(want) {
			t.Errorf("%d events:\n got %s\nwant %s", n, got, want)
		}
	}
}

func FuzzAppendEventsIsJSONMarshal(f *testing.F) {
	f.Add("k", "GetMap", "layer", int64(1))
	f.Add("<&>", "\u2028", "\xff", int64(-1))
	f.Fuzz(func(t *testing.T, key, op, layer string, ns int64) {
		e := []UsageEvent{{At: time.Unix(0, ns).UTC(), Key: key, Operation: op, Layers: []string{layer, key}, Status: int(ns % 600)}}
		want, err := json.Marshal(e)
		if err != nil {
			t.Skip() // a time json refuses
		}
		if got := appendEvents(nil, e); string(got) != string(want) {
			t.Errorf("got %s\nwant %s", got, want)
		}
	})
}
