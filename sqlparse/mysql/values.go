package mysql

import (
	"math/big"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// sameness says how certainly two expressions have the same value.
type sameness int

const (
	notSame sameness = iota
	// maybeSame: the same for some value of a parameter, a user variable
	// or another value that does not depend on the row (COALESCE(?, x)
	// is x when ? is NULL), or for some column types or values (x | 0 is
	// x for a non-negative integer): a comparison of the two may be true
	// for every row, and so it does not bound the statement.
	maybeSame
	// surelySame: the same tree once parentheses and identity
	// operations are removed (see simplify).
	surelySame
)

// maxForms bounds the forms an expression is read in (see forms).
const maxForms = 16

// sameness compares two expressions in every form they can take.
func (p *predicate) sameness(a, b ast.ExprNode) sameness {
	p.w.literalSensitive = true // the forms read literals (x | 0)
	if p.same(a, b) {
		return surelySame
	}
	as, bs := p.forms(a, nil, 0), p.forms(b, nil, 0)
	for _, x := range as {
		for _, y := range bs {
			if p.same(x, y) {
				return maybeSame
			}
		}
	}
	return notSame
}

// free reports whether an expression is a value that does not depend on
// the row and is not known here: a parameter, a user variable, a stored
// routine's variable, a column of another table, a subquery. It may be
// any value, NULL included, when the statement runs.
func (p *predicate) free(n ast.ExprNode) bool {
	r := p.eval(n)
	return r.scope != rowDependent && r.k == nil
}

// forms returns the expression (simplified) and the expressions it
// becomes for some value of what is free in it, or for some column types:
// COALESCE(?, x) and IFNULL(?, x) become x when ? is NULL, IF(?, x, y)
// and CASE WHEN ? THEN x ELSE y END become x or y, NULLIF(x, ?) becomes
// x, ELT(?, x, y) x or y; x | 0, x >> 0, ~~x, x DIV 1, ABS(x), ROUND(x),
// CAST(x AS SIGNED) and the like are x for an integer (a non-negative
// one for the bit operations, ABS and CONV(x, 10, 10)); DATE(x) is x for
// every value of a DATE column and every DATETIME at midnight; TRIM(x), LOWER(x)
// and UPPER(x) are x for some strings (every string, in a case-insensitive
// collation), SUBSTRING_INDEX(x, d, n) for those with fewer than n
// delimiters (n also written as a string, '1'), LPAD(x, n, p) and RPAD
// for those n characters long, and LEFT(x, n), RIGHT and SUBSTRING(x, 1,
// n) for those at most n characters long (see keepsLength).
func (p *predicate) forms(n ast.ExprNode, out []ast.ExprNode, depth int) []ast.ExprNode {
	n = p.simplify(n)
	out = append(out, n)
	if depth > 3 {
		return out
	}
	for _, m := range p.alternatives(n) {
		if len(out) >= maxForms {
			break
		}
		out = p.forms(m, out, depth+1)
	}
	return out
}

// alternatives lists what n may become (see forms), one level deep.
func (p *predicate) alternatives(n ast.ExprNode) []ast.ExprNode {
	if out := p.freeIdentities(n); len(out) > 0 {
		return out
	}
	switch e := n.(type) {
	case *ast.FuncCallExpr:
		switch e.FnName.L {
		case "coalesce", "ifnull":
			// Each argument after free ones that may be NULL.
			var out []ast.ExprNode
			for i, a := range e.Args {
				if i > 0 {
					out = append(out, a)
				}
				if !p.free(a) && !isNullLiteral(a) {
					break
				}
			}
			return out
		case "if":
			if len(e.Args) == 3 && p.free(e.Args[0]) {
				return []ast.ExprNode{e.Args[1], e.Args[2]}
			}
		case "nullif":
			if len(e.Args) == 2 && p.free(e.Args[1]) {
				return e.Args[:1]
			}
		case "elt":
			if len(e.Args) > 1 && p.free(e.Args[0]) {
				return e.Args[1:]
			}
		case "abs", "round", "floor", "ceil", "ceiling", "trim", "ltrim", "rtrim", "lower", "lcase", "upper", "ucase", "date":
			if len(e.Args) == 1 {
				return e.Args
			}
			if len(e.Args) == 2 && e.FnName.L == "round" && isInt(e.Args[1], 0) {
				return e.Args[:1]
			}
		case "truncate":
			if len(e.Args) == 2 && isInt(e.Args[1], 0) {
				return e.Args[:1]
			}
		case "pow", "power":
			if len(e.Args) == 2 && isInt(e.Args[1], 1) {
				return e.Args[:1]
			}
		case "substring_index":
			// x where x holds fewer than |n| delimiters (n not 0).
			if len(e.Args) == 3 && isLiteral(e.Args[1]) && !isEmptyString(e.Args[1]) && (nonZeroInt(e.Args[2]) || nonZeroIntString(e.Args[2])) {
				return e.Args[:1]
			}
		case "lpad", "rpad":
			// x where x is n characters long, whatever the pad (with an
			// empty one, NULL where shorter): every row of a column of
			// fixed-length codes.
			if len(e.Args) == 3 && p.eval(e.Args[1]).scope != rowDependent && p.eval(e.Args[2]).scope != rowDependent {
				return e.Args[:1]
			}
		case "conv":
			// CONV(x, 10, 10) is x for a non-negative integer.
			if len(e.Args) == 3 && isLiteral(e.Args[1]) && isLiteral(e.Args[2]) && p.same(p.simplify(e.Args[1]), p.simplify(e.Args[2])) {
				return e.Args[:1]
			}
		case "left", "right", "substring", "substr", "mid":
			// x for every string no longer than the length: every row
			// of a VARCHAR(255) column for LEFT(x, 255), of any column
			// for SUBSTRING(x, 1, 65535) or LEFT(x, LENGTH(x)).
			switch {
			case len(e.Args) == 2 && (e.FnName.L == "left" || e.FnName.L == "right") && p.keepsLength(e.Args[1], e.Args[0]):
				return e.Args[:1]
			case len(e.Args) == 3 && e.FnName.L != "left" && e.FnName.L != "right" && isInt(e.Args[1], 1) && p.keepsLength(e.Args[2], e.Args[0]):
				return e.Args[:1]
			}
		case "json_extract":
			if len(e.Args) == 2 {
				if v, ok := unparen(e.Args[1]).(*driver.ValueExpr); ok && v.Kind() == driver.KindString && v.GetString() == "$" {
					return e.Args[:1]
				}
			}
		}
	case *ast.CaseExpr:
		if e.Value != nil {
			return nil
		}
		var out []ast.ExprNode
		for _, wc := range e.WhenClauses {
			switch r := p.eval(wc.Expr); {
			case r.scope == alwaysFalse:
				continue
			case r.scope == alwaysTrue:
				return append(out, wc.Result)
			case r.scope == rowIndependent:
				out = append(out, wc.Result)
				continue
			}
			return out // a branch the row picks
		}
		if e.ElseClause != nil {
			out = append(out, e.ElseClause)
		}
		return out
	case *ast.BinaryOperationExpr:
		switch e.Op {
		case opcode.Or, opcode.Xor, opcode.LeftShift, opcode.RightShift:
			if isInt(e.R, 0) {
				return []ast.ExprNode{e.L}
			}
			if isInt(e.L, 0) && (e.Op == opcode.Or || e.Op == opcode.Xor) {
				return []ast.ExprNode{e.R}
			}
		case opcode.And:
			if p.same(e.L, e.R) {
				return []ast.ExprNode{e.L}
			}
		case opcode.IntDiv, opcode.Div:
			if isInt(e.R, 1) {
				return []ast.ExprNode{e.L}
			}
		}
	case *ast.UnaryOperationExpr:
		if v, ok := unparen(e.V).(*ast.UnaryOperationExpr); ok && e.Op == opcode.BitNeg && v.Op == opcode.BitNeg {
			return []ast.ExprNode{v.V}
		}
	case *ast.FuncCastExpr:
		return []ast.ExprNode{e.Expr}
	}
	return nil
}

// freeIdentities lists what n becomes for some value of a free operand
// (see free) that makes its operation an identity: x + ?, ? + x and
// x - ? are x when ? is 0, x * ?, ? * x, x / ?, x DIV ? and POW(x, ?)
// when ? is 1, x | ?, x ^ ?, x << ? and x >> ? when ? is 0, x & ? when
// ? has every bit set, x MOD ? when ? is above x; CONCAT(?, x) and
// CONCAT_WS(?, ?, x) are x when the others are the empty string (or NULL, skipped);
// LEAST(x, ?) and GREATEST(x, ?) x when ? is an extreme value;
// REPLACE(x, ?, y) x when ? is the empty string (REPLACE(x, y, ?) when ? is y);
// SUBSTRING(x, ?), LEFT(x, ?), RIGHT(x, ?), SUBSTRING_INDEX(x, ?, ?),
// INSERT(x, ?, ...), ROUND(x, ?), TRUNCATE(x, ?) and TRIM(? FROM x) x
// for a position, a length or a count that keeps every character or
// digit, CONV(x, ?, ?) for the same base on both sides; CASE ? WHEN k THEN x ... any branch whose WHEN the value may
// equal.
func (p *predicate) freeIdentities(n ast.ExprNode) []ast.ExprNode {
	switch e := n.(type) {
	case *ast.BinaryOperationExpr:
		switch e.Op {
		case opcode.Plus, opcode.Mul, opcode.Or, opcode.Xor, opcode.And:
			if p.free(e.R) {
				return []ast.ExprNode{e.L}
			}
			if p.free(e.L) {
				return []ast.ExprNode{e.R}
			}
		case opcode.Minus, opcode.Div, opcode.IntDiv, opcode.Mod, opcode.LeftShift, opcode.RightShift:
			if p.free(e.R) {
				return []ast.ExprNode{e.L}
			}
		}
	case *ast.FuncCallExpr:
		switch e.FnName.L {
		case "concat", "least", "greatest":
			return p.onlyBound(e.Args)
		case "concat_ws":
			if len(e.Args) > 1 {
				return p.onlyBound(e.Args[1:])
			}
		case "replace":
			if len(e.Args) == 3 && (p.free(e.Args[1]) || p.free(e.Args[2])) {
				return e.Args[:1]
			}
		case "pow", "power", "mod", "round", "truncate", "substring", "substr", "mid", "left", "right",
			"substring_index", ast.InsertFunc, "conv":
			for _, a := range e.Args[1:] {
				if p.free(a) {
					return e.Args[:1]
				}
			}
		case "trim", "ltrim", "rtrim":
			if len(e.Args) > 1 && p.free(e.Args[1]) {
				return e.Args[:1]
			}
		}
	case *ast.CaseExpr:
		if e.Value == nil || !p.free(e.Value) {
			return nil
		}
		var out []ast.ExprNode
		for _, wc := range e.WhenClauses {
			if p.eval(wc.Expr).scope == rowDependent {
				return out // a branch the row picks
			}
			out = append(out, wc.Result)
		}
		if e.ElseClause != nil {
			out = append(out, e.ElseClause)
		}
		return out
	}
	return nil
}

// onlyBound returns the one argument that is not free when every other
// one is (CONCAT(?, x) is x when ? is the empty string; LEAST(x, ?) when ? is the
// largest value); nil otherwise.
func (p *predicate) onlyBound(args []ast.ExprNode) []ast.ExprNode {
	var bound ast.ExprNode
	for _, a := range args {
		if p.free(a) {
			continue
		}
		if bound != nil {
			return nil
		}
		bound = a
	}
	if bound == nil {
		return nil
	}
	return []ast.ExprNode{bound}
}

func isNullLiteral(n ast.ExprNode) bool {
	v, ok := unparen(n).(*driver.ValueExpr)
	return ok && v.Kind() == driver.KindNull
}

// certainIdentity returns what n surely is, for every value that is not
// NULL, when that is simpler: COALESCE(NULL, x) and IFNULL(NULL, x) are x
// (see identityOperand for a first argument that is not NULL),
// NULLIF(x, NULL) and ELT(1, x) are x, CASE WHEN 1 THEN x END is x,
// -(-x), REVERSE(REVERSE(x)), SUBSTRING(x, 1), CONCAT_WS(s, x),
// INSERT(x, p, 0, ...) with nothing to insert, INSERT(x, 0, ...),
// REPLACE(x, ”, ”) and BINARY x are x (as values compared: a number
// turned into a string is compared as a number again); nil otherwise.
func (p *predicate) certainIdentity(n ast.ExprNode) ast.ExprNode {
	p.w.literalSensitive = true // SUBSTRING(x, 1) is x, SUBSTRING(x, 2) not
	switch e := n.(type) {
	case *ast.FuncCallExpr:
		switch e.FnName.L {
		case "ifnull", "coalesce":
			for i, a := range e.Args {
				if isNullLiteral(a) && i < len(e.Args)-1 {
					continue
				}
				if i == 0 || (p.free(a) && i < len(e.Args)-1) {
					return nil // read as it is, or in its forms
				}
				return a
			}
		case "nullif":
			if len(e.Args) == 2 && isNullLiteral(e.Args[1]) {
				return e.Args[0]
			}
		case "elt":
			if len(e.Args) > 1 {
				if r := p.eval(e.Args[0]); r.k != nil && r.k.kind == 'n' && r.k.num.IsInt() {
					if i := r.k.num.Num(); i.IsInt64() && i.Int64() >= 1 && i.Int64() < int64(len(e.Args)) {
						return e.Args[i.Int64()]
					}
				}
			}
		case "reverse":
			if len(e.Args) == 1 {
				if in, ok := unparen(e.Args[0]).(*ast.FuncCallExpr); ok && in.FnName.L == "reverse" && len(in.Args) == 1 {
					return in.Args[0]
				}
			}
		case "substring", "substr", "mid":
			if len(e.Args) == 2 && isInt(e.Args[1], 1) {
				return e.Args[0]
			}
		case "concat_ws":
			if len(e.Args) == 2 {
				return e.Args[1]
			}
		case ast.InsertFunc:
			// INSERT(x, p, 0, '') inserts nothing; a position below 1 is
			// not within x, which is then returned as it is.
			if len(e.Args) == 4 && (isInt(e.Args[2], 0) && isEmptyString(e.Args[3]) || nonPositiveInt(e.Args[1])) {
				return e.Args[0]
			}
		case "replace":
			if len(e.Args) == 3 && isEmptyString(e.Args[1]) {
				return e.Args[0]
			}
		case "last_insert_id":
			// LAST_INSERT_ID(x) returns x (and remembers it).
			if len(e.Args) == 1 {
				return e.Args[0]
			}
		case "if":
			if len(e.Args) == 3 {
				x, r := p.simplify(e.Args[2]), p.simplify(e.Args[1])
				if p.same(r, x) || p.mentionsTarget(x) && (p.equalityYields(e.Args[0], x, r) || p.isNullOf(e.Args[0], x)) {
					return e.Args[2] // IF(c, x, x), IF(x = 1, 1, x), IF(x IS NULL, 0, x)
				}
			}
		}
	case *ast.VariableExpr:
		// (@v := x) is x.
		if !e.IsSystem && e.Value != nil {
			return e.Value
		}
	case *ast.BinaryOperationExpr:
		// x | x and x & x are x.
		if (e.Op == opcode.Or || e.Op == opcode.And) && p.same(p.simplify(e.L), p.simplify(e.R)) {
			return e.L
		}
	case *ast.CaseExpr:
		if x := p.identityCase(e); x != nil {
			return x
		}
		if e.Value != nil {
			return nil
		}
		for _, wc := range e.WhenClauses {
			switch p.eval(wc.Expr).scope {
			case alwaysFalse:
				continue
			case alwaysTrue:
				return wc.Result
			}
			return nil
		}
		return e.ElseClause // nil (NULL) without ELSE: not simpler
	case *ast.UnaryOperationExpr:
		if v, ok := unparen(e.V).(*ast.UnaryOperationExpr); ok && e.Op == opcode.Minus && v.Op == opcode.Minus {
			return v.V
		}
	case *ast.FuncCastExpr:
		if e.FunctionType == ast.CastBinaryOperator {
			return e.Expr
		}
	}
	return nil
}

// intLiteral returns the value of an integer literal, possibly negated
// (-1); ok is false for anything else, an integer beyond int64 included.
func intLiteral(n ast.ExprNode) (v int64, ok bool) {
	neg := false
	for {
		u, isUnary := unparen(n).(*ast.UnaryOperationExpr)
		if !isUnary || u.Op != opcode.Minus {
			break
		}
		neg, n = !neg, u.V
	}
	lit, isLit := unparen(n).(*driver.ValueExpr)
	if !isLit || lit.Kind() != driver.KindInt64 {
		return 0, false
	}
	if v = lit.GetInt64(); neg {
		v = -v
	}
	return v, true
}

// nonPositiveInt: n is an integer literal of 0 or less.
func nonPositiveInt(n ast.ExprNode) bool {
	v, ok := intLiteral(n)
	return ok && v <= 0
}

// nonZeroInt: n is an integer literal other than 0 (a large unsigned one
// included).
func nonZeroInt(n ast.ExprNode) bool {
	if v, ok := intLiteral(n); ok {
		return v != 0
	}
	v, ok := unparen(n).(*driver.ValueExpr)
	return ok && v.Kind() == driver.KindUint64 && v.GetUint64() != 0
}

// nonZeroIntString: n is a string literal the server reads as a non-zero
// integer where one is wanted: digits, a sign and surrounding spaces
// ('1', ' -2 ').
func nonZeroIntString(n ast.ExprNode) bool {
	v, ok := unparen(n).(*driver.ValueExpr)
	if !ok || v.Kind() != driver.KindString {
		return false
	}
	s := strings.TrimSpace(v.GetString())
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return false
	}
	return strings.Trim(s, "0") != ""
}

// keepsLength reports whether taking n characters of x keeps some values
// of x whole, which may be all of a column's: a positive integer literal
// (every value of a VARCHAR(n) column, and of any VARCHAR or TEXT column
// from 65535 on), a value the row does not decide (a parameter, as bound to
// a large one), or x's own length, LENGTH(x) or CHAR_LENGTH(x), which
// keeps every value.
func (p *predicate) keepsLength(n, x ast.ExprNode) bool {
	if f, ok := unparen(n).(*ast.FuncCallExpr); ok && len(f.Args) == 1 {
		switch f.FnName.L {
		case "length", "char_length", "character_length", "octet_length":
			return p.same(p.simplify(f.Args[0]), p.simplify(x))
		}
	}
	if v, ok := unparen(n).(*driver.ValueExpr); ok {
		switch v.Kind() {
		case driver.KindInt64:
			return v.GetInt64() >= 1
		case driver.KindUint64:
			return v.GetUint64() >= 1
		}
		return false
	}
	if v, ok := intLiteral(n); ok {
		return v >= 1 // -5
	}
	return p.eval(n).scope != rowDependent && p.free(n)
}

func isEmptyString(n ast.ExprNode) bool {
	v, ok := unparen(n).(*driver.ValueExpr)
	return ok && (v.Kind() == driver.KindString || v.Kind() == driver.KindBytes) && v.GetString() == ""
}

// identityCase returns x when a CASE yields x whichever branch it takes:
// every result is x (CASE WHEN x > 0 THEN x ELSE x END), or, in the simple
// CASE x WHEN v THEN v ELSE x END, the value x matched. It returns nil
// otherwise; without ELSE the CASE yields NULL where no branch is taken.
func (p *predicate) identityCase(c *ast.CaseExpr) ast.ExprNode {
	if c.ElseClause == nil {
		return nil
	}
	x := p.simplify(c.ElseClause)
	if !p.mentionsTarget(x) || c.Value != nil && !p.same(p.simplify(c.Value), x) {
		return nil
	}
	for _, wc := range c.WhenClauses {
		r := p.simplify(wc.Result)
		if !p.same(r, x) && !(c.Value != nil && p.same(r, p.simplify(wc.Expr))) && !(c.Value == nil && p.equalityYields(wc.Expr, x, r)) {
			return nil
		}
	}
	return x
}

// isNullOf reports whether a condition is x IS NULL: where it is false,
// IF(x IS NULL, v, x) is x, as IFNULL(x, v) is.
func (p *predicate) isNullOf(cond, x ast.ExprNode) bool {
	e, ok := unparen(cond).(*ast.IsNullExpr)
	return ok && !e.Not && p.same(p.simplify(e.Expr), x)
}

// equalityYields reports whether a condition is x = r (either way round),
// under which r is x: CASE WHEN x = 1 THEN 1 ELSE x END, IF(x = 1, 1, x).
func (p *predicate) equalityYields(cond, x, r ast.ExprNode) bool {
	e, ok := unparen(cond).(*ast.BinaryOperationExpr)
	if !ok || e.Op != opcode.EQ {
		return false
	}
	l, rr := p.simplify(e.L), p.simplify(e.R)
	return p.same(l, x) && p.same(rr, r) || p.same(rr, x) && p.same(l, r)
}

// offset reads n as base + c for a number literal c (x + 1, x - 2, 1 + x);
// c is 0 for anything else. moved says a term was taken off (x + 0 too),
// free that one was a value chosen at run time (x + ? - 1, x + @v), whose
// value the offset then is not, or an interval (see movedTime).
func (p *predicate) offset(n ast.ExprNode) (base ast.ExprNode, off *big.Rat, moved, free bool) {
	off = new(big.Rat)
	for i := 0; i < 64; i++ {
		n = p.simplify(n)
		if t := p.movedTime(n); t != nil {
			n, moved, free = t, true, true
			continue
		}
		b, ok := n.(*ast.BinaryOperationExpr)
		if !ok || (b.Op != opcode.Plus && b.Op != opcode.Minus) {
			break
		}
		if p.mentionsTarget(b.L) && p.free(b.R) {
			n, moved, free = b.L, true, true
			continue
		}
		if c := p.numberLiteral(b.R); c != nil {
			if b.Op == opcode.Minus {
				c = new(big.Rat).Neg(c)
			}
			off.Add(off, c)
			n, moved = b.L, true
			continue
		}
		if c := p.numberLiteral(b.L); c != nil && b.Op == opcode.Plus {
			off.Add(off, c)
			n, moved = b.R, true
			continue
		}
		break
	}
	return n, off, moved, free
}

// movedTime returns x for a time value x moved by an interval that does
// not depend on the row: x + INTERVAL 1 DAY and x - INTERVAL 1 DAY (which
// the parser reads as DATE_ADD and DATE_SUB), DATE_ADD(x, INTERVAL 1
// HOUR), ADDDATE(x, 1), SUBDATE, TIMESTAMPADD(DAY, 1, x). Which way and
// how far it moves x (a month is not a fixed number of days) is not read
// here: the interval's value decides a comparison with x for every row
// alike. It returns nil for anything else.
func (p *predicate) movedTime(n ast.ExprNode) ast.ExprNode {
	f, ok := n.(*ast.FuncCallExpr)
	if !ok || len(f.Args) != 3 {
		return nil
	}
	var x, amount ast.ExprNode
	switch f.FnName.L {
	case "date_add", "date_sub", "adddate", "subdate":
		x, amount = f.Args[0], f.Args[1]
	case "timestampadd":
		x, amount = f.Args[2], f.Args[1]
	default:
		return nil
	}
	if p.eval(amount).scope == rowDependent {
		return nil
	}
	return x
}

// numberLiteral returns the value of a constant added to a column: a
// number literal, a double among them (x + 1e0 is computed as a double,
// which can round away an offset only on values beyond 2^53: refusing such
// a comparison is the safe side), a string as the server converts it in
// arithmetic ('1' is 1, 'abc' 0), and either negated (-(-1)). It returns
// nil for anything else.
func (p *predicate) numberLiteral(n ast.ExprNode) *big.Rat {
	n = unparen(n)
	if u, ok := n.(*ast.UnaryOperationExpr); ok && (u.Op == opcode.Minus || u.Op == opcode.Plus) {
		v := p.numberLiteral(u.V)
		if v != nil && u.Op == opcode.Minus {
			v = new(big.Rat).Neg(v)
		}
		return v
	}
	v, ok := n.(*driver.ValueExpr)
	if !ok {
		return nil
	}
	r := p.constant(v)
	switch {
	case r.k == nil:
	case r.k.kind == 'n':
		return r.k.num
	case r.k.kind == 's':
		if num, _, ok := stringPrefixNumber(r.k.str); ok {
			return num
		}
	}
	return nil
}

// compareOffsets decides a comparison of x + a with x + b (x + 1 > x,
// x < x + 1): as x = x, for every row where x is not NULL. ok is false
// when the two are not the same base.
func (p *predicate) compareOffsets(op opcode.Op, l, r ast.ExprNode) (result, bool) {
	lb, lo, lmoved, lfree := p.offset(l)
	rb, ro, rmoved, rfree := p.offset(r)
	if !lmoved && !rmoved || !p.same(lb, rb) || !p.mentionsTarget(lb) {
		return result{}, false
	}
	if lfree || rfree {
		// x = x + ? - 1: the value bound decides, for every row alike.
		return result{scope: rowIndependent}, true
	}
	c := lo.Cmp(ro)
	switch op {
	case opcode.EQ, opcode.NullEQ:
		return boolResult(c == 0), true
	case opcode.NE:
		return boolResult(c != 0), true
	case opcode.LT:
		return boolResult(c < 0), true
	case opcode.LE:
		return boolResult(c <= 0), true
	case opcode.GT:
		return boolResult(c > 0), true
	case opcode.GE:
		return boolResult(c >= 0), true
	}
	return result{}, false
}

// maybeIntegerConstant recognises x % 1 and MOD(x, 1): 0 for every
// integer x, so it does not depend on an integer row.
// The caller has marked the verdict literal-sensitive.
func maybeIntegerConstant(n ast.ExprNode) bool {
	switch e := unparen(n).(type) {
	case *ast.BinaryOperationExpr:
		return e.Op == opcode.Mod && isInt(e.R, 1)
	case *ast.FuncCallExpr:
		return e.FnName.L == "mod" && len(e.Args) == 2 && isInt(e.Args[1], 1)
	}
	return false
}

// withoutSubqueries returns the conjuncts of a condition that hold no
// subquery, ANDed (nil when there is none): when they are false, so is the
// whole. emptyQuery reads only those: reading a nested subquery there as
// well as where the subquery itself is judged would read each level of a
// nest twice, and the whole nest exponentially often.
func withoutSubqueries(cond ast.ExprNode) ast.ExprNode {
	if cond == nil {
		return nil
	}
	var out ast.ExprNode
	for _, c := range flatten(opcode.LogicAnd, cond, nil) {
		if hasSubquery(c) {
			continue
		}
		if out == nil {
			out = c
		} else {
			out = &ast.BinaryOperationExpr{Op: opcode.LogicAnd, L: out, R: c}
		}
	}
	return out
}

// hasSubquery reports whether a subquery appears anywhere in n.
func hasSubquery(n ast.Node) bool {
	f := &finder{match: func(n ast.Node) bool { _, ok := n.(*ast.SubqueryExpr); return ok }}
	n.Accept(f)
	return f.found
}

// emptySubquery reports whether a subquery surely returns no row (see
// emptyQuery): x NOT IN and x <> ALL of it are then true for every row,
// x IN and x = ANY false, as NOT EXISTS of it is true.
func (p *predicate) emptySubquery(sel ast.ExprNode) bool {
	sq, ok := sel.(*ast.SubqueryExpr)
	return ok && p.w.emptyQuery(sq.Query, 0)
}

// emptyQuery reports whether a query surely returns no row: a SELECT whose
// WHERE (with its joins' conditions) or HAVING is false for every row it
// reads (WHERE 0, WHERE 1 = 0, WHERE x <> x) and that does not aggregate
// them into one row anyway (SELECT MAX(x) ... WHERE 0 returns a row), or
// with LIMIT 0; a UNION, EXCEPT or INTERSECT of such SELECTs; a SELECT
// from such a derived table alone.
func (w *walker) emptyQuery(q ast.Node, depth int) bool {
	w.literalSensitive = true // LIMIT 0
	if depth > maxReadDepth {
		return false
	}
	switch x := q.(type) {
	case *ast.SetOprStmt:
		if x.Limit != nil && isInt(x.Limit.Count, 0) {
			return true
		}
		arms := selectArms(x, nil)
		for _, arm := range arms {
			if !w.emptyQuery(arm, depth+1) {
				return false
			}
		}
		return len(arms) > 0
	case *ast.SelectStmt:
		if x.Kind != ast.SelectStmtKindSelect {
			return false
		}
		if x.Limit != nil && isInt(x.Limit.Count, 0) {
			return true
		}
		sources, conds, ties := scopeOf(x.From)
		target := source{pos: -1}
		if len(sources) > 0 {
			target = sources[0]
		}
		if x.Having != nil && newPredicate(w, target, sources).eval(x.Having.Expr).scope == alwaysFalse {
			return true
		}
		if x.GroupBy == nil && aggregates(x) {
			return false // one row, whatever the WHERE
		}
		if where := withoutSubqueries(x.Where); (where != nil || len(conds) > 0 || len(ties) > 0) &&
			w.reach(target, sources, where, conds, ties) == alwaysFalse {
			return true
		}
		return len(sources) == 1 && sources[0].query != nil && w.emptyQuery(sources[0].query, depth+1)
	}
	return false
}

// aggregates reports whether a SELECT's list, HAVING or ORDER BY holds an
// aggregate function (in a subquery of theirs too: on the safe side).
func aggregates(s *ast.SelectStmt) bool {
	v := aggregateFinder()
	if s.Fields != nil {
		s.Fields.Accept(v)
	}
	if s.Having != nil {
		s.Having.Accept(v)
	}
	if s.OrderBy != nil {
		s.OrderBy.Accept(v)
	}
	return v.found
}

// finder looks through a tree for a node that match accepts, and stops
// at the first.
type finder struct {
	match func(ast.Node) bool
	found bool
}

func (f *finder) Enter(n ast.Node) (ast.Node, bool) {
	if f.match(n) {
		f.found = true
	}
	return n, f.found
}

func (f *finder) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// aggregateFinder finds an aggregate call.
func aggregateFinder() *finder {
	return &finder{match: func(n ast.Node) bool { _, ok := n.(*ast.AggregateFuncExpr); return ok }}
}
