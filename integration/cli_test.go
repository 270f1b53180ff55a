package integration

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/proxy"
)

// TestCheckCommand: `bulwark check` judges a statement without a database,
// with exit codes scripts can trust (0 allow, 2 refuse, 1 usage/config).
func TestCheckCommand(t *testing.T) {
	t.Parallel()
	allowDrop := filepath.Join(t.TempDir(), "allow-drop.yaml")
	if err := os.WriteFile(allowDrop, []byte("upstream:\n  postgres:\n    address: 127.0.0.1:5432\npolicy:\n  drop: allow\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badConfig := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(badConfig, []byte("upstream:\n  postgres:\n    address: 127.0.0.1:5432\npolicy:\n  drop: maybe\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		// wantOut and wantErr must appear in stdout and stderr.
		wantOut []string
		wantErr []string
	}{
		{name: "a SELECT is allowed", args: []string{"check", "SELECT * FROM users"}, wantCode: 0,
			wantOut: []string{"verdict:  allow (as agent)"}},
		{name: "DROP TABLE is refused for an agent", args: []string{"check", "DROP TABLE users"}, wantCode: 2,
			wantOut: []string{"verdict:  block (as agent)", "rule:     drop-object", "category: drop", "bulwark refused"}},
		{name: "DELETE WHERE 1=1 is refused with its rule", args: []string{"check", "DELETE FROM users WHERE 1=1"}, wantCode: 2,
			wantOut: []string{"delete-always-true"}},
		{name: "a stacked statement is refused whole", args: []string{"check", "SELECT 1; TRUNCATE users"}, wantCode: 2,
			wantOut: []string{"rule:     truncate", "statement 1: SELECT", "statement 2: TRUNCATE"}},
		{name: "SQL that does not parse is refused", args: []string{"check", "DELETE FROM users WHERE"}, wantCode: 2,
			wantOut: []string{"parse-error"}},
		{name: "DROP TABLE is allowed as a human", args: []string{"check", "--as", "human", "DROP TABLE users"}, wantCode: 0,
			wantOut: []string{"verdict:  allow (as human)"}},
		{name: "SQL is read from standard input with -", args: []string{"check", "-"}, stdin: "TRUNCATE users;\n", wantCode: 2,
			wantOut: []string{"rule:     truncate"}},
		{name: "a configuration that allows drops is applied", args: []string{"check", "-c", allowDrop, "DROP TABLE users"}, wantCode: 0,
			wantOut: []string{"verdict:  allow"}},
		{name: "a configuration that allows drops still refuses TRUNCATE", args: []string{"check", "-c", allowDrop, "TRUNCATE users"}, wantCode: 2},
		{name: "an invalid configuration is a usage error", args: []string{"check", "-c", badConfig, "SELECT 1"}, wantCode: 1,
			wantErr: []string{"policy.drop", "maybe"}},
		{name: "a missing configuration file is a usage error", args: []string{"check", "-c", filepath.Join(t.TempDir(), "nope.yaml"), "SELECT 1"}, wantCode: 1,
			wantErr: []string{"nope.yaml"}},
		{name: "the MySQL dialect refuses WHERE 1", args: []string{"check", "--dialect", "mysql", "DELETE FROM users WHERE 1"}, wantCode: 2,
			wantOut: []string{"rule:     delete-always-true"}},
		{name: "the MySQL dialect sees an executable comment", args: []string{"check", "--dialect", "mysql", "SELECT 1 /*!50000 ; DROP TABLE users */"}, wantCode: 2,
			wantOut: []string{"rule:     drop-object"}},
		{name: "the MySQL dialect allows a bounded DELETE", args: []string{"check", "--dialect", "mysql", "DELETE FROM users WHERE id = 7 LIMIT 1"}, wantCode: 0,
			wantOut: []string{"verdict:  allow"}},
		{name: "an unknown dialect is a usage error", args: []string{"check", "--dialect", "oracle", "SELECT 1"}, wantCode: 1,
			wantErr: []string{"--dialect"}},
		{name: "an unknown --as is a usage error", args: []string{"check", "--as", "robot", "SELECT 1"}, wantCode: 1,
			wantErr: []string{"--as must be agent or human"}},
		{name: "an unknown --format is a usage error", args: []string{"check", "--format", "xml", "SELECT 1"}, wantCode: 1,
			wantErr: []string{"--format"}},
		{name: "no statement is a usage error", args: []string{"check"}, wantCode: 1},
	}
	if !slices.Contains(proxy.Dialects(), "mysql") {
		// A PostgreSQL-only build says why it cannot judge MySQL text.
		for i, c := range cases {
			if slices.Contains(c.args, "mysql") {
				cases[i].wantCode, cases[i].wantOut = 1, nil
				cases[i].wantErr = []string{"built without MySQL/MariaDB support", "bulwark_no_mysql"}
			}
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := runBulwark(t, c.stdin, c.args...)
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.wantCode, out, errOut)
			}
			for _, w := range c.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range c.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

// TestCheckCommandJSON: --format json is a stable document for tools.
func TestCheckCommandJSON(t *testing.T) {
	t.Parallel()
	type result struct {
		Verdict    string `json:"verdict"`
		As         string `json:"as"`
		Dialect    string `json:"dialect"`
		Category   string `json:"category"`
		Rule       string `json:"rule"`
		Reason     string `json:"reason"`
		Message    string `json:"message"`
		Statements []struct {
			Command  string `json:"command"`
			Findings []struct {
				Category string `json:"category"`
				Rule     string `json:"rule"`
			} `json:"findings"`
		} `json:"statements"`
	}
	cases := []struct {
		name     string
		args     []string
		wantCode int
		want     result // Verdict, As, Category, Rule are compared
		commands []string
	}{
		{name: "a refused DELETE names its category and rule", args: []string{"DELETE FROM users WHERE 1=1"}, wantCode: 2,
			want: result{Verdict: "block", As: "agent", Category: "delete", Rule: "delete-always-true"}, commands: []string{"DELETE"}},
		{name: "an allowed SELECT has no rule", args: []string{"SELECT 1"}, wantCode: 0,
			want: result{Verdict: "allow", As: "agent"}, commands: []string{"SELECT"}},
		{name: "a human's DROP is allowed but still analysed", args: []string{"--as", "human", "SELECT 1; DROP TABLE users"}, wantCode: 0,
			want: result{Verdict: "allow", As: "human"}, commands: []string{"SELECT", "DROP TABLE"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := runBulwark(t, "", append([]string{"check", "--format", "json"}, c.args...)...)
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.wantCode, out, errOut)
			}
			var got result
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if got.Verdict != c.want.Verdict || got.As != c.want.As || got.Category != c.want.Category || got.Rule != c.want.Rule || got.Dialect != "postgres" {
				t.Errorf("got verdict %q as %q dialect %q category %q rule %q, want %q %q postgres %q %q",
					got.Verdict, got.As, got.Dialect, got.Category, got.Rule, c.want.Verdict, c.want.As, c.want.Category, c.want.Rule)
			}
			if c.want.Verdict == "block" && (got.Reason == "" || !strings.Contains(got.Message, "bulwark refused")) {
				t.Errorf("a refusal must carry a reason and the agent's message: %+v", got)
			}
			var commands []string
			for _, s := range got.Statements {
				commands = append(commands, s.Command)
			}
			if strings.Join(commands, ",") != strings.Join(c.commands, ",") {
				t.Errorf("statements %v, want %v", commands, c.commands)
			}
		})
	}
}

// TestAuditCommandListsRefusalsOfTheRunningBinary: refusals made through the
// real `bulwark serve` are listed by `bulwark audit` (read-only, while the
// proxy keeps running) in every format and with every filter.
func TestAuditCommandListsRefusalsOfTheRunningBinary(t *testing.T) {
	p := startBinaryProxy(t, withAgentApplicationNames("agent-*"))
	n := "cli_audit"
	sum := freshTable(t, n)
	before := sum()
	ctx := testCtx(t)

	agent := connectPgx(t, p.AgentDSN(), simpleProtocol)
	_, err := agent.Exec(ctx, "DROP TABLE "+n)
	_, dropID := requireRefused(t, err, "drop-object")
	_, err = agent.Exec(ctx, "DELETE FROM "+n+" WHERE true")
	_, deleteID := requireRefused(t, err, "delete-always-true")
	// The human user under an agent application name is an agent, which
	// gives the log a second user to filter on.
	dbaAsAgent := connectPgx(t, p.HumanDSN("application_name=agent-migrator"), simpleProtocol)
	_, err = dbaAsAgent.Exec(ctx, "TRUNCATE "+n)
	_, truncID := requireRefused(t, err, "truncate")
	if sum() != before {
		t.Fatal("the table changed")
	}

	t.Run("the table format shows every event", func(t *testing.T) {
		out, errOut, code := runBulwark(t, "", "audit", "-c", p.ConfigPath)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, w := range []string{"RULE", "drop-object", "delete-always-true", "truncate", "DROP TABLE " + n, agentUser, humanUser, "postgres", "block"} {
			if !strings.Contains(out, w) {
				t.Errorf("table lacks %q:\n%s", w, out)
			}
		}
	})

	t.Run("the json format carries every field", func(t *testing.T) {
		out, errOut, code := runBulwark(t, "", "audit", "--db", p.AuditPath, "--format", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var evs []audit.Event
		if err := json.Unmarshal([]byte(out), &evs); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		if len(evs) != 3 {
			t.Fatalf("%d events, want 3:\n%s", len(evs), out)
		}
		byID := map[int64]audit.Event{}
		for _, e := range evs {
			byID[e.ID] = e
		}
		drop := byID[dropID]
		if drop.User != agentUser || drop.Rule != "drop-object" || drop.Category != "drop" || drop.Action != "block" ||
			drop.Protocol != "postgres" || drop.Database != testDatabase || drop.Statement != "DROP TABLE "+n || drop.Kind != "agent" ||
			drop.SessionID == "" || drop.ClientAddr == "" || drop.Reason == "" {
			t.Errorf("drop event incomplete: %+v", drop)
		}
		if byID[deleteID].Rule != "delete-always-true" || byID[truncID].User != humanUser || byID[truncID].Application != "agent-migrator" {
			t.Errorf("events: %+v", evs)
		}
	})

	t.Run("the csv format has a header and one row per event", func(t *testing.T) {
		out, errOut, code := runBulwark(t, "", "audit", "-c", p.ConfigPath, "--format", "csv")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v\n%s", err, out)
		}
		if len(recs) != 4 {
			t.Fatalf("%d records, want header + 3:\n%s", len(recs), out)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		rules := map[string]bool{}
		for _, r := range recs[1:] {
			rules[r[col["rule"]]] = true
			if r[col["statement"]] == "" || r[col["user"]] == "" {
				t.Errorf("row lacks statement or user: %v", r)
			}
		}
		if !rules["drop-object"] || !rules["delete-always-true"] || !rules["truncate"] {
			t.Errorf("rules in csv: %v", rules)
		}
	})

	filters := []struct {
		name  string
		args  []string
		rules []string // rules of the events listed, newest first
	}{
		{name: "--rule selects one rule", args: []string{"--rule", "drop-object"}, rules: []string{"drop-object"}},
		{name: "--user selects the agent user", args: []string{"--user", agentUser}, rules: []string{"delete-always-true", "drop-object"}},
		{name: "--user selects the human user under an agent name", args: []string{"--user", humanUser}, rules: []string{"truncate"}},
		{name: "--rule and --user combine", args: []string{"--user", humanUser, "--rule", "drop-object"}, rules: nil},
		{name: "--limit keeps the newest", args: []string{"--limit", "1"}, rules: []string{"truncate"}},
		{name: "--action block matches every refusal", args: []string{"--action", "block", "--since", "1h"}, rules: []string{"truncate", "delete-always-true", "drop-object"}},
	}
	for _, f := range filters {
		t.Run(f.name, func(t *testing.T) {
			out, errOut, code := runBulwark(t, "", append([]string{"audit", "--db", p.AuditPath, "--format", "json"}, f.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var evs []audit.Event
			if err := json.Unmarshal([]byte(out), &evs); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			var rules []string
			for _, e := range evs {
				rules = append(rules, e.Rule)
			}
			if strings.Join(rules, ",") != strings.Join(f.rules, ",") {
				t.Errorf("rules %v, want %v", rules, f.rules)
			}
		})
	}

	t.Run("a missing audit file is an error, not an empty listing", func(t *testing.T) {
		_, errOut, code := runBulwark(t, "", "audit", "--db", filepath.Join(t.TempDir(), "missing.db"))
		if code != 1 || !strings.Contains(errOut, "does not exist") {
			t.Errorf("exit %d, stderr %q; want 1 and a message that the file does not exist", code, errOut)
		}
	})
}

// TestServeRejectsABadConfiguration: `bulwark serve` with a configuration it
// cannot use exits 1 at once and says what is wrong, instead of starting
// with a guess.
func TestServeRejectsABadConfiguration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name    string
		yaml    string // "" means: no file at all
		wantErr []string
	}{
		{name: "a missing file", yaml: "", wantErr: []string{"no-such.yaml"}},
		{name: "no upstream address", yaml: "listen:\n  postgres: 127.0.0.1:0\n",
			wantErr: []string{"upstream.postgres.address", "is required"}},
		{name: "an invalid policy action", yaml: "upstream:\n  postgres:\n    address: 127.0.0.1:5432\npolicy:\n  truncate: sometimes\n",
			wantErr: []string{"policy.truncate", "sometimes"}},
		{name: "a misspelt key", yaml: "upstream:\n  postgres:\n    address: 127.0.0.1:5432\npolcy:\n  drop: allow\n",
			wantErr: []string{"polcy"}},
		{name: "several problems reported at once", yaml: "upstream:\n  postgres:\n    address: 127.0.0.1:5432\n    connect_timeout: soon\nidentity:\n  default: robot\n",
			wantErr: []string{"upstream.postgres.connect_timeout", "identity.default"}},
		{name: "an audit directory that does not exist",
			yaml:    "listen:\n  postgres: 127.0.0.1:0\nupstream:\n  postgres:\n    address: 127.0.0.1:5432\naudit:\n  path: " + filepath.Join(dir, "nope", "audit.db") + "\n",
			wantErr: []string{"does not exist"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, "no-such.yaml")
			if c.yaml != "" {
				path = filepath.Join(dir, "cfg"+string(rune('a'+i))+".yaml")
				if err := os.WriteFile(path, []byte(c.yaml), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			out, errOut, code := runBulwark(t, "", "serve", "-c", path)
			if code != 1 {
				t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			if !strings.HasPrefix(errOut, "bulwark: ") {
				t.Errorf("stderr should start with \"bulwark: \": %q", errOut)
			}
			for _, w := range c.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q: %s", w, errOut)
				}
			}
		})
	}
}

// TestSnapshotsURLSchemes: `bulwark snapshots --url` connects for every
// protocol the binary has (an unreachable address gives a connection error)
// and refuses, naming the build tag, a scheme whose protocol the build left
// out. The suite runs against the default and the PostgreSQL-only build.
func TestSnapshotsURLSchemes(t *testing.T) {
	port, err := freePort() // nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ scheme, dialect, name string }{
		{"postgres", "postgres", "PostgreSQL"}, {"mysql", "mysql", "MySQL/MariaDB"},
	} {
		t.Run(c.scheme, func(t *testing.T) {
			url := fmt.Sprintf("%s://u:secret@127.0.0.1:%d/db", c.scheme, port)
			_, errOut, code := runBulwark(t, "", "snapshots", "list", "--url", url)
			if code != 1 {
				t.Fatalf("exit %d, want 1: %s", code, errOut)
			}
			if strings.Contains(errOut, "secret") {
				t.Errorf("the error shows the URL's password: %s", errOut)
			}
			if slices.Contains(proxy.Dialects(), c.dialect) {
				if !strings.Contains(errOut, "connect to") || strings.Contains(errOut, "built without") {
					t.Errorf("want a connection error for a built-in protocol, got: %s", errOut)
				}
				return
			}
			for _, want := range []string{"built without " + c.name + " support", "bulwark_no_" + c.dialect} {
				if !strings.Contains(errOut, want) {
					t.Errorf("error %q does not say %q", errOut, want)
				}
			}
		})
	}
}
