package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// openTemp opens a new store in a fresh temporary directory.
func openTemp(t *testing.T) (*SQLite, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatalf("OpenSQLite(%q): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// fullEvent returns an event with every field set to something distinctive.
func fullEvent() Event {
	return Event{
		Time:        time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600)),
		SessionID:   "sess-0001",
		ClientAddr:  "10.1.2.3:54321",
		Protocol:    "postgres",
		Database:    "shop",
		User:        "agent_ro",
		Application: "claude-code",
		Kind:        "agent",
		Statement:   "DROP TABLE \"Users\";\n-- ünïcødé, a NUL \x00 and 'quotes'",
		Fingerprint: "fp:8f3a",
		Category:    "drop",
		Rule:        "drop-object",
		Action:      "block",
		Reason:      "DROP TABLE removes the table and every row in it",
	}
}

func TestRecordAndListRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	want := fullEvent()
	id, err := s.Record(ctx, want)
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	if id <= 0 {
		t.Fatalf("Record returned id %d, want a positive id", id)
	}
	got, err := s.List(ctx, Filter{})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("List returned %d events, want 1", len(got))
	}
	if !got[0].Time.Equal(want.Time) {
		t.Errorf("Time = %v, want %v", got[0].Time, want.Time)
	}
	if got[0].Time.Location() != time.UTC {
		t.Errorf("Time location = %v, want UTC", got[0].Time.Location())
	}
	want.ID = id
	want.Time = want.Time.UTC()
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("round trip mismatch:\n got %#v\nwant %#v", got[0], want)
	}
}

func TestRecordFillsInAMissingTime(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	before := time.Now()
	if _, err := s.Record(ctx, Event{User: "u", Rule: "r", Action: "block"}); err != nil {
		t.Fatalf("Record: %v", err)
	}
	after := time.Now()
	got, err := s.List(ctx, Filter{})
	if err != nil || len(got) != 1 {
		t.Fatalf("List = %v, %v; want one event", got, err)
	}
	if got[0].Time.Before(before.Truncate(time.Microsecond)) || got[0].Time.After(after) {
		t.Errorf("Time = %v, want between %v and %v", got[0].Time, before, after)
	}
}

func TestListFilters(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	base := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	// Seeded out of time order so that the ordering is the store's work.
	seed := []struct {
		name   string
		offset time.Duration
		user   string
		rule   string
		action string
	}{
		{"e3", 3 * time.Hour, "alice", "delete-no-where", "block"},
		{"e1", 1 * time.Hour, "alice", "drop-object", "block"},
		{"e5", 5 * time.Hour, "bob", "drop-object", "snapshot"},
		{"e2", 2 * time.Hour, "Alice", "truncate", "block"},
		{"e4", 4 * time.Hour, "alice2", "drop-object", "block"},
		{"e0", 0, "bob", "update-no-where", "block"},
	}
	for _, e := range seed {
		if _, err := s.Record(ctx, Event{
			Time: base.Add(e.offset), SessionID: e.name, User: e.user,
			Rule: e.rule, Action: e.action,
		}); err != nil {
			t.Fatalf("Record %s: %v", e.name, err)
		}
	}

	tests := []struct {
		name   string
		filter Filter
		want   []string // session ids, newest first
	}{
		{"an empty filter returns every event newest first", Filter{}, []string{"e5", "e4", "e3", "e2", "e1", "e0"}},
		{"since keeps events at or after the instant", Filter{Since: base.Add(3 * time.Hour)}, []string{"e5", "e4", "e3"}},
		{"since compares instants across time zones", Filter{Since: base.Add(3 * time.Hour).In(time.FixedZone("X", -5*3600))}, []string{"e5", "e4", "e3"}},
		{"since after the newest event returns nothing", Filter{Since: base.Add(6 * time.Hour)}, []string{}},
		{"user matches exactly and case sensitively", Filter{User: "alice"}, []string{"e3", "e1"}},
		{"rule matches exactly", Filter{Rule: "drop-object"}, []string{"e5", "e4", "e1"}},
		{"action matches exactly", Filter{Action: "snapshot"}, []string{"e5"}},
		{"limit keeps the newest events", Filter{Limit: 2}, []string{"e5", "e4"}},
		{"a negative limit does not cap", Filter{Limit: -1}, []string{"e5", "e4", "e3", "e2", "e1", "e0"}},
		{"filters combine", Filter{Since: base.Add(time.Hour), User: "alice", Rule: "drop-object", Action: "block", Limit: 5}, []string{"e1"}},
		{"a user with no events returns an empty list", Filter{User: "mallory"}, []string{}},
		{"a value that looks like SQL is matched literally", Filter{User: "' OR 1=1 --"}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.List(ctx, tc.filter)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if got == nil {
				t.Fatal("List returned a nil slice, want a non-nil one")
			}
			ids := make([]string, len(got))
			for i, e := range got {
				ids[i] = e.SessionID
			}
			if !reflect.DeepEqual(ids, tc.want) {
				t.Errorf("List(%+v) = %v, want %v", tc.filter, ids, tc.want)
			}
		})
	}
}

func TestListOrdersEventsOfTheSameTimeByID(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []int64
	for i := 0; i < 3; i++ {
		id, err := s.Record(ctx, Event{Time: at})
		if err != nil {
			t.Fatalf("Record: %v", err)
		}
		ids = append(ids, id)
	}
	got, err := s.List(ctx, Filter{})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for i, e := range got {
		if want := ids[len(ids)-1-i]; e.ID != want {
			t.Errorf("event %d has id %d, want %d", i, e.ID, want)
		}
	}
}

func TestQueriesUseIndexes(t *testing.T) {
	s, _ := openTemp(t)
	tests := []struct {
		name  string
		where string
		index string
	}{
		{"since uses the time index", "time >= 1", "idx_events_time"},
		{"user uses the user index", "user = 'a'", "idx_events_user"},
		{"rule uses the rule index", "rule = 'a'", "idx_events_rule"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := s.r.Query("EXPLAIN QUERY PLAN SELECT " + eventColumns +
				" FROM events WHERE " + tc.where + " ORDER BY time DESC, id DESC")
			if err != nil {
				t.Fatalf("EXPLAIN: %v", err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					t.Fatalf("scan: %v", err)
				}
				plan = append(plan, detail)
			}
			joined := strings.Join(plan, "; ")
			if !strings.Contains(joined, tc.index) {
				t.Errorf("plan %q does not use %s", joined, tc.index)
			}
			if strings.Contains(joined, "TEMP B-TREE") {
				t.Errorf("plan %q sorts in a temporary b-tree instead of reading the index in order", joined)
			}
		})
	}
}

func TestOpenSetsDurabilityPragmas(t *testing.T) {
	s, _ := openTemp(t)
	tests := []struct {
		name   string
		db     *sql.DB
		pragma string
		want   string
	}{
		{"the writer uses WAL", s.w, "journal_mode", "wal"},
		{"the writer syncs every commit", s.w, "synchronous", "2"},
		{"the writer waits for locks", s.w, "busy_timeout", fmt.Sprint(BusyTimeout.Milliseconds())},
		{"the reader waits for locks", s.r, "busy_timeout", fmt.Sprint(BusyTimeout.Milliseconds())},
		{"the reader cannot write", s.r, "query_only", "1"},
		{"the schema version is set", s.w, "user_version", fmt.Sprint(SchemaVersion)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			if err := tc.db.QueryRow("PRAGMA " + tc.pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", tc.pragma, err)
			}
			if !strings.EqualFold(got, tc.want) {
				t.Errorf("PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
			}
		})
	}
}

func TestConcurrentRecord(t *testing.T) {
	const goroutines, perGoroutine = 8, 50
	tests := []struct {
		name string
		// handles is how many stores are opened on the same file; more than
		// one stands in for several processes writing at once, where only
		// SQLite's locking and busy timeout keep writers apart.
		handles int
	}{
		{"writers sharing one store all succeed", 1},
		{"writers on separate stores of one file all succeed", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			first, path := openTemp(t)
			stores := []*SQLite{first}
			for i := 1; i < tc.handles; i++ {
				s, err := OpenSQLite(path)
				if err != nil {
					t.Fatalf("OpenSQLite again: %v", err)
				}
				t.Cleanup(func() { s.Close() })
				stores = append(stores, s)
			}
			reader, err := OpenSQLiteReadOnly(path)
			if err != nil {
				t.Fatalf("OpenSQLiteReadOnly: %v", err)
			}
			defer reader.Close()

			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				ids     = map[int64]bool{}
				errs    []error
				done    = make(chan struct{})
				readErr = make(chan error, 1)
			)
			// A reader lists throughout, as `bulwark audit` might while the
			// proxy writes; it must neither fail nor block the writers.
			go func() {
				for {
					select {
					case <-done:
						readErr <- nil
						return
					default:
					}
					if _, err := reader.List(ctx, Filter{Limit: 10}); err != nil {
						readErr <- err
						return
					}
				}
			}()
			for g := 0; g < goroutines; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					s := stores[g%len(stores)]
					for i := 0; i < perGoroutine; i++ {
						id, err := s.Record(ctx, Event{
							SessionID: fmt.Sprintf("g%d", g),
							Statement: fmt.Sprintf("DROP TABLE t%d_%d", g, i),
							Action:    "block",
						})
						mu.Lock()
						if err != nil {
							errs = append(errs, err)
						} else if ids[id] {
							errs = append(errs, fmt.Errorf("id %d returned twice", id))
						} else {
							ids[id] = true
						}
						mu.Unlock()
					}
				}(g)
			}
			wg.Wait()
			close(done)
			if err := <-readErr; err != nil {
				t.Errorf("concurrent List: %v", err)
			}
			if len(errs) > 0 {
				t.Fatalf("%d Record calls failed, first: %v", len(errs), errs[0])
			}

			all, err := first.List(ctx, Filter{})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(all) != goroutines*perGoroutine {
				t.Fatalf("List returned %d events, want %d", len(all), goroutines*perGoroutine)
			}
			seen := map[string]bool{}
			for _, e := range all {
				if !ids[e.ID] {
					t.Errorf("listed id %d was never returned by Record", e.ID)
				}
				seen[e.Statement] = true
			}
			if len(seen) != goroutines*perGoroutine {
				t.Errorf("%d distinct statements stored, want %d", len(seen), goroutines*perGoroutine)
			}
		})
	}
}

func TestEventsSurviveCloseAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	want := fullEvent()
	id, err := s.Record(ctx, want)
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	want.ID, want.Time = id, want.Time.UTC()

	tests := []struct {
		name string
		open func(string) (*SQLite, error)
	}{
		{"reopening for writing finds the event", OpenSQLite},
		{"opening read-only finds the event", OpenSQLiteReadOnly},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.open(path)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer s.Close()
			got, err := s.List(ctx, Filter{})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
				t.Errorf("List = %#v, want [%#v]", got, want)
			}
		})
	}

	t.Run("ids keep increasing after reopening", func(t *testing.T) {
		s, err := OpenSQLite(path)
		if err != nil {
			t.Fatalf("OpenSQLite: %v", err)
		}
		defer s.Close()
		next, err := s.Record(ctx, Event{})
		if err != nil {
			t.Fatalf("Record: %v", err)
		}
		if next <= id {
			t.Errorf("new id %d, want more than %d", next, id)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular-file")
	if err := os.WriteFile(regular, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("this is not sqlite\n", 300)), 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign.db")
	newer := filepath.Join(dir, "newer.db")
	for path, setup := range map[string]string{
		foreign: "CREATE TABLE customers (id INTEGER)",
		newer:   fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion+1),
	} {
		db, err := sql.Open(driver, path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(setup); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		open     func(string) (*SQLite, error)
		path     string
		contains string
	}{
		{"a parent that is a regular file is refused", OpenSQLite, filepath.Join(regular, "audit.db"), "not a directory"},
		{"a parent directory that does not exist is refused", OpenSQLite, filepath.Join(dir, "missing", "audit.db"), "does not exist"},
		{"a path that is a directory is refused", OpenSQLite, dir, "directory"},
		{"an empty path is refused", OpenSQLite, "", "no database path"},
		{"a file that is not a database is refused", OpenSQLite, garbage, "not a database"},
		{"another application's database is left alone", OpenSQLite, foreign, "not a bulwark audit database"},
		{"a schema from a newer version is refused", OpenSQLite, newer, "newer bulwark"},
		{"read-only open of a missing file is refused", OpenSQLiteReadOnly, filepath.Join(dir, "absent.db"), "does not exist"},
		{"read-only open of a directory is refused", OpenSQLiteReadOnly, dir, "directory"},
		{"read-only open of an empty file is refused", OpenSQLiteReadOnly, empty, "not a bulwark audit database"},
		{"read-only open of a file that is not a database is refused", OpenSQLiteReadOnly, garbage, "not a database"},
		{"read-only open of another application's database is refused", OpenSQLiteReadOnly, foreign, "not a bulwark audit database"},
		{"read-only open of a newer schema is refused", OpenSQLiteReadOnly, newer, "newer bulwark"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.open(tc.path)
			if err == nil {
				s.Close()
				t.Fatalf("open(%q) succeeded, want an error", tc.path)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "audit store: ") {
				t.Errorf("error %q does not start with \"audit store: \"", msg)
			}
			if tc.path != "" && !strings.Contains(msg, tc.path) {
				t.Errorf("error %q does not name the path %q", msg, tc.path)
			}
			if !strings.Contains(msg, tc.contains) {
				t.Errorf("error %q does not say %q", msg, tc.contains)
			}
		})
	}

	t.Run("read-only open of a missing file does not create it", func(t *testing.T) {
		path := filepath.Join(dir, "never-created.db")
		if _, err := OpenSQLiteReadOnly(path); err == nil {
			t.Fatal("OpenSQLiteReadOnly succeeded, want an error")
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Stat after failed open: %v, want the file not to exist", err)
		}
	})
	t.Run("a foreign database is not modified", func(t *testing.T) {
		db, err := sql.Open(driver, foreign)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'events'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Error("the events table was added to a foreign database")
		}
	})
}

func TestRecordErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		setup    func(t *testing.T) (*SQLite, context.Context)
		contains string
	}{
		{
			name: "a full disk fails the record",
			setup: func(t *testing.T) (*SQLite, context.Context) {
				s, _ := openTemp(t)
				// Capping the file at its current size makes SQLite
				// report SQLITE_FULL exactly as a full disk would.
				var pages int
				if err := s.w.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
					t.Fatal(err)
				}
				if _, err := s.w.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
					t.Fatal(err)
				}
				return s, ctx
			},
			contains: "full",
		},
		{
			name: "a read-only store refuses to record",
			setup: func(t *testing.T) (*SQLite, context.Context) {
				_, path := openTemp(t)
				s, err := OpenSQLiteReadOnly(path)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s, ctx
			},
			contains: "read-only",
		},
		{
			name: "a closed store refuses to record",
			setup: func(t *testing.T) (*SQLite, context.Context) {
				s, _ := openTemp(t)
				s.Close()
				return s, ctx
			},
			contains: "closed",
		},
		{
			name: "a cancelled context stops the record",
			setup: func(t *testing.T) (*SQLite, context.Context) {
				s, _ := openTemp(t)
				cctx, cancel := context.WithCancel(ctx)
				cancel()
				return s, cctx
			},
			contains: "context canceled",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, rctx := tc.setup(t)
			e := fullEvent()
			e.Statement = strings.Repeat("x", 64<<10)
			id, err := s.Record(rctx, e)
			if err == nil {
				t.Fatalf("Record succeeded with id %d, want an error", id)
			}
			if id != 0 {
				t.Errorf("Record returned id %d with an error, want 0", id)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "audit store: ") {
				t.Errorf("error %q does not start with \"audit store: \"", msg)
			}
			if !strings.Contains(msg, tc.contains) {
				t.Errorf("error %q does not say %q", msg, tc.contains)
			}
		})
	}

	t.Run("a failed record leaves no event behind", func(t *testing.T) {
		s, _ := openTemp(t)
		var pages int
		if err := s.w.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		if _, err := s.w.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Record(ctx, Event{Statement: strings.Repeat("x", 64<<10)}); err == nil {
			t.Fatal("Record succeeded, want an error")
		}
		got, err := s.List(ctx, Filter{})
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if len(got) != 0 {
			t.Errorf("List returned %d events after a failed record, want 0", len(got))
		}
	})
}

func TestPathsWithURISpecialCharacters(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "a?b#c%20d")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "audit.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	if _, err := s.Record(ctx, Event{User: "u"}); err != nil {
		t.Fatalf("Record: %v", err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the path given: %v", err)
	}
	r, err := OpenSQLiteReadOnly(path)
	if err != nil {
		t.Fatalf("OpenSQLiteReadOnly: %v", err)
	}
	defer r.Close()
	if got, err := r.List(ctx, Filter{}); err != nil || len(got) != 1 {
		t.Errorf("List = %v, %v; want one event", got, err)
	}
}
