package gateway

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// A batch reads back as the events written, whatever their strings,
// times (out of order, across days) and sizes; and it is JSON that the
// store accepts.
func TestUsageBatchRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 7, 23, 59, 59, 999999999, time.UTC)
	evs := []UsageEvent{
		{At: at, Key: "k1", Account: "a1", Services: []string{"s1", "s2"}, Grants: []string{"g1", ""}, Layers: []string{"l1", "l2"}, Operation: "GetMap", Status: 200},
		{At: at.Add(-time.Hour), Status: 401, Reason: ReasonNoKey, Services: []string{"s1"}, Grants: []string{""}},
		{At: at.Add(time.Nanosecond), Key: "k1", Account: "a1", Services: []string{"s1"}, Grants: []string{"g1"}, Bytes: 1 << 40},
		{At: at.Add(48 * time.Hour), Key: `"quoted" \ <html> & été` + "\x00\u2028", Layers: []string{"\xff"}, Status: 403, Reason: ReasonLayerNotGranted},
		{At: at.Add(time.Second), Services: []string{"s3"}}, // no grant given: ""
		{At: at, Status: -1, Bytes: -5},
	}
	var enc usageBatchEncoder
	for round := range 2 { // the encoder is reused
		b := enc.encode(nil, "w-1", evs, map[string]*keyInfo{}, make([]*keyInfo, len(evs)))
		if !json.Valid(b) {
			t.Fatalf("round %d: not JSON: %s", round, b)
		}
		got, err := DecodeUsageEvents(b)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]UsageEvent, len(evs))
		copy(want, evs)
		want[3].Key = `"quoted" \ <html> & été` + "\x00\u2028"
		want[3].Layers = []string{"\ufffd"} // invalid UTF-8, as JSON keeps it
		want[4].Grants = []string{""}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round %d:\n got %+v\nwant %+v", round, got, want)
		}
	}
}

func FuzzUsageBatchRoundTrip(f *testing.F) {
	f.Add("k", "GetMap", "layer", int64(1), 200)
	f.Add("", "", "", int64(-1), 0)
	f.Fuzz(func(t *testing.T, key, op, layer string, ns int64, status int) {
		evs := []UsageEvent{
			{At: time.Unix(0, ns).UTC(), Key: key, Operation: op, Layers: []string{layer, key}, Status: status, Services: []string{layer}, Grants: []string{op}},
			{At: time.Unix(0, ns/2).UTC(), Account: key, Reason: layer},
		}
		var enc usageBatchEncoder
		b := enc.encode(nil, key, evs, map[string]*keyInfo{}, make([]*keyInfo, len(evs)))
		if !json.Valid(b) {
			t.Fatalf("not JSON: %q", b)
		}
		got, err := DecodeUsageEvents(b)
		if err != nil {
			t.Fatal(err)
		}
		// What JSON makes of the strings is what a version-1 document
		// made of them.
		v1, _ := json.Marshal(evs)
		var want []UsageEvent
		if err := json.Unmarshal(v1, &want); err != nil {
			t.Skip()
		}
		for i := range want {
			want[i].At = want[i].At.UTC()
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
}

// A corrupt batch is refused with an error naming the event, never a
// panic: a layer count so large that 8+2*count overflows among them.
func TestUsageBatchCorruptRefused(t *testing.T) {
	for _, doc := range []string{
		`{"v":2,"w":"w","t0":0,"s":["k"],"e":[[0,0,0,0,0,0,0,4611686018427387904]]}`,
		`{"v":2,"w":"w","t0":0,"s":["k"],"e":[[0,0,0,0,0,0,0,9223372036854775807]]}`,
		`{"v":2,"w":"w","t0":0,"s":["k"],"e":[[0,0,0,0,0,0,0,1]]}`,
		`{"v":2,"w":"w","t0":0,"s":["k"],"e":[[0,0,0]]}`,
	} {
		if _, err := DecodeUsageEvents([]byte(doc)); err == nil {
			t.Errorf("%s: read, want an error", doc)
		}
	}
}
