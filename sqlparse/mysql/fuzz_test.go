package mysql

import (
	"testing"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// FuzzAnalyzeNeverPanics: whatever text it is given, the analyser returns
// an analysis. (The enforcer refuses a statement whose analysis panics, so
// a panic here would be a false refusal, not a crash; fuzzing finds them.)
// Run with go test -fuzz FuzzAnalyzeNeverPanics ./sqlparse/mysql/.
func FuzzAnalyzeNeverPanics(f *testing.F) {
	for i, c := range corpusCases() {
		if i%8 == 0 && len(c.sql) < 4096 {
			f.Add(c.sql, c.mode)
		}
	}
	a := New()
	f.Fuzz(func(t *testing.T, sql, mode string) {
		if len(sql) > 1<<12 || len(mode) > 256 {
			return
		}
		an := a.Analyze(sql, sqlparse.Lexing{SQLMode: mode})
		if an == nil || len(an.Statements) == 0 {
			t.Fatalf("no analysis of %q", sql)
		}
	})
}
