package pgwire

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// ClientTLS is the TLS bulwark offers its clients
// (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SSL).
type ClientTLS struct {
	// Config is the server side of the handshake (certificate, client
	// CAs, minimum version). nil: SSLRequest is answered 'N'.
	Config *tls.Config
	// Require refuses a StartupMessage that did not come over TLS.
	// CancelRequests are served either way: libpq before PostgreSQL 17
	// always sends them in plain text.
	Require bool
}

// SetClientTLS replaces the TLS offered to clients that connect from now
// on (nil: none); sessions already running keep theirs. A configuration
// reload calls it with freshly loaded certificates.
func (s *Server) SetClientTLS(t *ClientTLS) {
	if t != nil && t.Config == nil {
		t = nil
	}
	s.clientTLS.Store(t)
}

// SetUpstreamTLS replaces the TLS configuration of new connections to the
// upstream (sessions and cancel requests): nil connects in plain text;
// otherwise bulwark sends SSLRequest, requires 'S' and handshakes with cfg.
// cfg decides what is verified.
func (s *Server) SetUpstreamTLS(cfg *tls.Config) { s.upstreamTLS.Store(cfg) }

// startClientTLS answers an SSLRequest with 'S' and runs the server side of
// the handshake on the client's socket. Afterwards every read and write of
// the session goes through TLS.
func (c *conn) startClientTLS(ct *ClientTLS) error {
	if _, err := c.client.Write([]byte{'S'}); err != nil {
		return err
	}
	tc := tls.Server(c.client, ct.Config)
	// The deadline set on the socket for the startup phase bounds the
	// handshake too.
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	c.client = tc
	c.clientR.Reset(tc)
	c.clientW.Reset(tc)
	c.info.TLS = true
	st := tc.ConnectionState()
	if len(st.VerifiedChains) > 0 && len(st.PeerCertificates) > 0 {
		c.info.ClientCertSubject = st.PeerCertificates[0].Subject.String()
	}
	if len(ct.Config.Certificates) == 1 && len(ct.Config.Certificates[0].Certificate) > 0 {
		c.servedCert = ct.Config.Certificates[0].Certificate[0]
	}
	return nil
}

// errUpstreamRefusedTLS: the upstream answered SSLRequest with 'N'.
var errUpstreamRefusedTLS = errors.New("the database server does not accept TLS connections")

// upstreamTLSError is a failure to secure the upstream connection; Message
// is safe to show the client.
type upstreamTLSError struct {
	Message string
	Err     error
}

func (e *upstreamTLSError) Error() string { return e.Message + ": " + e.Err.Error() }
func (e *upstreamTLSError) Unwrap() error { return e.Err }

// dialUpstream connects to addr and, when the upstream is to be reached
// over TLS, negotiates it. It returns the connection to speak on and the
// socket beneath it (the same when there is no TLS), which is what to close.
func (s *Server) dialUpstream(ctx context.Context, addr string, deadline time.Time) (conn, sock net.Conn, err error) {
	d := net.Dialer{Timeout: s.cfg.ConnectTimeout}
	sock, err = d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	if tc, ok := sock.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	_ = sock.SetDeadline(deadline)
	cfg := s.upstreamTLS.Load()
	if cfg == nil {
		return sock, sock, nil
	}
	tc, err := startUpstreamTLS(sock, cfg)
	if err != nil {
		sock.Close()
		return nil, nil, err
	}
	return tc, sock, nil
}

// startUpstreamTLS sends SSLRequest on sock and, on 'S', runs the client
// side of the handshake. The one-byte answer is read straight from the
// socket, so bytes a server sent behind it cannot be taken for encrypted
// data (CVE-2021-23222): they would fail the handshake.
func startUpstreamTLS(sock net.Conn, cfg *tls.Config) (*tls.Conn, error) {
	req := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 8), codeSSLRequest)
	if _, err := sock.Write(req); err != nil {
		return nil, err
	}
	var answer [1]byte
	if _, err := io.ReadFull(sock, answer[:]); err != nil {
		return nil, err
	}
	switch answer[0] {
	case 'S':
	case 'N':
		return nil, &upstreamTLSError{
			Message: "the database server does not accept TLS, which bulwark's configuration requires for it (upstream.postgres.tls.mode)",
			Err:     errUpstreamRefusedTLS,
		}
	default:
		// Servers before 7.0 answer with an ErrorResponse; anything else
		// is not PostgreSQL.
		return nil, &upstreamTLSError{
			Message: "the database server gave an unexpected answer to bulwark's TLS request",
			Err:     fmt.Errorf("answer %q to SSLRequest", answer[0]),
		}
	}
	tc := tls.Client(sock, cfg)
	if err := tc.Handshake(); err != nil {
		msg := "the TLS handshake with the database server failed"
		var cve *tls.CertificateVerificationError
		var hostErr x509.HostnameError
		var uaErr x509.UnknownAuthorityError
		var invErr x509.CertificateInvalidError
		if errors.As(err, &cve) || errors.As(err, &hostErr) || errors.As(err, &uaErr) || errors.As(err, &invErr) {
			msg = "bulwark could not verify the database server's TLS certificate"
		}
		return nil, &upstreamTLSError{Message: msg, Err: err}
	}
	return tc, nil
}

// SASL mechanism names (https://www.postgresql.org/docs/current/sasl-authentication.html).
const scramPlus = "SCRAM-SHA-256-PLUS"

// filterSASLMechanisms removes SCRAM-SHA-256-PLUS from an
// AuthenticationSASL body (Int32 10, then mechanism names, each
// NUL-terminated, then a NUL).
//
// Channel binding ties SCRAM to the TLS channel it runs in; bulwark relays
// SCRAM between two channels, so binding to the client's channel cannot
// satisfy a server that checks its own, and a plain-text client is refused
// by libpq outright when a server offers -PLUS. The one case where binding
// holds end to end is a client channel whose certificate is the server's
// own (bulwark presenting the database server's certificate); keepPlus says
// so, and then the list is relayed as sent.
func filterSASLMechanisms(body []byte, keepPlus bool) []byte {
	if keepPlus || len(body) < 4 || !bytes.Contains(body, []byte(scramPlus+"\x00")) {
		return body
	}
	out := append([]byte(nil), body[:4]...)
	rest := body[4:]
	for len(rest) > 0 {
		name, r, ok := cstring(rest)
		if !ok {
			return body // malformed: relay as sent, the client decides
		}
		rest = r
		if name == "" {
			break
		}
		if name == scramPlus {
			continue
		}
		out = append(append(out, name...), 0)
	}
	return append(out, 0)
}

// keepChannelBinding reports whether the client's TLS channel presents the
// very certificate the upstream presented, so that tls-server-end-point
// channel binding computed by the client matches the server's.
func (c *conn) keepChannelBinding() bool {
	if c.servedCert == nil {
		return false
	}
	tc, ok := c.server.(*tls.Conn)
	if !ok {
		return false
	}
	peers := tc.ConnectionState().PeerCertificates
	return len(peers) > 0 && bytes.Equal(peers[0].Raw, c.servedCert)
}
