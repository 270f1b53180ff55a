package postgres

import "strings"

// fastKey computes a literal-free cache key in Go for texts written in a
// deliberately small subset of PostgreSQL's lexical syntax, where finding the
// literals needs no parser: ASCII only; no comments, dollar quotes, backslashes,
// double quotes or question marks; string literals plain '...' (a quote
// inside written twice) and numbers plain digits with at most one decimal
// part; parameters ($1) kept as they are. Each literal
// is replaced by '?' or ? and every other byte is kept as it is, so two texts
// share a key only when they are the same token for token except for the
// contents of their literals — the property the normalised key has, at a
// fraction of the cost of a parse. Anything outside the subset returns
// ok=false and the caller asks pg_query.
//
// The key is prefix followed by the rewritten text. A text without literals
// is returned as it is, without the prefix and without copying.
func fastKey(text, prefix string) (key string, ok bool) {
	var b strings.Builder
	last := 0 // text[last:i] is still to be copied into b
	literal := func(from, to int, placeholder string) {
		if b.Cap() == 0 {
			b.Grow(len(prefix) + len(text))
			b.WriteString(prefix)
		}
		b.WriteString(text[last:from])
		b.WriteString(placeholder)
		last = to
	}
	prevIdent := false // the previous byte continues an identifier or keyword
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch lexClass[c] {
		case lexOther:
			prevIdent = false
			continue
		case lexLetter:
			prevIdent = true
			continue
		case lexRefuse:
			return "", false
		}
		switch {
		case c == '-' || c == '/':
			opens := byte('-') // a comment: -- or /*
			if c == '/' {
				opens = '*'
			}
			if i+1 < len(text) && text[i+1] == opens {
				return "", false
			}
			prevIdent = false
		case c == '\'':
			if prevIdent || (i > 0 && text[i-1] == '&') {
				return "", false // E'', B'', X'', N'', U&'' and typed-string prefixes
			}
			j := i + 1
			for {
				if j >= len(text) {
					return "", false // unterminated
				}
				if text[j] == '\'' {
					if j+1 < len(text) && text[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				if text[j] >= 0x80 || text[j] == '\\' || text[j] == 0 {
					return "", false
				}
				j++
			}
			literal(i, j+1, "'?'")
			i = j
			prevIdent = false
		case isDigit(c):
			if prevIdent {
				continue // a digit inside an identifier
			}
			j := i
			for j < len(text) && isDigit(text[j]) {
				j++
			}
			if j < len(text) && text[j] == '.' {
				j++
				if j >= len(text) || !isDigit(text[j]) {
					return "", false // "1." and "1.e5": leave odd spellings to the parser
				}
				for j < len(text) && isDigit(text[j]) {
					j++
				}
			}
			if j < len(text) && (isIdentByte(text[j]) || text[j] == '.') {
				return "", false // 1e5, 1abc, 0x1F, 1_000, 1.2.3
			}
			literal(i, j, "?")
			i = j - 1
			prevIdent = false
		case c == '$':
			if prevIdent {
				continue // a dollar sign inside an identifier: a$b
			}
			j := i + 1
			for j < len(text) && isDigit(text[j]) {
				j++
			}
			if j == i+1 || j < len(text) && (isIdentByte(text[j]) || text[j] == '$') {
				return "", false // a dollar quote, or a parameter run into other text
			}
			i = j - 1 // a parameter, $1: kept as it is
		case c == '.':
			if i+1 < len(text) && isDigit(text[i+1]) && !prevIdent {
				return "", false // .5
			}
			prevIdent = false
		}
	}
	if b.Cap() == 0 {
		return text, true
	}
	b.WriteString(text[last:])
	return b.String(), true
}

// The classes of bytes fastKey's scan tells apart.
const (
	lexOther   = iota // punctuation and white space: kept, ends an identifier
	lexLetter         // letters and '_': kept, continue an identifier
	lexSpecial        // bytes that may start a literal or a comment: looked at
	lexRefuse         // bytes outside the subset
)

var lexClass = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 0x80, c == '\\', c == '"', c == '?', c == 0:
			t[c] = lexRefuse
		case c == '\'', c == '-', c == '/', c == '.', c == '$', isDigit(byte(c)):
			t[c] = lexSpecial
		case c == '_', c|0x20 >= 'a' && c|0x20 <= 'z':
			t[c] = lexLetter
		}
	}
	return t
}()

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentByte(c byte) bool {
	return c == '_' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z')
}
