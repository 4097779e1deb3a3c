package ui

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/problem"
)

// fieldError is a refused form shown on its own page, beside the field it
// is about, rather than on an error page: the reader sees what was wrong
// where they typed it (the input gets aria-invalid and is described by
// the message) and loses nothing they typed. The zero value is no error.
//
// Templates ask it per input: {{with .Err.For "g-name"}}…{{end}} for the
// message of the input whose id is g-name, {{.Err.Value "create" "name"}}
// for what was typed in field name of form create, {{.Err.At "create"}}
// for a message of form create that names no field of it.
type fieldError struct {
	Form   string // the form refused, as the page names it
	Field  string // the id of the input it is about; "" for the form
	Msg    string // already in the reader's language
	Values url.Values
	Status int
}

// For returns the message when it is about the input whose id is id.
func (e fieldError) For(id string) string {
	if e.Field != "" && e.Field == id {
		return e.Msg
	}
	return ""
}

// At returns the message when it is about form but none of its inputs.
func (e fieldError) At(form string) string {
	if e.Form == form && e.Field == "" {
		return e.Msg
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

// formFields maps the field names the portal's refusals give (their first
// argument: "name", "community id"…) to the ids of a form's inputs; the
// entry "" is the input a refusal naming no known field is shown beside
// ("" there: the form itself).
type formFields map[string]string

// refusal turns a refusal of bad input (invalid argument, conflict, not
// found) into a fieldError of form, tied to the input the portal's message
// names. Other errors (forbidden, unauthenticated, failures) are not a
// matter of what was typed: ok is false and they go to the error page.
func refusal(err error, l messages.Lang, r *http.Request, form string, fields formFields) (fieldError, bool) {
	p := problem.From(err)
	switch p.Status {
	case http.StatusBadRequest, http.StatusConflict, http.StatusNotFound:
	default:
		return fieldError{}, false
	}
	e := fieldError{Form: form, Field: fields[""], Msg: p.Msg.In(l), Values: r.PostForm, Status: p.Status}
	var pe *portal.Error
	if errors.As(err, &pe) && len(pe.Msg.Args) > 0 {
		if name, ok := pe.Msg.Args[0].(string); ok {
			if id, ok := fields[name]; ok {
				e.Field = id
			}
		}
	}
	return e, true
}

// badField is a fieldError the screen finds itself (a date it cannot
// read), with a message of the catalogue.
func badField(l messages.Lang, r *http.Request, form, field string, key messages.Key, args ...any) fieldError {
	return fieldError{Form: form, Field: field, Msg: messages.New(key, args...).In(l), Values: r.Form, Status: http.StatusBadRequest}
}

// fieldProblem is e for a request that has no page to show it on (an
// export): the error page, with the same message.
func fieldProblem(e fieldError) error {
	return problem.New(problem.CodeInvalidArgument, messages.New("verbatim", e.Msg))
}

// errField is a refusal of what a form holds that the screen finds itself,
// with a message of the catalogue; refusal ties it to the form's field.
func errField(key messages.Key, args ...any) error {
	return problem.New(problem.CodeInvalidArgument, messages.New(key, args...))
}
