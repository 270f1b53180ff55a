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
	"net/netip"
	"sync"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/rules"
	"github.com/bulwarkdb/bulwark/snapshot"
	"github.com/bulwarkdb/bulwark/sqlparse"
)

// Server is a running bulwark: its listeners and everything behind them.
type Server struct {
	cfg        config.Config
	log        *slog.Logger
	enforcer   *Enforcer
	store      *audit.SQLite
	gatekeeper *Gatekeeper
	listeners  []*listener
	frontends  []frontend // one per protocol served
}

// listener is one protocol's listening socket and the engine serving it.
type listener struct {
	protocol string
	ln       net.Listener
	serve    func(context.Context, net.Listener) error
}

// New opens the audit store and the listeners of the configured upstreams
// (each protocol's main listener, and its agents-only one when set). Serve
// then accepts clients.
func New(cfg config.Config, log *slog.Logger) (*Server, error) {
	if err := checkDialects(cfg); err != nil {
		return nil, err
	}
	accounts, err := config.ReadRouteAccounts(cfg.Routes)
	if err != nil {
		return nil, err
	}
	store, err := audit.OpenSQLite(cfg.Audit.Path)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, enforcer: NewEnforcer(cfg, store, log), store: store}
	if s.gatekeeper, err = NewGatekeeper(store, accounts, log); err != nil {
		store.Close()
		return nil, err
	}
	s.gatekeeper.EndSessions = s.endSessions
	if err := s.openListeners(cfg); err != nil {
		s.closeListeners()
		store.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) openListeners(cfg config.Config) error {
	clientTLS, err := ClientTLSConfig(cfg.TLS)
	if err != nil {
		return err
	}
	for _, name := range Dialects() {
		if known[name].upstream(cfg) == "" {
			continue
		}
		f, err := dialects[name].open(s, cfg, clientTLS)
		if f != nil {
			s.frontends = append(s.frontends, f)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// endSessions ends the sessions of identity opened under an older
// generation than gen (its secret was rotated, or it was revoked).
func (s *Server) endSessions(identity string, gen int64) int {
	match := func(name string, g int64) bool { return name == identity && g < gen }
	n := 0
	for _, f := range s.frontends {
		n += f.closeSessions(match)
	}
	return n
}

func (s *Server) listen(protocol, addr string, serve func(context.Context, net.Listener) error) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen.%s: %w", protocol, err)
	}
	s.listeners = append(s.listeners, &listener{protocol: protocol, ln: ln, serve: serve})
	return nil
}

func (s *Server) closeListeners() {
	for _, l := range s.listeners {
		l.ln.Close()
	}
}

// NewEnforcer builds the enforcer for a configuration and an audit store.
// `bulwark check` uses it without any listener.
func NewEnforcer(cfg config.Config, store audit.Store, log *slog.Logger) *Enforcer {
	return &Enforcer{
		Identities:        Identities(cfg),
		Policy:            Policy(cfg),
		Analyzers:         analyzers(cfg),
		Audit:             store,
		Snapshots:         snapshotTakers(cfg),
		Log:               log,
		MaxStatementBytes: int(cfg.Limits.MaxStatementBytes),
		AnalysisBytes:     int(cfg.Limits.AnalysisBytes),
		LogStatements:     cfg.Log.Statements,
	}
}

// analyzers returns a verdict cache for every dialect this build has.
func analyzers(cfg config.Config) map[string]*sqlparse.Cache {
	m := map[string]*sqlparse.Cache{}
	for name, d := range dialects {
		m[name] = sqlparse.NewCache(d.analyzer(), cfg.Cache.Entries)
	}
	return m
}

func snapshotTakers(cfg config.Config) map[string]snapshot.Taker {
	m := map[string]snapshot.Taker{}
	limits := SnapshotLimits(cfg)
	for name, d := range dialects {
		m[name] = d.taker(limits)
	}
	return m
}

// SnapshotLimits maps the snapshot section of the configuration.
func SnapshotLimits(cfg config.Config) snapshot.Limits {
	l := snapshot.Limits{MaxBytes: int64(cfg.Snapshot.MaxBytes), MaxRows: cfg.Snapshot.MaxRows}
	if cfg.Snapshot.Retention != "" {
		l.Retention, _ = config.ParseDuration(cfg.Snapshot.Retention) // validated at load
	}
	return l
}

// Identities maps the identity section of the configuration to policy.
func Identities(cfg config.Config) rules.Identities {
	return rules.Identities{
		Default:                  rules.Kind(cfg.Identity.Default),
		AgentUsers:               cfg.Identity.Agents.Users,
		AgentApplicationNames:    cfg.Identity.Agents.ApplicationNames,
		HumanUsers:               cfg.Identity.Humans.Users,
		AgentCertificateSubjects: cfg.Identity.Agents.CertificateSubjects,
		AgentAddresses:           addressRanges(cfg.Identity.Agents.Addresses),
	}
}

func addressRanges(ss []string) []netip.Prefix {
	var out []netip.Prefix
	for _, a := range ss {
		if p, err := config.ParseAddressRange(a); err == nil { // validated at load
			out = append(out, p)
		}
	}
	return out
}

// Policy maps the policy section of the configuration to rules.
func Policy(cfg config.Config) rules.Policy {
	p := rules.Policy{Actions: actions(cfg.Policy.Actions), LimitBounds: cfg.Policy.LimitBounds}
	for _, o := range cfg.Policy.Overrides {
		p.Overrides = append(p.Overrides, rules.Override{
			Users: o.Users, ApplicationNames: o.ApplicationNames, Actions: actions(o.Actions),
		})
	}
	return p
}

// actions maps the actions a configuration names; empty ones are left out.
func actions(a config.Actions) map[sqlparse.Category]rules.Action {
	m := map[sqlparse.Category]rules.Action{}
	for c, act := range map[sqlparse.Category]config.Action{
		sqlparse.CategoryDrop: a.Drop, sqlparse.CategoryTruncate: a.Truncate,
		sqlparse.CategoryDelete: a.Delete, sqlparse.CategoryUpdate: a.Update,
		sqlparse.CategoryUnanalysable: a.Unanalysable,
	} {
		if act != "" {
			m[c] = rules.Action(act)
		}
	}
	return m
}

// Addr returns the address the listener of protocol ("postgres", "mysql")
// is bound to, or "" when that protocol is not configured.
func (s *Server) Addr(protocol string) string {
	for _, l := range s.listeners {
		if l.protocol == protocol {
			return l.ln.Addr().String()
		}
	}
	return ""
}

// PostgresAddr is the address the PostgreSQL listener is bound to.
func (s *Server) PostgresAddr() string { return s.Addr("postgres") }

// Serve runs every listener until ctx ends, then closes every session and
// the audit store. Meanwhile it follows changes of the identities.
func (s *Server) Serve(ctx context.Context) error {
	gkCtx, stopGK := context.WithCancel(ctx)
	gkDone := make(chan struct{})
	go func() { defer close(gkDone); s.gatekeeper.Run(gkCtx) }()
	defer func() { stopGK(); <-gkDone }()
	var wg sync.WaitGroup
	errs := make([]error, len(s.listeners))
	for i, l := range s.listeners {
		s.log.Info("bulwark listening", "protocol", l.protocol, "address", l.ln.Addr().String())
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = l.serve(ctx, l.ln)
		}()
	}
	wg.Wait()
	return errors.Join(append(errs, s.store.Close())...)
}
