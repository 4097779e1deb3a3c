package ui_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// TestOrganisationInformationEditedByItsDelegatedAdministrator: Régine
// Sud, delegated administrator of the Région Sud, reaches its information
// from the members screen and changes its name, type and contact; the
// portal holds them, and the contact shows to a beneficiary of the
// region's permissions on her grants.
func TestOrganisationInformationEditedByItsDelegatedAdministrator(t *testing.T) {
	s := newSite(t)
	regine := s.as(t, "regine.sud")
	if _, body := regine.get(t, "/organisations/region-sud/members"); !strings.Contains(body, `href="/organisations/region-sud/edit"`) {
		t.Fatal("the members screen does not lead to the organisation's information")
	}
	res, body := regine.get(t, "/organisations/region-sud/edit")
	if res.StatusCode != 200 || !strings.Contains(body, `value="local_authority" selected`) {
		t.Fatalf("edit = %d\n%s", res.StatusCode, body)
	}
	res, body = regine.post(t, "/organisations/region-sud/edit", url.Values{"name": {"Région Sud"}, "type": {"public_establishment"}, "contact": {"donnees@maregionsud.example"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/organisations/region-sud/edit?done=saved" {
		t.Fatalf("save = %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), body)
	}
	if _, body := regine.get(t, "/organisations/region-sud/edit?done=saved"); !strings.Contains(body, html.EscapeString(say(messages.English, "ui.orgedit.saved"))) {
		t.Error("no notice after saving")
	}
	o, err := s.srv.Portal().(*portal.Service).Organisation(context.Background(), s.accounts["regine.sud"], "region-sud")
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "Région Sud" || o.Type != portal.OrgPublicEstablishment || o.Contact != "donnees@maregionsud.example" {
		t.Errorf("the organisation after the change: %+v", o)
	}
	if _, body := s.as(t, "julie.candidate").get(t, "/me/grants"); !strings.Contains(body, `href="mailto:donnees@maregionsud.example"`) {
		t.Errorf("a beneficiary's grants do not show the new contact:\n%s", body)
	}
}

// TestOrganisationInformationRefusals: only whoever manages the members
// edits the information (an editor does not, nor an outsider, nor an
// anonymous visitor); bad input is refused beside its field with what was
// typed, and nothing is saved.
func TestOrganisationInformationRefusals(t *testing.T) {
	s := newSite(t)
	p := s.srv.Portal().(*portal.Service)
	before, err := p.Organisation(context.Background(), s.accounts["regine.sud"], "region-sud")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"name": {"X"}, "type": {"other"}}
	for _, c := range []struct {
		who    site
		method string
		want   int
	}{
		{s, "GET", 401},
		{s, "POST", 401},
		{s.as(t, "paul.risques"), "GET", 403}, // editor of the region
		{s.as(t, "paul.risques"), "POST", 403},
		{s.as(t, "olivier.carto"), "GET", 403}, // another organisation's administrator
		{s.as(t, "olivier.carto"), "POST", 403},
	} {
		var code int
		if c.method == "GET" {
			res, _ := c.who.get(t, "/organisations/region-sud/edit")
			code = res.StatusCode
		} else {
			res, _ := c.who.post(t, "/organisations/region-sud/edit", form)
			code = res.StatusCode
		}
		if code != c.want {
			t.Errorf("%s by %s = %d, want %d", c.method, c.who.URL, code, c.want)
		}
	}
	if _, body := s.as(t, "paul.risques").get(t, "/organisations/region-sud/members"); strings.Contains(body, `/organisations/region-sud/edit"`) {
		t.Error("an editor is offered the organisation's information")
	}
	if res, _ := s.as(t, "regine.sud").get(t, "/organisations/nope/edit"); res.StatusCode != 404 {
		t.Errorf("an unknown organisation = %d, want 404", res.StatusCode)
	}

	regine := s.as(t, "regine.sud")
	for _, c := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"name": {"  "}, "type": {"other"}}, "o-name"},
		{url.Values{"name": {"Région"}, "type": {"kingdom"}}, "o-type"},
		{url.Values{"name": {"Région"}, "type": {"other"}, "contact": {"not an address"}}, "o-contact"},
	} {
		res, body := regine.post(t, "/organisations/region-sud/edit", c.form)
		if res.StatusCode != 400 {
			t.Errorf("%v = %d, want 400", c.form, res.StatusCode)
		}
		if !strings.Contains(body, `id="`+c.field+`-err"`) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("%v: the refusal is not beside %s:\n%s", c.form, c.field, body)
		}
		if v := c.form.Get("contact"); v != "" && !strings.Contains(body, `value="`+v+`"`) {
			t.Errorf("%v: what was typed is lost", c.form)
		}
	}
	if after, _ := p.Organisation(context.Background(), s.accounts["regine.sud"], "region-sud"); after != before {
		t.Errorf("refused forms changed the organisation: %+v, was %+v", after, before)
	}
}

// TestProducersContactOnTheDatasetAndMyIDOnMyAccount is source 000's way
// to be granted access without the form: a signed-in consumer finds the
// producer's contact on the dataset's page and their own account's id on
// their account, to send it.
func TestProducersContactOnTheDatasetAndMyIDOnMyAccount(t *testing.T) {
	s := newSite(t)
	p := s.srv.Portal().(*portal.Service)
	regine := s.accounts["regine.sud"]
	o, err := p.Organisation(context.Background(), regine, "region-sud")
	if err != nil {
		t.Fatal(err)
	}
	o.Contact = "donnees@maregionsud.example"
	if _, err := p.UpdateOrganisation(context.Background(), regine, o); err != nil {
		t.Fatal(err)
	}
	julie := s.as(t, "julie.candidate")
	if _, body := julie.get(t, "/datasets/REGION-SUD_PPRI"); !strings.Contains(body, `<a href="mailto:donnees@maregionsud.example">`) || !strings.Contains(body, html.EscapeString(o.Name)) {
		t.Errorf("the dataset's page lacks its producer or its contact:\n%s", body)
	}
	if _, body := julie.get(t, "/me"); !strings.Contains(body, `<dd class="id">`+s.accounts["julie.candidate"]+`</dd>`) {
		t.Errorf("my account does not show its id:\n%s", body)
	}
	// An anonymous visitor reads no organisation: the producer's id, no
	// contact.
	if _, body := s.get(t, "/datasets/REGION-SUD_PPRI"); strings.Contains(body, "mailto:") || !strings.Contains(body, "<dd>region-sud</dd>") {
		t.Errorf("an anonymous visitor's dataset page:\n%s", body)
	}
}
