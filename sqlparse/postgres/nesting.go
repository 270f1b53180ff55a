package postgres

import (
	"fmt"

	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// RuleNestingTooDeep refuses a text nested past maxNesting, before the
// parser sees it.
const RuleNestingTooDeep = "nesting-too-deep"

// maxNesting bounds how deep a parse tree bulwark lets pg_query build.
//
// pg_query's C code turns the parse tree into its output (and normalises
// and fingerprints it) by recursion, without a depth check of its own. A
// long chain of left-associative operators, joins, casts, COLLATE or AT TIME
// ZONE parses without any recursion and then nests one level per link:
// "SELECT 1+1+...+1" with 40,000 terms (80 kB) overflows an 8 MiB thread
// stack, and a stack overflow in C kills the whole proxy, every session with
// it. Chains of 20,000 links of each kind were measured safe. (Right-nested
// constructs are bounded by the parser's own stack, and the tree's decoder
// refuses trees deeper than some 5,000 levels, so no text past this bound
// could have been analysed anyway.)
const maxNesting = 10000

// shapeCheckFrom is the text length from which shapeCheck reads a text.
// Every counted token takes a byte, so a shorter text is within every
// bound: its multiple assignments repeat at most some 250 columns over 250
// tokens.
const shapeCheckFrom = 1000

// shapeCheck bounds, from its tokens alone, what parsing text would cost:
// the depth of its parse tree (see sqlparse.Nesting), past maxNesting, and
// its number of tokens, past sqlparse.MaxTokens. It returns the finding
// that refuses text, and false, when it is past either.
func shapeCheck(text string) (sqlparse.Finding, bool) {
	if len(text) <= shapeCheckFrom {
		return sqlparse.Finding{}, true
	}
	g, ok := plainNesting(text)
	if !ok {
		g = scannedNesting(text)
	}
	switch {
	case g.Bound() > maxNesting:
		return sqlparse.Finding{
			Category: sqlparse.CategoryUnanalysable, Rule: RuleNestingTooDeep,
			Reason: fmt.Sprintf("the statement nests expressions, joins or set operations some %d levels deep, past the %d bulwark analyses", g.Bound(), maxNesting),
		}, false
	case g.Cost() > sqlparse.MaxTokens:
		return sqlparse.TooManyTokens(g.Cost()), false
	}
	return sqlparse.Finding{}, true
}

// plainNesting counts in Go, for texts in the subset whose token
// boundaries are plain: standard strings, quoted identifiers, comments,
// numbers, parameters and escape strings (E'...'). Unicode escapes (U&) and
// dollar quotes report false, and the server's own scanner counts instead.
func plainNesting(text string) (*sqlparse.Nesting, bool) {
	g := &sqlparse.Nesting{FlatBooleans: true}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !isSpaceByte(c) && !startsComment(text, i) {
			g.Count()
		}
		switch {
		case isSpaceByte(c):
		case c == '(':
			g.Open(')')
		case c == '[':
			g.Open(']')
		case c == ')' || c == ']':
			g.Close(c)
		case c == ',':
			g.Comma()
		case c == ';':
			g.EndStatement()
		case c == '\'':
			if i > 0 && text[i-1] == '&' {
				return nil, false // U&'...': escapes of its own
			}
			end, ok := quotedEnd(text, i, '\'', false)
			if !ok {
				return nil, false
			}
			i = end - 1
		case c == '"':
			if i > 0 && text[i-1] == '&' {
				return nil, false
			}
			end, ok := quotedEnd(text, i, '"', false)
			if !ok {
				return nil, false
			}
			g.Token()
			i = end - 1
		case c == '-' && i+1 < len(text) && text[i+1] == '-':
			for i < len(text) && text[i] != '\n' && text[i] != '\r' {
				i++
			}
		case c == '/' && i+1 < len(text) && text[i+1] == '*':
			end, ok := commentEnd(text, i)
			if !ok {
				return nil, false
			}
			i = end - 1
		case isDigit(c) || c == '.' && i+1 < len(text) && isDigit(text[i+1]):
			// A number, with its exponent, or junk the parser refuses;
			// "1..2" is a number and "..".
			for i+1 < len(text) && (isIdentByte(text[i+1]) || text[i+1] == '.' && (i+2 >= len(text) || text[i+2] != '.')) {
				i++
			}
		case c == '$':
			j := i + 1
			for j < len(text) && isDigit(text[j]) {
				j++
			}
			if j == i+1 {
				return nil, false // a dollar quote
			}
			i = j - 1 // a parameter: a value, like a literal
		case isIdentByte(c) || c >= 0x80:
			j := i
			for j < len(text) && (isIdentByte(text[j]) || text[j] == '$' || text[j] >= 0x80) {
				j++
			}
			if w := text[i:j]; (w == "E" || w == "e") && j < len(text) && text[j] == '\'' {
				end, ok := quotedEnd(text, j, '\'', true) // E'...', where a backslash escapes
				if !ok {
					return nil, false
				}
				i = end - 1
				continue
			}
			g.Word(text[i:j])
			i = j - 1
		default:
			g.Token() // an operator character, each counted on its own
		}
	}
	return g, true
}

// quotedEnd returns the offset just past the quoted span that starts at
// text[i], where a doubled quote stands for itself and, with backslashes
// set, a backslash escapes the byte after it.
func quotedEnd(text string, i int, quote byte, backslashes bool) (int, bool) {
	for j := i + 1; j < len(text); j++ {
		if backslashes && text[j] == '\\' {
			j++
			continue
		}
		if text[j] == quote {
			if j+1 < len(text) && text[j+1] == quote {
				j++
				continue
			}
			return j + 1, true
		}
	}
	return 0, false
}

// commentEnd returns the offset just past the comment that starts at
// text[i]; PostgreSQL nests /* */ comments.
func commentEnd(text string, i int) (int, bool) {
	depth := 0
	for j := i; j+1 < len(text); j++ {
		switch {
		case text[j] == '/' && text[j+1] == '*':
			depth++
			j++
		case text[j] == '*' && text[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1, true
			}
		}
	}
	return 0, false
}

// scannedNesting counts with the tokens of pg_query's scanner, which
// does not recurse. A text it cannot scan will not parse either, and gets a
// bound of zero so that the parser reports the error.
func scannedNesting(text string) *sqlparse.Nesting {
	g := &sqlparse.Nesting{FlatBooleans: true}
	res, err := pg_query.Scan(text)
	if err != nil {
		return g
	}
	for _, t := range res.Tokens {
		if t.Token != pg_query.Token_SQL_COMMENT && t.Token != pg_query.Token_C_COMMENT {
			g.Count()
		}
		switch t.Token {
		case pg_query.Token_ASCII_40:
			g.Open(')')
		case pg_query.Token_ASCII_91:
			g.Open(']')
		case pg_query.Token_ASCII_41:
			g.Close(')')
		case pg_query.Token_ASCII_93:
			g.Close(']')
		case pg_query.Token_CASE:
			g.Open('E')
		case pg_query.Token_END_P:
			g.Close('E')
		case pg_query.Token_ASCII_59:
			g.EndStatement()
		case pg_query.Token_AND:
			g.Word("AND")
		case pg_query.Token_OR:
			g.Word("OR")
		case pg_query.Token_BETWEEN:
			g.Word("BETWEEN")
		case pg_query.Token_JOIN, pg_query.Token_UNION, pg_query.Token_INTERSECT, pg_query.Token_EXCEPT:
			g.Link()
		case pg_query.Token_ASCII_44:
			g.Comma()
		case pg_query.Token_SET:
			g.Word("SET")
		case pg_query.Token_SQL_COMMENT, pg_query.Token_C_COMMENT,
			pg_query.Token_ICONST, pg_query.Token_FCONST, pg_query.Token_SCONST, pg_query.Token_USCONST,
			pg_query.Token_BCONST, pg_query.Token_XCONST, pg_query.Token_PARAM,
			pg_query.Token_WHEN, pg_query.Token_THEN, pg_query.Token_ELSE:
		default:
			g.Token()
		}
	}
	return g
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// startsComment: text[i] starts a -- or /* comment.
func startsComment(text string, i int) bool {
	return i+1 < len(text) && (text[i] == '-' && text[i+1] == '-' || text[i] == '/' && text[i+1] == '*')
}
