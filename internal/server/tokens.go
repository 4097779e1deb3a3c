package server

import (
	"context"

	"github.com/octroi/octroi/internal/credentials"
)

// Operator tokens are package credentials'; the server makes the cache of
// them, follows the store with it, and refreshes it at once after a
// change made through it.

// CreateOperatorToken is credentials.CreateOperatorToken, after which this
// server accepts the token at once.
func (s *Server) CreateOperatorToken(ctx context.Context, actor, name string) (credentials.OperatorToken, string, error) {
	tok, secret, err := credentials.CreateOperatorToken(ctx, s.store, actor, name)
	if err != nil {
		return credentials.OperatorToken{}, "", err
	}
	s.refreshCredentials(ctx)
	return tok, secret, nil
}

// RevokeOperatorToken is credentials.RevokeOperatorToken, after which this
// server refuses the token at once.
func (s *Server) RevokeOperatorToken(ctx context.Context, actor, idOrName string) (credentials.OperatorToken, error) {
	tok, err := credentials.RevokeOperatorToken(ctx, s.store, actor, idOrName)
	if err != nil {
		return credentials.OperatorToken{}, err
	}
	s.refreshCredentials(ctx)
	return tok, nil
}

// OperatorTokens returns the stored operator tokens, oldest first, with
// the uses this server has noted but not yet recorded.
func (s *Server) OperatorTokens(ctx context.Context) ([]credentials.OperatorToken, error) {
	s.refreshCredentials(ctx)
	return credentials.OperatorTokens(ctx, s.store)
}

// refreshCredentials refreshes the credential cache now. A failure is
// logged by the cache; the change is committed either way, and the
// follower retries.
func (s *Server) refreshCredentials(ctx context.Context) {
	if s.creds != nil {
		_ = s.creds.Refresh(ctx)
	}
}
