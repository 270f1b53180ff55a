package mysqlwire

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"testing"

	"github.com/go-mysql-org/go-mysql/mysql"

	"github.com/bulwarkdb/bulwark/credential"
	"github.com/bulwarkdb/bulwark/proxy/gate"
)

const testSecret = "the-identity-secret"

func testLogin(t *testing.T) *gate.Login {
	t.Helper()
	v, err := credential.Derive(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return &gate.Login{Identity: "claude", Kind: gate.Agent, Generation: 1, Verifier: v,
		Upstream: gate.Credentials{User: "route_user", Password: "route-pw"}}
}

func TestFrontDoorChecksTheClientsAnswerToTheServersScramble(t *testing.T) {
	scramble := []byte("0123456789abcdefghij")
	for _, tc := range []struct {
		name, plugin string
		answer       []byte
		want         error
		fastAuth     bool
	}{
		{"mysql_native_password", mysql.AUTH_NATIVE_PASSWORD, mysql.CalcNativePassword(scramble, []byte(testSecret)), nil, false},
		{"no plugin named: native", "", mysql.CalcNativePassword(scramble, []byte(testSecret)), nil, false},
		{"caching_sha2_password fast authentication", mysql.AUTH_CACHING_SHA2_PASSWORD, mysql.CalcCachingSha2Password(scramble, []byte(testSecret)), nil, true},
		{"a wrong secret", mysql.AUTH_NATIVE_PASSWORD, mysql.CalcNativePassword(scramble, []byte("wrong")), errLoginFailed, false},
		{"a native answer named caching_sha2", mysql.AUTH_CACHING_SHA2_PASSWORD, mysql.CalcNativePassword(scramble, []byte(testSecret)), errLoginFailed, false},
		{"no password", mysql.AUTH_NATIVE_PASSWORD, nil, errLoginFailed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ap := newAuthPair(t, false, false)
			ap.c.scramble = scramble
			done := make(chan struct{})
			go func() {
				defer close(done)
				if tc.fastAuth {
					expectPacket(t, ap.client, 2, []byte{mysql.MORE_DATE_HEADER, mysql.CACHE_SHA2_FAST_AUTH})
				}
			}()
			caps := uint32(mysql.CLIENT_PROTOCOL_41 | mysql.CLIENT_SECURE_CONNECTION | mysql.CLIENT_PLUGIN_AUTH)
			next, err := ap.c.authenticateClient(testLogin(t), 1, handshakeResponse{caps: caps, plugin: tc.plugin, auth: tc.answer})
			<-done
			if !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			wantNext := byte(2)
			if tc.fastAuth {
				wantNext = 3
			}
			if next != wantNext {
				t.Fatalf("next sequence id %d, want %d", next, wantNext)
			}
		})
	}
}

// TestFrontDoorSwitchesOtherPluginsToNative: a client that answered with a
// plugin bulwark cannot check (ed25519, or one that sends the password in
// clear) gets an AuthSwitchRequest to mysql_native_password with a fresh
// scramble of bulwark's own; a password in clear is never accepted.
func TestFrontDoorSwitchesOtherPluginsToNative(t *testing.T) {
	for _, tc := range []struct {
		name, plugin string
		first        []byte
		answer       func(scramble []byte) []byte
		want         error
	}{
		{"client_ed25519", mysql.AUTH_MARIADB_ED25519, make([]byte, 64),
			func(s []byte) []byte { return mysql.CalcNativePassword(s, []byte(testSecret)) }, nil},
		{"mysql_clear_password answered in clear again", mysql.AUTH_CLEAR_PASSWORD, []byte(testSecret + "\x00"),
			func([]byte) []byte { return []byte(testSecret + "\x00") }, errLoginFailed},
		{"sha256_password with the wrong secret", mysql.AUTH_SHA256_PASSWORD, []byte{1},
			func(s []byte) []byte { return mysql.CalcNativePassword(s, []byte("wrong")) }, errLoginFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ap := newAuthPair(t, true, false)
			done := make(chan struct{})
			go func() {
				defer close(done)
				seq, p := readPacket(t, ap.client)
				if seq != 3 || len(p) < 1 || p[0] != mysql.EOF_HEADER {
					t.Errorf("want an AuthSwitchRequest at 3, got %d %q", seq, p)
					return
				}
				plugin, scramble := authSwitch(p)
				if plugin != mysql.AUTH_NATIVE_PASSWORD || len(scramble) != 20 || bytes.Equal(scramble, ap.c.scramble) ||
					bytes.IndexByte(scramble, 0) >= 0 {
					t.Errorf("switch to %q with scramble %q", plugin, scramble)
				}
				writePacket(t, ap.client, 4, tc.answer(scramble))
			}()
			caps := uint32(mysql.CLIENT_PROTOCOL_41 | mysql.CLIENT_SECURE_CONNECTION | mysql.CLIENT_PLUGIN_AUTH)
			next, err := ap.c.authenticateClient(testLogin(t), 2, handshakeResponse{caps: caps, plugin: tc.plugin, auth: tc.first})
			<-done
			if !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if next != 5 {
				t.Fatalf("next sequence id %d, want 5", next)
			}
		})
	}
}

// fixedResponse is the start of bulwark's HandshakeResponse as
// upstreamResponse makes it.
func fixedResponse(c *conn) []byte {
	client := make([]byte, sslRequestLen)
	binary.LittleEndian.PutUint32(client[4:], 1<<24)
	client[8] = 45
	return c.upstreamResponse(gate.Credentials{User: "route_user"}, "app", client)
}

// TestFrontDoorLogsInUpstreamWithTheRoutesPassword follows the server
// through the plugins bulwark answers for a route's account.
func TestFrontDoorLogsInUpstreamWithTheRoutesPassword(t *testing.T) {
	// 32 bytes: MariaDB's ed25519 key of a password is then the
	// standard key of that password as a seed.
	const pw = "route-password-of-32-bytes-long!"
	greeting := []byte("0123456789abcdefghij")
	ok := []byte{mysql.OK_HEADER, 0, 0, 2, 0, 0, 0}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	edScramble := append(bytes.Repeat([]byte{7}, 31), 0) // a nonce ending in NUL

	for _, tc := range []struct {
		name         string
		serverPlugin string
		upstreamTLS  bool
		server       func(t *testing.T, ap *authPair, first []byte)
	}{
		{"mysql_native_password", mysql.AUTH_NATIVE_PASSWORD, false, func(t *testing.T, ap *authPair, first []byte) {
			if !bytes.Contains(first, mysql.CalcNativePassword(greeting, []byte(pw))) {
				t.Errorf("no native answer in %q", first)
			}
			writePacket(t, ap.server, 2, ok)
		}},
		{"caching_sha2_password full authentication in clear", mysql.AUTH_CACHING_SHA2_PASSWORD, false, func(t *testing.T, ap *authPair, first []byte) {
			if !bytes.Contains(first, mysql.CalcCachingSha2Password(greeting, []byte(pw))) {
				t.Errorf("no caching_sha2 answer in %q", first)
			}
			writePacket(t, ap.server, 2, []byte{mysql.MORE_DATE_HEADER, mysql.CACHE_SHA2_FULL_AUTH})
			expectPacket(t, ap.server, 3, []byte{2})
			writePacket(t, ap.server, 4, append([]byte{mysql.MORE_DATE_HEADER}, pubPEM...))
			_, enc := readPacket(t, ap.server)
			plain, err := rsa.DecryptOAEP(sha1.New(), nil, key, enc, nil)
			if err != nil || !bytes.Equal(mysql.Xor(plain, greeting), []byte(pw+"\x00")) {
				t.Errorf("the server cannot read the password: %v", err)
			}
			writePacket(t, ap.server, 6, ok)
		}},
		{"caching_sha2_password full authentication over TLS", mysql.AUTH_CACHING_SHA2_PASSWORD, true, func(t *testing.T, ap *authPair, first []byte) {
			writePacket(t, ap.server, 2, []byte{mysql.MORE_DATE_HEADER, mysql.CACHE_SHA2_FULL_AUTH})
			expectPacket(t, ap.server, 3, []byte(pw+"\x00"))
			writePacket(t, ap.server, 4, ok)
		}},
		{"caching_sha2_password fast authentication", mysql.AUTH_CACHING_SHA2_PASSWORD, false, func(t *testing.T, ap *authPair, first []byte) {
			writePacket(t, ap.server, 2, []byte{mysql.MORE_DATE_HEADER, mysql.CACHE_SHA2_FAST_AUTH})
			writePacket(t, ap.server, 3, ok)
		}},
		{"a switch to ed25519", mysql.AUTH_NATIVE_PASSWORD, false, func(t *testing.T, ap *authPair, first []byte) {
			sw := append([]byte{mysql.EOF_HEADER}, mysql.AUTH_MARIADB_ED25519+"\x00"...)
			writePacket(t, ap.server, 2, append(sw, edScramble...))
			_, sig := readPacket(t, ap.server)
			pub := ed25519.NewKeyFromSeed([]byte(pw)).Public().(ed25519.PublicKey)
			if !ed25519.Verify(pub, edScramble, sig) {
				t.Errorf("the ed25519 answer does not verify")
			}
			writePacket(t, ap.server, 4, ok)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ap := newAuthPair(t, false, tc.upstreamTLS)
			ap.c.scramble = greeting
			ap.c.serverCaps = mysql.CLIENT_PROTOCOL_41 | mysql.CLIENT_SECURE_CONNECTION | mysql.CLIENT_PLUGIN_AUTH |
				mysql.CLIENT_CONNECT_WITH_DB | mysql.CLIENT_CONNECT_ATTRS
			ap.c.caps = mysql.CLIENT_PROTOCOL_41 | mysql.CLIENT_CONNECT_ATTRS | mysql.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
			ap.c.info.Database = "app"
			done := make(chan struct{})
			go func() {
				defer close(done)
				seq, first := readPacket(t, ap.server)
				if seq != 1 {
					t.Errorf("HandshakeResponse at %d", seq)
				}
				caps := binary.LittleEndian.Uint32(first)
				if caps&mysql.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA != 0 || caps&mysql.CLIENT_CONNECT_WITH_DB == 0 ||
					!bytes.Contains(first, []byte("route_user\x00")) || !bytes.Contains(first, []byte("app\x00"+tc.serverPlugin+"\x00\x03\x01a\x00")) {
					t.Errorf("HandshakeResponse %q", first)
				}
				tc.server(t, ap, first)
			}()
			got, err := ap.c.loginUpstream(gate.Credentials{User: "route_user", Password: pw}, 1, fixedResponse(ap.c), tc.serverPlugin, []byte("\x03\x01a\x00"))
			<-done
			if err != nil || !bytes.Equal(got, ok) {
				t.Fatalf("loginUpstream: %q, %v", got, err)
			}
		})
	}
}

func TestFrontDoorReportsTheServersRefusal(t *testing.T) {
	ap := newAuthPair(t, false, false)
	ap.c.scramble = []byte("0123456789abcdefghij")
	ap.c.serverCaps = mysql.CLIENT_PROTOCOL_41 | mysql.CLIENT_SECURE_CONNECTION | mysql.CLIENT_PLUGIN_AUTH
	go func() {
		readPacket(t, ap.server)
		writePacket(t, ap.server, 2, errPayload(mysql.ER_ACCESS_DENIED_ERROR, "28000", "Access denied for user 'route_user'"))
	}()
	_, err := ap.c.loginUpstream(gate.Credentials{User: "route_user", Password: "route-pw"}, 1, fixedResponse(ap.c), mysql.AUTH_NATIVE_PASSWORD, nil)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("Access denied")) || bytes.Contains([]byte(err.Error()), []byte("route-pw")) {
		t.Fatalf("err = %v", err)
	}
}
