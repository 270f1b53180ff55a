package postgres

import (
	"encoding/json"
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// Bodies of DO blocks and of functions and procedures are code the server
// will run later (or right away, for DO). Their SQL is judged like any other
// statement: a function whose body would delete every row is refused at
// CREATE time. Bodies arrive as string literals, so every verdict here is
// literal-sensitive.

// doBody judges the code of a DO block.
func (w *walker) doBody(n *pg_query.DoStmt) {
	w.literalSensitive = true
	language, body := "plpgsql", ""
	for _, a := range n.Args {
		de := a.GetDefElem()
		if de == nil {
			continue
		}
		switch de.Defname {
		case "as":
			body = de.Arg.GetString_().GetSval()
		case "language":
			language = strings.ToLower(de.Arg.GetString_().GetSval())
		}
	}
	if language != "plpgsql" {
		w.otherLanguage("DO block", language)
		return
	}
	tag := dollarTag(body)
	w.plpgsql("DO block", "CREATE FUNCTION bulwark_do_block() RETURNS void LANGUAGE plpgsql AS "+tag+body+tag)
}

// functionBody judges the body of CREATE FUNCTION / CREATE PROCEDURE. A
// BEGIN ATOMIC body is part of the parse tree and the generic walk reaches
// it; a string body is parsed here.
func (w *walker) functionBody(n *pg_query.CreateFunctionStmt) {
	w.literalSensitive = true
	what := "function " + lastName(n.Funcname)
	if n.IsProcedure {
		what = "procedure " + lastName(n.Funcname)
	}
	w.functionSettings(what, n.Options)
	language := "sql"
	var body []string
	for _, o := range n.Options {
		de := o.GetDefElem()
		if de == nil {
			continue
		}
		switch de.Defname {
		case "as":
			if l := de.Arg.GetList(); l != nil {
				for _, it := range l.Items {
					body = append(body, it.GetString_().GetSval())
				}
			}
		case "language":
			language = strings.ToLower(de.Arg.GetString_().GetSval())
		}
	}
	if n.SqlBody != nil || len(body) == 0 {
		return
	}
	if (language == "sql" || language == "plpgsql") && strings.IndexByte(body[0], '\\') >= 0 {
		// The server reads a string body when the function runs, under
		// the calling session's standard_conforming_strings: a backslash
		// in a string literal can end it early there and expose what
		// bulwark reads as string content.
		w.add(sqlparse.CategoryUnanalysable, RuleLexerMismatch, what,
			"the body of the "+what+" contains a backslash, whose meaning depends on standard_conforming_strings in the session that calls it; "+
				"bulwark cannot know how the body will be read")
		return
	}
	switch language {
	case "sql":
		w.embeddedSQL(what, body[0])
	case "plpgsql":
		// The plpgsql parser needs the whole definition (parameter names,
		// return type, trigger context), so hand it the statement as the
		// server's own deparser writes it.
		text, err := pg_query.Deparse(&pg_query.ParseResult{Stmts: []*pg_query.RawStmt{{
			Stmt: &pg_query.Node{Node: &pg_query.Node_CreateFunctionStmt{CreateFunctionStmt: n}},
		}}})
		if err != nil {
			w.bodyUnreadable(what, err)
			return
		}
		w.plpgsql(what, text)
	default:
		w.otherLanguage(what, language)
	}
}

// parameterNames lists the names of a routine's parameters.
func parameterNames(f *pg_query.CreateFunctionStmt) []string {
	var names []string
	for _, p := range f.Parameters {
		if fp := p.GetFunctionParameter(); fp != nil && fp.Name != "" {
			names = append(names, fp.Name)
		}
	}
	return names
}

// withValues adds names to the values in scope (see walker.values) and
// returns the function that restores the previous scope.
func (w *walker) withValues(names []string) func() {
	if len(names) == 0 {
		return func() {}
	}
	saved := w.values
	w.values = make(map[string]bool, len(saved)+len(names))
	for n := range saved {
		w.values[n] = true
	}
	for _, n := range names {
		w.values[n] = true
	}
	return func() { w.values = saved }
}

// functionSettings refuses SET clauses of a function that change how its
// body is read (CREATE FUNCTION ... SET standard_conforming_strings = off,
// or ALTER FUNCTION ... SET on a function whose body bulwark judged under
// the default).
func (w *walker) functionSettings(what string, options []*pg_query.Node) {
	for _, o := range options {
		de := o.GetDefElem()
		if de == nil || de.Defname != "set" {
			continue
		}
		if vs := de.Arg.GetVariableSetStmt(); vs != nil && (lexingSettings[strings.ToLower(vs.Name)] || vs.Kind == pg_query.VariableSetKind_VAR_RESET_ALL) {
			setting := vs.Name
			if vs.Kind == pg_query.VariableSetKind_VAR_RESET_ALL {
				setting = "RESET ALL"
			}
			w.add(sqlparse.CategoryUnanalysable, RuleLexerMismatch, what,
				"a SET clause on the "+what+" changes how the server reads its body ("+setting+"), which bulwark cannot follow")
		}
	}
}

func (w *walker) otherLanguage(what, language string) {
	w.add(sqlparse.CategoryUnanalysable, RuleDynamicSQL, what,
		fmt.Sprintf("the %s is written in LANGUAGE %s, whose code bulwark cannot analyse (only sql and plpgsql bodies can be checked)", what, language))
}

func (w *walker) bodyUnreadable(what string, err error) {
	w.add(sqlparse.CategoryUnanalysable, RuleParseError, what,
		fmt.Sprintf("the body of the %s could not be parsed (%v), so bulwark cannot tell what it would do", what, err))
}

// embeddedSQL parses SQL found inside a body and walks it with this walker,
// so its findings become the enclosing statement's.
func (w *walker) embeddedSQL(what, text string) { w.embeddedTree(what, text) }

// embeddedTree is embeddedSQL, returning the parse it walked (nil when the
// text was refused unread).
func (w *walker) embeddedTree(what, text string) *pg_query.ParseResult {
	if w.depth >= maxBodyDepth {
		w.add(sqlparse.CategoryUnanalysable, RuleParseError, what, "bodies are nested too deeply to analyse")
		return nil
	}
	if f, ok := shapeCheck(text); !ok {
		w.add(f.Category, f.Rule, what, "the body of the "+what+": "+f.Reason)
		return nil
	}
	tree, err := pg_query.Parse(text)
	if err != nil {
		w.bodyUnreadable(what, err)
		return nil
	}
	w.depth++
	for _, raw := range tree.Stmts {
		w.statement(raw.Stmt)
	}
	w.depth--
	return tree
}

// plpgsql parses a plpgsql function definition and judges every SQL
// statement and expression in it. EXECUTE of a string, FOR ... IN EXECUTE,
// OPEN ... FOR EXECUTE and RETURN QUERY EXECUTE build SQL at run time and are
// refused as dynamic SQL.
func (w *walker) plpgsql(what, definition string) {
	out, err := pg_query.ParsePlPgSqlToJSON(definition)
	if err != nil {
		w.bodyUnreadable(what, err)
		return
	}
	var tree any
	if err := json.Unmarshal([]byte(out), &tree); err != nil {
		w.bodyUnreadable(what, err)
		return
	}
	// Parameters, declared variables and loop variables are the
	// function's datums; in its SQL they are values, not columns (plpgsql
	// refuses a name that could be both, unless told otherwise). So are a
	// trigger function's implicit TG_ variables, which the parse does not
	// list among the datums.
	defer w.withValues(append(plpgsqlDatumNames(tree), triggerVariables...))()
	w.plpgsqlNode(what, tree)
}

// triggerVariables are the special variables of plpgsql trigger and event
// trigger functions.
var triggerVariables = []string{"tg_name", "tg_when", "tg_level", "tg_op", "tg_relid", "tg_relname",
	"tg_table_name", "tg_table_schema", "tg_nargs", "tg_argv", "tg_event", "tg_tag"}

// plpgsqlDatumNames lists the names of a plpgsql function's datums.
func plpgsqlDatumNames(tree any) []string {
	var names []string
	fns, _ := tree.([]any)
	for _, f := range fns {
		fm, _ := f.(map[string]any)
		fn, _ := fm["PLpgSQL_function"].(map[string]any)
		datums, _ := fn["datums"].([]any)
		for _, d := range datums {
			dm, _ := d.(map[string]any)
			for _, v := range dm {
				if vm, ok := v.(map[string]any); ok {
					if name, ok := vm["refname"].(string); ok && name != "" {
						names = append(names, name)
					}
				}
			}
		}
	}
	return names
}

func (w *walker) plpgsqlNode(what string, v any) {
	switch x := v.(type) {
	case []any:
		for _, it := range x {
			w.plpgsqlNode(what, it)
		}
	case map[string]any:
		for k, child := range x {
			switch k {
			case "PLpgSQL_stmt_fors":
				if m, ok := child.(map[string]any); ok {
					w.repeats++
					w.queryLoop(what, m)
					w.repeats--
					continue
				}
			case "PLpgSQL_stmt_loop", "PLpgSQL_stmt_while", "PLpgSQL_stmt_fori", "PLpgSQL_stmt_foreach_a", "PLpgSQL_stmt_forc":
				w.repeats++
				w.plpgsqlNode(what, child)
				w.repeats--
				continue
			case "PLpgSQL_stmt_dynexecute", "PLpgSQL_stmt_dynfors":
				w.dynamic(what)
			case "PLpgSQL_stmt_open", "PLpgSQL_stmt_return_query":
				if m, ok := child.(map[string]any); ok && m["dynquery"] != nil {
					w.dynamic(what)
				}
			case "PLpgSQL_expr":
				if m, ok := child.(map[string]any); ok {
					w.plpgsqlExpr(what, m)
				}
				continue
			}
			w.plpgsqlNode(what, child)
		}
	}
}

// queryLoop is a plpgsql FOR target IN query LOOP: its body runs once for
// every row the query returns, with the target's variables set to it.
type queryLoop struct {
	vars map[string]bool
	// reads are the tables (by name) whose every row the query returns:
	// the only relations of a SELECT without WHERE, LIMIT or grouping.
	reads map[string]bool
}

// queryLoop judges a FOR ... IN query loop: its query and body as usual,
// and, within the body, a DELETE or UPDATE of a table the loop reads whole
// that is bounded only by the loop's variables (FOR r IN SELECT id FROM t
// LOOP DELETE FROM t WHERE id = r.id) reaches every row (see rowScope).
func (w *walker) queryLoop(what string, m map[string]any) {
	l := queryLoop{vars: map[string]bool{}}
	if v, ok := m["var"].(map[string]any); ok {
		for _, d := range v {
			dm, _ := d.(map[string]any)
			if name, ok := dm["refname"].(string); ok && name != "(unnamed row)" {
				l.vars[strings.ToLower(name)] = true
			}
			fields, _ := dm["fields"].([]any)
			for _, f := range fields {
				if fm, ok := f.(map[string]any); ok {
					if name, ok := fm["name"].(string); ok {
						l.vars[strings.ToLower(name)] = true
					}
				}
			}
		}
	}
	// The query is a whole statement (plpgsql's parse mode 0), judged as
	// any other, and its parse read for the tables it returns whole.
	q, _ := m["query"].(map[string]any)
	e, _ := q["PLpgSQL_expr"].(map[string]any)
	text, _ := e["query"].(string)
	l.reads = wholeReads(w.embeddedTree(what, text))
	w.loops = append(w.loops, l)
	defer func() { w.loops = w.loops[:len(w.loops)-1] }()
	w.plpgsqlNode(what, m["body"])
}

// wholeReads returns the tables whose every row a query returns: the
// relations in the FROM of a SELECT without WHERE, LIMIT, GROUP BY,
// HAVING or set operation.
func wholeReads(tree *pg_query.ParseResult) map[string]bool {
	reads := map[string]bool{}
	if tree == nil || len(tree.Stmts) != 1 {
		return reads
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || sel.Op != pg_query.SetOperation_SETOP_NONE || sel.WhereClause != nil || sel.LimitCount != nil ||
		len(sel.GroupClause) > 0 || sel.HavingClause != nil {
		return reads
	}
	for _, f := range sel.FromClause {
		if r := f.GetRangeVar(); r != nil {
			reads[r.Relname] = true
		}
	}
	return reads
}

// loopBound reports whether a WHERE names a variable of a loop that
// reads every row of rel: the statement then runs for each of them.
func (w *walker) loopBound(rel *pg_query.RangeVar, where *pg_query.Node) bool {
	if rel == nil || where == nil {
		return false
	}
	for _, l := range w.loops {
		if !l.reads[rel.Relname] {
			continue
		}
		if anyNode(where.ProtoReflect(), func(m any) bool {
			c, ok := m.(*pg_query.ColumnRef)
			return ok && len(c.Fields) > 0 && l.vars[strings.ToLower(c.Fields[0].GetString_().GetSval())]
		}) {
			return true
		}
	}
	return false
}

// drainsItself reports whether a WHERE picks its rows only from what the
// table itself returns, unfiltered: x = (SELECT min(x) FROM t), x IN
// (SELECT x FROM t LIMIT 1000), ctid = (SELECT ctid FROM t LIMIT 1),
// ctid = ANY (ARRAY(SELECT ctid FROM t LIMIT 3)), none of them looking at
// the row being written. Each run takes some rows; run again and again in
// a loop (LOOP ... EXIT WHEN NOT FOUND, WHILE EXISTS (SELECT FROM t)), it
// takes them all.
func (p *predicate) drainsItself(where *pg_query.Node) bool {
	var x, sub *pg_query.Node
	switch {
	case where.GetSubLink() != nil:
		sl := where.GetSubLink()
		if sl.SubLinkType != pg_query.SubLinkType_ANY_SUBLINK || len(sl.OperName) > 1 ||
			(len(sl.OperName) == 1 && lastName(sl.OperName) != "=") {
			return false
		}
		x, sub = sl.Testexpr, sl.Subselect
	case where.GetAExpr() != nil && where.GetAExpr().Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY:
		// x = ANY (ARRAY(SELECT x FROM t LIMIT 3)) is x IN (...).
		e := where.GetAExpr()
		if lastName(e.Name) != "=" {
			return false
		}
		x, sub = e.Lexpr, p.arrayQuery(e.Rexpr)
		if sub == nil {
			return false
		}
	case where.GetAExpr() != nil:
		e := where.GetAExpr()
		if e.Kind != pg_query.A_Expr_Kind_AEXPR_OP || lastName(e.Name) != "=" || e.Lexpr == nil {
			return false
		}
		x, sub = e.Lexpr, e.Rexpr
		if x.GetSubLink() != nil {
			x, sub = sub, x
		}
		sl := sub.GetSubLink()
		if sl == nil || sl.SubLinkType != pg_query.SubLinkType_EXPR_SUBLINK {
			return false
		}
		sub = sl.Subselect
	default:
		return false
	}
	col := x.GetColumnRef()
	sel := sub.GetSelectStmt()
	if col == nil || !p.refersToTarget(col) || sel == nil || sel.Op != pg_query.SetOperation_SETOP_NONE ||
		len(sel.FromClause) != 1 || sel.WhereClause != nil || len(sel.GroupClause) > 0 || sel.HavingClause != nil ||
		len(sel.TargetList) != 1 || p.mentionsTarget(sub) {
		return false
	}
	from := sel.FromClause[0].GetRangeVar()
	return from != nil && sameRelation(from, p.rel)
}

func (w *walker) dynamic(what string) {
	w.add(sqlparse.CategoryUnanalysable, RuleDynamicSQL, what,
		"the "+what+" runs EXECUTE on SQL text built at run time, which bulwark cannot check before it runs")
}

// plpgsqlExpr judges one SQL fragment of a plpgsql body according to how
// plpgsql will parse it (its parseMode).
func (w *walker) plpgsqlExpr(what string, m map[string]any) {
	q, _ := m["query"].(string)
	mode, _ := m["parseMode"].(float64)
	switch mode {
	case 0: // a whole statement
		w.embeddedSQL(what, q)
	case 1: // a type name
	case 2: // an expression
		w.embeddedSQL(what, "SELECT "+q)
	default: // an assignment "target := expression"
		if i := strings.Index(q, ":="); i >= 0 {
			q = q[:i] + "=" + q[i+2:]
		}
		w.embeddedSQL(what, "SELECT "+q)
	}
}

// dollarTag returns a dollar-quote delimiter that does not occur in body.
func dollarTag(body string) string {
	tag := "$bulwark$"
	for i := 0; strings.Contains(body, tag); i++ {
		tag = fmt.Sprintf("$bulwark%d$", i)
	}
	return tag
}
