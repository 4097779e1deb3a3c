package sqlstore

import (
	"reflect"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/tuple"
)

func batchSample() []tuple.Relationship {
	exp := time.Date(2999, 1, 2, 3, 4, 5, 6000, time.UTC)
	old := time.Date(1969, 12, 31, 23, 59, 59, 1000, time.UTC) // negative micros
	return []tuple.Relationship{
		{Resource: tuple.ObjectRef{Type: "document", ID: "a"}, Relation: "viewer", Subject: tuple.SubjectRef{Type: "user", ID: "1"}},
		{Resource: tuple.ObjectRef{Type: "document", ID: "a"}, Relation: "viewer", Subject: tuple.SubjectRef{Type: "user", ID: "1"}}, // all repeated
		{Resource: tuple.ObjectRef{Type: "document", ID: "b\"🙂"}, Relation: "viewer", Subject: tuple.SubjectRef{Type: "group", ID: "g", Relation: "member"},
			Caveat: &tuple.Caveat{Name: "ip", Context: map[string]any{"cidr": "10.0.0.0/8", "n": 1.5}}},
		{Resource: tuple.ObjectRef{Type: "folder", ID: "b\"🙂"}, Relation: "parent", Subject: tuple.SubjectRef{Type: "group", ID: "g"},
			Caveat: &tuple.Caveat{Name: "nil_context"}, Expiration: &exp},
		{Resource: tuple.ObjectRef{Type: "folder", ID: "c"}, Relation: "parent", Subject: tuple.SubjectRef{Type: "group", ID: "g"},
			Caveat: &tuple.Caveat{Name: "empty_context", Context: map[string]any{}}, Expiration: &old},
		{Resource: tuple.ObjectRef{Type: "folder", ID: "c"}, Relation: "", Subject: tuple.SubjectRef{Type: "", ID: ""}},
	}
}

func encodeBatch(t testing.TB, b *ChangeBatch, rels []tuple.Relationship) []byte {
	b.Reset()
	for _, r := range rels {
		_, cctx, err := EncodeCaveat(r.Caveat)
		if err != nil {
			t.Fatal(err)
		}
		b.Add(r, cctx)
	}
	return b.Bytes()
}

func TestChangeBatchRoundTrip(t *testing.T) {
	rels := batchSample()
	var b ChangeBatch
	for round := range 2 { // the second reuses the buffer
		data := encodeBatch(t, &b, rels)
		if b.Len() != len(rels) {
			t.Fatalf("round %d: Len = %d, want %d", round, b.Len(), len(rels))
		}
		var got []tuple.Relationship
		if err := DecodeChangeBatch(data, len(rels), func(r tuple.Relationship) error {
			got = append(got, r)
			return nil
		}); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if !reflect.DeepEqual(got, rels) {
			t.Fatalf("round %d: got %+v, want %+v", round, got, rels)
		}
	}
	data := encodeBatch(t, &b, rels)
	for _, n := range []int{len(rels) - 1, len(rels) + 1} {
		if err := DecodeChangeBatch(data, n, func(tuple.Relationship) error { return nil }); err == nil {
			t.Errorf("decoding %d of %d relationships: got no error", n, len(rels))
		}
	}
}

func FuzzDecodeChangeBatch(f *testing.F) {
	var b ChangeBatch
	f.Add(encodeBatch(f, &b, batchSample()), 6)
	f.Add([]byte{1, 0x3f}, 1)
	f.Add([]byte{1, 0x40, 0, 0, 0, 0, 0, 0, 1, 'c', 200}, 1)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		if n < 1 || n > 1000 { // a stored batch holds at least one change
			return
		}
		var got []tuple.Relationship
		if err := DecodeChangeBatch(data, n, func(r tuple.Relationship) error {
			got = append(got, r)
			return nil
		}); err != nil {
			return
		}
		// What decodes re-encodes to bytes that decode the same.
		again := encodeBatch(t, &b, got)
		var back []tuple.Relationship
		if err := DecodeChangeBatch(again, len(got), func(r tuple.Relationship) error {
			back = append(back, r)
			return nil
		}); err != nil || !reflect.DeepEqual(back, got) {
			t.Fatalf("re-encoding %+v: %v, %+v", got, err, back)
		}
	})
}
