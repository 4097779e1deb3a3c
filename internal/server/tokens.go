package server

import (
	"context"
	"errors"

	"github.com/octroi/octroi/internal/credentials"
	"github.com/octroi/octroi/internal/store"
)

// Operator tokens are package credentials'; the server makes the cache of
// them, follows the store with it, and refreshes it at once after a
// change made through it.

// documents returns the store's documents, or an error saying the store
// keeps none.
func (s *Server) documents() (store.Documents, error) {
	docs, ok := s.store.(store.Documents)
	if !ok {
		return nil, errors.New("this datastore keeps no documents, hence no operator tokens: use OCTROI_TOKEN or --token-hashes-file")
	}
	return docs, nil
}

// CreateOperatorToken is credentials.CreateOperatorToken, after which this
// server accepts the token at once.
func (s *Server) CreateOperatorToken(ctx context.Context, actor, name string) (credentials.OperatorToken, string, error) {
	docs, err := s.documents()
	if err != nil {
		return credentials.OperatorToken{}, "", err
	}
	tok, secret, err := credentials.CreateOperatorToken(ctx, docs, actor, name)
	if err != nil {
		return credentials.OperatorToken{}, "", err
	}
	s.refreshCredentials(ctx)
	return tok, secret, nil
}

// RevokeOperatorToken is credentials.RevokeOperatorToken, after which this
// server refuses the token at once.
func (s *Server) RevokeOperatorToken(ctx context.Context, actor, idOrName string) (credentials.OperatorToken, error) {
	docs, err := s.documents()
	if err != nil {
		return credentials.OperatorToken{}, err
	}
	tok, err := credentials.RevokeOperatorToken(ctx, docs, actor, idOrName)
	if err != nil {
		return credentials.OperatorToken{}, err
	}
	s.refreshCredentials(ctx)
	return tok, nil
}

// OperatorTokens returns the stored operator tokens, oldest first, with
// the uses this server has noted but not yet recorded.
func (s *Server) OperatorTokens(ctx context.Context) ([]credentials.OperatorToken, error) {
	docs, err := s.documents()
	if err != nil {
		return nil, err
	}
	s.refreshCredentials(ctx)
	return credentials.OperatorTokens(ctx, docs)
}

// refreshCredentials refreshes the credential cache now. A failure is
// logged by the cache; the change is committed either way, and the
// follower retries.
func (s *Server) refreshCredentials(ctx context.Context) {
	if s.creds != nil {
		_ = s.creds.Refresh(ctx)
	}
}
