package gate

// Memo remembers, for one session, what the enforcer allowed without a
// snapshot in Query and Parse requests, so that an engine can let the
// session's repeated statements through without asking again, as
// Enforcer.PolicyGeneration and Verdict.Shaped allow:
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
	// tables holds one map for each source a memo keeps (Query, Parse)
	// and each kind of key (text, shape), so that a lookup hashes the
	// text as it is, with nothing to build around it.
	tables [2][2]map[string]MemoEntry
	held   int // bytes of the keys in tables
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
	byText = iota
	byShape
)

// table returns the map for a source and kind of key; ok is false for a
// source the memo does not keep.
func (m *Memo) table(src Source, by int) (t *map[string]MemoEntry, ok bool) {
	switch src {
	case SourceQuery:
		return &m.tables[0][by], true
	case SourceParse:
		return &m.tables[1][by], true
	}
	return nil, false
}

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

// current forgets everything when the policy generation has changed.
func (m *Memo) current(generation uint64) {
	if m.generation != generation {
		m.forget()
		m.generation = generation
	}
}

func (m *Memo) forget() {
	for i := range m.tables {
		for j := range m.tables[i] {
			clear(m.tables[i][j])
		}
	}
	m.held = 0
}

func lookup(m *Memo, generation uint64, src Source, by int, text []byte) (MemoEntry, bool) {
	m.current(generation)
	t, ok := m.table(src, by)
	if !ok || len(*t) == 0 || len(text) > MaxMemoText {
		return MemoEntry{}, false
	}
	e, ok := (*t)[string(text)]
	return e, ok
}

func remember(m *Memo, generation uint64, src Source, by int, text []byte, e MemoEntry) {
	m.current(generation)
	t, ok := m.table(src, by)
	if !ok || len(text) > MaxMemoText {
		return
	}
	if m.held+len(text) > maxMemoBytes {
		m.forget()
	}
	if *t == nil {
		*t = map[string]MemoEntry{}
	}
	if _, ok := (*t)[string(text)]; !ok {
		m.held += len(text)
	}
	(*t)[string(text)] = e
}
