package rules

import (
	"net/netip"
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
	for _, want := range []string{"bulwark refused DELETE", "rule delete-no-where", "has no WHERE clause", "Add a WHERE clause", "(rule delete-no-where, audit event 42): "} {
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

func TestDecideSnapshot(t *testing.T) {
	move := &sqlparse.Undo{Kind: sqlparse.UndoMove, ObjectType: "TABLE", Objects: []sqlparse.ObjectName{{Name: "t"}}}
	drop := sqlparse.Finding{Category: sqlparse.CategoryDrop, Rule: "drop-object", Undo: move}
	dropIndex := sqlparse.Finding{Category: sqlparse.CategoryDrop, Rule: "drop-object"}
	del := sqlparse.Finding{Category: sqlparse.CategoryDelete, Rule: "delete-no-where",
		Undo: &sqlparse.Undo{Kind: sqlparse.UndoRows, ObjectType: "TABLE", Objects: []sqlparse.ObjectName{{Name: "t"}}}}
	snap := Policy{Actions: map[sqlparse.Category]Action{sqlparse.CategoryDrop: Snapshot, sqlparse.CategoryDelete: Block}}
	one := func(fs ...sqlparse.Finding) *sqlparse.Analysis {
		return &sqlparse.Analysis{Statements: []sqlparse.Statement{{Command: "DROP TABLE", Findings: fs}}}
	}
	t.Run("a finding that can be undone runs with a snapshot", func(t *testing.T) {
		d := snap.Decide(Agent, one(drop))
		if d.Action != Snapshot || len(d.Snapshots) != 1 || d.Snapshots[0].Undo != move {
			t.Fatalf("got %+v", d)
		}
		if m := ExplainSnapshot(d); !strings.Contains(m, "TABLE t would be moved") {
			t.Errorf("explanation %q", m)
		}
	})
	t.Run("a finding without an undo is refused and the note says why", func(t *testing.T) {
		d := snap.Decide(Agent, one(dropIndex))
		if d.Action != Block || !strings.Contains(Explain(d, 1).Message, "cannot snapshot") {
			t.Fatalf("got %+v", d)
		}
	})
	t.Run("a blocked finding beside a snapshot one blocks", func(t *testing.T) {
		if d := snap.Decide(Agent, one(drop, del)); d.Action != Block || d.Finding.Rule != "delete-no-where" {
			t.Fatalf("got %+v", d)
		}
	})
	t.Run("a snapshot statement must come alone", func(t *testing.T) {
		a := analysis(drop) // a SELECT, then the DROP
		if d := snap.Decide(Agent, a); d.Action != Block || !strings.Contains(d.Note, "on its own") {
			t.Fatalf("got %+v", d)
		}
	})
	t.Run("humans are not snapshotted", func(t *testing.T) {
		if d := snap.Decide(Human, one(drop)); d.Action != Allow {
			t.Fatalf("got %+v", d)
		}
	})
}

func TestPolicyOverrides(t *testing.T) {
	p := Policy{
		Actions: map[sqlparse.Category]Action{sqlparse.CategoryDrop: Block, sqlparse.CategoryTruncate: Block},
		Overrides: []Override{
			{Users: []string{"etl_*"}, Actions: map[sqlparse.Category]Action{sqlparse.CategoryTruncate: Allow}},
			{ApplicationNames: []string{"migrator"}, Actions: map[sqlparse.Category]Action{sqlparse.CategoryDrop: Snapshot}},
		},
	}
	cases := []struct {
		user, app string
		cat       sqlparse.Category
		want      Action
	}{
		{"etl_loader", "", sqlparse.CategoryTruncate, Allow},
		{"etl_loader", "", sqlparse.CategoryDrop, Block}, // not named by the override: the global action
		{"bot", "migrator", sqlparse.CategoryDrop, Snapshot},
		{"bot", "", sqlparse.CategoryDrop, Block},
		{"etl_loader", "migrator", sqlparse.CategoryDrop, Block}, // the first matching override wins
	}
	for _, c := range cases {
		if got := p.For(c.user, c.app).Action(c.cat); got != c.want {
			t.Errorf("%s/%s %s: got %s, want %s", c.user, c.app, c.cat, got, c.want)
		}
	}
	if p.Actions[sqlparse.CategoryTruncate] != Block {
		t.Errorf("For changed the global policy")
	}
}

func TestClassifySession(t *testing.T) {
	ids := Identities{
		Default: Human, AgentUsers: []string{"agent_*"}, AgentApplicationNames: []string{"*agent*"},
		HumanUsers:               []string{"alice"},
		AgentAddresses:           []netip.Prefix{netip.MustParsePrefix("10.9.0.0/16"), netip.MustParsePrefix("2001:db8::/32")},
		AgentCertificateSubjects: []string{"CN=ci-*"},
	}
	cases := []struct {
		name string
		sig  Signals
		want Kind
	}{
		{"a human user from elsewhere is human", Signals{User: "alice", ClientAddr: "192.0.2.1:5000"}, Human},
		{"an agent address range makes anyone an agent", Signals{User: "alice", ClientAddr: "10.9.3.4:5000"}, Agent},
		{"IPv6 ranges count", Signals{User: "alice", ClientAddr: "[2001:db8::7]:5000"}, Agent},
		{"an agent certificate makes anyone an agent", Signals{User: "alice", CertSubject: "CN=ci-runner,O=Acme"}, Agent},
		{"other certificates do not", Signals{User: "alice", CertSubject: "CN=alice,O=Acme"}, Human},
		{"an agents-only listener makes anyone an agent", Signals{User: "alice", AgentListener: true}, Agent},
		{"an agent identity is an agent", Signals{User: "bob", IdentityKind: Agent}, Agent},
		{"a human identity is human", Signals{User: "bob", IdentityKind: Human}, Human},
		{"a human identity with an agent's application name is an agent", Signals{User: "bob", IdentityKind: Human, ApplicationNames: []string{"my-agent"}}, Agent},
		{"a human identity named like agents is an agent", Signals{User: "agent_x", IdentityKind: Human}, Agent},
		{"without signals the default applies", Signals{User: "carol"}, Human},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ids.ClassifySession(c.sig); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}
