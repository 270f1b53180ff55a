package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/bulwarkdb/bulwark/credential"
)

// The identities bulwark authenticates itself live in the audit database,
// beside the events: one file for a DBA to back up, and a place every
// bulwark process and `bulwark identities` can reach without a restart.
// Only verifiers are stored, never secrets.
//
// revision counts changes; a running proxy polls it to notice new, rotated
// and revoked identities within a fraction of a second.
const schemaV2 = `
CREATE TABLE IF NOT EXISTS identities (
	name             TEXT PRIMARY KEY,
	kind             TEXT NOT NULL,
	route            TEXT NOT NULL,
	created          INTEGER NOT NULL,
	changed          INTEGER NOT NULL,
	revoked          INTEGER,
	generation       INTEGER NOT NULL,
	scram_salt       BLOB NOT NULL,
	scram_iters      INTEGER NOT NULL,
	scram_stored_key BLOB NOT NULL,
	scram_server_key BLOB NOT NULL,
	mysql_native     BLOB NOT NULL,
	mysql_sha2       BLOB NOT NULL,
	cert_subject     TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS revision (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	value INTEGER NOT NULL
);
INSERT OR IGNORE INTO revision (id, value) VALUES (1, 0);
`

// Identity is an identity bulwark authenticates itself.
type Identity struct {
	Name    string    `json:"name"`
	Kind    string    `json:"kind"`  // agent | human
	Route   string    `json:"route"` // names the upstream credentials in the configuration
	Created time.Time `json:"created"`
	// Changed is when the secret was last issued (created or rotated).
	Changed time.Time  `json:"changed"`
	Revoked *time.Time `json:"revoked,omitempty"`
	// Generation grows with every rotation and revocation; sessions
	// opened under an older generation of a revoked identity are ended.
	Generation int64 `json:"generation"`
	// CertSubject, when set, is the subject of a client certificate
	// (verified against tls.client_ca_file) that proves this identity
	// instead of its secret.
	CertSubject string              `json:"certificate_subject,omitempty"`
	Verifier    credential.Verifier `json:"-"`
}

// ErrIdentityExists and ErrNoIdentity report name clashes and unknown names.
var (
	ErrIdentityExists = errors.New("an identity of that name exists")
	ErrNoIdentity     = errors.New("no such identity")
)

// AddIdentity stores a new identity.
func (s *SQLite) AddIdentity(ctx context.Context, id Identity) error {
	return s.changeIdentities(ctx, func(tx *sql.Tx) error {
		now := time.Now().UnixNano()
		v := id.Verifier
		_, err := tx.ExecContext(ctx, `INSERT INTO identities (name, kind, route, created, changed, generation,
			scram_salt, scram_iters, scram_stored_key, scram_server_key, mysql_native, mysql_sha2, cert_subject)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
			id.Name, id.Kind, id.Route, now, now, v.SCRAMSalt, v.SCRAMIters, v.SCRAMStoredKey, v.SCRAMServerKey,
			v.MySQLNative, v.MySQLSHA2, id.CertSubject)
		if err != nil && strings.Contains(err.Error(), "UNIQUE") {
			return fmt.Errorf("%w: %s", ErrIdentityExists, id.Name)
		}
		return err
	})
}

// RotateIdentity replaces an identity's verifier (a new secret). A revoked
// identity stays revoked.
func (s *SQLite) RotateIdentity(ctx context.Context, name string, v credential.Verifier) error {
	return s.changeIdentities(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE identities SET changed = ?, generation = generation + 1,
			scram_salt = ?, scram_iters = ?, scram_stored_key = ?, scram_server_key = ?, mysql_native = ?, mysql_sha2 = ?
			WHERE name = ?`, time.Now().UnixNano(), v.SCRAMSalt, v.SCRAMIters, v.SCRAMStoredKey, v.SCRAMServerKey,
			v.MySQLNative, v.MySQLSHA2, name)
		return oneRow(res, err, name)
	})
}

// RevokeIdentity marks an identity revoked: it can no longer log in, and
// running proxies end its open sessions.
func (s *SQLite) RevokeIdentity(ctx context.Context, name string) error {
	return s.changeIdentities(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE identities SET revoked = ?, generation = generation + 1
			WHERE name = ? AND revoked IS NULL`, time.Now().UnixNano(), name)
		return oneRow(res, err, name)
	})
}

func oneRow(res sql.Result, err error, name string) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("%w: %s (or it is already revoked)", ErrNoIdentity, name)
	}
	return nil
}

// changeIdentities runs change and bumps the revision in one transaction.
func (s *SQLite) changeIdentities(ctx context.Context, change func(*sql.Tx) error) error {
	if s.w == nil {
		return fmt.Errorf("audit store: %s is open read-only", s.path)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := change(tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE revision SET value = value + 1 WHERE id = 1"); err != nil {
		return err
	}
	return tx.Commit()
}

// Identities returns every identity, revoked ones included, by name.
func (s *SQLite) Identities(ctx context.Context) ([]Identity, error) {
	if s.version == 1 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT name, kind, route, created, changed, revoked, generation,
		scram_salt, scram_iters, scram_stored_key, scram_server_key, mysql_native, mysql_sha2, cert_subject
		FROM identities ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("audit store: list identities: %w", err)
	}
	defer rows.Close()
	var out []Identity
	for rows.Next() {
		var id Identity
		var created, changed int64
		var revoked sql.NullInt64
		v := &id.Verifier
		if err := rows.Scan(&id.Name, &id.Kind, &id.Route, &created, &changed, &revoked, &id.Generation,
			&v.SCRAMSalt, &v.SCRAMIters, &v.SCRAMStoredKey, &v.SCRAMServerKey, &v.MySQLNative, &v.MySQLSHA2, &id.CertSubject); err != nil {
			return nil, err
		}
		id.Created, id.Changed = time.Unix(0, created).UTC(), time.Unix(0, changed).UTC()
		if revoked.Valid {
			t := time.Unix(0, revoked.Int64).UTC()
			id.Revoked = &t
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// IdentityRevision returns the change counter of the identities. A running
// proxy asks several times a second, so the counter is read from the
// database only when a stat of its files says it may have changed since the
// last read (revisionCache); an idle proxy then costs a stat, not a query.
func (s *SQLite) IdentityRevision(ctx context.Context) (int64, error) {
	if s.version == 1 {
		return 0, nil
	}
	s.revMu.Lock()
	defer s.revMu.Unlock()
	now := time.Now()
	stamp, statErr := statFiles(s.abs)
	if statErr == nil {
		if n, ok := s.rev.get(stamp, now); ok {
			return n, nil
		}
	}
	var n int64
	if err := s.r.QueryRowContext(ctx, "SELECT value FROM revision WHERE id = 1").Scan(&n); err != nil {
		return 0, err
	}
	s.revisionReads++
	if statErr == nil {
		s.rev.put(stamp, now, n)
	}
	return n, nil
}

// fileStamp is what a stat of the database file and its write-ahead log
// shows. SQLite writes both with write(2), which sets the modification time,
// so a change by any connection, of this process or another, changes the
// stamp, unless it lands within the file system's timestamp granularity of
// the write before it and leaves the sizes as they were.
type fileStamp struct {
	dbSize, walSize int64
	dbTime, walTime int64 // modification times, Unix nanoseconds; 0 when absent
}

func statFiles(path string) (fileStamp, error) {
	var st fileStamp
	fi, err := os.Stat(path)
	if err != nil {
		return st, err
	}
	st.dbSize, st.dbTime = fi.Size(), fi.ModTime().UnixNano()
	switch fi, err := os.Stat(path + "-wal"); {
	case err == nil:
		st.walSize, st.walTime = fi.Size(), fi.ModTime().UnixNano()
	case !errors.Is(err, fs.ErrNotExist):
		return st, err
	}
	return st, nil
}

// revisionCache keeps the last revision read with the stamp the files had
// just before. The stamp vouches for the files only once both modification
// times are older than that read by stampMargin, more than any file
// system's timestamp granularity: a write that follows the stat within the
// same tick leaves the stamp unchanged, so a file modified that close to
// the read is read again, as git treats a racily clean index. The counter
// is read at least every revisionMaxAge all the same, so a file system
// whose times cannot be trusted delays a change by that much at most.
type revisionCache struct {
	valid bool
	stamp fileStamp
	read  time.Time // when the stamp was taken
	value int64
}

const (
	stampMargin    = time.Second
	revisionMaxAge = 10 * time.Second
)

func (c *revisionCache) get(st fileStamp, now time.Time) (int64, bool) {
	if !c.valid || st != c.stamp || now.Sub(c.read) >= revisionMaxAge || now.Before(c.read) {
		return 0, false
	}
	quiet := c.read.Add(-stampMargin).UnixNano()
	if st.dbTime >= quiet || st.walTime >= quiet {
		return 0, false
	}
	return c.value, true
}

func (c *revisionCache) put(st fileStamp, read time.Time, value int64) {
	*c = revisionCache{valid: true, stamp: st, read: read, value: value}
}
