package mysql

import (
	"math/big"
	"sort"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// The value-set test: a condition that compares one expression (its
// subject: a column, or any expression of the row) with constants only is
// decided by the values of the subject it holds for. The constants cut the
// subject's values into cells (each constant, and the open ranges between
// them); every comparison is true, false or NULL on a whole cell, and NOT,
// AND, OR, XOR and IS [NOT] TRUE/FALSE/NULL combine cells as the server's
// three-valued logic does. A condition that is true on every cell is true
// for every row where the subject is not NULL, the standard of x = x:
// x > 5 OR x < 10, x <> 1 OR x <> 2, NOT (x = 1 AND x = 2),
// x NOT BETWEEN 5 AND 1, x NOT IN (NULL) IS NULL. One true on no cell,
// NULL included, reaches no row.
//
// Numbers are read three ways, and the verdict must hold in each: exactly
// (integers and decimals), rounded to doubles (how a string or floating
// column is compared with a number), and over the integers only (an
// integer column: x >= 6 OR x <= 5 holds for every integer). A condition
// true on every cell in some readings only is counted as row-independent:
// refused, as what may reach every row. Strings are compared for equality
// only (their order is the collation's), byte for byte and with ASCII case
// and trailing spaces folded, and they never decide more than that. A
// number column compares a string with it as a number (x > '1' is x > 1,
// '1a' is 1, 'abc' 0): a condition that compares the subject with
// strings and numbers, or by order with strings that begin as numbers, is
// also read with its strings as numbers, and one true on every cell so
// read reaches every row of such a column (row-independent).
//
// A test is 1, 0 or NULL: sums, products, GREATEST, LEAST, IF, COALESCE
// and comparisons of tests and integer constants are evaluated on every
// cell as well ((x > 1) + (x <= 1), (x > 1) <> (x <= 1), IF(x > 1, 1, 1)).
// A subject whose values lie in a known range (SIGN(x) in [-1, 1],
// ABS(x) >= 0, LEAST(x, 0) <= 0, x & 4 in [0, 4]) is decided on the cells
// of that range only.

// vnode is a condition over one subject.
type vnode struct {
	// 'a' atom, '!' NOT, '&' AND, '|' OR, '^' XOR, 'T' IS TRUE, 'F' IS
	// FALSE, 'N' IS NULL, 'k' constant condition; values: 'n' an integer
	// constant, '+', '-', '*', 'u' (minus), 'G' GREATEST, 'L' LEAST,
	// 'I' IF, 'C' COALESCE, 'c' a comparison of two values (cmp).
	op   byte
	kids []*vnode
	// An atom compares the subject: cmp is a comparison operator,
	// opcode.IsNull for x IS NULL, or opcode.IsTruth for x as a
	// condition (x <> 0). k is the constant as written, nk its reading
	// as a number (a string's numeric value).
	cmp   opcode.Op
	k, nk *konst
	// A constant condition: its value (NULL when null); an integer
	// constant: num.
	val, null bool
	num       int64
}

// vtree is a condition read as a vnode, its subject's key, and what it
// compares the subject with.
type vtree struct {
	subject string
	// nums, strs: numbers, strings; strOrder: a string by order; words:
	// a string that does not begin as a number.
	nums, strs, strOrder, words bool
	nodes                       int
	// lo, hi bound the subject's values when known (nil: unbounded):
	// ABS(x) and LENGTH(x) are never negative, SIGN(x) is -1, 0 or 1.
	lo, hi *big.Rat
	// nconsts are the constants read as numbers, sconsts the strings.
	nconsts, sconsts []*konst
	// failed: an evaluation left the integers it computes in.
	failed bool
}

// numeric reports whether a condition may be read with its strings as
// numbers: they meet numbers, or they all begin as numbers and are
// compared by order (x > '1' OR x <= 1; x > '1' OR x <= '1').
func (t *vtree) numeric() bool {
	return !t.strs || t.nums || !t.words
}

const (
	maxValueNodes = 64
	maxValueDepth = 24
)

// valueVerdict decides a row-dependent condition by the values of its
// subject; ok is false when it compares more than one subject, or
// anything but constants, or is too large to read.
func (p *predicate) valueVerdict(n ast.ExprNode) (result, bool) {
	n = unparen(n)
	if b, ok := n.(*ast.BinaryOperationExpr); ok && (b.Op == opcode.LogicAnd || b.Op == opcode.LogicOr) {
		return p.groupVerdict(b)
	}
	if p.valueTooLarge[n] {
		return result{}, false
	}
	t := &vtree{}
	root, ok := p.vread(n, t, 0)
	if !ok || t.subject == "" {
		if t.nodes > maxValueNodes {
			if p.valueTooLarge == nil {
				p.valueTooLarge = map[ast.ExprNode]bool{}
			}
			p.valueTooLarge[n] = true
		}
		return result{}, false
	}
	return t.verdict(root)
}

// groupVerdict decides an OR (AND) by its operands over one subject
// taken together: x > 5 OR x < 10 OR y = 1 is true for every row, as
// x > 5 AND x < 3 AND y = 1 is for none.
func (p *predicate) groupVerdict(b *ast.BinaryOperationExpr) (result, bool) {
	op := byte('&')
	if b.Op == opcode.LogicOr {
		op = '|'
	}
	var groups []*vtree
	var roots []*vnode
	for _, arm := range flatten(b.Op, b, nil) {
		t := &vtree{}
		v, ok := p.vread(arm, t, 1)
		if !ok || t.subject == "" {
			continue
		}
		i := 0
		for i < len(groups) && groups[i].subject != t.subject {
			i++
		}
		if i == len(groups) {
			groups = append(groups, &vtree{subject: t.subject, lo: t.lo, hi: t.hi})
			roots = append(roots, &vnode{op: op})
		}
		g := groups[i]
		g.nodes += t.nodes
		g.nums, g.strs, g.strOrder, g.words = g.nums || t.nums, g.strs || t.strs, g.strOrder || t.strOrder, g.words || t.words
		g.nconsts = append(g.nconsts, t.nconsts...)
		g.sconsts = append(g.sconsts, t.sconsts...)
		roots[i].kids = append(roots[i].kids, v)
	}
	maybe := false
	for i, g := range groups {
		if g.nodes > maxValueNodes || len(roots[i].kids) < 2 {
			continue
		}
		v, ok := g.verdict(roots[i])
		switch {
		case !ok:
		case op == '|' && v.scope == alwaysTrue, op == '&' && v.scope == alwaysFalse:
			return v, true
		case op == '|' && v.scope == rowIndependent:
			maybe = true
		}
	}
	if maybe {
		return result{scope: rowIndependent}, true
	}
	return result{}, false
}

// verdict decides a condition read over one subject.
func (t *vtree) verdict(root *vnode) (result, bool) {
	r, ok := t.readings(root)
	if t.failed {
		return result{}, false
	}
	return r, ok
}

// readings decides a condition in the readings its constants allow.
func (t *vtree) readings(root *vnode) (result, bool) {
	if t.strs && !t.nums && !t.strOrder {
		for _, fold := range []bool{false, true} {
			if cover, _ := t.decide(root, fold, 's'); cover {
				return result{scope: rowIndependent}, true
			}
		}
	}
	if !t.numeric() {
		return result{}, false
	}
	exact, emptyExact := t.decide(root, false, 'n')
	ints := t.coversIntegers(root)
	double, emptyDouble := t.decide(root, true, 'n')
	if t.strs {
		// As numbers for a number column only.
		if exact || double || ints {
			return result{scope: rowIndependent}, true
		}
		return result{}, false
	}
	switch {
	case exact && double:
		return boolResult(true), true
	case exact || double || ints:
		return result{scope: rowIndependent}, true
	case emptyExact && emptyDouble:
		if t.neverFalse(root) {
			// NULL for every row: x NOT IN (NULL).
			return result{scope: alwaysFalse, k: &konst{kind: '0'}}, true
		}
		return boolResult(false), true
	}
	return result{}, false
}

// vread reads a condition into a vnode.
func (p *predicate) vread(n ast.ExprNode, t *vtree, depth int) (*vnode, bool) {
	t.nodes++
	n = unparen(n)
	if p.valueTooLarge[n] {
		t.nodes = maxValueNodes + 1
	}
	if t.nodes > maxValueNodes || depth > maxValueDepth {
		return nil, false
	}
	switch e := n.(type) {
	case *ast.UnaryOperationExpr:
		if e.Op == opcode.Not || e.Op == opcode.Not2 {
			return p.vkids('!', t, depth, e.V)
		}
	case *ast.BinaryOperationExpr:
		switch e.Op {
		case opcode.LogicAnd, opcode.LogicOr:
			op := byte('&')
			if e.Op == opcode.LogicOr {
				op = '|'
			}
			return p.vkids(op, t, depth, flatten(e.Op, e, nil)...)
		case opcode.LogicXor:
			return p.vkids('^', t, depth, e.L, e.R)
		case opcode.EQ, opcode.NE, opcode.LT, opcode.LE, opcode.GT, opcode.GE, opcode.NullEQ:
			return p.vcompare(e.Op, e.L, e.R, t)
		}
	case *ast.IsTruthExpr:
		op := byte('T')
		if e.True == 0 {
			op = 'F'
		}
		v, ok := p.vkids(op, t, depth, e.Expr)
		if ok && e.Not {
			v = &vnode{op: '!', kids: []*vnode{v}} // never NULL
		}
		return v, ok
	case *ast.FuncCallExpr:
		if e.FnName.L == "isnull" && len(e.Args) == 1 {
			return p.vread(&ast.IsNullExpr{Expr: e.Args[0]}, t, depth)
		}
	case *ast.IsNullExpr:
		var v *vnode
		if isCondition(e.Expr) || p.testValue(e.Expr) {
			c, ok := p.vread(e.Expr, t, depth+1)
			if !ok {
				return nil, false
			}
			v = &vnode{op: 'N', kids: []*vnode{c}}
		} else {
			a, ok := p.vatom(opcode.IsNull, e.Expr, nil, t)
			if !ok {
				return nil, false
			}
			v = a
		}
		if e.Not {
			v = &vnode{op: '!', kids: []*vnode{v}} // never NULL
		}
		return v, true
	case *ast.BetweenExpr:
		lo := &ast.BinaryOperationExpr{Op: opcode.GE, L: e.Expr, R: e.Left}
		hi := &ast.BinaryOperationExpr{Op: opcode.LE, L: e.Expr, R: e.Right}
		v, ok := p.vkids('&', t, depth, lo, hi)
		if ok && e.Not {
			v = &vnode{op: '!', kids: []*vnode{v}}
		}
		return v, ok
	case *ast.PatternInExpr:
		if e.Sel != nil || len(e.List) == 0 {
			return nil, false
		}
		v := &vnode{op: '|'}
		for _, item := range e.List {
			if t.nodes++; t.nodes > maxValueNodes {
				return nil, false
			}
			a, ok := p.vcompare(opcode.EQ, e.Expr, item, t)
			if !ok {
				return nil, false
			}
			v.kids = append(v.kids, a)
		}
		if e.Not {
			v = &vnode{op: '!', kids: []*vnode{v}}
		}
		return v, true
	}
	if p.testValue(n) {
		return p.vvalue(n, t, depth)
	}
	// Anything else: a decided constant, or the subject itself as a
	// condition.
	r := p.eval(n)
	switch {
	case r.k != nil && r.k.kind == '0':
		return &vnode{op: 'k', null: true}, true
	case r.scope == alwaysTrue:
		return &vnode{op: 'k', val: true}, true
	case r.scope == alwaysFalse:
		return &vnode{op: 'k'}, true
	case r.scope == rowDependent:
		if _, ok := p.simplify(n).(*ast.ColumnNameExpr); ok {
			return p.vatom(opcode.IsTruth, n, &konst{kind: 'n', num: ratZero}, t)
		}
	}
	return nil, false
}

// isCondition reports whether n is a test (its value is true, false or
// NULL) rather than a value of the row.
func isCondition(n ast.ExprNode) bool {
	switch e := unparen(n).(type) {
	case *ast.UnaryOperationExpr:
		return e.Op == opcode.Not || e.Op == opcode.Not2
	case *ast.BinaryOperationExpr:
		switch e.Op {
		case opcode.LogicAnd, opcode.LogicOr, opcode.LogicXor, opcode.EQ, opcode.NE, opcode.LT, opcode.LE, opcode.GT, opcode.GE, opcode.NullEQ:
			return true
		}
	case *ast.IsTruthExpr, *ast.IsNullExpr, *ast.BetweenExpr, *ast.PatternInExpr:
		return true
	}
	return false
}

func (p *predicate) vkids(op byte, t *vtree, depth int, kids ...ast.ExprNode) (*vnode, bool) {
	return vgather(op, kids, func(k ast.ExprNode) (*vnode, bool) { return p.vread(k, t, depth+1) })
}

// vgather builds a node of kind op from its kids, each read by read; it
// fails when any of them does.
func vgather(op byte, kids []ast.ExprNode, read func(ast.ExprNode) (*vnode, bool)) (*vnode, bool) {
	v := &vnode{op: op}
	for _, k := range kids {
		c, ok := read(k)
		if !ok {
			return nil, false
		}
		v.kids = append(v.kids, c)
	}
	return v, true
}

// testValue reports whether n computes a value from tests and constants
// only, at least one test among them: (x > 1) + (x <= 1), IF(x > 1, 1,
// 0), GREATEST(x > 1, 0), COALESCE(x > 1, 1). The tests' values are
// read on each cell (see vvalue).
func (p *predicate) testValue(n ast.ExprNode) bool {
	tests, ok := p.testShape(n, 0)
	return tests && ok
}

// testShape reports whether n holds a test and whether it is built of
// tests, integer constants and the operations vvalue reads.
func (p *predicate) testShape(n ast.ExprNode, depth int) (tests, ok bool) {
	if depth > maxValueDepth {
		return false, false
	}
	n = unparen(n)
	if isCondition(n) || isNullCall(n) {
		return true, true
	}
	var kids []ast.ExprNode
	switch e := n.(type) {
	case *ast.BinaryOperationExpr:
		if e.Op == opcode.Plus || e.Op == opcode.Minus || e.Op == opcode.Mul {
			kids = []ast.ExprNode{e.L, e.R}
		}
	case *ast.UnaryOperationExpr:
		if e.Op == opcode.Minus || e.Op == opcode.Plus {
			kids = []ast.ExprNode{e.V}
		}
	case *ast.FuncCallExpr:
		switch e.FnName.L {
		case "if":
			if len(e.Args) == 3 {
				tests = p.eval(e.Args[0]).scope == rowDependent
				kids = e.Args[1:]
			}
		case "greatest", "least", "coalesce", "ifnull":
			if len(e.Args) > 0 && len(e.Args) <= maxValueNodes {
				kids = e.Args
			}
		}
	}
	if kids == nil {
		if depth == 0 {
			return false, false // (and n may be under evaluation)
		}
		r := p.eval(n)
		return false, r.k != nil && (r.k.kind == '0' || smallInteger(r.k))
	}
	for _, k := range kids {
		kt, kok := p.testShape(k, depth+1)
		if !kok {
			return false, false
		}
		tests = tests || kt
	}
	return tests, true
}

func isNullCall(n ast.ExprNode) bool {
	f, ok := n.(*ast.FuncCallExpr)
	return ok && f.FnName.L == "isnull" && len(f.Args) == 1
}

// maxValueMagnitude bounds the integer constants of a test value (see
// checked).
const maxValueMagnitude = 1 << 31

func smallInteger(k *konst) bool {
	if k.kind != 'n' || !k.num.IsInt() {
		return false
	}
	n := k.num.Num()
	return n.IsInt64() && n.Int64() > -maxValueMagnitude && n.Int64() < maxValueMagnitude
}

// vvalue reads a value of tests and constants (see testValue).
func (p *predicate) vvalue(n ast.ExprNode, t *vtree, depth int) (*vnode, bool) {
	t.nodes++
	n = unparen(n)
	if t.nodes > maxValueNodes || depth > maxValueDepth {
		return nil, false
	}
	if isCondition(n) || isNullCall(n) {
		return p.vread(n, t, depth+1)
	}
	switch e := n.(type) {
	case *ast.BinaryOperationExpr:
		switch e.Op {
		case opcode.Plus:
			return p.vvalues('+', t, depth, e.L, e.R)
		case opcode.Minus:
			return p.vvalues('-', t, depth, e.L, e.R)
		case opcode.Mul:
			return p.vvalues('*', t, depth, e.L, e.R)
		}
	case *ast.UnaryOperationExpr:
		switch e.Op {
		case opcode.Plus:
			return p.vvalue(e.V, t, depth+1)
		case opcode.Minus:
			return p.vvalues('u', t, depth, e.V)
		}
	case *ast.FuncCallExpr:
		switch e.FnName.L {
		case "if":
			if len(e.Args) != 3 {
				return nil, false
			}
			c, ok := p.vread(e.Args[0], t, depth+1)
			if !ok {
				return nil, false
			}
			v, ok := p.vvalues('I', t, depth, e.Args[1:]...)
			if ok {
				v.kids = append([]*vnode{c}, v.kids...)
			}
			return v, ok
		case "greatest":
			return p.vvalues('G', t, depth, e.Args...)
		case "least":
			return p.vvalues('L', t, depth, e.Args...)
		case "coalesce", "ifnull":
			return p.vvalues('C', t, depth, e.Args...)
		}
	}
	// An integer constant, or NULL.
	r := p.eval(n)
	switch {
	case r.k == nil:
		return nil, false
	case r.k.kind == '0':
		return &vnode{op: 'n', null: true}, true
	case smallInteger(r.k):
		return &vnode{op: 'n', num: r.k.num.Num().Int64()}, true
	}
	return nil, false
}

func (p *predicate) vvalues(op byte, t *vtree, depth int, kids ...ast.ExprNode) (*vnode, bool) {
	return vgather(op, kids, func(k ast.ExprNode) (*vnode, bool) { return p.vvalue(k, t, depth+1) })
}

// vcompare reads a comparison of the subject with a constant (either way
// round), or of two values of tests.
func (p *predicate) vcompare(op opcode.Op, l, r ast.ExprNode, t *vtree) (*vnode, bool) {
	if p.testValue(l) || p.testValue(r) {
		v, ok := p.vvalues('c', t, 0, l, r)
		if ok {
			v.cmp = op
		}
		return v, ok
	}
	rl, rr := p.eval(l), p.eval(r)
	if rl.scope != rowDependent {
		l, r, rl, rr = r, l, rr, rl
		switch op {
		case opcode.LT:
			op = opcode.GT
		case opcode.GT:
			op = opcode.LT
		case opcode.LE:
			op = opcode.GE
		case opcode.GE:
			op = opcode.LE
		}
	}
	if rl.scope != rowDependent || rr.k == nil {
		return nil, false
	}
	return p.vatom(op, l, rr.k, t)
}

// vatom records a comparison of subject x with constant k (nil for IS
// NULL).
func (p *predicate) vatom(op opcode.Op, x ast.ExprNode, k *konst, t *vtree) (*vnode, bool) {
	x = p.simplify(x)
	if isCondition(x) {
		return nil, false // a test's value is read as a condition
	}
	key := p.key(x)
	if t.subject != "" && t.subject != key {
		return nil, false
	}
	if t.subject == "" {
		t.lo, t.hi = p.valueRange(x)
	}
	t.subject = key
	nk := k
	if k != nil && k.kind == 's' {
		v, word, ok := stringPrefixNumber(k.str)
		if !ok {
			return nil, false
		}
		nk = &konst{kind: 'n', num: v, double: true}
		t.strs, t.words = true, t.words || word
		if op != opcode.EQ && op != opcode.NE && op != opcode.NullEQ {
			t.strOrder = true // the order of strings is the collation's
		}
		t.sconsts = append(t.sconsts, k)
	}
	if nk != nil && nk.kind == 'n' {
		t.nums = t.nums || k.kind == 'n'
		t.nconsts = append(t.nconsts, nk)
	}
	return &vnode{op: 'a', cmp: op, k: k, nk: nk}, true
}

// valueRange returns bounds of the values an expression takes wherever it
// is not NULL (nil: unbounded): ABS(x), the lengths of a string, CRC32(x)
// and x * x are never negative, BIT_COUNT(x) is in [0, 64], SIGN(x) in
// [-1, 1], LEAST(x, 5) at most 5 and GREATEST(x, 5) at least 5, x & 4 in
// [0, 4], x | 4 at least 4, x % 4 and MOD(x, 4) in [-4, 4].
func (p *predicate) valueRange(x ast.ExprNode) (lo, hi *big.Rat) {
	switch e := x.(type) {
	case *ast.FuncCallExpr:
		switch e.FnName.L {
		case "abs", "length", "char_length", "character_length", "octet_length", "bit_length", "crc32":
			if len(e.Args) == 1 {
				return ratZero, nil
			}
		case "bit_count":
			if len(e.Args) == 1 {
				return ratZero, big.NewRat(64, 1)
			}
		case "sign":
			if len(e.Args) == 1 {
				return big.NewRat(-1, 1), ratOne
			}
		case "least", "greatest":
			for _, a := range e.Args {
				k := p.exactNumber(a)
				if k == nil {
					continue
				}
				if e.FnName.L == "least" && (hi == nil || k.Cmp(hi) < 0) {
					hi = k
				}
				if e.FnName.L == "greatest" && (lo == nil || k.Cmp(lo) > 0) {
					lo = k
				}
			}
			return lo, hi
		case "mod":
			if len(e.Args) == 2 {
				return modRange(p.exactNumber(e.Args[1]))
			}
		}
	case *ast.BinaryOperationExpr:
		switch e.Op {
		case opcode.Mul:
			if p.same(e.L, e.R) {
				return ratZero, nil
			}
		case opcode.And, opcode.Or:
			k := p.exactNumber(e.R)
			if k == nil {
				k = p.exactNumber(e.L)
			}
			if k == nil || k.Sign() < 0 || !k.IsInt() {
				return nil, nil
			}
			if e.Op == opcode.And {
				return ratZero, k
			}
			return k, nil
		case opcode.Mod:
			return modRange(p.exactNumber(e.R))
		}
	}
	return nil, nil
}

// modRange bounds x % m: between -|m| and |m|.
func modRange(m *big.Rat) (lo, hi *big.Rat) {
	if m == nil || m.Sign() == 0 {
		return nil, nil
	}
	hi = new(big.Rat).Abs(m)
	return new(big.Rat).Neg(hi), hi
}

// exactNumber is the value of an operand that is an exact number
// constant, or nil.
func (p *predicate) exactNumber(n ast.ExprNode) *big.Rat {
	r := p.eval(n)
	if r.k == nil || r.k.kind != 'n' || r.k.double {
		return nil
	}
	return r.k.num
}

// stringPrefixNumber reads a string as the server converts it to a number
// to compare it with one: its longest beginning that is a decimal number,
// after leading spaces ('1a' is 1, ' 2.5e1x' 25), 0 when it begins with
// none ('abc', '0x10' is 0); word reports the latter. ok is false for a
// number too long or too large to read here.
func stringPrefixNumber(s string) (v *big.Rat, word, ok bool) {
	s = strings.TrimLeft(s, " \t\n\r")
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[start:i]
	frac := ""
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		frac = s[i+1 : j]
		i = j
	}
	if intPart == "" && frac == "" {
		return ratZero, true, true
	}
	if len(intPart)+len(frac) > 400 {
		return nil, false, false
	}
	num := "0" + intPart
	if frac != "" {
		num += "." + frac
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		d := j
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j > d {
			if j-d > 3 {
				return nil, false, false
			}
			num += "e" + s[i+1:j]
		}
	}
	if neg {
		num = "-" + num
	}
	v, ok = new(big.Rat).SetString(num)
	return v, false, ok
}

// cellKeys are a reading's distinct constants: numbers in order (0 among
// them), strings as they are compared.
type cellKeys struct {
	nums []*big.Rat
	strs []string
}

// reading lists the constants of a reading: numbers exactly or as
// doubles, strings as written or folded.
func (t *vtree) reading(round bool, kind byte) cellKeys {
	var c cellKeys
	if kind == 's' {
		seen := map[string]bool{}
		for _, k := range t.sconsts {
			s := foldString(k.str, round)
			if !seen[s] {
				seen[s] = true
				c.strs = append(c.strs, s)
			}
		}
		return c
	}
	all := append([]*konst(nil), t.nconsts...)
	all = append(all, &konst{kind: 'n', num: ratZero})
	for _, b := range []*big.Rat{t.lo, t.hi} {
		if b != nil {
			all = append(all, &konst{kind: 'n', num: b})
		}
	}
	for _, k := range all {
		c.nums = append(c.nums, readNumber(k, round))
	}
	sort.Slice(c.nums, func(i, j int) bool { return c.nums[i].Cmp(c.nums[j]) < 0 })
	out := c.nums[:0]
	for _, v := range c.nums {
		if len(out) == 0 || out[len(out)-1].Cmp(v) != 0 {
			out = append(out, v)
		}
	}
	c.nums = out
	return c
}

func readNumber(k *konst, round bool) *big.Rat {
	if !round {
		return k.num
	}
	f, _ := k.num.Float64()
	r := new(big.Rat)
	if r.SetFloat64(f) == nil {
		return k.num // beyond a double: as written
	}
	return r
}

// foldString is a string constant as a case-insensitive, PAD SPACE
// collation compares it, when fold is set and it is printable ASCII.
func foldString(s string, fold bool) string {
	if !fold {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			return s
		}
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return string(b)
}

// A cell is a rank: for numbers 2i+1 is constant i and 2i the open range
// below it (2n the range above the last); for strings i is constant i and
// n every other string. Cell -1 is NULL.

func (c cellKeys) cells(kind byte) int {
	if kind == 's' {
		return len(c.strs) + 1
	}
	return 2*len(c.nums) + 1
}

// rank is the cell of a constant.
func (c cellKeys) rank(k *konst, round bool, kind byte) int {
	if kind == 's' {
		s := foldString(k.str, round)
		for i, v := range c.strs {
			if v == s {
				return i
			}
		}
		return len(c.strs)
	}
	v := readNumber(k, round)
	i := sort.Search(len(c.nums), func(i int) bool { return c.nums[i].Cmp(v) >= 0 })
	return 2*i + 1
}

// truth is a condition's value on each cell (index 0 is NULL, cell i is
// index i+1): true, false, or neither (NULL).
type truth struct{ t, f []bool }

// decide evaluates a condition on every cell of a reading and reports
// whether it is true on every cell (of the subject's possible values)
// and whether it is true on none, NULL included.
func (t *vtree) decide(root *vnode, round bool, kind byte) (cover, empty bool) {
	c := t.reading(round, kind)
	tr := t.eval(root, c, round, kind)
	cover, empty = true, !tr.t[0]
	lo, hi := t.bounds(c, round, kind)
	for i := 1; i < len(tr.t); i++ {
		if i-1 < lo || i-1 > hi {
			continue // a value the subject never takes
		}
		if tr.t[i] {
			empty = false
		} else {
			cover = false
		}
	}
	return cover, empty
}

// bounds returns the first and last cells of a reading that hold values
// of the subject (see valueRange).
func (t *vtree) bounds(c cellKeys, round bool, kind byte) (lo, hi int) {
	lo, hi = 0, c.cells(kind)-1
	if kind != 'n' {
		return lo, hi
	}
	if t.lo != nil {
		lo = c.rank(&konst{kind: 'n', num: t.lo}, round, kind)
	}
	if t.hi != nil {
		hi = c.rank(&konst{kind: 'n', num: t.hi}, round, kind)
	}
	return lo, hi
}

// neverFalse reports whether a condition is false on no cell (exactly
// read).
func (t *vtree) neverFalse(root *vnode) bool {
	tr := t.eval(root, t.reading(false, 'n'), false, 'n')
	for _, f := range tr.f {
		if f {
			return false
		}
	}
	return true
}

// coversIntegers reports whether a condition is true for every integer
// (exactly read): on every cell that holds one.
func (t *vtree) coversIntegers(root *vnode) bool {
	c := t.reading(false, 'n')
	tr := t.eval(root, c, false, 'n')
	lo, hi := t.bounds(c, false, 'n')
	for i := 1; i < len(tr.t); i++ {
		cell := i - 1
		if tr.t[i] || cell < lo || cell > hi || !holdsInteger(c.nums, cell) {
			continue
		}
		return false
	}
	return true
}

// holdsInteger reports whether a numeric cell holds an integer.
func holdsInteger(nums []*big.Rat, cell int) bool {
	if cell%2 == 1 {
		return nums[cell/2].IsInt()
	}
	i := cell / 2
	if i == 0 || i == len(nums) {
		return true // unbounded
	}
	lo, hi := nums[i-1], nums[i]
	// The least integer above lo is below hi.
	n := new(big.Int).Quo(lo.Num(), lo.Denom()) // truncated
	if lo.Sign() >= 0 || lo.IsInt() {
		n.Add(n, big.NewInt(1))
	}
	return new(big.Rat).SetInt(n).Cmp(hi) < 0
}

func (t *vtree) eval(v *vnode, c cellKeys, round bool, kind byte) truth {
	n := c.cells(kind) + 1
	tr := truth{t: make([]bool, n), f: make([]bool, n)}
	if isValueOp(v.op) {
		// A value as a condition: true where it is not 0 (nor NULL).
		vals := t.values(v, c, round, kind)
		for i := range tr.t {
			tr.t[i], tr.f[i] = !vals.null[i] && vals.v[i] != 0, !vals.null[i] && vals.v[i] == 0
		}
		return tr
	}
	switch v.op {
	case 'k':
		for i := range tr.t {
			tr.t[i], tr.f[i] = v.val && !v.null, !v.val && !v.null
		}
	case 'a':
		t.atom(v, c, round, kind, tr)
	case '!':
		k := t.eval(v.kids[0], c, round, kind)
		tr.t, tr.f = k.f, k.t
	case '&', '|':
		for i := range tr.t {
			tr.t[i], tr.f[i] = v.op == '&', v.op == '|'
		}
		for _, kid := range v.kids {
			k := t.eval(kid, c, round, kind)
			for i := range tr.t {
				if v.op == '&' {
					tr.t[i], tr.f[i] = tr.t[i] && k.t[i], tr.f[i] || k.f[i]
				} else {
					tr.t[i], tr.f[i] = tr.t[i] || k.t[i], tr.f[i] && k.f[i]
				}
			}
		}
	case '^':
		a, b := t.eval(v.kids[0], c, round, kind), t.eval(v.kids[1], c, round, kind)
		for i := range tr.t {
			tr.t[i] = a.t[i] && b.f[i] || a.f[i] && b.t[i]
			tr.f[i] = a.t[i] && b.t[i] || a.f[i] && b.f[i]
		}
	case 'T', 'F', 'N':
		k := t.eval(v.kids[0], c, round, kind)
		for i := range tr.t {
			switch v.op {
			case 'T':
				tr.t[i] = k.t[i]
			case 'F':
				tr.t[i] = k.f[i]
			case 'N':
				tr.t[i] = !k.t[i] && !k.f[i]
			}
			tr.f[i] = !tr.t[i]
		}
	}
	return tr
}

// atom evaluates a comparison of the subject on every cell.
func (t *vtree) atom(v *vnode, c cellKeys, round bool, kind byte, tr truth) {
	switch {
	case v.cmp == opcode.IsNull || v.cmp == opcode.NullEQ && v.k.kind == '0':
		tr.t[0] = true
		for i := 1; i < len(tr.t); i++ {
			tr.f[i] = true
		}
		return
	case v.k.kind == '0':
		return // NULL compared: NULL everywhere
	}
	if v.cmp == opcode.NullEQ {
		tr.f[0] = true
	}
	k := v.k
	if kind == 'n' {
		k = v.nk
	}
	kr := c.rank(k, round, kind)
	for i := 1; i < len(tr.t); i++ {
		cell := i - 1
		var ok bool
		if kind == 's' {
			eq := cell == kr && kr < len(c.strs)
			ok = eq == (v.cmp != opcode.NE)
		} else {
			d := cell - kr
			switch v.cmp {
			case opcode.EQ, opcode.NullEQ:
				ok = d == 0
			case opcode.NE, opcode.IsTruth:
				ok = d != 0
			case opcode.LT:
				ok = d < 0
			case opcode.LE:
				ok = d <= 0
			case opcode.GT:
				ok = d > 0
			case opcode.GE:
				ok = d >= 0
			}
		}
		tr.t[i], tr.f[i] = ok, !ok
	}
}

func isValueOp(op byte) bool {
	switch op {
	case 'n', '+', '-', '*', 'u', 'G', 'L', 'I', 'C', 'c':
		return true
	}
	return false
}

// cellValues is a value on each cell (indexed as truth): an integer, or
// NULL.
type cellValues struct {
	v    []int64
	null []bool
}

// values evaluates a value of tests on every cell; a test is 1 where it
// is true, 0 where it is false, NULL elsewhere.
func (t *vtree) values(v *vnode, c cellKeys, round bool, kind byte) cellValues {
	n := c.cells(kind) + 1
	out := cellValues{v: make([]int64, n), null: make([]bool, n)}
	if !isValueOp(v.op) {
		tr := t.eval(v, c, round, kind)
		for i := range out.v {
			out.null[i] = !tr.t[i] && !tr.f[i]
			if tr.t[i] {
				out.v[i] = 1
			}
		}
		return out
	}
	if v.op == 'n' {
		for i := range out.v {
			out.v[i], out.null[i] = v.num, v.null
		}
		return out
	}
	if v.op == 'I' {
		cond := t.eval(v.kids[0], c, round, kind)
		a, b := t.values(v.kids[1], c, round, kind), t.values(v.kids[2], c, round, kind)
		for i := range out.v {
			pick := b
			if cond.t[i] {
				pick = a
			}
			out.v[i], out.null[i] = pick.v[i], pick.null[i]
		}
		return out
	}
	kids := make([]cellValues, len(v.kids))
	for j, k := range v.kids {
		kids[j] = t.values(k, c, round, kind)
	}
	for i := range out.v {
		out.v[i], out.null[i] = t.combine(v, kids, i)
	}
	return out
}

// combine computes the value of an operation on cell i of its operands'
// values. NULL in an operand makes the value NULL but in COALESCE.
func (t *vtree) combine(v *vnode, kids []cellValues, i int) (int64, bool) {
	if v.op == 'C' {
		for _, k := range kids {
			if !k.null[i] {
				return k.v[i], false
			}
		}
		return 0, true
	}
	for _, k := range kids {
		if k.null[i] {
			return 0, true
		}
	}
	x := kids[0].v[i]
	switch v.op {
	case 'u':
		return t.checked(-x), false
	case 'c':
		y := kids[1].v[i]
		ok := false
		switch v.cmp {
		case opcode.EQ, opcode.NullEQ:
			ok = x == y
		case opcode.NE:
			ok = x != y
		case opcode.LT:
			ok = x < y
		case opcode.LE:
			ok = x <= y
		case opcode.GT:
			ok = x > y
		case opcode.GE:
			ok = x >= y
		}
		if ok {
			return 1, false
		}
		return 0, false
	}
	for _, k := range kids[1:] {
		y := k.v[i]
		switch v.op {
		case '+':
			x = t.checked(x + y)
		case '-':
			x = t.checked(x - y)
		case '*':
			if x != 0 && absInt(y) > valueBound/absInt(x) {
				t.failed = true
				return 0, true
			}
			x = t.checked(x * y)
		case 'G':
			x = max(x, y)
		case 'L':
			x = min(x, y)
		}
	}
	return x, false
}

// valueBound bounds the values computed on cells: the sum or difference
// of two of them stays within an int64.
const valueBound = 1 << 60

// checked keeps a computed value within valueBound: a value beyond it
// marks the evaluation failed (see vtree.failed).
func (t *vtree) checked(x int64) int64 {
	if x > valueBound || x < -valueBound {
		t.failed = true
		return 0
	}
	return x
}

func absInt(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
