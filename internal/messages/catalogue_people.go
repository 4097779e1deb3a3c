package messages

// people holds the messages of single sign-on's later parts: group
// claims mapped to communities, OAUTH2 access keys at the gateway,
// pending self-registrations, and the sign-in page's provider button.
var people = map[Key]entry{
	"ui.signin.oidc_with": {"Sign in with %s", "Se connecter avec %s"},
	"ui.signin.or":        {"or", "ou"},
}

func init() {
	for k, e := range people {
		if _, dup := catalogue[k]; dup {
			panic("messages: key " + string(k) + " defined twice")
		}
		catalogue[k] = e
	}
}
