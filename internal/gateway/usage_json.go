package gateway

import "encoding/json"

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
