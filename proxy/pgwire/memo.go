package pgwire

import "github.com/bulwarkdb/bulwark/proxy/gate"

// verdictMemo remembers, for one session, the statement texts the enforcer
// allowed without a snapshot, so that a client's repeated statements go
// through without being judged again (gate.Enforcer's PolicyGeneration):
//   - by exact text: drivers send the same Parse for every execution of
//     an unnamed statement;
//   - by shape, when the verdict was Shaped: simple-protocol clients send
//     the same statement again with new literals.
//
// Every entry was allowed under one policy generation and one Lexing; when
// either changes, the memo starts again empty. Refusals and snapshots are
// never remembered: each must be recorded or taken anew.
type verdictMemo struct {
	generation uint64
	lex        gate.Lexing
	// allowed maps a key (see keyOf) to whether the text is lexing
	// sensitive (gate.Enforcer's LexingSensitive).
	allowed map[string]bool
	held    int    // bytes of the keys in allowed
	buf     []byte // scratch for building a key
}

const (
	// maxMemoText is the longest text the memo keeps; longer ones are
	// judged every time.
	maxMemoText = 8 << 10
	// maxMemoBytes bounds a session's memo; when the next key does not
	// fit, the memo starts again empty.
	maxMemoBytes = 64 << 10
)

// How a key was found: the text itself, or its shape.
const (
	byText  = 'T'
	byShape = 'S'
)

// appendKey appends the memo's key of a text or shape for a request source.
func appendKey[T string | []byte](dst []byte, src gate.Source, by byte, text T) []byte {
	return append(append(append(dst, src...), 0, by), text...)
}

// lookup reports whether a text (by byText) or a shape (by byShape) was
// allowed for src, and whether the text was lexing sensitive. It does not
// check the generation and lexing: see current.
func lookup[T string | []byte](m *verdictMemo, src gate.Source, by byte, text T) (sensitive, ok bool) {
	if len(m.allowed) == 0 || len(text) > maxMemoText {
		return false, false
	}
	m.buf = appendKey(m.buf[:0], src, by, text)
	sensitive, ok = m.allowed[string(m.buf)]
	return sensitive, ok
}

// current reports whether the memo's entries were made under generation
// and lx; if not, it empties the memo and starts it again under them.
func (m *verdictMemo) current(generation uint64, lx gate.Lexing) bool {
	if m.generation == generation && m.lex == lx {
		return true
	}
	m.forget()
	m.generation, m.lex = generation, lx
	return false
}

func (m *verdictMemo) forget() {
	clear(m.allowed)
	m.held = 0
}

// remember records an allowed text or shape.
func remember[T string | []byte](m *verdictMemo, src gate.Source, by byte, text T, sensitive bool) {
	if len(text) > maxMemoText {
		return
	}
	m.buf = appendKey(m.buf[:0], src, by, text)
	key := m.buf
	if m.held+len(key) > maxMemoBytes {
		m.forget()
	}
	if m.allowed == nil {
		m.allowed = map[string]bool{}
	}
	if _, ok := m.allowed[string(key)]; !ok {
		m.held += len(key)
	}
	m.allowed[string(key)] = sensitive
}
