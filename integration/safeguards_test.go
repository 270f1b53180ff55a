package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// guardedTables makes the DBA's safeguards the tests try to switch off:
// <prefix>_trigger, whose trigger <prefix>_refuse refuses every delete,
// <prefix>_rule, whose rule <prefix>_keep turns deletes into nothing, and
// <prefix>_rls, under row security.
func guardedTables(t *testing.T, prefix string) {
	t.Helper()
	freshTable(t, prefix+"_trigger")
	freshTable(t, prefix+"_rule")
	freshTable(t, prefix+"_rls")
	r := strings.NewReplacer("{p}", prefix)
	adminExec(t,
		r.Replace("CREATE OR REPLACE FUNCTION {p}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'deletes are not allowed here'; END$$"),
		r.Replace("CREATE TRIGGER {p}_refuse BEFORE DELETE ON {p}_trigger FOR EACH ROW EXECUTE FUNCTION {p}_refuse()"),
		r.Replace("CREATE RULE {p}_keep AS ON DELETE TO {p}_rule DO INSTEAD NOTHING"),
		r.Replace("ALTER TABLE {p}_rls ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"),
	)
	t.Cleanup(func() { _, _ = adminDB.Exec(r.Replace("DROP FUNCTION IF EXISTS {p}_refuse() CASCADE")) })
}

// TestAgentsCannotSwitchSafeguardsOff: triggers, rules and row security are
// the DBA's own protections. The agent here is the superuser dba, made an
// agent by its application name, so the server would let it switch any of
// them off; each human proof runs in a transaction that is rolled back.
func TestAgentsCannotSwitchSafeguardsOff(t *testing.T) {
	t.Parallel()
	p := startProxy(t, withAgentApplicationNames("agent-*"))
	guardedTables(t, "guard")
	adminExec(t, "DROP TABLE IF EXISTS guard_ps2", "CREATE TABLE guard_ps2 (name text, setting text)")
	t.Cleanup(func() { _, _ = adminDB.Exec("DROP TABLE IF EXISTS guard_ps2 CASCADE") })
	agent := protoPgconn(t, p.HumanDSN("application_name=agent-dba"))
	human := protoPgconn(t, p.HumanDSN())
	const deleteGuarded = "; DELETE FROM guard_trigger WHERE id = 1"
	const guardedRow = "SELECT count(*) FROM guard_trigger WHERE id = 1"
	cases := []struct {
		stmt string
		// proof runs after the human's statement, in its transaction,
		// and shows the damage; intact is its value before.
		proof, intact string
	}{
		{"SET session_replication_role = replica" + deleteGuarded, guardedRow, "1"},
		{"SET LOCAL session_replication_role TO 'replica'" + deleteGuarded, guardedRow, "1"},
		{"SELECT set_config('session_replication_role', 'replica', true)" + deleteGuarded, guardedRow, "1"},
		{"UPDATE pg_settings SET setting = 'replica' WHERE name = 'session_replication_role'" + deleteGuarded, guardedRow, "1"},
		{"DO $$BEGIN PERFORM set_config('session_replication_role', 'replica', true); END$$" + deleteGuarded, guardedRow, "1"},
		{"ALTER TABLE guard_trigger DISABLE TRIGGER guard_refuse" + deleteGuarded, guardedRow, "1"},
		{"ALTER TABLE guard_trigger DISABLE TRIGGER ALL" + deleteGuarded, guardedRow, "1"},
		{"ALTER TABLE guard_trigger ENABLE REPLICA TRIGGER guard_refuse" + deleteGuarded, guardedRow, "1"},
		{"ALTER TABLE guard_rule DISABLE RULE guard_keep; DELETE FROM guard_rule WHERE id = 1",
			"SELECT count(*) FROM guard_rule WHERE id = 1", "1"},
		{"ALTER TABLE guard_rls DISABLE ROW LEVEL SECURITY",
			"SELECT relrowsecurity::text FROM pg_class WHERE oid = 'guard_rls'::regclass", "true"},
		{"ALTER TABLE guard_rls NO FORCE ROW LEVEL SECURITY",
			"SELECT relforcerowsecurity::text FROM pg_class WHERE oid = 'guard_rls'::regclass", "true"},
		// The same, through objects that run set_config later: an
		// updatable view over pg_settings, an aggregate.
		{"CREATE VIEW guard_ps AS SELECT name, setting FROM pg_settings; " +
			"UPDATE guard_ps SET setting = 'replica' WHERE name = 'session_replication_role'" + deleteGuarded, guardedRow, "1"},
		{"CREATE AGGREGATE guard_cfg(text, boolean) (SFUNC = set_config, STYPE = text, INITCOND = 'session_replication_role'); " +
			"SELECT guard_cfg('replica', false)" + deleteGuarded, guardedRow, "1"},
		// An empty table turned into a view over pg_settings by an ON
		// SELECT rule (up to PostgreSQL 15), and an UPDATE of
		// pg_settings whose harmless name comes from another relation.
		{"CREATE RULE \"_RETURN\" AS ON SELECT TO guard_ps2 DO INSTEAD SELECT name, setting FROM pg_settings; " +
			"UPDATE guard_ps2 SET setting = 'replica' WHERE name = 'session_replication_role'" + deleteGuarded, guardedRow, "1"},
		{"UPDATE pg_settings SET setting = 'replica' FROM (VALUES ('work_mem')) x(name) " +
			"WHERE x.name = 'work_mem' AND pg_settings.name LIKE 'session_repl%'" + deleteGuarded, guardedRow, "1"},
		// What the server logs of the session's statements.
		{"SET log_statement = 'mod'", "SELECT (current_setting('log_statement') = 'mod')::text", "false"},
		// A trigger or rule replaced in place by one that does nothing.
		{"CREATE OR REPLACE TRIGGER guard_refuse BEFORE DELETE ON guard_trigger FOR EACH ROW WHEN (false) EXECUTE FUNCTION guard_refuse()" + deleteGuarded,
			guardedRow, "1"},
		{"CREATE OR REPLACE RULE guard_keep AS ON DELETE TO guard_rule DO ALSO NOTIFY guard_changed; DELETE FROM guard_rule WHERE id = 1",
			"SELECT count(*) FROM guard_rule WHERE id = 1", "1"},
	}
	for _, c := range cases {
		_, err := protoExec(t, agent, c.stmt)
		_, id := requireRefused(t, err, "disable-safeguard")
		requireAudited(t, p, id, wantEvent{User: humanUser, Rule: "disable-safeguard", Category: "unanalysable"})
		if first, _, _ := strings.Cut(c.stmt, ";"); !strings.HasPrefix(first, "DO") {
			requireRefused(t, protoExecParams(t, agent, first).Err, "disable-safeguard")
		}
		protoRequireUsable(t, agent)
		if got := protoValue(t, human, c.proof); got != c.intact {
			t.Fatalf("%s: after the refusal %q gives %q, want %q", c.stmt, c.proof, got, c.intact)
		}
		if got := protoValue(t, agent, "SHOW session_replication_role"); got != "origin" {
			t.Fatalf("%s: the agent's session_replication_role is %q after the refusal", c.stmt, got)
		}
		requireHumanChangesInTransaction(t, human, c.stmt, c.proof, c.intact)
	}
	// Without switching the guard off, the server refuses the delete.
	if _, err := protoExec(t, human, "DELETE FROM guard_trigger WHERE id = 1"); err == nil || !strings.Contains(err.Error(), "deletes are not allowed") {
		t.Fatalf("the guard trigger did not refuse the human's plain delete: %v", err)
	}
	// Switching them back on stays allowed.
	for _, s := range []string{
		"SET session_replication_role = origin", "SET session_replication_role = local", "RESET session_replication_role",
		"SELECT set_config('work_mem', '8MB', false)", "UPDATE pg_settings SET setting = '8MB' WHERE name = 'work_mem'",
		"ALTER TABLE guard_trigger ENABLE ALWAYS TRIGGER guard_refuse", "ALTER TABLE guard_trigger ENABLE TRIGGER guard_refuse",
		"ALTER TABLE guard_rule ENABLE RULE guard_keep", "ALTER TABLE guard_rls ENABLE ROW LEVEL SECURITY",
	} {
		if _, err := protoExec(t, agent, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestStartupSettingsAreJudged: a connection string sets session settings
// before any statement runs (options=-c name=value, or a startup parameter
// of its own). An agent's are judged as the same SET would be: refused
// settings end the connection before it is ready, with a FATAL refusal and
// an audit event; the human's identical connection string works, and really
// switches the guard off.
func TestStartupSettingsAreJudged(t *testing.T) {
	t.Parallel()
	p := startProxy(t, withAgentApplicationNames("agent-*"))
	guardedTables(t, "sguard")
	connect := func(dsn string, runtime map[string]string) (*pgconn.PgConn, error) {
		cfg, err := pgconn.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range runtime {
			cfg.RuntimeParams[k] = v
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		conn, err := pgconn.ConnectConfig(ctx, cfg)
		if err == nil {
			t.Cleanup(func() { _ = conn.Close(context.Background()) })
		}
		return conn, err
	}
	const guardedRow = "SELECT count(*) FROM sguard_trigger WHERE id = 1"
	refused := []struct {
		name    string
		params  []string
		runtime map[string]string
		rule    string
	}{
		{"replication role in options", []string{"options=-c session_replication_role=replica"}, nil, "disable-safeguard"},
		{"replication role as a long option", []string{"options=--session-replication-role=replica"}, nil, "disable-safeguard"},
		{"replication role as a startup parameter", nil, map[string]string{"session_replication_role": "replica"}, "disable-safeguard"},
		{"replication role after an ordinary setting", []string{"options=-c work_mem=8MB -csession_replication_role=replica"}, nil, "disable-safeguard"},
		{"search path into the recycle area", []string{"options=-c search_path=public,bulwark_recycle_9"}, nil, "recycle-area"},
		{"a switch bulwark does not read", []string{"options=-e"}, nil, "startup-option"},
	}
	for _, c := range refused {
		params := append([]string{"application_name=agent-dba"}, c.params...)
		_, err := connect(p.HumanDSN(params...), c.runtime)
		pe, id := requireRefused(t, err, c.rule)
		if pe.Severity != "FATAL" || !strings.Contains(pe.Message, "startup settings") {
			t.Fatalf("%s: want a FATAL refusal of the startup settings, got %s: %s", c.name, pe.Severity, pe.Message)
		}
		requireAudited(t, p, id, wantEvent{User: humanUser, Rule: c.rule})
	}
	// The human's identical connection switches the trigger off.
	human, err := connect(p.HumanDSN("options=-c session_replication_role=replica"), nil)
	if err != nil {
		t.Fatalf("the human's connection: %v", err)
	}
	protoMustExec(t, human, "BEGIN")
	protoMustExec(t, human, "DELETE FROM sguard_trigger WHERE id = 1")
	if got := protoValue(t, human, guardedRow); got != "0" {
		t.Fatalf("the human's delete under replica did not delete (%s rows left)", got)
	}
	protoMustExec(t, human, "ROLLBACK")

	// Ordinary settings connect, and take effect.
	agent, err := connect(p.HumanDSN("application_name=agent-dba", "options=-c statement_timeout=5s --work-mem=8MB -c search_path=public"),
		map[string]string{"DateStyle": "ISO, DMY"})
	if err != nil {
		t.Fatalf("an agent with ordinary settings: %v", err)
	}
	if got := protoValue(t, agent, "SELECT current_setting('work_mem') || ' ' || current_setting('DateStyle')"); got != "8MB ISO, DMY" {
		t.Fatalf("the agent's startup settings: %q", got)
	}

	// psql reads PGOPTIONS; the refusal reaches its user.
	_, errOut, code := runPsqlEnv(t, p.HumanDSN("application_name=agent-psql"), "SELECT 1;\n", []string{"PGOPTIONS=-c session_replication_role=replica"})
	if code == 0 || !strings.Contains(errOut, "bulwark refused the connection's startup settings (rule disable-safeguard") {
		t.Fatalf("psql with PGOPTIONS: exit %d, stderr %q", code, errOut)
	}
	if got := protoValue(t, agent, guardedRow); got != "1" {
		t.Fatalf("the guarded row: %s", got)
	}
}
