package ui

import "net/http"

// confirmation is a page that asks before an action that cannot be
// undone (deleting a community, a group, a grant, a key; a key's new
// secret): the question, what follows, what it is about, and a form that
// posts the action with confirm=yes; the way back is a link. Without
// JavaScript, the delete buttons of the screens are links to it.
type confirmation struct {
	Question, Consequence string // in the reader's language
	Facts                 []fact // what the action is about, when the question does not say it all
	Action                string // the path the form posts to
	Button                string
	Back                  string // the path of the page asked from
	BackText              string // the way back's words; "" for « Cancel »
}

// fact is one line of a confirmation's description list.
type fact struct{ Term, Desc string }

func (u *ui) confirm(w http.ResponseWriter, v *view, c confirmation) error {
	v.Title = c.Question
	v.Data = c
	return u.render(w, http.StatusOK, "confirm", v)
}
