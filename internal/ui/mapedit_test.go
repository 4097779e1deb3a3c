package ui_test

import (
	"context"
	"errors"
	"html"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// TestMapEditPropertiesLayersAndDeletion is the rest of source 004's
// privileges: Lina, whose community owns « Trait de côte », renames it
// and changes its icon, adds a layer and takes it away, then deletes the
// map after the confirmation; the portal holds each change.
func TestMapEditPropertiesLayersAndDeletion(t *testing.T) {
	s := newSite(t)
	p := s.srv.Portal().(*portal.Service)
	lina := s.as(t, "lina.littoral")
	linaID := s.accounts["lina.littoral"]
	const m = "trait-de-cote"
	if _, body := lina.get(t, "/maps/"+m); !strings.Contains(body, `href="/maps/`+m+`/edit"`) {
		t.Fatalf("the map's page does not lead to its edit screen:\n%s", body)
	}
	res, body := lina.get(t, "/maps/"+m+"/edit")
	if res.StatusCode != 200 {
		t.Fatalf("edit = %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{`action="/maps/` + m + `/edit/properties"`, `action="/maps/` + m + `/edit/add"`, `href="/maps/` + m + `/delete"`, `value="coast"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the owner's edit screen lacks %q", want)
		}
	}

	post := func(path string, form url.Values, to string) {
		t.Helper()
		res, body := lina.post(t, path, form)
		if res.StatusCode != 303 || res.Header.Get("Location") != to {
			t.Fatalf("POST %s %v = %d to %q\n%s", path, form, res.StatusCode, res.Header.Get("Location"), body)
		}
	}
	post("/maps/"+m+"/edit/properties", url.Values{"name": {"Trait de côte 2026"}, "icon": {"wave"}}, "/maps/"+m+"/edit?done=saved")
	if _, body := lina.get(t, "/maps/"+m+"/edit?done=saved"); !strings.Contains(body, html.EscapeString(say(messages.English, "ui.mapedit.saved"))) {
		t.Error("no notice after saving the properties")
	}
	post("/maps/"+m+"/edit/add", url.Values{"dataset": {"REGION-SUD_PPRI"}}, "/maps/"+m+"/edit?done=added")
	got, err := p.Map(context.Background(), linaID, m)
	if err != nil {
		t.Fatal(err)
	}
	ppri := portal.MapResource{Kind: portal.ResourceDataset, ID: "REGION-SUD_PPRI"}
	if got.Name != "Trait de côte 2026" || got.Icon != "wave" || !slices.Contains(got.Resources, ppri) || len(got.Resources) != 3 {
		t.Errorf("the map after the changes: %+v", got)
	}
	post("/maps/"+m+"/edit/remove", url.Values{"resource": {"dataset:REGION-SUD_PPRI/"}}, "/maps/"+m+"/edit?done=removed")
	if got, _ := p.Map(context.Background(), linaID, m); slices.Contains(got.Resources, ppri) || len(got.Resources) != 2 {
		t.Errorf("the layer is still there: %+v", got.Resources)
	}

	// Deletion: asked first; a post without the confirmation asks.
	if res, body := lina.get(t, "/maps/"+m+"/delete"); res.StatusCode != 200 || !strings.Contains(body, `name="confirm" value="yes"`) {
		t.Fatalf("confirmation = %d\n%s", res.StatusCode, body)
	}
	post("/maps/"+m+"/delete", url.Values{}, "/maps/"+m+"/delete")
	if _, err := p.Map(context.Background(), linaID, m); err != nil {
		t.Fatalf("deleted without the confirmation: %v", err)
	}
	post("/maps/"+m+"/delete", url.Values{"confirm": {"yes"}}, "/maps?done=map_deleted")
	if _, err := p.Map(context.Background(), linaID, m); !errors.Is(err, portal.ErrNotFound) {
		t.Errorf("after the deletion the map answers %v", err)
	}
	if _, body := lina.get(t, "/maps?done=map_deleted"); !strings.Contains(body, html.EscapeString(say(messages.English, "ui.mapedit.deleted"))) || strings.Contains(body, `href="/maps/`+m+`"`) {
		t.Errorf("the list after the deletion:\n%s", body)
	}
}

// TestMapEditRefusals: each form offered only with its privilege and
// refused without it (a writer edits the layers, not the properties, and
// does not delete; a reader has no edit screen; who may not see the map
// finds none); an anonymous visitor is asked to sign in; what was typed
// wrong is refused beside its field and nothing changes.
func TestMapEditRefusals(t *testing.T) {
	s := newSite(t)
	p := s.srv.Portal().(*portal.Service)
	const m = "trait-de-cote"
	before, err := p.Map(context.Background(), s.accounts["lina.littoral"], m)
	if err != nil {
		t.Fatal(err)
	}

	// Paul writes on the map through the crisis unit.
	paul := s.as(t, "paul.risques")
	res, body := paul.get(t, "/maps/"+m+"/edit")
	if res.StatusCode != 200 || !strings.Contains(body, `/edit/add"`) || strings.Contains(body, `/edit/properties"`) || strings.Contains(body, `/delete"`) {
		t.Errorf("a writer's edit screen = %d:\n%s", res.StatusCode, body)
	}
	for _, c := range []struct {
		who          site
		method, path string
		form         url.Values
		want         int
	}{
		{s, "GET", "/maps/" + m + "/edit", nil, 401},
		{s, "POST", "/maps/" + m + "/edit/properties", url.Values{"name": {"X"}}, 401},
		{s, "GET", "/maps/" + m + "/delete", nil, 401},
		{s, "POST", "/maps/" + m + "/delete", url.Values{"confirm": {"yes"}}, 401},
		{paul, "POST", "/maps/" + m + "/edit/properties", url.Values{"name": {"X"}}, 403},
		{paul, "GET", "/maps/" + m + "/delete", nil, 403},
		{paul, "POST", "/maps/" + m + "/delete", url.Values{"confirm": {"yes"}}, 403},
		// Tania's Ville de Toulon reads the map.
		{s.as(t, "tania.arbres"), "GET", "/maps/" + m + "/edit", nil, 403},
		{s.as(t, "tania.arbres"), "POST", "/maps/" + m + "/edit/add", url.Values{"dataset": {"REGION-SUD_PPRI"}}, 403},
		{s.as(t, "tania.arbres"), "POST", "/maps/" + m + "/edit/remove", url.Values{"resource": {"dataset:IGNF_SCAN-25/"}}, 403},
		// Julie is given nothing on it.
		{s.as(t, "julie.candidate"), "GET", "/maps/" + m + "/edit", nil, 404},
		{s.as(t, "julie.candidate"), "POST", "/maps/" + m + "/delete", url.Values{"confirm": {"yes"}}, 404},
		{s.as(t, "lina.littoral"), "POST", "/maps/" + m + "/edit/nothing", url.Values{}, 404},
		{s.as(t, "lina.littoral"), "POST", "/maps/" + m + "/edit/remove", url.Values{"resource": {"dataset:NOPE/"}}, 404},
	} {
		var code int
		if c.method == "GET" {
			res, _ := c.who.get(t, c.path)
			code = res.StatusCode
		} else {
			res, _ := c.who.post(t, c.path, c.form)
			code = res.StatusCode
		}
		if code != c.want {
			t.Errorf("%s %s %v by %s = %d, want %d", c.method, c.path, c.form, c.who.URL, code, c.want)
		}
	}

	lina := s.as(t, "lina.littoral")
	for _, c := range []struct {
		action string
		form   url.Values
		field  string
	}{
		{"properties", url.Values{"name": {"  "}, "icon": {"x"}}, "m-name"},
		{"add", url.Values{"dataset": {""}}, "m-dataset"},
		{"add", url.Values{"dataset": {"NOPE_NOPE"}}, "m-dataset"},    // no such dataset (or none Lina may consult)
		{"add", url.Values{"dataset": {"IGNF_SCAN-25"}}, "m-dataset"}, // already there
	} {
		res, body := lina.post(t, "/maps/"+m+"/edit/"+c.action, c.form)
		if res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("%s %v = %d, want a refusal", c.action, c.form, res.StatusCode)
		}
		if !strings.Contains(body, `id="`+c.field+`-err"`) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("%s %v: the refusal is not beside %s:\n%s", c.action, c.form, c.field, body)
		}
		if v := c.form.Get("dataset"); v != "" && !strings.Contains(body, `value="`+v+`"`) {
			t.Errorf("%s %v: what was typed is lost", c.action, c.form)
		}
	}
	if after, _ := p.Map(context.Background(), s.accounts["lina.littoral"], m); after.Name != before.Name || after.Icon != before.Icon || !slices.Equal(after.Resources, before.Resources) {
		t.Errorf("refused forms changed the map: %+v, was %+v", after, before)
	}
}
