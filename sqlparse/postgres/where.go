package postgres

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v5"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

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
	kind byte // 'n' number, 's' string, 'b' bool, '0' null
	num  float64
	str  string
	b    bool
}

type result struct {
	scope scope
	k     *konst // set when the expression is a known literal
}

// predicate evaluates WHERE-like expressions against one target table.
type predicate struct {
	w *walker
	// targets holds the names by which the target's columns may be
	// qualified (table name, alias).
	targets map[string]bool
	// strictUnqualified: when other tables are joined in (USING, FROM),
	// an unqualified column may belong to any of them, so it does not
	// prove that the predicate depends on the target's rows.
	strictUnqualified bool
	// selves holds the names of joined-in copies of the target table
	// (DELETE FROM t USING t AS t2): t.id = t2.id pairs every row with
	// itself, so for comparing expressions their columns are the target's.
	selves map[string]bool
	// keys memoises canonical expression keys (see key).
	keys map[*pg_query.Node]string
}

func newPredicate(w *walker, rel *pg_query.RangeVar, joined []*pg_query.Node) *predicate {
	p := &predicate{w: w, targets: map[string]bool{}, strictUnqualified: len(joined) > 0,
		selves: map[string]bool{}, keys: map[*pg_query.Node]string{}}
	if rel != nil {
		p.targets[rel.Relname] = true
		if rel.Alias != nil && rel.Alias.Aliasname != "" {
			// With an alias the table name can no longer qualify
			// columns, but keeping it is harmless.
			p.targets[rel.Alias.Aliasname] = true
		}
		for _, j := range joined {
			if rv := j.GetRangeVar(); rv != nil && rv.Relname == rel.Relname && rv.Schemaname == rel.Schemaname {
				name := rv.Relname
				if rv.Alias != nil && rv.Alias.Aliasname != "" {
					name = rv.Alias.Aliasname
				}
				if !p.targets[name] {
					p.selves[name] = true
				}
			}
		}
	}
	return p
}

// rowScope checks a DELETE or UPDATE for reaching every row.
func (w *walker) rowScope(rel *pg_query.RangeVar, joined []*pg_query.Node, where *pg_query.Node,
	verb, effect string, cat sqlparse.Category, ruleNoWhere, ruleAlways string) {
	name := rangeVarName(rel)
	u := rowsUndo(rel)
	if where == nil {
		w.addUndo(cat, ruleNoWhere, name,
			fmt.Sprintf("%s %s has no WHERE clause, so it would %s every row of %s", verb, name, effect, name), u)
		return
	}
	p := newPredicate(w, rel, joined)
	switch r := p.eval(where); r.scope {
	case alwaysTrue:
		w.addUndo(cat, ruleAlways, name,
			fmt.Sprintf("the WHERE clause of %s %s is always true, so it would %s every row of %s", verb, name, effect, name), u)
	case rowIndependent:
		w.addUndo(cat, ruleAlways, name,
			fmt.Sprintf("the WHERE clause of %s %s does not depend on the rows of %s (no column of it decides the outcome), so it would %s every row or none",
				verb, name, name, effect), u)
	}
}

// rowsUndo describes the snapshot that preserves the rows of rel.
func rowsUndo(rel *pg_query.RangeVar) *sqlparse.Undo {
	return &sqlparse.Undo{Kind: sqlparse.UndoRows, ObjectType: "TABLE", Objects: []sqlparse.ObjectName{rangeVarObject(rel)}}
}

// merge checks each WHEN MATCHED THEN DELETE/UPDATE arm of a MERGE: the arm
// reaches every target row when the join condition and the arm's own
// condition together do not depend on the target row.
func (w *walker) merge(n *pg_query.MergeStmt) {
	name := rangeVarName(n.Relation)
	for _, c := range n.MergeWhenClauses {
		wc := c.GetMergeWhenClause()
		if wc == nil || !wc.Matched {
			continue
		}
		var cat sqlparse.Category
		var rule, effect string
		switch wc.CommandType {
		case pg_query.CmdType_CMD_DELETE:
			cat, rule, effect = sqlparse.CategoryDelete, RuleDeleteAlways, "delete"
		case pg_query.CmdType_CMD_UPDATE:
			cat, rule, effect = sqlparse.CategoryUpdate, RuleUpdateAlways, "change"
		default:
			continue
		}
		p := newPredicate(w, n.Relation, []*pg_query.Node{n.SourceRelation})
		r := p.eval(n.JoinCondition)
		if wc.Condition != nil {
			r = p.and([]result{r, p.eval(wc.Condition)}, nil)
		}
		if r.scope == alwaysTrue || r.scope == rowIndependent {
			w.addUndo(cat, rule, name,
				fmt.Sprintf("MERGE INTO %s ... WHEN MATCHED THEN %s: the ON condition does not tie rows of %s to the source, so it would %s every row of %s",
					name, strings.TrimPrefix(wc.CommandType.String(), "CMD_"), name, effect, name), rowsUndo(n.Relation))
		}
	}
}

func (p *predicate) eval(n *pg_query.Node) result {
	if n == nil {
		return result{scope: alwaysTrue}
	}
	switch e := n.Node.(type) {
	case *pg_query.Node_AConst:
		return p.constant(e.AConst)
	case *pg_query.Node_TypeCast:
		r := p.eval(e.TypeCast.Arg)
		if r.k != nil && isBoolType(e.TypeCast.TypeName) {
			return castBool(r.k)
		}
		return r
	case *pg_query.Node_ColumnRef:
		if p.refersToTarget(e.ColumnRef) {
			return result{scope: rowDependent}
		}
		return result{scope: rowIndependent}
	case *pg_query.Node_CurrentOfExpr:
		return result{scope: rowDependent} // one row: the cursor's
	case *pg_query.Node_ParamRef:
		// A parameter stands where another text of the same cache key
		// has a literal, which may fold differently: reading it makes
		// the verdict literal-sensitive like reading a literal does.
		p.w.literalSensitive = true
		return result{scope: rowIndependent}
	case *pg_query.Node_BoolExpr:
		op := e.BoolExpr.Boolop
		if op == pg_query.BoolExprType_NOT_EXPR {
			return not(p.eval(e.BoolExpr.Args[0]))
		}
		nodes := flatten(op, e.BoolExpr.Args, nil)
		args := make([]result, len(nodes))
		for i, a := range nodes {
			args[i] = p.eval(a)
		}
		if op == pg_query.BoolExprType_AND_EXPR {
			return p.and(args, nodes)
		}
		return p.or(args, nodes)
	case *pg_query.Node_SubLink:
		if p.wholeTableSubquery(e.SubLink) {
			return boolResult(true)
		}
	case *pg_query.Node_AExpr:
		return p.aExpr(e.AExpr)
	case *pg_query.Node_NullTest:
		r := p.eval(e.NullTest.Arg)
		if r.k != nil {
			isNull := r.k.kind == '0'
			return boolResult(isNull == (e.NullTest.Nulltesttype == pg_query.NullTestType_IS_NULL))
		}
		return dependence(r)
	case *pg_query.Node_BooleanTest:
		r := p.eval(e.BooleanTest.Arg)
		switch e.BooleanTest.Booltesttype {
		case pg_query.BoolTestType_IS_TRUE, pg_query.BoolTestType_IS_NOT_FALSE:
			if r.scope == alwaysTrue || r.scope == alwaysFalse {
				return result{scope: r.scope}
			}
		case pg_query.BoolTestType_IS_FALSE, pg_query.BoolTestType_IS_NOT_TRUE:
			if r.scope == alwaysTrue || r.scope == alwaysFalse {
				return not(result{scope: r.scope})
			}
		}
		return dependence(r)
	case *pg_query.Node_CaseExpr:
		return p.caseExpr(e.CaseExpr)
	}
	// Anything else (function calls, subqueries, arithmetic, IN lists,
	// COALESCE, row constructors ...) depends on the row exactly when a
	// column of the target appears somewhere inside it.
	if p.mentionsTarget(n) {
		return result{scope: rowDependent}
	}
	return result{scope: rowIndependent}
}

// flatten lists the operands of nested ANDs (or ORs): a AND (b AND c) has
// operands a, b, c. The parser already flattens left-nested chains; right
// nesting written with parentheses stays nested until here.
func flatten(op pg_query.BoolExprType, nodes []*pg_query.Node, out []*pg_query.Node) []*pg_query.Node {
	for _, n := range nodes {
		if b := n.GetBoolExpr(); b != nil && b.Boolop == op {
			out = flatten(op, b.Args, out)
			continue
		}
		out = append(out, n)
	}
	return out
}

// dependence keeps only whether r depends on the row: an expression over a
// row-dependent operand is row-dependent, anything else is treated as having
// the same (unknown) value for every row.
func dependence(r result) result {
	if r.scope == rowDependent {
		return result{scope: rowDependent}
	}
	return result{scope: rowIndependent}
}

func boolResult(b bool) result {
	if b {
		return result{scope: alwaysTrue, k: &konst{kind: 'b', b: true}}
	}
	return result{scope: alwaysFalse, k: &konst{kind: 'b', b: false}}
}

func not(r result) result {
	switch r.scope {
	case alwaysTrue:
		return boolResult(false)
	case alwaysFalse:
		if r.k != nil && r.k.kind == '0' {
			return r // NOT NULL is NULL
		}
		return boolResult(true)
	}
	return result{scope: r.scope}
}

func (p *predicate) constant(c *pg_query.A_Const) result {
	p.w.literalSensitive = true
	switch {
	case c.Isnull:
		// WHERE NULL matches nothing.
		return result{scope: alwaysFalse, k: &konst{kind: '0'}}
	case c.GetBoolval() != nil:
		return boolResult(c.GetBoolval().Boolval)
	case c.GetIval() != nil:
		return result{scope: rowIndependent, k: &konst{kind: 'n', num: float64(c.GetIval().Ival)}}
	case c.GetFval() != nil:
		f, err := strconv.ParseFloat(c.GetFval().Fval, 64)
		if err != nil {
			return result{scope: rowIndependent}
		}
		return result{scope: rowIndependent, k: &konst{kind: 'n', num: f}}
	case c.GetSval() != nil:
		return result{scope: rowIndependent, k: &konst{kind: 's', str: c.GetSval().Sval}}
	case c.GetBsval() != nil:
		return result{scope: rowIndependent, k: &konst{kind: 's', str: c.GetBsval().Bsval}}
	}
	return result{scope: rowIndependent}
}

func isBoolType(t *pg_query.TypeName) bool {
	if t == nil {
		return false
	}
	n := lastName(t.Names)
	return n == "bool" || n == "boolean"
}

func castBool(k *konst) result {
	switch k.kind {
	case 'b':
		return boolResult(k.b)
	case 'n':
		return boolResult(k.num != 0)
	case 's':
		if v, ok := parseBool(k.str); ok {
			return boolResult(v)
		}
	case '0':
		return result{scope: alwaysFalse, k: k}
	}
	return result{scope: rowIndependent}
}

// and combines conjuncts (see sqlparse.Conjunction); a contradiction such
// as x IS NULL AND x IS NOT NULL is false.
func (p *predicate) and(args []result, nodes []*pg_query.Node) result {
	return fromScope(sqlparse.Conjunction(scopes(args), func() bool { return p.hasComplementaryPair(nodes) }))
}

// or combines disjuncts (see sqlparse.Disjunction); x IS NULL OR x IS NOT
// NULL, and p OR NOT p, are true.
func (p *predicate) or(args []result, nodes []*pg_query.Node) result {
	return fromScope(sqlparse.Disjunction(scopes(args), func() bool { return p.hasComplementaryPair(nodes) }))
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
// other: x IS NULL / x IS NOT NULL (also spelt IS [NOT] DISTINCT FROM NULL),
// or p / NOT p. Operands are compared by canonical key, so the check is
// linear in the number of operands.
func (p *predicate) hasComplementaryPair(nodes []*pg_query.Node) bool {
	if len(nodes) < 2 {
		return false
	}
	// A plain operand can only be complemented by a NOT; skip keying plain
	// operands when there is none (the common long OR of comparisons).
	negations := false
	for _, n := range nodes {
		if b := n.GetBoolExpr(); b != nil && b.Boolop == pg_query.BoolExprType_NOT_EXPR {
			negations = true
			break
		}
	}
	seen := map[string]bool{}
	for _, n := range nodes {
		if !negations && n.GetNullTest() == nil && n.GetAExpr() == nil {
			continue
		}
		if !negations && n.GetAExpr() != nil && n.GetAExpr().Kind != pg_query.A_Expr_Kind_AEXPR_DISTINCT &&
			n.GetAExpr().Kind != pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT {
			continue
		}
		k, neg := p.polarKey(n)
		if seen[neg] {
			return true
		}
		seen[k] = true
	}
	return false
}

// polarKey returns a key for what n asserts and the key of its negation.
func (p *predicate) polarKey(n *pg_query.Node) (key, negation string) {
	if nt := n.GetNullTest(); nt != nil {
		k := p.key(nt.Arg)
		if nt.Nulltesttype == pg_query.NullTestType_IS_NULL {
			return "null:" + k, "notnull:" + k
		}
		return "notnull:" + k, "null:" + k
	}
	if e := n.GetAExpr(); e != nil && (e.Kind == pg_query.A_Expr_Kind_AEXPR_DISTINCT || e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT) {
		arg := e.Lexpr
		if isNullConst(e.Lexpr) {
			arg = e.Rexpr
		} else if !isNullConst(e.Rexpr) {
			arg = nil
		}
		if arg != nil {
			p.w.literalSensitive = true
			k := p.key(arg)
			if e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT {
				return "null:" + k, "notnull:" + k
			}
			return "notnull:" + k, "null:" + k
		}
	}
	if b := n.GetBoolExpr(); b != nil && b.Boolop == pg_query.BoolExprType_NOT_EXPR && len(b.Args) == 1 {
		k := p.key(b.Args[0])
		return "not:" + k, "is:" + k
	}
	k := p.key(n)
	return "is:" + k, "not:" + k
}

func isNullConst(n *pg_query.Node) bool {
	c := n.GetAConst()
	return c != nil && c.Isnull
}

var comparisonOps = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *predicate) aExpr(e *pg_query.A_Expr) result {
	op := lastName(e.Name)
	switch e.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP:
		if !comparisonOps[op] {
			break
		}
		// Look at which sides depend on the row before reading any
		// literal: in aid = 42 the value 42 cannot change the verdict,
		// and not reading it keeps the verdict shareable by every text
		// that differs only in literals (the verdict cache's hot path).
		ldep, rdep := p.mentionsTarget(e.Lexpr), p.mentionsTarget(e.Rexpr)
		if ldep || rdep {
			if p.same(e.Lexpr, e.Rexpr) {
				// x = x is true for every row where x is not NULL;
				// treat it as reaching every row.
				return boolResult(op == "=" || op == "<=" || op == ">=")
			}
			// A row-dependent side can still be constant, as in
			// (x = x) = true: fold it against a literal.
			if ldep != rdep {
				dep, other := e.Lexpr, e.Rexpr
				if rdep {
					dep, other = e.Rexpr, e.Lexpr
				}
				if d := p.eval(dep); d.k != nil {
					if o := p.eval(other); o.k != nil {
						if v, ok := compare(op, d.k, o.k); ok {
							return boolResult(v)
						}
					}
				}
			}
			return result{scope: rowDependent}
		}
		l, r := p.eval(e.Lexpr), p.eval(e.Rexpr)
		if l.k != nil && r.k != nil {
			if v, ok := compare(op, l.k, r.k); ok {
				return boolResult(v)
			}
		}
		return result{scope: rowIndependent}
	case pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT, pg_query.A_Expr_Kind_AEXPR_DISTINCT:
		if p.same(e.Lexpr, e.Rexpr) {
			return boolResult(e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT)
		}
	case pg_query.A_Expr_Kind_AEXPR_IN:
		// x IN (..., x, ...) is x = x; x NOT IN (..., x, ...) is false.
		if l := e.Rexpr.GetList(); l != nil && p.eval(e.Lexpr).scope == rowDependent {
			for _, item := range l.Items {
				if p.same(e.Lexpr, item) {
					return boolResult(op == "=")
				}
			}
		}
	}
	if p.mentionsTarget(&pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: e}}) {
		return result{scope: rowDependent}
	}
	return result{scope: rowIndependent}
}

// compare folds a comparison of two literals the way PostgreSQL would for
// the common cases (numbers with numbers, strings with strings, booleans).
func compare(op string, a, b *konst) (bool, bool) {
	if a.kind == '0' || b.kind == '0' {
		return false, true // NULL compares to nothing: the row is not reached
	}
	var c int
	switch {
	case a.kind == 'n' && b.kind == 'n':
		c = cmpOrdered(a.num, b.num)
	case a.kind == 's' && b.kind == 's':
		c = strings.Compare(a.str, b.str)
	case a.kind == 'n' && b.kind == 's', a.kind == 's' && b.kind == 'n':
		// '1' = 1: the string is coerced to the number's type.
		x, y := a, b
		if a.kind == 's' {
			x, y = b, a
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(y.str), 64)
		if err != nil {
			return false, false
		}
		c = cmpOrdered(x.num, f)
		if a.kind == 's' {
			c = -c
		}
	case a.kind == 'b' && b.kind == 'b':
		c = cmpOrdered(boolInt(a.b), boolInt(b.b))
	default:
		return false, false
	}
	switch op {
	case "=":
		return c == 0, true
	case "<>", "!=":
		return c != 0, true
	case "<":
		return c < 0, true
	case "<=":
		return c <= 0, true
	case ">":
		return c > 0, true
	case ">=":
		return c >= 0, true
	}
	return false, false
}

func cmpOrdered(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolInt(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// caseExpr looks at the values a CASE can take: the row only picks a
// branch. It is always true (false) when every branch is; when no branch
// depends on the row and none is false, every row gets a row-independent
// value that may be true for all of them. Otherwise it bounds the rows like
// any row-dependent expression.
func (p *predicate) caseExpr(c *pg_query.CaseExpr) result {
	allTrue, allFalse, maybeAll := true, true, true
	results := []*pg_query.Node{c.Defresult}
	for _, a := range c.Args {
		if cw := a.GetCaseWhen(); cw != nil {
			results = append(results, cw.Result)
		}
	}
	for _, r := range results {
		if r == nil { // no ELSE: NULL, which reaches no row
			allTrue, maybeAll = false, false
			continue
		}
		v := p.eval(r)
		allTrue = allTrue && v.scope == alwaysTrue
		allFalse = allFalse && v.scope == alwaysFalse
		maybeAll = maybeAll && (v.scope == alwaysTrue || v.scope == rowIndependent)
	}
	switch {
	case allTrue:
		return boolResult(true)
	case allFalse:
		return boolResult(false)
	case maybeAll:
		return result{scope: rowIndependent}
	}
	if p.mentionsTarget(&pg_query.Node{Node: &pg_query.Node_CaseExpr{CaseExpr: c}}) {
		return result{scope: rowDependent}
	}
	return result{scope: rowIndependent}
}

// wholeTableSubquery recognises x IN (SELECT x FROM target): every row's
// value is in the set of all values, so the predicate holds for every row
// where x is not NULL.
func (p *predicate) wholeTableSubquery(s *pg_query.SubLink) bool {
	if s.SubLinkType != pg_query.SubLinkType_ANY_SUBLINK || len(s.OperName) > 1 ||
		(len(s.OperName) == 1 && lastName(s.OperName) != "=") {
		return false
	}
	col := s.Testexpr.GetColumnRef()
	sel := s.Subselect.GetSelectStmt()
	if col == nil || !p.refersToTarget(col) || sel == nil || len(sel.FromClause) != 1 || len(sel.TargetList) != 1 ||
		sel.WhereClause != nil || sel.HavingClause != nil || sel.LimitCount != nil || sel.LimitOffset != nil ||
		len(sel.GroupClause) > 0 || sel.Op != pg_query.SetOperation_SETOP_NONE || sel.WithClause != nil {
		return false
	}
	from := sel.FromClause[0].GetRangeVar()
	if from == nil || !p.targets[from.Relname] {
		return false
	}
	inner := sel.TargetList[0].GetResTarget().GetVal().GetColumnRef()
	if inner == nil || len(inner.Fields) == 0 {
		return false
	}
	return lastField(inner) == lastField(col)
}

func lastField(c *pg_query.ColumnRef) string {
	return c.Fields[len(c.Fields)-1].GetString_().GetSval()
}

// refersToTarget reports whether a column reference names a column of the
// target table: qualified by its name or alias, or unqualified when no other
// table is in scope.
func (p *predicate) refersToTarget(c *pg_query.ColumnRef) bool {
	if len(c.Fields) < 2 {
		return !p.strictUnqualified
	}
	return p.targets[c.Fields[len(c.Fields)-2].GetString_().GetSval()]
}

// mentionsTarget reports whether any column reference under n refers to the
// target. Inside subqueries only qualified references count: an unqualified
// name there resolves to the subquery's own tables first.
func (p *predicate) mentionsTarget(n *pg_query.Node) bool {
	found := false
	var visit func(m protoreflect.Message, inSubquery bool)
	visit = func(m protoreflect.Message, inSubquery bool) {
		if found {
			return
		}
		switch x := m.Interface().(type) {
		case *pg_query.ColumnRef:
			if inSubquery {
				found = len(x.Fields) >= 2 && p.targets[x.Fields[len(x.Fields)-2].GetString_().GetSval()]
			} else {
				found = p.refersToTarget(x)
			}
			return
		case *pg_query.CurrentOfExpr:
			found = true
			return
		case *pg_query.SelectStmt:
			inSubquery = true
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len() && !found; i++ {
					visit(l.Get(i).Message(), inSubquery)
				}
			case fd.Message() != nil && !fd.IsMap():
				visit(v.Message(), inSubquery)
			}
			return !found
		})
	}
	visit(n.ProtoReflect(), false)
	return found
}

// same reports whether two expressions are the same tree, ignoring where in
// the text they stand and how a column of the target is qualified.
func (p *predicate) same(a, b *pg_query.Node) bool {
	if a == nil || b == nil || reflect.TypeOf(a.Node) != reflect.TypeOf(b.Node) {
		return false // different kinds of node (a column and a literal, say) never match
	}
	return p.key(a) == p.key(b)
}

// key returns a canonical encoding of an expression: the parse tree without
// text locations, with every column of the target (or of a joined-in copy of
// it) written unqualified. Keys read literal values, so using one makes the
// verdict literal-sensitive.
func (p *predicate) key(n *pg_query.Node) string {
	if k, ok := p.keys[n]; ok {
		return k
	}
	p.w.literalSensitive = true
	c := proto.Clone(n).(*pg_query.Node)
	var canon func(m protoreflect.Message)
	canon = func(m protoreflect.Message) {
		if cr, ok := m.Interface().(*pg_query.ColumnRef); ok && len(cr.Fields) >= 2 {
			q := cr.Fields[len(cr.Fields)-2].GetString_().GetSval()
			if p.targets[q] || p.selves[q] {
				cr.Fields = cr.Fields[len(cr.Fields)-1:]
			}
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.Name() == "location":
				m.Clear(fd)
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					canon(l.Get(i).Message())
				}
			case fd.Message() != nil && !fd.IsMap():
				canon(v.Message())
			}
			return true
		})
	}
	canon(c.ProtoReflect())
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	if err != nil {
		b = []byte(fmt.Sprintf("%p", n)) // unique: compares equal to nothing else
	}
	p.keys[n] = string(b)
	return p.keys[n]
}
