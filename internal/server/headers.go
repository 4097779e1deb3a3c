package server

import "net/http"

// securityHeaders sets, before h runs, the headers that keep browsers from
// doing anything with an answer but read it as data: no content sniffing,
// no referrer, no framing, and a Content-Security-Policy that allows
// nothing, fit for a JSON API. They are defaults: a handler that serves
// pages (the coming web UI) replaces Content-Security-Policy with its own
// by setting it (w.Header().Set), and net/http sends what is set last.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}
