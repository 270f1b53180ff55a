package mysqlwire

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
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
	// upstreamTLS: the upstream leg is encrypted (the client's is when
	// info.TLS). authPlugin and scramble are the authentication method
	// in use and its challenge, as the greeting or the last
	// AuthSwitchRequest set them.
	upstreamTLS bool
	authPlugin  string
	scramble    []byte
	// deprecateEOF: result sets end with OK packets and carry no EOF
	// after their column definitions.
	deprecateEOF bool

	// sqlMode and charset are the session's sql_mode and
	// character_set_client as last read from the server (the handshake's
	// collation, SET NAMES and SET CHARACTER SET all set the latter);
	// settingsKnown is cleared whenever a forwarded command could have
	// changed them.
	sqlMode       string
	charset       string
	settingsKnown bool

	// memo holds the shapes of the texts the enforcer allowed (see
	// check); shape is scratch for a text's shape.
	memo  gate.Memo
	shape []byte

	scratch []byte

	// upTLS is the upstream leg's TLS, fixed when the session starts.
	upTLS *upstreamTLS

	// snapshotted maps the ids of an agent's prepared statements whose
	// verdict asked for a snapshot to their text: each COM_STMT_EXECUTE
	// of them is judged again, and takes a snapshot of its own.
	// lastPrepared is the id of the last statement prepared (MariaDB
	// clients may execute id 0xffffffff, meaning that one).
	snapshotted  map[uint32]string
	lastPrepared uint32

	closeOnce sync.Once
	// connMu orders Close, which shutdown calls from another goroutine,
	// with the session's own replacing of client and server (upstream
	// connected, TLS started on either leg). The session goroutine
	// reads them without it: only it writes them.
	connMu sync.Mutex
	closed bool

	// identity is the identity bulwark authenticated itself (see
	// frontDoor), once logged in; read by CloseSessions from another
	// goroutine.
	identity atomic.Pointer[identityRef]
}

type identityRef struct {
	name       string
	generation int64
}

// Close ends the session; safe to call more than once.
func (c *conn) Close() { c.close() }

func (c *conn) close() {
	c.closeOnce.Do(func() {
		c.connMu.Lock()
		defer c.connMu.Unlock()
		c.closed = true
		c.client.Close()
		if c.server != nil {
			c.server.Close()
		}
	})
}

// setConns replaces the connections of the two legs (see connMu).
// A connection installed after Close is closed at once.
func (c *conn) setConns(client, server net.Conn) {
	c.connMu.Lock()
	defer c.connMu.Unlock()
	c.client, c.server = client, server
	if c.closed {
		client.Close()
		if server != nil {
			server.Close()
		}
	}
}

// serveConn runs one client connection to its end.
func (s *Server) serveConn(ctx context.Context, nc net.Conn) {
	c := &conn{
		srv:     s,
		ctx:     ctx,
		client:  nc,
		clientR: bufio.NewReaderSize(nc, 16<<10),
		clientW: bufio.NewWriterSize(nc, 32<<10),
		upTLS:   s.upstreamTLS.Load(),
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
		if !isClosed(err) && !errors.Is(err, errAuthRefused) && !errors.Is(err, errLoginFailed) {
			c.log.Info("handshake failed", "user", c.info.User, "err", err)
		} else if errors.Is(err, errAuthRefused) {
			c.log.Info("upstream refused the session", "user", c.info.User)
		}
		return
	}
	_ = nc.SetDeadline(time.Time{})
	_ = c.server.SetDeadline(time.Time{})
	c.log = c.log.With("user", c.info.User, "database", c.info.Database, "kind", c.info.Kind)
	if c.info.Identity != "" {
		c.log = c.log.With("identity", c.info.Identity)
	}
	if c.info.ClientCertSubject != "" {
		c.log = c.log.With("client_cert", c.info.ClientCertSubject)
	}
	c.log.Info("session started", "tls", c.info.TLS, "upstream_tls", c.upstreamTLS)
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
	c.setConns(c.client, up)
	c.serverR = bufio.NewReaderSize(up, 32<<10)
	c.serverW = bufio.NewWriterSize(up, 16<<10)
	return nil
}

// handshake relays the server's greeting (with the capabilities bulwark
// cannot relay masked off, and CLIENT_SSL offered when the client leg has
// TLS), reads the client's HandshakeResponse (over TLS when the client asks
// for it) to learn who it is, starts TLS upstream when configured, forwards
// the response, and relays the authentication exchange.
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
	ctls := c.srv.clientTLS.Load()
	var offer uint32
	if ctls.conf != nil {
		offer = mysql.CLIENT_SSL
	}
	var serverOffered uint32
	if c.serverCaps, serverOffered, err = maskGreeting(greeting, offer); err != nil {
		c.fatal(h.seq, mysql.ER_UNKNOWN_ERROR, "HY000", "bulwark cannot relay this database server's handshake: "+err.Error())
		return err
	}
	upTLS := c.upstreamLeg().conf
	if upTLS != nil && serverOffered&mysql.CLIENT_SSL == 0 {
		c.fatal(h.seq, mysql.ER_UNKNOWN_ERROR, "HY000", fmt.Sprintf(
			"bulwark is configured to reach the database server with TLS (upstream.mysql.tls.mode %s), but the server does not offer TLS; configure the server's ssl_cert/ssl_key, or set the mode to disable",
			c.upstreamLeg().mode))
		return errors.New("the server does not offer TLS")
	}
	c.scramble, c.authPlugin = greetingAuth(greeting)
	if err := c.toClient(h.seq, greeting); err != nil {
		return err
	}

	h, resp, err := c.readHandshakePacket()
	if err != nil {
		return err
	}
	hr, err := parseHandshakeResponse(resp)
	if errors.Is(err, errSSLRequest) && ctls.conf != nil {
		if err := c.startClientTLS(ctls.conf); err != nil {
			return err
		}
		if h, resp, err = c.readHandshakePacket(); err != nil {
			return err
		}
		hr, err = parseHandshakeResponse(resp)
	}
	switch {
	case errors.Is(err, errSSLRequest):
		c.fatal(h.seq+1, mysql.ER_NOT_SUPPORTED_YET, "08004",
			"bulwark offers no TLS on this listener (tls.cert_file is not set); connect without TLS (ssl-mode=DISABLED, tls=false)")
		return err
	case err != nil:
		c.fatal(h.seq+1, mysql.ER_HANDSHAKE_ERROR, "08S01", "bulwark could not read the handshake response: "+err.Error())
		return err
	case ctls.require && !c.info.TLS:
		// What MySQL answers under require_secure_transport.
		c.fatal(h.seq+1, erSecureTransportRequired, "HY000",
			"bulwark requires TLS (tls.require): connections without TLS are refused; connect with TLS (mysql --ssl-mode=REQUIRED or VERIFY_IDENTITY, mariadb --ssl, go-sql-driver tls=true or a registered TLS configuration)")
		return errors.New("client without TLS refused (tls.require)")
	case hr.caps&mysql.CLIENT_COMPRESS != 0:
		c.fatal(h.seq+1, mysql.ER_NOT_SUPPORTED_YET, "08004", "bulwark does not relay compressed connections; connect without compression")
		return errors.New("client asked for compression")
	}
	serverPlugin := c.authPlugin
	if hr.plugin != "" {
		c.authPlugin = hr.plugin
	}
	c.caps = hr.caps &^ maskedCapabilities
	c.deprecateEOF = c.caps&c.serverCaps&mysql.CLIENT_DEPRECATE_EOF != 0
	c.info.User = hr.user
	c.info.Database = hr.database
	c.info.ClientAttributes = hr.attributes
	c.info.ApplicationName = hr.attributes["program_name"]
	c.info.AgentListener = c.srv.cfg.AgentsOnly
	if gk := c.srv.cfg.Gatekeeper; gk != nil {
		login, err := gk.Lookup("mysql", hr.user, c.info.ClientAddr)
		if err != nil {
			c.fatal(h.seq+1, mysql.ER_ACCESS_DENIED_ERROR, "28000", err.Error())
			return fmt.Errorf("login refused: %w", err)
		}
		if login != nil {
			return c.frontDoor(login, h.seq, resp, hr, serverPlugin)
		}
	}
	c.info.Kind = c.srv.cfg.Enforcer.Classify(&c.info)
	if err := c.checkCleartext(h.seq + 1); err != nil {
		return err
	}

	// What the client asked for beyond what it was offered is not
	// passed on: the server's view decides the framing bulwark tracks.
	// CLIENT_SSL says what the upstream leg does, whatever the client's.
	upCaps := c.caps
	if upTLS != nil {
		upCaps |= mysql.CLIENT_SSL
	}
	binary.LittleEndian.PutUint32(resp, upCaps)
	if c.caps&clientMySQL == 0 {
		clear(resp[28:32])
	}
	upSeq := byte(1)
	if upTLS != nil {
		if err := c.startUpstreamTLS(upTLS, upSeq, resp); err != nil {
			c.fatal(h.seq+1, mysql.ER_UNKNOWN_ERROR, "HY000", fmt.Sprintf(
				"bulwark could not set up TLS with the database server (upstream.mysql.tls.mode %s): %v",
				c.upstreamLeg().mode, err))
			return fmt.Errorf("upstream TLS: %w", err)
		}
		upSeq++
	}
	if err := c.toServer(upSeq, resp); err != nil {
		return err
	}
	// The legs count sequence ids apart by the SSLRequest each has or
	// has not had: translate for the whole exchange.
	return c.relayAuth(upSeq-h.seq, c.info.Database)
}

// erSecureTransportRequired is MySQL's ER_SECURE_TRANSPORT_REQUIRED, the
// answer to a client without TLS under require_secure_transport.
const erSecureTransportRequired = 3159

// readHandshakePacket reads one bounded packet of the handshake from the
// client.
func (c *conn) readHandshakePacket() (header, []byte, error) {
	h, err := readHeader(c.clientR)
	if err != nil {
		return h, nil, err
	}
	if h.n > maxHandshakePacket || h.continued() {
		c.fatal(h.seq+1, mysql.ER_NET_PACKET_TOO_LARGE, "08S01", "bulwark closed the connection: the handshake response is too large")
		return h, nil, errPacketTooLarge
	}
	p, err := readPayload(c.clientR, h, nil)
	return h, p, err
}

// relayAuth relays the authentication exchange that follows a
// HandshakeResponse or a COM_CHANGE_USER, packet by packet, until the
// server's OK or ERR: auth switch requests, mysql_native_password,
// caching_sha2_password fast and full authentication with its public-key
// request, MariaDB's ed25519. delta is what to add to the client's sequence
// ids to get the server's (the legs differ by their SSLRequests).
//
// The exchange is relayed untouched, and bulwark neither sees nor needs the
// password, except for caching_sha2_password's full authentication when one
// leg has TLS and the other not: its client sends the password in clear over
// TLS and RSA-encrypted otherwise, and the server expects exactly one of the
// two according to its own leg. bulwark then converts (see crossFullAuth),
// so that the password never travels a leg in clear that is not encrypted.
// db is the default database the client asked for (see loggedIn).
func (c *conn) relayAuth(delta byte, db string) error {
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
		clientSeq := h.seq - delta
		switch p[0] {
		case mysql.OK_HEADER:
			return c.loggedIn(clientSeq, p, db)
		case mysql.ERR_HEADER:
			if err := c.toClient(clientSeq, p); err != nil {
				return err
			}
			return fmt.Errorf("%w: %v", errAuthRefused, parseErr(p))
		case mysql.EOF_HEADER: // AuthSwitchRequest: the client answers
			c.authPlugin, c.scramble = authSwitch(p)
			if err := c.checkCleartext(clientSeq); err != nil {
				return err
			}
		case mysql.MORE_DATE_HEADER:
			if len(p) == 2 && p[1] == mysql.CACHE_SHA2_FAST_AUTH {
				if err := c.toClient(clientSeq, p); err != nil {
					return err
				}
				continue // fast authentication succeeded; OK follows
			}
			if len(p) == 2 && p[1] == mysql.CACHE_SHA2_FULL_AUTH && c.info.TLS != c.upstreamTLS {
				if err := c.toClient(clientSeq, p); err != nil {
					return err
				}
				if delta, err = c.crossFullAuth(delta); err != nil {
					return err
				}
				continue
			}
		default:
			return fmt.Errorf("%w: unexpected authentication packet 0x%02x", errMalformed, p[0])
		}
		if err := c.toClient(clientSeq, p); err != nil {
			return err
		}
		if rounds >= maxAuthRounds {
			return errors.New("too many authentication rounds")
		}
		ch, cp, err := c.readAuthPacket()
		if err != nil {
			return err
		}
		if err := c.toServer(ch.seq+delta, cp); err != nil {
			return err
		}
	}
}

// readAuthPacket reads one bounded packet of the authentication exchange
// from the client.
func (c *conn) readAuthPacket() (header, []byte, error) {
	h, err := readHeader(c.clientR)
	if err != nil {
		return h, nil, err
	}
	if h.n > maxHandshakePacket || h.continued() {
		return h, nil, errPacketTooLarge
	}
	p, err := readPayload(c.clientR, h, nil)
	return h, p, err
}

// leakFreePlugins are the authentication plugins whose client never sends
// the password itself: these may cross from a TLS client leg to an upstream
// leg in clear. caching_sha2_password is among them because crossFullAuth
// keeps its full authentication encrypted. Others (mysql_clear_password,
// dialog as PAM uses it, sha256_password, and any bulwark does not know)
// are refused on that crossing.
var leakFreePlugins = map[string]bool{
	"": true, mysql.AUTH_NATIVE_PASSWORD: true, mysql.AUTH_MARIADB_ED25519: true,
	mysql.AUTH_CACHING_SHA2_PASSWORD: true, "parsec": true, "auth_gssapi_client": true,
}

// checkCleartext refuses, with an ERR at the client's sequence id seq, an
// authentication plugin that would send the password in clear over the
// upstream leg when the client trusted TLS to protect it.
func (c *conn) checkCleartext(seq byte) error {
	if !c.info.TLS || c.upstreamTLS || leakFreePlugins[c.authPlugin] {
		return nil
	}
	c.fatal(seq, mysql.ER_NOT_SUPPORTED_AUTH_MODE, "08004", fmt.Sprintf(
		"bulwark will not relay authentication plugin %s from a TLS connection: it sends the password in clear, and bulwark reaches the database server without TLS; set upstream.mysql.tls.mode, or use mysql_native_password, ed25519 or caching_sha2_password",
		c.authPlugin))
	return fmt.Errorf("authentication plugin %s refused: its password would cross to the server in clear", c.authPlugin)
}

// crossFullAuth carries caching_sha2_password's full authentication
// between a TLS leg and a leg in clear, once the server has asked for it,
// and returns the new delta.
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_caching_sha2_authentication_exchanges.html)
//
//   - Client over TLS, server in clear: the client sends its password in
//     clear (over TLS). bulwark asks the server for its RSA public key and
//     sends the password encrypted with it, as a client in clear would:
//     the upstream leg never carries the password in clear.
//   - Client in clear, server over TLS: the client asks for the server's
//     public key and sends its password encrypted with it. bulwark answers
//     with a key of its own, decrypts, and sends the password in clear over
//     the server's TLS leg, which is what the server expects there. A
//     client that uses a public key it already has (the server's) cannot
//     be served this way and is refused.
//
// Either way the password passes through bulwark's memory, and is cleared
// from its buffers at once.
func (c *conn) crossFullAuth(delta byte) (byte, error) {
	ch, cp, err := c.readAuthPacket()
	if err != nil {
		return delta, err
	}
	defer clear(cp)
	upSeq := ch.seq + delta // the sequence id the server expects next
	if c.info.TLS {
		if err := c.toServer(upSeq, []byte{2}); err != nil { // request_public_key
			return delta, err
		}
		h, err := readHeader(c.serverR)
		if err != nil {
			return delta, err
		}
		if h.continued() {
			return delta, fmt.Errorf("%w: oversized public key", errMalformed)
		}
		p, err := readPayload(c.serverR, h, nil)
		if err != nil {
			return delta, err
		}
		if len(p) > 0 && p[0] == mysql.ERR_HEADER {
			_ = c.toClient(ch.seq+1, p)
			return delta, fmt.Errorf("%w: %v", errAuthRefused, parseErr(p))
		}
		pub, err := parsePublicKey(p)
		if err != nil {
			c.fatal(ch.seq+1, mysql.ER_HANDSHAKE_ERROR, "08S01", "bulwark could not read the database server's public key: "+err.Error())
			return delta, err
		}
		password := bytes.TrimSuffix(cp, []byte{0})
		enc, err := mysql.EncryptPassword(string(password), c.scramble, pub)
		if err != nil {
			c.fatal(ch.seq+1, mysql.ER_HANDSHAKE_ERROR, "08S01", "bulwark could not encrypt the password for the database server: "+err.Error())
			return delta, err
		}
		if err := c.toServer(h.seq+1, enc); err != nil {
			return delta, err
		}
		return h.seq + 1 - ch.seq, nil
	}
	// The client is in clear, the server over TLS.
	key, err := c.srv.rsa.get()
	if err != nil {
		c.fatal(ch.seq+1, mysql.ER_HANDSHAKE_ERROR, "08S01", "bulwark could not make an RSA key: "+err.Error())
		return delta, err
	}
	if len(cp) == 1 && cp[0] == 2 { // request_public_key
		if err := c.toClient(ch.seq+1, append([]byte{mysql.MORE_DATE_HEADER}, key.pem...)); err != nil {
			return delta, err
		}
		if ch, cp, err = c.readAuthPacket(); err != nil {
			return delta, err
		}
		defer clear(cp)
	}
	plain, err := rsa.DecryptOAEP(sha1.New(), nil, key.key, cp, nil)
	if err != nil || len(c.scramble) == 0 {
		c.fatal(ch.seq+1, mysql.ER_ACCESS_DENIED_ERROR, "28000",
			"bulwark could not decrypt the password: with TLS to the database server but not to bulwark, caching_sha2_password must use bulwark's public key (mysql --get-server-public-key, go-sql-driver allowPublicKeyRetrieval=true); better, connect to bulwark with TLS")
		return delta, fmt.Errorf("caching_sha2_password: cannot decrypt the client's password: %v", err)
	}
	defer clear(plain)
	for i := range plain {
		plain[i] ^= c.scramble[i%len(c.scramble)]
	}
	if err := c.toServer(upSeq, plain); err != nil {
		return delta, err
	}
	return upSeq - ch.seq, nil
}

// rsaKey is bulwark's own RSA key pair for crossFullAuth, made once.
type rsaKey struct {
	once sync.Once
	key  *rsa.PrivateKey
	pem  []byte // the public key, PEM as MySQL servers send theirs
	err  error
}

func (k *rsaKey) get() (*rsaKey, error) {
	k.once.Do(func() {
		if k.key, k.err = rsa.GenerateKey(rand.Reader, 2048); k.err != nil {
			return
		}
		der, err := x509.MarshalPKIXPublicKey(&k.key.PublicKey)
		if err != nil {
			k.err = err
			return
		}
		k.pem = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	})
	return k, k.err
}

// parsePublicKey reads the server's answer to request_public_key: 0x01
// and a PEM public key.
func parsePublicKey(p []byte) (*rsa.PublicKey, error) {
	if len(p) < 2 || p[0] != mysql.MORE_DATE_HEADER {
		return nil, errors.New("not a public key packet")
	}
	block, _ := pem.Decode(p[1:])
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return pub, nil
}

// authSwitch reads an AuthSwitchRequest: 0xfe, the plugin name, and the
// plugin's data (the new scramble, without the trailing NUL).
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_switch_request.html)
func authSwitch(p []byte) (plugin string, data []byte) {
	if len(p) == 0 {
		return "", nil
	}
	plugin, rest, ok := cstring(p[1:])
	if !ok {
		return string(p[1:]), nil
	}
	return plugin, bytes.Clone(bytes.TrimSuffix(rest, []byte{0}))
}

// greetingAuth reads the scramble and the default authentication plugin
// of a greeting maskGreeting accepted.
func greetingAuth(p []byte) (scramble []byte, plugin string) {
	_, rest, _ := cstring(p[1:])
	i := len(p) - len(rest) + 4 + 8 + 1
	scramble = bytes.Clone(p[i-9 : i-1])
	caps := uint32(binary.LittleEndian.Uint16(p[i:])) | uint32(binary.LittleEndian.Uint16(p[i+5:]))<<16
	rest = p[i+18:]
	if caps&mysql.CLIENT_SECURE_CONNECTION != 0 {
		n := max(13, int(p[i+7])-8)
		if n > len(rest) {
			n = len(rest)
		}
		scramble = append(scramble, bytes.TrimSuffix(rest[:n], []byte{0})...)
		rest = rest[n:]
	}
	if caps&mysql.CLIENT_PLUGIN_AUTH != 0 {
		if name, _, ok := cstring(rest); ok {
			plugin = name
		} else {
			plugin = string(rest) // some servers leave out the NUL
		}
	}
	return scramble, plugin
}

// maskGreeting removes maskedCapabilities (and every MariaDB extended
// capability) from an initial handshake packet in place, adds offer (the
// CLIENT_SSL of bulwark's own TLS, when the client leg has it), and returns
// the capabilities it now offers and those the server offered.
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html,
// https://mariadb.com/kb/en/connection/#initial-handshake-packet)
func maskGreeting(p []byte, offer uint32) (caps, server uint32, err error) {
	if len(p) == 0 || p[0] != 10 {
		return 0, 0, errors.New("not a protocol 10 handshake")
	}
	_, rest, ok := cstring(p[1:])
	if !ok {
		return 0, 0, errors.New("truncated server version")
	}
	i := len(p) - len(rest) + 4 + 8 + 1 // connection id, scramble part 1, filler
	if len(p) < i+2 {
		return 0, 0, errors.New("truncated handshake")
	}
	server = uint32(binary.LittleEndian.Uint16(p[i:]))
	if server&mysql.CLIENT_PROTOCOL_41 == 0 {
		return 0, 0, errors.New("the server does not speak protocol 4.1")
	}
	if len(p) < i+18 {
		return 0, 0, errors.New("truncated handshake")
	}
	server |= uint32(binary.LittleEndian.Uint16(p[i+5:])) << 16
	caps = server&^maskedCapabilities | offer
	binary.LittleEndian.PutUint16(p[i:], uint16(caps))
	binary.LittleEndian.PutUint16(p[i+5:], uint16(caps>>16))
	if caps&clientMySQL == 0 {
		clear(p[i+14 : i+18]) // MariaDB extended capabilities
	}
	return caps, server, nil
}

// handshakeResponse is what bulwark reads from a HandshakeResponse41.
type handshakeResponse struct {
	caps     uint32
	user     string
	database string
	plugin   string
	// auth is the client's authentication data (its answer to the
	// greeting's scramble), a slice of the packet.
	auth       []byte
	attributes map[string]string
	// rawAttributes are the connection attributes as the client encoded
	// them (total length included), a slice of the packet.
	rawAttributes []byte
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
		hr.auth, rest, ok = lenencString(rest)
	case hr.caps&mysql.CLIENT_SECURE_CONNECTION != 0:
		ok = len(rest) >= 1 && len(rest) >= 1+int(rest[0])
		if ok {
			hr.auth, rest = rest[1:1+int(rest[0])], rest[1+int(rest[0]):]
		}
	default:
		var auth string
		auth, rest, ok = cstring(rest)
		hr.auth = []byte(auth)
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
		_, after, _ := lenencString(rest)
		hr.attributes, hr.rawAttributes = attrs, rest[:len(rest)-len(after)]
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
