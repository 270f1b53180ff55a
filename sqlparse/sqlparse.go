// Package sqlparse turns SQL text into a dialect-neutral summary of what the
// text would do when the server runs it: one Statement per top-level
// statement, each carrying the Findings that policy cares about (a DROP, a
// TRUNCATE, a DELETE that reaches every row, SQL that cannot be analysed).
//
// The dialect parsers live in leaf packages (sqlparse/postgres uses the
// PostgreSQL server's own grammar through pg_query). This package holds the
// shared types and the verdict cache; it never sees protocol bytes and makes
// no policy decision: a Finding says what a statement does, the rules package
// says whether that is allowed for whom.
package sqlparse

// Category groups findings that policy treats alike. Each category can be set
// to an action in the configuration.
type Category string

const (
	// CategoryDrop: the statement destroys a schema object (DROP of any
	// kind, ALTER TABLE ... DROP COLUMN, unlinking a large object).
	CategoryDrop Category = "drop"
	// CategoryTruncate: TRUNCATE in any of its forms.
	CategoryTruncate Category = "truncate"
	// CategoryDelete: a DELETE that reaches every row of its table (no
	// WHERE, a WHERE that is always true, or one that does not depend on
	// the row at all).
	CategoryDelete Category = "delete"
	// CategoryUpdate: the same for UPDATE.
	CategoryUpdate Category = "update"
	// CategoryUnanalysable: what bulwark cannot judge statically: text
	// that does not parse, dynamic SQL, COPY ... PROGRAM, a session whose
	// lexing differs from the parser's.
	CategoryUnanalysable Category = "unanalysable"
	// CategoryProtected: the statement would change what agents may only
	// read: bulwark's own recycle area, where snapshots are kept (schemas
	// or databases whose names start with RecyclePrefix), or the server's
	// system catalogs (PostgreSQL's pg_catalog, MySQL's mysql database,
	// where accounts and the definitions of every table live). No
	// configuration allows it.
	CategoryProtected Category = "protected"
)

// RecyclePrefix starts the names of bulwark's recycle area: the catalog
// schema bulwark_recycle and each snapshot's bulwark_recycle_<id>.
const RecyclePrefix = "bulwark_recycle"

// The rules of CategoryProtected findings.
const (
	RuleRecycleArea   = "recycle-area"
	RuleSystemCatalog = "system-catalog"
)

// Categories lists every category, in the order documentation shows them.
var Categories = []Category{CategoryDrop, CategoryTruncate, CategoryDelete, CategoryUpdate, CategoryUnanalysable}

// Finding is one thing a statement would do that policy may refuse.
type Finding struct {
	Category Category `json:"category"`
	// Rule names the precise check that produced the finding, e.g.
	// "drop-object", "delete-always-true". Rule names are stable: the
	// audit log, the CLI and the documentation use them.
	Rule string `json:"rule"`
	// Object names what is affected when known (e.g. "TABLE public.users").
	Object string `json:"object,omitempty"`
	// Reason explains in one sentence, for the agent that sent the
	// statement, what the statement would do.
	Reason string `json:"reason"`
	// Limited is set on a DELETE or UPDATE finding when the statement
	// carries a LIMIT that bounds how many rows it reaches (MySQL).
	// Policy may accept such statements (policy.limit_bounds).
	Limited bool `json:"limited,omitempty"`
	// Undo says how a snapshot can preserve what the finding's statement
	// would destroy. It is nil when no snapshot can: the object kind
	// cannot be set aside, or the destructive part does not run when the
	// statement does (a function or DO body, a rule's action, a prepared
	// statement's body).
	Undo *Undo `json:"undo,omitempty"`
}

// UndoKind is how a snapshot preserves what a statement destroys.
type UndoKind string

const (
	// UndoMove: the objects are moved aside instead of being destroyed;
	// the statement itself does not run (DROP TABLE becomes a move into
	// the recycle area).
	UndoMove UndoKind = "move"
	// UndoRows: the tables' rows are copied aside, then the statement
	// runs unchanged (TRUNCATE, DELETE, UPDATE).
	UndoRows UndoKind = "rows"
)

// Undo describes the objects a snapshot must preserve.
type Undo struct {
	Kind UndoKind `json:"kind"`
	// ObjectType is the SQL name of the objects' kind: "TABLE",
	// "MATERIALIZED VIEW", "SCHEMA", "DATABASE".
	ObjectType string       `json:"object_type"`
	Objects    []ObjectName `json:"objects"`
	// MissingOK: the statement says IF EXISTS.
	MissingOK bool `json:"missing_ok,omitempty"`
	// Cascade: the statement would also destroy objects that depend on
	// these (DROP ... CASCADE, TRUNCATE ... CASCADE).
	Cascade bool `json:"cascade,omitempty"`
}

// ObjectName is an object's name as the statement wrote it, identifiers
// already case-folded the way the server folds them.
type ObjectName struct {
	// Schema is empty when the statement did not qualify the name (the
	// server resolves it through the session's search path or current
	// database).
	Schema string `json:"schema,omitempty"`
	Name   string `json:"name"`
	// Only: the statement excludes inheritance children (ONLY t).
	Only bool `json:"only,omitempty"`
}

// String returns schema.name, unquoted, for messages.
func (o ObjectName) String() string {
	if o.Schema == "" {
		return o.Name
	}
	return o.Schema + "." + o.Name
}

// Statement summarises one top-level statement.
type Statement struct {
	// Command is the statement's command word(s) as the server would name
	// it in a command tag, e.g. "SELECT", "DROP TABLE", "DELETE".
	Command string `json:"command"`
	// Text is the statement's own text within the request (best effort:
	// empty when the request could not be split).
	Text string `json:"text,omitempty"`
	// Findings are empty for a statement policy need not look at.
	Findings []Finding `json:"findings,omitempty"`
}

// Analysis is the summary of one request's SQL text. It is immutable once
// built and may be shared between sessions through the cache.
type Analysis struct {
	Statements []Statement `json:"statements"`
	// Fingerprint identifies the statement shape independent of literal
	// values and formatting; the audit log stores it so that auditors can
	// group events. Empty when the text did not parse.
	Fingerprint string `json:"fingerprint,omitempty"`
	// LiteralSensitive is set when some finding (or the absence of one)
	// depends on the value of a literal, e.g. the folding of WHERE 1 = 1 or
	// the body of a DO block. Such analyses are cached only under their
	// exact text, never under the literal-free key.
	LiteralSensitive bool `json:"-"`
}

// Findings returns every finding of every statement, in order.
func (a *Analysis) Findings() []Finding {
	var out []Finding
	for _, s := range a.Statements {
		out = append(out, s.Findings...)
	}
	return out
}

// Lexing describes session settings that change how the server reads SQL
// text. A dialect analyser that cannot read text the way the server will under
// these settings must report the text as unanalysable rather than guess.
type Lexing struct {
	// PostgreSQL: standard_conforming_strings as the server last reported
	// it. When false, a backslash inside '...' escapes the next character.
	NonStandardStrings bool
	// The client character set: for PostgreSQL client_encoding as the
	// server last reported it, upper case (e.g. "UTF8", "SJIS"); for MySQL
	// character_set_client as the server reports it (e.g. "utf8mb4",
	// "gbk"). Empty means UTF-8.
	ClientEncoding string
	// MySQL: the session's sql_mode (upper case, comma separated).
	SQLMode string
}

// Analyzer is implemented by each dialect.
type Analyzer interface {
	// LexingSensitive reports whether the session's Lexing settings could
	// change how the server reads text (for MySQL also what it does with
	// it: sql_mode's strictness decides whether an ALTER cuts values).
	// Only such texts need the settings
	// in force at the moment the server reads them; a protocol engine
	// waits for earlier requests to complete before judging them, since
	// any statement can change a setting (SET, set_config, an UPDATE of
	// pg_settings, a function).
	LexingSensitive(text string) bool
	// Preflight reports, before any cache lookup, whether the session's
	// lexing settings would make the server read text differently from
	// the parser. When it returns a finding the text is not analysed and
	// the finding stands alone.
	Preflight(text string, lx Lexing) (Finding, bool)
	// Mode returns the part of lx that changes how the analyser reads
	// text (for MySQL, the parsing-relevant sql_mode flags; for
	// PostgreSQL, nothing: Preflight refuses what it would misread).
	// Analyses are cached per mode.
	Mode(lx Lexing) string
	// Analyze summarises text as the server reads it under lx. It never
	// fails: what it cannot read becomes a finding of
	// CategoryUnanalysable.
	Analyze(text string, lx Lexing) *Analysis
	// CacheKey returns a key under which the analysis of text may be
	// shared with every other text that has the same key, provided the
	// analysis is not LiteralSensitive. ok is false when the text has no
	// such key (the caller then analyses it fully). A key equal to the
	// text says the text has no literals.
	CacheKey(text string, lx Lexing) (key string, ok bool)
	// QuickKey is CacheKey for the texts whose key a scan in Go can find,
	// at a small fraction of a parse's cost; ok is false for any other
	// text, whose key may still come from CacheKey.
	QuickKey(text string, lx Lexing) (key string, ok bool)
	// AppendShape appends QuickKey's key to dst for a text that is not
	// LexingSensitive and that Preflight passes under lx; ok is false,
	// and dst returned as it was, for any other text. It is the one call
	// on the path of a statement a session repeats with new literals, so
	// an analyser whose scan already rules those texts out gives it in
	// that single scan. PostgreSQL's allocates only when dst lacks room.
	AppendShape(dst []byte, text string, lx Lexing) (key []byte, ok bool)
}
