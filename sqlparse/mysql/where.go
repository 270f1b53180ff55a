package mysql

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// scope is sqlparse.Scope: what a predicate says about the target's rows
// (bounded only when row-dependent; see its documentation).
type scope = sqlparse.Scope

const (
	rowDependent   = sqlparse.RowDependent
	alwaysTrue     = sqlparse.AlwaysTrue
	alwaysFalse    = sqlparse.AlwaysFalse
	rowIndependent = sqlparse.RowIndependent
)

// konst is a literal value known at parse time.
type konst struct {
	kind byte // 'n' number, 's' string, '0' null
	// num is a number's exact value (never modified: it may be shared).
	num *big.Rat
	// double: the number is a floating-point value (1e0), which the
	// server compares with other numbers as doubles.
	double bool
	str    string
}

type result struct {
	scope scope
	k     *konst // set when the expression is a known literal
}

// source is one table (or derived table) in a statement's FROM.
type source struct {
	qualifier string // the name that qualifies its columns (alias or table name), lower case
	// schema is the database a base table was written with, lower case;
	// "" when none was written (the session's default database, which
	// bulwark does not know) and for an alias.
	schema  string
	table   string // schema.name of a base table, lower case; "" for a derived table
	display string // the table as written
	pos     int    // its position in the FROM clause; -1 for a table not in it
	// name is the base table as written, for an Undo; nil for a derived
	// table or a DELETE target that names no table of the FROM clause.
	name *sqlparse.ObjectName
	// query is a derived table's query; nil for a base table.
	query ast.Node
}

// selfColumn returns the column of the target that column col of a self
// (a copy of the target) holds: col itself for a copy of the base table;
// for a derived table over it, the column it returns under that name
// (see derivedColumn). ok is false when col is not one of the target's.
func (p *predicate) selfColumn(s source, col string) (string, bool) {
	if s.query == nil {
		return col, true
	}
	return p.w.derivedColumn(s, p.target, col)
}

// columnName is the name of the target's column that a column reference
// reads: a self's column by the target's name for it (d.i is id in
// (SELECT id AS i FROM t) d), any other by its own.
func (p *predicate) columnName(c *ast.ColumnName) string {
	if c.Table.L == "" || p.target.mayBeNamedBy(c.Schema.L, c.Table.L) {
		return c.Name.L
	}
	for _, s := range p.selves {
		if s.mayBeNamedBy(c.Schema.L, c.Table.L) {
			if col, ok := p.selfColumn(s, c.Name.L); ok && col != "" {
				return col
			}
		}
	}
	return c.Name.L
}

// predicate evaluates WHERE-like expressions against one target table.
type predicate struct {
	w *walker
	// sources are the tables in scope, the target among them.
	sources []source
	// strictUnqualified: when other tables are in scope, an unqualified
	// column may belong to any of them, so it does not prove that the
	// predicate depends on the target's rows.
	strictUnqualified bool
	// selves are the joined-in sources that may be copies of the target
	// table (DELETE t1 FROM t t1 JOIN t t2 ON t1.id = t2.id): for
	// comparing expressions their columns are the target's.
	selves []source
	// tied are the selves that a conjunct ties to the target's row by an
	// equality of the same column (see tiedSelves): a condition on their
	// columns reads that row (or one with the same value in that
	// column), so it bounds the statement as one on the target's does.
	tied []source
	// valueTooLarge holds the conditions too large for the value-set
	// test (see valueVerdict), so that their parents skip it at once.
	valueTooLarge map[ast.ExprNode]bool
	// evals memoises verdicts (see eval).
	evals map[ast.ExprNode]result
	// keys memoises canonical expression keys (see key).
	keys map[ast.ExprNode]string
	// target is the target source.
	target source
}

// usingTie is an inner join's USING (col): the column of the table on its
// left that has it equals the column of the table on its right that has it.
// Which table of each side has the column depends on their definitions,
// which bulwark does not know: every pairing is a possible reading.
type usingTie struct {
	col         ast.CIStr
	left, right []source
}

// scopeOf collects the sources of a FROM clause and the conditions that
// restrict which combinations of their rows are reached: the ON conditions
// of inner joins, and their USING columns, each the equality of that
// column on both sides. The ON and USING of an outer join do not restrict
// the rows of the preserved side, so they are not collected (fail closed).
func scopeOf(refs *ast.TableRefsClause) (sources []source, conds []ast.ExprNode, ties []usingTie) {
	if refs == nil {
		return nil, nil, nil
	}
	var visit func(n ast.ResultSetNode)
	visit = func(n ast.ResultSetNode) {
		switch x := n.(type) {
		case *ast.Join:
			if x == nil {
				return
			}
			start := len(sources)
			if x.Left != nil {
				visit(x.Left)
			}
			mid := len(sources)
			if x.Right != nil {
				visit(x.Right)
			}
			if x.Right != nil && x.Tp != ast.LeftJoin && x.Tp != ast.RightJoin {
				if x.On != nil {
					conds = append(conds, x.On.Expr)
				}
				for _, c := range x.Using {
					ties = append(ties, usingTie{col: c.Name,
						left:  append([]source(nil), sources[start:mid]...),
						right: append([]source(nil), sources[mid:]...)})
				}
			}
		case *ast.TableSource:
			s := source{qualifier: x.AsName.L, pos: len(sources)}
			if t, ok := x.Source.(*ast.TableName); ok {
				s.table = strings.ToLower(t.Schema.L + "." + t.Name.L)
				s.display = tableName(t)
				name := objectName(t)
				s.name = &name
				if s.qualifier == "" {
					s.qualifier = t.Name.L
					s.schema = strings.ToLower(t.Schema.L)
				}
			} else {
				s.display = "(derived table " + x.AsName.O + ")"
				s.query = x.Source
				if sq, ok := x.Source.(*ast.SubqueryExpr); ok {
					s.query = sq.Query
				}
			}
			sources = append(sources, s)
			if j, ok := x.Source.(*ast.Join); ok {
				visit(j)
			}
		}
	}
	visit(refs.TableRefs)
	return sources, conds, ties
}

// deleteStmt checks a DELETE for reaching every row of a target table.
func (w *walker) deleteStmt(s *ast.DeleteStmt) {
	defer w.withCTEs(s.With)()
	sources, conds, ties := scopeOf(s.TableRefs)
	if !w.derivedCTEs(sources, "DELETE", sqlparse.CategoryDelete, RuleDeleteAlways) {
		return
	}
	var targets []source
	if s.IsMultiTable && s.Tables != nil {
		for _, t := range s.Tables.Tables {
			targets = addTargets(targets, findSources(sources, t))
		}
	} else if len(sources) > 0 {
		targets = sources[:1]
	}
	w.rowScope(s, targets, sources, s.Where, conds, ties, s.Limit != nil, "DELETE FROM", "delete",
		sqlparse.CategoryDelete, RuleDeleteNoWhere, RuleDeleteAlways)
}

// updateStmt checks an UPDATE. With several tables in scope the targets are
// the tables whose columns are assigned; an unqualified assigned column may
// belong to any of them, so then every table counts as a target.
func (w *walker) updateStmt(s *ast.UpdateStmt) {
	defer w.withCTEs(s.With)()
	sources, conds, ties := scopeOf(s.TableRefs)
	if !w.derivedCTEs(sources, "UPDATE", sqlparse.CategoryUpdate, RuleUpdateAlways) {
		return
	}
	var targets []source
	if len(sources) == 1 {
		targets = sources
	} else {
		for _, a := range s.List {
			if a.Column == nil || a.Column.Table.L == "" {
				targets = sources
				break
			}
			targets = addTargets(targets, findSources(sources, &ast.TableName{Schema: a.Column.Schema, Name: a.Column.Table}))
		}
	}
	w.rowScope(s, targets, sources, s.Where, conds, ties, s.Limit != nil, "UPDATE", "change",
		sqlparse.CategoryUpdate, RuleUpdateNoWhere, RuleUpdateAlways)
}

// withCTEs puts the CTEs of a DELETE's or UPDATE's own WITH in scope
// (w.ctes) and returns the function that takes them out again.
func (w *walker) withCTEs(with *ast.WithClause) func() {
	saved := w.ctes
	if with != nil {
		w.ctes = append(with.CTEs[:len(with.CTEs):len(with.CTEs)], saved...)
	}
	return func() { w.ctes = saved }
}

// derivedCTEs makes each source that names a CTE in scope the derived
// table it is, its query's columns renamed by the CTE's column list, so
// that a CTE over the target reads as a copy of it: WITH x AS (SELECT id
// FROM t) DELETE t FROM t JOIN x ON x.id = t.id reaches every row. A column
// list that cannot be applied (over a star or a UNION) to a CTE that reads
// every row of a table of the statement is refused, with the statement's
// rule: which of that table's columns it names is not known. It reports
// whether the statement is still to be judged.
func (w *walker) derivedCTEs(sources []source, verb string, cat sqlparse.Category, rule string) bool {
	for _, c := range resolveCTEs(sources, w.ctes) {
		for _, t := range sources {
			if t.table == "" || !w.derivedSelf(source{query: c.Query.Query, pos: -1}, t) {
				continue
			}
			w.add(cat, rule, c.Name.O, fmt.Sprintf("the %s reads the CTE %s, whose column list renames the columns of %s through a query with * or UNION: "+
				"bulwark cannot tell which of them it names, so it cannot tell whether the statement reaches every row; "+
				"name the columns with AS inside the CTE's query instead", verb, c.Name.O, t.display))
			return false
		}
	}
	return true
}

// resolveCTEs makes, in place, each source that names one of ctes the
// derived table it is (see derivedCTEs). It returns the CTEs whose column
// list cannot be applied, whose sources it leaves as they were.
func resolveCTEs(sources []source, ctes []*ast.CommonTableExpression) (unreadable []*ast.CommonTableExpression) {
	for i, s := range sources {
		c := cteNamed(ctes, s)
		if c == nil {
			continue
		}
		var q ast.Node = c.Query.Query
		if len(c.ColNameList) > 0 {
			if q = renamedQuery(q, c.ColNameList); q == nil {
				unreadable = append(unreadable, c)
				continue
			}
		}
		sources[i].query, sources[i].table, sources[i].name = q, "", nil
		sources[i].display = "(CTE " + c.Name.O + ")"
	}
	return unreadable
}

// cteNamed returns the CTE of ctes that a FROM source names (an
// unqualified name), or nil.
func cteNamed(ctes []*ast.CommonTableExpression, s source) *ast.CommonTableExpression {
	if s.query != nil || s.schema != "" || s.name == nil || s.name.Schema != "" {
		return nil
	}
	for _, c := range ctes {
		if c.Name.L == strings.ToLower(s.name.Name) && c.Query != nil {
			return c
		}
	}
	return nil
}

// renamedQuery returns a copy of a CTE's SELECT whose fields carry the
// names of its column list, or nil when the list cannot be applied.
func renamedQuery(q ast.Node, names []ast.CIStr) ast.Node {
	sel, ok := q.(*ast.SelectStmt)
	if !ok || sel.Fields == nil || len(sel.Fields.Fields) != len(names) {
		return nil
	}
	fields := make([]*ast.SelectField, len(names))
	for i, f := range sel.Fields.Fields {
		if f.WildCard != nil {
			return nil
		}
		renamed := *f
		renamed.AsName = names[i]
		fields[i] = &renamed
	}
	cp := *sel
	cp.Fields = &ast.FieldList{Fields: fields}
	return &cp
}

// findSources returns the sources a DELETE target list entry (or the
// qualifier of an assigned column) may name: an alias, or a table name
// with or without its database. When the database is not written on both
// sides several tables of the same name may match; each counts.
// A target qualified with another database than the source it matches
// keeps no name for an Undo: which table the server would take is not
// certain.
func findSources(sources []source, t *ast.TableName) []source {
	var out []source
	for _, s := range sources {
		if s.mayBeNamedBy(t.Schema.L, t.Name.L) {
			if t.Schema.L != "" && (s.name == nil || !strings.EqualFold(s.name.Schema, t.Schema.O)) {
				s.name = nil
			}
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = append(out, source{qualifier: t.Name.L, schema: t.Schema.L, table: strings.ToLower(t.Schema.L + "." + t.Name.L),
			display: tableName(t), pos: -1})
	}
	return out
}

// addTargets appends the sources in add that targets does not hold yet.
func addTargets(targets, add []source) []source {
next:
	for _, a := range add {
		for _, t := range targets {
			if t.pos == a.pos && t.qualifier == a.qualifier && t.table == a.table {
				continue next
			}
		}
		targets = append(targets, a)
	}
	return targets
}

// mayBeNamedBy reports whether a column qualifier (schema.table or table)
// may name source s: its alias, or its table name with the database it
// was written with. A table written without a database is in the
// session's default one, which bulwark does not know, so any database
// may name it (and an alias too: fail closed either way).
func (s source) mayBeNamedBy(schema, table string) bool {
	return table == s.qualifier && (schema == "" || s.schema == "" || s.schema == schema)
}

// mayBeSameTable reports whether two sources may be the same base table:
// the same name in the same database, or a database that is not written.
func mayBeSameTable(a, b source) bool {
	if a.table == "" || b.table == "" {
		return false
	}
	as, an, _ := strings.Cut(a.table, ".")
	bs, bn, _ := strings.Cut(b.table, ".")
	return an == bn && (as == "" || bs == "" || as == bs)
}

// rowsUndo describes the snapshot that preserves the rows of target t: nil
// unless t is a base table the statement names.
func rowsUndo(t source) *sqlparse.Undo {
	if t.name == nil {
		return nil
	}
	return &sqlparse.Undo{Kind: sqlparse.UndoRows, ObjectType: "TABLE", Objects: []sqlparse.ObjectName{*t.name}}
}

func (w *walker) rowScope(n ast.Node, targets, sources []source, where ast.ExprNode, conds []ast.ExprNode, ties []usingTie, limited bool,
	verb, effect string, cat sqlparse.Category, ruleNoWhere, ruleAlways string) {
	bound := ""
	if limited {
		bound = ", as many as its LIMIT allows"
	}
	for _, t := range targets {
		name := t.display
		if where == nil && len(conds) == 0 && len(ties) == 0 {
			what := "WHERE clause"
			if len(sources) > 1 {
				what = "WHERE clause or join condition"
			}
			w.findings = append(w.findings, sqlparse.Finding{Category: cat, Rule: ruleNoWhere, Object: name, Limited: limited,
				Reason: fmt.Sprintf("%s %s has no %s, so it would %s every row of %s%s", verb, name, what, effect, name, bound),
				Undo:   w.undo(n, rowsUndo(t))})
			continue
		}
		var reason string
		switch w.reach(t, sources, where, conds, ties) {
		case alwaysTrue:
			reason = fmt.Sprintf("the WHERE clause of %s %s is always true, so it would %s every row of %s%s", verb, name, effect, name, bound)
		case rowIndependent:
			reason = fmt.Sprintf("the WHERE clause of %s %s does not depend on the rows of %s (no column of it decides the outcome), so it would %s every row or none%s",
				verb, name, name, effect, bound)
		default:
			continue
		}
		w.findings = append(w.findings, sqlparse.Finding{Category: cat, Rule: ruleAlways, Object: name, Limited: limited, Reason: reason,
			Undo: w.undo(n, rowsUndo(t))})
	}
}

// reach judges which rows of target t a WHERE clause and the join
// conditions of its FROM clause reach.
func (w *walker) reach(t source, sources []source, where ast.ExprNode, conds []ast.ExprNode, ties []usingTie) scope {
	p := newPredicate(w, t, sources)
	r, nodes := p.conjuncts(where, conds, ties)
	if tied := p.tiedSelves(nodes); len(tied) > 0 {
		// The copies tied to the target's row read that row: judge
		// again with their columns counted as the target's.
		p = newPredicate(w, t, sources)
		p.tied = tied
		r, _ = p.conjuncts(where, conds, ties)
	}
	return r.scope
}

// conjuncts judges a WHERE clause and the join conditions together, and
// returns them as the nodes judged.
func (p *predicate) conjuncts(where ast.ExprNode, conds []ast.ExprNode, ties []usingTie) (result, []ast.ExprNode) {
	var rs []result
	var nodes []ast.ExprNode
	if where != nil {
		for _, arm := range flatten(opcode.LogicAnd, unparen(where), nil) {
			rs = append(rs, p.conjunct(arm))
			nodes = append(nodes, arm)
		}
	}
	for _, c := range conds {
		rs = append(rs, p.truth(c))
		nodes = append(nodes, c)
	}
	for _, tie := range ties {
		r, n := p.tie(tie)
		rs = append(rs, r)
		nodes = append(nodes, n)
	}
	return p.and(rs, nodes), nodes
}

// conjunct judges one ANDed arm of a WHERE clause. Two shapes that the
// value-set and sameness tests read as "every row or none" only narrow the
// statement when ANDed at the top:
//   - a test of a column of the target for NULL (deleted_at IS NOT NULL,
//     NOT (x IS NULL), ISNULL(x) = 0): the rows it keeps are those with a
//     value, a real filter, unlike x = x, which no one writes to filter (a
//     test that is never NULL, such as (x IS TRUE) IS NOT NULL, is not a
//     column and is judged as anywhere else);
//   - a column compared with <> to a string normalisation of itself
//     (email <> LOWER(email), BINARY name <> TRIM(name)): false for every
//     row when every value is normalised, a filter otherwise, never every
//     row. Anything else that may be the same value (x <> x + ?, a cast
//     that cuts, a function of no argument) is judged as anywhere else.
//
// Under NOT, OR or IS the same shapes are judged as anywhere else.
func (p *predicate) conjunct(arm ast.ExprNode) result {
	arm = unparen(arm)
	if x, ok := nullTestOf(arm); ok {
		if c, ok := unparen(x).(*ast.ColumnNameExpr); ok && p.refersToTarget(c.Name) {
			return result{scope: rowDependent}
		}
	}
	if b, ok := arm.(*ast.BinaryOperationExpr); ok && b.Op == opcode.NE && (p.normalizes(b.L, b.R) || p.normalizes(b.R, b.L)) {
		return result{scope: rowDependent}
	}
	return p.truth(arm)
}

// normalizes reports whether f is a normalisation of the target column x
// (LOWER, UPPER, TRIM, LTRIM or RTRIM of x alone; DATE of it; FLOOR, CEIL, ABS, ROUND
// or TRUNCATE of it; REPLACE in it of one literal by another;
// SUBSTRING_INDEX, LPAD or RPAD of it by literals; LEFT, RIGHT or
// SUBSTRING from 1 of it to a literal length), either side
// possibly written BINARY or with a COLLATE: x <> f(x) then picks the rows
// whose value is not yet normalised, or none.
func (p *predicate) normalizes(x, f ast.ExprNode) bool {
	c, ok := asBinaryOrCollated(x).(*ast.ColumnNameExpr)
	call, isCall := asBinaryOrCollated(f).(*ast.FuncCallExpr)
	if !ok || !p.refersToTarget(c.Name) || !isCall || len(call.Args) == 0 {
		return false
	}
	switch n := len(call.Args); call.FnName.L {
	case "lower", "lcase", "upper", "ucase", "trim", "ltrim", "rtrim", "floor", "ceil", "ceiling", "abs", "date":
		if n != 1 {
			return false
		}
	case "round", "truncate":
		// ROUND(x, 2): the rows with more decimals. Whether an argument
		// is a literal or a parameter is not in the cache key.
		p.w.literalSensitive = true
		if n > 2 || n == 2 && !isLiteral(call.Args[1]) {
			return false
		}
	case "replace", "substring_index", "lpad", "rpad":
		// REPLACE(phone, '-', ''): the rows that hold a '-';
		// SUBSTRING_INDEX(email, ',', 1) those that hold a ',';
		// LPAD(code, 5, '0') those not 5 characters long.
		p.w.literalSensitive = true
		if n != 3 || !isLiteral(call.Args[1]) || !isLiteral(call.Args[2]) {
			return false
		}
	case "left", "right", "substring", "substr", "mid":
		// LEFT(code, 3), SUBSTRING(code, 1, 3): the rows longer than
		// 3 characters.
		p.w.literalSensitive = true
		if n == 2 && (call.FnName.L == "left" || call.FnName.L == "right") && isLiteral(call.Args[1]) {
			break
		}
		if n != 3 || call.FnName.L == "left" || call.FnName.L == "right" || !isInt(call.Args[1], 1) || !isLiteral(call.Args[2]) {
			return false
		}
	default:
		return false
	}
	a, ok := asBinaryOrCollated(call.Args[0]).(*ast.ColumnNameExpr)
	return ok && a.Name.Name.L == c.Name.Name.L && a.Name.Table.L == c.Name.Table.L
}

// isLiteral: n is a literal written in the text (not a parameter or a
// variable, which may be any value when the statement runs).
func isLiteral(n ast.ExprNode) bool {
	_, ok := unparen(n).(*driver.ValueExpr)
	return ok
}

// asBinaryOrCollated returns n without parentheses, BINARY (a cast to the
// binary character set without a length; CAST(x AS BINARY(0)) cuts) and
// COLLATE, which compare the same value another way.
func asBinaryOrCollated(n ast.ExprNode) ast.ExprNode {
	for {
		switch e := unparen(n).(type) {
		case *ast.FuncCastExpr:
			if e.Tp == nil || e.Tp.GetCharset() != "binary" || e.Tp.GetFlen() >= 0 {
				return e
			}
			n = e.Expr
		case *ast.SetCollationExpr:
			n = e.Expr
		default:
			return e
		}
	}
}

// nullTestOf returns the value a condition tests for being not NULL:
// x IS NOT NULL, NOT (x IS NULL), NOT ISNULL(x), ISNULL(x) = 0.
func nullTestOf(n ast.ExprNode) (ast.ExprNode, bool) {
	switch e := unparen(n).(type) {
	case *ast.IsNullExpr:
		return e.Expr, e.Not
	case *ast.UnaryOperationExpr:
		if e.Op == opcode.Not || e.Op == opcode.Not2 {
			switch v := unparen(e.V).(type) {
			case *ast.IsNullExpr:
				return v.Expr, !v.Not
			case *ast.FuncCallExpr:
				if isNullCall(v) && len(v.Args) == 1 {
					return v.Args[0], true
				}
			}
		}
	case *ast.BinaryOperationExpr:
		if f, ok := unparen(e.L).(*ast.FuncCallExpr); ok && e.Op == opcode.EQ && isNullCall(f) && len(f.Args) == 1 {
			if v, ok := e.R.(*driver.ValueExpr); ok && v.Kind() == driver.KindInt64 && v.GetInt64() == 0 {
				return f.Args[0], true
			}
		}
	}
	return nil, false
}

// tiedSelves returns the copies of the target that a conjunct ties to the
// target's row by an equality of the same column (a.id = b.id, a.id <=>
// b.id, USING (id)).
func (p *predicate) tiedSelves(nodes []ast.ExprNode) []source {
	var tied []source
	for _, n := range nodes {
		for _, c := range flatten(opcode.LogicAnd, n, nil) {
			b, ok := unparen(c).(*ast.BinaryOperationExpr)
			if !ok || (b.Op != opcode.EQ && b.Op != opcode.NullEQ) {
				continue
			}
			l, lok := unparen(b.L).(*ast.ColumnNameExpr)
			r, rok := unparen(b.R).(*ast.ColumnNameExpr)
			if !lok || !rok {
				continue
			}
			if p.refersToTarget(r.Name) {
				l, r = r, l
			}
			if !p.refersToTarget(l.Name) || r.Name.Table.L == "" {
				continue
			}
			for _, s := range p.selves {
				if !s.mayBeNamedBy(r.Name.Schema.L, r.Name.Table.L) {
					continue
				}
				if col, ok := p.selfColumn(s, r.Name.Name.L); ok && col == l.Name.Name.L {
					tied = append(tied, s)
				}
			}
		}
	}
	return tied
}

// maxTieReadings bounds the pairings of a USING tie that are judged; a
// tie with more reads as no tie at all (fail closed).
const maxTieReadings = 64

// tie judges a USING (col) as the equality left.col = right.col, in each
// reading of which tables have the column, and keeps the reading that
// bounds the target least: USING (id) between the target and a copy of
// it is id = id, true for every row, as ON a.id = b.id is.
func (p *predicate) tie(t usingTie) (result, ast.ExprNode) {
	if len(t.left)*len(t.right) > maxTieReadings {
		return result{scope: rowIndependent}, &ast.BinaryOperationExpr{Op: opcode.EQ, L: usingColumn(t.left[0], t.col), R: usingColumn(t.right[0], t.col)}
	}
	rank := func(s scope) int {
		switch s {
		case alwaysTrue:
			return 3
		case rowIndependent:
			return 2
		case rowDependent:
			return 1
		}
		return 0
	}
	var best result
	var bestNode ast.ExprNode
	for _, l := range t.left {
		for _, r := range t.right {
			n := &ast.BinaryOperationExpr{Op: opcode.EQ, L: usingColumn(l, t.col), R: usingColumn(r, t.col)}
			if v := p.eval(n); bestNode == nil || rank(v.scope) > rank(best.scope) {
				best, bestNode = v, n
			}
		}
	}
	return best, bestNode
}

// usingColumn is column col of source s, qualified as the source is named.
func usingColumn(s source, col ast.CIStr) ast.ExprNode {
	return &ast.ColumnNameExpr{Name: &ast.ColumnName{Schema: ast.NewCIStr(s.schema), Table: ast.NewCIStr(s.qualifier), Name: col}}
}

// upsert checks INSERT ... SELECT ... ON DUPLICATE KEY UPDATE and REPLACE
// ... SELECT whose SELECT reads the target table itself with no condition
// that depends on its rows: every row it returns is a row of the table, so
// every row conflicts with itself and is updated (or deleted and inserted
// again with only the selected columns), as an UPDATE without WHERE would.
func (w *walker) upsert(s *ast.InsertStmt) {
	if (!s.IsReplace && len(s.OnDuplicate) == 0) || s.Select == nil {
		return
	}
	into, _, _ := scopeOf(s.Table)
	if len(into) == 0 {
		return
	}
	t := into[0]
	if w.readsEveryRow(s.Select, t, "") {
		what, effect := "INSERT INTO "+t.display+" ... SELECT ... ON DUPLICATE KEY UPDATE", "be updated"
		if s.IsReplace {
			what, effect = "REPLACE INTO "+t.display+" ... SELECT", "be deleted and inserted again with only the selected columns"
		}
		w.add(sqlparse.CategoryUpdate, RuleUpdateAlways, t.display,
			fmt.Sprintf("%s selects the rows of %s itself, with no condition that depends on them, so every row of %s would conflict and %s",
				what, t.display, t.display, effect))
	}
}

// selectArms lists the SELECTs whose rows a query returns: itself, or each
// arm of a UNION.
func selectArms(n ast.Node, out []*ast.SelectStmt) []*ast.SelectStmt {
	switch x := n.(type) {
	case *ast.SelectStmt:
		out = append(out, x)
	case *ast.SetOprStmt:
		if x.SelectList != nil {
			for _, arm := range x.SelectList.Selects {
				out = selectArms(arm, out)
			}
		}
	case *ast.SetOprSelectList:
		for _, arm := range x.Selects {
			out = selectArms(arm, out)
		}
	}
	return out
}

// maxReadDepth bounds how deep readsColumn follows derived tables and
// CTEs; deeper ones count as reading every row (fail closed).
const maxReadDepth = 16

// maxReadSteps bounds the queries readsColumn looks into for one
// analysis: a column may be followed along several paths at each level
// (forms of a field, sources of an unqualified name or a wildcard), so
// their number can grow with the depth; past it a query counts as reading
// every row (fail closed).
const maxReadSteps = 20000

// anyColumn, as the output column readsColumn follows, asks only whether
// a query returns a row for every row of the table, whatever it selects.
const anyColumn = "*"

// readsEveryRow reports whether query q returns a row for every row of
// table t (see readsColumn); with col set, the value of t's column col in
// its one column, as in t.col IN (SELECT col FROM t).
func (w *walker) readsEveryRow(q ast.Node, t source, col string) bool {
	if col == "" {
		_, ok := w.readsColumn(q, anyColumn, t, "", w.ctes, 0)
		return ok
	}
	_, ok := w.readsColumn(q, "", t, col, w.ctes, 0)
	return ok
}

// readsColumn reports whether query q returns, in its output column out
// ("" for its only column, anyColumn for none in particular), a column of
// table t for every row of t, and which: one of its SELECTs (a UNION's
// arms each count) selects that column of t itself, or of a derived table
// or CTE that does, with no condition that depends on that source's rows.
// The column is followed through AS renames, SELECT * and any number of
// derived tables and CTEs, and through what leaves its value unchanged
// (id + 0, a cast: see forms). want, when set, is the column of t it must
// be. ctes are the CTEs in scope. A LIMIT bounds a query (a SELECT arm, or
// a whole UNION), whatever its count.
func (w *walker) readsColumn(q ast.Node, out string, t source, want string, ctes []*ast.CommonTableExpression, depth int) (string, bool) {
	w.readSteps++
	if depth > maxReadDepth || w.readSteps > maxReadSteps {
		if w.readSteps > maxReadSteps {
			// The statement is refused as too complex besides, which
			// says truly why.
			w.budget.Spend(sqlparse.MaxSteps + 1)
		}
		return want, want != "" || out == anyColumn
	}
	if so, ok := q.(*ast.SetOprStmt); ok {
		if so.Limit != nil {
			return "", false // a LIMIT bounds what it returns, as on PostgreSQL
		}
		if so.With != nil {
			ctes = append(so.With.CTEs[:len(so.With.CTEs):len(so.With.CTEs)], ctes...)
		}
	}
	for _, sel := range selectArms(q, nil) {
		if sel.Limit != nil {
			// The batched delete's IN (SELECT id FROM (SELECT id FROM t
			// ORDER BY id LIMIT 1000) x): MySQL allows no LIMIT directly
			// in IN, and a LIMIT bounds the rows an arm returns.
			continue
		}
		inner := ctes
		if sel.With != nil {
			inner = append(sel.With.CTEs[:len(sel.With.CTEs):len(sel.With.CTEs)], ctes...)
		}
		sources, conds, ties := scopeOf(sel.From)
		if sel.Having != nil {
			if hasAggregate(sel.Having.Expr) {
				continue // HAVING COUNT(*) > 1 keeps some groups only
			}
			// Without an aggregate it is a condition like WHERE's.
			conds = append(conds[:len(conds):len(conds)], sel.Having.Expr)
		}
		for _, c := range w.outputSources(sel, out, sources) {
			got, ok := w.sourceColumn(c.src, c.col, t, want, inner, depth)
			if !ok {
				continue
			}
			if sel.Where == nil && len(conds) == 0 && len(ties) == 0 {
				return got, true
			}
			// The conditions read CTEs as the derived tables they are
			// (a constant column of one, say).
			resolved := append([]source(nil), sources...)
			resolveCTEs(resolved, inner)
			switch w.reach(resolved[c.src.pos], resolved, sel.Where, conds, ties) {
			case alwaysTrue, rowIndependent:
				return got, true
			}
		}
	}
	return "", false
}

// sourced is a column of one FROM source.
type sourced struct {
	src source
	col string // "" for the source's only column, anyColumn for any
}

// outputSources lists the source columns that output column out of a
// SELECT may return (see readsColumn): the column a field selects under
// that name (or its only field, for ""), that column of the sources a
// wildcard covers, or every source for anyColumn. A field's expression
// counts by each of its forms that is a column (id + 0 is id): a column
// qualified by a source's name is that source's, an unqualified one may
// be any source's.
func (w *walker) outputSources(sel *ast.SelectStmt, out string, sources []source) []sourced {
	var res []sourced
	seen := map[sourced]bool{}
	add := func(c sourced) {
		if !seen[c] {
			seen[c] = true
			res = append(res, c)
		}
	}
	if out == anyColumn {
		for _, s := range sources {
			res = append(res, sourced{s, anyColumn})
		}
		return res
	}
	if sel.Fields == nil || (out == "" && len(sel.Fields.Fields) != 1) {
		return nil
	}
	p := &predicate{w: w, target: source{pos: -1}, keys: map[ast.ExprNode]string{}}
	for _, f := range sel.Fields.Fields {
		if f.WildCard != nil {
			for _, s := range sources {
				if f.WildCard.Table.L == "" || s.mayBeNamedBy(f.WildCard.Schema.L, f.WildCard.Table.L) {
					add(sourced{s, out})
				}
			}
			continue
		}
		if f.Expr == nil {
			continue
		}
		forms := p.forms(f.Expr, nil, 0)
		if c := keptColumn(sel, f.Expr); c != nil {
			forms = append(forms, c)
		}
		for _, form := range forms {
			c, ok := form.(*ast.ColumnNameExpr)
			if !ok {
				continue
			}
			if out != "" && f.AsName.L != out && (f.AsName.L != "" || unparen(f.Expr) != form || c.Name.Name.L != out) {
				continue
			}
			for _, s := range sources {
				if c.Name.Table.L == "" || s.mayBeNamedBy(c.Name.Schema.L, c.Name.Table.L) {
					add(sourced{s, c.Name.Name.L})
				}
			}
		}
	}
	return res
}

// keptColumn returns the column that an aggregate or window function
// returns unchanged for every row: MIN or MAX of a column the SELECT groups
// by, or MIN, MAX, FIRST_VALUE or LAST_VALUE of a column over a window
// partitioned by it, with the default frame (which holds the current row).
func keptColumn(sel *ast.SelectStmt, e ast.ExprNode) *ast.ColumnNameExpr {
	switch f := unparen(e).(type) {
	case *ast.AggregateFuncExpr:
		name := strings.ToLower(f.F)
		if (name != "min" && name != "max") || len(f.Args) != 1 || sel.GroupBy == nil {
			return nil
		}
		if c, ok := unparen(f.Args[0]).(*ast.ColumnNameExpr); ok && byColumn(sel.GroupBy.Items, c) {
			return c
		}
	case *ast.WindowFuncExpr:
		switch strings.ToLower(f.Name) {
		case "min", "max", "first_value", "last_value":
		default:
			return nil
		}
		spec := f.Spec
		if len(f.Args) != 1 || f.FromLast || f.IgnoreNull || spec.Name.L != "" || spec.Ref.L != "" ||
			spec.Frame != nil || spec.PartitionBy == nil {
			return nil
		}
		if c, ok := unparen(f.Args[0]).(*ast.ColumnNameExpr); ok && byColumn(spec.PartitionBy.Items, c) {
			return c
		}
	}
	return nil
}

// byColumn reports whether a GROUP BY or PARTITION BY list names column c
// as c is written.
func byColumn(items []*ast.ByItem, c *ast.ColumnNameExpr) bool {
	for _, it := range items {
		g, ok := unparen(it.Expr).(*ast.ColumnNameExpr)
		if ok && g.Name.Name.L == c.Name.Name.L && g.Name.Table.L == c.Name.Table.L && g.Name.Schema.L == c.Name.Schema.L {
			return true
		}
	}
	return false
}

// hasAggregate reports whether an expression calls an aggregate function.
func hasAggregate(e ast.ExprNode) bool {
	f := aggregateFinder()
	e.Accept(f)
	return f.found
}

// sourceColumn reports whether column col of a FROM source holds a column
// of t for every row of t, and which (see readsColumn): col of t itself,
// or the output column col of a derived table or CTE.
func (w *walker) sourceColumn(src source, col string, t source, want string, ctes []*ast.CommonTableExpression, depth int) (string, bool) {
	if src.query != nil {
		return w.readsColumn(src.query, col, t, want, ctes, depth+1)
	}
	if c := cteNamed(ctes, src); c != nil {
		if len(c.ColNameList) > 0 && col != anyColumn {
			// WITH c(i) AS (...): i names the query's only column.
			if len(c.ColNameList) != 1 || (col != "" && c.ColNameList[0].L != col) {
				return "", false
			}
			col = ""
		}
		return w.readsColumn(c.Query.Query, col, t, want, ctes, depth+1)
	}
	if !mayBeSameTable(src, t) {
		return "", false
	}
	switch {
	case col == anyColumn:
		return "", true
	case col == "":
		// The only column of t, in SELECT * FROM t.
		return want, want != ""
	case want == "" || col == want:
		return col, true
	}
	return "", false
}

func newPredicate(w *walker, t source, sources []source) *predicate {
	p := &predicate{w: w, target: t, sources: sources, strictUnqualified: len(sources) > 1, keys: map[ast.ExprNode]string{}}
	for _, s := range sources {
		if s.pos == t.pos {
			continue
		}
		if mayBeSameTable(s, t) || w.derivedSelf(s, t) {
			p.selves = append(p.selves, s)
		}
	}
	return p
}

// derivedSelf reports whether a derived table returns a row for every row
// of base table t ((SELECT id FROM t) d); which of its columns are t's is
// asked of selfColumn.
func (w *walker) derivedSelf(s, t source) bool {
	if s.query == nil || t.table == "" {
		return false
	}
	_, ok := w.derivedColumn(s, t, anyColumn)
	return ok
}

// derivedColumn returns the column of base table t, of every row, that a
// derived table returns as column col (in (SELECT id AS i FROM t) d, d.i
// is t.id). Verdicts are memoised: derived tables nest, and each level
// judges the ones below it.
func (w *walker) derivedColumn(s, t source, col string) (string, bool) {
	key := derivedKey{query: s.query, table: t.table, col: col}
	v, ok := w.derivedSelves[key]
	if !ok {
		if w.derivedSelves == nil {
			w.derivedSelves = map[derivedKey]derivedVerdict{}
		}
		w.derivedSelves[key] = derivedVerdict{} // while it is judged
		v.col, v.ok = w.readsColumn(s.query, col, t, "", w.ctes, 0)
		w.derivedSelves[key] = v
	}
	return v.col, v.ok
}

// derivedKey names a derivedColumn verdict.
type derivedKey struct {
	query ast.Node
	table string
	col   string
}

// derivedVerdict is a derivedColumn verdict.
type derivedVerdict struct {
	col string
	ok  bool
}

// eval judges an expression as a condition on the target's rows. A
// row-dependent test built of comparisons of one subject with constants is
// then decided by the values it holds for (see valueVerdict).
// Verdicts are memoised: the value-set test reads operands again.
func (p *predicate) eval(n ast.ExprNode) result {
	if r, ok := p.evals[n]; ok && n != nil {
		return r
	}
	if !p.w.budget.Spend(sqlparse.EvalSteps) {
		// Past the bound the statement is refused (see TooComplex):
		// any answer will do, and the cheapest reads nothing.
		return result{scope: rowDependent}
	}
	r := p.evalNode(n)
	if r.scope == rowDependent && p.isCompound(n) {
		if v, ok := p.valueVerdict(n); ok {
			r = v
		}
	}
	if p.evals == nil {
		p.evals = map[ast.ExprNode]result{}
	}
	p.evals[n] = r
	return r
}

// matchesItself judges x LIKE x and x RLIKE x: a value matches itself, so
// the pattern test reaches every row where it is not NULL, as x = x does.
func (p *predicate) matchesItself(not bool, x, pattern ast.ExprNode) (result, bool) {
	if not || p.eval(x).scope != rowDependent {
		return result{}, false
	}
	switch p.sameness(x, pattern) {
	case surelySame:
		return boolResult(true), true
	case maybeSame:
		return result{scope: rowIndependent}, true
	}
	return result{}, false
}

// isCompound reports whether n combines or negates tests, compares with a
// range or list, or compares a value of a known range (ABS(x), SIGN(x))
// or computed from tests ((x > 1) <> (x <= 1)): what the value-set test
// may decide.
func (p *predicate) isCompound(n ast.ExprNode) bool {
	switch e := n.(type) {
	case *ast.BinaryOperationExpr:
		switch e.Op {
		case opcode.EQ, opcode.NE, opcode.LT, opcode.LE, opcode.GT, opcode.GE, opcode.NullEQ:
			return p.ranged(e.L) || p.ranged(e.R) || p.testValue(e.L) || p.testValue(e.R)
		}
		return e.Op == opcode.LogicAnd || e.Op == opcode.LogicOr || e.Op == opcode.LogicXor
	case *ast.UnaryOperationExpr:
		return e.Op == opcode.Not || e.Op == opcode.Not2
	case *ast.IsTruthExpr, *ast.IsNullExpr, *ast.BetweenExpr:
		return true
	case *ast.PatternInExpr:
		return e.Sel == nil
	case *ast.FuncCallExpr:
		return isNullCall(e)
	}
	return false
}

// truth judges an expression as a condition: as eval does, and a value
// computed from tests ((x > 1) + (x <= 1), IF(x > 1, 1, 1)) by where it
// is 0 (see valueVerdict); eval reads such a value as the value it is,
// which depends on the row.
func (p *predicate) truth(n ast.ExprNode) result {
	r := p.eval(n)
	if r.scope == rowDependent && !isCondition(n) && p.testValue(n) {
		if v, ok := p.valueVerdict(n); ok {
			return v
		}
	}
	return r
}

// ranged reports whether an expression's values lie in a known range
// (see valueRange).
func (p *predicate) ranged(n ast.ExprNode) bool {
	lo, hi := p.valueRange(unparen(n))
	return lo != nil || hi != nil
}

func (p *predicate) evalNode(n ast.ExprNode) result {
	switch e := n.(type) {
	case nil:
		return boolResult(true)
	case *driver.ValueExpr:
		return p.constant(e)
	case *driver.ParamMarkerExpr:
		// A parameter stands where another text of the same cache key
		// has a literal, which may fold differently: reading it makes
		// the verdict literal-sensitive like reading a literal does.
		p.w.literalSensitive = true
		return result{scope: rowIndependent}
	case *ast.ParenthesesExpr:
		return p.eval(e.Expr)
	case *ast.MatchAgainst:
		// Full-text relevance of the row's columns.
		for _, c := range e.ColumnNames {
			if p.refersToTarget(c) {
				return result{scope: rowDependent}
			}
		}
		return result{scope: rowIndependent}
	case *ast.ColumnNameExpr:
		if v := p.constantColumn(e.Name); v != nil {
			return p.eval(v)
		}
		if p.refersToTarget(e.Name) {
			return result{scope: rowDependent}
		}
		return result{scope: rowIndependent}
	case *ast.VariableExpr:
		if e.Value != nil {
			return dependence(p.eval(e.Value)) // SET-style @v := expr
		}
		return result{scope: rowIndependent}
	case *ast.UnaryOperationExpr:
		r := p.eval(e.V)
		switch e.Op {
		case opcode.Not, opcode.Not2:
			r := not(p.truth(e.V))
			if r.scope == rowDependent {
				if d, ok := p.negatedSubquery(e.V); ok {
					return d
				}
			}
			return r
		case opcode.Minus:
			if r.k != nil && r.k.kind == 'n' {
				return numResult(new(big.Rat).Neg(r.k.num), r.k.double)
			}
		case opcode.Plus:
			return r
		}
		return dependence(r)
	case *ast.BinaryOperationExpr:
		return p.binary(e)
	case *ast.IsNullExpr:
		if neverNull(e.Expr) {
			// (x IS TRUE) IS NOT NULL is true for every row.
			return boolResult(e.Not)
		}
		r := p.eval(e.Expr)
		if r.k != nil {
			return boolResult((r.k.kind == '0') != e.Not)
		}
		return dependence(r)
	case *ast.IsTruthExpr:
		r := p.truth(e.Expr)
		var v bool
		switch {
		case r.k != nil && r.k.kind == '0':
			v = false // NULL is neither TRUE nor FALSE
		case r.scope == alwaysTrue:
			v = e.True != 0
		case r.scope == alwaysFalse:
			v = e.True == 0
		default:
			return dependence(r)
		}
		return boolResult(v != e.Not)
	case *ast.PatternInExpr:
		return p.in(e)
	case *ast.CompareSubqueryExpr:
		if p.emptySubquery(e.R) {
			// x > ALL of no row is true, x > ANY of none false.
			return boolResult(e.All)
		}
		// x = ANY (SELECT ...) (and = SOME) is x IN (SELECT ...).
		if e.Op == opcode.EQ && !e.All {
			return p.in(&ast.PatternInExpr{Expr: e.L, Sel: e.R})
		}
		// x >= ANY and x <= ANY of every row's x hold wherever x IN
		// does.
		if (e.Op == opcode.GE || e.Op == opcode.LE) && !e.All && p.eval(e.L).scope == rowDependent &&
			p.wholeTableSubquery(e.L, e.R) {
			return boolResult(true)
		}
		// x >= ALL (SELECT MIN(x) FROM t): the aggregate's one row.
		if p.extremeComparison(e.Op, e.L, e.R) {
			return boolResult(true)
		}
		// x >= ALL (SELECT t.x FROM u): each value the query returns
		// is the outer row's x (see outerValueComparison).
		if vs := p.outerValues(e.R); len(vs) == 1 && e.Op != opcode.NullEQ &&
			p.eval(&ast.BinaryOperationExpr{Op: e.Op, L: e.L, R: vs[0]}).scope == alwaysTrue {
			return result{scope: rowIndependent}
		}
	case *ast.PatternLikeOrIlikeExpr:
		// x LIKE x matches every row where x is not NULL (but for a
		// value with a backslash or the escape character in it): like
		// x = x it reaches every row.
		if r, ok := p.matchesItself(e.Not, e.Expr, e.Pattern); ok {
			return r
		}
	case *ast.PatternRegexpExpr:
		// x RLIKE x, like x LIKE x, matches every row where x is a
		// plain value (a number, a word).
		if r, ok := p.matchesItself(e.Not, e.Expr, e.Pattern); ok {
			return r
		}
	case *ast.BetweenExpr:
		return p.between(e)
	case *ast.ExistsSubqueryExpr:
		// A SELECT without FROM, WHERE, HAVING or LIMIT returns one
		// row, whatever it selects.
		if sq, ok := e.Sel.(*ast.SubqueryExpr); ok {
			if p.emptySubquery(sq) {
				return boolResult(e.Not)
			}
			if _, ok := oneRowSelect(sq); ok {
				return boolResult(!e.Not)
			}
			if !e.Not && p.selfMatch(sq) {
				return boolResult(true)
			}
			// EXISTS (SELECT 1 FROM u WHERE t.id = t.id): a row of u
			// for every row of t, or none.
			if s, srcs, ok := p.outerValueQuery(sq); ok && p.blindToOuterRow(s, srcs, false) {
				return result{scope: rowIndependent}
			}
		}
	case *ast.CaseExpr:
		return p.caseExpr(e)
	case *ast.FuncCallExpr:
		switch e.FnName.L {
		case "coalesce", "ifnull":
			// COALESCE(1, x) is 1: a first argument known not to be
			// NULL decides.
			if len(e.Args) > 0 {
				if r := p.eval(e.Args[0]); r.k != nil && r.k.kind != '0' {
					return r
				}
			}
		case "if":
			// IF(c, x, x) is x, whatever c is.
			if len(e.Args) == 3 && p.same(e.Args[1], e.Args[2]) {
				return p.eval(e.Args[1])
			}
		case "strcmp", "instr", "locate", "field", "find_in_set":
			// A value compared with or searched for in itself: as
			// x = x, the outcome is the same for every row (STRCMP
			// 0, the others 1; FIND_IN_SET but for a value with a
			// comma).
			if len(e.Args) == 2 && p.same(e.Args[0], e.Args[1]) && p.mentionsTarget(e.Args[0]) {
				if e.FnName.L == "strcmp" {
					return numResult(ratZero, false)
				}
				return numResult(ratOne, false)
			}
		}
	}
	// Anything else (function calls, subqueries, arithmetic, BETWEEN,
	// LIKE ...) depends on the row exactly when a column of the target
	// appears somewhere inside it.
	if p.mentionsTarget(n) {
		return result{scope: rowDependent}
	}
	return result{scope: rowIndependent}
}

func (p *predicate) binary(e *ast.BinaryOperationExpr) result {
	switch e.Op {
	case opcode.LogicAnd, opcode.LogicOr:
		nodes := flatten(e.Op, e, nil)
		args := make([]result, len(nodes))
		for i, a := range nodes {
			args[i] = p.truth(a)
		}
		if e.Op == opcode.LogicAnd {
			return p.and(args, nodes)
		}
		return p.or(args, nodes)
	case opcode.LogicXor:
		l, r := p.truth(e.L), p.truth(e.R)
		if anyNull([]result{l, r}) {
			return nullResult() // NULL XOR x is NULL
		}
		if known(l) && known(r) {
			return boolResult((l.scope == alwaysTrue) != (r.scope == alwaysTrue))
		}
		if p.hasComplementaryPair([]ast.ExprNode{e.L, e.R}) {
			// p XOR NOT p is true wherever p is not NULL.
			return boolResult(true)
		}
		if l.scope == rowDependent || r.scope == rowDependent {
			return result{scope: rowDependent}
		}
		return result{scope: rowIndependent}
	case opcode.EQ, opcode.NE, opcode.LT, opcode.LE, opcode.GT, opcode.GE, opcode.NullEQ:
		if p.outerValueComparison(e.Op, e.L, e.R) {
			return result{scope: rowIndependent}
		}
		if p.extremeComparison(e.Op, e.L, e.R) {
			return boolResult(true) // x <= (SELECT MAX(x) FROM t)
		}
		if p.scalarReadsEveryRow(e.Op, e.L, e.R) {
			return boolResult(true) // x = (SELECT x FROM t y WHERE y.x = t.x)
		}
		l, r := p.eval(e.L), p.eval(e.R)
		if l.k != nil && r.k != nil {
			if v, ok := compare(e.Op, l.k, r.k); ok {
				if e.Op != opcode.NullEQ && anyNull([]result{l, r}) {
					return nullResult()
				}
				return boolResult(v)
			}
			return result{scope: rowIndependent}
		}
		if e.Op != opcode.NullEQ && anyNull([]result{l, r}) {
			return nullResult() // x = NULL is NULL for every row
		}
		if l.scope == rowDependent || r.scope == rowDependent {
			switch p.sameness(e.L, e.R) {
			case surelySame:
				// x = x is true for every row where x is not NULL
				// (x <=> x for every row): it reaches every row.
				return boolResult(e.Op == opcode.EQ || e.Op == opcode.LE || e.Op == opcode.GE || e.Op == opcode.NullEQ)
			case maybeSame:
				// x = COALESCE(?, x) is x = x when ? is NULL.
				return result{scope: rowIndependent}
			}
			if v, ok := p.compareOffsets(e.Op, e.L, e.R); ok {
				return v // x + 1 > x
			}
			return result{scope: rowDependent}
		}
		return result{scope: rowIndependent}
	}
	if r, ok := p.cancelled(e); ok {
		return r
	}
	p.w.literalSensitive = true // x % 1, x % 2
	if maybeIntegerConstant(e) {
		return result{scope: rowIndependent}
	}
	if p.mentionsTarget(e) {
		return result{scope: rowDependent}
	}
	return result{scope: rowIndependent}
}

// cancelled recognises arithmetic in which the row cancels out: x - x and
// x ^ x are 0, and so are x * 0 and x & 0, for every row where x is not NULL (as for
// x = x, the rows where it is NULL are not counted on).
// The operands are not evaluated (arithmetic nests deeply): only
// compared, and searched for a column of the target.
func (p *predicate) cancelled(e *ast.BinaryOperationExpr) (result, bool) {
	switch e.Op {
	case opcode.Minus, opcode.Xor:
		if p.same(e.L, e.R) && p.mentionsTarget(e.L) {
			return numResult(ratZero, false), true
		}
	case opcode.Div, opcode.IntDiv:
		// x / x is 1 (NULL where x is 0, a row not reached).
		if p.same(e.L, e.R) && p.mentionsTarget(e.L) {
			return numResult(ratOne, false), true
		}
	case opcode.Mul, opcode.And:
		if p.isZero(e.R) && p.mentionsTarget(e.L) || p.isZero(e.L) && p.mentionsTarget(e.R) {
			return numResult(ratZero, false), true
		}
	}
	return result{}, false
}

// isZero reports whether n is a number literal of value 0.
func (p *predicate) isZero(n ast.ExprNode) bool {
	v, ok := unparen(n).(*driver.ValueExpr)
	if !ok {
		return false
	}
	r := p.constant(v)
	return r.k != nil && r.k.kind == 'n' && r.k.num.Sign() == 0
}

// between reads x BETWEEN lo AND hi as x >= lo AND x <= hi (NOT BETWEEN
// as x < lo OR x > hi), so that x BETWEEN x AND x is seen for the x = x it
// is.
func (p *predicate) between(e *ast.BetweenExpr) result {
	if e.Not {
		lo := &ast.BinaryOperationExpr{Op: opcode.LT, L: e.Expr, R: e.Left}
		hi := &ast.BinaryOperationExpr{Op: opcode.GT, L: e.Expr, R: e.Right}
		return p.or([]result{p.eval(lo), p.eval(hi)}, []ast.ExprNode{lo, hi})
	}
	lo := &ast.BinaryOperationExpr{Op: opcode.GE, L: e.Expr, R: e.Left}
	hi := &ast.BinaryOperationExpr{Op: opcode.LE, L: e.Expr, R: e.Right}
	return p.and([]result{p.eval(lo), p.eval(hi)}, []ast.ExprNode{lo, hi})
}

// oneRowSelect returns the SELECT of a subquery that has no FROM (and no
// WHERE, GROUP BY, HAVING or LIMIT to drop its row): it returns exactly
// one row, and its names refer to the enclosing statement.
func oneRowSelect(sq *ast.SubqueryExpr) (*ast.SelectStmt, bool) {
	s, ok := sq.Query.(*ast.SelectStmt)
	if !ok || s.Kind != ast.SelectStmtKindSelect || s.From != nil || s.Where != nil || s.GroupBy != nil ||
		s.Having != nil || s.Limit != nil || s.With != nil || s.Fields == nil {
		return nil, false
	}
	return s, true
}

// selfMatch reports whether a subquery reads a copy of the target (the
// table, or a derived table of its every row) whose condition finds the
// target's own row, as in EXISTS (SELECT 1 FROM t x WHERE x.id = t.id): such an EXISTS is true for every row (where the
// column is not NULL). The condition is judged with the copy's columns
// taken as the target's, so x.id = t.id reads as id = id.
func (p *predicate) selfMatch(sq *ast.SubqueryExpr) bool {
	_, _, ok := p.selfCopy(sq)
	return ok
}

// selfCopy returns, for a subquery that finds the target's own row in a
// copy of the target (see selfMatch), its SELECT and a predicate that
// reads the copy's columns as the target's. ok is false for any other.
func (p *predicate) selfCopy(sq *ast.SubqueryExpr) (*predicate, *ast.SelectStmt, bool) {
	s, ok := sq.Query.(*ast.SelectStmt)
	if !ok || s.Where == nil || s.GroupBy != nil || s.Having != nil || s.Limit != nil {
		return nil, nil, false
	}
	sources, conds, ties := scopeOf(s.From)
	if len(sources) != 1 || len(conds) != 0 || len(ties) != 0 ||
		!(mayBeSameTable(sources[0], p.target) || p.w.derivedSelf(sources[0], p.target)) {
		return nil, nil, false
	}
	outer := p.target
	outer.pos = -1
	q := &predicate{w: p.w, target: outer, sources: sources, strictUnqualified: true, selves: sources, keys: map[ast.ExprNode]string{}}
	return q, s, q.eval(s.Where).scope == alwaysTrue
}

// selfCopyReturns reports whether a subquery that finds the target's own
// row in a copy of it (see selfCopy) returns x read from that copy: x IN
// (SELECT y.x FROM t y WHERE y.id = t.id) holds for every row where x is
// not NULL, since the row's own copy is among those the subquery keeps.
func (p *predicate) selfCopyReturns(x ast.ExprNode, sq *ast.SubqueryExpr) bool {
	col, ok := p.simplify(x).(*ast.ColumnNameExpr)
	if !ok || !p.refersToTarget(col.Name) || !p.mentionsTarget(sq) {
		// Only a subquery that looks at the outer row can be tied to
		// it; an uncorrelated one is readsEveryRow's to read.
		return false
	}
	q, s, ok := p.selfCopy(sq)
	if !ok || s.Fields == nil || len(s.Fields.Fields) != 1 || s.Fields.Fields[0].Expr == nil {
		return false
	}
	// x qualified by the target's name, which q reads as the target's.
	outer := &ast.ColumnNameExpr{Name: &ast.ColumnName{Table: ast.NewCIStr(p.target.qualifier), Name: ast.NewCIStr(p.columnName(col.Name))}}
	return q.eval(&ast.BinaryOperationExpr{Op: opcode.EQ, L: outer, R: s.Fields.Fields[0].Expr}).scope == alwaysTrue
}

// simplify looks through parentheses, through a scalar subquery that
// only selects one expression without FROM ((SELECT t.id) is t.id), and
// through what leaves a value unchanged wherever it is not NULL (x + 0,
// x - 0, x * 1, IFNULL(x, ...), COALESCE(x, ...)): compared with x, each
// is x = x.
func (p *predicate) simplify(n ast.ExprNode) ast.ExprNode {
	for {
		n = unparen(n)
		if x := p.identityOperand(n); x != nil {
			n = x
			continue
		}
		if c, ok := n.(*ast.ColumnNameExpr); ok {
			if v := p.constantColumn(c.Name); v != nil {
				n = v
				continue
			}
		}
		sq, ok := n.(*ast.SubqueryExpr)
		if !ok {
			return n
		}
		s, ok := oneRowSelect(sq)
		if !ok || len(s.Fields.Fields) != 1 || s.Fields.Fields[0].WildCard != nil || s.Fields.Fields[0].Expr == nil {
			return n
		}
		n = s.Fields.Fields[0].Expr
	}
}

// constantColumn returns the literal that a derived table in scope returns
// as column c in every row (1 AS one in (SELECT id, 1 AS one FROM t) x),
// or nil. An unqualified name is the derived table's when one derived table
// has it: were another table to have it too, the server would refuse the
// name as ambiguous.
func (p *predicate) constantColumn(c *ast.ColumnName) ast.ExprNode {
	var found ast.ExprNode
	for _, s := range p.sources {
		if s.query == nil || c.Table.L != "" && !s.mayBeNamedBy(c.Schema.L, c.Table.L) {
			continue
		}
		if v := derivedConstant(s.query, c.Name.L); v != nil {
			if found != nil {
				return nil
			}
			found = v
		}
	}
	return found
}

// derivedConstant returns the literal a derived table's query returns as
// its column name, or nil: a single SELECT whose one field of that name is
// a literal given that name by AS.
func derivedConstant(q ast.Node, name string) ast.ExprNode {
	sel, ok := q.(*ast.SelectStmt)
	if !ok || sel.Fields == nil {
		return nil
	}
	var found ast.ExprNode
	for _, f := range sel.Fields.Fields {
		named := f.AsName.L
		if named == "" && f.Expr != nil {
			if c, ok := unparen(f.Expr).(*ast.ColumnNameExpr); ok {
				named = c.Name.Name.L
			}
		}
		if f.WildCard != nil || named == name && found != nil {
			return nil // a star may hold a column of that name too
		}
		if named == name {
			found = f.Expr
		}
	}
	if _, ok := unparen(found).(*driver.ValueExpr); !ok {
		return nil
	}
	return found
}

// identityOperand returns x when n is x + 0, 0 + x, x - 0, x * 1, 1 * x,
// IFNULL(x, ...) or COALESCE(x, ...); nil otherwise.
func (p *predicate) identityOperand(n ast.ExprNode) ast.ExprNode {
	if x := p.certainIdentity(n); x != nil {
		return x
	}
	switch e := n.(type) {
	case *ast.BinaryOperationExpr:
		switch e.Op {
		case opcode.Plus, opcode.Minus, opcode.Mul:
			// The verdict reads the literal's value.
			p.w.literalSensitive = true
		}
		switch e.Op {
		case opcode.Plus:
			if p.numberIs(e.R, 0) {
				return e.L
			}
			if p.numberIs(e.L, 0) {
				return e.R
			}
		case opcode.Minus:
			if p.numberIs(e.R, 0) {
				return e.L
			}
		case opcode.Mul:
			if p.numberIs(e.R, 1) {
				return e.L
			}
			if p.numberIs(e.L, 1) {
				return e.R
			}
		}
	case *ast.FuncCallExpr:
		switch e.FnName.L {
		case "ifnull", "coalesce":
			// The first argument, where it is not NULL; one that
			// may be NULL (a parameter) is read in its forms.
			if len(e.Args) > 0 && !p.free(e.Args[0]) && !isNullLiteral(e.Args[0]) {
				return e.Args[0]
			}
		case "concat":
			if len(e.Args) == 1 {
				return e.Args[0]
			}
		case "if":
			// IF(1, x, y) is x, IF(0, x, y) is y.
			if len(e.Args) == 3 {
				switch p.truth(e.Args[0]).scope {
				case alwaysTrue:
					return e.Args[1]
				case alwaysFalse:
					return e.Args[2]
				}
			}
		case "greatest", "least":
			// GREATEST(x, x) is x.
			for _, a := range e.Args[1:] {
				if !p.same(e.Args[0], a) {
					return nil
				}
			}
			if len(e.Args) > 0 {
				return e.Args[0]
			}
		}
	case *ast.SetCollationExpr:
		return e.Expr
	}
	return nil
}

func known(r result) bool {
	return (r.scope == alwaysTrue || r.scope == alwaysFalse) && (r.k == nil || r.k.kind != '0')
}

// flatten lists the operands of nested ANDs (or ORs), looking through
// parentheses: a AND (b AND c) has operands a, b, c.
func flatten(op opcode.Op, n ast.ExprNode, out []ast.ExprNode) []ast.ExprNode {
	for {
		pe, ok := n.(*ast.ParenthesesExpr)
		if !ok {
			break
		}
		n = pe.Expr
	}
	if b, ok := n.(*ast.BinaryOperationExpr); ok && b.Op == op {
		out = flatten(op, b.L, out)
		return flatten(op, b.R, out)
	}
	return append(out, n)
}

// dependence keeps only whether r depends on the row.
func dependence(r result) result {
	if r.scope == rowDependent {
		return result{scope: rowDependent}
	}
	return result{scope: rowIndependent}
}

var (
	ratZero = new(big.Rat)
	ratOne  = big.NewRat(1, 1)
	// The values of TRUE and FALSE, shared: results never modify them.
	konstTrue  = &konst{kind: 'n', num: ratOne}
	konstFalse = &konst{kind: 'n', num: ratZero}
)

func boolResult(b bool) result {
	if b {
		return result{scope: alwaysTrue, k: konstTrue}
	}
	return result{scope: alwaysFalse, k: konstFalse}
}

// numResult is a known number; as a condition it is true when non-zero.
func numResult(v *big.Rat, double bool) result {
	if v.Sign() != 0 {
		return result{scope: alwaysTrue, k: &konst{kind: 'n', num: v, double: double}}
	}
	return result{scope: alwaysFalse, k: &konst{kind: 'n', num: v, double: double}}
}

func not(r result) result {
	switch {
	case r.k != nil && r.k.kind == '0':
		return r // NOT NULL is NULL
	case r.scope == alwaysTrue:
		return boolResult(false)
	case r.scope == alwaysFalse:
		return boolResult(true)
	}
	return result{scope: r.scope}
}

// constant reads a literal. As a condition MySQL takes a value as true when
// it is a non-zero number; a string is converted to a number, which is only
// certain here for strings that are numbers, so other strings are left
// undecided (and so refused when they are all a WHERE has).
func (p *predicate) constant(v *driver.ValueExpr) result {
	p.w.literalSensitive = true
	switch v.Kind() {
	case driver.KindNull:
		return result{scope: alwaysFalse, k: &konst{kind: '0'}}
	case driver.KindInt64:
		return numResult(new(big.Rat).SetInt64(v.GetInt64()), false)
	case driver.KindUint64:
		return numResult(new(big.Rat).SetUint64(v.GetUint64()), false)
	case driver.KindFloat32, driver.KindFloat64:
		return numResult(new(big.Rat).SetFloat64(v.GetFloat64()), true)
	case driver.KindMysqlDecimal:
		// The parser caps a decimal's digits (and servers differ in
		// their caps): only a short one surely has the value written.
		s := v.GetMysqlDecimal().String()
		if digitCount(s) > maxExactDigits {
			return result{scope: rowIndependent}
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			return result{scope: rowIndependent}
		}
		return numResult(r, false)
	case driver.KindString, driver.KindBytes:
		s := v.GetString()
		if s == "" {
			// Under MariaDB's sql_mode EMPTY_STRING_IS_NULL (part of
			// ORACLE) '' is NULL: whether it is NULL depends on a
			// setting the session can change, so it is not folded.
			return result{scope: rowIndependent}
		}
		k := &konst{kind: 's', str: s}
		if f, ok := stringNumber(s); ok {
			r := numResult(f, true)
			r.k = k
			return r
		}
		return result{scope: rowIndependent, k: k}
	}
	return result{scope: rowIndependent}
}

// maxExactDigits bounds the length of a decimal literal whose value is
// taken as written.
const maxExactDigits = 30

func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// stringNumber reads a string that is a plain decimal number (after
// leading and trailing spaces): the server converts it to a double.
// Anything else ('1abc', 'inf', '0x10') is left unread, as is a
// number with an exponent large enough to be costly to hold exactly.
func stringNumber(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 || digits > 400 {
		return nil, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
		if i == start || i-start > 3 {
			return nil, false
		}
	}
	if i != len(s) {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

// cmpNumbers compares two numbers as the server does: exactly when both
// are integers or decimals, as doubles when either is a double (a string
// compared with a number is converted to a double). A comparison of
// doubles is decided here only when both values are doubles exactly:
// otherwise the rounding the server applies is not certain.
func cmpNumbers(a, b *konst) (int, bool) {
	if a.double || b.double {
		if _, exact := a.num.Float64(); !exact {
			return 0, false
		}
		if _, exact := b.num.Float64(); !exact {
			return 0, false
		}
	}
	return a.num.Cmp(b.num), true
}

// compare folds a comparison of two literals when the outcome is certain
// under every collation; ok is false otherwise (the caller then treats the
// comparison as row-independent, which is refused like an always-true one).
func compare(op opcode.Op, a, b *konst) (bool, bool) {
	if a.kind == '0' || b.kind == '0' {
		if op == opcode.NullEQ {
			return a.kind == b.kind, true
		}
		return false, true // NULL compares to nothing: the row is not reached
	}
	var c int
	switch {
	case a.kind == 'n' && b.kind == 'n':
		var ok bool
		if c, ok = cmpNumbers(a, b); !ok {
			return false, false
		}
	case a.kind == 's' && b.kind == 's':
		if a.str == b.str {
			c = 0
		} else if op == opcode.EQ || op == opcode.NE || op == opcode.NullEQ {
			// Collations fold case, accents and trailing spaces:
			// only ASCII strings that differ after folding case and
			// trailing spaces are certainly different.
			x, y := strings.ToLower(strings.TrimRight(a.str, " ")), strings.ToLower(strings.TrimRight(b.str, " "))
			if !isASCII(a.str) || !isASCII(b.str) || x == y {
				return false, false
			}
			c = 1
		} else {
			return false, false
		}
	default:
		// A string compared with a number is converted to a number.
		x, y := a, b
		if a.kind == 's' {
			x, y = b, a
		}
		f, ok := stringNumber(y.str)
		if !ok {
			return false, false
		}
		c, ok = cmpNumbers(x, &konst{kind: 'n', num: f, double: true})
		if !ok {
			return false, false
		}
		if a.kind == 's' {
			c = -c
		}
	}
	switch op {
	case opcode.EQ, opcode.NullEQ:
		return c == 0, true
	case opcode.NE:
		return c != 0, true
	case opcode.LT:
		return c < 0, true
	case opcode.LE:
		return c <= 0, true
	case opcode.GT:
		return c > 0, true
	case opcode.GE:
		return c >= 0, true
	}
	return false, false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// and combines conjuncts (see sqlparse.Conjunction); a contradiction such
// as x IS NULL AND x IS NOT NULL is false.
// A NULL operand makes the whole NULL where no operand is false (NULL AND
// 1 is NULL, so (NULL AND 1) IS NULL is true), and NULL or false where the
// others depend on the row: never true, but not surely false either.
func (p *predicate) and(args []result, nodes []ast.ExprNode) result {
	r := fromScope(sqlparse.Conjunction(scopes(args), func() bool { return p.hasComplementaryPair(nodes) }))
	if r.scope != alwaysFalse || !anyNull(args) {
		return r
	}
	onlyTrue := true
	for _, a := range args {
		if a.scope == alwaysFalse && (a.k == nil || a.k.kind != '0') {
			return r // FALSE AND NULL is false
		}
		onlyTrue = onlyTrue && (a.scope == alwaysTrue || a.k != nil && a.k.kind == '0')
	}
	if onlyTrue {
		return nullResult()
	}
	return result{scope: alwaysFalse}
}

// or combines disjuncts (see sqlparse.Disjunction); x IS NULL OR x IS NOT
// NULL, and p OR NOT p, are true. Operands that are all false or NULL,
// some NULL, are NULL.
func (p *predicate) or(args []result, nodes []ast.ExprNode) result {
	r := fromScope(sqlparse.Disjunction(scopes(args), func() bool { return p.hasComplementaryPair(nodes) }))
	if r.scope == alwaysFalse && anyNull(args) {
		return nullResult()
	}
	return r
}

func anyNull(args []result) bool {
	for _, a := range args {
		if a.k != nil && a.k.kind == '0' {
			return true
		}
	}
	return false
}

// nullResult is the value NULL: as a condition it reaches no row.
func nullResult() result {
	return result{scope: alwaysFalse, k: &konst{kind: '0'}}
}

func scopes(args []result) []scope {
	out := make([]scope, len(args))
	for i, a := range args {
		out[i] = a.scope
	}
	return out
}

// fromScope turns a combined scope back into a result; a decided one
// carries its boolean value.
func fromScope(s scope) result {
	switch s {
	case alwaysTrue:
		return boolResult(true)
	case alwaysFalse:
		return boolResult(false)
	}
	return result{scope: s}
}

// hasComplementaryPair finds two operands where one is the negation of the
// other: x IS NULL / x IS NOT NULL, p / NOT p (also !p), a comparison and
// its opposite (a = b / a <> b, a < b / a >= b, a < b / b <= a). Operands
// are compared by canonical key, so the check is linear in their number;
// it runs only when some operand has a negative form and some other does
// not (a range a >= 1 AND a <= 9 has none to pair).
func (p *predicate) hasComplementaryPair(nodes []ast.ExprNode) bool {
	if len(nodes) < 2 {
		return false
	}
	// Which operands count as negative forms reads literals (x = 0,
	// x LIKE '%').
	p.w.literalSensitive = true
	negative, positive := false, false
	for _, n := range nodes {
		if isNegative(n) {
			negative = true
		} else {
			positive = true
		}
	}
	if !negative || !positive {
		return false
	}
	seen := map[string]bool{}
	for _, n := range nodes {
		k, neg := p.polarKey(n)
		if seen[neg] {
			return true
		}
		seen[k] = true
	}
	return false
}

// isNegative reports whether n is written as a negation: NOT p, x IS NOT
// NULL, or a comparison that polarKey reads as the negation of another
// (and not a negation of one of these).
func isNegative(n ast.ExprNode) bool {
	switch x := unparen(n).(type) {
	case *ast.UnaryOperationExpr:
		if x.Op == opcode.Not || x.Op == opcode.Not2 {
			return !isNegative(x.V) // NOT a <> b is a = b
		}
	case *ast.IsNullExpr:
		return x.Not
	case *ast.IsTruthExpr:
		return x.Not == (x.True != 0) // IS NOT TRUE, IS FALSE
	case *ast.BinaryOperationExpr:
		// x = 0 is NOT x, and a - b is a <> b (see polarKey).
		return x.Op == opcode.Minus || x.Op == opcode.NE || x.Op == opcode.GE || x.Op == opcode.LE || x.Op == opcode.EQ && (isInt(x.L, 0) || isInt(x.R, 0))
	case *ast.FuncCallExpr:
		return x.FnName.L == "isnull"
	case *ast.PatternLikeOrIlikeExpr:
		return matchesEveryValue(x) // x IS NOT NULL (see polarKey)
	}
	return false
}

// matchesEveryValue reports whether a LIKE's pattern is only % signs: it
// matches every value that is not NULL.
func matchesEveryValue(e *ast.PatternLikeOrIlikeExpr) bool {
	v, ok := unparen(e.Pattern).(*driver.ValueExpr)
	if e.Not || !ok || v.Kind() != driver.KindString {
		return false
	}
	str := v.GetString()
	return str != "" && strings.Trim(str, "%") == ""
}

// isInt reports whether n is the integer literal want. The operands have
// been evaluated (and their literals read) before this is asked.
// numberIs reports whether n is a number literal worth want, however it is
// written: 1, 1.0, 1e0 (x * 1.0 is x, as x * 1 is).
func (p *predicate) numberIs(n ast.ExprNode, want int64) bool {
	v, ok := unparen(n).(*driver.ValueExpr)
	if !ok {
		return false
	}
	r := p.constant(v)
	return r.k != nil && r.k.kind == 'n' && r.k.num.Cmp(big.NewRat(want, 1)) == 0
}

func isInt(n ast.ExprNode, want int64) bool {
	v, ok := unparen(n).(*driver.ValueExpr)
	return ok && (v.Kind() == driver.KindInt64 && v.GetInt64() == want || v.Kind() == driver.KindUint64 && v.GetUint64() == uint64(want))
}

// neverNull reports whether an expression is never NULL, whatever the row:
// the tests IS [NOT] NULL, IS [NOT] TRUE/FALSE, <=> and ISNULL().
func neverNull(n ast.ExprNode) bool {
	switch x := unparen(n).(type) {
	case *ast.IsNullExpr, *ast.IsTruthExpr:
		return true
	case *ast.BinaryOperationExpr:
		return x.Op == opcode.NullEQ
	case *ast.FuncCallExpr:
		return x.FnName.L == "isnull" && len(x.Args) == 1
	case *ast.UnaryOperationExpr:
		return (x.Op == opcode.Not || x.Op == opcode.Not2) && neverNull(x.V)
	}
	return false
}

func unparen(n ast.ExprNode) ast.ExprNode {
	for {
		pe, ok := n.(*ast.ParenthesesExpr)
		if !ok {
			return n
		}
		n = pe.Expr
	}
}

// isNot returns the operand of a NOT (or !), or nil.
func isNot(n ast.ExprNode) ast.ExprNode {
	if u, ok := unparen(n).(*ast.UnaryOperationExpr); ok && (u.Op == opcode.Not || u.Op == opcode.Not2) {
		return u.V
	}
	return nil
}

// polarKey returns a key for what n asserts and the key of its negation.
func (p *predicate) polarKey(n ast.ExprNode) (key, negation string) {
	n = unparen(n)
	if nt, ok := n.(*ast.IsNullExpr); ok {
		k := p.key(unparen(nt.Expr))
		if !nt.Not {
			return "null:" + k, "notnull:" + k
		}
		return "notnull:" + k, "null:" + k
	}
	if v := isNot(n); v != nil {
		k, neg := p.polarKey(v)
		return neg, k
	}
	if f, ok := n.(*ast.FuncCallExpr); ok && f.FnName.L == "isnull" && len(f.Args) == 1 {
		k := p.key(unparen(f.Args[0]))
		return "null:" + k, "notnull:" + k
	}
	if l, ok := n.(*ast.PatternLikeOrIlikeExpr); ok && matchesEveryValue(l) {
		// x LIKE '%' reaches the rows x IS NOT NULL reaches.
		k := p.key(unparen(l.Expr))
		return "notnull:" + k, "null:" + k
	}
	if t, ok := n.(*ast.IsTruthExpr); ok {
		// As a condition, x IS TRUE and x IS NOT FALSE reach the rows x
		// reaches (NULL rows aside, as for x = x); x IS NOT TRUE and x
		// IS FALSE those NOT x reaches.
		k, neg := p.polarKey(t.Expr)
		if t.Not == (t.True != 0) {
			return neg, k
		}
		return k, neg
	}
	if b, ok := n.(*ast.BinaryOperationExpr); ok {
		if b.Op == opcode.Minus {
			// As a condition, a - b is a <> b.
			b = &ast.BinaryOperationExpr{Op: opcode.NE, L: b.L, R: b.R}
		}
		// As a condition, x = 0 is NOT x and x <> 0 is x.
		if b.Op == opcode.EQ || b.Op == opcode.NE {
			var x ast.ExprNode
			switch {
			case p.isZero(b.R):
				x = b.L
			case p.isZero(b.L):
				x = b.R
			}
			if x != nil {
				k, neg := p.polarKey(x)
				if b.Op == opcode.EQ {
					return neg, k
				}
				return k, neg
			}
		}
		if k, negated, ok := p.comparisonKey(b); ok {
			if negated {
				return "not:" + k, "is:" + k
			}
			return "is:" + k, "not:" + k
		}
	}
	k := p.key(n)
	return "is:" + k, "not:" + k
}

// negatedOp is the comparison that holds where one does not, for values
// that are not NULL.
var negatedOp = map[opcode.Op]opcode.Op{opcode.EQ: opcode.NE, opcode.NE: opcode.EQ,
	opcode.LT: opcode.GE, opcode.GE: opcode.LT, opcode.GT: opcode.LE, opcode.LE: opcode.GT}

// negatedSubquery decides NOT (x op ALL (subquery)) as x negop ANY
// (subquery), and NOT (x op ANY (...)) as x negop ALL (...): NOT (x < ALL
// (SELECT x FROM t)) is x >= ANY (SELECT x FROM t), every row where x is
// not NULL. The two agree in three-valued logic too. ok is false unless
// that decides it.
func (p *predicate) negatedSubquery(n ast.ExprNode) (result, bool) {
	c, ok := unparen(n).(*ast.CompareSubqueryExpr)
	if !ok {
		return result{}, false
	}
	op, ok := negatedOp[c.Op]
	if !ok {
		return result{}, false
	}
	// Only what the dual adds is read here: a subquery of no row was
	// read with the comparison itself, and reading the whole dual again
	// would read every subquery nested in it twice.
	sq, ok := c.R.(*ast.SubqueryExpr)
	if ok && c.All && (op == opcode.EQ || op == opcode.GE || op == opcode.LE) &&
		p.eval(c.L).scope == rowDependent && p.wholeTableSubquery(c.L, sq) {
		return boolResult(true), true // x >= ANY (SELECT x FROM t)
	}
	if p.extremeComparison(op, c.L, c.R) {
		return boolResult(true), true // the aggregate's one row
	}
	return result{}, false
}

// comparisonKey reads a comparison as a = b or a < b, or the negation of
// one: a <> b is NOT a = b, a > b is b < a, a >= b is NOT a < b, a <= b is
// NOT b < a. The operands of = are ordered, so b = a reads as a = b.
func (p *predicate) comparisonKey(b *ast.BinaryOperationExpr) (key string, negated bool, ok bool) {
	l, r := p.key(p.simplify(b.L)), p.key(p.simplify(b.R))
	switch b.Op {
	case opcode.EQ, opcode.NE:
		if l > r {
			l, r = r, l
		}
		return "=\x00" + l + "\x00" + r, b.Op == opcode.NE, true
	case opcode.LT:
		return "<\x00" + l + "\x00" + r, false, true
	case opcode.GT:
		return "<\x00" + r + "\x00" + l, false, true
	case opcode.GE:
		return "<\x00" + l + "\x00" + r, true, true
	case opcode.LE:
		return "<\x00" + r + "\x00" + l, true, true
	}
	return "", false, false
}

// in handles x IN (..., x, ...) (that is x = x) and x IN (SELECT x FROM
// target) (every row's value is among all values).
func (p *predicate) in(e *ast.PatternInExpr) result {
	if e.Sel != nil && p.emptySubquery(e.Sel) {
		// NOT IN of no row is true, for NULL too.
		return boolResult(e.Not)
	}
	x := p.eval(e.Expr)
	if x.scope == rowDependent {
		maybe := false
		for _, item := range e.List {
			switch p.sameness(e.Expr, item) {
			case surelySame:
				return boolResult(!e.Not)
			case maybeSame:
				maybe = true
			}
		}
		if maybe {
			return result{scope: rowIndependent}
		}
		if r, ok := p.inOffsets(e); ok {
			return r
		}
		if e.Sel != nil && !e.Not && p.wholeTableSubquery(e.Expr, e.Sel) {
			return boolResult(true)
		}
		if e.Sel != nil && p.outerValueSubquery(e.Expr, e.Sel) {
			return result{scope: rowIndependent}
		}
	}
	if x.scope != rowDependent && !e.Not && e.Sel == nil {
		// ? IN (x, ?): two values that do not depend on the row
		// may be equal, and then every row is reached.
		for _, item := range e.List {
			r := p.eval(item)
			if r.scope == rowDependent {
				continue
			}
			if x.k == nil || r.k == nil {
				return result{scope: rowIndependent}
			}
			if v, ok := compare(opcode.EQ, x.k, r.k); ok && v {
				return boolResult(true) // 5 IN (x, 5)
			}
		}
	}
	if p.mentionsTarget(e) {
		return result{scope: rowDependent}
	}
	return result{scope: rowIndependent}
}

// inOffsets decides x IN (...) whose items are x moved by constants (see
// compareOffsets): IN holds for every row where x is not NULL when one item
// equals x (x IN (x + 0, 5)), and for none when every item is x moved by
// another constant, so x NOT IN (x + 1) reaches every such row. When the
// rest are moved by a value chosen at run time or an interval (x NOT IN (x
// + INTERVAL 1 DAY)), that value decides for every row alike. ok is false
// when that does not decide the whole.
func (p *predicate) inOffsets(e *ast.PatternInExpr) (result, bool) {
	if e.Sel != nil || len(e.List) == 0 {
		return result{}, false
	}
	none, independent := true, false
	for _, item := range e.List {
		r, ok := p.compareOffsets(opcode.EQ, e.Expr, item)
		switch {
		case ok && r.scope == alwaysTrue:
			return boolResult(!e.Not), true
		case ok && r.scope == rowIndependent:
			independent = true
		case !ok || r.scope != alwaysFalse:
			none = false
		}
	}
	switch {
	case none && independent:
		return result{scope: rowIndependent}, true
	case none:
		return boolResult(e.Not), true
	}
	return result{}, false
}

// wholeTableSubquery reports whether a subquery returns every value x
// takes: (SELECT x) itself, or a query that reads column x of every row
// of the target (through UNIONs, derived tables and CTEs).
func (p *predicate) wholeTableSubquery(x ast.ExprNode, sel ast.ExprNode) bool {
	sq, ok := sel.(*ast.SubqueryExpr)
	if !ok {
		return false
	}
	if s, ok := oneRowSelect(sq); ok && len(s.Fields.Fields) == 1 && s.Fields.Fields[0].Expr != nil &&
		p.same(x, s.Fields.Fields[0].Expr) {
		return true
	}
	if p.selfCopyReturns(x, sq) {
		return true
	}
	col, ok := p.simplify(x).(*ast.ColumnNameExpr)
	if !ok {
		return false
	}
	return p.w.readsEveryRow(sq.Query, p.target, p.columnName(col.Name))
}

// aggregatedRows returns, for a scalar subquery that aggregates one
// expression over all its rows, (SELECT agg(x) FROM ...) with agg the
// aggregate named, the query of the rows it aggregates: SELECT x FROM ....
// Without GROUP BY or HAVING the aggregate returns exactly one row; a
// LIMIT of at least 1 and no offset keep it, and an ORDER BY does not
// change it: the rows are read without them. Otherwise nil.
func (p *predicate) aggregatedRows(n ast.ExprNode, agg string) *ast.SubqueryExpr {
	sq, ok := unparen(n).(*ast.SubqueryExpr)
	if !ok {
		return nil
	}
	sel, ok := sq.Query.(*ast.SelectStmt)
	if !ok || sel.Kind != ast.SelectStmtKindSelect || sel.Fields == nil || len(sel.Fields.Fields) != 1 ||
		sel.GroupBy != nil || sel.Having != nil {
		return nil
	}
	f, ok := unparen(sel.Fields.Fields[0].Expr).(*ast.AggregateFuncExpr)
	if !ok || strings.ToLower(f.F) != agg || len(f.Args) != 1 {
		return nil
	}
	if l := sel.Limit; l != nil {
		p.w.literalSensitive = true // reads the limit
		v, ok := unparen(l.Count).(*driver.ValueExpr)
		if !ok || !(v.Kind() == driver.KindInt64 && v.GetInt64() >= 1 || v.Kind() == driver.KindUint64 && v.GetUint64() >= 1) ||
			l.Offset != nil && !isInt(l.Offset, 0) {
			return nil
		}
	}
	// The aggregate's one row is made of every row's x: the rows themselves.
	rows := *sel
	rows.Fields = &ast.FieldList{Fields: []*ast.SelectField{{Expr: f.Args[0]}}}
	rows.Limit, rows.OrderBy = nil, nil
	return &ast.SubqueryExpr{Query: &rows}
}

// scalarReadsEveryRow recognises x = (scalar subquery), or <=, >= or <=>,
// where the subquery returns every row's x (see wholeTableSubquery): x =
// (SELECT x FROM t y WHERE y.x = t.x) reads the row's own x back. The
// scalar form is x = ANY (...) while the subquery returns at most one row,
// and an error when it returns more, so it reaches every row or fails.
func (p *predicate) scalarReadsEveryRow(op opcode.Op, l, r ast.ExprNode) bool {
	switch op {
	case opcode.EQ, opcode.LE, opcode.GE, opcode.NullEQ:
	default:
		return false
	}
	x := l
	sub, ok := unparen(r).(*ast.SubqueryExpr)
	if !ok {
		x = r
		if sub, ok = unparen(l).(*ast.SubqueryExpr); !ok {
			return false
		}
	}
	if sel, ok := sub.Query.(*ast.SelectStmt); !ok || sel.Fields == nil || len(sel.Fields.Fields) != 1 || sel.Fields.Fields[0].Expr == nil || hasAggregate(sel.Fields.Fields[0].Expr) {
		// One value read back is a column; an aggregate's is
		// extremeComparison's to read.
		return false
	}
	// Each of these holds between a value and itself, either way round.
	return p.eval(x).scope == rowDependent && p.wholeTableSubquery(x, sub)
}

// extremeComparison recognises x >= (SELECT MIN(x) FROM t) and x <=
// (SELECT MAX(x) FROM t), either way round: the table's least (greatest)
// x is no larger (smaller) than any row's, so the comparison holds for
// every row where x is not NULL, as x >= ANY (SELECT x FROM t) does (see
// wholeTableSubquery, which decides which queries return every row's x).
// Either side may be moved by numbers, outside the subquery or inside it,
// as long as the comparison still holds: x < (SELECT MAX(x) FROM t) + 1,
// x <= (SELECT MAX(x) + 1 FROM t), x - 1 <= (SELECT MAX(x) FROM t).
func (p *predicate) extremeComparison(op opcode.Op, l, r ast.ExprNode) bool {
	f, ok := flippedOrder[op]
	return ok && (p.extremeHolds(op, l, r) || p.extremeHolds(f, r, l))
}

// flippedOrder is each order comparison written the other way round: a < b
// is b > a.
var flippedOrder = map[opcode.Op]opcode.Op{opcode.GE: opcode.LE, opcode.LE: opcode.GE, opcode.GT: opcode.LT, opcode.LT: opcode.GT}

// extremeHolds reports whether x op e holds for every row where x is not
// NULL, e being the table's own extreme moved by numbers (see
// extremeComparison): x + a op agg + d for agg MAX with op <= and d >= a,
// or op < and d > a; the other way round for MIN.
func (p *predicate) extremeHolds(op opcode.Op, x, e ast.ExprNode) bool {
	eb, eo, _, efree := p.offset(e)
	if _, ok := unparen(eb).(*ast.SubqueryExpr); !ok {
		return false // no extreme: nothing more to read
	}
	xb, xo, _, xfree := p.offset(x)
	if xfree || efree {
		return false
	}
	eb, inner, ok := p.movedInside(eb)
	if !ok {
		return false
	}
	d := new(big.Rat).Sub(new(big.Rat).Add(eo, inner), xo)
	switch s := d.Sign(); {
	case op == opcode.LE && s >= 0, op == opcode.LT && s > 0:
		return p.extremeOf(xb, eb, "max")
	case op == opcode.GE && s <= 0, op == opcode.GT && s < 0:
		return p.extremeOf(xb, eb, "min")
	}
	return false
}

// movedInside reads a scalar subquery whose one value is moved by numbers,
// (SELECT MAX(x) + 1 FROM t), as the subquery of the value itself and the
// offset: (SELECT MAX(x) FROM t) and 1. Anything else is returned as it
// is, with 0. ok is false when the offset is a value chosen at run time.
func (p *predicate) movedInside(e ast.ExprNode) (ast.ExprNode, *big.Rat, bool) {
	zero := new(big.Rat)
	sq, ok := unparen(e).(*ast.SubqueryExpr)
	if !ok {
		return e, zero, true
	}
	sel, ok := sq.Query.(*ast.SelectStmt)
	if !ok || sel.Fields == nil || len(sel.Fields.Fields) != 1 || sel.Fields.Fields[0].Expr == nil {
		return e, zero, true
	}
	base, off, moved, free := p.offset(sel.Fields.Fields[0].Expr)
	switch {
	case !moved:
		return e, zero, true
	case free:
		return nil, nil, false
	}
	s := *sel
	s.Fields = &ast.FieldList{Fields: []*ast.SelectField{{Expr: base}}}
	q := *sq
	q.Query = &s
	return &q, off, true
}

// extremeOf reports whether sub is (SELECT agg(x) FROM t) over every row's
// x (see extremeComparison).
func (p *predicate) extremeOf(x, sub ast.ExprNode, agg string) bool {
	rows := p.aggregatedRows(sub, agg)
	return rows != nil && p.eval(x).scope == rowDependent && p.wholeTableSubquery(x, rows)
}

// caseExpr looks at the values a CASE can take: the row only picks a
// branch. It is always true (false) when every branch is; when no branch
// depends on the row and none is false, every row gets a row-independent
// value that may be true for all of them.
func (p *predicate) caseExpr(c *ast.CaseExpr) result {
	var results []scope
	if c.ElseClause != nil {
		results = append(results, p.eval(c.ElseClause).scope)
	}
	for _, wc := range c.WhenClauses {
		if wc.Result != nil {
			results = append(results, p.eval(wc.Result).scope)
		}
	}
	if s, ok := sqlparse.Branches(results, c.ElseClause != nil); ok {
		return fromScope(s)
	}
	if p.mentionsTarget(c) {
		return result{scope: rowDependent}
	}
	return result{scope: rowIndependent}
}

// refersToTarget reports whether a column reference names a column of the
// target table: qualified by its name or alias, or a tied copy's (and no
// other table in scope may take that qualifier), or unqualified when no other table is in
// scope and, in a stored routine, it is not the name of a parameter or
// local variable (which the server reads first).
func (p *predicate) refersToTarget(c *ast.ColumnName) bool {
	if c.Table.L == "" {
		return !p.strictUnqualified && !p.w.routineVars[c.Name.L]
	}
	rowOf := func(s source) bool {
		if s.pos == p.target.pos {
			return true
		}
		for _, t := range p.tied {
			if t.pos == s.pos {
				return true
			}
		}
		return false
	}
	named := p.target.mayBeNamedBy(c.Schema.L, c.Table.L)
	for _, s := range p.sources {
		if s.mayBeNamedBy(c.Schema.L, c.Table.L) {
			if !rowOf(s) {
				return false
			}
			named = true
		}
	}
	return named
}

// mayBeTargetRow reports whether a qualified column may read the target's
// row: the target's or a joined-in copy's. Expressions are compared with
// such columns unqualified, which can only make more of them look alike.
func (p *predicate) mayBeTargetRow(c *ast.ColumnName) bool {
	if p.target.mayBeNamedBy(c.Schema.L, c.Table.L) {
		return true
	}
	for _, s := range p.selves {
		if !s.mayBeNamedBy(c.Schema.L, c.Table.L) {
			continue
		}
		if col, ok := p.selfColumn(s, c.Name.L); ok && col != "" {
			return true
		}
	}
	return false
}

// mentionsTarget reports whether any column reference under n refers to the
// target. Inside subqueries only qualified references count (an unqualified
// name there resolves to the subquery's own tables first), and only when no
// table of the subquery takes the same name.
func (p *predicate) mentionsTarget(n ast.Node) bool {
	v := &mentionVisitor{p: p}
	n.Accept(v)
	return v.found
}

type mentionVisitor struct {
	p     *predicate
	found bool
	// shadows holds, per enclosing subquery, whether it hides the
	// target's qualifier (nil entry: it does not).
	shadows []bool
	// skip holds the nodes not to look into.
	skip map[ast.Node]bool
}

func (v *mentionVisitor) Enter(n ast.Node) (ast.Node, bool) {
	if v.found || v.skip[n] {
		return n, true
	}
	if !v.p.w.budget.Spend(1) {
		v.found = true // past the bound: any answer will do (see Budget)
		return n, true
	}
	switch x := n.(type) {
	case *ast.SelectStmt:
		shadow := false
		if x.From != nil {
			srcs, _, _ := scopeOf(x.From)
			for _, s := range srcs {
				if s.qualifier == v.p.target.qualifier {
					shadow = true
				}
			}
		}
		v.shadows = append(v.shadows, shadow)
	case *ast.ColumnNameExpr:
		if len(v.shadows) == 0 {
			v.found = v.p.refersToTarget(x.Name)
			return n, true
		}
		if x.Name.Table.L == "" || !v.p.refersToTarget(x.Name) {
			return n, true
		}
		for _, s := range v.shadows {
			if s {
				return n, true
			}
		}
		v.found = true
		return n, true
	}
	return n, false
}

func (v *mentionVisitor) Leave(n ast.Node) (ast.Node, bool) {
	if _, ok := n.(*ast.SelectStmt); ok && len(v.shadows) > 0 {
		v.shadows = v.shadows[:len(v.shadows)-1]
	}
	return n, true
}

// same reports whether two expressions are the same tree, ignoring
// parentheses, a FROM-less scalar subquery around an expression, and how a
// column of the target is qualified.
func (p *predicate) same(a, b ast.ExprNode) bool {
	a, b = p.simplify(a), p.simplify(b)
	// Trees of different node types, or different column names, restore
	// differently: tell them apart without building their keys.
	if reflect.TypeOf(a) != reflect.TypeOf(b) {
		return false
	}
	if ca, ok := a.(*ast.ColumnNameExpr); ok && p.columnName(ca.Name) != p.columnName(b.(*ast.ColumnNameExpr).Name) {
		return false
	}
	return p.key(a) == p.key(b)
}

// key returns a canonical encoding of an expression: its SQL text as the
// parser restores it, names lower case, with every column of the target (or
// of a joined-in copy of it) written unqualified. Keys read literal values,
// so using one makes the verdict literal-sensitive.
func (p *predicate) key(n ast.ExprNode) string {
	if k, ok := p.keys[n]; ok {
		return k
	}
	p.w.literalSensitive = true
	// Strip the qualifiers for the restore and put them back after: the
	// tree belongs to this analysis alone.
	c := &qualifierStripper{p: p}
	n.Accept(c)
	var sb strings.Builder
	err := n.Restore(format.NewRestoreCtx(format.DefaultRestoreFlags|format.RestoreNameLowercase, &sb))
	for i, col := range c.cols {
		col.Schema, col.Table, col.Name = c.saved[i].schema, c.saved[i].table, c.saved[i].name
	}
	k := sb.String()
	if err != nil {
		k = fmt.Sprintf("unrestorable:%p", n) // compares equal to nothing else
	}
	p.keys[n] = k
	return k
}

// qualifierStripper writes the target's columns, and its copies', by
// the target's name for them and unqualified (see key).
type qualifierStripper struct {
	p     *predicate
	cols  []*ast.ColumnName
	saved []strippedName
}

// strippedName is a column reference's names before it was stripped.
type strippedName struct {
	schema, table, name ast.CIStr
}

func (q *qualifierStripper) Enter(n ast.Node) (ast.Node, bool) {
	if c, ok := n.(*ast.ColumnNameExpr); ok && c.Name.Table.L != "" && q.p.mayBeTargetRow(c.Name) {
		q.cols = append(q.cols, c.Name)
		q.saved = append(q.saved, strippedName{c.Name.Schema, c.Name.Table, c.Name.Name})
		if col := q.p.columnName(c.Name); col != c.Name.Name.L {
			c.Name.Name = ast.NewCIStr(col)
		}
		c.Name.Schema, c.Name.Table = ast.CIStr{}, ast.CIStr{}
	}
	return n, false
}

func (q *qualifierStripper) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// outerValueQuery returns the SELECT of a subquery over other tables (a
// plain SELECT with a FROM that names no table by a name of the target)
// and the sources of its FROM; ok is false for any other subquery.
func (p *predicate) outerValueQuery(n ast.ExprNode) (*ast.SelectStmt, []source, bool) {
	sq, ok := unparen(n).(*ast.SubqueryExpr)
	if !ok {
		return nil, nil, false
	}
	s, ok := sq.Query.(*ast.SelectStmt)
	if !ok || s.Kind != ast.SelectStmtKindSelect || s.From == nil || s.With != nil || s.Fields == nil {
		return nil, nil, false
	}
	srcs, _, _ := scopeOf(s.From)
	if len(srcs) == 0 {
		return nil, nil, false
	}
	for _, src := range srcs {
		if src.qualifier == p.target.qualifier || p.target.mayBeNamedBy(src.schema, src.qualifier) {
			return nil, nil, false
		}
	}
	return s, srcs, true
}

// outerValues returns the expressions a subquery over other tables selects
// (see outerValueQuery) when each reads the outer target row only (see
// outerOnly) and the query looks at the outer row nowhere else (see
// blindToOuterRow): SELECT t.id FROM u. It returns nil otherwise.
func (p *predicate) outerValues(n ast.ExprNode) []ast.ExprNode {
	s, srcs, ok := p.outerValueQuery(n)
	if !ok || !p.blindToOuterRow(s, srcs, true) {
		return nil
	}
	var vs []ast.ExprNode
	for _, f := range s.Fields.Fields {
		if f.WildCard != nil || f.Expr == nil || !p.outerOnly(f.Expr, srcs) {
			return nil
		}
		vs = append(vs, f.Expr)
	}
	return vs
}

// outerValueSubquery recognises x IN (SELECT t.x FROM u): a query over
// other tables whose value is the outer row's own x (also a row, (x, y)
// IN (SELECT t.x, t.y FROM u)), and which looks at the outer row nowhere
// else. IN (and NOT IN) holds alike for every row of the target where x is
// not NULL when the query returns a row, and for none when it returns
// none: every row or none, as DELETE t FROM t JOIN u ON u.flag does.
func (p *predicate) outerValueSubquery(x, sel ast.ExprNode) bool {
	vs := p.outerValues(sel)
	if vs == nil {
		return false
	}
	xs := []ast.ExprNode{p.simplify(x)}
	if row, ok := xs[0].(*ast.RowExpr); ok {
		xs = row.Values
	}
	if len(xs) != len(vs) {
		return false
	}
	for i, x := range xs {
		if !p.mentionsTarget(x) || !p.same(x, vs[i]) {
			return false
		}
	}
	return true
}

// outerValueComparison recognises x = (SELECT t.x FROM u LIMIT 1): a
// comparison with a query over other tables whose one value reads the
// outer row only (see outerValues). When the query returns a row the
// comparison is the one with that value, for every row alike; when it
// returns none, it is NULL for every row (and x > ALL of no row true for
// every row). So a comparison that holds with the value in place (x = t.x)
// holds for every row or none. A subquery on either side counts.
func (p *predicate) outerValueComparison(op opcode.Op, l, r ast.ExprNode) bool {
	if op == opcode.NullEQ {
		return false // x <=> NULL is true where x is NULL
	}
	if vs := p.outerValues(r); len(vs) == 1 {
		c := &ast.BinaryOperationExpr{Op: op, L: l, R: vs[0]}
		return p.eval(c).scope == alwaysTrue
	}
	if vs := p.outerValues(l); len(vs) == 1 {
		c := &ast.BinaryOperationExpr{Op: op, L: vs[0], R: r}
		return p.eval(c).scope == alwaysTrue
	}
	return false
}

// blindToOuterRow reports whether a query over other tables (see
// outerValueQuery) looks at the outer target row nowhere but in the values
// it selects (when values counts them) and in conditions of its WHERE that
// read the outer row alone and hold for every row (t.id = t.id): whether
// it returns a row does not depend on the outer row.
func (p *predicate) blindToOuterRow(s *ast.SelectStmt, srcs []source, values bool) bool {
	skip := map[ast.Node]bool{}
	if s.Where != nil {
		skip[s.Where] = true
	}
	if values {
		skip[s.Fields] = true
	}
	v := &mentionVisitor{p: p, skip: skip}
	s.Accept(v)
	if v.found {
		return false // the query looks at the outer row: a semi-join
	}
	if s.Where == nil {
		return true
	}
	for _, c := range flatten(opcode.LogicAnd, s.Where, nil) {
		m := &mentionVisitor{p: p, shadows: []bool{false}}
		c.Accept(m)
		if m.found && (!p.outerOnly(c, srcs) || p.eval(c).scope != alwaysTrue) {
			return false
		}
	}
	return true
}

// outerOnly reports whether an expression of a query over srcs reads the
// outer target row only: it has columns, each qualified by a name of the
// target that srcs do not name again, and no subquery.
func (p *predicate) outerOnly(n ast.ExprNode, srcs []source) bool {
	v := &outerOnlyVisitor{p: p, srcs: srcs, ok: true}
	n.Accept(v)
	return v.ok && v.seen
}

type outerOnlyVisitor struct {
	p        *predicate
	srcs     []source
	seen, ok bool
}

func (v *outerOnlyVisitor) Enter(n ast.Node) (ast.Node, bool) {
	if !v.ok {
		return n, true
	}
	switch x := n.(type) {
	case *ast.SubqueryExpr, *ast.SelectStmt, *ast.SetOprStmt:
		v.ok = false
	case *ast.ColumnNameExpr:
		v.seen = true
		if x.Name.Table.L == "" || !v.p.refersToTarget(x.Name) {
			v.ok = false
			break
		}
		for _, s := range v.srcs {
			if s.mayBeNamedBy(x.Name.Schema.L, x.Name.Table.L) {
				v.ok = false
			}
		}
	}
	return n, !v.ok
}

func (v *outerOnlyVisitor) Leave(n ast.Node) (ast.Node, bool) { return n, true }
