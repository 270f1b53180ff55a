// Package mysqlwire is bulwark's MySQL and MariaDB protocol engine. It
// accepts client connections, relays the handshake and authentication
// exchange to the upstream server (the upstream decides who gets in) or,
// for the identities bulwark authenticates itself, checks their secret and
// logs in upstream with their route's account (see frontDoor), learns the
// session's identity from the client's HandshakeResponse, and then, for
// agent sessions, hands every statement to a gate.Enforcer before it may
// reach the upstream. Human sessions are relayed packet by packet without
// judgement.
//
// The engine never sees a syntax tree or a rule: it sees SQL text going out
// and a gate.Verdict coming back, and turns refusals into ERR packets that
// keep the session usable.
//
// The protocol is strictly request/response: a client sends one command and
// reads its whole answer before it sends the next (the few that pipeline
// simply wait in the socket). So one goroutine owns each connection pair:
// it reads a command, judges it, forwards it, and relays the answer up to
// its last packet before it reads the next command. Answers therefore stay
// in order without an answer queue, a refusal's ERR is written exactly
// where the command's answer belongs, and the moments between two commands
// (when bulwark may speak to the upstream itself, see Exec) are simply the
// top of the loop.
package mysqlwire

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/bulwarkdb/bulwark/proxy/engine"
	"github.com/bulwarkdb/bulwark/proxy/gate"
)

// Config is what the engine needs; the composition root fills it from the
// validated configuration.
type Config struct {
	// UpstreamAddr is host:port of the MySQL or MariaDB server.
	UpstreamAddr   string
	ConnectTimeout time.Duration
	// HandshakeTimeout bounds the handshake plus authentication.
	HandshakeTimeout time.Duration
	// MaxMessageBytes bounds any command of an agent that bulwark must
	// read whole (COM_INIT_DB, COM_CHANGE_USER); statements are bounded by
	// MaxStatementBytes, and commands bulwark only forwards
	// (COM_STMT_EXECUTE, COM_STMT_SEND_LONG_DATA, LOCAL INFILE data) are
	// streamed and not limited.
	MaxMessageBytes int
	// MaxStatementBytes: an agent's SQL text above this is refused
	// without being read into memory whole.
	MaxStatementBytes int
	Enforcer          gate.Enforcer
	// Gatekeeper, when set, names the identities bulwark authenticates
	// itself (see frontDoor); other logins are relayed to the upstream.
	Gatekeeper gate.Gatekeeper
	// AgentsOnly marks every session of this listener an agent.
	AgentsOnly bool
	Logger     *slog.Logger

	// ClientTLS, when set, is offered to clients (CLIENT_SSL in the
	// greeting); RequireClientTLS refuses clients that do not take it.
	// SetClientTLS changes both later.
	ClientTLS        *tls.Config
	RequireClientTLS bool
	// UpstreamTLS, when set, is how bulwark speaks TLS to the server
	// (built by the composition root for the configured mode, which
	// UpstreamTLSMode names in messages).
	UpstreamTLS     *tls.Config
	UpstreamTLSMode string
}

// Server accepts MySQL clients.
type Server struct {
	cfg Config
	log *slog.Logger

	sessions engine.Sessions

	clientTLS   atomic.Pointer[clientTLS]
	upstreamTLS atomic.Pointer[upstreamTLS]
	// rsa is bulwark's own RSA key for caching_sha2_password full
	// authentication of a client in clear when the upstream leg is TLS
	// (see relayAuth), made on first use.
	rsa rsaKey
}

// NewServer returns a server; call Serve to accept connections.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	s.SetClientTLS(cfg.ClientTLS, cfg.RequireClientTLS)
	s.SetUpstreamTLS(cfg.UpstreamTLS, cfg.UpstreamTLSMode)
	return s
}

// upstreamTLS is how sessions reach the server: conf nil means in clear;
// mode names the configured mode in messages.
type upstreamTLS struct {
	conf *tls.Config
	mode string
}

// upstreamLeg returns the session's upstream TLS, fixed at its first use.
func (c *conn) upstreamLeg() *upstreamTLS {
	if c.upTLS == nil {
		if c.upTLS = c.srv.upstreamTLS.Load(); c.upTLS == nil {
			c.upTLS = &upstreamTLS{} // in clear
		}
	}
	return c.upTLS
}

// SetUpstreamTLS replaces the upstream leg's TLS configuration for
// sessions that start from now on; open sessions keep theirs.
func (s *Server) SetUpstreamTLS(conf *tls.Config, mode string) {
	s.upstreamTLS.Store(&upstreamTLS{conf: conf, mode: mode})
}

// SetClientTLS replaces the client leg's TLS configuration (nil: TLS not
// offered) for sessions that start from now on; open sessions keep theirs.
func (s *Server) SetClientTLS(conf *tls.Config, require bool) {
	s.clientTLS.Store(&clientTLS{conf: conf, require: require})
}

// Serve accepts connections on ln until ctx ends or ln fails (see
// engine.Serve).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return engine.Serve(ctx, ln, &s.sessions, s.serveConn)
}
