package schema

import "testing"

// checkFormatStable checks that formatting s, parsing that and formatting
// again gives the same text.
func checkFormatStable(t *testing.T, s *Schema) {
	t.Helper()
	once := Format(s)
	s2, err := Parse(once)
	if err != nil {
		t.Fatalf("Parse(Format(s)): got error\n%v\nwant none; formatted:\n%s", err, once)
	}
	if twice := Format(s2); twice != once {
		t.Fatalf("Format is not stable:\nfirst:\n%s\nsecond:\n%s", once, twice)
	}
}
