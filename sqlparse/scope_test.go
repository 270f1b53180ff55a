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
