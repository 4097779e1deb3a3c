package portal

// FoldName is the form name searches compare (see fold): screens that
// narrow a list they already hold (the reader's own roles) find what the
// portal's searches find.
func FoldName(s string) string { return fold(s) }
