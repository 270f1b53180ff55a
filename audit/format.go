package audit

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"
)

// Formats lists the output formats Write accepts, default first.
var Formats = []string{"table", "json", "csv"}

// tableStatementRunes is how much of a statement the table shows; the json
// and csv formats carry the full text for anyone who needs it.
const tableStatementRunes = 60

// Write renders events in format: "table" for people at a terminal, "json"
// (an array, empty rather than null when there are no events) and "csv"
// (a header row, then one row per event with every field) for tools.
func Write(w io.Writer, events []Event, format string) error {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "table":
		return writeTable(w, events)
	case "json":
		return writeJSON(w, events)
	case "csv":
		return writeCSV(w, events)
	default:
		return fmt.Errorf("unknown output format %q (valid formats: %s)", format, strings.Join(Formats, ", "))
	}
}

func writeTable(w io.Writer, events []Event) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tUSER\tKIND\tPROTOCOL\tDATABASE\tRULE\tACTION\tSTATEMENT")
	for _, e := range events {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			e.ID,
			e.Time.UTC().Format(time.RFC3339),
			cell(e.User), cell(e.Kind), cell(e.Protocol), cell(e.Database),
			cell(e.Rule), cell(e.Action),
			truncate(cell(e.Statement), tableStatementRunes))
	}
	return tw.Flush()
}

// cell makes a value safe for one table cell. Values come from clients
// (user names, database names, SQL text), so whitespace runs, which would
// break the columns, become one space, and other control characters, which a
// terminal could act on, become U+FFFD. An empty value shows as "-" so that
// the columns stay readable.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return unicode.ReplacementChar
		}
		return r
	}, s)
	if s == "" {
		return "-"
	}
	return s
}

// truncate shortens s to at most n runes, marking a cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	kept := 0
	for i := range s {
		if kept == n-1 {
			return s[:i] + "…"
		}
		kept++
	}
	return s
}

func writeJSON(w io.Writer, events []Event) error {
	if events == nil {
		events = []Event{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// SQL is full of < > &; escaping them only matters inside HTML.
	enc.SetEscapeHTML(false)
	return enc.Encode(events)
}

// csvHeader names the columns as the JSON keys do.
var csvHeader = []string{
	"id", "time", "session_id", "client_addr", "protocol", "database", "user",
	"application", "kind", "statement", "fingerprint", "category", "rule",
	"action", "reason",
}

func writeCSV(w io.Writer, events []Event) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, e := range events {
		if err := cw.Write([]string{
			strconv.FormatInt(e.ID, 10),
			e.Time.UTC().Format(time.RFC3339Nano),
			e.SessionID, e.ClientAddr, e.Protocol, e.Database, e.User,
			e.Application, e.Kind, e.Statement, e.Fingerprint, e.Category,
			e.Rule, e.Action, e.Reason,
		}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
