package mysqlwire

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/mysql"
)

// authPair is a conn between a scripted client and a scripted server, for
// the authentication exchange alone.
type authPair struct {
	c              *conn
	client, server net.Conn // the scripts' ends
}

func newAuthPair(t *testing.T, clientTLS, upstreamTLS bool) *authPair {
	t.Helper()
	cl, cb := net.Pipe()
	sv, sb := net.Pipe()
	deadline := time.Now().Add(10 * time.Second)
	for _, nc := range []net.Conn{cl, cb, sv, sb} {
		_ = nc.SetDeadline(deadline)
	}
	t.Cleanup(func() { cl.Close(); cb.Close(); sv.Close(); sb.Close() })
	c := &conn{
		srv:    &Server{log: slog.Default()},
		log:    slog.Default(),
		client: cb, clientR: bufio.NewReader(cb), clientW: bufio.NewWriter(cb),
		server: sb, serverR: bufio.NewReader(sb), serverW: bufio.NewWriter(sb),
		upstreamTLS: upstreamTLS,
		authPlugin:  mysql.AUTH_CACHING_SHA2_PASSWORD,
		scramble:    []byte("0123456789abcdefghij"),
	}
	c.info.TLS = clientTLS
	return &authPair{c: c, client: cl, server: sv}
}

func writePacket(t *testing.T, w io.Writer, seq byte, p []byte) {
	t.Helper()
	b, _ := appendPackets(nil, seq, p)
	if _, err := w.Write(b); err != nil {
		t.Errorf("write packet %d: %v", seq, err)
	}
}

func readPacket(t *testing.T, r io.Reader) (byte, []byte) {
	t.Helper()
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		t.Errorf("read packet: %v", err)
		return 0, nil
	}
	p := make([]byte, int(h[0])|int(h[1])<<8|int(h[2])<<16)
	if _, err := io.ReadFull(r, p); err != nil {
		t.Errorf("read packet: %v", err)
	}
	return h[3], p
}

func expectPacket(t *testing.T, r io.Reader, seq byte, want []byte) {
	t.Helper()
	s, p := readPacket(t, r)
	if s != seq || (want != nil && !bytes.Equal(p, want)) {
		t.Errorf("got packet %d %q, want %d %q", s, p, seq, want)
	}
}

func TestCachingSha2FullAuthFromATLSClientStaysEncryptedUpstream(t *testing.T) {
	ap := newAuthPair(t, true, false)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	done := make(chan struct{})
	go func() { // the server in clear: HandshakeResponse had seq 1
		defer close(done)
		writePacket(t, ap.server, 2, []byte{mysql.MORE_DATE_HEADER, mysql.CACHE_SHA2_FULL_AUTH})
		expectPacket(t, ap.server, 3, []byte{2})
		writePacket(t, ap.server, 4, append([]byte{mysql.MORE_DATE_HEADER}, pubPEM...))
		_, enc := readPacket(t, ap.server)
		plain, err := rsa.DecryptOAEP(sha1.New(), nil, key, enc, nil)
		if err != nil {
			t.Errorf("the server cannot decrypt what bulwark sent: %v (%q)", err, enc)
		}
		if got := mysql.Xor(plain, []byte("0123456789abcdefghij")); !bytes.Equal(got, []byte("s3cret\x00")) {
			t.Errorf("the server decrypted %q", got)
		}
		writePacket(t, ap.server, 6, []byte{mysql.OK_HEADER, 0, 0, 2, 0, 0, 0})
	}()
	go func() { // the client over TLS: HandshakeResponse had seq 2
		expectPacket(t, ap.client, 3, []byte{mysql.MORE_DATE_HEADER, mysql.CACHE_SHA2_FULL_AUTH})
		writePacket(t, ap.client, 4, []byte("s3cret\x00"))
		expectPacket(t, ap.client, 5, nil)
	}()
	if err := ap.c.relayAuth(minusOne, ""); err != nil {
		t.Fatalf("relayAuth: %v", err)
	}
	<-done
}

func TestCachingSha2FullAuthFromAClientInClearGoesInClearOnlyOverTLS(t *testing.T) {
	ap := newAuthPair(t, false, true)
	done := make(chan struct{})
	go func() { // the server over TLS: HandshakeResponse had seq 2
		defer close(done)
		writePacket(t, ap.server, 3, []byte{mysql.MORE_DATE_HEADER, mysql.CACHE_SHA2_FULL_AUTH})
		expectPacket(t, ap.server, 4, []byte("s3cret\x00"))
		writePacket(t, ap.server, 5, []byte{mysql.OK_HEADER, 0, 0, 2, 0, 0, 0})
	}()
	go func() { // the client in clear: HandshakeResponse had seq 1
		expectPacket(t, ap.client, 2, []byte{mysql.MORE_DATE_HEADER, mysql.CACHE_SHA2_FULL_AUTH})
		writePacket(t, ap.client, 3, []byte{2})
		_, p := readPacket(t, ap.client)
		pub, err := parsePublicKey(p)
		if err != nil {
			t.Errorf("bulwark's public key: %v", err)
			return
		}
		enc, err := mysql.EncryptPassword("s3cret", []byte("0123456789abcdefghij"), pub)
		if err != nil {
			t.Error(err)
		}
		writePacket(t, ap.client, 5, enc)
		expectPacket(t, ap.client, 6, nil)
	}()
	if err := ap.c.relayAuth(2-1, ""); err != nil {
		t.Fatalf("relayAuth: %v", err)
	}
	<-done
}

func TestClearPasswordFromATLSClientIsNotRelayedToAServerInClear(t *testing.T) {
	ap := newAuthPair(t, true, false)
	ap.c.authPlugin = mysql.AUTH_NATIVE_PASSWORD
	go func() {
		writePacket(t, ap.server, 2, append([]byte{mysql.EOF_HEADER}, "mysql_clear_password\x00"...))
	}()
	got := make(chan []byte, 1)
	go func() {
		_, p := readPacket(t, ap.client)
		got <- p
	}()
	if err := ap.c.relayAuth(minusOne, ""); err == nil {
		t.Fatal("relayAuth accepted mysql_clear_password")
	}
	p := <-got
	if len(p) < 3 || p[0] != mysql.ERR_HEADER || uint16(p[1])|uint16(p[2])<<8 != mysql.ER_NOT_SUPPORTED_AUTH_MODE ||
		!bytes.Contains(p, []byte("mysql_clear_password")) {
		t.Fatalf("client got %q, want ERR 1251 naming the plugin", p)
	}
}

// minusOne is the delta when only the client's leg had an SSLRequest.
var minusOne byte = 0xff

func TestUpstreamTLSWithAServerWithoutTLSAnswersInPlaceOfTheGreeting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		up, err := ln.Accept()
		if err != nil {
			return
		}
		defer up.Close()
		writePacket(t, up, 0, greeting(mysql.CLIENT_PROTOCOL_41|mysql.CLIENT_SECURE_CONNECTION|mysql.CLIENT_PLUGIN_AUTH))
		_, _ = io.Copy(io.Discard, up)
	}()
	s := NewServer(Config{UpstreamAddr: ln.Addr().String(), ConnectTimeout: 5 * time.Second, HandshakeTimeout: 10 * time.Second,
		UpstreamTLS: &tls.Config{InsecureSkipVerify: true}, UpstreamTLSMode: "require"})
	cl, sv := net.Pipe()
	defer cl.Close()
	_ = cl.SetDeadline(time.Now().Add(10 * time.Second))
	go s.serveConn(t.Context(), sv)
	seq, p := readPacket(t, cl)
	if seq != 0 || len(p) < 3 || p[0] != mysql.ERR_HEADER || !bytes.Contains(p, []byte("does not offer TLS")) {
		t.Fatalf("client got %d %q, want an ERR in place of the greeting", seq, p)
	}
}
