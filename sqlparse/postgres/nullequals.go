package postgres

import (
	pg_query "github.com/pganalyze/pg_query_go/v5"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// With the setting transform_null_equals on, the server's parser reads
// x = NULL and NULL = x as x IS NULL before anything else sees them. The
// setting can come from a SET, the connection's startup options, ALTER
// DATABASE/ROLE ... SET or a function's SET clause, and the server does not
// report it, so bulwark cannot know which reading a statement gets: a
// statement with such a comparison is judged under both, and refused when
// either reading reaches every row. (x = NULL) IS NOT NULL is never true
// under the default reading and always true under the other.

// statement walks one statement, then, if it holds an x = NULL comparison,
// walks it once more as read with transform_null_equals on, adding the
// findings that only that reading produces.
func (w *walker) statement(n *pg_query.Node) {
	outer := w.nullEquals
	w.nullEquals = false
	w.node(n)
	found := w.nullEquals
	w.nullEquals = outer
	if !found {
		return
	}
	alt := nullEqualsReading(n)
	saved := w.findings
	w.findings = nil
	w.node(alt)
	extra := w.findings
	w.findings = saved
	for _, f := range extra {
		if !w.hasFinding(f.Category, f.Rule, f.Object) {
			f.Reason += " (with transform_null_equals on, which a session, a role, a database or a function can set, the server reads x = NULL as x IS NULL)"
			w.findings = append(w.findings, f)
		}
	}
}

// hasFinding reports whether a finding of that rule on that object is
// already recorded.
func (w *walker) hasFinding(cat sqlparse.Category, rule, object string) bool {
	for _, f := range w.findings {
		if f.Category == cat && f.Rule == rule && f.Object == object {
			return true
		}
	}
	return false
}

// nullEqualsReading returns a copy of n in which every comparison the
// server rewrites under transform_null_equals (operator =, written
// unqualified, with a NULL constant on either side) is the null test it
// becomes.
func nullEqualsReading(n *pg_query.Node) *pg_query.Node {
	c := proto.Clone(n).(*pg_query.Node)
	var rewrite func(m protoreflect.Message)
	rewrite = func(m protoreflect.Message) {
		if node, ok := m.Interface().(*pg_query.Node); ok {
			// The server rewrites the outer comparison first and then
			// reads its operand, which may be another one.
			for {
				arg, ok := nullEquals(node.GetAExpr())
				if !ok {
					break
				}
				node.Node = &pg_query.Node_NullTest{NullTest: &pg_query.NullTest{Arg: arg, Nulltesttype: pg_query.NullTestType_IS_NULL}}
			}
		}
		eachChild(m, rewrite)
	}
	rewrite(c.ProtoReflect())
	return c
}

// nullEquals recognises x = NULL or NULL = x as the server's
// transformAExprOp does under transform_null_equals, and returns x.
func nullEquals(m any) (*pg_query.Node, bool) {
	e, _ := m.(*pg_query.A_Expr)
	if e == nil || e.Kind != pg_query.A_Expr_Kind_AEXPR_OP || len(e.Name) != 1 || lastName(e.Name) != "=" ||
		e.Lexpr == nil || e.Rexpr == nil {
		return nil, false
	}
	switch {
	case isNullConst(e.Lexpr):
		return e.Rexpr, true
	case isNullConst(e.Rexpr):
		return e.Lexpr, true
	}
	return nil, false
}
