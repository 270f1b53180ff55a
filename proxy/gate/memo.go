package gate

// Memo remembers, for one session, what the enforcer allowed without a
// snapshot, so that an engine can let the session's repeated statements
// through without asking again, as Enforcer.PolicyGeneration and
// Verdict.Shaped allow:
//   - by exact text: drivers send the same text again for every execution
//     of an unnamed or re-prepared statement;
//   - by shape, when the verdict was Shaped: clients that inline their
//     values send the same statement again with new literals.
//
// Each entry keeps the Lexing it was judged under and counts only under
// the same one; the whole memo is forgotten when the policy generation
// changes. Refusals and snapshots must never be remembered: each must be
// recorded or taken anew. A Memo belongs to one session and is not safe for
// concurrent use.
type Memo struct {
	generation uint64
	entries    map[string]MemoEntry
	held       int    // bytes of the keys in entries
	buf        []byte // scratch for building a key
}

// MemoEntry is what a Memo keeps of an allowed text or shape.
type MemoEntry struct {
	// Sensitive is the enforcer's LexingSensitive of the text.
	Sensitive bool
	// Lexing is what the text was judged under.
	Lexing Lexing
}

const (
	// MaxMemoText is the longest text or shape a Memo keeps; longer ones
	// are judged every time.
	MaxMemoText = 8 << 10
	// maxMemoBytes bounds a session's Memo: when the next key does not
	// fit, the memo starts again empty.
	maxMemoBytes = 64 << 10
)

// The two kinds of key.
const (
	byText  = 'T'
	byShape = 'S'
)

// Text looks up an allowed text of source src under policy generation.
func (m *Memo) Text(generation uint64, src Source, text []byte) (MemoEntry, bool) {
	return lookup(m, generation, src, byText, text)
}

// Shape reports whether a text of this shape from source src was allowed
// under policy generation and lx.
func (m *Memo) Shape(generation uint64, src Source, shape []byte, lx Lexing) bool {
	e, ok := lookup(m, generation, src, byShape, shape)
	return ok && e.Lexing == lx
}

// RememberText records that text was allowed.
func (m *Memo) RememberText(generation uint64, src Source, text []byte, e MemoEntry) {
	remember(m, generation, src, byText, text, e)
}

// RememberShape records that every text of this shape is allowed (the
// verdict was Shaped).
func (m *Memo) RememberShape(generation uint64, src Source, shape []byte, e MemoEntry) {
	remember(m, generation, src, byShape, shape, e)
}

// appendKey appends the key of a text or shape for a request source.
func appendKey[T string | []byte](dst []byte, src Source, by byte, text T) []byte {
	return append(append(append(dst, src...), 0, by), text...)
}

// current forgets everything when the policy generation has changed.
func (m *Memo) current(generation uint64) {
	if m.generation != generation {
		m.forget()
		m.generation = generation
	}
}

func (m *Memo) forget() {
	clear(m.entries)
	m.held = 0
}

func lookup[T string | []byte](m *Memo, generation uint64, src Source, by byte, text T) (MemoEntry, bool) {
	m.current(generation)
	if len(m.entries) == 0 || len(text) > MaxMemoText {
		return MemoEntry{}, false
	}
	m.buf = appendKey(m.buf[:0], src, by, text)
	e, ok := m.entries[string(m.buf)]
	return e, ok
}

func remember[T string | []byte](m *Memo, generation uint64, src Source, by byte, text T, e MemoEntry) {
	m.current(generation)
	if len(text) > MaxMemoText {
		return
	}
	m.buf = appendKey(m.buf[:0], src, by, text)
	if m.held+len(m.buf) > maxMemoBytes {
		m.forget()
	}
	if m.entries == nil {
		m.entries = map[string]MemoEntry{}
	}
	if _, ok := m.entries[string(m.buf)]; !ok {
		m.held += len(m.buf)
	}
	m.entries[string(m.buf)] = e
}
