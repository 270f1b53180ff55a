//go:build !bulwark_no_postgres

package snapshot

import (
	"testing"
	"time"
)

func TestPgEntry(t *testing.T) {
	row := func(vals ...string) [][]byte {
		out := make([][]byte, len(vals))
		for i, v := range vals {
			out[i] = []byte(v)
		}
		return out
	}
	taken := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	t.Run("a restored snapshot reads back with its times", func(t *testing.T) {
		r := row("12", "2026-01-02 03:04:05.000006", "7", "s1", "bot", "truncate", "TABLE", "public", "t", "rows",
			"bulwark_recycle_12", "t", "10", "f", "16384", "TRUNCATE t", "2026-02-01 00:00:00.000000", "public.t_old")
		r = append(r, nil)
		e, err := parsePgEntry(r)
		if err != nil {
			t.Fatal(err)
		}
		if e.ID != 12 || !e.TakenAt.Equal(taken) || e.AuditEvent != 7 || e.Rows != 10 || e.RowsEstimated || e.Bytes != 16384 ||
			e.Statement != "TRUNCATE t" || e.RestoredAt == nil || !e.RestoredAt.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) ||
			e.RestoredTo != "public.t_old" || e.PurgedAt != nil {
			t.Errorf("entry = %+v", e)
		}
	})
	t.Run("malformed rows are errors", func(t *testing.T) {
		// with is a valid row with column i replaced by v.
		with := func(i int, v []byte) [][]byte {
			r := row("12", "2026-01-02 03:04:05.000006", "7", "s1", "bot", "drop", "TABLE", "public", "t", "move",
				"bulwark_recycle_12", "t", "10", "t", "16384", "DROP TABLE t")
			r = append(r, nil, []byte(""), nil)
			r[i] = v
			return r
		}
		if _, err := parsePgEntry(with(0, []byte("12"))); err != nil {
			t.Fatalf("the valid row: %v", err)
		}
		for name, r := range map[string][][]byte{
			"too few columns":  with(0, []byte("12"))[:5],
			"a bad number":     with(12, []byte("ten")),
			"a bad time":       with(1, []byte("yesterday")),
			"no time taken at": with(1, nil),
		} {
			if _, err := parsePgEntry(r); err == nil {
				t.Errorf("%s: read", name)
			}
		}
	})
}

func TestPgParam(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{"it's", "it's"},
		{int64(-42), "-42"},
		{time.Date(2026, 1, 2, 3, 4, 5, 6789, time.FixedZone("x", 3600)), "2026-01-02 02:04:05.000006+00:00"},
	} {
		if got := pgParam(c.v); string(got) != c.want {
			t.Errorf("pgParam(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	if got := pgParam(""); got == nil {
		t.Errorf("an empty string is sent as NULL")
	}
}
