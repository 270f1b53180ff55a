package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/proxy/gate"
)

// Back-off after failed logins, per client address and identity: the first
// few failures cost nothing, then each doubles the wait, up to a cap.
const (
	freeFailures = 3
	firstBackoff = time.Second
	maxBackoff   = 30 * time.Second
	// IdentityPoll is how often a running proxy looks for identities
	// added, rotated or revoked by `bulwark identities`.
	IdentityPoll = 250 * time.Millisecond
)

// RuleLoginFailed records a failed login of an identity bulwark
// authenticates itself.
const RuleLoginFailed = "login-failed"

// Gatekeeper implements gate.Gatekeeper over the identities in the audit
// database. It keeps them in memory and reloads them when their revision
// changes; an identity rotated or revoked since a session logged in has that
// session ended (through EndSessions).
type Gatekeeper struct {
	store *audit.SQLite
	log   *slog.Logger
	now   func() time.Time
	// EndSessions ends the open sessions of an identity logged in under a
	// generation older than gen; set by the composition root.
	EndSessions func(identity string, gen int64) int

	mu       sync.RWMutex
	accounts map[string]map[string]config.Account // by route, then protocol
	ids      map[string]audit.Identity
	revision int64
	failures map[string]*failure
}

type failure struct {
	count int
	until time.Time
}

// NewGatekeeper loads the identities of store; accounts are the routes'
// upstream accounts (config.ReadRouteAccounts).
func NewGatekeeper(store *audit.SQLite, accounts map[string]map[string]config.Account, log *slog.Logger) (*Gatekeeper, error) {
	g := &Gatekeeper{store: store, log: log, now: time.Now, accounts: accounts, revision: -1, failures: map[string]*failure{}}
	if err := g.Refresh(context.Background()); err != nil {
		return nil, err
	}
	return g, nil
}

// SetAccounts replaces the routes' accounts (configuration reload).
func (g *Gatekeeper) SetAccounts(accounts map[string]map[string]config.Account) {
	g.mu.Lock()
	g.accounts = accounts
	g.mu.Unlock()
}

// Refresh reloads the identities if they changed, and ends the sessions of
// those rotated or revoked meanwhile.
func (g *Gatekeeper) Refresh(ctx context.Context) error {
	rev, err := g.store.IdentityRevision(ctx)
	if err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	g.mu.RLock()
	same := rev == g.revision
	g.mu.RUnlock()
	if same {
		return nil
	}
	list, err := g.store.Identities(ctx)
	if err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	ids := make(map[string]audit.Identity, len(list))
	for _, id := range list {
		ids[id.Name] = id
	}
	g.mu.Lock()
	old := g.ids
	g.ids, g.revision = ids, rev
	g.mu.Unlock()
	for name, id := range ids {
		if prev, ok := old[name]; ok && prev.Generation == id.Generation {
			continue
		}
		if g.EndSessions != nil {
			if n := g.EndSessions(name, id.Generation); n > 0 {
				g.log.Warn("ended sessions of a rotated or revoked identity", "identity", name, "sessions", n)
			}
		}
	}
	return nil
}

// Run refreshes every IdentityPoll until ctx ends.
func (g *Gatekeeper) Run(ctx context.Context) {
	t := time.NewTicker(IdentityPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := g.Refresh(ctx); err != nil && ctx.Err() == nil {
				g.log.Error("cannot reload identities", "err", err)
			}
		}
	}
}

// Lookup implements gate.Gatekeeper.
func (g *Gatekeeper) Lookup(protocol, user, clientAddr string) (*gate.Login, error) {
	g.mu.RLock()
	id, ok := g.ids[user]
	account, hasAccount := g.accounts[id.Route][protocol]
	f := g.failures[failureKey(clientAddr, user)]
	var wait time.Duration
	if f != nil {
		wait = f.until.Sub(g.now())
	}
	g.mu.RUnlock()
	if !ok {
		return nil, nil
	}
	if id.Revoked != nil {
		return nil, fmt.Errorf("the identity %s has been revoked", user)
	}
	if wait > 0 {
		return nil, fmt.Errorf("too many failed logins for %s from this address; try again in %s", user, wait.Round(time.Second))
	}
	if !hasAccount {
		return nil, fmt.Errorf("the identity %s has no %s account (route %q) in bulwark's configuration; ask the administrator", user, protocol, id.Route)
	}
	return &gate.Login{
		Identity: id.Name, Kind: gate.Kind(id.Kind), Generation: id.Generation, Verifier: id.Verifier,
		CertSubject: id.CertSubject,
		Upstream:    gate.Credentials(account),
	}, nil
}

func failureKey(clientAddr, identity string) string {
	return hostOf(clientAddr) + "\x00" + identity
}

// Failed implements gate.Gatekeeper.
func (g *Gatekeeper) Failed(s *gate.Session, reason string) {
	key := failureKey(s.ClientAddr, s.User)
	g.mu.Lock()
	f := g.failures[key]
	if f == nil {
		f = &failure{}
		g.failures[key] = f
	}
	f.count++
	if f.count > freeFailures {
		wait := firstBackoff << min(f.count-freeFailures-1, 5)
		f.until = g.now().Add(min(wait, maxBackoff))
	}
	id, known := g.ids[s.User]
	g.mu.Unlock()
	g.log.Warn("login failed", "protocol", s.Protocol, "client", s.ClientAddr, "user", s.User, "reason", reason)
	if known && id.Kind == string(gate.Agent) {
		_, err := g.store.Record(context.Background(), audit.Event{
			Time: g.now(), SessionID: s.ID, ClientAddr: s.ClientAddr, Protocol: s.Protocol,
			Database: s.Database, User: s.User, Application: s.ApplicationName, Kind: id.Kind,
			Category: "authentication", Rule: RuleLoginFailed, Action: "block", Reason: reason,
		})
		if err != nil {
			g.log.Error("failed login could not be recorded", "user", s.User, "err", err)
		}
	}
}

// Succeeded implements gate.Gatekeeper.
func (g *Gatekeeper) Succeeded(s *gate.Session) {
	g.mu.Lock()
	delete(g.failures, failureKey(s.ClientAddr, s.User))
	g.mu.Unlock()
}

// hostOf drops the port of a client address.
func hostOf(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

var _ gate.Gatekeeper = (*Gatekeeper)(nil)
