package postgres

import (
	"strconv"
	"strings"
	"testing"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// BenchmarkOrChain measures a pathological predicate: a 30,000-arm OR of
// row comparisons must stay linear in the number of arms.
func BenchmarkOrChain(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("DELETE FROM users WHERE id = 0")
	for i := 1; i < 30000; i++ {
		sb.WriteString(" OR id = " + strconv.Itoa(i))
	}
	q := sb.String()
	a := New()
	for i := 0; i < b.N; i++ {
		a.Analyze(q, sqlparse.Lexing{})
	}
}
