package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func sampleEvents() []Event {
	long := "DELETE FROM orders\n\tWHERE 1 = 1 AND customer_id IN (SELECT id FROM customers WHERE region = 'EU')"
	return []Event{
		{
			ID: 2, Time: time.Date(2025, 6, 1, 10, 30, 45, 123456789, time.UTC),
			SessionID: "s2", ClientAddr: "10.0.0.2:5000", Protocol: "postgres",
			Database: "shop", User: "agent", Application: "", Kind: "agent",
			Statement: long, Fingerprint: "fp2", Category: "delete",
			Rule: "delete-always-true", Action: "block",
			Reason: "the WHERE clause is always true, so every row would go",
		},
		{
			ID: 1, Time: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC),
			SessionID: "s1", ClientAddr: "[::1]:6000", Protocol: "postgres",
			Database: "", User: "bøb", Application: "psql, \"quoted\"", Kind: "agent",
			Statement: "DROP TABLE x; -- \x1b[31mred\x1b[0m", Fingerprint: "", Category: "drop",
			Rule: "drop-object", Action: "block", Reason: "drops, a table",
		},
	}
}

func TestWriteTable(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sampleEvents(), "table"); err != nil {
		t.Fatalf("Write: %v", err)
	}
	out := buf.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("table has %d lines, want a header and 2 rows:\n%s", len(lines), out)
	}
	header := lines[0]

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"the header names every column in order", func(t *testing.T) {
			if got := strings.Fields(header); !reflect.DeepEqual(got, []string{"ID", "TIME", "USER", "KIND", "PROTOCOL", "DATABASE", "RULE", "ACTION", "STATEMENT"}) {
				t.Errorf("header columns = %q", got)
			}
		}},
		{"times are RFC3339 in UTC to the second", func(t *testing.T) {
			if !strings.Contains(lines[1], " 2025-06-01T10:30:45Z ") {
				t.Errorf("row %q lacks the time 2025-06-01T10:30:45Z", lines[1])
			}
		}},
		{"columns are aligned", func(t *testing.T) {
			col := utf8.RuneCountInString(header[:strings.Index(header, "STATEMENT")])
			for _, l := range lines[1:] {
				idx := strings.Index(l, "DELETE")
				if idx < 0 {
					idx = strings.Index(l, "DROP")
				}
				if got := utf8.RuneCountInString(l[:idx]); got != col {
					t.Errorf("statement starts at column %d in %q, want %d", got, l, col)
				}
			}
		}},
		{"long statements are cut to 60 runes with an ellipsis", func(t *testing.T) {
			stmt := lines[1][strings.Index(lines[1], "DELETE"):]
			if n := utf8.RuneCountInString(stmt); n != tableStatementRunes {
				t.Errorf("statement cell %q has %d runes, want %d", stmt, n, tableStatementRunes)
			}
			if !strings.HasSuffix(stmt, "…") {
				t.Errorf("statement cell %q does not end with …", stmt)
			}
		}},
		{"newlines and tabs in statements become single spaces", func(t *testing.T) {
			if !strings.Contains(lines[1], "DELETE FROM orders WHERE 1 = 1") {
				t.Errorf("row %q does not collapse whitespace", lines[1])
			}
		}},
		{"terminal control characters are neutralised", func(t *testing.T) {
			if strings.Contains(out, "\x1b") {
				t.Errorf("table output contains an escape character: %q", out)
			}
			if !strings.Contains(lines[2], "\uFFFD[31mred") {
				t.Errorf("row %q does not show the replaced escape", lines[2])
			}
		}},
		{"empty values show as a dash", func(t *testing.T) {
			if got := strings.Fields(lines[2])[5]; got != "-" {
				t.Errorf("empty DATABASE cell shows %q, want -", got)
			}
		}},
		{"short statements are shown whole", func(t *testing.T) {
			if !strings.HasSuffix(lines[2], "DROP TABLE x; -- \uFFFD[31mred\uFFFD[0m") {
				t.Errorf("row %q does not end with the whole statement", lines[2])
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}

func TestWriteTableWithNoEventsPrintsTheHeader(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, nil, "table"); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if got := strings.Fields(buf.String()); len(got) != 9 || got[0] != "ID" {
		t.Errorf("output %q, want only the header", buf.String())
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"a string within the limit is unchanged", "abc", 3, "abc"},
		{"a longer string keeps n-1 runes and an ellipsis", "abcd", 3, "ab…"},
		{"multi-byte runes are counted as runes", "ééééé", 4, "ééé…"},
		{"a limit of one leaves only the ellipsis", "abc", 1, "…"},
		{"an empty string stays empty", "", 5, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := truncate(tc.in, tc.n); got != tc.want {
				t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

func TestWriteJSON(t *testing.T) {
	tests := []struct {
		name   string
		events []Event
	}{
		{"events parse back unchanged", sampleEvents()},
		{"no events is an empty array", []Event{}},
		{"a nil slice is an empty array, not null", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tc.events, "json"); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if !strings.HasPrefix(strings.TrimSpace(buf.String()), "[") {
				t.Fatalf("output %q is not an array", buf.String())
			}
			var got []Event
			if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
				t.Fatalf("output does not parse: %v\n%s", err, buf.String())
			}
			if got == nil {
				t.Fatalf("output %q decodes to null", buf.String())
			}
			want := tc.events
			if want == nil {
				want = []Event{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("parsed back %#v, want %#v", got, want)
			}
		})
	}

	t.Run("SQL is not HTML-escaped", func(t *testing.T) {
		var buf bytes.Buffer
		if err := Write(&buf, []Event{{Statement: "SELECT 1 WHERE a < b && c > d"}}, "json"); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if !strings.Contains(buf.String(), "a < b && c > d") {
			t.Errorf("output %q escapes SQL operators", buf.String())
		}
	})
}

func TestWriteCSV(t *testing.T) {
	events := sampleEvents()
	var buf bytes.Buffer
	if err := Write(&buf, events, "csv"); err != nil {
		t.Fatalf("Write: %v", err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("output does not parse as CSV: %v", err)
	}
	if len(records) != len(events)+1 {
		t.Fatalf("%d records, want a header and %d rows", len(records), len(events))
	}

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"the header names every field", func(t *testing.T) {
			want := []string{"id", "time", "session_id", "client_addr", "protocol", "database", "user",
				"application", "kind", "statement", "fingerprint", "category", "rule", "action", "reason"}
			if !reflect.DeepEqual(records[0], want) {
				t.Errorf("header = %q, want %q", records[0], want)
			}
		}},
		{"every field parses back unchanged", func(t *testing.T) {
			for i, e := range events {
				r := records[i+1]
				id, err := strconv.ParseInt(r[0], 10, 64)
				if err != nil {
					t.Fatalf("row %d id %q: %v", i, r[0], err)
				}
				tm, err := time.Parse(time.RFC3339Nano, r[1])
				if err != nil {
					t.Fatalf("row %d time %q: %v", i, r[1], err)
				}
				got := Event{
					ID: id, Time: tm, SessionID: r[2], ClientAddr: r[3], Protocol: r[4],
					Database: r[5], User: r[6], Application: r[7], Kind: r[8],
					Statement: r[9], Fingerprint: r[10], Category: r[11], Rule: r[12],
					Action: r[13], Reason: r[14],
				}
				if !reflect.DeepEqual(got, e) {
					t.Errorf("row %d = %#v, want %#v", i, got, e)
				}
			}
		}},
		{"statements are not truncated", func(t *testing.T) {
			if records[1][9] != events[0].Statement {
				t.Errorf("statement = %q, want %q", records[1][9], events[0].Statement)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}

	t.Run("no events writes only the header", func(t *testing.T) {
		var buf bytes.Buffer
		if err := Write(&buf, nil, "csv"); err != nil {
			t.Fatalf("Write: %v", err)
		}
		records, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(records) != 1 {
			t.Errorf("records = %q, %v; want only the header", records, err)
		}
	})
}

func TestWriteRejectsAnUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, sampleEvents(), "xml")
	if err == nil {
		t.Fatal("Write succeeded, want an error")
	}
	for _, want := range append([]string{`"xml"`}, Formats...) {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("Write wrote %q before failing", buf.String())
	}
}

func TestWriteAcceptsFormatNamesInAnyCase(t *testing.T) {
	for _, f := range []string{"JSON", " csv ", "Table"} {
		t.Run(f, func(t *testing.T) {
			if err := Write(&bytes.Buffer{}, nil, f); err != nil {
				t.Errorf("Write(%q): %v", f, err)
			}
		})
	}
}
