package mysqlwire

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
)

// TLS on the two legs is independent: a client may use TLS to bulwark while
// bulwark reaches the server in clear, or the reverse. On both legs TLS
// starts the same way: the side that connects answers the greeting with an
// SSLRequest (the fixed 32 bytes of a HandshakeResponse, with CLIENT_SSL),
// runs the TLS handshake, and sends the real HandshakeResponse over TLS with
// the next sequence id.
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_ssl_request.html)

// clientTLS is the client leg's TLS setting; the Server holds it behind an
// atomic pointer so that a reload can change certificates for new sessions
// without touching open ones.
type clientTLS struct {
	conf    *tls.Config // nil: TLS is not offered
	require bool
}

// bufferedConn is a connection whose first bytes were already read into a
// bufio.Reader: a client writes its TLS ClientHello right behind its
// SSLRequest, without waiting, so part of it may sit in that buffer.
type bufferedConn struct {
	net.Conn
	r io.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// withBuffered returns nc reading first what r holds already.
func withBuffered(nc net.Conn, r *bufio.Reader) net.Conn {
	n := r.Buffered()
	if n == 0 {
		return nc
	}
	held, _ := r.Peek(n)
	return &bufferedConn{Conn: nc, r: io.MultiReader(bytes.NewReader(bytes.Clone(held)), nc)}
}

// startClientTLS runs the TLS server handshake on the client leg after its
// SSLRequest, and records what the session learns from it.
func (c *conn) startClientTLS(conf *tls.Config) error {
	tc := tls.Server(withBuffered(c.client, c.clientR), conf)
	if err := tc.HandshakeContext(c.ctx); err != nil {
		return fmt.Errorf("client TLS handshake: %w", err)
	}
	c.setConns(tc, c.server)
	c.clientR = bufio.NewReaderSize(tc, 16<<10)
	c.clientW = bufio.NewWriterSize(tc, 32<<10)
	c.info.TLS = true
	if cs := tc.ConnectionState(); len(cs.VerifiedChains) > 0 {
		c.info.ClientCertSubject = cs.PeerCertificates[0].Subject.String()
	}
	return nil
}

// startUpstreamTLS sends the server an SSLRequest at sequence id seq (the
// fixed part of the HandshakeResponse that follows, with CLIENT_SSL) and
// runs the TLS client handshake.
func (c *conn) startUpstreamTLS(conf *tls.Config, seq byte, fixed []byte) error {
	if err := c.toServer(seq, fixed[:sslRequestLen]); err != nil {
		return err
	}
	if c.serverR.Buffered() != 0 {
		return fmt.Errorf("%w: the server spoke before the TLS handshake", errMalformed)
	}
	tc := tls.Client(c.server, conf)
	if err := tc.HandshakeContext(c.ctx); err != nil {
		return err
	}
	c.setConns(c.client, tc)
	c.serverR = bufio.NewReaderSize(tc, 32<<10)
	c.serverW = bufio.NewWriterSize(tc, 16<<10)
	c.upstreamTLS = true
	return nil
}
