package messages

// The web interface's words for what a map shows its reader without
// naming it (a resource they may not find: portal.MapResource.Hidden),
// kept apart so that they merge without touching ui_content.go; init adds
// them (a key defined twice stops the program).
func init() {
	for k, e := range map[Key]entry{
		"ui.maps.hidden_resource": {"a resource you may not see (number %d)", "une ressource que vous ne pouvez pas voir (n° %d)"},
	} {
		if _, dup := catalogue[k]; dup {
			panic("messages: key " + string(k) + " is defined twice")
		}
		catalogue[k] = e
	}
}
