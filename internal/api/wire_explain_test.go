package api

import (
	"encoding/json"
	"testing"

	"github.com/octroi/octroi/internal/messages"
	"github.com/octroi/octroi/internal/portal"
)

// TestExplanationOnTheWire: the portal returns an explanation's words as
// messages; the API answers them rendered in both languages, with the
// fields and their order as before the catalogue.
func TestExplanationOnTheWire(t *testing.T) {
	for _, tt := range []struct {
		x    portal.Explanation
		want string
	}{
		{portal.Explanation{Dataset: "D", Account: "a", Permission: "search",
			Reasons: []portal.Reason{{Via: "default", Text: messages.New("explain.default_level", messages.New("level.private"))}},
			Text:    messages.New("level.search")},
			`{"dataset":"D","account":"a","permission":"search","allowed":false,"reasons":[{"via":"default","fr":"le niveau par défaut du jeu de données est « privé »","en":"the dataset's default level is private"}],"fr":"recherche","en":"search"}`},
		{portal.Explanation{Dataset: "D"}, `{"dataset":"D","account":"","permission":"","allowed":false,"reasons":[],"fr":"","en":""}`},
	} {
		b, err := json.Marshal(explanationOut(tt.x))
		if err != nil || string(b) != tt.want {
			t.Errorf("got %s %v\nwant %s", b, err, tt.want)
		}
	}
}
