package messages

// people holds the messages of single sign-on's later parts: group
// claims mapped to communities, OAUTH2 access keys at the gateway,
// pending self-registrations, and the sign-in page's provider button.
var people = map[Key]entry{
	"ui.signin.oidc_with": {"Sign in with %s", "Se connecter avec %s"},
	"ui.signin.or":        {"or", "ou"},

	"gateway.bad_token":         {"the bearer token is not one this platform's identity provider issued for it (malformed, a bad signature, another issuer or audience): ask the provider for a new one", "le jeton Bearer n'est pas un jeton émis pour cette plateforme par son fournisseur d'identité (mal formé, signature invalide, autre émetteur ou autre audience) : demandez-en un nouveau au fournisseur"},
	"gateway.token_expired":     {"the bearer token has expired: ask the identity provider for a new one", "le jeton Bearer a expiré : demandez-en un nouveau au fournisseur d'identité"},
	"gateway.unknown_subject":   {"the bearer token is valid, but no OAUTH2 access key of this platform is bound to its subject %s and client %s: create an OAUTH2 key for this client", "le jeton Bearer est valide, mais aucune clé d'accès OAUTH2 de cette plateforme n'est liée à son sujet %s et à son client %s : créez une clé OAUTH2 pour ce client"},
	"gateway.no_token_provider": {"this platform accepts no bearer tokens (no identity provider is configured): use an access key", "cette plateforme n'accepte pas de jeton Bearer (aucun fournisseur d'identité n'est configuré) : utilisez une clé d'accès"},

	"invalid.explain_key_and_token": {"key, token: give one or the other, not both", "key, token : donnez l'un ou l'autre, pas les deux"},
	"invalid.oauth2_no_identity":    {"type OAUTH2: your account is not linked to the identity provider %s yet; sign in through it once, then create the key", "type OAUTH2 : votre compte n'est pas encore lié au fournisseur d'identité %s ; connectez-vous une fois par lui, puis créez la clé"},
}

func init() { merge(people) }
