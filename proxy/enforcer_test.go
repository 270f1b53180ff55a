package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/config"
	"github.com/bulwarkdb/bulwark/proxy/gate"
	"github.com/bulwarkdb/bulwark/sqlparse"
)

// failingStore stands for an audit store whose disk is gone.
type failingStore struct{}

func (failingStore) Record(context.Context, audit.Event) (int64, error) {
	return 0, errors.New("disk I/O error")
}
func (failingStore) List(context.Context, audit.Filter) ([]audit.Event, error) { return nil, nil }
func (failingStore) Close() error                                              { return nil }

func testEnforcer(t testing.TB, store audit.Store, mutate func(*config.Config)) *Enforcer {
	t.Helper()
	cfg := config.Defaults()
	cfg.Upstream.Postgres.Address = "127.0.0.1:1"
	cfg.Identity.Humans.Users = []string{"dba"}
	if mutate != nil {
		mutate(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return NewEnforcer(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func agentSession() *gate.Session {
	return &gate.Session{ID: "s1", Protocol: "postgres", ClientAddr: "127.0.0.1:5000", Database: "app", User: "agent_x", Kind: gate.Agent}
}

var standard = gate.Lexing{StandardConformingStrings: true}

func TestEnforcer(t *testing.T) {
	ctx := context.Background()
	store, err := audit.OpenSQLite(filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e := testEnforcer(t, store, nil)

	t.Run("an agent's DROP is refused and recorded before the answer", func(t *testing.T) {
		v := e.Check(ctx, agentSession(), standard, gate.Request{Source: gate.SourceQuery, SQL: "SELECT 1; DROP TABLE users"}, nil)
		if v.Allow || v.Code != "42501" || v.EventID == 0 {
			t.Fatalf("got %+v", v)
		}
		if !strings.Contains(v.Message, "drop-object") || !strings.Contains(v.Message, "users") {
			t.Fatalf("message does not say what and which rule: %q", v.Message)
		}
		evs, err := store.List(ctx, audit.Filter{})
		if err != nil || len(evs) == 0 {
			t.Fatalf("no event: %v", err)
		}
		ev := evs[0]
		if ev.ID != v.EventID || ev.User != "agent_x" || ev.Rule != "drop-object" || ev.Category != "drop" ||
			ev.Action != "block" || ev.Protocol != "postgres" || ev.Database != "app" || ev.Kind != "agent" ||
			ev.Statement != "SELECT 1; DROP TABLE users" || ev.Fingerprint == "" || ev.SessionID != "s1" {
			t.Fatalf("event does not describe the refusal: %+v", ev)
		}
	})
	t.Run("a human's DROP passes", func(t *testing.T) {
		s := agentSession()
		s.Kind = gate.Human
		if v := e.Check(ctx, s, standard, gate.Request{SQL: "DROP TABLE users"}, nil); !v.Allow {
			t.Fatalf("human refused: %+v", v)
		}
	})
	t.Run("an oversized statement is refused unread", func(t *testing.T) {
		small := testEnforcer(t, store, func(c *config.Config) { c.Limits.MaxStatementBytes = 100 })
		v := small.Check(ctx, agentSession(), standard, gate.Request{SQL: "SELECT " + strings.Repeat("1,", 100) + "1"}, nil)
		if v.Allow || !strings.Contains(v.Message, "statement-too-large") {
			t.Fatalf("got %+v", v)
		}
	})
	t.Run("a protocol-level refusal is recorded under its rule", func(t *testing.T) {
		v := e.Check(ctx, agentSession(), standard, gate.Request{Source: gate.SourceRequest, Refusal: "fastpath-call", Reason: "by OID"}, nil)
		if v.Allow || !strings.Contains(v.Message, "fastpath-call") {
			t.Fatalf("got %+v", v)
		}
	})
	t.Run("an allowed category passes for agents", func(t *testing.T) {
		lax := testEnforcer(t, store, func(c *config.Config) { c.Policy.Truncate = config.ActionAllow })
		if v := lax.Check(ctx, agentSession(), standard, gate.Request{SQL: "TRUNCATE t"}, nil); !v.Allow {
			t.Fatalf("got %+v", v)
		}
	})
	t.Run("classification follows the identity rules", func(t *testing.T) {
		if e.Classify(&gate.Session{User: "dba", ApplicationName: "psql"}) != gate.Human {
			t.Fatal("dba should be human")
		}
		if e.Classify(&gate.Session{User: "someone"}) != gate.Agent {
			t.Fatal("unknown users default to agent")
		}
	})
}

func TestEnforcerFailsClosedWithoutAudit(t *testing.T) {
	e := testEnforcer(t, failingStore{}, nil)
	v := e.Check(context.Background(), agentSession(), standard, gate.Request{SQL: "TRUNCATE t"}, nil)
	if v.Allow {
		t.Fatal("statement allowed although its refusal could not be recorded")
	}
	if !strings.Contains(v.Message, "audit") || !strings.Contains(v.Detail, "disk I/O error") {
		t.Fatalf("the agent is not told the audit store failed: %+v", v)
	}
	// Statements that need no record still run.
	if v := e.Check(context.Background(), agentSession(), standard, gate.Request{SQL: "SELECT 1"}, nil); !v.Allow {
		t.Fatalf("benign statement refused: %+v", v)
	}
}

// nilUpstream is an Exec seam that must not be used.
type nilUpstream struct{ t *testing.T }

func (u nilUpstream) Exec(context.Context, string) (*gate.Result, error) {
	u.t.Fatal("the enforcer used the upstream")
	return nil, nil
}

func TestEnforcerSnapshot(t *testing.T) {
	ctx := context.Background()
	store, err := audit.OpenSQLite(filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e := testEnforcer(t, store, func(c *config.Config) { c.Policy.Drop = config.ActionSnapshot })
	drop := gate.Request{Source: gate.SourceParse, SQL: "DROP TABLE t"}

	t.Run("a statement that does not run now takes and records nothing", func(t *testing.T) {
		s := agentSession()
		s.Protocol = "mysql"
		v := e.Check(ctx, s, standard, drop, nil)
		if !v.Allow || v.Snapshot == nil || v.Snapshot.SQL != "" || v.Snapshot.Replace || v.EventID != 0 {
			t.Fatalf("got %+v, want an empty snapshot: judge again at each execution", v)
		}
		if evs, _ := store.List(ctx, audit.Filter{}); len(evs) != 0 {
			t.Fatalf("recorded %+v", evs)
		}
	})
	t.Run("a PostgreSQL DROP is replaced by the taker's plan, recorded first", func(t *testing.T) {
		v := e.Check(ctx, agentSession(), standard, drop, nilUpstream{t})
		sn := v.Snapshot
		if !v.Allow || sn == nil || !sn.Replace || sn.Tag != "DROP TABLE" || !strings.HasPrefix(sn.SQL, "DO $bulwark$") ||
			sn.Rule != "drop-object" || sn.Statement != "DROP TABLE t" || sn.Failed.EventID != v.EventID || v.EventID == 0 {
			t.Fatalf("got %+v", v)
		}
		evs, _ := store.List(ctx, audit.Filter{Action: "snapshot"})
		if len(evs) != 1 || evs[0].ID != v.EventID {
			t.Fatalf("snapshot events %+v", evs)
		}
	})
}

// BenchmarkCheckTPCB measures judging pgbench's TPC-B transaction (seven
// statements) sent over the simple protocol: new literals in every
// statement, so every judgement is a literal-free cache hit.
func BenchmarkCheckTPCB(b *testing.B) {
	e := testEnforcer(b, failingStore{}, nil)
	s := agentSession()
	ctx := context.Background()
	var txns [][]string
	for i := 0; i < 512; i++ {
		aid, bid, tid, delta := strconv.Itoa(i*7919%1000000), strconv.Itoa(i%10), strconv.Itoa(i*31%100), strconv.Itoa(i*97%10000-5000)
		txns = append(txns, []string{"BEGIN;",
			"UPDATE pgbench_accounts SET abalance = abalance + " + delta + " WHERE aid = " + aid + ";",
			"SELECT abalance FROM pgbench_accounts WHERE aid = " + aid + ";",
			"UPDATE pgbench_tellers SET tbalance = tbalance + " + delta + " WHERE tid = " + tid + ";",
			"UPDATE pgbench_branches SET bbalance = bbalance + " + delta + " WHERE bid = " + bid + ";",
			"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (" + tid + ", " + bid + ", " + aid + ", " + delta + ", CURRENT_TIMESTAMP);",
			"END;"})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, q := range txns[i%len(txns)] {
			if v := e.Check(ctx, s, standard, gate.Request{Source: gate.SourceQuery, SQL: q}, nil); !v.Allow {
				b.Fatal(v.Message)
			}
		}
	}
}

// slowAnalyzer is the real analyser of a dialect, instrumented: it counts
// the bytes of text under analysis at once, and each analysis of a long
// text waits for gate before it starts.
type slowAnalyzer struct {
	sqlparse.Analyzer
	gate              chan struct{}
	inFlight, maxSeen atomic.Int64
}

func (s *slowAnalyzer) Analyze(text string, lx sqlparse.Lexing) *sqlparse.Analysis {
	n := s.inFlight.Add(int64(len(text)))
	for m := s.maxSeen.Load(); n > m && !s.maxSeen.CompareAndSwap(m, n); m = s.maxSeen.Load() {
	}
	defer s.inFlight.Add(-int64(len(text)))
	if len(text) > sqlparse.MaxCachedText {
		<-s.gate
	}
	return s.Analyzer.Analyze(text, lx)
}

// TestLongTextsShareTheAnalysisBudget: parsing takes tens of times a text's
// size in memory, so the long texts analysed at once may add up to no more
// than limits.analysis_bytes; the others wait their turn, and one whose
// session ends while it waits is refused, never waved through.
func TestLongTextsShareTheAnalysisBudget(t *testing.T) {
	const limit = 64 << 10
	e := testEnforcer(t, failingStore{}, func(c *config.Config) { c.Limits.MaxStatementBytes = limit })
	slow := &slowAnalyzer{Analyzer: dialects["postgres"].analyzer(), gate: make(chan struct{})}
	e.Analyzers["postgres"] = sqlparse.NewCache(slow, 100)
	insert := func(i int) string {
		var b strings.Builder
		b.WriteString("INSERT INTO t VALUES ")
		for r := 0; b.Len() < 40<<10; r++ {
			if r > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%d, 'row %d of text %d')", r, r, i)
		}
		return b.String()
	}
	const texts = 6
	var wg sync.WaitGroup
	verdicts := make(chan gate.Verdict, texts)
	for i := range texts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			verdicts <- e.Check(context.Background(), agentSession(), standard, gate.Request{Source: gate.SourceQuery, SQL: insert(i)}, nil)
		}()
	}
	// Let the analyses through one by one; only one 40 KiB text fits in
	// 64 KiB at a time.
	for range texts {
		time.Sleep(20 * time.Millisecond)
		slow.gate <- struct{}{}
	}
	wg.Wait()
	close(verdicts)
	for v := range verdicts {
		if !v.Allow {
			t.Errorf("a bulk INSERT was refused: %s", v.Message)
		}
	}
	if m := slow.maxSeen.Load(); m > limit {
		t.Fatalf("%d bytes of text were under analysis at once, over the %d-byte budget", m, limit)
	}

	// One analysis holds the budget; a session that ends while its text
	// waits gets a refusal.
	done := make(chan gate.Verdict)
	go func() {
		done <- e.Check(context.Background(), agentSession(), standard, gate.Request{Source: gate.SourceQuery, SQL: insert(7)}, nil)
	}()
	for slow.inFlight.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	v := e.Check(ctx, agentSession(), standard, gate.Request{Source: gate.SourceQuery, SQL: insert(8)}, nil)
	if v.Allow || !strings.Contains(v.Message, "parse-error") || !strings.Contains(v.Message, "waited for its turn") {
		t.Fatalf("a text whose session ended while it waited: %+v", v)
	}
	slow.gate <- struct{}{}
	if v := <-done; !v.Allow {
		t.Fatalf("the text that held the budget was refused: %s", v.Message)
	}
}
