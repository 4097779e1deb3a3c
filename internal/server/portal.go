package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/octroi/octroi/internal/api"
	"github.com/octroi/octroi/internal/portal"
	"github.com/octroi/octroi/internal/store"
)

// Portal is what the server's commands reach of the portal service
// outside the API: an account made without an acting person (the first
// administrator: `octroi admin create-user`) and tokens for it.
type Portal interface {
	Bootstrap(ctx context.Context, email, name string, roles []portal.PlatformRole) (portal.Account, string, error)
	BootstrapUntil(ctx context.Context, email, name string, roles []portal.PlatformRole, expires *time.Time) (portal.Account, string, error)
	CreateToken(ctx context.Context, actor, name string, expires *time.Time) (portal.Token, string, error)
}

// The portal service is what every consumer in the server declares; these
// stop the build when one asks for what the service lacks.
var (
	_ Portal     = (*portal.Service)(nil)
	_ demoMaker  = (*portal.Service)(nil)
	_ demoReader = (*portal.Service)(nil)
)

// apiPortal gives the API the portal service for every noun; its fields'
// types are what stop the build when the API asks for what the service
// lacks.
func apiPortal(svc *portal.Service) *api.Portal {
	return &api.Portal{
		Callers:          svc,
		Profiles:         svc,
		Accounts:         svc,
		PersonalTokens:   svc,
		Notices:          svc,
		Organisations:    svc,
		Members:          svc,
		JoinRequests:     svc,
		Communities:      svc,
		CommunityMembers: svc,
		Invitations:      svc,
		OrgGroups:        svc,
		Datasets:         svc,
		Access:           svc,
		Catalogue:        svc,
		AuditLog:         svc,
		Keys:             svc,
		MapServices:      svc,
		Grants:           svc,
		AccessRequests:   svc,
		Pages:            svc,
		Maps:             svc,
		ContentRoles:     svc,
	}
}

// PortalSchemaError says why the server cannot apply the portal schema:
// the stored schema has relations the portal schema lacks and stored
// relationships use them.
type PortalSchemaError struct {
	Uses []api.SchemaUse
}

func (e *PortalSchemaError) Error() string {
	var b strings.Builder
	b.WriteString("the database's schema is not octroi's portal schema, and stored relationships use what the portal schema lacks:")
	for i, u := range e.Uses {
		if i == 10 {
			fmt.Fprintf(&b, "\n  … and %d more shapes", len(e.Uses)-i)
			break
		}
		fmt.Fprintf(&b, "\n  %s: %d relationships (%s)", u.Shape, u.Count, u.Problem)
	}
	b.WriteString("\nDelete those relationships first, or serve with --no-portal (OCTROI_NO_PORTAL=true) to keep your own schema and use only the relationship API.")
	return b.String()
}

// ensurePortalSchema writes the portal schema when the stored one is
// absent or differs, through the normal schema path: a schema that would
// orphan stored relationships is refused, and then so is the start. It
// runs before the index is loaded, so it does not wait for the index.
func (s *Server) ensurePortalSchema(ctx context.Context) error {
	text, _, err := s.store.ReadSchema(ctx)
	switch {
	case err == nil && text == portal.Schema:
		return nil
	case err != nil && !errors.Is(err, store.ErrNoSchema):
		return fmt.Errorf("reading the schema: %w", err)
	}
	diff, _, rev, err := s.writeSchema(ctx, portal.Schema, false, false)
	var siu *api.SchemaInUseError
	if errors.As(err, &siu) {
		return &PortalSchemaError{Uses: siu.Uses}
	}
	if err != nil {
		return fmt.Errorf("writing the portal schema: %w", err)
	}
	s.log.Info("portal schema applied", "revision", rev,
		"added_definitions", diff.AddedDefinitions, "removed_definitions", diff.RemovedDefinitions,
		"changed_permissions", diff.ChangedPermissions)
	return nil
}

// newPortal builds the portal service over the store and the current
// engine. Its writes return once this node's index has applied them, so
// that the caller's next request sees its own change.
func (s *Server) newPortal() (*portal.Service, error) {
	svc, err := portal.New(portal.Config{
		Docs:     s.store,
		Store:    s.store,
		Engine:   s.CurrentEngine,
		Sync:     s.sync,
		Platform: s.cfg.Platform,
		// Followed by Start, refreshed by the portal after its own changes.
		Credentials:      s.creds,
		SelfRegistration: s.cfg.SignIn.SelfRegistration,
		// OAUTH2 access keys take the bearer tokens of the provider people
		// sign in through.
		IdentityProvider: s.cfg.SignIn.OIDC.Issuer,
	})
	if err != nil {
		return nil, err
	}
	return svc, nil
}

// sync waits (within ctx) until the index has applied rev.
func (s *Server) sync(ctx context.Context, rev store.Revision) error {
	_, err := s.waitIndex(ctx, rev)
	return err
}

// Portal returns the portal service, or nil when the server runs without
// it (Config.NoPortal).
func (s *Server) Portal() Portal {
	if s.portal == nil {
		return nil // not a nil *portal.Service in a non-nil Portal
	}
	return s.portal
}
