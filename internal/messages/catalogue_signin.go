package messages

// signin holds the messages of accounts' passwords, sessions and links
// (packages portal and signin), kept apart so that they read together.
var signin = map[Key]entry{
	"code.too_many_requests":     {"Too many attempts", "Trop de tentatives"},
	"signin.cross_origin":        {"cross-origin request refused: a browser request signed in with a session cookie must come from this site's own pages", "requête d'une autre origine refusée : une requête de navigateur connectée par cookie de session doit venir des pages de ce site"},
	"invalid.search_cursor":      {"cursor: pass back the cursor of the previous page of this search", "cursor : renvoyez le curseur de la page précédente de cette recherche"},
	"invalid.identity":           {"the identity provider gave no issuer or subject, or ones with spaces", "le fournisseur d'identité n'a donné ni émetteur ni sujet, ou en a donné avec des espaces"},
	"noun.identity":              {"identity", "identité"},
	"signin.oidc_failed":         {"signing in through the identity provider failed: try again from the start", "la connexion par le fournisseur d'identité a échoué : recommencez depuis le début"},
	"signin.oidc_no_account":     {"no account on this platform is linked to this identity: ask an account manager to create yours", "aucun compte de cette plateforme n'est lié à cette identité : demandez à un gestionnaire des comptes de créer le vôtre"},
	"noun.password":              {"password", "mot de passe"},
	"noun.session":               {"session", "session"},
	"portal.link_invalid":        {"this link is invalid, already used or expired: ask for a new one (forgotten password)", "ce lien est invalide, déjà utilisé ou expiré : demandez-en un nouveau (mot de passe oublié)"},
	"portal.registration_closed": {"this platform does not take registrations: ask an account manager or a delegated administrator of your organisation to create your account", "cette plateforme n'accepte pas les inscriptions : demandez à un gestionnaire des comptes ou à un administrateur délégué de votre organisation de créer votre compte"},
	"signin.bad_credentials":     {"wrong e-mail or password", "adresse e-mail ou mot de passe incorrect"},
	"signin.throttled":           {"too many failed attempts: wait %d seconds before trying again", "trop de tentatives échouées : attendez %d secondes avant de réessayer"},
	"signin.password_encoding":   {"%s: not valid UTF-8 text", "%s : texte UTF-8 invalide"},
	"signin.password_short":      {"%s: at least %d characters, please (a few words make a good password)", "%s : au moins %d caractères, s'il vous plaît (quelques mots font un bon mot de passe)"},
	"signin.password_long":       {"%s: at most %d characters", "%s : au plus %d caractères"},
	"signin.password_common":     {"%s: this password is among the most used ones, which are tried first: choose another", "%s : ce mot de passe fait partie des plus utilisés, essayés en premier : choisissez-en un autre"},
	"signin.password_email":      {"%s: your e-mail address is no password: choose another", "%s : votre adresse e-mail n'est pas un mot de passe : choisissez-en un autre"},
	"signin.wrong_password":      {"%s: wrong password", "%s : mot de passe incorrect"},
	"signin.session_invalid":     {"unknown or closed session: sign in again", "session inconnue ou fermée : reconnectez-vous"},
	"signin.session_missing":     {"no session: sign in first", "aucune session : connectez-vous d'abord"},
	"signin.session_expired":     {"your session has ended: sign in again", "votre session a pris fin : reconnectez-vous"},
	"signin.request_accepted":    {"if an account has this e-mail address, a message is on its way to it", "si un compte a cette adresse e-mail, un message est en route vers elle"},
	"signin.password_set":        {"your password is set: you can sign in", "votre mot de passe est enregistré : vous pouvez vous connecter"},
}

func init() { merge(signin) }
