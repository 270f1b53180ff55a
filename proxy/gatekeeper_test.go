package proxy

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/credential"
	"github.com/bulwarkdb/bulwark/proxy/gate"
)

func TestGatekeeper(t *testing.T) {
	dir := t.TempDir()
	store, err := audit.OpenSQLite(filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("route-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	routes := map[string]config.Route{"app": {Postgres: config.RouteLogin{User: "app_rw", PasswordFile: pw, Database: "app"}}}
	ctx := context.Background()
	v, _ := credential.Derive("s3cret")
	if err := store.AddIdentity(ctx, audit.Identity{Name: "bot", Kind: "agent", Route: "app", Verifier: v}); err != nil {
		t.Fatal(err)
	}
	accounts, err := config.ReadRouteAccounts(routes)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGatekeeper(store, accounts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return now }
	var ended []string
	g.EndSessions = func(name string, gen int64) int { ended = append(ended, name); return 1 }

	t.Run("an unknown user is passthrough", func(t *testing.T) {
		if l, err := g.Lookup("postgres", "alice", "10.0.0.1:5000"); l != nil || err != nil {
			t.Fatalf("%v %v", l, err)
		}
	})
	t.Run("an identity gets its route's account", func(t *testing.T) {
		l, err := g.Lookup("postgres", "bot", "10.0.0.1:5000")
		if err != nil || l.Upstream != (gate.Credentials{User: "app_rw", Password: "route-secret", Database: "app"}) || l.Kind != gate.Agent {
			t.Fatalf("%+v %v", l, err)
		}
	})
	t.Run("a protocol the route has no account for is refused", func(t *testing.T) {
		if _, err := g.Lookup("mysql", "bot", "10.0.0.1:5000"); err == nil || !strings.Contains(err.Error(), "no mysql account") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("failures from one address back off that address only", func(t *testing.T) {
		s := &gate.Session{User: "bot", ClientAddr: "10.0.0.9:4000", Protocol: "postgres"}
		for i := 0; i < 4; i++ {
			g.Failed(s, "wrong secret")
		}
		if _, err := g.Lookup("postgres", "bot", "10.0.0.9:4001"); err == nil || !strings.Contains(err.Error(), "too many failed logins") {
			t.Fatalf("after 4 failures: %v", err)
		}
		if _, err := g.Lookup("postgres", "bot", "10.0.0.1:4000"); err != nil {
			t.Fatalf("another address: %v", err)
		}
		now = now.Add(2 * time.Second)
		if _, err := g.Lookup("postgres", "bot", "10.0.0.9:4001"); err != nil {
			t.Fatalf("after the wait: %v", err)
		}
		g.Succeeded(s)
		evs, _ := store.List(ctx, audit.Filter{Rule: RuleLoginFailed})
		if len(evs) != 4 || evs[0].User != "bot" {
			t.Fatalf("login-failed events: %+v", evs)
		}
	})
	t.Run("a revocation is picked up and ends the identity's sessions", func(t *testing.T) {
		if err := store.RevokeIdentity(ctx, "bot"); err != nil {
			t.Fatal(err)
		}
		if err := g.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if len(ended) != 1 || ended[0] != "bot" {
			t.Fatalf("ended %v", ended)
		}
		if _, err := g.Lookup("postgres", "bot", "10.0.0.1:5000"); err == nil || !strings.Contains(err.Error(), "revoked") {
			t.Fatalf("%v", err)
		}
	})
}
