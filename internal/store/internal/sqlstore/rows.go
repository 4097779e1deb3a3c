package sqlstore

import "github.com/octroi/octroi/internal/store"

// Rows is what both drivers' result sets offer (database/sql's *sql.Rows
// and pgx's Rows).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Collect scans every row of rows with scan and returns the values in
// order. The caller closes rows.
func Collect[T any](rows Rows, scan func(Rows) (T, error)) ([]T, error) {
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// UsedTypesQuery counts live relationships by shape, for
// store.Inspector.UsedTypes; live is the dialect's condition for a
// relationship not expired. Scan its rows with ScanTypeUse.
func UsedTypesQuery(live string) string {
	return `SELECT resource_type, relation, subject_type, subject_relation,
    subject_id = '*', COALESCE(caveat_name, ''), expires_at IS NOT NULL, count(*)
FROM relationships WHERE ` + live + `
GROUP BY 1, 2, 3, 4, 5, 6, 7
ORDER BY 1, 2, 3, 4, 5, 6, 7`
}

// ScanTypeUse reads a row of UsedTypesQuery.
func ScanTypeUse(r Rows) (store.TypeUse, error) {
	var u store.TypeUse
	err := r.Scan(&u.ResourceType, &u.Relation, &u.SubjectType, &u.SubjectRelation, &u.Wildcard, &u.Caveat, &u.Expiring, &u.Count)
	return u, err
}
