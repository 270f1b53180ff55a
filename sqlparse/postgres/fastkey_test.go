package postgres

import (
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

func TestFastKey(t *testing.T) {
	cases := []struct {
		name, text, want string
		ok               bool
	}{
		{"numbers and strings become placeholders", "SELECT * FROM t WHERE a = 42 AND b = 'x''y' AND c = 1.5", "SELECT * FROM t WHERE a = ? AND b = '?' AND c = ?", true},
		{"digits inside identifiers stay", "SELECT c1 FROM t2 WHERE x = 3", "SELECT c1 FROM t2 WHERE x = ?", true},
		{"whitespace is kept exactly", "SELECT 'a'\n'b'", "SELECT '?'\n'?'", true},
		{"dollar quotes fall back", "SELECT $$x$$", "", false},
		{"parameters stay", "SELECT $1, 2 FROM t WHERE a = $12", "SELECT $1, ? FROM t WHERE a = $12", true},
		{"dollar signs in identifiers stay", "SELECT a$b, c$1 FROM t", "SELECT a$b, c$1 FROM t", true},
		{"tagged dollar quotes fall back", "SELECT $a$x$a$", "", false},
		{"parameters run into names fall back", "SELECT $1a", "", false},
		{"parameters run into dollars fall back", "SELECT $1$", "", false},
		{"a lone dollar falls back", "SELECT $", "", false},
		{"escape strings fall back", "SELECT E'\\n'", "", false},
		{"prefixed strings fall back", "SELECT B'101', X'1F'", "", false},
		{"unicode strings fall back", "SELECT U&'d0061t'", "", false},
		{"line comments fall back", "SELECT 1 -- x", "", false},
		{"block comments fall back", "SELECT /* x */ 1", "", false},
		{"quoted identifiers fall back", `SELECT "a" FROM t`, "", false},
		{"exponents fall back", "SELECT 1e5", "", false},
		{"trailing identifiers on numbers fall back", "SELECT 1abc", "", false},
		{"leading dots fall back", "SELECT .5", "", false},
		{"trailing dots fall back", "SELECT 1.", "", false},
		{"unterminated strings fall back", "SELECT 'x", "", false},
		{"non-ASCII falls back", "SELECT 'é'", "", false},
		{"backslashes fall back", `SELECT 'a\'`, "", false},
		{"a text without literals is its own key", "BEGIN; SELECT a1 FROM t", "BEGIN; SELECT a1 FROM t", true},
		{"minus signs, slashes and dots stay", "SELECT a-b, a/b, t.c - -1", "SELECT a-b, a/b, t.c - -?", true},
		{"digits after a dot in a name stay", "SELECT t.c2 FROM s.t3", "SELECT t.c2 FROM s.t3", true},
		{"a literal at either end", "7 'x'", "? '?'", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := fastKey(c.text, "")
			if ok != c.ok || got != c.want {
				t.Fatalf("fastKey(%q) = %q, %v; want %q, %v", c.text, got, ok, c.want, c.ok)
			}
			prefixed, _ := fastKey(c.text, "f:")
			if c.ok && c.want != c.text && prefixed != "f:"+c.want {
				t.Fatalf("with a prefix: %q", prefixed)
			}
			if c.want == c.text && prefixed != c.text {
				t.Fatalf("a text without literals got a prefix: %q", prefixed)
			}
			// Appended after other bytes, the key is the same, and a
			// refusal leaves them as they were.
			appended, ok := appendFastKey([]byte("head|"), c.text, "f:")
			want := "head|"
			if c.ok {
				want += prefixed
			}
			if ok != c.ok || string(appended) != want {
				t.Fatalf("appendFastKey = %q, %v; want %q, %v", appended, ok, want, c.ok)
			}
		})
	}
}

// TestFastKeyAgreesWithTheParser checks the property the cache relies on:
// texts that share a fast key are, to the server's own scanner, the same
// tokens in the same places, but for the contents of their literals.
func TestFastKeyAgreesWithTheParser(t *testing.T) {
	literals := []string{"0", "1", "42", "3.25", "''", "'x'", "'it''s'", "'1 day'", "'DROP TABLE t'", "99999999999999999999"}
	templates := []string{
		"SELECT abalance FROM pgbench_accounts WHERE aid = %s",
		"UPDATE pgbench_accounts SET abalance = abalance + %s WHERE aid = %s",
		"INSERT INTO h (a, b) VALUES (%s, %s)",
		"DELETE FROM t WHERE %s = %s",
		"DELETE FROM t WHERE id IN (%s, %s)",
		"SELECT %s::int, interval %s",
		"SELECT * FROM t LIMIT %s OFFSET %s",
		"SELECT %s %s",
		"SELECT %s\n%s",
		"SELECT -%s, - %s",
		"SELECT x FROM t WHERE a = %s OR a = %s; DROP TABLE t",
		"PREPARE q AS SELECT %s; FETCH %s FROM c",
		"SELECT $1, %s FROM t WHERE a = $2 AND b = %s",
		"SELECT a$1 FROM t WHERE a$b = %s OR $3=%s",
	}
	var texts []string
	for _, tpl := range templates {
		for _, a := range literals {
			for _, b := range literals {
				texts = append(texts, sprintf(tpl, a, b))
			}
		}
	}
	for _, c := range corpusCases() {
		if len(c.sql) < 4096 {
			texts = append(texts, c.sql, strings.NewReplacer("1", "7", "'a'", "'zz'", "0", "5").Replace(c.sql))
		}
	}
	byKey := map[string]string{}
	for _, text := range texts {
		key, ok := fastKey(text, "")
		if !ok {
			continue
		}
		shape, err := tokenShape(text)
		if err != nil {
			continue // the parser's scanner refuses it: no verdict will be shared
		}
		if prev, dup := byKey[key]; dup && prev != shape {
			t.Fatalf("%q shares fast key %q with a text the scanner reads differently", text, key)
		}
		byKey[key] = shape
	}
	if len(byKey) < 50 {
		t.Fatalf("only %d distinct keys checked; the test lost its inputs", len(byKey))
	}
}

// tokenShape describes text as the server's scanner sees it: every token's
// kind and place, and the text of every token that is not a literal.
func tokenShape(text string) (string, error) {
	res, err := pg_query.Scan(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, tok := range res.Tokens {
		switch tok.Token {
		case pg_query.Token_ICONST, pg_query.Token_FCONST:
			b.WriteString("<number>")
		case pg_query.Token_SCONST:
			b.WriteString("<string>")
		default:
			b.WriteString(tok.Token.String() + ":" + text[tok.Start:tok.End])
		}
		b.WriteByte(' ')
	}
	return b.String(), nil
}

func sprintf(tpl string, args ...any) string {
	for _, a := range args {
		tpl = strings.Replace(tpl, "%s", a.(string), 1)
	}
	return tpl
}

func BenchmarkFastKey(b *testing.B) {
	q := "SELECT abalance FROM pgbench_accounts WHERE aid = 123456;"
	b.Run("fast key", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			fastKey(q, "f:")
		}
	})
	b.Run("pg_query normalise", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = pg_query.Normalize(q)
		}
	})
}

// TestFastKeyOfTextWithoutLiteralsIsTheText: the key of a text without
// literals is the text itself, found without allocating.
func TestFastKeyOfTextWithoutLiteralsIsTheText(t *testing.T) {
	text := "SELECT abalance FROM pgbench_accounts WHERE aid = $1"
	if n := testing.AllocsPerRun(100, func() { _, _ = fastKey(text, "f:") }); n != 0 {
		t.Fatalf("fastKey of a text without literals allocated %v times", n)
	}
	if key, ok := fastKey(text, "f:"); !ok || key != text {
		t.Fatalf("fastKey = %q, %v; want the text", key, ok)
	}
}

// TestShapeIsOnlyGivenToTextsTheSettingsCannotChange: AppendShape is the
// whole check on the path of a repeated statement, so it must give no key
// to a text that LexingSensitive flags or Preflight refuses under any
// settings, and it must give one to plain texts.
func TestShapeIsOnlyGivenToTextsTheSettingsCannotChange(t *testing.T) {
	a := New()
	lexings := []sqlparse.Lexing{
		{ClientEncoding: "UTF8"},
		{ClientEncoding: "UTF8", NonStandardStrings: true},
		{ClientEncoding: "SJIS"},
		{ClientEncoding: "BIG5", NonStandardStrings: true},
	}
	texts := []string{
		`SELECT 'a\'; DROP TABLE t; --'`,
		`SELECT 'a\\' FROM t WHERE id = 1`,
		"SELECT 'x\x95\\'; DROP TABLE t; --'",
		"SELECT 'é' FROM t WHERE id = 1",
		"SELECT abalance FROM pgbench_accounts WHERE aid = 42",
	}
	for _, c := range corpusCases() {
		texts = append(texts, c.sql)
	}
	shaped := 0
	for _, text := range texts {
		for _, lx := range lexings {
			key, ok := a.AppendShape([]byte("kept"), text, lx)
			if !ok {
				if string(key) != "kept" {
					t.Fatalf("AppendShape(%q) gave no key but changed dst to %q", text, key)
				}
				continue
			}
			shaped++
			if a.LexingSensitive(text) {
				t.Fatalf("AppendShape gave %q, lexing sensitive, a shape under %+v", text, lx)
			}
			if f, bad := a.Preflight(text, lx); bad {
				t.Fatalf("AppendShape gave %q a shape under %+v, which Preflight refuses: %s", text, lx, f.Reason)
			}
		}
	}
	if shaped < 400 {
		t.Fatalf("only %d shapes checked; the test lost its inputs", shaped)
	}
	for _, text := range texts[:4] {
		if _, ok := a.AppendShape(nil, text, lexings[0]); ok {
			t.Fatalf("AppendShape gave %q a shape", text)
		}
	}
	if _, ok := a.AppendShape(nil, texts[4], lexings[1]); !ok {
		t.Fatalf("AppendShape gave no shape to %q", texts[4])
	}
}
