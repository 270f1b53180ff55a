// Package credential holds what bulwark keeps of the secrets it issues to
// the identities it authenticates itself: verifiers, never the secret. A
// verifier proves a client knows the secret in each protocol's own
// challenge-response (PostgreSQL SCRAM-SHA-256, MySQL mysql_native_password
// and caching_sha2_password's fast path) without letting anyone who reads
// the store log in.
package credential

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"

	"github.com/xdg-go/scram"
)

// SCRAMIterations is the PBKDF2 iteration count of new SCRAM verifiers,
// PostgreSQL's own default.
const SCRAMIterations = 4096

// Verifier is everything bulwark stores about one identity's secret.
type Verifier struct {
	// PostgreSQL SCRAM-SHA-256 (RFC 5802/7677).
	SCRAMSalt      []byte
	SCRAMIters     int
	SCRAMStoredKey []byte
	SCRAMServerKey []byte
	// MySQLNative is SHA1(SHA1(secret)), what mysql_native_password
	// checks a scramble against.
	MySQLNative []byte
	// MySQLSHA2 is SHA256(SHA256(secret)), what caching_sha2_password's
	// fast authentication checks a scramble against.
	MySQLSHA2 []byte
}

// NewSecret returns a new random secret: 32 bytes, URL-safe base64 (43
// characters), usable as is in connection URLs and environment variables.
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Derive computes the verifiers of a secret.
func Derive(secret string) (Verifier, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return Verifier{}, err
	}
	client, err := scram.SHA256.NewClient("", secret, "")
	if err != nil {
		return Verifier{}, err
	}
	sc := client.GetStoredCredentials(scram.KeyFactors{Salt: string(salt), Iters: SCRAMIterations})
	h1 := sha1.Sum([]byte(secret))
	h2 := sha1.Sum(h1[:])
	s1 := sha256.Sum256([]byte(secret))
	s2 := sha256.Sum256(s1[:])
	return Verifier{
		SCRAMSalt: salt, SCRAMIters: SCRAMIterations,
		SCRAMStoredKey: []byte(sc.StoredKey), SCRAMServerKey: []byte(sc.ServerKey),
		MySQLNative: h2[:], MySQLSHA2: s2[:],
	}, nil
}

// SCRAM returns the verifier in the form the SCRAM server library reads.
func (v Verifier) SCRAM() scram.StoredCredentials {
	return scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(v.SCRAMSalt), Iters: v.SCRAMIters},
		StoredKey:  v.SCRAMStoredKey,
		ServerKey:  v.SCRAMServerKey,
	}
}

// ErrMismatch: the client's answer does not prove the secret.
var ErrMismatch = errors.New("wrong password")

// CheckMySQLNative checks a mysql_native_password answer to scramble:
// answer = SHA1(secret) XOR SHA1(scramble + SHA1(SHA1(secret))).
func (v Verifier) CheckMySQLNative(scramble, answer []byte) error {
	if len(answer) != sha1.Size || len(v.MySQLNative) != sha1.Size {
		return ErrMismatch
	}
	h := sha1.New()
	h.Write(scramble)
	h.Write(v.MySQLNative)
	mask := h.Sum(nil)
	candidate := make([]byte, sha1.Size)
	for i := range candidate {
		candidate[i] = answer[i] ^ mask[i]
	}
	// candidate should be SHA1(secret); its SHA1 is the stored verifier.
	sum := sha1.Sum(candidate)
	if !hmac.Equal(sum[:], v.MySQLNative) {
		return ErrMismatch
	}
	return nil
}

// CheckMySQLSHA2 checks a caching_sha2_password fast-authentication answer
// to scramble: answer = SHA256(secret) XOR SHA256(SHA256(SHA256(secret)) +
// scramble).
func (v Verifier) CheckMySQLSHA2(scramble, answer []byte) error {
	if len(answer) != sha256.Size || len(v.MySQLSHA2) != sha256.Size {
		return ErrMismatch
	}
	h := sha256.New()
	h.Write(v.MySQLSHA2)
	h.Write(scramble)
	mask := h.Sum(nil)
	candidate := make([]byte, sha256.Size)
	for i := range candidate {
		candidate[i] = answer[i] ^ mask[i]
	}
	s1 := sha256.Sum256(candidate)
	if !hmac.Equal(s1[:], v.MySQLSHA2) {
		return ErrMismatch
	}
	return nil
}
