package sqlparse

import "testing"

func TestScopeAlgebra(t *testing.T) {
	never := func() bool { return false }
	always := func() bool { return true }
	cases := []struct {
		name string
		got  Scope
		want Scope
	}{
		{"AND: a false operand decides", Conjunction([]Scope{RowIndependent, AlwaysFalse, AlwaysTrue}, always), AlwaysFalse},
		{"AND: one row-dependent operand bounds the whole", Conjunction([]Scope{RowIndependent, RowDependent, AlwaysTrue}, never), RowDependent},
		{"AND: only row-independent operands stay row-independent", Conjunction([]Scope{RowIndependent, AlwaysTrue}, never), RowIndependent},
		{"AND: all true is true", Conjunction([]Scope{AlwaysTrue, AlwaysTrue}, never), AlwaysTrue},
		{"AND: a contradiction is false", Conjunction([]Scope{RowDependent, RowDependent}, always), AlwaysFalse},
		{"OR: a true operand decides", Disjunction([]Scope{RowDependent, AlwaysTrue}, never), AlwaysTrue},
		{"OR: a row-independent operand may reach every row", Disjunction([]Scope{RowDependent, RowIndependent}, never), RowIndependent},
		{"OR: row-dependent operands stay bounded", Disjunction([]Scope{RowDependent, AlwaysFalse}, never), RowDependent},
		{"OR: all false is false", Disjunction([]Scope{AlwaysFalse}, never), AlwaysFalse},
		{"OR: complementary operands are true", Disjunction([]Scope{RowDependent, RowDependent}, always), AlwaysTrue},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Fatalf("got %d, want %d", c.got, c.want)
			}
		})
	}
}

func TestBranches(t *testing.T) {
	cases := []struct {
		name    string
		results []Scope
		hasElse bool
		want    Scope
		decided bool
	}{
		{"every branch true", []Scope{AlwaysTrue, AlwaysTrue}, true, AlwaysTrue, true},
		{"every branch true but no ELSE: NULL for some rows", []Scope{AlwaysTrue}, false, RowDependent, false},
		{"every branch false", []Scope{AlwaysFalse, AlwaysFalse}, true, AlwaysFalse, true},
		{"every branch false, no ELSE", []Scope{AlwaysFalse}, false, AlwaysFalse, true},
		{"no branch depends on the row", []Scope{RowIndependent, AlwaysTrue}, true, RowIndependent, true},
		{"a false branch among row-independent ones", []Scope{RowIndependent, AlwaysFalse}, true, RowDependent, false},
		{"a branch depends on the row", []Scope{RowDependent, AlwaysTrue}, true, RowDependent, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, ok := Branches(c.results, c.hasElse); ok != c.decided || ok && got != c.want {
				t.Fatalf("got %d (decided %v), want %d (decided %v)", got, ok, c.want, c.decided)
			}
		})
	}
}
