package sqlstore

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/octroi/octroi/internal/store"
	"github.com/octroi/octroi/internal/tuple"
)

// Live returns the condition "not expired at now", with now added to a
// (now is the backend's column value for the current time).
func Live(a *Args, now any) string {
	return "(expires_at IS NULL OR expires_at > " + a.Add(now) + ")"
}

// ReadQuery returns the query selecting the live relationships (at now,
// the backend's column value) matching f after the identity after (if not
// nil), in identity order, up to limit rows (≤ 0: no limit); its
// arguments are added to a.
func ReadQuery(f store.Filter, after *Key, limit int, now any, a *Args) string {
	q := `SELECT ` + Columns + ` FROM relationships WHERE ` + FilterWhere(f, a) + ` AND ` + Live(a, now)
	if after != nil {
		q += ` AND ` + KeyAfter(*after, a)
	}
	q += ` ORDER BY ` + IdentityColumns
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	return q
}

// ReadPage is store.Reader.ReadRelationships over a backend's query: it
// checks f and the cursor, asks read for the relationships after the
// identity from (nil: from the first) in identity order, at most n of
// them (≤ 0: all), and cuts the page. read's errors are returned as they
// are, for the backend to convert.
//
// It asks for one row more than limit: that row tells whether there is a
// next page, so the last page never ends with a cursor to an empty one.
func ReadPage(f store.Filter, after store.Cursor, limit int, read func(from *Key, n int) ([]tuple.Relationship, error)) ([]tuple.Relationship, store.Cursor, error) {
	if err := store.ValidateFilter(f); err != nil {
		return nil, "", err
	}
	k, resume, err := DecodeCursor(after)
	if err != nil {
		return nil, "", err
	}
	var from *Key
	if resume {
		from = &k
	}
	n := 0
	if limit > 0 {
		n = limit + 1
	}
	rels, err := read(from, n)
	if err != nil {
		return nil, "", err
	}
	if limit > 0 && len(rels) > limit {
		rels = rels[:limit]
		return rels, EncodeCursor(rels[limit-1]), nil
	}
	return rels, "", nil
}

// KeyAfter returns the condition "identity > k" as a row-value comparison,
// which both SQLite and PostgreSQL answer with an index range scan.
func KeyAfter(k Key, a *Args) string {
	ph := make([]string, len(k))
	for i, v := range k {
		ph[i] = a.Add(v)
	}
	return "(" + IdentityColumns + ") > (" + strings.Join(ph, ", ") + ")"
}

// cursorVersion prefixes cursors so that their encoding can change later.
const cursorVersion = "c1."

// EncodeCursor returns the cursor that resumes after r.
func EncodeCursor(r tuple.Relationship) store.Cursor {
	k := KeyOf(r)
	b, _ := json.Marshal(k[:]) // strings only: cannot fail
	return store.Cursor(cursorVersion + base64.RawURLEncoding.EncodeToString(b))
}

// DecodeCursor parses a cursor; ok is false for the empty cursor.
func DecodeCursor(c store.Cursor) (k Key, ok bool, err error) {
	if c == "" {
		return k, false, nil
	}
	s, found := strings.CutPrefix(string(c), cursorVersion)
	if !found {
		return k, false, fmt.Errorf("%w: malformed cursor", store.ErrInvalid)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return k, false, fmt.Errorf("%w: malformed cursor", store.ErrInvalid)
	}
	var parts []string
	if err := json.Unmarshal(b, &parts); err != nil || len(parts) != len(k) {
		return k, false, fmt.Errorf("%w: malformed cursor", store.ErrInvalid)
	}
	copy(k[:], parts)
	return k, true, nil
}
