package postgres

import (
	"maps"
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v5"
)

// A joined-in copy of the target whose alias has a column list (USING t AS
// s(i), a CTE s(i) over t) renames the target's columns by position: which
// column s.i is depends on the table's column order, which bulwark does
// not see. t.id = s.i pairs every row with itself when the first column is
// id, and is a real join otherwise. A WHERE, or a MERGE's ON, is therefore
// judged under every way the renamed columns may be the columns it names,
// and refused when one of them reaches every row.

// maxRenamingWork bounds the work of judging a condition once for each
// reading of the renamed columns: the readings times the condition's parse
// nodes. A condition that would take more is judged to reach every row, so
// that no statement costs the proxy more than a few milliseconds here.
const maxRenamingWork = 1 << 17

// renamed is one column of a joined-in copy of the target that an alias's
// column list renamed by position.
type renamed struct{ self, col string }

// evalRenamings returns eval's result under the widest reading of the
// renamed columns that conds may compare: one that reaches every row if
// there is one, else one that is row-independent, else the reading that
// leaves them unknown. how says which reading it was ("" for the last).
func (p *predicate) evalRenamings(conds []*pg_query.Node, eval func() result) (r result, how string) {
	r = eval()
	names := columnNames(conds)
	// Only the renamed columns that conds name can change the result.
	unknown := slices.DeleteFunc(p.renamedColumns(), func(u renamed) bool { return !slices.Contains(names, u.col) })
	if len(unknown) == 0 || r.scope == alwaysTrue {
		return r, ""
	}
	work := nodeCount(conds)
	for range unknown {
		if work *= len(names) + 1; work > maxRenamingWork {
			return result{scope: alwaysTrue}, "for some order of " + rangeVarName(p.rel) +
				"'s columns (the column alias lists rename more of them than bulwark checks one reading at a time; join the table under its own column names instead)"
		}
	}
	saved := copySelves(p.selves)
	defer func() { p.selves, p.keys = saved, map[*pg_query.Node]string{} }()
	wider := func(a, b scope) bool {
		return a == alwaysTrue && b != alwaysTrue || a == rowIndependent && b == rowDependent
	}
	chosen := make([]string, len(unknown))
	var try func(i int) bool
	try = func(i int) bool {
		if i == len(unknown) {
			p.selves, p.keys = reading(saved, unknown, chosen), map[*pg_query.Node]string{}
			if got := eval(); wider(got.scope, r.scope) {
				r, how = got, describeReading(unknown, chosen, rangeVarName(p.rel))
			}
			return r.scope == alwaysTrue
		}
		for _, c := range append([]string{unknownColumn}, names...) {
			if c != unknownColumn && usedBy(unknown[:i], chosen[:i], unknown[i].self, c) {
				continue // one alias's renames are distinct columns
			}
			chosen[i] = c
			if try(i + 1) {
				return true
			}
		}
		return false
	}
	try(0)
	return r, how
}

// renamedColumns lists the renamed columns of the joined-in copies of the
// target, in a fixed order.
func (p *predicate) renamedColumns() []renamed {
	var out []renamed
	for self, cols := range p.selves {
		for col, src := range cols {
			if src == unknownColumn {
				out = append(out, renamed{self, col})
			}
		}
	}
	slices.SortFunc(out, func(a, b renamed) int {
		return strings.Compare(a.self+"."+a.col, b.self+"."+b.col)
	})
	return out
}

// reading returns selves with each renamed column read as the column
// chosen for it (unknownColumn: still unknown).
func reading(selves map[string]map[string]string, unknown []renamed, chosen []string) map[string]map[string]string {
	out := copySelves(selves)
	for i, u := range unknown {
		out[u.self][u.col] = chosen[i]
	}
	return out
}

// usedBy reports whether column c was already chosen for another renamed
// column of the same joined-in copy.
func usedBy(unknown []renamed, chosen []string, self, c string) bool {
	for i, u := range unknown {
		if u.self == self && chosen[i] == c {
			return true
		}
	}
	return false
}

func describeReading(unknown []renamed, chosen []string, target string) string {
	var parts []string
	for i, u := range unknown {
		if chosen[i] != unknownColumn {
			parts = append(parts, u.self+"."+u.col+" is "+target+"'s column "+chosen[i])
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "if " + strings.Join(parts, " and ") + " (an alias's column list renames " + target +
		"'s columns by position, and bulwark does not see their order)"
}

// copySelves copies predicate.selves, each column map included.
func copySelves(m map[string]map[string]string) map[string]map[string]string {
	out := make(map[string]map[string]string, len(m))
	for k, v := range m {
		out[k] = maps.Clone(v) // nil stays nil: the self keeps its names
	}
	return out
}

// nodeCount counts the parse nodes under nodes.
func nodeCount(nodes []*pg_query.Node) int {
	n := 0
	for _, c := range nodes {
		if c != nil {
			anyNode(c.ProtoReflect(), func(any) bool { n++; return false })
		}
	}
	return n
}

// columnNames lists, sorted and once each, the column names that column
// references and field selections under nodes end with: the columns a
// renamed one may be.
func columnNames(nodes []*pg_query.Node) []string {
	seen := map[string]bool{}
	for _, n := range nodes {
		if n == nil {
			continue
		}
		anyNode(n.ProtoReflect(), func(m any) bool {
			if c, ok := m.(*pg_query.ColumnRef); ok && len(c.Fields) > 0 && lastField(c) != "" {
				seen[lastField(c)] = true
			}
			if ind, ok := m.(*pg_query.A_Indirection); ok {
				// (s).i is the column s.i.
				for _, f := range ind.Indirection {
					if name := f.GetString_().GetSval(); name != "" {
						seen[name] = true
					}
				}
			}
			return false // every node is visited
		})
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
