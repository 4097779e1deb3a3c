package ui

import (
	"bytes"
	"html/template"
	"io/fs"
	"regexp"
	"testing"
	"time"

	"github.com/octroi/octroi/internal/messages"
)

func TestLocaleFormatsNumbersAndDatesInBothLanguages(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	fr, en := locale{messages.French, paris}, locale{messages.English, paris}
	at := time.Date(2026, 12, 7, 13, 5, 0, 0, time.UTC) // 14:05 in Paris
	nb := "\u202f"
	for _, c := range []struct {
		want     string
		lc       locale
		kind     string
		argument any
	}{
		{kind: "num", lc: fr, argument: 1234.5, want: "1" + nb + "234,5"},
		{kind: "num", lc: en, argument: 1234.5, want: "1,234.5"},
		{kind: "num", lc: fr, argument: 999, want: "999"},
		{kind: "num", lc: en, argument: 1000, want: "1,000"},
		{kind: "num", lc: fr, argument: -1234567, want: "-1" + nb + "234" + nb + "567"},
		{kind: "num", lc: en, argument: int64(-1234567), want: "-1,234,567"},
		{kind: "num", lc: en, argument: uint64(12345678901), want: "12,345,678,901"},
		{kind: "num", lc: fr, argument: 0.25, want: "0,25"},
		{kind: "date", lc: fr, argument: at, want: "7 déc. 2026"},
		{kind: "date", lc: en, argument: at, want: "Dec 7, 2026"},
		{kind: "datetime", lc: fr, argument: at, want: "7 déc. 2026 14:05"},
		{kind: "datetime", lc: en, argument: at, want: "Dec 7, 2026, 2:05 PM"},
		{kind: "datetime", lc: en, argument: &at, want: "Dec 7, 2026, 2:05 PM"},
		{kind: "datetime", lc: fr, argument: time.Date(2026, 2, 1, 23, 30, 0, 0, time.UTC), want: "2 févr. 2026 00:30"},
		{kind: "datetime", lc: en, argument: time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC), want: "Jul 1, 2026, 12:00 PM"},
		{kind: "datetime", lc: en, argument: (*time.Time)(nil), want: ""},
		{kind: "date", lc: fr, argument: time.Time{}, want: ""},
	} {
		var got string
		switch c.kind {
		case "num":
			got = c.lc.num(c.argument)
		case "date":
			got = c.lc.date(c.argument)
		case "datetime":
			got = c.lc.datetime(c.argument)
		}
		if got != c.want {
			t.Errorf("%s %s(%v) = %q, want %q", c.lc.lang, c.kind, c.argument, got, c.want)
		}
	}
	if got := fr.num(2.0/3, 2); got != "0,67" {
		t.Errorf("fr num(2/3, 2) = %q, want 0,67", got)
	}
}

// TestTemplatesFormatInTheReadersLanguage runs the functions as templates
// call them, t's arguments included, so that a screen written with them
// shows each reader their own forms.
func TestTemplatesFormatInTheReadersLanguage(t *testing.T) {
	at := time.Date(2026, 12, 7, 14, 5, 0, 0, time.UTC)
	src := `{{num .N}}|{{datetime .At}}|{{date .At}}|{{isodate .At}}|{{t "ui.access.caption" .N}}`
	for _, c := range []struct {
		lang messages.Lang
		want string
	}{
		{messages.French, "12\u202f345|7 déc. 2026 14:05|7 déc. 2026|2026-12-07|12\u202f345 groupes correspondent au filtre."},
		{messages.English, "12,345|Dec 7, 2026, 2:05 PM|Dec 7, 2026|2026-12-07|12,345 groups match the filter."},
	} {
		tm := template.Must(template.New("x").Funcs(funcs(locale{c.lang, time.UTC})).Parse(src))
		var b bytes.Buffer
		if err := tm.Execute(&b, map[string]any{"N": 12345, "At": at}); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != c.want {
			t.Errorf("%s: got %q, want %q", c.lang, got, c.want)
		}
	}
}

// TestTemplatesLeaveFormattingToTheLocaleFunctions: a template that
// formats a time or a number itself (.Format, printf) would show one
// language's form to every reader; num, date, datetime, isodate and
// isotime are there for that.
func TestTemplatesLeaveFormattingToTheLocaleFunctions(t *testing.T) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	ad := regexp.MustCompile(`{{[^}]*(\.Format\b|\bprintf\b|\.Unix\b|\.Year\b)[^}]*}}`)
	for _, name := range names {
		b, err := fs.ReadFile(templateFS, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ad.FindAllString(string(b), -1) {
			t.Errorf("%s formats by itself: %s (use num, date, datetime, isodate or isotime)", name, m)
		}
	}
	at := time.Date(2026, 12, 7, 14, 5, 0, 0, time.FixedZone("CET", 3600))
	if got := isoTime(at); got != "2026-12-07T13:05:00Z" {
		t.Errorf("isotime = %q", got)
	}
	if got := isoTime((*time.Time)(nil)); got != "" {
		t.Errorf("isotime(nil) = %q", got)
	}
}

// TestADayChosenIsTheDayShown: a day typed in a date input and shown back
// (an expiry) is the same day in the platform's zone, at its start and at
// its end.
func TestADayChosenIsTheDayShown(t *testing.T) {
	for _, zone := range []string{"Europe/Paris", "America/Los_Angeles", "Pacific/Kiritimati", "UTC"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Skip("no time zone database:", err)
		}
		u := &ui{cfg: Config{Location: loc}}
		start, err := u.parseDay("2026-12-07")
		if err != nil {
			t.Fatal(err)
		}
		end := start.AddDate(0, 0, 1).Add(-time.Second)
		lc := locale{messages.French, loc}
		if got := lc.date(start); got != "7 déc. 2026" {
			t.Errorf("%s: start shown %q", zone, got)
		}
		if got := lc.date(end.UTC()); got != "7 déc. 2026" {
			t.Errorf("%s: end shown %q", zone, got)
		}
		if got := lc.isoDate(end); got != "2026-12-07" {
			t.Errorf("%s: isodate %q", zone, got)
		}
	}
	if _, err := (&ui{cfg: Config{Location: time.UTC}}).parseDay("07/12/2026"); err == nil {
		t.Error("07/12/2026 read as a day")
	}
}
