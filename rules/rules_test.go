package rules

import (
	"strings"
	"testing"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

func TestClassify(t *testing.T) {
	ids := Identities{
		Default:               Agent,
		AgentUsers:            []string{"agent_*"},
		AgentApplicationNames: []string{"claude*", "*agent*"},
		HumanUsers:            []string{"alice", "dba_?"},
	}
	cases := []struct {
		name, user, app string
		want            Kind
	}{
		{"a listed human is human", "alice", "psql", Human},
		{"a human glob matches", "dba_1", "", Human},
		{"an agent user is an agent", "agent_bot", "", Agent},
		{"an agent user cannot look human through application_name", "agent_bot", "psql", Agent},
		{"an agent application_name makes a human an agent", "alice", "claude-code", Agent},
		{"application_name only matches agent globs", "bob", "alice", Agent},
		{"an unknown user gets the default", "bob", "", Agent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ids.Classify(c.user, c.app); got != c.want {
				t.Fatalf("Classify(%q, %q) = %s, want %s", c.user, c.app, got, c.want)
			}
		})
	}
	t.Run("a human default applies only when no agent signal matches", func(t *testing.T) {
		h := ids
		h.Default = Human
		if h.Classify("bob", "") != Human || h.Classify("bob", "my-agent") != Agent {
			t.Fatal("default human must yield to agent signals")
		}
	})
}

func analysis(findings ...sqlparse.Finding) *sqlparse.Analysis {
	return &sqlparse.Analysis{Statements: []sqlparse.Statement{{Command: "SELECT"}, {Command: "DROP TABLE", Findings: findings}}}
}

func TestDecide(t *testing.T) {
	drop := sqlparse.Finding{Category: sqlparse.CategoryDrop, Rule: "drop-object", Reason: "DROP TABLE t would remove t"}
	limit := ProtocolFinding(RuleStatementTooLarge, "too long")
	block := Policy{Actions: map[sqlparse.Category]Action{sqlparse.CategoryDrop: Block}}
	allow := Policy{Actions: map[sqlparse.Category]Action{sqlparse.CategoryDrop: Allow, CategoryLimit: Allow}}
	cases := []struct {
		name   string
		p      Policy
		kind   Kind
		a      *sqlparse.Analysis
		want   Action
		wantRl string
	}{
		{"humans are never refused", block, Human, analysis(drop), Allow, ""},
		{"an agent's drop is refused", block, Agent, analysis(drop), Block, "drop-object"},
		{"an allowed category passes", allow, Agent, analysis(drop), Allow, ""},
		{"a category the policy does not name is refused", Policy{}, Agent, analysis(drop), Block, "drop-object"},
		{"limits cannot be allowed", allow, Agent, analysis(limit), Block, RuleStatementTooLarge},
		{"a statement without findings passes", block, Agent, analysis(), Allow, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := c.p.Decide(c.kind, c.a)
			if d.Action != c.want || d.Finding.Rule != c.wantRl {
				t.Fatalf("got %s/%q, want %s/%q", d.Action, d.Finding.Rule, c.want, c.wantRl)
			}
			if d.Action == Block && d.Statement.Command != "DROP TABLE" {
				t.Fatalf("decision names statement %q", d.Statement.Command)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	d := Decision{Action: Block, Statement: sqlparse.Statement{Command: "DELETE"},
		Finding: sqlparse.Finding{Category: sqlparse.CategoryDelete, Rule: "delete-no-where", Reason: "DELETE FROM t has no WHERE clause."}}
	r := Explain(d, 42)
	for _, want := range []string{"bulwark refused DELETE", "rule delete-no-where", "has no WHERE clause", "Add a WHERE clause", "Audit event 42."} {
		if !strings.Contains(r.Message, want) {
			t.Errorf("message %q lacks %q", r.Message, want)
		}
	}
	if strings.Contains(r.Message, "..") {
		t.Errorf("message has a doubled full stop: %q", r.Message)
	}
	for rule := range Rules() {
		if Advice(rule) == "" {
			t.Errorf("rule %s has no advice", rule)
		}
	}
}
