package mysql

import (
	"fmt"
	"strings"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// RuleNestingTooDeep refuses a text nested past maxNesting, before the
// parser sees it.
const RuleNestingTooDeep = "nesting-too-deep"

// maxNesting bounds how deep a tree bulwark lets the TiDB parser build. The
// parser and bulwark's walk are Go and grow their stacks as they need, but
// every level costs memory: "SELECT ----...1" with four million minus signs
// took 2 GB to parse, and the default statement limit is four times that
// size. A tree this deep takes some 50 MB; ordinary statements, however long,
// are a few dozen levels deep.
const maxNesting = 100000

// shapeCheck bounds, from its tokens alone, what parsing one reading of a
// text would cost: the depth of the tree the parser builds (see
// sqlparse.Nesting), past maxNesting, and its number of tokens, past
// sqlparse.MaxTokens. It returns the finding that refuses the text, and
// false, when it is past either. The TiDB parser nests AND and OR like any operator, and
// its stack grows without limit, so every group is a level.
func shapeCheck(reading string, m modeInfo) (sqlparse.Finding, bool) {
	if len(reading) <= maxNesting {
		return sqlparse.Finding{}, true
	}
	ansiQuotes, noBackslash := m.flags.HasANSIQuotesMode(), m.flags.HasNoBackslashEscapesMode()
	n := sqlparse.Nesting{GroupsNest: true}
	for i := 0; i < len(reading); i++ {
		c := reading[i]
		if !isSpace(c) && c != '#' && !strings.HasPrefix(reading[i:], "--") && !strings.HasPrefix(reading[i:], "/*") {
			n.Count()
		}
		switch {
		case isSpace(c):
		case c == '(':
			n.Open(')')
			if n.OpenGroups() > maxNesting {
				return tooDeep(n.OpenGroups()), false
			}
		case c == ')':
			n.Close(')')
		case c == ',':
		case c == ';':
			n.EndStatement()
		case c == '\'' || c == '"':
			end, _, ok := stringEnd(reading, i, c, noBackslash)
			if !ok {
				return sqlparse.Finding{}, true // the parser refuses it
			}
			if c == '"' && ansiQuotes {
				n.Token()
			}
			i = end - 1
		case c == '`':
			end, _, ok := stringEnd(reading, i, '`', true)
			if !ok {
				return sqlparse.Finding{}, true
			}
			n.Token()
			i = end - 1
		case c == '#' || c == '-' && i+2 < len(reading) && reading[i+1] == '-' && (isSpace(reading[i+2]) || reading[i+2] < 0x20):
			for i < len(reading) && reading[i] != '\n' {
				i++
			}
		case strings.HasPrefix(reading[i:], "/*!") || strings.HasPrefix(reading[i:], "/*M!"):
			// An executable comment of this reading: its content is
			// read as SQL, and its closer counts as two operators.
			i += strings.IndexByte(reading[i:], '!')
		case c == '/' && i+1 < len(reading) && reading[i+1] == '*':
			j := i + 2
			for j+1 < len(reading) && !(reading[j] == '*' && reading[j+1] == '/') {
				j++
			}
			i = j + 1
		case isDigit(c):
			// A number, or an identifier that starts with digits;
			// neither links a chain.
			for i+1 < len(reading) && (isIdentChar(reading[i+1]) || reading[i+1] == '.') {
				i++
			}
		case isIdentChar(c):
			j := i
			for j < len(reading) && isIdentChar(reading[j]) {
				j++
			}
			n.Word(reading[i:j])
			i = j - 1
		default:
			n.Token() // an operator character, each counted on its own
		}
	}
	switch {
	case n.Bound() > maxNesting:
		return tooDeep(n.Bound()), false
	case n.Tokens() > sqlparse.MaxTokens:
		return sqlparse.TooManyTokens(n.Tokens()), false
	}
	return sqlparse.Finding{}, true
}

// tooDeep is the finding for a text past maxNesting.
func tooDeep(bound int) sqlparse.Finding {
	return sqlparse.Finding{
		Category: sqlparse.CategoryUnanalysable, Rule: RuleNestingTooDeep,
		Reason: fmt.Sprintf("the statement nests expressions some %d levels deep, past the %d bulwark analyses", bound, maxNesting),
	}
}
