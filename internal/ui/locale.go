package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/messages"
)

// Numbers and dates in the reader's language. Templates use them through
// the functions num, date and datetime (see funcs); t formats the numbers
// and times it is given the same way, so that a catalogue entry's %d or %s
// shows "1 234" to a French reader without the template asking.
//
// One convention per language, from CLDR's usual forms:
//
//	          num 1234.5   date           datetime
//	English   1,234.5      Dec 7, 2026    Dec 7, 2026, 2:05 PM
//	French    1 234,5      7 déc. 2026    7 déc. 2026 14:05
//
// The French group separator is U+202F (narrow no-break space), so that a
// number never breaks across lines. Times are shown in the platform's time
// zone (Config.Location).

// frMonths and enMonths are the abbreviated month names, January first.
var (
	frMonths = [12]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}
	enMonths = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// narrowNBSP separates groups of digits in French.
const narrowNBSP = "\u202f"

// locale formats numbers and times for one language and time zone. It is
// a value: safe for concurrent use.
type locale struct {
	lang messages.Lang
	loc  *time.Location
}

// seps returns the group and decimal separators.
func (lc locale) seps() (group, decimal string) {
	if lc.lang == messages.French {
		return narrowNBSP, ","
	}
	return ",", "."
}

// num formats an integer or a float (with as many decimals as it needs,
// or digits[0] decimals when given) with the language's separators.
// Anything else is formatted as fmt would.
func (lc locale) num(v any, digits ...int) string {
	var s string
	switch n := v.(type) {
	case int:
		s = strconv.FormatInt(int64(n), 10)
	case int8, int16, int32, int64:
		s = fmt.Sprint(n)
	case uint, uint8, uint16, uint32, uint64:
		s = fmt.Sprint(n)
	case float32:
		s = formatFloat(float64(n), digits)
	case float64:
		s = formatFloat(n, digits)
	default:
		return fmt.Sprint(v)
	}
	return lc.group(s)
}

func formatFloat(f float64, digits []int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	prec := -1
	if len(digits) > 0 && digits[0] >= 0 && digits[0] <= 20 {
		prec = digits[0]
	}
	return strconv.FormatFloat(f, 'f', prec, 64)
}

// group puts the language's separators into a plain decimal number
// ("-1234.5").
func (lc locale) group(s string) string {
	group, decimal := lc.seps()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if strings.ContainsFunc(whole, func(r rune) bool { return r < '0' || r > '9' }) {
		return sign + s // NaN, Inf
	}
	var b strings.Builder
	b.WriteString(sign)
	// Groups of three from the right, from four digits on, in both
	// languages ("1 234", "1,234").
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString(decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// at converts t to the platform's zone; ok is false for a zero or nil
// time, which shows as nothing.
func (lc locale) at(v any) (time.Time, bool) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return time.Time{}, false
		}
		t = *x
	default:
		return time.Time{}, false
	}
	if t.IsZero() {
		return time.Time{}, false
	}
	if lc.loc != nil {
		t = t.In(lc.loc)
	}
	return t, true
}

// date formats a time.Time or *time.Time as a day: "7 déc. 2026",
// "Dec 7, 2026"; nil or zero as "".
func (lc locale) date(v any) string {
	t, ok := lc.at(v)
	if !ok {
		return ""
	}
	if lc.lang == messages.French {
		return fmt.Sprintf("%d %s %d", t.Day(), frMonths[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%s %d, %d", enMonths[t.Month()-1], t.Day(), t.Year())
}

// datetime formats a time.Time or *time.Time to the minute:
// "7 déc. 2026 14:05", "Dec 7, 2026, 2:05 PM"; nil or zero as "".
func (lc locale) datetime(v any) string {
	t, ok := lc.at(v)
	if !ok {
		return ""
	}
	if lc.lang == messages.French {
		return lc.date(t) + " " + t.Format("15:04")
	}
	return lc.date(t) + ", " + t.Format("3:04 PM")
}

// isoDate is a day as an <input type="date"> holds it ("2026-12-07"), in
// the platform's zone; "" for nil or zero.
func (lc locale) isoDate(v any) string {
	t, ok := lc.at(v)
	if !ok {
		return ""
	}
	return t.Format(time.DateOnly)
}

// isoTime is a moment as the datetime attribute of <time> holds it, in
// UTC ("2026-12-07T13:05:00Z"); "" for nil or zero.
func isoTime(v any) string {
	t, ok := locale{}.at(v)
	if !ok {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// arg makes a catalogue argument local: numbers and times given to t show
// as num and datetime would show them, whatever the entry's verb (%d, %s,
// %v). Other values pass unchanged.
func (lc locale) arg(v any) any {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return localText(lc.num(v))
	case time.Time, *time.Time:
		return localText(lc.datetime(v))
	}
	return v
}

// localText is already formatted text that prints as itself under any
// verb, so that an entry written "%d" still takes a grouped number.
type localText string

func (s localText) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(s)) }

// parseDay reads a day as a date input sends it ("2026-12-07"), as the
// start of that day in the platform's time zone, the zone dates are shown
// in: a day chosen is the day shown back.
func (u *ui) parseDay(s string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, s, u.cfg.Location)
}
