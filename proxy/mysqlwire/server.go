// Package mysqlwire is bulwark's MySQL and MariaDB protocol engine. It
// accepts client connections, relays the handshake and authentication
// exchange to the upstream server (the upstream decides who gets in; bulwark
// stores no passwords), learns the session's identity from the client's
// HandshakeResponse, and then, for agent sessions, hands every statement to
// a gate.Enforcer before it may reach the upstream. Human sessions are
// relayed packet by packet without judgement.
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
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

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
	Logger            *slog.Logger
}

// Server accepts MySQL clients.
type Server struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex
	sessions map[*conn]struct{}
	closed   bool
}

// NewServer returns a server; call Serve to accept connections.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Server{cfg: cfg, log: cfg.Logger, sessions: map[*conn]struct{}{}}
}

// Serve accepts connections on ln until ctx ends or ln fails. Each
// connection is served on its own goroutine; one failing session never
// affects another. When ctx ends, open sessions are closed.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		s.closeAll()
	})
	defer stop()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		go s.serveConn(ctx, c)
	}
}

func (s *Server) closeAll() {
	s.mu.Lock()
	s.closed = true
	for c := range s.sessions {
		c.close()
	}
	s.mu.Unlock()
}

func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.sessions[c] = struct{}{}
	return true
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	delete(s.sessions, c)
	s.mu.Unlock()
}

// newSessionID returns a short random identifier for logs and the audit
// trail.
func newSessionID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
