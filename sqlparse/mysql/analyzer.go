// Package mysql analyses MySQL and MariaDB SQL text with the TiDB parser
// (github.com/pingcap/tidb/pkg/parser), a MySQL-compatible grammar in Go.
//
// The TiDB parser reads text the way MySQL does in almost every respect; the
// few places where it does not are handled before it sees the text:
//
//   - Executable comments. MySQL and MariaDB run the content of /*! ... */
//     and /*!NNNNN ... */ (the latter only on servers of at least that
//     version); MariaDB also runs /*M! ... */ and /*M!NNNNNN ... */. The
//     TiDB lexer knows only the first two and ignores the version. Bulwark
//     analyses every reading a server of some kind could make (every
//     combination of the version gates run or skipped: servers do not all
//     follow the version number, MariaDB skips /*!50700 to /*!99999), and a
//     statement is refused if any reading is: skipping a gated comment can
//     remove a WHERE clause as surely as running one can add a DROP.
//   - TiDB's own /*T! ... */ comments, which no MySQL server runs, are read
//     as plain comments.
//   - sql_mode. ANSI_QUOTES, NO_BACKSLASH_ESCAPES, PIPES_AS_CONCAT,
//     HIGH_NOT_PRECEDENCE and IGNORE_SPACE change how text is read; the
//     parser is given the session's flags. Under ANSI_QUOTES the server
//     reads a backslash inside "..." literally while the TiDB lexer reads
//     it as an escape: such text is refused as a lexer mismatch. The server
//     reads each statement of a text only after the previous one has run,
//     so a text whose later statements depend on a setting an earlier one
//     may change is refused too.
//   - The client character set. In gbk, sjis, cp932, big5 and gb18030 a
//     byte 0x5C can be the second half of a character; non-ASCII text in
//     such a session is refused as a lexer mismatch.
//   - sql_mode's strictness decides whether a column type change fails or
//     silently cuts values; texts with the word ALTER count as sensitive so
//     that the session's mode is read for them.
//
// Every verdict comes from the parse tree, never from the text (the one
// thing the grammar drops, the IGNORE of ALTER IGNORE TABLE, is read from
// the TiDB lexer's tokens of the statement).
package mysql

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	pmysql "github.com/pingcap/tidb/pkg/parser/mysql"
	// The test driver supplies the value expressions (literals and
	// parameter markers) that the parser builds.
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// Rule names produced by this package. They are the same as those of the
// PostgreSQL analyser: the audit log, the CLI and the documentation use them
// for both dialects.
const (
	RuleDropObject      = "drop-object"
	RuleAlterDropColumn = "alter-drop-column"
	RuleTruncate        = "truncate"
	RuleDeleteNoWhere   = "delete-no-where"
	RuleDeleteAlways    = "delete-always-true"
	RuleUpdateNoWhere   = "update-no-where"
	RuleUpdateAlways    = "update-always-true"
	RuleParseError      = "parse-error"
	RuleDynamicSQL      = "dynamic-sql"
	RuleLexerMismatch   = "lexer-mismatch"
	RuleAlterSystem     = "alter-system"
	// RuleDisableSafeguard: keeping a session's changes out of the
	// server's own records (the binary log, replication, the general log).
	RuleDisableSafeguard = "disable-safeguard"
	RuleColumnRewrite    = "alter-column-rewrite"
	// RuleNonDurable: a table moved to an engine whose rows survive no
	// restart (MEMORY).
	RuleNonDurable = "non-durable-table"
	// RuleForeignKeyCascade: a foreign key added to an existing table
	// whose actions delete or blank its rows when the parent's change.
	RuleForeignKeyCascade = "foreign-key-cascade"
	// RuleAlterIgnore and RuleColumnTruncate are MySQL's own: PostgreSQL
	// has neither ALTER IGNORE nor a mode in which a type change cuts
	// values instead of failing.
	RuleAlterIgnore    = "alter-ignore"
	RuleColumnTruncate = "alter-column-truncate"
	// RuleAccountManagement covers statements that create, change or
	// grant to accounts and roles (the PostgreSQL analyser uses the same
	// name for its ROLE statements).
	RuleAccountManagement = "account-management"
	// RuleServerControl covers SHUTDOWN, RESTART and KILL: the SQL forms
	// of what COM_SHUTDOWN and COM_PROCESS_KILL do.
	RuleServerControl = "server-control"
	// RuleServerFileWrite: SELECT ... INTO OUTFILE or DUMPFILE, which
	// writes a file on the database host (the PostgreSQL analyser uses
	// the same name for COPY ... TO a file).
	RuleServerFileWrite = "server-file-write"
)

// Analyzer implements sqlparse.Analyzer for MySQL and MariaDB. It is safe for
// concurrent use: TiDB parser instances are not, so each analysis borrows one
// from a pool.
type Analyzer struct {
	parsers sync.Pool
}

// New returns a MySQL analyser.
func New() *Analyzer {
	a := &Analyzer{}
	a.parsers.New = func() any { return parser.New() }
	return a
}

var _ sqlparse.Analyzer = (*Analyzer)(nil)

// parseFlags are the sql_mode flags that change how text is read, and the
// combination modes that imply some of them (the server expands these when
// sql_mode is set, but a configured or remembered value may still carry the
// short name).
var parseFlags = map[string]bool{
	"ANSI_QUOTES": true, "NO_BACKSLASH_ESCAPES": true, "PIPES_AS_CONCAT": true,
	"HIGH_NOT_PRECEDENCE": true, "IGNORE_SPACE": true,
}

// unreadableModes are sql_mode values under which MariaDB switches to a
// different grammar (sql_mode=ORACLE parses PL/SQL; MSSQL changes quoting)
// that the TiDB parser does not have.
var unreadableModes = map[string]bool{"ORACLE": true, "MSSQL": true}

// otherModes are the sql_mode names of MySQL and MariaDB that the TiDB
// parser does not list; none changes how text is read. A name in neither
// list is one bulwark does not know, and so cannot tell whether it changes
// the reading (a future server's mode, or a value read back garbled).
var otherModes = map[string]bool{
	"IGNORE_BAD_TABLE_OPTIONS": true, "EMPTY_STRING_IS_NULL": true, "SIMULTANEOUS_ASSIGNMENT": true,
	"TIME_ROUND_FRACTIONAL": true, "TIME_TRUNCATE_FRACTIONAL": true,
}

// strictModes are the sql_mode flags that make the server refuse to store a
// value that does not fit its column (TRADITIONAL implies both).
var strictModes = map[string]bool{"STRICT_TRANS_TABLES": true, "STRICT_ALL_TABLES": true}

// multiByteCharsets are the client character sets whose multi-byte
// characters can contain bytes in the ASCII range: after a lead byte of
// 0x81 or above, a 0x5C is part of the character, not a backslash (nor is
// a 0x60 a backquote). The server reads text in character_set_client;
// bulwark's scanner and the TiDB lexer read bytes, so any non-ASCII byte
// could be read differently. Every other client character set is either
// single-byte or has only bytes of 0x80 and above in its multi-byte
// characters (UTF-8, EUC-JP, EUC-KR, GB2312); ucs2, utf16 and utf32 cannot
// be client character sets.
var multiByteCharsets = map[string]bool{"big5": true, "cp932": true, "gbk": true, "sjis": true, "gb18030": true}

// asciiSafeCharsets are the other client character sets of MySQL and
// MariaDB: single-byte, or multi-byte with every byte of a multi-byte
// character at 0x80 or above. A character set in neither list is one
// bulwark does not know; non-ASCII text under it is refused like under
// multiByteCharsets.
var asciiSafeCharsets = map[string]bool{
	"armscii8": true, "ascii": true, "binary": true, "cp1250": true, "cp1251": true, "cp1256": true, "cp1257": true,
	"cp850": true, "cp852": true, "cp866": true, "dec8": true, "eucjpms": true, "euckr": true, "gb2312": true,
	"geostd8": true, "greek": true, "hebrew": true, "hp8": true, "keybcs2": true, "koi8r": true, "koi8u": true,
	"latin1": true, "latin2": true, "latin5": true, "latin7": true, "macce": true, "macroman": true, "swe7": true,
	"tis620": true, "ujis": true, "utf8": true, "utf8mb3": true, "utf8mb4": true,
}

// modeInfo is the parse-relevant part of a session's settings: its
// sql_mode and client character set.
type modeInfo struct {
	// canonical is the parse flags, sorted, upper case, comma separated,
	// then ";STRICT" when strict is set.
	canonical  string
	flags      pmysql.SQLMode
	unreadable string // a mode the parser cannot follow, if any
	unknown    string // a mode bulwark does not know, if any
	// strict: sql_mode has STRICT_TRANS_TABLES or STRICT_ALL_TABLES,
	// under which the server refuses a column type change that would cut
	// or zero a value instead of carrying it out (see walker.typeChange).
	// Either flag is enough for ALTER TABLE, whatever the engine: the
	// server copies the rows into a new table and abandons the copy at the
	// first value that does not fit.
	strict bool
	// charset is the client character set when non-ASCII text could be
	// read differently under it (one of multiByteCharsets, or one bulwark
	// does not know), else "".
	charset string
}

// readLexing reads the session's settings. The client character set is
// not part of the canonical form: Preflight refuses every text it could
// change the reading of.
func readLexing(lx sqlparse.Lexing) modeInfo {
	m := readMode(lx.SQLMode)
	if cs := strings.ToLower(lx.ClientEncoding); cs != "" && !asciiSafeCharsets[cs] {
		m.charset = cs
	}
	return m
}

func readMode(sqlMode string) modeInfo {
	var m modeInfo
	if sqlMode == "" {
		// No mode to read: the lexing every shape is computed under
		// (gate.Enforcer's AppendShape), once per statement.
		return m
	}
	set := map[string]bool{}
	for _, part := range strings.Split(sqlMode, ",") {
		part = strings.ToUpper(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		if unreadableModes[part] && m.unreadable == "" {
			m.unreadable = part
		}
		if _, known := pmysql.Str2SQLMode[part]; !known && !otherModes[part] && m.unknown == "" {
			m.unknown = part
		}
		m.strict = m.strict || strictModes[part]
		for _, sub := range pmysql.CombinationSQLMode[part] {
			if parseFlags[sub] {
				set[sub] = true
			}
			m.strict = m.strict || strictModes[sub]
		}
		if parseFlags[part] {
			set[part] = true
		}
	}
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
		m.flags |= pmysql.Str2SQLMode[name]
	}
	sort.Strings(names)
	m.canonical = strings.Join(names, ",")
	if m.strict {
		// Verdicts on type changes differ (see walker.typeChange).
		m.canonical += ";STRICT"
	}
	if m.unreadable != "" {
		// Keep such sessions apart in the cache even though every text
		// is refused for them.
		m.canonical += ";" + m.unreadable
	}
	if m.unknown != "" {
		m.canonical += ";?" + m.unknown
	}
	return m
}

// Mode returns the parse-relevant sql_mode flags of lx, and whether it is
// strict, canonical.
func (a *Analyzer) Mode(lx sqlparse.Lexing) string { return readMode(lx.SQLMode).canonical }

// LexingSensitive reports whether sql_mode or the client character set
// could change how the server reads text: a backslash
// (NO_BACKSLASH_ESCAPES), a double quote (ANSI_QUOTES), "||"
// (PIPES_AS_CONCAT), NOT or "!" (HIGH_NOT_PRECEDENCE; not the "!" of an
// executable comment's opener), a non-ASCII byte (a multi-byte character
// set such as gbk). IGNORE_SPACE (a space between a function name and its
// parenthesis) is not tested: it only changes whether a name is read as a
// function or an identifier. Text with the word ALTER is sensitive too:
// whether a column type change can silently cut values depends on
// sql_mode's strictness (see walker.typeChange).
func (a *Analyzer) LexingSensitive(text string) bool { return sensitive(text, true) }

// sensitive is LexingSensitive; alter says whether the word ALTER counts.
func sensitive(text string, alter bool) bool {
	n := len(text)
	for i := 0; i < n; i++ {
		switch c := text[i]; {
		case c >= 0x80 || c == '\\' || c == '"':
			return true
		case c == '|':
			if i+1 < n && text[i+1] == '|' {
				return true
			}
		case c == '!':
			if !execOpener(text, i) {
				return true
			}
		case c|0x20 == 'n':
			if i+3 <= n && (text[i+1]|0x20) == 'o' && (text[i+2]|0x20) == 't' &&
				(i == 0 || !isIdentChar(text[i-1])) && (i+3 == n || !isIdentChar(text[i+3])) {
				return true
			}
		case c|0x20 == 'a' && alter:
			// A digit may come before the word: "/*!50700ALTER".
			if i+5 <= n && (text[i+1]|0x20) == 'l' && (text[i+2]|0x20) == 't' && (text[i+3]|0x20) == 'e' &&
				(text[i+4]|0x20) == 'r' && (i == 0 || isDigit(text[i-1]) || !isIdentChar(text[i-1])) &&
				(i+5 == n || !isIdentChar(text[i+5])) {
				return true
			}
		}
	}
	return false
}

// execOpener reports whether the "!" at text[i] ends the opener of an
// executable comment, "/*!" or "/*M!". A "*" before the "/*" could close a
// comment instead ("*/*!" is "*/" then "*!"), so it counts as no opener.
func execOpener(text string, i int) bool {
	j := i - 2
	if j >= 1 && text[i-1]|0x20 == 'm' {
		j--
	}
	return j >= 0 && text[j] == '/' && text[j+1] == '*' && (j == 0 || text[j-1] != '*')
}

// Preflight refuses text the parser cannot read the way the server will
// under lx: any text under a sql_mode that switches MariaDB to another
// grammar, under ANSI_QUOTES (with backslash escapes on) a "..."
// identifier that contains a backslash, and non-ASCII text under a client
// character set whose multi-byte characters can hide ASCII bytes.
func (a *Analyzer) Preflight(text string, lx sqlparse.Lexing) (sqlparse.Finding, bool) {
	m := readLexing(lx)
	if f, bad := lexerMismatch(text, m); bad {
		return f, true
	}
	return sqlparse.Finding{}, false
}

func lexerMismatch(text string, m modeInfo) (sqlparse.Finding, bool) {
	if m.unreadable != "" {
		return sqlparse.Finding{
			Category: sqlparse.CategoryUnanalysable, Rule: RuleLexerMismatch,
			Reason: "this session's sql_mode includes " + m.unreadable + ", under which the server uses a different SQL grammar " +
				"that bulwark cannot read",
		}, true
	}
	if m.unknown != "" {
		return sqlparse.Finding{
			Category: sqlparse.CategoryUnanalysable, Rule: RuleLexerMismatch,
			Reason: "this session's sql_mode includes " + strconv.Quote(m.unknown) + ", a mode bulwark does not know: " +
				"it may change how the server reads SQL",
		}, true
	}
	if m.charset != "" && !multiByteCharsets[m.charset] && !isASCII(text) {
		return sqlparse.Finding{
			Category: sqlparse.CategoryUnanalysable, Rule: RuleLexerMismatch,
			Reason: "this session's client character set (character_set_client) is " + strconv.Quote(m.charset) +
				", which bulwark does not know; bulwark only analyses non-ASCII text sent as utf8mb4: " +
				"run SET NAMES utf8mb4 in this session, then send the statement again",
		}, true
	}
	if m.charset != "" && !isASCII(text) {
		return sqlparse.Finding{
			Category: sqlparse.CategoryUnanalysable, Rule: RuleLexerMismatch,
			Reason: "this session's client character set (character_set_client) is " + m.charset + ", whose multi-byte " +
				"characters can hide quote and backslash bytes; bulwark only analyses non-ASCII text sent as utf8mb4: " +
				"run SET NAMES utf8mb4 in this session, then send the statement again",
		}, true
	}
	if m.flags.HasANSIQuotesMode() && !m.flags.HasNoBackslashEscapesMode() && strings.IndexByte(text, '\\') >= 0 {
		if sc, err := scanText(text, true, false); err == nil && sc.ansiBackslash {
			return sqlparse.Finding{
				Category: sqlparse.CategoryUnanalysable, Rule: RuleLexerMismatch,
				Reason: "this session's sql_mode includes ANSI_QUOTES, under which a backslash inside a \"...\" identifier " +
					"is an ordinary character; bulwark cannot read such text the way the server would",
			}, true
		}
	}
	return sqlparse.Finding{}, false
}

// CacheKey returns text with every literal (quoted string, decimal number)
// replaced by "?", as the session's sql_mode delimits them. Comments,
// executable comments and their version numbers are kept as written: they
// decide what runs. Texts the scanner cannot read have no key.
func (a *Analyzer) CacheKey(text string, lx sqlparse.Lexing) (string, bool) {
	return a.QuickKey(text, lx)
}

// QuickKey is CacheKey: the key always comes from bulwark's own scan.
func (a *Analyzer) QuickKey(text string, lx sqlparse.Lexing) (string, bool) {
	key, ok := appendKey(nil, text, readMode(lx.SQLMode))
	return string(key), ok
}

// appendKey appends QuickKey's key of text under m to dst, the text with
// every literal replaced by "?"; ok is false for a text the scanner cannot
// read. The scan stays off the heap for texts of a few literals.
func appendKey(dst []byte, text string, m modeInfo) ([]byte, bool) {
	var lits [16][2]int
	sc := scan{literals: lits[:0]}
	if sc.read(text, m.flags.HasANSIQuotesMode(), m.flags.HasNoBackslashEscapesMode()) != nil {
		return dst, false
	}
	return sc.appendLiteralFree(dst, text), true
}

// AppendShape appends QuickKey's key to dst, for a text that is not
// LexingSensitive and that Preflight passes.
func (a *Analyzer) AppendShape(dst []byte, text string, lx sqlparse.Lexing) ([]byte, bool) {
	if a.LexingSensitive(text) {
		return dst, false
	}
	m := readLexing(lx)
	if _, bad := lexerMismatch(text, m); bad {
		return dst, false
	}
	return appendKey(dst, text, m)
}

// maxDepth bounds how deeply PREPARE texts may nest (a PREPARE whose text
// is a PREPARE ...).
const maxDepth = 8

// Analyze parses text under the session's sql_mode and summarises every
// statement in it.
func (a *Analyzer) Analyze(text string, lx sqlparse.Lexing) *sqlparse.Analysis {
	return a.analyze(text, readLexing(lx), 0)
}

func (a *Analyzer) analyze(text string, m modeInfo, depth int) *sqlparse.Analysis {
	if f, bad := lexerMismatch(text, m); bad {
		return &sqlparse.Analysis{Statements: []sqlparse.Statement{{Command: "UNKNOWN", Text: text, Findings: []sqlparse.Finding{f}}}}
	}
	sc, err := scanText(text, m.flags.HasANSIQuotesMode(), m.flags.HasNoBackslashEscapesMode())
	if err != nil {
		return unanalysable(text, "bulwark cannot read the text the way every server would: it contains "+err.Error())
	}
	readings, ok := sc.readings(text)
	if !ok {
		return unanalysable(text, "the text has more version-gated comments than bulwark can examine; "+
			"what runs depends on the server version")
	}
	p := a.parsers.Get().(*parser.Parser)
	broken := false // a parser that panicked is not reused
	defer func() {
		if !broken {
			a.parsers.Put(p)
		}
	}()
	p.SetSQLMode(m.flags)

	var out *sqlparse.Analysis
	var each []map[string]bool // per reading, the keys of its findings with an Undo
	for _, r := range readings {
		if f, ok := shapeCheck(r, m); !ok {
			a := unanalysable(text, f.Reason)
			a.Statements[0].Findings[0] = f
			return a
		}
	}
	for i, r := range readings {
		stmts, err := parse(p, r)
		if err != nil {
			failed := errors.Is(err, errParserFailed)
			broken = broken || failed
			reason := "the text is not valid MySQL SQL (" + err.Error() + "), so bulwark cannot tell what it would do"
			if failed {
				reason = "bulwark could not read the text (" + err.Error() + "), so it cannot tell what it would do"
			}
			if i > 0 {
				reason = "when a server skips or runs some of its version-gated comments the text is not valid MySQL SQL (" +
					err.Error() + "), so bulwark cannot tell what it would do"
			}
			if out == nil {
				return unanalysable(text, reason)
			}
			out.Statements[0].Findings = append(out.Statements[0].Findings, sqlparse.Finding{
				Category: sqlparse.CategoryUnanalysable, Rule: RuleParseError, Reason: reason})
			out.LiteralSensitive = true
			continue
		}
		got := a.summarise(text, r, stmts, m, depth)
		each = append(each, undoKeys(got))
		if out == nil {
			out = got
			continue
		}
		mergeFindings(out, got)
	}
	if out == nil {
		return unanalysable(text, "bulwark found no way to read the text")
	}
	if len(readings) > 1 {
		agreedUndo(out, each)
	}
	if len(out.Statements) == 0 {
		// An empty query (only comments or semicolons) runs nothing.
		out.Statements = []sqlparse.Statement{{Command: "EMPTY"}}
	}
	if len(readings) > 0 {
		_, digest := parser.NormalizeDigest(readings[0])
		if digest != nil {
			out.Fingerprint = digest.String()
		}
	}
	return out
}

// errParserFailed marks the error parse returns for a panic in the parser.
var errParserFailed = errors.New("the parser failed on it")

// parse runs the parser on text, turning a panic in it into an error: the
// parser's decimal type, for one, panics on a number literal of more digits
// than it holds (some 80), where the servers read a number.
func parse(p *parser.Parser, text string) (stmts []ast.StmtNode, err error) {
	defer func() {
		if r := recover(); r != nil {
			stmts = nil
			if s := fmt.Sprint(r); strings.Contains(s, "MyDecimal") {
				err = fmt.Errorf("%w: a number literal has more digits than the parser holds", errParserFailed)
			} else {
				err = fmt.Errorf("%w: %s", errParserFailed, s)
			}
		}
	}()
	stmts, _, err = p.ParseSQL(text)
	return stmts, err
}

// summarise walks the statements of one reading.
func (a *Analyzer) summarise(text, reading string, stmts []ast.StmtNode, m modeInfo, depth int) *sqlparse.Analysis {
	out := &sqlparse.Analysis{}
	offset := 0
	settled := false // a statement that may change the session's settings was seen
	for i, st := range stmts {
		w := &walker{an: a, mode: m, depth: depth, top: st}
		switch {
		case depth > 0:
			w.modeUnknown = "it runs at EXECUTE, under whatever sql_mode the session has then"
		case settled:
			w.modeUnknown = "a statement before it in the same text may change sql_mode"
		}
		st.Accept(w)
		if w.budget.Exhausted() {
			w.findings = append(w.findings, sqlparse.TooComplex())
		}
		if w.recycle && !readOnly(st) {
			w.add(sqlparse.CategoryProtected, sqlparse.RuleRecycleArea, sqlparse.RecyclePrefix,
				"this statement would change bulwark's recycle area, where the snapshots DBAs restore from are kept")
		}
		if w.system && !readOnly(st) {
			w.add(sqlparse.CategoryProtected, sqlparse.RuleSystemCatalog, "mysql",
				"this statement would change the mysql database, or make it the default one, where the server keeps its accounts, privileges and stored routines: "+
					"a row written there is a login or a grant, and one deleted locks a human out, without any statement bulwark would refuse")
		}
		start := offset
		stmtText := statementText(text, reading, &offset, st)
		if !settled && i < len(stmts)-1 && changesSettings(st) {
			settled = true
			// Whether the rest is sensitive depends on its literals.
			out.LiteralSensitive = true
			rest := reading
			if offset > start {
				rest = reading[offset:]
			}
			// The word ALTER does not count here: the walker judges
			// a type change whose mode it cannot know (modeUnknown).
			if sensitive(rest, false) {
				w.findings = append(w.findings, sqlparse.Finding{
					Category: sqlparse.CategoryUnanalysable, Rule: RuleLexerMismatch,
					Reason: "this " + commandOf(st) + " may change the session's sql_mode or character set, and statements follow it in " +
						"the same text: the server reads each of them only after the previous one has run, under the settings it " +
						"left, which bulwark cannot know in advance. Send the " + commandOf(st) + " as a statement of its own, then the rest",
				})
			}
		}
		out.Statements = append(out.Statements, sqlparse.Statement{
			Command:  commandOf(st),
			Text:     stmtText,
			Findings: w.findings,
		})
		out.LiteralSensitive = out.LiteralSensitive || w.literalSensitive
	}
	return out
}

// changesSettings reports whether a statement may change the session
// settings that decide how the server reads the statements after it
// (sql_mode, the client character set): any SET (SET NAMES, SET CHARACTER
// SET, SET sql_mode, ...), and the statements that run other statements
// (CALL, EXECUTE of a prepared statement, DO, BINLOG). Erring on the side of
// seeing more only makes such a text be sent in parts.
func changesSettings(st ast.StmtNode) bool {
	switch st.(type) {
	case *ast.SetStmt, *ast.SetConfigStmt, *ast.SetSessionStatesStmt, *ast.SetPwdStmt, *ast.SetRoleStmt,
		*ast.SetDefaultRoleStmt, *ast.SetBindingStmt, *ast.SetResourceGroupStmt,
		*ast.CallStmt, *ast.ExecuteStmt, *ast.DoStmt, *ast.BinlogStmt:
		return true
	}
	return false
}

// mergeFindings adds to out the findings of another reading of the same text
// that out does not have yet. Statements are matched by position; when the
// readings split the text differently the extra findings go to the first
// statement (the text is refused or allowed as a whole anyway).
func mergeFindings(out, other *sqlparse.Analysis) {
	out.LiteralSensitive = out.LiteralSensitive || other.LiteralSensitive
	if len(out.Statements) == 0 {
		out.Statements = []sqlparse.Statement{{Command: "EMPTY"}}
	}
	have := map[[2]string]bool{}
	for _, f := range out.Findings() {
		have[[2]string{f.Rule, f.Object}] = true
	}
	for i, st := range other.Statements {
		j := i
		if len(other.Statements) != len(out.Statements) {
			j = 0
		}
		for _, f := range st.Findings {
			k := [2]string{f.Rule, f.Object}
			if have[k] {
				continue
			}
			have[k] = true
			out.Statements[j].Findings = append(out.Statements[j].Findings, f)
		}
	}
}

// agreedUndo keeps a finding's Undo only when every reading of the text made
// the same finding with the same Undo. Where the readings differ, what the
// server will do depends on its version: a snapshot taken for one reading
// (moving a table the server would not drop, swapping the wrong table)
// could itself destroy or hide data, so the finding is left without one and
// a snapshot policy refuses it.
func agreedUndo(out *sqlparse.Analysis, each []map[string]bool) {
	for i := range out.Statements {
		for j, f := range out.Statements[i].Findings {
			if f.Undo == nil {
				continue
			}
			for _, keys := range each {
				if !keys[undoKey(f)] {
					out.Statements[i].Findings[j].Undo = nil
					break
				}
			}
		}
	}
}

// undoKeys returns the keys of a reading's findings that carry an Undo.
func undoKeys(a *sqlparse.Analysis) map[string]bool {
	keys := map[string]bool{}
	for _, f := range a.Findings() {
		if f.Undo != nil {
			keys[undoKey(f)] = true
		}
	}
	return keys
}

func undoKey(f sqlparse.Finding) string {
	b, _ := json.Marshal(f.Undo)
	return f.Rule + "\x00" + f.Object + "\x00" + string(b)
}

func unanalysable(text, reason string) *sqlparse.Analysis {
	return &sqlparse.Analysis{
		Statements: []sqlparse.Statement{{
			Command: "UNKNOWN",
			Text:    text,
			Findings: []sqlparse.Finding{{
				Category: sqlparse.CategoryUnanalysable, Rule: RuleParseError, Reason: reason,
			}},
		}},
		// Whether text parses can depend on a literal (X'1G' does not),
		// so the verdict is never shared with other texts of the key.
		LiteralSensitive: true,
	}
}

// statementText cuts one statement out of the request text. The parser
// gives each statement the text from the end of the previous one to its own
// terminating semicolon, so the texts tile the reading; readings keep every
// offset of the original text, so the same span of it is the statement as
// the agent wrote it (with its executable comments as written).
func statementText(text, reading string, offset *int, st ast.StmtNode) string {
	own := st.Text()
	start := *offset
	end := start + len(own)
	if end > len(reading) || reading[start:end] != own || len(text) != len(reading) {
		return strings.Trim(own, " \t\r\n;")
	}
	*offset = end
	return strings.Trim(text[start:end], " \t\r\n;")
}
