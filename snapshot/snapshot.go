// Package snapshot preserves what an agent's destructive statement would
// destroy, inside the protected database itself, and puts it back on
// request.
//
// Every snapshot lives in a recycle area of its own named
// bulwark_recycle_<id> (a schema on PostgreSQL, a database on MySQL), so that
// a table set aside keeps its own name and the names of its indexes,
// constraints and sequences. A catalog table, bulwark_recycle.snapshots,
// describes each one: what, when, who, the statement, row count, size, where
// it lives and the audit event that decided it.
//
// Each dialect has a Taker, used by the proxy while it runs an agent's
// statement, and a Catalog, used by `bulwark snapshots` to list, show,
// restore and purge.
package snapshot

import (
	"context"
	"errors"
	"time"

	"github.com/bulwarkdb/bulwark/sqlparse"
)

// CatalogSchema holds the catalog table; RecyclePrefix starts the name of
// each snapshot's own recycle area.
const (
	CatalogSchema = "bulwark_recycle"
	CatalogTable  = "snapshots"
	RecyclePrefix = "bulwark_recycle_"
)

// Methods: how a snapshot holds what it preserves.
const (
	MethodMove = "move" // the object itself was moved aside (DROP)
	MethodRows = "rows" // a copy of the table's rows (TRUNCATE, DELETE, UPDATE)
	MethodSwap = "swap" // the table was swapped for an empty copy (MySQL TRUNCATE)
)

// Limits bound what a snapshot may cost.
type Limits struct {
	MaxBytes int64
	MaxRows  int64
	// Retention, when positive, purges older snapshots of the same
	// database whenever a new one is taken.
	Retention time.Duration
}

// Request describes one statement to snapshot.
type Request struct {
	EventID   int64 // the audit event that decided the snapshot
	SessionID string
	User      string
	Database  string
	// Operation is the category of the finding: drop, truncate, delete,
	// update.
	Operation string
	Statement string
	// Undo holds one entry per finding the snapshot must carry out.
	Undo []*sqlparse.Undo
}

// Upstream runs SQL of the snapshot's own on the session's upstream
// connection, between two of the client's requests; the answers never reach
// the client. The composition root adapts the protocol engines' Exec seam to
// it, so this package never sees a protocol.
type Upstream interface {
	Exec(ctx context.Context, sql string) (*Result, error)
}

// Result is what the server answered to Upstream.Exec.
type Result struct {
	// Rows holds the text of every row returned (nil for SQL NULL).
	Rows [][][]byte
	// Err is the server's error, if the statement failed.
	Err error
	// TxStatus is the transaction status after the statement: 'I' idle,
	// 'T' in a transaction, 'E' in a failed one.
	TxStatus byte
}

// Plan is what a taker asks the protocol engine to run with the statement.
type Plan struct {
	// SQL is run with the statement (PostgreSQL: in its transaction, just
	// before it, at each execution), or in its place when Replace is set.
	SQL string
	// Replace: SQL takes the statement's place; the client is answered
	// as the statement would have been, with command tag Tag.
	Replace bool
	Tag     string
	// PassCodes are the SQLSTATEs with which SQL reports that the
	// statement itself would have failed; such errors reach the client
	// unchanged.
	PassCodes []string
}

// Taker prepares the snapshot of one statement for one dialect. It either
// returns SQL for the engine to run with the statement (PostgreSQL) or takes
// the snapshot itself through up and says what to send instead (MySQL); a
// nil Plan means the statement runs as sent. An error means no snapshot
// exists and the statement must not run; its text is written for the agent.
type Taker interface {
	Take(ctx context.Context, req Request, up Upstream) (*Plan, error)
}

// Entry is one row of the catalog.
type Entry struct {
	ID            int64      `json:"id"`
	TakenAt       time.Time  `json:"taken_at"`
	AuditEvent    int64      `json:"audit_event"`
	SessionID     string     `json:"session_id"`
	User          string     `json:"user"`
	Operation     string     `json:"operation"`   // drop | truncate | delete | update
	ObjectType    string     `json:"object_type"` // TABLE | MATERIALIZED VIEW | SCHEMA | DATABASE
	SourceSchema  string     `json:"source_schema"`
	SourceName    string     `json:"source_name"`
	Method        string     `json:"method"` // move | rows | swap
	RecycleSchema string     `json:"recycle_schema"`
	RecycleName   string     `json:"recycle_name"`
	Rows          int64      `json:"rows"`
	RowsEstimated bool       `json:"rows_estimated"`
	Bytes         int64      `json:"bytes"`
	Statement     string     `json:"statement"`
	RestoredAt    *time.Time `json:"restored_at,omitempty"`
	RestoredTo    string     `json:"restored_to,omitempty"`
	PurgedAt      *time.Time `json:"purged_at,omitempty"`
}

// entriesOf reads catalog rows, as a dialect's catalog query returned them
// (text values), with that dialect's parse.
func entriesOf(rows [][][]byte, parse func([][]byte) (Entry, error)) ([]Entry, error) {
	out := make([]Entry, 0, len(rows))
	for _, r := range rows {
		e, err := parse(r)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Filter selects catalog entries. Zero fields do not filter.
type Filter struct {
	Since     time.Time
	User      string
	Operation string
	Object    string // source name, or schema.name
	Event     int64
	// All includes restored and purged snapshots.
	All   bool
	Limit int
}

// RestoreResult says what a restore did.
type RestoreResult struct {
	Entry Entry
	// Target is where the data now is (schema.name).
	Target string
	// Rows is the number of rows put back (row snapshots) or moved back
	// (the table's estimate, for moves).
	Rows int64
}

// Catalog reads and acts on the snapshots of one database.
type Catalog interface {
	List(ctx context.Context, f Filter) ([]Entry, error)
	Get(ctx context.Context, id int64) (Entry, error)
	// Restore puts a snapshot back where it came from, or under asName
	// when set. It refuses, without changing anything, when that would
	// overwrite something that exists now.
	Restore(ctx context.Context, id int64, asName string) (RestoreResult, error)
	// Purge drops the snapshots taken before cutoff and returns them.
	Purge(ctx context.Context, cutoff time.Time) ([]Entry, error)
}

// ErrNotFound is returned for an id the catalog does not hold (or that was
// already restored or purged).
var ErrNotFound = errors.New("no such snapshot")

// ErrConflict wraps refusals to restore over something that exists.
var ErrConflict = errors.New("restore would overwrite existing data")
