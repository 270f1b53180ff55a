package integration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/config"
)

// destructiveCase is one statement an agent must be refused. Statements and
// setup SQL name their objects with {t}, replaced by a name unique to the
// case and client path, so that every subtest has its own objects.
type destructiveCase struct {
	name     string // the subtest name: what the statement is
	key      string // short, for object names
	rule     string
	category string
	stmt     string
	args     []any
	// setup creates what stmt acts on, owned by the agent (so that only
	// bulwark, not a missing privilege, can stop it), and returns a
	// description of its state: equal before and after a refusal,
	// different after the human has run stmt.
	setup func(t *testing.T, n string) (state func() string)
	// humanCode, when set, is the SQLSTATE the server itself answers the
	// human with (the statement is relayed, and it is the server that
	// rejects it); state must then stay the same.
	humanCode string
}

// expand puts a case's object name into SQL.
func expand(s, n string) string { return strings.ReplaceAll(s, "{t}", n) }

// tableSetup is the setup of cases that act on a freshTable; the state is
// the table's content.
func tableSetup(t *testing.T, n string) func() string {
	sum := freshTable(t, n)
	return func() string {
		if !relationExists(t, n) {
			return "table absent"
		}
		return "table " + sum()
	}
}

// objectSetup is the setup of cases that act on another object beside the
// table: create makes it (as superuser, then handed to the agent), probe is
// a boolean query that finds it, drop removes it at the end.
func objectSetup(probe, drop string, create ...string) func(*testing.T, string) func() string {
	return func(t *testing.T, n string) func() string {
		table := tableSetup(t, n)
		for _, s := range create {
			adminExec(t, expand(s, n))
		}
		t.Cleanup(func() { _, _ = adminDB.Exec(expand(drop, n)) })
		q := expand(probe, n)
		return func() string {
			var present bool
			if err := adminDB.QueryRow(q).Scan(&present); err != nil {
				t.Errorf("probe %q: %v", q, err)
			}
			return fmt.Sprintf("%s; object present: %v", table(), present)
		}
	}
}

// destructiveCases covers every rule of every refused category.
var destructiveCases = []destructiveCase{
	{name: "DROP TABLE", key: "drop_table", rule: "drop-object", category: "drop",
		stmt: "DROP TABLE {t}", setup: tableSetup},
	{name: "DROP SCHEMA CASCADE", key: "drop_schema", rule: "drop-object", category: "drop",
		stmt: "DROP SCHEMA {t}_s CASCADE",
		setup: objectSetup("SELECT to_regnamespace('{t}_s') IS NOT NULL", "DROP SCHEMA IF EXISTS {t}_s CASCADE",
			"DROP SCHEMA IF EXISTS {t}_s CASCADE",
			"CREATE SCHEMA {t}_s AUTHORIZATION "+agentUser,
			"CREATE TABLE {t}_s.kept AS SELECT g AS id FROM generate_series(1, 10) g",
			"ALTER TABLE {t}_s.kept OWNER TO "+agentUser)},
	{name: "DROP VIEW", key: "drop_view", rule: "drop-object", category: "drop",
		stmt: "DROP VIEW {t}_v",
		setup: objectSetup("SELECT to_regclass('{t}_v') IS NOT NULL", "DROP VIEW IF EXISTS {t}_v",
			"CREATE VIEW {t}_v AS SELECT * FROM {t}", "ALTER VIEW {t}_v OWNER TO "+agentUser)},
	{name: "DROP INDEX", key: "drop_index", rule: "drop-object", category: "drop",
		stmt:  "DROP INDEX {t}_note_idx",
		setup: objectSetup("SELECT to_regclass('{t}_note_idx') IS NOT NULL", "SELECT 1")},
	{name: "DROP SEQUENCE", key: "drop_seq", rule: "drop-object", category: "drop",
		stmt: "DROP SEQUENCE {t}_seq",
		setup: objectSetup("SELECT to_regclass('{t}_seq') IS NOT NULL", "DROP SEQUENCE IF EXISTS {t}_seq",
			"DROP SEQUENCE IF EXISTS {t}_seq",
			"CREATE SEQUENCE {t}_seq", "SELECT setval('{t}_seq', 42)", "ALTER SEQUENCE {t}_seq OWNER TO "+agentUser)},
	{name: "DROP FUNCTION", key: "drop_func", rule: "drop-object", category: "drop",
		stmt: "DROP FUNCTION {t}_fn(integer)",
		setup: objectSetup("SELECT to_regprocedure('{t}_fn(integer)') IS NOT NULL", "DROP FUNCTION IF EXISTS {t}_fn(integer)",
			"DROP FUNCTION IF EXISTS {t}_fn(integer)",
			"CREATE FUNCTION {t}_fn(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 + 1'",
			"ALTER FUNCTION {t}_fn(integer) OWNER TO "+agentUser)},
	{name: "DROP TYPE", key: "drop_type", rule: "drop-object", category: "drop",
		stmt: "DROP TYPE {t}_ty",
		setup: objectSetup("SELECT to_regtype('{t}_ty') IS NOT NULL", "DROP TYPE IF EXISTS {t}_ty",
			"DROP TYPE IF EXISTS {t}_ty",
			"CREATE TYPE {t}_ty AS ENUM ('a', 'b')", "ALTER TYPE {t}_ty OWNER TO "+agentUser)},
	{name: "DROP MATERIALIZED VIEW", key: "drop_mv", rule: "drop-object", category: "drop",
		stmt: "DROP MATERIALIZED VIEW {t}_mv",
		setup: objectSetup("SELECT to_regclass('{t}_mv') IS NOT NULL", "DROP MATERIALIZED VIEW IF EXISTS {t}_mv",
			"CREATE MATERIALIZED VIEW {t}_mv AS SELECT * FROM {t}", "ALTER MATERIALIZED VIEW {t}_mv OWNER TO "+agentUser)},
	{name: "ALTER TABLE DROP COLUMN", key: "drop_col", rule: "alter-drop-column", category: "drop",
		stmt: "ALTER TABLE {t} DROP COLUMN qty", setup: tableSetup},
	{name: "TRUNCATE", key: "truncate", rule: "truncate", category: "truncate",
		stmt: "TRUNCATE {t}", setup: tableSetup},
	{name: "TRUNCATE TABLE ONLY with RESTART IDENTITY", key: "truncate_only", rule: "truncate", category: "truncate",
		stmt: "TRUNCATE TABLE ONLY {t} RESTART IDENTITY", setup: tableSetup},
	{name: "DELETE without WHERE", key: "del_nowhere", rule: "delete-no-where", category: "delete",
		stmt: "DELETE FROM {t}", setup: tableSetup},
	{name: "DELETE WHERE 1=1", key: "del_1eq1", rule: "delete-always-true", category: "delete",
		stmt: "DELETE FROM {t} WHERE 1=1", setup: tableSetup},
	{name: "DELETE WHERE true", key: "del_true", rule: "delete-always-true", category: "delete",
		stmt: "DELETE FROM {t} WHERE true", setup: tableSetup},
	{name: "DELETE WHERE a column equals itself", key: "del_xeqx", rule: "delete-always-true", category: "delete",
		stmt: "DELETE FROM {t} WHERE id = id", setup: tableSetup},
	{name: "DELETE WHERE a real condition OR true", key: "del_or_true", rule: "delete-always-true", category: "delete",
		stmt: "DELETE FROM {t} WHERE id = 5 OR true", setup: tableSetup},
	{name: "DELETE WHERE a bind parameter", key: "del_param", rule: "delete-always-true", category: "delete",
		stmt: "DELETE FROM {t} WHERE $1", args: []any{true}, setup: tableSetup},
	{name: "UPDATE without WHERE", key: "upd_nowhere", rule: "update-no-where", category: "update",
		stmt: "UPDATE {t} SET note = 'overwritten'", setup: tableSetup},
	{name: "UPDATE WHERE 1=1", key: "upd_1eq1", rule: "update-always-true", category: "update",
		stmt: "UPDATE {t} SET note = 'overwritten' WHERE 1=1", setup: tableSetup},
	{name: "UPDATE WHERE a bind parameter", key: "upd_param", rule: "update-always-true", category: "update",
		stmt: "UPDATE {t} SET note = 'overwritten' WHERE $1", args: []any{true}, setup: tableSetup},
	{name: "DO block with EXECUTE", key: "do_exec", rule: "dynamic-sql", category: "unanalysable",
		stmt: "DO $$BEGIN EXECUTE 'DROP TABLE ' || quote_ident('{t}'); END$$", setup: tableSetup},
	{name: "COPY FROM PROGRAM", key: "copy_prog", rule: "copy-program", category: "unanalysable",
		stmt: "COPY {t} (id, note) FROM PROGRAM 'echo 100000,from-program' WITH (FORMAT csv)", setup: tableSetup},
	{name: "SQL that does not parse", key: "parse_err", rule: "parse-error", category: "unanalysable",
		stmt: "DELETE FROM {t} WHERE", setup: tableSetup, humanCode: "42601"},
}

// sqlClient is one client session driven through one client path.
type sqlClient interface {
	// Exec sends stmt the way the path sends statements.
	Exec(ctx context.Context, stmt string, args ...any) error
	// BackendPID asks the server for its process id: the same value
	// before and after a refusal proves the session survived it.
	BackendPID(ctx context.Context) (int, error)
}

// guardedClient is a client whose Exec also sends a statement of its own
// before stmt in the same request (a pipelined batch); GuardRows says
// whether it ran.
type guardedClient interface {
	GuardRows(t *testing.T) int
}

// clientPath is one way a statement reaches bulwark.
type clientPath struct {
	name    string
	key     string
	connect func(t *testing.T, dsn string) sqlClient
}

var clientPaths = []clientPath{
	{name: "pgx simple protocol", key: "simple", connect: func(t *testing.T, dsn string) sqlClient {
		return pgxQueryClient{connectPgx(t, dsn, simpleProtocol)}
	}},
	{name: "pgx extended protocol with the statement cache", key: "ext", connect: func(t *testing.T, dsn string) sqlClient {
		// Query, not Exec: pgx sends an argument-less Exec with the
		// simple protocol whatever the exec mode.
		return pgxQueryClient{connectPgx(t, dsn)}
	}},
	{name: "pgx explicit prepared statement", key: "prep", connect: func(t *testing.T, dsn string) sqlClient {
		return pgxPreparedClient{connectPgx(t, dsn)}
	}},
	{name: "pgx batch with the statement cache", key: "batch", connect: func(t *testing.T, dsn string) sqlClient {
		return newBatchClient(t, connectPgx(t, dsn))
	}},
	{name: "pgx batch in one pipelined request", key: "bexec", connect: func(t *testing.T, dsn string) sqlClient {
		return newBatchClient(t, connectPgx(t, dsn, func(cc *pgx.ConnConfig) {
			// Exec mode sends Parse/Bind/Execute for every statement
			// and a single Sync: the destructive Parse sits in the
			// middle of one extended-protocol request.
			cc.DefaultQueryExecMode = pgx.QueryExecModeExec
		}))
	}},
	{name: "database/sql with lib/pq", key: "pq", connect: func(t *testing.T, dsn string) sqlClient {
		return pqClient{openPQ(t, dsn)}
	}},
}

// pathByKey returns the client path with key.
func pathByKey(key string) clientPath {
	for _, p := range clientPaths {
		if p.key == key {
			return p
		}
	}
	panic("no client path " + key)
}

// pgxQueryClient runs statements with Conn.Query in the connection's exec
// mode.
type pgxQueryClient struct{ c *pgx.Conn }

func (p pgxQueryClient) Exec(ctx context.Context, stmt string, args ...any) error {
	rows, err := p.c.Query(ctx, stmt, args...)
	if err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

func (p pgxQueryClient) BackendPID(ctx context.Context) (int, error) {
	var pid int
	err := p.c.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid)
	return pid, err
}

// pgxPreparedClient prepares each statement by name (Parse, Describe,
// Sync), then executes the prepared statement (Bind, Execute, Sync).
type pgxPreparedClient struct{ c *pgx.Conn }

var preparedSeq atomic.Int64

func (p pgxPreparedClient) Exec(ctx context.Context, stmt string, args ...any) error {
	name := "bulwark_it_" + strconv.FormatInt(preparedSeq.Add(1), 10)
	if _, err := p.c.Prepare(ctx, name, stmt); err != nil {
		return err
	}
	_, err := p.c.Exec(ctx, name, args...)
	return err
}

func (p pgxPreparedClient) BackendPID(ctx context.Context) (int, error) {
	return pgxQueryClient(p).BackendPID(ctx)
}

// batchClient sends every statement in the middle of a pgx Batch: an
// INSERT into its own guard table before it, a SELECT after it.
type batchClient struct {
	c     *pgx.Conn
	guard string
}

var guardSeq atomic.Int64

func newBatchClient(t *testing.T, c *pgx.Conn) *batchClient {
	guard := fmt.Sprintf("guard_%d_%d", guardSeq.Add(1), c.PgConn().PID())
	adminExec(t, "DROP TABLE IF EXISTS "+guard, "CREATE TABLE "+guard+" (id integer)", "ALTER TABLE "+guard+" OWNER TO "+agentUser)
	t.Cleanup(func() { _, _ = adminDB.Exec("DROP TABLE IF EXISTS " + guard) })
	return &batchClient{c: c, guard: guard}
}

func (b *batchClient) Exec(ctx context.Context, stmt string, args ...any) error {
	batch := &pgx.Batch{}
	batch.Queue("INSERT INTO " + b.guard + " VALUES (1)")
	batch.Queue(stmt, args...)
	batch.Queue("SELECT count(*) FROM " + b.guard)
	br := b.c.SendBatch(ctx, batch)
	var first error
	for range batch.Len() {
		if _, err := br.Exec(); err != nil && first == nil {
			first = err
		}
	}
	if err := br.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

func (b *batchClient) BackendPID(ctx context.Context) (int, error) {
	return pgxQueryClient{b.c}.BackendPID(ctx)
}

func (b *batchClient) GuardRows(t *testing.T) int { return rowCount(t, b.guard) }

// pqClient runs statements with database/sql over lib/pq, which uses the
// simple protocol without arguments and the extended protocol with them.
type pqClient struct{ db *sql.DB }

func (p pqClient) Exec(ctx context.Context, stmt string, args ...any) error {
	_, err := p.db.ExecContext(ctx, stmt, args...)
	return err
}

func (p pqClient) BackendPID(ctx context.Context) (int, error) {
	var pid int
	err := p.db.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid)
	return pid, err
}

// auditedText is the part of a statement the audit record must contain:
// up to its first bind parameter, because the simple protocol sends the
// parameter's value in its place.
func auditedText(stmt string) string {
	before, _, _ := strings.Cut(stmt, "$1")
	return before
}

// requireServerError asserts that err is an error the server sent with
// SQLSTATE code (not a refusal of bulwark's).
func requireServerError(t *testing.T, err error, code string) {
	t.Helper()
	var pe *pgconn.PgError
	var qe *pq.Error
	switch {
	case errors.As(err, &pe):
	case errors.As(err, &qe):
		pe = &pgconn.PgError{Code: string(qe.Code), Message: qe.Message}
	default:
		t.Fatalf("want a server error %s, got %v", code, err)
	}
	if pe.Code != code || strings.Contains(pe.Message, "bulwark") {
		t.Fatalf("want the server's own error %s, got %s: %s", code, pe.Code, pe.Message)
	}
}

// requireAgentRefused runs c's statement stmt on the agent's session and
// asserts the refusal the core promise words: a 42501 naming c's rule, the
// database state still before, nothing else of the request run, the same
// session still usable, and an audit event whose statement holds audited.
func requireAgentRefused(t *testing.T, p *testProxy, agent sqlClient, c destructiveCase, stmt, audited string, state func() string, before string) {
	t.Helper()
	ctx := testCtx(t)
	pid, err := agent.BackendPID(ctx)
	if err != nil {
		t.Fatalf("agent session: %v", err)
	}
	_, id := requireRefused(t, agent.Exec(ctx, stmt, c.args...), c.rule)
	if after := state(); after != before {
		t.Errorf("a refused statement changed the database:\nbefore %s\nafter  %s", before, after)
	}
	if g, ok := agent.(guardedClient); ok {
		if rows := g.GuardRows(t); rows != 0 {
			t.Errorf("the statement queued before the refused one in the same batch ran (%d rows); the whole request must be refused", rows)
		}
	}
	if pid2, err := agent.BackendPID(ctx); err != nil || pid2 != pid {
		t.Errorf("session after the refusal: backend pid %d, %v; want the same session (pid %d) still usable", pid2, err, pid)
	}
	requireAudited(t, p, id, wantEvent{User: agentUser, Rule: c.rule, Category: c.category, Statement: audited})
}

// TestAgentIsRefusedEveryCategoryOnEveryClientPath is the core promise:
// whatever driver or protocol path an agent uses, each refused statement
// is answered with a 42501 naming its rule, nothing of it reaches the
// database, the session stays usable, the refusal is audited, and the very
// same statement from a human goes through.
func TestAgentIsRefusedEveryCategoryOnEveryClientPath(t *testing.T) {
	p := startProxy(t)
	for _, path := range clientPaths {
		t.Run(path.name, func(t *testing.T) {
			for _, c := range destructiveCases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					n := "c_" + c.key + "_" + path.key
					state := c.setup(t, n)
					stmt := expand(c.stmt, n)
					ctx := testCtx(t)
					before := state()

					agent := path.connect(t, p.AgentDSN())
					requireAgentRefused(t, p, agent, c, stmt, auditedText(stmt), state, before)

					human := path.connect(t, p.HumanDSN())
					err := human.Exec(ctx, stmt, c.args...)
					if c.humanCode != "" {
						requireServerError(t, err, c.humanCode)
						if after := state(); after != before {
							t.Errorf("state changed: before %s, after %s", before, after)
						}
						return
					}
					if err != nil {
						t.Fatalf("the human's identical statement failed: %v", err)
					}
					if after := state(); after == before {
						t.Errorf("the human's statement had no effect (state %s): was it really relayed?", after)
					}
					if g, ok := human.(guardedClient); ok {
						if rows := g.GuardRows(t); rows != 1 {
							t.Errorf("the human's batch: guard table has %d rows, want 1", rows)
						}
					}
				})
			}
		})
	}
}

// TestAgentIsRefusedThroughPsql drives the real psql binary: single
// statements with -c, a multi-statement -c (one simple Query), and a script
// on standard input (psql sends each statement as its own Query).
func TestAgentIsRefusedThroughPsql(t *testing.T) {
	p := startProxy(t)
	const pidQuery = "SELECT 'pid=' || pg_backend_pid()"
	cases := []struct {
		name     string
		key      string
		rule     string
		category string
		// args are psql arguments around the statement; stdin is the
		// script. Both use {t}.
		stmt  string // the refused statement, for the audit check
		args  []string
		stdin string
		// allowedInScript: the script also inserts a row before the
		// refused statement, which must stay (statements are separate
		// requests).
		insertsRow bool
	}{
		{name: "DROP TABLE with -c", key: "drop", rule: "drop-object", category: "drop",
			stmt: "DROP TABLE {t}", args: []string{"-c", pidQuery, "-c", "DROP TABLE {t}", "-c", pidQuery}},
		{name: "DELETE WHERE 1=1 with -c", key: "del", rule: "delete-always-true", category: "delete",
			stmt: "DELETE FROM {t} WHERE 1=1", args: []string{"-c", pidQuery, "-c", "DELETE FROM {t} WHERE 1=1", "-c", pidQuery}},
		{name: "TRUNCATE with -c", key: "trunc", rule: "truncate", category: "truncate",
			stmt: "TRUNCATE {t}", args: []string{"-c", pidQuery, "-c", "TRUNCATE {t}", "-c", pidQuery}},
		{name: "DO block with EXECUTE with -c", key: "do", rule: "dynamic-sql", category: "unanalysable",
			stmt: "DO $$BEGIN EXECUTE 'TRUNCATE {t}'; END$$", args: []string{"-c", pidQuery, "-c", "DO $$BEGIN EXECUTE 'TRUNCATE {t}'; END$$", "-c", pidQuery}},
		{name: "stacked SELECT 1; DROP TABLE in one -c", key: "stacked", rule: "drop-object", category: "drop",
			stmt: "SELECT 1; DROP TABLE {t}", args: []string{"-c", pidQuery, "-c", "SELECT 1; DROP TABLE {t}", "-c", pidQuery}},
		{name: "script on standard input", key: "script", rule: "delete-no-where", category: "delete",
			stmt:       "DELETE FROM {t}",
			stdin:      pidQuery + ";\nINSERT INTO {t} SELECT max(id) + 1, 'from script' FROM {t};\nDELETE FROM {t};\n" + pidQuery + ";\n",
			insertsRow: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n := "psql_" + c.key
			sum := freshTable(t, n)
			before := rowCount(t, n)
			args := []string{"-At"}
			for _, a := range c.args {
				args = append(args, expand(a, n))
			}
			stdin := expand(c.stdin, n)

			out, errOut, code := runPsql(t, p.AgentDSN(), stdin, args...)
			if code == 2 || code == 3 {
				t.Fatalf("psql exit %d (connection lost or script stopped)\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			if !strings.Contains(errOut, "ERROR:  bulwark refused") || !strings.Contains(errOut, c.rule) {
				t.Fatalf("psql stderr does not show the refusal naming %s:\n%s", c.rule, errOut)
			}
			pids := psqlPIDs(out)
			if len(pids) != 2 || pids[0] != pids[1] {
				t.Errorf("want the same session before and after the refusal, psql printed pids %v\n%s", pids, out)
			}
			want := before
			if c.insertsRow {
				want++
			}
			if got := rowCount(t, n); got != want {
				t.Errorf("table has %d rows after the refusal, want %d", got, want)
			}
			m := auditEventRe.FindStringSubmatch(errOut)
			if m == nil {
				t.Fatalf("the refusal names no audit event:\n%s", errOut)
			}
			id, _ := strconv.ParseInt(m[1], 10, 64)
			requireAudited(t, p, id, wantEvent{User: agentUser, Rule: c.rule, Category: c.category, Statement: expand(c.stmt, n)})
			afterAgent := sum()

			out, errOut, code = runPsql(t, p.HumanDSN(), stdin, args...)
			if code != 0 || strings.Contains(errOut, "ERROR") {
				t.Fatalf("the human's identical psql run failed (exit %d):\n%s\n%s", code, out, errOut)
			}
			if relationExists(t, n) && sum() == afterAgent {
				t.Errorf("the human's psql run had no effect on %s", n)
			}
		})
	}
}

// psqlPIDs extracts the pid=N lines psql printed.
func psqlPIDs(out string) []string {
	var pids []string
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "pid="); ok {
			pids = append(pids, v)
		}
	}
	return pids
}

// TestRefusalInsideTransactionAbortsIt: a refusal behaves like an error
// raised by the server. bulwark makes the server fail a stand-in in the
// refused statement's place, so the transaction is really aborted there:
// ReadyForQuery reports 'E', later statements fail with 25P02, and COMMIT
// rolls back — what a driver expects after any error.
func TestRefusalInsideTransactionAbortsIt(t *testing.T) {
	p := startProxy(t)
	cases := []struct {
		name string
		key  string
		// open starts a session and returns exec and a transaction-status
		// probe ('T' in transaction, 'E' failed, 'I' idle; 0 when the
		// driver does not expose it).
		open func(t *testing.T) (exec func(ctx context.Context, stmt string) error, txStatus func() byte)
	}{
		{name: "pgx simple protocol", key: "simple", open: func(t *testing.T) (func(context.Context, string) error, func() byte) {
			c := connectPgx(t, p.AgentDSN(), simpleProtocol)
			return pgxQueryClient{c}.exec, c.PgConn().TxStatus
		}},
		{name: "pgx extended protocol", key: "ext", open: func(t *testing.T) (func(context.Context, string) error, func() byte) {
			c := connectPgx(t, p.AgentDSN())
			return pgxQueryClient{c}.exec, c.PgConn().TxStatus
		}},
		{name: "database/sql with lib/pq", key: "pq", open: func(t *testing.T) (func(context.Context, string) error, func() byte) {
			return pqClient{openPQ(t, p.AgentDSN())}.exec, func() byte { return 0 }
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n := "tx_" + c.key
			freshTable(t, n)
			ctx := testCtx(t)
			exec, txStatus := c.open(t)
			step := func(stmt string) {
				t.Helper()
				if err := exec(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			step("BEGIN")
			step("INSERT INTO " + n + " VALUES (1001, 'inside the transaction')")
			_, id := requireRefused(t, exec(ctx, "DROP TABLE "+n), "drop-object")
			if st := txStatus(); st != 0 && st != 'E' {
				t.Errorf("transaction status after the refusal = %q, want 'E' (aborted, as after any error)", st)
			}
			err := exec(ctx, "INSERT INTO "+n+" VALUES (1002, 'after the refusal')")
			var pgErr *pgconn.PgError
			var pqErr *pq.Error
			switch {
			case errors.As(err, &pgErr) && pgErr.Code == "25P02", errors.As(err, &pqErr) && pqErr.Code == "25P02":
			default:
				t.Errorf("statement after the refusal in the aborted transaction: got %v, want SQLSTATE 25P02", err)
			}
			step("COMMIT") // the server answers ROLLBACK
			if got := rowCount(t, n); got != freshTableRows {
				t.Errorf("after COMMIT the table has %d rows, want %d (the aborted transaction rolled back)", got, freshTableRows)
			}
			step("SELECT 1") // the session is usable again
			requireAudited(t, p, id, wantEvent{User: agentUser, Rule: "drop-object", Category: "drop", Statement: "DROP TABLE " + n})
		})
	}
}

// TestRefusalInsideDatabaseSQLTransactionFailsCommit uses database/sql's own
// transaction handling: lib/pq reports the failed transaction at Commit, and
// nothing of the transaction is kept.
func TestRefusalInsideDatabaseSQLTransactionFailsCommit(t *testing.T) {
	p := startProxy(t)
	n := "tx_pq_sqltx"
	freshTable(t, n)
	ctx := testCtx(t)
	db := openPQ(t, p.AgentDSN())
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO "+n+" VALUES (1001, 'inside')"); err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, "DELETE FROM "+n+" WHERE 1=1")
	requireRefused(t, err, "delete-always-true")
	if _, err := tx.ExecContext(ctx, "INSERT INTO "+n+" VALUES (1002, 'after the refusal')"); err == nil {
		t.Fatal("a statement after the refusal ran in what should be an aborted transaction")
	}
	if err := tx.Commit(); err == nil {
		t.Fatal("COMMIT of the aborted transaction reported success")
	}
	wantRows(t, n, freshTableRows)
	if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
		t.Fatalf("connection unusable after the failed transaction: %v", err)
	}
}

func (p pgxQueryClient) exec(ctx context.Context, stmt string) error { return p.Exec(ctx, stmt) }
func (p pqClient) exec(ctx context.Context, stmt string) error       { return p.Exec(ctx, stmt) }

// TestStatementsHiddenBehindOthersAreRefused covers stacked statements and
// SQL-level PREPARE: a destructive statement is refused whatever is sent
// with it or whatever wraps it, and the harmless parts do not run either.
func TestStatementsHiddenBehindOthersAreRefused(t *testing.T) {
	p := startProxy(t)
	t.Run("stacked SELECT 1; DROP TABLE is refused whole", func(t *testing.T) {
		t.Parallel()
		n := "stack_select_drop"
		sum := freshTable(t, n)
		before := sum()
		ctx := testCtx(t)
		for _, open := range []func() sqlClient{
			func() sqlClient { return pgxQueryClient{connectPgx(t, p.AgentDSN(), simpleProtocol)} },
			func() sqlClient { return pqClient{openPQ(t, p.AgentDSN())} },
		} {
			c := open()
			stmt := "INSERT INTO " + n + " VALUES (7000, 'stacked'); SELECT 1; DROP TABLE " + n
			_, id := requireRefused(t, c.Exec(ctx, stmt), "drop-object")
			if got := sum(); got != before {
				t.Errorf("the stacked request partly ran: checksum %s, want %s", got, before)
			}
			requireAudited(t, p, id, wantEvent{User: agentUser, Rule: "drop-object", Category: "drop", Statement: stmt})
			if _, err := c.BackendPID(ctx); err != nil {
				t.Errorf("session unusable after the refusal: %v", err)
			}
		}
	})

	t.Run("ROLLBACK; DROP TABLE does not escape the transaction", func(t *testing.T) {
		t.Parallel()
		n := "stack_rollback_drop"
		freshTable(t, n)
		ctx := testCtx(t)
		c := connectPgx(t, p.AgentDSN(), simpleProtocol)
		q := pgxQueryClient{c}
		for _, s := range []string{"BEGIN", "INSERT INTO " + n + " VALUES (7001, 'pending')"} {
			if err := q.Exec(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		stmt := "ROLLBACK; DROP TABLE " + n
		_, id := requireRefused(t, q.Exec(ctx, stmt), "drop-object")
		// The ROLLBACK must not have run either: had it run, the session
		// would be idle ('I'). The refusal aborted the open transaction
		// instead, as an error would.
		if st := c.PgConn().TxStatus(); st != 'E' {
			t.Errorf("transaction status = %q, want 'E': the ROLLBACK in the refused request must not run", st)
		}
		if err := q.Exec(ctx, "COMMIT"); err != nil {
			t.Fatal(err)
		}
		if got := rowCount(t, n); got != freshTableRows {
			t.Errorf("table has %d rows, want %d (table kept, aborted INSERT rolled back)", got, freshTableRows)
		}
		requireAudited(t, p, id, wantEvent{User: agentUser, Rule: "drop-object", Statement: stmt})
	})

	t.Run("SQL-level PREPARE of DELETE without WHERE is refused", func(t *testing.T) {
		t.Parallel()
		n := "prepare_delete"
		sum := freshTable(t, n)
		before := sum()
		ctx := testCtx(t)
		for _, path := range []clientPath{pathByKey("simple"), pathByKey("ext"), pathByKey("pq")} {
			agent := path.connect(t, p.AgentDSN())
			prep := "PREPARE wipe AS DELETE FROM " + n
			_, id := requireRefused(t, agent.Exec(ctx, prep), "delete-no-where")
			requireAudited(t, p, id, wantEvent{User: agentUser, Rule: "delete-no-where", Category: "delete", Statement: prep})
			// The statement was never prepared, so the server does not
			// know it.
			requireServerError(t, agent.Exec(ctx, "EXECUTE wipe"), "26000")
			if got := sum(); got != before {
				t.Fatalf("%s: table changed: %s, want %s", path.name, got, before)
			}
		}
		human := pgxQueryClient{connectPgx(t, p.HumanDSN(), simpleProtocol)}
		for _, s := range []string{"PREPARE wipe AS DELETE FROM " + n, "EXECUTE wipe"} {
			if err := human.Exec(ctx, s); err != nil {
				t.Fatalf("human %s: %v", s, err)
			}
		}
		if got := rowCount(t, n); got != 0 {
			t.Errorf("the human's prepared DELETE left %d rows", got)
		}
	})
}

// TestIdentitySignalsOnlyEverRestrict: application_name is chosen by the
// client, so it may make a session an agent but never a human.
func TestIdentitySignalsOnlyEverRestrict(t *testing.T) {
	p := startProxy(t, withAgentApplicationNames("agent-*", "*-bot"))
	cases := []struct {
		name    string
		key     string
		user    string
		appName string
		refused bool
	}{
		{name: "agent_bot calling itself psql is still an agent", key: "bot_psql", user: agentUser, appName: "psql", refused: true},
		{name: "agent_bot calling itself dba is still an agent", key: "bot_dba", user: agentUser, appName: "dba", refused: true},
		{name: "agent_bot calling itself pgAdmin 4 is still an agent", key: "bot_pgadmin", user: agentUser, appName: "pgAdmin 4 - CONN:123", refused: true},
		{name: "dba with an agent application name is an agent", key: "dba_agent", user: humanUser, appName: "agent-runner", refused: true},
		{name: "dba with an application name matching a suffix glob is an agent", key: "dba_bot", user: humanUser, appName: "sql-bot", refused: true},
		{name: "dba with an ordinary application name is a human", key: "dba_psql", user: humanUser, appName: "psql", refused: false},
		{name: "dba with no application name is a human", key: "dba_none", user: humanUser, appName: "", refused: false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n := "ident_" + c.key
			freshTable(t, n)
			ctx := testCtx(t)
			var params []string
			if c.appName != "" {
				params = append(params, "application_name="+c.appName)
			}
			conn := connectPgx(t, p.DSN(c.user, params...), simpleProtocol)
			_, err := conn.Exec(ctx, "DROP TABLE "+n)
			if !c.refused {
				if err != nil {
					t.Fatalf("human's DROP TABLE: %v", err)
				}
				if relationExists(t, n) {
					t.Errorf("table %s still exists after the human dropped it", n)
				}
				return
			}
			_, id := requireRefused(t, err, "drop-object")
			if !relationExists(t, n) {
				t.Errorf("table %s was dropped", n)
			}
			e := requireAudited(t, p, id, wantEvent{User: c.user, Rule: "drop-object", Category: "drop", Statement: "DROP TABLE " + n})
			if e.Application != c.appName || e.Kind != "agent" {
				t.Errorf("audit event: application %q kind %q, want %q agent", e.Application, e.Kind, c.appName)
			}
		})
	}
}

// TestPolicyAllowLetsAgentsRunACategory: each category can be set to allow,
// and only that category is then waved through.
func TestPolicyAllowLetsAgentsRunACategory(t *testing.T) {
	cases := []struct {
		category string
		what     string // the allowed statement, in words
		allowed  string // runs once the category is allowed; {t} is the table
		check    func(t *testing.T, n string)
		// stillRefused is a statement of another category, refused with rule.
		stillRefused, rule string
	}{
		{category: "drop", what: "DROP TABLE", allowed: "DROP TABLE {t}", stillRefused: "TRUNCATE {t}", rule: "truncate",
			check: func(t *testing.T, n string) {
				if relationExists(t, n) {
					t.Errorf("table %s still exists", n)
				}
			}},
		{category: "truncate", what: "TRUNCATE", allowed: "TRUNCATE {t}", stillRefused: "DROP TABLE {t}", rule: "drop-object",
			check: func(t *testing.T, n string) { wantRows(t, n, 0) }},
		{category: "delete", what: "DELETE without WHERE", allowed: "DELETE FROM {t}", stillRefused: "UPDATE {t} SET note = 'x'", rule: "update-no-where",
			check: func(t *testing.T, n string) { wantRows(t, n, 0) }},
		{category: "update", what: "UPDATE without WHERE", allowed: "UPDATE {t} SET note = 'x'", stillRefused: "DELETE FROM {t}", rule: "delete-no-where",
			check: func(t *testing.T, n string) {
				if got := adminQueryInt(t, "SELECT count(*) FROM "+n+" WHERE note = 'x'"); got != freshTableRows {
					t.Errorf("%d rows updated, want %d", got, freshTableRows)
				}
			}},
		{category: "unanalysable", what: "a DO block with EXECUTE", allowed: "DO $$BEGIN EXECUTE 'DELETE FROM {t} WHERE id > 100'; END$$", stillRefused: "DELETE FROM {t}", rule: "delete-no-where",
			check: func(t *testing.T, n string) { wantRows(t, n, 100) }},
	}
	for _, c := range cases {
		t.Run("policy "+c.category+" allow lets the agent run "+c.what, func(t *testing.T) {
			t.Parallel()
			p := startProxy(t, withPolicy(c.category, config.ActionAllow))
			n := "allow_" + c.category
			freshTable(t, n)
			ctx := testCtx(t)
			conn := connectPgx(t, p.AgentDSN(), simpleProtocol)
			// The other category first: the allowed statement may drop the table.
			_, err := conn.Exec(ctx, expand(c.stillRefused, n))
			requireRefused(t, err, c.rule)
			if _, err := conn.Exec(ctx, expand(c.allowed, n)); err != nil {
				t.Fatalf("allowed statement refused: %v", err)
			}
			c.check(t, n)
			if evs := auditEvents(t, p); len(evs) != 1 {
				t.Errorf("audit store holds %d events, want 1 (allowed statements are not recorded as refusals)", len(evs))
			}
		})
	}
}

func wantRows(t *testing.T, table string, want int) {
	t.Helper()
	if got := rowCount(t, table); got != want {
		t.Errorf("table %s has %d rows, want %d", table, got, want)
	}
}

// TestAuditStoreFailureRefusesAndSaysSo: when a refusal cannot be recorded
// the statement is still refused (fail closed), and the agent is told that
// the audit store failed. The failure is injected from outside, through the
// store's file, as a stuck or broken disk would: a trigger that makes every
// INSERT into the events table fail.
func TestAuditStoreFailureRefusesAndSaysSo(t *testing.T) {
	p := startProxy(t)
	n := "audit_broken"
	sum := freshTable(t, n)
	before := sum()
	ctx := testCtx(t)
	conn := connectPgx(t, p.AgentDSN(), simpleProtocol)

	// A first refusal proves the store works and that the trigger below is
	// what breaks it.
	_, err := conn.Exec(ctx, "TRUNCATE "+n)
	requireRefused(t, err, "truncate")

	store, err := sql.Open("sqlite3", "file:"+p.AuditPath+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Exec(`CREATE TRIGGER fail_insert BEFORE INSERT ON events
		BEGIN SELECT RAISE(ABORT, 'simulated audit store failure'); END`); err != nil {
		t.Fatalf("break the audit store: %v", err)
	}

	_, err = conn.Exec(ctx, "DROP TABLE "+n)
	pe, id := requireRefused(t, err, "drop-object")
	if !strings.Contains(pe.Message, "could not be written to the audit log") {
		t.Errorf("the refusal does not say the audit store failed: %s", pe.Message)
	}
	if id != 0 {
		t.Errorf("the refusal names audit event %d, which was never written", id)
	}
	if got := sum(); got != before {
		t.Errorf("table changed while the audit store was broken: %s, want %s", got, before)
	}
	if evs := auditEvents(t, p); len(evs) != 1 {
		t.Errorf("audit store holds %d events, want only the one from before the failure", len(evs))
	}
	// Statements that need no record still run, and the session is usable.
	var count int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+n).Scan(&count); err != nil || count != freshTableRows {
		t.Errorf("allowed SELECT while the audit store is broken: %d, %v", count, err)
	}
	// Humans are not audited, so they are not affected.
	human := connectPgx(t, p.HumanDSN(), simpleProtocol)
	if _, err := human.Exec(ctx, "DELETE FROM "+n+" WHERE id > 290"); err != nil {
		t.Errorf("human statement while the audit store is broken: %v", err)
	}

	// Once the store works again, refusals are recorded again.
	if _, err := store.Exec("DROP TRIGGER fail_insert"); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, "DROP TABLE "+n)
	_, id = requireRefused(t, err, "drop-object")
	requireAudited(t, p, id, wantEvent{User: agentUser, Rule: "drop-object", Statement: "DROP TABLE " + n})
	if evs := auditEventsFiltered(t, p, audit.Filter{Rule: "drop-object"}); len(evs) != 1 {
		t.Errorf("%d drop-object events after recovery, want 1", len(evs))
	}
}
