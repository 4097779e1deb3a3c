package portal

import (
	"context"

	"github.com/octroi/octroi/internal/engine"
)

// Explain says whether account has permission on dataset and why, in
// French and English, to the account itself or to whoever manages the
// dataset's access.
func (s *Service) Explain(ctx context.Context, actor, dataset, account, permission string) (Explanation, error) {
	switch permission {
	case "search", "consult", "download", "edit", "manage_access":
	default:
		return Explanation{}, invalidf("permission %q: want search, consult, download, edit or manage_access", permission)
	}
	g := datasetGuard(dataset, "manage_access")
	if actor == account {
		g.rights = append(g.rights, right{datasetRef(dataset), "search"})
	}
	if err := s.authorize(ctx, actor, g); err != nil {
		return Explanation{}, err
	}
	x, err := s.engine().Explain(ctx, engine.CheckRequest{Resource: datasetRef(dataset), Permission: permission, Subject: user(account)}, engine.At{})
	if err != nil {
		return Explanation{}, err
	}
	return Explanation{Dataset: dataset, Account: account, Permission: permission, Allowed: x.Result == engine.HasPermission}, nil
}
