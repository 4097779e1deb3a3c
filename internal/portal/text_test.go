package portal_test

import (
	"strings"
	"testing"

	"github.com/octroi/octroi/internal/portal"
)

// TestNamesAreOneLineWithoutBidiControls: a name or a title shows inline
// among other text, where a line break forges a line and a bidi override
// reverses what follows; the refusal names the character and its position.
func TestNamesAreOneLineWithoutBidiControls(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		head := e.head()
		for _, c := range []struct {
			value, want string
		}{
			{"Club\nSIG", "character 5 is U+000A (a line break)"},
			{"Club\r\nSIG", "character 5 is U+000D (a line break)"},
			{"Club\u2028SIG", "character 5 is U+2028 (a line break)"},
			{"Club\tSIG", "character 5 is U+0009 (a control character)"},
			{"Club\x07", "character 5 is U+0007 (a control character)"},
			{"  Club \u202Egpj.exe", "character 8 is U+202E (a bidirectional control)"},
			{"A\u2066B", "character 2 is U+2066 (a bidirectional control)"},
			{"A\u200FB", "character 2 is U+200F (a bidirectional control)"},
			{"A\u061CB", "character 2 is U+061C (a bidirectional control)"},
		} {
			for what, f := range map[string]func() error{
				"community name": func() error {
					_, err := e.svc.CreateCommunity(e.ctx, "stranger", portal.Community{Name: c.value})
					return err
				},
				"organisation name": func() error {
					_, err := e.svc.UpdateOrganisation(e.ctx, "adm", portal.Organisation{ID: "ign", Name: c.value, Type: portal.OrgStateService})
					return err
				},
				"dataset title": func() error {
					_, err := e.svc.CreateDataset(e.ctx, "ed", portal.Dataset{ID: "NEW", Title: c.value, Owner: "ign"})
					return err
				},
				"account name": func() error {
					_, err := e.svc.CreateAccount(e.ctx, w.admin, portal.Account{Email: "x@example.org", Name: c.value})
					return err
				},
				"token name": func() error {
					_, _, err := e.svc.CreateToken(e.ctx, "reg", c.value, nil)
					return err
				},
			} {
				err := f()
				wantErr(t, err, portal.ErrInvalid)
				if !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s %q: %v, want it to say %q", what, c.value, err, c.want)
				}
			}
		}
		if e.head() != head {
			t.Error("a refused name wrote something")
		}
		// A message may hold line breaks, never bidi controls.
		must[portal.JoinRequest](t)(e.svc.RequestJoin(e.ctx, "stranger", "ign", "Bonjour,\r\nje travaille sur le littoral.\n\tMerci"))
		_, err := e.svc.RequestJoin(e.ctx, "reader", "ign", "Bonjour \u202Etxt.exe")
		wantErr(t, err, portal.ErrInvalid)
		if !strings.Contains(err.Error(), "character 9 is U+202E (a bidirectional control)") {
			t.Errorf("message with U+202E: %v", err)
		}
	})
}

// TestIDsFitInOnePathSegment: an id with "/" could not be addressed as
// /communities/{id}, so the portal refuses it wherever it takes a new id.
func TestIDsFitInOnePathSegment(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		head := e.head()
		for what, f := range map[string]func() error{
			"community": func() error {
				_, err := e.svc.CreateCommunity(e.ctx, "stranger", portal.Community{ID: "a/b", Name: "A"})
				return err
			},
			"organisation": func() error {
				_, err := e.svc.CreateOrganisation(e.ctx, w.admin, portal.Organisation{ID: "a/b", Name: "A", Type: portal.OrgOther}, "stranger")
				return err
			},
			"dataset": func() error {
				_, err := e.svc.CreateDataset(e.ctx, "ed", portal.Dataset{ID: "IGNF/X", Title: "X", Owner: "ign"})
				return err
			},
			"account": func() error {
				_, err := e.svc.CreateAccount(e.ctx, w.admin, portal.Account{ID: "a/b", Email: "ab@example.org", Name: "A"})
				return err
			},
			"org_group": func() error {
				_, err := e.svc.CreateOrgGroup(e.ctx, w.admin, portal.OrgGroup{ID: "a/b", Name: "A"})
				return err
			},
		} {
			err := f()
			wantErr(t, err, portal.ErrInvalid)
			if !strings.Contains(err.Error(), portal.IDAlphabet) || !strings.Contains(err.Error(), `no "/"`) {
				t.Errorf("%s id a/b: %v, want the alphabet and why / is refused", what, err)
			}
		}
		if e.head() != head {
			t.Error("a refused id wrote something")
		}
	})
}
