package sqlstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/octroi/octroi/internal/tuple"
)

// ChangeBatch encodes many relationships into one changelog row (the
// changelog's "batch" column), so that a large write appends one row per
// ChangeBatchSize changes instead of one row, with its B-tree entry, per
// change. Both backends store the same bytes and decode them with
// DecodeChangeBatch.
//
// The encoding, version 1: a version byte (1), then per relationship a
// flags byte and its fields.
//
//	flags bit i (0–5): identity field i (Key order) equals the previous
//	                   relationship's and is omitted
//	flags bit 6:       caveat: uvarint length + name, then uvarint
//	                   (length + 1) + context JSON, 0 for a nil context
//	flags bit 7:       expiration: varint microseconds since the epoch
//
// Strings are a uvarint length and the bytes. Types and relations repeat
// from one relationship to the next, so they are mostly omitted.
//
// The zero ChangeBatch is ready to use; Reset reuses its buffer.
type ChangeBatch struct {
	buf  []byte
	prev Key
	n    int
}

// ChangeBatchSize is how many changes a write puts in one changelog row:
// rows stay around 100 KiB, and a reader decodes a revision chunk by chunk.
const ChangeBatchSize = 1024

const changeBatchV1 = 1

const (
	flagCaveat     = 1 << 6
	flagExpiration = 1 << 7
)

// Len is the number of relationships added since the last Reset.
func (b *ChangeBatch) Len() int { return b.n }

// Reset empties b, keeping its buffer.
func (b *ChangeBatch) Reset() {
	b.buf, b.prev, b.n = b.buf[:0], Key{}, 0
}

// Add appends r. ctxJSON is the caveat_context value EncodeCaveat returned
// for it (nil or a string), so that a caller that also stores the columns
// encodes the context once. r's expiration must be normalised
// (NormalizeTime).
func (b *ChangeBatch) Add(r tuple.Relationship, ctxJSON any) {
	if b.n == 0 {
		b.buf = append(b.buf[:0], changeBatchV1)
	}
	k := KeyOf(r)
	at := len(b.buf)
	b.buf = append(b.buf, 0)
	var flags byte
	for i, f := range k {
		if b.n > 0 && f == b.prev[i] {
			flags |= 1 << i
			continue
		}
		b.buf = binary.AppendUvarint(b.buf, uint64(len(f)))
		b.buf = append(b.buf, f...)
	}
	if c := r.Caveat; c != nil {
		flags |= flagCaveat
		b.buf = binary.AppendUvarint(b.buf, uint64(len(c.Name)))
		b.buf = append(b.buf, c.Name...)
		if js, ok := ctxJSON.(string); ok {
			b.buf = binary.AppendUvarint(b.buf, uint64(len(js))+1)
			b.buf = append(b.buf, js...)
		} else {
			b.buf = append(b.buf, 0)
		}
	}
	if r.Expiration != nil {
		flags |= flagExpiration
		b.buf = binary.AppendVarint(b.buf, r.Expiration.UnixMicro())
	}
	b.buf[at] = flags
	b.prev = k
	b.n++
}

// Bytes is the encoding of what was added; it is valid until the next Add
// or Reset.
func (b *ChangeBatch) Bytes() []byte { return b.buf }

var errBadBatch = errors.New("malformed changelog batch")

// DecodeChangeBatch calls fn for each of the n relationships encoded in
// data, in order. Expirations come back in UTC.
func DecodeChangeBatch(data []byte, n int, fn func(tuple.Relationship) error) error {
	if len(data) == 0 || data[0] != changeBatchV1 {
		return fmt.Errorf("%w: unknown version", errBadBatch)
	}
	d := data[1:]
	str := func() (string, bool) {
		l, w := binary.Uvarint(d)
		if w <= 0 || l > uint64(len(d)-w) {
			return "", false
		}
		s := string(d[w : w+int(l)])
		d = d[w+int(l):]
		return s, true
	}
	var prev Key
	for i := range n {
		if len(d) == 0 {
			return fmt.Errorf("%w: %d relationships, want %d", errBadBatch, i, n)
		}
		flags := d[0]
		d = d[1:]
		var k Key
		for f := range k {
			if flags&(1<<f) != 0 {
				if i == 0 {
					return fmt.Errorf("%w: relationship 0 repeats a field", errBadBatch)
				}
				k[f] = prev[f]
				continue
			}
			s, ok := str()
			if !ok {
				return fmt.Errorf("%w: relationship %d is cut", errBadBatch, i)
			}
			k[f] = s
		}
		r := tuple.Relationship{
			Resource: tuple.ObjectRef{Type: k[0], ID: k[1]},
			Relation: k[2],
			Subject:  tuple.SubjectRef{Type: k[3], ID: k[4], Relation: k[5]},
		}
		if flags&flagCaveat != 0 {
			name, ok := str()
			if !ok {
				return fmt.Errorf("%w: relationship %d is cut", errBadBatch, i)
			}
			l, w := binary.Uvarint(d)
			if w <= 0 || l > uint64(len(d)-w)+1 {
				return fmt.Errorf("%w: relationship %d is cut", errBadBatch, i)
			}
			var ctxJSON []byte
			if l > 0 {
				ctxJSON = d[w : w+int(l)-1]
			}
			d = d[w+max(int(l)-1, 0):]
			c, err := DecodeCaveat(&name, ctxJSON)
			if err != nil {
				return err
			}
			r.Caveat = c
		}
		if flags&flagExpiration != 0 {
			v, w := binary.Varint(d)
			if w <= 0 {
				return fmt.Errorf("%w: relationship %d is cut", errBadBatch, i)
			}
			d = d[w:]
			t := time.UnixMicro(v).UTC()
			r.Expiration = &t
		}
		if err := fn(r); err != nil {
			return err
		}
		prev = k
	}
	if len(d) != 0 {
		return fmt.Errorf("%w: %d bytes after %d relationships", errBadBatch, len(d), n)
	}
	return nil
}
