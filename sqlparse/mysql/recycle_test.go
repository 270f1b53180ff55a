package mysql

import (
	"testing"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// TestRecycleArea: agents may read the recycle area but not change it.
func TestRecycleArea(t *testing.T) {
	a := New()
	refused := []string{
		"DELETE FROM bulwark_recycle_5.orders WHERE id = 1",
		"UPDATE bulwark_recycle.snapshots SET restored_at = NOW() WHERE id = 3",
		"INSERT INTO bulwark_recycle_5.orders VALUES (1)",
		"DROP DATABASE bulwark_recycle_5",
		"RENAME TABLE bulwark_recycle_5.orders TO app.orders_mine",
		"ALTER TABLE `bulwark_recycle_5`.orders ENGINE = MEMORY",
		"USE bulwark_recycle_5",
		"GRANT ALL ON bulwark_recycle_5.* TO 'x'@'%'",
		"TRUNCATE TABLE BULWARK_RECYCLE_5.orders",
		"EXPLAIN ANALYZE DELETE FROM bulwark_recycle_5.orders WHERE id = 1",
		"CREATE TABLE bulwark_recycle_9.t (id int)",
		// A routine's default database is its own: t is the snapshot's.
		"CREATE PROCEDURE bulwark_recycle_5.p() UPDATE t SET x = 1 WHERE id = 1",
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
		"SELECT COUNT(*) FROM bulwark_recycle.snapshots",
		"SHOW TABLES FROM bulwark_recycle_5",
		"SELECT 'bulwark_recycle_5'",
		"DELETE FROM orders WHERE note = 'bulwark_recycle'",
	}
	for _, sql := range allowed {
		if fs := a.Analyze(sql, sqlparse.Lexing{}).Findings(); len(fs) != 0 {
			t.Errorf("%s: want no finding, got %+v", sql, fs)
		}
	}
}
