package sqlparse

import (
	lru "github.com/hashicorp/golang-lru/v2"
)

// MaxCachedText is the longest text whose analysis is cached. Longer texts
// (bulk INSERTs, generated scripts) are rare, rarely repeated, and would
// make the cache's memory bound meaningless.
const MaxCachedText = 16 << 10

// cacheKey separates the two key spaces: an exact text, and the literal-free
// key of a text (for PostgreSQL its normalised form, literals replaced by
// $n). A literal-free key only ever holds analyses that do not depend on
// literal values, so any text with that key shares the verdict.
type cacheKey struct {
	literalFree bool
	mode        string // Analyzer.Mode of the session's lexing
	text        string
}

// Cache memoises an Analyzer. It is safe for concurrent use; parsing itself
// happens outside any lock, so sessions never wait for one another's parse.
type Cache struct {
	an  Analyzer
	lru *lru.Cache[cacheKey, *Analysis]
}

// NewCache returns a cache of at most entries analyses in front of an.
// entries <= 0 disables caching.
func NewCache(an Analyzer, entries int) *Cache {
	c := &Cache{an: an}
	if entries > 0 {
		c.lru, _ = lru.New[cacheKey, *Analysis](entries) // only fails for size <= 0
	}
	return c
}

// Analyze returns the analysis of text as the session described by lx would
// have the server read it, from the cache when it can. An analysis is
// filed under the text's literal-free key when it does not depend on
// literals, else under the exact text. Lookup order:
//   - a text with a quick key (the analyser's scan found its literals): the
//     key, then the exact text. Most such texts carry literals that change
//     from one execution to the next, so the exact text would miss; a text
//     without literals is its own key and takes one lookup;
//   - any other text: the exact text first, since its key costs a parse
//     (pg_query's normaliser), then the key.
//
// What misses is parsed.
func (c *Cache) Analyze(text string, lx Lexing) *Analysis {
	a, _ := c.AnalyzeShape(text, lx)
	return a
}

// AnalyzeShape is Analyze, and also says whether the analysis holds for
// every text with the same key from AppendShape, under the same Mode: shaped is true when the
// text has a quick key and the analysis does not depend on its literals.
func (c *Cache) AnalyzeShape(text string, lx Lexing) (a *Analysis, shaped bool) {
	if f, bad := c.an.Preflight(text, lx); bad {
		return &Analysis{Statements: []Statement{{Command: "UNKNOWN", Findings: []Finding{f}}}}, false
	}
	if c.lru == nil || len(text) > MaxCachedText {
		return c.an.Analyze(text, lx), false
	}
	mode := c.an.Mode(lx)
	exact := cacheKey{mode: mode, text: text}
	key, quick := c.an.QuickKey(text, lx)
	hasKey := quick
	if !quick {
		if a, ok := c.lru.Get(exact); ok {
			return a, false
		}
		key, hasKey = c.an.CacheKey(text, lx)
	}
	free := cacheKey{literalFree: true, mode: mode, text: key}
	// A text without literals is its own key: filed under the exact text.
	shared := hasKey && key != text
	if shared {
		if a, ok := c.lru.Get(free); ok {
			return a, quick
		}
	}
	if quick {
		if a, ok := c.lru.Get(exact); ok {
			return a, !shared
		}
	}
	a = c.an.Analyze(text, lx)
	if shared && !a.LiteralSensitive {
		c.lru.Add(free, a)
	} else {
		c.lru.Add(exact, a)
	}
	return a, quick && (!shared || !a.LiteralSensitive)
}

// AppendShape appends to dst the key that a text shares with every text
// whose analysis is the same as long as that analysis does not depend on
// literals (see AnalyzeShape): the analyser's quick key. ok is false, and
// dst returned as it was, for a text the cache would not keep, for one
// whose reading the session's settings could change (LexingSensitive), or
// when the analyser's scan finds no key. AppendShape does not keep text.
func (c *Cache) AppendShape(dst []byte, text string, lx Lexing) (shape []byte, ok bool) {
	if c.lru == nil || len(text) > MaxCachedText {
		return dst, false
	}
	return c.an.AppendShape(dst, text, lx)
}

// LexingSensitive reports whether session lexing settings could change how
// the server reads text (see Analyzer).
func (c *Cache) LexingSensitive(text string) bool { return c.an.LexingSensitive(text) }

// Len reports how many analyses the cache holds.
func (c *Cache) Len() int {
	if c.lru == nil {
		return 0
	}
	return c.lru.Len()
}
