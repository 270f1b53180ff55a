package postgres

import (
	pg_query "github.com/pganalyze/pg_query_go/v5"
)

// recordSelfRow keeps the columns a joined-in copy of the target exposes
// (see predicate.selfRows).
func (p *predicate) recordSelfRow(name string, shape *scan) {
	if p.selfRows == nil {
		p.selfRows = map[string]*scan{}
	}
	p.selfRows[name] = shape
}

// rowVariableField returns (s).id, a field of the whole row of the target
// or of a joined-in copy of it that keeps the target's column names, as
// the column s.id it is, so that it compares as one; nil for anything
// else. A copy under other names (t AS s(i), a derived table) is
// selfRowField's.
func (p *predicate) rowVariableField(ind *pg_query.A_Indirection) *pg_query.Node {
	c := ind.Arg.GetColumnRef()
	if c == nil || len(c.Fields) != 1 || len(ind.Indirection) != 1 || ind.Indirection[0].GetString_() == nil {
		return nil
	}
	name := c.Fields[0].GetString_().GetSval()
	if cols, self := p.selves[name]; !p.rowFields || name == "" || !p.targets[name] && (!self || cols != nil) {
		return nil
	}
	return qualifiedColumn(name, ind.Indirection[0].GetString_().GetSval())
}

// selfRowField returns a field of the whole row of a joined-in copy of the
// target (see predicate.selfRows), or of a whole row of the target one of
// its columns holds, as a column that compares as the one it is. The server
// reads (s).f as s.f, under the names an alias's column list gives: for
// t AS s(i), (s).i is s.i, which may be any of the target's columns (see
// evalRenamings), and (s).x for (SELECT id AS x FROM t) s is s.x. A row
// held in a column has its type's fields: (s.t).id for (SELECT t FROM t) s
// is the target's column id. A column of the copy named like it hides the
// row variable: (s).x then selects from that column, followed only when it
// holds a whole row of the target. It returns nil for anything else, or
// when the field's column is not known. The depth followed is the
// expression's own.
func (p *predicate) selfRowField(ind *pg_query.A_Indirection) *pg_query.Node {
	base := ind.Arg
	for base.GetAIndirection() != nil {
		base = base.GetAIndirection().Arg // ((s).t).id
	}
	c := base.GetColumnRef()
	if !p.rowFields || c == nil || len(c.Fields) > 2 || len(ind.Indirection) == 0 {
		return nil
	}
	name := c.Fields[0].GetString_().GetSval()
	shape, ok := p.selfRows[name]
	if !ok || name == "" || p.targets[name] {
		return nil
	}
	src := source{inner: name, shape: shape}
	if f := ind.Indirection[0].GetString_(); f != nil && len(ind.Indirection) == 1 && rowVariable(ind.Arg, src) {
		return qualifiedColumn(name, f.Sval)
	}
	col, all, ok := p.rowField(ind, src)
	if !ok || all || col.row != nil || col.src == "" || col.src == unknownColumn {
		return nil
	}
	// As the copy's own column when it has one of that name for the
	// target's column (see key), else unqualified, which key also reads
	// as the target's column.
	if colOf(p.selves[name], col.name) == col.src {
		return qualifiedColumn(name, col.name)
	}
	if p.targets[col.src] {
		return nil // a lone name of the target is its whole row
	}
	return &pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{
		Fields: []*pg_query.Node{pg_query.MakeStrNode(col.src)}}}}
}

func qualifiedColumn(q, name string) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{
		Fields: []*pg_query.Node{pg_query.MakeStrNode(q), pg_query.MakeStrNode(name)}}}}
}

// rowVariable reports whether v is the row variable of a query's source
// src, s or s.*, and not a column of it named s, which hides it.
func rowVariable(v *pg_query.Node, src source) bool {
	c := v.GetColumnRef()
	switch {
	case c == nil || src.inner == "":
		return false
	case len(c.Fields) == 1:
		if _, hidden := src.shape.field(lastField(c)); hidden && !src.shape.star {
			return false
		}
		return lastField(c) == src.inner
	case len(c.Fields) == 2:
		return qualifier(c) == src.inner && c.Fields[1].GetAStar() != nil
	}
	return false
}

// fieldRow returns the fields a field selection from v, (v).f, reads (see
// rowField): the server reads a field of a source's row variable as its
// column, (s).f as s.f, under the names an alias's column list gives, and
// a field of any other whole row by its type's names (see sourceRow).
func (p *predicate) fieldRow(v *pg_query.Node, src source) *scan {
	row := p.sourceRow(v, src)
	if row != nil && rowVariable(v, src) {
		return src.shape
	}
	return row
}
