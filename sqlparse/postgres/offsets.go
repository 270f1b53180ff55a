package postgres

import (
	"math/big"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// maxOffsetTerms bounds the terms offset takes off one side.
const maxOffsetTerms = 64

// offsetSum is an expression read as base + terms: x + 1 - $1 is x with
// the terms +1 and -$1.
type offsetSum struct {
	base  *pg_query.Node
	terms []offsetTerm
	// field is the base as written when it is a field selection,
	// (s.t).id, which simplify reads as a column (see selfRowField).
	field *pg_query.Node
}

// offsetTerm is a constant or a value that may be any (see mayBeAny),
// added or subtracted.
type offsetTerm struct {
	n     *pg_query.Node
	minus bool
}

// offset reads n (simplified) as a base plus constants added or
// subtracted (x + 1, x - 2, 1 + x, (x + 1) - 1, x + 1::int) and bind
// parameters or routine parameters in their place (x + $1, x - d). The
// base is n itself when nothing is taken off. Only the tree's shape is
// read, no literal's value (see sum): x < $1 + 7 stays shareable by the
// texts that differ from it in literals.
func (p *predicate) offset(n *pg_query.Node) offsetSum {
	var s offsetSum
	for i := 0; i < maxOffsetTerms; i++ {
		s.field = nil
		if n.GetAIndirection() != nil {
			s.field = n
		}
		n = p.simplify(n)
		a := n.GetAExpr()
		if a == nil || a.Kind != pg_query.A_Expr_Kind_AEXPR_OP || !catalogOperator(a.Name) || a.Lexpr == nil || a.Rexpr == nil {
			break
		}
		op := lastName(a.Name)
		if op != "+" && op != "-" {
			break
		}
		if p.constantTerm(a.Rexpr) {
			s.terms = append(s.terms, offsetTerm{a.Rexpr, op == "-"})
			n = a.Lexpr
			continue
		}
		if op == "+" && p.constantTerm(a.Lexpr) {
			s.terms = append(s.terms, offsetTerm{a.Lexpr, false})
			n = a.Rexpr
			continue
		}
		break
	}
	s.base = n
	return s
}

// constantTerm reports whether n is the same value for every row: one
// that reads no column (see fixedValue: a literal, arithmetic of literals,
// abs(1)), or a value that may be any (see mayBeAny).
func (p *predicate) constantTerm(n *pg_query.Node) bool {
	return p.fixedValue(n) || p.mayBeAny(n)
}

// fixedValue reports whether n reads no row: no column appears in it, only
// literals, operators, functions, casts, a routine's parameters and
// variables, and subqueries that read no column either. Its value is then
// the same for every row (or a random one, random()), though bulwark does
// not compute it: interval '1 day', abs(1), 1::numeric / 2, now(),
// (SELECT count(*) FROM t).
func (p *predicate) fixedValue(n *pg_query.Node) bool {
	return !anyNode(n.ProtoReflect(), func(m any) bool {
		switch x := m.(type) {
		case *pg_query.ColumnRef:
			return len(x.Fields) != 1 || !p.w.values[lastField(x)]
		case *pg_query.CurrentOfExpr:
			return true
		}
		return false
	})
}

// opaqueValue reports whether n is a fixed value (see fixedValue) that is
// not a literal or arithmetic of literals: a value bulwark does not read,
// as it does not read a bind parameter's.
func (p *predicate) opaqueValue(n *pg_query.Node) bool {
	c, _ := unwrapConstant(n)
	return c.GetAConst() == nil && !constantArithmetic(n, 0) && p.fixedValue(n)
}

// constantArithmetic reports whether n is +, -, *, / or % of literals
// only, by its shape alone: numberTerm reads its value, as an integer (see
// intConstant), or leaves the comparison undecided.
func constantArithmetic(n *pg_query.Node, depth int) bool {
	a := n.GetAExpr()
	if a == nil || depth > maxFoldDepth || a.Kind != pg_query.A_Expr_Kind_AEXPR_OP || len(a.Name) != 1 || a.Rexpr == nil {
		return false
	}
	switch lastName(a.Name) {
	case "+", "-", "*", "/", "%":
	default:
		return false
	}
	leaf := func(x *pg_query.Node) bool {
		c, _ := unwrapConstant(x)
		return c.GetAConst() != nil || constantArithmetic(c, depth+1)
	}
	return (a.Lexpr == nil || leaf(a.Lexpr)) && leaf(a.Rexpr)
}

// unwrapConstant strips casts and FROM-less scalar subqueries from n:
// (SELECT 1)::int is 1. cast says a cast was stripped.
func unwrapConstant(n *pg_query.Node) (inner *pg_query.Node, cast bool) {
	for {
		if tc := n.GetTypeCast(); tc != nil {
			n, cast = tc.Arg, true
			continue
		}
		if sl := n.GetSubLink(); sl != nil && sl.SubLinkType == pg_query.SubLinkType_EXPR_SUBLINK {
			if v := fromlessValue(sl.Subselect.GetSelectStmt()); v != nil {
				n = v
				continue
			}
		}
		return n, cast
	}
}

// sum adds up the terms exactly. free says a term may be any value (the
// value bound, a cast's rounding, or a value not computed here decides),
// fraction that a term is not a whole number; ok is false when a term is
// neither a number nor the same for every row.
func (p *predicate) sum(s offsetSum) (off *big.Rat, free, fraction, ok bool) {
	off = new(big.Rat)
	for _, t := range s.terms {
		if p.mayBeAny(t.n) {
			// Reading a parameter is reading the literal another text
			// of the same cache key holds in its place.
			p.w.literalSensitive = true
			free = true
			continue
		}
		c, exact := p.numberTerm(t.n)
		if c == nil && !isNullValue(t.n) && p.fixedValue(t.n) {
			// interval '1 day', abs(1): a value not read here, the
			// same for every row, decides.
			free = true
			continue
		}
		if c == nil {
			return nil, false, false, false
		}
		if !exact {
			free = true // 0.4::int: the cast rounds it
			continue
		}
		if t.minus {
			c.Neg(c)
		}
		off.Add(off, c)
		fraction = fraction || !c.IsInt()
	}
	return off, free, fraction, true
}

// numberTerm returns the exact value of a number literal (1, 1.5, 1e3,
// 0x10, (SELECT 1)), or nil. exact is false for a fraction under a cast,
// which may round it (0.4::int is 0, 0.6::int 1): only the server's
// rounding knows its value.
func (p *predicate) numberTerm(n *pg_query.Node) (value *big.Rat, exact bool) {
	if a := n.GetAExpr(); a != nil {
		// Integer arithmetic of constants: id + 2/2 is id + 1.
		if v, ok := intConstant(n); ok {
			p.w.literalSensitive = true
			return new(big.Rat).SetInt64(v), true
		}
		return nil, false
	}
	n, cast := unwrapConstant(n)
	c := n.GetAConst()
	if c == nil {
		return nil, false
	}
	var text string
	switch {
	case c.GetIval() != nil:
		p.w.literalSensitive = true
		return new(big.Rat).SetInt64(int64(c.GetIval().Ival)), true
	case c.GetFval() != nil:
		text = c.GetFval().Fval
	case c.GetSval() != nil:
		// Cast, or untyped: x + '1' reads '1' as x's type.
		text = strings.TrimSpace(c.GetSval().Sval)
		cast = true
	default:
		return nil, false
	}
	p.w.literalSensitive = true
	if strings.ContainsRune(text, '/') {
		return nil, false // a fraction a/b is no literal the server reads
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil, false
	}
	return r, r.IsInt() || !cast
}

// catalogOperator: an operator name written bare (+) or as the built-in's
// OPERATOR(pg_catalog.+).
func catalogOperator(name []*pg_query.Node) bool {
	return len(name) == 1 || len(name) == 2 && name[0].GetString_().GetSval() == "pg_catalog"
}

// compareOffsets decides a comparison (=, <>, <, <=, >, >=) of x + a with
// x + b for one expression x over the target row (the same, or the same
// for some value of a parameter: see alike): x < x + 1 and x + 1 > x are
// true, like x = x, for every row where x is not NULL; x = x + 1 and
// x < x - 1 for none. When an offset may be any value (x < x + $1) the
// value bound decides, the same for every row: the comparison is
// row-independent. So it is, on the safe side, where a cast may round a
// fractional offset (x = x + 0.4::int, (x - 0.4)::int = x: true for every
// integer x). On a float column x + 1 is x for huge values; refusing
// x < x + 1 there is the safe side too. ok is false when the two sides are
// not offsets of one expression.
func (p *predicate) compareOffsets(op string, l, r *pg_query.Node) (result, bool) {
	if !p.readsRow(l) || !p.readsRow(r) {
		return result{}, false // id = 5: nothing to read
	}
	ls, rs := p.offset(l), p.offset(r)
	if !p.baseReadsRow(ls) || !p.baseReadsRow(rs) || !p.alike(ls.base, rs.base) {
		return result{}, false
	}
	lo, lfree, lfrac, lok := p.sum(ls)
	ro, rfree, rfrac, rok := p.sum(rs)
	switch {
	case !lok || !rok:
		return result{}, false
	case lfree || rfree, (lfrac || rfrac) && (hasCast(l) || hasCast(r)):
		return result{scope: rowIndependent}, true
	}
	c := lo.Cmp(ro)
	switch op {
	case "=":
		return boolResult(c == 0), true
	case "<>", "!=":
		return boolResult(c != 0), true
	case "<":
		return boolResult(c < 0), true
	case "<=":
		return boolResult(c <= 0), true
	case ">":
		return boolResult(c > 0), true
	case ">=":
		return boolResult(c >= 0), true
	}
	return result{}, false
}

// readsRow reports whether n reads the target row: a column of the target,
// or of a joined-in copy of it (see predicate.selves), whose columns are
// the target's when compared, or a field of such a copy's row, (s).id or
// (s.t).id (see selfRowField). Comparing only those keeps t.id < u.id + 1
// from reading its literals.
func (p *predicate) readsRow(n *pg_query.Node) bool {
	if p.mentionsTarget(n) {
		return true
	}
	return len(p.selves) > 0 && anyNode(n.ProtoReflect(), func(m any) bool {
		if ind, ok := m.(*pg_query.A_Indirection); ok {
			return p.selfRowField(ind) != nil // (s).id, (s.t).id
		}
		c, ok := m.(*pg_query.ColumnRef)
		if !ok || len(c.Fields) < 2 {
			return false
		}
		_, self := p.selves[qualifier(c)]
		return self
	})
}

// baseReadsRow reports whether an offset's base reads the target row (see
// readsRow): a field of a joined-in copy's row, (s.t).id, does, though
// simplify reads it as the target's column unqualified.
func (p *predicate) baseReadsRow(s offsetSum) bool {
	return p.readsRow(s.base) || s.field != nil && p.readsRow(s.field)
}

// hasCast reports whether a cast stands anywhere in n.
func hasCast(n *pg_query.Node) bool {
	return anyNode(n.ProtoReflect(), func(m any) bool {
		_, ok := m.(*pg_query.TypeCast)
		return ok
	})
}

// betweenOffsets decides x BETWEEN a AND b (and NOT BETWEEN, SYMMETRIC)
// where a bound is an offset of x (see compareOffsets): x BETWEEN x - 1
// AND x + 1 is x >= x - 1 AND x <= x + 1, true for every row where x is
// not NULL. ok is false when neither bound is such an offset.
func (p *predicate) betweenOffsets(kind pg_query.A_Expr_Kind, x, lo, hi *pg_query.Node) (result, bool) {
	decided := false
	cmp := func(op string, bound *pg_query.Node) scope {
		if r, ok := p.compareOffsets(op, x, bound); ok {
			decided = true
			return r.scope
		}
		return rowDependent
	}
	none := func() bool { return false }
	within := func(lo, hi *pg_query.Node) scope {
		return sqlparse.Conjunction([]scope{cmp(">=", lo), cmp("<=", hi)}, none)
	}
	s := within(lo, hi)
	symmetric := kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM || kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM
	if symmetric {
		s = sqlparse.Disjunction([]scope{s, within(hi, lo)}, none)
	}
	if !decided {
		return result{}, false
	}
	r := fromScope(s)
	if kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN || kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM {
		r = not(r)
	}
	return r, true
}

// itemOffsets decides x IN (...), x op ANY (ARRAY[...]) and x op ALL
// (ARRAY[...]) where items are offsets of x (see compareOffsets): ANY (IN)
// holds when one comparison does, ALL (NOT IN is <> ALL) when every one
// does. x NOT IN (x + 1) and x < ANY (ARRAY[x + 1]) are true for every row
// where x is not NULL, x IN (x - 1, x + 1) for none. ok is false unless
// that decides the whole.
func (p *predicate) itemOffsets(e *pg_query.A_Expr) (result, bool) {
	op := lastName(e.Name)
	if len(e.Name) != 1 || !comparisonOps[op] || !p.mentionsTarget(e.Lexpr) {
		return result{}, false
	}
	var items []*pg_query.Node
	all := e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL
	if e.Kind == pg_query.A_Expr_Kind_AEXPR_IN {
		items, all = e.Rexpr.GetList().GetItems(), op != "="
	} else if elements, ok := p.arrayElements(e.Rexpr); ok {
		items = elements
	}
	if len(items) == 0 {
		return result{}, false
	}
	decided := false
	scopes := make([]scope, len(items))
	for i, item := range items {
		scopes[i] = rowDependent
		if r, ok := p.compareOffsets(op, e.Lexpr, item); ok {
			scopes[i], decided = r.scope, true
		}
	}
	if !decided {
		return result{}, false
	}
	none := func() bool { return false }
	s := sqlparse.Disjunction(scopes, none)
	if all {
		s = sqlparse.Conjunction(scopes, none)
	}
	if s == rowDependent {
		return result{}, false
	}
	return fromScope(s), true
}

// offsetNullTest returns x when l and r are x moved by different constants
// (see compareOffsets): x + 1 is NULL exactly where x is, so x IS NOT
// DISTINCT FROM x + 1 asserts x IS NULL, and IS DISTINCT FROM x IS NOT
// NULL. It returns nil otherwise.
func (p *predicate) offsetNullTest(l, r *pg_query.Node) *pg_query.Node {
	if v, ok := p.compareOffsets("=", l, r); !ok || v.scope != alwaysFalse {
		return nil
	}
	return p.offset(l).base
}

// extremeOffset reads greatest() or least() of one expression moved by
// constants (least(x, x + 1) is x, greatest(x, x - 1, x + 2) is x + 2): it
// returns the argument that wins, or nil when the arguments are not all
// the same base moved by exact numbers. NULL arguments are ignored, as the
// server does.
func (p *predicate) extremeOffset(m *pg_query.MinMaxExpr) *pg_query.Node {
	moved, ok := p.offsetsOfOne(m.Args)
	if !ok {
		return nil
	}
	var best *movedArg
	for i, a := range moved {
		if a.free {
			return nil
		}
		if i == 0 || m.Op == pg_query.MinMaxOp_IS_GREATEST && a.off.Cmp(best.off) > 0 ||
			m.Op == pg_query.MinMaxOp_IS_LEAST && a.off.Cmp(best.off) < 0 {
			best = &moved[i]
		}
	}
	p.w.literalSensitive = true // which argument wins is read from the literals
	return best.n
}

// movedArg is an argument read as a base moved by terms (see sum).
type movedArg struct {
	n    *pg_query.Node
	off  *big.Rat
	free bool
}

// offsetsOfOne reads every argument that is not NULL as the same
// expression of the target moved by constants or parameters (x, x + $1).
// ok is false when they are not, or when there is none.
func (p *predicate) offsetsOfOne(args []*pg_query.Node) (moved []movedArg, ok bool) {
	var base *pg_query.Node
	for _, a := range args {
		if isNullValue(a) {
			continue
		}
		s := p.offset(a)
		off, free, _, ok := p.sum(s)
		if !ok || !p.mentionsTarget(s.base) {
			return nil, false
		}
		if base == nil {
			base = s.base
		} else if !p.same(base, s.base) {
			return nil, false
		}
		moved = append(moved, movedArg{a, off, free})
	}
	return moved, base != nil
}

// movedBy reports whether b is a moved by a constant that is not zero
// (nullif(x, x + 1) is x: the two are never equal).
func (p *predicate) movedBy(a, b *pg_query.Node) bool {
	_, off, free, ok := p.movement(a, b)
	return ok && !free && off.Sign() != 0
}

// mayBeMoved reports whether b is a moved by a constant that is not zero
// or by a parameter, which may be bound to one (nullif(x, x + $1)).
func (p *predicate) mayBeMoved(a, b *pg_query.Node) bool {
	_, off, free, ok := p.movement(a, b)
	return ok && (free || off.Sign() != 0)
}

// difference reads (x + c) - x, moved - base, as c: the constant base is
// moved by, as a number, or the one parameter it is moved by ((x + $1) - x
// is $1). It returns nil for anything else.
func (p *predicate) difference(moved, base *pg_query.Node) *pg_query.Node {
	s, off, free, ok := p.movement(base, moved)
	switch {
	case !ok:
		return nil
	case free:
		if len(s.terms) == 1 && !s.terms[0].minus {
			return s.terms[0].n
		}
		return nil
	}
	return &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{
		Val: &pg_query.A_Const_Fval{Fval: &pg_query.Float{Fval: off.FloatString(20)}}}}}
}

// movement reads b as a moved by terms: the terms, their exact sum, and
// whether a parameter or a rounding is among them.
func (p *predicate) movement(a, b *pg_query.Node) (s offsetSum, off *big.Rat, free, ok bool) {
	s = p.offset(b)
	if len(s.terms) == 0 || !p.same(p.simplify(a), s.base) {
		return s, nil, false, false
	}
	off, free, _, ok = p.sum(s)
	if ok {
		p.w.literalSensitive = true // reads the offset
	}
	return s, off, free, ok
}

// rowOrder reads an ordering of two row values whose fields are the same
// expressions or one moved from the other, such as (id, k) < (id + 1, k).
// Rows compare field by field: the first pair that differs decides, and
// when every pair is the same, so is the comparison of x with itself.
func (p *predicate) rowOrder(op string, l, r *pg_query.Node) (result, bool) {
	lr, rr := l.GetRowExpr(), r.GetRowExpr()
	if lr == nil || rr == nil || len(lr.Args) != len(rr.Args) || (op != "<" && op != "<=" && op != ">" && op != ">=") {
		return result{}, false
	}
	strict := op[:1]
	for i := range lr.Args {
		if p.same(p.simplify(lr.Args[i]), p.simplify(rr.Args[i])) {
			continue
		}
		// This pair decides where it is not equal; it must not be
		// equal for any row.
		if eq, ok := p.compareOffsets("=", lr.Args[i], rr.Args[i]); !ok || eq.scope != alwaysFalse {
			if ok && eq.scope == rowIndependent {
				return eq, true
			}
			return result{}, false
		}
		return p.compareOffsets(strict, lr.Args[i], rr.Args[i])
	}
	return boolResult(op == "<=" || op == ">="), true
}
