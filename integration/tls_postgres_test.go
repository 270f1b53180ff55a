package integration

// TLS on both legs of a PostgreSQL session: clients to bulwark (tls.*) and
// bulwark to the server (upstream.postgres.tls.*), against the harness
// server, which runs with ssl=on and a certificate of the test PKI.

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/bulwarkdb/bulwark/config"
)

// withClientTLS makes bulwark offer TLS to clients with the test PKI's
// server certificate; require refuses plain-text clients, clientCA asks
// for client certificates of the test CA.
func withClientTLS(t testing.TB, require, clientCA bool) proxyOption {
	p := needPKI(t)
	return func(c *config.Config) {
		c.TLS = config.TLS{CertFile: p.CertFile, KeyFile: p.KeyFile, Require: require}
		if clientCA {
			c.TLS.ClientCAFile = p.CAFile
		}
	}
}

// withOtherClientCertificate gives bulwark a certificate of its own for
// localhost, not the one the harness server presents.
func withOtherClientCertificate(t testing.TB) proxyOption {
	certFile, keyFile, err := needPKI(t).issue("bulwark-own-"+strconv.FormatInt(time.Now().UnixNano(), 36), pkix.Name{CommonName: "localhost"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return func(c *config.Config) { c.TLS.CertFile, c.TLS.KeyFile = certFile, keyFile }
}

// withUpstreamTLS sets upstream.postgres.tls.
func withUpstreamTLS(mode, caFile, serverName string) proxyOption {
	return func(c *config.Config) {
		c.Upstream.Postgres.TLS = config.UpstreamTLS{Mode: mode, CAFile: caFile, ServerName: serverName}
	}
}

// needServerTLS returns the CA of the server's certificate; without one
// the test skips, or fails under BULWARK_REQUIRE_DB=1.
func needServerTLS(t testing.TB) string {
	t.Helper()
	needDB(t)
	if pg.CAFile == "" {
		if os.Getenv("BULWARK_REQUIRE_DB") == "1" {
			t.Fatal("the test server's TLS CA is unknown: set BULWARK_PG_CA_FILE for a server named by BULWARK_PG_ADDR")
		}
		t.Skip("the test server's TLS CA is unknown (BULWARK_PG_CA_FILE)")
	}
	return pg.CAFile
}

// verifyFull are the connection parameters of a client that encrypts and
// verifies bulwark's certificate against the test CA and the name
// localhost.
func verifyFull(t testing.TB, extra ...string) []string {
	return append([]string{"sslmode=verify-full", "sslrootcert=" + needPKI(t).CAFile}, extra...)
}

// localhostDSN is p.DSN with the host spelt localhost (the name on the
// test certificate; verify-full checks it).
func localhostDSN(p *testProxy, user string, params ...string) string {
	_, port, _ := net.SplitHostPort(p.Addr)
	return makeDSN(net.JoinHostPort("localhost", port), user, passwordOf(user), testDatabase, params...)
}

// requireTLSConn fails unless conn runs over TLS.
func requireTLSConn(t testing.TB, conn *pgconn.PgConn) {
	t.Helper()
	if _, ok := conn.Conn().(*tls.Conn); !ok {
		t.Fatalf("the connection is %T, want TLS", conn.Conn())
	}
}

// upstreamSSL reports whether the backend of conn's session has TLS on its
// side (pg_stat_ssl), that is, whether bulwark reached the server over TLS.
func upstreamSSL(t testing.TB, conn *pgconn.PgConn) string {
	t.Helper()
	return protoValue(t, conn, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
}

func TestTLSPostgresClientLeg(t *testing.T) {
	t.Parallel()
	needDB(t)
	p := startProxy(t, withClientTLS(t, false, false))

	t.Run("pgx with sslmode=verify-full gets TLS, its DROP is refused and the session stays usable", func(t *testing.T) {
		t.Parallel()
		sum := freshTable(t, "tls_pgx_drop")
		before := sum()
		conn := protoPgconn(t, localhostDSN(p, agentUser, verifyFull(t)...))
		requireTLSConn(t, conn)
		_, err := protoExec(t, conn, "DROP TABLE tls_pgx_drop")
		_, id := requireRefused(t, err, "drop-object")
		requireAudited(t, p, id, wantEvent{User: agentUser, Rule: "drop-object", Statement: "DROP TABLE tls_pgx_drop"})
		if after := sum(); after != before {
			t.Fatalf("table changed: %s -> %s", before, after)
		}
		protoRequireUsable(t, conn)
		if got := upstreamSSL(t, conn); got != "f" {
			t.Fatalf("upstream leg ssl = %s, want f (upstream.postgres.tls.mode is disable)", got)
		}
	})

	t.Run("psql with sslmode=verify-full gets TLS, its DROP is refused and the session stays usable", func(t *testing.T) {
		t.Parallel()
		sum := freshTable(t, "tls_psql_drop")
		before := sum()
		out, stderr, code := runPsql(t, localhostDSN(p, agentUser, verifyFull(t)...), "",
			"-c", `\conninfo`, "-c", "DROP TABLE tls_psql_drop", "-c", "SELECT 'after the refusal'")
		if code != 0 && !strings.Contains(stderr, "bulwark refused") {
			t.Fatalf("psql exited %d: %s", code, stderr)
		}
		if !strings.Contains(out, "SSL connection") {
			t.Fatalf("psql \\conninfo does not report TLS:\n%s\n%s", out, stderr)
		}
		if !strings.Contains(stderr, "bulwark refused") || !strings.Contains(stderr, "drop-object") {
			t.Fatalf("want bulwark's refusal of the DROP, psql said:\n%s", stderr)
		}
		if !strings.Contains(out, "after the refusal") {
			t.Fatalf("the session was not usable after the refusal:\n%s\n%s", out, stderr)
		}
		if after := sum(); after != before {
			t.Fatalf("table changed: %s -> %s", before, after)
		}
	})

	t.Run("a plain-text client is still served when TLS is offered but not required", func(t *testing.T) {
		t.Parallel()
		conn := protoPgconn(t, p.AgentDSN())
		if _, ok := conn.Conn().(*tls.Conn); ok {
			t.Fatal("sslmode=disable got TLS")
		}
		protoRequireUsable(t, conn)
	})

	t.Run("a client verifying another name refuses bulwark's certificate", func(t *testing.T) {
		t.Parallel()
		// The test certificate names localhost and 127.0.0.1.
		cfg, err := pgconn.ParseConfig(p.AgentDSN(verifyFull(t)...))
		if err != nil {
			t.Fatal(err)
		}
		cfg.TLSConfig.ServerName = "db.example"
		c, err := pgconn.ConnectConfig(testCtx(t), cfg)
		if err == nil {
			c.Close(context.Background())
			t.Fatal("connected although the certificate does not name db.example")
		}
	})
}

func TestTLSPostgresRequire(t *testing.T) {
	t.Parallel()
	needDB(t)
	p := startProxy(t, withClientTLS(t, true, false))

	t.Run("pgx in plain text gets FATAL 28000 saying TLS is required and how", func(t *testing.T) {
		t.Parallel()
		_, err := pgconn.Connect(testCtx(t), p.AgentDSN())
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			t.Fatalf("want a server error, got %v", err)
		}
		if pe.Severity != "FATAL" || pe.Code != "28000" || !strings.Contains(pe.Message, "requires TLS") || !strings.Contains(pe.Message, "sslmode=require") {
			t.Fatalf("got %s %s %q", pe.Severity, pe.Code, pe.Message)
		}
	})

	t.Run("psql in plain text is refused with the same message", func(t *testing.T) {
		t.Parallel()
		_, stderr, code := runPsql(t, p.AgentDSN(), "", "-c", "SELECT 1")
		if code == 0 || !strings.Contains(stderr, "bulwark requires TLS") {
			t.Fatalf("psql exited %d: %s", code, stderr)
		}
	})

	t.Run("sslmode=prefer goes over TLS and is served", func(t *testing.T) {
		t.Parallel()
		conn := protoPgconn(t, p.AgentDSN("sslmode=prefer"))
		requireTLSConn(t, conn)
		protoRequireUsable(t, conn)
	})

	t.Run("psql with sslmode=require is served", func(t *testing.T) {
		t.Parallel()
		out, stderr, code := runPsql(t, p.AgentDSN("sslmode=require"), "", "-At", "-c", "SELECT 'over tls'")
		if code != 0 || strings.TrimSpace(out) != "over tls" {
			t.Fatalf("psql exited %d: %s %s", code, out, stderr)
		}
	})

	t.Run("a CancelRequest in plain text still cancels, as libpq before 17 sends it", func(t *testing.T) {
		t.Parallel()
		conn := protoPgconn(t, p.AgentDSN("sslmode=require"))
		done := make(chan error, 1)
		go func() {
			_, err := conn.Exec(context.Background(), "SELECT pg_sleep(30) /* tls-require-plain-cancel */").ReadAll()
			done <- err
		}()
		protoWaitActive(t, "tls-require-plain-cancel")
		plainCancel(t, p.Addr, conn.PID(), conn.SecretKey())
		requireCancelled(t, done)
		protoRequireUsable(t, conn)
	})

	t.Run("a CancelRequest over TLS cancels, as pgx and libpq 17 send it", func(t *testing.T) {
		t.Parallel()
		conn := protoPgconn(t, localhostDSN(p, agentUser, verifyFull(t)...))
		done := make(chan error, 1)
		go func() {
			_, err := conn.Exec(context.Background(), "SELECT pg_sleep(30) /* tls-require-tls-cancel */").ReadAll()
			done <- err
		}()
		protoWaitActive(t, "tls-require-tls-cancel")
		if err := conn.CancelRequest(testCtx(t)); err != nil {
			t.Fatalf("CancelRequest: %v", err)
		}
		requireCancelled(t, done)
		protoRequireUsable(t, conn)
	})
}

// plainCancel sends a CancelRequest in plain text, as libpq's PQcancel does.
func plainCancel(t testing.TB, addr string, pid uint32, secret []byte) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	msg := binary.BigEndian.AppendUint32(nil, uint32(12+len(secret)))
	msg = binary.BigEndian.AppendUint32(msg, 80877102)
	msg = binary.BigEndian.AppendUint32(msg, pid)
	if _, err := nc.Write(append(msg, secret...)); err != nil {
		t.Fatal(err)
	}
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var b [1]byte
	_, _ = nc.Read(b[:]) // bulwark closes once it has forwarded the request
}

// requireCancelled waits for a query's error and requires 57014.
func requireCancelled(t testing.TB, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		if pe := protoPgError(t, err); pe.Code != "57014" {
			t.Fatalf("got %s %s, want 57014 query_canceled", pe.Code, pe.Message)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the query was not cancelled within 10s")
	}
}

func TestTLSPostgresUpstream(t *testing.T) {
	t.Parallel()
	ca := needServerTLS(t)
	host, _, _ := net.SplitHostPort(pg.Addr)

	for _, mode := range []string{"require", "verify-ca", "verify-full"} {
		t.Run("mode "+mode+" reaches the server over TLS for a plain-text client", func(t *testing.T) {
			t.Parallel()
			p := startProxy(t, withUpstreamTLS(mode, ca, ""))
			conn := protoPgconn(t, p.AgentDSN())
			if got := upstreamSSL(t, conn); got != "t" {
				t.Fatalf("upstream leg ssl = %s, want t", got)
			}
			_, err := protoExec(t, conn, "DROP TABLE IF EXISTS tls_upstream_nothing")
			requireRefused(t, err, "drop-object")
			protoRequireUsable(t, conn)
			// libpq gives up when a server offers SCRAM-SHA-256-PLUS
			// over a plain-text connection; bulwark withholds it.
			out, stderr, code := runPsql(t, p.AgentDSN(), "", "-At", "-c", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
			if code != 0 || strings.TrimSpace(out) != "t" {
				t.Fatalf("psql exited %d: %s %s", code, out, stderr)
			}
		})
	}

	t.Run("verify-full against a name the certificate does not carry fails with a clear FATAL", func(t *testing.T) {
		t.Parallel()
		p := startProxy(t, withUpstreamTLS("verify-full", ca, "db.example"))
		_, err := pgconn.Connect(testCtx(t), p.AgentDSN())
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Severity != "FATAL" || pe.Code != "08006" ||
			!strings.Contains(pe.Message, "could not verify the database server's TLS certificate") {
			t.Fatalf("want FATAL 08006 about the server's certificate, got %v", err)
		}
		if strings.Contains(pe.Message, "db.example") || strings.Contains(pe.Message, host) {
			t.Fatalf("the client's message reveals the upstream's details: %q", pe.Message)
		}
		if !strings.Contains(p.Logs(), "db.example") {
			t.Errorf("bulwark's log does not say why the certificate was refused")
		}
	})

	t.Run("verify-ca without the CA (system roots) fails with a clear FATAL", func(t *testing.T) {
		t.Parallel()
		p := startProxy(t, withUpstreamTLS("verify-ca", "", ""))
		_, err := pgconn.Connect(testCtx(t), p.AgentDSN())
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "08006" || !strings.Contains(pe.Message, "could not verify") {
			t.Fatalf("want FATAL 08006 about the server's certificate, got %v", err)
		}
	})

	t.Run("a server that answers N to the TLS request ends the session with a clear FATAL", func(t *testing.T) {
		t.Parallel()
		plain := startNoTLSServer(t)
		p := startProxy(t, func(c *config.Config) { c.Upstream.Postgres.Address = plain }, withUpstreamTLS("require", "", ""))
		_, err := pgconn.Connect(testCtx(t), p.AgentDSN())
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "08006" || !strings.Contains(pe.Message, "does not accept TLS") {
			t.Fatalf("want FATAL 08006 saying the server does not accept TLS, got %v", err)
		}
	})

	t.Run("a cancel is forwarded over TLS too", func(t *testing.T) {
		t.Parallel()
		p := startProxy(t, withUpstreamTLS("verify-full", ca, ""))
		conn := protoPgconn(t, p.AgentDSN())
		done := make(chan error, 1)
		go func() {
			_, err := conn.Exec(context.Background(), "SELECT pg_sleep(30) /* tls-upstream-cancel */").ReadAll()
			done <- err
		}()
		protoWaitActive(t, "tls-upstream-cancel")
		if err := conn.CancelRequest(testCtx(t)); err != nil {
			t.Fatalf("CancelRequest: %v", err)
		}
		requireCancelled(t, done)
		protoRequireUsable(t, conn)
	})
}

// startNoTLSServer listens like a PostgreSQL server without TLS: it
// answers an SSLRequest with 'N' and hangs up.
func startNoTLSServer(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
				var b [8]byte
				if _, err := nc.Read(b[:]); err == nil {
					_, _ = nc.Write([]byte{'N'})
				}
				_, _ = nc.Read(b[:])
			}()
		}
	}()
	return ln.Addr().String()
}

func TestTLSPostgresBothLegs(t *testing.T) {
	t.Parallel()
	ca := needServerTLS(t)

	t.Run("pgx and psql without channel binding pass SCRAM through two TLS channels", func(t *testing.T) {
		t.Parallel()
		p := startProxy(t, withClientTLS(t, true, false), withOtherClientCertificate(t), withUpstreamTLS("verify-full", ca, ""))
		conn := protoPgconn(t, localhostDSN(p, agentUser, verifyFull(t, "channel_binding=disable")...))
		requireTLSConn(t, conn)
		if got := upstreamSSL(t, conn); got != "t" {
			t.Fatalf("upstream leg ssl = %s, want t", got)
		}
		_, err := protoExec(t, conn, "DROP TABLE IF EXISTS tls_both_nothing")
		requireRefused(t, err, "drop-object")
		protoRequireUsable(t, conn)

		out, stderr, code := runPsql(t, localhostDSN(p, agentUser, verifyFull(t, "channel_binding=disable")...), "", "-At",
			"-c", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
		if code != 0 || strings.TrimSpace(out) != "t" {
			t.Fatalf("psql exited %d: %s %s", code, out, stderr)
		}
	})

	t.Run("a client that would bind to the channel is refused by the server, as channel binding demands", func(t *testing.T) {
		t.Parallel()
		// With SCRAM-SHA-256-PLUS withheld, pgx and libpq (channel_binding
		// prefer, the default) tell the server they could have bound; a
		// server with TLS on its side takes that for a downgrade attack.
		p := startProxy(t, withClientTLS(t, true, false), withOtherClientCertificate(t), withUpstreamTLS("verify-full", ca, ""))
		c, err := pgconn.Connect(testCtx(t), localhostDSN(p, agentUser, verifyFull(t)...))
		if err == nil {
			c.Close(context.Background())
			t.Fatal("pgx connected; the limitation README documents (Channel binding) no longer holds: update README and this test")
		}
		if !strings.Contains(err.Error(), "channel binding") {
			t.Fatalf("want the server's channel binding refusal, got %v", err)
		}
		_, stderr, code := runPsql(t, localhostDSN(p, agentUser, verifyFull(t)...), "", "-c", "SELECT 1")
		if code == 0 || !strings.Contains(stderr, "channel binding") {
			t.Fatalf("want the server's channel binding refusal for psql, got exit %d: %s", code, stderr)
		}
	})

	t.Run("bulwark presenting the server's own certificate lets channel binding hold end to end", func(t *testing.T) {
		t.Parallel()
		// The harness server uses the PKI's server certificate, the one
		// withClientTLS gives bulwark.
		p := startProxy(t, withClientTLS(t, true, false), withUpstreamTLS("verify-full", ca, ""))
		conn := protoPgconn(t, localhostDSN(p, agentUser, verifyFull(t, "channel_binding=require")...))
		requireTLSConn(t, conn)
		protoRequireUsable(t, conn)
	})
}

func TestTLSPostgresClientCertificate(t *testing.T) {
	t.Parallel()
	needDB(t)
	p := startProxy(t, withClientTLS(t, false, true))
	certFile, keyFile := needPKI(t).ClientCert(t, pkix.Name{CommonName: "ci-agent", Organization: []string{"Acme"}})

	t.Run("a verified client certificate's subject lands in the session", func(t *testing.T) {
		conn := protoPgconn(t, localhostDSN(p, agentUser, verifyFull(t, "sslcert="+certFile, "sslkey="+keyFile)...))
		requireTLSConn(t, conn)
		protoRequireUsable(t, conn)
		if !strings.Contains(p.Logs(), `"client_cert":"CN=ci-agent,O=Acme"`) {
			t.Fatalf("the session's log line does not carry the certificate's subject:\n%s", p.Logs())
		}
	})

	t.Run("a client without a certificate still logs in with its password", func(t *testing.T) {
		conn := protoPgconn(t, localhostDSN(p, agentUser, verifyFull(t)...))
		requireTLSConn(t, conn)
		protoRequireUsable(t, conn)
	})

	t.Run("a certificate from another CA is refused in the handshake", func(t *testing.T) {
		other, err := newTestPKI()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(other.Dir) })
		cf, kf := other.ClientCert(t, pkix.Name{CommonName: "intruder"})
		c, err := pgconn.Connect(testCtx(t), localhostDSN(p, agentUser, verifyFull(t, "sslcert="+cf, "sslkey="+kf)...))
		if err == nil {
			c.Close(context.Background())
			t.Fatal("connected with a certificate bulwark's client CA did not issue")
		}
		if strings.Contains(p.Logs(), "CN=intruder") {
			t.Fatal("an unverified subject reached the session")
		}
	})
}
