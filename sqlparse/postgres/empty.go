package postgres

import (
	pg_query "github.com/pganalyze/pg_query_go/v5"
)

// maxEmptyDepth bounds emptyQuery's descent into set operations and
// derived tables.
const maxEmptyDepth = 16

// emptySubLink decides a test of a subquery that surely returns no row
// (see emptyQuery): EXISTS and ANY (IN) of it are false for every row, ALL
// of it true, so NOT EXISTS, NOT IN and x <> ALL of it reach every row, as
// a missing WHERE does. ok is false for anything else.
func (p *predicate) emptySubLink(s *pg_query.SubLink) (holds, ok bool) {
	switch s.SubLinkType {
	case pg_query.SubLinkType_EXISTS_SUBLINK, pg_query.SubLinkType_ANY_SUBLINK:
		holds = false
	case pg_query.SubLinkType_ALL_SUBLINK:
		holds = true
	default:
		return false, false
	}
	if !p.emptyQuery(s.Subselect.GetSelectStmt(), 0) {
		return false, false
	}
	return holds, true
}

// emptyQuery reports whether a query surely returns no row: a SELECT whose
// WHERE, HAVING or inner join condition is false for every row it reads
// (WHERE false, WHERE 1 = 0, WHERE x <> x, JOIN u ON false) and that does
// not aggregate those rows into one anyway (SELECT max(x) ... WHERE false
// returns a row), or with LIMIT 0; a UNION of such queries, an INTERSECT
// with one, an EXCEPT whose first query is one; a SELECT from such a
// derived table alone. A condition is read as written: whether it is
// false does not depend on which table its columns belong to.
func (p *predicate) emptyQuery(sel *pg_query.SelectStmt, depth int) bool {
	if sel == nil || depth > maxEmptyDepth {
		return false
	}
	if sel.LimitCount != nil {
		p.w.literalSensitive = true // LIMIT 0 empties it, LIMIT 5 does not
		if v, ok := intConstant(sel.LimitCount); ok && v == 0 {
			return true
		}
	}
	switch sel.Op {
	case pg_query.SetOperation_SETOP_UNION:
		return p.emptyQuery(sel.Larg, depth+1) && p.emptyQuery(sel.Rarg, depth+1)
	case pg_query.SetOperation_SETOP_INTERSECT:
		return p.emptyQuery(sel.Larg, depth+1) || p.emptyQuery(sel.Rarg, depth+1)
	case pg_query.SetOperation_SETOP_EXCEPT:
		return p.emptyQuery(sel.Larg, depth+1)
	}
	if len(sel.ValuesLists) > 0 {
		return false
	}
	if sel.HavingClause != nil && p.noRow(sel.HavingClause) {
		return true
	}
	if len(sel.GroupClause) == 0 && containsCall((&pg_query.SelectStmt{TargetList: sel.TargetList}).ProtoReflect()) {
		// An aggregate without GROUP BY returns its one row whatever
		// the WHERE keeps; any call may be one.
		return false
	}
	if sel.WhereClause != nil && p.noRow(sel.WhereClause) {
		return true
	}
	for _, f := range sel.FromClause {
		if p.emptySource(f, depth) {
			return true
		}
	}
	return false
}

// emptySource reports whether a FROM item surely yields no row, which
// leaves its query (a cross product or inner join with it) none: a
// derived table that is an empty query, or an inner join of which one
// side is empty or whose condition holds for no row.
func (p *predicate) emptySource(f *pg_query.Node, depth int) bool {
	switch x := f.Node.(type) {
	case *pg_query.Node_RangeSubselect:
		return !x.RangeSubselect.Lateral && p.emptyQuery(x.RangeSubselect.Subquery.GetSelectStmt(), depth+1)
	case *pg_query.Node_JoinExpr:
		j := x.JoinExpr
		if j.Jointype != pg_query.JoinType_JOIN_INNER {
			return false
		}
		if j.Quals != nil && p.noRow(j.Quals) {
			return true
		}
		return p.emptySource(j.Larg, depth) || p.emptySource(j.Rarg, depth)
	}
	return false
}

// noRow reports whether a condition is false or NULL for every row it is
// tested on. Only its conjuncts without subqueries are read, together:
// when they are false, so is the whole. Reading a nested subquery here as
// well as where the subquery itself is judged would read each level of a
// nest twice, and the whole nest exponentially often.
func (p *predicate) noRow(cond *pg_query.Node) bool {
	var plain []*pg_query.Node
	for _, c := range flatten(pg_query.BoolExprType_AND_EXPR, []*pg_query.Node{cond}, nil) {
		if !anyNode(c.ProtoReflect(), func(m any) bool { _, ok := m.(*pg_query.SubLink); return ok }) {
			plain = append(plain, c)
		}
	}
	switch len(plain) {
	case 0:
		return false
	case 1:
		return p.eval(plain[0]).scope == alwaysFalse
	}
	return p.eval(&pg_query.Node{Node: &pg_query.Node_BoolExpr{BoolExpr: &pg_query.BoolExpr{
		Boolop: pg_query.BoolExprType_AND_EXPR, Args: plain}}}).scope == alwaysFalse
}
