package postgres

import (
	pg_query "github.com/pganalyze/pg_query_go/v5"
)

// Functions that return their argument unchanged for some of its values,
// which may be every value a column holds: lower(email) is email for every
// address stored in lower case, abs(id) is id for every positive key,
// round(n) is n for every integer, left(code, 255) is code for every value
// of a varchar(255) column, date_trunc('day', created) is created for every
// timestamp at midnight; so does a cast to a type with a length or
// precision, note::varchar(10) and price::numeric(10, 2). x = f(x) then bounds nothing bulwark can see:
// the column's values decide, and for common columns they are all kept.
// x <> f(x) is the filter it reads as: the values f changes (the e-mails
// not yet in lower case), or none.

// keepingFunctions are the functions of one argument that keep some
// values of it (the first argument, when more are allowed).
var keepingFunctions = map[string]struct{ minArgs, maxArgs int }{
	"lower": {1, 1}, "upper": {1, 1}, "initcap": {1, 1}, "normalize": {1, 2},
	"btrim": {1, 2}, "ltrim": {1, 2}, "rtrim": {1, 2},
	"abs": {1, 1}, "floor": {1, 1}, "ceil": {1, 1}, "ceiling": {1, 1}, "round": {1, 2}, "trunc": {1, 2},
	"left": {2, 2}, "right": {2, 2}, "lpad": {2, 3}, "rpad": {2, 3}, "substr": {3, 3}, "substring": {3, 3},
	"replace": {3, 3}, "translate": {3, 3}, "regexp_replace": {3, 4}, "split_part": {3, 3},
	"date_trunc": {2, 3}, // of its second argument
}

// partialIdentity reports whether f is a call that returns x itself for
// some values of x (see keepingFunctions), or a cast of x: its first
// argument (date_trunc's second) is x and the others do not depend on the
// row; a length (left, right, lpad, rpad,
// substr from 1) is not a number below 1, and split_part takes the first
// or last field.
func (p *predicate) partialIdentity(x, f *pg_query.Node) bool {
	if tc := f.GetTypeCast(); tc != nil {
		// x::varchar(10), x::numeric(10, 2): the values the type keeps.
		return p.mentionsTarget(x) && p.same(p.simplify(tc.Arg), x)
	}
	call := f.GetFuncCall()
	if call == nil || !p.mentionsTarget(x) || !catalogOperator(call.Funcname) || call.AggStar || call.AggDistinct ||
		call.FuncVariadic || call.Over != nil || call.AggFilter != nil || len(call.AggOrder) > 0 {
		return false
	}
	name := lastName(call.Funcname)
	arity, ok := keepingFunctions[name]
	at := 0 // the argument returned
	if name == "date_trunc" {
		at = 1 // date_trunc('day', created)
	}
	if !ok || len(call.Args) < arity.minArgs || len(call.Args) > arity.maxArgs || !p.same(p.simplify(call.Args[at]), x) {
		return false
	}
	for i, a := range call.Args {
		if a.GetNamedArgExpr() != nil || i != at && p.mentionsTarget(a) {
			return false
		}
	}
	// Which lengths, positions and fields keep values is read from the
	// literals.
	p.w.literalSensitive = true
	positive := func(n *pg_query.Node) bool {
		v, ok := intConstant(n)
		return !ok || v >= 1 // a parameter may be any length
	}
	switch name {
	case "left", "right", "lpad", "rpad":
		return positive(call.Args[1])
	case "substr", "substring":
		v, ok := intConstant(call.Args[1])
		return ok && v == 1 && positive(call.Args[2])
	case "split_part":
		v, ok := intConstant(call.Args[2])
		return ok && (v == 1 || v == -1)
	}
	return true
}

// ownLength reports whether n is x's length in characters: length(x),
// char_length(x) or character_length(x) (see returnedArgument).
func (p *predicate) ownLength(n, x *pg_query.Node) bool {
	f := n.GetFuncCall()
	if f == nil || !catalogOperator(f.Funcname) || len(f.Args) != 1 || f.AggStar || f.Over != nil || f.AggFilter != nil {
		return false
	}
	switch lastName(f.Funcname) {
	case "length", "char_length", "character_length":
		return p.same(p.simplify(f.Args[0]), p.simplify(x))
	}
	return false
}

// keepingComparison reports whether l op r compares an expression over the
// row with a call that keeps some of its values (see partialIdentity),
// either way round, by =, <= or >=: it then holds for the values kept.
func (p *predicate) keepingComparison(op string, l, r *pg_query.Node) bool {
	return reflexiveOps[op] && (p.partialIdentity(l, r) || p.partialIdentity(r, l))
}

// negatedPartialIdentity reads NOT (x <> lower(x)) as x = lower(x), which
// it is (see keepingComparison); ok is false for any other negation.
func (p *predicate) negatedPartialIdentity(n *pg_query.Node) (result, bool) {
	e := n.GetAExpr()
	if e == nil || e.Kind != pg_query.A_Expr_Kind_AEXPR_OP || !catalogOperator(e.Name) || e.Lexpr == nil || e.Rexpr == nil {
		return result{}, false
	}
	op := negatedOp[lastName(e.Name)]
	if p.keepingComparison(op, p.simplify(e.Lexpr), p.simplify(e.Rexpr)) {
		return result{scope: rowIndependent}, true
	}
	return result{}, false
}
