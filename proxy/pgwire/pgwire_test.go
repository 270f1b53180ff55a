package pgwire

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/bulwarkdb/bulwark/proxy/gate"
)

// These tests exercise the wire engine without a database: frame helpers
// directly, the startup phase over an in-memory connection, and whole agent
// sessions between a pgproto3 client and a scripted fake upstream on
// loopback. Behaviour against a real PostgreSQL is covered in integration/.

func TestReadHeader(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		max     int
		want    header
		wantErr error // nil, errMessageTooLarge, or errAny
	}{
		{name: "an empty body is length four", in: []byte{'S', 0, 0, 0, 4}, want: header{typ: 'S', n: 0}},
		{name: "the length counts itself but not the type byte", in: []byte{'Q', 0, 0, 0, 9}, want: header{typ: 'Q', n: 5}},
		{name: "a body exactly at the limit is accepted", in: []byte{'Q', 0, 0, 0, 104}, max: 100, want: header{typ: 'Q', n: 100}},
		{name: "a body one byte over the limit is too large", in: []byte{'Q', 0, 0, 0, 105}, max: 100, want: header{typ: 'Q', n: 101}, wantErr: errMessageTooLarge},
		{name: "no limit accepts the largest length", in: []byte{'D', 0x7f, 0xff, 0xff, 0xff}, want: header{typ: 'D', n: 0x7fffffff - 4}},
		{name: "a length with the top bit set is too large under a limit", in: []byte{'Q', 0x80, 0, 0, 0}, max: 1 << 20, want: header{typ: 'Q', n: 0x80000000 - 4}, wantErr: errMessageTooLarge},
		{name: "a length below four is invalid", in: []byte{'Q', 0, 0, 0, 3}, wantErr: errAny},
		{name: "a zero length is invalid", in: []byte{'Q', 0, 0, 0, 0}, wantErr: errAny},
		{name: "a truncated header is an unexpected EOF", in: []byte{'Q', 0, 0}, wantErr: io.ErrUnexpectedEOF},
		{name: "no header at all is EOF", in: nil, wantErr: io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := readHeader(bufio.NewReader(bytes.NewReader(tt.in)), tt.max)
			switch {
			case tt.wantErr == nil:
				if err != nil {
					t.Fatalf("readHeader: unexpected error %v", err)
				}
			case tt.wantErr == errAny:
				if err == nil || errors.Is(err, errMessageTooLarge) {
					t.Fatalf("readHeader: got error %v, want a framing error", err)
				}
				return
			default:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("readHeader: got error %v, want %v", err, tt.wantErr)
				}
			}
			if tt.wantErr == nil || tt.wantErr == errMessageTooLarge {
				if h != tt.want {
					t.Fatalf("readHeader = %+v, want %+v", h, tt.want)
				}
			}
		})
	}
}

// errAny marks a table row that expects some error other than the named ones.
var errAny = errors.New("any error")

func TestReadHeaderThenBodyReadsConsecutiveMessages(t *testing.T) {
	var stream []byte
	stream = appendMessage(stream, 'Q', []byte("SELECT 1\x00"))
	stream = appendMessage(stream, 'S', nil)
	r := bufio.NewReader(bytes.NewReader(stream))

	h, err := readHeader(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	body, err := readBody(r, h, nil)
	if err != nil || h.typ != 'Q' || string(body) != "SELECT 1\x00" {
		t.Fatalf("first message = %q %q (%v), want Query \"SELECT 1\\x00\"", h.typ, body, err)
	}
	h, err = readHeader(r, 0)
	if err != nil || h.typ != 'S' || h.n != 0 {
		t.Fatalf("second message = %+v (%v), want an empty Sync", h, err)
	}
	if _, err := readHeader(r, 0); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last message: got %v, want EOF", err)
	}
}

func TestReadBodyReusesBufferAndReportsShortBodies(t *testing.T) {
	buf := make([]byte, 0, 64)
	body, err := readBody(bufio.NewReader(strings.NewReader("abcdef")), header{typ: 'Q', n: 6}, buf)
	if err != nil || string(body) != "abcdef" {
		t.Fatalf("readBody = %q, %v", body, err)
	}
	if &body[0] != &buf[:1][0] {
		t.Errorf("readBody allocated although the buffer was large enough")
	}
	if _, err := readBody(bufio.NewReader(strings.NewReader("abc")), header{typ: 'Q', n: 6}, nil); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short body: got %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestWriteHeaderAndAppendMessageAgree(t *testing.T) {
	body := []byte("hello\x00")
	var w bytes.Buffer
	bw := bufio.NewWriter(&w)
	if err := writeHeader(bw, header{typ: 'Q', n: len(body)}); err != nil {
		t.Fatal(err)
	}
	bw.Write(body)
	bw.Flush()
	if got, want := w.Bytes(), appendMessage(nil, 'Q', body); !bytes.Equal(got, want) {
		t.Fatalf("writeHeader+body = %v, appendMessage = %v", got, want)
	}
	// And pgproto3, an independent encoder, produces the same bytes.
	enc, _ := (&pgproto3.Query{String: "hello"}).Encode(nil)
	if !bytes.Equal(enc, w.Bytes()) {
		t.Fatalf("pgproto3 encodes %v, we encode %v", enc, w.Bytes())
	}
}

func TestCstring(t *testing.T) {
	tests := []struct {
		name     string
		in       []byte
		want     string
		wantRest []byte
		wantOK   bool
	}{
		{name: "a terminated string splits at the first NUL", in: []byte("ab\x00cd\x00"), want: "ab", wantRest: []byte("cd\x00"), wantOK: true},
		{name: "an empty string is just a NUL", in: []byte{0}, want: "", wantRest: []byte{}, wantOK: true},
		{name: "a string without a terminator is not ok", in: []byte("abc"), wantOK: false},
		{name: "an empty input is not ok", in: nil, wantOK: false},
		{name: "non-UTF-8 bytes are kept as they are", in: []byte{0x82, 0x5c, 0}, want: "\x82\x5c", wantRest: []byte{}, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, rest, ok := cstring(tt.in)
			if ok != tt.wantOK || s != tt.want || !bytes.Equal(rest, tt.wantRest) {
				t.Fatalf("cstring(%q) = %q, %q, %v; want %q, %q, %v", tt.in, s, rest, ok, tt.want, tt.wantRest, tt.wantOK)
			}
		})
	}
}

func TestDecodeDataRow(t *testing.T) {
	// gate.Result promises nil for SQL NULL only: an empty string must
	// stay distinguishable from NULL.
	enc, _ := (&pgproto3.DataRow{Values: [][]byte{[]byte("42"), nil, {}}}).Encode(nil)
	row := decodeDataRow(enc[headerLen:])
	if len(row) != 3 || string(row[0]) != "42" || row[1] != nil {
		t.Fatalf("decodeDataRow = %q, want [\"42\" NULL \"\"]", row)
	}
	if row[2] == nil {
		t.Errorf("decodeDataRow turned the empty string in column 3 into nil, which gate.Result defines as SQL NULL")
	}
	// A row that claims more than it holds must not panic.
	for _, b := range [][]byte{{}, {0}, {0, 2, 0, 0}, {0, 1, 0x7f, 0xff, 0xff, 0xff, 'x'}, {0, 1, 0xff, 0xff, 0xff, 0xfe}} {
		_ = decodeDataRow(b)
	}
}

// ---- startup ----

// memConn is a net.Conn whose reads come from a fixed input and whose writes
// are recorded.
type memConn struct {
	r   io.Reader
	mu  sync.Mutex
	out bytes.Buffer
}

func (m *memConn) Read(b []byte) (int, error) { return m.r.Read(b) }
func (m *memConn) Write(b []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.out.Write(b)
}
func (m *memConn) Close() error                     { return nil }
func (m *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (m *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (m *memConn) SetDeadline(time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(time.Time) error { return nil }

func (m *memConn) written() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.out.Bytes()...)
}

// newStartupConn returns a conn that reads the client's startup packets from
// in, with a fake enforcer.
func newStartupConn(in []byte, enf gate.Enforcer) (*conn, *memConn) {
	// One byte per Read, as a client that waits for each answer would
	// deliver it: the engine must not see later packets early.
	mc := &memConn{r: iotest.OneByteReader(bytes.NewReader(in))}
	srv := NewServer(Config{
		UpstreamAddr: "127.0.0.1:1", ConnectTimeout: time.Second, HandshakeTimeout: time.Second,
		MaxMessageBytes: 1 << 20, MaxStatementBytes: 1 << 20, MaxRequestBytes: 1 << 20,
		Enforcer: enf, Logger: slog.New(slog.DiscardHandler),
	})
	return &conn{srv: srv, client: mc, clientR: bufio.NewReader(mc), clientW: bufio.NewWriter(mc)}, mc
}

func startupPacket(params map[string]string) []byte {
	b, _ := (&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params}).Encode(nil)
	return b
}

func codePacket(code uint32, extra ...byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(extra)))
	b = binary.BigEndian.AppendUint32(b, code)
	return append(b, extra...)
}

func rawLength(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// fatalCode decodes the first ErrorResponse in b and returns its SQLSTATE.
func fatalCode(t *testing.T, b []byte) string {
	t.Helper()
	for len(b) >= headerLen {
		n := int(binary.BigEndian.Uint32(b[1:5])) + 1
		if n > len(b) {
			break
		}
		if b[0] == 'E' {
			var e pgproto3.ErrorResponse
			if err := e.Decode(b[headerLen:n]); err != nil {
				t.Fatalf("undecodable ErrorResponse: %v", err)
			}
			if e.Severity != "FATAL" {
				t.Errorf("severity %q, want FATAL", e.Severity)
			}
			return e.Code
		}
		b = b[n:]
	}
	return ""
}

func TestReadStartup(t *testing.T) {
	user := startupPacket(map[string]string{"user": "bot", "database": "shop", "application_name": "app"})
	tests := []struct {
		name    string
		in      []byte
		wantOK  bool
		wantErr bool
		// wantOut is what the client must have received before any FATAL.
		wantOut string
		// wantFatal is the SQLSTATE of a FATAL sent to the client ("" none).
		wantFatal string
	}{
		{name: "a plain StartupMessage is accepted", in: user, wantOK: true},
		{name: "an SSLRequest is declined with N and startup continues in plain text", in: concat(codePacket(codeSSLRequest), user), wantOK: true, wantOut: "N"},
		{name: "a GSSENCRequest is declined with N and startup continues in plain text", in: concat(codePacket(codeGSSENCRequest), user), wantOK: true, wantOut: "N"},
		{name: "both encryption requests in turn are each declined", in: concat(codePacket(codeGSSENCRequest), codePacket(codeSSLRequest), user), wantOK: true, wantOut: "NN"},
		{name: "a CancelRequest for an unknown key ends the connection quietly", in: codePacket(codeCancel, 0, 0, 0, 1, 0, 0, 0, 2), wantOK: false},
		{name: "a startup length of zero is refused", in: rawLength(0), wantErr: true},
		{name: "a startup length of two gigabytes is refused", in: rawLength(1 << 31), wantErr: true},
		{name: "a startup length just above the server's maximum is refused", in: rawLength(maxStartupPacket + 1), wantErr: true},
		{name: "a truncated startup packet is an error", in: user[:len(user)-3], wantErr: true},
		{name: "protocol 2 is refused with FATAL 08P01", in: codePacket(2 << 16), wantErr: true, wantFatal: "08P01"},
		{name: "a startup without a user is refused with FATAL 28000", in: startupPacket(map[string]string{"database": "shop"}), wantErr: true, wantFatal: "28000"},
		{name: "an agent asking for replication is refused with FATAL 42501", in: startupPacket(map[string]string{"user": "bot", "replication": "database"}), wantErr: true, wantFatal: "42501"},
		{name: "an unterminated parameter is malformed", in: concat(rawLength(8+3+1), rawLength(3<<16), []byte("usr\x01")), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enf := &fakeEnforcer{kind: gate.Agent}
			c, mc := newStartupConn(tt.in, enf)
			ok, err := c.readStartup()
			_ = c.clientW.Flush()
			if err != nil {
				ok = false // serveConn looks at the error first
			}
			if (err != nil) != tt.wantErr || ok != tt.wantOK {
				t.Fatalf("readStartup = %v, %v; want ok=%v, error=%v", ok, err, tt.wantOK, tt.wantErr)
			}
			out := mc.written()
			if !bytes.HasPrefix(out, []byte(tt.wantOut)) {
				t.Fatalf("client received %q, want it to start with %q", out, tt.wantOut)
			}
			if got := fatalCode(t, out[len(tt.wantOut):]); got != tt.wantFatal {
				t.Fatalf("FATAL code %q, want %q (client received %q)", got, tt.wantFatal, out)
			}
			if tt.wantOK {
				if c.info.User != "bot" || c.info.Database != "shop" || c.info.ApplicationName != "app" || c.info.Kind != gate.Agent {
					t.Fatalf("session = %+v, want user bot, database shop, application app, kind agent", c.info)
				}
				if !bytes.Equal(c.startup, user) {
					t.Fatalf("the StartupMessage must be kept as sent, to be forwarded unchanged")
				}
			}
		})
	}
}

func TestReadStartupRefusesDataPipelinedBehindAnSSLRequest(t *testing.T) {
	// The client must wait for our one-byte answer before it sends anything
	// else; bytes already buffered behind the SSLRequest would otherwise be
	// read as if they came over the encrypted channel (CVE-2021-23222).
	user := startupPacket(map[string]string{"user": "bot"})
	c, mc := newStartupConn(concat(codePacket(codeSSLRequest), user), &fakeEnforcer{kind: gate.Agent})
	// Fill the reader's buffer with both packets at once.
	if _, err := c.clientR.Peek(8 + len(user)); err != nil {
		t.Fatal(err)
	}
	ok, err := c.readStartup()
	if ok || err == nil {
		t.Fatalf("readStartup = %v, %v; want a refusal", ok, err)
	}
	if len(mc.written()) != 0 {
		t.Fatalf("the client got %q, want no answer at all", mc.written())
	}
}

func TestReadStartupDefaultsTheDatabaseToTheUser(t *testing.T) {
	c, _ := newStartupConn(startupPacket(map[string]string{"user": "bot"}), &fakeEnforcer{kind: gate.Agent})
	if ok, err := c.readStartup(); !ok || err != nil {
		t.Fatalf("readStartup = %v, %v", ok, err)
	}
	if c.info.Database != "bot" {
		t.Fatalf("database %q, want the user name, as the server defaults it", c.info.Database)
	}
}

// FuzzReadStartup feeds arbitrary bytes to the startup phase. Whatever
// arrives, it must not panic, must not read past a refused length, and may
// only answer with 'N' bytes and at most one FATAL.
func FuzzReadStartup(f *testing.F) {
	user := startupPacket(map[string]string{"user": "bot", "database": "shop"})
	seeds := [][]byte{
		user,
		concat(codePacket(codeSSLRequest), user),
		concat(codePacket(codeGSSENCRequest), user),
		codePacket(codeCancel, 0, 0, 0, 1, 0, 0, 0, 2),
		codePacket(codeCancel, 1, 2, 3),
		codePacket(2 << 16),
		codePacket(3<<16 | 2),
		startupPacket(map[string]string{"user": "bot", "replication": "true"}),
		startupPacket(map[string]string{"database": "x"}),
		rawLength(0),
		rawLength(1 << 31),
		rawLength(8),
		concat(rawLength(9), rawLength(3<<16), []byte{'u'}),
		concat(rawLength(13), rawLength(3<<16), []byte("user\x00")),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c, mc := newStartupConn(in, &fakeEnforcer{kind: gate.Agent})
		ok, err := c.readStartup()
		_ = c.clientW.Flush()
		ok = ok && err == nil // serveConn looks at the error first
		if ok && c.info.User == "" {
			t.Fatalf("a session started without a user")
		}
		out := mc.written()
		for len(out) > 0 && out[0] == 'N' {
			out = out[1:]
		}
		if len(out) > 0 {
			if ok {
				t.Fatalf("an accepted startup also answered %q", out)
			}
			if fatalCode(t, out) == "" {
				t.Fatalf("the client got %q, which is neither 'N' nor a FATAL", out)
			}
		}
	})
}

// ---- whole sessions against a fake upstream ----

// fakeEnforcer judges by a function of the SQL text and records every call.
type fakeEnforcer struct {
	kind   gate.Kind
	refuse func(sql string) bool

	mu      sync.Mutex
	checks  []gate.Request
	lexings []gate.Lexing
	// generation is what PolicyGeneration returns; tests change it as a
	// configuration reload would.
	generation atomic.Uint64
	// shape, when set, gives AppendShape's key, and every allowed
	// verdict is Shaped.
	shape func(sql string) (string, bool)
}

func (e *fakeEnforcer) AppendShape(dst []byte, s *gate.Session, _ gate.Lexing, sql string) ([]byte, bool) {
	if e.shape == nil || e.LexingSensitive(s, sql) {
		return dst, false
	}
	shape, ok := e.shape(sql)
	if !ok {
		return dst, false
	}
	return append(dst, shape...), true
}

func (e *fakeEnforcer) Classify(s *gate.Session) gate.Kind { return e.kind }

func (e *fakeEnforcer) PolicyGeneration() uint64 { return e.generation.Load() }

// LexingSensitive treats backslashes and non-ASCII bytes as the PostgreSQL
// analyser does.
func (e *fakeEnforcer) LexingSensitive(s *gate.Session, sql string) bool {
	for i := 0; i < len(sql); i++ {
		if sql[i] == '\\' || sql[i] >= 0x80 {
			return true
		}
	}
	return false
}

func (e *fakeEnforcer) SnapshotFailed(ctx context.Context, s *gate.Session, snap *gate.Snapshot, reason string) gate.Verdict {
	v := snap.Failed
	v.Message += " Reason: " + reason
	return v
}

func (e *fakeEnforcer) Check(ctx context.Context, s *gate.Session, lx gate.Lexing, req gate.Request, up gate.Upstream) gate.Verdict {
	e.mu.Lock()
	e.checks = append(e.checks, req)
	e.lexings = append(e.lexings, lx)
	e.mu.Unlock()
	rule := req.Refusal
	if rule == "" && e.refuse != nil && e.refuse(req.SQL) {
		rule = "test-rule"
	}
	if rule == "" {
		return gate.Verdict{Allow: true, Shaped: e.shape != nil}
	}
	return gate.Verdict{Code: "42501", Message: "bulwark refused this statement (rule " + rule + ")"}
}

func (e *fakeEnforcer) requests() []gate.Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]gate.Request(nil), e.checks...)
}

func (e *fakeEnforcer) reset() {
	e.mu.Lock()
	e.checks, e.lexings = nil, nil
	e.mu.Unlock()
}

func (e *fakeEnforcer) lastLexing() gate.Lexing {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lexings[len(e.lexings)-1]
}

// received is one message the fake upstream got from the proxy.
type received struct {
	typ byte
	sql string // Query and Parse text
}

// fakeUpstream is a scripted PostgreSQL server: trust authentication, one
// row for every Query, and the extended protocol's completion messages. It
// records what reaches it so tests can prove what did not.
type fakeUpstream struct {
	ln net.Listener

	mu      sync.Mutex
	got     []received
	cancels []*pgproto3.CancelRequest
	active  int // upstream connections still being served
}

const (
	fakeUpstreamPID    = 4242
	fakeUpstreamSecret = "upstream"
)

func startFakeUpstream(tb testing.TB) *fakeUpstream {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	u := &fakeUpstream{ln: ln}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			u.mu.Lock()
			u.active++
			u.mu.Unlock()
			go u.serve(nc)
		}
	}()
	return u
}

func (u *fakeUpstream) record(r received) {
	u.mu.Lock()
	u.got = append(u.got, r)
	u.mu.Unlock()
}

func (u *fakeUpstream) received() []received {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]received(nil), u.got...)
}

// waitQuiet waits until no upstream connection is being served.
func (u *fakeUpstream) waitQuiet(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		u.mu.Lock()
		n := u.active
		u.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d upstream connections still open 5s after their sessions ended", n)
		}
		time.Sleep(time.Millisecond)
	}
}

func (u *fakeUpstream) reset() {
	u.mu.Lock()
	u.got = nil
	u.mu.Unlock()
}

func (u *fakeUpstream) queries() []string {
	var out []string
	for _, r := range u.received() {
		if r.typ == 'Q' || r.typ == 'P' {
			out = append(out, r.sql)
		}
	}
	return out
}

func (u *fakeUpstream) serve(nc net.Conn) {
	defer func() {
		nc.Close()
		u.mu.Lock()
		u.active--
		u.mu.Unlock()
	}()
	// The fake frames messages itself rather than with the engine's
	// helpers, so that a framing fault in the engine cannot hide.
	r := bufio.NewReader(nc)
	send := func(msgs ...pgproto3.BackendMessage) bool {
		var b []byte
		for _, m := range msgs {
			b, _ = m.Encode(b)
		}
		_, err := nc.Write(b)
		return err == nil
	}
	var lb [4]byte
	if _, err := io.ReadFull(r, lb[:]); err != nil {
		return
	}
	n := binary.BigEndian.Uint32(lb[:])
	if n < 8 || n > 10000 {
		u.record(received{typ: '?', sql: fmt.Sprintf("startup packet length %d", n)})
		return
	}
	pkt := make([]byte, n-4)
	if _, err := io.ReadFull(r, pkt); err != nil {
		return
	}
	if binary.BigEndian.Uint32(pkt) == 80877102 && len(pkt) >= 8 {
		u.mu.Lock()
		u.cancels = append(u.cancels, &pgproto3.CancelRequest{ProcessID: binary.BigEndian.Uint32(pkt[4:8]), SecretKey: pkt[8:]})
		u.mu.Unlock()
		return
	}
	if !send(&pgproto3.AuthenticationOk{},
		&pgproto3.ParameterStatus{Name: "standard_conforming_strings", Value: "on"},
		&pgproto3.ParameterStatus{Name: "client_encoding", Value: "UTF8"},
		&pgproto3.BackendKeyData{ProcessID: fakeUpstreamPID, SecretKey: []byte(fakeUpstreamSecret)},
		&pgproto3.ReadyForQuery{TxStatus: 'I'}) {
		return
	}
	tx := byte('I')
	// skipping is the server's state after an error in an
	// extended-protocol request: every message up to Sync is ignored.
	skipping := false
	fail := func(code, msg string) pgproto3.BackendMessage {
		if tx == 'T' {
			tx = 'E'
		}
		return &pgproto3.ErrorResponse{Severity: "ERROR", Code: code, Message: msg}
	}
	for {
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		typ, length := hdr[0], binary.BigEndian.Uint32(hdr[1:])
		if length < 4 || length > 64<<20 {
			u.record(received{typ: '?', sql: fmt.Sprintf("message %q with length %d", typ, length)})
			return
		}
		body := make([]byte, length-4)
		if _, err := io.ReadFull(r, body); err != nil {
			return // a peer that goes away mid-message (COPY data is streamed)
		}
		if skipping && typ != 'S' && typ != 'X' {
			u.record(received{typ: 'k'})
			continue
		}
		var answer []pgproto3.BackendMessage
		switch typ {
		case 'Q':
			// The server reads the text up to the first NUL and
			// rejects the message if anything follows it.
			sql, rest, found := strings.Cut(string(body), "\x00")
			switch {
			case !found || rest != "":
				u.record(received{typ: 'q'})
				answer = append(answer, fail("08P01", "invalid message format"))
			case !fakeSQL(sql):
				u.record(received{typ: 'q', sql: sql})
				answer = append(answer, fail("42601", "syntax error"))
			default:
				u.record(received{typ: 'Q', sql: sql})
				answer = append(answer, u.run(sql, &tx)...)
			}
			answer = append(answer, &pgproto3.ReadyForQuery{TxStatus: tx})
		case 'P':
			_, rest, _ := strings.Cut(string(body), "\x00")
			sql, _, _ := strings.Cut(rest, "\x00")
			if !fakeSQL(sql) {
				u.record(received{typ: 'p', sql: sql})
				answer = append(answer, fail("42601", "syntax error"))
				skipping = true
				break
			}
			u.record(received{typ: 'P', sql: sql})
			answer = append(answer, &pgproto3.ParseComplete{})
		case 'B':
			u.record(received{typ: 'B'})
			answer = append(answer, &pgproto3.BindComplete{})
		case 'D':
			u.record(received{typ: 'D'})
			answer = append(answer, &pgproto3.NoData{})
		case 'E':
			u.record(received{typ: 'E'})
			answer = append(answer, &pgproto3.CommandComplete{CommandTag: []byte("SELECT 0")})
		case 'C':
			u.record(received{typ: 'C'})
			answer = append(answer, &pgproto3.CloseComplete{})
		case 'S':
			u.record(received{typ: 'S'})
			skipping = false
			answer = append(answer, &pgproto3.ReadyForQuery{TxStatus: tx})
		case 'H':
			u.record(received{typ: 'H'})
		case 'd', 'c', 'f':
			// Outside COPY the server ignores these; so does the fake.
			u.record(received{typ: 'd'})
		case 'X':
			return
		default:
			// Anything else (a FunctionCall included: the fake
			// enforcer refuses every one) should never get here.
			u.record(received{typ: '?', sql: fmt.Sprintf("message type %q", typ)})
			return
		}
		if len(answer) > 0 && !send(answer...) {
			return
		}
	}
}

// fakeSQL is the fake upstream's grammar: a text is SQL when it starts with
// one of these words. Anything else is a syntax error, as on a real server.
func fakeSQL(sql string) bool {
	word, _, _ := strings.Cut(strings.TrimSpace(strings.ToUpper(sql)), " ")
	switch word {
	case "SELECT", "VALUES", "WITH", "INSERT", "UPDATE", "DELETE", "DROP", "TRUNCATE", "CREATE",
		"SET", "SHOW", "BEGIN", "COMMIT", "ROLLBACK", "FAIL":
		return true
	}
	return false
}

// run answers a simple Query the fake accepted.
func (u *fakeUpstream) run(sql string, tx *byte) []pgproto3.BackendMessage {
	switch upper := strings.ToUpper(sql); {
	case upper == "BEGIN":
		*tx = 'T'
		return []pgproto3.BackendMessage{&pgproto3.CommandComplete{CommandTag: []byte("BEGIN")}}
	case upper == "COMMIT" || upper == "ROLLBACK":
		*tx = 'I'
		return []pgproto3.BackendMessage{&pgproto3.CommandComplete{CommandTag: []byte(upper)}}
	case strings.HasPrefix(upper, "SET STANDARD_CONFORMING_STRINGS"):
		// A busy server takes its time; the proxy must not judge what
		// follows with the old setting meanwhile.
		time.Sleep(50 * time.Millisecond)
		v := "on"
		if strings.HasSuffix(upper, "OFF") {
			v = "off"
		}
		return []pgproto3.BackendMessage{&pgproto3.ParameterStatus{Name: "standard_conforming_strings", Value: v},
			&pgproto3.CommandComplete{CommandTag: []byte("SET")}}
	case upper == "FAIL":
		if *tx == 'T' {
			*tx = 'E'
		}
		return []pgproto3.BackendMessage{&pgproto3.ErrorResponse{Severity: "ERROR", Code: "22012", Message: "division by zero"}}
	}
	return []pgproto3.BackendMessage{
		&pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{{Name: []byte("q"), DataTypeOID: 25, DataTypeSize: -1, TypeModifier: -1}}},
		&pgproto3.DataRow{Values: [][]byte{[]byte(sql)}},
		&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")},
	}
}

// startEngine runs a pgwire server in front of up with enf.
func startEngine(tb testing.TB, up *fakeUpstream, enf gate.Enforcer, tune func(*Config)) string {
	tb.Helper()
	cfg := Config{
		UpstreamAddr: up.ln.Addr().String(), ConnectTimeout: 2 * time.Second, HandshakeTimeout: 5 * time.Second,
		MaxMessageBytes: 1 << 20, MaxStatementBytes: 256 << 10, MaxRequestBytes: 1 << 20,
		Enforcer: enf, Logger: slog.New(slog.DiscardHandler),
	}
	if tune != nil {
		tune(&cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewServer(cfg).Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			tb.Errorf("Serve did not return after its context ended")
		}
	})
	return ln.Addr().String()
}

// client is a raw protocol client with a read deadline on every receive.
type client struct {
	t  *testing.T
	nc net.Conn
	fe *pgproto3.Frontend
	// key is the BackendKeyData the proxy handed out.
	key *pgproto3.BackendKeyData
}

func dialEngine(t *testing.T, addr string) *client {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &client{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
	c.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "bot", "database": "shop"}})
	c.flush()
	for {
		switch m := c.receive().(type) {
		case *pgproto3.BackendKeyData:
			c.key = &pgproto3.BackendKeyData{ProcessID: m.ProcessID, SecretKey: append([]byte(nil), m.SecretKey...)}
		case *pgproto3.ReadyForQuery:
			return c
		case *pgproto3.ErrorResponse:
			t.Fatalf("startup failed: %s", m.Message)
		}
	}
}

func (c *client) flush() {
	c.t.Helper()
	if err := c.fe.Flush(); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *client) receive() pgproto3.BackendMessage {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	m, err := c.fe.Receive()
	if err != nil {
		c.t.Fatalf("receive: %v", err)
	}
	return m
}

// untilReady collects the type letters of every message up to and including
// ReadyForQuery, with the ReadyForQuery status and any errors.
func (c *client) untilReady() (types string, tx byte, errs []*pgproto3.ErrorResponse) {
	c.t.Helper()
	for {
		m := c.receive()
		switch m := m.(type) {
		case *pgproto3.ReadyForQuery:
			return types + "Z", m.TxStatus, errs
		case *pgproto3.ErrorResponse:
			cp := *m
			errs = append(errs, &cp)
		}
		types += string(backendType(m))
	}
}

func backendType(m pgproto3.BackendMessage) byte {
	b, _ := m.Encode(nil)
	if len(b) == 0 {
		return '?'
	}
	return b[0]
}

// simple runs one simple Query and returns what untilReady returns.
func (c *client) simple(sql string) (string, byte, []*pgproto3.ErrorResponse) {
	c.t.Helper()
	c.fe.Send(&pgproto3.Query{String: sql})
	c.flush()
	return c.untilReady()
}

// expectClosed asserts the proxy ends the connection, after an optional
// FATAL with the given SQLSTATE.
func (c *client) expectClosed(code string) {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	sawFatal := ""
	for {
		m, err := c.fe.Receive()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.t.Fatalf("the proxy kept the connection open")
			}
			break
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok {
			if e.Severity != "FATAL" {
				c.t.Errorf("severity %q, want FATAL", e.Severity)
			}
			sawFatal = e.Code
		}
	}
	if sawFatal != code {
		c.t.Fatalf("FATAL code %q before the close, want %q", sawFatal, code)
	}
}

func refuseDrops(sql string) bool { return strings.Contains(strings.ToUpper(sql), "DROP") }

func TestAgentSessionAnswersRefusalsInTheProtocol(t *testing.T) {
	up := startFakeUpstream(t)
	enf := &fakeEnforcer{kind: gate.Agent, refuse: refuseDrops}
	addr := startEngine(t, up, enf, nil)

	t.Run("an allowed Query is forwarded and its answer relayed", func(t *testing.T) {
		c := dialEngine(t, addr)
		types, tx, errs := c.simple("SELECT 'relayed'")
		if types != "TDCZ" || tx != 'I' || len(errs) != 0 {
			t.Fatalf("got %q status %c errors %v, want TDCZ I", types, tx, errs)
		}
	})

	t.Run("a refused Query never reaches the upstream and the session stays usable", func(t *testing.T) {
		c := dialEngine(t, addr)
		types, tx, errs := c.simple("DROP TABLE simple_refused")
		if types != "EZ" || tx != 'I' || len(errs) != 1 || errs[0].Code != "42501" || !strings.Contains(errs[0].Message, "test-rule") {
			t.Fatalf("got %q status %c errors %+v, want one 42501 ErrorResponse and ReadyForQuery I", types, tx, errs)
		}
		if types, _, _ := c.simple("SELECT 'after'"); types != "TDCZ" {
			t.Fatalf("after a refusal: got %q, want TDCZ", types)
		}
		for _, q := range up.queries() {
			if strings.Contains(q, "simple_refused") {
				t.Fatalf("the upstream received the refused statement %q", q)
			}
		}
	})

	t.Run("a refusal inside a transaction aborts it as a server error would", func(t *testing.T) {
		// The documented behaviour (README): a refusal acts like an
		// error raised by the server, so an open transaction is aborted
		// and ReadyForQuery reports what the upstream reports.
		c := dialEngine(t, addr)
		if _, tx, _ := c.simple("BEGIN"); tx != 'T' {
			t.Fatalf("BEGIN left status %c", tx)
		}
		if types, tx, errs := c.simple("DROP TABLE in_tx"); types != "EZ" || tx != 'E' || len(errs) != 1 || errs[0].Code != "42501" {
			t.Fatalf("refusal in a transaction: %q status %c errors %+v; want one refusal and status E", types, tx, errs)
		}
		if _, tx, errs := c.simple("DROP TABLE in_failed_tx"); tx != 'E' || len(errs) != 1 || errs[0].Code != "42501" {
			t.Fatalf("refusal in a failed transaction: status %c errors %+v, want E and the refusal", tx, errs)
		}
		if _, tx, _ := c.simple("ROLLBACK"); tx != 'I' {
			t.Fatalf("ROLLBACK left status %c", tx)
		}
		if _, tx, errs := c.simple("FAIL"); tx != 'I' || len(errs) != 1 || errs[0].Code != "22012" {
			t.Fatalf("a server error: status %c, errors %+v; want the server's own 22012", tx, errs)
		}
		for _, q := range up.queries() {
			if strings.Contains(q, "in_tx") || strings.Contains(q, "in_failed_tx") {
				t.Fatalf("the upstream received the refused statement %q", q)
			}
		}
	})

	t.Run("a refused Parse discards its whole request up to Sync", func(t *testing.T) {
		c := dialEngine(t, addr)
		c.fe.SendParse(&pgproto3.Parse{Name: "ok", Query: "SELECT 'before the refusal'"})
		c.fe.SendBind(&pgproto3.Bind{PreparedStatement: "ok"})
		c.fe.SendExecute(&pgproto3.Execute{})
		c.fe.SendParse(&pgproto3.Parse{Query: "DROP TABLE pipelined"})
		c.fe.SendBind(&pgproto3.Bind{})
		c.fe.SendExecute(&pgproto3.Execute{})
		c.fe.SendSync(&pgproto3.Sync{})
		c.flush()
		types, tx, errs := c.untilReady()
		if types != "EZ" || tx != 'I' || len(errs) != 1 || errs[0].Code != "42501" {
			t.Fatalf("got %q status %c errors %+v, want EZ with one refusal", types, tx, errs)
		}
		for _, q := range up.queries() {
			if strings.Contains(q, "before the refusal") || strings.Contains(q, "pipelined") {
				t.Fatalf("part of a refused request reached the upstream: %q", q)
			}
		}
		// The next request is judged afresh.
		c.fe.SendParse(&pgproto3.Parse{Query: "SELECT 'next request'"})
		c.fe.SendBind(&pgproto3.Bind{})
		c.fe.SendExecute(&pgproto3.Execute{})
		c.fe.SendSync(&pgproto3.Sync{})
		c.flush()
		if types, _, errs := c.untilReady(); types != "12CZ" || len(errs) != 0 {
			t.Fatalf("the request after a refusal: got %q %v, want 12CZ", types, errs)
		}
	})

	t.Run("a refusal before a Flush is answered at the Flush and the rest is dropped until Sync", func(t *testing.T) {
		c := dialEngine(t, addr)
		c.fe.SendParse(&pgproto3.Parse{Query: "DROP TABLE flushed"})
		c.fe.Send(&pgproto3.Flush{})
		c.flush()
		if e, ok := c.receive().(*pgproto3.ErrorResponse); !ok || e.Code != "42501" {
			t.Fatalf("after Flush: got %T, want the refusal", e)
		}
		c.fe.SendBind(&pgproto3.Bind{})
		c.fe.SendExecute(&pgproto3.Execute{})
		c.fe.SendSync(&pgproto3.Sync{})
		c.flush()
		if types, _, errs := c.untilReady(); types != "Z" || len(errs) != 0 {
			t.Fatalf("after Sync: got %q %v, want a lone ReadyForQuery (the error was already sent)", types, errs)
		}
	})

	t.Run("a Query after an unfinished refused request is skipped until Sync, as the server skips it", func(t *testing.T) {
		// After an error in an extended-protocol request the server
		// ignores every message, a Query included, up to Sync.
		c := dialEngine(t, addr)
		c.fe.SendParse(&pgproto3.Parse{Query: "DROP TABLE unfinished"})
		c.fe.SendQuery(&pgproto3.Query{String: "SELECT 'skipped query'"})
		c.fe.SendSync(&pgproto3.Sync{})
		c.flush()
		types, tx, errs := c.untilReady()
		if types != "EZ" || tx != 'I' || len(errs) != 1 || errs[0].Code != "42501" {
			t.Fatalf("got %q %c %+v, want one refusal and ReadyForQuery I", types, tx, errs)
		}
		for _, q := range up.queries() {
			if strings.Contains(q, "skipped query") {
				t.Fatalf("the upstream ran %q, which the server would have skipped", q)
			}
		}
		if types, _, _ := c.simple("SELECT 'after sync'"); types != "TDCZ" {
			t.Fatalf("after Sync: got %q", types)
		}
	})
}

func TestAgentSessionLimitsAndMalformedMessages(t *testing.T) {
	up := startFakeUpstream(t)
	enf := &fakeEnforcer{kind: gate.Agent}
	addr := startEngine(t, up, enf, func(c *Config) {
		c.MaxMessageBytes = 64 << 10
		c.MaxStatementBytes = 8 << 10
		c.MaxRequestBytes = 32 << 10
	})

	t.Run("a statement over the statement limit is refused unread and the session stays usable", func(t *testing.T) {
		c := dialEngine(t, addr)
		big := "SELECT '" + strings.Repeat("x", 16<<10) + "'"
		types, _, errs := c.simple(big)
		if types != "EZ" || len(errs) != 1 || !strings.Contains(errs[0].Message, "statement-too-large") {
			t.Fatalf("got %q %+v, want a statement-too-large refusal", types, errs)
		}
		reqs := enf.requests()
		last := reqs[len(reqs)-1]
		if last.Refusal != "statement-too-large" || last.Size != len(big) || len(last.SQL) >= len(big) {
			t.Fatalf("enforcer saw %q size %d text %d bytes; want statement-too-large, size %d, only a prefix kept", last.Refusal, last.Size, len(last.SQL), len(big))
		}
		if types, _, _ := c.simple("SELECT 'small'"); types != "TDCZ" {
			t.Fatalf("after the refusal: got %q", types)
		}
	})

	t.Run("an extended request over the request limit is refused whole", func(t *testing.T) {
		c := dialEngine(t, addr)
		for i := 0; i < 8; i++ {
			c.fe.SendParse(&pgproto3.Parse{Query: "SELECT '" + strings.Repeat("y", 6<<10) + "'"})
		}
		c.fe.SendSync(&pgproto3.Sync{})
		c.flush()
		types, _, errs := c.untilReady()
		if types != "EZ" || len(errs) != 1 || !strings.Contains(errs[0].Message, "request-too-large") {
			t.Fatalf("got %q %+v, want one request-too-large refusal", types, errs)
		}
	})

	t.Run("a fast-path FunctionCall is refused", func(t *testing.T) {
		c := dialEngine(t, addr)
		c.fe.Send(&pgproto3.FunctionCall{Function: 964, ArgFormatCodes: []uint16{1}, Arguments: [][]byte{{0, 0, 0, 1}}, ResultFormatCode: 1})
		c.flush()
		types, _, errs := c.untilReady()
		if types != "EZ" || len(errs) != 1 || !strings.Contains(errs[0].Message, "fastpath-call") {
			t.Fatalf("got %q %+v, want a fastpath-call refusal", types, errs)
		}
	})

	t.Run("a statement over a statement limit smaller than the audit prefix is refused", func(t *testing.T) {
		// limits.max_statement_bytes may be configured as low as 1; the
		// engine keeps a 4 KiB prefix of an oversized statement for the
		// audit record and must not wait for bytes beyond the message to
		// fill it, nor read into the next message.
		addr := startEngine(t, up, enf, func(c *Config) { c.MaxStatementBytes = 512 })
		c := dialEngine(t, addr)
		if types, _, errs := c.simple("SELECT '" + strings.Repeat("z", 1000) + "'"); types != "EZ" || len(errs) != 1 || !strings.Contains(errs[0].Message, "statement-too-large") {
			t.Fatalf("oversized statement: got %q %+v, want a statement-too-large refusal", types, errs)
		}
		c.fe.SendQuery(&pgproto3.Query{String: "SELECT '" + strings.Repeat("z", 1000) + "'"})
		c.fe.SendQuery(&pgproto3.Query{String: "SELECT 'next'"})
		c.flush()
		if types, _, errs := c.untilReady(); types != "EZ" || len(errs) != 1 {
			t.Fatalf("pipelined oversized statement: got %q %+v, want a refusal", types, errs)
		}
		if types, _, errs := c.untilReady(); types != "TDCZ" || len(errs) != 0 {
			t.Fatalf("the Query after it: got %q %+v, want its answer", types, errs)
		}
	})

	raw := []struct {
		name  string
		bytes []byte
		fatal string
	}{
		{name: "a message above the message limit ends the session with FATAL 54000", bytes: []byte{'Q', 0, 2, 0, 0}, fatal: "54000"},
		{name: "a message claiming two gigabytes ends the session with FATAL 54000", bytes: []byte{'P', 0x7f, 0xff, 0xff, 0xff}, fatal: "54000"},
		{name: "an unknown message type ends the session with FATAL 08P01", bytes: appendMessage(nil, 'z', nil), fatal: "08P01"},
		{name: "an unterminated Query ends the session with FATAL 08P01", bytes: appendMessage(nil, 'Q', []byte("SELECT 1")), fatal: "08P01"},
		{name: "a Parse without its query string ends the session with FATAL 08P01", bytes: appendMessage(nil, 'P', []byte("name\x00SELECT")), fatal: "08P01"},
		{name: "a message length below four ends the session", bytes: []byte{'Q', 0, 0, 0, 2}, fatal: "08P01"},
	}
	for _, tt := range raw {
		t.Run(tt.name, func(t *testing.T) {
			before := len(up.received())
			c := dialEngine(t, addr)
			if _, err := c.nc.Write(tt.bytes); err != nil {
				t.Fatal(err)
			}
			c.expectClosed(tt.fatal)
			if got := up.received()[before:]; len(got) != 0 {
				t.Fatalf("the upstream received %+v from a malformed session", got)
			}
			// The proxy still serves other sessions.
			if types, _, _ := dialEngine(t, addr).simple("SELECT 'still serving'"); types != "TDCZ" {
				t.Fatalf("a new session after the malformed one: got %q", types)
			}
		})
	}
}

func TestAgentSessionTracksLexingSettingsFromParameterStatus(t *testing.T) {
	up := startFakeUpstream(t)
	enf := &fakeEnforcer{kind: gate.Agent}
	addr := startEngine(t, up, enf, nil)
	c := dialEngine(t, addr)

	c.simple("SELECT 'initial'")
	if lx := enf.lastLexing(); !lx.StandardConformingStrings || lx.ClientEncoding != "UTF8" {
		t.Fatalf("initial lexing %+v, want the startup ParameterStatus values (scs on, UTF8)", lx)
	}
	c.simple("SET standard_conforming_strings = off")
	c.simple("SELECT 'after set'")
	if lx := enf.lastLexing(); lx.StandardConformingStrings {
		t.Fatalf("lexing %+v after the server reported standard_conforming_strings=off", lx)
	}
}

func TestAgentSessionKeepsTheVerdictOfARepeatedParse(t *testing.T) {
	// Drivers that use the unnamed statement send the same Parse for
	// every execution. Its verdict to allow is kept while the settings
	// the server reads it under and the policy stay the same; anything
	// else is judged again, and refusals always are.
	up := startFakeUpstream(t)
	enf := &fakeEnforcer{kind: gate.Agent, refuse: func(sql string) bool { return strings.HasPrefix(sql, "DROP") }}
	addr := startEngine(t, up, enf, nil)
	c := dialEngine(t, addr)
	run := func(sql string) []*pgproto3.ErrorResponse {
		t.Helper()
		c.fe.SendParse(&pgproto3.Parse{Query: sql})
		c.fe.SendBind(&pgproto3.Bind{})
		c.fe.SendExecute(&pgproto3.Execute{})
		c.fe.SendSync(&pgproto3.Sync{})
		c.flush()
		_, _, errs := c.untilReady()
		return errs
	}
	judged := func(want int, after string) {
		t.Helper()
		if n := len(enf.requests()); n != want {
			t.Fatalf("after %s the enforcer has judged %d requests, want %d", after, n, want)
		}
	}
	const q = "SELECT 1 WHERE $1::int > 0"
	run(q)
	run(q)
	run(q)
	judged(1, "the same Parse three times")
	run("SELECT 2")
	run(q)
	run("SELECT 2")
	judged(2, "two texts taking turns")
	c.simple("SELECT 2")
	judged(3, "the same text in a Query, judged apart from the Parse")
	enf.generation.Add(1)
	run(q)
	judged(4, "a policy change")
	c.simple("SET standard_conforming_strings = off")
	run(q)
	judged(6, "a change of the settings the server reads SQL under")
	if lx := enf.lastLexing(); lx.StandardConformingStrings {
		t.Fatalf("judged under %+v, not the new settings", lx)
	}
	for i := range 2 {
		if errs := run("DROP TABLE t"); len(errs) != 1 || errs[0].Code != "42501" {
			t.Fatalf("DROP number %d: errors %v, want the refusal", i+1, errs)
		}
	}
	judged(8, "two refused Parses")
	run(q)
	judged(8, "a refusal in between")
	parses := 0
	for _, r := range up.received() {
		if r.typ == 'P' && r.sql == q {
			parses++
		}
		if strings.HasPrefix(r.sql, "DROP") {
			t.Fatalf("a refused Parse reached the upstream: %q", r.sql)
		}
	}
	if parses != 7 {
		t.Fatalf("the upstream got %d Parses of %q, want all 7", parses, q)
	}
}

func TestAgentSessionKeepsTheVerdictOfAShape(t *testing.T) {
	// Simple-protocol clients send the same statement again and again
	// with new literals. A verdict the enforcer says holds for the
	// text's shape covers the next text of that shape; a verdict that
	// does not, a refusal, and a text of another shape are judged.
	up := startFakeUpstream(t)
	digits := regexp.MustCompile(`[0-9]+`)
	enf := &fakeEnforcer{
		kind:   gate.Agent,
		refuse: func(sql string) bool { return strings.HasPrefix(sql, "DELETE") && !strings.Contains(sql, "WHERE") },
		shape: func(sql string) (string, bool) {
			if strings.Contains(sql, "'") {
				return "", false // no cheap shape
			}
			return digits.ReplaceAllString(sql, "?"), true
		},
	}
	addr := startEngine(t, up, enf, nil)
	c := dialEngine(t, addr)
	judged := func(want int, after string) {
		t.Helper()
		if n := len(enf.requests()); n != want {
			t.Fatalf("after %s the enforcer has judged %d requests, want %d", after, n, want)
		}
	}
	for i := range 5 {
		c.simple(fmt.Sprintf("UPDATE t SET n = n + %d WHERE id = %d", i, i*7))
	}
	judged(1, "five texts of one shape")
	c.simple("SELECT n FROM t WHERE id = 3")
	c.simple("SELECT n FROM t WHERE id = 4")
	judged(2, "a second shape")
	c.simple("SELECT n FROM t WHERE name = 'a'")
	c.simple("SELECT n FROM t WHERE name = 'b'")
	judged(4, "two texts without a shape")
	for i := range 2 {
		if _, _, errs := c.simple(fmt.Sprintf("DELETE FROM t%d", i)); len(errs) != 1 || errs[0].Code != "42501" {
			t.Fatalf("DELETE number %d: errors %v, want the refusal", i+1, errs)
		}
	}
	judged(6, "two refused texts of one shape")
	enf.generation.Add(1)
	c.simple("UPDATE t SET n = n + 9 WHERE id = 9")
	judged(7, "a policy change")
	for _, r := range up.received() {
		if strings.HasPrefix(r.sql, "DELETE") {
			t.Fatalf("a refused Query reached the upstream: %q", r.sql)
		}
	}
}

func TestAgentSessionJudgesPipelinedQueriesWithTheSettingsTheyWillRunUnder(t *testing.T) {
	// The server reads each Query with the settings left by the ones
	// before it. A client that sends a statement that turns
	// standard_conforming_strings off and, without waiting for its answer,
	// a statement whose meaning depends on that setting must not get the
	// second judged under the old setting (THREATS §5). Which statements
	// change settings only the server knows (a function, an UPDATE of
	// pg_settings, an EXECUTE can), so the fake upstream is the only one
	// here that knows what the first statement does.
	up := startFakeUpstream(t)
	enf := &fakeEnforcer{kind: gate.Agent}
	addr := startEngine(t, up, enf, nil)
	c := dialEngine(t, addr)

	c.fe.SendQuery(&pgproto3.Query{String: "SET standard_conforming_strings = off"})
	c.fe.SendQuery(&pgproto3.Query{String: `SELECT '\' , ' ; DROP TABLE t; --'`})
	c.flush()
	c.untilReady()
	c.untilReady()
	if n := len(enf.requests()); n != 2 {
		t.Fatalf("the enforcer judged %d requests, want 2", n)
	}
	if lx := enf.lastLexing(); lx.StandardConformingStrings {
		t.Fatalf("the second Query was judged under standard_conforming_strings on, but the server ran it with the setting off")
	}
}

func TestCancelRequestsReachOnlyTheirOwnBackend(t *testing.T) {
	up := startFakeUpstream(t)
	addr := startEngine(t, up, &fakeEnforcer{kind: gate.Agent}, nil)
	c := dialEngine(t, addr)
	if c.key == nil {
		t.Fatal("the proxy sent no BackendKeyData")
	}
	if c.key.ProcessID == fakeUpstreamPID || string(c.key.SecretKey) == fakeUpstreamSecret {
		t.Fatalf("the client saw the upstream's key %d/%q; it must get a key of the proxy's own", c.key.ProcessID, c.key.SecretKey)
	}

	sendCancel := func(pid uint32, secret []byte) {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		msg, _ := (&pgproto3.CancelRequest{ProcessID: pid, SecretKey: secret}).Encode(nil)
		if _, err := nc.Write(msg); err != nil {
			t.Fatal(err)
		}
		// The proxy closes the connection once the request is handled.
		_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := io.Copy(io.Discard, nc); err != nil || n != 0 {
			t.Fatalf("cancel connection: read %d bytes, %v; want a quiet close", n, err)
		}
	}
	cancels := func() []*pgproto3.CancelRequest {
		up.mu.Lock()
		defer up.mu.Unlock()
		return append([]*pgproto3.CancelRequest(nil), up.cancels...)
	}

	sendCancel(c.key.ProcessID, []byte("wrong key"))
	sendCancel(fakeUpstreamPID, []byte(fakeUpstreamSecret)) // the upstream's own key means nothing to the proxy
	if got := cancels(); len(got) != 0 {
		t.Fatalf("a bogus key reached the upstream: %+v", got)
	}
	sendCancel(c.key.ProcessID, c.key.SecretKey)
	deadline := time.Now().Add(5 * time.Second)
	for len(cancels()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := cancels()
	if len(got) != 1 || got[0].ProcessID != fakeUpstreamPID || string(got[0].SecretKey) != fakeUpstreamSecret {
		t.Fatalf("upstream cancels %+v, want one carrying the upstream's own key", got)
	}
}

func TestHumanSessionsAreRelayedUnjudged(t *testing.T) {
	up := startFakeUpstream(t)
	enf := &fakeEnforcer{kind: gate.Human, refuse: refuseDrops}
	addr := startEngine(t, up, enf, nil)
	c := dialEngine(t, addr)
	if types, _, errs := c.simple("DROP TABLE human_may"); types != "TDCZ" || len(errs) != 0 {
		t.Fatalf("got %q %v, want the upstream's answer", types, errs)
	}
	if n := len(enf.requests()); n != 0 {
		t.Fatalf("the enforcer judged %d requests of a human session", n)
	}
}

// FuzzAgentRequests sends arbitrary bytes after a good startup. Whatever the
// client sends, the engine must not panic or hang, and must forward only
// whole, well-framed messages that the fake upstream can decode.
func FuzzAgentRequests(f *testing.F) {
	enc := func(msgs ...pgproto3.FrontendMessage) []byte {
		var b []byte
		for _, m := range msgs {
			b, _ = m.Encode(b)
		}
		return b
	}
	f.Add(enc(&pgproto3.Query{String: "SELECT 1"}))
	f.Add(enc(&pgproto3.Query{String: "DROP TABLE t"}, &pgproto3.Query{String: "SELECT 2"}))
	f.Add(enc(&pgproto3.Parse{Name: "s", Query: "SELECT $1"}, &pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte("1")}},
		&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Sync{}))
	f.Add(enc(&pgproto3.Parse{Query: "DROP TABLE t"}, &pgproto3.Flush{}, &pgproto3.Bind{}, &pgproto3.Sync{}))
	f.Add(enc(&pgproto3.Close{ObjectType: 'S', Name: "s"}, &pgproto3.Sync{}, &pgproto3.Terminate{}))
	f.Add(enc(&pgproto3.CopyData{Data: []byte("1\n")}, &pgproto3.CopyDone{}, &pgproto3.CopyFail{Message: "x"}))
	f.Add(enc(&pgproto3.FunctionCall{Function: 1}))
	f.Add([]byte{'Q', 0, 0, 0, 5, 0, 'z', 0, 0, 0, 4})

	up := startFakeUpstream(f)
	enf := &fakeEnforcer{kind: gate.Agent, refuse: refuseDrops}
	addr := startEngine(f, up, enf, func(c *Config) {
		c.MaxMessageBytes, c.MaxStatementBytes, c.MaxRequestBytes = 64<<10, 16<<10, 64<<10
	})
	f.Fuzz(func(t *testing.T, in []byte) {
		up.reset()
		enf.reset()
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		start, _ := (&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "bot"}}).Encode(nil)
		if _, err := nc.Write(append(start, in...)); err != nil {
			t.Fatal(err)
		}
		_ = nc.(*net.TCPConn).CloseWrite()
		// The engine must end the session once the input is exhausted.
		_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.Copy(io.Discard, nc); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the session did not end after its input was exhausted")
			}
		}
		up.waitQuiet(t)

		// What reached the upstream must be well framed, and every SQL
		// text the server would run must be one the enforcer allowed.
		allowed := map[string]bool{}
		for _, r := range enf.requests() {
			if r.Refusal == "" && !refuseDrops(r.SQL) {
				allowed[r.SQL] = true
			}
		}
		for _, r := range up.received() {
			switch {
			case r.typ == '?':
				t.Fatalf("the upstream received a message it should never see: %s", r.sql)
			case (r.typ == 'Q' || r.typ == 'P') && !allowed[r.sql]:
				t.Fatalf("the upstream received %q, which the enforcer did not allow", r.sql)
			}
		}
	})
}

// TestForwardingAllocatesNothing: relaying a message header-first, the body
// streamed through the reader's buffer, costs no allocation, so that a
// large result creates no garbage.
func TestForwardingAllocatesNothing(t *testing.T) {
	msg := appendMessage(nil, 'D', bytes.Repeat([]byte{'x'}, 100))
	src := bytes.NewReader(nil)
	r := bufio.NewReaderSize(src, 16<<10)
	w := bufio.NewWriterSize(io.Discard, 16<<10)
	allocs := testing.AllocsPerRun(200, func() {
		src.Reset(msg)
		r.Reset(src)
		h, err := readHeader(r, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := writeHeader(w, h); err != nil {
			t.Fatal(err)
		}
		if err := copyN(w, r, h.n); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("forwarding one message allocates %.1f times", allocs)
	}
}

func TestForwardRunPassesWholeMessagesUpToOneBulwarkReads(t *testing.T) {
	row := appendMessage(nil, 'D', []byte{0, 1, 0, 0, 0, 1, 'x'})
	ready := appendMessage(nil, 'Z', []byte{'T'})
	status := appendMessage(nil, 'S', []byte("client_encoding\x00UTF8\x00"))
	failed := appendMessage(nil, 'E', []byte("SERROR\x00C42P01\x00\x00"))
	concat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name   string
		in     []byte
		passed int // bytes forwarded at once
		tx     byte
	}{
		{"a whole answer", concat(appendMessage(nil, 'T', []byte{0, 0}), row, appendMessage(nil, 'C', []byte("SELECT 1\x00")), ready), -1, 'T'},
		{"up to a ParameterStatus", concat(row, status, ready), len(row), 'I'},
		{"up to an ErrorResponse", concat(row, row, failed, ready), 2 * len(row), 'I'},
		{"an ErrorResponse first", concat(failed, ready), 0, 'I'},
		{"up to a message not all buffered", concat(row, row[:len(row)-1]), len(row), 'I'},
		{"up to a broken length", concat(row, []byte{'D', 0, 0, 0, 3}, ready), len(row), 'I'},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			a := &agentSession{c: &conn{clientW: bufio.NewWriter(&out)}, txStatus: 'I'}
			a.idle = sync.NewCond(&a.mu)
			a.expect = append(a.expectBuf[:0], 'Q')
			r := bufio.NewReaderSize(bytes.NewReader(tc.in), 1024)
			if _, err := r.Peek(len(tc.in)); err != nil {
				t.Fatal(err)
			}
			want := tc.passed
			if want < 0 {
				want = len(tc.in)
			}
			n, err := a.forwardRun(r)
			_ = a.c.clientW.Flush()
			if err != nil || n != want || !bytes.Equal(out.Bytes(), tc.in[:want]) {
				t.Fatalf("forwarded %d bytes (%v), want the first %d unchanged", n, err, want)
			}
			if r.Buffered() != len(tc.in)-want {
				t.Fatalf("%d bytes left in the reader, want %d", r.Buffered(), len(tc.in)-want)
			}
			if a.txStatus != tc.tx || (tc.tx == 'T') != (len(a.expect) == 0) {
				t.Fatalf("status %q with %q awaited, want %q and the Query answered only by its ReadyForQuery", a.txStatus, a.expect, tc.tx)
			}
		})
	}
}
