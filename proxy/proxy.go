// Package proxy is bulwark's composition root: it turns a validated
// configuration into listeners, protocol engines, the verdict cache, the
// policy and the audit store, and wires them together through the Enforcer.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/proxy/pgwire"
	"github.com/bulwarkdb/bulwark/rules"
	"github.com/bulwarkdb/bulwark/sqlparse"
	"github.com/bulwarkdb/bulwark/sqlparse/postgres"
)

// Server is a running bulwark: its listeners and everything behind them.
type Server struct {
	cfg      config.Config
	log      *slog.Logger
	enforcer *Enforcer
	store    audit.Store
	pgLn     net.Listener
	pg       *pgwire.Server
}

// New opens the audit store and the listeners. Serve then accepts clients.
func New(cfg config.Config, log *slog.Logger) (*Server, error) {
	store, err := audit.OpenSQLite(cfg.Audit.Path)
	if err != nil {
		return nil, err
	}
	enf := NewEnforcer(cfg, store, log)
	ln, err := net.Listen("tcp", cfg.Listen.Postgres)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("listen.postgres: %w", err)
	}
	pg := pgwire.NewServer(pgwire.Config{
		UpstreamAddr:      cfg.Upstream.Postgres.Address,
		ConnectTimeout:    config.Duration(cfg.Upstream.Postgres.ConnectTimeout),
		HandshakeTimeout:  config.Duration(cfg.Limits.HandshakeTimeout),
		MaxMessageBytes:   int(cfg.Limits.MaxMessageBytes),
		MaxStatementBytes: int(cfg.Limits.MaxStatementBytes),
		MaxRequestBytes:   int(cfg.Limits.MaxRequestBytes),
		Enforcer:          enf,
		Logger:            log.With("listener", "postgres"),
	})
	return &Server{cfg: cfg, log: log, enforcer: enf, store: store, pgLn: ln, pg: pg}, nil
}

// NewEnforcer builds the enforcer for a configuration and an audit store.
// `bulwark check` uses it without any listener.
func NewEnforcer(cfg config.Config, store audit.Store, log *slog.Logger) *Enforcer {
	return &Enforcer{
		Identities: Identities(cfg),
		Policy:     Policy(cfg),
		Analyzers: map[string]*sqlparse.Cache{
			"postgres": sqlparse.NewCache(postgres.New(), cfg.Cache.Entries),
		},
		Audit:             store,
		Log:               log,
		MaxStatementBytes: int(cfg.Limits.MaxStatementBytes),
		LogStatements:     cfg.Log.Statements,
	}
}

// Identities maps the identity section of the configuration to policy.
func Identities(cfg config.Config) rules.Identities {
	return rules.Identities{
		Default:               rules.Kind(cfg.Identity.Default),
		AgentUsers:            cfg.Identity.Agents.Users,
		AgentApplicationNames: cfg.Identity.Agents.ApplicationNames,
		HumanUsers:            cfg.Identity.Humans.Users,
	}
}

// Policy maps the policy section of the configuration to rules.
func Policy(cfg config.Config) rules.Policy {
	return rules.Policy{Actions: map[sqlparse.Category]rules.Action{
		sqlparse.CategoryDrop:         rules.Action(cfg.Policy.Drop),
		sqlparse.CategoryTruncate:     rules.Action(cfg.Policy.Truncate),
		sqlparse.CategoryDelete:       rules.Action(cfg.Policy.Delete),
		sqlparse.CategoryUpdate:       rules.Action(cfg.Policy.Update),
		sqlparse.CategoryUnanalysable: rules.Action(cfg.Policy.Unanalysable),
	}}
}

// PostgresAddr is the address the PostgreSQL listener is bound to.
func (s *Server) PostgresAddr() string { return s.pgLn.Addr().String() }

// Serve runs until ctx ends, then closes every session and the audit store.
func (s *Server) Serve(ctx context.Context) error {
	s.log.Info("bulwark listening", "postgres", s.PostgresAddr(), "upstream", s.cfg.Upstream.Postgres.Address)
	var wg sync.WaitGroup
	var serveErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		serveErr = s.pg.Serve(ctx, s.pgLn)
	}()
	wg.Wait()
	return errors.Join(serveErr, s.store.Close())
}
