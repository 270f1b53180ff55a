package pgwire

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/bulwarkdb/bulwark/proxy/engine"
	"github.com/bulwarkdb/bulwark/proxy/gate"
)

// Startup-phase codes (https://www.postgresql.org/docs/current/protocol-message-formats.html).
const (
	codeCancel        = 80877102
	codeSSLRequest    = 80877103
	codeGSSENCRequest = 80877104

	// maxStartupPacket matches the server's MAX_STARTUP_PACKET_LENGTH.
	maxStartupPacket = 10000
	// maxAuthRounds bounds the authentication exchange: SCRAM needs three.
	maxAuthRounds = 16
)

// conn is one client connection and, once started, its upstream connection.
type conn struct {
	srv  *Server
	info gate.Session

	// client is what the session speaks to the client on: the socket,
	// or a TLS connection over it. clientSock is the socket, which is
	// what closing ends (closing a TLS connection would wait for a
	// writer stuck on a client that does not read).
	client     net.Conn
	clientSock net.Conn
	clientR    *bufio.Reader
	// clientW is written by both the relay goroutine and the request loop
	// (for refusals); clientMu serialises them.
	clientMu sync.Mutex
	clientW  *bufio.Writer

	server     net.Conn
	serverSock net.Conn
	serverR    *bufio.Reader
	serverW    *bufio.Writer

	startup []byte // the client's StartupMessage, forwarded as sent
	// params are the StartupMessage's parameters.
	params map[string]string
	key    cancelKey
	// initialParams are the ParameterStatus bodies the upstream sent at
	// startup, and initialTx the status of its first ReadyForQuery.
	initialParams [][]byte
	initialTx     byte
	// servedCert is the certificate bulwark presented on the client's TLS
	// channel (DER), when known.
	servedCert []byte

	// identity is the identity bulwark authenticated itself, once logged
	// in; read by CloseSessions from another goroutine.
	identity atomic.Pointer[identityRef]

	closeOnce sync.Once
}

type identityRef struct {
	name       string
	generation int64
}

// Close ends the session; safe to call more than once.
func (c *conn) Close() { c.close() }

func (c *conn) close() {
	c.closeOnce.Do(func() {
		closeSocket(c.clientSock, c.client)
		closeSocket(c.serverSock, c.server)
	})
}

// closeSocket closes sock, or conn when there is no separate socket.
func closeSocket(sock, conn net.Conn) {
	switch {
	case sock != nil:
		sock.Close()
	case conn != nil:
		conn.Close()
	}
}

// serveConn runs one client connection to its end.
func (s *Server) serveConn(ctx context.Context, nc net.Conn) {
	c := &conn{
		srv:        s,
		client:     nc,
		clientSock: nc,
		clientR:    bufio.NewReaderSize(nc, 16<<10),
		clientW:    bufio.NewWriterSize(nc, 16<<10),
	}
	s.sessions.Run(c, func(p any, stack []byte) {
		s.log.Error("session failed", "session", c.info.ID, "panic", p, "stack", string(stack))
	}, func() {
		defer func() { s.forgetCancel(c.key) }()
		s.serveSession(ctx, c)
	})
}

func (s *Server) serveSession(ctx context.Context, c *conn) {
	nc := c.client
	c.info = gate.Session{
		ID:         engine.NewSessionID(),
		Protocol:   "postgres",
		ClientAddr: nc.RemoteAddr().String(),
		Started:    time.Now(),
	}
	log := s.log.With("session", c.info.ID, "client", c.info.ClientAddr)

	deadline := time.Now().Add(s.cfg.HandshakeTimeout)
	_ = nc.SetDeadline(deadline)
	ok, err := c.readStartup()
	if err != nil {
		if !isClosed(err) {
			log.Info("startup failed", "err", err)
		}
		return
	}
	if !ok { // a CancelRequest, handled
		return
	}
	if err := s.login(ctx, c, deadline); err != nil {
		if !isClosed(err) {
			log.Info("authentication did not complete", "user", c.info.User, "err", err)
		}
		return
	}
	_ = nc.SetDeadline(time.Time{})
	_ = c.server.SetDeadline(time.Time{})
	log = log.With("user", c.info.User, "database", c.info.Database, "kind", c.info.Kind)
	if c.info.Identity != "" {
		log = log.With("identity", c.info.Identity)
	}
	if c.info.ClientCertSubject != "" {
		log.Info("session started", "tls", c.info.TLS, "client_cert", c.info.ClientCertSubject)
	} else {
		log.Info("session started", "tls", c.info.TLS)
	}
	if c.info.Kind == gate.Human {
		err = c.relayBytes()
	} else {
		err = newAgentSession(c, log).run(ctx)
	}
	if err != nil && !isClosed(err) {
		log.Info("session ended", "err", err)
	} else {
		log.Info("session ended")
	}
}

// login authenticates the client: bulwark itself for the identities the
// gatekeeper names, else by relaying the exchange to the upstream.
func (s *Server) login(ctx context.Context, c *conn, deadline time.Time) error {
	if gk := s.cfg.Gatekeeper; gk != nil {
		login, err := gk.Lookup("postgres", c.info.User, c.info.ClientAddr)
		if err != nil {
			c.fatal("28000", err.Error(), "")
			return err
		}
		if login != nil {
			return c.frontDoor(ctx, login, deadline)
		}
	}
	if err := c.connectUpstream(ctx, deadline); err != nil {
		c.upstreamFailed(err)
		return err
	}
	return c.relayAuth(ctx)
}

// upstreamFailed tells the client the upstream could not be reached, without
// naming it; the log has the details.
func (c *conn) upstreamFailed(err error) {
	c.srv.log.Warn("upstream unavailable", "session", c.info.ID, "upstream", c.srv.cfg.UpstreamAddr, "err", err)
	var te *upstreamTLSError
	if errors.As(err, &te) {
		c.fatal("08006", "bulwark could not connect securely to the database server: "+te.Message,
			"This is a problem between bulwark and the database server; bulwark's log has the details.")
	} else {
		c.fatal("08006", "bulwark could not reach the database server; try again later", "")
	}
}

// readStartup reads startup packets until the StartupMessage. SSLRequest
// is answered 'S' and followed by the TLS handshake when TLS is configured,
// else 'N' (libpq then continues in plain text or gives up, as the client's
// sslmode says); GSSENCRequest is always answered 'N'. It returns ok=false
// after serving a CancelRequest, which may come in plain text or over TLS.
func (c *conn) readStartup() (ok bool, err error) {
	offer := c.srv.clientTLS.Load()
	for {
		var lb [4]byte
		if _, err := io.ReadFull(c.clientR, lb[:]); err != nil {
			return false, err
		}
		n := int(binary.BigEndian.Uint32(lb[:]))
		if n < 8 || n > maxStartupPacket {
			return false, fmt.Errorf("invalid startup packet length %d", n)
		}
		pkt := make([]byte, n)
		copy(pkt, lb[:])
		if _, err := io.ReadFull(c.clientR, pkt[4:]); err != nil {
			return false, err
		}
		code := binary.BigEndian.Uint32(pkt[4:8])
		switch {
		case code == codeSSLRequest || code == codeGSSENCRequest:
			if c.info.TLS {
				// The server, too, treats a second negotiation as
				// an unknown protocol.
				return false, errors.New("encryption request on an encrypted connection")
			}
			if c.clientR.Buffered() > 0 {
				// Data after an SSLRequest before our answer is a
				// known injection vector (CVE-2021-23214 family):
				// it would be read as if it came over TLS.
				return false, errors.New("client sent data before the encryption answer")
			}
			if code == codeSSLRequest && offer != nil {
				if err := c.startClientTLS(offer); err != nil {
					return false, err
				}
				continue
			}
			if _, err := c.client.Write([]byte{'N'}); err != nil {
				return false, err
			}
		case code == codeCancel:
			c.forwardCancel(pkt[8:])
			return false, nil
		case code>>16 == 3:
			if offer != nil && offer.Require && !c.info.TLS {
				c.fatal("28000", "bulwark requires TLS on this connection: connect with sslmode=require (or verify-ca, verify-full)", "")
				return false, errors.New("plain-text startup refused: TLS is required")
			}
			return true, c.parseStartup(pkt)
		default:
			c.fatal("08P01", fmt.Sprintf("unsupported frontend protocol %d.%d: bulwark speaks protocol 3", code>>16, code&0xffff), "")
			return false, fmt.Errorf("unsupported protocol code %d", code)
		}
	}
}

// parseStartup reads the parameters of a StartupMessage and decides the
// session's identity.
func (c *conn) parseStartup(pkt []byte) error {
	c.startup = pkt
	params := map[string]string{}
	rest := pkt[8:]
	for len(rest) > 1 {
		k, r, ok := cstring(rest)
		if !ok {
			return errors.New("malformed startup message")
		}
		v, r2, ok := cstring(r)
		if !ok {
			return errors.New("malformed startup message")
		}
		params[k] = v
		rest = r2
	}
	c.params = params
	if params["user"] == "" {
		c.fatal("28000", "no PostgreSQL user name specified in startup packet", "")
		return errors.New("startup without user")
	}
	c.info.User = params["user"]
	c.info.Database = params["database"]
	if c.info.Database == "" {
		c.info.Database = c.info.User
	}
	c.info.ApplicationName = params["application_name"]
	c.info.AgentListener = c.srv.cfg.AgentsOnly
	c.info.Kind = c.srv.cfg.Enforcer.Classify(&c.info)
	if c.info.Kind != gate.Human && params["replication"] != "" && params["replication"] != "false" && params["replication"] != "off" {
		// Replication connections speak a different command language
		// that bulwark does not judge; an agent has no need for them.
		c.fatal("42501", "bulwark refused a replication connection: agent sessions may not open replication connections. Connect without the replication parameter.", "")
		return errors.New("replication connection refused for an agent")
	}
	return nil
}

// forwardCancel passes a CancelRequest on to the backend behind the proxy key
// the client presents. Unknown keys are ignored, as the server does.
func (c *conn) forwardCancel(body []byte) {
	if len(body) < 8 {
		return
	}
	t, ok := c.srv.lookupCancel(cancelKey{pid: binary.BigEndian.Uint32(body[:4]), secret: string(body[4:])})
	if !ok {
		return
	}
	up, sock, err := c.srv.dialUpstream(context.Background(), t.addr, time.Now().Add(2*c.srv.cfg.ConnectTimeout))
	if err != nil {
		c.srv.log.Warn("cancel request could not reach the upstream", "err", err)
		return
	}
	defer sock.Close()
	msg, _ := (&pgproto3.CancelRequest{ProcessID: t.pid, SecretKey: t.secret}).Encode(nil)
	_, _ = up.Write(msg)
	// The server closes the connection once it has read the request.
	_ = up.SetReadDeadline(time.Now().Add(c.srv.cfg.ConnectTimeout))
	_, _ = io.Copy(io.Discard, up)
}

func (c *conn) connectUpstream(ctx context.Context, deadline time.Time) error {
	up, sock, err := c.srv.dialUpstream(ctx, c.srv.cfg.UpstreamAddr, deadline)
	if err != nil {
		return err
	}
	c.server, c.serverSock = up, sock
	c.serverR = bufio.NewReaderSize(up, 32<<10)
	c.serverW = bufio.NewWriterSize(up, 16<<10)
	_, err = c.server.Write(c.startup)
	return err
}

// relayAuth relays the authentication exchange: bulwark neither sees nor
// needs the password; the upstream decides. Afterwards it relays the
// session's initial ParameterStatus messages and replaces the upstream's
// BackendKeyData with a proxy key.
func (c *conn) relayAuth(ctx context.Context) error {
	var buf []byte
	rounds := 0
	for {
		h, err := readHeader(c.serverR, 0)
		if err != nil {
			return err
		}
		if buf, err = readBody(c.serverR, h, buf); err != nil {
			return err
		}
		switch h.typ {
		case 'R':
			if len(buf) < 4 {
				return errors.New("malformed authentication request")
			}
			code := binary.BigEndian.Uint32(buf[:4])
			if code == 10 { // AuthenticationSASL: the mechanisms on offer
				buf = filterSASLMechanisms(buf, c.keepChannelBinding())
			}
			if err := c.toClient(h.typ, buf); err != nil {
				return err
			}
			switch code {
			case 0: // AuthenticationOk
				return c.relayUntilReady(ctx)
			case 3, 5, 7, 8, 10, 11: // the server awaits a response
				rounds++
				if rounds > maxAuthRounds {
					return errors.New("too many authentication rounds")
				}
				if err := c.relayClientAuthResponse(); err != nil {
					return err
				}
			}
		case 'E':
			_ = c.toClient(h.typ, buf)
			return errors.New("upstream refused the session")
		default: // NegotiateProtocolVersion, notices
			if err := c.toClient(h.typ, buf); err != nil {
				return err
			}
		}
	}
}

func (c *conn) relayClientAuthResponse() error {
	h, err := readHeader(c.clientR, maxStartupPacket)
	if err != nil {
		return err
	}
	if h.typ != 'p' {
		return fmt.Errorf("expected an authentication response, got message %q", h.typ)
	}
	body, err := readBody(c.clientR, h, nil)
	if err != nil {
		return err
	}
	_, err = c.server.Write(appendMessage(nil, h.typ, body))
	return err
}

// relayUntilReady forwards the post-authentication messages up to the first
// ReadyForQuery, which an agent hears only once its startup settings are
// judged.
func (c *conn) relayUntilReady(ctx context.Context) error {
	var buf []byte
	for {
		h, err := readHeader(c.serverR, 0)
		if err != nil {
			return err
		}
		if buf, err = readBody(c.serverR, h, buf); err != nil {
			return err
		}
		switch h.typ {
		case 'K':
			if len(buf) < 8 {
				return errors.New("malformed BackendKeyData")
			}
			c.key = c.srv.registerCancel(cancelTarget{
				addr:   c.srv.cfg.UpstreamAddr,
				pid:    binary.BigEndian.Uint32(buf[:4]),
				secret: append([]byte(nil), buf[4:]...),
			})
			msg, _ := (&pgproto3.BackendKeyData{ProcessID: c.key.pid, SecretKey: []byte(c.key.secret)}).Encode(nil)
			if _, err := c.clientW.Write(msg); err != nil {
				return err
			}
			continue
		case 'S':
			c.initialParams = append(c.initialParams, append([]byte(nil), buf...))
		case 'E':
			_ = c.toClient(h.typ, buf)
			return errors.New("upstream refused the session")
		case 'Z':
			if err := c.judgeSettings(ctx); err != nil {
				return err
			}
		}
		if err := c.toClient(h.typ, buf); err != nil {
			return err
		}
		if h.typ == 'Z' {
			if len(buf) == 1 {
				c.initialTx = buf[0]
			}
			return nil
		}
	}
}

// toClient writes one whole message to the client and flushes.
func (c *conn) toClient(typ byte, body []byte) error {
	c.clientMu.Lock()
	defer c.clientMu.Unlock()
	if err := writeHeader(c.clientW, header{typ: typ, n: len(body)}); err != nil {
		return err
	}
	if _, err := c.clientW.Write(body); err != nil {
		return err
	}
	return c.clientW.Flush()
}

// fatal sends a FATAL ErrorResponse before closing a connection that never
// reached a usable state.
func (c *conn) fatal(code, message, hint string) {
	c.sendFatal(pgproto3.ErrorResponse{Code: code, Message: message, Hint: hint})
}

// sendFatal sends e, made FATAL, and flushes.
func (c *conn) sendFatal(e pgproto3.ErrorResponse) {
	e.Severity, e.SeverityUnlocalized = "FATAL", "FATAL"
	msg, _ := e.Encode(nil)
	c.clientMu.Lock()
	defer c.clientMu.Unlock()
	_, _ = c.clientW.Write(msg)
	_ = c.clientW.Flush()
}

// relayBytes relays a human session: bytes both ways, nothing decoded.
func (c *conn) relayBytes() error {
	if err := c.clientW.Flush(); err != nil {
		return err
	}
	errc := make(chan error, 2)
	go func() {
		_, err := io.Copy(c.server, c.clientR) // drains what is already buffered first
		errc <- err
	}()
	go func() {
		_, err := io.Copy(c.client, c.serverR)
		errc <- err
	}()
	err := <-errc
	c.close()
	<-errc
	return err
}

// isClosed reports errors that only mean a peer went away.
func isClosed(err error) bool {
	if err == nil {
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "connection reset by peer") || strings.Contains(err.Error(), "broken pipe")
}
