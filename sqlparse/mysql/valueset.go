package mysql

import (
	"math/big"
	"sort"

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
// and trailing spaces folded, and they never decide more than that.

// vnode is a condition over one subject.
type vnode struct {
	op   byte // 'a' atom, '!' NOT, '&' AND, '|' OR, '^' XOR, 'T' IS TRUE, 'F' IS FALSE, 'N' IS NULL, 'k' constant
	kids []*vnode
	// An atom compares the subject: cmp is a comparison operator,
	// opcode.IsNull for x IS NULL, or opcode.IsTruth for x as a
	// condition (x <> 0).
	cmp opcode.Op
	k   *konst
	// A constant condition: its value (NULL when null).
	val, null bool
}

// vtree is a condition read as a vnode, its subject's key, and the kind
// of constants it compares with ('n' numbers, 's' strings).
type vtree struct {
	subject string
	kind    byte
	nodes   int
	// floor: the subject is never negative (ABS(x), LENGTH(x), x * x).
	floor  bool
	consts []*konst
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
		for i < len(groups) && (groups[i].subject != t.subject || groups[i].kind != t.kind && groups[i].kind != 0 && t.kind != 0) {
			i++
		}
		if i == len(groups) {
			groups = append(groups, &vtree{subject: t.subject})
			roots = append(roots, &vnode{op: op})
		}
		g := groups[i]
		g.nodes += t.nodes
		g.floor = g.floor || t.floor
		if t.kind != 0 {
			g.kind = t.kind
		}
		g.consts = append(g.consts, t.consts...)
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
	if t.kind == 's' {
		for _, fold := range []bool{false, true} {
			if cover, _ := t.decide(root, fold, 's'); cover {
				return result{scope: rowIndependent}, true
			}
		}
		return result{}, false
	}
	exact, emptyExact := t.decide(root, false, 'n')
	ints := t.coversIntegers(root)
	double, emptyDouble := t.decide(root, true, 'n')
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
	case *ast.IsNullExpr:
		var v *vnode
		if isCondition(e.Expr) {
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
	v := &vnode{op: op}
	for _, k := range kids {
		c, ok := p.vread(k, t, depth+1)
		if !ok {
			return nil, false
		}
		v.kids = append(v.kids, c)
	}
	return v, true
}

// vcompare reads a comparison of the subject with a constant (either way
// round).
func (p *predicate) vcompare(op opcode.Op, l, r ast.ExprNode, t *vtree) (*vnode, bool) {
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
	t.subject = key
	t.floor = t.floor || p.nonNegative(x)
	if k != nil && k.kind != '0' {
		if t.kind != 0 && t.kind != k.kind {
			return nil, false
		}
		if k.kind == 's' && op != opcode.EQ && op != opcode.NE && op != opcode.NullEQ {
			return nil, false // the order of strings is the collation's
		}
		t.kind = k.kind
		t.consts = append(t.consts, k)
	}
	return &vnode{op: 'a', cmp: op, k: k}, true
}

// nonNegative reports whether an expression is never negative: ABS(x),
// the lengths of a string, x * x.
func (p *predicate) nonNegative(x ast.ExprNode) bool {
	switch e := x.(type) {
	case *ast.FuncCallExpr:
		switch e.FnName.L {
		case "abs", "length", "char_length", "character_length", "octet_length", "bit_length", "crc32":
			return true
		}
	case *ast.BinaryOperationExpr:
		return e.Op == opcode.Mul && p.same(e.L, e.R)
	}
	return false
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
		for _, k := range t.consts {
			s := foldString(k.str, round)
			if !seen[s] {
				seen[s] = true
				c.strs = append(c.strs, s)
			}
		}
		return c
	}
	all := append([]*konst(nil), t.consts...)
	all = append(all, &konst{kind: 'n', num: ratZero})
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
	zero := -1
	if kind == 'n' && t.floor {
		zero = c.rank(&konst{kind: 'n', num: ratZero}, round, kind)
	}
	for i := 1; i < len(tr.t); i++ {
		if i-1 < zero {
			continue // a negative value the subject never takes
		}
		if tr.t[i] {
			empty = false
		} else {
			cover = false
		}
	}
	return cover, empty
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
	zero := -1
	if t.floor {
		zero = c.rank(&konst{kind: 'n', num: ratZero}, false, 'n')
	}
	for i := 1; i < len(tr.t); i++ {
		cell := i - 1
		if tr.t[i] || cell < zero || !holdsInteger(c.nums, cell) {
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
	kr := c.rank(v.k, round, kind)
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
