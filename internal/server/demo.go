package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// The demo platform (`octroi serve --demo`): a small regional data
// platform in the style of DataSud, made through the portal service as
// the people in it would make it, so that every invariant is checked and
// every audit entry is real.

// DemoAccount is one person of the demo as the data says now: their
// roles, read back through the portal, and the personal token made for
// them at this start (none for a disabled account, which cannot act).
type DemoAccount struct {
	ID       string
	Email    string
	Name     string
	RoleEN   string
	RoleFR   string
	Disabled bool
	Token    string
	// Password signs them in (the same for every active person of the
	// demo, new at every start).
	Password string
	// Key is the secret of their demo access key (HASH), if they have
	// one, new at every start.
	Key string
}

// demoMarker is the document that says the database holds the demo, and
// names its platform administrator, as whom the people are read back, and
// the tokens printed at the last start, which the next start revokes.
const (
	demoKind = "octroi.demo"
	demoID   = "platform"
)

type demoMarker struct {
	Admin  string   `json:"admin"`
	Tokens []string `json:"tokens,omitempty"`
}

// ErrNotDemo is returned by LoadDemo on a database holding portal data
// that is not the demo's.
var ErrNotDemo = errors.New("--demo: the database already holds data that is not the demo's; run the demo on an empty database (another --data-dir or --datastore)")

// LoadDemo makes the demo platform when the database holds no
// relationship yet, or finds it. Either way the people and their roles are
// read back from the data, so that later changes show, and each active
// person gets a fresh personal token (made as they would make it, through
// POST /api/v1/me/tokens): a newcomer who restarts the demo has working
// tokens again. The tokens printed at the previous start are revoked
// first, so that only the last printed ones open the demo; tokens the
// people made themselves stay. loaded reports whether the demo was made
// now. The server must be started (Start) first: portal writes wait for
// the index.
func (s *Server) LoadDemo(ctx context.Context) (accounts []DemoAccount, loaded bool, err error) {
	if s.portal == nil {
		return nil, false, errors.New("--demo needs the portal: drop --no-portal")
	}
	var m demoMarker
	d, err := s.store.GetDoc(ctx, demoKind, demoID)
	switch {
	case err == nil:
		if m, err = readDemoMarker(d.Data); err != nil {
			return nil, false, err
		}
	case errors.Is(err, store.ErrNotFound):
		rels, _, err := s.store.ReadRelationships(ctx, store.Filter{}, "", 1)
		if err != nil {
			return nil, false, err
		}
		if len(rels) > 0 {
			return nil, false, ErrNotDemo
		}
		if m.Admin, err = buildDemo(ctx, s.portal); err != nil {
			return nil, false, fmt.Errorf("making the demo platform: %w", err)
		}
		if err := saveDemoMarker(ctx, s.store, m); err != nil {
			return nil, false, err
		}
		loaded = true
	default:
		return nil, false, err
	}
	for _, id := range m.Tokens {
		// The administrator may revoke anyone's token; one its owner
		// revoked already is gone, which is what we want.
		if err := s.portal.RevokeToken(ctx, m.Admin, id); err != nil && !errors.Is(err, portal.ErrNotFound) {
			return nil, loaded, fmt.Errorf("revoking the demo's earlier token %s: %w", id, err)
		}
	}
	if accounts, err = demoPeople(ctx, s.portal, m.Admin); err != nil {
		return nil, loaded, fmt.Errorf("reading the demo's people: %w", err)
	}
	name := "demo " + time.Now().UTC().Format("2006-01-02 15:04:05")
	m.Tokens = m.Tokens[:0]
	for i := range accounts {
		a := &accounts[i]
		if a.Disabled {
			continue
		}
		tok, secret, err := s.portal.CreateToken(ctx, a.ID, name, nil)
		if err != nil {
			return nil, loaded, fmt.Errorf("demo token of %s: %w", a.Email, err)
		}
		a.Token = secret
		m.Tokens = append(m.Tokens, tok.ID)
	}
	if err := s.demoPasswords(ctx, accounts); err != nil {
		return nil, loaded, err
	}
	if err := demoKey(ctx, s.portal, accounts); err != nil {
		return nil, loaded, err
	}
	if err := redateDemoGrant(ctx, s.portal, accounts, time.Now()); err != nil {
		return nil, loaded, err
	}
	return accounts, loaded, saveDemoMarker(ctx, s.store, m)
}

func saveDemoMarker(ctx context.Context, docs store.Documents, m demoMarker) error {
	data, _ := json.Marshal(m)
	_, err := docs.Transact(ctx, func(tx store.DocTx) error {
		return tx.PutDoc(ctx, store.Doc{Kind: demoKind, ID: demoID, Data: data})
	})
	return err
}

// readDemoMarker reads the marker; markers written before it named the
// administrator hold the list of demo accounts, the administrator first.
func readDemoMarker(data []byte) (demoMarker, error) {
	var m demoMarker
	if err := json.Unmarshal(data, &m); err == nil && m.Admin != "" {
		return m, nil
	}
	var old []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(data, &old); err != nil || len(old) == 0 {
		return demoMarker{}, fmt.Errorf("the demo marker names no administrator: %s", data)
	}
	return demoMarker{Admin: old[0].ID}, nil
}

// demoReader is what reading the demo's people back takes of the portal.
type demoReader interface {
	Accounts(ctx context.Context, actor, after string, limit int) ([]portal.Account, error)
	Profile(ctx context.Context, actor, id string) (portal.Profile, error)
}

// demoPeople reads every account and its roles through the portal, as the
// demo's platform administrator sees them.
func demoPeople(ctx context.Context, p demoReader, admin string) ([]DemoAccount, error) {
	var out []DemoAccount
	for after := ""; ; {
		as, err := p.Accounts(ctx, admin, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			pr, err := p.Profile(ctx, admin, a.ID)
			if err != nil {
				return nil, err
			}
			en, fr := describeRoles(pr)
			out = append(out, DemoAccount{ID: a.ID, Email: a.Email, Name: a.Name, RoleEN: en, RoleFR: fr, Disabled: a.Status == portal.AccountDisabled})
		}
		if len(as) < 1000 {
			return out, nil
		}
		after = as[len(as)-1].ID
	}
}

// roleWords names roles in English and French, by "kind:role".
var roleWords = map[string][2]string{
	"platform:administrator":       {"platform administrator", "administrateur de la plateforme"},
	"platform:account_manager":     {"account manager", "gestionnaire des comptes"},
	"platform:data_reader":         {"data reader (every dataset)", "lecteur de toutes les données"},
	"organisation:registered":      {"registered user", "utilisateur enregistré"},
	"organisation:editor":          {"editor", "éditeur"},
	"organisation:delegated_admin": {"delegated admin", "administrateur délégué"},
	"community:participant":        {"participant", "participant"},
	"community:administrator":      {"administrator", "administrateur"},
	"community:supervisor":         {"supervisor", "superviseur"},
}

func words(kind, role string) (string, string) {
	w, ok := roleWords[kind+":"+role]
	if !ok {
		return role, role
	}
	return w[0], w[1]
}

// describeRoles says in words what a profile holds, in English and French.
func describeRoles(p portal.Profile) (string, string) {
	var en, fr []string
	add := func(e, f string) { en, fr = append(en, e), append(fr, f) }
	for _, g := range p.PlatformRoles {
		e, f := words("platform", string(g.Role))
		if g.Community != "" {
			e, f = e+" through community "+g.Community, f+" par la communauté "+g.Community
		}
		add(e, f)
	}
	for _, m := range p.Organisations {
		e, f := words("organisation", string(m.Role))
		add(e+" of "+m.Organisation, f+" de "+m.Organisation)
	}
	for _, c := range p.Communities {
		e, f := words("community", string(c.Role))
		add(e+" of community "+c.Community, f+" de la communauté "+c.Community)
	}
	for _, g := range p.ContentRoles {
		add(contentRoleWords(g))
	}
	if len(en) == 0 {
		add("no role", "aucun rôle")
	}
	e, f := strings.Join(en, ", "), strings.Join(fr, ", ")
	if p.Account.Status == portal.AccountDisabled {
		e, f = e+" (account disabled)", f+" (compte désactivé)"
	}
	return e, f
}

// demo is the state of the demo being built: accounts by e-mail. What
// each person is comes from the data afterwards (demoPeople), not from
// here.
type demo struct {
	acc map[string]portal.Account
	err error
}

func (d *demo) note(a portal.Account) { d.acc[a.Email] = a }

func (d *demo) id(email string) string { return d.acc[demoEmail(email)].ID }

func demoEmail(local string) string { return local + "@demo.octroi.dev" }

// step runs f unless an earlier step failed, and keeps the first error
// with what was being done.
func (d *demo) step(what string, f func() error) {
	if d.err != nil {
		return
	}
	if err := f(); err != nil {
		d.err = fmt.Errorf("%s: %w", what, err)
	}
}

// demoMaker is what making the demo takes of the portal: Bootstrap for its
// administrator, then the operations its people would use through the API.
type demoMaker interface {
	Bootstrap(ctx context.Context, email, name string, roles []portal.PlatformRole) (portal.Account, string, error)
	CreateAccount(ctx context.Context, actor string, a portal.Account) (portal.Account, error)
	SetAccountStatus(ctx context.Context, actor, id string, st portal.AccountStatus) (portal.Account, error)
	CreateOrganisation(ctx context.Context, actor string, o portal.Organisation, firstAdmin string) (portal.Organisation, error)
	AddNewMember(ctx context.Context, actor, org string, a portal.Account, role portal.OrgRole) (portal.Member, error)
	AddMember(ctx context.Context, actor, org, account string, role portal.OrgRole) (portal.Member, error)
	RequestJoin(ctx context.Context, actor, org, message string) (portal.JoinRequest, error)
	DecideJoinRequest(ctx context.Context, actor, id string, accept bool, role portal.OrgRole, reason string) (portal.JoinRequest, error)
	CreateCommunity(ctx context.Context, actor string, c portal.Community) (portal.Community, error)
	InviteCommunityMember(ctx context.Context, actor, id, account string, role portal.CommunityRole) (portal.CommunityInvitation, error)
	AnswerCommunityInvitation(ctx context.Context, actor, id string, accept bool) (portal.CommunityInvitation, error)
	CreateOrgGroup(ctx context.Context, actor string, g portal.OrgGroup) (portal.OrgGroup, error)
	CreateDataset(ctx context.Context, actor string, d portal.Dataset) (portal.Dataset, error)
	SetGroupLevel(ctx context.Context, actor, id string, g portal.GroupRef, l *portal.Level) (portal.BulkChange, error)
	demoGrantsMaker
	demoContentMaker
}

// buildDemo makes the demo platform and returns its administrator's id.
func buildDemo(ctx context.Context, p demoMaker) (string, error) {
	d := &demo{acc: map[string]portal.Account{}}

	// The platform administrator: the one account made by the system.
	admin, _, err := p.Bootstrap(ctx, demoEmail("alice.martin"), "Alice Martin", []portal.PlatformRole{portal.PlatformAdministrator})
	if err != nil {
		return "", err
	}
	d.note(admin)

	// Platform roles, given by the administrator.
	for _, a := range []struct {
		local, name string
		role        portal.PlatformRole
	}{
		{"claire.comptes", "Claire Comptes", portal.PlatformAccountManager},
		{"damien.lecteur", "Damien Lecteur", portal.PlatformDataReader},
	} {
		d.step("account "+a.local, func() error {
			acc, err := p.CreateAccount(ctx, admin.ID, portal.Account{Email: demoEmail(a.local), Name: a.name, PlatformRoles: []portal.PlatformRole{a.role}})
			if err == nil {
				d.note(acc)
			}
			return err
		})
	}

	// Organisations: the account manager creates their first delegated
	// administrators, the platform administrator the organisations.
	orgs := []struct {
		id, name  string
		typ       portal.OrgType
		adminMail string
		adminName string
	}{
		{"ign", "IGN — Institut national de l'information géographique et forestière", portal.OrgStateService, "isabelle.geodesie", "Isabelle Géodésie"},
		{"region-sud", "Région Provence-Alpes-Côte d'Azur", portal.OrgLocalAuthority, "regine.sud", "Régine Sud"},
		{"metropole-amp", "Métropole Aix-Marseille-Provence", portal.OrgLocalAuthority, "marc.metropole", "Marc Métropole"},
		{"toulon", "Ville de Toulon", portal.OrgLocalAuthority, "thomas.toulon", "Thomas Toulon"},
		{"hyeres", "Ville de Hyères", portal.OrgLocalAuthority, "helene.hyeres", "Hélène Hyères"},
		{"frejus", "Ville de Fréjus", portal.OrgLocalAuthority, "fabrice.frejus", "Fabrice Fréjus"},
		{"osm-france", "OpenStreetMap France", portal.OrgAssociation, "olivier.carto", "Olivier Carto"},
		{"cerege", "CEREGE — Centre de recherche en géosciences de l'environnement", portal.OrgResearch, "chloe.recherche", "Chloé Recherche"},
		{"geo-conseil", "Géo Conseil SARL", portal.OrgPrivate, "pierre.prive", "Pierre Privé"},
	}
	manager := d.id("claire.comptes")
	admins := map[string]string{} // organisation → its first admin's e-mail
	for _, o := range orgs {
		admins[o.id] = o.adminMail
		d.step("organisation "+o.id, func() error {
			acc, err := p.CreateAccount(ctx, manager, portal.Account{Email: demoEmail(o.adminMail), Name: o.adminName})
			if err != nil {
				return err
			}
			d.note(acc)
			_, err = p.CreateOrganisation(ctx, admin.ID, portal.Organisation{ID: o.id, Name: o.name, Type: o.typ}, acc.ID)
			return err
		})
	}

	// Members, added by their organisation's delegated administrator
	// (DataSud: "il peut créer de nouveaux utilisateurs dans son groupe").
	members := []struct {
		org, local, name string
		role             portal.OrgRole
	}{
		{"ign", "etienne.ortho", "Étienne Ortho", portal.RoleEditor},
		{"ign", "raphael.relief", "Raphaël Relief", portal.RoleRegistered},
		{"region-sud", "paul.risques", "Paul Risques", portal.RoleEditor},
		{"region-sud", "lina.littoral", "Lina Littoral", portal.RoleRegistered},
		{"metropole-amp", "sophie.voirie", "Sophie Voirie", portal.RoleEditor},
		{"metropole-amp", "denis.desactive", "Denis Désactivé", portal.RoleRegistered},
		{"toulon", "tania.arbres", "Tania Arbres", portal.RoleEditor},
		{"cerege", "hugo.donnees", "Hugo Données", portal.RoleEditor},
	}
	for _, m := range members {
		d.step("member "+m.local, func() error {
			mem, err := p.AddNewMember(ctx, d.id(admins[m.org]), m.org, portal.Account{Email: demoEmail(m.local), Name: m.name}, m.role)
			if err != nil {
				return err
			}
			d.note(portal.Account{ID: mem.Account, Email: demoEmail(m.local), Name: m.name})
			return nil
		})
	}
	// Lina also consults the IGN's restricted data: registered there too.
	d.step("lina joins ign", func() error {
		_, err := p.AddMember(ctx, d.id("isabelle.geodesie"), "ign", d.id("lina.littoral"), portal.RoleRegistered)
		return err
	})

	// A join request accepted, one pending: someone without any role.
	d.step("join requests", func() error {
		acc, err := p.CreateAccount(ctx, manager, portal.Account{Email: demoEmail("julie.candidate"), Name: "Julie Candidate"})
		if err != nil {
			return err
		}
		d.note(acc)
		if _, err := p.RequestJoin(ctx, acc.ID, "region-sud", "Chargée d'études littoral, je souhaite accéder aux données du PPRI."); err != nil {
			return err
		}
		jr, err := p.RequestJoin(ctx, d.id("hugo.donnees"), "osm-france", "Contributeur OSM, pour publier nos relevés de trait de côte.")
		if err != nil {
			return err
		}
		_, err = p.DecideJoinRequest(ctx, d.id("olivier.carto"), jr.ID, true, portal.RoleRegistered, "Bienvenue !")
		return err
	})

	// Communities: a public one, a private one.
	d.step("communities", func() error {
		obs, err := p.CreateCommunity(ctx, d.id("lina.littoral"), portal.Community{ID: "observatoire-littoral", Name: "Observatoire du littoral", Public: true})
		if err != nil {
			return err
		}
		crise, err := p.CreateCommunity(ctx, d.id("paul.risques"), portal.Community{ID: "cellule-crise-inondations", Name: "Cellule de crise inondations", Public: false})
		if err != nil {
			return err
		}
		for _, m := range []struct {
			c, who string
			role   portal.CommunityRole
		}{
			{obs.ID, "chloe.recherche", portal.CommunityAdministrator},
			{obs.ID, "olivier.carto", portal.CommunityParticipant},
			{obs.ID, "hugo.donnees", portal.CommunityParticipant},
			{crise.ID, "marc.metropole", portal.CommunityAdministrator},
			{crise.ID, "sophie.voirie", portal.CommunityParticipant},
			{crise.ID, "thomas.toulon", portal.CommunityParticipant},
		} {
			actor := obs.Supervisor
			if m.c == crise.ID {
				actor = crise.Supervisor
			}
			// Nobody joins a community without consent: invited, then
			// accepted.
			if _, err := p.InviteCommunityMember(ctx, actor, m.c, d.id(m.who), m.role); err != nil {
				return err
			}
			if _, err := p.AnswerCommunityInvitation(ctx, d.id(m.who), m.c, true); err != nil {
				return err
			}
		}
		return nil
	})

	// A group of organisations.
	d.step("org group", func() error {
		_, err := p.CreateOrgGroup(ctx, admin.ID, portal.OrgGroup{ID: "communes-du-var", Name: "Communes du Var", Organisations: []string{"toulon", "hyeres", "frejus"}})
		return err
	})

	// Datasets at every default level, with per-group levels set by their
	// editors.
	org := func(id string) portal.GroupRef { return portal.GroupRef{Kind: portal.GroupOrganisation, ID: id} }
	com := func(id string) portal.GroupRef { return portal.GroupRef{Kind: portal.GroupCommunity, ID: id} }
	var12 := portal.GroupRef{Kind: portal.GroupOrgGroup, ID: "communes-du-var"}
	type grant struct {
		g portal.GroupRef
		l portal.Level
	}
	datasets := []struct {
		id, title, owner, editor string
		def                      portal.Level
		grants                   []grant
	}{
		{"IGNF_BD-TOPO", "BD TOPO® — description vectorielle 3D du territoire", "ign", "etienne.ortho", portal.LevelDownload, nil},
		{"IGNF_BD-ORTHO", "BD ORTHO® — orthophotographies 20 cm", "ign", "etienne.ortho", portal.LevelDownload, nil},
		{"IGNF_BD-FORET", "BD Forêt® v2 — formations végétales", "ign", "etienne.ortho", portal.LevelConsult, []grant{{org("region-sud"), portal.LevelDownload}}},
		{"IGNF_RGE-ALTI", "RGE ALTI® 1 m — modèle numérique de terrain", "ign", "etienne.ortho", portal.LevelSearch, []grant{{org("region-sud"), portal.LevelDownload}, {org("cerege"), portal.LevelDownload}, {var12, portal.LevelConsult}}},
		{"IGNF_BD-PARCELLAIRE", "BD PARCELLAIRE® — parcelles cadastrales", "ign", "isabelle.geodesie", portal.LevelPrivate, []grant{{var12, portal.LevelDownload}, {org("metropole-amp"), portal.LevelConsult}}},
		{"IGNF_SCAN-25", "SCAN 25® — carte topographique", "ign", "etienne.ortho", portal.LevelSearch, []grant{{com("observatoire-littoral"), portal.LevelConsult}}},
		{"REGION-SUD_PPRI", "Plans de prévention du risque inondation", "region-sud", "paul.risques", portal.LevelConsult, []grant{{var12, portal.LevelDownload}, {com("cellule-crise-inondations"), portal.LevelDownload}}},
		{"REGION-SUD_OCSOL", "Occupation du sol régionale 2020", "region-sud", "paul.risques", portal.LevelDownload, nil},
		{"REGION-SUD_LYCEES", "Lycées de la région", "region-sud", "paul.risques", portal.LevelDownload, nil},
		{"REGION-SUD_FONCIER", "Observatoire régional du foncier", "region-sud", "regine.sud", portal.LevelPrivate, []grant{{org("metropole-amp"), portal.LevelConsult}, {var12, portal.LevelSearch}}},
		{"AMP_VOIRIE", "Référentiel de la voirie métropolitaine", "metropole-amp", "sophie.voirie", portal.LevelSearch, []grant{{org("region-sud"), portal.LevelConsult}}},
		{"AMP_RESEAU-EAU", "Réseau d'eau potable", "metropole-amp", "sophie.voirie", portal.LevelPrivate, []grant{{com("cellule-crise-inondations"), portal.LevelConsult}, {var12, portal.LevelSearch}}},
		{"AMP_PLUI", "Plan local d'urbanisme intercommunal", "metropole-amp", "sophie.voirie", portal.LevelDownload, nil},
		{"TOULON_ARBRES", "Arbres d'alignement de Toulon", "toulon", "tania.arbres", portal.LevelConsult, []grant{{com("observatoire-littoral"), portal.LevelDownload}}},
		{"CEREGE_TRAIT-DE-COTE", "Évolution du trait de côte 1950–2020", "cerege", "hugo.donnees", portal.LevelPrivate, []grant{{com("observatoire-littoral"), portal.LevelDownload}, {org("region-sud"), portal.LevelSearch}}},
		{"GEOCONSEIL_BRUIT", "Étude de bruit routier (commande régionale)", "geo-conseil", "pierre.prive", portal.LevelPrivate, []grant{{org("region-sud"), portal.LevelDownload}}},
		{"OSMFR_BATIMENTS", "Bâtiments OpenStreetMap de la région", "osm-france", "olivier.carto", portal.LevelDownload, nil},
	}
	for _, ds := range datasets {
		d.step("dataset "+ds.id, func() error {
			editor := d.id(ds.editor)
			if _, err := p.CreateDataset(ctx, editor, portal.Dataset{ID: ds.id, Title: ds.title, Owner: ds.owner, Default: ds.def}); err != nil {
				return err
			}
			for _, g := range ds.grants {
				if _, err := p.SetGroupLevel(ctx, editor, ds.id, g.g, &g.l); err != nil {
					return fmt.Errorf("%s %s: %w", g.g.Kind, g.g.ID, err)
				}
			}
			return nil
		})
	}

	// Services, grants and an access request (demo_grants.go).
	buildDemoGrants(ctx, p, d)
	buildDemoContent(ctx, p, d, admin.ID)

	// Finally a disabled account: its memberships stay, its rights go.
	d.step("disable denis", func() error {
		_, err := p.SetAccountStatus(ctx, manager, d.id("denis.desactive"), portal.AccountDisabled)
		return err
	})
	return admin.ID, d.err
}
