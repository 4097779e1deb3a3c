package portal

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/store"
)

// Sentinel errors: every error of the service wraps exactly one of them (or
// is an internal failure of the store or engine, which wraps none). Test
// with errors.Is; messages say what is wrong and where, and are safe to show
// to the acting person (they name only what that person may see).
var (
	// ErrUnauthenticated: no acting account, or a token that is unknown,
	// revoked, or whose account is disabled.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: the acting account lacks the right for the action.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: no such object, or one the actor may not even see.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: bad input; the message names the field.
	ErrInvalid = errors.New("invalid")
	// ErrConflict: the action would break an invariant or a uniqueness
	// rule; the message says which.
	ErrConflict = errors.New("conflict")
)

// tokenExpired refuses a personal token past its expiry (kind
// ErrUnauthenticated). Unlike an unknown secret it is told as such, and
// when: whoever holds an expired token did hold a valid one and learns
// nothing new, and needs to know to make another.
func tokenExpired(at time.Time) error {
	when := at.UTC().Format(time.RFC3339)
	return refuse(ErrUnauthenticated, Text{
		"this personal token expired at " + when + ": make a new one (POST /api/v1/me/tokens with a valid token, or octroi admin create-user)",
		"ce jeton personnel a expiré le " + when + " : créez-en un autre (POST /api/v1/me/tokens avec un jeton valide, ou octroi admin create-user)"})
}

// ErrAccountDisabled refuses a valid personal token whose account is
// disabled (kind ErrUnauthenticated): its holder is told why, since the
// token itself is good.
var ErrAccountDisabled error = &Error{Kind: ErrUnauthenticated,
	EN: "this token's account is disabled: an account manager can enable it again",
	FR: "le compte de ce jeton est désactivé : un gestionnaire des comptes peut le réactiver"}

// Error is a refusal of the service: its kind (one of the sentinels
// above), what to tell the acting person in English and, where written,
// French, and the cause when it comes from below (logged by faces, never
// shown). Faces show EN or FR, never Error(), which prefixes the kind for
// logs.
type Error struct {
	Kind   error
	EN, FR string
	Cause  error
}

func (e *Error) Error() string { return e.Kind.Error() + ": " + e.EN }

// Unwrap exposes the kind and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Kind, e.Cause}
	}
	return []error{e.Kind}
}

// Text is a message in English and French.
type Text struct{ EN, FR string }

// refuse returns an Error of kind with the message in both languages.
func refuse(kind error, t Text) error { return &Error{Kind: kind, EN: t.EN, FR: t.FR} }

func invalidf(format string, args ...any) error {
	return &Error{Kind: ErrInvalid, EN: fmt.Sprintf(format, args...)}
}

func conflictf(format string, args ...any) error {
	return &Error{Kind: ErrConflict, EN: fmt.Sprintf(format, args...)}
}

func notFoundf(format string, args ...any) error {
	return &Error{Kind: ErrNotFound, EN: fmt.Sprintf(format, args...)}
}

// storeErr converts the store's sentinels to the service's, so that callers
// test one family of errors. Errors already carrying a portal sentinel pass
// unchanged.
func storeErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrUnauthenticated), errors.Is(err, ErrForbidden), errors.Is(err, ErrNotFound),
		errors.Is(err, ErrInvalid), errors.Is(err, ErrConflict):
		return err
	case errors.Is(err, store.ErrAlreadyExists), errors.Is(err, store.ErrPreconditionFailed):
		return &Error{Kind: ErrConflict, EN: err.Error(), Cause: err}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Kind: ErrNotFound, EN: err.Error(), Cause: err}
	case errors.Is(err, store.ErrInvalid):
		return &Error{Kind: ErrInvalid, EN: err.Error(), Cause: err}
	}
	return err
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// notFoundOr returns err when there is one, else ErrNotFound with the
// message.
func notFoundOr(err error, format string, args ...any) error {
	if err != nil {
		return err
	}
	return notFoundf(format, args...)
}

// isPortalNotFound reports a missing record as the views report it.
func isPortalNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// rightWords says what a right lets its holder do, for refusals, in
// English and French; %s is the object's id. A right missing here is
// named by its permission and object.
var rightWords = map[string]Text{
	"platform#administer":         {"administer the platform (platform administrators only)", "administrer la plateforme (administrateurs de la plateforme seulement)"},
	"platform#manage_accounts":    {"manage accounts (account managers and platform administrators)", "gérer les comptes (gestionnaires des comptes et administrateurs de la plateforme)"},
	"platform#read_all_data":      {"read every dataset", "lire tous les jeux de données"},
	"community#member":            {"act as a member of community %s", "agir en membre de la communauté %s"},
	"community#manage":            {"manage community %s (its supervisor and administrators)", "gérer la communauté %s (son superviseur et ses administrateurs)"},
	"community#delete":            {"delete community %s (its supervisor)", "supprimer la communauté %s (son superviseur)"},
	"community#view":              {"see community %s", "voir la communauté %s"},
	"organisation#member":         {"act as a member of organisation %s", "agir en membre de l'organisation %s"},
	"organisation#publish":        {"publish for organisation %s (its editors and delegated administrators)", "publier pour l'organisation %s (ses éditeurs et administrateurs délégués)"},
	"organisation#manage_members": {"manage the members of organisation %s (its delegated administrators)", "gérer les membres de l'organisation %s (ses administrateurs délégués)"},
	"org_group#member":            {"act as a member of group of organisations %s", "agir en membre du groupe d'organisations %s"},
	"org_group#manage":            {"manage group of organisations %s (platform administrators)", "gérer le groupe d'organisations %s (administrateurs de la plateforme)"},
	"dataset#manage_access":       {"configure access to dataset %s (editors and delegated administrators of its organisation)", "configurer l'accès au jeu de données %s (éditeurs et administrateurs délégués de son organisation)"},
	"dataset#edit":                {"edit dataset %s (editors and delegated administrators of its organisation)", "modifier le jeu de données %s (éditeurs et administrateurs délégués de son organisation)"},
	"dataset#download":            {"download dataset %s", "télécharger le jeu de données %s"},
	"dataset#consult":             {"consult dataset %s", "consulter le jeu de données %s"},
	"dataset#search":              {"find dataset %s", "trouver le jeu de données %s"},
}

// lacks is the refusal of an action that needs r.
func lacks(r right) error {
	w, ok := rightWords[r.res.Type+"#"+r.perm]
	if !ok {
		w = Text{"hold " + r.perm + " on " + r.res.Type + " %s", "détenir " + r.perm + " sur " + r.res.Type + " %s"}
	}
	if strings.Contains(w.EN, "%s") {
		w = Text{fmt.Sprintf(w.EN, r.res.ID), fmt.Sprintf(w.FR, r.res.ID)}
	}
	return refuse(ErrForbidden, Text{"You may not " + w.EN + ".", "Vous ne pouvez pas " + w.FR + "."})
}

// errDisabled is the refusal of any action by a disabled account.
var errDisabled = &Error{Kind: ErrForbidden,
	EN: "Your account is disabled: ask an account manager to enable it again.",
	FR: "Votre compte est désactivé : demandez à un gestionnaire des comptes de le réactiver."}
