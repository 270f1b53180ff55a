package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/semaphore"

	"github.com/bulwarkdb/bulwark/audit"
	"github.com/bulwarkdb/bulwark/proxy/gate"
	"github.com/bulwarkdb/bulwark/rules"
	"github.com/bulwarkdb/bulwark/snapshot"
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
	// Snapshots holds one snapshot taker per protocol, for the snapshot
	// action; a protocol without one refuses what policy would snapshot.
	Snapshots map[string]snapshot.Taker
	Log       *slog.Logger
	// MaxStatementBytes refuses longer SQL texts unread.
	MaxStatementBytes int
	// AnalysisBytes bounds the total size of the long texts analysed at
	// once (config.Limits.AnalysisBytes); zero means MaxStatementBytes.
	AnalysisBytes int
	// LogStatements puts refused statements' text in the log.
	LogStatements bool
	// Now is the clock (tests may replace it).
	Now func() time.Time

	live       atomic.Pointer[livePolicy]
	generation atomic.Uint64

	budgetOnce sync.Once
	budget     *semaphore.Weighted
	budgetSize int64
}

var _ gate.Enforcer = (*Enforcer)(nil)

// Classify implements gate.Enforcer.
// Every client-chosen name is checked against the agent patterns (any match
// makes the session an agent): application_name for PostgreSQL, the
// program_name and _client_name connection attributes for MySQL.
func (e *Enforcer) Classify(s *gate.Session) gate.Kind {
	ids, _ := e.policies()
	k := ids.ClassifySession(rules.Signals{
		User:             s.User,
		ApplicationNames: []string{s.ApplicationName, s.ClientAttributes["program_name"], s.ClientAttributes["_client_name"]},
		ClientAddr:       s.ClientAddr,
		CertSubject:      s.ClientCertSubject,
		IdentityKind:     rules.Kind(s.IdentityKind),
		AgentListener:    s.AgentListener,
	})
	if k == rules.Agent {
		return gate.Agent
	}
	return gate.Human
}

// livePolicy is what a configuration reload replaces.
type livePolicy struct {
	identities rules.Identities
	policy     rules.Policy
	snapshots  map[string]snapshot.Taker
}

// SetPolicy replaces the identity rules, the policy and the snapshot takers
// for every check from now on (configuration reload); sessions keep the
// kind they were classified as.
func (e *Enforcer) SetPolicy(ids rules.Identities, p rules.Policy, snapshots map[string]snapshot.Taker) {
	e.live.Store(&livePolicy{identities: ids, policy: p, snapshots: snapshots})
	e.generation.Add(1)
}

// PolicyGeneration implements gate.Enforcer: it counts SetPolicy calls.
func (e *Enforcer) PolicyGeneration() uint64 { return e.generation.Load() }

func (e *Enforcer) policies() (rules.Identities, rules.Policy) {
	if lp := e.live.Load(); lp != nil {
		return lp.identities, lp.policy
	}
	return e.Identities, e.Policy
}

func (e *Enforcer) taker(protocol string) snapshot.Taker {
	if lp := e.live.Load(); lp != nil {
		return lp.snapshots[protocol]
	}
	return e.Snapshots[protocol]
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
	shaped := false
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
			an, shaped = e.analyse(ctx, cache, req.SQL, lexing(lx))
		}
	}
	_, policy := e.policies()
	d := policy.For(s.User, s.ApplicationName).Decide(kind, an)
	switch d.Action {
	case rules.Allow:
		return gate.Verdict{Allow: true, Shaped: shaped}
	case rules.Snapshot:
		return e.snapshot(ctx, s, req, an, d, up)
	}
	return e.refuse(ctx, s, req, an, d)
}

// AppendShape implements gate.Enforcer: the analyser's quick literal-free
// key, for texts the cache keeps and the statement limit lets through.
func (e *Enforcer) AppendShape(dst []byte, s *gate.Session, lx gate.Lexing, sql string) ([]byte, bool) {
	cache := e.Analyzers[s.Protocol]
	if cache == nil || len(sql) > e.MaxStatementBytes {
		return dst, false
	}
	return cache.AppendShape(dst, sql, lexing(lx))
}

// lexing is the analyser's view of a session's lexing settings.
func lexing(lx gate.Lexing) sqlparse.Lexing {
	return sqlparse.Lexing{
		NonStandardStrings: !lx.StandardConformingStrings,
		ClientEncoding:     lx.ClientEncoding,
		SQLMode:            lx.SQLMode,
	}
}

// collectAfter is the text length from which an analysis is followed by a
// garbage collection; it takes far less time than such a parse.
const collectAfter = 1 << 20

// analyse analyses text through the cache. A text too long for the cache
// to keep first waits until it fits the analysis budget: parsing takes
// tens of times a text's size in memory, and sessions sending bulk
// INSERTs of several MiB at once would otherwise add it all up.
func (e *Enforcer) analyse(ctx context.Context, cache *sqlparse.Cache, text string, lx sqlparse.Lexing) (an *sqlparse.Analysis, shaped bool) {
	if len(text) > sqlparse.MaxCachedText {
		e.budgetOnce.Do(func() {
			e.budgetSize = int64(max(e.AnalysisBytes, e.MaxStatementBytes))
			e.budget = semaphore.NewWeighted(e.budgetSize)
		})
		n := min(int64(len(text)), e.budgetSize)
		if err := e.budget.Acquire(ctx, n); err != nil {
			return single(sqlparse.Finding{Category: sqlparse.CategoryUnanalysable, Rule: "parse-error",
				Reason: "the statement was not analysed: the session ended while it waited for its turn (" + err.Error() + ")"}, text), false
		}
		defer e.budget.Release(n)
		if len(text) >= collectAfter {
			// The parse's garbage is tens of times the text: collect it
			// before the next long text adds its own on top.
			defer runtime.GC()
		}
	}
	return cache.AnalyzeShape(text, lx)
}

// snapshot records the decision, then has the protocol's taker prepare (or
// take) the snapshot. Whatever goes wrong before the snapshot exists refuses
// the statement: no snapshot, no statement.
func (e *Enforcer) snapshot(ctx context.Context, s *gate.Session, req gate.Request, an *sqlparse.Analysis, d rules.Decision, up gate.Upstream) gate.Verdict {
	if up == nil {
		// The statement does not run now (a MySQL prepare): nothing to
		// take or record yet. The engine judges it again, with its
		// upstream, every time it runs.
		return gate.Verdict{Allow: true, Snapshot: &gate.Snapshot{}}
	}
	taker := e.taker(s.Protocol)
	if taker == nil {
		d.Action, d.Note = rules.Block, "The policy lets this run with a snapshot, but bulwark has no snapshot support for "+s.Protocol+"."
		return e.refuse(ctx, s, req, an, d)
	}
	ev := e.event(s, req, an, d)
	ev.Action = string(rules.Snapshot)
	ev.Reason += "; bulwark lets it run after a snapshot, which the database's catalog bulwark_recycle.snapshots lists under this event's id (bulwark snapshots list --event ID)"
	id, err := e.Audit.Record(ctx, ev)
	if err != nil {
		d.Action = rules.Block
		return e.auditFailed(s, d, err)
	}
	sr := snapshot.Request{
		EventID: id, SessionID: s.ID, User: s.User, Database: s.Database,
		Operation: string(d.Finding.Category), Statement: ev.Statement,
	}
	for _, f := range d.Snapshots {
		sr.Undo = append(sr.Undo, f.Undo)
	}
	plan, err := taker.Take(ctx, sr, upstream{up})
	failed := e.snapshotFailed(d, id)
	if err != nil {
		// The refusal is an event of its own: the first one says a
		// snapshot was decided, this one that the statement did not run.
		ev.Action, ev.Rule, ev.Reason = string(rules.Block), rules.RuleSnapshotFailed, err.Error()
		ev.Time = e.now()
		fid, aerr := e.Audit.Record(ctx, ev)
		e.Log.Warn("snapshot failed; statement refused", "session", s.ID, "user", s.User, "event", fid, "err", err, "audit_err", aerr)
		f := failed
		f.Message += " Reason: " + err.Error()
		return f
	}
	e.Log.Info("statement runs after a snapshot", "session", s.ID, "user", s.User, "database", s.Database,
		"rule", d.Finding.Rule, "event", id)
	v := gate.Verdict{Allow: true, EventID: id}
	if plan != nil {
		v.Snapshot = &gate.Snapshot{
			SQL: plan.SQL, Replace: plan.Replace, Tag: plan.Tag, PassCodes: plan.PassCodes,
			Failed: failed, Statement: ev.Statement, Category: ev.Category, Rule: ev.Rule,
		}
	}
	return v
}

// upstream adapts the engines' Exec seam to the snapshot takers, which know
// no protocol.
type upstream struct{ gate.Upstream }

func (u upstream) Exec(ctx context.Context, sql string) (*snapshot.Result, error) {
	res, err := u.Upstream.Exec(ctx, sql)
	if err != nil {
		return nil, err
	}
	return &snapshot.Result{Rows: res.Rows, Err: res.Err, TxStatus: res.TxStatus}, nil
}

// SnapshotFailed implements gate.Enforcer: the engine learnt from the server
// that the snapshot SQL failed, so the statement did not run.
func (e *Enforcer) SnapshotFailed(ctx context.Context, s *gate.Session, snap *gate.Snapshot, reason string) gate.Verdict {
	ev := audit.Event{
		Time: e.now(), SessionID: s.ID, ClientAddr: s.ClientAddr, Protocol: s.Protocol, Database: s.Database,
		User: s.User, Application: s.ApplicationName, Kind: string(s.Kind), Statement: snap.Statement,
		Category: snap.Category, Rule: rules.RuleSnapshotFailed, Action: string(rules.Block), Reason: reason,
	}
	id, err := e.Audit.Record(ctx, ev)
	e.Log.Warn("snapshot failed; statement not run", "session", s.ID, "user", s.User, "event", id,
		"snapshot_event", snap.Failed.EventID, "reason", reason, "audit_err", err)
	v := snap.Failed
	v.Message += " Reason: " + reason
	if err == nil {
		v.Message += fmt.Sprintf(" (recorded as audit event %d)", id)
	}
	return v
}

// snapshotFailed words the refusal sent when a snapshot cannot be taken; the
// reason is appended by whoever learns it (the taker, or the engine from
// the server's error).
func (e *Enforcer) snapshotFailed(d rules.Decision, id int64) gate.Verdict {
	what := d.Statement.Command
	if what == "" || what == "UNKNOWN" {
		what = "this statement"
	}
	return gate.Verdict{
		Code: refusalCode,
		Message: fmt.Sprintf("bulwark did not run %s (rule %s, audit event %d): the policy lets it run only after a snapshot of what it destroys, and the snapshot could not be taken, so nothing was changed. %s",
			what, d.Finding.Rule, id, rules.Advice(rules.RuleSnapshotFailed)),
		Detail:  "The statement did not run.",
		EventID: id,
	}
}

// refuse records the refusal, then words it. If the record cannot be
// written the statement is still refused, and the agent is told why.
func (e *Enforcer) refuse(ctx context.Context, s *gate.Session, req gate.Request, an *sqlparse.Analysis, d rules.Decision) gate.Verdict {
	if req.Source == gate.SourceStartup {
		// The text is bulwark's own rendering of the StartupMessage.
		d.Statement.Command = "the connection's startup settings"
	}
	ev := e.event(s, req, an, d)
	id, err := e.Audit.Record(ctx, ev)
	if err != nil {
		return e.auditFailed(s, d, err)
	}
	log := e.Log.With("session", s.ID, "user", s.User, "database", s.Database,
		"rule", d.Finding.Rule, "category", d.Finding.Category, "event", id)
	if e.LogStatements {
		log = log.With("statement", ev.Statement)
	}
	log.Warn("statement refused")
	r := rules.Explain(d, id)
	return gate.Verdict{Code: refusalCode, Message: r.Message, Detail: r.Detail, EventID: id}
}

// event describes a decision for the audit store.
func (e *Enforcer) event(s *gate.Session, req gate.Request, an *sqlparse.Analysis, d rules.Decision) audit.Event {
	return audit.Event{
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
}

// auditFailed refuses a statement whose decision could not be recorded.
func (e *Enforcer) auditFailed(s *gate.Session, d rules.Decision, err error) gate.Verdict {
	e.Log.Error("decision could not be recorded; statement refused", "session", s.ID, "user", s.User,
		"rule", d.Finding.Rule, "err", err)
	return gate.Verdict{
		Code: refusalCode,
		Message: "bulwark refused this statement: it would have been refused by rule " + d.Finding.Rule +
			" (" + d.Finding.Reason + "), and in addition the refusal could not be written to the audit log, " +
			"so bulwark refuses every statement it would record until the audit store is repaired. " + rules.Advice(rules.RuleAuditUnavailable),
		Detail: "audit store error: " + strings.TrimSuffix(err.Error(), ".") + ".",
	}
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
