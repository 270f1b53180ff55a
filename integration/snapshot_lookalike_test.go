package integration

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/snapshot"
)

// snapshotLookalikes are objects an agent may create in its own session to
// stand in for the catalog functions, operators and relations that the
// snapshot (run in that session) and the restore (run by a DBA) use, each
// with the statements that drop them again. {t} is the table the agent
// then destroys, public.snap_lookalike.
var snapshotLookalikes = []struct {
	name    string
	setup   []string
	cleanup []string
}{
	{
		name: "to_regclass hiding the table, first on the search path",
		setup: []string{
			`CREATE FUNCTION public.to_regclass(text) RETURNS regclass LANGUAGE sql
				AS $$SELECT CASE WHEN $1 LIKE 'bulwark%' THEN pg_catalog.to_regclass($1) END$$`,
			"SET search_path = public, pg_catalog",
		},
		cleanup: []string{"DROP FUNCTION IF EXISTS public.to_regclass(text)"},
	},
	{
		name: "a pg_class saying the table is temporary, first on the search path",
		setup: []string{
			`CREATE TABLE public.pg_class AS SELECT c.oid, c.relname, c.relkind, 't'::"char" AS relpersistence,
				c.relnamespace, c.reltuples FROM pg_catalog.pg_class c WHERE c.oid = 'public.{t}'::regclass`,
			"SET search_path = public, pg_catalog",
		},
		cleanup: []string{"DROP TABLE IF EXISTS public.pg_class"},
	},
	{
		// pg_temp is searched before pg_catalog for relations unless the
		// search path names it: no SET needed.
		name: "a temporary pg_class saying the table is temporary",
		setup: []string{
			`CREATE TEMPORARY TABLE pg_class AS SELECT c.oid, c.relname, c.relkind, 't'::"char" AS relpersistence,
				c.relnamespace, c.reltuples FROM pg_catalog.pg_class c WHERE c.oid = 'public.{t}'::regclass`,
		},
	},
	{
		// A function or operator whose argument types match a call better
		// than pg_catalog's wins wherever its schema is on the search
		// path, even after pg_catalog: the default path will do.
		name: "format overloads that copy nothing, on the default search path",
		setup: []string{
			`CREATE FUNCTION public.format(text, text, text, regclass) RETURNS text LANGUAGE sql AS $$SELECT 'SELECT 1'$$`,
			`CREATE FUNCTION public.format(text, regclass, text) RETURNS text LANGUAGE sql AS $$SELECT 'SELECT 1'$$`,
			`CREATE FUNCTION public.format(text, text, text) RETURNS text LANGUAGE sql AS $$SELECT 'pg_catalog.pg_class'$$`,
		},
		cleanup: []string{
			"DROP FUNCTION IF EXISTS public.format(text, text, text, regclass)",
			"DROP FUNCTION IF EXISTS public.format(text, regclass, text)",
			"DROP FUNCTION IF EXISTS public.format(text, text, text)",
		},
	},
	{
		// A DBA restores the snapshot with a session of its own, whose
		// search path holds public too: it must not run the agent's code
		// (this one notes who calls it).
		name: "quote_ident(name) for the DBA's restore, on the default search path",
		setup: []string{
			"CREATE TABLE public.snap_lookalike_calls (who text)",
			"GRANT INSERT ON public.snap_lookalike_calls TO PUBLIC",
			`CREATE FUNCTION public.quote_ident(name) RETURNS text LANGUAGE sql AS $$
				INSERT INTO public.snap_lookalike_calls SELECT current_user WHERE current_user <> '` + agentUser + `';
				SELECT pg_catalog.quote_ident($1::text)$$`,
		},
		cleanup: []string{
			"DROP FUNCTION IF EXISTS public.quote_ident(name)",
			"DROP TABLE IF EXISTS public.snap_lookalike_calls",
		},
	},
}

// TestSnapshotIgnoresTheAgentsLookalikes: whatever the agent's session puts
// in the way of the catalog's own functions, operators and relations, its
// DELETE, TRUNCATE and DROP TABLE run only after a snapshot holding every
// row, and restoring it brings them back.
func TestSnapshotIgnoresTheAgentsLookalikes(t *testing.T) {
	p := startProxy(t, withSnapshots)
	statements := []struct {
		rule, sql, method string
	}{
		{"delete-no-where", "DELETE FROM {t}", snapshot.MethodRows},
		{"truncate", "TRUNCATE {t}", snapshot.MethodRows},
		{"drop-object", "DROP TABLE {t}", snapshot.MethodMove},
	}
	const tbl, rows = "snap_lookalike", 50
	for _, l := range snapshotLookalikes {
		for _, st := range statements {
			for _, proto := range snapshotProtocols {
				t.Run(l.name+"/"+st.sql+"/"+proto.name, func(t *testing.T) {
					data, _ := richTable(t, tbl, rows)
					want := data()
					t.Cleanup(func() {
						for _, c := range l.cleanup {
							if _, err := adminDB.Exec(c); err != nil {
								t.Errorf("%s: %v", c, err)
							}
						}
					})
					conn := connectPgx(t, p.AgentDSN(), proto.cfg)
					for _, s := range l.setup {
						mustExec(t, conn, expand(s, tbl))
					}
					var path, after string
					if err := conn.QueryRow(testCtx(t), "SHOW search_path").Scan(&path); err != nil {
						t.Fatal(err)
					}
					// In a transaction, so that the block's own search path would
					// still be in force after it, were it left there.
					mustExec(t, conn, "BEGIN")
					mustExec(t, conn, expand(st.sql, tbl))
					if err := conn.QueryRow(testCtx(t), "SHOW search_path").Scan(&after); err != nil || after != path {
						t.Errorf("search path after the statement %q (%v), want the session's %q", after, err, path)
					}
					mustExec(t, conn, "COMMIT")
					if n := rowCount(t, tbl); n > 0 {
						t.Fatalf("%d rows left: the statement did not run", n)
					}
					es := snapshotsOf(t, snapshotEvent(t, p, st.rule))
					if len(es) != 1 || es[0].Method != st.method || es[0].SourceSchema != "public" || es[0].SourceName != tbl ||
						es[0].Rows != rows || es[0].RowsEstimated {
						t.Fatalf("catalog entries: %+v", es)
					}
					copied := adminQueryInt(t, fmt.Sprintf("SELECT count(*) FROM %s.%s", quoteIdent(es[0].RecycleSchema), quoteIdent(es[0].RecycleName)))
					if copied != rows {
						t.Fatalf("the snapshot holds %d rows, want %d", copied, rows)
					}
					spy := relationExists(t, "snap_lookalike_calls")
					if spy {
						adminExec(t, "DELETE FROM public.snap_lookalike_calls")
					}
					restore(t, es[0].ID, "")
					if got := data(); got != want {
						t.Errorf("data after restore %s, want %s", got, want)
					}
					if spy {
						if n := adminQueryInt(t, "SELECT count(*) FROM public.snap_lookalike_calls"); n != 0 {
							t.Errorf("the restore ran the agent's functions %d times", n)
						}
					}
				})
			}
		}
	}
}

// TestSnapshotDropResolvesEachNameOnce: the statement's names are resolved
// once, before anything moves, as the server resolves them for the DROP. A
// table named twice, or a partition named after its partitioned table, is
// dropped once by the server, so it is set aside once.
func TestSnapshotDropResolvesEachNameOnce(t *testing.T) {
	p := startProxy(t, withSnapshots)
	data, _ := richTable(t, "snap_twice", 20)
	want := data()
	adminExec(t, "DROP TABLE IF EXISTS snap_parted",
		"CREATE TABLE snap_parted (id int) PARTITION BY RANGE (id)",
		"CREATE TABLE snap_parted_1 PARTITION OF snap_parted FOR VALUES FROM (0) TO (100)",
		"INSERT INTO snap_parted SELECT generate_series(0, 99)",
		"ALTER TABLE snap_parted OWNER TO "+agentUser, "ALTER TABLE snap_parted_1 OWNER TO "+agentUser)
	t.Cleanup(func() { _, _ = adminDB.Exec("DROP TABLE IF EXISTS snap_parted") })
	conn := connectPgx(t, p.AgentDSN())
	for _, c := range []struct {
		sql, table string
		check      func() bool
	}{
		{"DROP TABLE snap_twice, public.snap_twice", "snap_twice", func() bool { return data() == want }},
		{"DROP TABLE snap_parted, snap_parted_1", "snap_parted", func() bool {
			return rowCount(t, "snap_parted") == 100 && rowCount(t, "snap_parted_1") == 100
		}},
	} {
		mustExec(t, conn, c.sql)
		if relationExists(t, c.table) {
			t.Fatalf("%s: %s still there", c.sql, c.table)
		}
		es := snapshotsOf(t, snapshotEvent(t, p, "drop-object"))
		if len(es) != 1 || es[0].SourceName != c.table {
			t.Fatalf("%s: catalog entries %+v", c.sql, es)
		}
		restore(t, es[0].ID, "")
		if !c.check() {
			t.Errorf("%s: not all back after the restore", c.sql)
		}
	}
}

// TestSnapshotRefusesTablesRowSecurityHides: row-level security that
// applies to the agent would filter the copy but not the statement alike
// (TRUNCATE ignores it; DELETE applies its own policies), so such a table is
// refused with the data intact. The owner of a table that does not force its
// policies is not subject to them: its snapshot holds every row.
func TestSnapshotRefusesTablesRowSecurityHides(t *testing.T) {
	p := startProxy(t, withSnapshots)
	const tbl = "snap_rls"
	policies := func(force bool) {
		adminExec(t, "ALTER TABLE "+tbl+" ENABLE ROW LEVEL SECURITY",
			"CREATE POLICY snap_rls_read ON "+tbl+" FOR SELECT USING (id <= 10)",
			"CREATE POLICY snap_rls_delete ON "+tbl+" FOR DELETE USING (true)")
		if force {
			adminExec(t, "ALTER TABLE "+tbl+" FORCE ROW LEVEL SECURITY")
		}
	}
	for _, sql := range []string{"DELETE FROM " + tbl, "TRUNCATE " + tbl} {
		t.Run("forced "+sql, func(t *testing.T) {
			data, _ := richTable(t, tbl, 50)
			policies(true)
			want := data()
			conn := connectPgx(t, p.AgentDSN())
			_, err := conn.Exec(testCtx(t), sql)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "42501" || !strings.Contains(pe.Message, "snapshot could not be taken") ||
				!strings.Contains(pe.Message, "row-level security") {
				t.Fatalf("want a refusal saying row-level security stops the snapshot, got %v", err)
			}
			if evs := auditEventsFiltered(t, p, audit.Filter{Rule: "snapshot-failed"}); len(evs) == 0 ||
				evs[0].Statement != sql || evs[0].Action != "block" || !strings.Contains(evs[0].Reason, "row-level security") {
				t.Errorf("audit events of the failed snapshot: %+v", evs)
			}
			if got := data(); got != want {
				t.Errorf("data %s, want %s", got, want)
			}
		})
		t.Run("owner not subject "+sql, func(t *testing.T) {
			data, _ := richTable(t, tbl, 50)
			policies(false)
			want := data()
			conn := connectPgx(t, p.AgentDSN())
			mustExec(t, conn, sql)
			es := snapshotsOf(t, snapshotEvent(t, p, map[bool]string{true: "truncate", false: "delete-no-where"}[strings.HasPrefix(sql, "TRUNCATE")]))
			if len(es) != 1 || es[0].Rows != 50 {
				t.Fatalf("catalog entries: %+v", es)
			}
			restore(t, es[0].ID, "")
			if got := data(); got != want {
				t.Errorf("data after restore %s, want %s", got, want)
			}
		})
	}
}
