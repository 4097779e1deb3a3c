package gateway

import (
	"encoding/json"
	"strconv"
	"time"
)

// appendEvents appends evs as JSON, byte for byte what json.Marshal
// writes for them (a test holds it to that): version 1 of the stored
// events (usage_batch.go), which octroi wrote before version 2 and still
// reads; the tests write it to check that it does.
func appendEvents(b []byte, evs []UsageEvent) []byte {
	b = append(b, '[')
	for i := range evs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEvent(b, &evs[i])
	}
	return append(b, ']')
}

func appendEvent(b []byte, e *UsageEvent) []byte {
	b = append(b, `{"at":"`...)
	b = e.At.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = appendStringField(b, "key", e.Key)
	b = appendStringField(b, "account", e.Account)
	b = appendStringsField(b, "services", e.Services)
	b = appendStringsField(b, "grants", e.Grants)
	b = appendStringsField(b, "layers", e.Layers)
	b = appendStringField(b, "operation", e.Operation)
	if e.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(e.Status), 10)
	}
	b = appendStringField(b, "reason", e.Reason)
	if e.Bytes != 0 {
		b = append(b, `,"bytes":`...)
		b = strconv.AppendInt(b, e.Bytes, 10)
	}
	return append(b, '}')
}

// appendStringField appends ,"name":"v" unless v is empty (omitempty).
func appendStringField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, v)
}

func appendStringsField(b []byte, name string, vs []string) []byte {
	if len(vs) == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':', '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, v)
	}
	return append(b, ']')
}

// appendJSONString quotes s as encoding/json does: plain printable ASCII
// as it is, anything else (escapes, HTML characters, other scripts,
// invalid UTF-8) through encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonPlain: the bytes encoding/json writes as they are (one table
// lookup per byte: the usage log writes every key's id).
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()
