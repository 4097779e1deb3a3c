package portal

import (
	"go/token"
	"reflect"
	"testing"
)

// TestRecordsHoldNoDomainValue: whatever the portal stores or audits is
// converted to the unexported types of records.go first, so that a domain
// type (exported) is never what gets encoded and its JSON tags decide
// nothing that is stored.
func TestRecordsHoldNoDomainValue(t *testing.T) {
	l := LevelConsult
	for _, v := range []any{
		Account{PlatformRoles: []PlatformRole{PlatformAdministrator}}, Token{}, Organisation{}, Community{}, OrgGroup{},
		Dataset{}, JoinRequest{}, Notice{}, CommunityInvitation{}, joinIndex{}, Member{}, CommunityMember{}, GroupRef{},
		BulkChange{Before: &l}, []BulkChange{{}},
		map[string]any{"group": GroupRef{}, "default_level": l, "removed": []BulkChange{{}}},
	} {
		if p := domainStruct(reflect.ValueOf(recordOf(v))); p != "" {
			t.Errorf("the record of a %T holds a %s", v, p)
		}
	}
}

// domainStruct names the first exported struct type of this package that
// v is or holds, or "".
func domainStruct(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ""
		}
		return domainStruct(v.Elem())
	case reflect.Slice:
		for i := range v.Len() {
			if p := domainStruct(v.Index(i)); p != "" {
				return p
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if p := domainStruct(it.Value()); p != "" {
				return p
			}
		}
	case reflect.Struct:
		t := v.Type()
		if t.PkgPath() == reflect.TypeFor[Account]().PkgPath() && token.IsExported(t.Name()) {
			return t.String()
		}
		for i := range v.NumField() {
			if p := domainStruct(v.Field(i)); p != "" {
				return p
			}
		}
	}
	return ""
}
