package proxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkdb/bulwark/config"
)

// testCA issues a CA and a server certificate for the given names, as PEM
// files in a temporary directory.
func testCA(t *testing.T, dnsName string) (caFile, certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: dnsName}, DNSNames: []string{dnsName},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("cert.pem", "CERTIFICATE", der), write("key.pem", "EC PRIVATE KEY", kder)
}

// handshake runs a TLS handshake between a server presenting certFile and
// a client configured by client.
func handshake(t *testing.T, certFile, keyFile string, client *tls.Config) error {
	t.Helper()
	server, err := ClientTLSConfig(config.TLS{CertFile: certFile, KeyFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	// A TCP connection, not net.Pipe: its buffers let a failing side send
	// its alert while the other is writing too.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		b, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer b.Close()
		_ = b.SetDeadline(time.Now().Add(10 * time.Second))
		done <- tls.Server(b, server).Handshake()
	}()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_ = a.SetDeadline(time.Now().Add(10 * time.Second))
	err = tls.Client(a, client).Handshake()
	a.Close()
	<-done
	return err
}

func TestUpstreamTLSModes(t *testing.T) {
	caFile, certFile, keyFile := testCA(t, "db.internal")
	otherCA, _, _ := testCA(t, "db.internal")
	cases := []struct {
		name string
		u    config.UpstreamTLS
		addr string
		ok   bool
	}{
		{"require encrypts without checking", config.UpstreamTLS{Mode: "require"}, "10.0.0.1:5432", true},
		{"verify-ca accepts our CA under any name", config.UpstreamTLS{Mode: "verify-ca", CAFile: caFile}, "10.0.0.1:5432", true},
		{"verify-ca refuses another CA", config.UpstreamTLS{Mode: "verify-ca", CAFile: otherCA}, "10.0.0.1:5432", false},
		{"verify-full checks the address's host", config.UpstreamTLS{Mode: "verify-full", CAFile: caFile}, "db.internal:5432", true},
		{"verify-full refuses another name", config.UpstreamTLS{Mode: "verify-full", CAFile: caFile}, "10.0.0.1:5432", false},
		{"verify-full takes server_name over the address", config.UpstreamTLS{Mode: "verify-full", CAFile: caFile, ServerName: "db.internal"}, "10.0.0.1:5432", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client, err := UpstreamTLSConfig(c.u, c.addr, "upstream.postgres.tls")
			if err != nil {
				t.Fatal(err)
			}
			if err := handshake(t, certFile, keyFile, client); (err == nil) != c.ok {
				t.Fatalf("handshake: %v, want ok=%v", err, c.ok)
			}
		})
	}
	t.Run("disable is no TLS", func(t *testing.T) {
		if c, err := UpstreamTLSConfig(config.UpstreamTLS{Mode: "disable"}, "x:1", "p"); c != nil || err != nil {
			t.Fatalf("%v %v", c, err)
		}
	})
	t.Run("a CA file without certificates is an error naming the key", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "empty.pem")
		_ = os.WriteFile(bad, []byte("nothing"), 0o600)
		if _, err := UpstreamTLSConfig(config.UpstreamTLS{Mode: "verify-ca", CAFile: bad}, "x:1", "upstream.mysql.tls"); err == nil || !strings.Contains(err.Error(), "upstream.mysql.tls.ca_file") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestClientTLSConfig(t *testing.T) {
	caFile, certFile, keyFile := testCA(t, "localhost")
	if c, err := ClientTLSConfig(config.TLS{}); c != nil || err != nil {
		t.Fatalf("no certificate: %v %v", c, err)
	}
	c, err := ClientTLSConfig(config.TLS{CertFile: certFile, KeyFile: keyFile, ClientCAFile: caFile})
	if err != nil || c.ClientAuth != tls.VerifyClientCertIfGiven || c.ClientCAs == nil || c.MinVersion != tls.VersionTLS12 {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := ClientTLSConfig(config.TLS{CertFile: certFile, KeyFile: caFile}); err == nil || !strings.Contains(err.Error(), "tls.cert_file") {
		t.Fatalf("mismatched key: %v", err)
	}
}
