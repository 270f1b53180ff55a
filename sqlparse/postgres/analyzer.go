// Package postgres analyses PostgreSQL SQL text with pg_query, which embeds the
// PostgreSQL server's own parser: comments, casing, quoting, dollar quoting and
// unicode escapes are read exactly as the server reads them, and every verdict
// comes from the parse tree, never from the text.
package postgres

import (
	"encoding/binary"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// Rule names produced by this package. They are part of bulwark's stable
// vocabulary (audit log, CLI, documentation).
const (
	RuleDropObject      = "drop-object"
	RuleAlterDropColumn = "alter-drop-column"
	RuleDropLargeObject = "drop-large-object"
	RuleTruncate        = "truncate"
	RuleDeleteNoWhere   = "delete-no-where"
	RuleDeleteAlways    = "delete-always-true"
	RuleUpdateNoWhere   = "update-no-where"
	RuleUpdateAlways    = "update-always-true"
	RuleParseError      = "parse-error"
	RuleDynamicSQL      = "dynamic-sql"
	RuleCopyProgram     = "copy-program"
	RuleServerFileWrite = "server-file-write"
	RuleAlterSystem     = "alter-system"
	// RuleStatementRewrite: CREATE OPERATOR, and rules that discard
	// statements, change what later statements do.
	RuleStatementRewrite  = "statement-rewrite"
	RuleAccountManagement = "account-management"
	RuleServerControl     = "server-control"
	RuleHeapSurgery       = "heap-surgery"
	RuleColumnRewrite     = "alter-column-rewrite"
	// RuleColumnTruncate: a type change that drops part of every value.
	RuleColumnTruncate = "alter-column-truncate"
	// RuleForeignKeyCascade: a foreign key added to an existing table
	// whose actions delete or blank its rows when the referenced rows
	// change.
	RuleForeignKeyCascade = "foreign-key-cascade"
	// RuleNonDurable: a table made one whose rows survive no crash.
	RuleNonDurable    = "non-durable-table"
	RuleLexerMismatch = "lexer-mismatch"
	// RuleDisableSafeguard: switching off the database's own protections
	// (triggers, rules, row security, session_replication_role).
	RuleDisableSafeguard = "disable-safeguard"
)

// Analyzer implements sqlparse.Analyzer for PostgreSQL. The zero value is
// ready to use and it holds no state, so one value serves every session.
type Analyzer struct{}

// New returns a PostgreSQL analyser.
func New() *Analyzer { return &Analyzer{} }

var _ sqlparse.Analyzer = (*Analyzer)(nil)

// multiByteClientEncodings are the client-only encodings whose multi-byte
// characters can contain bytes in the ASCII range (a trailing 0x5C is a
// backslash to a UTF-8 reader). The server converts them before parsing;
// pg_query reads UTF-8, so any non-ASCII byte could be read differently.
var multiByteClientEncodings = map[string]bool{
	"SJIS": true, "SHIFT_JIS_2004": true, "BIG5": true, "GBK": true, "UHC": true, "GB18030": true,
	"JOHAB": true,
}

// Preflight refuses text the server would lex differently from pg_query,
// which always reads with standard_conforming_strings on and UTF-8.
func (a *Analyzer) Preflight(text string, lx sqlparse.Lexing) (sqlparse.Finding, bool) {
	if lx.NonStandardStrings && strings.IndexByte(text, '\\') >= 0 {
		return sqlparse.Finding{
			Category: sqlparse.CategoryUnanalysable, Rule: RuleLexerMismatch,
			Reason: "this session has standard_conforming_strings set to off, under which a backslash inside '...' " +
				"escapes the next character; bulwark cannot read such text the way the server would",
		}, true
	}
	if lx.ClientEncoding != "UTF8" && multiByteClientEncodings[strings.ToUpper(lx.ClientEncoding)] && !isASCII(text) {
		return sqlparse.Finding{
			Category: sqlparse.CategoryUnanalysable, Rule: RuleLexerMismatch,
			Reason: "this session's client_encoding is " + lx.ClientEncoding + ", whose multi-byte characters " +
				"can hide quote and backslash bytes; bulwark only analyses non-ASCII text sent as UTF8",
		}, true
	}
	return sqlparse.Finding{}, false
}

// LexingSensitive: standard_conforming_strings only matters to text with a
// backslash, client_encoding only to text with non-ASCII bytes.
func (a *Analyzer) LexingSensitive(text string) bool {
	return strings.IndexByte(text, '\\') >= 0 || !isASCII(text)
}

func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 { // eight bytes at a time: any high bit set?
		if binary.LittleEndian.Uint64([]byte(s[i:i+8]))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// QuickKey returns the cache key of texts written in the plain subset
// fastKey reads, computed in Go without the parser: the text with every
// literal replaced by a placeholder, after the prefix "f:". A text without
// literals is its own key, unprefixed. No SQL text starts with "f:" or
// "n:" (see CacheKey), so no key meets another kind's.
func (a *Analyzer) QuickKey(text string, _ sqlparse.Lexing) (string, bool) {
	return fastKey(text, "f:")
}

// AppendShape appends QuickKey's key to dst. fastKey's scan gives no key
// to a text with a backslash or a non-ASCII byte, the only bytes
// LexingSensitive and Preflight look at, so the scan is the whole check.
func (a *Analyzer) AppendShape(dst []byte, text string, _ sqlparse.Lexing) ([]byte, bool) {
	return appendFastKey(dst, text, "f:")
}

// CacheKey returns, for a text QuickKey cannot read, pg_query's normalised
// form after the prefix "n:" (the server's own scanner finds the literals),
// or the text itself when it has no literals. Texts that do not parse have
// no key.
func (a *Analyzer) CacheKey(text string, lx sqlparse.Lexing) (string, bool) {
	if key, ok := a.QuickKey(text, lx); ok {
		return key, true
	}
	if _, ok := shapeCheck(text); !ok {
		return "", false
	}
	key, err := pg_query.Normalize(text)
	if err != nil {
		return "", false
	}
	if key == text {
		return text, true
	}
	return "n:" + key + nullSignature(text), true
}

// nullSignature tells apart, in a normalised key, the texts that have a NULL
// where others have a value: pg_query's normalised form writes both as $n,
// but x = NULL is not a comparison with a value (with transform_null_equals
// on the server reads it as x IS NULL), so the analyser reads which constants
// are NULL as part of the text's shape rather than as literal values. For a
// text with a NULL constant it returns, after a NUL byte (which no SQL text
// holds), one letter per constant token in text order: N for NULL, c for any
// other. Texts that share a normalised form and this signature have their
// NULLs at the same $n. A text without NULL gets "".
func nullSignature(text string) string {
	if !containsFold(text, "null") {
		return ""
	}
	scan, err := pg_query.Scan(text)
	if err != nil {
		return "\x00?" // unreadable: shares its key with no other text
	}
	var b strings.Builder
	nulls := false
	for _, t := range scan.Tokens {
		switch t.Token {
		case pg_query.Token_NULL_P:
			nulls = true
			b.WriteByte('N')
		case pg_query.Token_ICONST, pg_query.Token_FCONST, pg_query.Token_SCONST, pg_query.Token_USCONST,
			pg_query.Token_BCONST, pg_query.Token_XCONST, pg_query.Token_TRUE_P, pg_query.Token_FALSE_P:
			b.WriteByte('c')
		}
	}
	if !nulls {
		return ""
	}
	return "\x00nulls:" + b.String()
}

// containsFold reports whether s contains the lower-case ASCII word sub in
// any letter case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// Mode is empty: pg_query has one way of reading text, and Preflight
// refuses text the session would read differently.
func (a *Analyzer) Mode(sqlparse.Lexing) string { return "" }

// Analyze parses text and summarises every statement in it. Lexing is
// handled by Preflight.
func (a *Analyzer) Analyze(text string, _ sqlparse.Lexing) *sqlparse.Analysis {
	if f, ok := shapeCheck(text); !ok {
		return unanalysable(text, f)
	}
	tree, err := pg_query.Parse(text)
	if err != nil {
		return unparsable(text, err)
	}
	out := &sqlparse.Analysis{}
	if fp, err := pg_query.Fingerprint(text); err == nil {
		out.Fingerprint = fp
	}
	for _, raw := range tree.Stmts {
		w := &walker{}
		w.statement(raw.Stmt)
		if w.budget.Exhausted() {
			w.findings = append(w.findings, sqlparse.TooComplex())
		}
		if w.recycle && (w.writes || raw.Stmt.GetSelectStmt() == nil && raw.Stmt.GetExplainStmt() == nil) {
			w.add(sqlparse.CategoryProtected, sqlparse.RuleRecycleArea, sqlparse.RecyclePrefix,
				"this statement would change bulwark's recycle area, where the snapshots DBAs restore from are kept")
		}
		out.Statements = append(out.Statements, sqlparse.Statement{
			Command:  commandOf(raw.Stmt),
			Text:     statementText(text, raw),
			Findings: w.findings,
		})
		out.LiteralSensitive = out.LiteralSensitive || w.literalSensitive
	}
	if len(out.Statements) == 0 {
		// An empty query (only comments or semicolons) runs nothing.
		out.Statements = []sqlparse.Statement{{Command: "EMPTY"}}
	}
	return out
}

func unparsable(text string, err error) *sqlparse.Analysis {
	return unanalysable(text, sqlparse.Finding{
		Category: sqlparse.CategoryUnanalysable, Rule: RuleParseError,
		Reason: "the text is not valid PostgreSQL SQL (" + err.Error() + "), so bulwark cannot tell what it would do",
	})
}

// unanalysable is the analysis of a text bulwark did not read.
func unanalysable(text string, f sqlparse.Finding) *sqlparse.Analysis {
	// Never shared through a literal-free key: whether a text can be read
	// is not something to lend to other texts.
	return &sqlparse.Analysis{LiteralSensitive: true, Statements: []sqlparse.Statement{{
		Command:  "UNKNOWN",
		Text:     text,
		Findings: []sqlparse.Finding{f},
	}}}
}

// statementText cuts one statement out of the request text using the
// locations pg_query reports (byte offsets; a zero length means "to the
// end").
func statementText(text string, raw *pg_query.RawStmt) string {
	start := int(raw.StmtLocation)
	if start < 0 || start > len(text) {
		return ""
	}
	end := len(text)
	if raw.StmtLen > 0 && start+int(raw.StmtLen) <= len(text) {
		end = start + int(raw.StmtLen)
	}
	return strings.TrimSpace(text[start:end])
}
