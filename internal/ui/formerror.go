package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
)

// fieldError is what was refused in a form, shown on the form's own page
// beside the field each message is about, rather than on an error page:
// the reader sees what was wrong where they typed it (the input gets
// aria-invalid and is described by the message) and loses nothing they
// typed. It holds one message or several (a form the screen checks itself
// may have more than one field wrong). The zero value is no error.
//
// Templates ask it per input: {{with .Err.For "g-name"}}…{{end}} for the
// message of the input whose id is g-name, {{.Err.Value "create" "name"}}
// for what was typed in field name of form create, {{.Err.At "create"}}
// for a message of form create that names no field of it, and range over
// .Msgs to list them all at the top of the form.
type fieldError struct {
	Form   string // the form refused, as the page names it
	Msgs   []fieldMsg
	Values url.Values // what was typed, for forms that do not keep it themselves
	Status int
}

// fieldMsg is one message of a fieldError.
type fieldMsg struct {
	Field string // the id of the input it is about; "" for the form
	Msg   string // already in the reader's language
}

// Msg is the first message, "" when there is none.
func (e fieldError) Msg() string {
	if len(e.Msgs) == 0 {
		return ""
	}
	return e.Msgs[0].Msg
}

// For returns the message about the input whose id is id, "" when none.
func (e fieldError) For(id string) string {
	for _, m := range e.Msgs {
		if m.Field != "" && m.Field == id {
			return m.Msg
		}
	}
	return ""
}

// Of is the message about the input whose id is id, for the shared part
// "form-error" (templates/_form.html); its Msg is "" when none.
func (e fieldError) Of(id string) fieldMsg {
	return fieldMsg{id, e.For(id)}
}

// At returns the message about form but none of its inputs.
func (e fieldError) At(form string) string {
	if e.Form != form {
		return ""
	}
	for _, m := range e.Msgs {
		if m.Field == "" {
			return m.Msg
		}
	}
	return ""
}

// Value returns what the reader typed in field name of form, to fill it
// again.
func (e fieldError) Value(form, name string) string {
	if e.Form != form {
		return ""
	}
	return e.Values.Get(name)
}

// status is the status of a page showing e: 200 without an error.
func (e fieldError) status() int {
	if len(e.Msgs) == 0 {
		return http.StatusOK
	}
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// add is a message of the catalogue about field, found by the screen
// itself (a date it cannot read): bad input.
func (e *fieldError) add(field string, m messages.Message, l messages.Lang) {
	e.Msgs = append(e.Msgs, fieldMsg{field, m.In(l)})
	if e.Status == 0 {
		e.Status = http.StatusBadRequest
	}
}

// formFields ties the portal's refusals to the ids of a form's inputs: by
// the field name a refusal gives as its first argument ("name",
// "community id"; "services[2]" is "services"), or by the key of a message
// that does not start with its field ("invalid.header_name"). The entry
// "" is the input a refusal naming no known field is shown beside ("" or
// absent there: the form itself).
type formFields map[string]string

// of is the input of the field a refusal names: the name itself
// ("visualisations[2] title", when a form has an input for that one
// element), else its field ("services[2]" and "owner id" are "services"
// and "owner").
func (fields formFields) of(name string) (string, bool) {
	if f, ok := fields[name]; ok {
		return f, true
	}
	base, _, _ := strings.Cut(name, "[")
	base, _, _ = strings.Cut(base, " ")
	f, ok := fields[base]
	return f, ok
}

// refuse adds err to e when it is a refusal of what was typed (invalid
// argument, conflict, not found, or a message fields names), tied to the
// input the portal's message names. Other errors (forbidden,
// unauthenticated, failures) are not a matter of what was typed: it
// returns false and they go to the error page.
func (e *fieldError) refuse(err error, l messages.Lang, fields formFields) bool {
	p := problem.From(err)
	var pe *portal.Error
	isPortal := errors.As(err, &pe)
	id, keyed := "", false
	if isPortal {
		id, keyed = fields[string(pe.Msg.Key)]
	}
	switch {
	case keyed:
	case p.Status == http.StatusBadRequest || p.Status == http.StatusConflict || p.Status == http.StatusNotFound:
		id = fields[""]
		if isPortal && len(pe.Msg.Args) > 0 {
			if name, ok := pe.Msg.Args[0].(string); ok {
				if f, ok := fields.of(name); ok {
					id = f
				}
			}
		}
	default:
		return false
	}
	e.Msgs = append(e.Msgs, fieldMsg{id, p.Msg.In(l)})
	if e.Status == 0 {
		e.Status = p.Status
	}
	return true
}

// refusal is err as a fieldError of form, with what r posted (see
// refuse); ok is false when err is not the form's to show.
func refusal(err error, l messages.Lang, r *http.Request, form string, fields formFields) (fieldError, bool) {
	e := fieldError{Form: form, Values: r.PostForm}
	ok := e.refuse(err, l, fields)
	return e, ok
}

// namedRefusal is refusal for a form that names other things than its
// own object (a dataset, a person, a group): that one of them is not
// found or not the reader's is about the input blame, when the caller
// has checked that the form's object is still the reader's (blame is ""
// otherwise); not found is then 400 (the form is here; what it named is
// not). Without blame such a refusal (the page gone, the right lost) is
// not the form's: ok is false, for the error page.
func namedRefusal(err error, l messages.Lang, r *http.Request, form string, fields formFields, blame string) (fieldError, bool) {
	if !errors.Is(err, portal.ErrNotFound) && !errors.Is(err, portal.ErrForbidden) {
		return refusal(err, l, r, form, fields)
	}
	if blame == "" {
		return fieldError{}, false
	}
	p := problem.From(err)
	e := fieldError{Form: form, Values: r.PostForm, Status: p.Status}
	if e.Status == http.StatusNotFound {
		e.Status = http.StatusBadRequest
	}
	e.add(blame, p.Msg, l)
	return e, true
}

// badField is a fieldError the screen finds itself (a date it cannot
// read), with a message of the catalogue.
func badField(l messages.Lang, r *http.Request, form, field string, key messages.Key, args ...any) fieldError {
	e := fieldError{Form: form, Values: r.Form}
	e.add(field, messages.New(key, args...), l)
	return e
}

// fieldProblem is e for a request that has no page to show it on (an
// export): the error page, with the same message.
func fieldProblem(e fieldError) error {
	return problem.New(problem.CodeInvalidArgument, messages.New("verbatim", e.Msg()))
}

// errField is a refusal of what a form holds that the screen finds itself,
// with a message of the catalogue; refusal ties it to the form's field.
func errField(key messages.Key, args ...any) error {
	return problem.New(problem.CodeInvalidArgument, messages.New(key, args...))
}

// formAnswer ends a screen's form action: done, back to path with done
// reported (?done=); err a refusal of what was typed (refusal), the
// screen again through show, with it beside its field; any other error,
// the error page.
func formAnswer(w http.ResponseWriter, r *http.Request, v *view, err error, form string, fields formFields,
	show func(http.ResponseWriter, *http.Request, *view, fieldError) error, path, done string) error {
	if err != nil {
		if fe, ok := refusal(err, v.Lang, r, form, fields); ok {
			return show(w, r, v, fe)
		}
		return err
	}
	http.Redirect(w, r, backTo(path, done), http.StatusSeeOther)
	return nil
}

// unconfirmed sends a form that deletes, posted without its
// confirmation (confirm=yes), to the page that asks for it (ask), and
// reports whether it did.
func unconfirmed(w http.ResponseWriter, r *http.Request, ask string) bool {
	if r.PostFormValue("confirm") == "yes" {
		return false
	}
	http.Redirect(w, r, ask, http.StatusSeeOther)
	return true
}
