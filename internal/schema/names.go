package schema

import "fmt"

// Name rules, as SpiceDB validates them (its core.proto patterns):
//
//	relation / permission: ^[a-z][a-z0-9_]{1,62}[a-z0-9]$
//	definition:            ^([a-z][a-z0-9_]{1,62}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]$, at most 128 bytes
//	caveat:                ^[a-zA-Z0-9_][a-zA-Z0-9/_|-]{0,127}$

const nameRule = "a name has 3 to 64 lowercase letters, digits or underscores, starts with a letter and does not end with an underscore"

// checkRelationName returns why name is not a valid relation or
// permission name, or "".
func checkRelationName(name string) string {
	if !validSegment(name) {
		return nameRule
	}
	return ""
}

// checkTypeName returns why name is not a valid definition name, or "".
func checkTypeName(name string) string {
	if len(name) > 128 {
		return fmt.Sprintf("it is %d bytes long; the limit is 128", len(name))
	}
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '/' {
			if !validSegment(name[start:i]) {
				if start == 0 && i == len(name) {
					return nameRule
				}
				return fmt.Sprintf("its part `%s` is not a valid name: %s", name[start:i], nameRule)
			}
			start = i + 1
		}
	}
	return ""
}

func validSegment(s string) bool {
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
		case (c >= '0' && c <= '9') || c == '_':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return s[len(s)-1] != '_'
}

// checkCaveatName returns why name is not a valid caveat name, or "".
func checkCaveatName(name string) string {
	if len(name) > 128 {
		return fmt.Sprintf("it is %d bytes long; the limit is 128", len(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '/') {
			return "use ASCII letters, digits, underscores and slashes"
		}
	}
	return ""
}

// checkParamName returns why name is not a valid caveat parameter name
// (a CEL identifier), or "".
func checkParamName(name string) string {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || (i > 0 && c >= '0' && c <= '9')) {
			return "a parameter name is a CEL identifier: ASCII letters, digits and underscores, not starting with a digit"
		}
	}
	return ""
}
