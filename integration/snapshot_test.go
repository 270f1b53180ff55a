package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/snapshot"
)

// withSnapshots sets drop, truncate, delete and update to snapshot.
func withSnapshots(c *config.Config) {
	c.Policy.Drop, c.Policy.Truncate = config.ActionSnapshot, config.ActionSnapshot
	c.Policy.Delete, c.Policy.Update = config.ActionSnapshot, config.ActionSnapshot
}

// richTable creates a table owned by the agent with what a snapshot must
// bring back: a serial primary key (an owned sequence), a default, a check
// and a unique constraint, an index, a trigger, a grant and rows. It returns
// the table's content checksum and schema description functions.
func richTable(t testing.TB, name string, rows int) (data, schema func() string) {
	t.Helper()
	q := quoteIdent(name)
	adminExec(t,
		"DROP TABLE IF EXISTS "+q+" CASCADE",
		fmt.Sprintf(`CREATE TABLE %s (
			id    serial PRIMARY KEY,
			note  text NOT NULL CHECK (note <> ''),
			qty   integer NOT NULL DEFAULT 7,
			code  text UNIQUE,
			doc   jsonb
		)`, q),
		fmt.Sprintf("CREATE INDEX %s ON %s (note, qty)", quoteIdent(name+"_note_qty"), q),
		`CREATE OR REPLACE FUNCTION snapshot_test_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
		fmt.Sprintf("CREATE TRIGGER %s BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION snapshot_test_touch()", quoteIdent(name+"_touch"), q),
		fmt.Sprintf("INSERT INTO %s (note, qty, code, doc) SELECT 'note ' || g, g %% 13, 'c' || g, jsonb_build_object('g', g) FROM generate_series(1, %d) g", q, rows),
		fmt.Sprintf("GRANT SELECT ON %s TO PUBLIC", q),
		fmt.Sprintf("ALTER TABLE %s OWNER TO %s", q, agentUser),
	)
	t.Cleanup(func() { _, _ = adminDB.Exec("DROP TABLE IF EXISTS " + q + " CASCADE") })
	data = func() string {
		var sum string
		if err := adminDB.QueryRow(fmt.Sprintf(
			"SELECT coalesce(md5(string_agg(t::text, ',' ORDER BY id)), 'empty') || '/' || count(*) FROM %s t", q)).Scan(&sum); err != nil {
			t.Errorf("checksum of %s: %v", name, err)
		}
		return sum
	}
	schema = func() string {
		var s string
		err := adminDB.QueryRow(`SELECT string_agg(x, E'\n' ORDER BY x) FROM (
			SELECT 'col ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' ||
			       coalesce(pg_get_expr(d.adbin, d.adrelid), '') FROM pg_attribute a
			  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
			  WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
			UNION ALL SELECT 'idx ' || pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = $1::regclass
			UNION ALL SELECT 'con ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass
			UNION ALL SELECT 'trg ' || tgname FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal
			UNION ALL SELECT 'acl ' || coalesce(relacl::text, '') || ' owner ' || relowner::regrole FROM pg_class WHERE oid = $1::regclass
			UNION ALL SELECT 'seq ' || coalesce(pg_get_serial_sequence($1::regclass::text, 'id'), 'none')
		) s(x)`, "public."+q).Scan(&s)
		if err != nil {
			t.Errorf("schema of %s: %v", name, err)
		}
		return s
	}
	return data, schema
}

// pgCatalog is the snapshot catalog of the test database, read directly as
// the superuser. Each call of its methods opens a connection of its own and
// closes it when done.
func pgCatalog() snapshot.Catalog { return pgDirectCatalog{} }

type pgDirectCatalog struct{}

// onPgCatalog runs f on a catalog connection of its own.
func onPgCatalog[T any](ctx context.Context, f func(*snapshot.PostgresCatalog) (T, error)) (T, error) {
	cat, err := snapshot.OpenPostgresCatalog(ctx, pg.dsn(pg.SuperUser, pg.SuperPassword, testDatabase))
	if err != nil {
		var zero T
		return zero, err
	}
	defer cat.Close()
	return f(cat)
}

func (pgDirectCatalog) List(ctx context.Context, f snapshot.Filter) ([]snapshot.Entry, error) {
	return onPgCatalog(ctx, func(c *snapshot.PostgresCatalog) ([]snapshot.Entry, error) { return c.List(ctx, f) })
}

func (pgDirectCatalog) Get(ctx context.Context, id int64) (snapshot.Entry, error) {
	return onPgCatalog(ctx, func(c *snapshot.PostgresCatalog) (snapshot.Entry, error) { return c.Get(ctx, id) })
}

func (pgDirectCatalog) Restore(ctx context.Context, id int64, asName string) (snapshot.RestoreResult, error) {
	return onPgCatalog(ctx, func(c *snapshot.PostgresCatalog) (snapshot.RestoreResult, error) { return c.Restore(ctx, id, asName) })
}

func (pgDirectCatalog) Purge(ctx context.Context, cutoff time.Time) ([]snapshot.Entry, error) {
	return onPgCatalog(ctx, func(c *snapshot.PostgresCatalog) ([]snapshot.Entry, error) { return c.Purge(ctx, cutoff) })
}

// snapshotsOf returns the catalog entries recorded for an audit event (each
// test proxy has an audit store of its own, so the session tells them
// apart), newest first.
func snapshotsOf(t testing.TB, ev audit.Event) []snapshot.Entry {
	t.Helper()
	es, err := pgCatalog().List(context.Background(), snapshot.Filter{Event: ev.ID, All: true})
	if err != nil {
		t.Fatalf("list snapshots: %v", err)
	}
	var out []snapshot.Entry
	for _, e := range es {
		if e.SessionID == ev.SessionID {
			out = append(out, e)
		}
	}
	return out
}

// snapshotEvent returns the newest audit event with action snapshot,
// checking what it records.
func snapshotEvent(t testing.TB, p *testProxy, rule string) audit.Event {
	t.Helper()
	for _, e := range auditEvents(t, p) {
		if e.Action == "snapshot" {
			if e.Rule != rule || e.User != agentUser {
				t.Errorf("snapshot event %d: rule %s user %s, want %s %s", e.ID, e.Rule, e.User, rule, agentUser)
			}
			return e
		}
	}
	t.Fatalf("no audit event with action snapshot")
	return audit.Event{}
}

func restore(t testing.TB, id int64, as string) snapshot.RestoreResult {
	t.Helper()
	res, err := pgCatalog().Restore(context.Background(), id, as)
	if err != nil {
		t.Fatalf("restore snapshot %d: %v", id, err)
	}
	return res
}

// protocols are the ways the tests send an agent's statement.
var snapshotProtocols = []struct {
	name string
	cfg  func(*pgx.ConnConfig)
}{
	{"simple", simpleProtocol},
	{"extended", func(*pgx.ConnConfig) {}},
}

func TestSnapshotDropTableMovesItAsideAndRestoreBringsItBack(t *testing.T) {
	p := startProxy(t, withSnapshots)
	for _, proto := range snapshotProtocols {
		t.Run(proto.name, func(t *testing.T) {
			name := "snap_drop_" + proto.name
			data, schema := richTable(t, name, 500)
			wantData, wantSchema := data(), schema()
			conn := connectPgx(t, p.AgentDSN(), proto.cfg)
			ctx := testCtx(t)
			tag, err := conn.Exec(ctx, "DROP TABLE "+name)
			if err != nil {
				t.Fatalf("agent's DROP TABLE: %v", err)
			}
			if tag.String() != "DROP TABLE" {
				t.Errorf("command tag %q, want DROP TABLE", tag.String())
			}
			if relationExists(t, name) {
				t.Fatalf("%s still exists after the DROP", name)
			}
			ev := snapshotEvent(t, p, "drop-object")
			es := snapshotsOf(t, ev)
			if len(es) != 1 || es[0].Method != snapshot.MethodMove || es[0].SourceName != name || es[0].ObjectType != "TABLE" ||
				es[0].Rows != 500 || es[0].RowsEstimated || es[0].Bytes <= 0 {
				t.Fatalf("catalog entries for event %d: %+v", ev.ID, es)
			}
			// The session goes on.
			var one int
			if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
				t.Fatalf("session unusable after the snapshot: %v", err)
			}
			res := restore(t, es[0].ID, "")
			if res.Target != "public."+name {
				t.Errorf("restored to %s", res.Target)
			}
			if got := data(); got != wantData {
				t.Errorf("data after restore %s, want %s", got, wantData)
			}
			if got := schema(); got != wantSchema {
				t.Errorf("schema after restore:\n%s\nwant:\n%s", got, wantSchema)
			}
			if adminQueryInt(t, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", es[0].RecycleSchema) != 0 {
				t.Errorf("recycle schema %s left behind after restore", es[0].RecycleSchema)
			}
			// The owned sequence still serves the table.
			adminExec(t, fmt.Sprintf("INSERT INTO %s (note) VALUES ('after restore')", quoteIdent(name)))
		})
	}
}

// TestSnapshotRowsOfEachCategory: TRUNCATE, DELETE without WHERE and UPDATE
// without WHERE run after their rows were copied, with both protocols, in
// and out of a client transaction; restore puts the data back identically.
func TestSnapshotRowsOfEachCategory(t *testing.T) {
	p := startProxy(t, withSnapshots)
	cases := []struct {
		rule, sql, tag string
		after          int // rows left by the statement
	}{
		{"truncate", "TRUNCATE {t}", "TRUNCATE TABLE", 0},
		{"delete-no-where", "DELETE FROM {t}", "DELETE 300", 0},
		{"delete-always-true", "DELETE FROM {t} WHERE 1 = 1", "DELETE 300", 0},
		{"update-no-where", "UPDATE {t} SET note = 'overwritten', doc = NULL", "UPDATE 300", 300},
	}
	for _, c := range cases {
		for _, proto := range snapshotProtocols {
			for _, inTx := range []bool{false, true} {
				name := fmt.Sprintf("%s %s in transaction %v", c.rule, proto.name, inTx)
				t.Run(name, func(t *testing.T) {
					tbl := "snap_rows"
					data, schema := richTable(t, tbl, 300)
					wantData, wantSchema := data(), schema()
					conn := connectPgx(t, p.AgentDSN(), proto.cfg)
					ctx := testCtx(t)
					if inTx {
						if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
							t.Fatal(err)
						}
					}
					tag, err := conn.Exec(ctx, expand(c.sql, tbl))
					if err != nil {
						t.Fatalf("agent's %s: %v", c.sql, err)
					}
					if tag.String() != c.tag {
						t.Errorf("command tag %q, want %q", tag.String(), c.tag)
					}
					if inTx {
						if _, err := conn.Exec(ctx, "COMMIT"); err != nil {
							t.Fatal(err)
						}
					}
					if got := adminQueryInt(t, "SELECT count(*) FROM "+tbl+" WHERE note <> 'overwritten'"); got != 0 {
						t.Fatalf("%d rows untouched after the statement", got)
					}
					if got := rowCount(t, tbl); got != c.after {
						t.Fatalf("%d rows after the statement, want %d", got, c.after)
					}
					ev := snapshotEvent(t, p, c.rule)
					es := snapshotsOf(t, ev)
					if len(es) != 1 || es[0].Method != snapshot.MethodRows || es[0].Rows != 300 || es[0].Bytes <= 0 {
						t.Fatalf("catalog entries for event %d: %+v", ev.ID, es)
					}
					res := restore(t, es[0].ID, "")
					if res.Rows != 300 {
						t.Errorf("restore put back %d rows, want 300", res.Rows)
					}
					if got := data(); got != wantData {
						t.Errorf("data after restore %s, want %s", got, wantData)
					}
					if got := schema(); got != wantSchema {
						t.Errorf("schema changed:\n%s\nwant:\n%s", got, wantSchema)
					}
				})
			}
		}
	}
}

// TestSnapshotRollsBackWithTheStatement: a client ROLLBACK takes the
// snapshot with it (no orphan), and a statement that fails after its
// snapshot leaves nothing behind either.
func TestSnapshotRollsBackWithTheStatement(t *testing.T) {
	p := startProxy(t, withSnapshots)
	for _, proto := range snapshotProtocols {
		t.Run("client rollback "+proto.name, func(t *testing.T) {
			data, _ := richTable(t, "snap_rb", 50)
			want := data()
			before := len(allSnapshots(t))
			conn := connectPgx(t, p.AgentDSN(), proto.cfg)
			ctx := testCtx(t)
			mustExec(t, conn, "BEGIN")
			mustExec(t, conn, "DELETE FROM snap_rb")
			mustExec(t, conn, "DROP TABLE snap_rb")
			mustExec(t, conn, "ROLLBACK")
			if got := data(); got != want {
				t.Errorf("data after rollback %s, want %s", got, want)
			}
			if got := len(allSnapshots(t)); got != before {
				t.Errorf("%d snapshots after the rollback, want %d (no orphans)", got, before)
			}
			if n := adminQueryInt(t, `SELECT count(*) FROM pg_namespace n WHERE nspname LIKE 'bulwark\_recycle\_%'
				AND NOT EXISTS (SELECT 1 FROM bulwark_recycle.snapshots s WHERE s.recycle_schema = n.nspname)`); n != 0 {
				t.Errorf("%d recycle schemas without a catalog entry", n)
			}
			_ = ctx
		})
		t.Run("statement fails after its snapshot "+proto.name, func(t *testing.T) {
			data, _ := richTable(t, "snap_fail", 50)
			adminExec(t,
				`CREATE OR REPLACE FUNCTION snapshot_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'deletes are off today'; END $$`,
				"CREATE TRIGGER refuse_delete BEFORE DELETE ON snap_fail FOR EACH ROW EXECUTE FUNCTION snapshot_test_refuse()")
			want := data()
			before := len(allSnapshots(t))
			conn := connectPgx(t, p.AgentDSN(), proto.cfg)
			_, err := conn.Exec(testCtx(t), "DELETE FROM snap_fail")
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || !strings.Contains(pe.Message, "deletes are off today") {
				t.Fatalf("want the trigger's error, got %v", err)
			}
			if got := data(); got != want {
				t.Errorf("data %s, want %s", got, want)
			}
			if got := len(allSnapshots(t)); got != before {
				t.Errorf("%d snapshots, want %d: the failed statement's snapshot must roll back with it", got, before)
			}
			mustExec(t, conn, "SELECT 1")
		})
	}
}

// TestSnapshotHonoursExtendedProtocolParameters: the statement runs with
// the client's parameters, once per Execute, each time after a snapshot.
func TestSnapshotHonoursExtendedProtocolParameters(t *testing.T) {
	p := startProxy(t, withSnapshots)
	data, _ := richTable(t, "snap_params", 40)
	want := data()
	conn := connectPgx(t, p.AgentDSN())
	ctx := testCtx(t)
	if _, err := conn.Prepare(ctx, "upd", "UPDATE snap_params SET qty = $1"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int{100, 200} {
		tag, err := conn.Exec(ctx, "upd", v)
		if err != nil || tag.String() != "UPDATE 40" {
			t.Fatalf("execute with %d: %v %v", v, tag, err)
		}
		if got := adminQueryInt(t, "SELECT count(*) FROM snap_params WHERE qty = $1", v); got != 40 {
			t.Fatalf("%d rows have qty %d, want 40", got, v)
		}
	}
	ev := snapshotEvent(t, p, "update-no-where")
	es := snapshotsOf(t, ev)
	if len(es) != 2 {
		t.Fatalf("%d snapshots for two executions, want 2: %+v", len(es), es)
	}
	// Newest first: restoring the older snapshot gives the original data.
	restore(t, es[1].ID, "")
	if got := data(); got != want {
		t.Errorf("data after restoring the first snapshot %s, want %s", got, want)
	}
	// A row-independent condition taken from a parameter: false deletes
	// nothing, true deletes everything, each after a snapshot.
	for _, v := range []bool{false, true} {
		tag, err := conn.Exec(ctx, "DELETE FROM snap_params WHERE $1::boolean", v)
		if err != nil {
			t.Fatalf("DELETE with %v: %v", v, err)
		}
		wantTag := map[bool]string{false: "DELETE 0", true: "DELETE 40"}[v]
		if tag.String() != wantTag {
			t.Errorf("DELETE with %v: tag %s, want %s", v, tag, wantTag)
		}
	}
	// pgx prepared the text once: two executions, two snapshots.
	es = snapshotsOf(t, snapshotEvent(t, p, "delete-always-true"))
	if len(es) != 2 {
		t.Fatalf("snapshots of the DELETE: %+v", es)
	}
	if res := restore(t, es[0].ID, ""); res.Rows != 40 {
		t.Errorf("restoring the DELETE that removed every row put back %d rows, want 40", res.Rows)
	}
	if got := data(); got != want {
		t.Errorf("data after restore %s, want %s", got, want)
	}
	// The snapshot of the execution that deleted nothing holds rows that
	// are all there: restoring it puts back nothing and overwrites nothing.
	if res := restore(t, es[1].ID, ""); res.Rows != 0 {
		t.Errorf("restoring the DELETE that removed nothing put back %d rows, want 0", res.Rows)
	}
	if got := data(); got != want {
		t.Errorf("data after the second restore %s, want %s", got, want)
	}
}

// TestSnapshotRestoreRefusesToOverwrite: restoring where something exists
// now is refused unless a new name is given.
func TestSnapshotRestoreRefusesToOverwrite(t *testing.T) {
	p := startProxy(t, withSnapshots)
	data, _ := richTable(t, "snap_over", 20)
	want := data()
	conn := connectPgx(t, p.AgentDSN())
	mustExec(t, conn, "DROP TABLE snap_over")
	id := snapshotsOf(t, snapshotEvent(t, p, "drop-object"))[0].ID
	mustExec(t, conn, "CREATE TABLE snap_over (id int PRIMARY KEY)") // the agent rebuilt it
	_, err := pgCatalog().Restore(context.Background(), id, "")
	if !errors.Is(err, snapshot.ErrConflict) || !strings.Contains(err.Error(), "--as") {
		t.Fatalf("restore over an existing table: want a conflict naming --as, got %v", err)
	}
	res := restore(t, id, "snap_over_restored")
	if res.Target != "public.snap_over_restored" {
		t.Errorf("restored to %s", res.Target)
	}
	t.Cleanup(func() { _, _ = adminDB.Exec("DROP TABLE IF EXISTS snap_over_restored CASCADE") })
	var sum string
	if err := adminDB.QueryRow("SELECT md5(string_agg(t::text, ',' ORDER BY id)) || '/' || count(*) FROM snap_over_restored t").Scan(&sum); err != nil || sum != want {
		t.Errorf("restored copy %s (%v), want %s", sum, err, want)
	}
	if rowCount(t, "snap_over") != 0 {
		t.Errorf("the new table was touched")
	}
	if _, err := pgCatalog().Restore(context.Background(), id, ""); err == nil {
		t.Errorf("a snapshot restored once can be restored again")
	}

	// Rows: a row changed since the DELETE blocks putting the old one back.
	data, _ = richTable(t, "snap_rows_over", 20)
	want = data()
	mustExec(t, conn, "DELETE FROM snap_rows_over")
	id = snapshotsOf(t, snapshotEvent(t, p, "delete-no-where"))[0].ID
	adminExec(t, "INSERT INTO snap_rows_over (id, note) VALUES (3, 'new row 3')")
	if _, err := pgCatalog().Restore(context.Background(), id, ""); !errors.Is(err, snapshot.ErrConflict) {
		t.Fatalf("restore over a changed row: want a conflict, got %v", err)
	}
	adminExec(t, "DELETE FROM snap_rows_over")
	restore(t, id, "")
	if got := data(); got != want {
		t.Errorf("data after restore %s, want %s", got, want)
	}
}

// TestSnapshotGuards: a table over the size limit is refused before anything
// happens; dependent objects and statement errors behave as the DROP would.
func TestSnapshotGuards(t *testing.T) {
	p := startProxy(t, withSnapshots, func(c *config.Config) { c.Snapshot.MaxRows = 100 })
	data, _ := richTable(t, "snap_big", 500)
	adminExec(t, "ANALYZE snap_big")
	want := data()
	conn := connectPgx(t, p.AgentDSN())
	ctx := testCtx(t)
	_, err := conn.Exec(ctx, "DELETE FROM snap_big")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" || !strings.Contains(pe.Message, "snapshot") || !strings.Contains(pe.Message, "snapshot.max_rows") {
		t.Fatalf("want a refusal naming the snapshot limit, got %v", err)
	}
	if got := data(); got != want {
		t.Errorf("data %s, want %s", got, want)
	}
	mustExec(t, conn, "SELECT 1")
	if evs := auditEventsFiltered(t, p, audit.Filter{Rule: "snapshot-failed"}); len(evs) != 1 ||
		!strings.Contains(evs[0].Reason, "too large") || evs[0].Statement != "DELETE FROM snap_big" || evs[0].Action != "block" {
		t.Errorf("audit events of the failed snapshot: %+v", evs)
	}

	// A view depends on the table: DROP without CASCADE fails as the
	// server would fail it; with CASCADE the snapshot cannot cover the view.
	richTable(t, "snap_dep", 5)
	adminExec(t, "CREATE VIEW snap_dep_v AS SELECT id FROM snap_dep")
	_, err = conn.Exec(ctx, "DROP TABLE snap_dep")
	if !errors.As(err, &pe) || pe.Code != "2BP01" {
		t.Fatalf("DROP of a table a view depends on: want SQLSTATE 2BP01, got %v", err)
	}
	_, err = conn.Exec(ctx, "DROP TABLE snap_dep CASCADE")
	if !errors.As(err, &pe) || pe.Code != "42501" || !strings.Contains(pe.Message, "snap_dep_v") {
		t.Fatalf("DROP ... CASCADE with a dependent view: want a refusal naming the view, got %v", err)
	}
	if !relationExists(t, "snap_dep") || !relationExists(t, "snap_dep_v") {
		t.Fatalf("table or view gone")
	}
	// Errors that are the statement's own reach the client unchanged.
	_, err = conn.Exec(ctx, "DROP TABLE no_such_table_here")
	if !errors.As(err, &pe) || pe.Code != "42P01" {
		t.Fatalf("DROP of a missing table: want 42P01, got %v", err)
	}
	if _, err := conn.Exec(ctx, "DROP TABLE IF EXISTS no_such_table_here"); err != nil {
		t.Fatalf("DROP IF EXISTS of a missing table: %v", err)
	}
	// A foreign key that cascades would delete rows of another table,
	// which the copy of this one would not hold.
	parent, _ := richTable(t, "snap_par", 5)
	child, _ := richTable(t, "snap_chi", 5)
	adminExec(t, "ALTER TABLE snap_chi ADD COLUMN par integer REFERENCES snap_par (id) ON DELETE CASCADE", "UPDATE snap_chi SET par = id")
	parentBefore, childBefore := parent(), child()
	_, err = conn.Exec(ctx, "DELETE FROM snap_par")
	if !errors.As(err, &pe) || pe.Code != "42501" || !strings.Contains(pe.Message, "snap_chi") {
		t.Fatalf("DELETE of a table a cascading foreign key references: want a refusal naming the child, got %v", err)
	}
	if parent() != parentBefore || child() != childBefore {
		t.Fatalf("refused, yet a table changed")
	}
	// TRUNCATE is not MVCC-safe: in a REPEATABLE READ transaction it would
	// remove rows committed after the transaction's snapshot, which the
	// copy cannot see.
	mustExec(t, conn, "BEGIN ISOLATION LEVEL REPEATABLE READ")
	_, err = conn.Exec(ctx, "TRUNCATE snap_dep")
	if !errors.As(err, &pe) || pe.Code != "42501" || !strings.Contains(pe.Message, "READ COMMITTED") {
		t.Fatalf("TRUNCATE in a REPEATABLE READ transaction: want a refusal, got %v", err)
	}
	mustExec(t, conn, "ROLLBACK")
	if !relationExists(t, "snap_dep") {
		t.Fatalf("table gone")
	}
	// Other object kinds cannot be snapshotted: refused, saying so.
	adminExec(t, "CREATE INDEX IF NOT EXISTS snap_dep_idx ON snap_dep (note)")
	_, err = conn.Exec(ctx, "DROP INDEX snap_dep_idx")
	if !errors.As(err, &pe) || pe.Code != "42501" || !strings.Contains(pe.Message, "cannot snapshot") {
		t.Fatalf("DROP INDEX under snapshot: want a refusal explaining it, got %v", err)
	}
}

// TestSnapshotDropSchemaAndPsql: DROP SCHEMA ... CASCADE through psql sets
// the whole schema aside; restore brings it back.
func TestSnapshotDropSchemaAndPsql(t *testing.T) {
	p := startProxy(t, withSnapshots)
	adminExec(t, "DROP SCHEMA IF EXISTS snap_s CASCADE",
		"CREATE SCHEMA snap_s AUTHORIZATION "+agentUser,
		"CREATE TABLE snap_s.a (id int PRIMARY KEY, v text)",
		"CREATE TABLE snap_s.b (id int REFERENCES snap_s.a, w text)",
		"INSERT INTO snap_s.a SELECT g, 'v' || g FROM generate_series(1, 100) g",
		"INSERT INTO snap_s.b SELECT g, 'w' || g FROM generate_series(1, 100) g",
		"ALTER TABLE snap_s.a OWNER TO "+agentUser, "ALTER TABLE snap_s.b OWNER TO "+agentUser)
	t.Cleanup(func() { _, _ = adminDB.Exec("DROP SCHEMA IF EXISTS snap_s CASCADE") })
	sum := func() string {
		var s string
		if err := adminDB.QueryRow(`SELECT md5((SELECT string_agg(t::text, ',' ORDER BY id) FROM snap_s.a t) ||
			(SELECT string_agg(t::text, ',' ORDER BY id) FROM snap_s.b t))`).Scan(&s); err != nil {
			t.Errorf("checksum: %v", err)
		}
		return s
	}
	want := sum()
	out, stderr, code := runPsql(t, p.AgentDSN(), "", "-c", "DROP SCHEMA snap_s CASCADE")
	if code != 0 || !strings.Contains(out, "DROP SCHEMA") {
		t.Fatalf("psql: code %d out %q err %q", code, out, stderr)
	}
	if adminQueryInt(t, "SELECT count(*) FROM pg_namespace WHERE nspname = 'snap_s'") != 0 {
		t.Fatalf("schema still there")
	}
	es := snapshotsOf(t, snapshotEvent(t, p, "drop-object"))
	if len(es) != 1 || es[0].ObjectType != "SCHEMA" {
		t.Fatalf("catalog: %+v", es)
	}
	restore(t, es[0].ID, "")
	if got := sum(); got != want {
		t.Errorf("data after restore %s, want %s", got, want)
	}
}

func mustExec(t testing.TB, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(testCtx(t), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func allSnapshots(t testing.TB) []snapshot.Entry {
	t.Helper()
	es, err := pgCatalog().List(context.Background(), snapshot.Filter{All: true})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestSnapshotsCLI drives `bulwark snapshots` (the real binary) against the
// database directly: list, show, restore, a refused second restore, a
// conflict, and purge.
func TestSnapshotsCLI(t *testing.T) {
	p := startProxy(t, withSnapshots)
	data, _ := richTable(t, "snap_cli", 30)
	want := data()
	conn := connectPgx(t, p.AgentDSN())
	mustExec(t, conn, "TRUNCATE snap_cli")
	ev := snapshotEvent(t, p, "truncate")
	id := snapshotsOf(t, ev)[0].ID
	ids := strconv.FormatInt(id, 10)
	dbURL := pg.dsn(pg.SuperUser, pg.SuperPassword, testDatabase)

	out, stderr, code := runBulwark(t, "", "snapshots", "list", "--url", dbURL, "--event", strconv.FormatInt(ev.ID, 10), "--format", "json")
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	var listed []snapshot.Entry
	if err := json.Unmarshal([]byte(out), &listed); err != nil {
		t.Fatalf("list --format json: %v\n%s", err, out)
	}
	found := false
	for _, e := range listed {
		found = found || e.ID == id && e.Operation == "truncate" && e.Rows == 30 && e.Statement == "TRUNCATE snap_cli"
	}
	if !found {
		t.Fatalf("snapshot %d not listed as expected: %s", id, out)
	}
	out, _, code = runBulwark(t, "", "snapshots", "list", "--url", dbURL)
	if code != 0 || !strings.Contains(out, "public.snap_cli") || !strings.Contains(out, "TAKEN") {
		t.Fatalf("list table: exit %d\n%s", code, out)
	}
	out, _, code = runBulwark(t, "", "snapshots", "show", ids, "--url", dbURL)
	if code != 0 || !strings.Contains(out, "TRUNCATE snap_cli") || !strings.Contains(out, "bulwark_recycle_"+ids) {
		t.Fatalf("show: exit %d\n%s", code, out)
	}
	// Rows now in the table with other content: restore refuses (exit 3).
	adminExec(t, "INSERT INTO snap_cli (id, note) VALUES (1, 'a new first row')")
	_, stderr, code = runBulwark(t, "", "snapshots", "restore", ids, "--url", dbURL)
	if code != 3 || !strings.Contains(stderr, "--as") {
		t.Fatalf("restore over changed rows: exit %d, want 3: %s", code, stderr)
	}
	adminExec(t, "DELETE FROM snap_cli")
	out, stderr, code = runBulwark(t, "", "snapshots", "restore", ids, "--url", dbURL)
	if code != 0 || !strings.Contains(out, "30 rows") {
		t.Fatalf("restore: exit %d: %s %s", code, out, stderr)
	}
	if got := data(); got != want {
		t.Errorf("data after restore %s, want %s", got, want)
	}
	if _, _, code = runBulwark(t, "", "snapshots", "restore", ids, "--url", dbURL); code != 1 {
		t.Errorf("a second restore: exit %d, want 1", code)
	}
	if _, stderr, code = runBulwark(t, "", "snapshots", "list"); code != 1 || !strings.Contains(stderr, "--url") {
		t.Errorf("list without a database: exit %d: %s", code, stderr)
	}

	// Purge drops the schema and keeps the history.
	mustExec(t, conn, "DELETE FROM snap_cli")
	purgeID := snapshotsOf(t, snapshotEvent(t, p, "delete-no-where"))[0].ID
	time.Sleep(10 * time.Millisecond)
	out, stderr, code = runBulwark(t, "", "snapshots", "purge", "--older-than", "5ms", "--url", dbURL)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("purged snapshot %d ", purgeID)) {
		t.Fatalf("purge: exit %d: %s %s", code, out, stderr)
	}
	if n := adminQueryInt(t, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", fmt.Sprintf("bulwark_recycle_%d", purgeID)); n != 0 {
		t.Errorf("purged snapshot's schema still exists")
	}
	e, err := pgCatalog().Get(context.Background(), purgeID)
	if err != nil || e.PurgedAt == nil {
		t.Errorf("catalog row of the purged snapshot: %+v %v", e, err)
	}
}

// TestSnapshotRetention: with snapshot.retention set, taking a snapshot
// purges the older ones in the same database.
func TestSnapshotRetention(t *testing.T) {
	p := startProxy(t, withSnapshots, func(c *config.Config) { c.Snapshot.Retention = "50ms" })
	richTable(t, "snap_ret", 10)
	conn := connectPgx(t, p.AgentDSN())
	mustExec(t, conn, "UPDATE snap_ret SET qty = 1")
	first := snapshotsOf(t, snapshotEvent(t, p, "update-no-where"))[0]
	time.Sleep(100 * time.Millisecond)
	mustExec(t, conn, "UPDATE snap_ret SET qty = 2")
	e, err := pgCatalog().Get(context.Background(), first.ID)
	if err != nil || e.PurgedAt == nil {
		t.Fatalf("the older snapshot was not purged: %+v %v", e, err)
	}
	if n := adminQueryInt(t, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", first.RecycleSchema); n != 0 {
		t.Errorf("the older snapshot's schema still exists")
	}
}

// TestSnapshotInPipelinedBatch: a pgx batch (one extended-protocol request)
// with two snapshot statements and a DROP, each answered as the client
// expects, in one implicit transaction.
func TestSnapshotInPipelinedBatch(t *testing.T) {
	p := startProxy(t, withSnapshots)
	dataA, _ := richTable(t, "snap_batch_a", 20)
	dataB, _ := richTable(t, "snap_batch_b", 30)
	wantA, wantB := dataA(), dataB()
	conn := connectPgx(t, p.AgentDSN())
	ctx := testCtx(t)
	batch := &pgx.Batch{}
	batch.Queue("DELETE FROM snap_batch_a")
	batch.Queue("SELECT count(*) FROM snap_batch_a")
	batch.Queue("UPDATE snap_batch_b SET note = 'x'")
	batch.Queue("DROP TABLE snap_batch_b")
	br := conn.SendBatch(ctx, batch)
	if tag, err := br.Exec(); err != nil || tag.String() != "DELETE 20" {
		t.Fatalf("DELETE in batch: %v %v", tag, err)
	}
	var n int
	if err := br.QueryRow().Scan(&n); err != nil || n != 0 {
		t.Fatalf("count after DELETE in batch: %d %v", n, err)
	}
	if tag, err := br.Exec(); err != nil || tag.String() != "UPDATE 30" {
		t.Fatalf("UPDATE in batch: %v %v", tag, err)
	}
	if tag, err := br.Exec(); err != nil || tag.String() != "DROP TABLE" {
		t.Fatalf("DROP in batch: %v %v", tag, err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	var entries []snapshot.Entry
	for _, e := range auditEvents(t, p) {
		if e.Action == "snapshot" {
			entries = append(entries, snapshotsOf(t, e)...)
		}
	}
	if len(entries) != 3 {
		t.Fatalf("%d snapshots, want 3: %+v", len(entries), entries)
	}
	// Undo in reverse order: the table, then its rows, then the other table's rows.
	byOp := map[string]snapshot.Entry{}
	for _, e := range entries {
		byOp[e.Operation] = e
	}
	restore(t, byOp["drop"].ID, "")
	restore(t, byOp["update"].ID, "")
	restore(t, byOp["delete"].ID, "")
	if dataA() != wantA || dataB() != wantB {
		t.Errorf("after restoring: %s %s, want %s %s", dataA(), dataB(), wantA, wantB)
	}
	mustExec(t, conn, "SELECT 1")
}

// TestSnapshotRecycleAreaIsReadOnlyForAgents: an agent can look at what it
// deleted but cannot change or remove a snapshot.
func TestSnapshotRecycleAreaIsReadOnlyForAgents(t *testing.T) {
	p := startProxy(t, withSnapshots)
	richTable(t, "snap_guard", 10)
	conn := connectPgx(t, p.AgentDSN())
	mustExec(t, conn, "DELETE FROM snap_guard")
	e := snapshotsOf(t, snapshotEvent(t, p, "delete-no-where"))[0]
	snapTable := quoteIdent(e.RecycleSchema) + "." + quoteIdent(e.RecycleName)
	var n int
	if err := conn.QueryRow(testCtx(t), "SELECT count(*) FROM "+snapTable).Scan(&n); err != nil || n != 10 {
		t.Fatalf("reading the snapshot: %d %v", n, err)
	}
	for _, sql := range []string{
		"DELETE FROM " + snapTable + " WHERE id = 1",
		"DROP SCHEMA " + quoteIdent(e.RecycleSchema) + " CASCADE",
		"UPDATE bulwark_recycle.snapshots SET purged_at = now() WHERE id = " + strconv.FormatInt(e.ID, 10),
		"SET search_path = " + e.RecycleSchema,
	} {
		_, err := conn.Exec(testCtx(t), sql)
		requireRefused(t, err, "recycle-area")
	}
	if got := adminQueryInt(t, "SELECT count(*) FROM "+snapTable); got != 10 {
		t.Errorf("snapshot holds %d rows, want 10", got)
	}
}

// TestSnapshotInPgconnPipeline: pgconn's pipeline mode (Flush first, Sync
// later) with a prepared DELETE executed twice and a SELECT between: every
// answer in order, each DELETE after its own snapshot.
func TestSnapshotInPgconnPipeline(t *testing.T) {
	p := startProxy(t, withSnapshots)
	data, _ := richTable(t, "snap_pipe", 25)
	want := data()
	conn := connectPgx(t, p.AgentDSN())
	ctx := testCtx(t)
	pl := conn.PgConn().StartPipeline(ctx)
	pl.SendPrepare("del", "DELETE FROM snap_pipe WHERE $1::boolean", nil)
	pl.SendQueryPrepared("del", [][]byte{[]byte("false")}, nil, nil)
	pl.SendFlushRequest()
	if err := pl.Flush(); err != nil {
		t.Fatal(err)
	}
	pl.SendQueryParams("SELECT count(*) FROM snap_pipe", nil, nil, nil, nil)
	pl.SendQueryPrepared("del", [][]byte{[]byte("true")}, nil, nil)
	if err := pl.Sync(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		res, err := pl.GetResults()
		if err != nil {
			t.Fatalf("pipeline result: %v", err)
		}
		if res == nil {
			break
		}
		switch r := res.(type) {
		case *pgconn.StatementDescription:
			got = append(got, "prepared")
		case *pgconn.ResultReader:
			rr := r.Read()
			if rr.Err != nil {
				t.Fatalf("pipeline statement: %v", rr.Err)
			}
			s := rr.CommandTag.String()
			if len(rr.Rows) == 1 {
				s += " " + string(rr.Rows[0][0])
			}
			got = append(got, s)
		case *pgconn.PipelineSync:
			got = append(got, "sync")
		}
		if len(got) > 0 && got[len(got)-1] == "sync" {
			break
		}
	}
	if err := pl.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "prepared|DELETE 0|SELECT 1 25|DELETE 25|sync" {
		t.Fatalf("pipeline answers: %q", got)
	}
	es := snapshotsOf(t, snapshotEvent(t, p, "delete-always-true"))
	if len(es) != 2 {
		t.Fatalf("%d snapshots, want one per execution: %+v", len(es), es)
	}
	restore(t, es[0].ID, "")
	if data() != want {
		t.Errorf("data after restore %s, want %s", data(), want)
	}
}
