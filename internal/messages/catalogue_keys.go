package messages

// keysCatalogue holds the messages of access keys and of the gateway's
// decisions, in a file of their own so that work on other nouns does not
// meet it; init adds them to the catalogue (a key in both is a mistake the
// build refuses at start).
var keysCatalogue = map[Key]entry{
	"noun.access_key": {"access key", "clé d'accès"},

	"invalid.cidr":               {"%s: %s is neither an IP address nor a CIDR prefix (like 192.0.2.0/24 or 2001:db8::/32)", "%s : %s n'est ni une adresse IP ni un préfixe CIDR (comme 192.0.2.0/24 ou 2001:db8::/32)"},
	"invalid.pattern":            {"%s: pattern %s has a character a header value cannot hold at position %d (want visible ASCII, spaces, and * for any run of characters)", "%s : le motif %s contient à la position %d un caractère qu'une valeur d'en-tête ne peut pas contenir (il faut de l'ASCII visible, des espaces, et * pour toute suite de caractères)"},
	"invalid.header_name":        {"header %s: want letters, digits and -", "header %s : il faut des lettres, des chiffres et des -"},
	"invalid.header_reserved":    {"header %s is reserved (credentials, cookies, routing, or headers octroi and proxies read or set): choose another name, such as X-Api-Key", "l'en-tête %s est réservé (identifiants, cookies, routage, ou en-têtes lus ou posés par octroi et les proxys) : choisissez un autre nom, par exemple X-Api-Key"},
	"invalid.user_name":          {"user_name %s: want letters, digits, and . _ @ -", "user_name %s : il faut des lettres, des chiffres, et . _ @ -"},
	"invalid.oauth2_unavailable": {"type OAUTH2: this platform has no identity provider configured yet, so no OAuth2 token can be checked; use HASH, BASIC or HEADER", "type OAUTH2 : aucun fournisseur d'identité n'est encore configuré sur cette plateforme, aucun jeton OAuth2 ne peut donc être vérifié ; utilisez HASH, BASIC ou HEADER"},
	"invalid.key_type":           {"type %s: want HASH, BASIC, HEADER or OAUTH2", "type %s : il faut HASH, BASIC, HEADER ou OAUTH2"},
	"invalid.key_field_type":     {"%s is only for keys of type %s", "%s ne concerne que les clés de type %s"},
	"invalid.key_status":         {"status %s: want active or disabled (an administrator revokes with POST /keys/{id}/revoke)", "status %s : il faut active ou disabled (un administrateur révoque avec POST /keys/{id}/revoke)"},
	"invalid.oauth2_no_secret":   {"an OAUTH2 key has no secret to regenerate: its tokens come from the identity provider", "une clé OAUTH2 n'a pas de secret à régénérer : ses jetons viennent du fournisseur d'identité"},
	"conflict.too_many_keys":     {"you have %d access keys, the most one account may have: delete one first", "vous avez %d clés d'accès, le maximum pour un compte : supprimez-en une d'abord"},
	"conflict.key_revoked":       {"access key %s was revoked: it changes no more (delete it, and make another)", "la clé d'accès %s a été révoquée : elle ne change plus (supprimez-la, et créez-en une autre)"},
	"key.grant_not_held":         {"you hold no live grant %s: a key opens only what its owner was granted", "vous ne détenez aucune permission en cours %s : une clé n'ouvre que ce qui a été accordé à son propriétaire"},
	"key.only_oauth":             {"grant %s may be used only through an OAUTH2 key, and this key is of type %s", "la permission %s ne s'utilise qu'au moyen d'une clé OAUTH2, et cette clé est de type %s"},
	"key.service_not_covered":    {"service %s is not covered by grant %s: choose among the services of the grant", "le service %s n'est pas couvert par la permission %s : choisissez parmi les services de la permission"},

	// The gateway's decisions, by reason code: what the Why endpoint and
	// the refusal bodies say.
	"gateway.allowed":             {"allowed: key %s of %s opens %s", "autorisé : la clé %s de %s ouvre %s"},
	"gateway.allowed_open":        {"allowed without a key: %s is open to everyone", "autorisé sans clé : %s est ouvert à tous"},
	"gateway.no_service":          {"no map service is served at %s", "aucun service cartographique n'est servi à l'adresse %s"},
	"gateway.no_key":              {"this service needs an access key: pass it as the apikey parameter, the apikey header, HTTP Basic or the key's header", "ce service demande une clé d'accès : passez-la en paramètre apikey, en en-tête apikey, en HTTP Basic ou dans l'en-tête de la clé"},
	"gateway.unknown_key":         {"unknown or deleted access key", "clé d'accès inconnue ou supprimée"},
	"gateway.key_wrong_channel":   {"this access key is of type %s and travels %s", "cette clé d'accès est de type %s et se transmet %s"},
	"gateway.channel.HASH":        {"as the apikey parameter or the apikey header", "en paramètre apikey ou en en-tête apikey"},
	"gateway.channel.BASIC":       {"as HTTP Basic (its user name and password)", "en HTTP Basic (son nom d'utilisateur et son mot de passe)"},
	"gateway.channel.HEADER":      {"in its own header", "dans son propre en-tête"},
	"gateway.channel.OAUTH2":      {"as a Bearer token of the identity provider", "en jeton Bearer du fournisseur d'identité"},
	"gateway.key_disabled":        {"access key %s is disabled by its owner", "la clé d'accès %s est désactivée par son propriétaire"},
	"gateway.key_revoked":         {"access key %s was revoked", "la clé d'accès %s a été révoquée"},
	"gateway.owner_disabled":      {"the account owning access key %s is disabled", "le compte propriétaire de la clé d'accès %s est désactivé"},
	"gateway.ip_refused":          {"access key %s does not accept requests from %s (its IP filter)", "la clé d'accès %s n'accepte pas les requêtes venant de %s (son filtre IP)"},
	"gateway.referer_refused":     {"access key %s does not accept the referer %s (its referer filter)", "la clé d'accès %s n'accepte pas le référent %s (son filtre de référents)"},
	"gateway.user_agent_refused":  {"access key %s does not accept the user agent %s (its user-agent filter)", "la clé d'accès %s n'accepte pas l'agent utilisateur %s (son filtre d'agents utilisateurs)"},
	"gateway.service_unavailable": {"service %s is unavailable: its producer switched it off", "le service %s est indisponible : son producteur l'a coupé"},
	"gateway.grant_expired":       {"grant %s, through which access key %s opened %s, expired on %s", "la permission %s, par laquelle la clé d'accès %s ouvrait %s, a expiré le %s"},
	"gateway.grant_not_held":      {"the owner of access key %s no longer holds grant %s, which opened %s (removed, or a community left)", "le propriétaire de la clé d'accès %s ne détient plus la permission %s, qui ouvrait %s (retirée, ou communauté quittée)"},
	"gateway.layer_not_granted":   {"access key %s opens no grant on layer %s (service %s)", "la clé d'accès %s n'ouvre aucune permission sur la couche %s (service %s)"},
	"gateway.unknown_layer":       {"no service at %s serves layer %s", "aucun service à l'adresse %s ne sert la couche %s"},
	"gateway.nothing_usable":      {"access key %s opens none of the services at %s", "la clé d'accès %s n'ouvre aucun des services à l'adresse %s"},
	"gateway.only_oauth":          {"grant %s may be used only through an OAUTH2 key", "la permission %s ne s'utilise qu'au moyen d'une clé OAUTH2"},
	"gateway.bad_request":         {"the request could not be read as a map service request: %s", "la requête n'a pas pu être lue comme une requête de service cartographique : %s"},
	"gateway.title_401":           {"Access key required", "Clé d'accès requise"},
	"gateway.title_403":           {"Access refused", "Accès refusé"},
	"gateway.title_404":           {"No such service", "Service introuvable"},
	"gateway.title_400":           {"Bad request", "Requête invalide"},
	"gateway.explain_forbidden":   {"only the key's owner, a producer managing one of the services asked for, or a platform administrator may ask why", "seuls le propriétaire de la clé, un producteur qui gère l'un des services demandés ou un administrateur de la plateforme peuvent demander pourquoi"},
	"invalid.uri":                 {"uri %s: want a path with an optional query, like /wms?SERVICE=WMS&REQUEST=GetMap", "uri %s : il faut un chemin avec une requête facultative, comme /wms?SERVICE=WMS&REQUEST=GetMap"},
	"invalid.client":              {"client %s is not an IP address", "client %s n'est pas une adresse IP"},
}

func init() { merge(keysCatalogue) }
