package gate

import (
	"fmt"
	"strings"
	"testing"
)

func TestMemo(t *testing.T) {
	utf8 := Lexing{StandardConformingStrings: true, ClientEncoding: "UTF8"}
	latin := Lexing{StandardConformingStrings: true, ClientEncoding: "LATIN1"}
	text := []byte("SELECT 1")

	t.Run("a text is found by its source, kind and generation", func(t *testing.T) {
		var m Memo
		m.RememberText(1, SourceParse, text, MemoEntry{Sensitive: true, Lexing: utf8})
		if e, ok := m.Text(1, SourceParse, text); !ok || !e.Sensitive || e.Lexing != utf8 {
			t.Fatalf("the remembered text: %+v %v", e, ok)
		}
		if _, ok := m.Text(1, SourceQuery, text); ok {
			t.Fatal("a Parse's text was found for a Query")
		}
		if m.Shape(1, SourceParse, text, utf8) {
			t.Fatal("a text was found as a shape")
		}
		if _, ok := m.Text(2, SourceParse, text); ok {
			t.Fatal("a text was found under a new policy generation")
		}
		if _, ok := m.Text(1, SourceParse, text); ok {
			t.Fatal("a text outlived its policy generation")
		}
	})

	t.Run("a shape counts only under the lexing it was judged under", func(t *testing.T) {
		var m Memo
		m.RememberShape(7, SourceQuery, []byte("f:SELECT ?"), MemoEntry{Lexing: utf8})
		if !m.Shape(7, SourceQuery, []byte("f:SELECT ?"), utf8) {
			t.Fatal("the remembered shape was not found")
		}
		if m.Shape(7, SourceQuery, []byte("f:SELECT ?"), latin) {
			t.Fatal("a shape was found under other settings")
		}
	})

	t.Run("only Query and Parse texts are kept", func(t *testing.T) {
		var m Memo
		for _, src := range []Source{SourceRequest, SourceDatabase, SourceStartup} {
			m.RememberText(1, src, text, MemoEntry{})
			m.RememberShape(1, src, text, MemoEntry{Lexing: utf8})
			if _, ok := m.Text(1, src, text); ok || m.Shape(1, src, text, utf8) {
				t.Fatalf("a %s text was kept", src)
			}
		}
		if m.held != 0 {
			t.Fatalf("%d bytes held for texts not kept", m.held)
		}
	})

	t.Run("texts over the limit are not kept", func(t *testing.T) {
		var m Memo
		long := []byte("SELECT '" + strings.Repeat("x", MaxMemoText) + "'")
		m.RememberText(1, SourceQuery, long, MemoEntry{})
		if _, ok := m.Text(1, SourceQuery, long); ok {
			t.Fatal("a text over MaxMemoText was kept")
		}
	})

	t.Run("the memo is bounded", func(t *testing.T) {
		var m Memo
		pad := strings.Repeat("x", 1000)
		n := 2 * maxMemoBytes / len(pad)
		for i := range n {
			m.RememberText(1, SourceQuery, []byte(fmt.Sprintf("SELECT '%s' AS c%d", pad, i)), MemoEntry{})
			if m.held > maxMemoBytes {
				t.Fatalf("after %d texts the memo holds %d bytes of keys, more than %d", i+1, m.held, maxMemoBytes)
			}
		}
		if _, ok := m.Text(1, SourceQuery, []byte(fmt.Sprintf("SELECT '%s' AS c%d", pad, n-1))); !ok {
			t.Fatal("the last text was forgotten")
		}
		if _, ok := m.Text(1, SourceQuery, []byte(fmt.Sprintf("SELECT '%s' AS c%d", pad, 0))); ok {
			t.Fatal("the first text was kept beyond the bound")
		}
		m.RememberText(1, SourceQuery, text, MemoEntry{})
		before := m.held
		m.RememberText(1, SourceQuery, text, MemoEntry{})
		if m.held != before {
			t.Fatalf("remembering a text twice counted it twice: %d bytes, then %d", before, m.held)
		}
	})
}
