package messages

// The interface's words added for screens that must stay one page long
// at platform scale, kept apart from ui.go so that merges stay easy; init
// adds them (a key defined twice stops the program).
func init() {
	merge(map[Key]entry{
		"ui.me.all_communities": {"All my communities (%d)", "Toutes mes communautés (%d)"},
	})
}
