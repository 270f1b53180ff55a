package postgres

import (
	"fmt"
	"math/big"
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
	w   *walker
	rel *pg_query.RangeVar
	// targets holds the names by which the target's columns may be
	// qualified (table name, alias).
	targets map[string]bool
	// strictUnqualified: when other tables are joined in (USING, FROM),
	// an unqualified column may belong to any of them, so it does not
	// prove that the predicate depends on the target's rows.
	strictUnqualified bool
	// selves holds the joined-in sources that read the whole target table
	// (see selfScan): a copy of it (DELETE FROM t USING t AS t2), or an
	// unfiltered subquery or CTE over it. t.id = t2.id pairs every row
	// with itself, so for comparing expressions their columns are the
	// target's. Each maps the source's column names to the target's; a
	// nil map keeps the names.
	selves map[string]map[string]string
	// selfRows holds, for the joined-in copies in selves, the columns
	// they expose, whose whole rows selfRowField follows.
	selfRows map[string]*scan
	// keys memoises canonical expression keys (see key).
	keys map[*pg_query.Node]string
	// visiting holds the CTEs whose queries selfScan is following, so a
	// recursive one is not followed forever.
	visiting map[*pg_query.CommonTableExpr]bool
	// rowFields: a field of a target's row, (t).id, is its column t.id
	// (rowVariableField). Not so inside a query over a derived table,
	// where a column may be named like the row variable and hide it
	// (selfScan reads those fields itself).
	rowFields bool
}

func newPredicate(w *walker, rel *pg_query.RangeVar, joined []*pg_query.Node) *predicate {
	p := &predicate{w: w, rel: rel, targets: map[string]bool{}, strictUnqualified: len(joined) > 0,
		selves: map[string]map[string]string{}, keys: map[*pg_query.Node]string{}, rowFields: true}
	if rel != nil {
		p.targets[rel.Relname] = true
		if rel.Alias != nil && rel.Alias.Aliasname != "" {
			// With an alias the table name can no longer qualify
			// columns, but keeping it is harmless.
			p.targets[rel.Alias.Aliasname] = true
		}
		for _, j := range joined {
			p.joinedSelf(j)
		}
	}
	return p
}

// joinedSelf records a joined-in source that reads the whole target table
// in p.selves: the table itself (qualified or not), a CTE or a subquery
// whose query selfScan recognises.
func (p *predicate) joinedSelf(j *pg_query.Node) {
	if name, src, ok := p.selfRange(j); ok && name != "" && !p.targets[name] {
		p.selves[name] = src.colMap()
		p.recordSelfRow(name, src)
	}
}

func aliasName(a *pg_query.Alias, name string) string {
	if a != nil && a.Aliasname != "" {
		return a.Aliasname
	}
	return name
}

// sameRelation reports whether two relation names may name the same table:
// an unqualified name may be the qualified one through the search path.
func sameRelation(a, b *pg_query.RangeVar) bool {
	return a != nil && b != nil && a.Relname == b.Relname &&
		(a.Schemaname == b.Schemaname || a.Schemaname == "" || b.Schemaname == "")
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
	if w.loopBound(rel, where) {
		w.addUndo(cat, ruleAlways, name,
			fmt.Sprintf("%s %s runs inside a loop over every row of %s, bounded only by the loop's variables, so it would %s each row the loop visits: every row of %s",
				verb, name, name, effect, name), u)
		return
	}
	p := newPredicate(w, rel, joined)
	if w.repeats > 0 && p.drainsItself(where) {
		w.addUndo(cat, ruleAlways, name,
			fmt.Sprintf("%s %s runs inside a loop and takes its rows from what %s itself returns, so run again and again it would %s every row of %s",
				verb, name, name, effect, name), u)
		return
	}
	r, how := p.evalRenamings([]*pg_query.Node{where}, func() result { return p.eval(where) })
	if how != "" {
		how = " " + how
	}
	switch r.scope {
	case alwaysTrue:
		w.addUndo(cat, ruleAlways, name,
			fmt.Sprintf("the WHERE clause of %s %s is always true%s, so it would %s every row of %s", verb, name, how, effect, name), u)
	case rowIndependent:
		w.addUndo(cat, ruleAlways, name,
			fmt.Sprintf("the WHERE clause of %s %s does not depend on the rows of %s (no column of it decides the outcome)%s, so it would %s every row or none",
				verb, name, name, how, effect), u)
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
		r, how := p.evalRenamings([]*pg_query.Node{n.JoinCondition, wc.Condition}, func() result {
			r := p.eval(n.JoinCondition)
			if wc.Condition != nil {
				r = p.and([]result{r, p.eval(wc.Condition)}, nil)
			}
			return r
		})
		if how != "" {
			how = " " + how
		}
		if r.scope == alwaysTrue || r.scope == rowIndependent {
			w.addUndo(cat, rule, name,
				fmt.Sprintf("MERGE INTO %s ... WHEN MATCHED THEN %s: the ON condition does not tie rows of %s to the source%s, so it would %s every row of %s",
					name, strings.TrimPrefix(wc.CommandType.String(), "CMD_"), name, how, effect, name), rowsUndo(n.Relation))
		}
	}
}

// onConflict checks INSERT ... ON CONFLICT DO UPDATE. When the inserted rows
// are every row of the target table itself (INSERT INTO t SELECT * FROM t),
// every row conflicts with itself and the DO UPDATE changes every row,
// unless its own WHERE depends on the row.
func (w *walker) onConflict(n *pg_query.InsertStmt) {
	oc := n.OnConflictClause
	if oc == nil || oc.Action != pg_query.OnConflictAction_ONCONFLICT_UPDATE || n.SelectStmt == nil {
		return
	}
	// EXCLUDED is in scope beside the target.
	excluded := &pg_query.Node{Node: &pg_query.Node_RangeVar{RangeVar: &pg_query.RangeVar{Relname: "excluded"}}}
	p := newPredicate(w, n.Relation, []*pg_query.Node{excluded})
	scan := p.selfScan(n.SelectStmt.GetSelectStmt())
	if scan == nil {
		return
	}
	// The conflicting row and the proposed one agree on the conflict
	// target's columns by definition, and on every column when the row
	// proposed is the target's own row unchanged (SELECT * into all
	// columns): for comparing expressions those columns of EXCLUDED are
	// the target's, so DO UPDATE ... WHERE excluded.id = t.id does not
	// bound the update.
	if scan.star && len(n.Cols) == 0 {
		p.selves["excluded"] = nil
	} else if oc.Infer != nil {
		cols := map[string]string{}
		for _, e := range oc.Infer.IndexElems {
			if name := e.GetIndexElem().GetName(); name != "" {
				cols[name] = name
			}
		}
		p.selves["excluded"] = cols
	}
	if oc.WhereClause != nil {
		if s := p.eval(oc.WhereClause).scope; s == rowDependent || s == alwaysFalse {
			return
		}
	}
	name := rangeVarName(n.Relation)
	w.addUndo(sqlparse.CategoryUpdate, RuleUpdateAlways, name,
		fmt.Sprintf("INSERT INTO %s ... ON CONFLICT DO UPDATE inserts the rows of %s itself, so every row conflicts and the update would change every row of %s",
			name, name, name), rowsUndo(n.Relation))
}

func (p *predicate) eval(n *pg_query.Node) result {
	if n == nil {
		return result{scope: alwaysTrue}
	}
	if !p.w.budget.Spend(sqlparse.EvalSteps) {
		// Past the bound the statement is refused (see TooComplex):
		// any answer will do, and the cheapest reads nothing.
		return result{scope: rowDependent}
	}
	r := p.evalNode(n)
	if r.scope == rowDependent && valueCandidate(n) {
		if v, ok := p.valueSet(n); ok {
			return v // x > 5 OR x < 10
		}
	}
	return r
}

// valueCandidate reports whether a condition may hold for every value of
// a column, or for none, by the values it tests alone (see valueSet): a
// combination of tests, NOT BETWEEN (of an empty range), or a test of a
// function whose values lie in a known range (abs(x) >= 0).
func valueCandidate(n *pg_query.Node) bool {
	switch e := n.Node.(type) {
	case *pg_query.Node_BoolExpr, *pg_query.Node_BooleanTest, *pg_query.Node_CaseExpr:
		return true
	case *pg_query.Node_AExpr:
		ranged := func(x *pg_query.Node) bool {
			f := x.GetFuncCall()
			_, ok := rangedFunctions[lastName(f.GetFuncname())]
			return ok
		}
		return e.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN || ranged(e.AExpr.Lexpr) || ranged(e.AExpr.Rexpr)
	}
	return false
}

// evalNode is eval's reading of one node.
func (p *predicate) evalNode(n *pg_query.Node) result {
	if op := operatorCall(n); op != nil {
		n = op // int4eq(x, y) is x = y
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
			if r, ok := p.negatedPartialIdentity(e.BoolExpr.Args[0]); ok {
				return r
			}
			r := not(p.eval(e.BoolExpr.Args[0]))
			if r.scope == rowDependent {
				if d, ok := p.negatedSubLink(e.BoolExpr.Args[0]); ok {
					return d
				}
			}
			return r
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
		if v, ok := p.emptySubLink(e.SubLink); ok {
			return boolResult(v)
		}
		if p.wholeTableSubquery(e.SubLink) {
			return boolResult(true)
		}
		if p.outerValueSubquery(e.SubLink) {
			return result{scope: rowIndependent}
		}
		if v, ok := p.extremeSubLink(e.SubLink); ok {
			return boolResult(v)
		}
	case *pg_query.Node_AExpr:
		return p.aExpr(e.AExpr)
	case *pg_query.Node_NullTest:
		r := p.eval(e.NullTest.Arg)
		if r.k != nil {
			isNull := r.k.kind == '0'
			return boolResult(isNull == (e.NullTest.Nulltesttype == pg_query.NullTestType_IS_NULL))
		}
		if p.neverNull(e.NullTest.Arg) {
			return boolResult(e.NullTest.Nulltesttype == pg_query.NullTestType_IS_NOT_NULL)
		}
		if e.NullTest.Nulltesttype == pg_query.NullTestType_IS_NOT_NULL && p.rowComparison(e.NullTest.Arg, r) {
			return boolResult(true)
		}
		return dependence(r)
	case *pg_query.Node_BooleanTest:
		r := p.eval(e.BooleanTest.Arg)
		if r.k != nil && r.k.kind == '0' {
			// A test of what is NULL for every row, such as a
			// comparison with NULL: IS NOT TRUE, IS NOT FALSE and IS
			// UNKNOWN are true for every row, the others false.
			return boolResult(nullSatisfies[e.BooleanTest.Booltesttype])
		}
		switch e.BooleanTest.Booltesttype {
		case pg_query.BoolTestType_IS_UNKNOWN, pg_query.BoolTestType_IS_NOT_UNKNOWN:
			if p.neverNull(e.BooleanTest.Arg) {
				return boolResult(e.BooleanTest.Booltesttype == pg_query.BoolTestType_IS_NOT_UNKNOWN)
			}
			if e.BooleanTest.Booltesttype == pg_query.BoolTestType_IS_NOT_UNKNOWN && p.rowComparison(e.BooleanTest.Arg, r) {
				return boolResult(true)
			}
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
// other: x IS NULL / x IS NOT NULL (also spelt IS [NOT] DISTINCT FROM NULL
// and NOT (x IS NULL)), x IS TRUE / x IS NOT TRUE, a comparison and the one
// with the negated operator (id = 5 / id <> 5, id < 5 / 5 <= id: true for
// every row where id is not NULL, the standard of x = x), or p / NOT p.
// Operands are compared by canonical key, so the check is linear in the
// number of operands.
func (p *predicate) hasComplementaryPair(nodes []*pg_query.Node) bool {
	if len(nodes) < 2 {
		return false
	}
	// Keying is costly: key only the operands that another operand could
	// complement. A plain operand can only be complemented by a NOT, a
	// comparison only by one with the negated operator; skip them when
	// there is none (the common long OR of equalities).
	negations, tests := false, false
	var ops [4]bool  // =, <>, < or >, <= or >=
	var sets [4]bool // IN, NOT IN, BETWEEN, NOT BETWEEN
	for _, n := range nodes {
		if b := n.GetBoolExpr(); b != nil && b.Boolop == pg_query.BoolExprType_NOT_EXPR {
			negations = true
		}
		if n.GetNullTest() != nil {
			tests = true
		}
		if e := n.GetAExpr(); e != nil {
			switch e.Kind {
			case pg_query.A_Expr_Kind_AEXPR_OP:
				if c, ok := comparisonClass[lastName(e.Name)]; ok {
					ops[c] = true
				}
			case pg_query.A_Expr_Kind_AEXPR_IN:
				if lastName(e.Name) == "=" {
					sets[0] = true
				} else {
					sets[1] = true
				}
			case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM:
				sets[2] = true
			case pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
				sets[3] = true
			}
		}
	}
	comparisons := (ops[0] && ops[1]) || (ops[2] && ops[3])
	// x IN (true, false) pairs with x IS NULL.
	setPairs := (sets[0] && sets[1]) || (sets[2] && sets[3]) || ((sets[0] || sets[1]) && tests)
	seen := map[string]bool{}
	for _, n := range nodes {
		if !negations && !pairable(n, comparisons, setPairs, tests) {
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

// comparisonClass groups comparison operators with their negations in the
// classes next to them: = with <>, < and > with >= and <=.
var comparisonClass = map[string]int{"=": 0, "<>": 1, "!=": 1, "<": 2, ">": 2, "<=": 3, ">=": 3}

// pairable reports whether an operand that is not a NOT can have a
// complement among operands that are not NOTs either; a pattern match is
// complemented by a null test (see matchesEveryValue).
func pairable(n *pg_query.Node, comparisons, sets, tests bool) bool {
	switch e := n.Node.(type) {
	case *pg_query.Node_NullTest, *pg_query.Node_BooleanTest:
		return true
	case *pg_query.Node_AExpr:
		switch e.AExpr.Kind {
		case pg_query.A_Expr_Kind_AEXPR_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
			return true
		case pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE, pg_query.A_Expr_Kind_AEXPR_SIMILAR:
			return tests
		case pg_query.A_Expr_Kind_AEXPR_OP:
			return comparisons || (tests && patternOps[lastName(e.AExpr.Name)])
		case pg_query.A_Expr_Kind_AEXPR_IN, pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN,
			pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
			return sets
		}
	}
	return false
}

// nullSatisfies holds the boolean tests that NULL passes.
var nullSatisfies = map[pg_query.BoolTestType]bool{
	pg_query.BoolTestType_IS_UNKNOWN: true, pg_query.BoolTestType_IS_NOT_TRUE: true, pg_query.BoolTestType_IS_NOT_FALSE: true,
}

// negatedOp and flippedOp: NOT (a < b) is a >= b; a < b is b > a.
var (
	negatedOp = map[string]string{"=": "<>", "<>": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
	flippedOp = map[string]string{"=": "=", "<>": "<>", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
	// booleanTestNegation pairs each IS [NOT] TRUE/FALSE/UNKNOWN test with
	// its negation (IS TRUE and IS NOT TRUE cover every row, NULL too).
	booleanTestNegation = map[pg_query.BoolTestType]pg_query.BoolTestType{
		pg_query.BoolTestType_IS_TRUE: pg_query.BoolTestType_IS_NOT_TRUE, pg_query.BoolTestType_IS_NOT_TRUE: pg_query.BoolTestType_IS_TRUE,
		pg_query.BoolTestType_IS_FALSE: pg_query.BoolTestType_IS_NOT_FALSE, pg_query.BoolTestType_IS_NOT_FALSE: pg_query.BoolTestType_IS_FALSE,
		pg_query.BoolTestType_IS_UNKNOWN: pg_query.BoolTestType_IS_NOT_UNKNOWN, pg_query.BoolTestType_IS_NOT_UNKNOWN: pg_query.BoolTestType_IS_UNKNOWN,
	}
)

// polarKey returns a key for what n asserts and the key of its negation.
func (p *predicate) polarKey(n *pg_query.Node) (key, negation string) {
	if nt := n.GetNullTest(); nt != nil {
		k := p.key(p.simplify(nt.Arg))
		if nt.Nulltesttype == pg_query.NullTestType_IS_NULL {
			return "null:" + k, "notnull:" + k
		}
		return "notnull:" + k, "null:" + k
	}
	if bt := n.GetBooleanTest(); bt != nil {
		// On an operand that is never NULL, IS TRUE and IS NOT FALSE
		// assert the operand, IS FALSE and IS NOT TRUE its negation:
		// (x IS NULL) IS NOT TRUE asserts x IS NOT NULL.
		switch bt.Booltesttype {
		case pg_query.BoolTestType_IS_TRUE, pg_query.BoolTestType_IS_NOT_FALSE:
			if p.neverNull(bt.Arg) {
				return p.polarKey(bt.Arg)
			}
		case pg_query.BoolTestType_IS_FALSE, pg_query.BoolTestType_IS_NOT_TRUE:
			if p.neverNull(bt.Arg) {
				k, neg := p.polarKey(bt.Arg)
				return neg, k
			}
		}
		if neg, ok := booleanTestNegation[bt.Booltesttype]; ok {
			k := p.key(p.simplify(bt.Arg))
			return fmt.Sprintf("bt%d:%s", bt.Booltesttype, k), fmt.Sprintf("bt%d:%s", neg, k)
		}
	}
	if e := n.GetAExpr(); e != nil && (e.Kind == pg_query.A_Expr_Kind_AEXPR_DISTINCT || e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT) {
		arg := e.Lexpr
		if isNullConst(e.Lexpr) {
			arg = e.Rexpr
		} else if !isNullConst(e.Rexpr) {
			arg = nil
		}
		if arg == nil {
			// x IS NOT DISTINCT FROM x + 1 asserts x IS NULL.
			arg = p.offsetNullTest(e.Lexpr, e.Rexpr)
		}
		if arg != nil {
			p.w.literalSensitive = true
			k := p.key(p.simplify(arg))
			if e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT {
				return "null:" + k, "notnull:" + k
			}
			return "notnull:" + k, "null:" + k
		}
	}
	if e := n.GetAExpr(); e != nil && p.matchesEveryValue(e) {
		// x LIKE '%' asserts x IS NOT NULL.
		k := p.key(p.simplify(e.Lexpr))
		return "notnull:" + k, "null:" + k
	}
	if e := n.GetAExpr(); e != nil && e.Kind == pg_query.A_Expr_Kind_AEXPR_OP && len(e.Name) == 1 {
		op := lastName(e.Name)
		if op == "!=" {
			op = "<>"
		}
		if neg, ok := negatedOp[op]; ok {
			l, r := p.key(p.simplify(e.Lexpr)), p.key(p.simplify(e.Rexpr))
			if l > r {
				l, r, op = r, l, flippedOp[op]
				neg = negatedOp[op]
			}
			return fmt.Sprintf("cmp:%d:%s%s%s", len(l), l, op, r), fmt.Sprintf("cmp:%d:%s%s%s", len(l), l, neg, r)
		}
	}
	if e := n.GetAExpr(); e != nil {
		if k, neg, ok := p.setPolarKey(e); ok {
			return k, neg
		}
	}
	if b := n.GetBoolExpr(); b != nil && b.Boolop == pg_query.BoolExprType_NOT_EXPR && len(b.Args) == 1 {
		// NOT (x IS NULL) asserts x IS NOT NULL: the negation of what
		// its operand asserts.
		k, neg := p.polarKey(b.Args[0])
		return neg, k
	}
	k := p.key(n)
	return "is:" + k, "not:" + k
}

// setPolarKey keys IN lists and BETWEEN: x IN (...) and x NOT IN (...) of
// the same list are each other's negation (true together for every row
// where x is not NULL, the standard of x = x), and so are BETWEEN and NOT
// BETWEEN (the bounds of BETWEEN SYMMETRIC in either order). x IN (true,
// false) asserts x IS NOT NULL.
func (p *predicate) setPolarKey(e *pg_query.A_Expr) (key, negation string, ok bool) {
	flip := map[pg_query.A_Expr_Kind]pg_query.A_Expr_Kind{
		pg_query.A_Expr_Kind_AEXPR_BETWEEN: pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN: pg_query.A_Expr_Kind_AEXPR_BETWEEN,
		pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM: pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM: pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM,
	}
	bounds := e.Rexpr
	if b := bounds.GetList().GetItems(); len(b) == 2 && (e.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM || e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM) &&
		p.key(b[0]) > p.key(b[1]) {
		// BETWEEN SYMMETRIC takes its bounds in either order.
		bounds = &pg_query.Node{Node: &pg_query.Node_List{List: &pg_query.List{Items: []*pg_query.Node{b[1], b[0]}}}}
	}
	keyOf := func(kind pg_query.A_Expr_Kind, op string) string {
		c := &pg_query.A_Expr{Kind: kind, Name: []*pg_query.Node{pg_query.MakeStrNode(op)}, Lexpr: p.simplify(e.Lexpr), Rexpr: bounds}
		return "set:" + p.key(&pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: c}})
	}
	switch {
	case e.Kind == pg_query.A_Expr_Kind_AEXPR_IN:
		op := lastName(e.Name)
		if op != "=" && op != "<>" {
			return "", "", false
		}
		if items := e.Rexpr.GetList().GetItems(); len(items) == 2 {
			p.w.literalSensitive = true // reads which booleans are listed
			a, b := items[0].GetAConst().GetBoolval(), items[1].GetAConst().GetBoolval()
			if a != nil && b != nil && a.Boolval != b.Boolval {
				k := p.key(p.simplify(e.Lexpr))
				if op == "=" {
					return "notnull:" + k, "null:" + k, true
				}
				return "null:" + k, "notnull:" + k, true
			}
		}
		neg := map[string]string{"=": "<>", "<>": "="}[op]
		return keyOf(e.Kind, op), keyOf(e.Kind, neg), true
	case flip[e.Kind] != 0:
		return keyOf(e.Kind, "BETWEEN"), keyOf(flip[e.Kind], "BETWEEN"), true
	}
	return "", "", false
}

// rowComparison reports whether n, evaluated to r, is a comparison (=, <>,
// <, <=, >, >=) that depends on the row. Such a comparison is NULL exactly
// where an operand is, so (id > 3) IS NOT NULL and (id > 3) IS NOT UNKNOWN
// are id > 3 OR id <= 3: true for every row where id is not NULL, the
// standard of x = x.
func (p *predicate) rowComparison(n *pg_query.Node, r result) bool {
	e := n.GetAExpr()
	return e != nil && e.Kind == pg_query.A_Expr_Kind_AEXPR_OP && len(e.Name) == 1 && comparisonOps[lastName(e.Name)] &&
		e.Lexpr != nil && r.scope == rowDependent
}

// systemColumns are the columns every table has; none is ever NULL.
var systemColumns = map[string]bool{"ctid": true, "xmin": true, "xmax": true, "cmin": true, "cmax": true, "tableoid": true}

// neverNull reports whether an expression is non-NULL for every row: a
// system column of the target, the result of IS [NOT] NULL, IS [NOT]
// TRUE/FALSE/UNKNOWN and IS [NOT] DISTINCT FROM, a non-NULL literal, and
// NOT, AND, OR and casts of those; coalesce with such an argument; the
// counts num_nulls and num_nonnulls; a row value cast (t::text) or
// converted to JSON (to_jsonb(t)). WHERE ctid IS NOT NULL and
// WHERE (x IS NULL) IS NOT NULL are true for every row.
func (p *predicate) neverNull(n *pg_query.Node) bool {
	switch e := n.Node.(type) {
	case *pg_query.Node_ColumnRef:
		return systemColumns[lastField(e.ColumnRef)] && p.targetColumn(e.ColumnRef)
	case *pg_query.Node_NullTest, *pg_query.Node_BooleanTest:
		return true
	case *pg_query.Node_AExpr:
		return e.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_DISTINCT || e.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT
	case *pg_query.Node_AConst:
		p.w.literalSensitive = true
		return !e.AConst.Isnull
	case *pg_query.Node_TypeCast:
		// A row value cast to text (t::text) is its text form.
		return p.neverNull(e.TypeCast.Arg) || p.rowValue(e.TypeCast.Arg)
	case *pg_query.Node_CoalesceExpr:
		// coalesce(x, 'none') is never NULL when an argument is not.
		for _, a := range e.CoalesceExpr.Args {
			if p.neverNull(a) {
				return true
			}
		}
		return false
	case *pg_query.Node_FuncCall:
		f := e.FuncCall
		if len(f.Funcname) > 2 || (len(f.Funcname) == 2 && f.Funcname[0].GetString_().GetSval() != "pg_catalog") ||
			f.AggFilter != nil || f.Over != nil || f.AggStar {
			return false
		}
		switch lastName(f.Funcname) {
		case "num_nulls", "num_nonnulls":
			return true // counts, never NULL
		case "to_json", "to_jsonb", "row_to_json":
			// The JSON form of a row value is an object, never NULL.
			return len(f.Args) >= 1 && p.rowValue(f.Args[0])
		}
		return false
	case *pg_query.Node_BoolExpr:
		for _, a := range e.BoolExpr.Args {
			if !p.neverNull(a) {
				return false
			}
		}
		return true
	}
	return false
}

// rowValue reports whether an expression is a row value: t.*, the bare
// table name t, or ROW(...). A row value is never the NULL value itself (its
// IS NULL tests its fields; IS DISTINCT FROM NULL is always true).
func (p *predicate) rowValue(n *pg_query.Node) bool {
	switch e := n.Node.(type) {
	case *pg_query.Node_RowExpr:
		return true
	case *pg_query.Node_ColumnRef:
		c := e.ColumnRef
		if c.Fields[len(c.Fields)-1].GetAStar() != nil {
			return p.targetColumn(c)
		}
		// A column named like the table would win; refusing that rare
		// filter is the safe side.
		return len(c.Fields) == 1 && p.targets[lastField(c)] && !p.w.values[lastField(c)]
	}
	return false
}

func isNullConst(n *pg_query.Node) bool {
	c := n.GetAConst()
	return c != nil && c.Isnull
}

var comparisonOps = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *predicate) aExpr(e *pg_query.A_Expr) result {
	op := lastName(e.Name)
	switch e.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP, pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
		if likeOps[op] && p.mentionsTarget(e.Lexpr) && p.alike(e.Lexpr, e.Rexpr) {
			// x LIKE x: a value matches itself as a pattern (but for
			// escapes), the standard of x = x.
			return boolResult(true)
		}
		if containmentOps[op] && p.mentionsTarget(e.Lexpr) && p.same(p.simplify(e.Lexpr), p.simplify(e.Rexpr)) {
			return boolResult(true) // a @> a, the standard of x = x
		}
		if containmentOps[op] && p.holdsEmpty(op, e.Lexpr, e.Rexpr) {
			return boolResult(true) // a @> '{}': true where a is not NULL
		}
		if r, ok := p.rangeContains(e); ok {
			return r // int4range(x, x, '[]') @> x
		}
		if !comparisonOps[op] {
			break
		}
		if p.outerValueComparison(e) {
			return result{scope: rowIndependent}
		}
		if v, ok := p.extremeComparison(op, e.Lexpr, e.Rexpr); ok {
			return boolResult(v) // x <= (SELECT max(x) FROM t)
		}
		if p.scalarReadsEveryRow(op, e.Lexpr, e.Rexpr) {
			return boolResult(true) // x = (SELECT x FROM t y WHERE y.x = t.x)
		}
		if isNullValue(e.Lexpr) || isNullValue(e.Rexpr) {
			// A comparison with NULL is NULL for every row: (x = NULL)
			// IS NULL is true. Whether a constant is NULL is part of
			// the text's cache key (see nullSignature).
			return result{scope: alwaysFalse, k: &konst{kind: '0'}}
		}
		// Look at which sides depend on the row before reading any
		// literal: in aid = 42 the value 42 cannot change the verdict,
		// and not reading it keeps the verdict shareable by every text
		// that differs only in literals (the verdict cache's hot path).
		if v, ok := p.rowOrder(op, e.Lexpr, e.Rexpr); ok {
			return v
		}
		ldep, rdep := p.mentionsTarget(e.Lexpr), p.mentionsTarget(e.Rexpr)
		l, r := e.Lexpr, e.Rexpr
		if ldep || rdep {
			l, r = p.simplify(l), p.simplify(r)
			// (x + $1) - x > 0: the row cancels out.
			ldep, rdep = p.mentionsTarget(l), p.mentionsTarget(r)
		}
		if ldep || rdep {
			if p.same(l, r) {
				// x = x is true for every row where x is not NULL;
				// treat it as reaching every row.
				return boolResult(reflexiveOps[op])
			}
			// x < x + 1; x = x + $1 and NOT (x = x + $1), where the
			// value bound decides for every row alike.
			if v, ok := p.compareOffsets(op, e.Lexpr, e.Rexpr); ok {
				return v
			}
			if p.alike(l, r) {
				// x = coalesce($1, x) is x = x once $1 is bound to
				// NULL; x < coalesce($1, x) is then false.
				return boolResult(reflexiveOps[op])
			}
			if p.keepingComparison(op, l, r) {
				// x = lower(x): the values lower() keeps, which the
				// column's values decide (see identities.go).
				return result{scope: rowIndependent}
			}
			if v, ok := p.polarCompare(op, l, r); ok {
				return boolResult(v)
			}
			// A row-dependent side can still be constant, as in
			// (x = x) = true or x * 0 = 0: fold it against a literal.
			if ldep != rdep {
				dep, other := l, r
				if rdep {
					dep, other = r, l
				}
				if v, ok := p.countCompare(op, dep, other, rdep); ok {
					return boolResult(v)
				}
				if v, ok := p.systemCompare(op, dep, other, rdep); ok {
					return boolResult(v)
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
		if lk, rk := p.eval(l), p.eval(r); lk.k != nil && rk.k != nil {
			if v, ok := compare(op, lk.k, rk.k); ok {
				return boolResult(v)
			}
		}
		return result{scope: rowIndependent}
	case pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT, pg_query.A_Expr_Kind_AEXPR_DISTINCT:
		notDistinct := e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT
		if p.same(p.simplify(e.Lexpr), p.simplify(e.Rexpr)) {
			return boolResult(notDistinct)
		}
		// x IS DISTINCT FROM x + 1 is true where x is not NULL, the
		// standard of x = x; x IS NOT DISTINCT FROM x + 1 is x IS NULL;
		// with x + $1 the value bound decides for every row alike.
		distinctOp := map[pg_query.A_Expr_Kind]string{pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT: "=", pg_query.A_Expr_Kind_AEXPR_DISTINCT: "<>"}[e.Kind]
		if v, ok := p.compareOffsets(distinctOp, e.Lexpr, e.Rexpr); ok && !(notDistinct && v.scope == alwaysFalse) {
			return v
		}
		if p.alike(e.Lexpr, e.Rexpr) {
			// x IS NOT DISTINCT FROM coalesce($1, x) is true for
			// every row once $1 is bound to NULL.
			return boolResult(notDistinct)
		}
		if v, ok := p.polarCompare(distinctOp, p.simplify(e.Lexpr), p.simplify(e.Rexpr)); ok {
			return boolResult(v)
		}
		// x IS DISTINCT FROM NULL for an x that is never NULL, or a
		// row value (t.*, t), which is never the NULL value itself.
		for _, sides := range [][2]*pg_query.Node{{e.Lexpr, e.Rexpr}, {e.Rexpr, e.Lexpr}} {
			if p.neverNull(sides[0]) || p.rowValue(sides[0]) {
				// Whether the other side is NULL is a literal's value.
				p.w.literalSensitive = true
				if isNullConst(sides[1]) {
					return boolResult(e.Kind == pg_query.A_Expr_Kind_AEXPR_DISTINCT)
				}
			}
		}
	case pg_query.A_Expr_Kind_AEXPR_IN, pg_query.A_Expr_Kind_AEXPR_OP_ANY, pg_query.A_Expr_Kind_AEXPR_OP_ALL:
		// x IN (..., x, ...) and x = ANY (ARRAY[..., x, ...]) are x = x;
		// x NOT IN (..., x, ...) and x <> ALL (ARRAY[x]) are false. An x
		// that is never NULL, such as (y IS NULL), is always in
		// (true, false).
		if sel := p.arrayQuery(e.Rexpr); sel != nil && e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY && reflexiveOps[op] {
			// x = ANY (ARRAY(SELECT ...)) is x IN (SELECT ...).
			if p.wholeTableSubquery(&pg_query.SubLink{SubLinkType: pg_query.SubLinkType_ANY_SUBLINK, Testexpr: e.Lexpr, Subselect: sel,
				OperName: []*pg_query.Node{pg_query.MakeStrNode(op)}}) {
				return boolResult(true)
			}
		}
		in := (e.Kind == pg_query.A_Expr_Kind_AEXPR_IN && op == "=") || (e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY && op == "=")
		notIn := (e.Kind == pg_query.A_Expr_Kind_AEXPR_IN && op == "<>") || (e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL && (op == "<>" || op == "!="))
		// x = ALL (ARRAY[x]), x <= ANY (ARRAY[x, ...]): the comparison of
		// x with itself, true where x is not NULL.
		reflexive := op == "=" || op == "<=" || op == ">="
		all := e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL && reflexive
		in = in || (e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY && reflexive)
		// x NOT IN (x + 1), x < ANY (ARRAY[x + 1]); before the look for x
		// itself among the items, which counts x + $1 as x (and so
		// x NOT IN (x + $1) as false, though $1 may be 1).
		if !reflexive {
			if r, ok := p.itemOffsets(e); ok {
				return r
			}
		}
		for i, items := range p.itemForms(e) {
			if r, ok := p.itemsResult(e, items, i == 0, in, notIn, all); ok {
				return r
			}
		}
		if r, ok := p.itemOffsets(e); reflexive && ok {
			return r // x IN (x - 1, x + 1)
		}
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM,
		pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		// x BETWEEN x AND x is x = x.
		if bounds := e.Rexpr.GetList().GetItems(); len(bounds) == 2 && p.mentionsTarget(e.Lexpr) {
			x := p.simplify(e.Lexpr)
			if p.alike(x, bounds[0]) && p.alike(x, bounds[1]) {
				return boolResult(e.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN || e.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM)
			}
			// x BETWEEN (SELECT min(x) FROM t) AND (SELECT max(x) FROM
			// t), a bound of x itself on either side.
			holds := func(op string, b *pg_query.Node) bool {
				v, ok := p.extremeComparison(op, e.Lexpr, b)
				return p.alike(x, b) || ok && v
			}
			symmetric := e.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM || e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM
			if holds(">=", bounds[0]) && holds("<=", bounds[1]) || symmetric && holds(">=", bounds[1]) && holds("<=", bounds[0]) {
				return boolResult(e.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN || e.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM)
			}
			// x BETWEEN x - 1 AND x + 1
			if r, ok := p.betweenOffsets(e.Kind, e.Lexpr, bounds[0], bounds[1]); ok {
				return r
			}
		}
	}
	if p.mentionsTarget(&pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: e}}) {
		return result{scope: rowDependent}
	}
	return result{scope: rowIndependent}
}

// itemForms lists the lists of values x IN (...), x op ANY (...) and
// x op ALL (...) may test x against: the IN list, or the elements of an
// array written as ARRAY[...] or as a literal of NULLs ('{}', '{NULL}'),
// first the operand itself, then, for ANY and ALL, what it may be for some
// values of the parameters in it (see reductions): ANY (coalesce($1,
// ARRAY[x])) is x = ANY (ARRAY[x]) when $1 is NULL. A nil entry stands for
// an operand whose elements are not known.
func (p *predicate) itemForms(e *pg_query.A_Expr) [][]*pg_query.Node {
	if e.Kind == pg_query.A_Expr_Kind_AEXPR_IN {
		return [][]*pg_query.Node{e.Rexpr.GetList().GetItems()}
	}
	var forms [][]*pg_query.Node
	for _, r := range p.reductions(e.Rexpr, nil) {
		items, ok := p.arrayElements(r)
		if !ok {
			items = nil
		} else if items == nil {
			items = []*pg_query.Node{}
		}
		forms = append(forms, items)
	}
	return forms
}

// arrayElements returns the elements of an array value written in the
// text: ARRAY[...], or a literal of only NULLs ('{NULL}') or of none
// ('{}'), possibly cast. ok is false when they are not known.
func (p *predicate) arrayElements(n *pg_query.Node) (items []*pg_query.Node, ok bool) {
	for n.GetTypeCast() != nil {
		n = n.GetTypeCast().Arg
	}
	if a := n.GetAArrayExpr(); a != nil {
		return a.Elements, true
	}
	c := n.GetAConst()
	if c == nil || c.GetSval() == nil {
		return nil, false
	}
	p.w.literalSensitive = true
	v := strings.TrimSpace(c.GetSval().Sval)
	if !strings.HasPrefix(v, "{") {
		return nil, false // '[1:1]={NULL}' or not an array
	}
	body := strings.TrimSpace(strings.NewReplacer("{", "", "}", "").Replace(v))
	if body == "" {
		return nil, true
	}
	for _, el := range strings.Split(body, ",") {
		if !strings.EqualFold(strings.TrimSpace(el), "null") {
			return nil, false
		}
		items = append(items, &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Isnull: true}}})
	}
	return items, true
}

// itemsResult judges x IN (...), x op ANY (...) or x op ALL (...) against
// one list of values it may test x against (see itemForms); exact says the
// list is the operand's own, not one it may become. ANY of no value is
// false and ALL of none true, for every row; a comparison with only NULLs
// is NULL for every row. x IN (..., x, ...) and x = ANY (ARRAY[..., x,
// ...]) are x = x; x NOT IN (..., x, ...) and x <> ALL (ARRAY[x]) are
// false; x % 2 IN (0, 1, -1) holds every value a remainder can have. An x
// that is never NULL, such as (y IS NULL), is always in (true, false).
func (p *predicate) itemsResult(e *pg_query.A_Expr, items []*pg_query.Node, exact, in, notIn, all bool) (result, bool) {
	if items == nil {
		return result{}, false
	}
	if len(items) == 0 {
		// Only ANY and ALL take an empty array; ALL of none is true,
		// ANY of none false, whatever x is.
		isAll := e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL
		return boolResult(isAll), exact || isAll
	}
	if exact && allNull(items) {
		return result{scope: alwaysFalse, k: &konst{kind: '0'}}, true
	}
	if !(in || notIn || all) || p.eval(e.Lexpr).scope != rowDependent {
		return result{}, false
	}
	x := p.simplify(e.Lexpr)
	every := true
	for _, item := range items {
		if !p.alike(x, item) {
			every = false
		} else if !all {
			return boolResult(in), true
		}
	}
	if all && every {
		return boolResult(true), true
	}
	if in && exact && p.remainderCovered(x, items) {
		return boolResult(true), true
	}
	if p.neverNull(e.Lexpr) {
		p.w.literalSensitive = true // reads which booleans are listed
		var t, f bool
		for _, item := range items {
			if b := item.GetAConst().GetBoolval(); b != nil {
				t, f = t || b.Boolval, f || !b.Boolval
			}
		}
		if t && f {
			return boolResult(in), true
		}
	}
	return result{}, false
}

// allNull reports whether every value of a list is the NULL constant.
func allNull(items []*pg_query.Node) bool {
	for _, item := range items {
		if !isNullValue(item) {
			return false
		}
	}
	return true
}

// maxRemainderDivisor bounds the divisors remainderCovered looks at.
const maxRemainderDivisor = 1000

// remainderCovered reports whether x is a remainder by a constant n
// (a % n, mod(a, n)) of an expression over the row, and the values listed
// hold every value it can take, -(n-1) to n-1: id % 2 IN (0, 1, -1) is
// true for every row where id is not NULL, the standard of x = x (a
// remainder of a fractional value, as 2.5 % 2, makes that a rare real
// filter, refused with them).
func (p *predicate) remainderCovered(x *pg_query.Node, items []*pg_query.Node) bool {
	var a, d *pg_query.Node
	if e := x.GetAExpr(); e != nil && e.Kind == pg_query.A_Expr_Kind_AEXPR_OP && len(e.Name) == 1 && lastName(e.Name) == "%" && e.Lexpr != nil {
		a, d = e.Lexpr, e.Rexpr
	} else if f := x.GetFuncCall(); f != nil && len(f.Funcname) <= 2 && lastName(f.Funcname) == "mod" && len(f.Args) == 2 && f.Over == nil {
		a, d = f.Args[0], f.Args[1]
	} else {
		return false
	}
	k := p.eval(d).k
	if k == nil || k.kind != 'n' || k.num != float64(int64(k.num)) || k.num == 0 || abs(k.num) > maxRemainderDivisor || !p.mentionsTarget(a) {
		return false
	}
	n := int64(abs(k.num))
	seen := map[int64]bool{}
	for _, item := range items {
		if v := p.eval(item).k; v != nil && v.kind == 'n' && v.num == float64(int64(v.num)) && abs(v.num) < float64(n) {
			seen[int64(v.num)] = true
		}
	}
	return int64(len(seen)) == 2*n-1
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

var likeOps = map[string]bool{"~~": true, "~~*": true}

// reflexiveOps are the comparisons true between a value and itself.
var reflexiveOps = map[string]bool{"=": true, "<=": true, ">=": true}

// containmentOps are contains and is contained by (arrays, ranges, jsonb)
// and starts with: each holds between a value and itself.
var containmentOps = map[string]bool{"@>": true, "<@": true, "^@": true}

// holdsEmpty reports whether a containment test asks whether a value of the
// row holds the empty value, which every value does: a @> '{}' (also
// ARRAY[]), '{}' <@ a, x ^@ the empty string (x starts with it). An untyped
// '{}' takes the other side's type; for jsonb it is the empty object, which
// every object holds: a test of the document's kind, refused with them.
func (p *predicate) holdsEmpty(op string, l, r *pg_query.Node) bool {
	holder, empty := l, r
	if op == "<@" {
		holder, empty = r, l
	}
	if !p.mentionsTarget(holder) {
		return false
	}
	for empty.GetTypeCast() != nil {
		empty = empty.GetTypeCast().Arg
	}
	if a := empty.GetAArrayExpr(); a != nil {
		return op != "^@" && len(a.Elements) == 0
	}
	c := empty.GetAConst()
	if c == nil || c.GetSval() == nil {
		return false
	}
	p.w.literalSensitive = true // reads the string
	if op == "^@" {
		return c.GetSval().Sval == ""
	}
	return strings.TrimSpace(c.GetSval().Sval) == "{}"
}

// patternOps are LIKE, ILIKE and the regular expression matches.
var patternOps = map[string]bool{"~~": true, "~~*": true, "~": true, "~*": true}

// matchesEveryValue reports whether a pattern match is true for every value
// that is not NULL: LIKE, ILIKE or SIMILAR TO with a pattern of only %, or a regular
// expression match with the empty pattern. x LIKE '%' then reaches the rows
// x IS NOT NULL reaches.
func (p *predicate) matchesEveryValue(e *pg_query.A_Expr) bool {
	op := lastName(e.Name)
	if len(e.Name) != 1 || !patternOps[op] || e.Lexpr == nil {
		return false
	}
	pattern := e.Rexpr
	switch e.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP, pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
	case pg_query.A_Expr_Kind_AEXPR_SIMILAR:
		// x SIMILAR TO 'p' is x ~ similar_to_escape('p'); % matches
		// any string there as in LIKE.
		f := pattern.GetFuncCall()
		if f == nil || lastName(f.Funcname) != "similar_to_escape" || len(f.Args) == 0 {
			return false
		}
		pattern = f.Args[0]
	default:
		return false
	}
	c := pattern.GetAConst()
	if c == nil || c.GetSval() == nil {
		return false
	}
	p.w.literalSensitive = true
	v := c.GetSval().Sval
	if likeOps[op] || e.Kind == pg_query.A_Expr_Kind_AEXPR_SIMILAR {
		return v != "" && strings.Trim(v, "%") == ""
	}
	return v == ""
}

// polarCompare folds = and <> between two tests that are never NULL and
// assert the same thing or each other's negation (see polarKey):
// (x IS NULL) <> (x IS NOT NULL) is true for every row.
func (p *predicate) polarCompare(op string, l, r *pg_query.Node) (value, ok bool) {
	if op == "!=" {
		op = "<>"
	}
	if (op != "=" && op != "<>") || !p.neverNull(l) || !p.neverNull(r) || !polar(l) || !polar(r) {
		return false, false
	}
	lk, lneg := p.polarKey(l)
	rk, _ := p.polarKey(r)
	switch rk {
	case lk:
		return op == "=", true
	case lneg:
		return op == "<>", true
	}
	return false, false
}

// polar reports whether polarKey knows more of n than its key: a test,
// or a NOT of one.
func polar(n *pg_query.Node) bool {
	switch e := n.Node.(type) {
	case *pg_query.Node_NullTest, *pg_query.Node_BooleanTest:
		return true
	case *pg_query.Node_AExpr:
		return e.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_DISTINCT || e.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT
	case *pg_query.Node_BoolExpr:
		return e.BoolExpr.Boolop == pg_query.BoolExprType_NOT_EXPR && len(e.BoolExpr.Args) == 1 && polar(e.BoolExpr.Args[0])
	}
	return false
}

// countCompare folds a comparison of a count of NULLs (num_nulls,
// num_nonnulls), never negative, with a number it always exceeds or equals:
// num_nulls(x) >= 0 is true for every row. dep is the count, right says it
// stands on the right of op.
func (p *predicate) countCompare(op string, dep, other *pg_query.Node, right bool) (value, ok bool) {
	f := dep.GetFuncCall()
	if f == nil || len(f.Funcname) > 2 || (lastName(f.Funcname) != "num_nulls" && lastName(f.Funcname) != "num_nonnulls") {
		return false, false
	}
	o := p.eval(other).k
	if o == nil || o.kind != 'n' {
		return false, false
	}
	if right {
		op = flippedOp[op]
	}
	switch {
	case op == ">=" && o.num <= 0, op == ">" && o.num < 0, (op == "<>" || op == "!=") && o.num < 0:
		return true, true
	case op == "<" && o.num <= 0, op == "<=" && o.num < 0, op == "=" && o.num < 0:
		return false, true
	}
	return false, false
}

// systemCompare folds a comparison of a system column with a value no row
// has: no row's ctid has offset 0, so ctid <> '(0,0)' and ctid > '(0,0)'
// are true for every row (and ctid >= '(0,1)', the first there can be), and
// no row's xmin is 0, the invalid transaction. dep is the column, right says
// it stands on the right of op.
func (p *predicate) systemCompare(op string, dep, other *pg_query.Node, right bool) (value, ok bool) {
	col := dep.GetColumnRef()
	if col == nil || (lastField(col) != "ctid" && lastField(col) != "xmin") || !p.targetColumn(col) {
		return false, false
	}
	c := other.GetAConst()
	if c == nil {
		return false, false
	}
	p.w.literalSensitive = true
	if right {
		op = flippedOp[op]
	}
	if op == "!=" {
		op = "<>"
	}
	switch lastField(col) {
	case "ctid":
		var block, offset uint64
		if c.GetSval() == nil {
			return false, false
		}
		if n, err := fmt.Sscanf(strings.TrimSpace(c.GetSval().Sval), "(%d,%d)", &block, &offset); err != nil || n != 2 {
			return false, false
		}
		first := block == 0 && offset <= 1 // at or below (0,1), the first tid a row can have
		switch {
		case op == "<>" && offset == 0, op == ">" && first && offset == 0, op == ">=" && first:
			return true, true
		case op == "=" && offset == 0, op == "<" && first, op == "<=" && first && offset == 0:
			return false, true
		}
	case "xmin":
		v := ""
		switch {
		case c.GetSval() != nil:
			v = strings.TrimSpace(c.GetSval().Sval)
		case c.GetIval() != nil:
			v = strconv.Itoa(int(c.GetIval().Ival))
		}
		if v == "0" {
			return op == "<>", op == "<>" || op == "="
		}
	}
	return false, false
}

// simplify strips what does not change an expression's value for the
// standard of x = x (true where x is not NULL): casts to a type without a
// length or precision (id::bigint = id; a cast that rounds, as
// price::int = price, makes that a rare real filter, refused with them),
// unary plus and double minus, adding or subtracting zero, multiplying or
// dividing by one, appending the empty string, concat(x), coalesce(x, ...) (which is x
// where x is not NULL) also after NULL arguments (coalesce(NULL, x)),
// nullif(x, NULL), greatest and least of copies of x (NULL arguments
// ignored, as the server ignores them), a CASE whose first branch that is
// not always false is always true, a COLLATE clause (x = x COLLATE "C" is
// x = x), and a FROM-less scalar subquery (SELECT x), whose value is x's for
// the outer row. x - x and x * 0 become 0. id = id + 0 is then id = id.
func (p *predicate) simplify(n *pg_query.Node) *pg_query.Node {
	for n != nil {
		if op := operatorCall(n); op != nil {
			n = op // int4pl(x, 0) is x + 0
		}
		switch e := n.Node.(type) {
		case *pg_query.Node_TypeCast:
			if !losslessType(e.TypeCast.TypeName) {
				return n
			}
			n = e.TypeCast.Arg
		case *pg_query.Node_CoalesceExpr:
			args := e.CoalesceExpr.Args
			for len(args) > 1 && isNullValue(args[0]) {
				args = args[1:]
			}
			if len(args) == 0 || !p.mentionsTarget(args[0]) {
				return n
			}
			n = args[0]
		case *pg_query.Node_CollateClause:
			n = e.CollateClause.Arg
		case *pg_query.Node_MinMaxExpr:
			x := p.sameArgs(e.MinMaxExpr.Args, isNullValue)
			if x == nil {
				x = p.extremeOffset(e.MinMaxExpr)
			}
			if x == nil {
				return n
			}
			n = x
		case *pg_query.Node_CaseExpr:
			r := p.decidedCase(e.CaseExpr)
			if r == nil {
				r = p.identityCase(e.CaseExpr)
			}
			if r == nil {
				return n
			}
			n = r
		case *pg_query.Node_FuncCall:
			x := p.returnedArgument(e.FuncCall)
			if x == nil {
				return n
			}
			n = x
		case *pg_query.Node_AIndirection:
			x := p.subscriptedElement(e.AIndirection)
			if x == nil {
				x = p.rowVariableField(e.AIndirection)
			}
			if x == nil {
				x = p.selfRowField(e.AIndirection)
			}
			if x == nil {
				return n
			}
			n = x
		case *pg_query.Node_SubLink:
			v := fromlessValue(e.SubLink.Subselect.GetSelectStmt())
			if e.SubLink.SubLinkType != pg_query.SubLinkType_EXPR_SUBLINK || v == nil {
				return n
			}
			n = v
		case *pg_query.Node_AExpr:
			a := e.AExpr
			if a.Kind == pg_query.A_Expr_Kind_AEXPR_NULLIF && (isNullValue(a.Rexpr) || p.movedBy(a.Lexpr, a.Rexpr)) {
				n = a.Lexpr // nullif(x, NULL) and nullif(x, x + 1) are x
				continue
			}
			// Arithmetic is looked at only over the target's columns:
			// reading a literal makes the verdict literal-sensitive,
			// which created < $date + 7 need not be.
			if a.Kind != pg_query.A_Expr_Kind_AEXPR_OP || a.Rexpr == nil || !(arithmeticOps[lastName(a.Name)] || bitOps[lastName(a.Name)]) || !p.mentionsTarget(n) {
				return n
			}
			if a.Lexpr == nil { // unary: +x is x, - -x is x
				switch {
				case lastName(a.Name) == "+":
					n = a.Rexpr
					continue
				case lastName(a.Name) == "-":
					if in := a.Rexpr.GetAExpr(); in != nil && in.Lexpr == nil && in.Kind == pg_query.A_Expr_Kind_AEXPR_OP && lastName(in.Name) == "-" {
						n = in.Rexpr
						continue
					}
				}
				return n
			}
			switch lastName(a.Name) {
			case "||":
				if !p.isString(a.Rexpr, "") {
					return n
				}
				n = a.Lexpr
			case "|", "&":
				// x | x and x & x are x, and so are x | 0 and 0 | x.
				switch {
				case p.same(p.simplify(a.Lexpr), p.simplify(a.Rexpr)):
					n = a.Lexpr
				case lastName(a.Name) == "|" && p.isNumber(a.Rexpr, 0):
					n = a.Lexpr
				case lastName(a.Name) == "|" && p.isNumber(a.Lexpr, 0):
					n = a.Rexpr
				default:
					return n
				}
			case "<<", ">>":
				// A shift by nothing.
				if !p.isNumber(a.Rexpr, 0) {
					return n
				}
				n = a.Lexpr
			case "+", "#":
				// x + 0 and x # 0 (exclusive or) are x, either way
				// round; x # x is 0.
				switch {
				case p.isNumber(a.Rexpr, 0):
					n = a.Lexpr
				case p.isNumber(a.Lexpr, 0):
					n = a.Rexpr
				case lastName(a.Name) == "#" && p.same(p.simplify(a.Lexpr), p.simplify(a.Rexpr)):
					return zeroNode()
				default:
					return n
				}
			case "-":
				switch {
				case p.isNumber(a.Rexpr, 0):
					n = a.Lexpr
				case p.same(p.simplify(a.Lexpr), p.simplify(a.Rexpr)):
					return zeroNode()
				default:
					if d := p.difference(a.Lexpr, a.Rexpr); d != nil {
						return d // (x + 1) - x is 1
					}
					return n
				}
			case "*":
				switch {
				case p.isNumber(a.Rexpr, 1):
					n = a.Lexpr
				case p.isNumber(a.Lexpr, 1):
					n = a.Rexpr
				case p.isNumber(a.Lexpr, 0) || p.isNumber(a.Rexpr, 0):
					return zeroNode()
				default:
					return n
				}
			case "/":
				if !p.isNumber(a.Rexpr, 1) {
					return n
				}
				n = a.Lexpr
			default:
				return n
			}
		default:
			return n
		}
	}
	return n
}

// returnedArgument returns the argument, over the target's row, that a
// call returns as its value where that argument is not NULL: concat(x) and
// format('%s', x) are x's text; substr(x, 1) and substring(x FROM 1) (any
// start up to 1, without a length), and left, right, lpad or rpad of x to
// its own length, left(x, length(x)), are x itself. It returns nil for any
// other call.
func (p *predicate) returnedArgument(f *pg_query.FuncCall) *pg_query.Node {
	if len(f.Funcname) > 2 || f.AggStar || f.Over != nil || f.AggFilter != nil || len(f.Args) == 0 {
		return nil
	}
	x := f.Args[len(f.Args)-1]
	switch name := lastName(f.Funcname); {
	case castFunctions[name]:
		// int4(x) is x::int4.
		if len(f.Args) != 1 {
			return nil
		}
	case name == "concat":
		if len(f.Args) != 1 {
			return nil
		}
	case name == "format":
		if len(f.Args) != 2 || !(p.isString(f.Args[0], "%s") || p.isString(f.Args[0], "%1$s")) {
			return nil
		}
	case name == "substr", name == "substring":
		if !catalogOperator(f.Funcname) || f.FuncVariadic || len(f.Args) != 2 {
			return nil
		}
		p.w.literalSensitive = true // substr(x, 2) is not x
		if v, ok := intConstant(f.Args[1]); !ok || v > 1 {
			return nil
		}
		x = f.Args[0]
	case name == "left", name == "right", name == "lpad", name == "rpad":
		if !catalogOperator(f.Funcname) || f.FuncVariadic || len(f.Args) < 2 || len(f.Args) > 3 ||
			(name == "left" || name == "right") && len(f.Args) != 2 || !p.ownLength(f.Args[1], f.Args[0]) {
			return nil
		}
		x = f.Args[0]
	default:
		return nil
	}
	if !p.mentionsTarget(x) {
		return nil
	}
	return x
}

// castFunctions are the types whose name, called as a function, casts its
// one argument (int4(x) is x::int4), as losslessType reads a cast.
var castFunctions = map[string]bool{
	"int2": true, "int4": true, "int8": true, "float4": true, "float8": true, "numeric": true, "text": true,
}

// subscriptedElement returns the element an array written in the text
// has at a constant subscript: (ARRAY[x])[1] is x. It returns nil for
// anything else (a slice, a subscript past the end, an array not written
// as ARRAY[...]).
func (p *predicate) subscriptedElement(ind *pg_query.A_Indirection) *pg_query.Node {
	arr := ind.Arg
	for arr.GetTypeCast() != nil && len(arr.GetTypeCast().TypeName.GetTypmods()) == 0 {
		arr = arr.GetTypeCast().Arg
	}
	a := arr.GetAArrayExpr()
	if a == nil || len(ind.Indirection) != 1 {
		return nil
	}
	idx := ind.Indirection[0].GetAIndices()
	if idx == nil || idx.IsSlice || idx.Uidx == nil {
		return nil
	}
	k := p.eval(idx.Uidx).k
	if k == nil || k.kind != 'n' || k.num != float64(int(k.num)) || k.num < 1 || int(k.num) > len(a.Elements) {
		return nil
	}
	x := a.Elements[int(k.num)-1]
	if !p.mentionsTarget(x) {
		return nil
	}
	return x
}

// isNullValue reports whether n is the NULL constant, possibly cast. Whether
// a constant is NULL is part of the text's cache key (see nullSignature).
func isNullValue(n *pg_query.Node) bool {
	for n.GetTypeCast() != nil {
		n = n.GetTypeCast().Arg
	}
	return isNullConst(n)
}

// sameArgs returns the one expression, mentioning the target, that every
// argument of greatest() or least() not dropped by skip is (after
// simplify), or nil: greatest(x, x) and greatest(NULL, x) are x.
func (p *predicate) sameArgs(args []*pg_query.Node, skip func(*pg_query.Node) bool) *pg_query.Node {
	var x *pg_query.Node
	for _, a := range args {
		if skip(a) {
			continue
		}
		a = p.simplify(a)
		if x == nil {
			if !p.mentionsTarget(a) {
				return nil
			}
			x = a
			continue
		}
		if !p.same(x, a) {
			return nil
		}
	}
	return x
}

// decidedCase returns the result a CASE has for every row when its
// branches' conditions are known: the first whose condition is always true,
// after conditions that are always false; nil when that is not known
// (CASE WHEN true THEN x END is x).
func (p *predicate) decidedCase(c *pg_query.CaseExpr) *pg_query.Node {
	for _, a := range c.Args {
		cw := a.GetCaseWhen()
		if cw == nil {
			return nil
		}
		switch p.eval(caseCondition(c, cw)).scope {
		case alwaysFalse:
			continue
		case alwaysTrue:
			return cw.Result
		}
		return nil
	}
	return c.Defresult
}

// identityCase returns x when a CASE yields x whichever branch it takes:
// every result is x (CASE WHEN x > 0 THEN x ELSE x END), or, in the simple
// CASE x WHEN v THEN v ELSE x END, the value x matched. It returns nil
// otherwise; without ELSE the CASE yields NULL where no branch is taken.
func (p *predicate) identityCase(c *pg_query.CaseExpr) *pg_query.Node {
	if c.Defresult == nil {
		return nil
	}
	x := p.simplify(c.Defresult)
	if !p.mentionsTarget(x) || c.Arg != nil && !p.same(p.simplify(c.Arg), x) {
		return nil
	}
	for _, a := range c.Args {
		cw := a.GetCaseWhen()
		if cw == nil {
			return nil
		}
		r := p.simplify(cw.Result)
		if !p.same(r, x) && !(c.Arg != nil && p.same(r, p.simplify(cw.Expr))) && !p.equalityYields(cw.Expr, x, r) {
			return nil
		}
	}
	return x
}

// equalityYields reports whether a searched CASE's condition is x = r
// (either way round), under which its result r is x:
// CASE WHEN x = 1 THEN 1 ELSE x END.
func (p *predicate) equalityYields(cond, x, r *pg_query.Node) bool {
	e := cond.GetAExpr()
	if e == nil || e.Kind != pg_query.A_Expr_Kind_AEXPR_OP || lastName(e.Name) != "=" {
		return false
	}
	l, rr := p.simplify(e.Lexpr), p.simplify(e.Rexpr)
	return p.same(l, x) && p.same(rr, r) || p.same(rr, x) && p.same(l, r)
}

// caseCondition returns the condition under which a CASE takes a branch:
// its WHEN condition, or for the simple CASE a WHEN b, a = b.
func caseCondition(c *pg_query.CaseExpr, cw *pg_query.CaseWhen) *pg_query.Node {
	if c.Arg == nil {
		return cw.Expr
	}
	return &pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: &pg_query.A_Expr{Kind: pg_query.A_Expr_Kind_AEXPR_OP,
		Name: []*pg_query.Node{pg_query.MakeStrNode("=")}, Lexpr: c.Arg, Rexpr: cw.Expr}}}
}

// mayBeNull reports whether an expression may be NULL for every row at
// once: it does not depend on the row and is not known never to be NULL,
// like a bind parameter ($1 may be bound to NULL) or a session setting.
func (p *predicate) mayBeNull(n *pg_query.Node) bool {
	return !p.mentionsTarget(n) && !p.neverNull(n)
}

// mayBeAny reports whether an expression may be any value for every row at
// once: it does not depend on the row and holds a bind parameter or a
// routine's parameter or variable, which may be bound to anything.
func (p *predicate) mayBeAny(n *pg_query.Node) bool {
	if p.mentionsTarget(n) {
		return false
	}
	return anyNode(n.ProtoReflect(), func(m any) bool {
		switch x := m.(type) {
		case *pg_query.ParamRef:
			return true
		case *pg_query.ColumnRef:
			return len(x.Fields) == 1 && p.w.values[lastField(x)]
		}
		return false
	})
}

// identityOperand returns x for arithmetic that is x itself for some value
// of a parameter (see mayBeAny) or of a value not computed here (see
// opaqueValue): x + $1 and x - $1 when $1 is 0, x * $1 and x / $1 when it
// is 1, x || $1 when it is the empty string; x * abs(1) is x. It returns
// nil otherwise.
func (p *predicate) identityOperand(a *pg_query.A_Expr) *pg_query.Node {
	if a.Kind != pg_query.A_Expr_Kind_AEXPR_OP || len(a.Name) != 1 || a.Lexpr == nil || a.Rexpr == nil {
		return nil
	}
	unknown := func(n *pg_query.Node) bool { return p.mayBeAny(n) || p.opaqueValue(n) }
	switch lastName(a.Name) {
	case "+", "*", "||":
		if unknown(a.Lexpr) && p.mentionsTarget(a.Rexpr) {
			return a.Rexpr
		}
	case "-", "/":
	default:
		return nil
	}
	if unknown(a.Rexpr) && p.mentionsTarget(a.Lexpr) {
		return a.Lexpr
	}
	return nil
}

// maxReductions bounds the expressions reductions lists for one operand.
const maxReductions = 16

// reductions lists what an expression may be, for some values of the
// parameters and other row-independent expressions in it (NULL among them),
// for the standard of x = x: coalesce($1, x) is x when $1 is NULL, so are
// nullif(x, $1) and greatest($1, x); CASE WHEN $1 THEN x ELSE 0 END is x
// when $1 is true. The first entry is the expression itself, simplified.
// id = coalesce($1, id) then reaches every row once $1 is bound to NULL.
func (p *predicate) reductions(n *pg_query.Node, out []*pg_query.Node) []*pg_query.Node {
	n = p.simplify(n)
	out = append(out, n)
	if len(out) >= maxReductions {
		return out
	}
	switch e := n.Node.(type) {
	case *pg_query.Node_CoalesceExpr:
		// Each argument is the value while the ones before it are NULL.
		for _, a := range e.CoalesceExpr.Args {
			out = p.reductions(a, out)
			if !p.mayBeNull(a) || len(out) >= maxReductions {
				break
			}
		}
	case *pg_query.Node_AExpr:
		if a := e.AExpr; a.Kind == pg_query.A_Expr_Kind_AEXPR_NULLIF && (p.mayBeNull(a.Rexpr) || p.mayBeMoved(a.Lexpr, a.Rexpr)) {
			// nullif(x, $1) and nullif(x, x + $1) are x for some $1.
			out = p.reductions(a.Lexpr, out)
		} else if x := p.identityOperand(a); x != nil {
			out = p.reductions(x, out)
		}
	case *pg_query.Node_MinMaxExpr:
		if x := p.sameArgs(e.MinMaxExpr.Args, p.mayBeNull); x != nil {
			out = p.reductions(x, out)
		} else if _, ok := p.offsetsOfOne(e.MinMaxExpr.Args); ok {
			// least(x, x + $1): which wins depends on the parameter,
			// so each may.
			for _, a := range e.MinMaxExpr.Args {
				if out = p.reductions(a, out); len(out) >= maxReductions {
					break
				}
			}
		}
	case *pg_query.Node_CaseExpr:
		out = p.caseReductions(e.CaseExpr, out)
	}
	return out
}

// caseReductions adds the results a CASE may have for every row: a branch
// whose condition does not depend on the row may be the one taken (and is,
// when it is always true); one whose condition does stops the search, since
// rows then pick different branches. CASE $1 WHEN 1 THEN 0 ELSE x END is x
// when $1 is NULL.
func (p *predicate) caseReductions(c *pg_query.CaseExpr, out []*pg_query.Node) []*pg_query.Node {
	for _, a := range c.Args {
		cw := a.GetCaseWhen()
		if cw == nil {
			return out
		}
		switch p.eval(caseCondition(c, cw)).scope {
		case alwaysFalse:
			continue
		case alwaysTrue:
			return p.reductions(cw.Result, out)
		case rowIndependent:
			out = p.reductions(cw.Result, out)
			if len(out) >= maxReductions {
				return out
			}
			continue
		}
		return out
	}
	if c.Defresult != nil {
		out = p.reductions(c.Defresult, out)
	}
	return out
}

// alike reports whether two expressions are the same (see same) after
// simplify, or may be for some values of the parameters and row-independent
// expressions in them (see reductions).
func (p *predicate) alike(a, b *pg_query.Node) bool {
	ra, rb := p.reductions(a, nil), p.reductions(b, nil)
	for _, x := range ra {
		for _, y := range rb {
			if p.same(x, y) {
				return true
			}
		}
	}
	return false
}

var arithmeticOps = map[string]bool{"+": true, "-": true, "*": true, "/": true, "||": true}

// bitOps are the bitwise operators simplify reads: x | x and x & x are x,
// x # 0 and x << 0 are x.
var bitOps = map[string]bool{"|": true, "&": true, "#": true, "<<": true, ">>": true}

// losslessType reports whether a cast to t is taken to keep a value: any
// type without a length or precision (text, bigint, but not varchar(1) or
// numeric(3,0), which cut or round).
func losslessType(t *pg_query.TypeName) bool {
	return t != nil && t.ArrayBounds == nil && len(t.Typmods) == 0
}

// isString reports whether n is the string literal v, possibly cast to a
// type without a length.
func (p *predicate) isString(n *pg_query.Node, v string) bool {
	for n.GetTypeCast() != nil && losslessType(n.GetTypeCast().TypeName) {
		n = n.GetTypeCast().Arg
	}
	c := n.GetAConst()
	if c == nil || c.GetSval() == nil {
		return false
	}
	p.w.literalSensitive = true
	return c.GetSval().Sval == v
}

// isNumber reports whether n is the numeric literal v, possibly cast
// (0::int or '0'::int, as a client may write a bound 0 into the text).
func (p *predicate) isNumber(n *pg_query.Node, v float64) bool {
	cast := false
	for n.GetTypeCast() != nil {
		n, cast = n.GetTypeCast().Arg, true
	}
	c := n.GetAConst()
	if c == nil {
		return false
	}
	if s := c.GetSval(); s != nil && cast {
		p.w.literalSensitive = true
		f, err := strconv.ParseFloat(strings.TrimSpace(s.Sval), 64)
		return err == nil && f == v
	}
	if c.GetIval() == nil && c.GetFval() == nil {
		return false
	}
	k := p.constant(c).k
	return k != nil && k.kind == 'n' && k.num == v
}

// operatorCall returns, for a call of a function that implements a
// built-in operator on numbers or text (pg_catalog.int4eq(x, y),
// int8pl(x, 1), texteq(a, b)), the operator expression it is: x = y,
// x + 1. Otherwise nil.
func operatorCall(n *pg_query.Node) *pg_query.Node {
	f := n.GetFuncCall()
	if f == nil || len(f.Args) != 2 || f.AggStar || f.AggDistinct || f.Over != nil || f.AggFilter != nil || len(f.AggOrder) > 0 ||
		len(f.Funcname) > 2 || len(f.Funcname) == 2 && f.Funcname[0].GetString_().GetSval() != "pg_catalog" {
		return nil
	}
	name := lastName(f.Funcname)
	for _, t := range operatorFunctionTypes {
		if rest, ok := strings.CutPrefix(name, t); ok {
			if op, ok := operatorFunctionSuffixes[rest]; ok {
				return &pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: &pg_query.A_Expr{
					Kind: pg_query.A_Expr_Kind_AEXPR_OP, Name: []*pg_query.Node{pg_query.MakeStrNode(op)},
					Lexpr: f.Args[0], Rexpr: f.Args[1]}}}
			}
		}
	}
	return nil
}

// The functions behind the operators of the built-in number and text
// types: a type (longest first where one is a prefix of another, and the
// cross-type pairs such as int48) and what the function does.
var operatorFunctionTypes = []string{"int24", "int42", "int28", "int82", "int48", "int84", "int2", "int4", "int8",
	"float48", "float84", "float4", "float8", "numeric_", "text", "bpchar"}

var operatorFunctionSuffixes = map[string]string{
	"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
	"pl": "+", "mi": "-", "mul": "*", "div": "/",
	"add": "+", "sub": "-",
	"_lt": "<", "_le": "<=", "_gt": ">", "_ge": ">=", // text_lt
}

func zeroNode() *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Val: &pg_query.A_Const_Ival{Ival: &pg_query.Integer{Ival: 0}}}}}
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
	var results []scope
	if c.Defresult != nil {
		results = append(results, p.eval(c.Defresult).scope)
	}
	for _, a := range c.Args {
		if cw := a.GetCaseWhen(); cw != nil && cw.Result != nil {
			results = append(results, p.eval(cw.Result).scope)
		}
	}
	if s, ok := sqlparse.Branches(results, c.Defresult != nil); ok {
		return fromScope(s)
	}
	if p.mentionsTarget(&pg_query.Node{Node: &pg_query.Node_CaseExpr{CaseExpr: c}}) {
		return result{scope: rowDependent}
	}
	return result{scope: rowIndependent}
}

// wholeTableSubquery recognises subqueries that hold for every row of the
// target because they read the whole target table: x IN (SELECT x FROM t),
// x = ANY (SELECT x FROM t WHERE true), x IN (SELECT x FROM t UNION ...),
// x IN (SELECT x), x IN (VALUES (x)), and EXISTS (SELECT 1 FROM t AS y
// WHERE y.id = t.id). Every row's value is in the set of all values, so the
// predicate holds for every row where x is not NULL (the standard of
// x = x). EXISTS of a query that always returns a row (EXISTS (SELECT t.id),
// see oneRow) holds for every row.
func (p *predicate) wholeTableSubquery(s *pg_query.SubLink) bool {
	sel := s.Subselect.GetSelectStmt()
	switch s.SubLinkType {
	case pg_query.SubLinkType_EXISTS_SUBLINK:
		// A FROM-less query always returns its row; a scan of the
		// table, correlated by the same column or not at all, finds a
		// row for every row of a table that has one.
		if sel != nil && sel.WhereClause != nil && len(sel.FromClause) == 0 {
			// EXISTS (SELECT WHERE t.id = t.id): one row where the
			// condition holds, for every row when it is always true.
			if p.eval(sel.WhereClause).scope != alwaysTrue {
				return false
			}
			return oneRowIgnoringWhere(sel)
		}
		return oneRow(sel) || p.selfScan(sel) != nil
	case pg_query.SubLinkType_ANY_SUBLINK:
		// x IN (...), x = ANY (...); also x >= ANY and x <= ANY, which
		// hold wherever x = ANY does.
		if len(s.OperName) > 1 || (len(s.OperName) == 1 && !reflexiveOps[lastName(s.OperName)]) {
			return false
		}
	default:
		return false
	}
	x := p.simplify(s.Testexpr)
	if v := fromlessValue(sel); v != nil && p.unnestedScan(sel) == nil {
		return p.mentionsTarget(x) && p.alike(x, v)
	}
	if oneRow(sel) && len(sel.ValuesLists) > 0 && p.mentionsTarget(x) {
		// x IN (VALUES (a), (x)) is x = x.
		for _, l := range sel.ValuesLists {
			if items := l.GetList().GetItems(); len(items) == 1 && p.alike(x, items[0]) {
				return true
			}
		}
		return false
	}
	// A row comparison (a, b) IN (SELECT a, b ...) compares each column.
	xs := []*pg_query.Node{x}
	if row := x.GetRowExpr(); row != nil {
		xs = row.Args
	}
	scan := p.selfScan(sel)
	if scan != nil && scan.star && len(scan.out) == 0 && len(xs) == 1 {
		// x IN (TABLE t): the server runs it only when t has one
		// column, which x, a column of t, then is.
		col := p.simplify(xs[0]).GetColumnRef()
		return col != nil && p.refersToTarget(col)
	}
	if scan == nil || len(scan.out) != len(xs) {
		return false
	}
	for i, x := range xs {
		col := p.simplify(x).GetColumnRef()
		if col == nil || !p.refersToTarget(col) || !srcMatches(scan.out[i].src, lastField(col)) {
			return false
		}
	}
	return true
}

// outerValueSubquery recognises x IN (SELECT t.x FROM u): a query over
// other tables whose value is the outer row's own x (also a row, (x, y)
// IN (SELECT t.x, t.y FROM u)), and
// which looks at the outer row nowhere else; and EXISTS of such a query
// (EXISTS (SELECT 1 FROM u WHERE t.id = t.id)). Each holds for every row
// of the target when the query returns a row, and for none when it
// returns none: every row or none, as DELETE FROM t USING u WHERE u.flag
// does (see blindToOuterRow).
func (p *predicate) outerValueSubquery(s *pg_query.SubLink) bool {
	sel := outerQuery(s.Subselect)
	switch {
	case sel == nil:
		return false
	case s.SubLinkType == pg_query.SubLinkType_EXISTS_SUBLINK:
		// EXISTS (SELECT 1 FROM u WHERE t.id = t.id): a row of u for
		// every row of t, or none.
		return p.blindToOuterRow(sel, false)
	case s.SubLinkType != pg_query.SubLinkType_ANY_SUBLINK || len(s.OperName) > 1 ||
		(len(s.OperName) == 1 && lastName(s.OperName) != "="):
		return false
	}
	// A row comparison, (id, note) IN (SELECT t.id, t.note FROM u),
	// compares each column.
	x := p.simplify(s.Testexpr)
	xs := []*pg_query.Node{x}
	if row := x.GetRowExpr(); row != nil {
		xs = row.Args
	}
	vs := p.outerValues(sel)
	if len(vs) != len(xs) {
		return false
	}
	for i, x := range xs {
		x = p.simplify(x)
		if !p.mentionsTarget(x) || !p.alike(x, p.simplify(vs[i])) {
			return false
		}
	}
	return true
}

// outerQuery returns the query of a subquery over other tables, a plain
// SELECT with a FROM; nil for any other.
func outerQuery(n *pg_query.Node) *pg_query.SelectStmt {
	sel := n.GetSelectStmt()
	if sel == nil || sel.Op != pg_query.SetOperation_SETOP_NONE || len(sel.FromClause) == 0 || len(sel.ValuesLists) > 0 {
		return nil
	}
	return sel
}

// outerValues returns the values a query over other tables (see
// outerQuery) selects, SELECT t.id FROM u, when each reads the outer target
// row only (see outerOnly) and the query looks at the outer row nowhere
// else (see blindToOuterRow); nil otherwise.
func (p *predicate) outerValues(sel *pg_query.SelectStmt) []*pg_query.Node {
	if sel == nil || !p.blindToOuterRow(sel, true) {
		return nil
	}
	vs := make([]*pg_query.Node, len(sel.TargetList))
	for i, t := range sel.TargetList {
		vs[i] = t.GetResTarget().GetVal()
		if vs[i] == nil || !p.outerOnly(vs[i], sel.FromClause) {
			return nil
		}
	}
	return vs
}

// blindToOuterRow reports whether a query over other tables looks at the
// outer target row nowhere but in the values it returns (when values
// counts them) and in conditions of its WHERE that read the outer row
// alone and hold for every row (t.id = t.id): whether it returns a row
// does not depend on the outer row.
func (p *predicate) blindToOuterRow(sel *pg_query.SelectStmt, values bool) bool {
	rest := shallowCopy(sel)
	if values {
		rest.TargetList = nil
	} else if p.mentionsTarget(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
		TargetList: sel.TargetList, FromClause: sel.FromClause}}}) {
		// How many rows a target list returns may depend on what it
		// reads: SELECT generate_series(1, t.id) FROM u.
		return false
	}
	rest.WhereClause = nil
	if p.mentionsTarget(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: rest}}) {
		return false // the query looks at the outer row: a semi-join
	}
	if sel.WhereClause == nil {
		return true
	}
	for _, c := range flatten(pg_query.BoolExprType_AND_EXPR, []*pg_query.Node{sel.WhereClause}, nil) {
		inner := &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
			FromClause: sel.FromClause, WhereClause: c}}}
		if p.mentionsTarget(inner) && (!p.outerOnly(c, sel.FromClause) || p.eval(c).scope != alwaysTrue) {
			return false
		}
	}
	return true
}

// outerValueComparison recognises x = (SELECT t.x FROM u LIMIT 1): a
// comparison with a scalar query over other tables whose value is the
// outer row's own (see outerValues). (An aggregate of the outer row alone,
// max(t.x), belongs to the outer query, where the server refuses it in a
// WHERE.) When the query returns a row the comparison is the one with that
// value, for every row alike; when it returns none, it is NULL for every
// row. So a comparison that holds with the value in place holds for every
// row or none.
func (p *predicate) outerValueComparison(e *pg_query.A_Expr) bool {
	value := func(n *pg_query.Node) *pg_query.Node {
		sl := n.GetSubLink()
		if sl == nil || sl.SubLinkType != pg_query.SubLinkType_EXPR_SUBLINK {
			return nil
		}
		if vs := p.outerValues(outerQuery(sl.Subselect)); len(vs) == 1 {
			return vs[0]
		}
		return nil
	}
	c := &pg_query.A_Expr{Kind: e.Kind, Name: e.Name, Lexpr: e.Lexpr, Rexpr: e.Rexpr, Location: e.Location}
	if v := value(e.Rexpr); v != nil {
		c.Rexpr = v
	} else if v := value(e.Lexpr); v != nil {
		c.Lexpr = v
	} else {
		return false
	}
	return p.aExpr(c).scope == alwaysTrue
}

// outerOnly reports whether an expression of a query over from reads the
// outer target row only: it has columns, each qualified by a name of the
// target that from does not name again, and no subquery.
func (p *predicate) outerOnly(v *pg_query.Node, from []*pg_query.Node) bool {
	shadowed := p.shadowedBy(from, nil)
	seen := false
	other := anyNode(v.ProtoReflect(), func(n any) bool {
		switch c := n.(type) {
		case *pg_query.ColumnRef:
			seen = true
			return len(c.Fields) != 2 || shadowed[qualifier(c)] || !p.refersToTarget(c)
		case *pg_query.SubLink, *pg_query.SelectStmt:
			return true
		}
		return false
	})
	return seen && !other
}

// fromlessValue returns the expression of a FROM-less one-value query
// (SELECT x): its value is x's, evaluated for the outer row. So is the
// value of a query that returns a column of a FROM-less derived table,
// SELECT x FROM (SELECT t.id) s(x): the derived table's one row holds the
// outer row's value.
func fromlessValue(sel *pg_query.SelectStmt) *pg_query.Node {
	if sel == nil || len(sel.TargetList) != 1 || sel.WhereClause != nil || len(sel.ValuesLists) > 0 {
		return nil
	}
	if bareFromless(sel) {
		return sel.TargetList[0].GetResTarget().GetVal()
	}
	return derivedValue(sel)
}

// derivedValue is fromlessValue's SELECT x FROM (SELECT ...) s: the one
// FROM item a FROM-less one-row query whose column the target list names,
// plainly, qualified by the alias, or as the star of a single column.
func derivedValue(sel *pg_query.SelectStmt) *pg_query.Node {
	if len(sel.FromClause) != 1 || !plainOnce(sel) {
		return nil
	}
	rs := sel.FromClause[0].GetRangeSubselect()
	if rs == nil || rs.Alias == nil {
		return nil
	}
	inner := rs.Subquery.GetSelectStmt()
	if !bareFromless(inner) || inner.WhereClause != nil || len(inner.ValuesLists) > 0 {
		return nil
	}
	c := sel.TargetList[0].GetResTarget().GetVal().GetColumnRef()
	if c == nil || len(c.Fields) > 2 || len(c.Fields) == 2 && qualifier(c) != rs.Alias.Aliasname {
		return nil
	}
	if c.Fields[len(c.Fields)-1].GetAStar() != nil {
		if len(inner.TargetList) != 1 {
			return nil
		}
		return inner.TargetList[0].GetResTarget().GetVal()
	}
	var found *pg_query.Node
	for i, t := range inner.TargetList {
		rt := t.GetResTarget()
		name := rt.Name
		if i < len(rs.Alias.Colnames) {
			name = rs.Alias.Colnames[i].GetString_().GetSval()
		} else if col := rt.Val.GetColumnRef(); name == "" && col != nil {
			name = lastField(col)
		}
		if name == lastField(c) {
			if found != nil {
				return nil // ambiguous: the server refuses it
			}
			found = rt.Val
		}
	}
	return found
}

// bareFromless: a single query without FROM, WITH, GROUP BY, HAVING,
// LIMIT or OFFSET, which yields its target list (or VALUES) once, or not at
// all if its WHERE is false.
func bareFromless(sel *pg_query.SelectStmt) bool {
	return sel != nil && len(sel.FromClause) == 0 && plainOnce(sel)
}

// plainOnce: a single query without WITH, GROUP BY, HAVING, LIMIT or
// OFFSET, which yields its target list once for each row of its FROM.
func plainOnce(sel *pg_query.SelectStmt) bool {
	return sel.Op == pg_query.SetOperation_SETOP_NONE && sel.HavingClause == nil && len(sel.GroupClause) == 0 &&
		sel.LimitCount == nil && sel.LimitOffset == nil && sel.WithClause == nil
}

// scan describes a query (or FROM item) that returns every row of the
// target table.
type scan struct {
	star bool // SELECT *: every column under its own name, but for ren
	// ren, with star, holds the names an alias's column list gave
	// (t AS x(i)): which column each names is not known ("?").
	ren map[string]string
	out []scanCol // without star, its output columns, in order
	// correlated: its WHERE ties its row to the outer target row by
	// equality of the same column (y.id = t.id).
	correlated bool
	// table: the table's own rows, whose whole row has the table's type,
	// its fields the table's column names whatever an alias's list
	// renames (SELECT s FROM t AS s(i) returns rows with a field id).
	table  bool
	byName map[string]int // out's index by name, built on first use
}

type scanCol struct {
	name string // output name; "" when unknown
	src  string // the target column returned unchanged ("?": one not known); "" for anything else
	// row, when the output is a whole row of the target (SELECT t FROM
	// t), describes its fields as a scan's columns: (x.t).id is the
	// target's column id.
	row *scan
	// value is the output's expression when it is a constant (1 AS one),
	// the same in every row.
	value *pg_query.Node
}

// unknownColumn stands for a column of the target that an alias's column
// list renamed by position: which one is not known, so it may be any.
const unknownColumn = "?"

// renamed applies an alias's column list to a scan's output. A star scan
// renames its first columns, which ones is not known.
func (s *scan) renamed(names []*pg_query.Node) *scan {
	if len(names) == 0 {
		return s
	}
	r := &scan{star: s.star, correlated: s.correlated, table: s.table}
	if s.star {
		r.ren = map[string]string{}
		for k, v := range s.ren {
			r.ren[k] = v
		}
		for _, n := range names {
			r.ren[n.GetString_().GetSval()] = unknownColumn
		}
		return r
	}
	r.out = append([]scanCol(nil), s.out...)
	for i := range r.out {
		if i < len(names) {
			r.out[i].name = names[i].GetString_().GetSval()
		}
	}
	return r
}

// colMap maps the scan's output names to the target's columns: nil keeps
// every name, a "*" entry keeps the names it does not list.
func (s *scan) colMap() map[string]string {
	if s.star && s.ren == nil {
		return nil
	}
	cols := map[string]string{}
	if s.star {
		for k, v := range s.ren {
			cols[k] = v
		}
		cols["*"] = "*"
		return cols
	}
	for _, c := range s.out {
		if c.name != "" && c.src != "" {
			cols[c.name] = c.src
		}
	}
	return cols
}

// colOf returns the target column a source's column name stands for under
// cols (see colMap), or "".
func colOf(cols map[string]string, name string) string {
	if cols == nil {
		return name
	}
	if v, ok := cols[name]; ok {
		return v
	}
	if cols["*"] == "*" {
		return name
	}
	return ""
}

// wholeRow returns the fields of the whole row of a source whose columns s
// describes: the table's own for the table, else its columns.
func (s *scan) wholeRow() *scan {
	if s.table {
		return &scan{star: true}
	}
	return s
}

// field returns the column of a scan's output named name (the last of that
// name, as colMap keeps), the target's column or a whole row, and whether
// the output may have it: a star scan has any name, as the table's
// columns are not known (none of them holds a row of the table).
func (s *scan) field(name string) (scanCol, bool) {
	if s.star {
		if src, ok := s.ren[name]; ok {
			return scanCol{name: name, src: src}, true
		}
		return scanCol{name: name, src: name}, true
	}
	if name == "" {
		return scanCol{}, false
	}
	if s.byName == nil {
		s.byName = make(map[string]int, len(s.out))
		for i, c := range s.out {
			s.byName[c.name] = i
		}
	}
	i, ok := s.byName[name]
	if !ok {
		return scanCol{}, false
	}
	return s.out[i], true
}

// srcMatches reports whether a scan's output column src is the target's
// column name.
func srcMatches(src, name string) bool {
	return src != "" && name != "" && (src == name || src == unknownColumn)
}

// selfScan recognises a query that returns every row of the target table:
// SELECT ... FROM a source that reads the whole target (see selfSource) with
// no WHERE, or one whose every conjunct is always true, row-independent (all
// rows or none) or ties the query's row to the outer target row by the same
// column; no HAVING, and no LIMIT or OFFSET besides LIMIT ALL (or NULL) and
// OFFSET 0, which limit nothing. A UNION returns every row one of its arms
// returns, an INTERSECT every row both of its arms return.
func (p *predicate) selfScan(sel *pg_query.SelectStmt) *scan {
	if sel == nil || p.rel == nil {
		return nil
	}
	switch sel.Op {
	case pg_query.SetOperation_SETOP_NONE:
	case pg_query.SetOperation_SETOP_UNION, pg_query.SetOperation_SETOP_INTERSECT:
		if !p.noLimit(sel) {
			return nil
		}
		l := p.selfScan(sel.Larg)
		if sel.Op == pg_query.SetOperation_SETOP_INTERSECT {
			if l == nil || p.selfScan(sel.Rarg) == nil {
				return nil
			}
			return l
		}
		if l != nil {
			return l
		}
		if r := p.selfScan(sel.Rarg); r != nil && !r.star {
			// The output takes its names from the left arm.
			out := make([]scanCol, len(r.out))
			for i, c := range r.out {
				out[i] = scanCol{src: c.src, row: c.row}
			}
			return &scan{out: out, correlated: r.correlated}
		}
		return nil
	case pg_query.SetOperation_SETOP_EXCEPT:
		// SELECT id FROM t EXCEPT SELECT -1 takes out only values
		// written in the query: the whole table, but for rows that
		// have them. A query of no row takes out nothing.
		if !p.noLimit(sel) || !constantRows(sel.Rarg) && !p.emptyQuery(sel.Rarg, 0) {
			return nil
		}
		return p.selfScan(sel.Larg)
	default:
		return nil
	}
	// GROUP BY and DISTINCT keep every value of the columns returned;
	// HAVING and LIMIT do not.
	if !p.noLimit(sel) || (sel.HavingClause != nil && !isTrueConst(sel.HavingClause)) || len(sel.ValuesLists) > 0 {
		return nil
	}
	if sel.HavingClause != nil {
		p.w.literalSensitive = true // reads whether HAVING is true
	}
	if sel.WithClause != nil {
		// IN (WITH s AS (SELECT id FROM t) SELECT id FROM s)
		defer p.w.withCTEs(sel.WithClause)()
	}
	if u := p.unnestedScan(sel); u != nil {
		return u
	}
	src, ok := p.selfSource(sel.FromClause)
	if !ok {
		return nil
	}
	inner, cols, extra := src.inner, src.shape.colMap(), src.extra
	s := &scan{}
	// Inside, the scanned source is the target and every other copy of
	// it a joined-in self (see predicate.selves): x.id = y.id holds.
	ip := &predicate{w: p.w, rel: p.rel, targets: map[string]bool{inner: true},
		selves: src.others, keys: map[*pg_query.Node]string{}, visiting: p.visiting}
	var own *predicate // the outer row and the scanned copy read as one
	conds := src.conds
	if sel.WhereClause != nil {
		conds = flatten(pg_query.BoolExprType_AND_EXPR, []*pg_query.Node{sel.WhereClause}, conds)
	}
	for _, c := range conds {
		c = p.withConstants(c, inner, src.shape, extra)
		if p.correlates(c, src, cols) {
			s.correlated = true
			continue
		}
		// Any other reference to the outer row filters by it, unless
		// the row's own copy meets it: read with the outer row and
		// the copy as one, it holds (x.id = t.id AND EXISTS (SELECT 1
		// FROM t y WHERE y.id = t.id)). With other sources joined in,
		// a condition on their rows filters too.
		outer := &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{FromClause: sel.FromClause, WhereClause: c}}}
		if p.mentionsTarget(outer) {
			if own == nil {
				// With other sources joined in, an unqualified column
				// may be theirs (strictUnqualified).
				own = &predicate{w: p.w, rel: p.rel, targets: map[string]bool{inner: true}, strictUnqualified: extra,
					selves: src.others, keys: map[*pg_query.Node]string{}, visiting: p.visiting}
				for name := range p.targets {
					own.targets[name] = true
				}
			}
			if own.eval(c).scope != alwaysTrue {
				return nil
			}
			s.correlated = true
			continue
		}
		if sc := ip.eval(c).scope; sc != alwaysTrue && (sc != rowIndependent || extra) {
			return nil
		}
	}
	for _, t := range sel.TargetList {
		rt := t.GetResTarget()
		if rt == nil {
			return nil
		}
		// x + 0 and lossless casts of a column are the column.
		v := ip.simplify(rt.Val)
		if ind := v.GetAIndirection(); ind != nil {
			if f, all, ok := p.rowField(ind, src); ok {
				// A field of a whole row of the source: (s).id,
				// (x.t).id; (x.t).* returns the row's columns.
				if all {
					if len(sel.TargetList) != 1 {
						return nil
					}
					s.star, s.ren = f.row.star, f.row.ren
					s.out = append([]scanCol(nil), f.row.out...)
					return s
				}
				if rt.Name != "" {
					f.name = rt.Name
				}
				s.out = append(s.out, f)
				continue
			}
		}
		col := ownColumn(v, sel, inner)
		if f := v.GetFuncCall(); f != nil && f.Over != nil {
			// A window function's offsets (lag(id, 0), lag(id, $1))
			// are read from its literals.
			p.w.literalSensitive = true
		}
		q := ""
		if col != nil {
			q = qualifier(col)
		}
		_, other := src.others[q]
		own := col != nil && (len(col.Fields) == 1 || (len(col.Fields) == 2 && (q == inner || other)))
		if own && col.Fields[len(col.Fields)-1].GetAStar() != nil && rt.Val.GetColumnRef() != nil {
			// SELECT * returns the source's columns as they are (cast,
			// as t.*::t, it is one column, the whole row).
			if len(sel.TargetList) != 1 || extra || len(col.Fields) != 1 && q != inner {
				return nil
			}
			s.star, s.ren = src.shape.star, src.shape.ren
			s.out = append([]scanCol(nil), src.shape.out...)
			return s
		}
		var from string
		if own {
			from = lastField(col)
			if other {
				from = colOf(src.others[q], from)
			} else {
				from = colOf(cols, from)
			}
		}
		name := rt.Name
		if c := rt.Val.GetColumnRef(); name == "" && c != nil {
			name = lastField(c)
		} else if name == "" && col != nil && rt.Val.GetTypeCast() != nil {
			name = lastField(col) // a cast keeps the column's name
			if name == "" {
				name = qualifier(col) // t.*::t is named t
			}
		}
		out := scanCol{name: name, src: from, row: p.sourceRow(rt.Val, src)}
		if k, _ := unwrapConstant(rt.Val); k.GetAConst() != nil {
			out.value = rt.Val
		}
		s.out = append(s.out, out)
	}
	return s
}

// rowField follows a field selection (r).f, ((r).f).g from a whole row r of
// a query's source (see sourceRow). It returns the field as an output
// column: the target column it holds (src) or, itself a whole row, that
// row's fields (row); for (r).* (all), the row whose columns it returns.
func (p *predicate) rowField(ind *pg_query.A_Indirection, src source) (col scanCol, all, ok bool) {
	row := p.fieldRow(ind.Arg, src)
	for i, f := range ind.Indirection {
		switch {
		case row == nil:
			return scanCol{}, false, false
		case f.GetAStar() != nil && i == len(ind.Indirection)-1:
			return scanCol{row: row}, true, true
		case f.GetString_() == nil:
			return scanCol{}, false, false
		}
		name := f.GetString_().GetSval()
		col, _ = row.field(name)
		col.name, row = name, col.row
	}
	return col, false, len(ind.Indirection) > 0
}

// sourceRow returns the fields of the whole row an expression of a query
// over src stands for, or nil: the source's row variable (s or s.*), a
// column of the source that holds a whole row of the target (x.t, or t, for
// FROM (SELECT t FROM t) x), a field that is one ((y.x).t), or any of those
// cast to the target's own type (t.*::t, ROW(t.*)::t). The depth followed
// is the expression's own.
func (p *predicate) sourceRow(v *pg_query.Node, src source) *scan {
	switch {
	case v.GetTypeCast() != nil:
		tc := v.GetTypeCast()
		arg := tc.Arg
		if row := arg.GetRowExpr(); row != nil && len(row.Args) == 1 && row.Args[0].GetColumnRef() != nil {
			arg = row.Args[0] // ROW(t.*) holds the row's columns in order
			if c := arg.GetColumnRef(); c.Fields[len(c.Fields)-1].GetAStar() == nil {
				return nil
			}
		}
		r := p.sourceRow(arg, src)
		if r == nil || !r.star || !p.ownType(tc.TypeName) {
			return nil
		}
		// A cast by position to the table's type: its columns, under
		// their own names.
		return &scan{star: true}
	case v.GetAIndirection() != nil:
		f, all, ok := p.rowField(v.GetAIndirection(), src)
		if !ok || all {
			return nil
		}
		return f.row
	case v.GetColumnRef() != nil:
		c := v.GetColumnRef()
		star := c.Fields[len(c.Fields)-1].GetAStar() != nil
		switch {
		case len(c.Fields) == 1 && !star:
			// A column of the name hides the row variable.
			if f, ok := src.shape.field(lastField(c)); ok && !src.shape.star {
				return f.row
			}
			if lastField(c) == src.inner {
				return src.shape.wholeRow()
			}
		case len(c.Fields) == 2 && qualifier(c) == src.inner:
			if star {
				return src.shape.wholeRow()
			}
			f, _ := src.shape.field(lastField(c))
			return f.row
		}
	}
	return nil
}

// ownType reports whether a type name may name the target table's row
// type, which a table's name names.
func (p *predicate) ownType(t *pg_query.TypeName) bool {
	if t == nil || len(t.Names) == 0 || len(t.Names) > 2 || t.ArrayBounds != nil || len(t.Typmods) > 0 || t.Setof || t.PctType {
		return false
	}
	rv := &pg_query.RangeVar{Relname: lastName(t.Names)}
	if len(t.Names) == 2 {
		rv.Schemaname = t.Names[0].GetString_().GetSval()
	}
	return sameRelation(rv, p.rel)
}

// withConstants returns condition c with the scanned source's constant
// columns (a derived table's 1 AS one) written as their values, so that
// WHERE one = 1 is read as the 1 = 1 it is. Columns of subqueries inside c
// are left alone: they may be other columns of the same name.
func (p *predicate) withConstants(c *pg_query.Node, inner string, shape *scan, extra bool) *pg_query.Node {
	consts := map[string]*pg_query.Node{}
	for _, o := range shape.out {
		if o.value != nil && o.name != "" {
			consts[o.name] = o.value
		}
	}
	if len(consts) == 0 {
		return c
	}
	value := func(n *pg_query.Node) *pg_query.Node {
		ref := n.GetColumnRef()
		if ref == nil || !(len(ref.Fields) == 1 && !extra || len(ref.Fields) == 2 && qualifier(ref) == inner) {
			return nil
		}
		return consts[lastField(ref)]
	}
	out, replaced := replaceNodes(c, value)
	if replaced {
		p.w.literalSensitive = true // reads the constants' values
	}
	return out
}

// replaceNodes returns a copy of n in which each node that repl returns a
// replacement for is replaced by a copy of it, not looking inside queries,
// and whether any was.
func replaceNodes(n *pg_query.Node, repl func(*pg_query.Node) *pg_query.Node) (*pg_query.Node, bool) {
	if !anyNode(n.ProtoReflect(), func(m any) bool {
		node, ok := m.(*pg_query.Node)
		return ok && repl(node) != nil
	}) {
		return n, false
	}
	c := proto.Clone(n).(*pg_query.Node)
	replaced := false
	var visit func(m protoreflect.Message)
	visit = func(m protoreflect.Message) {
		switch x := m.Interface().(type) {
		case *pg_query.SelectStmt:
			return
		case *pg_query.Node:
			if r := repl(x); r != nil {
				x.Node = proto.Clone(r).(*pg_query.Node).Node
				replaced = true
				return
			}
		}
		eachChild(m, visit)
	}
	visit(c.ProtoReflect())
	return c, replaced
}

// unnestedScan recognises SELECT unnest(ARRAY(q)) for a query q that
// returns one column of every row: it returns the same values.
func (p *predicate) unnestedScan(sel *pg_query.SelectStmt) *scan {
	if !bareFromless(sel) || sel.WhereClause != nil || len(sel.ValuesLists) > 0 || len(sel.TargetList) != 1 {
		return nil
	}
	rt := sel.TargetList[0].GetResTarget()
	f := rt.GetVal().GetFuncCall()
	if f == nil || lastName(f.Funcname) != "unnest" || len(f.Funcname) > 2 || len(f.Args) != 1 || f.AggFilter != nil || f.Over != nil {
		return nil
	}
	sl := f.Args[0].GetSubLink()
	if sl == nil || sl.SubLinkType != pg_query.SubLinkType_ARRAY_SUBLINK {
		return nil
	}
	in := p.selfScan(sl.Subselect.GetSelectStmt())
	if in == nil || in.star || len(in.out) != 1 {
		return nil
	}
	name := rt.Name
	if name == "" {
		name = "unnest"
	}
	return &scan{out: []scanCol{{name: name, src: in.out[0].src}}, correlated: in.correlated}
}

// arrayQuery returns, for an array made of a query's rows, a query that
// returns them as rows: q for ARRAY(q), and SELECT x FROM ... for
// (SELECT array_agg(x) FROM ...), however cast. Otherwise nil.
func (p *predicate) arrayQuery(n *pg_query.Node) *pg_query.Node {
	for n.GetTypeCast() != nil {
		n = n.GetTypeCast().Arg
	}
	if sl := n.GetSubLink(); sl != nil && sl.SubLinkType == pg_query.SubLinkType_ARRAY_SUBLINK {
		return sl.Subselect
	}
	return p.aggregatedRows(n, "array_agg")
}

// aggregatedRows returns, for a scalar subquery that aggregates one
// expression over all its rows, (SELECT agg(x) FROM ...) with agg the
// aggregate named, the query of the rows it aggregates: SELECT x FROM ....
// A LIMIT of at least 1 and an OFFSET of 0 keep the aggregate's one row,
// and an ORDER BY does not change it: the rows are read without them.
// Otherwise nil.
func (p *predicate) aggregatedRows(n *pg_query.Node, agg string) *pg_query.Node {
	sl := n.GetSubLink()
	if sl == nil || sl.SubLinkType != pg_query.SubLinkType_EXPR_SUBLINK {
		return nil
	}
	sel := sl.Subselect.GetSelectStmt()
	if sel == nil || sel.Op != pg_query.SetOperation_SETOP_NONE || len(sel.TargetList) != 1 ||
		len(sel.GroupClause) > 0 || sel.HavingClause != nil || len(sel.WindowClause) > 0 {
		return nil
	}
	rt := sel.TargetList[0].GetResTarget()
	f := rt.GetVal().GetFuncCall()
	if f == nil || lastName(f.Funcname) != agg || len(f.Funcname) > 2 || len(f.Args) != 1 ||
		f.AggFilter != nil || f.Over != nil || f.AggWithinGroup || f.AggStar || f.FuncVariadic {
		return nil
	}
	if sel.LimitCount != nil || sel.LimitOffset != nil {
		p.w.literalSensitive = true // reads the limit
		if n, ok := intConstant(sel.LimitCount); sel.LimitCount != nil && !isNullValue(sel.LimitCount) && (!ok || n < 1) {
			return nil
		}
		if n, ok := intConstant(sel.LimitOffset); sel.LimitOffset != nil && !isNullValue(sel.LimitOffset) && (!ok || n != 0) {
			return nil
		}
	}
	// The aggregate's one row is made of every row's x: the rows themselves.
	rows := shallowCopy(sel)
	rows.TargetList = []*pg_query.Node{{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Val: f.Args[0]}}}}
	rows.LimitCount, rows.LimitOffset, rows.SortClause = nil, nil, nil
	return &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: rows}}
}

// extremeComparison decides x >= (SELECT min(x) FROM t) and x <= (SELECT
// max(x) FROM t), either way round: the table's least (greatest) x is no
// larger (smaller) than any row's, so the comparison holds for every row
// where x is not NULL, as x >= ANY (SELECT x FROM t) does (see
// wholeTableSubquery, which decides which queries return every row's x);
// x < (SELECT min(x) FROM t) and x > (SELECT max(x) FROM t) hold for none,
// so their negations hold for every row. Either side may be moved by
// numbers, outside the subquery or inside it (x < (SELECT max(x) FROM t)
// + 1, x <= (SELECT max(x) + 1 FROM t), x - 1 <= ...): x < max + 1 holds
// for every row too, x >= max + 1 for none. ok is false for anything else.
func (p *predicate) extremeComparison(op string, l, r *pg_query.Node) (holds, ok bool) {
	if !p.mentionsTarget(l) {
		l, r, op = r, l, flippedOp[op]
	}
	if !p.mentionsTarget(l) {
		return false, false
	}
	x, extreme, d, ok := p.movedExtreme(l, r)
	if !ok {
		return false, false
	}
	for _, c := range []struct{ agg, always string }{{"max", "<="}, {"min", ">="}} {
		rows := p.aggregatedRows(extreme, c.agg)
		if rows == nil || !p.wholeTableSubquery(&pg_query.SubLink{SubLinkType: pg_query.SubLinkType_ANY_SUBLINK,
			OperName: []*pg_query.Node{pg_query.MakeStrNode(c.always)}, Testexpr: x, Subselect: rows}) {
			continue
		}
		// x is at most the greatest: x op max + d. The least is the
		// greatest of -x, so x op min + d is -x flipped-op max(-x) - d.
		sign, cmp := d.Sign(), op
		if c.agg == "min" {
			sign, cmp = -sign, flippedOp[op]
		}
		switch {
		case cmp == "<=" && sign >= 0, cmp == "<" && sign > 0:
			return true, true
		case cmp == ">" && sign >= 0, cmp == ">=" && sign > 0:
			return false, true
		}
		return false, false
	}
	return false, false
}

// movedExtreme reads a comparison of x + a with e + b, where e may hold a
// scalar subquery whose value is moved by c inside it ((SELECT max(x) + c
// FROM t)), as x compared with e + d: it returns x, e with the subquery's
// own offset taken off, and d = b + c - a. Offsets are summed exactly; ok
// is false when one is not a number (a parameter, a value not computed
// here).
func (p *predicate) movedExtreme(l, r *pg_query.Node) (x, extreme *pg_query.Node, d *big.Rat, ok bool) {
	ls, rs := p.offset(l), p.offset(r)
	sl := rs.base.GetSubLink()
	if sl == nil || sl.SubLinkType != pg_query.SubLinkType_EXPR_SUBLINK {
		// No scalar subquery: nothing to read, and no literal read
		// (summing the offsets would make the verdict depend on them).
		return nil, nil, nil, false
	}
	lo, lfree, _, lok := p.sum(ls)
	ro, rfree, _, rok := p.sum(rs)
	if !lok || !rok || lfree || rfree {
		return nil, nil, nil, false
	}
	d = new(big.Rat).Sub(ro, lo)
	extreme = rs.base
	if sel := sl.Subselect.GetSelectStmt(); sel != nil && len(sel.TargetList) == 1 && sel.TargetList[0].GetResTarget().GetVal() != nil {
		in := p.offset(sel.TargetList[0].GetResTarget().GetVal())
		if len(in.terms) > 0 {
			io, ifree, _, iok := p.sum(in)
			if !iok || ifree {
				return nil, nil, nil, false
			}
			d.Add(d, io)
			// The same query selecting the value itself; its other
			// parts are shared, not copied.
			bare := shallowCopy(sel)
			bare.TargetList = []*pg_query.Node{{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Val: in.base}}}}
			extreme = &pg_query.Node{Node: &pg_query.Node_SubLink{SubLink: &pg_query.SubLink{SubLinkType: sl.SubLinkType,
				Subselect: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: bare}}}}}
		}
	}
	return ls.base, extreme, d, true
}

// scalarReadsEveryRow recognises x op (scalar subquery) where x op ANY of
// the same subquery holds for every row (see wholeTableSubquery): x =
// (SELECT x FROM t y WHERE y.x = t.x) reads the row's own x back. The
// scalar form is the ANY form while the subquery returns at most one row,
// and an error when it returns more, so it reaches every row or fails.
func (p *predicate) scalarReadsEveryRow(op string, l, r *pg_query.Node) bool {
	sl := r.GetSubLink()
	if sl == nil {
		l, r, op = r, l, flippedOp[op]
		sl = r.GetSubLink()
	}
	if sl == nil || sl.SubLinkType != pg_query.SubLinkType_EXPR_SUBLINK || !p.mentionsTarget(l) {
		return false
	}
	if sel := sl.Subselect.GetSelectStmt(); sel == nil || len(sel.TargetList) != 1 || containsCall(sel.TargetList[0].ProtoReflect()) {
		// One value read back is a column; an aggregate's is
		// extremeComparison's to read.
		return false
	}
	return p.wholeTableSubquery(&pg_query.SubLink{SubLinkType: pg_query.SubLinkType_ANY_SUBLINK,
		OperName: []*pg_query.Node{pg_query.MakeStrNode(op)}, Testexpr: l, Subselect: sl.Subselect})
}

// shallowCopy returns a new message whose fields hold m's values: the
// children are m's own, shared. Assigning a field of the copy leaves m as
// it is; changing a shared child changes both.
func shallowCopy[M proto.Message](m M) M {
	src := m.ProtoReflect()
	dst := src.New()
	src.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		dst.Set(fd, v)
		return true
	})
	return dst.Interface().(M)
}

// negatedSubLink decides NOT (x op ALL (subquery)) as x negop ANY
// (subquery), and NOT (x op ANY (...)) as x negop ALL (...): NOT (x < ALL
// (SELECT x FROM t)) is x >= ANY (SELECT x FROM t), every row where x is
// not NULL. The two agree in three-valued logic too. ok is false unless
// that decides it.
func (p *predicate) negatedSubLink(n *pg_query.Node) (result, bool) {
	s := n.GetSubLink()
	if s == nil || len(s.OperName) != 1 || s.Testexpr == nil {
		return result{}, false
	}
	dual := pg_query.SubLinkType_ALL_SUBLINK
	switch s.SubLinkType {
	case pg_query.SubLinkType_ALL_SUBLINK:
		dual = pg_query.SubLinkType_ANY_SUBLINK
	case pg_query.SubLinkType_ANY_SUBLINK:
	default:
		return result{}, false
	}
	op, ok := negatedOp[lastName(s.OperName)]
	if !ok {
		return result{}, false
	}
	r := p.eval(&pg_query.Node{Node: &pg_query.Node_SubLink{SubLink: &pg_query.SubLink{SubLinkType: dual,
		OperName: []*pg_query.Node{pg_query.MakeStrNode(op)}, Testexpr: s.Testexpr, Subselect: s.Subselect}}})
	return r, r.scope != rowDependent
}

// extremeSubLink decides x op ANY and x op ALL of the table's own min or
// max of x (see extremeComparison): the aggregate's query returns one row,
// so either is the comparison with it, x <= ALL (SELECT max(x) FROM t).
func (p *predicate) extremeSubLink(s *pg_query.SubLink) (holds, ok bool) {
	if (s.SubLinkType != pg_query.SubLinkType_ANY_SUBLINK && s.SubLinkType != pg_query.SubLinkType_ALL_SUBLINK) ||
		len(s.OperName) != 1 || s.Testexpr == nil || s.Testexpr.GetRowExpr() != nil {
		return false, false
	}
	scalar := &pg_query.Node{Node: &pg_query.Node_SubLink{SubLink: &pg_query.SubLink{
		SubLinkType: pg_query.SubLinkType_EXPR_SUBLINK, Subselect: s.Subselect}}}
	return p.extremeComparison(lastName(s.OperName), s.Testexpr, scalar)
}

// ownColumn returns the column of the scanned table an output expression
// of sel returns unchanged: the column itself, an aggregate of a column
// the query groups by that returns the group's one value of it (SELECT
// max(id) FROM t GROUP BY id returns every id; so do bit_or, avg, and sum
// where the column is unique, and each over GROUP BY ctid), a window function that
// returns each row's own value of it (see windowColumn; inner names the
// scanned source), or unnest(array_agg(x)). Otherwise it returns the
// expression's column reference, if it is one, or nil. A field of a row,
// (s).id, is predicate.rowField's.
func ownColumn(v *pg_query.Node, sel *pg_query.SelectStmt, inner string) *pg_query.ColumnRef {
	if v.GetAIndirection() != nil {
		return nil
	}
	f := v.GetFuncCall()
	if f == nil {
		return v.GetColumnRef()
	}
	if a := unnestedAggregate(f); a != nil {
		return a
	}
	if f.Over != nil {
		return windowColumn(f, sel.WindowClause, inner)
	}
	name := lastName(f.Funcname)
	if len(f.Funcname) > 2 || len(f.Args) != 1 || f.AggFilter != nil {
		return nil
	}
	c := f.Args[0].GetColumnRef()
	if c == nil || c.Fields[len(c.Fields)-1].GetAStar() != nil {
		return nil
	}
	switch {
	case sameValueAggregates[name] && groupedBy(sel.GroupClause, c, true, inner):
		return c
	case name == "sum" && groupedBy(sel.GroupClause, c, true, inner):
		// Of one value, that value: a group per row (ctid), or a group
		// by the column, one row each where it is unique.
		return c
	}
	return nil
}

// sameValueAggregates are the aggregates that return x itself over rows
// that all hold the same non-null x (their NULLs skipped).
var sameValueAggregates = map[string]bool{
	"min": true, "max": true, "avg": true, "bit_and": true, "bit_or": true,
	"bool_and": true, "bool_or": true, "every": true, "any_value": true,
}

// A window's frame options (PostgreSQL's FRAMEOPTION_ bits) that
// windowColumn reads.
const (
	frameNonDefault       = 0x00001 // a frame clause is written
	frameRows             = 0x00004 // ROWS
	frameStartUnbounded   = 0x00020 // starts UNBOUNDED PRECEDING
	frameEndUnbounded     = 0x00100 // ends UNBOUNDED FOLLOWING
	frameStartCurrent     = 0x00200 // starts at CURRENT ROW
	frameEndCurrent       = 0x00400 // ends at CURRENT ROW
	frameStartPreceding   = 0x00800 // starts n PRECEDING
	frameEndPreceding     = 0x01000 // ends n PRECEDING
	frameStartFollowing   = 0x02000 // starts n FOLLOWING
	frameEndFollowing     = 0x04000 // ends n FOLLOWING
	frameExcludeCurrent   = 0x08000 // EXCLUDE CURRENT ROW
	frameExcludeGroup     = 0x10000 // EXCLUDE GROUP
	frameStartsAtOrBefore = frameStartUnbounded | frameStartCurrent | frameStartPreceding
	frameEndsAtOrAfter    = frameEndUnbounded | frameEndCurrent | frameEndFollowing
)

// windowColumn returns the column of the scanned table a window function
// call returns unchanged for every row, or nil: lag or lead of it by the
// offset 0, which is the current row whatever the window (the default
// value is never used); first_value, last_value, nth_value(x, 1), or an
// aggregate that returns x over rows that all hold x (min, max, avg,
// bit_or, ..., see sameValueAggregates), of it over a frame that holds the
// current row and only rows with the same value of it. That is a frame
// within a partition by the column (PARTITION BY x, or a list naming x, or
// ctid, a partition per row); else a frame of the current row alone (ROWS
// BETWEEN CURRENT ROW AND CURRENT ROW, or 0 PRECEDING for either bound),
// or of its peers when the window is ordered by the column, which peers
// share (RANGE or GROUPS); first_value and nth_value need only the frame
// to start there, last_value to end there (last_value(x) OVER (ORDER BY x)
// is each row's own x). max over a frame that ends there when the window
// is ordered first by x ascending, or starts there when descending, holds
// no larger x than the row's own, and min the other way round: max(x) OVER
// (ORDER BY x) is each row's x where x is not NULL (aggregates skip NULLs,
// so where the NULLs sort does not matter to the other rows). sum of x
// over the same frames is x wherever the frame holds one row: a partition
// per row, the row alone, and wherever x is unique, as a key is. An offset
// is any integer constant (see intConstant: lag(x, '0'), lag(x, 1 - 1)). A
// window named in the SELECT's WINDOW clause (windows) is resolved (see
// resolveWindow). A column the partition or order names qualified by the
// scanned source (inner) is the argument's column named unqualified, and
// the other way round. A FILTER, an offset other than 0 (lag(x), lag(x,
// $1)), nth_value(x, 2), or an exclusion of the current row is not
// followed.
func windowColumn(f *pg_query.FuncCall, windows []*pg_query.Node, inner string) *pg_query.ColumnRef {
	if f.Over == nil || len(f.Funcname) > 2 || len(f.Args) == 0 || f.AggFilter != nil || f.AggStar ||
		f.AggDistinct || len(f.AggOrder) > 0 || f.AggWithinGroup || f.FuncVariadic {
		return nil
	}
	c := f.Args[0].GetColumnRef()
	if c == nil || c.Fields[len(c.Fields)-1].GetAStar() != nil {
		return nil
	}
	name := lastName(f.Funcname)
	switch {
	case name == "lag" || name == "lead":
		if (len(f.Args) == 2 || len(f.Args) == 3) && offsetLiteral(f.Args[1], 0) {
			return c
		}
		return nil
	case name == "nth_value" && len(f.Args) == 2 && offsetLiteral(f.Args[1], 1):
		name = "first_value" // the frame's first row
	case len(f.Args) != 1:
		return nil
	case sameValueAggregates[name], name == "first_value", name == "last_value", name == "sum":
	default:
		return nil
	}
	w := resolveWindow(f.Over, windows)
	if w == nil {
		return nil
	}
	opts := frameOptions(w)
	if opts&(frameExcludeCurrent|frameExcludeGroup) != 0 || opts&frameStartsAtOrBefore == 0 || opts&frameEndsAtOrAfter == 0 {
		return nil // the frame may lack the current row, or be empty
	}
	start, end := opts&frameStartCurrent != 0, opts&frameEndCurrent != 0
	if groupedBy(w.PartitionClause, c, true, inner) {
		// Every row of the frame has the current row's value (a sum:
		// one row of it, in a partition per row or where the column is
		// unique).
		return c
	}
	if name == "min" || name == "max" {
		// Ordered first by x, the rows before the current one have x
		// no larger (ascending) or no smaller (descending) than its own;
		// its peers have its x.
		if asc, ok := firstSortKey(w.OrderClause, c, inner); ok {
			if before := asc == (name == "max"); before && end || !before && start {
				return c
			}
		}
	}
	// Otherwise the frame must start (or end) at the current row: in
	// ROWS mode the row itself, in RANGE or GROUPS mode its first (or
	// last) peer, which shares the column when the window is ordered by
	// it. EXCLUDE TIES keeps the current row.
	if opts&frameRows == 0 && !sortedBy(w.OrderClause, c, inner) {
		return nil
	}
	switch name {
	case "first_value":
		if start {
			return c
		}
	case "last_value":
		if end {
			return c
		}
	default: // min, max and the like, and sum (see above): every row of the frame
		if start && end {
			return c
		}
	}
	return nil
}

// resolveWindow returns the window a call runs over, with a window named
// in the SELECT's WINDOW clause (windows) resolved as the server resolves
// it: OVER w is w's definition as written, frame included; OVER (w ...)
// and a definition in the clause that names w take w's PARTITION BY, its
// ORDER BY unless they add their own, and their own frame. It returns nil
// when a name is not found, a reference is one the server refuses (a
// PARTITION BY of its own, an ORDER BY on top of w's, copying a window
// with a frame clause), or the chain of references is longer than the
// clause, as a cycle would be.
func resolveWindow(over *pg_query.WindowDef, windows []*pg_query.Node) *pg_query.WindowDef {
	w := over
	if w.Name != "" { // OVER w
		if w = namedWindow(w.Name, windows); w == nil {
			return nil
		}
	}
	for steps := 0; w.Refname != ""; steps++ {
		base := namedWindow(w.Refname, windows)
		if base == nil || steps >= len(windows) || base.FrameOptions&frameNonDefault != 0 ||
			len(w.PartitionClause) > 0 || len(w.OrderClause) > 0 && len(base.OrderClause) > 0 {
			return nil
		}
		merged := &pg_query.WindowDef{Refname: base.Refname, PartitionClause: base.PartitionClause,
			OrderClause: w.OrderClause, FrameOptions: w.FrameOptions, StartOffset: w.StartOffset, EndOffset: w.EndOffset}
		if len(merged.OrderClause) == 0 {
			merged.OrderClause = base.OrderClause
		}
		w = merged
	}
	return w
}

// namedWindow returns the definition of window name in a WINDOW clause, or
// nil.
func namedWindow(name string, windows []*pg_query.Node) *pg_query.WindowDef {
	for _, n := range windows {
		if d := n.GetWindowDef(); d != nil && d.Name == name {
			return d
		}
	}
	return nil
}

// firstSortKey reports whether an ORDER BY list's first key is column c
// (see sameColumn), and whether it sorts ascending. ok is false for
// anything else, a USING operator included.
func firstSortKey(list []*pg_query.Node, c *pg_query.ColumnRef, inner string) (asc, ok bool) {
	if len(list) == 0 {
		return false, false
	}
	sb := list[0].GetSortBy()
	if sb == nil || len(sb.UseOp) > 0 {
		return false, false
	}
	gc := sb.Node.GetColumnRef()
	if gc == nil || !sameColumn(gc, c, inner) {
		return false, false
	}
	switch sb.SortbyDir {
	case pg_query.SortByDir_SORTBY_DEFAULT, pg_query.SortByDir_SORTBY_ASC:
		return true, true
	case pg_query.SortByDir_SORTBY_DESC:
		return false, true
	}
	return false, false
}

// sortedBy reports whether an ORDER BY list names column c as one of its
// keys, so that rows sorted as peers have the same value of c.
func sortedBy(list []*pg_query.Node, c *pg_query.ColumnRef, inner string) bool {
	for _, s := range list {
		if sb := s.GetSortBy(); sb != nil && groupedBy([]*pg_query.Node{sb.Node}, c, false, inner) {
			return true
		}
	}
	return false
}

// offsetLiteral reports whether n is an integer constant the server reads
// as v where an integer is wanted (see intConstant).
func offsetLiteral(n *pg_query.Node, v int32) bool {
	x, ok := intConstant(n)
	return ok && x == int64(v)
}

// intConstant folds n to the integer the server computes for it where an
// integer is wanted: an integer literal; a string literal the server reads
// as an integer, with surrounding spaces, a sign, a 0x, 0o or 0b prefix and
// underscores between digits allowed ('0', ' -0 ', '0x0'); a numeric
// literal cast to an integer type, rounded half away from zero as the
// server rounds it (0.4::int is 0); a cast of any of them to an integer
// type, a FROM-less SELECT of one, and +, -, *, / and % of them, dividing
// as the server divides integers (3/2 is 1). ok is false for anything else: a parameter,
// a column, a fraction left uncast, a result beyond 64 bits (each step
// stays within them, as bigint arithmetic must), a division by zero.
func intConstant(n *pg_query.Node) (v int64, ok bool) {
	x, ok := foldInteger(n, 0)
	if !ok {
		return 0, false
	}
	return x.Int64(), true
}

// maxFoldDepth bounds foldInteger's recursion on deeply nested arithmetic.
const maxFoldDepth = 64

func foldInteger(n *pg_query.Node, depth int) (*big.Int, bool) {
	if n == nil || depth > maxFoldDepth {
		return nil, false
	}
	in64 := func(x *big.Int) (*big.Int, bool) { return x, x.IsInt64() }
	switch e := n.Node.(type) {
	case *pg_query.Node_AConst:
		k := e.AConst
		switch {
		case k.Isnull:
			return nil, false
		case k.GetIval() != nil:
			return big.NewInt(int64(k.GetIval().Ival)), true
		case k.GetFval() != nil:
			// Digits alone beyond 32 bits: a bigint where 64 suffice.
			if x, ok := new(big.Int).SetString(k.GetFval().Fval, 10); ok {
				return in64(x)
			}
		case k.GetSval() != nil:
			if x, ok := stringInteger(k.GetSval().Sval); ok {
				return big.NewInt(x), true
			}
		}
		return nil, false
	case *pg_query.Node_TypeCast:
		if k := e.TypeCast.Arg.GetAConst(); k != nil && k.GetFval() != nil && integerType(e.TypeCast.TypeName) {
			r, ok := new(big.Rat).SetString(k.GetFval().Fval)
			if !ok {
				return nil, false
			}
			// Half away from zero: the integer part of r + 1/2 (of a
			// literal, never negative; a sign is an operator).
			q := new(big.Int).Quo(new(big.Int).Add(new(big.Int).Mul(r.Num(), big.NewInt(2)), r.Denom()), new(big.Int).Mul(r.Denom(), big.NewInt(2)))
			return in64(q)
		}
		if !integerType(e.TypeCast.TypeName) {
			return nil, false // 1::numeric / 2 is one half
		}
		return foldInteger(e.TypeCast.Arg, depth+1)
	case *pg_query.Node_SubLink:
		if e.SubLink.SubLinkType == pg_query.SubLinkType_EXPR_SUBLINK {
			if v := fromlessValue(e.SubLink.Subselect.GetSelectStmt()); v != nil {
				return foldInteger(v, depth+1)
			}
		}
		return nil, false
	case *pg_query.Node_AExpr:
		a := e.AExpr
		if a.Kind != pg_query.A_Expr_Kind_AEXPR_OP || len(a.Name) != 1 {
			return nil, false
		}
		op := lastName(a.Name)
		r, ok := foldInteger(a.Rexpr, depth+1)
		if !ok {
			return nil, false
		}
		if a.Lexpr == nil {
			switch op {
			case "+":
				return r, true
			case "-":
				return in64(new(big.Int).Neg(r))
			}
			return nil, false
		}
		l, ok := foldInteger(a.Lexpr, depth+1)
		if !ok {
			return nil, false
		}
		switch op {
		case "+":
			return in64(new(big.Int).Add(l, r))
		case "-":
			return in64(new(big.Int).Sub(l, r))
		case "*":
			return in64(new(big.Int).Mul(l, r))
		case "/", "%":
			if r.Sign() == 0 {
				return nil, false
			}
			if op == "/" {
				return in64(new(big.Int).Quo(l, r)) // truncated, as the server's
			}
			return in64(new(big.Int).Rem(l, r)) // the sign of l, as the server's
		}
	}
	return nil, false
}

// integerType reports whether t names one of the server's integer types.
func integerType(t *pg_query.TypeName) bool {
	if t == nil || len(t.ArrayBounds) > 0 {
		return false
	}
	switch lastName(t.Names) {
	case "int2", "int4", "int8", "smallint", "integer", "int", "bigint":
		return true
	}
	return false
}

// stringInteger reads a string literal as the server reads an integer from
// one (see intConstant).
func stringInteger(s string) (int64, bool) {
	s = strings.Trim(s, " \t\n\r\v\f")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	base := 10
	if len(s) > 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 10 {
			s = s[2:]
		}
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false
	}
	x, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), base, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		x = -x
	}
	return x, true
}

// frameOptions returns a window's frame options with a bound of 0
// PRECEDING or 0 FOLLOWING read as the CURRENT ROW it is, in every mode
// (in RANGE mode the current row's first or last peer, as CURRENT ROW).
func frameOptions(w *pg_query.WindowDef) int32 {
	opts := w.FrameOptions
	if opts&(frameStartPreceding|frameStartFollowing) != 0 {
		if v, ok := intConstant(w.StartOffset); ok && v == 0 {
			opts = opts&^(frameStartPreceding|frameStartFollowing) | frameStartCurrent
		}
	}
	if opts&(frameEndPreceding|frameEndFollowing) != 0 {
		if v, ok := intConstant(w.EndOffset); ok && v == 0 {
			opts = opts&^(frameEndPreceding|frameEndFollowing) | frameEndCurrent
		}
	}
	return opts
}

// groupedBy reports whether a GROUP BY or PARTITION BY list puts only rows
// with the same value of c together: it names c (see sameColumn), or
// (perRow) ctid, which makes every row a group of its own (see perRowKey).
func groupedBy(list []*pg_query.Node, c *pg_query.ColumnRef, perRow bool, inner string) bool {
	for _, g := range list {
		gc := g.GetColumnRef()
		if gc == nil {
			continue
		}
		if sameColumn(gc, c, inner) || perRow && perRowKey(gc, c, inner) {
			return true
		}
	}
	return false
}

// sameColumn reports whether column references a and b name one column of
// a query: written alike, or one unqualified and the other qualified by the
// scanned source inner (not empty), which has that column, so the
// unqualified name, unless ambiguous, is inner's.
func sameColumn(a, b *pg_query.ColumnRef, inner string) bool {
	if lastField(a) != lastField(b) {
		return false
	}
	if len(a.Fields) == len(b.Fields) && qualifier(a) == qualifier(b) {
		return true
	}
	qualified := func(x *pg_query.ColumnRef) bool { return len(x.Fields) == 2 && qualifier(x) == inner }
	return inner != "" && (len(a.Fields) == 1 && qualified(b) || len(b.Fields) == 1 && qualified(a))
}

// perRowKey reports whether gc is the ctid of the source column c is read
// from, which keys a group per row: unqualified, qualified like c, or by
// the scanned source inner where c is unqualified or inner's.
func perRowKey(gc, c *pg_query.ColumnRef, inner string) bool {
	if lastField(gc) != "ctid" {
		return false
	}
	if len(gc.Fields) <= len(c.Fields) && (len(gc.Fields) == 1 || qualifier(gc) == qualifier(c)) {
		return true
	}
	return inner != "" && len(gc.Fields) == 2 && qualifier(gc) == inner && (len(c.Fields) == 1 || len(c.Fields) == 2 && qualifier(c) == inner)
}

// unnestedAggregate returns x for unnest(array_agg(x)), which returns every
// value of x the group holds (every group's, grouped or not), or nil.
func unnestedAggregate(f *pg_query.FuncCall) *pg_query.ColumnRef {
	plain := func(f *pg_query.FuncCall, name string) bool {
		return f != nil && lastName(f.Funcname) == name && len(f.Funcname) <= 2 && len(f.Args) == 1 &&
			f.AggFilter == nil && f.Over == nil && !f.AggStar
	}
	if !plain(f, "unnest") || !plain(f.Args[0].GetFuncCall(), "array_agg") {
		return nil
	}
	c := f.Args[0].GetFuncCall().Args[0].GetColumnRef()
	if c == nil || c.Fields[len(c.Fields)-1].GetAStar() != nil {
		return nil
	}
	return c
}

// constantRows reports whether a query returns only values written in it:
// a FROM-less SELECT or a VALUES list without function calls or subqueries
// (EXCEPT SELECT -1), or a set operation of those. EXCEPT SELECT
// generate_series(1, 100) takes out a range, like a real filter.
func constantRows(sel *pg_query.SelectStmt) bool {
	if sel == nil {
		return false
	}
	if sel.Op != pg_query.SetOperation_SETOP_NONE {
		return constantRows(sel.Larg) && constantRows(sel.Rarg)
	}
	return len(sel.FromClause) == 0 && sel.WithClause == nil && !containsCall(sel.ProtoReflect())
}

// noLimit reports whether a query has no LIMIT or OFFSET that could drop a
// row: LIMIT ALL (parsed as LIMIT NULL), OFFSET 0 and OFFSET NULL drop none.
func (p *predicate) noLimit(sel *pg_query.SelectStmt) bool {
	if sel.LimitCount != nil && !isNullConst(sel.LimitCount) {
		return false
	}
	return sel.LimitOffset == nil || p.isNumber(sel.LimitOffset, 0) || isNullConst(sel.LimitOffset)
}

// source is a FROM list that yields every row of the target table.
type source struct {
	inner string // the name its columns are qualified by
	shape *scan  // the columns it exposes
	extra bool   // other sources are joined in
	// others holds the other FROM items that read the whole target (a
	// self-join), by name, with their columns (see predicate.selves).
	others map[string]map[string]string
	// conds holds join conditions, which must hold for every row.
	conds []*pg_query.Node
}

// selfSource recognises a FROM list that yields every row of the target
// table: the table itself (however qualified, possibly aliased), a CTE or
// a derived table whose query selfScan recognises, alone or joined with
// sources that keep every one of its rows (a one-row FROM-less subquery
// joined ON a true condition or as a cross product, any source on the
// outer side of a LEFT JOIN, or another whole copy of the target joined
// on conditions that hold for every row, such as x.id = y.id, or NATURAL).
func (p *predicate) selfSource(from []*pg_query.Node) (src source, ok bool) {
	found, extra := false, false
	src.others = map[string]map[string]string{}
	var visit func(n *pg_query.Node) bool
	visit = func(n *pg_query.Node) bool {
		if j := n.GetJoinExpr(); j != nil {
			if j.Alias != nil {
				return false
			}
			extra = true
			if j.UsingClause != nil || j.IsNatural {
				return p.selfJoinUsing(j, visit, &src)
			}
			if j.Quals != nil {
				p.w.literalSensitive = true // reads whether ON is true
			}
			onTrue := j.Quals == nil || isTrueConst(j.Quals)
			switch {
			case onTrue && (oneRowSource(j.Rarg) || oneRowSource(j.Larg)):
				// Joined ON true to one row, of any join type, every
				// row of the other side is kept (and a LATERAL row may
				// name its columns).
				return visit(j.Larg) && visit(j.Rarg)
			case j.Jointype == pg_query.JoinType_JOIN_LEFT:
				return visit(j.Larg)
			case j.Jointype == pg_query.JoinType_JOIN_RIGHT:
				return visit(j.Rarg)
			case j.Jointype == pg_query.JoinType_JOIN_FULL:
				// Every row of either side is kept, whatever ON says.
				if _, _, self := p.selfRange(j.Rarg); self {
					return visit(j.Rarg)
				}
				return visit(j.Larg)
			case onTrue:
				return j.Jointype == pg_query.JoinType_JOIN_INNER && visit(j.Larg) && visit(j.Rarg)
			case j.Jointype == pg_query.JoinType_JOIN_INNER:
				// ON must hold for every row, like a WHERE.
				src.conds = append(src.conds, j.Quals)
				return visit(j.Larg) && visit(j.Rarg)
			}
			return false
		}
		if name, shape, ok := p.selfRange(n); ok {
			if !found {
				found, src.inner, src.shape = true, name, shape
				return true
			}
			// Another whole copy of the target keeps every row.
			src.extra = true
			src.others[name] = shape.colMap()
			return name != "" && name != src.inner
		}
		if cols := p.lateralRename(n, src); cols != nil {
			// One row per row of the target, naming its columns.
			extra = true
			src.others[n.GetRangeSubselect().Alias.Aliasname] = cols
			return true
		}
		if oneRowSource(n) || uncorrelatedSource(n) {
			// A cross product with it keeps every row of the target
			// (all of them, or none if it is empty).
			extra = true
			return true
		}
		return false
	}
	for _, f := range from {
		if !visit(f) {
			return source{}, false
		}
	}
	src.extra = src.extra || extra
	return src, found && src.inner != ""
}

// selfJoinUsing visits a join USING (cols) or NATURAL of two whole copies
// of the target: their rows pair with themselves, every row is kept (where
// the columns are not NULL, the standard of x = x). NATURAL needs both to
// have every column under its own name.
func (p *predicate) selfJoinUsing(j *pg_query.JoinExpr, visit func(*pg_query.Node) bool, src *source) bool {
	_, l, lok := p.selfRange(j.Larg)
	_, r, rok := p.selfRange(j.Rarg)
	if !lok || !rok || j.Jointype != pg_query.JoinType_JOIN_INNER {
		return false
	}
	lc, rc := l.colMap(), r.colMap()
	if j.IsNatural {
		if lc != nil || rc != nil {
			return false
		}
	}
	for _, u := range j.UsingClause {
		name := u.GetString_().GetSval()
		if a := colOf(lc, name); a == "" || a == unknownColumn || a != colOf(rc, name) {
			return false
		}
	}
	return visit(j.Larg) && visit(j.Rarg)
}

// selfRange recognises one FROM item that reads the whole target table,
// and the columns it exposes.
func (p *predicate) selfRange(n *pg_query.Node) (name string, shape *scan, ok bool) {
	switch {
	case n.GetRangeVar() != nil:
		rv := n.GetRangeVar()
		var renames []*pg_query.Node
		if rv.Alias != nil {
			renames = rv.Alias.Colnames
		}
		if cte, isCTE := p.w.ctes[rv.Relname]; isCTE && rv.Schemaname == "" {
			// A CTE hides a table of the same name.
			if p.visiting[cte] {
				return "", nil, false // recursive: not followed
			}
			if p.visiting == nil {
				p.visiting = map[*pg_query.CommonTableExpr]bool{}
			}
			p.visiting[cte] = true
			scan := p.selfScan(cte.Ctequery.GetSelectStmt())
			delete(p.visiting, cte)
			if scan == nil {
				return "", nil, false
			}
			return aliasName(rv.Alias, rv.Relname), scan.renamed(cte.Aliascolnames).renamed(renames), true
		}
		if !sameRelation(rv, p.rel) {
			return "", nil, false
		}
		return aliasName(rv.Alias, rv.Relname), (&scan{star: true, table: true}).renamed(renames), true
	case n.GetRangeTableSample() != nil:
		// TABLESAMPLE SYSTEM (100) or BERNOULLI (100) reads every row;
		// a parameter may be 100.
		ts := n.GetRangeTableSample()
		method := lastName(ts.Method)
		if (method != "system" && method != "bernoulli") || len(ts.Args) != 1 || ts.Relation.GetRangeVar() == nil {
			return "", nil, false
		}
		arg := ts.Args[0]
		for arg.GetTypeCast() != nil {
			arg = arg.GetTypeCast().Arg
		}
		if arg.GetParamRef() == nil {
			k := p.eval(arg).k
			if k == nil || k.kind != 'n' || k.num < 100 {
				return "", nil, false
			}
		}
		p.w.literalSensitive = true
		return p.selfRange(ts.Relation)
	case n.GetRangeSubselect() != nil:
		rs := n.GetRangeSubselect()
		if rs.Alias == nil {
			return "", nil, false
		}
		scan := p.selfScan(rs.Subquery.GetSelectStmt())
		if scan == nil {
			return "", nil, false
		}
		return rs.Alias.Aliasname, scan.renamed(rs.Alias.Colnames), true
	}
	return "", nil, false
}

// lateralRename recognises LATERAL (SELECT t.id AS i) l after the whole
// target t in a FROM list: one row for each of t's rows, whose columns are
// t's under other names. It returns them as a column map (name → target
// column), or nil.
func (p *predicate) lateralRename(n *pg_query.Node, src source) map[string]string {
	rs := n.GetRangeSubselect()
	if rs == nil || !rs.Lateral || rs.Alias == nil || src.inner == "" || !oneRowSource(n) {
		return nil
	}
	sel := rs.Subquery.GetSelectStmt()
	if len(sel.ValuesLists) > 0 || len(rs.Alias.Colnames) > len(sel.TargetList) {
		return nil
	}
	inner := src.shape.colMap()
	cols := map[string]string{}
	for i, t := range sel.TargetList {
		rt := t.GetResTarget()
		c := rt.GetVal().GetColumnRef()
		if c == nil || len(c.Fields) != 2 || qualifier(c) != src.inner {
			continue
		}
		name := rt.Name
		if name == "" {
			name = lastField(c)
		}
		if i < len(rs.Alias.Colnames) {
			name = rs.Alias.Colnames[i].GetString_().GetSval()
		}
		if from := colOf(inner, lastField(c)); from != "" && name != "" {
			cols[name] = from
		}
	}
	if len(cols) == 0 {
		return nil
	}
	return cols
}

// uncorrelatedSource reports whether a FROM item is another table, view,
// function or subquery that cannot depend on the row it is joined to: not
// LATERAL, and without a column reference, which in a function's arguments
// may name the other side's row (FROM t, unnest(t.tags) keeps only the
// rows with tags).
func uncorrelatedSource(n *pg_query.Node) bool {
	switch {
	case n.GetRangeVar() != nil:
		return true
	case n.GetRangeFunction() != nil:
		return !n.GetRangeFunction().Lateral && !containsColumnRef(n.ProtoReflect())
	case n.GetRangeSubselect() != nil:
		return !n.GetRangeSubselect().Lateral && !containsColumnRef(n.ProtoReflect())
	}
	return false
}

// oneRowSource reports whether a FROM item is a FROM-less subquery that
// returns exactly one row, such as (SELECT 1) y.
func oneRowSource(n *pg_query.Node) bool {
	rs := n.GetRangeSubselect()
	return rs != nil && oneRow(rs.Subquery.GetSelectStmt())
}

// oneRow reports whether a query returns at least one row whatever the data:
// a FROM-less SELECT or a VALUES list with no WHERE, HAVING, GROUP BY, LIMIT
// or OFFSET, and no function call, which could return a set (possibly
// empty). EXISTS (SELECT t.id) is then true for every row.
func oneRow(sel *pg_query.SelectStmt) bool {
	return sel != nil && sel.WhereClause == nil && oneRowIgnoringWhere(sel)
}

// oneRowIgnoringWhere is oneRow for a query whose WHERE, if any, the caller
// has found always true.
func oneRowIgnoringWhere(sel *pg_query.SelectStmt) bool {
	if !bareFromless(sel) {
		return false
	}
	// The WHERE was judged apart; calls in it return one value.
	for _, t := range sel.TargetList {
		if containsCall(t.ProtoReflect()) {
			return false
		}
	}
	for _, l := range sel.ValuesLists {
		if containsCall(l.ProtoReflect()) {
			return false
		}
	}
	return true
}

// containsCall reports whether a tree holds a function call or a subquery.
func containsCall(m protoreflect.Message) bool {
	return anyNode(m, func(n any) bool {
		switch n.(type) {
		case *pg_query.FuncCall, *pg_query.SubLink:
			return true
		}
		return false
	})
}

// containsColumnRef reports whether a tree refers to any column.
func containsColumnRef(m protoreflect.Message) bool {
	return anyNode(m, func(n any) bool {
		_, ok := n.(*pg_query.ColumnRef)
		return ok
	})
}

func isTrueConst(n *pg_query.Node) bool {
	b := n.GetAConst().GetBoolval()
	return b != nil && b.Boolval
}

// correlates reports whether c is inner.x = outer.x: a subquery's row of the
// target table tied to the outer target row by the same column. Any
// comparison that holds between a value and itself ties them as well
// (inner.x >= outer.x holds for the outer row's own copy), and so does IS
// NOT DISTINCT FROM. cols is the source's column map (see scan.colMap).
func (p *predicate) correlates(c *pg_query.Node, src source, cols map[string]string) bool {
	e := c.GetAExpr()
	if e == nil || !(e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT ||
		(e.Kind == pg_query.A_Expr_Kind_AEXPR_OP && len(e.Name) == 1 && reflexiveOps[lastName(e.Name)])) {
		return false
	}
	outer := func(n *pg_query.Node) string {
		c := n.GetColumnRef()
		if c == nil || len(c.Fields) != 2 || qualifier(c) == src.inner || !p.targets[qualifier(c)] {
			return ""
		}
		return lastField(c)
	}
	// The inner column is the outer one under the source's names.
	return srcMatches(p.innerColumn(e.Lexpr, src, cols), outer(e.Rexpr)) ||
		srcMatches(p.innerColumn(e.Rexpr, src, cols), outer(e.Lexpr))
}

// innerColumn returns the target column an expression of a subquery over
// src returns unchanged: a column of the source, or a field of a whole row
// of it ((s).id, (x.t).id); "" for anything else. With other sources
// joined in (src.extra), a column must be qualified by the source's name:
// written alone, it may be another source's.
func (p *predicate) innerColumn(n *pg_query.Node, src source, cols map[string]string) string {
	if ind := n.GetAIndirection(); ind != nil {
		if c := ind.Arg.GetColumnRef(); c != nil && len(c.Fields) == 1 && src.extra {
			return ""
		}
		if f, all, ok := p.rowField(ind, src); ok && !all {
			return f.src
		}
		return ""
	}
	c := n.GetColumnRef()
	if c == nil || !(len(c.Fields) == 1 && !src.extra || len(c.Fields) == 2 && qualifier(c) == src.inner) {
		return ""
	}
	return colOf(cols, lastField(c))
}

// qualifier returns the name that qualifies a column reference ("" if none).
func qualifier(c *pg_query.ColumnRef) string {
	if len(c.Fields) < 2 {
		return ""
	}
	return c.Fields[len(c.Fields)-2].GetString_().GetSval()
}

func lastField(c *pg_query.ColumnRef) string {
	return c.Fields[len(c.Fields)-1].GetString_().GetSval()
}

// refersToTarget reports whether a column reference names a column of the
// target table whose value can differ between its rows: qualified by its
// name or alias, or unqualified when no other table is in scope and the name
// is not a routine's parameter or variable. tableoid is the same for every
// row of a table, so tableoid = 't'::regclass is row-independent (a
// partitioned table's partitions do differ; refusing that rare filter is the
// safe side).
func (p *predicate) refersToTarget(c *pg_query.ColumnRef) bool {
	return p.targetColumn(c) && lastField(c) != "tableoid"
}

// targetColumn reports whether a column reference names a column (or the
// whole row) of the target table.
func (p *predicate) targetColumn(c *pg_query.ColumnRef) bool {
	if len(c.Fields) < 2 {
		return !p.strictUnqualified && !p.w.values[lastField(c)]
	}
	return p.targets[qualifier(c)]
}

// mentionsTarget reports whether any column reference under n refers to the
// target. Inside subqueries only qualified references count: an unqualified
// name there resolves to the subquery's own tables first, and so does a
// qualified one whose qualifier the subquery's FROM names again
// (EXISTS (SELECT 1 FROM t WHERE t.id = 5) does not look at the target row).
func (p *predicate) mentionsTarget(n *pg_query.Node) bool {
	found := false
	var visit func(m protoreflect.Message, inSubquery bool, shadowed map[string]bool)
	visit = func(m protoreflect.Message, inSubquery bool, shadowed map[string]bool) {
		if found {
			return
		}
		if !p.w.budget.Spend(1) {
			found = true // past the bound: any answer will do (see Budget)
			return
		}
		switch x := m.Interface().(type) {
		case *pg_query.ColumnRef:
			if inSubquery {
				found = len(x.Fields) >= 2 && !shadowed[qualifier(x)] && p.refersToTarget(x)
			} else {
				found = p.refersToTarget(x)
			}
			return
		case *pg_query.CurrentOfExpr:
			found = true
			return
		case *pg_query.SelectStmt:
			inSubquery = true
			shadowed = p.shadowedBy(x.FromClause, shadowed)
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len() && !found; i++ {
					visit(l.Get(i).Message(), inSubquery, shadowed)
				}
			case fd.Message() != nil && !fd.IsMap():
				visit(v.Message(), inSubquery, shadowed)
			}
			return !found
		})
	}
	visit(n.ProtoReflect(), false, nil)
	return found
}

// shadowedBy adds to shadowed the target's names that a subquery's FROM
// items name again. Counting too many as shadowed only makes a predicate
// look less bounded than it is.
func (p *predicate) shadowedBy(from []*pg_query.Node, shadowed map[string]bool) map[string]bool {
	var names []string
	var collect func(n *pg_query.Node)
	collect = func(n *pg_query.Node) {
		switch {
		case n.GetRangeVar() != nil:
			names = append(names, aliasName(n.GetRangeVar().Alias, n.GetRangeVar().Relname))
		case n.GetRangeTableSample() != nil:
			collect(n.GetRangeTableSample().Relation)
		case n.GetRangeSubselect() != nil:
			names = append(names, aliasName(n.GetRangeSubselect().Alias, ""))
		case n.GetRangeFunction() != nil:
			names = append(names, aliasName(n.GetRangeFunction().Alias, ""))
			for _, f := range n.GetRangeFunction().Functions {
				// An unaliased function names its range after itself.
				if l := f.GetList(); l != nil && len(l.Items) > 0 {
					names = append(names, lastName(l.Items[0].GetFuncCall().GetFuncname()))
				}
			}
		case n.GetJoinExpr() != nil:
			names = append(names, aliasName(n.GetJoinExpr().Alias, ""))
			collect(n.GetJoinExpr().Larg)
			collect(n.GetJoinExpr().Rarg)
		}
	}
	for _, f := range from {
		collect(f)
	}
	var out map[string]bool
	for _, name := range names {
		if !p.targets[name] || shadowed[name] {
			continue
		}
		if out == nil {
			out = make(map[string]bool, len(shadowed)+1)
			for k := range shadowed {
				out[k] = true
			}
		}
		out[name] = true
	}
	if out == nil {
		return shadowed
	}
	return out
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
// it) written unqualified, and the target's whole row (t, t.*) written *. Keys read literal values, so using one makes the
// verdict literal-sensitive.
func (p *predicate) key(n *pg_query.Node) string {
	if k, ok := p.keys[n]; ok {
		return k
	}
	p.w.literalSensitive = true
	c := proto.Clone(n).(*pg_query.Node)
	var canon func(m protoreflect.Message)
	canon = func(m protoreflect.Message) {
		if cr, ok := m.Interface().(*pg_query.ColumnRef); ok && len(cr.Fields) == 1 && p.targets[cr.Fields[0].GetString_().GetSval()] {
			// t, the whole row, is t.*.
			cr.Fields = []*pg_query.Node{{Node: &pg_query.Node_AStar{AStar: &pg_query.A_Star{}}}}
		}
		if cr, ok := m.Interface().(*pg_query.ColumnRef); ok && len(cr.Fields) >= 2 {
			q := qualifier(cr)
			cols, self := p.selves[q]
			switch {
			case p.targets[q] || (self && cols == nil):
				cr.Fields = cr.Fields[len(cr.Fields)-1:]
			case self && colOf(cols, lastField(cr)) != "":
				cr.Fields = []*pg_query.Node{pg_query.MakeStrNode(colOf(cols, lastField(cr)))}
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
