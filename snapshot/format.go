package snapshot

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Formats lists the output formats Write accepts, default first.
var Formats = []string{"table", "json", "csv"}

// Write renders catalog entries: "table" for a terminal, "json" and "csv"
// with every field for tools.
func Write(w io.Writer, es []Entry, format string) error {
	switch format {
	case "table":
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTAKEN\tUSER\tOPERATION\tOBJECT\tMETHOD\tROWS\tSIZE\tEVENT\tSTATE\tWHERE")
		for _, e := range es {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", e.ID, e.TakenAt.UTC().Format(time.RFC3339),
				oneLine(e.User), e.Operation, oneLine(e.Object()), e.Method, e.rowsText(), sizeText(e.Bytes), e.AuditEvent,
				e.State(), oneLine(e.Location()))
		}
		return tw.Flush()
	case "json":
		if es == nil {
			es = []Entry{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(es)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"id", "taken_at", "audit_event", "session_id", "user", "operation", "object_type",
			"source_schema", "source_name", "method", "recycle_schema", "recycle_name", "rows", "rows_estimated",
			"bytes", "state", "restored_to", "statement"})
		for _, e := range es {
			_ = cw.Write([]string{strconv.FormatInt(e.ID, 10), e.TakenAt.UTC().Format(time.RFC3339Nano),
				strconv.FormatInt(e.AuditEvent, 10), e.SessionID, e.User, e.Operation, e.ObjectType, e.SourceSchema,
				e.SourceName, e.Method, e.RecycleSchema, e.RecycleName, strconv.FormatInt(e.Rows, 10),
				strconv.FormatBool(e.RowsEstimated), strconv.FormatInt(e.Bytes, 10), e.State(), e.RestoredTo, e.Statement})
		}
		cw.Flush()
		return cw.Error()
	}
	return fmt.Errorf("unknown output format %q (valid formats: %s)", format, strings.Join(Formats, ", "))
}

// Show writes one entry in full, for a person.
func Show(w io.Writer, e Entry) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	row("snapshot", strconv.FormatInt(e.ID, 10))
	row("taken at", e.TakenAt.UTC().Format(time.RFC3339))
	row("by", e.User+" (session "+e.SessionID+", audit event "+strconv.FormatInt(e.AuditEvent, 10)+")")
	row("operation", e.Operation)
	row("object", e.ObjectType+" "+e.Object())
	row("method", e.Method)
	row("rows", e.rowsText())
	row("size", sizeText(e.Bytes))
	row("kept in", e.Location())
	row("state", e.State())
	if e.RestoredTo != "" {
		row("restored to", e.RestoredTo)
	}
	row("statement", oneLine(e.Statement))
	return tw.Flush()
}

// Object is the snapshot's source object, schema.name (or the schema or
// database alone).
func (e Entry) Object() string {
	if e.SourceName == "" {
		return e.SourceSchema
	}
	return e.SourceSchema + "." + e.SourceName
}

// Location is where the snapshot's data is kept.
func (e Entry) Location() string {
	if e.RecycleName == "" {
		return e.RecycleSchema
	}
	return e.RecycleSchema + "." + e.RecycleName
}

// State is kept, restored or purged.
func (e Entry) State() string {
	switch {
	case e.RestoredAt != nil:
		return "restored " + e.RestoredAt.UTC().Format(time.RFC3339)
	case e.PurgedAt != nil:
		return "purged " + e.PurgedAt.UTC().Format(time.RFC3339)
	}
	return "kept"
}

func (e Entry) rowsText() string {
	if e.RowsEstimated {
		return "~" + strconv.FormatInt(e.Rows, 10)
	}
	return strconv.FormatInt(e.Rows, 10)
}

func sizeText(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// oneLine keeps a value on one line of a table; values come from clients.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '\uFFFD'
		}
		return r
	}, s)
}
