// Package pgwire is bulwark's PostgreSQL protocol engine. It accepts client
// connections, relays the startup and authentication exchange to the
// upstream server (the upstream decides who gets in), learns the session's
// identity from the startup message, and then, for agent sessions, hands
// every statement to a gate.Enforcer before it may reach the upstream. Human
// sessions are relayed byte for byte.
//
// The engine never sees a syntax tree or a rule: it sees SQL text going out
// and a gate.Verdict coming back, and turns refusals into protocol answers
// that keep the session usable.
package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bulwarkdb/bulwark/proxy/engine"
	"github.com/bulwarkdb/bulwark/proxy/gate"
)

// Config is what the engine needs; the composition root fills it from the
// validated configuration.
type Config struct {
	// UpstreamAddr is host:port of the PostgreSQL server.
	UpstreamAddr   string
	ConnectTimeout time.Duration
	// HandshakeTimeout bounds startup plus authentication.
	HandshakeTimeout time.Duration
	// MaxMessageBytes bounds any single message from a client (COPY data
	// excepted: it is streamed).
	MaxMessageBytes int
	// MaxStatementBytes: an agent's SQL text above this is refused
	// without being read into memory whole.
	MaxStatementBytes int
	// MaxRequestBytes bounds an agent's buffered extended-protocol request.
	MaxRequestBytes int
	// ClientTLS is the TLS offered to clients (nil: none); see
	// SetClientTLS.
	ClientTLS *ClientTLS
	// UpstreamTLS, when set, secures every connection to the upstream;
	// see SetUpstreamTLS.
	UpstreamTLS *tls.Config
	Enforcer    gate.Enforcer
	// Gatekeeper, when set, names the identities bulwark authenticates
	// itself (see frontDoor); other logins are relayed to the upstream.
	Gatekeeper gate.Gatekeeper
	// AgentsOnly marks every session of this listener an agent.
	AgentsOnly bool
	Logger     *slog.Logger
}

// Server accepts PostgreSQL clients.
type Server struct {
	cfg Config
	log *slog.Logger

	sessions engine.Sessions

	// The TLS configurations in force for new connections; a reload
	// swaps them without touching running sessions.
	clientTLS   atomic.Pointer[ClientTLS]
	upstreamTLS atomic.Pointer[tls.Config]

	mu      sync.Mutex
	cancels map[cancelKey]cancelTarget // proxy key handed to a client → upstream backend
}

// cancelKey is the BackendKeyData bulwark gives a client in place of the
// upstream's, so that a CancelRequest can only reach the backend of a session
// that went through bulwark, and so that one proxy can front several
// upstreams.
type cancelKey struct {
	pid    uint32
	secret string
}

type cancelTarget struct {
	addr   string
	pid    uint32
	secret []byte
}

// NewServer returns a server; call Serve to accept connections.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		cancels: map[cancelKey]cancelTarget{},
	}
	s.SetClientTLS(cfg.ClientTLS)
	s.SetUpstreamTLS(cfg.UpstreamTLS)
	return s
}

// Serve accepts connections on ln until ctx ends or ln fails (see
// engine.Serve).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return engine.Serve(ctx, ln, &s.sessions, s.serveConn)
}

// forgetCancel drops an ended session's cancel key.
func (s *Server) forgetCancel(k cancelKey) {
	if k == (cancelKey{}) {
		return
	}
	s.mu.Lock()
	delete(s.cancels, k)
	s.mu.Unlock()
}

// registerCancel stores the upstream's key for a session and returns the key
// to give the client instead.
func (s *Server) registerCancel(t cancelTarget) cancelKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		var b [8]byte
		_, _ = rand.Read(b[:])
		k := cancelKey{pid: binary.BigEndian.Uint32(b[:4]) &^ (1 << 31), secret: string(b[4:])}
		if _, taken := s.cancels[k]; !taken && k.pid != 0 {
			s.cancels[k] = t
			return k
		}
	}
}

func (s *Server) lookupCancel(k cancelKey) (cancelTarget, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.cancels[k]
	return t, ok
}

// CloseSessions ends the sessions for which match is true (revoked or
// rotated identities) and returns how many.
func (s *Server) CloseSessions(match func(identity string, generation int64) bool) int {
	return s.sessions.CloseMatching(func(c engine.Closer) bool {
		id := c.(*conn).identity.Load()
		return id != nil && match(id.name, id.generation)
	})
}
