//go:build !bulwark_no_mysql

package integration

// Snapshots on MySQL/MariaDB: the agent's destructive statement runs through
// the real proxy after bulwark set aside what it destroys, and
// snapshot.OpenMySQLCatalog, on a direct connection as the administrator,
// puts it back exactly (same rows, same CREATE TABLE).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/snapshot"
)

// withMySQLSnapshots sets drop, truncate, delete and update to snapshot.
func withMySQLSnapshots(c *config.Config) {
	c.Policy.Drop, c.Policy.Truncate = config.ActionSnapshot, config.ActionSnapshot
	c.Policy.Delete, c.Policy.Update = config.ActionSnapshot, config.ActionSnapshot
}

// snapDatabasePrefix names the databases these tests create (the agent may
// drop them).
const snapDatabasePrefix = "snapdb_"

// startSnapshotProxy starts bulwark with snapshots on, and lets the agent
// use bulwark's recycle databases, as the README says an administrator
// must.
func startSnapshotProxy(t testing.TB, opts ...proxyOption) (*mysqlProxy, snapshot.Catalog) {
	t.Helper()
	p := startMySQLProxy(t, append([]proxyOption{withMySQLSnapshots}, opts...)...)
	myAdminExec(t,
		"GRANT ALL ON `bulwark\\_recycle%`.* TO "+agentUser+"@'%'",
		"GRANT ALL ON `"+strings.ReplaceAll(snapDatabasePrefix, "_", "\\_")+"%`.* TO "+agentUser+"@'%'")
	cat, err := snapshot.OpenMySQLCatalog(testCtx(t), myRootURL())
	if err != nil {
		t.Fatalf("open the snapshot catalog: %v", err)
	}
	t.Cleanup(func() { _ = cat.Close() })
	return p, cat
}

// myRootURL is the mysql:// URL of the server itself (not through bulwark)
// as the administrator, as `bulwark snapshots --url` takes it.
func myRootURL() string {
	return (&url.URL{Scheme: "mysql", User: url.UserPassword(my.SuperUser, my.SuperPassword), Host: my.Addr, Path: "/"}).String()
}

// snapTable creates table db.name with what a snapshot must keep: an
// AUTO_INCREMENT key with a row whose key is 0, a default, a unique key, a
// generated column, a secondary index, NULLs, and rows.
func snapTable(t testing.TB, db, name string, rows int) {
	t.Helper()
	q := "`" + db + "`.`" + name + "`"
	myAdminExec(t,
		"DROP TABLE IF EXISTS "+q,
		"CREATE TABLE "+q+` (
			id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
			note VARCHAR(100) NOT NULL DEFAULT 'n',
			qty INT NULL,
			code VARCHAR(20) UNIQUE,
			twice INT AS (qty * 2) VIRTUAL,
			KEY note_qty (note, qty)
		) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
		fmt.Sprintf("INSERT INTO %s (id, note, qty, code) SELECT seq, CONCAT('row ', seq), IF(seq %% 7 = 0, NULL, seq %% 13), CONCAT('c', seq) FROM seq_1_to_%d", q, rows),
	)
	// A zero key survives only if every copy keeps it (NO_AUTO_VALUE_ON_ZERO).
	conn, err := myAdmin.Conn(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range []string{"SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')",
		"INSERT INTO " + q + " (id, note, qty, code) VALUES (0, 'zero', 0, 'c0')", "SET SESSION sql_mode = DEFAULT"} {
		if _, err := conn.ExecContext(testCtx(t), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// snapState is what must come back: the rows and the schema.
type snapState struct{ rows, schema string }

func snapStateOf(t *testing.T, db, name string) snapState {
	t.Helper()
	q := "`" + db + "`.`" + name + "`"
	var s snapState
	conn, err := myAdmin.Conn(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(testCtx(t), "SET SESSION group_concat_max_len = 1073741824"); err != nil {
		t.Fatal(err)
	}
	// Every column, in key order. (CHECKSUM TABLE is no help here: with a
	// virtual column MariaDB's value changes when the table is merely
	// renamed.)
	var n int64
	var md5 sql.NullString
	var tbl string
	if err := conn.QueryRowContext(testCtx(t), "SELECT COUNT(*), MD5(GROUP_CONCAT(CONCAT_WS('|', id, note, IFNULL(qty, 'null'), code, IFNULL(twice, 'null')) ORDER BY id SEPARATOR '\\n')) FROM "+q).Scan(&n, &md5); err != nil {
		t.Fatalf("checksum of %s: %v", q, err)
	}
	s.rows = fmt.Sprintf("%d rows, md5 %s", n, md5.String)
	if err := conn.QueryRowContext(testCtx(t), "SHOW CREATE TABLE "+q).Scan(&tbl, &s.schema); err != nil {
		t.Fatalf("SHOW CREATE TABLE %s: %v", q, err)
	}
	return s
}

func snapTableExists(t *testing.T, db, name string) bool {
	t.Helper()
	return myQueryString(t, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", db, name) == "1"
}

// snapEntries returns the catalog's live entries for db.name.
func snapEntries(t testing.TB, cat snapshot.Catalog, db, name string) []snapshot.Entry {
	t.Helper()
	es, err := cat.List(testCtx(t), snapshot.Filter{Object: db + "." + name})
	if err != nil {
		t.Fatalf("catalog List: %v", err)
	}
	return es
}

func recycleDatabases(t *testing.T) string {
	t.Helper()
	return myQueryString(t, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'bulwark\\_recycle\\_%'")
}

// requireSnapshotFailed asserts that err is bulwark's snapshot-failed
// refusal and that its message contains want.
func requireSnapshotFailed(t *testing.T, err error, want string) {
	t.Helper()
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		t.Fatalf("want bulwark's snapshot-failed refusal, got %v", err)
	}
	if me.Number != 1227 || !strings.Contains(me.Message, "snapshot could not be taken") || !strings.Contains(me.Message, want) {
		t.Fatalf("want bulwark's snapshot-failed refusal (1227) saying %q, got %d: %s", want, me.Number, me.Message)
	}
}

// TestMySQLSnapshotThenRestore runs each destructive statement kind as the
// agent, through the text protocol and through server-side prepared
// statements: the statement succeeds, the snapshot is in the catalog, and a
// restore brings back the same rows and the same schema.
func TestMySQLSnapshotThenRestore(t *testing.T) {
	p, cat := startSnapshotProxy(t)
	kinds := []struct {
		name string
		sql  func(db, tbl string) string
		// after checks the statement's effect.
		after func(t *testing.T, db, tbl string)
		// database: the snapshot is of the whole database.
		database bool
	}{
		{name: "drop table", sql: func(_, tbl string) string { return "DROP TABLE " + tbl },
			after: func(t *testing.T, db, tbl string) {
				if snapTableExists(t, db, tbl) {
					t.Errorf("%s still exists after DROP TABLE", tbl)
				}
			}},
		{name: "truncate", sql: func(_, tbl string) string { return "TRUNCATE TABLE " + tbl },
			after: func(t *testing.T, db, tbl string) {
				if n := myQueryString(t, "SELECT COUNT(*) FROM `"+db+"`.`"+tbl+"`"); n != "0" {
					t.Errorf("%s has %s rows after TRUNCATE", tbl, n)
				}
				if ai := myQueryString(t, "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", db, tbl); ai != "1" {
					t.Errorf("AUTO_INCREMENT after TRUNCATE = %s, want 1 as the server's TRUNCATE leaves it", ai)
				}
			}},
		{name: "delete without where", sql: func(_, tbl string) string { return "DELETE FROM " + tbl },
			after: func(t *testing.T, db, tbl string) {
				if n := myQueryString(t, "SELECT COUNT(*) FROM `"+db+"`.`"+tbl+"`"); n != "0" {
					t.Errorf("%s has %s rows after DELETE", tbl, n)
				}
			}},
		{name: "update without where", sql: func(_, tbl string) string { return "UPDATE " + tbl + " SET note = 'gone', qty = NULL" },
			after: func(t *testing.T, db, tbl string) {
				if n := myQueryString(t, "SELECT COUNT(*) FROM `"+db+"`.`"+tbl+"` WHERE note <> 'gone'"); n != "0" {
					t.Errorf("%s has %s rows not updated", tbl, n)
				}
			}},
		{name: "drop database", database: true, sql: func(db, _ string) string { return "DROP DATABASE " + db },
			after: func(t *testing.T, db, _ string) {
				if n := myQueryString(t, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", db); n != "0" {
					t.Errorf("database %s still exists after DROP DATABASE", db)
				}
			}},
	}
	modes := []struct {
		name     string
		params   []string
		prepared bool
	}{
		{name: "text protocol"},
		{name: "prepared statement", params: []string{"interpolateParams=false"}, prepared: true},
	}
	for mi, mode := range modes {
		for ki, k := range kinds {
			t.Run(k.name+" via "+mode.name, func(t *testing.T) {
				db, tbl := testDatabase, fmt.Sprintf("snap_%d_%d", mi, ki)
				if k.database {
					db = fmt.Sprintf("%s%d_%d", snapDatabasePrefix, mi, ki)
					myAdminExec(t, "DROP DATABASE IF EXISTS "+db, "CREATE DATABASE "+db+" CHARACTER SET latin1")
					t.Cleanup(func() { _, _ = myAdmin.Exec("DROP DATABASE IF EXISTS " + db) })
					snapTable(t, db, tbl+"_b", 50)
				}
				snapTable(t, db, tbl, 1000)
				t.Cleanup(func() { _, _ = myAdmin.Exec("DROP TABLE IF EXISTS `" + db + "`.`" + tbl + "`") })
				before := snapStateOf(t, db, tbl)
				var beforeB snapState
				if k.database {
					beforeB = snapStateOf(t, db, tbl+"_b")
				}

				agent := myConn(t, openMySQL(t, p.DSN(agentUser, mode.params...)))
				stmt := k.sql(db, tbl)
				var err error
				if mode.prepared {
					var ps *sql.Stmt
					if ps, err = agent.PrepareContext(testCtx(t), stmt); err == nil {
						_, err = ps.ExecContext(testCtx(t))
						ps.Close()
					}
				} else {
					_, err = agent.ExecContext(testCtx(t), stmt)
				}
				if err != nil {
					t.Fatalf("agent's %s: %v", stmt, err)
				}
				k.after(t, db, tbl)
				var probe int
				if err := agent.QueryRowContext(testCtx(t), "SELECT 1").Scan(&probe); err != nil {
					t.Fatalf("the session is not usable after the snapshot: %v", err)
				}

				name := tbl
				if k.database {
					name = db
				}
				es, err := cat.List(testCtx(t), snapshot.Filter{Object: name})
				if err != nil {
					t.Fatal(err)
				}
				if len(es) != 1 {
					t.Fatalf("catalog has %d live snapshots of %s, want 1: %+v", len(es), name, es)
				}
				e := es[0]
				if e.User != agentUser || e.AuditEvent == 0 || !strings.Contains(e.Statement, stmt) || !strings.HasPrefix(e.RecycleSchema, snapshot.RecyclePrefix) {
					t.Errorf("catalog entry does not describe the statement: %+v", e)
				}
				res, err := cat.Restore(testCtx(t), e.ID, "")
				if err != nil {
					t.Fatalf("restore %d: %v", e.ID, err)
				}
				if after := snapStateOf(t, db, tbl); after != before {
					t.Errorf("after restore to %s:\n got %+v\nwant %+v", res.Target, after, before)
				}
				if k.database {
					if after := snapStateOf(t, db, tbl+"_b"); after != beforeB {
						t.Errorf("second table after restore:\n got %+v\nwant %+v", after, beforeB)
					}
					if cs := myQueryString(t, "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", db); cs != "latin1" {
						t.Errorf("restored database has character set %s, want latin1", cs)
					}
				}
				if _, err := cat.Restore(testCtx(t), e.ID, ""); !errors.Is(err, snapshot.ErrNotFound) {
					t.Errorf("second restore of %d: %v, want ErrNotFound", e.ID, err)
				}
				if n := myQueryString(t, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", e.RecycleSchema); n != "0" {
					t.Errorf("the snapshot's database %s is still there after its restore", e.RecycleSchema)
				}
			})
		}
	}
}

// TestMySQLSnapshotEveryExecute: a prepared DELETE takes a snapshot at each
// execution, not when it is prepared.
func TestMySQLSnapshotEveryExecute(t *testing.T) {
	p, cat := startSnapshotProxy(t)
	tbl := "snap_every"
	snapTable(t, testDatabase, tbl, 20)
	agent := myConn(t, openMySQL(t, p.DSN(agentUser, "interpolateParams=false")))
	ps, err := agent.PrepareContext(testCtx(t), "DELETE FROM "+tbl)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	if n := len(snapEntries(t, cat, testDatabase, tbl)); n != 0 {
		t.Fatalf("preparing took %d snapshots, want none", n)
	}
	for i := 1; i <= 2; i++ {
		if _, err := ps.ExecContext(testCtx(t)); err != nil {
			t.Fatalf("execute %d: %v", i, err)
		}
		myAdminExec(t, "INSERT INTO "+tbl+" (note) VALUES ('again')")
		if n := len(snapEntries(t, cat, testDatabase, tbl)); n != i {
			t.Fatalf("after %d executions the catalog has %d snapshots", i, n)
		}
	}
}

// TestMySQLSnapshotWithTheMariaDBClient drops a table through the real
// `mariadb` client.
func TestMySQLSnapshotWithTheMariaDBClient(t *testing.T) {
	cli, err := exec.LookPath("mariadb")
	if err != nil {
		if cli, err = exec.LookPath("mysql"); err != nil {
			skipUnlessRequired(t, "no mariadb client binary")
		}
	}
	p, cat := startSnapshotProxy(t)
	tbl := "snap_cli"
	snapTable(t, testDatabase, tbl, 100)
	before := snapStateOf(t, testDatabase, tbl)
	host, port, _ := net.SplitHostPort(p.Addr)
	cmd := exec.CommandContext(testCtx(t), cli, "--no-defaults", "--protocol=TCP", "-h", host, "-P", port,
		"-u", agentUser, "-p"+myPasswordOf(agentUser), "--batch", "--skip-ssl", testDatabase)
	cmd.Stdin = strings.NewReader("DROP TABLE " + tbl + ";\nSELECT 'still alive' AS probe;\n")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "still alive") {
		t.Fatalf("mariadb: %v\n%s", err, out)
	}
	if snapTableExists(t, testDatabase, tbl) {
		t.Fatal("the table still exists")
	}
	es := snapEntries(t, cat, testDatabase, tbl)
	if len(es) != 1 {
		t.Fatalf("want 1 snapshot, got %+v", es)
	}
	// bulwark snapshots, on a mysql:// URL, lists and restores it.
	dbURL := myRootURL()
	id := strconv.FormatInt(es[0].ID, 10)
	list, stderr, code := runBulwark(t, "", "snapshots", "list", "--url", dbURL, "--object", testDatabase+"."+tbl, "--format", "csv")
	if code != 0 || !strings.Contains(list, id+",") {
		t.Fatalf("snapshots list: exit %d\n%s%s", code, list, stderr)
	}
	restored, stderr, code := runBulwark(t, "", "snapshots", "restore", id, "--url", dbURL)
	if code != 0 || !strings.Contains(restored, "restored snapshot "+id) {
		t.Fatalf("snapshots restore: exit %d\n%s%s", code, restored, stderr)
	}
	if after := snapStateOf(t, testDatabase, tbl); after != before {
		t.Errorf("after restore\n got %+v\nwant %+v", after, before)
	}
}

// TestMySQLSnapshotSemantics covers what the guarantees say about
// transactions, failures, conflicts, limits, refusals and purge.
func TestMySQLSnapshotSemantics(t *testing.T) {
	p, cat := startSnapshotProxy(t, func(c *config.Config) { c.Snapshot.MaxRows = 5000 })
	agentDB := openMySQL(t, p.DSN(agentUser))

	t.Run("a delete inside a transaction is refused and the transaction goes on", func(t *testing.T) {
		tbl := "snap_tx"
		snapTable(t, testDatabase, tbl, 10)
		before := snapStateOf(t, testDatabase, tbl)
		agent := myConn(t, agentDB)
		for _, s := range []string{"BEGIN", "INSERT INTO " + tbl + " (note) VALUES ('in tx')"} {
			if _, err := agent.ExecContext(testCtx(t), s); err != nil {
				t.Fatal(err)
			}
		}
		_, err := agent.ExecContext(testCtx(t), "DELETE FROM "+tbl)
		requireSnapshotFailed(t, err, "transaction open")
		if _, err := agent.ExecContext(testCtx(t), "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		// (The rolled back INSERT used up an AUTO_INCREMENT value.)
		if after := snapStateOf(t, testDatabase, tbl); after.rows != before.rows {
			t.Errorf("the refused DELETE or the rolled back INSERT changed the rows:\n got %s\nwant %s", after.rows, before.rows)
		}
		if n := len(snapEntries(t, cat, testDatabase, tbl)); n != 0 {
			t.Errorf("%d snapshots taken for a refused statement", n)
		}
	})

	t.Run("a drop inside a transaction commits it first as the server would", func(t *testing.T) {
		tbl, other := "snap_tx_drop", "snap_tx_other"
		snapTable(t, testDatabase, tbl, 10)
		snapTable(t, testDatabase, other, 10)
		agent := myConn(t, agentDB)
		for _, s := range []string{"BEGIN", "INSERT INTO " + other + " (note) VALUES ('in tx')", "DROP TABLE " + tbl, "ROLLBACK"} {
			if _, err := agent.ExecContext(testCtx(t), s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		if n := myQueryString(t, "SELECT COUNT(*) FROM "+other+" WHERE note = 'in tx'"); n != "1" {
			t.Errorf("the INSERT before the DROP was not committed (rows: %s)", n)
		}
		if len(snapEntries(t, cat, testDatabase, tbl)) != 1 {
			t.Errorf("no snapshot of the dropped table")
		}
	})

	t.Run("a statement that fails after its snapshot loses nothing", func(t *testing.T) {
		tbl := "snap_trigger"
		snapTable(t, testDatabase, tbl, 30)
		myAdminExec(t, "CREATE TRIGGER snap_no_delete BEFORE DELETE ON "+tbl+" FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'deletes are not allowed here'")
		before := snapStateOf(t, testDatabase, tbl)
		_, err := agentDB.ExecContext(testCtx(t), "DELETE FROM "+tbl)
		if err == nil || !strings.Contains(err.Error(), "deletes are not allowed here") {
			t.Fatalf("want the trigger's error, got %v", err)
		}
		if after := snapStateOf(t, testDatabase, tbl); after != before {
			t.Errorf("the table changed:\n got %+v\nwant %+v", after, before)
		}
		es := snapEntries(t, cat, testDatabase, tbl)
		if len(es) != 1 {
			t.Fatalf("want the snapshot taken before the DELETE failed, got %+v", es)
		}
		// The rows are all still there: putting them back would duplicate them.
		if _, err := cat.Restore(testCtx(t), es[0].ID, ""); !errors.Is(err, snapshot.ErrConflict) {
			t.Fatalf("restore over the intact table: %v, want ErrConflict", err)
		}
		res, err := cat.Restore(testCtx(t), es[0].ID, "snap_trigger_copy")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = myAdmin.Exec("DROP TABLE IF EXISTS snap_trigger_copy") })
		if res.Rows != 31 {
			t.Errorf("restore put back %d rows, want 31", res.Rows)
		}
		got, want := snapStateOf(t, testDatabase, "snap_trigger_copy"), before
		if got.rows != want.rows {
			t.Errorf("restored copy has other rows:\n got %s\nwant %s", got.rows, want.rows)
		}
	})

	t.Run("restore refuses to overwrite a table of the same name unless given another name", func(t *testing.T) {
		tbl := "snap_conflict"
		snapTable(t, testDatabase, tbl, 40)
		before := snapStateOf(t, testDatabase, tbl)
		if _, err := agentDB.ExecContext(testCtx(t), "DROP TABLE "+tbl); err != nil {
			t.Fatal(err)
		}
		myAdminExec(t, "CREATE TABLE "+tbl+" (x INT)", "INSERT INTO "+tbl+" VALUES (42)")
		es := snapEntries(t, cat, testDatabase, tbl)
		if len(es) != 1 {
			t.Fatalf("want 1 snapshot, got %+v", es)
		}
		if _, err := cat.Restore(testCtx(t), es[0].ID, ""); !errors.Is(err, snapshot.ErrConflict) {
			t.Fatalf("restore over the new table: %v, want ErrConflict", err)
		}
		if v := myQueryString(t, "SELECT x FROM "+tbl); v != "42" {
			t.Fatalf("the refused restore changed the new table")
		}
		if _, err := cat.Restore(testCtx(t), es[0].ID, testDatabase+".snap_conflict_old"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = myAdmin.Exec("DROP TABLE IF EXISTS snap_conflict_old") })
		got := snapStateOf(t, testDatabase, "snap_conflict_old")
		if got.rows != before.rows || got.schema != strings.Replace(before.schema, "`snap_conflict`", "`snap_conflict_old`", 1) {
			t.Errorf("restored under another name:\n got %+v\nwant %+v", got, before)
		}
	})

	t.Run("a snapshot over the size limit is refused and nothing is done", func(t *testing.T) {
		tbl := "snap_big"
		snapTable(t, testDatabase, tbl, 20000)
		myAdminExec(t, "ANALYZE TABLE "+tbl)
		before, areas := snapStateOf(t, testDatabase, tbl), recycleDatabases(t)
		_, err := agentDB.ExecContext(testCtx(t), "DELETE FROM "+tbl)
		requireSnapshotFailed(t, err, "more than the limits")
		if after := snapStateOf(t, testDatabase, tbl); after != before {
			t.Errorf("the table changed")
		}
		if now := recycleDatabases(t); now != areas {
			t.Errorf("recycle databases: %s before, %s after", areas, now)
		}
		// A move costs nothing, so DROP is not limited.
		if _, err := agentDB.ExecContext(testCtx(t), "DROP TABLE "+tbl); err != nil {
			t.Fatalf("DROP TABLE of a table over the copy limit: %v", err)
		}
	})

	t.Run("what cannot be moved is refused", func(t *testing.T) {
		tbl := "snap_has_trigger"
		snapTable(t, testDatabase, tbl, 5)
		myAdminExec(t, "CREATE TRIGGER snap_touch BEFORE INSERT ON "+tbl+" FOR EACH ROW SET NEW.note = NEW.note")
		for _, s := range []string{"DROP TABLE " + tbl, "TRUNCATE TABLE " + tbl} {
			_, err := agentDB.ExecContext(testCtx(t), s)
			requireSnapshotFailed(t, err, "has triggers")
		}
		_, err := agentDB.ExecContext(testCtx(t), "DROP TABLE snap_no_such_table")
		requireSnapshotFailed(t, err, "Unknown table '"+testDatabase+".snap_no_such_table'")
		if _, err := agentDB.ExecContext(testCtx(t), "DROP TABLE IF EXISTS snap_no_such_table"); err != nil {
			t.Errorf("DROP TABLE IF EXISTS of a missing table: %v", err)
		}
		if !snapTableExists(t, testDatabase, tbl) {
			t.Errorf("the table is gone")
		}
	})

	t.Run("purge drops older snapshots", func(t *testing.T) {
		tbl := "snap_purge"
		snapTable(t, testDatabase, tbl, 5)
		if _, err := agentDB.ExecContext(testCtx(t), "UPDATE "+tbl+" SET qty = 1"); err != nil {
			t.Fatal(err)
		}
		es := snapEntries(t, cat, testDatabase, tbl)
		if len(es) != 1 {
			t.Fatalf("want 1 snapshot, got %+v", es)
		}
		purged, err := cat.Purge(testCtx(t), time.Now().Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range purged {
			found = found || e.ID == es[0].ID
		}
		if !found {
			t.Fatalf("purge did not purge snapshot %d: %+v", es[0].ID, purged)
		}
		if n := myQueryString(t, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", es[0].RecycleSchema); n != "0" {
			t.Errorf("%s still exists after purge", es[0].RecycleSchema)
		}
		got, err := cat.Get(testCtx(t), es[0].ID)
		if err != nil || got.PurgedAt == nil {
			t.Errorf("the entry is not marked purged: %+v, %v", got, err)
		}
		if _, err := cat.Restore(testCtx(t), es[0].ID, ""); !errors.Is(err, snapshot.ErrNotFound) {
			t.Errorf("restore of a purged snapshot: %v, want ErrNotFound", err)
		}
	})
}

// BenchmarkMySQLSnapshot measures what a snapshot costs on MariaDB, side
// by side with the same statement sent straight to the server, on tables of
// 10,000 and 1,000,000 rows:
//
//	go test ./integration -run '^$' -bench MySQLSnapshot -benchtime 1x
//
// It reports the statement's seconds through bulwark with its snapshot,
// straight to the server, and the sizes of the table and of the snapshot.
// DROP moves the table: its time should not grow with the table.
func BenchmarkMySQLSnapshot(b *testing.B) {
	p, cat := startSnapshotProxy(b, func(c *config.Config) { c.Snapshot.MaxRows = 100_000_000 })
	agent := openMySQL(b, p.DSN(agentUser, "readTimeout=600s"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	for _, rows := range []int{10_000, 1_000_000} {
		for _, stmt := range []string{"DELETE FROM %s", "DROP TABLE %s"} {
			b.Run(fmt.Sprintf("%s/rows=%d", strings.Fields(stmt)[0], rows), func(b *testing.B) {
				tbl := fmt.Sprintf("snap_measure_%d", rows)
				q := fmt.Sprintf(stmt, tbl)
				var with, direct time.Duration
				var tableBytes, snapBytes float64
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					snapTable(b, testDatabase, tbl, rows)
					myAdminExec(b, "ANALYZE TABLE "+tbl)
					tableBytes, _ = strconv.ParseFloat(myQueryString(b, "SELECT DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", testDatabase, tbl), 64)
					b.StartTimer()
					start := time.Now()
					if _, err := agent.ExecContext(ctx, q); err != nil {
						b.Fatalf("%s: %v", q, err)
					}
					with += time.Since(start)
					b.StopTimer()
					es := snapEntries(b, cat, testDatabase, tbl)
					if len(es) != 1 {
						b.Fatalf("want one snapshot, got %d", len(es))
					}
					myAdminExec(b, "ANALYZE TABLE `"+es[0].RecycleSchema+"`.`"+tbl+"`")
					snapBytes, _ = strconv.ParseFloat(myQueryString(b, "SELECT DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", es[0].RecycleSchema, tbl), 64)
					if _, err := cat.Purge(ctx, time.Now().Add(time.Second)); err != nil {
						b.Fatal(err)
					}
					// The same statement straight to the server.
					snapTable(b, testDatabase, tbl, rows)
					start = time.Now()
					if _, err := myAdmin.ExecContext(ctx, q); err != nil {
						b.Fatalf("%s: %v", q, err)
					}
					direct += time.Since(start)
					myAdminExec(b, "DROP TABLE IF EXISTS "+tbl)
					b.StartTimer()
				}
				b.ReportMetric(with.Seconds()/float64(b.N), "s/op-snapshot")
				b.ReportMetric(direct.Seconds()/float64(b.N), "s/op-direct")
				b.ReportMetric(tableBytes/1e6, "MB-table")
				b.ReportMetric(snapBytes/1e6, "MB-snapshot")
			})
		}
	}
}
