// Package rules is bulwark's policy: given who a session is and what its
// statement would do (a sqlparse.Analysis), it decides whether the statement
// may run, and words the refusal for the agent that sent it. It is pure: no
// I/O, no clock, no protocol.
package rules

import (
	"fmt"
	"net/netip"
	"path"
	"strings"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// Kind is what an identity is to policy.
type Kind string

const (
	Agent Kind = "agent"
	Human Kind = "human"
)

// Action is what policy does with a statement.
type Action string

const (
	Allow Action = "allow"
	Block Action = "block"
	// Snapshot lets the statement run once what it would destroy has been
	// preserved (moved or copied aside) where it can be restored from.
	Snapshot Action = "snapshot"
)

// CategoryLimit holds findings about bounds bulwark itself enforces (an
// oversized statement or request). They are always refused for agents: no
// configuration can wave through what was never read.
const CategoryLimit sqlparse.Category = "limit"

// Rules that the protocol engines and the enforcer raise themselves, outside
// any SQL analysis.
const (
	RuleStatementTooLarge = "statement-too-large"
	RuleRequestTooLarge   = "request-too-large"
	RuleFastpathCall      = "fastpath-call"
	RuleUnsupported       = "unsupported-command"
	RuleAuditUnavailable  = "audit-unavailable"
	RuleSnapshotFailed    = "snapshot-failed"
	// RuleStartupOption: a switch in a PostgreSQL connection's options
	// that bulwark does not read.
	RuleStartupOption = "startup-option"
)

// ProtocolFinding turns a refusal raised by a protocol engine (by rule name)
// into a finding of the right category.
func ProtocolFinding(rule, reason string) sqlparse.Finding {
	cat := sqlparse.CategoryUnanalysable
	switch rule {
	case RuleStatementTooLarge, RuleRequestTooLarge:
		cat = CategoryLimit
	}
	return sqlparse.Finding{Category: cat, Rule: rule, Reason: reason}
}

// Identities decides whether a session is an agent or a human. Agent signals
// are checked first and any one of them is enough: a signal can only make a
// session more restricted, never less.
type Identities struct {
	Default               Kind
	AgentUsers            []string // globs over the database user name
	AgentApplicationNames []string // globs over application_name
	HumanUsers            []string
	// AgentAddresses are client address ranges whose sessions are agents.
	AgentAddresses []netip.Prefix
	// AgentCertificateSubjects are globs over verified client certificate
	// subjects whose sessions are agents.
	AgentCertificateSubjects []string
}

// Signals is what a session says about itself beyond its user name.
type Signals struct {
	User             string
	ApplicationNames []string // client-chosen names: application_name, program_name, ...
	ClientAddr       string   // host:port
	CertSubject      string   // of a verified client certificate
	// IdentityKind is the kind of the identity bulwark authenticated
	// itself, empty when the upstream authenticated the client.
	IdentityKind Kind
	// AgentListener: the session came in on an agents-only listener.
	AgentListener bool
}

// ClassifySession combines every signal; any agent signal makes the session
// an agent, so conflicting signals resolve to the more restricted kind. An
// identity bulwark authenticated is of its own kind unless another signal
// says agent.
func (ids Identities) ClassifySession(sig Signals) Kind {
	if sig.AgentListener || sig.IdentityKind == Agent || ids.agentAddress(sig.ClientAddr) ||
		sig.CertSubject != "" && matchAny(ids.AgentCertificateSubjects, sig.CertSubject) {
		return Agent
	}
	for _, n := range sig.ApplicationNames {
		if n != "" && matchAny(ids.AgentApplicationNames, n) {
			return Agent
		}
	}
	if matchAny(ids.AgentUsers, sig.User) {
		return Agent
	}
	if sig.IdentityKind == Human {
		return Human
	}
	return ids.Classify(sig.User, "")
}

func (ids Identities) agentAddress(clientAddr string) bool {
	if len(ids.AgentAddresses) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(clientAddr)
	if err != nil {
		a, err2 := netip.ParseAddr(clientAddr)
		if err2 != nil {
			return false
		}
		ap = netip.AddrPortFrom(a, 0)
	}
	a := ap.Addr().Unmap()
	for _, p := range ids.AgentAddresses {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Classify returns the kind for a user and application name.
func (ids Identities) Classify(user, applicationName string) Kind {
	if matchAny(ids.AgentUsers, user) {
		return Agent
	}
	if applicationName != "" && matchAny(ids.AgentApplicationNames, applicationName) {
		return Agent
	}
	if matchAny(ids.HumanUsers, user) {
		return Human
	}
	if ids.Default == Human {
		return Human
	}
	return Agent
}

func matchAny(globs []string, s string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, s); ok {
			return true
		}
	}
	return false
}

// Policy maps each category to the action taken for agents.
type Policy struct {
	Actions map[sqlparse.Category]Action
	// LimitBounds accepts DELETE/UPDATE findings whose statement carries
	// a bounding LIMIT.
	LimitBounds bool
	// Overrides give some agents other actions; see For.
	Overrides []Override
	// override is the actions of the override For chose, if any.
	override map[sqlparse.Category]Action
}

// Override is the policy of the agents whose user or application name
// matches one of its globs. Its Actions hold only the categories it changes.
type Override struct {
	Users            []string
	ApplicationNames []string
	Actions          map[sqlparse.Category]Action
}

// For returns the policy for a session: the first matching override's
// actions before the global ones. Nothing is copied: every statement of a
// session asks for it.
func (p Policy) For(user, applicationName string) Policy {
	for _, o := range p.Overrides {
		if matchAny(o.Users, user) || applicationName != "" && matchAny(o.ApplicationNames, applicationName) {
			p.override = o.Actions
			return p
		}
	}
	return p
}

// Action returns the action for a category: the override's when the policy
// came from For and the override names the category, else the global one.
func (p Policy) Action(c sqlparse.Category) Action {
	if a, ok := p.override[c]; ok {
		return a
	}
	return p.Actions[c]
}

// Decision is the outcome for one request.
type Decision struct {
	Action Action
	// Finding and Statement say what was refused (or, for a snapshot,
	// the first thing preserved); zero when allowed.
	Finding   sqlparse.Finding
	Statement sqlparse.Statement
	// Snapshots holds, for Action Snapshot, every finding whose Undo the
	// snapshot must carry out.
	Snapshots []sqlparse.Finding
	// Note explains, on a refusal of a category set to snapshot, why no
	// snapshot could be taken.
	Note string
}

// Decide judges an analysis for a session of the given kind. Humans are
// always allowed. For agents the first finding whose category is not allowed
// decides; a category the policy does not name is refused (fail closed). A
// category set to snapshot is allowed with a snapshot when the finding says
// how to undo it and the request is a single statement; otherwise refused.
func (p Policy) Decide(kind Kind, a *sqlparse.Analysis) Decision {
	if kind == Human {
		return Decision{Action: Allow}
	}
	var snapshots []sqlparse.Finding
	var first sqlparse.Statement
	for _, st := range a.Statements {
		for _, f := range st.Findings {
			act := p.Action(f.Category)
			if f.Category == CategoryLimit || f.Category == sqlparse.CategoryProtected {
				act = Block
			}
			if act == Allow || f.Limited && p.LimitBounds {
				continue
			}
			if act != Snapshot {
				return Decision{Action: Block, Finding: f, Statement: st}
			}
			if f.Undo == nil {
				return Decision{Action: Block, Finding: f, Statement: st, Note: "The policy lets this run with a snapshot, " +
					"but bulwark cannot snapshot it: only DROP TABLE, DROP MATERIALIZED VIEW, DROP SCHEMA, TRUNCATE, DELETE and UPDATE " +
					"sent as statements of their own can be snapshotted, not other object kinds nor statements inside function or DO bodies, rules or prepared-statement bodies."}
			}
			if len(snapshots) == 0 {
				first = st
			}
			snapshots = append(snapshots, f)
		}
	}
	if len(snapshots) == 0 {
		return Decision{Action: Allow}
	}
	if len(a.Statements) > 1 {
		return Decision{Action: Block, Finding: snapshots[0], Statement: first, Note: "The policy lets this run with a snapshot, " +
			"but a statement that needs a snapshot must be sent on its own, not in a multi-statement request: send it alone."}
	}
	return Decision{Action: Snapshot, Finding: snapshots[0], Statement: first, Snapshots: snapshots}
}

// advice says, per rule, what an agent should do instead.
var advice = map[string]string{
	"drop-object":              "Dropping objects is reserved to humans: if the object really must go, ask a human to drop it. To stop using a table, leave it in place.",
	"alter-drop-column":        "Dropping a column destroys its data and is reserved to humans: leave the column in place (stop reading or writing it), or ask a human to drop it.",
	"drop-large-object":        "Removing large objects or their contents is reserved to humans: ask a human to run lo_unlink or lo_truncate.",
	"truncate":                 "To remove specific rows, use DELETE with a WHERE clause that names them (e.g. WHERE id = ...); to empty the table, ask a human.",
	"delete-no-where":          "Add a WHERE clause that selects exactly the rows to delete (e.g. WHERE id = 42); to empty the table, ask a human.",
	"delete-always-true":       "Use a WHERE clause that tests columns of the table against specific values (e.g. WHERE id = 42); a condition that is true for every row, or that does not depend on the row, counts as no condition.",
	"update-no-where":          "Add a WHERE clause that selects exactly the rows to change (e.g. WHERE id = 42); to change every row, ask a human.",
	"update-always-true":       "Use a WHERE clause that tests columns of the table against specific values (e.g. WHERE id = 42); a condition that is true for every row, or that does not depend on the row, counts as no condition.",
	"parse-error":              "Fix the statement's syntax; bulwark refuses what it cannot parse.",
	"dynamic-sql":              "Send the SQL statements themselves instead of building them at run time (EXECUTE of a string, dblink, query_to_xml, or bodies in other languages), so that they can be checked.",
	"copy-program":             "Use COPY ... TO STDOUT or COPY ... FROM STDIN and handle the data on the client side.",
	"statement-rewrite":        "Operators and rules that change what later statements do are reserved to humans: call a function by name instead, or ask a DBA.",
	"alter-system":             "The server's configuration is reserved to humans: ask a DBA to change the setting, or use SET for this session only.",
	"account-management":       "Accounts and privileges are managed by humans: ask a DBA to create, change, grant to or revoke from users and roles.",
	"server-control":           "Stopping the server and ending sessions are reserved to humans: ask a DBA. To stop a statement of your own, close its connection.",
	"server-file-write":        "Files on the database host are reserved to humans: read the data on the client instead, with COPY ... TO STDOUT (psql's \\copy) or lo_get (psql's \\lo_export).",
	"heap-surgery":             "pg_surgery is for repairing corruption and is reserved to humans: to remove rows, use DELETE with a WHERE clause that names them.",
	"alter-column-rewrite":     "A USING expression that does not read the column, or (MySQL) turning it into a generated column, replaces its data in every row: convert the column's own values (e.g. USING col::newtype), add a new column instead, or ask a human.",
	"foreign-key-cascade":      "Add the foreign key without a CASCADE, SET NULL or SET DEFAULT action (the default, NO ACTION, refuses deletes that would orphan rows), or ask a human: with one, deletes in another table would remove this table's rows.",
	"too-many-tokens":          "Send fewer rows per statement (several INSERTs of some thousands of rows each), or load bulk data with COPY ... FROM STDIN (MySQL: LOAD DATA LOCAL INFILE), whose rows bulwark does not need to parse.",
	sqlparse.RuleTooComplex:    "Write the condition flatter: fewer levels of subqueries nested in one another (a JOIN, or a temporary table of the keys, instead of IN (SELECT ... IN (SELECT ...))), or fewer tests ORed together (an IN list instead); or split the statement into several.",
	"non-durable-table":        "Keep the table durable: a table whose rows survive no crash or restart (UNLOGGED, ENGINE = MEMORY) is for scratch data; create a new one for that, or ask a human.",
	"alter-ignore":             "Leave out IGNORE: without it the server refuses, and changes nothing, when rows or values would be lost. Remove duplicates first with statements that name the rows, or ask a human.",
	"alter-column-truncate":    "On MySQL, run SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES') on its own, then the ALTER on its own: in strict mode the server refuses a type change that would cut values. A change to DATE or TIME, which no mode stops, is reserved to humans: add a new column and fill it with a bounded UPDATE instead.",
	"disable-safeguard":        "Leave the database's safeguards on: triggers, rules, row security and (MySQL) the binary log protect data and record changes for every session. If a load or a fix really needs one off, ask a DBA to run it.",
	"lexer-mismatch":           "Send text the server reads the way bulwark does: on PostgreSQL run SET standard_conforming_strings = on and SET client_encoding = 'UTF8' in this session; on MySQL or MariaDB run SET NAMES utf8mb4, and send a statement that changes session settings (SET, CALL) on its own. Then send the statement again.",
	RuleStatementTooLarge:      "Split the statement into smaller ones (for example INSERTs of fewer rows each), or load bulk data with COPY ... FROM STDIN on PostgreSQL or LOAD DATA LOCAL INFILE on MySQL or MariaDB.",
	RuleRequestTooLarge:        "Send Sync more often: split the batch into smaller ones.",
	RuleFastpathCall:           "Call the function with a SELECT statement instead of the fast-path protocol.",
	RuleStartupOption:          "Pass settings in options as -c name=value (PGOPTIONS='-c work_mem=64MB'), or run SET once connected.",
	RuleUnsupported:            "Send the work as an SQL statement (a query or a prepared statement); this protocol command is not available to agent sessions.",
	RuleAuditUnavailable:       "Try again later; an administrator must repair bulwark's audit store.",
	sqlparse.RuleSystemCatalog: "The system catalogs (PostgreSQL's pg_catalog and pg_toast, MySQL's mysql database) hold the accounts and the definition of every table: agents may read them but never write them. Use the SQL command made for the change (ALTER TABLE, CREATE INDEX, ...), or ask a DBA. To make another database the default, connect to it or USE it; name mysql tables with their database (mysql.user) in queries.",
	sqlparse.RuleRecycleArea:   "The recycle area (schemas and databases named bulwark_recycle...) holds the snapshots DBAs restore from: agents may read it but not change it. Ask a human if a snapshot must go.",
	RuleSnapshotFailed:         "Nothing was changed. If the snapshot was too large, remove the rows in smaller batches with DELETE ... WHERE; otherwise ask a human to look at the reason above.",
}

// Advice returns what an agent should do instead of a refused statement.
func Advice(rule string) string {
	if a, ok := advice[rule]; ok {
		return a
	}
	return "Ask a human to run this statement."
}

// Rules lists every rule name with its category, for documentation and
// validation.
func Rules() map[string]sqlparse.Category {
	m := map[string]sqlparse.Category{}
	for r := range advice {
		m[r] = ""
	}
	return m
}

// Refusal is the text of a refusal as an agent reads it.
type Refusal struct {
	Message string // one paragraph: what, which rule, why, what instead, audit event
	Detail  string
}

// Explain words a block decision for the agent. eventID is the audit event
// that recorded it (0 if none).
func Explain(d Decision, eventID int64) Refusal {
	f := d.Finding
	what := d.Statement.Command
	if what == "" || what == "UNKNOWN" {
		what = "this statement"
	}
	// The audit event comes first: MySQL clients keep only the first
	// 512 bytes of an error message.
	var msg strings.Builder
	fmt.Fprintf(&msg, "bulwark refused %s (rule %s", what, f.Rule)
	if eventID > 0 {
		fmt.Fprintf(&msg, ", audit event %d", eventID)
	}
	fmt.Fprintf(&msg, "): %s.", strings.TrimSuffix(f.Reason, "."))
	if d.Note != "" {
		fmt.Fprintf(&msg, " %s", d.Note)
	}
	fmt.Fprintf(&msg, " %s", Advice(f.Rule))
	detail := fmt.Sprintf("Agent sessions may not run statements in category %q (rule %q). Nothing of this request was sent to the database.", f.Category, f.Rule)
	return Refusal{Message: msg.String(), Detail: detail}
}

// ExplainSnapshot says, for a DBA, what a snapshot decision will preserve.
func ExplainSnapshot(d Decision) string {
	var parts []string
	for _, f := range d.Snapshots {
		var names []string
		for _, o := range f.Undo.Objects {
			names = append(names, o.String())
		}
		switch f.Undo.Kind {
		case sqlparse.UndoMove:
			parts = append(parts, fmt.Sprintf("%s %s would be moved into the recycle area instead of being dropped", f.Undo.ObjectType, strings.Join(names, ", ")))
		default:
			parts = append(parts, fmt.Sprintf("the rows of %s would be copied into the recycle area, then the statement would run", strings.Join(names, ", ")))
		}
	}
	return "bulwark would run this statement after a snapshot (rule " + d.Finding.Rule + "): " + strings.Join(parts, "; ") + "."
}
