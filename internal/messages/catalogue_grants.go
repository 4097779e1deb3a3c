package messages

// The messages of services, grants and access requests, kept apart from
// the main catalogue so that the nouns added beside it merge without
// touching it; init adds them (a key defined twice stops the program).
func init() {
	merge(map[Key]entry{
		"noun.service":        {"service", "service"},
		"noun.grant":          {"grant", "permission"},
		"noun.access_request": {"access request", "demande d'accès"},

		"right.service#manage": {"manage service %s (editors and delegated administrators of its organisation)", "gérer le service %s (éditeurs et administrateurs délégués de son organisation)"},
		"right.service#view":   {"see service %s", "voir le service %s"},
		"right.service#use":    {"use service %s", "utiliser le service %s"},
		"right.grant#manage":   {"manage grant %s (editors and delegated administrators of its grantor organisation)", "gérer la permission %s (éditeurs et administrateurs délégués de l'organisation qui l'accorde)"},
		"right.grant#view":     {"see grant %s", "voir la permission %s"},

		"invalid.service_path":           {"%s %s: want an absolute path of at most %d characters among a-z A-Z 0-9 / - . _ ~, without empty, \".\" or \"..\" segments nor a trailing slash, e.g. /wms/ign", "%s %s : il faut un chemin absolu d'au plus %d caractères parmi a-z A-Z 0-9 / - . _ ~, sans segment vide, « . » ni « .. » ni barre oblique finale, par exemple /wms/ign"},
		"invalid.service_path_reserved":  {"%s %s is under %s, which octroi serves itself: choose another path", "%s %s est sous %s, qu'octroi sert lui-même : choisissez un autre chemin"},
		"invalid.upstream":               {"%s %s: want an http:// or https:// URL with a host, without spaces nor #fragment, of at most %d characters", "%s %s : il faut une URL http:// ou https:// avec un hôte, sans espace ni #fragment, d'au plus %d caractères"},
		"invalid.upstream_credentials":   {"%s: the URL holds a user name or password, which would be stored and shown in clear: remove them", "%s : l'URL contient un nom d'utilisateur ou un mot de passe, qui seraient enregistrés et affichés en clair : retirez-les"},
		"invalid.too_many":               {"%s: %d given, at most %d", "%s : %d donnés, %d au plus"},
		"invalid.layer":                  {"%s %s: want a layer name of 1 to %d characters without commas, spaces or tabs", "%s %s : il faut un nom de couche de 1 à %d caractères sans virgule, espace ni tabulation"},
		"invalid.layers_needed":          {"%s: a %s service exposes at least one layer", "%s : un service %s expose au moins une couche"},
		"invalid.service_type":           {"%s %s: want one of %s", "%s %s : il faut l'une des valeurs %s"},
		"invalid.dataset_fixed":          {"dataset %s: a service's dataset does not change (it is %s)", "dataset %s : le jeu de données d'un service ne change pas (c'est %s)"},
		"invalid.expiry_not_future":      {"%s %s is not in the future", "%s %s n'est pas dans le futur"},
		"invalid.grant_organisation":     {"%s: service %s belongs to organisation %s, not %s: a grant covers services of one organisation", "%s : le service %s appartient à l'organisation %s, et non %s : une permission couvre les services d'une seule organisation"},
		"invalid.grant_state":            {"state %s: want live or expired", "state %s : il faut live ou expired"},
		"invalid.expiring_within":        {"expiring_within_days: want a positive number of days", "expiring_within_days : il faut un nombre de jours positif"},
		"invalid.renewal_grantor":        {"renewal: grant %s was not given by the organisation of dataset %s", "renewal : la permission %s n'a pas été accordée par l'organisation du jeu de données %s"},
		"invalid.renewal_no_expiry":      {"renewal: grant %s never expires: there is nothing to renew", "renewal : la permission %s n'expire jamais : il n'y a rien à renouveler"},
		"invalid.no_restricted_service":  {"dataset %s has no restricted service to ask for", "le jeu de données %s n'a aucun service restreint à demander"},
		"invalid.not_restricted_service": {"%s: %s is not a restricted service of dataset %s", "%s : %s n'est pas un service restreint du jeu de données %s"},
		"invalid.access_status":          {"status %s: want pending, accepted, refused, cancelled or already_granted", "status %s : il faut pending, accepted, refused, cancelled ou already_granted"},

		"notfound.grant_not_yours": {"grant %s is not made to you personally", "la permission %s ne vous est pas accordée personnellement"},

		"conflict.service_id_taken":       {"service id %s is taken", "l'identifiant de service %s est déjà pris"},
		"conflict.path_type":              {"path %s is served by service %s of type %s: services sharing a path share its type", "le chemin %s est servi par le service %s de type %s : les services qui partagent un chemin en partagent le type"},
		"conflict.path_taken":             {"path %s is taken by service %s: a service without layers is alone at its path", "le chemin %s est pris par le service %s : un service sans couche est seul à son chemin"},
		"conflict.layer_taken":            {"layer %s at path %s is exposed by service %s already: two services at one path never expose the same layer", "la couche %s au chemin %s est déjà exposée par le service %s : deux services d'un même chemin n'exposent jamais la même couche"},
		"conflict.pending_access_request": {"a request for access to dataset %s is already pending for this beneficiary", "une demande d'accès au jeu de données %s est déjà en attente pour ce bénéficiaire"},
		"conflict.access_not_pending":     {"access request %s is %s, not pending", "la demande d'accès %s est %s, et non en attente"},

		"access.pending":         {"pending", "en attente"},
		"access.accepted":        {"accepted", "acceptée"},
		"access.refused":         {"refused", "refusée"},
		"access.cancelled":       {"cancelled", "annulée"},
		"access.already_granted": {"already granted", "déjà accordée"},
	})
}
