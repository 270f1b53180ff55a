// Package integration holds bulwark's black-box tests: a real PostgreSQL
// server, real drivers (pgx, lib/pq, psql) and bulwark either in-process
// (proxy.New) or as the real binary.
//
// The server comes from, in order:
//
//   - BULWARK_PG_ADDR (host:port) with superuser credentials in
//     BULWARK_PG_USER and BULWARK_PG_PASSWORD (default postgres/postgres),
//     and, when it has TLS on, the CA of its certificate in
//     BULWARK_PG_CA_FILE;
//   - else a throwaway server that TestMain initialises from the local
//     PostgreSQL binaries (pg_config --bindir, else the newest
//     /usr/lib/postgresql/*/bin) in a temp dir, on a free port of 127.0.0.1,
//     with TLS on (ssl=on) with a certificate from the test PKI for
//     localhost and 127.0.0.1 (plain-text clients are served too).
//
// When neither is available every test that needs a database skips, unless
// BULWARK_REQUIRE_DB=1, in which case the whole run fails.
//
// Every test uses its own table and object names (freshTable drops and
// recreates them) so that tests can run in parallel on the one server.
package integration

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"
	"gopkg.in/yaml.v3"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/proxy"
)

// Roles the harness creates on the server. Their passwords are fixed: the
// server is either throwaway or a dedicated test server.
const (
	// agentUser matches identity.agents.users ("agent_*") and owns the
	// test database and every table freshTable creates.
	agentUser     = "agent_bot"
	agentPassword = "agent-bot-pw"
	// humanUser is a human DBA (identity.humans.users) and a superuser, so
	// that it can run every statement an agent is refused.
	humanUser     = "dba"
	humanPassword = "dba-pw"
	// testDatabase is the database every test works in; agentUser owns it
	// (and so, on PostgreSQL 15+, its public schema).
	testDatabase = "bulwark_it"
)

// defaultSuperPassword is the superuser password of the throwaway server,
// and the default of BULWARK_PG_PASSWORD.
const defaultSuperPassword = "postgres-pw"

// pgServer describes the PostgreSQL server the package runs against.
type pgServer struct {
	// Addr is host:port for TCP connections with password authentication.
	Addr string
	// SuperUser and SuperPassword are a superuser's credentials.
	SuperUser     string
	SuperPassword string
	// BinDir holds the server's client programs (psql) when known.
	BinDir string
	// CAFile verifies the server's TLS certificate; empty when the
	// server's TLS is unknown.
	CAFile string
}

// Package state, set once by TestMain before any test runs.
var (
	// pg is the server; nil when none could be had (see noDBReason).
	pg *pgServer
	// noDBReason says why pg is nil; tests skip with it.
	noDBReason string
	// adminDB is a superuser connection pool to testDatabase, used by
	// helpers to set up and inspect data without going through bulwark.
	adminDB *sql.DB
	// bulwarkBin is the path of the binary built from ./cmd/bulwark.
	bulwarkBin string
	// buildErr is why the binary could not be built; binary tests fail
	// with it.
	buildErr error
)

// TestMain starts (or connects to) one PostgreSQL server for the whole
// package, builds the bulwark binary, runs the tests and cleans up.
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	tmp, err := os.MkdirTemp(tempBase(), "bulwark-it-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration: temp dir:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	defer func() {
		if pki != nil {
			os.RemoveAll(pki.Dir)
		}
	}()

	// Building takes a while; do it while the server starts.
	var buildWG sync.WaitGroup
	buildWG.Add(1)
	go func() {
		defer buildWG.Done()
		bulwarkBin, buildErr = buildBinary(filepath.Join(tmp, "bin"))
	}()

	var stop func()
	pg, stop, err = obtainServer(filepath.Join(tmp, "pg"))
	if stop != nil {
		defer stop()
	}
	if err != nil {
		noDBReason = "no PostgreSQL server for integration tests: " + err.Error()
		pg = nil
	} else if adminDB, err = prepareServer(pg); err != nil {
		noDBReason = "PostgreSQL server unusable for integration tests: " + err.Error()
		pg = nil
	}
	buildWG.Wait()

	if pg == nil {
		if os.Getenv("BULWARK_REQUIRE_DB") == "1" {
			fmt.Fprintln(os.Stderr, "integration: FAIL: BULWARK_REQUIRE_DB=1 but", noDBReason)
			return 1
		}
		fmt.Fprintln(os.Stderr, "integration:", noDBReason, "(tests needing it will skip; set BULWARK_REQUIRE_DB=1 to fail instead)")
	}
	code := m.Run()
	if adminDB != nil {
		adminDB.Close()
	}
	return code
}

// tempBase returns a directory for the throwaway server that the postgres
// OS user can reach when the tests run as root: a private TMPDIR (say under
// /root) would not be traversable, so /tmp is used then.
func tempBase() string {
	base := os.TempDir()
	if os.Geteuid() != 0 {
		return base
	}
	for dir := base; dir != "/" && dir != "."; dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
	}
	return base
}

// buildTags are the build tags of the binary the tests run: those this
// test binary was built with (see tags_*_test.go), so that a single-protocol
// build is tested as the real binary too.
var buildTags []string

// buildBinary builds ./cmd/bulwark from the module root into dir, with
// buildTags.
func buildBinary(dir string) (string, error) { return buildBinaryWith(dir, buildTags) }

// buildBinaryWith builds ./cmd/bulwark from the module root into dir with
// the given build tags.
func buildBinaryWith(dir string, tags []string) (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(dir, "bulwark")
	cmd := exec.Command("go", "build", "-tags", strings.Join(tags, ","), "-o", bin, "./cmd/bulwark")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/bulwark: %w\n%s", err, out)
	}
	return bin, nil
}

// obtainServer returns the server named by BULWARK_PG_ADDR, or starts a
// throwaway one in dir. stop, when not nil, must be called at the end.
func obtainServer(dir string) (*pgServer, func(), error) {
	if addr := os.Getenv("BULWARK_PG_ADDR"); addr != "" {
		s := &pgServer{
			Addr:          addr,
			SuperUser:     envOr("BULWARK_PG_USER", "postgres"),
			SuperPassword: envOr("BULWARK_PG_PASSWORD", "postgres"),
			CAFile:        os.Getenv("BULWARK_PG_CA_FILE"),
		}
		s.BinDir, _ = findBinDir()
		return s, nil, nil
	}
	return startThrowawayServer(dir)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// findBinDir locates the PostgreSQL server binaries: pg_config --bindir if it
// holds initdb, else the newest /usr/lib/postgresql/<version>/bin.
func findBinDir() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if isExecutable(filepath.Join(dir, "initdb")) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestVersion := "", -1.0
	for _, d := range dirs {
		v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(d)), 64)
		if err == nil && v > bestVersion && isExecutable(filepath.Join(d, "initdb")) {
			best, bestVersion = d, v
		}
	}
	if best == "" {
		return "", errors.New("no PostgreSQL server binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin); install postgresql or set BULWARK_PG_ADDR")
	}
	return best, nil
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// startThrowawayServer runs initdb and postgres in dir. PostgreSQL refuses to
// run as root, so under root both run as the postgres OS user (dir is handed
// to it).
func startThrowawayServer(dir string) (*pgServer, func(), error) {
	binDir, err := findBinDir()
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, nil, fmt.Errorf("running as root and no postgres OS user to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, nil, err
		}
		// Parents made by MkdirTemp are private to root.
		if err := os.Chmod(filepath.Dir(dir), 0o711); err != nil {
			return nil, nil, err
		}
	}
	asServerUser := func(cmd *exec.Cmd) *exec.Cmd {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
		cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
		cmd.Dir = dir
		return cmd
	}
	write := func(name, content string) error {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			return err
		}
		if cred != nil {
			return os.Chown(p, int(cred.Uid), int(cred.Gid))
		}
		return nil
	}

	data := filepath.Join(dir, "data")
	sockDir := filepath.Join(dir, "sock")
	if err := os.Mkdir(sockDir, 0o700); err != nil {
		return nil, nil, err
	}
	if cred != nil {
		if err := os.Chown(sockDir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, nil, err
		}
	}
	if err := write("pwfile", defaultSuperPassword+"\n"); err != nil {
		return nil, nil, err
	}
	initdb := asServerUser(exec.Command(filepath.Join(binDir, "initdb"),
		"-D", data, "-U", "postgres", "--pwfile", filepath.Join(dir, "pwfile"),
		"-E", "UTF8", "--locale", "C", "--auth-local", "trust", "--auth-host", "scram-sha-256", "--no-sync"))
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	// Only password authentication over TCP: the tests must exercise the
	// SCRAM exchange bulwark relays. The socket (trust) is only for a person
	// inspecting a kept server with psql -h <dir>/sock.
	hba := "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
	if err := write("data/pg_hba.conf", hba); err != nil {
		return nil, nil, err
	}
	// TLS on, with the test PKI's server certificate; the key must be the
	// server user's own, mode 0600.
	pkiOnce.Do(func() { pki, pkiErr = newTestPKI() })
	if pkiErr != nil {
		return nil, nil, fmt.Errorf("test PKI: %w", pkiErr)
	}
	for name, src := range map[string]string{"server.crt": pki.CertFile, "server.key": pki.KeyFile} {
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, nil, err
		}
		if err := write(name, string(b)); err != nil {
			return nil, nil, err
		}
	}
	conf, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, nil, err
	}
	_, err = fmt.Fprintf(conf, "\nssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\n",
		filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key"))
	if cerr := conf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, err
	}

	// The port is free when picked but another process may take it before
	// postgres binds it (other test packages start servers too): retry.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, nil, err
		}
		s, stop, err := launchPostgres(binDir, dir, data, sockDir, port, asServerUser)
		if err == nil {
			s.CAFile = pki.CAFile
			return s, stop, nil
		}
		lastErr = err
		if !strings.Contains(err.Error(), "could not bind") {
			break
		}
	}
	return nil, nil, lastErr
}

// launchPostgres starts postgres on port and waits until it accepts a
// password login. On failure the server is stopped and the error carries its
// log.
func launchPostgres(binDir, dir, data, sockDir string, port int, asServerUser func(*exec.Cmd) *exec.Cmd) (*pgServer, func(), error) {
	logPath := filepath.Join(dir, "postgres.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, nil, err
	}
	srv := asServerUser(exec.Command(filepath.Join(binDir, "postgres"),
		"-D", data, "-p", strconv.Itoa(port), "-k", sockDir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB",
		"-c", "password_encryption=scram-sha-256"))
	srv.Stdout, srv.Stderr = logFile, logFile
	if err := srv.Start(); err != nil {
		logFile.Close()
		return nil, nil, fmt.Errorf("start postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = srv.Wait(); logFile.Close(); close(exited) }()
	stop := func() {
		// SIGINT is PostgreSQL's fast shutdown: it rolls back sessions
		// and exits promptly.
		_ = srv.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-srv.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}

	s := &pgServer{
		Addr:          net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		SuperUser:     "postgres",
		SuperPassword: defaultSuperPassword,
		BinDir:        binDir,
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, err := sql.Open("postgres", s.dsn(s.SuperUser, s.SuperPassword, "postgres"))
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil {
			return s, stop, nil
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			return nil, nil, fmt.Errorf("postgres exited during startup: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			stop()
			log, _ := os.ReadFile(logPath)
			return nil, nil, fmt.Errorf("postgres did not accept connections within 30s: %v\n%s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// prepareServer creates the roles and the test database (when missing) and
// returns a superuser pool on the test database.
func prepareServer(s *pgServer) (*sql.DB, error) {
	root, err := sql.Open("postgres", s.dsn(s.SuperUser, s.SuperPassword, "postgres"))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := root.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("connect as %s to %s: %w", s.SuperUser, s.Addr, err)
	}
	// The passwords are (re)set on an existing server too, so that the
	// constants above are always right.
	for _, stmt := range []string{
		`DO $$ BEGIN
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agent_bot') THEN CREATE ROLE agent_bot; END IF;
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dba') THEN CREATE ROLE dba; END IF;
		END $$`,
		fmt.Sprintf("ALTER ROLE %s LOGIN NOSUPERUSER PASSWORD %s", agentUser, quoteLiteral(agentPassword)),
		fmt.Sprintf("ALTER ROLE %s LOGIN SUPERUSER PASSWORD %s", humanUser, quoteLiteral(humanPassword)),
	} {
		if _, err := root.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("create roles: %w", err)
		}
	}
	var exists bool
	if err := root.QueryRowContext(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", testDatabase).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		if _, err := root.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s OWNER %s", testDatabase, agentUser)); err != nil {
			return nil, fmt.Errorf("create database: %w", err)
		}
	}
	db, err := sql.Open("postgres", s.dsn(s.SuperUser, s.SuperPassword, testDatabase))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(8)
	// Before PostgreSQL 15 public is owned by the bootstrap superuser;
	// the agent needs to create objects in it either way.
	if _, err := db.ExecContext(ctx, "GRANT ALL ON SCHEMA public TO "+agentUser); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// dsn is a URL connection string for the server itself (not through bulwark).
func (s *pgServer) dsn(user, password, database string, params ...string) string {
	return makeDSN(s.Addr, user, password, database, params...)
}

// makeDSN builds a postgres:// URL that pgx, lib/pq and psql all read.
// params are key=value pairs added to the query (application_name=psql).
// TLS is off (sslmode=disable) unless params say otherwise.
func makeDSN(addr, user, password, database string, params ...string) string {
	q := url.Values{}
	q.Set("sslmode", "disable")
	q.Set("connect_timeout", "10")
	for _, p := range params {
		k, v, _ := strings.Cut(p, "=")
		q.Set(k, v)
	}
	// Spaces as %20, not +: libpq and pgx do not read + as a space.
	raw := strings.ReplaceAll(q.Encode(), "+", "%20")
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password), Host: addr, Path: "/" + database, RawQuery: raw}
	return u.String()
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }

// needDB skips a test that needs the server when there is none. (With
// BULWARK_REQUIRE_DB=1 TestMain has already failed the run by then.)
func needDB(t testing.TB) {
	t.Helper()
	if pg == nil {
		t.Skip(noDBReason)
	}
}

// needBinary fails a test that needs the bulwark binary when it could not
// be built: a build failure is a real failure, not a missing dependency.
func needBinary(t testing.TB) string {
	t.Helper()
	if buildErr != nil {
		t.Fatalf("bulwark binary: %v", buildErr)
	}
	return bulwarkBin
}

// testCtx returns a context for one test step, bounded so that a hung
// proxy fails the test instead of the whole run.
func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// directDSN is a connection string for user straight to the server,
// bypassing bulwark. user is agentUser, humanUser or the superuser.
func directDSN(user string, params ...string) string {
	return pg.dsn(user, passwordOf(user), testDatabase, params...)
}

func passwordOf(user string) string {
	switch user {
	case agentUser:
		return agentPassword
	case humanUser:
		return humanPassword
	case pg.SuperUser:
		return pg.SuperPassword
	}
	return ""
}

// ---- bulwark under test ----

// proxyOption changes the configuration a test proxy starts with.
type proxyOption func(*config.Config)

// withPolicy sets the action for one policy category ("drop", "truncate",
// "delete", "update", "unanalysable").
func withPolicy(category string, action config.Action) proxyOption {
	return func(c *config.Config) {
		switch category {
		case "drop":
			c.Policy.Drop = action
		case "truncate":
			c.Policy.Truncate = action
		case "delete":
			c.Policy.Delete = action
		case "update":
			c.Policy.Update = action
		case "unanalysable":
			c.Policy.Unanalysable = action
		default:
			panic("withPolicy: unknown category " + category)
		}
	}
}

// withAgentApplicationNames sets identity.agents.application_names.
func withAgentApplicationNames(globs ...string) proxyOption {
	return func(c *config.Config) { c.Identity.Agents.ApplicationNames = globs }
}

// testProxy is a running bulwark in front of the test server.
type testProxy struct {
	// Addr is the host:port clients connect to.
	Addr string
	// AuditPath is the audit store file (per test).
	AuditPath string
	// Config is the configuration it runs with.
	Config config.Config
	// ConfigPath is the YAML file given to the binary (startBinaryProxy
	// only).
	ConfigPath string
	// Process is the bulwark process (startBinaryProxy only).
	Process *os.Process
	// Server is the in-process bulwark (startProxy only).
	Server *proxy.Server
	logs   *syncBuffer
}

// Logs returns what bulwark has logged so far.
func (p *testProxy) Logs() string { return p.logs.String() }

// DSN is a connection string through bulwark for user (agentUser,
// humanUser or the superuser), with extra key=value parameters.
func (p *testProxy) DSN(user string, params ...string) string {
	return makeDSN(p.Addr, user, passwordOf(user), testDatabase, params...)
}

// AgentDSN connects through bulwark as agentUser (an agent).
func (p *testProxy) AgentDSN(params ...string) string { return p.DSN(agentUser, params...) }

// HumanDSN connects through bulwark as humanUser (a human superuser).
func (p *testProxy) HumanDSN(params ...string) string { return p.DSN(humanUser, params...) }

// testConfig is the configuration every test proxy starts from: the
// defaults, upstream the test server, listening on a free port, agents are
// agent_*, humans are dba and the superuser, anything else an agent, and a
// per-test audit store.
func testConfig(t testing.TB) config.Config {
	cfg := config.Defaults()
	cfg.Listen.Postgres = "127.0.0.1:0"
	cfg.Upstream.Postgres.Address = pg.Addr
	cfg.Identity.Default = "agent"
	cfg.Identity.Agents.Users = []string{"agent_*"}
	cfg.Identity.Humans.Users = []string{humanUser, "postgres"}
	if pg.SuperUser != "postgres" {
		cfg.Identity.Humans.Users = append(cfg.Identity.Humans.Users, pg.SuperUser)
	}
	cfg.Audit.Path = filepath.Join(t.TempDir(), "audit.db")
	cfg.Log.Level = "debug"
	cfg.Log.Format = "json"
	return cfg
}

// startProxy runs bulwark in-process (proxy.New) with testConfig changed by
// opts, and stops it when the test ends. bulwark's log is shown if the test
// fails.
func startProxy(t testing.TB, opts ...proxyOption) *testProxy {
	t.Helper()
	needDB(t)
	cfg := testConfig(t)
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
	p := &testProxy{Addr: srv.PostgresAddr(), AuditPath: cfg.Audit.Path, Config: cfg, Server: srv, logs: logs}
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

// startBinaryProxy runs the real binary (`bulwark serve -c FILE`) with
// testConfig changed by opts, waits until it accepts connections, and stops
// it with SIGTERM when the test ends.
func startBinaryProxy(t testing.TB, opts ...proxyOption) *testProxy {
	t.Helper()
	needDB(t)
	bin := needBinary(t)
	cfg := testConfig(t)
	for _, o := range opts {
		o(&cfg)
	}
	cfgPath := writeConfig(t, cfg)

	cmd := exec.Command(bin, "serve", "-c", cfgPath)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start bulwark serve: %v", err)
	}
	logs := &syncBuffer{}
	addrCh := make(chan string, 1)
	go func() {
		// The JSON log line "bulwark listening" carries the bound address,
		// which is how a test learns the port the kernel picked.
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Bytes()
			logs.Write(append(line, '\n'))
			if sent {
				continue
			}
			var rec struct {
				Msg      string `json:"msg"`
				Protocol string `json:"protocol"`
				Address  string `json:"address"`
			}
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "bulwark listening" && rec.Protocol == "postgres" {
				addrCh <- rec.Address
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		close(addrCh)
	}()
	exited := make(chan error, 1)
	var addr string
	select {
	case a, ok := <-addrCh:
		if !ok {
			exited <- cmd.Wait()
			t.Fatalf("bulwark serve exited before listening: %v\n%s", <-exited, logs.String())
		}
		addr = a
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("bulwark serve did not start listening within 30s\n%s", logs.String())
	}
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("bulwark serve did not exit cleanly on SIGTERM: %v", err)
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("bulwark serve did not stop within 15s of SIGTERM")
		}
		if t.Failed() {
			t.Logf("bulwark log:\n%s", logs.String())
		}
	})
	// Listening is announced after Listen returns, but wait for an
	// accepted connection so that the first test query cannot race it.
	waitAccepting(t, addr, 10*time.Second, nil)
	return &testProxy{Addr: addr, AuditPath: cfg.Audit.Path, Config: cfg, ConfigPath: cfgPath, Process: cmd.Process, logs: logs}
}

// waitAccepting waits until a TCP connection to addr succeeds, failing the
// test (with the process's logs, when given) after within.
func waitAccepting(t testing.TB, addr string, within time.Duration, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			var out string
			if logs != nil {
				out = logs.String()
			}
			t.Fatalf("bulwark serve does not accept connections on %s: %v\n%s", addr, err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writeConfig writes cfg as a bulwark YAML file in a temp dir and returns
// its path.
func writeConfig(t testing.TB, cfg config.Config) string {
	t.Helper()
	b, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "bulwark.yaml")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (log handlers).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ---- clients ----

// connectPgx opens a pgx connection (closed at test end). configure, if
// given, adjusts the connection config, e.g. to set DefaultQueryExecMode.
func connectPgx(t testing.TB, dsn string, configure ...func(*pgx.ConnConfig)) *pgx.Conn {
	t.Helper()
	cc, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("parse DSN: %v", err)
	}
	for _, f := range configure {
		f(cc)
	}
	ctx := testCtx(t)
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		t.Fatalf("connect %s@%s: %v", cc.User, cc.Host, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = conn.Close(ctx)
	})
	return conn
}

// simpleProtocol makes a pgx connection use the simple Query protocol.
func simpleProtocol(cc *pgx.ConnConfig) {
	cc.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
}

// openPQ opens a database/sql pool with lib/pq (closed at test end). It
// holds one connection, so consecutive statements share a session.
func openPQ(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// runPsql runs the real psql binary against dsn with `-X -v
// ON_ERROR_STOP=0` (no psqlrc; keep going after errors, as an agent's
// script runner would), feeding stdin and adding args (e.g. "-c", "SQL").
// It returns stdout, stderr and the exit code.
func runPsql(t testing.TB, dsn, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runPsqlEnv(t, dsn, stdin, nil, args...)
}

// runPsqlEnv is runPsql with more environment variables (PGOPTIONS=...).
func runPsqlEnv(t testing.TB, dsn, stdin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	psql, err := exec.LookPath("psql")
	if err != nil && pg.BinDir != "" {
		psql, err = filepath.Join(pg.BinDir, "psql"), nil
	}
	if err != nil {
		t.Fatalf("psql not found: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, append([]string{"-X", "-v", "ON_ERROR_STOP=0", "-d", dsn}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(append(os.Environ(), "PGCONNECT_TIMEOUT=10", "PSQLRC=/dev/null", "LC_ALL=C"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("run psql: %v", err)
	}
	return out.String(), errb.String(), code
}

// runBulwark runs the bulwark binary with args and returns stdout, stderr
// and the exit code.
func runBulwark(t testing.TB, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	bin := needBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("run bulwark %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// ---- data ----

// freshTableRows is how many rows freshTable inserts.
const freshTableRows = 300

// freshTable (re)creates table name in the test database, owned by
// agentUser: id integer primary key, a text column note, an index on note
// and a CHECK constraint, with freshTableRows rows. It returns a checksum
// function over the whole table content (md5 of every row in id order, plus
// the row count) for "data intact" assertions: compare its result before
// and after. The checksum function reports an error (and returns "") when
// the table is gone. The table is dropped at test end.
func freshTable(t testing.TB, name string) (checksum func() string) {
	t.Helper()
	needDB(t)
	q := quoteIdent(name)
	adminExec(t,
		"DROP TABLE IF EXISTS "+q+" CASCADE",
		fmt.Sprintf(`CREATE TABLE %s (
			id   integer PRIMARY KEY,
			note text NOT NULL CHECK (note <> ''),
			qty  integer NOT NULL DEFAULT 0
		)`, q),
		fmt.Sprintf("CREATE INDEX %s ON %s (note)", quoteIdent(name+"_note_idx"), q),
		fmt.Sprintf("INSERT INTO %s SELECT g, 'note ' || g, g %% 7 FROM generate_series(1, %d) g", q, freshTableRows),
		fmt.Sprintf("ALTER TABLE %s OWNER TO %s", q, agentUser),
	)
	t.Cleanup(func() {
		_, _ = adminDB.Exec("DROP TABLE IF EXISTS " + q + " CASCADE")
	})
	return func() string {
		var sum string
		err := adminDB.QueryRow(fmt.Sprintf(
			"SELECT coalesce(md5(string_agg(t::text, ',' ORDER BY id)), 'empty') || '/' || count(*) FROM %s t", q)).Scan(&sum)
		if err != nil {
			t.Errorf("checksum of table %s: %v", name, err)
			return ""
		}
		return sum
	}
}

// adminExec runs statements as the superuser directly on the server.
func adminExec(t testing.TB, stmts ...string) {
	t.Helper()
	needDB(t)
	for _, s := range stmts {
		if _, err := adminDB.Exec(s); err != nil {
			t.Fatalf("setup %q: %v", s, err)
		}
	}
}

// adminQueryInt runs a one-value integer query as the superuser.
func adminQueryInt(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := adminDB.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	return n
}

// rowCount returns the number of rows in table, or -1 when the table does
// not exist.
func rowCount(t testing.TB, table string) int {
	t.Helper()
	if !relationExists(t, table) {
		return -1
	}
	return adminQueryInt(t, "SELECT count(*) FROM "+quoteIdent(table))
}

// relationExists reports whether a table, view, index, sequence or
// materialized view of that name exists (in the search path).
func relationExists(t testing.TB, name string) bool {
	t.Helper()
	var ok bool
	if err := adminDB.QueryRow("SELECT to_regclass($1) IS NOT NULL", quoteIdent(name)).Scan(&ok); err != nil {
		t.Fatalf("look up relation %s: %v", name, err)
	}
	return ok
}

// ---- refusals and audit ----

// auditEventRe finds the audit event number in a refusal message.
var auditEventRe = regexp.MustCompile(`audit event (\d+)\)`)

// requireRefused asserts that err is bulwark's refusal: a server error
// (*pgconn.PgError from pgx, *pq.Error from lib/pq) with SQLSTATE 42501 whose
// message says "bulwark refused" and names rule. It returns the error as a
// *pgconn.PgError and the audit event id the message names (0 if none).
func requireRefused(t testing.TB, err error, rule string) (*pgconn.PgError, int64) {
	t.Helper()
	if err == nil {
		t.Fatalf("want bulwark's refusal (rule %s), got success", rule)
	}
	var pe *pgconn.PgError
	var qe *pq.Error
	switch {
	case errors.As(err, &pe):
	case errors.As(err, &qe):
		pe = &pgconn.PgError{Code: string(qe.Code), Message: qe.Message, Detail: qe.Detail, Hint: qe.Hint}
	default:
		t.Fatalf("want bulwark's refusal (rule %s), got a non-server error %T: %v", rule, err, err)
	}
	if pe.Code != "42501" || !strings.Contains(pe.Message, "bulwark refused") || !strings.Contains(pe.Message, rule) {
		t.Fatalf("want bulwark's refusal with SQLSTATE 42501 naming rule %s, got %s: %s", rule, pe.Code, pe.Message)
	}
	var id int64
	if m := auditEventRe.FindStringSubmatch(pe.Message); m != nil {
		id, _ = strconv.ParseInt(m[1], 10, 64)
	}
	return pe, id
}

// auditEvents returns every event p recorded, newest first, read the way
// `bulwark audit` reads them (a read-only open of the store).
func auditEvents(t testing.TB, p *testProxy) []audit.Event {
	t.Helper()
	return auditEventsFiltered(t, p, audit.Filter{})
}

// auditEventsFiltered is auditEvents with a filter.
func auditEventsFiltered(t testing.TB, p *testProxy, f audit.Filter) []audit.Event {
	t.Helper()
	if _, err := os.Stat(p.AuditPath); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	st, err := audit.OpenSQLiteReadOnly(p.AuditPath)
	if err != nil {
		t.Fatalf("open audit store: %v", err)
	}
	defer st.Close()
	evs, err := st.List(context.Background(), f)
	if err != nil {
		t.Fatalf("list audit events: %v", err)
	}
	return evs
}

// auditEvent returns the event with id, failing the test if there is none.
func auditEvent(t testing.TB, p *testProxy, id int64) audit.Event {
	t.Helper()
	evs := auditEvents(t, p)
	for _, e := range evs {
		if e.ID == id {
			return e
		}
	}
	ids := make([]int64, 0, len(evs))
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	t.Fatalf("audit event %d not found (store holds %v)", id, ids)
	return audit.Event{}
}

// wantEvent is what an audit event of a refusal must say; empty fields are
// not checked.
type wantEvent struct {
	User      string
	Rule      string
	Category  string
	Statement string // a substring of the recorded statement text
}

// requireAudited asserts that refusal event id exists in p's store and
// records a block of a postgres-protocol statement as want says.
func requireAudited(t testing.TB, p *testProxy, id int64, want wantEvent) audit.Event {
	t.Helper()
	if id == 0 {
		t.Fatalf("the refusal names no audit event")
	}
	e := auditEvent(t, p, id)
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
	check("protocol", e.Protocol, "postgres")
	check("database", e.Database, testDatabase)
	if want.Statement != "" && !strings.Contains(e.Statement, want.Statement) {
		problems = append(problems, fmt.Sprintf("statement = %q, want it to contain %q", e.Statement, want.Statement))
	}
	if e.Time.IsZero() || time.Since(e.Time) > 10*time.Minute {
		problems = append(problems, fmt.Sprintf("time = %v, want about now", e.Time))
	}
	if len(problems) > 0 {
		t.Errorf("audit event %d: %s", id, strings.Join(problems, "; "))
	}
	return e
}

// TestHarnessServerRequiresPasswords checks the harness itself: TCP
// connections use real password authentication, so the tests exercise the
// SCRAM exchange bulwark relays, and a wrong password is the server's
// decision, relayed through bulwark unchanged.
func TestHarnessServerRequiresPasswords(t *testing.T) {
	p := startProxy(t)
	cases := []struct {
		name     string
		dsn      string
		wantCode string // "" means the connection succeeds
	}{
		{name: "the agent with its password connects directly", dsn: directDSN(agentUser)},
		{name: "the human with its password connects directly", dsn: directDSN(humanUser)},
		{name: "the superuser with its password connects directly", dsn: directDSN(pg.SuperUser)},
		{name: "a wrong password is refused directly", dsn: pg.dsn(agentUser, "wrong", testDatabase), wantCode: "28P01"},
		{name: "the agent with its password connects through bulwark", dsn: p.AgentDSN()},
		{name: "a wrong password is refused through bulwark", dsn: makeDSN(p.Addr, agentUser, "wrong", testDatabase), wantCode: "28P01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t)
			conn, err := pgx.Connect(ctx, c.dsn)
			if c.wantCode == "" {
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				conn.Close(ctx)
				return
			}
			if err == nil {
				conn.Close(ctx)
				t.Fatalf("connected with a wrong password")
			}
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != c.wantCode {
				t.Fatalf("want SQLSTATE %s, got %v", c.wantCode, err)
			}
		})
	}
}
