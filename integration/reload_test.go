package integration

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bulwarkdb/bulwark/config"
)

// TestConfigReloadOnSIGHUP: the real binary re-reads its configuration on
// SIGHUP; an open agent session keeps running under the new policy, and a
// broken file changes nothing.
func TestConfigReloadOnSIGHUP(t *testing.T) {
	p := startBinaryProxy(t)
	freshTable(t, "reload_t")
	conn := connectPgx(t, p.AgentDSN())
	ctx := testCtx(t)
	_, err := conn.Exec(ctx, "TRUNCATE reload_t")
	requireRefused(t, err, "truncate")

	hangup := func(wantLog string) {
		t.Helper()
		before := strings.Count(p.Logs(), wantLog)
		if err := p.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for strings.Count(p.Logs(), wantLog) == before {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the log after SIGHUP:\n%s", wantLog, p.Logs())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	cfg := p.Config
	cfg.Policy.Truncate = config.ActionAllow
	if err := os.WriteFile(p.ConfigPath, []byte(mustYAML(t, cfg)), 0o600); err != nil {
		t.Fatal(err)
	}
	hangup("configuration reloaded")
	// ExecParams sends the statement in a new unnamed Parse every time,
	// the case where the session keeps an allowed verdict: a reload must
	// end it.
	unnamed := func() error {
		return conn.PgConn().ExecParams(ctx, "TRUNCATE reload_t", nil, nil, nil, nil).Read().Err
	}
	// A simple-protocol Query is kept by its shape, which a text
	// without literals is: a reload must end that too.
	simple := func() error {
		_, err := conn.PgConn().Exec(ctx, "TRUNCATE reload_t").ReadAll()
		return err
	}
	for i := range 2 {
		if err := unnamed(); err != nil {
			t.Fatalf("after the reload the open session's TRUNCATE number %d is still refused: %v", i+1, err)
		}
		if err := simple(); err != nil {
			t.Fatalf("after the reload the open session's simple-protocol TRUNCATE number %d is still refused: %v", i+1, err)
		}
	}

	if err := os.WriteFile(p.ConfigPath, []byte("policy: {truncate: maybe}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hangup("configuration not reloaded")
	if err := unnamed(); err != nil {
		t.Fatalf("a broken configuration changed the policy: %v", err)
	}

	cfg.Policy.Truncate = config.ActionBlock
	if err := os.WriteFile(p.ConfigPath, []byte(mustYAML(t, cfg)), 0o600); err != nil {
		t.Fatal(err)
	}
	hangup("configuration reloaded")
	requireRefused(t, unnamed(), "truncate")
	requireRefused(t, simple(), "truncate")
}

func mustYAML(t testing.TB, cfg config.Config) string {
	t.Helper()
	b, err := os.ReadFile(writeConfig(t, cfg))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
