//go:build !bulwark_no_mysql

package integration

// Identities bulwark authenticates itself, on the MySQL listener: created
// with the real binary, used with go-sql-driver and the real `mariadb`
// client against the harness MariaDB.

import (
	"crypto/tls"
	"crypto/x509/pkix"
	"database/sql"
	"errors"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/bulwarkdb/bulwark/config"
)

// withMyRoute adds route "app": the MariaDB account agentUser, its password
// read from a file; and, when the server has ed25519, route "ed": edUser.
func withMyRoute(t testing.TB) proxyOption {
	dir := t.TempDir()
	pw := filepath.Join(dir, "agent-password")
	edPw := filepath.Join(dir, "ed-password")
	if err := os.WriteFile(pw, []byte(myPasswordOf(agentUser)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(edPw, []byte(edPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(c *config.Config) {
		c.Routes = map[string]config.Route{
			"app": {MySQL: config.RouteLogin{User: agentUser, PasswordFile: pw, Database: testDatabase}},
			"ed":  {MySQL: config.RouteLogin{User: edUser, PasswordFile: edPw, Database: testDatabase}},
		}
	}
}

var myURLRe = regexp.MustCompile(`(?m)^\s+(mysql://\S+)$`)

// myIdentity is what `bulwark identities add|rotate` printed for MySQL.
type myIdentity struct {
	URL                          string
	User, Secret, Host, Port, DB string
	Output                       string
}

// DSN is a go-sql-driver DSN for the identity, with extra parameters.
func (id myIdentity) DSN(params ...string) string {
	return mysqlDSN(net.JoinHostPort(id.Host, id.Port), id.User, id.Secret, id.DB, params...)
}

// runMyIdentities runs `bulwark identities ARGS` with p's configuration
// (its real MySQL listen address) and returns what it printed.
func runMyIdentities(t testing.TB, p *mysqlProxy, args ...string) string {
	t.Helper()
	cfg := p.Config
	cfg.Listen.MySQL = p.Addr
	file := writeConfig(t, cfg)
	out, stderr, code := runBulwark(t, "", append([]string{"identities", "-c", file}, args...)...)
	if code != 0 {
		t.Fatalf("bulwark identities %v: exit %d: %s", args, code, stderr)
	}
	return out
}

// addMyIdentity runs `bulwark identities ARGS` (add or rotate) and returns
// the MySQL connection settings it printed.
func addMyIdentity(t testing.TB, p *mysqlProxy, args ...string) myIdentity {
	t.Helper()
	out := runMyIdentities(t, p, args...)
	m := myURLRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no mysql:// URL in the output:\n%s", out)
	}
	u, err := url.Parse(m[1])
	if err != nil {
		t.Fatalf("printed URL %q: %v", m[1], err)
	}
	secret, _ := u.User.Password()
	return myIdentity{URL: m[1], User: u.User.Username(), Secret: secret, Host: u.Hostname(), Port: u.Port(),
		DB: strings.TrimPrefix(u.Path, "/"), Output: out}
}

// myConnectWhenReady opens one connection of dsn once the running proxy
// has picked up a new identity (it polls the store every 250 ms).
func myConnectWhenReady(t testing.TB, dsn string) *sql.Conn {
	t.Helper()
	db := openMySQL(t, dsn)
	deadline := time.Now().Add(3 * time.Second)
	for {
		c, err := db.Conn(testCtx(t))
		if err == nil {
			t.Cleanup(func() { c.Close() })
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("connect as the new identity: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// requireMyError asserts that err is a server error number code.
func requireMyError(t testing.TB, err error, code uint16, contains string) *mysql.MySQLError {
	t.Helper()
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != code || !strings.Contains(me.Message, contains) {
		t.Fatalf("want error %d containing %q, got %v", code, contains, err)
	}
	return me
}

// myCurrentUser is CURRENT_USER() of a session.
func myCurrentUser(t testing.TB, c *sql.Conn) string {
	t.Helper()
	var who string
	if err := c.QueryRowContext(testCtx(t), "SELECT CURRENT_USER()").Scan(&who); err != nil {
		t.Fatalf("SELECT CURRENT_USER(): %v", err)
	}
	return who
}

// runMariaDBClient runs the mariadb client as user with password through
// host:port, reading script; it returns stdout, stderr and the exit code.
func runMariaDBClient(t *testing.T, host, port, user, password, script string, args ...string) (string, string, int) {
	t.Helper()
	cli, err := exec.LookPath("mariadb")
	if err != nil {
		if cli, err = exec.LookPath("mysql"); err != nil {
			skipUnlessRequired(t, "no mariadb client binary")
		}
	}
	all := append([]string{"--no-defaults", "--protocol=TCP", "-h", host, "-P", port,
		"-u", user, "-p" + password, "--force", "--batch"}, args...)
	cmd := exec.CommandContext(testCtx(t), cli, append(all, testDatabase)...)
	cmd.Stdin = strings.NewReader(script)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("mariadb: %v", err)
	}
	return out.String(), errb.String(), code
}

func TestIdentityMySQL(t *testing.T) {
	p := startMySQLProxy(t, withMyRoute(t))
	id := addMyIdentity(t, p, "add", "claude", "--route", "app")
	for _, want := range []string{"MYSQL_PWD=", "MYSQL_USER=claude", "/" + testDatabase} {
		if !strings.Contains(id.Output, want) {
			t.Errorf("add output lacks %q:\n%s", want, id.Output)
		}
	}
	if id.User != "claude" || id.Port == "" || strings.Contains(id.Output, agentPassword) || strings.Contains(id.URL, agentUser) {
		t.Fatalf("the connection settings are wrong or reveal the upstream account:\n%s", id.Output)
	}

	conn := myConnectWhenReady(t, id.DSN("allowNativePasswords=true"))
	if who := myCurrentUser(t, conn); !strings.HasPrefix(who, agentUser+"@") {
		t.Fatalf("the identity's session runs as %q, want the route's account %s", who, agentUser)
	}
	t.Run("its statements are judged and audited under its name", func(t *testing.T) {
		sum := myFreshTable(t, "my_ident_t")
		before := sum()
		_, err := conn.ExecContext(testCtx(t), "DROP TABLE my_ident_t")
		requireMyAudited(t, p, requireMyRefused(t, err, "drop-object"), wantEvent{User: "claude", Rule: "drop-object"})
		if sum() != before {
			t.Fatal("table changed")
		}
		if who := myCurrentUser(t, conn); !strings.HasPrefix(who, agentUser+"@") {
			t.Fatalf("after the refusal: %q", who)
		}
	})
	t.Run("the mariadb client logs in with the printed settings", func(t *testing.T) {
		myFreshTable(t, "my_ident_cli")
		out, errOut, _ := runMariaDBClient(t, id.Host, id.Port, id.User, id.Secret,
			"SELECT CURRENT_USER() AS who;\nDROP TABLE my_ident_cli;\nSELECT 'still alive' AS probe;\n", "--skip-ssl")
		if !strings.Contains(out, agentUser+"@") || !strings.Contains(out, "still alive") ||
			!strings.Contains(errOut, "ERROR 1227 (42000)") || !strings.Contains(errOut, "bulwark refused") {
			t.Fatalf("mariadb: stdout %q stderr %q", out, errOut)
		}
		if !myTableExists(t, "my_ident_cli") {
			t.Fatal("table dropped")
		}
	})
	t.Run("a client answering with ed25519 is switched to mysql_native_password", func(t *testing.T) {
		out, errOut, code := runMariaDBClient(t, id.Host, id.Port, id.User, id.Secret,
			"SELECT 'switched' AS probe;\n", "--skip-ssl", "--default-auth=client_ed25519")
		if code != 0 || !strings.Contains(out, "switched") {
			t.Fatalf("mariadb --default-auth=client_ed25519: exit %d stdout %q stderr %q", code, out, errOut)
		}
		if !strings.Contains(p.Logs(), `"client_plugin":"client_ed25519"`) {
			t.Fatal("bulwark did not switch the client from client_ed25519")
		}
	})
	t.Run("a wrong secret is refused with 1045 and audited", func(t *testing.T) {
		bad := id
		bad.Secret = "not-the-secret"
		err := openMySQL(t, bad.DSN()).PingContext(testCtx(t))
		me := requireMyError(t, err, 1045, "Access denied for user 'claude'")
		if string(me.SQLState[:]) != "28000" {
			t.Errorf("SQLSTATE %s", me.SQLState)
		}
		found := false
		for _, e := range auditEvents(t, p.testProxy) {
			found = found || e.Rule == "login-failed" && e.User == "claude" && e.Protocol == "mysql"
		}
		if !found {
			t.Error("no login-failed audit event")
		}
	})
	t.Run("COM_CHANGE_USER is refused and the session goes on", func(t *testing.T) {
		rc := dialRawMySQL(t, p.Addr, id.User, id.Secret, testDatabase)
		rc.sendChangeUser(t, humanUser, humanPassword, testDatabase)
		answer := rc.read(t)
		if answer[0] != 0xff || !strings.Contains(string(answer), "COM_CHANGE_USER") || !strings.Contains(string(answer), "bulwark refused") {
			t.Fatalf("COM_CHANGE_USER: want bulwark's refusal, got %q", answer)
		}
		if who := rc.queryValue(t, "SELECT CURRENT_USER()"); !strings.HasPrefix(who, agentUser+"@") {
			t.Fatalf("after the refusal the session runs as %q", who)
		}
	})
	if my.Ed25519 {
		t.Run("a route whose account uses ed25519", func(t *testing.T) {
			ed := addMyIdentity(t, p, "add", "ed-agent", "--route", "ed")
			c := myConnectWhenReady(t, ed.DSN())
			if who := myCurrentUser(t, c); !strings.HasPrefix(who, edUser+"@") {
				t.Fatalf("runs as %q, want %s", who, edUser)
			}
		})
	}
	t.Run("a human with passthrough still logs in to the upstream", func(t *testing.T) {
		h := myConn(t, openMySQL(t, p.DSN(humanUser)))
		if who := myCurrentUser(t, h); !strings.HasPrefix(who, humanUser+"@") {
			t.Fatalf("human: %q", who)
		}
	})
	t.Run("revoke ends a live session within a second and refuses new ones", func(t *testing.T) {
		live := myConnectWhenReady(t, id.DSN())
		runMyIdentities(t, p, "revoke", "claude")
		deadline := time.Now().Add(1500 * time.Millisecond)
		for {
			var one int
			if err := live.QueryRowContext(testCtx(t), "SELECT 1").Scan(&one); err != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the revoked identity's session is still open")
			}
			time.Sleep(50 * time.Millisecond)
		}
		err := openMySQL(t, id.DSN()).PingContext(testCtx(t))
		requireMyError(t, err, 1045, "revoked")
	})
	t.Run("the upstream password appears nowhere", func(t *testing.T) {
		for _, secret := range []string{agentPassword, edPassword} {
			if strings.Contains(p.Logs(), secret) {
				t.Error("bulwark's log contains an upstream password")
			}
			for _, e := range auditEvents(t, p.testProxy) {
				if strings.Contains(e.Reason+e.Statement, secret) {
					t.Errorf("audit event %d contains an upstream password", e.ID)
				}
			}
		}
	})
}

func TestIdentityMySQLRotation(t *testing.T) {
	p := startMySQLProxy(t, withMyRoute(t))
	old := addMyIdentity(t, p, "add", "rotor", "--route", "app")
	oldConn := myConnectWhenReady(t, old.DSN())
	rotated := addMyIdentity(t, p, "rotate", "rotor")
	if rotated.Secret == old.Secret {
		t.Fatal("rotate printed the same secret")
	}
	conn := myConnectWhenReady(t, rotated.DSN())
	err := openMySQL(t, old.DSN()).PingContext(testCtx(t))
	requireMyError(t, err, 1045, "Access denied")
	var one int
	if err := oldConn.QueryRowContext(testCtx(t), "SELECT 1").Scan(&one); err == nil {
		t.Fatal("a session opened with the old secret is still open")
	}
	if err := conn.QueryRowContext(testCtx(t), "SELECT 1").Scan(&one); err != nil {
		t.Fatal(err)
	}
}

// TestIdentityMySQLUpstreamRefusal: when the server refuses the route's
// account, the client learns only that bulwark could not log in for it.
func TestIdentityMySQLUpstreamRefusal(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "wrong-password")
	if err := os.WriteFile(pw, []byte("not-the-agent-password"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startMySQLProxy(t, func(c *config.Config) {
		c.Routes = map[string]config.Route{"bad": {MySQL: config.RouteLogin{User: agentUser, PasswordFile: pw}}}
	})
	id := addMyIdentity(t, p, "add", "unlucky", "--route", "bad")
	var err error
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		// Until the proxy has the identity, the server refuses the
		// unknown user itself.
		err = openMySQL(t, id.DSN()).PingContext(testCtx(t))
		if err == nil || strings.Contains(err.Error(), "bulwark") {
			break
		}
	}
	me := requireMyError(t, err, 1045, "bulwark could not log in to the database server for this identity")
	if strings.Contains(me.Message, agentUser) || strings.Contains(p.Logs(), "not-the-agent-password") {
		t.Fatalf("the upstream account leaks: %q", me.Message)
	}
}

// TestIdentityMySQLOverTLS: the client leg verify-full against the test CA,
// with go-sql-driver and the mariadb client, and both legs encrypted.
func TestIdentityMySQLOverTLS(t *testing.T) {
	pki := needPKI(t)
	for _, tc := range []struct {
		name string
		opts []proxyOption
	}{
		{"client leg", nil},
		{"both legs", []proxyOption{myWithUpstreamTLS(t, "verify-full", "localhost")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.opts) > 0 {
				needMySQLTLS(t)
			}
			p := startMySQLProxy(t, append([]proxyOption{withMyRoute(t), myWithClientTLS(t, true, false)}, tc.opts...)...)
			id := addMyIdentity(t, p, "add", "tls-agent", "--route", "app", "--host", "localhost")
			conn := myConnectWhenReady(t, id.DSN(myTLSParam(t, "bulwark-identity-"+strings.ReplaceAll(tc.name, " ", "-"))))
			if who := myCurrentUser(t, conn); !strings.HasPrefix(who, agentUser+"@") {
				t.Fatalf("runs as %q", who)
			}
			encrypted := myUpstreamCipher(t, conn) != ""
			if encrypted != (len(tc.opts) > 0) {
				t.Errorf("upstream leg encrypted: %v", encrypted)
			}
			myFreshTable(t, "my_ident_tls")
			_, err := conn.ExecContext(testCtx(t), "TRUNCATE my_ident_tls")
			requireMyRefused(t, err, "truncate")
			out, errOut, _ := runMariaDBClient(t, id.Host, id.Port, id.User, id.Secret,
				"SELECT CURRENT_USER() AS who;\nDROP TABLE my_ident_tls;\n\\s\n",
				"--ssl", "--ssl-ca="+pki.CAFile, "--ssl-verify-server-cert")
			if !strings.Contains(out, agentUser+"@") || !strings.Contains(out, "Cipher in use") ||
				!strings.Contains(errOut, "ERROR 1227 (42000)") {
				t.Fatalf("mariadb over TLS: stdout %q stderr %q", out, errOut)
			}
		})
	}
}

// TestIdentityMySQLProvenByCertificate: the MySQL side of certificate-bound
// identities.
func TestIdentityMySQLProvenByCertificate(t *testing.T) {
	pki := needPKI(t)
	p := startMySQLProxy(t, withMyRoute(t), myWithClientTLS(t, false, true))
	id := addMyIdentity(t, p, "add", "ci-runner", "--route", "app", "--host", "localhost",
		"--certificate-subject", "CN=ci-runner,O=Acme")
	load := func(subject pkix.Name) tls.Certificate {
		certFile, keyFile := pki.ClientCert(t, subject)
		c, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	id.Secret = ""
	conn := myConnectWhenReady(t, id.DSN(myTLSParam(t, "bulwark-cert-identity", load(pkix.Name{CommonName: "ci-runner", Organization: []string{"Acme"}}))))
	if who := myCurrentUser(t, conn); !strings.HasPrefix(who, agentUser+"@") {
		t.Fatalf("runs as %q", who)
	}
	myFreshTable(t, "my_cert_ident")
	_, err := conn.ExecContext(testCtx(t), "DROP TABLE my_cert_ident")
	requireMyRefused(t, err, "drop-object")

	other := openMySQL(t, id.DSN(myTLSParam(t, "bulwark-cert-other", load(pkix.Name{CommonName: "someone-else"}))))
	if err := other.PingContext(testCtx(t)); err == nil {
		t.Fatal("another certificate logged in without the secret")
	}
}
