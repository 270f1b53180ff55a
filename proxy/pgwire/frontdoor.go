package pgwire

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/xdg-go/scram"

	"github.com/bulwarkdb/bulwark/proxy/gate"
)

// Authentication request codes (AuthenticationXXX messages).
const (
	authOK           = 0
	authCleartext    = 3
	authMD5          = 5
	authSASL         = 10
	authSASLContinue = 11
	authSASLFinal    = 12
)

// errLoginFailed: the client did not prove the identity's secret.
var errLoginFailed = errors.New("password authentication failed")

// frontDoor serves a login of an identity bulwark authenticates itself: it
// checks the client's secret with SCRAM-SHA-256, then logs in to the
// upstream with the identity's route account (which the client never sees)
// and hands the client the session's parameters and a proxy cancel key.
func (c *conn) frontDoor(ctx context.Context, login *gate.Login, deadline time.Time) error {
	gk := c.srv.cfg.Gatekeeper
	if login.ProvenByCertificate(&c.info) {
		// The client's verified certificate is the one bound to the
		// identity: it is the proof, no secret is asked for.
	} else if err := c.authenticateClient(login); err != nil {
		if errors.Is(err, errLoginFailed) {
			gk.Failed(&c.info, "wrong secret")
			c.fatal("28P01", fmt.Sprintf("password authentication failed for user %q", c.info.User), "")
		}
		return err
	}
	gk.Succeeded(&c.info)
	c.info.Identity, c.info.Generation, c.info.IdentityKind = login.Identity, login.Generation, login.Kind
	c.identity.Store(&identityRef{name: login.Identity, generation: login.Generation})
	c.info.Kind = c.srv.cfg.Enforcer.Classify(&c.info)
	if login.Upstream.Database != "" {
		c.info.Database = login.Upstream.Database
	}
	if err := c.connectUpstreamAs(ctx, login, deadline); err != nil {
		return err
	}
	if err := c.loginUpstream(login.Upstream); err != nil {
		c.srv.log.Warn("upstream login of a route failed", "session", c.info.ID, "identity", login.Identity,
			"upstream_user", login.Upstream.User, "err", err)
		c.fatal("08006", "bulwark could not log in to the database server for this identity; ask the administrator (bulwark's log has the details)", "")
		return err
	}
	if err := c.toClient('R', []byte{0, 0, 0, authOK}); err != nil {
		return err
	}
	return c.relayUntilReady(ctx)
}

// authenticateClient runs the server side of SCRAM-SHA-256 with the client
// against the identity's stored verifier. Channel binding is not offered:
// the client's TLS channel ends at bulwark.
func (c *conn) authenticateClient(login *gate.Login) error {
	server, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) {
		return login.Verifier.SCRAM(), nil
	})
	if err != nil {
		return err
	}
	conv := server.NewConversation()
	offer := binary.BigEndian.AppendUint32(nil, authSASL)
	offer = append(offer, "SCRAM-SHA-256\x00\x00"...)
	if err := c.toClient('R', offer); err != nil {
		return err
	}
	body, err := c.readAuthResponse()
	if err != nil {
		return err
	}
	mech, rest, ok := cstring(body)
	if !ok || mech != "SCRAM-SHA-256" || len(rest) < 4 {
		return errLoginFailed
	}
	n := int(int32(binary.BigEndian.Uint32(rest)))
	if n < 0 || n > len(rest)-4 {
		return errLoginFailed
	}
	first, err := conv.Step(string(rest[4 : 4+n]))
	if err != nil {
		return errLoginFailed
	}
	if err := c.toClient('R', append(binary.BigEndian.AppendUint32(nil, authSASLContinue), first...)); err != nil {
		return err
	}
	if body, err = c.readAuthResponse(); err != nil {
		return err
	}
	final, err := conv.Step(string(body))
	if err != nil || !conv.Valid() {
		return errLoginFailed
	}
	return c.toClient('R', append(binary.BigEndian.AppendUint32(nil, authSASLFinal), final...))
}

// readAuthResponse reads one SASLInitialResponse / SASLResponse /
// PasswordMessage body from the client.
func (c *conn) readAuthResponse() ([]byte, error) {
	h, err := readHeader(c.clientR, maxStartupPacket)
	if err != nil {
		return nil, err
	}
	if h.typ != 'p' {
		return nil, fmt.Errorf("expected an authentication response, got message %q", h.typ)
	}
	return readBody(c.clientR, h, nil)
}

// connectUpstreamAs opens the upstream connection and sends a
// StartupMessage for the route's account, carrying the client's other
// parameters (application_name, options, ...).
func (c *conn) connectUpstreamAs(ctx context.Context, login *gate.Login, deadline time.Time) error {
	params := maps.Clone(c.params)
	params["user"] = login.Upstream.User
	params["database"] = c.info.Database
	msg, err := (&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: params}).Encode(nil)
	if err != nil {
		return err
	}
	c.startup = msg
	if err := c.connectUpstream(ctx, deadline); err != nil {
		c.upstreamFailed(err)
		return err
	}
	return nil
}

// loginUpstream answers the upstream's authentication requests with the
// route's password, up to AuthenticationOk. The password goes nowhere else.
func (c *conn) loginUpstream(cred gate.Credentials) error {
	var conv *scram.ClientConversation
	for rounds := 0; rounds < maxAuthRounds; rounds++ {
		h, err := readHeader(c.serverR, 0)
		if err != nil {
			return err
		}
		body, err := readBody(c.serverR, h, nil)
		if err != nil {
			return err
		}
		switch h.typ {
		case 'E':
			var e pgproto3.ErrorResponse
			if e.Decode(body) == nil {
				return fmt.Errorf("upstream refused the login: %s (SQLSTATE %s)", e.Message, e.Code)
			}
			return errors.New("upstream refused the login")
		case 'N', 'v': // notices, NegotiateProtocolVersion
			continue
		case 'R':
		default:
			return fmt.Errorf("unexpected message %q during the upstream login", h.typ)
		}
		if len(body) < 4 {
			return errors.New("malformed authentication request")
		}
		var reply []byte
		switch code := binary.BigEndian.Uint32(body); code {
		case authOK:
			return nil
		case authCleartext:
			reply = append([]byte(cred.Password), 0)
		case authMD5:
			if len(body) < 8 {
				return errors.New("malformed md5 request")
			}
			inner := md5.Sum([]byte(cred.Password + cred.User))
			outer := md5.Sum(append([]byte(hex.EncodeToString(inner[:])), body[4:8]...))
			reply = append([]byte("md5"+hex.EncodeToString(outer[:])), 0)
		case authSASL:
			client, err := scram.SHA256.NewClient(cred.User, cred.Password, "")
			if err != nil {
				return err
			}
			conv = client.NewConversation()
			first, err := conv.Step("")
			if err != nil {
				return err
			}
			reply = append([]byte("SCRAM-SHA-256\x00"), binary.BigEndian.AppendUint32(nil, uint32(len(first)))...)
			reply = append(reply, first...)
		case authSASLContinue, authSASLFinal:
			if conv == nil {
				return errors.New("SASL message out of order")
			}
			next, err := conv.Step(string(body[4:]))
			if err != nil {
				return fmt.Errorf("SCRAM with the upstream: %w", err)
			}
			if code == authSASLFinal {
				continue // AuthenticationOk follows
			}
			reply = []byte(next)
		default:
			return fmt.Errorf("the upstream asks for authentication method %d, which bulwark cannot answer with a password", code)
		}
		if _, err := c.server.Write(appendMessage(nil, 'p', reply)); err != nil {
			return err
		}
	}
	return errors.New("too many authentication rounds")
}
