package integration

// Protocol transparency: through an agent session bulwark must behave like
// the server for every ordinary use of the PostgreSQL protocol (COPY,
// LISTEN/NOTIFY, cancellation, encryption negotiation, large results,
// errors and notices, the extended protocol, pipelines, transaction status)
// while still refusing what policy refuses, whatever the session does to its
// own settings. Malformed input aimed at the proxy must only ever cost the
// session that sent it.

import (
	"bytes"
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/proxy/gate"
	"github.com/bulwarkdb/bulwark/proxy/pgwire"
)

// ---- helpers ----

// protoPgconn opens a low-level pgconn connection (closed at test end).
func protoPgconn(t testing.TB, dsn string, configure ...func(*pgconn.Config)) *pgconn.PgConn {
	t.Helper()
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("parse DSN: %v", err)
	}
	for _, f := range configure {
		f(cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect %s: %v", cfg.User, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = conn.Close(ctx)
	})
	return conn
}

// protoExec runs sql with the simple Query protocol and returns every
// result.
func protoExec(t testing.TB, conn *pgconn.PgConn, sql string) ([]*pgconn.Result, error) {
	t.Helper()
	return conn.Exec(testCtx(t), sql).ReadAll()
}

// protoExecParams runs sql with the extended protocol (unnamed statement).
func protoExecParams(t testing.TB, conn *pgconn.PgConn, sql string, args ...string) *pgconn.Result {
	t.Helper()
	params := make([][]byte, len(args))
	for i, a := range args {
		params[i] = []byte(a)
	}
	return conn.ExecParams(testCtx(t), sql, params, nil, nil, nil).Read()
}

// protoMustExec runs sql with the simple protocol and fails on any error.
func protoMustExec(t testing.TB, conn *pgconn.PgConn, sql string) []*pgconn.Result {
	t.Helper()
	res, err := protoExec(t, conn, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res
}

// protoValue returns the single value of a simple-protocol query.
func protoValue(t testing.TB, conn *pgconn.PgConn, sql string) string {
	t.Helper()
	res := protoMustExec(t, conn, sql)
	if len(res) != 1 || len(res[0].Rows) != 1 || len(res[0].Rows[0]) != 1 {
		t.Fatalf("%s: want one value, got %d results", sql, len(res))
	}
	return string(res[0].Rows[0][0])
}

// protoRequireUsable asserts a session still answers queries.
func protoRequireUsable(t testing.TB, conn *pgconn.PgConn) {
	t.Helper()
	if got := protoValue(t, conn, "SELECT 'still usable'"); got != "still usable" {
		t.Fatalf("session after the event: got %q", got)
	}
}

// protoTable creates table name with columns in the test database, owned by
// the agent, and drops it at test end.
func protoTable(t testing.TB, name, columns string) {
	t.Helper()
	q := quoteIdent(name)
	adminExec(t, "DROP TABLE IF EXISTS "+q+" CASCADE", "CREATE TABLE "+q+" ("+columns+")", "ALTER TABLE "+q+" OWNER TO "+agentUser)
	t.Cleanup(func() { _, _ = adminDB.Exec("DROP TABLE IF EXISTS " + q + " CASCADE") })
}

// protoDigest returns "count/md5" over id and payload of table, in id
// order, computed by the server.
func protoDigest(t testing.TB, table string) string {
	t.Helper()
	var n int
	var sum string
	err := adminDB.QueryRow(fmt.Sprintf(
		"SELECT count(*), coalesce(md5(string_agg(id::text || ':' || payload, E'\\n' ORDER BY id)), '') FROM %s", quoteIdent(table))).Scan(&n, &sum)
	if err != nil {
		t.Fatalf("digest of %s: %v", table, err)
	}
	return fmt.Sprintf("%d/%s", n, sum)
}

// protoLocalDigest computes what protoDigest returns for rows id 1..n with
// protoPayload payloads.
func protoLocalDigest(n int) string {
	h := md5.New()
	for i := 1; i <= n; i++ {
		if i > 1 {
			h.Write([]byte{'\n'})
		}
		fmt.Fprintf(h, "%d:%s", i, protoPayload(i))
	}
	return fmt.Sprintf("%d/%s", n, hex.EncodeToString(h.Sum(nil)))
}

// protoPayload is row i's text: it carries the characters COPY's text format
// must escape (tab, newline, backslash) and multi-byte UTF-8, so that any
// re-encoding on the way shows in the digest.
func protoPayload(i int) string {
	return fmt.Sprintf("row %d\ttab \\ back\nnew 'q' \"d\" é€😀 %s", i, strings.Repeat("x", i%37))
}

// protoCopyText escapes s for COPY's text format.
func protoCopyText(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`).Replace(s)
}

// protoWaitActive waits until an agent backend runs a statement containing
// marker (passed as a parameter, so this query does not match itself).
func protoWaitActive(t testing.TB, marker string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := adminQueryInt(t, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND usename = $1 AND position($2 in query) > 0", agentUser, marker)
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no agent backend started running %q within 10s", marker)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// protoPgError extracts a server error, failing the test for anything else.
func protoPgError(t testing.TB, err error) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("want a server error, got %T: %v", err, err)
	}
	return pe
}

// rawSession is a protocol-level client: pgconn does the startup and SCRAM
// exchange, then the connection is hijacked so a test can send exactly the
// messages it wants.
type rawSession struct {
	t  testing.TB
	nc net.Conn
	fe *pgproto3.Frontend
}

func protoRaw(t testing.TB, dsn string) *rawSession {
	t.Helper()
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	hc, err := conn.Hijack()
	if err != nil {
		t.Fatalf("hijack: %v", err)
	}
	t.Cleanup(func() { hc.Conn.Close() })
	return &rawSession{t: t, nc: hc.Conn, fe: hc.Frontend}
}

func (r *rawSession) send(msgs ...pgproto3.FrontendMessage) {
	r.t.Helper()
	for _, m := range msgs {
		r.fe.Send(m)
	}
	if err := r.fe.Flush(); err != nil {
		r.t.Fatalf("send: %v", err)
	}
}

func (r *rawSession) receive() pgproto3.BackendMessage {
	r.t.Helper()
	_ = r.nc.SetReadDeadline(time.Now().Add(15 * time.Second))
	m, err := r.fe.Receive()
	if err != nil {
		r.t.Fatalf("receive: %v", err)
	}
	return m
}

// rawAnswer summarises the messages of one answer.
type rawAnswer struct {
	types string // one letter per message, as on the wire
	tx    byte   // ReadyForQuery status, 0 if the answer stopped earlier
	errs  []*pgconn.PgError
	rows  []string // the first column of every DataRow
	tags  []string
}

func protoMessageType(m pgproto3.BackendMessage) byte {
	b, err := m.Encode(nil)
	if err != nil || len(b) == 0 {
		return '?'
	}
	return b[0]
}

// until reads messages until one of type stop (inclusive).
func (r *rawSession) until(stop byte) rawAnswer {
	r.t.Helper()
	var a rawAnswer
	for {
		m := r.receive()
		typ := protoMessageType(m)
		a.types += string(typ)
		switch m := m.(type) {
		case *pgproto3.ErrorResponse:
			a.errs = append(a.errs, pgconn.ErrorResponseToPgError(m))
		case *pgproto3.DataRow:
			if len(m.Values) > 0 {
				a.rows = append(a.rows, string(m.Values[0]))
			}
		case *pgproto3.CommandComplete:
			a.tags = append(a.tags, string(m.CommandTag))
		case *pgproto3.ReadyForQuery:
			a.tx = m.TxStatus
		}
		if typ == stop {
			return a
		}
	}
}

func (r *rawSession) untilReady() rawAnswer { r.t.Helper(); return r.until('Z') }

// runSimple sends one simple Query and waits for its answer.
func (r *rawSession) runSimple(sql string) rawAnswer {
	r.t.Helper()
	r.send(&pgproto3.Query{String: sql})
	return r.untilReady()
}

// expectClosed asserts the proxy ends the connection within a few seconds,
// after a FATAL with SQLSTATE code ("" for a close without one).
func protoExpectClosed(t testing.TB, nc net.Conn, code string) {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	fe := pgproto3.NewFrontend(nc, io.Discard)
	fatal := ""
	for {
		m, err := fe.Receive()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the proxy kept the connection open")
			}
			break
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok {
			if e.Severity != "FATAL" {
				t.Errorf("error severity %q, want FATAL", e.Severity)
			}
			fatal = e.Code
		}
	}
	if fatal != code {
		t.Fatalf("FATAL %q before the close, want %q", fatal, code)
	}
}

// requireHumanChangesInTransaction runs the human's stmt in a transaction
// that is rolled back, and asserts that proof, read inside it, no longer
// gives intact: the human's identical statement really does what the
// agent's refusal prevented, and the database is left as it was.
func requireHumanChangesInTransaction(t testing.TB, human *pgconn.PgConn, stmt, proof, intact string) {
	t.Helper()
	protoMustExec(t, human, "BEGIN")
	if _, err := protoExec(t, human, stmt); err != nil {
		t.Fatalf("%s: the human's statement failed: %v", stmt, err)
	}
	got := protoValue(t, human, proof)
	protoMustExec(t, human, "ROLLBACK")
	if got == intact {
		t.Fatalf("%s: the human's statement changed nothing (%q)", stmt, got)
	}
}

// protoAgentWorks opens a fresh agent session through p and runs a query,
// proving the proxy still serves.
func protoAgentWorks(t testing.TB, p *testProxy) {
	t.Helper()
	conn := protoPgconn(t, p.AgentDSN())
	protoRequireUsable(t, conn)
}

func protoRawLength(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

// protoCodePacket is a startup-phase packet made of a length and a code.
func protoCodePacket(code uint32) []byte {
	return binary.BigEndian.AppendUint32(protoRawLength(8), code)
}

// protoStartupBytes is a protocol 3.0 StartupMessage with a raw parameter
// block.
func protoStartupBytes(params string) []byte {
	b := protoRawLength(uint32(8 + len(params)))
	b = binary.BigEndian.AppendUint32(b, 3<<16)
	return append(b, params...)
}

// ---- COPY ----

func TestCopyThroughAgentSession(t *testing.T) {
	t.Parallel()
	p := startProxy(t)

	t.Run("pgx CopyFrom loads tens of thousands of rows intact", func(t *testing.T) {
		protoTable(t, "proto_copy_pgx", "id integer PRIMARY KEY, payload text NOT NULL")
		conn := connectPgx(t, p.AgentDSN())
		const n = 40000
		rows := make([][]any, n)
		for i := range rows {
			rows[i] = []any{int32(i + 1), protoPayload(i + 1)}
		}
		copied, err := conn.CopyFrom(testCtx(t), pgx.Identifier{"proto_copy_pgx"}, []string{"id", "payload"}, pgx.CopyFromRows(rows))
		if err != nil || copied != n {
			t.Fatalf("CopyFrom = %d, %v; want %d rows", copied, err, n)
		}
		if got, want := protoDigest(t, "proto_copy_pgx"), protoLocalDigest(n); got != want {
			t.Fatalf("table digest %s, want %s", got, want)
		}
	})

	t.Run("lib/pq CopyIn loads tens of thousands of rows intact", func(t *testing.T) {
		protoTable(t, "proto_copy_pq", "id integer PRIMARY KEY, payload text NOT NULL")
		db := openPQ(t, p.AgentDSN())
		const n = 20000
		txn, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		stmt, err := txn.Prepare("COPY proto_copy_pq (id, payload) FROM STDIN")
		if err != nil {
			t.Fatalf("prepare COPY: %v", err)
		}
		for i := 1; i <= n; i++ {
			if _, err := stmt.Exec(i, protoPayload(i)); err != nil {
				t.Fatalf("row %d: %v", i, err)
			}
		}
		if _, err := stmt.Exec(); err != nil {
			t.Fatalf("end COPY: %v", err)
		}
		if err := stmt.Close(); err != nil {
			t.Fatal(err)
		}
		if err := txn.Commit(); err != nil {
			t.Fatal(err)
		}
		if got, want := protoDigest(t, "proto_copy_pq"), protoLocalDigest(n); got != want {
			t.Fatalf("table digest %s, want %s", got, want)
		}
	})

	t.Run("psql copy from a file loads tens of thousands of rows intact", func(t *testing.T) {
		protoTable(t, "proto_copy_psql", "id integer PRIMARY KEY, payload text NOT NULL")
		const n = 30000
		var buf bytes.Buffer
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&buf, "%d\t%s\n", i, protoCopyText(protoPayload(i)))
		}
		file := filepath.Join(t.TempDir(), "rows.tsv")
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runPsql(t, p.AgentDSN(), "", "-c", `\copy proto_copy_psql (id, payload) FROM '`+file+`'`)
		if code != 0 || !strings.Contains(out, fmt.Sprintf("COPY %d", n)) {
			t.Fatalf("psql exit %d, stdout %q, stderr %q; want COPY %d", code, out, errOut, n)
		}
		if got, want := protoDigest(t, "proto_copy_psql"), protoLocalDigest(n); got != want {
			t.Fatalf("table digest %s, want %s", got, want)
		}
	})

	t.Run("COPY TO STDOUT streams every row unchanged", func(t *testing.T) {
		const query = `COPY (SELECT g, md5(g::text), repeat(E'\\\t', g % 13) FROM generate_series(1, 60000) g) TO STDOUT`
		copyOut := func(dsn string) (string, int64, int) {
			conn := protoPgconn(t, dsn)
			var buf bytes.Buffer
			tag, err := conn.CopyTo(testCtx(t), &buf, query)
			if err != nil {
				t.Fatalf("CopyTo: %v", err)
			}
			sum := md5.Sum(buf.Bytes())
			return hex.EncodeToString(sum[:]), tag.RowsAffected(), bytes.Count(buf.Bytes(), []byte{'\n'})
		}
		gotSum, gotTag, gotLines := copyOut(p.AgentDSN())
		wantSum, _, _ := copyOut(directDSN(agentUser))
		if gotTag != 60000 || gotLines != 60000 {
			t.Fatalf("through bulwark: tag says %d rows, %d lines arrived; want 60000", gotTag, gotLines)
		}
		if gotSum != wantSum {
			t.Fatalf("through bulwark the COPY output has md5 %s, straight from the server %s", gotSum, wantSum)
		}
	})
}

// ---- LISTEN / NOTIFY ----

func TestListenNotifyReachesAgentSession(t *testing.T) {
	t.Parallel()
	p := startProxy(t)
	notes := make(chan pgconn.Notification, 8)
	conn := protoPgconn(t, p.AgentDSN(), func(c *pgconn.Config) {
		c.OnNotification = func(_ *pgconn.PgConn, n *pgconn.Notification) { notes <- *n }
	})
	protoMustExec(t, conn, "LISTEN proto_channel")

	t.Run("a notification sent while the agent waits is delivered", func(t *testing.T) {
		adminExec(t, "NOTIFY proto_channel, 'while waiting'")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := conn.WaitForNotification(ctx); err != nil {
			t.Fatalf("WaitForNotification: %v", err)
		}
		select {
		case n := <-notes:
			if n.Channel != "proto_channel" || n.Payload != "while waiting" {
				t.Fatalf("got notification %+v", n)
			}
		default:
			t.Fatal("WaitForNotification returned without a notification")
		}
	})

	t.Run("a notification sent between queries arrives with a later answer", func(t *testing.T) {
		adminExec(t, "NOTIFY proto_channel, 'between queries'")
		// The server writes the notification to the idle backend's
		// socket; pgconn reads it on the way to a query's answer.
		deadline := time.Now().Add(5 * time.Second)
		for {
			protoRequireUsable(t, conn)
			select {
			case n := <-notes:
				if n.Payload != "between queries" {
					t.Fatalf("got notification %+v", n)
				}
				return
			default:
			}
			if time.Now().After(deadline) {
				t.Fatal("the notification never arrived")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// ---- cancellation ----

func TestCancelThroughAgentSession(t *testing.T) {
	t.Parallel()
	p := startProxy(t)

	t.Run("CancelRequest stops a long query with 57014 and the session stays usable", func(t *testing.T) {
		conn := protoPgconn(t, p.AgentDSN())
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			_, err := conn.Exec(context.Background(), "SELECT pg_sleep(30) /* proto-cancel-explicit */").ReadAll()
			done <- err
		}()
		protoWaitActive(t, "proto-cancel-explicit")
		if err := conn.CancelRequest(testCtx(t)); err != nil {
			t.Fatalf("CancelRequest: %v", err)
		}
		select {
		case err := <-done:
			if pe := protoPgError(t, err); pe.Code != "57014" {
				t.Fatalf("got %s %s, want 57014 query_canceled", pe.Code, pe.Message)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the query was not cancelled within 10s")
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("cancellation took %v", d)
		}
		protoRequireUsable(t, conn)
	})

	t.Run("context cancellation cancels the query through the proxy", func(t *testing.T) {
		conn := protoPgconn(t, p.AgentDSN(), func(c *pgconn.Config) {
			c.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
				return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: 15 * time.Second}
			}
		})
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := conn.Exec(ctx, "SELECT pg_sleep(30)").ReadAll()
		if pe := protoPgError(t, err); pe.Code != "57014" {
			t.Fatalf("got %s %s, want 57014", pe.Code, pe.Message)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("cancellation took %v", d)
		}
		if conn.IsClosed() {
			t.Fatal("the connection was closed instead of the query cancelled")
		}
		protoRequireUsable(t, conn)
	})

	t.Run("a cancel with a bogus key does nothing", func(t *testing.T) {
		conn := protoPgconn(t, p.AgentDSN())
		backendPID, _ := strconv.Atoi(protoValue(t, conn, "SELECT pg_backend_pid()"))
		done := make(chan error, 1)
		go func() {
			_, err := conn.Exec(context.Background(), "SELECT pg_sleep(3) /* proto-cancel-bogus */").ReadAll()
			done <- err
		}()
		protoWaitActive(t, "proto-cancel-bogus")
		bogus := []struct {
			name   string
			pid    uint32
			secret []byte
		}{
			{"the proxy's process id with a wrong secret", conn.PID(), []byte{1, 2, 3, 4}},
			{"the real backend's process id with the proxy's secret", uint32(backendPID), conn.SecretKey()},
			{"a zero key", 0, []byte{0, 0, 0, 0}},
		}
		for _, b := range bogus {
			nc, err := net.Dial("tcp", p.Addr)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := (&pgproto3.CancelRequest{ProcessID: b.pid, SecretKey: b.secret}).Encode(nil)
			if _, err := nc.Write(msg); err != nil {
				t.Fatal(err)
			}
			_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			if n, err := io.Copy(io.Discard, nc); n != 0 || err != nil {
				t.Errorf("%s: the proxy answered %d bytes (%v); want a silent close", b.name, n, err)
			}
			nc.Close()
		}
		// A cancel is delivered asynchronously; give a wrongly forwarded
		// one time to land, then make sure the query is still running.
		time.Sleep(300 * time.Millisecond)
		if n := adminQueryInt(t, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND position($1 in query) > 0", "proto-cancel-bogus"); n != 1 {
			t.Fatalf("the query stopped running after the bogus cancels (%d active)", n)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("the query failed after bogus cancels: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the query did not finish")
		}
	})
}

// ---- encryption negotiation ----

func TestEncryptionRequestsAreDeclined(t *testing.T) {
	t.Parallel()
	p := startProxy(t)

	t.Run("pgx with sslmode=prefer falls back to plain text", func(t *testing.T) {
		conn := connectPgx(t, p.AgentDSN("sslmode=prefer"))
		var v string
		if err := conn.QueryRow(testCtx(t), "SELECT 'plain'").Scan(&v); err != nil || v != "plain" {
			t.Fatalf("query: %q %v", v, err)
		}
	})
	t.Run("lib/pq with sslmode=prefer falls back to plain text", func(t *testing.T) {
		db := openPQ(t, p.AgentDSN("sslmode=prefer"))
		var v string
		if err := db.QueryRow("SELECT 'plain'").Scan(&v); err != nil || v != "plain" {
			t.Fatalf("query: %q %v", v, err)
		}
	})
	t.Run("psql with sslmode=prefer falls back to plain text", func(t *testing.T) {
		out, errOut, code := runPsql(t, p.AgentDSN("sslmode=prefer"), "", "-At", "-c", "SELECT 'plain'")
		if code != 0 || strings.TrimSpace(out) != "plain" {
			t.Fatalf("psql exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	})

	requireMode := []struct {
		name    string
		connect func() error
		want    string
	}{
		{"pgx", func() error {
			c, err := pgconn.Connect(testCtx(t), p.AgentDSN("sslmode=require"))
			if err == nil {
				c.Close(context.Background())
			}
			return err
		}, "server refused TLS connection"},
		{"lib/pq", func() error {
			db, err := sql.Open("postgres", p.AgentDSN("sslmode=require"))
			if err != nil {
				return err
			}
			defer db.Close()
			return db.Ping()
		}, "SSL is not enabled on the server"},
		{"psql", func() error {
			_, errOut, code := runPsql(t, p.AgentDSN("sslmode=require"), "", "-c", "SELECT 1")
			if code == 0 {
				return nil
			}
			return errors.New(errOut)
		}, "server does not support SSL"},
	}
	for _, m := range requireMode {
		t.Run(m.name+" with sslmode=require fails with a clear error", func(t *testing.T) {
			err := m.connect()
			if err == nil || !strings.Contains(err.Error(), m.want) {
				t.Fatalf("got %v, want an error saying %q", err, m.want)
			}
		})
	}

	for _, req := range []struct {
		name string
		code uint32
	}{{"GSSENCRequest", 80877104}, {"SSLRequest", 80877103}} {
		t.Run("a raw "+req.name+" is answered N and startup continues in plain text", func(t *testing.T) {
			nc, err := net.Dial("tcp", p.Addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := nc.Write(protoCodePacket(req.code)); err != nil {
				t.Fatal(err)
			}
			var b [1]byte
			if _, err := io.ReadFull(nc, b[:]); err != nil || b[0] != 'N' {
				t.Fatalf("answer %q (%v), want 'N'", b[0], err)
			}
			fe := pgproto3.NewFrontend(nc, nc)
			fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
				Parameters: map[string]string{"user": agentUser, "database": testDatabase}})
			if err := fe.Flush(); err != nil {
				t.Fatal(err)
			}
			m, err := fe.Receive()
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := m.(*pgproto3.AuthenticationSASL); !ok {
				t.Fatalf("after the plain-text StartupMessage got %T, want the server's SCRAM challenge", m)
			}
		})
	}
}

// ---- large results ----

func TestLargeResultStreamsThroughAgentSession(t *testing.T) {
	t.Parallel()
	p := startProxy(t)
	conn := protoPgconn(t, p.AgentDSN())
	const rows, width = 100_000, 2000 // 200 MB of values
	rr := conn.ExecParams(testCtx(t), "SELECT g, repeat('x', $1::int) FROM generate_series(1, $2::int) g",
		[][]byte{[]byte(strconv.Itoa(width)), []byte(strconv.Itoa(rows))}, nil, nil, nil)
	n, total := 0, 0
	for rr.NextRow() {
		v := rr.Values()
		n++
		if string(v[0]) != strconv.Itoa(n) {
			t.Fatalf("row %d arrived as %q: rows out of order or lost", n, v[0])
		}
		total += len(v[1])
	}
	tag, err := rr.Close()
	if err != nil {
		t.Fatalf("reading the result: %v", err)
	}
	if n != rows || total != rows*width || tag.RowsAffected() != rows {
		t.Fatalf("got %d rows, %d bytes, tag %q; want %d rows, %d bytes", n, total, tag, rows, rows*width)
	}
	protoRequireUsable(t, conn)
}

// ---- errors and notices ----

func TestServerErrorsAndNoticesPassThroughUnchanged(t *testing.T) {
	t.Parallel()
	p := startProxy(t)
	protoTable(t, "proto_errs", "id integer PRIMARY KEY, v integer CHECK (v >= 0)")
	adminExec(t, "INSERT INTO proto_errs VALUES (1, 1)")

	var noticesMu sync.Mutex
	notices := map[string][]pgconn.Notice{}
	onNotice := func(who string) func(*pgconn.Config) {
		return func(c *pgconn.Config) {
			c.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
				noticesMu.Lock()
				notices[who] = append(notices[who], *n)
				noticesMu.Unlock()
			}
		}
	}
	agent := protoPgconn(t, p.AgentDSN(), onNotice("agent"))
	direct := protoPgconn(t, directDSN(agentUser), onNotice("direct"))

	errorCases := []struct{ name, sql, code string }{
		{"division by zero", "SELECT 1/0", "22012"},
		{"an undefined table with its position", "SELECT * FROM proto_no_such_table", "42P01"},
		{"a unique violation with its detail and constraint", "INSERT INTO proto_errs VALUES (1, 1)", "23505"},
		{"a check violation", "INSERT INTO proto_errs VALUES (2, -1)", "23514"},
		{"a raised exception with detail and hint", "DO $$ BEGIN RAISE EXCEPTION 'custom failure' USING DETAIL = 'the detail', HINT = 'the hint', ERRCODE = 'P0042'; END $$", "P0042"},
	}
	for _, tc := range errorCases {
		for _, protocol := range []string{"simple", "extended"} {
			t.Run(tc.name+" arrives unchanged over the "+protocol+" protocol", func(t *testing.T) {
				run := func(conn *pgconn.PgConn) *pgconn.PgError {
					var err error
					if protocol == "simple" {
						_, err = protoExec(t, conn, tc.sql)
					} else {
						err = protoExecParams(t, conn, tc.sql).Err
					}
					return protoPgError(t, err)
				}
				got, want := run(agent), run(direct)
				if want.Code != tc.code {
					t.Fatalf("the server itself answered %s, the case expects %s", want.Code, tc.code)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("through bulwark:\n%+v\nstraight from the server:\n%+v", *got, *want)
				}
				protoRequireUsable(t, agent)
			})
		}
	}

	t.Run("notices from RAISE and from ordinary statements arrive unchanged", func(t *testing.T) {
		for _, sql := range []string{
			"DO $$ BEGIN RAISE NOTICE 'notice %', 42; RAISE WARNING 'careful' USING DETAIL = 'warning detail'; END $$",
			"CREATE TABLE IF NOT EXISTS proto_errs (id integer)",
		} {
			protoMustExec(t, agent, sql)
			protoMustExec(t, direct, sql)
		}
		noticesMu.Lock()
		defer noticesMu.Unlock()
		got, want := notices["agent"], notices["direct"]
		if len(want) != 3 {
			t.Fatalf("the server itself sent %d notices, want 3: %+v", len(want), want)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("through bulwark:\n%+v\nstraight from the server:\n%+v", got, want)
		}
	})
}

// ---- extended protocol ----

// After an error in an extended-protocol request the server answers
// nothing up to the next Sync, and during COPY FROM STDIN it ignores Sync.
// bulwark's account of the answers it still owes must follow, or the next
// statement whose reading depends on the session's settings waits forever,
// and refusals and errors reach the wrong requests.
func TestAnswerTrackingFollowsWhatTheServerSkips(t *testing.T) {
	t.Parallel()
	p := startProxy(t)
	protoTable(t, "proto_skip", "a integer")
	// afterwards asserts the session answers as it should: a statement that
	// waits for every earlier answer, a refusal and a server error, each
	// with its own answer.
	afterwards := func(t *testing.T, r *rawSession) {
		t.Helper()
		if a := r.runSimple("SELECT 'héllo'"); a.types != "TDCZ" || a.rows[0] != "héllo" {
			t.Fatalf("non-ASCII query: %q %v", a.types, a.rows)
		}
		if a := r.runSimple("DELETE FROM proto_skip"); a.types != "EZ" || a.errs[0].Code != "42501" || !strings.Contains(a.errs[0].Message, "delete-no-where") {
			t.Fatalf("refusal: %q %v", a.types, a.errs)
		}
		if a := r.runSimple("SELECT 1/0"); a.types != "EZ" || a.errs[0].Code != "22012" {
			t.Fatalf("division by zero: %q %v", a.types, a.errs)
		}
	}

	// skipping opens an agent session whose server is skipping to Sync: a
	// request ended by Flush failed.
	skipping := func(t *testing.T) *rawSession {
		t.Helper()
		r := protoRaw(t, p.AgentDSN())
		r.send(&pgproto3.Parse{Query: "SELECT * FROM proto_no_such_table"}, &pgproto3.Flush{})
		if a := r.until('E'); a.errs[0].Code != "42P01" {
			t.Fatalf("got %v, want undefined_table", a.errs)
		}
		return r
	}

	t.Run("an error in a request ended by Flush, then the rest and Sync", func(t *testing.T) {
		r := skipping(t)
		r.send(&pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Parse{Query: "SELECT 2"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
		if a := r.untilReady(); a.types != "Z" {
			t.Fatalf("the skipped messages got %q, want only ReadyForQuery", a.types)
		}
		afterwards(t, r)
	})

	t.Run("a Query while the server skips to Sync is skipped like the server skips it", func(t *testing.T) {
		r := skipping(t)
		r.send(&pgproto3.Query{String: "DROP TABLE proto_skip"}, &pgproto3.Query{String: "SELECT 'skipped'"}, &pgproto3.Sync{})
		if a := r.untilReady(); a.types != "Z" {
			t.Fatalf("the skipped Queries got %q, want only the Sync's ReadyForQuery", a.types)
		}
		afterwards(t, r)
	})

	t.Run("a refusal in a request ended by Flush, then the rest and Sync", func(t *testing.T) {
		r := protoRaw(t, p.AgentDSN())
		r.send(&pgproto3.Parse{Query: "DROP TABLE proto_skip"}, &pgproto3.Flush{})
		if a := r.until('E'); a.errs[0].Code != "42501" {
			t.Fatalf("got %v, want the refusal", a.errs)
		}
		r.send(&pgproto3.Parse{Query: "SELECT 2"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
		if a := r.untilReady(); a.types != "Z" {
			t.Fatalf("the skipped messages got %q, want only ReadyForQuery", a.types)
		}
		afterwards(t, r)
	})

	for _, end := range []string{"CopyDone", "CopyFail"} {
		t.Run("COPY FROM STDIN in the extended protocol, ended by "+end, func(t *testing.T) {
			// libpq's PQexecParams sends Sync right after Execute; the
			// server, already in copy-in mode, ignores it.
			r := protoRaw(t, p.AgentDSN())
			before := adminQueryInt(t, "SELECT count(*) FROM proto_skip")
			r.send(&pgproto3.Parse{Query: "COPY proto_skip FROM STDIN"}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
			if a := r.until('G'); a.types != "12nG" {
				t.Fatalf("got %q, want the copy to start", a.types)
			}
			r.send(&pgproto3.CopyData{Data: []byte("1\n2\n")})
			want, added := "CZ", 2
			if end == "CopyFail" {
				r.send(&pgproto3.CopyFail{Message: "changed my mind"})
				want, added = "EZ", 0
			} else {
				r.send(&pgproto3.CopyDone{})
			}
			r.send(&pgproto3.Sync{})
			if a := r.untilReady(); a.types != want {
				t.Fatalf("end of the copy: %q %v, want %q", a.types, a.errs, want)
			}
			if n := adminQueryInt(t, "SELECT count(*) FROM proto_skip"); n != before+added {
				t.Fatalf("%d rows, want %d", n, before+added)
			}
			afterwards(t, r)
		})
	}
}

func TestExtendedProtocolThroughAgentSession(t *testing.T) {
	t.Parallel()
	p := startProxy(t)

	t.Run("a named prepared statement is reused many times", func(t *testing.T) {
		conn := protoPgconn(t, p.AgentDSN())
		if _, err := conn.Prepare(testCtx(t), "proto_named", "SELECT $1::int * 2, $2::text", nil); err != nil {
			t.Fatalf("Prepare: %v", err)
		}
		for i := 0; i < 300; i++ {
			res := conn.ExecPrepared(testCtx(t), "proto_named", [][]byte{[]byte(strconv.Itoa(i)), []byte("v" + strconv.Itoa(i))}, nil, nil).Read()
			if res.Err != nil || len(res.Rows) != 1 || string(res.Rows[0][0]) != strconv.Itoa(2*i) || string(res.Rows[0][1]) != "v"+strconv.Itoa(i) {
				t.Fatalf("execution %d: %v %q", i, res.Err, res.Rows)
			}
		}
	})

	t.Run("unnamed statements with different texts each run", func(t *testing.T) {
		conn := protoPgconn(t, p.AgentDSN())
		for i := 0; i < 100; i++ {
			res := protoExecParams(t, conn, fmt.Sprintf("SELECT $1::int + %d", i), "1000")
			if res.Err != nil || string(res.Rows[0][0]) != strconv.Itoa(1000+i) {
				t.Fatalf("statement %d: %v %q", i, res.Err, res.Rows)
			}
		}
	})

	t.Run("pgx's statement cache serves repeated queries", func(t *testing.T) {
		conn := connectPgx(t, p.AgentDSN())
		for i := 0; i < 200; i++ {
			var n int
			if err := conn.QueryRow(testCtx(t), "SELECT $1::int + 1", i).Scan(&n); err != nil || n != i+1 {
				t.Fatalf("query %d: %d %v", i, n, err)
			}
		}
	})

	t.Run("Describe reports parameters and columns as the server does", func(t *testing.T) {
		const q = "SELECT $1::int8 AS a, $2::text AS b, now() AS c"
		got, err := protoPgconn(t, p.AgentDSN()).Prepare(testCtx(t), "proto_described", q, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := protoPgconn(t, directDSN(agentUser)).Prepare(testCtx(t), "proto_described", q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.ParamOIDs, want.ParamOIDs) || !reflect.DeepEqual(got.Fields, want.Fields) {
			t.Fatalf("through bulwark %+v %+v, from the server %+v %+v", got.ParamOIDs, got.Fields, want.ParamOIDs, want.Fields)
		}
	})

	t.Run("Close removes a prepared statement", func(t *testing.T) {
		conn := protoPgconn(t, p.AgentDSN())
		if _, err := conn.Prepare(testCtx(t), "proto_closed", "SELECT 1", nil); err != nil {
			t.Fatal(err)
		}
		if err := conn.Deallocate(testCtx(t), "proto_closed"); err != nil {
			t.Fatalf("Deallocate (Close message): %v", err)
		}
		res := conn.ExecPrepared(testCtx(t), "proto_closed", nil, nil, nil).Read()
		if pe := protoPgError(t, res.Err); pe.Code != "26000" {
			t.Fatalf("executing a closed statement: %s %s, want 26000", pe.Code, pe.Message)
		}
	})

	t.Run("a portal with a row limit is suspended and resumed", func(t *testing.T) {
		r := protoRaw(t, p.AgentDSN())
		r.send(
			&pgproto3.Parse{Query: "SELECT g FROM generate_series(1, 10) g"},
			&pgproto3.Bind{DestinationPortal: "proto_portal"},
			&pgproto3.Describe{ObjectType: 'P', Name: "proto_portal"},
			&pgproto3.Execute{Portal: "proto_portal", MaxRows: 4},
			&pgproto3.Execute{Portal: "proto_portal", MaxRows: 4},
			&pgproto3.Execute{Portal: "proto_portal", MaxRows: 4},
			&pgproto3.Close{ObjectType: 'P', Name: "proto_portal"},
			&pgproto3.Sync{},
		)
		a := r.untilReady()
		if a.types != "12TDDDDsDDDDsDDC3Z" || strings.Join(a.rows, ",") != "1,2,3,4,5,6,7,8,9,10" || a.tags[0] != "SELECT 2" {
			t.Fatalf("got %q rows %v tags %v; want 12TDDDDsDDDDsDDC3Z with rows 1..10 and SELECT 2", a.types, a.rows, a.tags)
		}
	})

	t.Run("a portal is resumed across Flushes without a Sync", func(t *testing.T) {
		r := protoRaw(t, p.AgentDSN())
		r.send(&pgproto3.Parse{Query: "SELECT g FROM generate_series(1, 10) g"}, &pgproto3.Bind{},
			&pgproto3.Execute{MaxRows: 3}, &pgproto3.Flush{})
		if a := r.until('s'); a.types != "12DDDs" {
			t.Fatalf("first Flush: got %q, want 12DDDs", a.types)
		}
		r.send(&pgproto3.Execute{MaxRows: 3}, &pgproto3.Flush{})
		if a := r.until('s'); a.types != "DDDs" || strings.Join(a.rows, ",") != "4,5,6" {
			t.Fatalf("second Flush: got %q %v, want DDDs with rows 4..6", a.types, a.rows)
		}
		r.send(&pgproto3.Execute{}, &pgproto3.Sync{})
		if a := r.untilReady(); a.types != "DDDDCZ" || a.tx != 'I' {
			t.Fatalf("final Sync: got %q %c, want DDDDCZ I", a.types, a.tx)
		}
	})

	t.Run("a pipeline with a destructive statement in the middle is refused whole", func(t *testing.T) {
		sum := freshTable(t, "proto_pipe")
		before := sum()
		conn := protoPgconn(t, p.AgentDSN())
		pl := conn.StartPipeline(testCtx(t))
		pl.SendQueryParams("INSERT INTO proto_pipe VALUES (1001, 'pipelined', 0)", nil, nil, nil, nil)
		pl.SendQueryParams("DROP TABLE proto_pipe", nil, nil, nil, nil)
		pl.SendQueryParams("SELECT 1", nil, nil, nil, nil)
		pl.SendPipelineSync()
		if err := pl.Flush(); err != nil {
			t.Fatal(err)
		}
		_, err := pl.GetResults()
		requireRefused(t, err, "drop-object")
		res, err := pl.GetResults()
		if _, ok := res.(*pgconn.PipelineSync); !ok || err != nil {
			t.Fatalf("after the refusal got %T %v, want the PipelineSync (nothing else ran)", res, err)
		}
		if err := pl.Close(); err != nil {
			t.Fatalf("pipeline close: %v", err)
		}
		if after := sum(); after != before {
			t.Fatalf("table changed from %s to %s: part of the refused request ran", before, after)
		}

		// The next pipeline is judged afresh and runs.
		pl = conn.StartPipeline(testCtx(t))
		pl.SendQueryParams("INSERT INTO proto_pipe VALUES (1002, 'second', 0)", nil, nil, nil, nil)
		pl.SendQueryParams("SELECT count(*) FROM proto_pipe", nil, nil, nil, nil)
		pl.SendPipelineSync()
		if err := pl.Flush(); err != nil {
			t.Fatal(err)
		}
		var counts []string
		for {
			res, err := pl.GetResults()
			if err != nil {
				t.Fatalf("second pipeline: %v", err)
			}
			if rr, ok := res.(*pgconn.ResultReader); ok {
				r := rr.Read()
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				for _, row := range r.Rows {
					counts = append(counts, string(row[0]))
				}
				continue
			}
			if _, ok := res.(*pgconn.PipelineSync); ok {
				break
			}
		}
		if err := pl.Close(); err != nil {
			t.Fatal(err)
		}
		if len(counts) != 1 || counts[0] != strconv.Itoa(freshTableRows+1) {
			t.Fatalf("second pipeline counted %v, want %d", counts, freshTableRows+1)
		}
	})

	t.Run("refused and allowed requests pipelined across Syncs are answered in order", func(t *testing.T) {
		sum := freshTable(t, "proto_pipe_order")
		before := sum()
		conn := protoPgconn(t, p.AgentDSN())
		pl := conn.StartPipeline(testCtx(t))
		for _, q := range []string{"SELECT 'one'", "DROP TABLE proto_pipe_order", "SELECT 'three'", "TRUNCATE proto_pipe_order", "SELECT 'five'"} {
			pl.SendQueryParams(q, nil, nil, nil, nil)
			pl.SendPipelineSync()
		}
		if err := pl.Flush(); err != nil {
			t.Fatal(err)
		}
		var got []string
		for syncs := 0; syncs < 5; {
			res, err := pl.GetResults()
			if err != nil {
				var pe *pgconn.PgError
				if !errors.As(err, &pe) {
					t.Fatalf("pipeline: %v", err)
				}
				got = append(got, "error "+pe.Code)
				continue
			}
			switch res := res.(type) {
			case *pgconn.ResultReader:
				r := res.Read()
				if r.Err != nil || len(r.Rows) != 1 {
					t.Fatalf("result: %v %q", r.Err, r.Rows)
				}
				got = append(got, string(r.Rows[0][0]))
			case *pgconn.PipelineSync:
				syncs++
				got = append(got, "sync")
			case nil:
				t.Fatalf("the pipeline ended early: %v", got)
			}
		}
		if err := pl.Close(); err != nil {
			t.Fatal(err)
		}
		want := []string{"one", "sync", "error 42501", "sync", "three", "sync", "error 42501", "sync", "five", "sync"}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("answers %q, want %q", got, want)
		}
		if conn.TxStatus() != 'I' || sum() != before {
			t.Fatalf("status %c, table changed: %v", conn.TxStatus(), sum() != before)
		}
	})

	t.Run("a flushed pipeline is answered before its Sync", func(t *testing.T) {
		conn := protoPgconn(t, p.AgentDSN())
		pl := conn.StartPipeline(testCtx(t))
		pl.SendQueryParams("SELECT 'first'", nil, nil, nil, nil)
		pl.SendFlushRequest()
		if err := pl.Flush(); err != nil {
			t.Fatal(err)
		}
		requireResult := func(want string) {
			t.Helper()
			res, err := pl.GetResults()
			rr, ok := res.(*pgconn.ResultReader)
			if err != nil || !ok {
				t.Fatalf("got %T %v, want a result", res, err)
			}
			if r := rr.Read(); r.Err != nil || len(r.Rows) != 1 || string(r.Rows[0][0]) != want {
				t.Fatalf("got %v %q, want %q", r.Err, r.Rows, want)
			}
		}
		requireResult("first")
		pl.SendQueryParams("SELECT 'second'", nil, nil, nil, nil)
		pl.SendPipelineSync()
		if err := pl.Flush(); err != nil {
			t.Fatal(err)
		}
		requireResult("second")
		if res, err := pl.GetResults(); err != nil {
			t.Fatalf("sync: %T %v", res, err)
		}
		if err := pl.Close(); err != nil {
			t.Fatal(err)
		}
		protoRequireUsable(t, conn)
	})

	t.Run("a refusal after a server error in a flushed request leaves the session working", func(t *testing.T) {
		// After an error in an extended-protocol request the server
		// skips every message until Sync. If bulwark answers a refused
		// request's Sync itself, the server never sees a Sync and goes
		// on skipping the session's next request.
		sum := freshTable(t, "proto_pipe_err")
		before := sum()
		conn := protoPgconn(t, p.AgentDSN())
		pl := conn.StartPipeline(testCtx(t))
		pl.SendQueryParams("SELECT 1/0", nil, nil, nil, nil)
		pl.SendFlushRequest()
		if err := pl.Flush(); err != nil {
			t.Fatal(err)
		}
		if _, err := pl.GetResults(); protoPgError(t, err).Code != "22012" {
			t.Fatalf("flushed request: %v, want 22012", err)
		}
		pl.SendQueryParams("DROP TABLE proto_pipe_err", nil, nil, nil, nil)
		pl.SendPipelineSync()
		if err := pl.Flush(); err != nil {
			t.Fatal(err)
		}
		for {
			res, err := pl.GetResults()
			if err != nil {
				if pe := protoPgError(t, err); pe.Code != "42501" {
					t.Fatalf("want the refusal, got %v", err)
				}
				continue
			}
			if _, ok := res.(*pgconn.PipelineSync); ok || res == nil {
				break
			}
		}
		if err := pl.Close(); err != nil {
			t.Fatalf("pipeline close: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res := conn.ExecParams(ctx, "SELECT 'next request'", nil, nil, nil, nil).Read()
		if res.Err != nil || len(res.Rows) != 1 {
			t.Fatalf("the request after the refusal: %v (rows %q); want its answer", res.Err, res.Rows)
		}
		if after := sum(); after != before {
			t.Fatalf("table changed from %s to %s", before, after)
		}
	})

	t.Run("a refusal after a flushed INSERT settles the INSERT at its ReadyForQuery", func(t *testing.T) {
		// Everything up to Sync is one implicit transaction. When bulwark
		// refuses the rest of it, the ReadyForQuery it sends says the
		// request is over; the INSERT already executed must then be
		// either committed or rolled back, not left open on the server
		// to be committed by whatever request comes next.
		freshTable(t, "proto_pipe_tx")
		conn := protoPgconn(t, p.AgentDSN())
		pl := conn.StartPipeline(testCtx(t))
		pl.SendQueryParams("INSERT INTO proto_pipe_tx VALUES (2001, 'flushed', 0)", nil, nil, nil, nil)
		pl.SendFlushRequest()
		if err := pl.Flush(); err != nil {
			t.Fatal(err)
		}
		if res, err := pl.GetResults(); err != nil {
			t.Fatalf("flushed INSERT: %v", err)
		} else if r := res.(*pgconn.ResultReader).Read(); r.Err != nil {
			t.Fatalf("flushed INSERT: %v", r.Err)
		}
		pl.SendQueryParams("DROP TABLE proto_pipe_tx", nil, nil, nil, nil)
		pl.SendPipelineSync()
		if err := pl.Flush(); err != nil {
			t.Fatal(err)
		}
		_, err := pl.GetResults()
		requireRefused(t, err, "drop-object")
		if res, err := pl.GetResults(); err != nil {
			t.Fatalf("sync: %T %v", res, err)
		}
		if err := pl.Close(); err != nil {
			t.Fatal(err)
		}
		if st := conn.TxStatus(); st != 'I' {
			t.Fatalf("ReadyForQuery said %c, want I", st)
		}
		count := func() int { return adminQueryInt(t, "SELECT count(*) FROM proto_pipe_tx WHERE id = 2001") }
		settled := count()
		protoRequireUsable(t, conn) // an unrelated, later request
		if later := count(); later != settled {
			t.Fatalf("the flushed INSERT was invisible (%d rows) when the refused request ended and became visible (%d) after an unrelated later request: "+
				"bulwark swallowed the Sync and left the implicit transaction open on the server", settled, later)
		}
		// A refusal behaves like a server error (README), which rolls
		// back the implicit transaction of the whole pipeline.
		if settled != 0 {
			t.Fatalf("the flushed INSERT of the refused pipeline was committed; a server error would have rolled it back")
		}
	})

	t.Run("lib/pq prepared statements run and refusals keep the session", func(t *testing.T) {
		sum := freshTable(t, "proto_pq_ext")
		before := sum()
		db := openPQ(t, p.AgentDSN())
		stmt, err := db.Prepare("SELECT note FROM proto_pq_ext WHERE id = $1")
		if err != nil {
			t.Fatal(err)
		}
		defer stmt.Close()
		for i := 1; i <= 50; i++ {
			var note string
			if err := stmt.QueryRow(i).Scan(&note); err != nil || note != "note "+strconv.Itoa(i) {
				t.Fatalf("row %d: %q %v", i, note, err)
			}
		}
		_, err = db.Exec("DELETE FROM proto_pq_ext WHERE id > $1 OR true", 0)
		requireRefused(t, err, "delete-always-true")
		var n int
		if err := db.QueryRow("SELECT count(*) FROM proto_pq_ext").Scan(&n); err != nil || n != freshTableRows {
			t.Fatalf("after the refusal: %d %v", n, err)
		}
		if sum() != before {
			t.Fatal("table changed")
		}
	})
}

// ---- transaction status ----

func TestTransactionStatusIsTruthful(t *testing.T) {
	// ReadyForQuery must say what the server's state really is. A refusal
	// behaves like an error raised by the server (README): inside a
	// transaction it aborts it. pg_stat_activity, the server's own view of
	// the backend, is the referee.
	t.Parallel()
	p := startProxy(t)
	serverState := map[byte]string{'I': "idle", 'T': "idle in transaction", 'E': "idle in transaction (aborted)"}
	for _, protocol := range []string{"simple", "extended"} {
		t.Run("over the "+protocol+" protocol", func(t *testing.T) {
			table := "proto_tx_" + protocol
			freshTable(t, table)
			conn := protoPgconn(t, p.AgentDSN())
			pid := protoValue(t, conn, "SELECT pg_backend_pid()")
			run := func(sql string) (string, error) {
				if protocol == "simple" {
					res, err := protoExec(t, conn, sql)
					if len(res) > 0 {
						return res[len(res)-1].CommandTag.String(), err
					}
					return "", err
				}
				res := protoExecParams(t, conn, sql)
				return res.CommandTag.String(), res.Err
			}
			steps := []struct {
				name    string
				sql     string
				refused string // rule, for a refusal
				code    string // SQLSTATE, for a server error
				tag     string // command tag, when it matters
				wantTx  byte
			}{
				{"a refusal outside a transaction leaves the session idle", "DROP TABLE " + table, "drop-object", "", "", 'I'},
				{"BEGIN opens a transaction", "BEGIN", "", "", "", 'T'},
				{"an INSERT runs in it", "INSERT INTO " + table + " VALUES (5001, 'before refusal', 0)", "", "", "", 'T'},
				{"a refusal inside it aborts it", "DROP TABLE " + table, "drop-object", "", "", 'E'},
				{"the server then ignores statements", "INSERT INTO " + table + " VALUES (5002, 'after refusal', 0)", "", "25P02", "", 'E'},
				{"a second refusal keeps it aborted", "TRUNCATE " + table, "truncate", "", "", 'E'},
				{"COMMIT of the aborted transaction rolls back", "COMMIT", "", "", "ROLLBACK", 'I'},
				{"BEGIN again", "BEGIN", "", "", "", 'T'},
				{"an INSERT without refusal", "INSERT INTO " + table + " VALUES (5003, 'kept', 0)", "", "", "", 'T'},
				{"COMMIT commits it", "COMMIT", "", "", "COMMIT", 'I'},
				{"BEGIN a third time", "BEGIN", "", "", "", 'T'},
				{"a server error fails the transaction", "SELECT 1/0", "", "22012", "", 'E'},
				{"a refusal in a failed transaction reports it failed", "DROP TABLE " + table, "drop-object", "", "", 'E'},
				{"ROLLBACK ends it", "ROLLBACK", "", "", "ROLLBACK", 'I'},
			}
			for _, s := range steps {
				tag, err := run(s.sql)
				switch {
				case s.refused != "":
					requireRefused(t, err, s.refused)
				case s.code != "":
					if pe := protoPgError(t, err); pe.Code != s.code {
						t.Fatalf("%s: got %s, want %s", s.name, pe.Code, s.code)
					}
				case err != nil:
					t.Fatalf("%s: %v", s.name, err)
				case s.tag != "" && tag != s.tag:
					t.Fatalf("%s: command tag %q, want %q", s.name, tag, s.tag)
				}
				if got := conn.TxStatus(); got != s.wantTx {
					t.Fatalf("%s: ReadyForQuery status %c, want %c", s.name, got, s.wantTx)
				}
				var state string
				if err := adminDB.QueryRow("SELECT state FROM pg_stat_activity WHERE pid = $1", pid).Scan(&state); err != nil {
					t.Fatal(err)
				}
				if state != serverState[s.wantTx] {
					t.Fatalf("%s: the client was told %c but the server's backend is %q", s.name, s.wantTx, state)
				}
			}
			var ids []int
			rows, err := adminDB.Query("SELECT id FROM " + quoteIdent(table) + " WHERE id > 5000 ORDER BY id")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id int
				_ = rows.Scan(&id)
				ids = append(ids, id)
			}
			if !reflect.DeepEqual(ids, []int{5003}) {
				t.Fatalf("committed rows %v, want only 5003 (the transaction with a refusal was rolled back)", ids)
			}
		})
	}
}

// ---- simple-query shapes and sizes ----

func TestSimpleQueryShapesThroughAgentSession(t *testing.T) {
	t.Parallel()
	p := startProxy(t)

	t.Run("every result of a multi-statement query arrives", func(t *testing.T) {
		conn := protoPgconn(t, p.AgentDSN())
		res := protoMustExec(t, conn, "SELECT 1; SELECT 2, 'two'; VALUES (3), (4); SET application_name = 'proto'")
		var got []string
		for _, r := range res {
			var rows []string
			for _, row := range r.Rows {
				rows = append(rows, string(bytes.Join(row, []byte("|"))))
			}
			got = append(got, r.CommandTag.String()+"="+strings.Join(rows, ","))
		}
		want := []string{"SELECT 1=1", "SELECT 1=2|two", "SELECT 2=3,4", "SET="}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %q, want %q", got, want)
		}
	})

	t.Run("a verdict covers other literals only when the literals do not decide it", func(t *testing.T) {
		// Each pair has one shape. The session remembers what it was
		// allowed; the first text of each pair is allowed and the second
		// must still be refused, on the same connection.
		conn := protoPgconn(t, p.AgentDSN())
		protoMustExec(t, conn, "CREATE TEMP TABLE proto_shapes AS SELECT g AS id, 0 AS n FROM generate_series(1, 10) g")
		for i := range 4 {
			protoMustExec(t, conn, fmt.Sprintf("UPDATE proto_shapes SET n = n + %d WHERE id = %d", i+1, i+1))
		}
		if got := protoValue(t, conn, "SELECT sum(n) FROM proto_shapes"); got != "10" {
			t.Fatalf("four bounded updates left sum(n) = %s, want 10", got)
		}
		for _, c := range []struct{ allowed, refused, rule string }{
			{"DELETE FROM proto_shapes WHERE 1 = 2", "DELETE FROM proto_shapes WHERE 1 = 1", "delete-always-true"},
			{"DELETE FROM proto_shapes WHERE id = 1 OR 1 = 2", "DELETE FROM proto_shapes WHERE id = 2 OR 2 = 2", "delete-always-true"},
			{"UPDATE proto_shapes SET n = 0 WHERE 'a' = 'b'", "UPDATE proto_shapes SET n = 0 WHERE 'a' = 'a'", "update-always-true"},
		} {
			protoMustExec(t, conn, c.allowed)
			_, err := protoExec(t, conn, c.refused)
			requireRefused(t, err, c.rule)
		}
		if got := protoValue(t, conn, "SELECT count(*) || ' ' || sum(n) FROM proto_shapes"); got != "9 9" {
			t.Fatalf("after the refusals the table holds %s (rows, sum), want 9 9", got)
		}
	})

	for _, q := range []string{";", "", "-- only a comment", "/* only a comment */ ;"} {
		t.Run(fmt.Sprintf("the empty query %q gets EmptyQueryResponse", q), func(t *testing.T) {
			r := protoRaw(t, p.AgentDSN())
			r.send(&pgproto3.Query{String: q})
			if a := r.untilReady(); a.types != "IZ" {
				t.Fatalf("got %q %v, want IZ", a.types, a.errs)
			}
		})
	}

	t.Run("a refusal pipelined behind a slow query is answered in order", func(t *testing.T) {
		// bulwark may only answer a refusal once everything before it has
		// been answered by the server.
		r := protoRaw(t, p.AgentDSN())
		r.send(
			&pgproto3.Query{String: "SELECT 'slow' FROM pg_sleep(0.3)"},
			&pgproto3.Query{String: "DROP TABLE proto_never_there"},
			&pgproto3.Query{String: "SELECT 'after'"},
		)
		first, second, third := r.untilReady(), r.untilReady(), r.untilReady()
		if first.types != "TDCZ" || first.rows[0] != "slow" {
			t.Fatalf("first answer %q %v, want the slow query's row", first.types, first.rows)
		}
		if second.types != "EZ" || second.errs[0].Code != "42501" {
			t.Fatalf("second answer %q %v, want the refusal", second.types, second.errs)
		}
		if third.types != "TDCZ" || third.rows[0] != "after" {
			t.Fatalf("third answer %q %v", third.types, third.rows)
		}
	})

	t.Run("a 1 MiB benign statement passes over both protocols", func(t *testing.T) {
		protoTable(t, "proto_big", "id integer PRIMARY KEY, v text")
		conn := protoPgconn(t, p.AgentDSN())
		big := strings.Repeat("abcdefgh", 1<<17) // 1 MiB
		protoMustExec(t, conn, "INSERT INTO proto_big VALUES (1, '"+big+"')")
		if res := protoExecParams(t, conn, "INSERT INTO proto_big VALUES (2, '"+big+"')"); res.Err != nil {
			t.Fatal(res.Err)
		}
		if n := adminQueryInt(t, "SELECT count(*) FROM proto_big WHERE length(v) = $1", len(big)); n != 2 {
			t.Fatalf("%d rows of 1 MiB arrived, want 2", n)
		}
	})

	t.Run("long statements from many sessions take turns under limits.analysis_bytes", func(t *testing.T) {
		// Each 700 kB text fills most of the 1 MiB budget: they are
		// analysed one at a time, and every one gets its own verdict.
		turns := startProxy(t, func(c *config.Config) {
			c.Limits.MaxStatementBytes = 1 << 20
			c.Limits.AnalysisBytes = 1 << 20
		})
		protoTable(t, "proto_turns", "id integer PRIMARY KEY, v text")
		insert := func(i int) string {
			var b strings.Builder
			b.WriteString("INSERT INTO proto_turns VALUES ")
			for r := 0; r < 20000; r++ {
				if r > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "(%d, 'session %d row %d')", i*100000+r, i, r)
			}
			return b.String()
		}
		const sessions = 6
		errs := make(chan error, sessions+1)
		var wg sync.WaitGroup
		for i := range sessions {
			conn := protoPgconn(t, turns.AgentDSN())
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%2 == 0 {
					_, err := conn.Exec(testCtx(t), insert(i)).ReadAll()
					errs <- err
				} else {
					errs <- conn.ExecParams(testCtx(t), insert(i), nil, nil, nil, nil).Read().Err
				}
			}()
		}
		wiper := protoPgconn(t, turns.AgentDSN())
		wg.Add(1)
		go func() {
			defer wg.Done()
			long := strings.Repeat("'x', ", 100000)
			_, err := wiper.Exec(testCtx(t), "DELETE FROM proto_turns WHERE v IN ("+long+"'y') OR id = id").ReadAll()
			if err == nil {
				err = errors.New("the always-true DELETE was not refused")
			} else if !strings.Contains(err.Error(), "delete-always-true") {
				err = fmt.Errorf("the always-true DELETE: %w", err)
			} else {
				err = nil
			}
			errs <- err
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if n := adminQueryInt(t, "SELECT count(*) FROM proto_turns"); n != sessions*20000 {
			t.Fatalf("%d rows arrived, want %d", n, sessions*20000)
		}
	})

	t.Run("a statement over limits.max_statement_bytes is refused and the session stays usable", func(t *testing.T) {
		const limit = 64 << 10
		small := startProxy(t, func(c *config.Config) { c.Limits.MaxStatementBytes = limit })
		conn := protoPgconn(t, small.AgentDSN())
		over := "SELECT '" + strings.Repeat("o", limit+1024) + "'"
		_, err := protoExec(t, conn, over)
		_, id := requireRefused(t, err, "statement-too-large")
		requireAudited(t, small, id, wantEvent{User: agentUser, Rule: "statement-too-large", Statement: "SELECT 'ooo"})
		protoRequireUsable(t, conn)
		requireRefused(t, protoExecParams(t, conn, over).Err, "statement-too-large")
		protoRequireUsable(t, conn)
		under := "SELECT '" + strings.Repeat("u", limit-1024) + "'"
		if got := protoValue(t, conn, under); len(got) != limit-1024 {
			t.Fatalf("a statement under the limit returned %d bytes", len(got))
		}
	})

	t.Run("a statement nested past what the parser survives is refused, and bulwark lives on", func(t *testing.T) {
		// A chain of 40,000 additions (80 kB) overflowed the stack inside
		// pg_query and took the whole process down, every session with it.
		human := protoPgconn(t, p.HumanDSN())
		conn := protoPgconn(t, p.AgentDSN())
		for _, deep := range []string{
			"SELECT " + strings.Repeat("1+", 40000) + "1",
			"SELECT 1" + strings.Repeat(strings.Repeat("+1", 1000)+"+CASE WHEN true AND true THEN 1 END", 40),
			"SELECT 1" + strings.Repeat(" BETWEEN 1 AND 1 IS TRUE = 1", 20000),
		} {
			_, err := protoExec(t, conn, deep)
			_, id := requireRefused(t, err, "nesting-too-deep")
			requireAudited(t, p, id, wantEvent{User: agentUser, Rule: "nesting-too-deep", Statement: deep[:40]})
			requireRefused(t, protoExecParams(t, conn, deep).Err, "nesting-too-deep")
			protoRequireUsable(t, conn)
			protoRequireUsable(t, human)
		}
		// A flood of tokens: 16 MiB of "1," cost 5 GB and 100 s to parse.
		flood := "SELECT " + strings.Repeat("1,", 1_100_000) + "1"
		_, err := protoExec(t, conn, flood)
		_, id := requireRefused(t, err, "too-many-tokens")
		requireAudited(t, p, id, wantEvent{User: agentUser, Rule: "too-many-tokens", Statement: "SELECT 1,1,1"})
		protoRequireUsable(t, conn)
		// A thousand subqueries nested in conditions: each level is
		// read again at every level above it, so judging stops at a
		// bound (sqlparse.MaxSteps) and refuses.
		nested := "id > 0"
		for i := 0; i < 1000; i++ {
			nested = "id IN (SELECT id FROM nest_t WHERE " + nested + ")"
		}
		nested = "DELETE FROM nest_t WHERE " + nested
		_, err = protoExec(t, conn, nested)
		_, id = requireRefused(t, err, "too-complex")
		requireAudited(t, p, id, wantEvent{User: agentUser, Rule: "too-complex", Statement: "DELETE FROM nest_t"})
		protoRequireUsable(t, conn)
	})

	t.Run("a statement over a limits.max_statement_bytes smaller than 4 KiB is refused too", func(t *testing.T) {
		// The limit may be set as low as 1 byte; bulwark keeps a prefix
		// of an oversized statement for the audit record, and must not
		// wait for more bytes than the message holds to fill it.
		small := startProxy(t, func(c *config.Config) { c.Limits.MaxStatementBytes = 1024 })
		conn := protoPgconn(t, small.AgentDSN())
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := conn.Exec(ctx, "SELECT '"+strings.Repeat("s", 2000)+"'").ReadAll()
		if errors.Is(err, context.DeadlineExceeded) || (err != nil && strings.Contains(err.Error(), "timeout")) {
			t.Fatalf("no answer within 5s to a 2 KB statement over a 1 KiB limit: %v", err)
		}
		requireRefused(t, err, "statement-too-large")
		protoRequireUsable(t, conn)
	})
}

// TestAgentsCannotEndOtherSessions: a role may end its own role's sessions
// without any privilege, so an agent could end the sessions of every other
// agent sharing its account, and a superuser agent a human's. Only bulwark
// stands in the way; the human's identical statement really ends the session.
func TestAgentsCannotEndOtherSessions(t *testing.T) {
	t.Parallel()
	p := startProxy(t)
	victim := protoPgconn(t, p.AgentDSN())
	pid := protoValue(t, victim, "SELECT pg_backend_pid()")
	agent := protoPgconn(t, p.AgentDSN())
	for _, stmt := range []string{"SELECT pg_terminate_backend(" + pid + ")", "SELECT pg_cancel_backend(" + pid + ")"} {
		_, err := protoExec(t, agent, stmt)
		_, id := requireRefused(t, err, "server-control")
		requireAudited(t, p, id, wantEvent{User: agentUser, Rule: "server-control"})
	}
	protoRequireUsable(t, victim)
	human := protoPgconn(t, p.HumanDSN())
	if got := protoValue(t, human, "SELECT pg_terminate_backend("+pid+")"); got != "t" {
		t.Fatalf("the human's pg_terminate_backend returned %q", got)
	}
	if _, err := protoExec(t, victim, "SELECT 1"); err == nil {
		t.Fatal("the session the human ended still answers")
	}
}

// TestAgentsCannotDropReplicationSlots: a dropped slot loses the place of
// the standby or change-data consumer reading from it. The agent is the
// superuser dba, made an agent by its application name (dropping a slot
// takes the REPLICATION attribute).
func TestAgentsCannotDropReplicationSlots(t *testing.T) {
	t.Parallel()
	p := startProxy(t, withAgentApplicationNames("agent-*"))
	const slot = "bw_it_standby"
	adminExec(t, "SELECT pg_create_physical_replication_slot('"+slot+"', true)")
	t.Cleanup(func() {
		_, _ = adminDB.Exec("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'")
	})
	slots := func() string {
		var n string
		if err := adminDB.QueryRow("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	agent := protoPgconn(t, p.HumanDSN("application_name=agent-dba"))
	stmt := "SELECT pg_drop_replication_slot('" + slot + "')"
	_, err := protoExec(t, agent, stmt)
	_, id := requireRefused(t, err, "drop-object")
	requireAudited(t, p, id, wantEvent{User: humanUser, Rule: "drop-object", Category: "drop"})
	requireRefused(t, protoExecParams(t, agent, stmt).Err, "drop-object")
	if got := slots(); got != "1" {
		t.Fatalf("after the refusals %s slots are left", got)
	}
	protoRequireUsable(t, agent)

	// Moving the slot forward skips what its standby has not read yet.
	restart := func() string {
		var lsn string
		if err := adminDB.QueryRow("SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'").Scan(&lsn); err != nil {
			t.Fatal(err)
		}
		return lsn
	}
	adminExec(t, "CREATE TEMP TABLE wal_mover AS SELECT generate_series(1, 1000) g")
	before := restart()
	advance := "SELECT pg_replication_slot_advance('" + slot + "', pg_current_wal_lsn())"
	_, err = protoExec(t, agent, advance)
	requireRefused(t, err, "drop-object")
	if got := restart(); got != before {
		t.Fatalf("the refused advance moved the slot from %s to %s", before, got)
	}
	human := protoPgconn(t, p.HumanDSN())
	protoMustExec(t, human, advance)
	if got := restart(); got == before {
		t.Fatalf("the human's advance left the slot at %s", got)
	}
	protoMustExec(t, human, stmt)
	if got := slots(); got != "0" {
		t.Fatalf("the human's drop left %s slots", got)
	}
}

// TestAgentsCannotChangeDatabaseDefaults: ALTER DATABASE ... SET changes
// the settings of every later session of the database, humans' among them
// (session_replication_role = replica silences their triggers), and
// ALLOW_CONNECTIONS false or CONNECTION LIMIT 0 locks everyone out. The
// agent is the superuser dba, made an agent by its application name; the
// database is a scratch one.
func TestAgentsCannotChangeDatabaseDefaults(t *testing.T) {
	t.Parallel()
	p := startProxy(t, withAgentApplicationNames("agent-*"))
	const db = "bw_it_defaults"
	adminExec(t, "DROP DATABASE IF EXISTS "+db, "CREATE DATABASE "+db)
	t.Cleanup(func() { _, _ = adminDB.Exec("DROP DATABASE IF EXISTS " + db) })
	state := func() string {
		var s string
		if err := adminDB.QueryRow(`SELECT d.datallowconn::text || ' ' || d.datconnlimit || ' ' ||
			coalesce((SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting s WHERE s.setdatabase = d.oid AND s.setrole = 0), '')
			FROM pg_database d WHERE d.datname = '` + db + `'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	agent := protoPgconn(t, p.HumanDSN("application_name=agent-dba"))
	human := protoPgconn(t, p.HumanDSN())
	for _, stmt := range []string{
		"ALTER DATABASE " + db + " SET session_replication_role = replica",
		"ALTER DATABASE " + db + " WITH ALLOW_CONNECTIONS false",
		"ALTER DATABASE " + db + " CONNECTION LIMIT 0",
	} {
		before := state()
		_, err := protoExec(t, agent, stmt)
		_, id := requireRefused(t, err, "account-management")
		requireAudited(t, p, id, wantEvent{User: humanUser, Rule: "account-management"})
		if got := state(); got != before {
			t.Fatalf("%s: refused, yet the database changed from %q to %q", stmt, before, got)
		}
		protoMustExec(t, human, stmt)
		if state() == before {
			t.Fatalf("%s: the human's statement changed nothing (%q)", stmt, before)
		}
	}
	protoRequireUsable(t, agent)
}

// TestAgentsCannotWriteSystemCatalogs: a superuser may write the system
// catalogs directly. Deleting a table's pg_class row drops it without a
// DROP; rows in pg_authid are logins. The agent here is the superuser dba,
// made an agent by its application name. Each human proof runs in a
// transaction that is rolled back, so the catalog stays sound.
func TestAgentsCannotWriteSystemCatalogs(t *testing.T) {
	t.Parallel()
	p := startProxy(t, withAgentApplicationNames("agent-*"))
	sum := freshTable(t, "proto_catalog_victim")
	before := sum()
	agent := protoPgconn(t, p.HumanDSN("application_name=agent-dba"))
	human := protoPgconn(t, p.HumanDSN())
	adminExec(t, "CREATE EXTENSION IF NOT EXISTS postgres_fdw",
		"CREATE OR REPLACE FUNCTION bw_it_evt() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'no DDL'; END$$")
	cases := []struct {
		stmt string
		// proof runs after the human's statement, in its transaction,
		// and returns what shows the damage; intact is its value before.
		proof, intact string
		// rule is the refusal's, system-catalog when empty.
		rule string
	}{
		{"DELETE FROM pg_class WHERE relname = 'proto_catalog_victim'",
			"SELECT count(*) FROM pg_class WHERE relname = 'proto_catalog_victim'", "1", ""},
		{"DELETE FROM pg_catalog.pg_attribute WHERE attrelid = 'proto_catalog_victim'::regclass AND attname = 'note'",
			"SELECT count(*) FROM pg_attribute WHERE attrelid = 'proto_catalog_victim'::regclass AND attname = 'note'", "1", ""},
		{"UPDATE pg_authid SET rolcanlogin = false WHERE rolname = '" + agentUser + "'",
			"SELECT rolcanlogin::text FROM pg_authid WHERE rolname = '" + agentUser + "'", "true", ""},
		{"WITH d AS (DELETE FROM pg_class WHERE relname = 'proto_catalog_victim' RETURNING 1) SELECT count(*) FROM d",
			"SELECT count(*) FROM pg_class WHERE relname = 'proto_catalog_victim'", "1", ""},
		{"REVOKE SELECT ON pg_catalog.pg_class FROM PUBLIC",
			"SELECT has_table_privilege('" + agentUser + "', 'pg_catalog.pg_class', 'SELECT')::text", "true", ""},
		// An updatable view writes the catalog it reads.
		{"CREATE VIEW public.bw_it_roles AS SELECT * FROM pg_catalog.pg_authid",
			"SELECT count(*) FROM pg_views WHERE viewname = 'bw_it_roles'", "0", ""},
		// An event trigger stands in front of every human's DDL.
		{"CREATE EVENT TRIGGER bw_it_stop ON ddl_command_start EXECUTE FUNCTION bw_it_evt()",
			"SELECT count(*) FROM pg_event_trigger WHERE evtname = 'bw_it_stop'", "0", "statement-rewrite"},
		// A loopback server reaches the database without bulwark.
		{"CREATE SERVER bw_it_loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1')",
			"SELECT count(*) FROM pg_foreign_server WHERE srvname = 'bw_it_loop'", "0", "dynamic-sql"},
		// A subscription applies whatever its publisher sends, TRUNCATE
		// included, with the tables' triggers silent. (Without connect =
		// false it would also reach the publisher; the object is enough.)
		{"CREATE SUBSCRIPTION bw_it_sub CONNECTION 'host=127.0.0.1 dbname=nowhere' PUBLICATION p WITH (connect = false)",
			"SELECT count(*) FROM pg_subscription WHERE subname = 'bw_it_sub'", "0", "dynamic-sql"},
	}
	for _, c := range cases {
		rule := c.rule
		if rule == "" {
			rule = "system-catalog"
		}
		_, err := protoExec(t, agent, c.stmt)
		_, id := requireRefused(t, err, rule)
		requireAudited(t, p, id, wantEvent{User: humanUser, Rule: rule})
		requireRefused(t, protoExecParams(t, agent, c.stmt).Err, rule)
		protoRequireUsable(t, agent)
		if got := protoValue(t, human, c.proof); got != c.intact {
			t.Fatalf("%s: after the refusal %q gives %q, want %q", c.stmt, c.proof, got, c.intact)
		}
		requireHumanChangesInTransaction(t, human, c.stmt, c.proof, c.intact)
	}
	if after := sum(); after != before {
		t.Fatalf("table changed from %s to %s", before, after)
	}
	// Reading the catalogs is what clients do all day.
	if got := protoValue(t, agent, "SELECT count(*) FROM pg_class WHERE relname = 'proto_catalog_victim'"); got != "1" {
		t.Fatalf("the agent's catalog read: %q", got)
	}
}

// ---- session toggles ----

func TestSessionTogglesDoNotSwitchTheGuardOff(t *testing.T) {
	t.Parallel()
	p := startProxy(t)
	sum := freshTable(t, "proto_toggle")
	before := sum()
	// The agent even starts out calling itself dba.
	conn := protoPgconn(t, p.AgentDSN("application_name=dba"))
	toggles := []string{
		"SET ROLE agent_bot",
		"RESET ROLE",
		"SET ROLE NONE",
		"SET SESSION AUTHORIZATION agent_bot",
		"RESET SESSION AUTHORIZATION",
		"SET SESSION AUTHORIZATION DEFAULT",
		"RESET ALL",
		"SET application_name = 'dba'",
		"SET application_name = 'psql'",
		"SET default_transaction_read_only = off",
		"DISCARD ALL",
		"START TRANSACTION READ WRITE",
		"BEGIN; SET TRANSACTION READ WRITE",
		"BEGIN ISOLATION LEVEL SERIALIZABLE READ WRITE; SET LOCAL ROLE agent_bot",
	}
	for _, toggle := range toggles {
		if _, err := protoExec(t, conn, toggle); err != nil {
			t.Fatalf("%s: %v", toggle, err)
		}
		_, err := protoExec(t, conn, "DROP TABLE proto_toggle")
		requireRefused(t, err, "drop-object")
		requireRefused(t, protoExecParams(t, conn, "DROP TABLE proto_toggle").Err, "drop-object")
		if conn.TxStatus() != 'I' {
			protoMustExec(t, conn, "ROLLBACK")
		}
	}
	if after := sum(); after != before {
		t.Fatalf("table changed from %s to %s", before, after)
	}
}

// ---- lexer differentials ----

func TestLexerDifferentialsAreRefused(t *testing.T) {
	t.Parallel()
	p := startProxy(t)
	// With standard_conforming_strings on this selects two strings; with it
	// off, '\' escapes the quote, the first string runs to the next quote
	// and a DROP follows.
	scsAttack := func(table string) string { return `SELECT '\' , ' ; DROP TABLE ` + table + `; --'` }
	// In SJIS 0x95 0x5C is one character, so the server ends the string at
	// the next quote; read as UTF-8 the 0x5C is a backslash that escapes it.
	sjisAttack := func(table string) string { return "SELECT E'\x95\\' ; DROP TABLE " + table + "; --'" }

	// proveThreat shows the server really reads the attack as a DROP when
	// the setting is in effect, so the refusals below matter.
	proveThreat := func(t *testing.T, set string, attack func(string) string) {
		t.Helper()
		victim := "proto_lex_victim"
		protoTable(t, victim, "id integer")
		conn := protoPgconn(t, directDSN(agentUser))
		protoMustExec(t, conn, set)
		_, _ = protoExec(t, conn, attack(victim))
		if relationExists(t, victim) {
			t.Fatalf("the server did not read %q as a DROP after %s; the test premise is wrong", attack(victim), set)
		}
	}

	t.Run("with standard_conforming_strings off a backslash statement is refused", func(t *testing.T) {
		proveThreat(t, "SET standard_conforming_strings = off", scsAttack)
		sum := freshTable(t, "proto_lex_scs")
		before := sum()
		conn := protoPgconn(t, p.AgentDSN())
		protoMustExec(t, conn, "SET standard_conforming_strings = off")
		_, err := protoExec(t, conn, scsAttack("proto_lex_scs"))
		requireRefused(t, err, "lexer-mismatch")
		requireRefused(t, protoExecParams(t, conn, `SELECT 'a\', 'b'`).Err, "lexer-mismatch")
		if got := protoValue(t, conn, "SELECT 'no backslash here'"); got != "no backslash here" {
			t.Fatalf("a statement without backslashes returned %q", got)
		}
		if sum() != before {
			t.Fatal("table changed")
		}
	})

	t.Run("standard_conforming_strings off from the startup options is honoured", func(t *testing.T) {
		sum := freshTable(t, "proto_lex_opts")
		before := sum()
		conn := protoPgconn(t, p.AgentDSN("options=-c standard_conforming_strings=off"))
		if v := protoValue(t, conn, "SHOW standard_conforming_strings"); v != "off" {
			t.Fatalf("standard_conforming_strings = %q, the startup option did not apply", v)
		}
		_, err := protoExec(t, conn, scsAttack("proto_lex_opts"))
		requireRefused(t, err, "lexer-mismatch")
		if sum() != before {
			t.Fatal("table changed")
		}
	})

	t.Run("with client_encoding SJIS a statement with a non-ASCII byte is refused", func(t *testing.T) {
		proveThreat(t, "SET client_encoding = 'SJIS'", sjisAttack)
		sum := freshTable(t, "proto_lex_sjis")
		before := sum()
		conn := protoPgconn(t, p.AgentDSN())
		protoMustExec(t, conn, "SET client_encoding = 'SJIS'")
		_, err := protoExec(t, conn, sjisAttack("proto_lex_sjis"))
		requireRefused(t, err, "lexer-mismatch")
		if got := protoValue(t, conn, "SELECT 'ascii only'"); got != "ascii only" {
			t.Fatalf("an ASCII statement returned %q", got)
		}
		if sum() != before {
			t.Fatal("table changed")
		}
	})

	// Pipelined changes: the server reads each request with the settings
	// the requests before it left, and a client need not wait for one
	// answer before sending the next request. Every way of changing a
	// setting counts, not only SET.
	const scsOff = "SELECT set_config('standard_conforming_strings', 'off', false)"
	adminExec(t,
		"CREATE OR REPLACE FUNCTION proto_scs_off() RETURNS text LANGUAGE sql AS $$ "+scsOff+" $$",
		"GRANT EXECUTE ON FUNCTION proto_scs_off() TO "+agentUser)
	t.Cleanup(func() { _, _ = adminDB.Exec("DROP FUNCTION IF EXISTS proto_scs_off()") })
	pipelined := []struct {
		name   string
		setup  []string // run and answered first, on the same session
		change []pgproto3.FrontendMessage
		attack func(string) string
	}{
		{name: "SET standard_conforming_strings", change: protoQueries("SET standard_conforming_strings = off"), attack: scsAttack},
		{name: "SET client_encoding", change: protoQueries("SET client_encoding = 'SJIS'"), attack: sjisAttack},
		{name: "set_config()", change: protoQueries(scsOff), attack: scsAttack},
		{name: "an UPDATE of pg_settings", change: protoQueries("UPDATE pg_settings SET setting = 'off' WHERE name = 'standard_conforming_strings'"), attack: scsAttack},
		{name: "EXECUTE of a prepared set_config()", setup: []string{"PREPARE proto_scs AS " + scsOff, "SELECT 'an ordinary request in between'"},
			change: protoQueries("EXECUTE proto_scs"), attack: scsAttack},
		{name: "a function that calls set_config()", change: protoQueries("SELECT proto_scs_off()"), attack: scsAttack},
		{name: "a ROLLBACK that undoes SET LOCAL",
			setup:  []string{"SET standard_conforming_strings = off", "BEGIN", "SET LOCAL standard_conforming_strings = on"},
			change: protoQueries("ROLLBACK"), attack: scsAttack},
		{name: "Bind and Execute of a statement parsed in an earlier request",
			setup:  []string{"SELECT 'an ordinary request in between'"},
			change: []pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "proto_setter"}, &pgproto3.Execute{}, &pgproto3.Sync{}},
			attack: scsAttack},
	}
	for i, tc := range pipelined {
		t.Run(tc.name+" pipelined ahead of the statement it changes is honoured", func(t *testing.T) {
			table := fmt.Sprintf("proto_lex_pipe%d", i)
			sum := freshTable(t, table)
			before := sum()
			r := protoRaw(t, p.AgentDSN())
			// The named statement for the Bind case is parsed in a
			// request of its own, answered before the pipeline starts.
			r.send(&pgproto3.Parse{Name: "proto_setter", Query: scsOff}, &pgproto3.Sync{})
			if a := r.untilReady(); len(a.errs) != 0 {
				t.Fatalf("Parse of the setter: %v", a.errs[0])
			}
			for _, s := range tc.setup {
				if a := r.runSimple(s); len(a.errs) != 0 {
					t.Fatalf("setup %s: %v", s, a.errs[0])
				}
			}
			r.send(append(tc.change, &pgproto3.Query{String: tc.attack(table)})...)
			if a := r.untilReady(); len(a.errs) != 0 {
				t.Fatalf("the change: %v", a.errs[0])
			}
			second := r.untilReady()
			if !relationExists(t, table) {
				t.Fatalf("table %s was dropped: the attack was judged with the settings from before %s (answer %q)", table, tc.name, second.types)
			}
			if len(second.errs) != 1 || second.errs[0].Code != "42501" {
				t.Fatalf("the attack got %q %v, want a refusal", second.types, second.errs)
			}
			if sum() != before {
				t.Fatal("table changed")
			}
		})
	}
}

// protoQueries turns texts into simple Query messages.
func protoQueries(sqls ...string) []pgproto3.FrontendMessage {
	var out []pgproto3.FrontendMessage
	for _, s := range sqls {
		out = append(out, &pgproto3.Query{String: s})
	}
	return out
}

// ---- dead upstream ----

func TestDeadUpstream(t *testing.T) {
	t.Parallel()

	t.Run("a proxy whose upstream is down answers 08006 and keeps answering", func(t *testing.T) {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		p := startProxy(t, func(c *config.Config) {
			c.Upstream.Postgres.Address = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		})
		for i, dsn := range []string{p.AgentDSN(), p.HumanDSN(), p.AgentDSN()} {
			start := time.Now()
			_, err := pgconn.Connect(testCtx(t), dsn)
			pe := protoPgError(t, err)
			if pe.Code != "08006" || !strings.Contains(pe.Message, "could not reach the database server") {
				t.Fatalf("attempt %d: got %s %q, want 08006 saying the server could not be reached", i, pe.Code, pe.Message)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("attempt %d took %v", i, d)
			}
		}
	})

	t.Run("an agent whose backend is terminated gets an error and new sessions work", func(t *testing.T) {
		p := startProxy(t)
		sum := freshTable(t, "proto_dead")
		before := sum()
		for _, busy := range []bool{false, true} {
			conn := protoPgconn(t, p.AgentDSN())
			pid := protoValue(t, conn, "SELECT pg_backend_pid()")
			done := make(chan error, 1)
			if busy {
				go func() {
					_, err := conn.Exec(context.Background(), "SELECT pg_sleep(30) /* proto-terminated */").ReadAll()
					done <- err
				}()
				protoWaitActive(t, "proto-terminated")
			}
			adminExec(t, "SELECT pg_terminate_backend("+pid+")")
			if !busy {
				time.Sleep(200 * time.Millisecond)
				go func() { _, err := conn.Exec(context.Background(), "SELECT 1").ReadAll(); done <- err }()
			}
			select {
			case err := <-done:
				if err == nil {
					t.Fatalf("busy=%v: the query on a terminated backend succeeded", busy)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("busy=%v: the agent got no answer within 10s after its backend was terminated", busy)
			}
			fresh := protoPgconn(t, p.AgentDSN())
			protoRequireUsable(t, fresh)
			_, err := protoExec(t, fresh, "DROP TABLE proto_dead")
			requireRefused(t, err, "drop-object")
		}
		if sum() != before {
			t.Fatal("table changed")
		}
	})
}

// ---- malformed input aimed at the proxy ----

func TestMalformedPacketsOnlyEndTheirOwnSession(t *testing.T) {
	t.Parallel()
	p := startProxy(t, func(c *config.Config) {
		c.Limits.MaxStatementBytes = 32 << 10
		c.Limits.MaxRequestBytes = 64 << 10
		c.Limits.MaxMessageBytes = 128 << 10
	})
	// A bystander session open the whole time must not notice anything.
	bystander := protoPgconn(t, p.AgentDSN())

	startup := []struct {
		name  string
		bytes []byte
		fatal string
	}{
		{"a startup length of zero", protoRawLength(0), ""},
		{"a startup length of 2^31", protoRawLength(1 << 31), ""},
		{"a startup length of 2^31-1", protoRawLength(1<<31 - 1), ""},
		{"a startup length above the server's limit", append(protoRawLength(10001), make([]byte, 64)...), ""},
		{"a truncated startup packet", append(protoRawLength(100), 0, 3, 0, 0, 'u'), ""},
		{"an unknown protocol version", protoCodePacket(7 << 16), "08P01"},
		{"a startup packet without a user", protoStartupBytes("database\x00x\x00\x00"), "28000"},
	}
	for _, tc := range startup {
		t.Run(tc.name+" ends that connection only", func(t *testing.T) {
			nc, err := net.Dial("tcp", p.Addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			if _, err := nc.Write(tc.bytes); err != nil {
				t.Fatal(err)
			}
			if tc.name == "a truncated startup packet" {
				_ = nc.(*net.TCPConn).CloseWrite()
			}
			protoExpectClosed(t, nc, tc.fatal)
			protoAgentWorks(t, p)
		})
	}

	afterStartup := []struct {
		name  string
		bytes []byte
		fatal string
	}{
		{"an unknown message type", []byte{'z', 0, 0, 0, 4}, "08P01"},
		{"a message longer than limits.max_message_bytes", []byte{'Q', 0, 0x10, 0, 0}, "54000"},
		{"a message claiming 2 GiB", []byte{'B', 0x7f, 0xff, 0xff, 0xff}, "54000"},
		{"a message length below four", []byte{'Q', 0, 0, 0, 1}, "08P01"},
		{"an unterminated Query", append([]byte{'Q', 0, 0, 0, 12}, "SELECT 1"...), "08P01"},
		{"a Parse without its query string", append([]byte{'P', 0, 0, 0, 9}, "name\x00"...), "08P01"},
	}
	for _, tc := range afterStartup {
		t.Run(tc.name+" ends that session only", func(t *testing.T) {
			r := protoRaw(t, p.AgentDSN())
			if _, err := r.nc.Write(tc.bytes); err != nil {
				t.Fatal(err)
			}
			protoExpectClosed(t, r.nc, tc.fatal)
			protoAgentWorks(t, p)
			protoRequireUsable(t, bystander)
		})
	}

	t.Run("a client that stalls during startup is cut off after limits.handshake_timeout", func(t *testing.T) {
		quick := startProxy(t, func(c *config.Config) { c.Limits.HandshakeTimeout = "1s" })
		for _, stall := range []struct {
			name  string
			bytes []byte
		}{
			{"silent after connecting", nil},
			{"half a startup packet", append(protoRawLength(40), 0, 3)},
			{"a startup message and no password", protoStartupBytes("user\x00" + agentUser + "\x00database\x00" + testDatabase + "\x00\x00")},
		} {
			nc, err := net.Dial("tcp", quick.Addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			start := time.Now()
			if _, err := nc.Write(stall.bytes); err != nil {
				t.Fatal(err)
			}
			_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err = io.Copy(io.Discard, nc)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("%s: still connected after 10s", stall.name)
			}
			if d := time.Since(start); d < 900*time.Millisecond || d > 5*time.Second {
				t.Fatalf("%s: disconnected after %v, want about 1s", stall.name, d)
			}
		}
		protoAgentWorks(t, quick)
	})

	t.Run("a CopyData message above limits.max_message_bytes is streamed, not refused", func(t *testing.T) {
		protoTable(t, "proto_copy_big", "v text")
		r := protoRaw(t, p.AgentDSN())
		r.send(&pgproto3.Query{String: "COPY proto_copy_big FROM STDIN"})
		if a := r.until('G'); a.types != "G" {
			t.Fatalf("COPY: got %q, want CopyInResponse", a.types)
		}
		line := strings.Repeat("c", 300<<10) + "\n"
		r.send(&pgproto3.CopyData{Data: []byte(line)}, &pgproto3.CopyDone{})
		if a := r.untilReady(); a.types != "CZ" || a.tags[0] != "COPY 1" {
			t.Fatalf("got %q %v %v, want COPY 1", a.types, a.tags, a.errs)
		}
		if n := adminQueryInt(t, "SELECT count(*) FROM proto_copy_big WHERE length(v) = $1", len(line)-1); n != 1 {
			t.Fatalf("the 300 KiB row did not arrive intact")
		}
	})
}

// ---- psql \c ----

func TestPsqlReconnectKeepsTheAgentJudged(t *testing.T) {
	t.Parallel()
	p := startProxy(t)
	const other = "bulwark_it_proto_other"
	adminExec(t, "DROP DATABASE IF EXISTS "+other+" WITH (FORCE)", "CREATE DATABASE "+other+" OWNER "+agentUser)
	t.Cleanup(func() { _, _ = adminDB.Exec("DROP DATABASE IF EXISTS " + other + " WITH (FORCE)") })
	otherDB, err := sql.Open("postgres", pg.dsn(pg.SuperUser, pg.SuperPassword, other))
	if err != nil {
		t.Fatal(err)
	}
	defer otherDB.Close()
	for _, s := range []string{"CREATE TABLE proto_other_t (id integer)", "INSERT INTO proto_other_t VALUES (1), (2)", "ALTER TABLE proto_other_t OWNER TO " + agentUser} {
		if _, err := otherDB.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	sum := freshTable(t, "proto_reconnect")
	before := sum()

	script := `\c ` + other + "\n" +
		"SELECT 'now in ' || current_database();\n" +
		"DROP TABLE proto_other_t;\n" +
		`\c ` + testDatabase + "\n" +
		"SELECT 'back in ' || current_database();\n" +
		"DROP TABLE proto_reconnect;\n"
	out, errOut, _ := runPsql(t, p.AgentDSN(), script, "-At")
	if !strings.Contains(out, "now in "+other) || !strings.Contains(out, "back in "+testDatabase) {
		t.Fatalf("psql did not reconnect as scripted: stdout %q stderr %q", out, errOut)
	}
	if n := strings.Count(errOut, "bulwark refused"); n != 2 {
		t.Fatalf("psql reported %d refusals, want 2: %q", n, errOut)
	}
	var n int
	if err := otherDB.QueryRow("SELECT count(*) FROM proto_other_t").Scan(&n); err != nil || n != 2 {
		t.Fatalf("the table in %s: %d rows, %v; want it intact", other, n, err)
	}
	if sum() != before {
		t.Fatal("table changed")
	}
	var dbs []string
	for _, e := range auditEvents(t, p) {
		if e.Rule == "drop-object" && e.User == agentUser {
			dbs = append(dbs, e.Database)
		}
	}
	if len(dbs) != 2 || !(dbs[0] == testDatabase && dbs[1] == other || dbs[0] == other && dbs[1] == testDatabase) {
		t.Fatalf("audit recorded refusals in databases %v, want one in %s and one in %s", dbs, other, testDatabase)
	}
}

// ---- the Upstream seam ----

// seamEnforcer allows everything; for each Check whose SQL contains a
// marker it runs the probes on the session's upstream connection through
// gate.Upstream and records what came back.
type seamEnforcer struct {
	mu     sync.Mutex
	probes map[string][]string // marker → SQL to Exec
	got    []seamResult
	checks atomic.Uint64
}

type seamResult struct {
	marker, sql string
	res         *gate.Result
	err         error
}

func (e *seamEnforcer) Classify(*gate.Session) gate.Kind { return gate.Agent }

// LexingSensitive: no text is (these tests change no setting), so that the
// engine does not wait for earlier answers before judging and Exec's own
// wait is what keeps the answers apart.
func (e *seamEnforcer) LexingSensitive(*gate.Session, string) bool { return false }

// PolicyGeneration changes with every Check: running the probes is the
// point of a check here, so no verdict is ever to be kept.
func (e *seamEnforcer) PolicyGeneration() uint64 { return e.checks.Load() }

// AppendShape: no text has a shape, so that every text is checked.
func (e *seamEnforcer) AppendShape(dst []byte, _ *gate.Session, _ gate.Lexing, _ string) ([]byte, bool) {
	return dst, false
}

func (e *seamEnforcer) SnapshotFailed(_ context.Context, _ *gate.Session, snap *gate.Snapshot, _ string) gate.Verdict {
	return snap.Failed
}

func (e *seamEnforcer) Check(ctx context.Context, _ *gate.Session, _ gate.Lexing, req gate.Request, up gate.Upstream) gate.Verdict {
	e.checks.Add(1)
	e.mu.Lock()
	probes := e.probes
	e.mu.Unlock()
	for marker, sqls := range probes {
		if !strings.Contains(req.SQL, marker) {
			continue
		}
		for _, s := range sqls {
			res, err := up.Exec(ctx, s)
			e.mu.Lock()
			e.got = append(e.got, seamResult{marker: marker, sql: s, res: res, err: err})
			e.mu.Unlock()
		}
	}
	return gate.Verdict{Allow: true}
}

// take returns and forgets what the probes got.
func (e *seamEnforcer) take() []seamResult {
	e.mu.Lock()
	defer e.mu.Unlock()
	got := e.got
	e.got = nil
	return got
}

func TestUpstreamExecSeamAgainstRealServer(t *testing.T) {
	t.Parallel()
	needDB(t)
	enf := &seamEnforcer{probes: map[string][]string{
		"/* probe */": {
			"SELECT 41+1",
			"CREATE TEMP TABLE IF NOT EXISTS proto_seam_tmp (x integer)",
			"INSERT INTO proto_seam_tmp VALUES (7)",
			"SELECT 1/0",
			"SELECT '' AS empty, NULL AS nothing",
			"SELECT 1; SELECT 2",
		},
		"/* answer */": {"SELECT 41+1"},
		"/* in-tx */":  {"INSERT INTO proto_seam_tmp VALUES (8)"},
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := pgwire.NewServer(pgwire.Config{
		UpstreamAddr: pg.Addr, ConnectTimeout: 5 * time.Second, HandshakeTimeout: 15 * time.Second,
		MaxMessageBytes: 1 << 20, MaxStatementBytes: 1 << 20, MaxRequestBytes: 1 << 20,
		Enforcer: enf, Logger: slog.New(slog.DiscardHandler),
	})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	dsn := makeDSN(ln.Addr().String(), agentUser, agentPassword, testDatabase)

	requireAnswer := func(t *testing.T, got []seamResult, n int) {
		t.Helper()
		if len(got) != n {
			t.Fatalf("%d probes ran, want %d", len(got), n)
		}
		for _, g := range got {
			if g.err != nil || g.res.Err != nil || len(g.res.Rows) != 1 || string(g.res.Rows[0][0]) != "42" {
				t.Fatalf("probe %q: %+v %v", g.sql, g.res, g.err)
			}
		}
	}

	t.Run("Exec results come back to the enforcer and never reach the client", func(t *testing.T) {
		conn := protoPgconn(t, dsn)
		res := protoMustExec(t, conn, "SELECT 'client result' /* probe */")
		if len(res) != 1 || len(res[0].Rows) != 1 || string(res[0].Rows[0][0]) != "client result" || res[0].CommandTag.String() != "SELECT 1" {
			t.Fatalf("the client got %d results (first %+v), want only its own", len(res), res[0])
		}
		got := enf.take()
		if len(got) != 6 {
			t.Fatalf("%d probes ran, want 6", len(got))
		}
		for _, g := range got {
			if g.err != nil {
				t.Fatalf("probe %q: connection error %v", g.sql, g.err)
			}
			if g.res.TxStatus != 'I' {
				t.Errorf("probe %q: TxStatus %q, want I", g.sql, g.res.TxStatus)
			}
		}
		check := func(i int, tags []string, rows [][][]byte) {
			t.Helper()
			r := got[i].res
			if r.Err != nil || !reflect.DeepEqual(r.Tags, tags) || !reflect.DeepEqual(r.Rows, rows) {
				t.Errorf("probe %q: tags %q rows %q err %v; want tags %q rows %q", got[i].sql, r.Tags, r.Rows, r.Err, tags, rows)
			}
		}
		check(0, []string{"SELECT 1"}, [][][]byte{{[]byte("42")}})
		check(1, []string{"CREATE TABLE"}, nil)
		check(2, []string{"INSERT 0 1"}, nil)
		if pe, ok := got[3].res.Err.(*pgconn.PgError); !ok || pe.Code != "22012" || len(got[3].res.Tags) != 0 {
			t.Errorf("probe SELECT 1/0: err %v tags %q, want a 22012 server error in Result.Err", got[3].res.Err, got[3].res.Tags)
		}
		// gate.Result: nil for SQL NULL only.
		if r := got[4].res; len(r.Rows) != 1 || len(r.Rows[0]) != 2 || r.Rows[0][0] == nil || len(r.Rows[0][0]) != 0 || r.Rows[0][1] != nil {
			t.Errorf("probe %q: rows %#v, want one row of a non-nil empty value and a nil", got[4].sql, r.Rows)
		}
		check(5, []string{"SELECT 1", "SELECT 1"}, [][][]byte{{[]byte("1")}, {[]byte("2")}})

		// The probes ran in the client's own session: its temporary
		// table is visible to the client.
		if v := protoValue(t, conn, "SELECT count(*) FROM proto_seam_tmp"); v != "1" {
			t.Fatalf("the client sees %s rows in the probe's temporary table, want 1", v)
		}
	})

	t.Run("Exec runs inside the client's open transaction", func(t *testing.T) {
		conn := protoPgconn(t, dsn)
		protoMustExec(t, conn, "CREATE TEMP TABLE proto_seam_tmp (x integer)")
		protoMustExec(t, conn, "BEGIN")
		protoMustExec(t, conn, "SELECT 'in transaction' /* in-tx */")
		got := enf.take()
		if len(got) != 1 || got[0].err != nil || got[0].res.Err != nil || got[0].res.TxStatus != 'T' {
			t.Fatalf("probe in a transaction: %+v, want success with TxStatus T", got)
		}
		if v := protoValue(t, conn, "SELECT count(*) FROM proto_seam_tmp"); v != "1" {
			t.Fatalf("inside the transaction the client sees %s probe rows, want 1", v)
		}
		protoMustExec(t, conn, "ROLLBACK")
		if v := protoValue(t, conn, "SELECT count(*) FROM proto_seam_tmp"); v != "0" {
			t.Fatalf("after ROLLBACK the client sees %s probe rows, want 0: the probe was not part of its transaction", v)
		}
		if conn.TxStatus() != 'I' {
			t.Fatalf("TxStatus %c after ROLLBACK", conn.TxStatus())
		}
	})

	t.Run("pipelined simple queries keep their answers in order around Exec", func(t *testing.T) {
		r := protoRaw(t, dsn)
		r.send(
			&pgproto3.Query{String: "SELECT 'q0' /* answer */"},
			&pgproto3.Query{String: "SELECT 1/0 /* answer */"},
			&pgproto3.Query{String: "SELECT 'q2' /* answer */"},
		)
		first, second, third := r.untilReady(), r.untilReady(), r.untilReady()
		if first.types != "TDCZ" || first.rows[0] != "q0" {
			t.Fatalf("first answer %q %v", first.types, first.rows)
		}
		if second.types != "EZ" || second.errs[0].Code != "22012" {
			t.Fatalf("second answer %q %v, want the client's own 22012", second.types, second.errs)
		}
		if third.types != "TDCZ" || third.rows[0] != "q2" {
			t.Fatalf("third answer %q %v", third.types, third.rows)
		}
		requireAnswer(t, enf.take(), 3)
	})

	t.Run("a pgx pipeline of several requests keeps its answers in order around Exec", func(t *testing.T) {
		conn := protoPgconn(t, dsn)
		pl := conn.StartPipeline(testCtx(t))
		for i := 0; i < 4; i++ {
			pl.SendQueryParams("SELECT $1::text /* answer */", [][]byte{[]byte("p" + strconv.Itoa(i))}, nil, nil, nil)
			pl.SendPipelineSync()
		}
		if err := pl.Flush(); err != nil {
			t.Fatal(err)
		}
		var got []string
		syncs := 0
		for syncs < 4 {
			res, err := pl.GetResults()
			if err != nil {
				t.Fatalf("pipeline: %v", err)
			}
			switch res := res.(type) {
			case *pgconn.ResultReader:
				r := res.Read()
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				for _, row := range r.Rows {
					got = append(got, string(row[0]))
				}
			case *pgconn.PipelineSync:
				syncs++
			case nil:
				t.Fatal("pipeline ended early")
			}
		}
		if err := pl.Close(); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != "p0,p1,p2,p3" {
			t.Fatalf("pipeline answers %v, want p0..p3 in order", got)
		}
		requireAnswer(t, enf.take(), 4)
		protoRequireUsable(t, conn)
	})
}
