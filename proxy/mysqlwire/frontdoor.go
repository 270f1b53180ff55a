package mysqlwire

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/go-mysql-org/go-mysql/mysql"

	"github.com/bulwarkdb/bulwark/proxy/engine"
	"github.com/bulwarkdb/bulwark/proxy/gate"
)

// The front door: logins of the identities bulwark authenticates itself
// (gate.Gatekeeper.Lookup names them). bulwark checks the client's answer to
// the scramble against the identity's stored verifier, then logs in to the
// server with the account of the identity's route, which the client never
// learns, and hands the client the server's OK as the answer to its own
// login.
//
// The greeting the client saw is the server's, so the client answered the
// server's scramble; bulwark knows that scramble and checks the answer
// against it (mysql_native_password, or caching_sha2_password's fast
// authentication). A client that answered with another plugin is switched
// to mysql_native_password with a scramble of bulwark's own: bulwark never
// accepts a password sent in clear, whatever the legs' TLS.

// errLoginFailed: the client did not prove the identity's secret (the
// gatekeeper has logged and recorded it, and the client has its ERR).
var errLoginFailed = errors.New("wrong secret")

// frontDoor serves the login of an identity bulwark authenticates itself,
// once the client's HandshakeResponse (resp, parsed as hr; its sequence id
// seq) has been read. serverPlugin is the authentication plugin the
// server's greeting named.
func (c *conn) frontDoor(login *gate.Login, seq byte, resp []byte, hr handshakeResponse, serverPlugin string) error {
	gk := c.srv.cfg.Gatekeeper
	next, err := c.authenticateClient(login, seq, hr)
	if err != nil {
		if errors.Is(err, errLoginFailed) {
			gk.Failed(&c.info, "wrong secret")
			c.fatal(next, mysql.ER_ACCESS_DENIED_ERROR, "28000", fmt.Sprintf("Access denied for user '%s'", c.info.User))
		}
		return err
	}
	gk.Succeeded(&c.info)
	c.info.Identity, c.info.Generation, c.info.IdentityKind = login.Identity, login.Generation, login.Kind
	c.identity.Store(&identityRef{name: login.Identity, generation: login.Generation})
	c.info.Kind = c.srv.cfg.Enforcer.Classify(&c.info)
	database := hr.database
	if login.Upstream.Database != "" {
		database = login.Upstream.Database
	}
	c.info.Database = database

	p := c.upstreamResponse(login.Upstream, database, resp)
	upSeq := byte(1)
	if conf := c.upstreamLeg().conf; conf != nil {
		if err := c.startUpstreamTLS(conf, upSeq, p); err != nil {
			c.fatal(next, mysql.ER_UNKNOWN_ERROR, "HY000", fmt.Sprintf(
				"bulwark could not set up TLS with the database server (upstream.mysql.tls.mode %s): %v",
				c.upstreamLeg().mode, err))
			return fmt.Errorf("upstream TLS: %w", err)
		}
		upSeq++
	}
	ok, err := c.loginUpstream(login.Upstream, upSeq, p, serverPlugin, hr.rawAttributes)
	clear(p)
	if err != nil {
		c.log.Warn("upstream login of a route failed", "identity", login.Identity,
			"upstream_user", login.Upstream.User, "err", err)
		c.fatal(next, mysql.ER_ACCESS_DENIED_ERROR, "28000",
			"bulwark could not log in to the database server for this identity; ask the administrator (bulwark's log has the details)")
		return fmt.Errorf("%w: %v", errAuthRefused, err)
	}
	// The server's OK carries the session's status flags (and, with
	// CLIENT_SESSION_TRACK, its state changes): it reads to the client as
	// the answer to its own login.
	return c.loggedIn(next, ok, database)
}

// authenticateClient checks that the client knows the identity's secret,
// from its HandshakeResponse (sequence id seq) and, when its plugin is not
// one bulwark can check, through an AuthSwitchRequest to
// mysql_native_password. It returns the sequence id of bulwark's next
// packet to the client (its OK or ERR).
func (c *conn) authenticateClient(login *gate.Login, seq byte, hr handshakeResponse) (next byte, err error) {
	if login.ProvenByCertificate(&c.info) {
		// The client's verified certificate is the one bound to the
		// identity: it is the proof; what the client answered is not
		// looked at.
		return seq + 1, nil
	}
	scramble, answer := c.scramble, hr.auth
	plugin := hr.plugin
	if plugin == "" && hr.caps&mysql.CLIENT_SECURE_CONNECTION != 0 {
		plugin = mysql.AUTH_NATIVE_PASSWORD // 4.1 authentication without CLIENT_PLUGIN_AUTH
	}
	switch plugin {
	case mysql.AUTH_NATIVE_PASSWORD, mysql.AUTH_CACHING_SHA2_PASSWORD:
	default:
		// ed25519, the plugins that send the password in clear, and
		// anything else: ask for mysql_native_password instead, with a
		// scramble of bulwark's own. What the client sent is ignored.
		if hr.caps&mysql.CLIENT_PLUGIN_AUTH == 0 {
			return seq + 1, errLoginFailed // no way to switch: pre-4.1 authentication
		}
		if scramble, err = newScramble(); err != nil {
			return seq + 1, err
		}
		req := append([]byte{mysql.EOF_HEADER}, mysql.AUTH_NATIVE_PASSWORD...)
		req = append(req, 0)
		req = append(req, scramble...)
		req = append(req, 0)
		if err := c.toClient(seq+1, req); err != nil {
			return seq + 1, err
		}
		h, p, err := c.readAuthPacket()
		if err != nil {
			return h.seq + 1, err
		}
		c.log.Debug("identity login switched to mysql_native_password", "identity", login.Identity, "client_plugin", plugin)
		seq, answer, plugin = h.seq, p, mysql.AUTH_NATIVE_PASSWORD
	}
	if len(scramble) < scrambleLen {
		return seq + 1, fmt.Errorf("%w: a %d-byte scramble", errMalformed, len(scramble))
	}
	if plugin == mysql.AUTH_NATIVE_PASSWORD {
		if login.Verifier.CheckMySQLNative(scramble[:scrambleLen], answer) != nil {
			return seq + 1, errLoginFailed
		}
		return seq + 1, nil
	}
	if login.Verifier.CheckMySQLSHA2(scramble[:scrambleLen], answer) != nil {
		return seq + 1, errLoginFailed
	}
	// caching_sha2_password's fast authentication succeeded; OK follows,
	// as from the server.
	if err := c.toClient(seq+1, []byte{mysql.MORE_DATE_HEADER, mysql.CACHE_SHA2_FAST_AUTH}); err != nil {
		return seq + 2, err
	}
	return seq + 2, nil
}

// scrambleLen is the length of the scramble mysql_native_password and
// caching_sha2_password answer.
const scrambleLen = 20

// ed25519NonceLen is the length of the nonce MariaDB's ed25519 signs.
const ed25519NonceLen = 32

// newScramble returns a fresh scramble as servers make them: random 7-bit
// characters without NUL or '$'.
func newScramble() ([]byte, error) {
	b := make([]byte, scrambleLen)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	for i := range b {
		b[i] &= 0x7f
		if b[i] == 0 || b[i] == '$' {
			b[i]++
		}
	}
	return b, nil
}

// upstreamResponse composes bulwark's HandshakeResponse41 for the route's
// account: the client's capabilities as the relay passes them on (masked,
// CLIENT_SSL when the upstream leg has TLS), its maximum packet size,
// character set, and the route's user. The rest (authentication data,
// database, plugin, attributes) is loginUpstream's.
// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html)
func (c *conn) upstreamResponse(cred gate.Credentials, database string, clientResp []byte) []byte {
	caps := c.caps &^ (mysql.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | mysql.CLIENT_CONNECT_WITH_DB | mysql.CLIENT_SSL)
	caps |= (mysql.CLIENT_PROTOCOL_41 | mysql.CLIENT_SECURE_CONNECTION | mysql.CLIENT_PLUGIN_AUTH) & c.serverCaps
	if database != "" {
		caps |= mysql.CLIENT_CONNECT_WITH_DB
	}
	if c.upstreamLeg().conf != nil {
		caps |= mysql.CLIENT_SSL
	}
	p := make([]byte, sslRequestLen, 128)
	binary.LittleEndian.PutUint32(p, caps)
	copy(p[4:9], clientResp[4:9]) // max packet size, character set; the rest is filler (no MariaDB extended capabilities)
	p = append(p, cred.User...)
	p = append(p, 0)
	return p
}

// loginUpstream finishes bulwark's HandshakeResponse p (the fixed part and
// the user name) with the answer to the greeting's scramble, the session's
// database and the client's connection attributes (attrs), sends it at
// sequence id seq, and answers the server's authentication requests with
// the route's password up to the server's OK, which it returns. It follows
// auth switches, and answers mysql_native_password, caching_sha2_password
// (fast and full authentication: the password in clear over TLS, else
// encrypted with the server's RSA key) and MariaDB's ed25519. The password
// goes nowhere else.
func (c *conn) loginUpstream(cred gate.Credentials, seq byte, p []byte, plugin string, attrs []byte) ([]byte, error) {
	scramble := c.scramble
	switch plugin {
	case mysql.AUTH_NATIVE_PASSWORD, mysql.AUTH_CACHING_SHA2_PASSWORD, mysql.AUTH_MARIADB_ED25519:
	default:
		// A server whose default plugin bulwark cannot answer switches
		// to the account's own plugin when the one answered is wrong.
		plugin = mysql.AUTH_NATIVE_PASSWORD
	}
	auth, err := authAnswer(plugin, scramble, cred.Password)
	if err != nil {
		return nil, err
	}
	caps := binary.LittleEndian.Uint32(p)
	p = append(p, byte(len(auth)))
	p = append(p, auth...)
	clear(auth)
	if caps&mysql.CLIENT_CONNECT_WITH_DB != 0 {
		p = append(p, c.info.Database...)
		p = append(p, 0)
	}
	if caps&mysql.CLIENT_PLUGIN_AUTH != 0 {
		p = append(p, plugin...)
		p = append(p, 0)
	}
	if caps&mysql.CLIENT_CONNECT_ATTRS != 0 {
		if len(attrs) > 0 {
			p = append(p, attrs...)
		} else {
			p = append(p, 0) // none
		}
	}
	err = c.toServer(seq, p)
	clear(p)
	if err != nil {
		return nil, err
	}
	for rounds := 0; rounds < maxAuthRounds; rounds++ {
		h, err := readHeader(c.serverR)
		if err != nil {
			return nil, err
		}
		if h.continued() {
			return nil, fmt.Errorf("%w: oversized authentication packet", errMalformed)
		}
		pkt, err := readPayload(c.serverR, h, nil)
		if err != nil {
			return nil, err
		}
		if len(pkt) == 0 {
			return nil, fmt.Errorf("%w: empty authentication packet", errMalformed)
		}
		var reply []byte
		switch pkt[0] {
		case mysql.OK_HEADER:
			return pkt, nil
		case mysql.ERR_HEADER:
			return nil, fmt.Errorf("the server refused the login: %v", parseErr(pkt))
		case mysql.EOF_HEADER: // AuthSwitchRequest
			if len(pkt) == 1 {
				return nil, errors.New("the server asks for the pre-4.1 authentication (mysql_old_password), which bulwark does not speak")
			}
			// The plugin's data as sent: authSwitch drops a trailing
			// NUL, which may be the last byte of an ed25519 nonce.
			var ok bool
			if plugin, scramble, ok = cstring(pkt[1:]); !ok {
				return nil, fmt.Errorf("%w: malformed AuthSwitchRequest", errMalformed)
			}
			if reply, err = authAnswer(plugin, scramble, cred.Password); err != nil {
				return nil, err
			}
		case mysql.MORE_DATE_HEADER:
			switch {
			case plugin != mysql.AUTH_CACHING_SHA2_PASSWORD || len(pkt) != 2:
				return nil, fmt.Errorf("%w: unexpected authentication data for %s", errMalformed, plugin)
			case pkt[1] == mysql.CACHE_SHA2_FAST_AUTH:
				continue // OK follows
			case pkt[1] != mysql.CACHE_SHA2_FULL_AUTH:
				return nil, fmt.Errorf("%w: unexpected caching_sha2_password state %d", errMalformed, pkt[1])
			case c.upstreamTLS:
				reply = append([]byte(cred.Password), 0)
			default:
				// In clear: the password goes encrypted with the
				// server's RSA public key, asked for first.
				if err := c.toServer(h.seq+1, []byte{2}); err != nil { // request_public_key
					return nil, err
				}
				if h, err = readHeader(c.serverR); err != nil {
					return nil, err
				}
				if h.continued() {
					return nil, fmt.Errorf("%w: oversized public key", errMalformed)
				}
				if pkt, err = readPayload(c.serverR, h, nil); err != nil {
					return nil, err
				}
				if len(pkt) > 0 && pkt[0] == mysql.ERR_HEADER {
					return nil, fmt.Errorf("the server refused the login: %v", parseErr(pkt))
				}
				pub, err := parsePublicKey(pkt)
				if err != nil {
					return nil, fmt.Errorf("the server's public key: %w", err)
				}
				if reply, err = mysql.EncryptPassword(cred.Password, scramble, pub); err != nil {
					return nil, fmt.Errorf("caching_sha2_password: %w", err)
				}
			}
		default:
			return nil, fmt.Errorf("%w: unexpected authentication packet 0x%02x", errMalformed, pkt[0])
		}
		err = c.toServer(h.seq+1, reply)
		clear(reply)
		if err != nil {
			return nil, err
		}
	}
	return nil, errors.New("too many authentication rounds")
}

// authAnswer is the answer of plugin to scramble for password.
func authAnswer(plugin string, scramble []byte, password string) ([]byte, error) {
	switch plugin {
	case mysql.AUTH_NATIVE_PASSWORD, mysql.AUTH_CACHING_SHA2_PASSWORD:
		if len(scramble) < scrambleLen {
			return nil, fmt.Errorf("%w: a %d-byte scramble for %s", errMalformed, len(scramble), plugin)
		}
		if plugin == mysql.AUTH_NATIVE_PASSWORD {
			return mysql.CalcNativePassword(scramble[:scrambleLen], []byte(password)), nil
		}
		return mysql.CalcCachingSha2Password(scramble[:scrambleLen], []byte(password)), nil
	case mysql.AUTH_MARIADB_ED25519:
		if len(scramble) < ed25519NonceLen {
			return nil, fmt.Errorf("%w: a %d-byte ed25519 nonce", errMalformed, len(scramble))
		}
		return mysql.CalcEd25519Password(scramble[:ed25519NonceLen], password)
	}
	return nil, fmt.Errorf("the server asks for authentication plugin %q, which bulwark cannot answer for a route's account (use mysql_native_password, caching_sha2_password or ed25519)", plugin)
}

// CloseSessions ends the sessions for which match is true (revoked or
// rotated identities) and returns how many.
func (s *Server) CloseSessions(match func(identity string, generation int64) bool) int {
	return s.sessions.CloseMatching(func(cl engine.Closer) bool {
		id := cl.(*conn).identity.Load()
		return id != nil && match(id.name, id.generation)
	})
}
