package postgres

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// chains are the constructs that nest one level per link without growing
// the parser's own stack: the ones that can overflow pg_query's recursion.
var chains = map[string]func(n int) string{
	"operators":    func(n int) string { return "SELECT " + strings.Repeat("1+", n) + "1" },
	"casts":        func(n int) string { return "SELECT 1" + strings.Repeat("::int", n) },
	"joins":        func(n int) string { return "SELECT * FROM t" + strings.Repeat(" JOIN t ON true", n) },
	"collations":   func(n int) string { return "SELECT 'a'" + strings.Repeat(` COLLATE "C"`, n) },
	"boolean test": func(n int) string { return "SELECT true" + strings.Repeat(" IS TRUE", n) },
	"time zones":   func(n int) string { return "SELECT now()" + strings.Repeat(" AT TIME ZONE 'UTC'", n) },
	"set operations": func(n int) string {
		return "SELECT 1" + strings.Repeat(" UNION SELECT 1", n)
	},
	"concatenation in a WHERE": func(n int) string {
		return "DELETE FROM t WHERE id = 1 AND x = 'a'" + strings.Repeat("||'a'", n)
	},
	// AND and OR end an arm, but not inside a CASE in the chain, nor
	// between the joins or set operations they sit among.
	"operators around CASEs with AND": func(n int) string {
		return "SELECT 1" + strings.Repeat(strings.Repeat("+1", 1000)+"+CASE WHEN a AND b OR c THEN 1 END", n/1000)
	},
	// The AND of a BETWEEN is not a boolean AND.
	"BETWEEN inside a chain": func(n int) string {
		return "SELECT 1" + strings.Repeat(" BETWEEN 1 AND 1 IS TRUE = 1", n)
	},
	"BETWEEN SYMMETRIC inside a chain": func(n int) string {
		return "SELECT 1" + strings.Repeat(" NOT BETWEEN SYMMETRIC 1 AND 1 IS TRUE = 1", n)
	},
	"joins on conjunctions": func(n int) string {
		return "SELECT * FROM t" + strings.Repeat(" JOIN t ON a AND b", n)
	},
	"set operations with conjunctions": func(n int) string {
		return "SELECT 1" + strings.Repeat(" UNION SELECT 1 WHERE a OR b", n)
	},
}

// Each chain of 40,000 links overflowed an 8 MiB stack inside pg_query and
// killed the process; it must be refused before the parser sees it, also
// when it hides in a function body, behind strings and comments full of
// parentheses, or after an escape string.
func TestLongChainsAreRefusedBeforeParsing(t *testing.T) {
	a := New()
	for name, chain := range chains {
		deep := chain(40000)
		texts := map[string]string{
			"":                    deep,
			" in parentheses":     "SELECT (" + strings.TrimPrefix(deep, "SELECT ") + ")",
			" after a statement":  "SELECT 1; " + deep,
			" in a SQL function":  "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ " + deep + " $$",
			" in a DO block":      "DO $$ BEGIN PERFORM " + strings.TrimPrefix(deep, "SELECT ") + "; END $$",
			" behind quoted text": "SELECT ')(', \"a)(\", E'\\')(' /* ) /* ( */ ) */ -- )\n, " + strings.TrimPrefix(deep, "SELECT "),
		}
		for where, text := range texts {
			got := a.Analyze(text, sqlparse.Lexing{})
			if !hasRule(got, RuleNestingTooDeep) {
				t.Errorf("%s%s: findings %+v, want %s", name, where, got.Statements[0].Findings, RuleNestingTooDeep)
			}
		}
		if _, ok := a.CacheKey("/* */ "+deep, sqlparse.Lexing{}); ok {
			t.Errorf("%s: CacheKey normalised a text past the bound", name)
		}
	}
}

func hasRule(an *sqlparse.Analysis, rule string) bool {
	for _, s := range an.Statements {
		for _, f := range s.Findings {
			if f.Rule == rule {
				return true
			}
		}
	}
	return false
}

// Wide texts are flat: a bulk INSERT of many rows and a long IN list stay
// far below the bound however long they are, and chains well below the
// crash stay readable.
func TestWideTextsPassTheNestingBound(t *testing.T) {
	var rows []string
	for i := range 50000 {
		rows = append(rows, "(1, 'it''s', -2.5, '2024-01-01'::date, E'a\\'b', \"c\")")
		_ = i
	}
	var in []string
	for range 50000 {
		in = append(in, "42")
	}
	texts := map[string]string{
		"bulk insert":   "INSERT INTO t (a, b, c, d, e, f) VALUES " + strings.Join(rows, ", "),
		"in list":       "DELETE FROM t WHERE id IN (" + strings.Join(in, ", ") + ")",
		"dollar quotes": "INSERT INTO t VALUES ($$x$$), " + strings.Join(rows, ", "),
		"short chain":   chains["operators"](2000),
	}
	for name, text := range texts {
		if f, ok := shapeCheck(text); !ok {
			t.Errorf("%s: refused: %s", name, f.Reason)
		}
	}
}

// plainNesting reads texts without the server's scanner; wherever it reads
// them at all it must never bound the depth lower than the scanner's tokens
// do, or a chain could pass between the two. Its token count may differ on
// odd numeric junk ("1..2"), but never by half. Random texts mix every lexical
// form that hides parentheses or quotes.
func TestPlainNestingBoundNeverUndercounts(t *testing.T) {
	pieces := []string{
		"(", ")", "[", "]", "(", ")", "1", "1.5", ".5", "1..2", "+", "::", "<=", "-", " ", "\n", ",", ";", "x", "E", "e", "AND", "or", "WHEN",
		"'a(b'", "'it''s)'", "E'x\\'(y'", "e'\\\\'", "E'')'", "\"q)\"", "\"a\"\"(\"", "-- c(\n", "/* ( /* ) */ ( */", "$1", "a$b",
		"U&'x'", "$$ ( $$", "x'1F'", "B'01'", "é", "JOIN t ON", "UNION SELECT", "*/", "'", "\"",
	}
	r := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(30) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		text := b.String()
		plain, ok := plainNesting(text)
		if !ok {
			continue
		}
		if scanned := scannedNesting(text); plain.Bound() < scanned.Bound() || 2*plain.Tokens() < scanned.Tokens() {
			t.Fatalf("%q: plain bound %d and %d tokens, scanned bound %d and %d tokens", text, plain.Bound(), plain.Tokens(), scanned.Bound(), scanned.Tokens())
		}
		checked++
	}
	for _, c := range corpusCases() {
		plain, ok := plainNesting(c.sql)
		if !ok {
			continue
		}
		if scanned := scannedNesting(c.sql); plain.Bound() < scanned.Bound() || 2*plain.Tokens() < scanned.Tokens() {
			t.Fatalf("%q: plain bound %d and %d tokens, scanned bound %d and %d tokens", c.sql, plain.Bound(), plain.Tokens(), scanned.Bound(), scanned.Tokens())
		}
		checked++
	}
	if checked < 5000 {
		t.Fatalf("only %d texts compared", checked)
	}
}

// TestTokenFloodsAreRefusedBeforeParsing: parsing costs a few hundred bytes
// per token; 16 MiB of "1,1,1,..." took 5 GB and 100 s. Past
// sqlparse.MaxTokens a text is refused before pg_query sees it, quickly.
func TestTokenFloodsAreRefusedBeforeParsing(t *testing.T) {
	a := New()
	for name, text := range map[string]string{
		"a select list of numbers": "SELECT " + strings.Repeat("1,", sqlparse.MaxTokens/2+10) + "1",
		"behind a dollar quote":    "SELECT $$x$$, " + strings.Repeat("1,", sqlparse.MaxTokens/2+10) + "1",
	} {
		start := time.Now()
		got := a.Analyze(text, sqlparse.Lexing{})
		if f := got.Statements[0].Findings; len(f) != 1 || f[0].Rule != sqlparse.RuleTooManyTokens {
			t.Errorf("%s: findings %+v, want %s", name, f, sqlparse.RuleTooManyTokens)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: %v to refuse", name, d)
		}
	}
}

// TestRepeatedAssignmentsAreCounted: PostgreSQL's tree repeats the source
// of a multiple assignment once per column, so SET (c1, ..., c800) =
// (SELECT ... IN (10,000 values)) cost 2 GB from 24 kB of text; its cost
// is counted as its tokens times its columns, also below 10 kB.
func TestRepeatedAssignmentsAreCounted(t *testing.T) {
	a := New()
	for name, text := range map[string]string{
		"800 columns over 10,000 values": "UPDATE t SET (" + strings.TrimSuffix(strings.Repeat("c,", 800), ",") + ") = (SELECT 1 FROM u WHERE y IN (" + strings.TrimSuffix(strings.Repeat("1,", 10000), ",") + ")) WHERE id = 1",
		"under 10 kB":                    "UPDATE t SET (" + strings.TrimSuffix(strings.Repeat("a,", 3000), ",") + ") = (SELECT 1 FROM u WHERE y IN (" + strings.TrimSuffix(strings.Repeat("1,", 1500), ",") + ")) WHERE id = 1",
	} {
		got := a.Analyze(text, sqlparse.Lexing{})
		if f := got.Statements[0].Findings; len(f) != 1 || f[0].Rule != sqlparse.RuleTooManyTokens {
			t.Errorf("%s: findings %+v, want %s", name, f, sqlparse.RuleTooManyTokens)
		}
	}
	ok := "UPDATE t SET (a, b) = (SELECT x, y FROM u WHERE u.id = t.id AND u.k IN (" + strings.TrimSuffix(strings.Repeat("1,", 2000), ",") + ")) WHERE t.id = 5"
	if f := a.Analyze(ok, sqlparse.Lexing{}).Findings(); len(f) != 0 {
		t.Errorf("an ordinary multiple assignment: %+v", f)
	}
}
