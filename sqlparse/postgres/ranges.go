package postgres

import (
	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// rangeConstructors are the built-in range types, whose name called as a
// function builds a range from its bounds and, third, which of them it
// includes ("[)" when not given).
var rangeConstructors = map[string]bool{
	"int4range": true, "int8range": true, "numrange": true, "tsrange": true, "tstzrange": true, "daterange": true,
}

// rangeFlags are the bound inclusions a range constructor accepts.
var rangeFlags = []string{"[)", "[]", "(]", "()"}

// rangeCall returns n with the casts to a built-in range type around it
// taken away, which leave a range as it is (int4range(x, x, '[]')::int4range),
// and a FROM-less SELECT of it read as its value.
func rangeCall(n *pg_query.Node) *pg_query.Node {
	for range maxFoldDepth {
		if tc := n.GetTypeCast(); tc != nil && tc.TypeName != nil && len(tc.TypeName.ArrayBounds) == 0 &&
			rangeConstructors[lastName(tc.TypeName.Names)] {
			n = tc.Arg
			continue
		}
		if sl := n.GetSubLink(); sl != nil && sl.SubLinkType == pg_query.SubLinkType_EXPR_SUBLINK {
			if v := fromlessValue(sl.Subselect.GetSelectStmt()); v != nil {
				n = v
				continue
			}
		}
		break
	}
	return n
}

// rangeContains decides whether a range built around a value contains it:
// int4range(x, x, '[]') @> x and x <@ int4range(x - 1, x + 1) hold for every
// row where x is not NULL, the standard of x = x. The range holds x when x
// is past its lower bound and before its upper one (on, for an included
// bound), and a missing (NULL) bound holds every value; each bound is
// compared with x as compareOffsets compares offsets of one expression, so
// int4range(x, x) @> x (the empty range) and int4range(x + 1, x + 5) @> x
// hold for no row, and with a parameter, int4range(x, x + $1), the value
// bound decides for every row alike. A parameter as the inclusion decides
// alike too unless every inclusion gives the same. ok is false when no
// bound is read that way, as in int4range(1, 10) @> x. The range may be
// cast to its own type, or selected (see rangeCall).
func (p *predicate) rangeContains(e *pg_query.A_Expr) (result, bool) {
	op := lastName(e.Name)
	if e.Kind != pg_query.A_Expr_Kind_AEXPR_OP || !catalogOperator(e.Name) || (op != "@>" && op != "<@") || e.Lexpr == nil || e.Rexpr == nil {
		return result{}, false
	}
	rng, x := e.Lexpr, e.Rexpr
	if op == "<@" {
		rng, x = x, rng
	}
	f := rangeCall(rng).GetFuncCall()
	if f == nil || !catalogOperator(f.Funcname) || !rangeConstructors[lastName(f.Funcname)] || len(f.Args) < 2 || len(f.Args) > 3 ||
		f.AggStar || f.AggDistinct || f.FuncVariadic || f.Over != nil || f.AggFilter != nil || len(f.AggOrder) > 0 || !p.readsRow(x) {
		return result{}, false
	}
	for _, a := range f.Args {
		if a.GetNamedArgExpr() != nil {
			return result{}, false
		}
	}
	flags := rangeFlags[:1]
	if len(f.Args) == 3 {
		p.w.literalSensitive = true // reads the inclusion
		c, _ := unwrapConstant(f.Args[2])
		switch {
		case p.mayBeAny(f.Args[2]):
			flags = rangeFlags
		case c.GetAConst() != nil && c.GetAConst().GetSval() != nil:
			v := c.GetAConst().GetSval().Sval
			flags = nil
			for _, fl := range rangeFlags {
				if v == fl {
					flags = []string{fl}
				}
			}
			if flags == nil {
				return result{}, false // the server refuses it
			}
		default:
			return result{}, false
		}
	}
	decided := false
	bound := func(op string, b *pg_query.Node) scope {
		if isNullValue(b) {
			decided = true
			return alwaysTrue // unbounded on that side
		}
		if r, ok := p.compareOffsets(op, x, b); ok {
			decided = true
			return r.scope
		}
		return rowDependent
	}
	none := func() bool { return false }
	var scopes []scope
	for _, fl := range flags {
		lower, upper := ">", "<"
		if fl[0] == '[' {
			lower = ">="
		}
		if fl[1] == ']' {
			upper = "<="
		}
		scopes = append(scopes, sqlparse.Conjunction([]scope{bound(lower, f.Args[0]), bound(upper, f.Args[1])}, none))
	}
	if !decided {
		return result{}, false
	}
	s := scopes[0]
	for _, o := range scopes[1:] {
		switch {
		case o == s:
		case o == rowDependent || s == rowDependent:
			return result{scope: rowDependent}, true
		default:
			s = rowIndependent // the inclusion bound decides
		}
	}
	return fromScope(s), true
}
