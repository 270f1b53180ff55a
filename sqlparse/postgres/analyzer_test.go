package postgres

import (
	"testing"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

func rules(a *sqlparse.Analysis) []string {
	var out []string
	for _, f := range a.Findings() {
		out = append(out, f.Rule)
	}
	return out
}

func TestAnalyzeSmoke(t *testing.T) {
	cases := []struct{ sql, want string }{
		{"SELECT 1", ""},
		{"DROP TABLE users", RuleDropObject},
		{"delete from t where 1=1", RuleDeleteAlways},
		{"delete from t where id = 1", ""},
		{"delete from t where x is null or x is not null", RuleDeleteAlways},
		{"update t set a = 1 where $1", RuleUpdateAlways},
		{"WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", RuleDeleteNoWhere},
		{"EXPLAIN DELETE FROM t", ""},
		{"EXPLAIN (VERBOSE, ANALYZE) DELETE FROM t", RuleDeleteNoWhere},
		{"DO $$BEGIN EXECUTE 'DROP TABLE ' || 't'; END$$", RuleDynamicSQL},
		{"DO $$BEGIN DELETE FROM t; END$$", RuleDeleteNoWhere},
		{"CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'TRUNCATE t'", RuleTruncate},
		{"CREATE FUNCTION f(n int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN UPDATE t SET a = n; RETURN 1; END $$", RuleUpdateNoWhere},
		{"COPY t TO PROGRAM 'rm -rf /'", RuleCopyProgram},
		{"SELECT lo_unlink(42)", RuleDropLargeObject},
		{"ALTER TABLE t ADD COLUMN x int, DROP COLUMN y", RuleAlterDropColumn},
		{"MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", RuleDeleteAlways},
		{"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", ""},
		{"DELETE FROM t USING u WHERE u.flag", RuleDeleteAlways},
		{"DELETE FROM t USING u WHERE t.id = u.id", ""},
		{"DELETE FROM t WHERE CASE WHEN id > 0 THEN true ELSE true END", RuleDeleteAlways},
		{"DELETE FROM t WHERE false", ""},
		{"SELEC 1", RuleParseError},
		{"CREATE RULE r AS ON INSERT TO t DO INSTEAD DELETE FROM u", RuleDeleteNoWhere},
		{"PREPARE p AS DELETE FROM t", RuleDeleteNoWhere},
		{"EXECUTE p", ""},
	}
	a := New()
	for _, c := range cases {
		got := rules(a.Analyze(c.sql, sqlparse.Lexing{}))
		ok := (c.want == "" && len(got) == 0) || (c.want != "" && len(got) > 0 && got[0] == c.want)
		if !ok {
			t.Errorf("%q: got %v, want %q", c.sql, got, c.want)
		}
	}
}

// TestNullIsNotLentAValuesVerdict: pg_query's normalised form writes NULL
// and a value alike ($n), but x = NULL is judged apart from x = 5 (see
// nullSignature). A verdict reached for the value must not be lent, through
// the cache, to the same text with NULL in its place.
func TestNullIsNotLentAValuesVerdict(t *testing.T) {
	a := New()
	pairs := [][2]string{
		{`DELETE FROM "t" WHERE ("id" = 5) IS NULL`, `DELETE FROM "t" WHERE ("id" = NULL) IS NULL`},
		{`DELETE FROM "t" WHERE "id" = 5 OR "id" IS NOT NULL /* c */`, `DELETE FROM "t" WHERE "id" = NULL OR "id" IS NOT NULL /* c */`},
		{`DELETE FROM "t" WHERE "id" = COALESCE(5, "id")`, `DELETE FROM "t" WHERE "id" = COALESCE(NULL, "id")`},
	}
	for _, p := range pairs {
		k1, ok1 := a.CacheKey(p[0], sqlparse.Lexing{})
		k2, ok2 := a.CacheKey(p[1], sqlparse.Lexing{})
		if ok1 && ok2 && k1 == k2 {
			t.Errorf("%q and %q share the cache key %q", p[0], p[1], k1)
		}
		c := sqlparse.NewCache(a, 16)
		c.Analyze(p[0], sqlparse.Lexing{})
		if got := rules(c.Analyze(p[1], sqlparse.Lexing{})); len(got) == 0 || got[0] != RuleDeleteAlways {
			t.Errorf("%q after %q: got %v, want %s", p[1], p[0], got, RuleDeleteAlways)
		}
	}
	// Texts that differ only in their values still share a key.
	k1, _ := a.CacheKey(`UPDATE "t" SET "note" = NULL WHERE "id" = 5`, sqlparse.Lexing{})
	k2, _ := a.CacheKey(`UPDATE "t" SET "note" = NULL WHERE "id" = 6`, sqlparse.Lexing{})
	if k1 != k2 {
		t.Errorf("texts differing in a value got different keys %q and %q", k1, k2)
	}
}
