//go:build !bulwark_no_mysql

package integration

// The MySQL side of the harness: one MariaDB (or MySQL) server for the
// package, started on first use.
//
// The server comes from, in order:
//
//   - BULWARK_MYSQL_ADDR (host:port) with administrator credentials in
//     BULWARK_MYSQL_USER and BULWARK_MYSQL_PASSWORD (default root, no
//     password);
//   - else a throwaway MariaDB initialised with mariadb-install-db in a temp
//     dir and started with mariadbd on a free port of 127.0.0.1. A small
//     watchdog stops it and removes its directory when the test binary
//     exits, since the package's TestMain knows nothing about it. It has
//     TLS on with the test PKI's certificate for localhost and 127.0.0.1
//     (clients in clear are served too).
//
// When neither is available every MySQL test skips, unless
// BULWARK_REQUIRE_DB=1, in which case it fails.
//
// The harness creates the same roles as on PostgreSQL: agentUser and
// humanUser (with every privilege), both with mysql_native_password, and
// the testDatabase.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/proxy"
)

// mysqlServer describes the MySQL server MySQL tests run against.
type mysqlServer struct {
	Addr          string
	SuperUser     string
	SuperPassword string
	// Ed25519 is set when the server has MariaDB's ed25519 plugin and
	// the harness created edUser with it.
	Ed25519 bool
}

// edUser is an agent that authenticates with MariaDB's client_ed25519.
const (
	edUser     = "agent_ed"
	edPassword = "agent-ed-pw"
)

var (
	mysqlOnce sync.Once
	my        *mysqlServer
	// myNoDBReason says why my is nil.
	myNoDBReason string
	// myAdmin is an administrator's pool on testDatabase, bypassing
	// bulwark.
	myAdmin *sql.DB
)

// needMySQL returns the package's MySQL server, starting it on first use;
// it skips (or, with BULWARK_REQUIRE_DB=1, fails) the test without one.
func needMySQL(t testing.TB) *mysqlServer {
	t.Helper()
	mysqlOnce.Do(func() {
		var err error
		my, err = obtainMySQL()
		if err == nil {
			myAdmin, err = prepareMySQL(my)
		}
		if err != nil {
			my, myNoDBReason = nil, "no MySQL server for integration tests: "+err.Error()
		}
	})
	if my == nil {
		if os.Getenv("BULWARK_REQUIRE_DB") == "1" {
			t.Fatalf("BULWARK_REQUIRE_DB=1 but %s", myNoDBReason)
		}
		t.Skip(myNoDBReason)
	}
	return my
}

func obtainMySQL() (*mysqlServer, error) {
	if addr := os.Getenv("BULWARK_MYSQL_ADDR"); addr != "" {
		return &mysqlServer{Addr: addr, SuperUser: envOr("BULWARK_MYSQL_USER", "root"),
			SuperPassword: os.Getenv("BULWARK_MYSQL_PASSWORD")}, nil
	}
	return startThrowawayMariaDB()
}

// startThrowawayMariaDB initialises and starts a private MariaDB.
func startThrowawayMariaDB() (*mysqlServer, error) {
	install, err := exec.LookPath("mariadb-install-db")
	if err != nil {
		return nil, errors.New("mariadb-install-db not found (set BULWARK_MYSQL_ADDR to use a running server)")
	}
	server, err := exec.LookPath("mariadbd")
	if err != nil {
		if server, err = exec.LookPath("/usr/sbin/mariadbd"); err != nil {
			return nil, errors.New("mariadbd not found")
		}
	}
	dir, err := os.MkdirTemp(tempBase(), "bulwark-mysql-")
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	userArgs := []string{}
	if os.Geteuid() == 0 {
		userArgs = append(userArgs, "--user=root")
	}
	cmd := exec.Command(install, append([]string{"--no-defaults", "--datadir=" + data,
		"--auth-root-authentication-method=normal", "--skip-test-db"}, userArgs...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	args := append([]string{"--no-defaults", "--datadir=" + data,
		"--socket=" + filepath.Join(dir, "mysqld.sock"), "--pid-file=" + filepath.Join(dir, "mysqld.pid"),
		"--log-error=" + filepath.Join(dir, "error.log"),
		"--bind-address=127.0.0.1", fmt.Sprintf("--port=%d", port), "--skip-name-resolve",
		"--innodb-buffer-pool-size=64M", "--innodb-log-file-size=48M", "--skip-log-bin",
		"--max-allowed-packet=256M", "--local-infile=1", "--max-connections=500"}, userArgs...)
	// TLS with the test PKI, for the tests of bulwark's upstream TLS; clients
	// that do not ask for it are unaffected.
	// The key is readable by this process's user, which is the server's
	// (--user=root when root).
	pkiOnce.Do(func() { pki, pkiErr = newTestPKI() })
	if pkiErr != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("test PKI: %w", pkiErr)
	}
	args = append(args, "--ssl-ca="+pki.CAFile, "--ssl-cert="+pki.CertFile, "--ssl-key="+pki.KeyFile)
	// The watchdog shell stops the server and removes its directory once
	// this test process is gone, however it ends.
	script := `"$@" & srv=$!
while kill -0 ` + fmt.Sprint(os.Getpid()) + ` 2>/dev/null && kill -0 $srv 2>/dev/null; do sleep 1; done
kill $srv 2>/dev/null; wait $srv; rm -rf ` + shellQuote(dir)
	w := exec.Command("/bin/sh", append([]string{"-c", script, "mariadb-watchdog", server}, args...)...)
	w.Stdout, w.Stderr = nil, nil
	if err := w.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	go func() { _ = w.Wait() }()
	s := &mysqlServer{Addr: fmt.Sprintf("127.0.0.1:%d", port), SuperUser: "root"}
	deadline := time.Now().Add(60 * time.Second)
	for {
		db, err := sql.Open("mysql", mysqlDSN(s.Addr, s.SuperUser, s.SuperPassword, ""))
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil {
			return s, nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			return nil, fmt.Errorf("mariadbd did not start: %v\n%s", err, log)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// prepareMySQL creates the test database and roles (again, if a previous
// run left them) and returns an administrator's pool on the database.
func prepareMySQL(s *mysqlServer) (*sql.DB, error) {
	root, err := sql.Open("mysql", mysqlDSN(s.Addr, s.SuperUser, s.SuperPassword, "", "multiStatements=true"))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	root.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, q := range []string{
		// Anonymous accounts would shadow the test users on some hosts.
		"DELETE FROM mysql.global_priv WHERE User = ''",
		"FLUSH PRIVILEGES",
		"DROP DATABASE IF EXISTS " + testDatabase,
		"CREATE DATABASE " + testDatabase,
		"DROP USER IF EXISTS " + agentUser + "@'%', " + humanUser + "@'%', " + edUser + "@'%'",
		"CREATE USER " + agentUser + "@'%' IDENTIFIED BY '" + agentPassword + "'",
		"GRANT ALL ON " + testDatabase + ".* TO " + agentUser + "@'%'",
		"CREATE USER " + humanUser + "@'%' IDENTIFIED BY '" + humanPassword + "'",
		"GRANT ALL ON *.* TO " + humanUser + "@'%' WITH GRANT OPTION",
	} {
		if _, err := root.ExecContext(ctx, q); err != nil && !strings.HasPrefix(q, "DELETE FROM mysql.global_priv") {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	// MariaDB's ed25519 plugin, when the server has it.
	if _, err := root.ExecContext(ctx, "INSTALL SONAME 'auth_ed25519'"); err == nil || strings.Contains(err.Error(), "already") {
		if _, err := root.ExecContext(ctx, "CREATE USER "+edUser+"@'%' IDENTIFIED VIA ed25519 USING PASSWORD('"+edPassword+"')"); err == nil {
			_, _ = root.ExecContext(ctx, "GRANT ALL ON "+testDatabase+".* TO "+edUser+"@'%'")
			s.Ed25519 = true
		}
	}
	admin, err := sql.Open("mysql", mysqlDSN(s.Addr, s.SuperUser, s.SuperPassword, testDatabase, "multiStatements=true"))
	if err != nil {
		return nil, err
	}
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		return nil, err
	}
	return admin, nil
}

// mysqlDSN is a go-sql-driver/mysql DSN with extra key=value parameters.
func mysqlDSN(addr, user, password, database string, params ...string) string {
	dsn := fmt.Sprintf("%s:%s@tcp(%s)/%s", user, password, addr, database)
	q := append([]string{"timeout=10s", "readTimeout=120s", "writeTimeout=120s"}, params...)
	return dsn + "?" + strings.Join(q, "&")
}

func myPasswordOf(user string) string {
	switch user {
	case agentUser:
		return agentPassword
	case humanUser:
		return humanPassword
	case edUser:
		return edPassword
	}
	if my != nil && user == my.SuperUser {
		return my.SuperPassword
	}
	return ""
}

// mysqlProxy is a running bulwark in front of the MySQL test server.
type mysqlProxy struct {
	*testProxy
}

// DSN is a go-sql-driver DSN through bulwark for user, with extra
// parameters.
func (p *mysqlProxy) DSN(user string, params ...string) string {
	return mysqlDSN(p.Addr, user, myPasswordOf(user), testDatabase, params...)
}

// startMySQLProxy runs bulwark in-process with only its MySQL listener, in
// front of the MySQL test server, configured as testConfig configures the
// PostgreSQL one, with opts applied; it stops when the test ends.
func startMySQLProxy(t testing.TB, opts ...proxyOption) *mysqlProxy {
	t.Helper()
	s := needMySQL(t)
	cfg := config.Defaults()
	cfg.Listen.Postgres = ""
	cfg.Listen.MySQL = "127.0.0.1:0"
	cfg.Upstream.MySQL.Address = s.Addr
	cfg.Identity.Default = "agent"
	cfg.Identity.Agents.Users = []string{"agent_*"}
	cfg.Identity.Humans.Users = []string{humanUser, s.SuperUser}
	cfg.Audit.Path = filepath.Join(t.TempDir(), "audit.db")
	cfg.Log.Level = "debug"
	cfg.Log.Format = "json"
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test configuration invalid: %v", err)
	}
	logs := &syncBuffer{}
	srv, err := proxy.New(cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatalf("proxy.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	p := &mysqlProxy{&testProxy{Addr: srv.Addr("mysql"), AuditPath: cfg.Audit.Path, Config: cfg, logs: logs}}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("proxy Serve: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("proxy did not stop within 15s")
		}
		if t.Failed() {
			t.Logf("bulwark log:\n%s", logs.String())
		}
	})
	return p
}

// openMySQL opens a pool on dsn, closed when the test ends.
func openMySQL(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// myConn is one connection from db, so that a test can prove that the same
// session stays usable after a refusal.
func myConn(t testing.TB, db *sql.DB) *sql.Conn {
	t.Helper()
	c, err := db.Conn(testCtx(t))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// myAdminExec runs statements as the administrator, bypassing bulwark.
func myAdminExec(t testing.TB, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := myAdmin.ExecContext(testCtx(t), q); err != nil {
			t.Fatalf("admin %s: %v", q, err)
		}
	}
}

// myQueryString runs a one-value query as the administrator.
func myQueryString(t testing.TB, q string, args ...any) string {
	t.Helper()
	var v sql.NullString
	if err := myAdmin.QueryRowContext(testCtx(t), q, args...).Scan(&v); err != nil {
		t.Fatalf("admin %s: %v", q, err)
	}
	return v.String
}

// myFreshTable (re)creates table name with freshTableRows rows and returns
// a function that checksums its content, to prove data intact.
func myFreshTable(t testing.TB, name string) (checksum func() string) {
	t.Helper()
	myAdminExec(t,
		"DROP TABLE IF EXISTS "+name,
		"CREATE TABLE "+name+" (id INT PRIMARY KEY, note VARCHAR(100), extra INT)",
		fmt.Sprintf("INSERT INTO %s SELECT seq, CONCAT('row ', seq), seq * 2 FROM seq_1_to_%d", name, freshTableRows),
	)
	return func() string {
		t.Helper()
		// CHECKSUM TABLE covers every row and column (a dropped column
		// changes it) and is NULL for a table that is gone.
		var tbl string
		var sum sql.NullString
		if err := myAdmin.QueryRowContext(testCtx(t), "CHECKSUM TABLE "+name).Scan(&tbl, &sum); err != nil {
			t.Fatalf("admin CHECKSUM TABLE %s: %v", name, err)
		}
		return sum.String
	}
}

// myTableExists reports whether testDatabase has a table name.
func myTableExists(t testing.TB, name string) bool {
	t.Helper()
	return myQueryString(t, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
		testDatabase, name) == "1"
}

// requireMyRefused asserts that err is bulwark's refusal as a MySQL error:
// 1227 with SQLSTATE 42000, a message that says "bulwark refused" and names
// rule. It returns the audit event id the message names (0 if none).
func requireMyRefused(t testing.TB, err error, rule string) int64 {
	t.Helper()
	if err == nil {
		t.Fatalf("want bulwark's refusal (rule %s), got success", rule)
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		t.Fatalf("want bulwark's refusal (rule %s), got a non-server error %T: %v", rule, err, err)
	}
	if me.Number != 1227 || string(me.SQLState[:]) != "42000" || !strings.Contains(me.Message, "bulwark refused") ||
		!strings.Contains(me.Message, rule) {
		t.Fatalf("want bulwark's refusal (1227, 42000) naming rule %s, got %d (%s): %s", rule, me.Number, me.SQLState, me.Message)
	}
	var id int64
	if m := auditEventRe.FindStringSubmatch(me.Message); m != nil {
		fmt.Sscan(m[1], &id)
	}
	return id
}

// myAllPrivilegesUser creates an account with every privilege on every
// database, as DBAs hand to agents more often than they should; it is an
// agent (the harness's default identity), and is dropped at the end.
func myAllPrivilegesUser(t testing.TB, user, password string) {
	t.Helper()
	myAdminExec(t, "CREATE USER IF NOT EXISTS '"+user+"'@'%' IDENTIFIED BY '"+password+"'",
		"GRANT ALL ON *.* TO '"+user+"'@'%' WITH GRANT OPTION")
	t.Cleanup(func() { myAdminExec(t, "DROP USER IF EXISTS '"+user+"'@'%'") })
}

// myAllPrivilegesSessions creates an all-privileges agent account (see
// myAllPrivilegesUser) and returns a connection through p as it, in the
// test database, and one as the human.
func myAllPrivilegesSessions(t testing.TB, p *mysqlProxy, user, password string) (agent, human *sql.Conn) {
	t.Helper()
	myAllPrivilegesUser(t, user, password)
	agent = myConn(t, openMySQL(t, mysqlDSN(p.Addr, user, password, testDatabase)))
	human = myConn(t, openMySQL(t, p.DSN(humanUser)))
	return agent, human
}

// requireMyRefusedThenRun asserts that the agent's stmt is refused and
// audited as want says, with state unchanged, and that the human's
// identical stmt then runs and changes state: the refusal stood between
// the agent and real damage.
func requireMyRefusedThenRun(t testing.TB, p *mysqlProxy, agent, human *sql.Conn, stmt string, want wantEvent, state func() string) {
	t.Helper()
	before := state()
	_, err := agent.ExecContext(testCtx(t), stmt)
	id := requireMyRefused(t, err, want.Rule)
	requireMyAudited(t, p, id, want)
	if got := state(); got != before {
		t.Fatalf("%s: refused, yet the state changed from %q to %q", stmt, before, got)
	}
	if _, err := human.ExecContext(testCtx(t), stmt); err != nil {
		t.Fatalf("%s: the human's identical statement failed: %v", stmt, err)
	}
	if got := state(); got == before {
		t.Fatalf("%s: the human's statement changed nothing (%q)", stmt, got)
	}
}

// requireMyAudited asserts that refusal event id exists in p's store and
// records a block of a mysql-protocol statement as want says.
func requireMyAudited(t testing.TB, p *mysqlProxy, id int64, want wantEvent) {
	t.Helper()
	if id == 0 {
		t.Fatalf("the refusal names no audit event")
	}
	e := auditEvent(t, p.testProxy, id)
	var problems []string
	check := func(field, got, want string) {
		if want != "" && got != want {
			problems = append(problems, fmt.Sprintf("%s = %q, want %q", field, got, want))
		}
	}
	check("user", e.User, want.User)
	check("rule", e.Rule, want.Rule)
	check("category", e.Category, want.Category)
	check("action", e.Action, "block")
	check("protocol", e.Protocol, "mysql")
	check("database", e.Database, testDatabase)
	if want.Statement != "" && !strings.Contains(e.Statement, want.Statement) {
		problems = append(problems, fmt.Sprintf("statement = %q, want it to contain %q", e.Statement, want.Statement))
	}
	if len(problems) > 0 {
		t.Errorf("audit event %d: %s", id, strings.Join(problems, "; "))
	}
}
