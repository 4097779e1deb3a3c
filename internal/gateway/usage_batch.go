package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/store"
)

// The stored form of the events (documents of kind usage_events).
//
// Version 1 (written before usage batches; still read): a JSON array of
// UsageEvent objects, every string written out in every event.
//
// Version 2 (written now): one object per batch of a flush, its strings
// written once and its events as arrays of integers:
//
//	{"v":2,"w":"<writer>","t0":<unix ns>,
//	 "s":["", "<string 1>", …],
//	 "e":[[dt, key, account, status, reason, operation, bytes, n, service₁, grant₁, …, serviceₙ, grantₙ, layer₁, …], …]}
//
// where dt is the event's time in nanoseconds after t0, key, account,
// reason, operation, services, grants and layers index s (0 is ""), and
// the layers are what follows the n service-grant pairs. The same
// decisions take about a fifth of the bytes of version 1, and writing,
// validating and storing them costs in proportion. "w" is the writer
// (see usageWriter), also the document's Parent.
const usageBatchVersion = 2

// usageBatchEncoder writes version-2 batches; its dictionary and buffers
// are reused from one batch to the next (one flush at a time).
type usageBatchEncoder struct {
	dict  map[string]int32
	strs  []string
	evbuf []byte
	// epoch numbers the batch, for the indexes cached in keyInfo.
	epoch uint32
}

// keyInfo is what the usage log keeps of a key (by key string, found once
// per event): its sums (usage_sums.go), and its string's and its
// account's index in the batch being written (when epoch is the
// batch's).
type keyInfo struct {
	sums         []*sumEntry
	epoch        uint32
	ref, acctRef int32
	acct         string
	// grants: the indexes of the key's grants in the batch (a key has
	// one or two, and the batch's dictionary holds the grants of every
	// key: a large map); n of them valid.
	grants [2]struct {
		id  string
		ref int32
	}
	n int8
}

// grantRef returns the index of grant g of the key in the batch.
func (b *usageBatchEncoder) grantRef(ki *keyInfo, g string) int32 {
	for i := range ki.n {
		if ki.grants[i].id == g {
			return ki.grants[i].ref
		}
	}
	r := b.ref(g)
	if int(ki.n) < len(ki.grants) {
		ki.grants[ki.n].id, ki.grants[ki.n].ref = g, r
		ki.n++
	}
	return r
}

// encode returns the document of evs (at least one), written by writer,
// and sets kis[i] to the keyInfo of evs[i]'s key, found in (or added to)
// keys.
func (b *usageBatchEncoder) encode(dst []byte, writer string, evs []UsageEvent, keys map[string]*keyInfo, kis []*keyInfo) []byte {
	if b.dict == nil {
		b.dict = make(map[string]int32, 1024)
	}
	clear(b.dict)
	b.epoch++
	b.strs = append(b.strs[:0], "")
	b.dict[""] = 0
	t0 := evs[0].At.UnixNano()
	e := b.evbuf[:0]
	for i := range evs {
		ev := &evs[i]
		if i > 0 {
			e = append(e, ',')
		}
		e = append(e, '[')
		e = strconv.AppendInt(e, ev.At.UnixNano()-t0, 10)
		ki := keys[ev.Key]
		if ki == nil {
			ki = &keyInfo{}
			keys[ev.Key] = ki
		}
		kis[i] = ki
		if ki.epoch != b.epoch {
			ki.epoch, ki.ref, ki.acctRef, ki.n = b.epoch, int32(len(b.strs)), -1, 0
			b.strs = append(b.strs, ev.Key)
		}
		e = append(e, ',')
		e = strconv.AppendInt(e, int64(ki.ref), 10)
		if ki.acctRef < 0 || ki.acct != ev.Account {
			ki.acct, ki.acctRef = ev.Account, b.ref(ev.Account)
		}
		e = append(e, ',')
		e = strconv.AppendInt(e, int64(ki.acctRef), 10)
		e = append(e, ',')
		e = strconv.AppendInt(e, int64(ev.Status), 10)
		e = b.appendRef(e, ev.Reason)
		e = b.appendRef(e, ev.Operation)
		e = append(e, ',')
		e = strconv.AppendInt(e, ev.Bytes, 10)
		e = append(e, ',')
		e = strconv.AppendInt(e, int64(len(ev.Services)), 10)
		for j, s := range ev.Services {
			e = b.appendRef(e, s)
			g := ""
			if j < len(ev.Grants) {
				g = ev.Grants[j]
			}
			e = append(e, ',')
			e = strconv.AppendInt(e, int64(b.grantRef(ki, g)), 10)
		}
		for _, l := range ev.Layers {
			e = b.appendRef(e, l)
		}
		e = append(e, ']')
	}
	b.evbuf = e
	n := len(e) + len(writer) + 64
	for _, s := range b.strs {
		n += len(s) + 3
	}
	dst = slices.Grow(dst, n) // grown once rather than doubled on the way
	dst = append(dst, `{"v":2,"w":`...)
	dst = appendJSONString(dst, writer)
	dst = append(dst, `,"t0":`...)
	dst = strconv.AppendInt(dst, t0, 10)
	dst = append(dst, `,"s":[`...)
	for i, s := range b.strs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	dst = append(dst, `],"e":[`...)
	dst = append(dst, e...)
	return append(dst, "]}"...)
}

// ref returns the index of s in the batch's dictionary.
func (b *usageBatchEncoder) ref(s string) int32 {
	if s == "" {
		return 0
	}
	i, ok := b.dict[s]
	if !ok {
		i = int32(len(b.strs))
		b.dict[s] = i
		b.strs = append(b.strs, s)
	}
	return i
}

// appendRef appends ",i", i the index of s in the batch's dictionary.
func (b *usageBatchEncoder) appendRef(e []byte, s string) []byte {
	e = append(e, ',')
	return strconv.AppendInt(e, int64(b.ref(s)), 10)
}

// usageBatch is a version-2 document as read.
type usageBatch struct {
	V      int       `json:"v"`
	Writer string    `json:"w"`
	T0     int64     `json:"t0"`
	S      []string  `json:"s"`
	E      [][]int64 `json:"e"`
}

// DecodeUsageEvents reads a usage_events document of any version this
// octroi knows; a version above the one it writes was written by a newer
// octroi and is refused rather than misread.
func DecodeUsageEvents(data []byte) ([]UsageEvent, error) {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) > 0 && data[0] == '[' { // version 1
		var evs []UsageEvent
		if err := json.Unmarshal(data, &evs); err != nil {
			return nil, fmt.Errorf("usage events (version 1): %w", err)
		}
		return evs, nil
	}
	var b usageBatch
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("usage events: %w", err)
	}
	if b.V != usageBatchVersion {
		return nil, fmt.Errorf("usage events of version %d: this octroi reads versions 1 and %d", b.V, usageBatchVersion)
	}
	str := func(i int64) (string, error) {
		if i < 0 || i >= int64(len(b.S)) {
			return "", fmt.Errorf("usage events: string %d of %d", i, len(b.S))
		}
		return b.S[i], nil
	}
	evs := make([]UsageEvent, len(b.E))
	for i, a := range b.E {
		if len(a) < 8 || a[7] < 0 || a[7] > int64(len(a)-8)/2 { // not 8+2*a[7]: a corrupt count would overflow it
			return nil, fmt.Errorf("usage events: event %d is %d numbers long", i, len(a))
		}
		ev := &evs[i]
		ev.At = time.Unix(0, b.T0+a[0]).UTC()
		var err error
		var errs [4]error
		ev.Key, errs[0] = str(a[1])
		ev.Account, errs[1] = str(a[2])
		ev.Status = int(a[3])
		ev.Reason, errs[2] = str(a[4])
		ev.Operation, errs[3] = str(a[5])
		ev.Bytes = a[6]
		if err := errors.Join(errs[:]...); err != nil {
			return nil, err
		}
		n := int(a[7])
		if n > 0 {
			ev.Services, ev.Grants = make([]string, n), make([]string, n)
		}
		for j := range n {
			if ev.Services[j], err = str(a[8+2*j]); err != nil {
				return nil, err
			}
			if ev.Grants[j], err = str(a[9+2*j]); err != nil {
				return nil, err
			}
		}
		for _, l := range a[8+2*n:] {
			s, err := str(l)
			if err != nil {
				return nil, err
			}
			ev.Layers = append(ev.Layers, s)
		}
	}
	return evs, nil
}

// ReadUsageEvents calls fn with the events of the days from through to
// (YYYY-MM-DD, UTC, both included; "" for no bound), document by
// document in the order they were written, whatever version wrote them.
// It stops at fn's first error and returns it.
func ReadUsageEvents(ctx context.Context, docs store.Documents, from, to string, fn func([]UsageEvent) error) error {
	after := from // ids start with their day: "2026-03-01" sorts just before "2026-03-01/…"
	for {
		ds, err := docs.ListDocs(ctx, KindUsageEvents, "", after, 256)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if day, _, _ := strings.Cut(d.ID, "/"); to != "" && day > to {
				return nil
			}
			evs, err := DecodeUsageEvents(d.Data)
			if err != nil {
				return fmt.Errorf("%s %s: %w", KindUsageEvents, d.ID, err)
			}
			if err := fn(evs); err != nil {
				return err
			}
		}
		if len(ds) < 256 {
			return nil
		}
		after = ds[len(ds)-1].ID
	}
}
