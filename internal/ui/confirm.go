package ui

import "net/http"

// confirmation is a page that asks before an action that cannot be
// undone (deleting a community, a group): the question, what follows, and
// a form that posts the action; the way back is a link. Without
// JavaScript, the delete buttons of the screens are links to it.
type confirmation struct {
	Question, Consequence string // in the reader's language
	Action                string // the path the form posts to
	Button                string
	Back                  string // the path of the page asked from
}

func (u *ui) confirm(w http.ResponseWriter, v *view, c confirmation) error {
	v.Title = c.Question
	v.Data = c
	return u.render(w, http.StatusOK, "confirm", v)
}
