package synth

// Schema is the portal-shaped schema the generated relationships conform to,
// in SpiceDB's schema language. It is a benchmark fixture, deliberately close
// to the real portal model (DataSud access levels and organisation roles,
// Géoplateforme offerings and grants) without being that model.
const Schema = `use expiration

/** user is a person with an account on the portal. */
definition user {}

/** community is a group of users; its supervisor can never be removed. */
definition community {
    relation supervisor: user
    relation admin: user
    relation participant: user

    permission member = participant + admin + supervisor
    permission manage = admin + supervisor
}

/** organisation roles are hierarchical: registered user < editor < delegated admin. */
definition organisation {
    relation registered: user
    relation editor: user
    relation admin: user

    permission member = registered + editor + admin
    permission publish = editor + admin
    permission manage_members = admin
}

/** org_group is a group of organisations: a grant to it reaches every member of every organisation in it. */
definition org_group {
    relation org: organisation

    permission member = org->member
}

/**
 * dataset access levels are private < search < consult < download. The
 * default level is written as user:* on every level relation up to it; a
 * per-group level likewise, with the group's #member subject set.
 */
definition dataset {
    relation owner: organisation
    relation searcher: user:* | organisation#member | community#member | org_group#member
    relation consulter: user:* | organisation#member | community#member | org_group#member
    relation downloader: user:* | organisation#member | community#member | org_group#member

    permission manage_access = owner->manage_members
    permission edit = owner->publish + manage_access
    permission download = downloader + owner->member + edit
    permission consult = consulter + download
    permission search = searcher + consult
}

/** offering is a restricted service (WMS, WMTS, WFS…) publishing a dataset; using it takes a grant. */
definition offering {
    relation dataset: dataset
    relation grantee: user | user with expiration | community#member | community#member with expiration

    permission manage = dataset->manage_access
    permission use = grantee + manage
}
`

// allowedSubjects lists, for each "resource_type#relation" of Schema, the
// subject types its relation accepts, spelled as in the schema ("user",
// "user:*", "community#member", "user with expiration"). It is what the
// tests check every generated relationship against; a test keeps it in step
// with the schema text. It is returned by a function so that no caller can
// change it for everyone.
func allowedSubjects() map[string][]string {
	levels := []string{"user:*", "organisation#member", "community#member", "org_group#member"}
	return map[string][]string{
		"community#supervisor":    {"user"},
		"community#admin":         {"user"},
		"community#participant":   {"user"},
		"organisation#registered": {"user"},
		"organisation#editor":     {"user"},
		"organisation#admin":      {"user"},
		"org_group#org":           {"organisation"},
		"dataset#owner":           {"organisation"},
		"dataset#searcher":        levels,
		"dataset#consulter":       levels,
		"dataset#downloader":      levels,
		"offering#dataset":        {"dataset"},
		"offering#grantee":        {"user", "user with expiration", "community#member", "community#member with expiration"},
	}
}
