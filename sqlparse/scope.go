package sqlparse

// Scope is what a predicate can say about the rows of a DELETE's or
// UPDATE's target table, the same in every dialect. A statement is bounded
// only when its predicate is RowDependent: one that is always true reaches
// every row, and one that has the same value for every row (it reads no
// column of the target: WHERE $1, WHERE EXISTS (SELECT 1), WHERE random() < 2)
// reaches every row or none, which is not known until it runs.
type Scope int

const (
	RowDependent Scope = iota
	AlwaysTrue
	AlwaysFalse
	RowIndependent
)

// Conjunction is the scope of an AND of operands with the given scopes:
// false wins, true drops out, one row-dependent operand bounds the whole.
// contradiction reports whether two operands negate each other (x IS NULL
// AND x IS NOT NULL), which makes the whole false; it is called only when
// no operand already decides.
func Conjunction(scopes []Scope, contradiction func() bool) Scope {
	dependent, independent := false, false
	for _, s := range scopes {
		switch s {
		case AlwaysFalse:
			return AlwaysFalse
		case RowDependent:
			dependent = true
		case RowIndependent:
			independent = true
		}
	}
	switch {
	case contradiction():
		return AlwaysFalse
	case dependent:
		return RowDependent
	case independent:
		return RowIndependent
	}
	return AlwaysTrue
}

// Disjunction is the scope of an OR: true wins; a row-independent operand
// may be true for every row, so it makes the whole row-independent;
// tautology reports whether two operands complement each other (x IS NULL
// OR x IS NOT NULL, p OR NOT p), which makes the whole true.
func Disjunction(scopes []Scope, tautology func() bool) Scope {
	dependent, independent := false, false
	for _, s := range scopes {
		switch s {
		case AlwaysTrue:
			return AlwaysTrue
		case RowDependent:
			dependent = true
		case RowIndependent:
			independent = true
		}
	}
	switch {
	case tautology():
		return AlwaysTrue
	case independent:
		return RowIndependent
	case dependent:
		return RowDependent
	}
	return AlwaysFalse
}

// Branches is the scope of a CASE from the scopes of its results; hasElse
// is false for a CASE without ELSE, whose missing branch is NULL and so
// reaches no row. It is always true (false) when every result is, and
// row-independent when no result depends on the row and none is false or
// NULL: every row then gets a value that may be true for all of them.
// decided is false otherwise: the CASE then bounds the rows when it reads
// the target at all, which the dialect decides.
func Branches(results []Scope, hasElse bool) (s Scope, decided bool) {
	allTrue, allFalse, maybeAll := hasElse, true, hasElse
	for _, r := range results {
		allTrue = allTrue && r == AlwaysTrue
		allFalse = allFalse && r == AlwaysFalse
		maybeAll = maybeAll && (r == AlwaysTrue || r == RowIndependent)
	}
	switch {
	case allTrue:
		return AlwaysTrue, true
	case allFalse:
		return AlwaysFalse, true
	case maybeAll:
		return RowIndependent, true
	}
	return RowDependent, false
}
