package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" database/sql driver (SQLite's own C library)
)

// SchemaVersion is the schema version this package writes and reads, kept in
// the database file's PRAGMA user_version. A file with a higher version was
// written by a newer bulwark and is refused rather than misread.
const SchemaVersion = 2

// migrations[v] brings a file from schema version v to v+1: version 1 is
// the events, version 2 adds the identities (schemaV2).
var migrations = [SchemaVersion]string{schema, schemaV2}

// BusyTimeout is how long one statement waits for a lock held by another
// connection (another bulwark process, or `bulwark audit` reading) before
// giving up with SQLITE_BUSY. Writes take milliseconds, so only a stuck
// process makes a writer wait this long.
const BusyTimeout = 10 * time.Second

// schema creates version 1. Times are unix nanoseconds in UTC so that
// range queries compare integers through idx_events_time. id is
// AUTOINCREMENT so that an id, once handed to an agent in an error message,
// never names a different event even if old events are pruned.
const schema = `
CREATE TABLE IF NOT EXISTS events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	time        INTEGER NOT NULL,
	session_id  TEXT NOT NULL DEFAULT '',
	client_addr TEXT NOT NULL DEFAULT '',
	protocol    TEXT NOT NULL DEFAULT '',
	database    TEXT NOT NULL DEFAULT '',
	user        TEXT NOT NULL DEFAULT '',
	application TEXT NOT NULL DEFAULT '',
	kind        TEXT NOT NULL DEFAULT '',
	statement   TEXT NOT NULL DEFAULT '',
	fingerprint TEXT NOT NULL DEFAULT '',
	category    TEXT NOT NULL DEFAULT '',
	rule        TEXT NOT NULL DEFAULT '',
	action      TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS idx_events_time ON events (time);
CREATE INDEX IF NOT EXISTS idx_events_user ON events (user, time);
CREATE INDEX IF NOT EXISTS idx_events_rule ON events (rule, time);
`

// eventColumns lists the columns in the order scanEvent and Record use.
const eventColumns = `id, time, session_id, client_addr, protocol, database, user,
	application, kind, statement, fingerprint, category, rule, action, reason`

// SQLite is a Store kept in one SQLite database file. It is safe for
// concurrent use by many goroutines, and several processes may open the same
// file at once (for example the proxy writing while `bulwark audit` reads).
type SQLite struct {
	path string
	// w is the only connection that writes. In-process writers queue for it
	// in Go, which is fair and fast, instead of polling SQLite's file lock
	// through the busy handler; the busy timeout is then only spent waiting
	// for other processes.
	w *sql.DB
	// r serves List. In WAL mode readers never block the writer, so a long
	// listing does not delay Record.
	r *sql.DB

	// version is the schema version of a file opened read-only (a
	// version 1 file has no identities).
	version int

	// abs is path made absolute, for statFiles.
	abs string
	// revMu guards the cached identity revision (IdentityRevision).
	revMu sync.Mutex
	rev   revisionCache
	// revisionReads counts the revision's reads from the database.
	revisionReads int

	closeOnce sync.Once
	closeErr  error
}

// Compile-time check that SQLite implements Store.
var _ Store = (*SQLite)(nil)

// OpenSQLite opens the audit database at path for recording and listing,
// creating the file and its schema if missing. The directory must already
// exist: creating it silently would hide a mistyped path, and audit records
// written to an unexpected place are as good as lost.
//
// The database runs in WAL mode with synchronous=FULL, so a Record that
// returned is on stable storage even if the machine loses power.
func OpenSQLite(path string) (*SQLite, error) {
	abs, err := checkPath(path)
	if err != nil {
		return nil, err
	}
	if err := checkDir(path, abs); err != nil {
		return nil, err
	}

	s := &SQLite{path: path, abs: abs}
	options := []string{busyTimeout, "_journal_mode=WAL", "_synchronous=FULL"}
	// _txlock=immediate makes the schema transaction take the write lock at
	// BEGIN, where the busy timeout applies, instead of failing when it
	// tries to upgrade a read lock another writer is also holding.
	s.w, err = sql.Open(driver, dsn(abs, append(options, "_txlock=immediate")...))
	if err != nil {
		return nil, fmt.Errorf("audit store: open %s: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxIdleTime(0)
	s.w.SetConnMaxLifetime(0)

	s.r, err = sql.Open(driver, dsn(abs, append(options, "_query_only=1")...))
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("audit store: open %s: %w", path, err)
	}
	s.r.SetMaxOpenConns(4)

	if err := s.initSchema(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// OpenSQLiteReadOnly opens an existing audit database for listing only. It
// never creates the file or changes it, so an auditor pointing at the wrong
// path gets an error rather than a new empty database. It can be used while
// a proxy is writing to the same file.
func OpenSQLiteReadOnly(path string) (*SQLite, error) {
	abs, err := checkPath(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("audit store: %s does not exist (check the path, or the audit.path setting of the configuration)", path)
	case err != nil:
		return nil, fmt.Errorf("audit store: open %s: %w", path, err)
	case fi.IsDir():
		return nil, fmt.Errorf("audit store: %s is a directory, not an audit database file", path)
	}

	s := &SQLite{path: path, abs: abs}
	// mode=ro stops SQLite from creating the file should it vanish between
	// the Stat and the open; journal_mode is left alone because changing it
	// needs write access and the writer has already set it.
	s.r, err = sql.Open(driver, dsn(abs, busyTimeout, "_query_only=1", "mode=ro"))
	if err != nil {
		return nil, fmt.Errorf("audit store: open %s: %w", path, err)
	}
	s.r.SetMaxOpenConns(4)

	if err := s.checkSchema(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Path returns the path the store was opened with.
func (s *SQLite) Path() string { return s.path }

// checkPath rejects an empty path and makes path absolute, so that the URI
// handed to SQLite does not depend on how SQLite resolves relative names.
func checkPath(path string) (string, error) {
	if path == "" {
		return "", errors.New("audit store: no database path given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("audit store: open %s: %w", path, err)
	}
	return abs, nil
}

// checkDir reports a missing or unusable parent directory in terms of the
// path the operator configured; SQLite itself would only say "unable to open
// database file".
func checkDir(path, abs string) error {
	dir := filepath.Dir(abs)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("audit store: open %s: directory %s does not exist", path, dir)
	case err != nil:
		return fmt.Errorf("audit store: open %s: %w", path, err)
	case !fi.IsDir():
		return fmt.Errorf("audit store: open %s: %s is not a directory", path, dir)
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return fmt.Errorf("audit store: open %s: is a directory, not a database file", path)
	}
	return nil
}

// driver is the database/sql driver of github.com/mattn/go-sqlite3.
const driver = "sqlite3"

// busyTimeout is BusyTimeout as a connection option.
var busyTimeout = "_busy_timeout=" + fmt.Sprint(BusyTimeout.Milliseconds())

// dsn builds a file: URI with the driver's connection options (_name=value,
// applied as PRAGMAs on every new connection) and SQLite's own URI
// parameters (mode=ro). The path is percent-encoded so that a '?', '#' or
// '%' in a directory name is not read as the start of the query string.
func dsn(abs string, options ...string) string {
	u := url.URL{Path: filepath.ToSlash(abs)}
	return "file:" + u.EscapedPath() + "?" + strings.Join(options, "&")
}

// initSchema creates the schema in a new file, or checks the version of an
// existing one. It runs in an immediate transaction so that two processes
// opening a new file at the same moment do not both create it.
func (s *SQLite) initSchema(ctx context.Context) error {
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return s.openErr(err)
	}
	if !strings.EqualFold(mode, "wal") {
		// WAL is what lets `bulwark audit` read while the proxy writes;
		// SQLite falls back silently on file systems without shared
		// memory (network file systems), so say so instead.
		return fmt.Errorf("audit store: open %s: cannot use WAL journal mode (got %q); put the audit database on a local file system", s.path, mode)
	}

	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.openErr(err)
	}
	defer tx.Rollback() // a no-op once committed

	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return s.openErr(err)
	}
	switch {
	case version == SchemaVersion:
		return nil
	case version > SchemaVersion:
		return s.newerErr(version)
	case version < 0:
		return fmt.Errorf("audit store: open %s: unknown schema version %d", s.path, version)
	case version == 0:
		var tables int
		if err := tx.QueryRowContext(ctx,
			"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").Scan(&tables); err != nil {
			return s.openErr(err)
		}
		if tables != 0 {
			// Someone else's database: adding our table to it would mix
			// audit records into unrelated data.
			return fmt.Errorf("audit store: open %s: not a bulwark audit database (it holds other tables)", s.path)
		}
	}
	// A new file gets every step, an older one the steps it lacks.
	for _, step := range migrations[version:] {
		if _, err := tx.ExecContext(ctx, step); err != nil {
			return s.openErr(err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion)); err != nil {
		return s.openErr(err)
	}
	if err := tx.Commit(); err != nil {
		return s.openErr(err)
	}
	return nil
}

// checkSchema verifies that a file opened read-only holds a schema this
// version understands.
func (s *SQLite) checkSchema(ctx context.Context) error {
	var version int
	if err := s.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return s.openErr(err)
	}
	switch {
	case version == SchemaVersion, version == 1:
		s.version = version
		return nil
	case version > SchemaVersion:
		return s.newerErr(version)
	default:
		return fmt.Errorf("audit store: open %s: not a bulwark audit database (schema version %d)", s.path, version)
	}
}

func (s *SQLite) openErr(err error) error {
	return fmt.Errorf("audit store: open %s: %w", s.path, err)
}

func (s *SQLite) newerErr(version int) error {
	return fmt.Errorf("audit store: open %s: schema version %d was written by a newer bulwark (this one reads version %d)", s.path, version, SchemaVersion)
}

// Record implements Store. The event is committed and synced to disk when
// Record returns without error. A zero e.Time is replaced by the current
// time, so that no event is ever undated; e.ID is ignored and the assigned
// id returned. Times must lie between the years 1678 and 2262 (the range of
// int64 nanoseconds).
func (s *SQLite) Record(ctx context.Context, e Event) (int64, error) {
	if s.w == nil {
		return 0, fmt.Errorf("audit store: %s is open read-only", s.path)
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO events (time, session_id, client_addr,
		protocol, database, user, application, kind, statement, fingerprint,
		category, rule, action, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Time.UnixNano(), e.SessionID, e.ClientAddr, e.Protocol, e.Database,
		e.User, e.Application, e.Kind, e.Statement, e.Fingerprint,
		e.Category, e.Rule, e.Action, e.Reason)
	if err != nil {
		return 0, fmt.Errorf("audit store: record event in %s: %w", s.path, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("audit store: record event in %s: %w", s.path, err)
	}
	return id, nil
}

// List implements Store. Events are ordered newest first by event time, and
// by id among events of the same time. A negative Limit is treated as 0
// (no cap).
func (s *SQLite) List(ctx context.Context, f Filter) ([]Event, error) {
	var (
		where []string
		args  []any
	)
	if !f.Since.IsZero() {
		where = append(where, "time >= ?")
		args = append(args, f.Since.UnixNano())
	}
	if f.User != "" {
		where = append(where, "user = ?")
		args = append(args, f.User)
	}
	if f.Rule != "" {
		where = append(where, "rule = ?")
		args = append(args, f.Rule)
	}
	if f.Action != "" {
		where = append(where, "action = ?")
		args = append(args, f.Action)
	}
	q := "SELECT " + eventColumns + " FROM events"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY time DESC, id DESC"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}

	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit store: list events in %s: %w", s.path, err)
	}
	defer rows.Close()
	events := []Event{}
	for rows.Next() {
		var (
			e  Event
			ns int64
		)
		if err := rows.Scan(&e.ID, &ns, &e.SessionID, &e.ClientAddr, &e.Protocol,
			&e.Database, &e.User, &e.Application, &e.Kind, &e.Statement,
			&e.Fingerprint, &e.Category, &e.Rule, &e.Action, &e.Reason); err != nil {
			return nil, fmt.Errorf("audit store: list events in %s: %w", s.path, err)
		}
		e.Time = time.Unix(0, ns).UTC()
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit store: list events in %s: %w", s.path, err)
	}
	return events, nil
}

// Close implements Store. It waits for in-flight operations, then closes the
// file; the last connection to close folds the WAL back into the database.
// Calling Close more than once returns the first result.
func (s *SQLite) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.r != nil {
			errs = append(errs, s.r.Close())
		}
		if s.w != nil {
			errs = append(errs, s.w.Close())
		}
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("audit store: close %s: %w", s.path, err)
		}
	})
	return s.closeErr
}
