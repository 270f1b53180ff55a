package postgres

import (
	"slices"
	"unsafe"
)

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
	b, literals, ok := rewriteLiterals(nil, text, prefix)
	switch {
	case !ok:
		return "", false
	case !literals:
		return text, true
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), true // b is not written again
}

// appendFastKey appends fastKey's key of text to dst: prefix and the
// rewritten text when it has literals, else the text as it is. On !ok, dst
// is returned as it was. It allocates only when dst lacks the room.
func appendFastKey(dst []byte, text, prefix string) (key []byte, ok bool) {
	b, literals, ok := rewriteLiterals(dst, text, prefix)
	if ok && !literals {
		b = append(b, text...)
	}
	return b, ok
}

// rewriteLiterals is fastKey's scan: when text has literals (literals is
// true) it appends prefix and the rewritten text to dst; when it has none
// it appends nothing, so that fastKey can return text itself uncopied.
func rewriteLiterals(dst []byte, text, prefix string) (key []byte, literals, ok bool) {
	start := len(dst)
	b := dst
	last := 0 // text[last:i] is still to be copied into b
	literal := func(from, to int, placeholder string) {
		if !literals {
			literals = true
			b = slices.Grow(b, len(prefix)+len(text))
			b = append(b, prefix...)
		}
		b = append(b, text[last:from]...)
		b = append(b, placeholder...)
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
			return dst[:start], false, false
		}
		switch {
		case c == '-' || c == '/':
			opens := byte('-') // a comment: -- or /*
			if c == '/' {
				opens = '*'
			}
			if i+1 < len(text) && text[i+1] == opens {
				return dst[:start], false, false
			}
			prevIdent = false
		case c == '\'':
			if prevIdent || (i > 0 && text[i-1] == '&') {
				return dst[:start], false, false // E'', B'', X'', N'', U&'' and typed-string prefixes
			}
			j := i + 1
			for {
				if j >= len(text) {
					return dst[:start], false, false // unterminated
				}
				if text[j] == '\'' {
					if j+1 < len(text) && text[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				if text[j] >= 0x80 || text[j] == '\\' || text[j] == 0 {
					return dst[:start], false, false
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
					return dst[:start], false, false // "1." and "1.e5": leave odd spellings to the parser
				}
				for j < len(text) && isDigit(text[j]) {
					j++
				}
			}
			if j < len(text) && (isIdentByte(text[j]) || text[j] == '.') {
				return dst[:start], false, false // 1e5, 1abc, 0x1F, 1_000, 1.2.3
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
				return dst[:start], false, false // a dollar quote, or a parameter run into other text
			}
			i = j - 1 // a parameter, $1: kept as it is
		case c == '.':
			if i+1 < len(text) && isDigit(text[i+1]) && !prevIdent {
				return dst[:start], false, false // .5
			}
			prevIdent = false
		}
	}
	if !literals {
		return dst, false, true
	}
	return append(b, text[last:]...), true, true
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
