package caveat

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
)

// kind is the outer shape of a declared parameter type.
type kind int

const (
	kindAny kind = iota
	kindBool
	kindInt
	kindUint
	kindDouble
	kindString
	kindBytes
	kindDuration
	kindTimestamp
	kindIPAddress
	kindList
	kindMap
)

var basicKinds = map[string]kind{
	"any":       kindAny,
	"bool":      kindBool,
	"int":       kindInt,
	"uint":      kindUint,
	"double":    kindDouble,
	"string":    kindString,
	"bytes":     kindBytes,
	"duration":  kindDuration,
	"timestamp": kindTimestamp,
	"ipaddress": kindIPAddress,
}

// paramType is a parsed parameter type: its shape, its element type for
// list<T> and map<T>, and the CEL type it is declared with.
type paramType struct {
	kind kind
	elem *paramType
	cel  *cel.Type
}

// String gives the canonical spelling, e.g. "list<map<int>>".
func (t *paramType) String() string {
	switch t.kind {
	case kindList:
		return "list<" + t.elem.String() + ">"
	case kindMap:
		return "map<" + t.elem.String() + ">"
	}
	for name, k := range basicKinds {
		if k == t.kind {
			return name
		}
	}
	return "?"
}

// parseType parses a parameter type as written in a schema: a basic type
// name, or list<T> / map<T> with any amount of blank space around the tokens.
func parseType(s string) (*paramType, error) {
	p := typeParser{src: s}
	t, err := p.parse(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, fmt.Errorf("unexpected %q after type", p.src[p.pos:])
	}
	return t, nil
}

const maxTypeDepth = 32

type typeParser struct {
	src string
	pos int
}

func (p *typeParser) skipSpace() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *typeParser) ident() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			p.pos++
			continue
		}
		break
	}
	return p.src[start:p.pos]
}

func (p *typeParser) accept(c byte) bool {
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *typeParser) parse(depth int) (*paramType, error) {
	if depth > maxTypeDepth {
		return nil, errors.New("type nested too deeply")
	}
	name := p.ident()
	if name == "" {
		if p.pos >= len(p.src) {
			return nil, errors.New("missing type")
		}
		return nil, fmt.Errorf("unexpected %q where a type was expected", p.src[p.pos:])
	}
	switch name {
	case "list", "map":
		if !p.accept('<') {
			return nil, fmt.Errorf("%s needs one type argument, as in %s<int>", name, name)
		}
		elem, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.accept(',') {
			if name == "map" {
				return nil, errors.New("map takes one type argument, the type of its values (keys are always strings), as in map<int>")
			}
			return nil, errors.New("list takes one type argument, as in list<int>")
		}
		if !p.accept('>') {
			return nil, fmt.Errorf("missing '>' to close %s<", name)
		}
		if name == "list" {
			return &paramType{kind: kindList, elem: elem, cel: cel.ListType(elem.cel)}, nil
		}
		return &paramType{kind: kindMap, elem: elem, cel: cel.MapType(cel.StringType, elem.cel)}, nil
	}
	k, ok := basicKinds[name]
	if !ok {
		return nil, fmt.Errorf("unknown type %q (want one of any, bool, bytes, double, duration, int, ipaddress, list<T>, map<T>, string, timestamp, uint)", name)
	}
	if p.accept('<') {
		return nil, fmt.Errorf("type %s takes no type argument", name)
	}
	return &paramType{kind: k, cel: basicCELType(k)}, nil
}

func basicCELType(k kind) *cel.Type {
	switch k {
	case kindBool:
		return cel.BoolType
	case kindInt, kindUint:
		// As in SpiceDB, uint is CEL's int restricted to non-negative values,
		// so `count < 10` type-checks without a `10u` literal.
		return cel.IntType
	case kindDouble:
		return cel.DoubleType
	case kindString:
		return cel.StringType
	case kindBytes:
		return cel.BytesType
	case kindDuration:
		return cel.DurationType
	case kindTimestamp:
		return cel.TimestampType
	case kindIPAddress:
		return ipAddressCELType
	default:
		return cel.DynType
	}
}

// convert turns a context value (JSON-shaped or already typed) into the CEL
// value of type t. The error says what was wrong, without the parameter name.
func (t *paramType) convert(v any, adapter types.Adapter) (ref.Val, error) {
	switch t.kind {
	case kindAny:
		if v == nil {
			return types.NullValue, nil
		}
		if rv, ok := v.(ref.Val); ok {
			return rv, nil
		}
		rv := adapter.NativeToValue(v)
		if types.IsError(rv) {
			return nil, fmt.Errorf("unsupported value of Go type %T", v)
		}
		return rv, nil
	case kindBool:
		if b, ok := v.(bool); ok {
			return types.Bool(b), nil
		}
		return nil, wrongValue("a bool", v)
	case kindString:
		if s, ok := v.(string); ok {
			return types.String(s), nil
		}
		return nil, wrongValue("a string", v)
	case kindInt:
		n, err := toInt64(v)
		if err != nil {
			return nil, err
		}
		return types.Int(n), nil
	case kindUint:
		n, err := toInt64(v)
		if err != nil {
			if u, ok := v.(uint64); ok && u > math.MaxInt64 {
				return nil, fmt.Errorf("uint value %d is too large (at most %d)", u, int64(math.MaxInt64))
			}
			return nil, errors.New(strings.Replace(err.Error(), "an integer", "a non-negative integer", 1))
		}
		if n < 0 {
			return nil, fmt.Errorf("want a non-negative integer, got %d", n)
		}
		return types.Int(n), nil
	case kindDouble:
		f, err := toFloat64(v)
		if err != nil {
			return nil, err
		}
		return types.Double(f), nil
	case kindBytes:
		switch x := v.(type) {
		case []byte:
			return types.Bytes(x), nil
		case string:
			b, err := base64.StdEncoding.DecodeString(x)
			if err != nil {
				return nil, fmt.Errorf("want a base64 (standard encoding) string, got %q: %v", truncate(x), err)
			}
			return types.Bytes(b), nil
		}
		return nil, wrongValue("bytes or a base64 string", v)
	case kindDuration:
		switch x := v.(type) {
		case time.Duration:
			return types.Duration{Duration: x}, nil
		case types.Duration:
			return x, nil
		case string:
			d, err := time.ParseDuration(x)
			if err != nil {
				return nil, fmt.Errorf("want a duration such as \"1h30m\", got %q", truncate(x))
			}
			return types.Duration{Duration: d}, nil
		}
		return nil, wrongValue("a duration or a duration string such as \"1h30m\"", v)
	case kindTimestamp:
		switch x := v.(type) {
		case time.Time:
			return types.Timestamp{Time: x}, nil
		case *time.Time:
			if x != nil {
				return types.Timestamp{Time: *x}, nil
			}
		case types.Timestamp:
			return x, nil
		case string:
			ts, err := time.Parse(time.RFC3339, x)
			if err != nil {
				return nil, fmt.Errorf("want an RFC 3339 timestamp such as \"2024-01-02T15:04:05Z\", got %q", truncate(x))
			}
			return types.Timestamp{Time: ts}, nil
		}
		return nil, wrongValue("a timestamp or an RFC 3339 string", v)
	case kindIPAddress:
		return toIPAddress(v)
	case kindList:
		return t.convertList(v, adapter)
	case kindMap:
		return t.convertMap(v, adapter)
	}
	return nil, fmt.Errorf("unsupported parameter type %s", t)
}

func (t *paramType) convertList(v any, adapter types.Adapter) (ref.Val, error) {
	if items, ok := v.([]any); ok {
		out := make([]ref.Val, len(items))
		for i, item := range items {
			rv, err := t.elem.convert(item, adapter)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out[i] = rv
		}
		return types.NewRefValList(adapter, out), nil
	}
	if _, isBytes := v.([]byte); !isBytes && v != nil {
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
			out := make([]ref.Val, rv.Len())
			for i := range out {
				elem, err := t.elem.convert(rv.Index(i).Interface(), adapter)
				if err != nil {
					return nil, fmt.Errorf("element %d: %w", i, err)
				}
				out[i] = elem
			}
			return types.NewRefValList(adapter, out), nil
		}
	}
	return nil, wrongValue("a list", v)
}

func (t *paramType) convertMap(v any, adapter types.Adapter) (ref.Val, error) {
	if m, ok := v.(map[string]any); ok {
		out := make(map[ref.Val]ref.Val, len(m))
		for k, item := range m {
			rv, err := t.elem.convert(item, adapter)
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			out[types.String(k)] = rv
		}
		return types.NewRefValMap(adapter, out), nil
	}
	if v != nil {
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String {
			out := make(map[ref.Val]ref.Val, rv.Len())
			iter := rv.MapRange()
			for iter.Next() {
				k := iter.Key().String()
				elem, err := t.elem.convert(iter.Value().Interface(), adapter)
				if err != nil {
					return nil, fmt.Errorf("key %q: %w", k, err)
				}
				out[types.String(k)] = elem
			}
			return types.NewRefValMap(adapter, out), nil
		}
	}
	return nil, wrongValue("a map with string keys", v)
}

// toInt64 accepts any Go integer in range, an integral float (a JSON number),
// json.Number, or a decimal string (as SpiceDB does).
func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return 0, fmt.Errorf("want an integer, got %d which is out of range", x)
		}
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("want an integer, got %d which is out of range", x)
		}
		return int64(x), nil
	case float64:
		return floatToInt64(x)
	case float32:
		return floatToInt64(float64(x))
	case json.Number:
		return numericStringToInt64(string(x))
	case string:
		return numericStringToInt64(x)
	}
	return 0, wrongValue("an integer", v)
}

func numericStringToInt64(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("want an integer, got string %q", truncate(s))
	}
	return floatToInt64(f)
}

func floatToInt64(f float64) (int64, error) {
	if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("want an integer, got %v", f)
	}
	// float64(math.MaxInt64) rounds up to 2^63, which is out of range.
	if f < -9223372036854775808.0 || f >= 9223372036854775808.0 {
		return 0, fmt.Errorf("want an integer, got %v which is out of range", f)
	}
	return int64(f), nil
}

func toFloat64(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return float64(reflect.ValueOf(x).Convert(reflect.TypeFor[float64]()).Float()), nil
	case json.Number:
		return parseFloatString(string(x))
	case string:
		return parseFloatString(x)
	}
	return 0, wrongValue("a number", v)
}

func parseFloatString(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("want a number, got string %q", truncate(s))
	}
	return f, nil
}

func toIPAddress(v any) (ref.Val, error) {
	switch x := v.(type) {
	case ipAddress:
		return x, nil
	case netip.Addr:
		if x.IsValid() {
			return ipAddress{x}, nil
		}
		return nil, errors.New("want an IP address, got the zero netip.Addr")
	case net.IP:
		if v4 := x.To4(); v4 != nil {
			x = v4
		}
		if a, ok := netip.AddrFromSlice(x); ok {
			return ipAddress{a}, nil
		}
		return nil, fmt.Errorf("want an IP address, got invalid net.IP %v", []byte(x))
	case string:
		a, err := netip.ParseAddr(x)
		if err != nil {
			return nil, fmt.Errorf("want an IP address, got %q", truncate(x))
		}
		return ipAddress{a}, nil
	}
	return nil, wrongValue("an IP address string", v)
}

// wrongValue describes a value of the wrong Go (JSON) type.
func wrongValue(want string, v any) error {
	switch x := v.(type) {
	case nil:
		return fmt.Errorf("want %s, got null", want)
	case string:
		return fmt.Errorf("want %s, got string %q", want, truncate(x))
	case float64:
		return fmt.Errorf("want %s, got number %v", want, x)
	case bool:
		return fmt.Errorf("want %s, got bool %v", want, x)
	case []any:
		return fmt.Errorf("want %s, got a list", want)
	case map[string]any:
		return fmt.Errorf("want %s, got an object", want)
	}
	return fmt.Errorf("want %s, got Go type %T", want, v)
}

func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
