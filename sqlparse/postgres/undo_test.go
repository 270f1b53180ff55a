package postgres

import (
	"testing"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// TestUndo: a finding carries an Undo only when its statement runs when the
// request runs, and the Undo names exactly the objects.
func TestUndo(t *testing.T) {
	a := New()
	cases := []struct {
		sql  string
		kind sqlparse.UndoKind // "" means no Undo
		typ  string
		objs []sqlparse.ObjectName
	}{
		{"DROP TABLE t", sqlparse.UndoMove, "TABLE", []sqlparse.ObjectName{{Name: "t"}}},
		{`drop table if exists app."Orders", b cascade`, sqlparse.UndoMove, "TABLE", []sqlparse.ObjectName{{Schema: "app", Name: "Orders"}, {Name: "b"}}},
		{"DROP MATERIALIZED VIEW mv", sqlparse.UndoMove, "MATERIALIZED VIEW", []sqlparse.ObjectName{{Name: "mv"}}},
		{"DROP SCHEMA s CASCADE", sqlparse.UndoMove, "SCHEMA", []sqlparse.ObjectName{{Name: "s"}}},
		{"DROP INDEX i", "", "", nil},
		{"DROP VIEW v", "", "", nil},
		{"DROP DATABASE d", "", "", nil},
		{"ALTER TABLE t DROP COLUMN c", "", "", nil},
		{"TRUNCATE ONLY a, s.b", sqlparse.UndoRows, "TABLE", []sqlparse.ObjectName{{Name: "a", Only: true}, {Schema: "s", Name: "b"}}},
		{"DELETE FROM t", sqlparse.UndoRows, "TABLE", []sqlparse.ObjectName{{Name: "t"}}},
		{"UPDATE ONLY t SET x = 1 WHERE true", sqlparse.UndoRows, "TABLE", []sqlparse.ObjectName{{Name: "t", Only: true}}},
		{"WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d", sqlparse.UndoRows, "TABLE", []sqlparse.ObjectName{{Name: "t"}}},
		{"EXPLAIN ANALYZE DELETE FROM t", sqlparse.UndoRows, "TABLE", []sqlparse.ObjectName{{Name: "t"}}},
		{"COPY (DELETE FROM t RETURNING *) TO STDOUT", sqlparse.UndoRows, "TABLE", []sqlparse.ObjectName{{Name: "t"}}},
		{"MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", sqlparse.UndoRows, "TABLE", []sqlparse.ObjectName{{Name: "t"}}},
		// Runs later, if ever: nothing to snapshot now.
		{"PREPARE p AS DELETE FROM t", "", "", nil},
		{"CREATE RULE r AS ON INSERT TO x DO ALSO DELETE FROM t", "", "", nil},
		{"DO $$ BEGIN DELETE FROM t; END $$", "", "", nil},
		{"CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM t'", "", "", nil},
		{"CREATE PROCEDURE p() BEGIN ATOMIC DELETE FROM t; END", "", "", nil},
	}
	for _, c := range cases {
		t.Run(c.sql, func(t *testing.T) {
			fs := a.Analyze(c.sql, sqlparse.Lexing{}).Findings()
			if len(fs) == 0 {
				t.Fatalf("no finding")
			}
			u := fs[0].Undo
			if c.kind == "" {
				if u != nil {
					t.Fatalf("want no Undo, got %+v", u)
				}
				return
			}
			if u == nil || u.Kind != c.kind || u.ObjectType != c.typ || len(u.Objects) != len(c.objs) {
				t.Fatalf("got %+v, want %s %s %v", u, c.kind, c.typ, c.objs)
			}
			for i, o := range c.objs {
				if u.Objects[i] != o {
					t.Errorf("object %d: got %+v, want %+v", i, u.Objects[i], o)
				}
			}
		})
	}
}

// TestRecycleArea: agents may read the recycle area but not change it, by
// any statement that names it.
func TestRecycleArea(t *testing.T) {
	a := New()
	refused := []string{
		"DELETE FROM bulwark_recycle_5.orders WHERE id = 1",
		"UPDATE bulwark_recycle.snapshots SET restored_at = now() WHERE id = 3",
		"INSERT INTO bulwark_recycle_5.orders VALUES (1)",
		"DROP SCHEMA bulwark_recycle_5 CASCADE",
		"ALTER TABLE bulwark_recycle_5.orders RENAME TO x",
		"ALTER SCHEMA Bulwark_Recycle_5 RENAME TO mine",
		"WITH d AS (DELETE FROM bulwark_recycle_5.orders WHERE id = 1 RETURNING *) SELECT * FROM d",
		"SELECT * INTO stolen FROM bulwark_recycle_5.orders",
		"SET search_path = bulwark_recycle_5, public",
		"SET search_path TO 'bulwark_recycle_5'",
		"DO $$ BEGIN DELETE FROM bulwark_recycle_5.orders WHERE id = 1; END $$",
		"GRANT ALL ON ALL TABLES IN SCHEMA bulwark_recycle_5 TO PUBLIC",
		"TRUNCATE \"bulwark_recycle_5\".orders",
		"SELECT set_config('search_path', 'public, bulwark_recycle_5', false)",
		"SELECT set_config('search_path', current_setting('x.y'), false)",
		"SELECT set_config(current_setting('x.name'), 'bulwark_recycle_5', false)",
	}
	for _, sql := range refused {
		found := false
		for _, f := range a.Analyze(sql, sqlparse.Lexing{}).Findings() {
			found = found || f.Category == sqlparse.CategoryProtected && f.Rule == sqlparse.RuleRecycleArea
		}
		if !found {
			t.Errorf("%s: not refused as touching the recycle area", sql)
		}
	}
	allowed := []string{
		"SELECT * FROM bulwark_recycle_5.orders",
		"SELECT count(*) FROM bulwark_recycle.snapshots",
		"EXPLAIN SELECT * FROM bulwark_recycle_5.orders",
		"SELECT 'bulwark_recycle_5'",
		"DELETE FROM orders WHERE note = 'bulwark_recycle'",
		"SET search_path = public",
		"SELECT set_config('search_path', 'public', false)",
		"SELECT set_config('application_name', current_setting('x.y'), false)",
	}
	for _, sql := range allowed {
		if fs := a.Analyze(sql, sqlparse.Lexing{}).Findings(); len(fs) != 0 {
			t.Errorf("%s: want no finding, got %+v", sql, fs)
		}
	}
}
