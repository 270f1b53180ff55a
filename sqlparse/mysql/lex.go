package mysql

import (
	"errors"
	"strconv"
	"strings"
)

// The scanner in this file reads text with the token boundaries of the TiDB
// lexer (which the parser uses) and of the MySQL and MariaDB servers: string
// literals, quoted identifiers, comments and executable comments. The parser
// does all the real work; the scanner exists for the three things the parser
// cannot do for us:
//
//   - find the executable comments the TiDB lexer does not know (MariaDB's
//     /*M! ... */) or reads differently from the server (version digits,
//     TiDB's own /*T! ... */, version-gated content a server skips), so that
//     every reading a server could make of the text is analysed;
//   - find the literals, so that CacheKey can replace them (the TiDB
//     digester ignores sql_mode, so under ANSI_QUOTES it would turn "col"
//     into a literal and let WHERE "col" lend its verdict to WHERE 1);
//   - find bytes on which the TiDB lexer and the server disagree.
//
// Wherever the scanner is unsure it reports an error, and the text is then
// refused as unanalysable: a span wrongly taken for a literal would let two
// different statements share a cache key.

// execComment is one executable comment: /*! ... */, /*!NNNNN ... */,
// /*M! ... */ or /*M!NNNNNN ... */.
type execComment struct {
	start int // offset of "/*"
	// head is the length of the opener: "/*!", "/*M!" plus version digits.
	head int
	// end is the offset just past the closing "*/".
	end int
	// mariadb: the /*M! form, which only MariaDB executes.
	mariadb bool
	// digits: the version digits after the opener as written (0, 5 or 6
	// of them; see versionDigits).
	digits string
}

// scan is the result of reading a text.
type scan struct {
	// literals are the [start, end) spans of literal values a cache key
	// may replace: quoted strings and plain decimal numbers.
	literals [][2]int
	// execs are the executable comments, in order.
	execs []execComment
	// tidbComments are /*T! ... */ openers (offset of "/*"): TiDB runs
	// their content, MySQL and MariaDB do not.
	tidbComments []int
	// ansiBackslash is set when, under ANSI_QUOTES with backslash escapes
	// on, a "..." identifier contains a backslash: the server reads the
	// backslash as a plain character, the TiDB lexer as an escape.
	ansiBackslash bool
	// nonASCII is set when the text has bytes outside ASCII.
	nonASCII bool
}

var (
	errUnterminated   = errors.New("unterminated string, quoted identifier or comment")
	errNestedExec     = errors.New("an executable comment inside another executable comment")
	errAmbiguousSkip  = errors.New("a version-gated comment whose end a server could find at a different place")
	errStrayByte      = errors.New("a control character or a byte the parser and the server read differently")
	errDashControl    = errors.New("a -- followed by a character that only some readers take as the start of a comment")
	errUnbalancedExec = errors.New("an executable comment that is not closed")
)

// isSpace is the TiDB lexer's notion of white space: unicode.IsSpace of
// the byte read as a Latin-1 rune, that is ASCII white space, NEL (0x85)
// and NBSP (0xA0), the last two of which the server does not skip.
func isSpace(b byte) bool { return b == ' ' || b >= '\t' && b <= '\r' || b == 0x85 || b == 0xA0 }

func isIdentChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '$' || b >= 0x80
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// scanText reads text under the given modes. ansiQuotes: "..." quotes an
// identifier; noBackslash: a backslash in a string is an ordinary character.
func scanText(text string, ansiQuotes, noBackslash bool) (*scan, error) {
	s := &scan{}
	if err := s.read(text, ansiQuotes, noBackslash); err != nil {
		return nil, err
	}
	return s, nil
}

// read is scanText into s, whose slices it appends to.
func (s *scan) read(text string, ansiQuotes, noBackslash bool) error {
	var exec *execComment // the executable comment being read, if any
	n := len(text)
	i := 0
	for i < n {
		c := text[i]
		if c >= 0x80 {
			s.nonASCII = true
		}
		switch {
		case c == 0x85 || c == 0xA0:
			// At the start of a token the TiDB lexer skips these as
			// white space; a UTF-8 server reads them as part of a
			// (malformed) character.
			return errStrayByte
		case isSpace(c):
			i++
		case c < 0x20 || c == 0x7f:
			return errStrayByte
		case c == '\'' || c == '"':
			quote := c
			end, bs, ok := stringEnd(text, i, quote, noBackslash)
			if !ok {
				return errUnterminated
			}
			asIdent := quote == '"' && ansiQuotes
			if asIdent && bs {
				s.ansiBackslash = true
			}
			prevAt := i > 0 && text[i-1] == '@' // @'name' is a user variable
			if !asIdent && !prevAt {
				s.literals = append(s.literals, [2]int{i, end})
			}
			if exec != nil && strings.Contains(text[i:end], "*/") {
				// A server that skips the comment may look for
				// the first */ without reading strings.
				return errAmbiguousSkip
			}
			i = end
		case c == '`':
			j := i + 1
			for {
				k := strings.IndexByte(text[j:], '`')
				if k < 0 {
					return errUnterminated
				}
				j += k + 1
				if j < n && text[j] == '`' {
					j++
					continue
				}
				break
			}
			if exec != nil && strings.Contains(text[i:j], "*/") {
				return errAmbiguousSkip
			}
			i = j
		case c == '#':
			k := strings.IndexByte(text[i:], '\n')
			if exec != nil {
				// A line comment inside an executable comment
				// could hide its end from one reader and not the
				// other.
				return errAmbiguousSkip
			}
			if k < 0 {
				i = n
			} else {
				i += k + 1
			}
		case c == '-' && i+1 < n && text[i+1] == '-':
			if i+2 == n || isSpace(text[i+2]) {
				if i+2 < n && (text[i+2] == 0x85 || text[i+2] == 0xA0) {
					return errDashControl
				}
				if exec != nil {
					return errAmbiguousSkip
				}
				k := strings.IndexByte(text[i:], '\n')
				if k < 0 {
					i = n
				} else {
					i += k + 1
				}
				continue
			}
			if i+2 < n && (text[i+2] < 0x20 || text[i+2] == 0x7f) {
				// The server takes -- followed by any control
				// character as a comment; the TiDB lexer does not.
				return errDashControl
			}
			i += 2
		case c == '/' && i+1 < n && text[i+1] == '*':
			switch {
			case i+2 < n && text[i+2] == '!':
				if exec != nil {
					return errNestedExec
				}
				j := i + 3
				d := versionDigits(text[j:])
				s.execs = append(s.execs, execComment{start: i, head: 3 + len(d), digits: d})
				exec = &s.execs[len(s.execs)-1]
				i = j + len(d)
			case i+3 < n && (text[i+2] == 'M' || text[i+2] == 'm') && text[i+3] == '!':
				// MariaDB accepts /*M! only with an upper-case M;
				// reading a lower-case one as executable too errs on
				// the side of seeing more.
				if exec != nil {
					return errNestedExec
				}
				j := i + 4
				d := versionDigits(text[j:])
				s.execs = append(s.execs, execComment{start: i, head: 4 + len(d), mariadb: true, digits: d})
				exec = &s.execs[len(s.execs)-1]
				i = j + len(d)
			default:
				if i+3 < n && text[i+2] == 'T' && text[i+3] == '!' {
					s.tidbComments = append(s.tidbComments, i)
				}
				k := strings.Index(text[i+2:], "*/")
				if k < 0 {
					return errUnterminated
				}
				if exec != nil && strings.Contains(text[i+2:i+2+k], "/*") {
					return errAmbiguousSkip
				}
				if exec != nil {
					// A plain comment inside an executable one: its
					// */ may close the outer comment for a reader
					// that skips the content.
					return errAmbiguousSkip
				}
				i += 2 + k + 2
			}
		case c == '*' && exec != nil && i+1 < n && text[i+1] == '/':
			exec.end = i + 2
			exec = nil
			i += 2
		case isDigit(c):
			j := i
			for j < n && isIdentChar(text[j]) {
				j++
			}
			// A decimal fraction belongs to the number.
			if j < n && text[j] == '.' && allDigits(text[i:j]) {
				k := j + 1
				for k < n && isDigit(text[k]) {
					k++
				}
				if k > j+1 && (k == n || !isIdentChar(text[k]) && text[k] != '.') {
					j = k
				}
			}
			tok := text[i:j]
			prev := byte(' ')
			if i > 0 {
				prev = text[i-1]
			}
			// Only plain decimal numbers not glued to a name are
			// literals for sure: 1e5, 0x1F and 2t are left as
			// they are (a longer key is only a missed cache hit).
			if isPlainNumber(tok) && prev != '.' && prev != '@' && !isIdentChar(prev) &&
				(j == n || text[j] != '.' && !isIdentChar(text[j])) {
				s.literals = append(s.literals, [2]int{i, j})
			}
			i = j
		case isIdentChar(c):
			for i < n && isIdentChar(text[i]) {
				if text[i] >= 0x80 {
					s.nonASCII = true
				}
				i++
			}
		default:
			i++
		}
	}
	if exec != nil {
		return errUnbalancedExec
	}
	return nil
}

// stringEnd returns the offset just past the string that starts at text[i]
// with the given quote, and whether it contains a backslash.
func stringEnd(text string, i int, quote byte, noBackslash bool) (end int, backslash, ok bool) {
	n := len(text)
	j := i + 1
	for j < n {
		switch text[j] {
		case quote:
			if j+1 < n && text[j+1] == quote {
				j += 2
				continue
			}
			return j + 1, backslash, true
		case '\\':
			backslash = true
			if !noBackslash {
				j += 2
				continue
			}
		}
		j++
	}
	return 0, backslash, false
}

// versionDigits returns the version number that follows an executable
// comment opener: MariaDB reads six digits when there are six, otherwise
// five; fewer than five are no version at all (checked against MariaDB
// 10.11: "/*!100000 +1 */" is gated on version 10.0.0).
func versionDigits(s string) string {
	k := 0
	for k < len(s) && k < 6 && isDigit(s[k]) {
		k++
	}
	if k < 5 {
		return ""
	}
	return s[:k]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

func isPlainNumber(s string) bool {
	dot := strings.IndexByte(s, '.')
	if dot < 0 {
		return allDigits(s)
	}
	return allDigits(s[:dot]) && allDigits(s[dot+1:])
}

// server is one kind of server a reading is made for.
type server int

const (
	serverMySQL server = iota
	serverMariaDB
)

// gate returns the version gate a server of kind srv reads on comment e,
// and whether it has one: ok is false for a comment srv always runs
// (unversioned) and for one it never runs (/*M! on MySQL; run reports
// which). Servers do not all follow their version number: MariaDB runs
// /*M!NNNNN but skips /*!50700 to /*!99999 (MySQL 5.7 syntax) whatever its
// own version, and may change such rules again. So bulwark does not
// predict which gates run; it only relies on a server deciding every
// comment of the same gate alike. The gate keeps the comment's kind for
// MariaDB, which treats /*M!NNNNN and /*!NNNNN differently. Version
// numbers are read as MariaDB reads them (six digits, 100000 = 10.0.0);
// MySQL reads only five digits, the sixth is then content.
func (e execComment) gate(srv server) (g string, run, ok bool) {
	if e.mariadb && srv == serverMySQL {
		return "", false, false // MySQL treats /*M! as an ordinary comment
	}
	d := e.digits
	if d == "" {
		return "", true, false
	}
	if srv == serverMySQL && len(d) == 6 {
		d = d[:5]
	}
	v, _ := strconv.Atoi(d)
	g = strconv.Itoa(v)
	if e.mariadb {
		g = "M" + g
	}
	return g, false, true
}

// reading rewrites text the way a server of kind srv reads its executable
// comments when it runs the gates in runs, for the TiDB lexer: the opener
// of a comment the server runs becomes "/*!" followed by spaces (the TiDB
// lexer would read only five version digits and knows nothing of /*M!),
// and a comment the server skips is blanked entirely. TiDB's /*T!
// comments, which no MySQL or MariaDB server runs, become plain comments.
// Offsets are preserved.
func (s *scan) reading(text string, srv server, runs map[string]bool) string {
	if len(s.execs) == 0 && len(s.tidbComments) == 0 {
		return text
	}
	b := []byte(text)
	for _, e := range s.execs {
		g, run, gated := e.gate(srv)
		if gated {
			run = runs[g]
		}
		if run {
			b[e.start], b[e.start+1], b[e.start+2] = '/', '*', '!'
			head := e.head
			if srv == serverMySQL && len(e.digits) == 6 {
				head-- // MySQL reads the sixth digit as content
			}
			for k := e.start + 3; k < e.start+head; k++ {
				b[k] = ' '
			}
			continue
		}
		for k := e.start; k < e.end; k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
	}
	for _, t := range s.tidbComments {
		b[t+3] = ' ' // "/*T!" -> "/*T "
	}
	return string(b)
}

// maxGates is how many distinct version gates a text may have for one kind
// of server: every combination of them is a reading (16 at most per kind).
const maxGates = 4

// readings returns every distinct text a MySQL or MariaDB server could make
// of text: for each kind of server, the reading under every combination of
// the version gates it runs (see gate). The first is the reading in which
// every executable comment runs. ok is false when there are too many
// version gates to enumerate.
func (s *scan) readings(text string) ([]string, bool) {
	if len(s.execs) == 0 {
		return []string{s.reading(text, serverMariaDB, nil)}, true
	}
	seen := map[string]bool{}
	var out []string
	addReading := func(srv server, runs map[string]bool) {
		r := s.reading(text, srv, runs)
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, srv := range []server{serverMariaDB, serverMySQL} {
		var gates []string
		have := map[string]bool{}
		for _, e := range s.execs {
			if g, _, ok := e.gate(srv); ok && !have[g] {
				have[g] = true
				gates = append(gates, g)
			}
		}
		if len(gates) > maxGates {
			return nil, false
		}
		// Combination 0 runs every gate, so the first reading is the
		// one in which everything runs.
		for mask := 0; mask < 1<<len(gates); mask++ {
			runs := make(map[string]bool, len(gates))
			for i, g := range gates {
				runs[g] = mask&(1<<i) == 0
			}
			addReading(srv, runs)
		}
	}
	return out, true
}

// appendLiteralFree appends text to dst with every literal of the scan
// replaced by "?".
func (s *scan) appendLiteralFree(dst []byte, text string) []byte {
	last := 0
	for _, l := range s.literals {
		dst = append(dst, text[last:l[0]]...)
		dst = append(dst, '?')
		last = l[1]
	}
	return append(dst, text[last:]...)
}
