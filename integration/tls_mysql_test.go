//go:build !bulwark_no_mysql

package integration

// TLS on both legs of the MySQL listener, against the harness MariaDB (which
// runs with TLS from the test PKI), with go-sql-driver and the real
// `mariadb` client.

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/bulwarkdb/bulwark/config"
)

// myWithClientTLS makes bulwark's MySQL listener offer TLS with the test
// PKI's certificate; require refuses clients in clear, clientCA asks for
// client certificates of the test CA.
func myWithClientTLS(t testing.TB, require, clientCA bool) proxyOption {
	p := needPKI(t)
	return func(c *config.Config) {
		c.TLS = config.TLS{CertFile: p.CertFile, KeyFile: p.KeyFile, Require: require}
		if clientCA {
			c.TLS.ClientCAFile = p.CAFile
		}
	}
}

// myWithUpstreamTLS makes bulwark reach the MariaDB over TLS in mode,
// verifying against the test CA.
func myWithUpstreamTLS(t testing.TB, mode, serverName string) proxyOption {
	p := needPKI(t)
	return func(c *config.Config) {
		c.Upstream.MySQL.TLS = config.UpstreamTLS{Mode: mode, CAFile: p.CAFile, ServerName: serverName}
	}
}

var myTLSRegister sync.Mutex

// myTLSParam registers with go-sql-driver a TLS configuration that verifies
// bulwark's certificate as localhost against the test CA (presenting
// clientCert when given) and returns the DSN parameter that selects it.
func myTLSParam(t testing.TB, name string, clientCert ...tls.Certificate) string {
	t.Helper()
	pool := x509.NewCertPool()
	pem, err := os.ReadFile(needPKI(t).CAFile)
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("test CA: %v", err)
	}
	myTLSRegister.Lock()
	defer myTLSRegister.Unlock()
	if err := mysql.RegisterTLSConfig(name, &tls.Config{RootCAs: pool, ServerName: "localhost", Certificates: clientCert}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mysql.DeregisterTLSConfig(name) })
	return "tls=" + name
}

// needMySQLTLS skips a test of bulwark's upstream TLS when the MySQL test
// server has none (a server from BULWARK_MYSQL_ADDR may not).
func needMySQLTLS(t *testing.T) {
	t.Helper()
	needMySQL(t)
	if v := myQueryString(t, "SELECT @@have_ssl"); v != "YES" {
		skipUnlessRequired(t, "the MySQL test server has no TLS (have_ssl = "+v+")")
	}
}

// mySessionStarted returns bulwark's "session started" log lines for user.
func mySessionStarted(p *mysqlProxy, user string) []string {
	var out []string
	for _, l := range strings.Split(p.Logs(), "\n") {
		if strings.Contains(l, `"msg":"session started"`) && strings.Contains(l, `"user":"`+user+`"`) {
			out = append(out, l)
		}
	}
	return out
}

// myUpstreamCipher is the TLS cipher the server sees on the session's own
// connection (empty in clear).
func myUpstreamCipher(t testing.TB, c *sql.Conn) string {
	t.Helper()
	var name, v string
	if err := c.QueryRowContext(testCtx(t), "SHOW SESSION STATUS LIKE 'Ssl_cipher'").Scan(&name, &v); err != nil {
		t.Fatalf("Ssl_cipher: %v", err)
	}
	return v
}

// myAgentDropRefused proves, on one connection of dsn, that an agent's
// DROP TABLE is refused with 1227 and the session goes on.
func myAgentDropRefused(t *testing.T, p *mysqlProxy, dsn, table string) *sql.Conn {
	t.Helper()
	sum := myFreshTable(t, table)
	before := sum()
	c := myConn(t, openMySQL(t, dsn))
	_, err := c.ExecContext(testCtx(t), "DROP TABLE "+table)
	id := requireMyRefused(t, err, "drop-object")
	requireMyAudited(t, p, id, wantEvent{User: agentUser, Rule: "drop-object", Category: "drop", Statement: "DROP TABLE " + table})
	var one int
	if err := c.QueryRowContext(testCtx(t), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("the session is not usable after the refusal: %v", err)
	}
	if sum() != before {
		t.Fatalf("table %s changed", table)
	}
	return c
}

func TestMySQLTLSClientLeg(t *testing.T) {
	p := startMySQLProxy(t, myWithClientTLS(t, false, false))
	param := myTLSParam(t, "bulwark-client-leg")

	t.Run("a TLS client verifying bulwark has its agent's DROP refused over TLS, and goes on", func(t *testing.T) {
		c := myAgentDropRefused(t, p, p.DSN(agentUser, param), "my_tls_client_drop")
		if cipher := myUpstreamCipher(t, c); cipher != "" {
			t.Errorf("the upstream leg is encrypted (%s) though upstream.mysql.tls is off", cipher)
		}
		lines := mySessionStarted(p, agentUser)
		if len(lines) == 0 || !strings.Contains(lines[len(lines)-1], `"tls":true`) {
			t.Fatalf("bulwark did not log a TLS session: %q", lines)
		}
	})
	t.Run("ed25519 works from a TLS client to the server in clear", func(t *testing.T) {
		if !my.Ed25519 {
			t.Skip("the server has no ed25519 plugin")
		}
		db := openMySQL(t, p.DSN(edUser, param))
		var err error
		for range 5 { // see the ed25519 nonce retry in mysql_test.go
			if err = db.PingContext(testCtx(t)); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("ed25519 over TLS to bulwark: %v", err)
		}
	})
	t.Run("a client in clear is still served without tls.require", func(t *testing.T) {
		if err := openMySQL(t, p.DSN(humanUser)).PingContext(testCtx(t)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the mariadb client with --ssl-verify-server-cert", func(t *testing.T) {
		out, errOut := myCLI(t, p, "--ssl", "--ssl-ca="+needPKI(t).CAFile, "--ssl-verify-server-cert")
		if !strings.Contains(errOut, "ERROR 1227 (42000)") || !strings.Contains(errOut, "bulwark refused") {
			t.Fatalf("want the refusal, got stderr %q", errOut)
		}
		if !strings.Contains(out, "still alive") || !strings.Contains(out, "Cipher in use") {
			t.Fatalf("want the session to go on over TLS, got %q", out)
		}
	})
}

// myCLI runs the mariadb client as the agent through p with args: a DROP
// that must be refused, then a probe and the client's status (\s), which
// names its TLS cipher.
func myCLI(t *testing.T, p *mysqlProxy, args ...string) (stdout, stderr string) {
	t.Helper()
	cli, err := exec.LookPath("mariadb")
	if err != nil {
		if cli, err = exec.LookPath("mysql"); err != nil {
			skipUnlessRequired(t, "no mariadb client binary")
		}
	}
	myFreshTable(t, "my_tls_cli")
	_, port, _ := net.SplitHostPort(p.Addr)
	cmd := exec.CommandContext(testCtx(t), cli, append([]string{"--no-defaults", "--protocol=TCP", "-h", "localhost", "-P", port,
		"-u", agentUser, "-p" + agentPassword, "--force", "--batch"}, append(args, testDatabase)...)...)
	cmd.Stdin = strings.NewReader("DROP TABLE my_tls_cli;\nSELECT 'still alive' AS probe;\n\\s\n")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("mariadb: %v", err)
	}
	return out.String(), errb.String()
}

func TestMySQLTLSRequire(t *testing.T) {
	p := startMySQLProxy(t, myWithClientTLS(t, true, false))

	t.Run("a client in clear is refused with ER_SECURE_TRANSPORT_REQUIRED", func(t *testing.T) {
		err := openMySQL(t, p.DSN(agentUser)).PingContext(testCtx(t))
		var me *mysql.MySQLError
		if !errors.As(err, &me) || me.Number != 3159 || !strings.Contains(me.Message, "requires TLS") {
			t.Fatalf("want ERR 3159 saying bulwark requires TLS, got %v", err)
		}
		t.Logf("the client was told: %v", err)
	})
	t.Run("a TLS client is served", func(t *testing.T) {
		myAgentDropRefused(t, p, p.DSN(agentUser, myTLSParam(t, "bulwark-require")), "my_tls_require_drop")
	})
}

func TestMySQLTLSUpstreamLeg(t *testing.T) {
	needMySQLTLS(t)
	for _, tc := range []struct{ mode, serverName string }{
		{"require", ""},
		{"verify-ca", "not-the-server.example"}, // verify-ca checks no name
		{"verify-full", ""},                     // the address's host, 127.0.0.1
		{"verify-full", "localhost"},
	} {
		t.Run(tc.mode+" "+tc.serverName+": a client in clear reaches the server over TLS", func(t *testing.T) {
			p := startMySQLProxy(t, myWithUpstreamTLS(t, tc.mode, tc.serverName))
			c := myAgentDropRefused(t, p, p.DSN(agentUser), "my_tls_up_drop")
			if cipher := myUpstreamCipher(t, c); cipher == "" {
				t.Fatalf("the server sees no TLS on bulwark's connection")
			}
			if err := openMySQL(t, p.DSN(humanUser)).PingContext(testCtx(t)); err != nil {
				t.Fatalf("human over TLS upstream: %v", err)
			}
			if my.Ed25519 {
				db := openMySQL(t, p.DSN(edUser))
				var err error
				for range 5 {
					if err = db.PingContext(testCtx(t)); err == nil {
						break
					}
				}
				if err != nil {
					t.Fatalf("ed25519 from a client in clear over TLS upstream: %v", err)
				}
			}
		})
	}
	t.Run("verify-full with a server_name the certificate does not carry fails clearly", func(t *testing.T) {
		p := startMySQLProxy(t, myWithUpstreamTLS(t, "verify-full", "wrong.example"))
		err := openMySQL(t, p.DSN(agentUser)).PingContext(testCtx(t))
		var me *mysql.MySQLError
		if !errors.As(err, &me) || !strings.Contains(me.Message, "could not set up TLS with the database server") ||
			!strings.Contains(me.Message, "wrong.example") {
			t.Fatalf("want bulwark's error naming the TLS failure, got %v", err)
		}
		t.Logf("the client was told: %v", err)
	})
	t.Run("verify-ca against another CA fails clearly", func(t *testing.T) {
		other, err := newTestPKI()
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(other.Dir)
		p := startMySQLProxy(t, func(c *config.Config) {
			c.Upstream.MySQL.TLS = config.UpstreamTLS{Mode: "verify-ca", CAFile: other.CAFile}
		})
		err = openMySQL(t, p.DSN(agentUser)).PingContext(testCtx(t))
		var me *mysql.MySQLError
		if !errors.As(err, &me) || !strings.Contains(me.Message, "could not set up TLS") || !strings.Contains(me.Message, "verify-ca") {
			t.Fatalf("want bulwark's error naming the TLS failure, got %v", err)
		}
		t.Logf("the client was told: %v", err)
	})
}

func TestMySQLTLSBothLegs(t *testing.T) {
	needMySQLTLS(t)
	p := startMySQLProxy(t, myWithClientTLS(t, false, false), myWithUpstreamTLS(t, "verify-full", "localhost"))
	param := myTLSParam(t, "bulwark-both-legs")
	t.Run("an agent's DROP is refused and the session goes on", func(t *testing.T) {
		c := myAgentDropRefused(t, p, p.DSN(agentUser, param), "my_tls_both_drop")
		if myUpstreamCipher(t, c) == "" {
			t.Fatalf("the server sees no TLS on bulwark's connection")
		}
	})
	t.Run("ed25519", func(t *testing.T) {
		if !my.Ed25519 {
			t.Skip("the server has no ed25519 plugin")
		}
		db := openMySQL(t, p.DSN(edUser, param))
		var err error
		for range 5 {
			if err = db.PingContext(testCtx(t)); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("ed25519 over TLS on both legs: %v", err)
		}
	})
	t.Run("the mariadb client", func(t *testing.T) {
		out, errOut := myCLI(t, p, "--ssl", "--ssl-ca="+needPKI(t).CAFile, "--ssl-verify-server-cert")
		if !strings.Contains(errOut, "ERROR 1227 (42000)") || !strings.Contains(out, "still alive") {
			t.Fatalf("stdout %q, stderr %q", out, errOut)
		}
	})
}

func TestMySQLTLSClientCertificate(t *testing.T) {
	p := startMySQLProxy(t, myWithClientTLS(t, false, true))
	certFile, keyFile := needPKI(t).ClientCert(t, pkix.Name{CommonName: "ci-agent-7", Organization: []string{"Acme"}})
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a verified certificate's subject is logged with the session", func(t *testing.T) {
		myAgentDropRefused(t, p, p.DSN(agentUser, myTLSParam(t, "bulwark-client-cert", cert)), "my_tls_cert_drop")
		lines := mySessionStarted(p, agentUser)
		if len(lines) == 0 || !strings.Contains(lines[len(lines)-1], `"client_cert":"CN=ci-agent-7,O=Acme"`) {
			t.Fatalf("bulwark did not log the certificate's subject: %q", lines)
		}
	})
	t.Run("a TLS client without a certificate is served", func(t *testing.T) {
		if err := openMySQL(t, p.DSN(humanUser, myTLSParam(t, "bulwark-no-cert"))).PingContext(testCtx(t)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a certificate of another CA is refused in the TLS handshake", func(t *testing.T) {
		other, err := newTestPKI()
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(other.Dir)
		cf, kf := other.ClientCert(t, pkix.Name{CommonName: "intruder"})
		bad, err := tls.LoadX509KeyPair(cf, kf)
		if err != nil {
			t.Fatal(err)
		}
		if err := openMySQL(t, p.DSN(agentUser, myTLSParam(t, "bulwark-bad-cert", bad))).PingContext(testCtx(t)); err == nil {
			t.Fatal("a client certificate of an unknown CA was accepted")
		}
	})
}
