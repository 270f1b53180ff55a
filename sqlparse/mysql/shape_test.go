package mysql

import (
	"testing"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// TestAppendShapeIsQuickKeyOfTextsItMayKey: AppendShape gives QuickKey's
// key, appended, to exactly the texts that are not LexingSensitive and
// that Preflight passes, under each lexing.
func TestAppendShapeIsQuickKeyOfTextsItMayKey(t *testing.T) {
	a := New()
	lexings := []sqlparse.Lexing{{}, {SQLMode: "ANSI_QUOTES"}, {SQLMode: "NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES"},
		{ClientEncoding: "gbk"}, {SQLMode: "ORACLE"}}
	texts := []string{"SELECT c FROM sbtest1 WHERE id=50123", "DELETE FROM t WHERE id BETWEEN 1 AND 2 AND n = 'x'",
		"SELECT 'it''s', \"q\" FROM t", "SELECT 1 /*!50000 , 2 */", "SELECT 'unterminated"}
	for _, c := range corpusCases() {
		texts = append(texts, c.sql)
	}
	prefix := []byte("p:")
	for _, lx := range lexings {
		for _, text := range texts {
			got, ok := a.AppendShape(append([]byte(nil), prefix...), text, lx)
			_, bad := a.Preflight(text, lx)
			key, keyed := a.QuickKey(text, lx)
			want := !a.LexingSensitive(text) && !bad && keyed
			if ok != want || ok && string(got) != string(prefix)+key || !ok && string(got) != string(prefix) {
				t.Fatalf("%q under %+v: AppendShape gave %q, %v; QuickKey %q, %v", text, lx, got, ok, key, want)
			}
		}
	}
}

func BenchmarkAppendShapeSysbench(b *testing.B) {
	a := New()
	qs := []string{
		"SELECT c FROM sbtest1 WHERE id=50123",
		"SELECT c FROM sbtest3 WHERE id BETWEEN 4931 AND 5030",
		"SELECT SUM(k) FROM sbtest2 WHERE id BETWEEN 50123 AND 50222",
		"SELECT c FROM sbtest4 WHERE id BETWEEN 123 AND 222 ORDER BY c",
		"SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 77 AND 176 ORDER BY c",
	}
	var dst []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var ok bool
		dst, ok = a.AppendShape(dst[:0], qs[i%len(qs)], sqlparse.Lexing{})
		if !ok {
			b.Fatal("no shape")
		}
	}
}
