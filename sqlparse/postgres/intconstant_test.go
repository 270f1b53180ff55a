package postgres

import (
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v5"
)

// TestIntConstant checks the integers intConstant folds against the values
// the server computes for the same expressions (SELECT expr); '0x10' and
// '1_000' are integers from PostgreSQL 16 on. 0.5::float8::int is 0 (a
// float rounds half to even), so it is left unfolded.
func TestIntConstant(t *testing.T) {
	folded := map[string]int64{
		"0": 0, "'0'": 0, "' -0 '": 0, "'0x10'": 16, "'1_000'": 1000,
		"1 - 1": 0, "-1 + 1": 0, "+2": 2, "3 / 2": 1, "-3 / 2": -1, "7 % 5": 2, "-7 % 5": -2,
		"0 * (3 + 4)": 0, "'1' - 1": 0, "(SELECT 0)": 0, "(SELECT 2 - 1)": 1,
		"0.4::int": 0, "0.5::int": 1, "1.5::int - 2": 0, "2.5::int8": 3, "1::bigint": 1,
		"9223372036854775807 - 1 + 1": 9223372036854775807,
	}
	for expr, want := range folded {
		if got, ok := intConstant(selectedExpr(t, expr)); !ok || got != want {
			t.Errorf("%s: got %d, %v; want %d", expr, got, ok, want)
		}
	}
	for _, expr := range []string{
		"$1", "0 + $1", "x", "0 + x", "0.5", "1.0 + 0", "0 / 0", "1 % 0", "2 ^ 0",
		"0.5::float8::int", "9223372036854775807 + 1", "'1.5'", "'a'", "NULL", "abs(0)",
		"1::numeric / 2", "(1 / 2)::float8", "'0'::text",
	} {
		if got, ok := intConstant(selectedExpr(t, expr)); ok {
			t.Errorf("%s: folded to %d", expr, got)
		}
	}
}

func selectedExpr(t *testing.T, expr string) *pg_query.Node {
	t.Helper()
	tree, err := pg_query.Parse("SELECT " + expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return tree.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget().Val
}
