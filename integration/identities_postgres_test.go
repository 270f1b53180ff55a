package integration

import (
	"context"
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/bulwarkdb/bulwark/config"
)

// withRoute adds route "app": the upstream account agent_bot, its password
// read from a file.
func withRoute(t testing.TB) proxyOption {
	pw := filepath.Join(t.TempDir(), "agent-password")
	if err := os.WriteFile(pw, []byte(agentPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(c *config.Config) {
		c.Routes = map[string]config.Route{"app": {
			Postgres: config.RouteLogin{User: agentUser, PasswordFile: pw, Database: testDatabase},
		}}
	}
}

var pgURLRe = regexp.MustCompile(`(?m)^\s+(postgres://\S+)$`)

// addIdentity creates an identity with the real binary against p's audit
// database and configuration, and returns its PostgreSQL URL as printed.
func addIdentity(t testing.TB, p *testProxy, args ...string) (url, output string) {
	t.Helper()
	out := runIdentities(t, p, args...)
	m := pgURLRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no postgres:// URL in the output:\n%s", out)
	}
	return m[1], out
}

// runIdentities runs `bulwark identities ARGS` with p's configuration (its
// real listen address) and returns what it printed.
func runIdentities(t testing.TB, p *testProxy, args ...string) string {
	t.Helper()
	cfg := p.Config
	cfg.Listen.Postgres = p.Addr
	file := writeConfig(t, cfg)
	out, stderr, code := runBulwark(t, "", append([]string{"identities", "-c", file}, args...)...)
	if code != 0 {
		t.Fatalf("bulwark identities %v: exit %d: %s", args, code, stderr)
	}
	return out
}

// connectWhenReady connects once the running proxy has picked up a new
// identity (it polls the store every 250 ms).
func connectWhenReady(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, dsn)
		cancel()
		if err == nil {
			t.Cleanup(func() { _ = conn.Close(context.Background()) })
			return conn
		}
		if time.Now().After(deadline) {
			t.Fatalf("connect as the new identity: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestIdentityPostgres(t *testing.T) {
	p := startProxy(t, withRoute(t))
	url, out := addIdentity(t, p, "add", "claude", "--route", "app")
	for _, want := range []string{"PGPASSWORD=", "DATABASE_URL=", "PGUSER=claude", "/" + testDatabase + "?"} {
		if !strings.Contains(out, want) {
			t.Errorf("add output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, agentPassword) || strings.Contains(url, agentUser) {
		t.Fatalf("the connection strings reveal the upstream account:\n%s", out)
	}

	conn := connectWhenReady(t, url)
	ctx := testCtx(t)
	var who string
	if err := conn.QueryRow(ctx, "SELECT current_user").Scan(&who); err != nil || who != agentUser {
		t.Fatalf("the identity's session runs as %q (%v), want the route's account %s", who, err, agentUser)
	}
	t.Run("its statements are judged and audited under its name", func(t *testing.T) {
		freshTable(t, "ident_t")
		_, err := conn.Exec(ctx, "DROP TABLE ident_t")
		_, id := requireRefused(t, err, "drop-object")
		requireAudited(t, p, id, wantEvent{User: "claude", Rule: "drop-object"})
		if !relationExists(t, "ident_t") {
			t.Fatal("table dropped")
		}
	})
	t.Run("psql logs in with the URL", func(t *testing.T) {
		stdout, stderr, code := runPsql(t, url, "", "-tAc", "SELECT 'psql-ok'")
		if code != 0 || strings.TrimSpace(stdout) != "psql-ok" {
			t.Fatalf("psql: %d %q %q", code, stdout, stderr)
		}
	})
	t.Run("a wrong secret is refused and audited", func(t *testing.T) {
		bad := regexp.MustCompile(`://claude:[^@]+@`).ReplaceAllString(url, "://claude:not-the-secret@")
		_, err := pgx.Connect(ctx, bad)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "28P01" {
			t.Fatalf("wrong secret: want 28P01, got %v", err)
		}
		found := false
		for _, e := range auditEvents(t, p) {
			found = found || e.Rule == "login-failed" && e.User == "claude"
		}
		if !found {
			t.Error("no login-failed audit event")
		}
	})
	t.Run("the upstream password appears nowhere", func(t *testing.T) {
		if strings.Contains(p.Logs(), agentPassword) {
			t.Error("bulwark's log contains the upstream password")
		}
		for _, e := range auditEvents(t, p) {
			if strings.Contains(e.Reason+e.Statement, agentPassword) {
				t.Errorf("audit event %d contains the upstream password", e.ID)
			}
		}
	})
	t.Run("a human with passthrough still logs in to the upstream", func(t *testing.T) {
		h := connectPgx(t, p.HumanDSN())
		if err := h.QueryRow(ctx, "SELECT current_user").Scan(&who); err != nil || who != humanUser {
			t.Fatalf("human: %q %v", who, err)
		}
	})
	t.Run("revoke ends a live session within a second and refuses new ones", func(t *testing.T) {
		live := connectWhenReady(t, url)
		runIdentities(t, p, "revoke", "claude")
		revoked := time.Now()
		deadline := revoked.Add(1500 * time.Millisecond)
		for {
			_, err := live.Exec(ctx, "SELECT 1")
			if err != nil {
				t.Logf("the revoked session ended %s after the revoke command returned", time.Since(revoked).Round(time.Millisecond))
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the revoked identity's session is still open")
			}
			time.Sleep(50 * time.Millisecond)
		}
		_, err := pgx.Connect(ctx, url)
		if err == nil || !strings.Contains(err.Error(), "revoked") {
			t.Fatalf("a revoked identity logged in: %v", err)
		}
	})
}

func TestIdentityRotationAndBackoff(t *testing.T) {
	p := startProxy(t, withRoute(t))
	oldURL, _ := addIdentity(t, p, "add", "rotor", "--route", "app")
	old := connectWhenReady(t, oldURL)
	secret := regexp.MustCompile(`://rotor:([^@]+)@`).FindStringSubmatch(oldURL)[1]
	list := runIdentities(t, p, "list", "--format", "json")
	if !strings.Contains(list, `"name": "rotor"`) || !strings.Contains(list, `"route": "app"`) || strings.Contains(list, secret) {
		t.Fatalf("identities list:\n%s", list)
	}
	newURL, _ := addIdentity(t, p, "rotate", "rotor")
	if newURL == oldURL {
		t.Fatal("rotate printed the same secret")
	}
	conn := connectWhenReady(t, newURL)
	ctx := testCtx(t)
	if _, err := pgx.Connect(ctx, oldURL); err == nil {
		t.Fatal("the old secret still works after rotate")
	}
	if _, err := old.Exec(ctx, "SELECT 1"); err == nil {
		t.Fatal("a session opened with the old secret is still open")
	}
	mustExec(t, conn, "SELECT 1")

	// Repeated failures from one address slow that address down for the
	// identity, even with the right secret.
	bad := regexp.MustCompile(`://rotor:[^@]+@`).ReplaceAllString(newURL, "://rotor:wrong@")
	for i := 0; i < 4; i++ {
		_, _ = pgx.Connect(ctx, bad)
	}
	_, err := pgx.Connect(ctx, newURL)
	if err == nil || !strings.Contains(err.Error(), "too many failed logins") {
		t.Fatalf("after repeated failures: want a back-off refusal, got %v", err)
	}
}

// TestIdentityOverTLS: the printed connection string with sslmode=verify-full
// against the test CA, and a certificate subject that marks agents.
func TestIdentityOverTLS(t *testing.T) {
	pki := needPKI(t)
	p := startProxy(t, withRoute(t), func(c *config.Config) {
		c.TLS = config.TLS{CertFile: pki.CertFile, KeyFile: pki.KeyFile}
		c.Identity.Default = "human"
	})
	url, _ := addIdentity(t, p, "add", "tls-agent", "--route", "app", "--host", "localhost")
	if !strings.Contains(url, "sslmode=verify-full") {
		t.Fatalf("URL without verify-full: %s", url)
	}
	conn := connectWhenReady(t, url+"&sslrootcert="+pki.CAFile)
	freshTable(t, "ident_tls")
	_, err := conn.Exec(testCtx(t), "TRUNCATE ident_tls")
	requireRefused(t, err, "truncate")
}

// TestCertificateSubjectMarksAgents: a verified client certificate whose
// subject matches identity.agents.certificate_subjects makes even a human
// account's session an agent (mTLS as an identity signal).
func TestCertificateSubjectMarksAgents(t *testing.T) {
	pki := needPKI(t)
	p := startProxy(t, func(c *config.Config) {
		c.TLS = config.TLS{CertFile: pki.CertFile, KeyFile: pki.KeyFile, ClientCAFile: pki.CAFile}
		c.Identity.Agents.CertificateSubjects = []string{"CN=ci-*"}
	})
	certFile, keyFile := pki.ClientCert(t, pkix.Name{CommonName: "ci-runner", Organization: []string{"Acme"}})
	tlsDSN := func(extra ...string) string {
		dsn := makeDSN(p.Addr, humanUser, humanPassword, testDatabase, append([]string{"sslmode=verify-full", "sslrootcert=" + pki.CAFile}, extra...)...)
		return strings.Replace(dsn, "127.0.0.1", "localhost", 1)
	}
	freshTable(t, "cert_t")
	withCert := connectPgx(t, tlsDSN("sslcert="+certFile, "sslkey="+keyFile))
	_, err := withCert.Exec(testCtx(t), "TRUNCATE cert_t")
	_, id := requireRefused(t, err, "truncate")
	requireAudited(t, p, id, wantEvent{User: humanUser, Rule: "truncate"})
	without := connectPgx(t, tlsDSN())
	if _, err := without.Exec(testCtx(t), "TRUNCATE cert_t"); err != nil {
		t.Fatalf("the same human without the certificate: %v", err)
	}
}

// TestAgentSignalsFromTheConnection: an agents-only listener and an agent
// address range make a human account's session an agent.
func TestAgentSignalsFromTheConnection(t *testing.T) {
	p := startProxy(t, func(c *config.Config) { c.Listen.PostgresAgents = "127.0.0.1:0" })
	freshTable(t, "signal_t")
	agents := p.Server.Addr("postgres_agents")
	if agents == "" {
		t.Fatal("no agents-only listener")
	}
	viaAgents := connectPgx(t, makeDSN(agents, humanUser, humanPassword, testDatabase))
	_, err := viaAgents.Exec(testCtx(t), "TRUNCATE signal_t")
	requireRefused(t, err, "truncate")
	viaMain := connectPgx(t, p.HumanDSN())
	if _, err := viaMain.Exec(testCtx(t), "TRUNCATE signal_t"); err != nil {
		t.Fatalf("the same human on the main listener: %v", err)
	}

	q := startProxy(t, func(c *config.Config) { c.Identity.Agents.Addresses = []string{"127.0.0.0/8"} })
	freshTable(t, "signal_t")
	fromRange := connectPgx(t, q.HumanDSN())
	_, err = fromRange.Exec(testCtx(t), "TRUNCATE signal_t")
	requireRefused(t, err, "truncate")
}

// TestIdentityProvenByCertificate: an identity bound to a client
// certificate subject logs in with that certificate and no secret; another
// certificate still needs the secret.
func TestIdentityProvenByCertificate(t *testing.T) {
	pki := needPKI(t)
	p := startProxy(t, withRoute(t), func(c *config.Config) {
		c.TLS = config.TLS{CertFile: pki.CertFile, KeyFile: pki.KeyFile, ClientCAFile: pki.CAFile}
	})
	url, _ := addIdentity(t, p, "add", "ci-runner", "--route", "app", "--host", "localhost",
		"--certificate-subject", "CN=ci-runner,O=Acme")
	noSecret := regexp.MustCompile(`://ci-runner:[^@]+@`).ReplaceAllString(url, "://ci-runner@") + "&sslrootcert=" + pki.CAFile
	certFile, keyFile := pki.ClientCert(t, pkix.Name{CommonName: "ci-runner", Organization: []string{"Acme"}})
	conn := connectWhenReady(t, noSecret+"&sslcert="+certFile+"&sslkey="+keyFile)
	freshTable(t, "cert_ident_t")
	_, err := conn.Exec(testCtx(t), "DROP TABLE cert_ident_t")
	_, id := requireRefused(t, err, "drop-object")
	requireAudited(t, p, id, wantEvent{User: "ci-runner", Rule: "drop-object"})

	otherCert, otherKey := pki.ClientCert(t, pkix.Name{CommonName: "someone-else", Organization: []string{"Acme"}})
	if c, err := pgx.Connect(testCtx(t), noSecret+"&sslcert="+otherCert+"&sslkey="+otherKey); err == nil {
		c.Close(testCtx(t))
		t.Fatal("another certificate logged in without the secret")
	}
}

// TestIdentityRouteRefusedUpstream: when the route's account cannot log in,
// the client learns that much and nothing about the account.
func TestIdentityRouteRefusedUpstream(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "wrong-password")
	if err := os.WriteFile(pw, []byte("not-"+agentPassword), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, func(c *config.Config) {
		c.Routes = map[string]config.Route{"app": {Postgres: config.RouteLogin{User: agentUser, PasswordFile: pw, Database: testDatabase}}}
	})
	url, _ := addIdentity(t, p, "add", "misrouted", "--route", "app")
	deadline := time.Now().Add(3 * time.Second)
	var err error
	for {
		var c *pgx.Conn
		if c, err = pgx.Connect(testCtx(t), url); err == nil {
			c.Close(testCtx(t))
			t.Fatal("logged in although the route's password is wrong")
		}
		if strings.Contains(err.Error(), "could not log in to the database server") || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond) // the identity is not loaded yet
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "08006" || strings.Contains(pe.Message, agentUser) || strings.Contains(pe.Message, agentPassword) {
		t.Fatalf("want a 08006 refusal naming neither account nor password, got %v", err)
	}
	if strings.Contains(p.Logs(), agentPassword) {
		t.Error("the log holds a password")
	}
}
