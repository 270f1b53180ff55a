package postgres

import (
	"math/big"
	"sort"

	pg_query "github.com/pganalyze/pg_query_go/v5"
)

// The value-set test: a condition whose every test compares one column of
// the target (its subject), or a function of it whose values lie in a known
// range (abs, length, sign: see rangedFunctions), with constants is decided
// by the values of the subject it holds for. The tests are comparisons,
// [NOT] BETWEEN, [NOT] IN, IS [NOT] DISTINCT FROM and IS [NOT] NULL. The
// constants cut the values into cells (each constant, and the open ranges
// between and around them); every test is true, false or NULL on a whole
// cell, and NOT, AND, OR and IS [NOT] TRUE/FALSE/UNKNOWN combine them as
// the server's three-valued logic does.
// A condition true on every cell is true for every row where the subject is
// not NULL, the standard of x = x: x > 5 OR x < 10, x <> 1 OR x <> 2,
// NOT (x = 1 AND x = 2), x NOT BETWEEN 5 AND 1. One true on no cell
// reaches no row.
//
// Numbers are read exactly, and again over the integers only (an integer
// column: x >= 6 OR x <= 5 holds for every integer, not for 5.5); a
// condition true on every cell in the second reading only is counted as
// row-independent, refused as what may reach every row. Strings are
// compared for equality only: their order is the collation's.

// maxValueTests bounds the tests of one subject read together: the cells
// are twice as many as the constants, and each is tried on the whole
// condition.
const maxValueTests = 64

// vcond is a condition over one subject: a test of it ('a'), a constant
// ('k': val), NOT ('!'), AND ('&'), OR ('|'), an IS test ('T' TRUE, 'F'
// FALSE, 'U' UNKNOWN, and their negations 't', 'f', 'u') of conditions, or
// a CASE ('c': kids are each WHEN's condition and result, then the ELSE).
type vcond struct {
	op   byte
	kids []*vcond
	val  byte
	// A test: cmp is the operator, "between" (lo, hi: consts[0],
	// consts[1]; symmetric), or "in" (any of consts); not negates it.
	// constNodes are the constants as written, read into consts once the
	// whole condition is known to be over one subject.
	cmp        string
	constNodes []*pg_query.Node
	consts     []vconst
	symmetric  bool
	not        bool
}

// vconst is a constant a subject is compared with: a number or a string.
type vconst struct {
	num *big.Rat
	str string
}

// valueSet reads n as a condition over one subject (see the value-set test
// above) and decides it; ok is false when n is not such a condition, or
// the cells do not decide it.
func (p *predicate) valueSet(n *pg_query.Node) (result, bool) {
	r := valueReader{p: p}
	c := r.read(n, 0)
	if c == nil || r.tests < 1 || r.tests > maxValueTests || !r.resolve(c) || r.nums && r.strs || r.strs && r.ordered {
		return result{}, false
	}
	if !p.w.budget.Spend(r.tests * maxValueTests) {
		return result{}, false
	}
	if r.strs {
		if r.rng != nil {
			return result{}, false // a length compared with a string
		}
		all, none := decideCells(c, stringCells(r.consts))
		return cellVerdict(all, none, all, none)
	}
	all, none := decideCells(c, r.rng.cells(numberCells(r.withBounds(), false)))
	iall, inone := decideCells(c, r.rng.cells(numberCells(r.withBounds(), true)))
	return cellVerdict(all, none, iall, inone)
}

// withBounds returns the constants and the subject's bounds, so that the
// cells split where its values begin and end.
func (r *valueReader) withBounds() []vconst {
	if r.rng == nil {
		return r.consts
	}
	out := append([]vconst(nil), r.consts...)
	out = append(out, vconst{num: big.NewRat(r.rng.lo, 1)})
	if r.rng.only {
		out = append(out, vconst{num: big.NewRat(r.rng.hi, 1)})
	}
	return out
}

// cells keeps the cells within the range: at least lo, and for a range of
// integers only (a sign), the integers up to hi.
func (g *valueRange) cells(all []vconst) []vconst {
	if g == nil {
		return all
	}
	lo, hi := big.NewRat(g.lo, 1), big.NewRat(g.hi, 1)
	var out []vconst
	for _, c := range all {
		if c.num.Cmp(lo) < 0 || g.only && (c.num.Cmp(hi) > 0 || !c.num.IsInt()) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// cellVerdict turns the outcome of the cells into a result: true on every
// cell of both readings is true for every row, false (or NULL) on every one
// false; true on every integer only is row-independent.
func cellVerdict(all, none, intAll, intNone bool) (result, bool) {
	switch {
	case all && intAll:
		return boolResult(true), true
	case none && intNone:
		return boolResult(false), true
	case intAll:
		return result{scope: rowIndependent}, true
	}
	return result{}, false
}

// valueReader reads a condition into a vcond, checking that every test has
// the same subject.
type valueReader struct {
	p *predicate
	// subject is the subject's key ("abs(id" for abs(id), "id" for id);
	// column is its column.
	subject, column string
	tests           int
	consts          []vconst
	// nums, strs: numbers, strings among the constants; ordered: a
	// string compared by order.
	nums, strs, ordered bool
	// rng bounds the subject's values (nil: unbounded).
	rng *valueRange
}

// boolOps and boolTests are the vcond operators of NOT, AND, OR and the
// IS tests.
var (
	boolOps = map[pg_query.BoolExprType]byte{pg_query.BoolExprType_AND_EXPR: '&', pg_query.BoolExprType_OR_EXPR: '|',
		pg_query.BoolExprType_NOT_EXPR: '!'}
	boolTests = map[pg_query.BoolTestType]byte{pg_query.BoolTestType_IS_TRUE: 'T', pg_query.BoolTestType_IS_NOT_TRUE: 't',
		pg_query.BoolTestType_IS_FALSE: 'F', pg_query.BoolTestType_IS_NOT_FALSE: 'f',
		pg_query.BoolTestType_IS_UNKNOWN: 'U', pg_query.BoolTestType_IS_NOT_UNKNOWN: 'u'}
)

func (r *valueReader) read(n *pg_query.Node, depth int) *vcond {
	if n == nil || depth > maxFoldDepth || r.tests > maxValueTests {
		return nil
	}
	switch e := n.Node.(type) {
	case *pg_query.Node_BoolExpr:
		op := boolOps[e.BoolExpr.Boolop]
		if op == 0 {
			return nil
		}
		c := &vcond{op: op}
		for _, a := range e.BoolExpr.Args {
			k := r.read(a, depth+1)
			if k == nil {
				return nil
			}
			c.kids = append(c.kids, k)
		}
		return c
	case *pg_query.Node_BooleanTest:
		op := boolTests[e.BooleanTest.Booltesttype]
		k := r.read(e.BooleanTest.Arg, depth+1)
		if op == 0 || k == nil {
			return nil
		}
		return &vcond{op: op, kids: []*vcond{k}}
	case *pg_query.Node_NullTest:
		// x IS [NOT] NULL of the subject: false (true) on every cell,
		// which holds values only; of a condition, its UNKNOWN test.
		isNull := e.NullTest.Nulltesttype == pg_query.NullTestType_IS_NULL
		if c := r.p.simplify(e.NullTest.Arg).GetColumnRef(); c != nil {
			if !r.p.refersToTarget(c) {
				return nil
			}
			// The column of a ranged function's subject will do:
			// length(x) is NULL exactly where x is.
			if lastField(c) != r.column && !r.sameSubject(e.NullTest.Arg) {
				return nil
			}
			return &vcond{op: 'a', cmp: "null", not: !isNull}
		}
		k := r.read(e.NullTest.Arg, depth+1)
		if k == nil {
			return nil
		}
		op := byte('U')
		if !isNull {
			op = 'u'
		}
		return &vcond{op: op, kids: []*vcond{k}}
	case *pg_query.Node_AExpr:
		return r.test(e.AExpr)
	case *pg_query.Node_AConst:
		// A constant result of a CASE: true, false or NULL; reading it
		// reads a literal.
		r.p.w.literalSensitive = true
		switch b := e.AConst.GetBoolval(); {
		case e.AConst.Isnull:
			return &vcond{op: 'k', val: vNull}
		case b != nil:
			return &vcond{op: 'k', val: vbool(b.Boolval)}
		}
	case *pg_query.Node_CaseExpr:
		// A searched CASE: the first WHEN whose condition is true
		// gives the result; the ELSE, or NULL, when none is.
		if e.CaseExpr.Arg != nil {
			return nil
		}
		c := &vcond{op: 'c'}
		for _, w := range e.CaseExpr.Args {
			cw := w.GetCaseWhen()
			if cw == nil {
				return nil
			}
			cond, res := r.read(cw.Expr, depth+1), r.read(cw.Result, depth+1)
			if cond == nil || res == nil {
				return nil
			}
			c.kids = append(c.kids, cond, res)
		}
		def := &vcond{op: 'k', val: vNull}
		if e.CaseExpr.Defresult != nil {
			if def = r.read(e.CaseExpr.Defresult, depth+1); def == nil {
				return nil
			}
		}
		c.kids = append(c.kids, def)
		return c
	}
	return nil
}

// test reads a comparison of the subject with constants: x op c or c op x,
// [NOT] BETWEEN [SYMMETRIC], [NOT] IN (...).
func (r *valueReader) test(e *pg_query.A_Expr) *vcond {
	if len(e.Name) != 1 || e.Lexpr == nil || e.Rexpr == nil {
		return nil
	}
	op := lastName(e.Name)
	c := &vcond{op: 'a'}
	var subject *pg_query.Node
	var consts []*pg_query.Node
	switch e.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP:
		if !comparisonOps[op] {
			return nil
		}
		c.cmp, subject, consts = op, e.Lexpr, []*pg_query.Node{e.Rexpr}
		if !r.p.mentionsTarget(subject) {
			c.cmp, subject, consts = flippedOp[op], e.Rexpr, []*pg_query.Node{e.Lexpr}
			if op == "!=" {
				c.cmp = "<>"
			}
		}
		if c.cmp == "!=" {
			c.cmp = "<>"
		}
		r.ordered = r.ordered || c.cmp != "=" && c.cmp != "<>"
	case pg_query.A_Expr_Kind_AEXPR_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		// On a value, IS DISTINCT FROM a constant is <>, IS NOT
		// DISTINCT FROM is =.
		c.cmp, subject, consts = "<>", e.Lexpr, []*pg_query.Node{e.Rexpr}
		if e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT {
			c.cmp = "="
		}
		if !r.p.mentionsTarget(subject) {
			subject, consts = e.Rexpr, []*pg_query.Node{e.Lexpr}
		}
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN,
		pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		c.cmp, subject, consts = "between", e.Lexpr, e.Rexpr.GetList().GetItems()
		c.not = e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN || e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM
		c.symmetric = e.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM || e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM
		r.ordered = true
		if len(consts) != 2 {
			return nil
		}
	case pg_query.A_Expr_Kind_AEXPR_IN:
		c.cmp, subject, consts = "in", e.Lexpr, e.Rexpr.GetList().GetItems()
		c.not = op == "<>"
		if len(consts) == 0 || op != "=" && op != "<>" {
			return nil
		}
	default:
		return nil
	}
	if !r.p.mentionsTarget(subject) || !r.sameSubject(subject) {
		return nil
	}
	for _, k := range consts {
		if u, _ := unwrapConstant(k); u.GetAConst() == nil {
			return nil // not a literal: nothing to read
		}
	}
	c.constNodes = consts
	r.tests++
	return c
}

// resolve reads the constants of every test of c (see constant); it
// reports whether each is a number or a string.
func (r *valueReader) resolve(c *vcond) bool {
	for _, k := range c.kids {
		if !r.resolve(k) {
			return false
		}
	}
	for _, k := range c.constNodes {
		v, ok := r.constant(k)
		if !ok {
			return false
		}
		c.consts = append(c.consts, v)
	}
	return true
}

// rangedFunctions are built-in functions of one argument whose values lie
// in a known range wherever the argument is not NULL: lengths and absolute
// values are never negative, a sign is -1, 0 or 1.
var rangedFunctions = map[string]valueRange{
	"abs": {lo: 0}, "length": {lo: 0}, "char_length": {lo: 0}, "character_length": {lo: 0},
	"octet_length": {lo: 0}, "bit_length": {lo: 0}, "cardinality": {lo: 0},
	"sign": {lo: -1, hi: 1, only: true},
}

// valueRange bounds a subject's values: at least lo, at most hi when only
// (and then integers only: a sign).
type valueRange struct {
	lo, hi int64
	only   bool
}

// sameSubject reports whether x is the subject of the tests read so far
// (the first one sets it): a column of the target, or a function of one
// whose values lie in a known range (see rangedFunctions), abs(x) or
// length(x). The column is compared by its name alone, without reading any
// literal, so that conditions over several columns (aid = 5 AND bid = 3)
// stay shareable by the texts that differ from them in literals.
func (r *valueReader) sameSubject(x *pg_query.Node) bool {
	x = r.p.simplify(x)
	var k string
	var rng *valueRange
	if f := x.GetFuncCall(); f != nil && catalogOperator(f.Funcname) && len(f.Args) == 1 && f.Over == nil && !f.AggStar && !f.FuncVariadic {
		fr, ok := rangedFunctions[lastName(f.Funcname)]
		if !ok {
			return false
		}
		k, rng = lastName(f.Funcname)+"(", &fr
		x = r.p.simplify(f.Args[0])
	}
	c := x.GetColumnRef()
	if c == nil || !r.p.refersToTarget(c) || c.Fields[len(c.Fields)-1].GetAStar() != nil {
		return false // a column of the target, or a ranged function of one
	}
	k += lastField(c)
	if r.subject == "" {
		r.rng = rng
		r.subject, r.column = k, lastField(c)
	}
	return r.subject == k
}

// constant reads a number literal (possibly cast or negated by the parser)
// or a string literal; NULL, parameters and anything else are not read.
func (r *valueReader) constant(n *pg_query.Node) (vconst, bool) {
	// Whatever is decided from here on depends on the literals: their
	// kinds and values (x > 5 OR x < 'a' is not read, x > 5 OR x < 10 is),
	// and only the condition's shape, one subject, led here.
	r.p.w.literalSensitive = true
	c, _ := unwrapConstant(n)
	k := c.GetAConst()
	switch {
	case k == nil || k.Isnull:
		return vconst{}, false
	case k.GetIval() != nil:
		r.nums = true
		v := vconst{num: new(big.Rat).SetInt64(int64(k.GetIval().Ival))}
		r.consts = append(r.consts, v)
		return v, true
	case k.GetFval() != nil:
		num, ok := new(big.Rat).SetString(k.GetFval().Fval)
		if !ok {
			return vconst{}, false
		}
		r.nums = true
		v := vconst{num: num}
		r.consts = append(r.consts, v)
		return v, true
	case k.GetSval() != nil:
		r.strs = true
		v := vconst{str: k.GetSval().Sval}
		r.consts = append(r.consts, v)
		return v, true
	}
	return vconst{}, false
}

// numberCells returns a value of every cell the number constants cut: each
// constant and a value between and around them; over the integers only,
// the integers among those, and an integer in each open range that holds
// one.
func numberCells(consts []vconst, integers bool) []vconst {
	var nums []*big.Rat
	for _, c := range consts {
		nums = append(nums, c.num)
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i].Cmp(nums[j]) < 0 })
	one := big.NewRat(1, 1)
	floor := func(x *big.Rat) *big.Rat {
		q := new(big.Int).Div(x.Num(), x.Denom()) // Euclidean: the floor, as the denominator is positive
		return new(big.Rat).SetInt(q)
	}
	var cells []vconst
	add := func(x *big.Rat) { cells = append(cells, vconst{num: x}) }
	// Below the least: (floor of it) - 1 is below it, and an integer.
	add(new(big.Rat).Sub(floor(nums[0]), one))
	for i, x := range nums {
		if i > 0 && x.Cmp(nums[i-1]) == 0 {
			continue
		}
		if !integers || x.IsInt() {
			add(x)
		}
		next := new(big.Rat).Add(floor(x), one) // the least integer above x
		if i+1 < len(nums) {
			if !integers {
				add(new(big.Rat).Quo(new(big.Rat).Add(x, nums[i+1]), big.NewRat(2, 1)))
			} else if next.Cmp(nums[i+1]) < 0 {
				add(next)
			}
		} else {
			add(next)
		}
	}
	return cells
}

// stringCells returns each string constant and one string that is none of
// them.
func stringCells(consts []vconst) []vconst {
	other := "\x00"
	seen := map[string]bool{}
	var cells []vconst
	for _, c := range consts {
		if !seen[c.str] {
			seen[c.str] = true
			cells = append(cells, c)
		}
		if len(c.str) >= len(other) {
			other = c.str + "\x00"
		}
	}
	return append(cells, vconst{str: other})
}

// decideCells evaluates c on every cell: all says it is true on each, none
// that it is true on none.
func decideCells(c *vcond, cells []vconst) (all, none bool) {
	all, none = true, true
	for _, v := range cells {
		switch c.eval(v) {
		case vTrue:
			none = false
		default:
			all = false
		}
	}
	return all, none
}

// Three-valued logic.
const (
	vFalse byte = iota
	vTrue
	vNull
)

func vbool(b bool) byte {
	if b {
		return vTrue
	}
	return vFalse
}

// eval evaluates the condition for a subject of value v (never NULL).
func (c *vcond) eval(v vconst) byte {
	switch c.op {
	case 'k':
		return c.val
	case 'c':
		for i := 0; i+1 < len(c.kids); i += 2 {
			if c.kids[i].eval(v) == vTrue {
				return c.kids[i+1].eval(v)
			}
		}
		return c.kids[len(c.kids)-1].eval(v)
	case 'a':
		b := c.holds(v)
		if c.not {
			b = !b
		}
		return vbool(b)
	case '!':
		switch x := c.kids[0].eval(v); x {
		case vNull:
			return vNull
		default:
			return vbool(x == vFalse)
		}
	case '&', '|':
		null := false
		for _, k := range c.kids {
			switch x := k.eval(v); {
			case x == vNull:
				null = true
			case x == vFalse && c.op == '&':
				return vFalse
			case x == vTrue && c.op == '|':
				return vTrue
			}
		}
		if null {
			return vNull
		}
		return vbool(c.op == '&')
	}
	x := c.kids[0].eval(v)
	switch c.op {
	case 'T':
		return vbool(x == vTrue)
	case 't':
		return vbool(x != vTrue)
	case 'F':
		return vbool(x == vFalse)
	case 'f':
		return vbool(x != vFalse)
	case 'U':
		return vbool(x == vNull)
	}
	return vbool(x != vNull) // 'u'
}

// holds reports whether the test holds for a subject of value v.
func (c *vcond) holds(v vconst) bool {
	cmp := func(k vconst) int {
		if v.num != nil {
			return v.num.Cmp(k.num)
		}
		if v.str == k.str {
			return 0
		}
		return 1 // strings are compared for equality only
	}
	switch c.cmp {
	case "null":
		return false // the subject holds a value
	case "between":
		lo, hi := c.consts[0], c.consts[1]
		in := cmp(lo) >= 0 && cmp(hi) <= 0
		if c.symmetric {
			in = in || cmp(hi) >= 0 && cmp(lo) <= 0
		}
		return in
	case "in":
		for _, k := range c.consts {
			if cmp(k) == 0 {
				return true
			}
		}
		return false
	}
	d := cmp(c.consts[0])
	switch c.cmp {
	case "=":
		return d == 0
	case "<>":
		return d != 0
	case "<":
		return d < 0
	case "<=":
		return d <= 0
	case ">":
		return d > 0
	}
	return d >= 0 // ">="
}
