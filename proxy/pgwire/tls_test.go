package pgwire

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/bulwarkdb/bulwark/proxy/gate"
)

// selfSigned returns a certificate for localhost that is its own CA, and
// a pool that trusts it.
func selfSigned(t *testing.T, cn string, usage x509.ExtKeyUsage) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn, Organization: []string{"Acme"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, DNSNames: []string{"localhost"},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// pipeStartupConn is a conn on one end of a net.Pipe; the test plays the
// client on the other.
func pipeStartupConn(t *testing.T, offer *ClientTLS) (*conn, net.Conn) {
	t.Helper()
	srvEnd, cliEnd := net.Pipe()
	t.Cleanup(func() { srvEnd.Close(); cliEnd.Close() })
	srv := NewServer(Config{
		UpstreamAddr: "127.0.0.1:1", ConnectTimeout: time.Second, HandshakeTimeout: time.Second,
		MaxMessageBytes: 1 << 20, MaxStatementBytes: 1 << 20, MaxRequestBytes: 1 << 20,
		ClientTLS: offer, Enforcer: &fakeEnforcer{kind: gate.Agent}, Logger: slog.New(slog.DiscardHandler),
	})
	_ = srvEnd.SetDeadline(time.Now().Add(5 * time.Second))
	_ = cliEnd.SetDeadline(time.Now().Add(5 * time.Second))
	return &conn{srv: srv, client: srvEnd, clientSock: srvEnd, clientR: bufio.NewReader(srvEnd), clientW: bufio.NewWriter(srvEnd)}, cliEnd
}

func TestReadStartupOverTLS(t *testing.T) {
	serverCert, serverPool := selfSigned(t, "localhost", x509.ExtKeyUsageServerAuth)
	clientCert, clientPool := selfSigned(t, "ci-agent", x509.ExtKeyUsageClientAuth)
	user := startupPacket(map[string]string{"user": "bot", "database": "shop"})

	tests := []struct {
		name        string
		offer       *ClientTLS
		clientCerts []tls.Certificate
		wantSubject string
	}{
		{
			name:  "an SSLRequest is answered S and the StartupMessage is read over TLS",
			offer: &ClientTLS{Config: &tls.Config{Certificates: []tls.Certificate{serverCert}, MinVersion: tls.VersionTLS12}},
		},
		{
			name: "a verified client certificate's subject is kept in RFC 2253 form",
			offer: &ClientTLS{Config: &tls.Config{
				Certificates: []tls.Certificate{serverCert}, ClientCAs: clientPool, ClientAuth: tls.VerifyClientCertIfGiven,
			}, Require: true},
			clientCerts: []tls.Certificate{clientCert},
			wantSubject: "CN=ci-agent,O=Acme",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, cli := pipeStartupConn(t, tt.offer)
			type result struct {
				ok  bool
				err error
			}
			done := make(chan result, 1)
			go func() { ok, err := c.readStartup(); done <- result{ok, err} }()
			if _, err := cli.Write(codePacket(codeSSLRequest)); err != nil {
				t.Fatal(err)
			}
			var answer [1]byte
			if _, err := io.ReadFull(cli, answer[:]); err != nil || answer[0] != 'S' {
				t.Fatalf("answer %q, %v; want S", answer[0], err)
			}
			tc := tls.Client(cli, &tls.Config{ServerName: "localhost", RootCAs: serverPool, Certificates: tt.clientCerts})
			if err := tc.Handshake(); err != nil {
				t.Fatalf("handshake: %v", err)
			}
			if _, err := tc.Write(user); err != nil {
				t.Fatal(err)
			}
			r := <-done
			if !r.ok || r.err != nil {
				t.Fatalf("readStartup = %v, %v", r.ok, r.err)
			}
			if !c.info.TLS || c.info.ClientCertSubject != tt.wantSubject || c.info.User != "bot" {
				t.Fatalf("session = %+v, want TLS, subject %q, user bot", c.info, tt.wantSubject)
			}
			if !bytes.Equal(c.startup, user) {
				t.Fatal("the StartupMessage must be kept as sent")
			}
		})
	}
}

func TestReadStartupWhenTLSIsRequired(t *testing.T) {
	serverCert, _ := selfSigned(t, "localhost", x509.ExtKeyUsageServerAuth)
	offer := &ClientTLS{Config: &tls.Config{Certificates: []tls.Certificate{serverCert}}, Require: true}
	readAll := func(c net.Conn) chan []byte {
		out := make(chan []byte, 1)
		go func() { b, _ := io.ReadAll(c); out <- b }()
		return out
	}

	t.Run("a plain StartupMessage gets FATAL 28000 naming sslmode=require", func(t *testing.T) {
		c, cli := pipeStartupConn(t, offer)
		got := readAll(cli)
		go func() { _, _ = cli.Write(startupPacket(map[string]string{"user": "bot"})) }()
		ok, err := c.readStartup()
		c.clientSock.Close()
		if ok || err == nil {
			t.Fatalf("readStartup = %v, %v; want a refusal", ok, err)
		}
		out := <-got
		if code := fatalCode(t, out); code != "28000" || !bytes.Contains(out, []byte("sslmode=require")) {
			t.Fatalf("client got %q, want FATAL 28000 naming sslmode=require", out)
		}
	})

	t.Run("a plain CancelRequest is still served", func(t *testing.T) {
		c, cli := pipeStartupConn(t, offer)
		got := readAll(cli)
		go func() { _, _ = cli.Write(codePacket(codeCancel, 0, 0, 0, 1, 0, 0, 0, 2)) }()
		ok, err := c.readStartup()
		c.clientSock.Close()
		if ok || err != nil {
			t.Fatalf("readStartup = %v, %v; want a quietly served cancel", ok, err)
		}
		if out := <-got; len(out) != 0 {
			t.Fatalf("client got %q, want nothing", out)
		}
	})

	t.Run("a GSSENCRequest is still declined with N", func(t *testing.T) {
		c, cli := pipeStartupConn(t, offer)
		done := make(chan error, 1)
		go func() { _, err := c.readStartup(); done <- err }()
		_, _ = cli.Write(codePacket(codeGSSENCRequest))
		var answer [1]byte
		if _, err := io.ReadFull(cli, answer[:]); err != nil || answer[0] != 'N' {
			t.Fatalf("answer %q, %v; want N", answer[0], err)
		}
		cli.Close()
		<-done
	})
}

func TestFilterSASLMechanisms(t *testing.T) {
	sasl := func(names ...string) []byte {
		b := []byte{0, 0, 0, 10}
		for _, n := range names {
			b = append(append(b, n...), 0)
		}
		return append(b, 0)
	}
	tests := []struct {
		name     string
		in       []byte
		keepPlus bool
		want     []byte
	}{
		{"SCRAM-SHA-256-PLUS is withheld", sasl("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), false, sasl("SCRAM-SHA-256")},
		{"the order of the others is kept", sasl("SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "OTHER"), false, sasl("SCRAM-SHA-256", "OTHER")},
		{"a list without -PLUS is relayed as sent", sasl("SCRAM-SHA-256"), false, sasl("SCRAM-SHA-256")},
		{"-PLUS is kept when the channels share the server's certificate", sasl("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), true, sasl("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256")},
		{"a malformed list is relayed as sent", []byte("\x00\x00\x00\x0aSCRAM-SHA-256-PLUS\x00SCRAM"), false, []byte("\x00\x00\x00\x0aSCRAM-SHA-256-PLUS\x00SCRAM")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := filterSASLMechanisms(tt.in, tt.keepPlus); !bytes.Equal(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
