package sqlparse_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bulwarkdb/bulwark/sqlparse"
	"github.com/bulwarkdb/bulwark/sqlparse/mysql"
	"github.com/bulwarkdb/bulwark/sqlparse/postgres"
)

// nestedWhere nests a subquery shape depth times around inner: shape holds
// one %s, where the next level goes.
func nestedWhere(shape string, depth int, inner string) string {
	w := inner
	for i := 0; i < depth; i++ {
		w = fmt.Sprintf(shape, w)
	}
	return "DELETE FROM t WHERE " + w
}

// Subqueries nested in conditions are read at every level above them, and
// each condition several ways: work that grows as a power of the depth is
// caught here, since forty levels of it would run past the analysers'
// bound (MaxSteps) and be refused as too-complex instead of judged. The
// bound itself is met by a thousand levels. Both dialects read the same
// texts (MAX is max on PostgreSQL).
func TestNestedSubqueriesAreJudgedWithinTheBound(t *testing.T) {
	shapes := map[string]string{
		"in":             "id IN (SELECT id FROM t WHERE %s)",
		"not in":         "id NOT IN (SELECT id FROM t WHERE %s)",
		"not below all":  "NOT (id < ALL (SELECT id FROM t WHERE %s))",
		"at least any":   "id >= ANY (SELECT id FROM t WHERE %s)",
		"exists":         "EXISTS (SELECT 1 FROM t x WHERE x.id = t.id AND %s)",
		"not exists":     "NOT EXISTS (SELECT 1 FROM t x WHERE x.id = t.id AND %s)",
		"moved greatest": "id <= (SELECT MAX(id) + 1 FROM t WHERE %s)",
		"own row":        "id = (SELECT id FROM t x WHERE x.id = t.id AND %s)",
		"double not":     "NOT (NOT (id IN (SELECT id FROM t WHERE %s)))",
	}
	for dialect, a := range map[string]sqlparse.Analyzer{"postgres": postgres.New(), "mysql": mysql.New()} {
		rules := func(sql string) string {
			var rs []string
			for _, st := range a.Analyze(sql, sqlparse.Lexing{}).Statements {
				for _, f := range st.Findings {
					rs = append(rs, f.Rule)
				}
			}
			return strings.Join(rs, ",")
		}
		for name, shape := range shapes {
			t.Run(dialect+", "+name+", forty deep around a filter", func(t *testing.T) {
				if got := rules(nestedWhere(shape, 40, "id > 0")); got != "" {
					t.Fatalf("refused: %s", got)
				}
			})
		}
		for _, name := range []string{"in", "not below all", "at least any", "moved greatest", "double not", "exists"} {
			t.Run(dialect+", "+name+", forty deep around the whole table", func(t *testing.T) {
				if got := rules(nestedWhere(shapes[name], 40, "1 = 1")); got != "delete-always-true" {
					t.Fatalf("got %q, want delete-always-true", got)
				}
			})
		}
		t.Run(dialect+", a thousand deep", func(t *testing.T) {
			if got := rules(nestedWhere(shapes["in"], 1000, "id > 0")); got != sqlparse.RuleTooComplex {
				t.Fatalf("got %q, want %s", got, sqlparse.RuleTooComplex)
			}
		})
	}
}
