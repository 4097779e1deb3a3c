package cli

// serverCommands returns the commands that run or talk to a server.
func serverCommands() map[string]command { return map[string]command{} }
