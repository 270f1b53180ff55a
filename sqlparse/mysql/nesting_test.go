package mysql

import (
	"strings"
	"testing"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// Chains and nests of a few MiB cost the parser some 500 bytes of memory per
// byte of text; past maxNesting they are refused before it sees them, also
// behind quoted text and comments full of parentheses and in an executable
// comment.
func TestDeepTextsAreRefusedBeforeParsing(t *testing.T) {
	const n = 300000
	deep := map[string]string{
		"minus signs":              "SELECT " + strings.Repeat("-", n) + "1",
		"additions":                "SELECT " + strings.Repeat("1+", n) + "1",
		"nots":                     "SELECT " + strings.Repeat("NOT ", n) + "1",
		"parentheses":              "SELECT " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n),
		"or chain":                 "DELETE FROM t WHERE " + strings.Repeat("id = 1 OR ", n) + "id = 2",
		"behind quoted text":       "SELECT ')(', `a)(`, 'it\\')(' /* ) */ # )\n, " + strings.Repeat("1+", n) + "1",
		"in an executable comment": "SELECT 1 /*!50000 " + strings.Repeat("+1", n) + " */",
	}
	a := New()
	for name, text := range deep {
		got := a.Analyze(text, sqlparse.Lexing{})
		if f := got.Statements[0].Findings; len(f) != 1 || f[0].Rule != RuleNestingTooDeep {
			t.Errorf("%s: findings %+v, want %s", name, f, RuleNestingTooDeep)
		}
	}
}

// Wide texts are flat: a bulk INSERT of many rows and a long IN list pass
// however long they are, and so do chains well below the bound.
func TestWideTextsPassTheNestingBound(t *testing.T) {
	row := "(1, 'it''s', -2.5, \"q\", _utf8mb4'x', x'1F', NOW() - INTERVAL 1 DAY)"
	texts := map[string]string{
		"bulk insert":         "INSERT INTO t VALUES " + strings.Repeat(row+", ", 50000) + row,
		"in list":             "DELETE FROM t WHERE id IN (" + strings.Repeat("42, ", 100000) + "42)",
		"ten thousand arm or": "DELETE FROM t WHERE " + strings.Repeat("id = 1 OR ", 10000) + "id = 2",
		"short chain":         "SELECT " + strings.Repeat("1+", 20000) + "1",
	}
	for name, text := range texts {
		if f, ok := shapeCheck(text, modeInfo{}); !ok {
			t.Errorf("%s: refused: %s", name, f.Reason)
		}
	}
}

// TestTokenFloodsAreRefusedBeforeParsing: past sqlparse.MaxTokens a text is
// refused before the parser sees it.
func TestTokenFloodsAreRefusedBeforeParsing(t *testing.T) {
	text := "SELECT " + strings.Repeat("1,", sqlparse.MaxTokens/2+10) + "1"
	got := New().Analyze(text, sqlparse.Lexing{})
	if f := got.Statements[0].Findings; len(f) != 1 || f[0].Rule != sqlparse.RuleTooManyTokens {
		t.Errorf("findings %+v, want %s", f, sqlparse.RuleTooManyTokens)
	}
}
