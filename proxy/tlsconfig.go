package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/bulwarkdb/bulwark/config"
)

// ClientTLSConfig loads the certificate, key and client CAs of the tls
// section into the server side of a TLS handshake; nil when TLS is not
// configured. Clients must use TLS 1.2 or later. With client_ca_file, a
// client certificate is asked for and, when given, verified
// (tls.VerifyClientCertIfGiven), so that clients without one can still
// authenticate with a password. Call it again to reload the files.
func ClientTLSConfig(c config.TLS) (*tls.Config, error) {
	if c.CertFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("tls.cert_file, tls.key_file: %w", err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if c.ClientCAFile != "" {
		pool, err := loadCAs(c.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("tls.client_ca_file: %w", err)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}

// UpstreamTLSConfig builds the client side of the TLS handshake with the
// upstream at addr (host:port) for the mode of u; nil for disable. The key
// names in errors are under prefix ("upstream.postgres.tls").
//
//   - require: encrypt, verify nothing (as libpq's sslmode=require);
//   - verify-ca: the server's chain must lead to ca_file (or the system's
//     roots), whatever name it carries;
//   - verify-full: and the certificate must name server_name, or the host
//     of addr.
func UpstreamTLSConfig(u config.UpstreamTLS, addr, prefix string) (*tls.Config, error) {
	var roots *x509.CertPool // nil: the system's roots
	if u.CAFile != "" {
		var err error
		if roots, err = loadCAs(u.CAFile); err != nil {
			return nil, fmt.Errorf("%s.ca_file: %w", prefix, err)
		}
	}
	switch u.Mode {
	case "", "disable":
		return nil, nil
	case "require":
		return &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: true}, nil
	case "verify-ca":
		return &tls.Config{
			MinVersion: tls.VersionTLS12,
			// Go verifies chain and name together; verify-ca wants the
			// chain only, so the standard check is replaced by one
			// without a name.
			InsecureSkipVerify: true,
			VerifyConnection: func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) == 0 {
					return errors.New("the server presented no certificate")
				}
				opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
				for _, ic := range cs.PeerCertificates[1:] {
					opts.Intermediates.AddCert(ic)
				}
				_, err := cs.PeerCertificates[0].Verify(opts)
				if err != nil {
					return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
				}
				return nil
			},
		}, nil
	case "verify-full":
		name := u.ServerName
		if name == "" {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, fmt.Errorf("%s.server_name: cannot take the host from address %q: %w", prefix, addr, err)
			}
			name = host
		}
		return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots, ServerName: name}, nil
	}
	return nil, fmt.Errorf("%s.mode: unknown mode %q", prefix, u.Mode)
}

// loadCAs reads PEM certificates into a pool.
func loadCAs(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", file)
	}
	return pool, nil
}
