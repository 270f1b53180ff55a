package sqlparse_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/bulwarkdb/bulwark/sqlparse"
	"github.com/bulwarkdb/bulwark/sqlparse/postgres"
)

// countingAnalyzer counts full analyses so tests can tell a cache hit from a
// parse.
type countingAnalyzer struct {
	*postgres.Analyzer
	parses, keys int
}

func (c *countingAnalyzer) CacheKey(text string, lx sqlparse.Lexing) (string, bool) {
	c.keys++
	return c.Analyzer.CacheKey(text, lx)
}

func (c *countingAnalyzer) Analyze(text string, lx sqlparse.Lexing) *sqlparse.Analysis {
	c.parses++
	return c.Analyzer.Analyze(text, lx)
}

func rulesOf(a *sqlparse.Analysis) []string {
	var out []string
	for _, f := range a.Findings() {
		out = append(out, f.Rule)
	}
	return out
}

func TestCache(t *testing.T) {
	t.Run("statements that differ only in literals share one parse", func(t *testing.T) {
		an := &countingAnalyzer{Analyzer: postgres.New()}
		c := sqlparse.NewCache(an, 100)
		for i := 0; i < 50; i++ {
			a := c.Analyze("SELECT abalance FROM pgbench_accounts WHERE aid = "+strconv.Itoa(i), sqlparse.Lexing{})
			if len(a.Findings()) != 0 {
				t.Fatalf("benign select refused: %v", rulesOf(a))
			}
		}
		if an.parses != 1 {
			t.Fatalf("want 1 parse for 50 literal variants, got %d", an.parses)
		}
	})
	t.Run("a verdict that depends on a literal is not shared with other literals", func(t *testing.T) {
		an := &countingAnalyzer{Analyzer: postgres.New()}
		c := sqlparse.NewCache(an, 100)
		// Same normalised form ($1 = $2), opposite verdicts.
		if got := rulesOf(c.Analyze("DELETE FROM t WHERE 1 = 2", sqlparse.Lexing{})); len(got) != 0 {
			t.Fatalf("WHERE 1 = 2 matches nothing and should be allowed, got %v", got)
		}
		if got := rulesOf(c.Analyze("DELETE FROM t WHERE 1 = 1", sqlparse.Lexing{})); len(got) != 1 || got[0] != "delete-always-true" {
			t.Fatalf("WHERE 1 = 1 must be refused after WHERE 1 = 2 was cached, got %v", got)
		}
		// And the other way round, against a warm cache.
		if got := rulesOf(c.Analyze("DELETE FROM t WHERE 1 = 2", sqlparse.Lexing{})); len(got) != 0 {
			t.Fatalf("cached tautology leaked to WHERE 1 = 2: %v", got)
		}
	})
	t.Run("a comparison of offsets is not shared with other offsets", func(t *testing.T) {
		// id < id + 1 and id < id - 1 share the key id < id + $1; the
		// sign of the offset decides.
		const refused = "delete-always-true"
		type step struct{ text, want string }
		for _, steps := range [][]step{
			{{"DELETE FROM t WHERE id < id - 1", ""}, {"DELETE FROM t WHERE id < id + 1", refused}},
			{{"DELETE FROM t WHERE id < id + 1", refused}, {"DELETE FROM t WHERE id < id - 1", ""}},
			{{"DELETE FROM t WHERE id = id + 1", ""}, {"DELETE FROM t WHERE id = id + 0", refused}, {"DELETE FROM t WHERE id = id + 1", ""}},
		} {
			c := sqlparse.NewCache(postgres.New(), 100)
			for i, s := range steps {
				got := rulesOf(c.Analyze(s.text, sqlparse.Lexing{}))
				if (s.want == "" && len(got) != 0) || (s.want != "" && (len(got) != 1 || got[0] != s.want)) {
					t.Errorf("%q after %v: got %v, want %q", s.text, steps[:i], got, s.want)
				}
			}
		}
	})
	t.Run("DO bodies are never shared through the literal-free key", func(t *testing.T) {
		c := sqlparse.NewCache(postgres.New(), 100)
		if got := rulesOf(c.Analyze("DO $$BEGIN PERFORM 1; END$$", sqlparse.Lexing{})); len(got) != 0 {
			t.Fatalf("benign DO refused: %v", got)
		}
		got := rulesOf(c.Analyze("DO $$BEGIN DELETE FROM t; END$$", sqlparse.Lexing{}))
		if len(got) != 1 || got[0] != "delete-no-where" {
			t.Fatalf("destructive DO body after a benign one: got %v", got)
		}
	})
	t.Run("EXPLAIN options are read from the exact text", func(t *testing.T) {
		c := sqlparse.NewCache(postgres.New(), 100)
		if got := rulesOf(c.Analyze("EXPLAIN (ANALYZE 0) DELETE FROM t", sqlparse.Lexing{})); len(got) != 0 {
			t.Fatalf("EXPLAIN (ANALYZE 0) does not execute: %v", got)
		}
		if got := rulesOf(c.Analyze("EXPLAIN (ANALYZE 1) DELETE FROM t", sqlparse.Lexing{})); len(got) == 0 {
			t.Fatal("EXPLAIN (ANALYZE 1) executes the DELETE and must be refused")
		}
	})
	t.Run("session lexing is checked before any cache lookup", func(t *testing.T) {
		c := sqlparse.NewCache(postgres.New(), 100)
		text := `SELECT '\' , ' ; DROP TABLE t; --'`
		if got := rulesOf(c.Analyze(text, sqlparse.Lexing{})); len(got) != 0 {
			t.Fatalf("with standard strings the text is one SELECT: %v", got)
		}
		got := rulesOf(c.Analyze(text, sqlparse.Lexing{NonStandardStrings: true}))
		if len(got) != 1 || got[0] != "lexer-mismatch" {
			t.Fatalf("with standard_conforming_strings off the server reads a DROP: got %v", got)
		}
	})
	t.Run("a disabled cache still analyses", func(t *testing.T) {
		c := sqlparse.NewCache(postgres.New(), 0)
		if got := rulesOf(c.Analyze("TRUNCATE t", sqlparse.Lexing{})); len(got) != 1 {
			t.Fatalf("got %v", got)
		}
		if c.Len() != 0 {
			t.Fatal("disabled cache holds entries")
		}
	})
}

// BenchmarkCache measures the cost of judging a simple-protocol statement
// with a new literal each time (pgbench -S -M simple), against a full parse.
func BenchmarkCache(b *testing.B) {
	queries := make([]string, 1024)
	for i := range queries {
		queries[i] = "SELECT abalance FROM pgbench_accounts WHERE aid = " + strconv.Itoa(i*7919+13) + ";"
	}
	b.Run("cached with new literals", func(b *testing.B) {
		c := sqlparse.NewCache(postgres.New(), 10000)
		for i := 0; i < b.N; i++ {
			c.Analyze(queries[i%len(queries)], sqlparse.Lexing{})
		}
	})
	b.Run("full parse", func(b *testing.B) {
		a := postgres.New()
		for i := 0; i < b.N; i++ {
			a.Analyze(queries[i%len(queries)], sqlparse.Lexing{})
		}
	})
	b.Run("exact text hit", func(b *testing.B) {
		c := sqlparse.NewCache(postgres.New(), 10000)
		q := "SELECT abalance FROM pgbench_accounts WHERE aid = $1"
		for i := 0; i < b.N; i++ {
			c.Analyze(q, sqlparse.Lexing{})
		}
	})
}

func TestCacheSharesBoundedWrites(t *testing.T) {
	// pgbench's TPC-B statements carry new literals every time; their
	// verdicts do not depend on them and must be shared, or every
	// statement costs a full parse.
	an := &countingAnalyzer{Analyzer: postgres.New()}
	c := sqlparse.NewCache(an, 100)
	for i := 0; i < 20; i++ {
		n := strconv.Itoa(i*37 + 1)
		for _, q := range []string{
			"UPDATE pgbench_accounts SET abalance = abalance + " + n + " WHERE aid = " + n + ";",
			"SELECT abalance FROM pgbench_accounts WHERE aid = " + n + ";",
			"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (" + n + ", 1, " + n + ", -" + n + ", CURRENT_TIMESTAMP);",
			"DELETE FROM t WHERE created < '2020-01-01'::date + " + n + " AND id IN (" + n + ", 2, 3)",
		} {
			if got := rulesOf(c.Analyze(q, sqlparse.Lexing{})); len(got) != 0 {
				t.Fatalf("%q refused: %v", q, got)
			}
		}
	}
	if an.parses != 4 {
		t.Fatalf("want one parse per statement shape (4), got %d", an.parses)
	}
}

func TestCacheRepeatedTextCostsOneParse(t *testing.T) {
	for _, c := range []struct{ name, text string }{
		// The extended protocol sends the same $n text with every Bind.
		{"a parameterised text", "SELECT abalance FROM pgbench_accounts WHERE aid = $1"},
		// Found under the exact text, after the literal-free key missed.
		{"a verdict that depends on its literals", "DELETE FROM t WHERE 1 = 1"},
		// Only the normaliser finds this text's literals: the exact text
		// must be looked up first, without a round trip into C.
		{"a text only the parser can key", "SELECT /* report */ abalance FROM pgbench_accounts WHERE aid = $1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			an := &countingAnalyzer{Analyzer: postgres.New()}
			cache := sqlparse.NewCache(an, 100)
			for i := 0; i < 10; i++ {
				cache.Analyze(c.text, sqlparse.Lexing{})
			}
			if an.parses != 1 || an.keys > 1 {
				t.Fatalf("10 lookups of one text: %d parses, %d keys computed by the parser; want 1 and at most 1", an.parses, an.keys)
			}
		})
	}
}

func TestCacheSaysWhichAnalysesHoldForTheShape(t *testing.T) {
	// An engine may keep an allowed verdict for a text's shape only when
	// the analysis does not depend on the text's literals; first seen or
	// found in the cache, the answer must be the same.
	for _, c := range []struct {
		name   string
		texts  []string
		shaped bool
	}{
		{"literals the verdict does not read", []string{"UPDATE t SET n = n + 1 WHERE id = 7", "UPDATE t SET n = n + 2 WHERE id = 8"}, true},
		{"no literals", []string{"SELECT n FROM t", "SELECT n FROM t"}, true},
		{"a verdict that reads its literals", []string{"DELETE FROM t WHERE 1 = 2", "DELETE FROM t WHERE 3 = 4"}, false},
		{"a text the quick scan cannot key", []string{`SELECT "n" FROM t WHERE id = 1`, `SELECT "n" FROM t WHERE id = 2`}, false},
		{"a text over the cache's limit", []string{"SELECT '" + strings.Repeat("x", sqlparse.MaxCachedText) + "'"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cache := sqlparse.NewCache(postgres.New(), 100)
			for _, text := range c.texts {
				for round := range 2 {
					_, shaped := cache.AnalyzeShape(text, sqlparse.Lexing{})
					_, hasShape := cache.AppendShape(nil, text, sqlparse.Lexing{})
					if shaped != c.shaped || shaped && !hasShape {
						t.Fatalf("%q (lookup %d): shaped %v with a shape %v, want shaped %v", text, round+1, shaped, hasShape, c.shaped)
					}
				}
			}
		})
	}
	t.Run("texts of one shape share a key", func(t *testing.T) {
		cache := sqlparse.NewCache(postgres.New(), 100)
		a, _ := cache.AppendShape(nil, "UPDATE t SET n = n + 1 WHERE id = 7", sqlparse.Lexing{})
		b, _ := cache.AppendShape(nil, "UPDATE t SET n = n + 25 WHERE id = 1234", sqlparse.Lexing{})
		d, _ := cache.AppendShape(nil, "UPDATE t SET n = n - 1 WHERE id = 7", sqlparse.Lexing{})
		if string(a) != string(b) || string(a) == string(d) {
			t.Fatalf("shapes %q, %q and %q: want the first two equal and the third apart", a, b, d)
		}
	})
}
