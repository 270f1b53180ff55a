package postgres

import "strings"

// fastKey computes a literal-free cache key in Go for texts written in a
// deliberately small subset of PostgreSQL's lexical syntax, where finding the
// literals needs no parser: ASCII only; no comments, dollar signs, backslashes,
// double quotes or question marks; string literals plain '...' (a quote
// inside written twice) and numbers plain digits with at most one decimal part. Each literal
// is replaced by '?' or ? and every other byte is kept as it is, so two texts
// share a key only when they are the same token for token except for the
// contents of their literals — the property the normalised key has, at a
// fraction of the cost of a parse. Anything outside the subset returns
// ok=false and the caller asks pg_query.
func fastKey(text string) (key string, ok bool) {
	var b strings.Builder
	b.Grow(len(text))
	prevIdent := false // the previous byte continues an identifier or keyword
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c >= 0x80, c == '$', c == '\\', c == '"', c == '?', c == 0:
			return "", false
		case c == '-' && i+1 < len(text) && text[i+1] == '-',
			c == '/' && i+1 < len(text) && text[i+1] == '*':
			return "", false // comments
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
			b.WriteString("'?'")
			i = j
			prevIdent = false
			continue
		case c >= '0' && c <= '9' && !prevIdent:
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
			b.WriteByte('?')
			i = j - 1
			prevIdent = false
			continue
		case c == '.' && i+1 < len(text) && isDigit(text[i+1]) && !prevIdent:
			return "", false // .5
		}
		b.WriteByte(c)
		prevIdent = isIdentByte(c)
	}
	return b.String(), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentByte(c byte) bool {
	return c == '_' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z')
}
