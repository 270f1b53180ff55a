package mysqlwire

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/go-mysql-org/go-mysql/mysql"

	"github.com/bulwarkdb/bulwark/proxy/engine"
	"github.com/bulwarkdb/bulwark/proxy/gate"
)

// Handshake bounds
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html).
const (
	// maxHandshakePacket bounds every packet a client sends before it is
	// authenticated, and the COM_CHANGE_USER and COM_INIT_DB commands:
	// names, a scramble and at most 64 KiB of connection attributes.
	maxHandshakePacket = 96 << 10
	// maxAuthRounds bounds the authentication exchange: caching_sha2's
	// full authentication with a public-key request needs three.
	maxAuthRounds = 16
	// maxAttributes bounds how many connection attributes are kept.
	maxAttributes = 64
	// sslRequestLen is the length of an SSLRequest: a HandshakeResponse
	// cut after its fixed part.
	sslRequestLen = 32
)

// maskedCapabilities are the capabilities bulwark removes from the server's
// greeting, so that no client negotiates them: TLS and compression change
// the byte stream bulwark reads (neither is relayed yet), and the others
// change the shape of commands or answers that bulwark decodes (query
// attributes prefix COM_QUERY, optional metadata drops column definitions,
// multi-factor authentication adds round trips of another form). Clients
// fall back to the plain forms, which every server supports.
const maskedCapabilities = mysql.CLIENT_SSL | mysql.CLIENT_COMPRESS |
	mysql.CLIENT_ZSTD_COMPRESSION_ALGORITHM | mysql.CLIENT_QUERY_ATTRIBUTES |
	mysql.CLIENT_OPTIONAL_RESULTSET_METADATA | mysql.MULTI_FACTOR_AUTHENTICATION |
	mysql.CLIENT_CAPABILITY_EXTENSION

// clientMySQL is CLIENT_LONG_PASSWORD under the name MariaDB gives it: a
// MariaDB server clears it to say that the last four bytes of the
// greeting's filler (and of the client's answer) hold MariaDB's extended
// capabilities. bulwark offers none of them: progress reports, COM_MULTI,
// bulk execution and metadata caching all change framing it decodes.
const clientMySQL = mysql.CLIENT_LONG_PASSWORD

// errAuthRefused: the upstream answered the authentication with ERR, which
// was relayed to the client.
var errAuthRefused = errors.New("upstream refused the authentication")

// conn is one client connection and, once connected, its upstream
// connection. One goroutine owns both (see the package comment).
type conn struct {
	srv  *Server
	info gate.Session
	log  *slog.Logger
	ctx  context.Context

	client  net.Conn
	clientR *bufio.Reader
	clientW *bufio.Writer

	server  net.Conn
	serverR *bufio.Reader
	serverW *bufio.Writer

	// serverCaps is what the greeting offered the client (after masking),
	// caps what the client asked for in its HandshakeResponse. The server
	// uses what both have.
	serverCaps, caps uint32
	// deprecateEOF: result sets end with OK packets and carry no EOF
	// after their column definitions.
	deprecateEOF bool

	// sqlMode is the session's sql_mode as last read from the server;
	// sqlModeKnown is cleared whenever a forwarded command could have
	// changed it.
	sqlMode      string
	sqlModeKnown bool

	scratch []byte

	// snapshotted maps the ids of an agent's prepared statements whose
	// verdict asked for a snapshot to their text: each COM_STMT_EXECUTE
	// of them is judged again, and takes a snapshot of its own.
	// lastPrepared is the id of the last statement prepared (MariaDB
	// clients may execute id 0xffffffff, meaning that one).
	snapshotted  map[uint32]string
	lastPrepared uint32

	closeOnce sync.Once
}

// Close ends the session; safe to call more than once.
func (c *conn) Close() { c.close() }

func (c *conn) close() {
	c.closeOnce.Do(func() {
		c.client.Close()
		if c.server != nil {
			c.server.Close()
		}
	})
}

// serveConn runs one client connection to its end.
func (s *Server) serveConn(ctx context.Context, nc net.Conn) {
	c := &conn{
		srv:     s,
		ctx:     ctx,
		client:  nc,
		clientR: bufio.NewReaderSize(nc, 16<<10),
		clientW: bufio.NewWriterSize(nc, 32<<10),
	}
	s.sessions.Run(c, func(p any, stack []byte) {
		s.log.Error("session failed", "session", c.info.ID, "panic", p, "stack", string(stack))
	}, func() { s.serveSession(ctx, c) })
}

func (s *Server) serveSession(ctx context.Context, c *conn) {
	nc := c.client
	c.info = gate.Session{
		ID:         engine.NewSessionID(),
		Protocol:   "mysql",
		ClientAddr: nc.RemoteAddr().String(),
		Started:    time.Now(),
	}
	c.log = s.log.With("session", c.info.ID, "client", c.info.ClientAddr)

	deadline := time.Now().Add(s.cfg.HandshakeTimeout)
	_ = nc.SetDeadline(deadline)
	if err := c.connectUpstream(ctx, deadline); err != nil {
		c.log.Warn("upstream unavailable", "upstream", s.cfg.UpstreamAddr, "err", err)
		// In place of the greeting, as a server that cannot take the
		// connection does.
		c.fatal(0, mysql.ER_UNKNOWN_ERROR, "HY000", "bulwark could not reach the database server; try again later")
		return
	}
	if err := c.handshake(); err != nil {
		if !isClosed(err) && !errors.Is(err, errAuthRefused) {
			c.log.Info("handshake failed", "user", c.info.User, "err", err)
		} else if errors.Is(err, errAuthRefused) {
			c.log.Info("upstream refused the session", "user", c.info.User)
		}
		return
	}
	_ = nc.SetDeadline(time.Time{})
	_ = c.server.SetDeadline(time.Time{})
	c.log = c.log.With("user", c.info.User, "database", c.info.Database, "kind", c.info.Kind)
	c.log.Info("session started")
	err := c.run()
	if err != nil && !isClosed(err) {
		c.log.Info("session ended", "err", err)
	} else {
		c.log.Info("session ended")
	}
}

func (c *conn) connectUpstream(ctx context.Context, deadline time.Time) error {
	d := net.Dialer{Timeout: c.srv.cfg.ConnectTimeout}
	up, err := d.DialContext(ctx, "tcp", c.srv.cfg.UpstreamAddr)
	if err != nil {
		return err
	}
	if tc, ok := up.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	_ = up.SetDeadline(deadline)
	c.server = up
	c.serverR = bufio.NewReaderSize(up, 32<<10)
	c.serverW = bufio.NewWriterSize(up, 16<<10)
	return nil
}

// handshake relays the server's greeting (with the capabilities bulwark
// cannot relay masked off), reads the client's HandshakeResponse to learn
// who it is, forwards it, and relays the authentication exchange.
func (c *conn) handshake() error {
	h, err := readHeader(c.serverR)
	if err != nil {
		return err
	}
	if h.continued() {
		return fmt.Errorf("%w: oversized greeting", errMalformed)
	}
	greeting, err := readPayload(c.serverR, h, nil)
	if err != nil {
		return err
	}
	if len(greeting) > 0 && greeting[0] == mysql.ERR_HEADER {
		// Too many connections, host blocked: the server's word.
		_ = c.toClient(h.seq, greeting)
		return errAuthRefused
	}
	if c.serverCaps, err = maskGreeting(greeting); err != nil {
		c.fatal(h.seq, mysql.ER_UNKNOWN_ERROR, "HY000", "bulwark cannot relay this database server's handshake: "+err.Error())
		return err
	}
	if err := c.toClient(h.seq, greeting); err != nil {
		return err
	}

	h, err = readHeader(c.clientR)
	if err != nil {
		return err
	}
	if h.n > maxHandshakePacket || h.continued() {
		c.fatal(h.seq+1, mysql.ER_NET_PACKET_TOO_LARGE, "08S01", "bulwark closed the connection: the handshake response is too large")
		return errPacketTooLarge
	}
	resp, err := readPayload(c.clientR, h, nil)
	if err != nil {
		return err
	}
	hr, err := parseHandshakeResponse(resp)
	switch {
	case errors.Is(err, errSSLRequest):
		c.fatal(h.seq+1, mysql.ER_NOT_SUPPORTED_YET, "08004",
			"bulwark does not offer TLS on this listener yet; connect without TLS (ssl-mode=DISABLED, tls=false)")
		return err
	case err != nil:
		c.fatal(h.seq+1, mysql.ER_HANDSHAKE_ERROR, "08S01", "bulwark could not read the handshake response: "+err.Error())
		return err
	case hr.caps&mysql.CLIENT_COMPRESS != 0:
		c.fatal(h.seq+1, mysql.ER_NOT_SUPPORTED_YET, "08004", "bulwark does not relay compressed connections; connect without compression")
		return errors.New("client asked for compression")
	}
	c.caps = hr.caps &^ maskedCapabilities
	c.deprecateEOF = c.caps&c.serverCaps&mysql.CLIENT_DEPRECATE_EOF != 0
	c.info.User = hr.user
	c.info.Database = hr.database
	c.info.ClientAttributes = hr.attributes
	c.info.ApplicationName = hr.attributes["program_name"]
	c.info.Kind = c.srv.cfg.Enforcer.Classify(&c.info)

	// What the client asked for beyond what it was offered is not
	// passed on: the server's view decides the framing bulwark tracks.
	binary.LittleEndian.PutUint32(resp, c.caps)
	if c.caps&clientMySQL == 0 {
		clear(resp[28:32])
	}
	if err := c.toServer(h.seq, resp); err != nil {
		return err
	}
	return c.relayAuth()
}

// relayAuth relays the authentication exchange that follows a
// HandshakeResponse or a COM_CHANGE_USER, packet by packet, until the
// server's OK or ERR: auth switch requests, mysql_native_password,
// caching_sha2_password fast and full authentication with its public-key
// request, MariaDB's ed25519. bulwark neither sees nor needs the password.
func (c *conn) relayAuth() error {
	for rounds := 0; ; rounds++ {
		h, err := readHeader(c.serverR)
		if err != nil {
			return err
		}
		if h.continued() {
			return fmt.Errorf("%w: oversized authentication packet", errMalformed)
		}
		p, err := readPayload(c.serverR, h, nil)
		if err != nil {
			return err
		}
		if len(p) == 0 {
			return fmt.Errorf("%w: empty authentication packet", errMalformed)
		}
		if err := c.toClient(h.seq, p); err != nil {
			return err
		}
		switch p[0] {
		case mysql.OK_HEADER:
			return nil
		case mysql.ERR_HEADER:
			return fmt.Errorf("%w: %v", errAuthRefused, parseErr(p))
		case mysql.EOF_HEADER: // AuthSwitchRequest: the client answers
		case mysql.MORE_DATE_HEADER:
			if len(p) == 2 && p[1] == 3 {
				continue // caching_sha2 fast authentication succeeded; OK follows
			}
		default:
			return fmt.Errorf("%w: unexpected authentication packet 0x%02x", errMalformed, p[0])
		}
		if rounds >= maxAuthRounds {
			return errors.New("too many authentication rounds")
		}
		ch, err := readHeader(c.clientR)
		if err != nil {
			return err
		}
		if ch.n > maxHandshakePacket || ch.continued() {
			return errPacketTooLarge
		}
		cp, err := readPayload(c.clientR, ch, nil)
		if err != nil {
			return err
		}
		if err := c.toServer(ch.seq, cp); err != nil {
			return err
		}
	}
}

// maskGreeting removes maskedCapabilities (and every MariaDB extended
// capability) from an initial handshake packet in place, and returns the
// capabilities it now offers.
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html,
// https://mariadb.com/kb/en/connection/#initial-handshake-packet)
func maskGreeting(p []byte) (uint32, error) {
	if len(p) == 0 || p[0] != 10 {
		return 0, errors.New("not a protocol 10 handshake")
	}
	_, rest, ok := cstring(p[1:])
	if !ok {
		return 0, errors.New("truncated server version")
	}
	i := len(p) - len(rest) + 4 + 8 + 1 // connection id, scramble part 1, filler
	if len(p) < i+2 {
		return 0, errors.New("truncated handshake")
	}
	caps := uint32(binary.LittleEndian.Uint16(p[i:]))
	if caps&mysql.CLIENT_PROTOCOL_41 == 0 {
		return 0, errors.New("the server does not speak protocol 4.1")
	}
	if len(p) < i+18 {
		return 0, errors.New("truncated handshake")
	}
	caps |= uint32(binary.LittleEndian.Uint16(p[i+5:])) << 16
	caps &^= maskedCapabilities
	binary.LittleEndian.PutUint16(p[i:], uint16(caps))
	binary.LittleEndian.PutUint16(p[i+5:], uint16(caps>>16))
	if caps&clientMySQL == 0 {
		clear(p[i+14 : i+18]) // MariaDB extended capabilities
	}
	return caps, nil
}

// handshakeResponse is what bulwark reads from a HandshakeResponse41.
type handshakeResponse struct {
	caps       uint32
	user       string
	database   string
	plugin     string
	attributes map[string]string
}

// errSSLRequest: the client sent an SSLRequest (the fixed part of a
// HandshakeResponse with CLIENT_SSL) and waits to start TLS.
var errSSLRequest = errors.New("client asked for TLS")

// parseHandshakeResponse reads a HandshakeResponse41
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html).
func parseHandshakeResponse(p []byte) (handshakeResponse, error) {
	var hr handshakeResponse
	if len(p) < 4 {
		return hr, errors.New("truncated handshake response")
	}
	hr.caps = binary.LittleEndian.Uint32(p)
	if hr.caps&mysql.CLIENT_PROTOCOL_41 == 0 {
		return hr, errors.New("the client does not speak protocol 4.1")
	}
	if len(p) == sslRequestLen && hr.caps&mysql.CLIENT_SSL != 0 {
		return hr, errSSLRequest
	}
	if len(p) < sslRequestLen+1 {
		return hr, errors.New("truncated handshake response")
	}
	user, rest, ok := cstring(p[sslRequestLen:])
	if !ok {
		return hr, errors.New("unterminated user name")
	}
	hr.user = user
	switch {
	case hr.caps&mysql.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA != 0:
		_, rest, ok = lenencString(rest)
	case hr.caps&mysql.CLIENT_SECURE_CONNECTION != 0:
		ok = len(rest) >= 1 && len(rest) >= 1+int(rest[0])
		if ok {
			rest = rest[1+int(rest[0]):]
		}
	default:
		_, rest, ok = cstring(rest)
	}
	if !ok {
		return hr, errors.New("truncated authentication data")
	}
	if hr.caps&mysql.CLIENT_CONNECT_WITH_DB != 0 && len(rest) > 0 {
		if hr.database, rest, ok = cstring(rest); !ok {
			return hr, errors.New("unterminated database name")
		}
	}
	if hr.caps&mysql.CLIENT_PLUGIN_AUTH != 0 && len(rest) > 0 {
		if hr.plugin, rest, ok = cstring(rest); !ok {
			return hr, errors.New("unterminated plugin name")
		}
	}
	if hr.caps&mysql.CLIENT_CONNECT_ATTRS != 0 && len(rest) > 0 {
		attrs, err := parseAttributes(rest)
		if err != nil {
			return hr, err
		}
		hr.attributes = attrs
	}
	return hr, nil
}

// parseAttributes reads connection attributes: a length-encoded total, then
// key and value pairs of length-encoded strings.
func parseAttributes(b []byte) (map[string]string, error) {
	all, _, ok := lenencString(b)
	if !ok {
		return nil, errors.New("truncated connection attributes")
	}
	attrs := map[string]string{}
	for len(all) > 0 {
		k, rest, ok := lenencString(all)
		if !ok {
			return nil, errors.New("malformed connection attributes")
		}
		v, rest, ok := lenencString(rest)
		if !ok {
			return nil, errors.New("malformed connection attributes")
		}
		if len(attrs) < maxAttributes {
			attrs[string(k)] = string(v)
		}
		all = rest
	}
	return attrs, nil
}

// toClient writes one packet to the client and flushes.
func (c *conn) toClient(seq byte, payload []byte) error {
	if err := writeHeader(c.clientW, header{n: len(payload), seq: seq}); err != nil {
		return err
	}
	if _, err := c.clientW.Write(payload); err != nil {
		return err
	}
	return c.clientW.Flush()
}

// toServer writes one packet to the server and flushes.
func (c *conn) toServer(seq byte, payload []byte) error {
	if err := writeHeader(c.serverW, header{n: len(payload), seq: seq}); err != nil {
		return err
	}
	if _, err := c.serverW.Write(payload); err != nil {
		return err
	}
	return c.serverW.Flush()
}

// fatal sends an ERR packet before closing a connection that cannot go on.
func (c *conn) fatal(seq byte, code uint16, state, message string) {
	_ = c.toClient(seq, errPayload(code, state, message))
}

// isClosed reports errors that only mean a peer went away.
func isClosed(err error) bool {
	if err == nil {
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "connection reset by peer") || strings.Contains(err.Error(), "broken pipe")
}
