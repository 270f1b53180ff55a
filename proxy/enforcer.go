package proxy

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"
	"unicode/utf8"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/proxy/gate"
	"github.com/bulwarkdb/bulwark/rules"
	"github.com/bulwarkdb/bulwark/sqlparse"
)

// refusalCode is the SQLSTATE of every refusal: insufficient_privilege,
// which drivers surface as a permission error rather than a retryable one.
const refusalCode = "42501"

// maxAuditedStatement caps the statement text kept in an audit event.
const maxAuditedStatement = 64 << 10

// Enforcer is the one place where a statement is judged: it analyses the
// text (through the verdict cache), applies policy, and records every
// refusal in the audit store before the refusal is returned. It implements
// gate.Enforcer for every protocol engine.
type Enforcer struct {
	Identities rules.Identities
	Policy     rules.Policy
	// Analyzers holds one cache per protocol ("postgres").
	Analyzers map[string]*sqlparse.Cache
	Audit     audit.Store
	Log       *slog.Logger
	// MaxStatementBytes refuses longer SQL texts unread.
	MaxStatementBytes int
	// LogStatements puts refused statements' text in the log.
	LogStatements bool
	// Now is the clock (tests may replace it).
	Now func() time.Time
}

var _ gate.Enforcer = (*Enforcer)(nil)

// Classify implements gate.Enforcer.
// Every client-chosen name is checked against the agent patterns (any match
// makes the session an agent): application_name for PostgreSQL, the
// program_name and _client_name connection attributes for MySQL.
func (e *Enforcer) Classify(s *gate.Session) gate.Kind {
	names := []string{s.ApplicationName, s.ClientAttributes["program_name"], s.ClientAttributes["_client_name"]}
	for _, n := range names {
		if e.Identities.Classify(s.User, n) == rules.Agent {
			return gate.Agent
		}
	}
	return gate.Human
}

// LexingSensitive implements gate.Enforcer. Protocols without an analyser
// are always sensitive, so the engine waits and judges under settled
// settings.
func (e *Enforcer) LexingSensitive(s *gate.Session, sql string) bool {
	c := e.Analyzers[s.Protocol]
	return c == nil || c.LexingSensitive(sql)
}

// Check implements gate.Enforcer.
func (e *Enforcer) Check(ctx context.Context, s *gate.Session, lx gate.Lexing, req gate.Request, up gate.Upstream) (v gate.Verdict) {
	defer func() {
		// A statement that makes the analyser fail is one bulwark cannot
		// analyse: refuse it (fail closed) and keep the session.
		if p := recover(); p != nil {
			e.Log.Error("analysis failed", "session", s.ID, "panic", p, "stack", string(debug.Stack()))
			an := single(sqlparse.Finding{Category: sqlparse.CategoryUnanalysable, Rule: "parse-error",
				Reason: "bulwark failed while analysing this statement"}, req.SQL)
			st := an.Statements[0]
			v = e.refuse(ctx, s, req, an, rules.Decision{Action: rules.Block, Finding: st.Findings[0], Statement: st})
		}
	}()
	kind := rules.Agent
	if s.Kind == gate.Human {
		kind = rules.Human
	}
	var an *sqlparse.Analysis
	switch {
	case req.Refusal != "":
		an = single(rules.ProtocolFinding(req.Refusal, req.Reason), req.SQL)
	case req.Size > e.MaxStatementBytes || len(req.SQL) > e.MaxStatementBytes:
		an = single(rules.ProtocolFinding(rules.RuleStatementTooLarge,
			"the statement is longer than limits.max_statement_bytes allows, so it was not parsed"), req.SQL)
	default:
		cache := e.Analyzers[s.Protocol]
		if cache == nil {
			an = single(sqlparse.Finding{Category: sqlparse.CategoryUnanalysable, Rule: "parse-error",
				Reason: "no analyser is configured for protocol " + s.Protocol}, req.SQL)
		} else {
			an = cache.Analyze(req.SQL, sqlparse.Lexing{
				NonStandardStrings: !lx.StandardConformingStrings,
				ClientEncoding:     lx.ClientEncoding,
				SQLMode:            lx.SQLMode,
			})
		}
	}
	d := e.Policy.Decide(kind, an)
	if d.Action == rules.Allow {
		return gate.Verdict{Allow: true}
	}
	return e.refuse(ctx, s, req, an, d)
}

// refuse records the refusal, then words it. If the record cannot be
// written the statement is still refused, and the agent is told why.
func (e *Enforcer) refuse(ctx context.Context, s *gate.Session, req gate.Request, an *sqlparse.Analysis, d rules.Decision) gate.Verdict {
	ev := audit.Event{
		Time:        e.now(),
		SessionID:   s.ID,
		ClientAddr:  s.ClientAddr,
		Protocol:    s.Protocol,
		Database:    s.Database,
		User:        s.User,
		Application: s.ApplicationName,
		Kind:        string(s.Kind),
		Statement:   truncate(req.SQL, maxAuditedStatement),
		Fingerprint: an.Fingerprint,
		Category:    string(d.Finding.Category),
		Rule:        d.Finding.Rule,
		Action:      string(rules.Block),
		Reason:      d.Finding.Reason,
	}
	id, err := e.Audit.Record(ctx, ev)
	log := e.Log.With("session", s.ID, "user", s.User, "database", s.Database,
		"rule", d.Finding.Rule, "category", d.Finding.Category, "event", id)
	if e.LogStatements {
		log = log.With("statement", ev.Statement)
	}
	if err != nil {
		log.Error("refusal could not be recorded; statement refused", "err", err)
		return gate.Verdict{
			Code: refusalCode,
			Message: "bulwark refused this statement: it would have been refused by rule " + d.Finding.Rule +
				" (" + d.Finding.Reason + "), and in addition the refusal could not be written to the audit log, " +
				"so bulwark refuses every statement it would record until the audit store is repaired. " + rules.Advice(rules.RuleAuditUnavailable),
			Detail: "audit store error: " + err.Error(),
		}
	}
	log.Warn("statement refused")
	r := rules.Explain(d, id)
	return gate.Verdict{Code: refusalCode, Message: r.Message, Detail: r.Detail, EventID: id}
}

func (e *Enforcer) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func single(f sqlparse.Finding, text string) *sqlparse.Analysis {
	return &sqlparse.Analysis{Statements: []sqlparse.Statement{{Command: "UNKNOWN", Text: text, Findings: []sqlparse.Finding{f}}}}
}

// truncate cuts s to at most n bytes on a rune boundary and says so.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(truncated)"
}
