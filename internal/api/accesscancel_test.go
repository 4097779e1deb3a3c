package api_test

import (
	"testing"

	"github.com/octroi/octroi/internal/api"
)

// TestCancelledRequestSaysWhy: a pending request whose dataset is deleted
// reads cancelled with the cause dataset_deleted, and its author (only)
// gets the notice access_request.cancelled naming it (anonymous callers
// of /me/notices are refused in portal_matrix_test.go).
func TestCancelledRequestSaysWhy(t *testing.T) { forEachStore(t, testCancelledRequestSaysWhy) }

func testCancelledRequestSaysWhy(t *testing.T, mk envMaker) {
	w := newWorld(t, mk)
	ds := w.freshDataset("search")
	_, tok := w.fresh()
	var ar api.AccessRequest
	w.withToken(tok).want(201, "POST", "/api/v1/access-requests", map[string]any{"dataset": ds}, &ar)
	w.as("editor").want(204, "DELETE", "/api/v1/datasets/"+ds, nil, nil)
	var mine api.AccessRequestList
	w.withToken(tok).want(200, "GET", "/api/v1/me/access-requests", nil, &mine)
	if len(mine.AccessRequests) != 1 || mine.AccessRequests[0].Status != "cancelled" || mine.AccessRequests[0].Cause != "dataset_deleted" {
		t.Errorf("the author's requests: %+v", mine)
	}
	var nl api.NoticeList
	w.withToken(tok).want(200, "GET", "/api/v1/me/notices", nil, &nl)
	found := false
	for _, n := range nl.Notices {
		found = found || (n.Kind == "access_request.cancelled" && n.Data["request"] == ar.ID && n.Data["cause"] == "dataset_deleted" && n.Data["dataset"] == ds)
	}
	if !found {
		t.Errorf("the author's notices: %+v", nl)
	}
	w.as("editor").want(200, "GET", "/api/v1/me/notices", nil, &nl)
	for _, n := range nl.Notices {
		if n.Kind == "access_request.cancelled" {
			t.Errorf("the editor was told: %+v", n)
		}
	}
}
