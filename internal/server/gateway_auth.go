package server

import (
	"net/http"
	"time"
)

// gatewayFirst serves /gateway/auth ahead of h (the mux and its general
// middleware), and everything else through h. A reverse proxy asks it
// once per map request, tens of thousands of times a second, so its path
// keeps only what the general chain does that matters to it:
//
//   - the write deadline of every answer (a client that stops reading
//     does not hold its goroutine);
//   - the body deadline, for the rare request that carries a body (the
//     forward-auth protocol sends none; net/http would wait for it);
//   - the security headers, which only refusals need (an allowed answer
//     has no body and goes no further than the proxy): the gateway sets
//     them on its refusals itself.
//
// The route matching of the mux is a string comparison here. Every method
// is served: nginx's auth_request asks with the original one.
func (s *Server) gatewayFirst(h http.Handler) http.Handler {
	if s.gw == nil {
		return h
	}
	auth := s.gw.auth
	guarded := s.harden(auth)
	wt := s.cfg.WriteTimeout
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/gateway/auth" {
			h.ServeHTTP(w, r)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			guarded.ServeHTTP(w, r)
			return
		}
		if wt > 0 {
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(wt))
		}
		auth.ServeHTTP(w, r)
	})
}
