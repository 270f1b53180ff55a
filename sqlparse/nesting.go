package sqlparse

import "fmt"

// Nesting bounds, from a text's tokens alone, how deep the tree a parser
// builds from it can be, so that a text that would exhaust the parser (a C
// stack, or memory) is refused before the parser sees it. Each dialect reads
// the tokens and reports them; Nesting does the counting:
//
//   - Tokens are counted group by group (parentheses, brackets and
//     CASE ... END), every token that may link a chain: operators, keywords,
//     identifiers; not literals, commas, or the WHEN, THEN and ELSE of a
//     CASE, which the parsers keep in flat lists.
//   - Where the parser keeps AND and OR operands in flat lists
//     (FlatBooleans), an expression is cut into arms at AND and OR, and only
//     the longest arm counts: every operator of the expression grammar binds
//     tighter than AND and OR, so no expression chain runs from one arm into
//     the next. The AND of a BETWEEN (or of a window frame's BETWEEN) is not
//     a boolean one: a chain such as "1 BETWEEN 1 AND 1 IS TRUE = 1 BETWEEN
//     ..." runs through it.
//   - JOIN, UNION, INTERSECT and EXCEPT chain tables and queries across the
//     conditions between them, so they are counted for the whole group.
//   - Nested groups add up along the deepest path; where the parser's own
//     stack does not bound nesting (GroupsNest), each group is a level too.
//
// It is coarse and cheap, and it only ever overestimates. Every counted token
// takes at least a byte, so a text no longer than the limit needs no count.
type Nesting struct {
	FlatBooleans bool
	GroupsNest   bool
	open         []nestGroup
	bound        int
	tokens       int
	// A multiple assignment (UPDATE t SET (a, b, c) = (SELECT ...)):
	// setPending after the word SET, assignDepth the depth of the
	// column list being read and assignCols its columns so far, repeats
	// the most columns of one.
	setPending              bool
	assignDepth, assignCols int
	repeats                 int
}

// MaxTokens bounds how many tokens a text bulwark parses may have. Parsing
// costs some 200 to 300 bytes of memory per token (a 6.4 MB bulk INSERT of
// 780,000 tokens peaks at 180 MB; 16 MiB of "SELECT 1,1,1,..." took 5 GB
// and 100 s), so the bound keeps one statement under about 600 MB while
// bulk INSERTs of several MiB pass. Larger loads belong in COPY or LOAD
// DATA, whose rows are not SQL.
const MaxTokens = 2_000_000

// RuleTooManyTokens refuses a text with more than MaxTokens tokens, before
// the parser sees it.
const RuleTooManyTokens = "too-many-tokens"

// TooManyTokens is the finding for a text of that many tokens, past
// MaxTokens.
func TooManyTokens(tokens int) Finding {
	return Finding{
		Category: CategoryUnanalysable, Rule: RuleTooManyTokens,
		Reason: fmt.Sprintf("the statement has some %d tokens, more than the %d bulwark parses: parsing costs a few hundred bytes of memory per token", tokens, MaxTokens),
	}
}

// Count counts a token of any kind (the dialect's scan calls it for every
// token, besides the calls that shape the bound).
func (n *Nesting) Count() { n.tokens++ }

// Tokens returns how many tokens Count counted.
func (n *Nesting) Tokens() int { return n.tokens }

// Comma notes a comma, which counts the columns of a multiple assignment.
func (n *Nesting) Comma() {
	n.setPending = false
	if n.assignDepth > 0 && len(n.open) == n.assignDepth {
		n.assignCols++
	}
}

// Cost bounds how many nodes the parser's output can hold: the tokens,
// times the most columns of a multiple assignment, since PostgreSQL's tree
// repeats the assigned source once per column (SET (c1, ..., c800) =
// (SELECT ... IN (10,000 values)) is 8 million nodes from 10,800 tokens).
func (n *Nesting) Cost() int { return n.tokens * max(1, n.repeats) }

type nestGroup struct {
	closer       byte // ')' or ']', or 'E' for a CASE's END
	links        int  // JOIN, UNION, INTERSECT, EXCEPT
	arm, longest int  // tokens in the current AND/OR arm, and in the longest
	lists        bool // an AND or OR was seen
	// betweens counts the BETWEENs whose AND is still to come: that AND
	// is part of the BETWEEN, not a boolean one.
	betweens     int
	deepestChild int
}

// depth bounds the depth of a group's subtree: its links, its longest arm,
// two levels of AND and OR lists if it has any, and its deepest child group.
func (n *Nesting) depth(g nestGroup) int {
	d := g.links + max(g.arm, g.longest) + g.deepestChild
	if g.lists {
		d += 2
	}
	if n.GroupsNest {
		d++
	}
	return d
}

func (n *Nesting) top() *nestGroup {
	if len(n.open) == 0 {
		n.open = append(n.open, nestGroup{})
	}
	return &n.open[len(n.open)-1]
}

// Token counts a token that may link a chain.
func (n *Nesting) Token() {
	n.setPending = false
	n.top().arm++
}

// Open opens a group that closer (')', ']' or 'E' for END) closes.
func (n *Nesting) Open(closer byte) {
	assigns := n.setPending && closer == ')'
	n.setPending = false
	n.top()
	n.open = append(n.open, nestGroup{closer: closer})
	if assigns {
		n.assignDepth, n.assignCols = len(n.open), 1
	}
}

// Close closes the innermost group that closer closes: a parenthesis also
// closes a CASE left open inside it (the parser refuses such a text, but the
// count must not go astray on the way). A closer with no group to close is
// only a token.
func (n *Nesting) Close(closer byte) {
	if n.assignDepth > 0 && len(n.open) == n.assignDepth && closer == ')' {
		n.repeats = max(n.repeats, n.assignCols)
		n.assignDepth = 0
	}
	n.setPending = false
	for len(n.open) > 1 {
		inner := n.open[len(n.open)-1]
		if inner.closer != closer && (closer == 'E' || inner.closer != 'E') {
			break
		}
		n.open = n.open[:len(n.open)-1]
		outer := &n.open[len(n.open)-1]
		outer.deepestChild = max(outer.deepestChild, n.depth(inner))
		if inner.closer == closer {
			return
		}
	}
	n.Token()
}

// EndStatement closes every group at a statement boundary: the statements of
// a text are siblings, not nested. A semicolon inside a group is a token.
func (n *Nesting) EndStatement() {
	if len(n.open) > 1 {
		n.Token()
		return
	}
	n.finish()
}

func (n *Nesting) finish() {
	for len(n.open) > 1 {
		inner := n.open[len(n.open)-1]
		n.open = n.open[:len(n.open)-1]
		outer := &n.open[len(n.open)-1]
		outer.deepestChild = max(outer.deepestChild, n.depth(inner))
	}
	if len(n.open) == 1 {
		n.bound = max(n.bound, n.depth(n.open[0]))
		n.open = n.open[:0]
	}
}

// Word counts a keyword or an identifier.
func (n *Nesting) Word(w string) {
	if len(w) == 3 && (w[0]|0x20) == 's' && (w[1]|0x20) == 'e' && (w[2]|0x20) == 't' {
		n.Token()
		n.setPending = true
		return
	}
	if len(w) > 9 {
		n.Token()
		return
	}
	var up [9]byte
	for i := 0; i < len(w); i++ {
		up[i] = w[i] &^ 0x20
	}
	switch string(up[:len(w)]) {
	case "BETWEEN":
		n.top().betweens++
		n.Token()
	case "AND":
		if t := n.top(); t.betweens > 0 {
			t.betweens--
			n.Token()
			return
		}
		n.Boolean()
	case "OR":
		n.Boolean()
	case "WHEN", "THEN", "ELSE":
	case "CASE":
		n.Open('E')
	case "END":
		n.Close('E')
	case "JOIN", "UNION", "INTERSECT", "EXCEPT":
		n.Link()
	default:
		n.Token()
	}
}

// Boolean counts an AND or an OR.
func (n *Nesting) Boolean() {
	if !n.FlatBooleans {
		n.Token()
		return
	}
	t := n.top()
	t.longest, t.arm, t.lists = max(t.longest, t.arm), 0, true
}

// Link counts a JOIN, UNION, INTERSECT or EXCEPT.
func (n *Nesting) Link() { n.top().links++ }

// OpenGroups counts the groups open now: a lower bound on the depth, by
// which a reader may stop early.
func (n *Nesting) OpenGroups() int { return len(n.open) }

// Bound ends the text and returns the bound on its depth.
func (n *Nesting) Bound() int {
	n.finish()
	return n.bound
}

// MaxSteps bounds the work an analyser does to judge one statement: each
// condition or part of one it evaluates, and each node it looks through
// for a column of the target, is a step (an evaluation, the heavier, counts
// as EvalSteps). Conditions are read several ways (as a whole, negated,
// against the table's own rows), and a subquery nested in a condition is
// read again at every level above it, so a short text of nested
// subqueries could otherwise keep a session's analysis running for
// minutes. Large statements of real use (thirty thousand tests ORed
// together, an IN list of a hundred thousand values) stay under it; at the
// bound, judging has taken about a second.
const MaxSteps = 1 << 21

// EvalSteps is what one evaluation of a condition counts against
// MaxSteps: about as much work as looking through that many nodes.
const EvalSteps = 8

// RuleTooComplex refuses a statement bulwark stopped judging at MaxSteps.
const RuleTooComplex = "too-complex"

// TooComplex is the finding for a statement bulwark stopped judging at
// MaxSteps.
func TooComplex() Finding {
	return Finding{
		Category: CategoryUnanalysable, Rule: RuleTooComplex,
		Reason: fmt.Sprintf("judging the statement's conditions took more than %d steps (subqueries nested in conditions are read again at every level above them), so bulwark stopped before it could tell what the statement would do", MaxSteps),
	}
}

// Budget counts the steps spent judging one statement against MaxSteps.
// The zero value is ready to use.
type Budget struct {
	used int
}

// Spend counts n steps and reports whether the total is still within the
// bound; past it, the caller answers without looking further, and the
// statement is refused (see TooComplex).
func (b *Budget) Spend(n int) bool {
	b.used += n
	return b.used <= MaxSteps
}

// Exhausted reports whether Spend has gone past the bound.
func (b *Budget) Exhausted() bool { return b.used > MaxSteps }

// Used returns how many steps were counted.
func (b *Budget) Used() int { return b.used }
