package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// testPKI is a certificate authority made for the test run, with a server
// certificate for localhost / 127.0.0.1 that bulwark and the test database
// servers can present, and client certificates on demand. Files are PEM.
type testPKI struct {
	Dir      string
	CAFile   string
	CertFile string // server certificate: DNS localhost, IP 127.0.0.1
	KeyFile  string

	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
	mu    sync.Mutex
	n     int64
}

var (
	pkiOnce sync.Once
	pki     *testPKI
	pkiErr  error
)

// needPKI returns the run's test PKI, creating it on first use.
func needPKI(t testing.TB) *testPKI {
	t.Helper()
	pkiOnce.Do(func() { pki, pkiErr = newTestPKI() })
	if pkiErr != nil {
		t.Fatalf("test PKI: %v", pkiErr)
	}
	return pki
}

func newTestPKI() (*testPKI, error) {
	dir, err := os.MkdirTemp(tempBase(), "bulwark-pki-")
	if err != nil {
		return nil, err
	}
	// Database servers read the key files as their own user.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	p := &testPKI{Dir: dir, n: 1}
	p.caKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "bulwark test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		return nil, err
	}
	if p.ca, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	p.CAFile = filepath.Join(dir, "ca.pem")
	if err := writePEM(p.CAFile, "CERTIFICATE", der, 0o644); err != nil {
		return nil, err
	}
	p.CertFile, p.KeyFile, err = p.issue("server", pkix.Name{CommonName: "localhost"}, true)
	return p, err
}

// ClientCert issues a client certificate with the given subject and
// returns its certificate and key files.
func (p *testPKI) ClientCert(t testing.TB, subject pkix.Name) (certFile, keyFile string) {
	t.Helper()
	p.mu.Lock()
	p.n++
	name := "client-" + big.NewInt(p.n).String()
	p.mu.Unlock()
	certFile, keyFile, err := p.issue(name, subject, false)
	if err != nil {
		t.Fatalf("issue client certificate: %v", err)
	}
	return certFile, keyFile
}

func (p *testPKI) issue(name string, subject pkix.Name, server bool) (certFile, keyFile string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	p.mu.Lock()
	p.n++
	serial := big.NewInt(p.n)
	p.mu.Unlock()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		return "", "", err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", "", err
	}
	certFile = filepath.Join(p.Dir, name+".pem")
	keyFile = filepath.Join(p.Dir, name+".key")
	if err := writePEM(certFile, "CERTIFICATE", der, 0o644); err != nil {
		return "", "", err
	}
	// 0600 as PostgreSQL demands of a server key; tests running as root
	// chown it for the server's user where needed.
	return certFile, keyFile, writePEM(keyFile, "EC PRIVATE KEY", kder, 0o600)
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}
