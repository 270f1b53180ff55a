//go:build !bulwark_no_postgres

package snapshot

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// TestPostgresBlockKeepsToTheCatalog: the block uses the client's search
// path only to resolve the statement's relations. Its declarations (compiled
// under that path) and everything it runs before setting its own path name
// pg_catalog's types and functions explicitly; and its last statement puts
// the client's path back.
func TestPostgresBlockKeepsToTheCatalog(t *testing.T) {
	p := &Postgres{Limits: Limits{MaxBytes: 1 << 30, MaxRows: 1000}}
	calls := regexp.MustCompile(`([\w."]+)\s*\(`)
	casts := regexp.MustCompile(`::\s*([\w."]+)`)
	pin := "  PERFORM pg_catalog.set_config('search_path', '" + blockSearchPath + "', true);\n"
	restore := "  PERFORM pg_catalog.set_config('search_path', client_path, true);\nEND\n$bulwark$"
	for name, u := range map[string]*sqlparse.Undo{
		"rows": {Kind: sqlparse.UndoRows, ObjectType: "TABLE", Cascade: true,
			Objects: []sqlparse.ObjectName{{Name: "accounts"}, {Schema: "s", Name: "b", Only: true}}},
		"move":   {Kind: sqlparse.UndoMove, ObjectType: "TABLE", Objects: []sqlparse.ObjectName{{Name: "a"}, {Schema: "s", Name: "b"}}},
		"schema": {Kind: sqlparse.UndoMove, ObjectType: "SCHEMA", Objects: []sqlparse.ObjectName{{Name: "s"}}},
	} {
		plan, err := p.Take(context.Background(), Request{Operation: "truncate", Statement: "TRUNCATE accounts", Undo: []*sqlparse.Undo{u}}, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		head, _, ok := strings.Cut(plan.SQL, pin)
		if !ok {
			t.Fatalf("%s: the block never sets its search path:\n%s", name, plan.SQL)
		}
		decls, _, _ := strings.Cut(strings.TrimPrefix(head, "DO $bulwark$\nDECLARE\n"), "BEGIN\n")
		for _, d := range strings.Split(decls, ";") {
			if f := strings.Fields(d); len(f) > 0 && (len(f) != 2 || !strings.HasPrefix(f[1], "pg_catalog.")) {
				t.Errorf("%s: declaration %q does not name a pg_catalog type", name, strings.TrimSpace(d))
			}
		}
		for _, m := range calls.FindAllStringSubmatch(head, -1) {
			if !strings.HasPrefix(m[1], "pg_catalog.") {
				t.Errorf("%s: %s( runs under the client's search path", name, m[1])
			}
		}
		for _, m := range casts.FindAllStringSubmatch(head, -1) {
			if !strings.HasPrefix(m[1], "pg_catalog.") {
				t.Errorf("%s: ::%s is looked up under the client's search path", name, m[1])
			}
		}
		if !strings.HasSuffix(plan.SQL, restore) || strings.Contains(plan.SQL, "RETURN") {
			t.Errorf("%s: the block does not end by putting the client's search path back:\n%s", name, plan.SQL)
		}
	}
}
