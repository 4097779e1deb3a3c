package server

import (
	"context"

	"github.com/octroi/octroi/internal/portal"
)

// The demo's content: a public page of the platform, a private dashboard
// of the region whose visualisations draw on an open and a restricted
// dataset (so that some of its viewers see it without the restricted one),
// and maps shared with communities at each privilege, made by the people
// who would make them.

// demoContentMaker is what making the demo's content takes of the portal.
type demoContentMaker interface {
	SetContentRole(ctx context.Context, actor string, role portal.ContentRole, h portal.Holder, hold bool) (portal.ContentRoleHolder, error)
	CreatePage(ctx context.Context, actor string, p portal.Page) (portal.Page, error)
	SetPageMember(ctx context.Context, actor, id string, m portal.PageMember) (portal.PageMember, error)
	CreateMap(ctx context.Context, actor string, m portal.Map, owner portal.Holder) (portal.Map, error)
	SetMapShare(ctx context.Context, actor, id string, group portal.Holder, l portal.MapLevel) (portal.MapShare, error)
}

func buildDemoContent(ctx context.Context, p demoContentMaker, d *demo, admin string) {
	person := func(local string) portal.Holder { return portal.Holder{Kind: portal.HolderUser, ID: d.id(local)} }
	com := func(id string) portal.Holder { return portal.Holder{Kind: portal.HolderCommunity, ID: id} }
	org := func(id string) portal.Holder { return portal.Holder{Kind: portal.HolderOrganisation, ID: id} }
	dataset := func(id string) portal.MapResource { return portal.MapResource{Kind: portal.ResourceDataset, ID: id} }

	// Content roles, given by the platform administrator: Damien (who
	// reads every dataset) also views every page; the two communities
	// create maps; Isabelle edits every map.
	d.step("content roles", func() error {
		for _, r := range []struct {
			role portal.ContentRole
			h    portal.Holder
		}{
			{portal.ContentPageViewer, person("damien.lecteur")},
			{portal.ContentMapEditor, person("isabelle.geodesie")},
			{portal.ContentMapCreator, com("observatoire-littoral")},
			{portal.ContentMapCreator, com("cellule-crise-inondations")},
		} {
			if _, err := p.SetContentRole(ctx, admin, r.role, r.h, true); err != nil {
				return err
			}
		}
		return nil
	})

	// A public page of the platform's, for every visitor.
	d.step("page accueil", func() error {
		_, err := p.CreatePage(ctx, admin, portal.Page{ID: "accueil", Title: "Bienvenue sur la plateforme régionale de données", Public: true,
			Body: "Les données ouvertes et géographiques de la région Sud.\nCartes, tableaux de bord et jeux de données à consulter et télécharger.",
			Visualisations: []portal.Visualisation{
				{ID: "occupation-du-sol", Title: "Occupation du sol 2020", Dataset: "REGION-SUD_OCSOL"},
				{ID: "lycees", Title: "Lycées de la région", Dataset: "REGION-SUD_LYCEES"},
			}})
		return err
	})

	// A private dashboard of the region's, edited by Paul: the flood
	// risk plans are open to all (consult), the drinking-water network
	// only to the crisis unit. Toulon's people view the page without the
	// network; the crisis unit sees both; Lina may edit it.
	d.step("page tableau-de-bord-inondations", func() error {
		paul := d.id("paul.risques")
		if _, err := p.CreatePage(ctx, paul, portal.Page{ID: "tableau-de-bord-inondations", Title: "Tableau de bord inondations", Owner: "region-sud",
			Body: "Suivi des zones inondables et des réseaux sensibles.\nLes visualisations se chargent selon vos droits sur chaque jeu de données.",
			Visualisations: []portal.Visualisation{
				{ID: "ppri", Title: "Zones des PPRI", Dataset: "REGION-SUD_PPRI"},
				{ID: "reseau-eau", Title: "Réseau d'eau potable exposé", Dataset: "AMP_RESEAU-EAU"},
			}}); err != nil {
			return err
		}
		for _, m := range []portal.PageMember{
			{Holder: com("cellule-crise-inondations"), View: true},
			{Holder: org("toulon"), View: true},
			{Holder: person("lina.littoral"), View: true, Edit: true},
		} {
			if _, err := p.SetPageMember(ctx, paul, "tableau-de-bord-inondations", m); err != nil {
				return err
			}
		}
		return nil
	})

	// Maps shared with the communities at each privilege: the crisis
	// unit owns "crues-du-var" and writes on "trait-de-cote"; the
	// coastal observatory owns "trait-de-cote" and reads "crues-du-var".
	d.step("maps", func() error {
		crues, err := p.CreateMap(ctx, d.id("paul.risques"), portal.Map{ID: "crues-du-var", Name: "Crues du Var", Icon: "flood",
			Resources: []portal.MapResource{dataset("REGION-SUD_PPRI"), dataset("AMP_RESEAU-EAU")}}, com("cellule-crise-inondations"))
		if err != nil {
			return err
		}
		cote, err := p.CreateMap(ctx, d.id("lina.littoral"), portal.Map{ID: "trait-de-cote", Name: "Trait de côte", Icon: "coast",
			Resources: []portal.MapResource{dataset("CEREGE_TRAIT-DE-COTE"), dataset("IGNF_SCAN-25")}}, com("observatoire-littoral"))
		if err != nil {
			return err
		}
		for _, s := range []struct {
			actor, m string
			g        portal.Holder
			l        portal.MapLevel
		}{
			{"paul.risques", crues.ID, com("observatoire-littoral"), portal.MapRead},
			{"paul.risques", crues.ID, org("region-sud"), portal.MapOwner},
			// The crisis unit is private: Lina may not see it, the
			// platform administrator shares with it.
			{"", cote.ID, com("cellule-crise-inondations"), portal.MapWrite},
			{"lina.littoral", cote.ID, org("toulon"), portal.MapRead},
		} {
			actor := admin
			if s.actor != "" {
				actor = d.id(s.actor)
			}
			if _, err := p.SetMapShare(ctx, actor, s.m, s.g, s.l); err != nil {
				return err
			}
		}
		return nil
	})
}

// contentRoleWordsOf names the content roles in English and French.
var contentRoleWordsOf = map[portal.ContentRole][2]string{
	portal.ContentPageViewer:       {"views every page", "consulte toutes les pages"},
	portal.ContentPageEditor:       {"edits every page", "modifie toutes les pages"},
	portal.ContentMapAdministrator: {"map administrator", "administrateur des cartes"},
	portal.ContentMapEditor:        {"map editor (every map)", "éditeur de cartes (toutes les cartes)"},
	portal.ContentMapCreator:       {"creates maps", "crée des cartes"},
}

// contentRoleWords says a content role an account holds, and through what.
func contentRoleWords(g portal.ContentRoleGrant) (string, string) {
	w := contentRoleWordsOf[g.Role]
	e, f := w[0], w[1]
	if g.Via != nil {
		kind := map[portal.HolderKind][2]string{portal.HolderCommunity: {"community", "la communauté"}, portal.HolderOrganisation: {"organisation", "l'organisation"}}[g.Via.Kind]
		e, f = e+" through "+kind[0]+" "+g.Via.ID, f+" par "+kind[1]+" "+g.Via.ID
	}
	return e, f
}
