package messages

// The messages of the forward-auth listener's HTTP reader (AuthServer):
// what is wrong with a request head it refuses, kept apart so that they
// merge without touching the main catalogue.
func init() {
	merge(map[Key]entry{
		"gateway.title_431":           {"Request head too large", "En-tête de requête trop grand"},
		"gateway.title_505":           {"HTTP version not supported", "Version HTTP non prise en charge"},
		"gateway.http.request_line":   {"line 1: want a request line METHOD /path HTTP/1.1, with single spaces and a target in printable ASCII starting with /", "ligne 1 : il faut une ligne de requête MÉTHODE /chemin HTTP/1.1, avec des espaces simples et une cible en ASCII imprimable commençant par /"},
		"gateway.http.crlf":           {"line %d: every line of a request head ends with CR LF, and holds no other CR", "ligne %d : chaque ligne d'un en-tête de requête finit par CR LF, sans autre CR"},
		"gateway.http.header":         {"line %d: want a header Name: value, the name a token without spaces before the colon, the value without control characters, on one line (no folding)", "ligne %d : il faut un en-tête Nom: valeur, le nom un mot sans espace avant les deux-points, la valeur sans caractère de contrôle, sur une seule ligne (sans repli)"},
		"gateway.http.line_too_long":  {"line %d is longer than %d bytes", "la ligne %d dépasse %d octets"},
		"gateway.http.head_too_large": {"the request head is larger than %d bytes or has more than %d headers", "l'en-tête de la requête dépasse %d octets ou compte plus de %d champs"},
		"gateway.http.version":        {"HTTP version %s is not served here: use HTTP/1.1", "la version HTTP %s n'est pas servie ici : utilisez HTTP/1.1"},
		"gateway.http.body":           {"a forward-auth request carries no body: no Transfer-Encoding, and Content-Length 0 or none (with nginx: proxy_pass_request_body off; proxy_set_header Content-Length \"\";)", "une requête de forward-auth n'a pas de corps : pas de Transfer-Encoding, et Content-Length 0 ou absent (avec nginx : proxy_pass_request_body off; proxy_set_header Content-Length \"\";)"},
		"gateway.http.host":           {"an HTTP/1.1 request has exactly one Host header", "une requête HTTP/1.1 a exactement un en-tête Host"},
		"gateway.http.not_found":      {"%s: this listener serves only /gateway/auth", "%s : cette adresse ne sert que /gateway/auth"},
	})
}
