package mysql

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

func TestMode(t *testing.T) {
	cases := []struct{ sqlMode, want string }{
		{"", ""},
		{"NO_ENGINE_SUBSTITUTION", ""},
		// Strictness decides whether a column type change may cut
		// values: strict and lax sessions do not share verdicts.
		{"STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION", ";STRICT"},
		{"STRICT_ALL_TABLES", ";STRICT"},
		{"TRADITIONAL", ";STRICT"},
		{"ANSI_QUOTES,STRICT_TRANS_TABLES", "ANSI_QUOTES;STRICT"},
		{"ansi_quotes", "ANSI_QUOTES"},
		{"NO_BACKSLASH_ESCAPES, ANSI_QUOTES", "ANSI_QUOTES,NO_BACKSLASH_ESCAPES"},
		{"ANSI", "ANSI_QUOTES,IGNORE_SPACE,PIPES_AS_CONCAT"},
		{"REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ONLY_FULL_GROUP_BY,ANSI", "ANSI_QUOTES,IGNORE_SPACE,PIPES_AS_CONCAT"},
		{"HIGH_NOT_PRECEDENCE", "HIGH_NOT_PRECEDENCE"},
		{"MYSQL40", "HIGH_NOT_PRECEDENCE"},
	}
	a := New()
	for _, c := range cases {
		if got := a.Mode(sqlparse.Lexing{SQLMode: c.sqlMode}); got != c.want {
			t.Errorf("Mode(%q) = %q, want %q", c.sqlMode, got, c.want)
		}
	}
	if a.Mode(sqlparse.Lexing{SQLMode: "ORACLE"}) == "" {
		t.Errorf("ORACLE mode must not share the default mode's cache entries")
	}
	if a.Mode(sqlparse.Lexing{SQLMode: "FUTURE_QUOTES"}) == "" {
		t.Errorf("an unknown mode must not share the default mode's cache entries")
	}
}

func TestLexingSensitive(t *testing.T) {
	cases := []struct {
		sql  string
		want bool
	}{
		{"SELECT 1", false},
		{"DELETE FROM t WHERE id = 1", false},
		{`SELECT "x"`, true},
		{`SELECT 'a\'b'`, true},
		{"SELECT a || b", true},
		{"DELETE FROM t WHERE NOT a", true},
		{"DELETE FROM t WHERE !a", true},
		{"SELECT nothing FROM notes", false},
		{"select 1 where not(1)", true},
		{"SELECT 'é'", true},
		{"SELECT '\xbf'", true},
		{"SELECT 1 /*!40101 , 2 */", false},
		{"SELECT 1 /*M!100000 , 2 */", false},
		{"SELECT 1 /*!40101 , !2 */", true},
		{"SELECT 1 /* x */*!2", true},
		{"SELECT 1 /* x */*M!2", true},
		{"/*!40101 SET NAMES utf8 */", false},
		{"SELECT 1 != 2", true},
		{"SELECT 1 | 2", false},
		{"SELECT 1 NOT", true},
		// Strictness decides whether an ALTER's type change may cut.
		{"ALTER TABLE t ADD c INT", true},
		{"alter table t modify c int", true},
		{"/*!50700ALTER TABLE t MODIFY c INT*/", true},
		{"PREPARE s FROM 'ALTER TABLE t MODIFY c INT'", true},
		{"SELECT alternate, salter FROM t", false},
	}
	a := New()
	for _, c := range cases {
		if got := a.LexingSensitive(c.sql); got != c.want {
			t.Errorf("LexingSensitive(%q) = %v, want %v", c.sql, got, c.want)
		}
	}
}

func TestCacheKey(t *testing.T) {
	cases := []struct{ sql, mode, want string }{
		{"DELETE FROM t WHERE id = 1", "", "DELETE FROM t WHERE id = ?"},
		{"DELETE FROM t WHERE name = 'x' AND n > 2.5", "", "DELETE FROM t WHERE name = ? AND n > ?"},
		{`SELECT "a"`, "", `SELECT ?`},
		{`SELECT "a"`, "ANSI_QUOTES", `SELECT "a"`},
		{"SELECT t1.a FROM t1", "", "SELECT t1.a FROM t1"},
		{"SELECT 1 /*!50000 , 2 */", "", "SELECT ? /*!50000 , ? */"},
		{"SELECT 1 /* 2 */", "", "SELECT ? /* 2 */"},
		{"SELECT @'x', 'y'", "", "SELECT @'x', ?"},
		{"SELECT 0x1F, 1e5, 2t", "", "SELECT 0x1F, 1e5, 2t"},
		{`SELECT 'a\'b', 'c'`, "", `SELECT ?, ?`},
		{`SELECT 'a\', 'c'`, "NO_BACKSLASH_ESCAPES", `SELECT ?, ?`},
	}
	a := New()
	for _, c := range cases {
		got, ok := a.CacheKey(c.sql, sqlparse.Lexing{SQLMode: c.mode})
		if !ok || got != c.want {
			t.Errorf("CacheKey(%q, %q) = %q, %v; want %q", c.sql, c.mode, got, ok, c.want)
		}
	}
	if _, ok := a.CacheKey("SELECT 'abc", sqlparse.Lexing{}); ok {
		t.Errorf("an unterminated string must have no key")
	}
}

// TestCacheKeyKeepsModesApart: under ANSI_QUOTES "flag" is a column, so
// WHERE "flag" (bounded) and WHERE 1 (every row) must not share a key.
func TestCacheKeyKeepsModesApart(t *testing.T) {
	a := New()
	lx := sqlparse.Lexing{SQLMode: "ANSI_QUOTES"}
	k1, _ := a.CacheKey(`DELETE FROM t WHERE "flag"`, lx)
	k2, _ := a.CacheKey(`DELETE FROM t WHERE 1`, lx)
	if k1 == k2 {
		t.Fatalf("keys collide: %q", k1)
	}
	c := sqlparse.NewCache(a, 16)
	c.Analyze(`DELETE FROM t WHERE "flag"`, lx)
	if fs := c.Analyze(`DELETE FROM t WHERE 1`, lx).Findings(); len(fs) == 0 {
		t.Errorf("DELETE ... WHERE 1 allowed after a cached WHERE \"flag\"")
	}
}

func TestReadings(t *testing.T) {
	cases := []struct {
		sql  string
		want []string
	}{
		{"SELECT 1", []string{"SELECT 1"}},
		{"SELECT 1 /*! , 2 */", []string{"SELECT 1 /*! , 2 */"}},
		{"SELECT 1 /*M! , 2 */", []string{"SELECT 1 /*!  , 2 */", "SELECT 1            "}},
		{"SELECT 1 /*!50000 , 2 */", []string{"SELECT 1 /*!      , 2 */", "SELECT 1                "}},
		{"SELECT 1 /*!100000 , 2 */", []string{"SELECT 1 /*!       , 2 */", "SELECT 1                 ", "SELECT 1 /*!     0 , 2 */"}},
		{"SELECT 1 /*T! , 2 */", []string{"SELECT 1 /*T  , 2 */"}},
		// MariaDB runs /*M!100000 and skips /*!50700: every combination
		// of gates is a reading; comments of one gate go together.
		{"SELECT 1 /*M!100000 ,2 */ /*!50700 ,3 */", []string{
			"SELECT 1 /*!        ,2 */ /*!      ,3 */",
			"SELECT 1                  /*!      ,3 */",
			"SELECT 1 /*!        ,2 */               ",
			"SELECT 1                                ",
		}},
		{"SELECT 1 /*!40101 ,2 */ /*!40101 ,3 */", []string{
			"SELECT 1 /*!      ,2 */ /*!      ,3 */",
			"SELECT 1                              ",
		}},
	}
	for _, c := range cases {
		sc, err := scanText(c.sql, false, false)
		if err != nil {
			t.Errorf("%q: %v", c.sql, err)
			continue
		}
		got, ok := sc.readings(c.sql)
		if !ok || strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("readings(%q) = %q, want %q", c.sql, got, c.want)
		}
	}
}

func TestScanErrors(t *testing.T) {
	bad := []string{
		"SELECT 'x", "SELECT `x", "SELECT /* x", "SELECT 1 /*! , 2", "SELECT \x01", "SELECT 1 \xa0",
		"SELECT 1 /*!50000 /*!50000 1 */ */", "SELECT 1 --\x02", "SELECT \"x",
	}
	for _, s := range bad {
		if _, err := scanText(s, false, false); err == nil {
			t.Errorf("scanText(%q) succeeded, want an error", s)
		}
	}
	good := []string{"SELECT 'a''b'", "SELECT `a``b`", "SELECT 1 -- x", "SELECT 1 --", "SELECT 'é'", "SELECT é FROM t"}
	for _, s := range good {
		if _, err := scanText(s, false, false); err != nil {
			t.Errorf("scanText(%q): %v", s, err)
		}
	}
}

func TestFindingsCarryReasonAndObject(t *testing.T) {
	cases := []struct {
		sql, rule string
		objects   []string
	}{
		{"DROP TABLE users", RuleDropObject, []string{"users"}},
		{"DROP TABLE orders, users", RuleDropObject, []string{"orders", "users"}},
		{"DROP DATABASE prod", RuleDropObject, []string{"prod"}},
		{"ALTER TABLE users DROP COLUMN email", RuleAlterDropColumn, []string{"users", "email"}},
		{"TRUNCATE TABLE orders", RuleTruncate, []string{"orders"}},
		{"DELETE FROM users", RuleDeleteNoWhere, []string{"users"}},
		{"DELETE FROM users WHERE 1", RuleDeleteAlways, []string{"users"}},
		{"UPDATE accounts SET a = 0", RuleUpdateNoWhere, []string{"accounts"}},
		{"DELETE t1 FROM t1, t2 WHERE t2.x = 1", RuleDeleteAlways, []string{"t1"}},
		{"PREPARE s FROM @q", RuleDynamicSQL, []string{"q"}},
		{"SELEC 1", RuleParseError, nil},
	}
	a := New()
	for _, c := range cases {
		var found bool
		for _, f := range a.Analyze(c.sql, sqlparse.Lexing{}).Findings() {
			if f.Rule != c.rule {
				continue
			}
			found = true
			if strings.TrimSpace(f.Reason) == "" {
				t.Errorf("%q: empty reason", c.sql)
			}
			for _, o := range c.objects {
				if !strings.Contains(strings.ToLower(f.Object), o) {
					t.Errorf("%q: object %q does not name %q", c.sql, f.Object, o)
				}
			}
		}
		if !found {
			t.Errorf("%q: no %s finding", c.sql, c.rule)
		}
	}
}

func TestStatementsAndCommands(t *testing.T) {
	a := New()
	an := a.Analyze("SELECT 1; DROP TABLE t ;\n DELETE FROM u WHERE id = 1; DROP TEMPORARY TABLE x", sqlparse.Lexing{})
	want := []struct{ cmd, text string }{
		{"SELECT", "SELECT 1"}, {"DROP TABLE", "DROP TABLE t"}, {"DELETE", "DELETE FROM u WHERE id = 1"},
		{"DROP TEMPORARY TABLE", "DROP TEMPORARY TABLE x"},
	}
	if len(an.Statements) != len(want) {
		t.Fatalf("got %d statements, want %d", len(an.Statements), len(want))
	}
	for i, w := range want {
		if s := an.Statements[i]; s.Command != w.cmd || s.Text != w.text {
			t.Errorf("statement %d: got %q %q, want %q %q", i, s.Command, s.Text, w.cmd, w.text)
		}
	}
	if an.Fingerprint == "" {
		t.Errorf("no fingerprint")
	}
	if e := a.Analyze("-- nothing", sqlparse.Lexing{}); len(e.Statements) != 1 || e.Statements[0].Command != "EMPTY" {
		t.Errorf("empty text: got %+v", e.Statements)
	}
}

// TestConcurrentAnalysis runs many analyses at once (run it with -race):
// the parser pool must never hand one parser to two goroutines.
func TestConcurrentAnalysis(t *testing.T) {
	a := New()
	cache := sqlparse.NewCache(a, 64)
	cases := corpusCases()
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range cases {
				c := cases[(i+g*13)%len(cases)]
				lx := sqlparse.Lexing{SQLMode: c.mode, ClientEncoding: c.charset}
				var an *sqlparse.Analysis
				if g%2 == 0 {
					an = cache.Analyze(c.sql, lx)
				} else if _, bad := a.Preflight(c.sql, lx); !bad {
					an = a.Analyze(c.sql, lx)
				} else {
					continue
				}
				if msg := corpusVerdict(c, an); msg != "" {
					select {
					case errs <- fmt.Sprintf("%s: %s", c.name, msg):
					default:
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func BenchmarkAnalyzeFull(b *testing.B) {
	a := New()
	q := "DELETE FROM users WHERE id = 42 AND tenant_id = 7"
	for i := 0; i < b.N; i++ {
		a.Analyze(q, sqlparse.Lexing{})
	}
}

func BenchmarkAnalyzeCached(b *testing.B) {
	a := New()
	c := sqlparse.NewCache(a, 1024)
	for i := 0; i < b.N; i++ {
		// A different literal each time: served by the literal-free key.
		c.Analyze(fmt.Sprintf("DELETE FROM users WHERE id = %d AND tenant_id = 7", i%512), sqlparse.Lexing{})
	}
}

// BenchmarkOrChain: a 30,000-arm OR must stay linear in the number of arms.
func BenchmarkOrChain(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("DELETE FROM users WHERE id = 0")
	for i := 1; i < 30000; i++ {
		fmt.Fprintf(&sb, " OR id = %d", i)
	}
	q := sb.String()
	a := New()
	for i := 0; i < b.N; i++ {
		a.Analyze(q, sqlparse.Lexing{})
	}
}

// TestSelfReadPathsAreBounded nests derived tables whose every column may
// be any of the level below's (IF(?, a, b) is a or b): following a column
// back to the table may take four paths at each level. The search is
// bounded and, past its bound, fails closed.
func TestSelfReadPathsAreBounded(t *testing.T) {
	field := "IF(?, id, IF(?, a, IF(?, b, c)))"
	q := "SELECT id FROM t WHERE n > 0"
	for i := 0; i < 14; i++ {
		q = fmt.Sprintf("SELECT %s AS id, %s AS a, %s AS b, %s AS c FROM (%s) x%d", field, field, field, field, q, i)
	}
	sql := "DELETE FROM t WHERE id IN (SELECT id FROM (" + q + ") z)"
	done := make(chan []sqlparse.Finding, 1)
	go func() { done <- New().Analyze(sql, sqlparse.Lexing{}).Findings() }()
	select {
	case fs := <-done:
		if len(fs) == 0 || fs[0].Rule != RuleDeleteAlways {
			t.Errorf("a self-read too costly to follow is not refused: %+v", fs)
		}
		if fs[len(fs)-1].Rule != sqlparse.RuleTooComplex {
			t.Errorf("a self-read too costly to follow does not say so: %+v", fs)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("following a column back through nested derived tables does not end")
	}
}
