// Package audit is bulwark's durable log of decisions: every refusal of an
// agent's statement is written here before the agent hears about it, and
// auditors read it back with filters. The default store is an SQLite
// database file.
package audit

import (
	"context"
	"time"
)

// Event is one recorded decision.
type Event struct {
	ID          int64     `json:"id"`
	Time        time.Time `json:"time"`
	SessionID   string    `json:"session_id"`
	ClientAddr  string    `json:"client_addr"`
	Protocol    string    `json:"protocol"` // postgres | mysql
	Database    string    `json:"database"`
	User        string    `json:"user"`
	Application string    `json:"application,omitempty"`
	Kind        string    `json:"kind"` // agent | human
	Statement   string    `json:"statement"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	Category    string    `json:"category"`
	Rule        string    `json:"rule"`
	Action      string    `json:"action"` // block (later: snapshot)
	Reason      string    `json:"reason"`
}

// Filter selects events. Zero fields do not filter.
type Filter struct {
	Since  time.Time
	User   string
	Rule   string
	Action string
	// Limit caps the number of events returned (newest first); 0 means
	// no cap.
	Limit int
}

// Store records and lists events.
type Store interface {
	// Record writes e durably and returns its id. An error means the event
	// is not recorded; callers refuse the statement it describes.
	Record(ctx context.Context, e Event) (int64, error)
	// List returns matching events, newest first.
	List(ctx context.Context, f Filter) ([]Event, error)
	Close() error
}
